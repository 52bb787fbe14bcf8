//! `ruleport test`: run each rule's embedded tests through the IR.

use super::inputs::{expand_or_report, read_and_parse};
use super::report::eprint_diags;
use super::{exit, Format, ReadArgs};
use crate::diag::Sources;
use crate::eval::{self, TestOutcome};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// Rule files, directories (walked recursively), or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "lowercase")]
enum RuleStatus {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Serialize)]
struct RuleResult {
    input: String,
    rule_id: Option<String>,
    status: RuleStatus,
    tests: Vec<TestOutcome>,
}

pub(crate) fn run(args: TestArgs) -> i32 {
    let from = args.read.frontend();
    let Some(inputs) = expand_or_report(&args.inputs, from) else {
        return exit::USAGE;
    };
    let options = args.read.options();
    let mut sources = Sources::new();
    let mut results = Vec::new();
    let mut io_failed = false;
    for input in &inputs {
        let read = read_and_parse(input, from, &options, &mut sources);
        io_failed |= read.io_error;
        for p in read.parsed {
            let tests = p.rule.as_ref().map(eval::run_tests).unwrap_or_default();
            // A rule whose logic was not translated cannot be tested: that is an error, not a pass.
            let status =
                if p.rule.is_none() || p.diags.has_errors() || tests.iter().any(|t| t.error.is_some()) {
                    RuleStatus::Error
                } else if tests.iter().all(|t| t.pass) {
                    RuleStatus::Pass
                } else {
                    RuleStatus::Fail
                };
            if matches!(status, RuleStatus::Error) && args.format == Format::Text {
                eprint_diags(&p.diags, &sources, &read.shown);
            }
            let rule_id = p.rule.as_ref().map(|r| r.meta.id.clone()).filter(|s| !s.is_empty());
            results.push(RuleResult { input: read.shown.clone(), rule_id, status, tests });
        }
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&results).unwrap_or_default()),
        Format::Text => print_text(&results),
    }
    if io_failed {
        exit::USAGE
    } else if results.iter().all(|r| matches!(r.status, RuleStatus::Pass)) {
        exit::OK
    } else {
        exit::RULE_ERRORS
    }
}

fn verdict(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "-",
    }
}

fn print_text(results: &[RuleResult]) {
    let (mut tests, mut failed) = (0, 0);
    for r in results {
        let label = match r.status {
            RuleStatus::Pass => "PASS",
            RuleStatus::Fail => "FAIL",
            RuleStatus::Error => "ERROR",
        };
        println!("{label} {} ({})", r.rule_id.as_deref().unwrap_or("?"), r.input);
        for t in &r.tests {
            tests += 1;
            failed += usize::from(!t.pass);
            let mark = if t.pass { "ok  " } else { "FAIL" };
            print!("  {mark} {}: expected {}, got {}", t.name, t.expected, verdict(t.actual));
            match &t.error {
                Some(e) => println!(" ({e})"),
                None => println!(),
            }
        }
    }
    let bad = results.iter().filter(|r| !matches!(r.status, RuleStatus::Pass)).count();
    println!("{} rules ({} not passing), {tests} tests, {failed} failed", results.len(), bad);
}
