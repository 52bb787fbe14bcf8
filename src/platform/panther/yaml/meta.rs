//! Panther rule metadata and inline tests → `Rule` fields. Unknown keys go to `extra`.

use super::detection::key_spec;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{
    Attack, Duration, Level, LevelInfo, NativeSource, OutputField, Platform, Rule, TestCase, TestInput,
};
use crate::syntax::yaml_spanned::{Yaml, YamlKind};

/// Keys consumed elsewhere (detection logic, the Python seam).
const LOGIC_KEYS: &[&str] = &["Detection", "InlineFilters", "Filename"];

/// Read every top-level key into the rule. Keys the IR has no field for go to `extra`.
/// Returns the `Threshold`, which becomes the rule's correlation once its dedup keys are known.
pub(super) fn read_keys(root: &Yaml, rule: &mut Rule, diags: &mut Diagnostics) -> Option<u64> {
    let mut threshold = None;
    for (k, v) in root.entries() {
        let Some(key) = k.as_str() else {
            rule.keep_extra(Platform::Panther, k.scalar_text().unwrap_or_default(), v.to_json());
            continue;
        };
        if let Some(n) = read_key(key, v, rule, diags) {
            threshold = Some(n);
        }
    }
    if rule.meta.id.is_empty() {
        let span = root.get("AnalysisType").map(|a| a.span);
        diags.push(Diagnostic::error(Code::MissingKey, "the rule has no `RuleID`").with_span(span));
    }
    if rule.meta.title.is_empty() {
        rule.meta.title = rule.meta.id.clone();
    }
    threshold
}

/// One key into the rule; the `Threshold`'s value is returned.
fn read_key(key: &str, v: &Yaml, rule: &mut Rule, diags: &mut Diagnostics) -> Option<u64> {
    let m = &mut rule.meta;
    match key {
        "RuleID" | "PolicyID" | "QueryName" => m.id = text(v, key, diags),
        "DisplayName" => m.title = text(v, key, diags),
        "Description" => m.description = text(v, key, diags),
        "Runbook" => m.runbook = Some(text(v, key, diags)),
        "Reference" => m.references.extend(strings(v, key, diags)),
        "Enabled" => m.enabled = boolean(v, key, diags),
        "Status" => m.status = Some(text(v, key, diags)),
        "Severity" => m.level = level(v, diags),
        "Tags" => m.tags.extend(strings(v, key, diags)),
        "DedupPeriodMinutes" => m.dedup_period = number(v, key, diags).map(Duration::from_minutes),
        "Threshold" => return number(v, key, diags),
        "AlertTitle" => m.alert_title = Some(text(v, key, diags)),
        "AlertContext" => alert_context(v, &mut m.output_fields, diags),
        "SummaryAttributes" => summary_attributes(v, &mut m.output_fields, diags),
        "Reports" => reports(v, rule, diags),
        "LogTypes" => log_types(v, rule, diags),
        "Tests" => rule.tests = tests(v, diags),
        "AnalysisType" if v.as_str() == Some("rule") => {}
        _ if LOGIC_KEYS.contains(&key) => {}
        _ => rule.keep_extra(Platform::Panther, key, v.to_json()),
    }
    None
}

fn type_error(v: &Yaml, key: &str, want: &str, diags: &mut Diagnostics) {
    let msg = format!("`{key}` should be {want}, found {}", v.type_name());
    diags.push(Diagnostic::warning(Code::InvalidValue, msg).with_span(Some(v.span)));
}

/// A scalar as text; other shapes are reported and kept as their JSON text.
fn text(v: &Yaml, key: &str, diags: &mut Diagnostics) -> String {
    match v.scalar_text() {
        Some(s) if !matches!(v.kind, YamlKind::Null) => s.trim().to_string(),
        Some(_) => String::new(),
        None => {
            type_error(v, key, "text", diags);
            v.to_json().to_string()
        }
    }
}

/// One string or a list of strings.
fn strings(v: &Yaml, key: &str, diags: &mut Diagnostics) -> Vec<String> {
    match &v.kind {
        YamlKind::Seq(items) => items.iter().map(|i| text(i, key, diags)).filter(|s| !s.is_empty()).collect(),
        YamlKind::Null => Vec::new(),
        _ => vec![text(v, key, diags)].into_iter().filter(|s| !s.is_empty()).collect(),
    }
}

