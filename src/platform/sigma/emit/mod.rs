//! Sigma rules (specification v2): a serde struct printed with serde_yaml.
//!
//! - `detection`: see `detection.rs` (named selections plus a condition).
//! - Sigma matching is case-insensitive by default, so case-sensitive string predicates get
//!   `|cased`.
//! - The id is the source's UUID when it has one, else a UUIDv5 of `frontend:rule id`, so
//!   reruns give the same id.

mod detection;
mod value;

use crate::backend::{Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{Attack, Level, Rule};
use serde::Serialize;

pub struct Sigma;

impl Backend for Sigma {
    fn id(&self) -> &'static str {
        "sigma"
    }
    fn cli_name(&self) -> &'static str {
        "sigma"
    }
    fn emit(&self, rule: &Rule, _ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>> {
        let filter = crate::passes::fit::flat_filter_only(rule, "Sigma", diags)?;
        crate::passes::fit::correlation_not_kept(rule, "a Sigma detection rule", diags);
        let detection = detection::build(&filter, diags)?;
        let doc = SigmaRule::new(rule, detection, diags);
        let content = crate::backend::written(serde_yaml::to_string(&doc), "Sigma YAML", diags)?;
        Some(vec![OutputFile { suffix: ".yml".into(), content }])
    }
}

#[derive(Serialize)]
struct SigmaRule {
    title: String,
    id: String,
    status: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    logsource: LogSourceOut,
    detection: serde_yaml::Mapping,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    falsepositives: Vec<String>,
    level: &'static str,
}

#[derive(Serialize)]
struct LogSourceOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<String>,
}

impl SigmaRule {
    fn new(rule: &Rule, detection: serde_yaml::Mapping, diags: &mut Diagnostics) -> Self {
        let m = &rule.meta;
        let ls = &rule.logsource;
        if ls.product.is_none() && ls.service.is_none() && ls.category.is_none() {
            diags
                .push(Diagnostic::note(Code::Metadata, "the rule names no log source; `logsource` is empty"));
        }
        SigmaRule {
            title: m.title.clone(),
            id: rule.stable_uuid(),
            status: status(rule),
            description: m.description.clone(),
            references: m.references.clone(),
            author: (!m.authors.is_empty()).then(|| m.authors.join(", ")),
            date: m.date.clone(),
            modified: m.modified.clone(),
            tags: tags(rule, diags),
            logsource: LogSourceOut {
                product: ls.product.clone(),
                service: ls.service.clone(),
                category: ls.category.clone(),
            },
            detection,
            falsepositives: m.false_positives.clone(),
            level: level(m.level.as_ref().map(|l| l.level)),
        }
    }
}

/// Sigma status: the source's own when it is a Sigma status, else `experimental` (a disabled
/// source rule is still a valid detection).
fn status(rule: &Rule) -> &'static str {
    const STATUSES: &[&str] = &["stable", "test", "experimental", "deprecated", "unsupported"];
    let own = rule.meta.status.as_deref().map(str::to_ascii_lowercase);
    own.and_then(|s| STATUSES.iter().copied().find(|x| *x == s)).unwrap_or("experimental")
}

fn level(level: Option<Level>) -> &'static str {
    match level {
        Some(Level::Info) => "informational",
        Some(Level::Low) => "low",
        Some(Level::High) => "high",
        Some(Level::Critical) => "critical",
        Some(Level::Medium) | None => "medium",
    }
}

/// ATT&CK tags (`attack.t1531`, `attack.impact`), then source tags that are valid Sigma tags.
fn tags(rule: &Rule, diags: &mut Diagnostics) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for a in &rule.meta.attack {
        if let Some(name) = a.tactic.as_deref().and_then(Attack::tactic_name) {
            push(format!("attack.{name}"));
        }
        if let Some(t) = &a.technique {
            push(format!("attack.{}", t.to_ascii_lowercase()));
        }
    }
    let mut dropped = Vec::new();
    for t in &rule.meta.tags {
        let valid = t.split_once('.').is_some_and(|(ns, name)| {
            !ns.is_empty()
                && !name.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        });
        if valid {
            push(t.clone());
        } else {
            dropped.push(t.as_str());
        }
    }
    if !dropped.is_empty() {
        let msg =
            format!("tags that are not Sigma tags (`namespace.name`) were left out: {}", dropped.join(", "));
        diags.push(Diagnostic::note(Code::Metadata, msg));
    }
    out
}
