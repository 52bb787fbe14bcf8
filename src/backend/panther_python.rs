//! Placeholder until the back-end lands.

use super::{Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Rule;

pub struct PantherPython;

impl Backend for PantherPython {
    fn id(&self) -> &'static str {
        "panther_python"
    }
    fn cli_name(&self) -> &'static str {
        "panther"
    }
    fn emit(&self, _rule: &Rule, _ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>> {
        diags.push(Diagnostic::error(Code::Unsupported, "this back-end is not implemented yet"));
        None
    }
}