fn boolean(v: &Yaml, key: &str, diags: &mut Diagnostics) -> Option<bool> {
    match v.kind {
        YamlKind::Bool(b) => Some(b),
        _ => {
            type_error(v, key, "true or false", diags);
            None
        }
    }
}

fn number(v: &Yaml, key: &str, diags: &mut Diagnostics) -> Option<u64> {
    match v.kind {
        YamlKind::Int(i) if i >= 0 => Some(i as u64),
        _ => {
            type_error(v, key, "a non-negative integer", diags);
            None
        }
    }
}

fn level(v: &Yaml, diags: &mut Diagnostics) -> Option<LevelInfo> {
    let source = v.scalar_text()?;
    match Level::parse(&source) {
        Some(level) => Some(LevelInfo { level, source }),
        None => {
            let msg = format!("unknown Severity `{source}` (Info, Low, Medium, High or Critical)");
            diags.push(Diagnostic::warning(Code::InvalidValue, msg).with_span(Some(v.span)));
            None
        }
    }
}

/// `Reports: {MITRE ATT&CK: ["TA0040:T1531", …]}`; also the `{TA0004: [T1548]}` shorthand.
/// Other frameworks (CIS …) are kept in `extra`.
fn reports(v: &Yaml, rule: &mut Rule, diags: &mut Diagnostics) {
    for (k, items) in v.entries() {
        let framework = k.scalar_text().unwrap_or_default();
        if framework == "MITRE ATT&CK" {
            for item in items.as_seq().unwrap_or_default() {
                match item.scalar_text().and_then(|s| parse_attack(&s)) {
                    Some(a) => rule.meta.attack.push(a),
                    None => type_error(item, "MITRE ATT&CK", "`TA0040:T1531`", diags),
                }
            }
        } else if framework.starts_with("TA") && framework[2..].bytes().all(|b| b.is_ascii_digit()) {
            for t in items.as_seq().unwrap_or_default() {
                let technique = t.scalar_text();
                rule.meta.attack.push(Attack { tactic: Some(framework.clone()), technique });
            }
        } else {
            let extra = rule
                .extra
                .entry(Platform::Panther)
                .or_default()
                .entry("Reports".to_string())
                .or_insert_with(|| serde_json::json!({}));
            if let Some(obj) = extra.as_object_mut() {
                obj.insert(framework, items.to_json());
            }
        }
    }
    if !v.is_map() {
        type_error(v, "Reports", "a mapping", diags);
    }
}

/// `TA0040:T1531` → tactic + technique; `T1531` alone → technique; `TA0040` → tactic.
pub(crate) fn parse_attack(s: &str) -> Option<Attack> {
    let s = s.trim();
    let is_tactic =
        |x: &str| x.starts_with("TA") && x.len() > 2 && x[2..].bytes().all(|b| b.is_ascii_digit());
    let is_technique = |x: &str| {
        x.starts_with('T') && x.len() > 1 && x[1..].bytes().all(|b| b.is_ascii_digit() || b == b'.')
    };
    match s.split_once(':') {
        Some((ta, t)) if is_tactic(ta) && is_technique(t) => {
            Some(Attack { tactic: Some(ta.into()), technique: Some(t.into()) })
        }
        None if is_tactic(s) => Some(Attack { tactic: Some(s.into()), technique: None }),
        None if is_technique(s) => Some(Attack { tactic: None, technique: Some(s.into()) }),
        _ => None,
    }
}

/// Panther LogTypes → native ids, plus a neutral product/service when the first is known.
fn log_types(v: &Yaml, rule: &mut Rule, diags: &mut Diagnostics) {
    let types = strings(v, "LogTypes", diags);
    if let Some(first) = types.first() {
        let (product, service) = neutral_logsource(first);
        rule.logsource.product = Some(product);
        rule.logsource.service = service;
    }
    rule.logsource.native =
        types.into_iter().map(|id| NativeSource { platform: Platform::Panther, id }).collect();
}

