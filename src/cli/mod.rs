//! The `ruleport` command line: argument parsing and exit codes. Each command lives in
//! its own module; this one only dispatches.

mod convert;
mod inputs;
mod ir_cmd;
mod report;
mod test_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit codes (stable; scripts rely on them).
pub mod exit {
    /// Every rule converted (or every test passed).
    pub const OK: i32 = 0;
    /// A rule had errors, a test failed, or (with --strict) a conversion was lossy.
    pub const RULE_ERRORS: i32 = 1;
    /// Bad usage or an I/O failure (unreadable input, unwritable output).
    pub const USAGE: i32 = 2;
}

const AFTER_HELP: &str = "\
Exit codes: 0 all ok; 1 a rule had errors or a test failed (or a lossy conversion with --strict);
2 usage or I/O error.

Examples:
  ruleport convert --to sigma fixtures/panther/wiz_revoke_user_sessions.yml
  ruleport convert --to panther rules/ -o out/ --report report.json
  cat rule.yml | ruleport convert --to es-dsl -
  ruleport test fixtures/panther/
  ruleport ir --format json fixtures/panther/github_repo_archived.yml";

/// Convert security detection rules between platforms through one detection IR.
#[derive(Debug, Parser)]
#[command(name = "ruleport", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convert rules to another platform.
    Convert(convert::ConvertArgs),
    /// Run each rule's embedded tests through the IR and report the verdicts.
    Test(test_cmd::TestArgs),
    /// Show the IR of a rule: a readable table, or JSON.
    Ir(ir_cmd::IrArgs),
}

/// Options shared by every command that reads rules.
#[derive(Debug, clap::Args)]
struct ReadArgs {
    /// Input format; `auto` picks the front-end that recognises each file.
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = frontend_names())]
    from: String,
    /// Directory of Panther global helpers (default: a `global_helpers/` beside or above the rule).
    #[arg(long, value_name = "DIR")]
    helpers: Option<PathBuf>,
}

fn frontend_names() -> clap::builder::PossibleValuesParser {
    let mut names = vec!["auto"];
    names.extend(crate::frontend::ALL.iter().map(|f| f.cli_name()));
    names.dedup();
    clap::builder::PossibleValuesParser::new(names)
}

fn backend_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::backend::ALL.iter().map(|b| b.cli_name()))
}

impl ReadArgs {
    fn frontend(&self) -> Option<&'static dyn crate::frontend::Frontend> {
        match self.from.as_str() {
            "auto" => None,
            name => crate::frontend::by_name(name),
        }
    }
    fn options(&self) -> crate::frontend::Options {
        crate::frontend::Options { helpers_dir: self.helpers.clone() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The stack of every thread that reads or converts rules (the command's thread and the
/// conversion workers). The readers' depth limits (`ir::MAX_DEPTH`, the Python and YAML
/// nesting limits) keep recursion well inside it; the platform defaults (8 MiB main, 2 MiB
/// spawned) would leave little margin in debug builds.
pub(crate) const STACK_SIZE: usize = 64 * 1024 * 1024;

/// Parse arguments, run the command, and return the process exit code. The command runs on
/// a thread with a [`STACK_SIZE`] stack.
pub fn run() -> i32 {
    match std::thread::Builder::new().stack_size(STACK_SIZE).spawn(run_here) {
        // A panic is a bug, not a usage error: let it end the process as it would have.
        Ok(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(_) => run_here(),
    }
}

fn run_here() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => exit::OK,
                _ => exit::USAGE,
            };
        }
    };
    match cli.command {
        Command::Convert(args) => convert::run(args),
        Command::Test(args) => test_cmd::run(args),
        Command::Ir(args) => ir_cmd::run(args),
    }
}
