//! The IR evaluator: the executable definition of the IR's semantics.
//!
//! `eval_expr` decides one event; `run_tests` runs a rule's embedded tests through it.
//! See `crate::ir` for the semantics in prose; the unit tests below pin the edge cases.

pub mod analyzer;
mod matchers;

pub(crate) use matchers::truthy;

use crate::ir::{Elements, Expr, ExprKind, FieldPath, Predicate, Quantifier, Rule, Seg, StageKind};
use serde::Serialize;
use serde_json::Value as Json;
use std::borrow::Cow;

pub use matchers::{glob_match, python_dollar};

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError(pub String);

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Evaluate a rule's query against one event. Only filter-only queries are executable.
pub fn eval_rule(rule: &Rule, event: &Json) -> Result<bool, EvalError> {
    let (filter, rest) = rule.query.split_filter();
    if let Some(stage) = rest.first() {
        let what = match &stage.kind {
            StageKind::Unparsed { language, .. } => format!("untranslated {language} logic"),
            other => format!("a `{}` stage", StageKind::name(other)),
        };
        return Err(EvalError(format!("cannot evaluate {what}")));
    }
    let Some(e) = filter else { return Err(EvalError("the rule has no detection logic".into())) };
    if rule.logsource.case_insensitive_keys {
        let mut names = std::collections::BTreeSet::new();
        e.for_each_field(|f| key_names(f.path, &mut names));
        return eval_expr(&e, &with_folded_keys(event, &names));
    }
    eval_expr(&e, event)
}

fn key_names(path: &FieldPath, out: &mut std::collections::BTreeSet<String>) {
    for seg in &path.0 {
        if let Seg::Key(k) = seg {
            out.insert(k.clone());
        }
    }
}

/// `event` where each object also answers to every name in `names` that it lacks but holds
/// under another case (the first such key, as Panther's case-insensitive events do).
pub fn with_folded_keys(event: &Json, names: &std::collections::BTreeSet<String>) -> Json {
    match event {
        Json::Object(map) => {
            let mut out: serde_json::Map<String, Json> =
                map.iter().map(|(k, v)| (k.clone(), with_folded_keys(v, names))).collect();
            for name in names {
                if out.contains_key(name) {
                    continue;
                }
                let lower = name.to_lowercase();
                if let Some((_, v)) = map.iter().find(|(k, _)| k.to_lowercase() == lower) {
                    out.insert(name.clone(), with_folded_keys(v, names));
                }
            }
            Json::Object(out)
        }
        Json::Array(items) => Json::Array(items.iter().map(|v| with_folded_keys(v, names)).collect()),
        other => other.clone(),
    }
}

/// Evaluate one expression against one event.
pub fn eval_expr(expr: &Expr, event: &Json) -> Result<bool, EvalError> {
    Ok(match &expr.kind {
        ExprKind::And(xs) => {
            for x in xs {
                if !eval_expr(x, event)? {
                    return Ok(false);
                }
            }
            true
        }
        ExprKind::Or(xs) => {
            for x in xs {
                if eval_expr(x, event)? {
                    return Ok(true);
                }
            }
            false
        }
        ExprKind::Not(x) => !eval_expr(x, event)?,
        ExprKind::Const(b) => *b,
        ExprKind::Pred(p) => eval_pred(p, event)?,
        ExprKind::Keyword(k) => matchers::keyword_match(&k.pattern, k.case, event),
        ExprKind::Elements(el) => eval_elements(el, event)?,
    })
}

fn eval_elements(el: &Elements, event: &Json) -> Result<bool, EvalError> {
    let all = el.quantifier == Quantifier::All;
    let mut reached = Vec::new();
    reach(event, &el.path.0, &mut reached);
    for v in &reached {
        let items = match &**v {
            Json::Null => &[][..],
            Json::Array(items) => items.as_slice(),
            one => std::slice::from_ref(one),
        };
        for item in items {
            if eval_expr(&el.body, item)? != all {
                return Ok(!all);
            }
            // In order: an element that fails `until` ends the visit.
            if let Some(until) = &el.until {
                if !eval_expr(until, item)? {
                    return Ok(all);
                }
            }
        }
    }
    Ok(all)
}

/// Every value `segs` reaches from `value`, fanning out at `Each` (absent steps reach nothing).
fn reach<'a>(value: &'a Json, segs: &[Seg], out: &mut Vec<Cow<'a, Json>>) {
    let Some((seg, rest)) = segs.split_first() else {
        out.push(Cow::Borrowed(value));
        return;
    };
    match seg {
        Seg::Key(k) => {
            if let Some(v) = value.as_object().and_then(|o| o.get(k)) {
                reach(v, rest, out);
            }
        }
        Seg::Index(i) => {
            if let Some(v) = value.as_array().and_then(|a| index(a, *i)) {
                reach(v, rest, out);
            }
        }
        Seg::Each(_) => match value {
            Json::Array(items) => items.iter().for_each(|item| reach(item, rest, out)),
            Json::Null => {}
            other => reach(other, rest, out),
        },
        Seg::Glob(g) => {
            let mut found = Vec::new();
            named_leaves(value, g, &mut String::new(), &mut found);
            found.into_iter().for_each(|v| reach(v, rest, out));
        }
        Seg::Json => {
            if let Some(parsed) = parsed_json(value) {
                let mut inner = Vec::new();
                reach(&parsed, rest, &mut inner);
                out.extend(inner.into_iter().map(|v| Cow::Owned(v.into_owned())));
            }
        }
    }
}

