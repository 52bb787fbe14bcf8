//! The independent Sigma engine used as a test oracle: rsigma (rsigma-parser + rsigma-eval),
//! which resolves dotted field paths through arrays with any-member semantics.
#![allow(dead_code)]

/// Whether the Sigma rule in `rule_yaml` matches `event`.
pub fn sigma_matches(rule_yaml: &str, event: &serde_json::Value) -> Result<bool, String> {
    Ok(sigma_matches_all(rule_yaml, std::slice::from_ref(event))?[0])
}

/// One verdict per event, compiling the rule once.
pub fn sigma_matches_all(rule_yaml: &str, events: &[serde_json::Value]) -> Result<Vec<bool>, String> {
    let collection = rsigma_parser::parse_sigma_yaml(rule_yaml).map_err(|e| format!("rsigma parse: {e}"))?;
    if collection.rules.is_empty() {
        return Err(format!("rsigma found no rule in:\n{rule_yaml}"));
    }
    // Compile and evaluate the rule itself: the `Engine`'s candidate index pre-filters rules
    // by their positive fields, which drops rules that are pure negations.
    let rule = rsigma_eval::compile_rule(&collection.rules[0]).map_err(|e| format!("rsigma compile: {e}"))?;
    Ok(events
        .iter()
        .map(|e| rsigma_eval::evaluate_rule(&rule, &rsigma_eval::JsonEvent::borrow(e)).is_some())
        .collect())
}
