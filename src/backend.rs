//! Back-ends: IR rule → target files. Each builds a target value, then prints it, with
//! escaping in one place per target.

//! The only code besides `crate::frontend` that lists the platforms.

use crate::diag::Diagnostics;
use crate::ir::Rule;
use crate::platform::{elastic, panther, sigma};

/// One emitted file: the output path is the input's stem plus `suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Appended to the stem, e.g. `.yml`, `.py`, `.json`.
    pub suffix: String,
    pub content: String,
}

/// What a back-end knows about where its output goes.
#[derive(Debug, Clone)]
pub struct EmitCtx {
    /// File stem the outputs will be written under (`wiz_revoke_user_sessions`).
    pub stem: String,
}

pub trait Backend: Sync {
    /// Platform id: snake_case, also the snapshot suffix.
    fn id(&self) -> &'static str;
    /// Name on the command line (`--to`).
    fn cli_name(&self) -> &'static str;
    /// Emit the rule. `None` (with an error diagnostic) when no faithful output exists;
    /// lossy output comes with `lossy` diagnostics saying what changed.
    fn emit(&self, rule: &Rule, ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>>;
}

pub static ALL: &[&dyn Backend] = &[
    &sigma::emit::Sigma,
    &elastic::emit::dsl::ElasticDsl,
    &panther::emit::PantherPython,
    &elastic::emit::kuery::KUERY,
    &elastic::emit::lucene::LUCENE,
    &elastic::emit::rule::ElasticRule,
];

/// A serializer's result; its failure becomes an error naming what could not be written and
/// why, rather than output that silently goes missing.
pub(crate) fn written<T, E: std::fmt::Display>(
    result: Result<T, E>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = format!("could not write the {what}: {e}");
            diags.push(crate::diag::Diagnostic::error(crate::diag::Code::Inexpressible, msg));
            None
        }
    }
}

pub fn by_name(name: &str) -> Option<&'static dyn Backend> {
    ALL.iter().copied().find(|b| b.cli_name() == name || b.id() == name)
}
