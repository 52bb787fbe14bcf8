//! `ruleport convert`: rules in, another platform's rules out, one report entry per rule.

use super::inputs::{expand_or_report, read_and_parse, write_atomic, Input};
use super::report::{report_diags, Progress, ReportDiag, Summary};
use super::{backend_names, exit, ReadArgs};
use crate::backend::{Backend, OutputFile};
use crate::diag::{render_all, Code, Diagnostic, Diagnostics, Sources};
use crate::driver::{self, Status};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub(crate) struct ConvertArgs {
    /// Target format.
    #[arg(long, value_name = "FORMAT", value_parser = backend_names())]
    to: String,
    #[command(flatten)]
    read: ReadArgs,
    /// Rule files, directories (walked recursively), or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Write outputs under DIR, mirroring the layout of directory inputs.
    /// Without it, a single input file is converted to stdout.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Write a JSON report with one entry per input rule, failed ones included.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Treat lossy conversions as errors (no output written, exit code 1).
    #[arg(long)]
    strict: bool,
    /// Do not print diagnostics on stderr.
    #[arg(short, long)]
    quiet: bool,
}

/// One report entry.
#[derive(Debug, Serialize)]
struct Entry {
    input: String,
    rule_id: Option<String>,
    status: Status,
    diagnostics: Vec<ReportDiag>,
    outputs: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    results: Vec<Entry>,
    summary: Summary,
}

pub(crate) fn run(args: ConvertArgs) -> i32 {
    let Some(backend) = crate::backend::by_name(&args.to) else {
        eprintln!("ruleport: unknown target `{}`", args.to);
        return exit::USAGE;
    };
    let from = args.read.frontend();
    let Some(inputs) = expand_or_report(&args.inputs, from) else {
        return exit::USAGE;
    };
    let to_stdout = args.out_dir.is_none();
    if to_stdout && (inputs.len() != 1 || args.inputs.iter().any(|p| p.is_dir())) {
        eprintln!("ruleport: converting {} inputs needs an output directory: add -o DIR", inputs.len());
        return exit::USAGE;
    }
    let options = args.read.options();
    let mut report = Report { results: Vec::new(), summary: Summary::default() };
    let mut io_failed = false;
    let progress = Progress::new(inputs.len());
    let job = Job { args: &args, backend, from, options: &options };
    // Inputs convert in parallel; results, diagnostics and the report keep input order.
    for_each_in_order(
        &inputs,
        |input| job.convert(input),
        |n, done| {
            if !args.quiet {
                eprint!("{}", done.stderr);
            }
            io_failed |= done.io_failed;
            for e in done.entries {
                report.summary.add(e.status);
                report.results.push(e);
            }
            progress.tick(n + 1);
        },
    );
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).unwrap_or_default() + "\n";
        if let Err(e) = write_atomic(path, json.as_bytes()) {
            eprintln!("ruleport: cannot write report {}: {e}", path.display());
            io_failed = true;
        }
    }
    if !args.quiet && inputs.len() > 1 {
        let s = &report.summary;
        eprintln!("ruleport: {} rules: {} ok, {} lossy, {} error", s.total, s.ok, s.lossy, s.error);
    }
    if io_failed {
        exit::USAGE
    } else if report.summary.error > 0 {
        exit::RULE_ERRORS
    } else {
        exit::OK
    }
}

/// What converting one input needs.
struct Job<'a> {
    args: &'a ConvertArgs,
    backend: &'a dyn Backend,
    from: Option<&'a dyn crate::frontend::Frontend>,
    options: &'a crate::frontend::Options,
}

/// One input's result: its report entries and its rendered diagnostics.
struct Done {
    entries: Vec<Entry>,
    stderr: String,
    io_failed: bool,
}

impl Job<'_> {
    fn convert(&self, input: &Input) -> Done {
        let mut sources = Sources::new();
        let mut io_failed = false;
        let mut stderr = String::new();
        let read = read_and_parse(input, self.from, self.options, &mut sources);
        io_failed |= read.io_error;
        let (shown, parsed) = (read.shown, read.parsed);
        let count = parsed.len();
        let mut entries = Vec::new();
        for (i, p) in parsed.into_iter().enumerate() {
            let mut diags = p.diags;
            let stem = driver::output_stem(&input.path, p.rule.as_ref(), i, count);
            let mut files = Vec::new();
            if let Some(rule) = &p.rule {
                driver::self_check(rule, &mut diags);
                files = driver::emit(rule, self.backend, &stem, &mut diags);
            }
            let status = Status::of(&diags, self.args.strict);
            let out_dir = self.args.out_dir.as_deref();
            let outputs = if status == Status::Error {
                Vec::new()
            } else {
                write_outputs(&files, input, &stem, out_dir, &mut io_failed, &mut diags)
            };
            if !diags.is_empty() {
                stderr.push_str(&render_all(diags.iter(), &sources, &shown));
            }
            entries.push(Entry {
                input: shown.clone(),
                rule_id: p.rule.as_ref().map(|r| r.meta.id.clone()).filter(|s| !s.is_empty()),
                status: Status::of(&diags, self.args.strict),
                diagnostics: report_diags(&diags, &sources),
                outputs,
            });
        }
        Done { entries, stderr, io_failed }
    }
}

/// Run `work` on every item on all cores, and hand the results to `each` in item order.
fn for_each_in_order<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
    mut each: impl FnMut(usize, R),
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..workers {
            let (tx, next, work) = (tx.clone(), &next, &work);
            // The readers' depth limits are sized for this stack, not the 2 MiB default.
            let spawned =
                std::thread::Builder::new().stack_size(super::STACK_SIZE).spawn_scoped(scope, move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, work(item))).is_err() {
                        break;
                    }
                });
            match spawned {
                Ok(_) => started += 1,
                Err(e) => eprintln!("ruleport: cannot start a worker thread: {e}"),
            }
        }
        drop(tx);
        // No worker: every item still gets its result, on this thread.
        if started == 0 {
            items.iter().enumerate().for_each(|(i, item)| each(i, work(item)));
            return;
        }
        let mut pending: Vec<Option<R>> = items.iter().map(|_| None).collect();
        let mut handed = 0;
        for (i, r) in rx {
            if let Some(slot) = pending.get_mut(i) {
                *slot = Some(r);
            }
            while let Some(r) = pending.get_mut(handed).and_then(Option::take) {
                each(handed, r);
                handed += 1;
            }
        }
    });
}

/// Write outputs under `out_dir` (mirroring `input.rel_dir`), or to stdout without one.
fn write_outputs(
    files: &[OutputFile],
    input: &Input,
    stem: &str,
    out_dir: Option<&Path>,
    io_failed: &mut bool,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let Some(dir) = out_dir else {
        let mut stdout = std::io::stdout().lock();
        for f in files {
            if files.len() > 1 {
                let _ = writeln!(stdout, "# ---- {stem}{} ----", f.suffix);
            }
            let _ = stdout.write_all(f.content.as_bytes());
        }
        return files.iter().map(|_| "-".to_string()).collect();
    };
    let mut written = Vec::new();
    for f in files {
        let path = dir.join(&input.rel_dir).join(format!("{stem}{}", f.suffix));
        match write_atomic(&path, f.content.as_bytes()) {
            Ok(()) => written.push(path.display().to_string()),
            Err(e) => {
                *io_failed = true;
                diags.push(Diagnostic::error(Code::Io, format!("cannot write {}: {e}", path.display())));
            }
        }
    }
    written
}
