//! Panther Python rules: `rule(event)` translated into the IR.
//!
//! The `.py` is parsed with ruff's Python parser (a real grammar, with byte ranges that become
//! spans into the `.py`), then `translate` follows `rule`'s statements symbolically:
//! early-return `if` chains, local assignments, module constants, and helper functions from
//! the module or from Panther's global helpers (inlined when they are pure field tests).
//! Whatever it cannot translate exactly is an error naming the construct, never a guess.
//!
//! - `env`: the module's functions and constants, global helpers, data models (`event.udm`);
//! - `translate`: statements and expressions → IR;
//! - `field`: field reads with their defaults → exact predicates.

mod env;
mod field;
mod nesting;
mod translate;

use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Sources};
use crate::ir::{Expr, FieldPath, Rule};
use std::path::Path;

/// What the translation of a rule needs besides its own `.py`.
pub(crate) struct PyEnv<'a> {
    /// The rule's LogTypes (they select the data model for `event.udm`).
    pub log_types: &'a [String],
    /// Global helpers directory (`--helpers`); `None` = the nearest `global_helpers/` above.
    pub helpers_dir: Option<&'a Path>,
}

/// Translate `rule(event)` of the registered `.py` source (an error naming the construct when
/// it cannot be translated exactly), and carry the simple metadata functions into `rule`.
pub(crate) fn translate(
    sources: &mut Sources,
    py_file: FileId,
    env: &PyEnv<'_>,
    rule: &mut Rule,
    diags: &mut Diagnostics,
) -> Option<Expr> {
    let module = env::Module::load(sources, py_file, env, diags)?;
    let detection = match module.function("rule") {
        Some(f) if !module.udm_groups.is_empty() => per_data_model(&module, py_file, f, diags),
        Some(f) => translate::Translator::new(&module, py_file, diags).rule(f).map(crate::passes::simplify),
        None => None,
    };
    let mut t = translate::Translator::new(&module, py_file, diags);
    let detection = match module.function("rule") {
        Some(_) => detection,
        None => {
            let msg = "the Python file defines no `rule(event)` function";
            t.diags().push(Diagnostic::error(Code::PythonLogic, msg));
            None
        }
    };
    for name in ["title", "dedup", "severity", "runbook", "alert_context"] {
        let Some(f) = module.function(name) else { continue };
        let value = t.simple_value(&f);
        if !apply(name, value, rule) {
            let text =
                sources.get(f.file).and_then(|s| s.text.get(def_range(&f))).unwrap_or_default().to_string();
            rule.keep_extra(
                crate::ir::Platform::Panther,
                format!("python.{name}"),
                serde_json::Value::String(text),
            );
            let msg = format!(
                "`{name}()` is kept as Python text in `extra`: it is not a constant, a field or an f-string over fields"
            );
            t.diags().push(
                Diagnostic::note(Code::PythonLogic, msg).with_span(Some(env::span_of(f.file, &f.def.name))),
            );
        }
    }
    detection
}

/// `rule(event)` when the rule's log types have different data models: Panther resolves
/// `event.udm` by the event's `p_log_type`, so the rule is translated once per model and each
/// translation holds for its log types. One translation when they all come out the same.
fn per_data_model(
    module: &env::Module,
    py_file: FileId,
    f: env::Func,
    diags: &mut Diagnostics,
) -> Option<Expr> {
    use crate::ir::{Case, Op, Predicate, Value};
    let mut parts = Vec::new();
    for (types, mappings) in &module.udm_groups {
        let mut m = module.clone();
        m.udm = mappings.clone();
        let mut own = Diagnostics::new();
        let e =
            translate::Translator::new(&m, py_file, &mut own).rule(f.clone()).map(crate::passes::simplify);
        let Some(e) = e else {
            diags.extend(own);
            return None;
        };
        if parts.is_empty() {
            diags.extend(own);
        }
        parts.push((types.clone(), e));
    }
    let first = parts[0].1.without_spans();
    if parts.iter().all(|(_, e)| e.without_spans() == first) {
        return Some(parts.remove(0).1);
    }
    let alts = parts
        .into_iter()
        .map(|(types, e)| {
            let values = types.into_iter().map(Value::Str).collect();
            let which = Expr::pred(
                Predicate::new(FieldPath::key("p_log_type"), Op::Eq, values, Case::Sensitive),
                None,
            );
            Expr::and(vec![which, e], None)
        })
        .collect();
    Some(crate::passes::simplify(Expr::or(alts, None)))
}

fn def_range(f: &env::Func) -> std::ops::Range<usize> {
    use ruff_text_size::Ranged;
    let r = f.def.range();
    r.start().to_usize()..r.end().to_usize()
}

/// Put a simple metadata value where the IR keeps it; false when it has no place.
fn apply(name: &str, value: Option<translate::Simple>, rule: &mut Rule) -> bool {
    use translate::Simple::{Field, Template, Text};
    let m = &mut rule.meta;
    match (name, value) {
        ("title", Some(Text(t) | Template(t))) => m.alert_title = Some(t),
        ("title", Some(Field(p))) => m.alert_title = Some(format!("{{{p}}}")),
        ("dedup", Some(Field(p))) => m.dedup_fields.push(p),
        ("runbook", Some(Text(t))) => m.runbook = Some(t),
        ("severity", Some(Text(t))) => match crate::ir::Level::parse(&t) {
            Some(level) => m.level = Some(crate::ir::LevelInfo { level, source: t }),
            None => return false,
        },
        _ => return false,
    }
    true
}

/// A data-model path (`$.a.b` or `a.b`) as a field path; `None` for JSONPath beyond keys.
pub(crate) fn data_model_path(path: &str) -> Option<FieldPath> {
    let p = path.strip_prefix("$.").unwrap_or(path);
    if p.is_empty() || p.contains(['[', '*', '?', '(', '@', ' ']) {
        return None;
    }
    Some(FieldPath::keys(p.split('.')))
}
