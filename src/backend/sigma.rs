//! Placeholder until the back-end lands.

use super::{Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Rule;

pub struct Sigma;

impl Backend for Sigma {
    fn id(&self) -> &'static str {
        "sigma"
    }
    fn cli_name(&self) -> &'static str {
        "sigma"
    }
    fn emit(&self, _rule: &Rule, _ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>> {
        diags.push(Diagnostic::error(Code::Unsupported, "this back-end is not implemented yet"));
        None
    }
}
