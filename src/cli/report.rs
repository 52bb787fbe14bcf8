//! Rendering results: diagnostics on stderr, the JSON report, progress.

use crate::diag::{render_all, Diagnostics, Severity, Sources};
use crate::driver::Status;
use serde::Serialize;
use std::io::IsTerminal;

/// One diagnostic as the JSON report shows it.
#[derive(Debug, Serialize)]
pub(crate) struct ReportDiag {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// Convert diagnostics for the JSON report, resolving spans to file:line:col.
pub(crate) fn report_diags(diags: &Diagnostics, sources: &Sources) -> Vec<ReportDiag> {
    diags
        .iter()
        .map(|d| {
            let file = d.span.and_then(|s| sources.get(s.file));
            let lc = d.span.and_then(|s| sources.line_col(s));
            ReportDiag {
                code: d.code.to_string(),
                severity: d.severity,
                message: d.message.clone(),
                file: file.map(|f| f.path.display().to_string()),
                line: lc.map(|l| l.line),
                column: lc.map(|l| l.column),
            }
        })
        .collect()
}

/// Print diagnostics to stderr, rustc style.
pub(crate) fn eprint_diags(diags: &Diagnostics, sources: &Sources, fallback: &str) {
    if !diags.is_empty() {
        eprint!("{}", render_all(diags.iter(), sources, fallback));
    }
}

/// Counts per status.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Summary {
    pub total: usize,
    pub ok: usize,
    pub lossy: usize,
    pub error: usize,
}

impl Summary {
    pub fn add(&mut self, s: Status) {
        self.total += 1;
        match s {
            Status::Ok => self.ok += 1,
            Status::Lossy => self.lossy += 1,
            Status::Error => self.error += 1,
        }
    }
}

/// A progress line on stderr for long batches, only when stderr is a terminal.
pub(crate) struct Progress {
    total: usize,
    enabled: bool,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        Progress { total, enabled: total >= 20 && std::io::stderr().is_terminal() }
    }
    pub fn tick(&self, done: usize) {
        if self.enabled && (done.is_multiple_of(10) || done == self.total) {
            eprint!("\r\x1b[Kruleport: {done}/{} inputs", self.total);
            if done == self.total {
                eprintln!();
            }
        }
    }
}
