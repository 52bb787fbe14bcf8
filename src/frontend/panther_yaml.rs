//! Panther rule YAML (metadata, Tests, Simple Detection `Detection:`). Placeholder until
//! the front-end lands.

use super::{Frontend, ParseCtx, Parsed};
use crate::diag::{Code, Diagnostic, Diagnostics, FileId};
use std::path::Path;

pub struct PantherYaml;

impl Frontend for PantherYaml {
    fn id(&self) -> &'static str {
        "panther_yaml"
    }
    fn cli_name(&self) -> &'static str {
        "panther"
    }
    fn detect(&self, path: &Path, text: &str) -> bool {
        matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
            && text.lines().any(|l| l.starts_with("AnalysisType:"))
    }
    fn parse(&self, _ctx: &mut ParseCtx<'_>, _file: FileId) -> Vec<Parsed> {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error(Code::Unsupported, "the Panther front-end is not implemented yet"));
        vec![Parsed::failed(d)]
    }
}
