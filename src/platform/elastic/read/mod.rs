//! Elastic detection rules: detection-rules TOML (`[metadata]` + `[rule]`) and Kibana's
//! rule export (NDJSON, one rule per line), with kuery queries.
//!
//! - `kuery`: kuery syntax (`crate::lang::kuery`) → IR with Elastic's semantics;
//! - `lucene`: the same for Lucene `query_string` queries (`crate::lang::lucene`);
//! - `envelope`: the rule's keys → IR metadata, schedule, threshold, filters and `extra`.

mod envelope;
pub(crate) mod kuery;
mod lucene;

use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::frontend::{Frontend, ParseCtx, Parsed};
use std::path::Path;

pub use crate::lang::SyntaxError;

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
        let rule = envelope::read(&json, &src.text, 0, file, &src.path, &mut diags);
        vec![Parsed { rule, diags }]
    }
}

/// Kibana's rule export: one JSON rule per line (a trailing export summary is skipped).
pub struct ElasticNdjson;

impl Frontend for ElasticNdjson {
    fn id(&self) -> &'static str {
        "elastic_ndjson"
    }
    fn cli_name(&self) -> &'static str {
        "kibana"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["ndjson"]
    }
    fn detect(&self, path: &Path, text: &str) -> bool {
        let ext_ok = path.extension().and_then(|e| e.to_str()).is_none_or(|e| e == "ndjson");
        ext_ok && text.trim_start().starts_with('{') && text.contains("\"rule_id\"")
    }
    fn parse(&self, ctx: &mut ParseCtx<'_>, file: FileId) -> Vec<Parsed> {
        let Some(src) = ctx.sources.get(file) else {
            return vec![Parsed::failed(Diagnostics::new())];
        };
        let mut out = Vec::new();
        let mut at = 0;
        for line in src.text.split_inclusive('\n') {
            let start = at;
            at += line.len();
            if line.trim().is_empty() {
                continue;
            }
            let mut diags = Diagnostics::new();
            let value: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(e) => {
                    let col = e.column().saturating_sub(1);
                    let span = Span::new(file, start + col, start + col + 1);
                    let msg = format!("invalid JSON: {e}");
                    diags.push(Diagnostic::error(Code::Syntax, msg).with_span(Some(span)));
                    out.push(Parsed::failed(diags));
                    continue;
                }
            };
            if value.get("exported_count").is_some() || value.get("exported_rules_count").is_some() {
                continue; // the export summary line
            }
            let doc = serde_json::json!({ "rule": value });
            let rule = envelope::read(&doc, line, start, file, &src.path, &mut diags);
            let rule = rule.map(|mut r| {
                r.origin.format = self.id().into();
                r
            });
            out.push(Parsed { rule, diags });
        }
        if out.is_empty() {
            let mut diags = Diagnostics::new();
            diags.push(Diagnostic::error(Code::NotARule, "no rules in this export"));
            out.push(Parsed::failed(diags));
        }
        out
    }
}

/// A file holding one query and nothing else (`.kuery`, `.lucene`, or stdin with `--from`).
pub struct BareQuery {
    /// Language name: id and CLI name.
    language: &'static str,
    extensions: &'static [&'static str],
    read: QueryReader,
}

pub static KUERY_QUERY: BareQuery =
    BareQuery { language: "kuery", extensions: &["kuery"], read: envelope::kuery_query };
pub static LUCENE_QUERY: BareQuery =
    BareQuery { language: "lucene", extensions: &["lucene"], read: envelope::lucene_query };

impl Frontend for BareQuery {
    fn id(&self) -> &'static str {
        self.language
    }
    fn cli_name(&self) -> &'static str {
        self.language
    }
    fn extensions(&self) -> &'static [&'static str] {
        self.extensions
    }
    fn detect(&self, path: &Path, _text: &str) -> bool {
        path.extension().and_then(|e| e.to_str()).is_some_and(|e| self.extensions.contains(&e))
    }
    fn parse(&self, ctx: &mut ParseCtx<'_>, file: FileId) -> Vec<Parsed> {
        bare_query(ctx, file, self.language, self.read)
    }
}

type QueryReader = fn(&str, usize, FileId, &mut Diagnostics) -> crate::ir::Query;

/// The rule of a bare query file is named after the file.
fn bare_query(ctx: &mut ParseCtx<'_>, file: FileId, id: &str, read: QueryReader) -> Vec<Parsed> {
    let Some(src) = ctx.sources.get(file) else {
        return vec![Parsed::failed(Diagnostics::new())];
    };
    let mut diags = Diagnostics::new();
    let mut rule = crate::ir::Rule::default();
    rule.origin.platform = Some(crate::ir::Platform::Elastic);
    rule.origin.format = id.into();
    rule.origin.path = src.path.clone();
    rule.meta.id = src.path.file_stem().and_then(|s| s.to_str()).unwrap_or("query").to_string();
    rule.meta.title = rule.meta.id.clone();
    rule.query = read(&src.text, 0, file, &mut diags);
    vec![Parsed { rule: Some(rule), diags }]
}
