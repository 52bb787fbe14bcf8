//! The library API: chains front-end → IR → back-end for one input, and runs tests.
//! Nothing here knows a platform by name; everything comes from the registries.

use crate::backend::{Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Severity, SourceFile, Sources};
use crate::eval::{self, TestOutcome};
use crate::frontend::{self, Frontend, Options, ParseCtx, Parsed};
use crate::ir::Rule;
use serde::Serialize;
use std::path::Path;

/// Outcome class of one rule, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Lossy,
    Error,
}

impl Status {
    /// Status implied by diagnostics; `strict` turns lossy into error.
    pub fn of(diags: &Diagnostics, strict: bool) -> Status {
        match diags.worst() {
            Some(Severity::Error) => Status::Error,
            Some(Severity::Lossy) if strict => Status::Error,
            Some(Severity::Lossy) => Status::Lossy,
            _ => Status::Ok,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Lossy => "lossy",
            Status::Error => "error",
        }
    }
}

/// Register `text` as a source and parse it with `from` (or the front-end that detects it).
/// Always returns at least one entry: a file nobody can read yields one failed `Parsed`.
pub fn parse_source(
    sources: &mut Sources,
    options: &Options,
    from: Option<&dyn Frontend>,
    path: &Path,
    text: String,
) -> (FileId, Vec<Parsed>) {
    let frontend = from.or_else(|| frontend::detect(path, &text));
    let id = sources.add(SourceFile::new(path, text));
    let Some(frontend) = frontend else {
        let mut d = Diagnostics::new();
        let names: Vec<_> = frontend::ALL.iter().map(|f| f.cli_name()).collect();
        d.push(
            Diagnostic::error(Code::NotARule, "no front-end recognises this input as a rule")
                .with_help(format!("name the format with --from ({})", names.join(", "))),
        );
        return (id, vec![Parsed::failed(d)]);
    };
    let mut ctx = ParseCtx { sources, options };
    let mut parsed = frontend.parse(&mut ctx, id);
    if parsed.is_empty() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error(Code::NotARule, "the input contains no rule"));
        parsed.push(Parsed::failed(d));
    }
    (id, parsed)
}

/// Run a rule's embedded tests through its IR. A test that fails or cannot be evaluated
/// adds a `tests-disagree` error: a conversion whose own tests fail is never `ok`.
pub fn self_check(rule: &Rule, diags: &mut Diagnostics) -> Vec<TestOutcome> {
    let outcomes = eval::run_tests(rule);
    // When the logic itself was not translated, the front-end's error already says why.
    if diags.has_errors() {
        return outcomes;
    }
    for (t, case) in outcomes.iter().zip(&rule.tests) {
        if t.pass {
            continue;
        }
        let msg = match (&t.actual, &t.error) {
            (_, Some(err)) => format!("test `{}` could not be evaluated: {err}", t.name),
            (Some(actual), None) => {
                format!("test `{}` expects {} but the converted rule says {}", t.name, t.expected, actual)
            }
            (None, None) => format!("test `{}` gave no verdict", t.name),
        };
        diags.push(Diagnostic::error(Code::TestsDisagree, msg).with_span(case.span));
    }
    outcomes
}

/// Emit one rule with one back-end. Adds the back-end's diagnostics to `diags`.
/// A rule that already has errors is not emitted: the earlier error says why.
pub fn emit(rule: &Rule, backend: &dyn Backend, stem: &str, diags: &mut Diagnostics) -> Vec<OutputFile> {
    if diags.has_errors() {
        return Vec::new();
    }
    let ctx = EmitCtx { stem: stem.to_string() };
    let mut local = Diagnostics::new();
    let out = backend.emit(rule, &ctx, &mut local);
    if out.is_none() && !local.has_errors() {
        local.push(Diagnostic::error(
            Code::Inexpressible,
            format!("{} produced no output", backend.cli_name()),
        ));
    }
    diags.extend(local);
    out.unwrap_or_default()
}

/// The output stem for rule `index` of `count` read from `path`: the file stem, plus the
/// rule id when one file holds several rules.
pub fn output_stem(path: &Path, rule: Option<&Rule>, index: usize, count: usize) -> String {
    let base = path.file_stem().and_then(|s| s.to_str()).filter(|s| !s.is_empty() && *s != "-");
    let base = base.unwrap_or("stdin").to_string();
    if count <= 1 {
        return base;
    }
    let id = rule.map(|r| heck::AsSnakeCase(&r.meta.id).to_string()).filter(|s| !s.is_empty());
    match id {
        Some(id) => format!("{base}_{id}"),
        None => format!("{base}_{index}"),
    }
}
