//! Panther rule YAML: metadata, inline `Tests`, and Simple Detection `Detection:` match
//! expressions. Rules whose logic is in Python keep their metadata and tests; their logic is
//! reported as not translated.
//!
//! Submodules: `meta` (metadata keys and tests), `detection` (match expressions → IR).

mod detection;
mod meta;

use super::python as panther_python;
use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::frontend::{Frontend, ParseCtx, Parsed};
use crate::ir::{Correlation, Duration, Expr, Platform, Query, Rule};
use crate::syntax::yaml_spanned::{self, Yaml};
use std::path::Path;

pub struct PantherYaml;

/// Analysis types that are not detections at all.
const NOT_RULES: &[&str] =
    &["datamodel", "global", "pack", "policy", "lookup_table", "saved_query", "scheduled_query", "derived"];

impl Frontend for PantherYaml {
    fn id(&self) -> &'static str {
        "panther_yaml"
    }
    fn cli_name(&self) -> &'static str {
        "panther"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["yml", "yaml"]
    }
    fn detect(&self, path: &Path, text: &str) -> bool {
        let ext_ok = match path.extension().and_then(|e| e.to_str()) {
            Some(e) => self.extensions().contains(&e),
            None => true, // stdin
        };
        ext_ok && text.lines().any(|l| l.starts_with("AnalysisType:") || l.starts_with("RuleID:"))
    }
    fn parse(&self, ctx: &mut ParseCtx<'_>, file: FileId) -> Vec<Parsed> {
        let Some(src) = ctx.sources.get(file) else {
            return vec![Parsed::failed(Diagnostics::new())];
        };
        let mut diags = Diagnostics::new();
        let root = match yaml_spanned::parse(&src.text, file) {
            Ok(Some(root)) if root.is_map() => root,
            Ok(other) => {
                let what = other.as_ref().map_or("empty", Yaml::type_name);
                let span = other.map(|y| y.span);
                diags.push(
                    Diagnostic::error(
                        Code::NotARule,
                        format!("a Panther rule is a YAML mapping, this is {what}"),
                    )
                    .with_span(span),
                );
                return vec![Parsed::failed(diags)];
            }
            Err(e) if e.too_deep => {
                diags.push(Diagnostic::error(Code::TooDeep, e.message).with_span(Some(e.span)));
                return vec![Parsed::failed(diags)];
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(Code::Syntax, format!("invalid YAML: {}", e.message))
                        .with_span(Some(e.span)),
                );
                return vec![Parsed::failed(diags)];
            }
        };
        let path = src.path.clone();
        let rule = parse_rule(&root, &path, ctx, &mut diags);
        vec![Parsed { rule, diags }]
    }
}

/// Build the rule from the YAML root mapping.
fn parse_rule(root: &Yaml, path: &Path, ctx: &mut ParseCtx<'_>, diags: &mut Diagnostics) -> Option<Rule> {
    let analysis = root.get("AnalysisType");
    let kind = analysis.and_then(Yaml::as_str).unwrap_or("");
    if NOT_RULES.contains(&kind) {
        let msg = format!("AnalysisType `{kind}` is not a detection rule");
        diags.push(Diagnostic::error(Code::NotARule, msg).with_span(analysis.map(|a| a.span)));
        return None;
    }
    let mut rule = Rule::default();
    rule.origin.platform = Some(Platform::Panther);
    rule.origin.format = "panther_yaml".into();
    rule.origin.path = path.to_path_buf();
    let threshold = meta::read_keys(root, &mut rule, diags);
    rule.query = detection_query(root, kind, &mut rule, ctx, diags);
    // Panther counts matching events per dedup key within the dedup period (60 minutes unless
    // the rule says), and alerts at `Threshold` (1 unless it says: every event alerts).
    if let Some(n) = threshold {
        let window = rule.meta.dedup_period.unwrap_or(Duration::from_minutes(60));
        rule.correlation = Some(Correlation::threshold(n, rule.meta.dedup_fields.clone(), Some(window)));
    }
    Some(rule)
}

