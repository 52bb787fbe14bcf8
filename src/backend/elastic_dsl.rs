//! Placeholder until the back-end lands.

use super::{Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Rule;

pub struct ElasticDsl;

impl Backend for ElasticDsl {
    fn id(&self) -> &'static str {
        "elastic_dsl"
    }
    fn cli_name(&self) -> &'static str {
        "es-dsl"
    }
    fn emit(&self, _rule: &Rule, _ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>> {
        diags.push(Diagnostic::error(Code::Unsupported, "this back-end is not implemented yet"));
        None
    }
}