/// A small table for well-known Panther log types (Sigma taxonomy names), else a
/// lower-case split of `Vendor.Source`.
fn neutral_logsource(log_type: &str) -> (String, Option<String>) {
    const TABLE: &[(&str, &str, &str)] = &[
        ("AWS.CloudTrail", "aws", "cloudtrail"),
        ("GCP.AuditLog", "gcp", "gcp.audit"),
        ("Azure.Audit", "azure", "activitylogs"),
        ("Okta.SystemLog", "okta", "okta"),
        ("GitHub.Audit", "github", "audit"),
        ("GSuite.Reports", "google_workspace", "google_workspace.admin"),
        ("Microsoft365.Audit.General", "m365", "audit"),
    ];
    if let Some((_, p, s)) = TABLE.iter().find(|(t, _, _)| *t == log_type) {
        return (p.to_string(), Some(s.to_string()));
    }
    match log_type.split_once('.') {
        Some((vendor, rest)) => (
            heck::AsSnakeCase(vendor).to_string(),
            Some(heck::AsSnakeCase(rest.replace('.', "_")).to_string()),
        ),
        None => (heck::AsSnakeCase(log_type).to_string(), None),
    }
}

/// `AlertContext: [{KeyName: n, KeyValue: {Key|KeyPath|DeepKey: …}}]`.
fn alert_context(v: &Yaml, out: &mut Vec<OutputField>, diags: &mut Diagnostics) {
    for item in v.as_seq().unwrap_or_default() {
        let name = item.get("KeyName").and_then(Yaml::scalar_text);
        let field = item.get("KeyValue").and_then(|kv| key_spec(kv, diags));
        match (name, field) {
            (Some(name), Some(field)) => out.push(OutputField { name, field }),
            _ => type_error(item, "AlertContext", "`KeyName` and `KeyValue: {Key: …}`", diags),
        }
    }
}

fn summary_attributes(v: &Yaml, out: &mut Vec<OutputField>, diags: &mut Diagnostics) {
    for name in strings(v, "SummaryAttributes", diags) {
        let field = crate::ir::FieldPath::key(name.clone());
        out.push(OutputField { name, field });
    }
}

/// `Tests: [{Name, ExpectedResult, Log, Mocks?}]`.
fn tests(v: &Yaml, diags: &mut Diagnostics) -> Vec<TestCase> {
    let mut out = Vec::new();
    for t in v.as_seq().unwrap_or_default() {
        let name =
            t.get("Name").and_then(Yaml::scalar_text).unwrap_or_else(|| format!("test {}", out.len() + 1));
        if let Some(m) = t.get("Mocks") {
            let msg =
                format!("test `{name}` mocks functions; the mocked behaviour cannot be reproduced elsewhere");
            diags.push(Diagnostic::warning(Code::Mocks, msg).with_span(Some(m.span)));
        }
        let expected = match t.get("ExpectedResult").map(|e| &e.kind) {
            Some(YamlKind::Bool(b)) => *b,
            _ => {
                type_error(t, "ExpectedResult", "true or false", diags);
                continue;
            }
        };
        let log = match t.get("Log") {
            Some(Yaml { kind: YamlKind::Str(s), .. }) => {
                serde_json::from_str(s).unwrap_or(serde_json::Value::Null)
            }
            Some(log) => log.to_json(),
            None => {
                let msg = format!("test `{name}` has no `Log` (correlation tests are not run)");
                diags.push(Diagnostic::note(Code::TestLog, msg).with_span(Some(t.span)));
                continue;
            }
        };
        out.push(TestCase { name, input: TestInput::Event(log), expected, span: Some(t.span) });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_forms() {
        let a = parse_attack("TA0040:T1531").unwrap();
        assert_eq!((a.tactic.as_deref(), a.technique.as_deref()), (Some("TA0040"), Some("T1531")));
        assert_eq!(parse_attack("T1562.001").unwrap().technique.as_deref(), Some("T1562.001"));
        assert!(parse_attack("TA0040:").is_none());
        assert!(parse_attack("nonsense").is_none());
    }

    #[test]
    fn neutral_logsources() {
        assert_eq!(neutral_logsource("AWS.CloudTrail"), ("aws".into(), Some("cloudtrail".into())));
        assert_eq!(neutral_logsource("Wiz.Audit"), ("wiz".into(), Some("audit".into())));
        assert_eq!(neutral_logsource("Zoom.Operation"), ("zoom".into(), Some("operation".into())));
    }
}
