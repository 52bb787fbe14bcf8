//! Input expansion (files, directories, stdin) and atomic output writes.

use crate::frontend::{self, Frontend};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One input file to read.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    /// The path as the user will see it (`-` for stdin).
    pub path: PathBuf,
    /// Path relative to the directory argument it was found under (mirrored under `-o`).
    pub rel_dir: PathBuf,
}

impl Input {
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }
    pub fn display(&self) -> String {
        if self.is_stdin() {
            "<stdin>".to_string()
        } else {
            self.path.display().to_string()
        }
    }
    /// Read the input's text.
    pub fn read(&self) -> Result<String, String> {
        if self.is_stdin() {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| format!("<stdin>: {e}"))?;
            return Ok(s);
        }
        let bytes = std::fs::read(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        String::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8 text: {e}", self.path.display()))
    }
}

/// Expand the command-line arguments into input files, in a deterministic order.
/// Directories are walked recursively for the extensions the front-end(s) read.
pub(crate) fn expand(args: &[PathBuf], from: Option<&dyn Frontend>) -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Input { path: arg.clone(), rel_dir: PathBuf::new() });
        } else if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, &mut found).map_err(|e| format!("{}: {e}", arg.display()))?;
            found.sort();
            for path in found {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                if !frontend::wants_extension(from, ext) {
                    continue;
                }
                let rel_dir = path
                    .parent()
                    .and_then(|p| p.strip_prefix(arg).ok())
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                out.push(Input { path, rel_dir });
            }
        } else if arg.exists() {
            out.push(Input { path: arg.clone(), rel_dir: PathBuf::new() });
        } else {
            return Err(format!("{}: no such file or directory", arg.display()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Write a file atomically: a temporary sibling, then a rename, so that a reader never
/// sees half a file and an interrupted run never leaves one.
pub(crate) fn write_atomic(path: &Path, content: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.ruleport-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// One input read and parsed: its display name and what the front-end made of it.
pub(crate) struct ReadResult {
    pub shown: String,
    pub parsed: Vec<crate::frontend::Parsed>,
    pub io_error: bool,
}

/// Read and parse one input; an unreadable input becomes a failed entry, never a panic.
pub(crate) fn read_and_parse(
    input: &Input,
    from: Option<&dyn Frontend>,
    options: &crate::frontend::Options,
    sources: &mut crate::diag::Sources,
) -> ReadResult {
    use crate::diag::{Code, Diagnostic, Diagnostics};
    let shown = input.display();
    match input.read() {
        Ok(text) => {
            let path = if input.is_stdin() { PathBuf::from("<stdin>") } else { input.path.clone() };
            let (_, parsed) = crate::driver::parse_source(sources, options, from, &path, text);
            ReadResult { shown, parsed, io_error: false }
        }
        Err(e) => {
            let mut d = Diagnostics::new();
            d.push(Diagnostic::error(Code::Io, e));
            ReadResult { shown, parsed: vec![crate::frontend::Parsed::failed(d)], io_error: true }
        }
    }
}

/// `expand`, with a failure printed as a usage error (the caller exits with code 2).
pub(crate) fn expand_or_report(args: &[PathBuf], from: Option<&dyn Frontend>) -> Option<Vec<Input>> {
    expand(args, from).map_err(|e| eprintln!("ruleport: {e}")).ok()
}
