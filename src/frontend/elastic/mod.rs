//! Elastic detection rules: detection-rules TOML (`[metadata]` + `[rule]`) and Kibana's
//! rule export (NDJSON, one rule per line), with kuery queries.
//!
//! - `kuery_syntax`: Kibana's kuery grammar (nom) and a canonical printer;
//! - `kuery`: kuery syntax → IR with Elastic's semantics;
//! - `envelope`: the rule's keys → IR metadata, schedule, threshold, filters and `extra`.

mod envelope;
pub(crate) mod kuery;
pub(crate) mod kuery_syntax;

use super::{Frontend, ParseCtx, Parsed};
use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Span};
use std::path::Path;

/// detection-rules TOML.
pub struct ElasticToml;

impl Frontend for ElasticToml {
    fn id(&self) -> &'static str {
        "elastic_toml"
    }
    fn cli_name(&self) -> &'static str {
        "elastic"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["toml"]
    }
    fn detect(&self, path: &Path, text: &str) -> bool {
        let ext_ok = path.extension().and_then(|e| e.to_str()).is_none_or(|e| e == "toml");
        ext_ok && text.lines().any(|l| l.trim() == "[rule]")
    }
    fn parse(&self, ctx: &mut ParseCtx<'_>, file: FileId) -> Vec<Parsed> {
        let Some(src) = ctx.sources.get(file) else {
            return vec![Parsed::failed(Diagnostics::new())];
        };
        let mut diags = Diagnostics::new();
        let table: toml::Table = match src.text.parse() {
            Ok(t) => t,
            Err(e) => {
                let span = e.span().map(|r| Span::new(file, r.start, r.end));
                let msg = format!("invalid TOML: {}", e.message());
                diags.push(Diagnostic::error(Code::Syntax, msg).with_span(span));
                return vec![Parsed::failed(diags)];
            }
        };
        let json = serde_json::to_value(&table).unwrap_or_default();
        let rule = envelope::read(&json, &src.text, file, &src.path, &mut diags);
        vec![Parsed { rule, diags }]
    }
}

/// A bare kuery query (`.kuery` file or stdin with `--from kuery`).
pub struct KueryQuery;

impl Frontend for KueryQuery {
    fn id(&self) -> &'static str {
        "kuery"
    }
    fn cli_name(&self) -> &'static str {
        "kuery"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["kuery"]
    }
    fn detect(&self, path: &Path, _text: &str) -> bool {
        path.extension().and_then(|e| e.to_str()) == Some("kuery")
    }
    fn parse(&self, ctx: &mut ParseCtx<'_>, file: FileId) -> Vec<Parsed> {
        let Some(src) = ctx.sources.get(file) else {
            return vec![Parsed::failed(Diagnostics::new())];
        };
        let mut diags = Diagnostics::new();
        let mut rule = crate::ir::Rule::default();
        rule.origin.frontend = self.id().into();
        rule.origin.path = src.path.clone();
        rule.meta.id = src.path.file_stem().and_then(|s| s.to_str()).unwrap_or("query").to_string();
        rule.meta.title = rule.meta.id.clone();
        rule.query = envelope::kuery_query(&src.text, 0, file, &mut diags);
        vec![Parsed { rule: Some(rule), diags }]
    }
}
