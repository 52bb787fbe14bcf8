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
mod translate;

use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Sources};
use crate::ir::{Expr, FieldPath};
use std::path::Path;

/// What the translation of a rule needs besides its own `.py`.
pub(crate) struct PyEnv<'a> {
    /// The rule's LogTypes (they select the data model for `event.udm`).
    pub log_types: &'a [String],
    /// Global helpers directory (`--helpers`); `None` = the nearest `global_helpers/` above.
    pub helpers_dir: Option<&'a Path>,
}

/// Translate `rule(event)` of the registered `.py` source. `None` (with an error naming the
/// construct) when it cannot be translated exactly.
pub(crate) fn translate(
    sources: &mut Sources,
    py_file: FileId,
    env: &PyEnv<'_>,
    diags: &mut Diagnostics,
) -> Option<Expr> {
    let module = env::Module::load(sources, py_file, env, diags)?;
    let Some(rule) = module.function("rule") else {
        diags.push(Diagnostic::error(Code::PythonLogic, "the Python file defines no `rule(event)` function"));
        return None;
    };
    let mut t = translate::Translator::new(&module, py_file, diags);
    let expr = t.rule(rule)?;
    Some(crate::ir::simplify(expr))
}

/// A data-model path (`$.a.b` or `a.b`) as a field path; `None` for JSONPath beyond keys.
pub(crate) fn data_model_path(path: &str) -> Option<FieldPath> {
    let p = path.strip_prefix("$.").unwrap_or(path);
    if p.is_empty() || p.contains(['[', '*', '?', '(', '@', ' ']) {
        return None;
    }
    Some(FieldPath::keys(p.split('.')))
}