/// The document a string of JSON holds (`None` for anything else).
fn parsed_json(value: &Json) -> Option<Json> {
    serde_json::from_str(value.as_str()?).ok()
}

/// The leaf values under `value` whose dotted name matches the glob `pattern` (arrays are
/// transparent: their items share the array's name).
fn named_leaves<'a>(value: &'a Json, pattern: &str, name: &mut String, out: &mut Vec<&'a Json>) {
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                let len = name.len();
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(k);
                named_leaves(v, pattern, name, out);
                name.truncate(len);
            }
        }
        Json::Array(items) => items.iter().for_each(|item| named_leaves(item, pattern, name, out)),
        leaf => {
            if !name.is_empty() && crate::ir::glob_matches(pattern, name) {
                out.push(leaf);
            }
        }
    }
}

fn eval_pred(p: &Predicate, event: &Json) -> Result<bool, EvalError> {
    // A column or computed operand is not an event field: never read it as one.
    if !p.root.is_event() {
        return Err(EvalError(format!("cannot evaluate a test of a computed value (`{}`)", p.field)));
    }
    at_path(event, &p.field.0, &mut |v| matchers::test_value(p, v, event))
}

/// Resolve `segs` from `value` and apply `f` to what is there (`None` when absent).
/// `Each` fans out over array elements with its quantifier; a scalar counts as one element.
fn at_path(
    value: &Json,
    segs: &[Seg],
    f: &mut dyn FnMut(Option<&Json>) -> Result<bool, EvalError>,
) -> Result<bool, EvalError> {
    let Some((seg, rest)) = segs.split_first() else {
        return f(Some(value));
    };
    match seg {
        Seg::Key(k) => match value.as_object().and_then(|o| o.get(k)) {
            Some(v) => at_path(v, rest, f),
            None => f(None),
        },
        Seg::Index(i) => match value.as_array().and_then(|a| index(a, *i)) {
            Some(v) => at_path(v, rest, f),
            None => f(None),
        },
        Seg::Each(q) => match value {
            Json::Array(items) => {
                for item in items {
                    let hit = at_path(item, rest, f)?;
                    match q {
                        Quantifier::Any if hit => return Ok(true),
                        Quantifier::All if !hit => return Ok(false),
                        _ => {}
                    }
                }
                Ok(*q == Quantifier::All)
            }
            Json::Null => f(None),
            other => at_path(other, rest, f),
        },
        Seg::Json => match parsed_json(value) {
            Some(parsed) => at_path(&parsed, rest, f),
            None => f(None),
        },
        Seg::Glob(g) => {
            let mut found = Vec::new();
            named_leaves(value, g, &mut String::new(), &mut found);
            if found.is_empty() {
                return f(None);
            }
            for v in found {
                if at_path(v, rest, f)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

fn index(a: &[Json], i: i64) -> Option<&Json> {
    let n = a.len() as i64;
    let j = if i < 0 { n + i } else { i };
    if (0..n).contains(&j) {
        a.get(j as usize)
    } else {
        None
    }
}

/// Resolve a path to a single value (no fan-out), for field-to-field comparisons.
pub fn lookup<'a>(event: &'a Json, path: &FieldPath) -> Option<&'a Json> {
    let mut cur = event;
    for seg in &path.0 {
        cur = match seg {
            Seg::Key(k) => cur.as_object()?.get(k)?,
            Seg::Index(i) => index(cur.as_array()?, *i)?,
            Seg::Each(_) | Seg::Glob(_) | Seg::Json => return None,
        };
    }
    Some(cur)
}

/// Verdict of one embedded test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestOutcome {
    pub name: String,
    pub expected: bool,
    /// `None` when the test could not be evaluated (see `error`).
    pub actual: Option<bool>,
    pub pass: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn stream_unsupported() -> EvalError {
    EvalError("a test over a stream of events needs the correlation evaluator, which is not built yet".into())
}

/// Run every embedded test of a rule through the IR.
pub fn run_tests(rule: &Rule) -> Vec<TestOutcome> {
    rule.tests
        .iter()
        .map(|t| match t.log().ok_or_else(stream_unsupported).and_then(|log| eval_rule(rule, log)) {
            Ok(actual) => TestOutcome {
                name: t.name.clone(),
                expected: t.expected,
                actual: Some(actual),
                pass: actual == t.expected,
                error: None,
            },
            Err(e) => TestOutcome {
                name: t.name.clone(),
                expected: t.expected,
                actual: None,
                pass: false,
                error: Some(e.0),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests;
