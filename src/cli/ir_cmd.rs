//! `ruleport ir`: show what a front-end made of a rule.

use super::inputs::{expand_or_report, read_and_parse};
use super::report::{eprint_diags, report_diags};
use super::{exit, Format, ReadArgs};
use crate::diag::Sources;
use crate::ir::pretty::render_rule;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct IrArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// A rule file, or `-` for stdin.
    #[arg(value_name = "INPUT")]
    input: PathBuf,
    /// `text`: a readable tree and predicate table; `json`: the IR itself.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub(crate) fn run(args: IrArgs) -> i32 {
    let from = args.read.frontend();
    let Some(inputs) = expand_or_report(std::slice::from_ref(&args.input), from) else {
        return exit::USAGE;
    };
    let options = args.read.options();
    let mut sources = Sources::new();
    let mut json = Vec::new();
    let mut errors = false;
    for input in &inputs {
        let read = read_and_parse(input, from, &options, &mut sources);
        if read.io_error {
            eprint_diags(&read.parsed[0].diags, &sources, &read.shown);
            return exit::USAGE;
        }
        for p in read.parsed {
            errors |= p.diags.has_errors();
            match args.format {
                Format::Text => {
                    if let Some(rule) = &p.rule {
                        print!("{}", render_rule(rule));
                    }
                    eprint_diags(&p.diags, &sources, &read.shown);
                }
                Format::Json => json.push(serde_json::json!({
                    "input": read.shown,
                    "rule": p.rule,
                    "diagnostics": report_diags(&p.diags, &sources),
                })),
            }
        }
    }
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
    }
    if errors {
        exit::RULE_ERRORS
    } else {
        exit::OK
    }
}