/// The rule's detection: Simple Detection match expressions, or the Python logic seam.
fn detection_query(
    root: &Yaml,
    kind: &str,
    rule: &mut Rule,
    ctx: &mut ParseCtx<'_>,
    diags: &mut Diagnostics,
) -> Query {
    let analysis_span = root.get("AnalysisType").map(|a| a.span);
    if kind == "correlation_rule" || root.get("Detection").is_some_and(detection::is_correlation) {
        let span = root.get("Detection").map(|d| d.span).or(analysis_span);
        diags.push(
            Diagnostic::error(
                Code::Unsupported,
                "Panther correlation rules (Sequence/Group) are not supported yet",
            )
            .with_span(span),
        );
        return Query::unparsed("panther_correlation", "", span);
    }
    if kind == "scheduled_rule" {
        // Its rule(event) runs on the rows of a scheduled SQL query (often `return True`):
        // translating the Python alone would alert on every event.
        let span =
            root.entries().iter().find(|(k, _)| k.as_str() == Some("ScheduledQueries")).map(|(k, _)| k.span);
        let msg = "a scheduled rule's detection is its scheduled SQL query (ScheduledQueries), which is not converted yet";
        diags.push(Diagnostic::error(Code::Unsupported, msg).with_span(span.or(analysis_span)));
        return Query::unparsed("panther_scheduled_query", "", span);
    }
    let mut filters: Vec<Expr> = Vec::new();
    let mut failed = false;
    for key in ["Detection", "InlineFilters"] {
        let Some(node) = root.get(key) else { continue };
        match detection::lower_list(node, diags) {
            Some(e) if key == "InlineFilters" && detection::is_empty_all(node) => drop(e),
            // The YAML depth limit bounds this already; the passes' own limit is checked too.
            Some(e) => match crate::ir::too_deep(&e) {
                Some(d) => {
                    diags.push(d);
                    failed = true;
                }
                None => filters.push(e),
            },
            None => failed = true,
        }
    }
    if root.get("Detection").is_none() {
        return python_seam(root, rule, ctx, diags, analysis_span);
    }
    if failed {
        let span = root.get("Detection").map(|d| d.span);
        return Query::unparsed("panther_match_expression", "", span);
    }
    let expr = if filters.len() == 1 { filters.remove(0) } else { Expr::and(filters, None) };
    Query::filter(crate::passes::simplify(expr))
}

/// A rule whose logic is in Python: metadata and tests convert; `rule(event)` is translated
/// by `panther_python`, or reported with the construct that stopped it.
fn python_seam(
    root: &Yaml,
    rule: &mut Rule,
    ctx: &mut ParseCtx<'_>,
    diags: &mut Diagnostics,
    at: Option<Span>,
) -> Query {
    let Some(filename) = root.get("Filename") else {
        let msg = "the rule has neither `Detection:` match expressions nor a Python `Filename:`";
        diags.push(Diagnostic::error(Code::MissingKey, msg).with_span(at));
        return Query::unparsed("none", "", at);
    };
    let span = Some(filename.span);
    let py = filename.as_str().map(|name| rule.origin.path.parent().unwrap_or(Path::new("")).join(name));
    let text = py.as_ref().and_then(|p| std::fs::read_to_string(p).ok());
    let (Some(py), Some(text)) = (py, text) else {
        let msg = "Python rule logic: the file named by `Filename` cannot be read";
        diags.push(Diagnostic::error(Code::PythonLogic, msg).with_span(span));
        return Query::unparsed("python", "", span);
    };
    rule.origin.companions.push(py.clone());
    // `rule(event)` reads a PantherEvent, whose keys match case-insensitively.
    rule.logsource.case_insensitive_keys = true;
    let id = ctx.sources.add(crate::diag::SourceFile::new(&py, text.clone()));
    let log_types = rule.logsource.native_ids(Platform::Panther);
    let env =
        panther_python::PyEnv { log_types: &log_types, helpers_dir: ctx.options.helpers_dir.as_deref() };
    match panther_python::translate(ctx.sources, id, &env, rule, diags) {
        Some(expr) => Query::filter(expr),
        None => Query::unparsed("python", text, span),
    }
}
