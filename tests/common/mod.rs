//! Shared test plumbing: fixture discovery and running the pipeline on one file.
#![allow(dead_code)]

use ruleport::backend::{self, OutputFile};
use ruleport::diag::{render_all, Diagnostics, Sources};
use ruleport::driver;
use ruleport::frontend::{self, Options, Parsed};
use std::path::{Path, PathBuf};

/// The repository root (tests run with it as the working directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpus, if present beside the repository (`RULEPORT_CORPUS` names another
/// directory, e.g. a missing one to see how the corpus tests report its absence).
pub fn corpus() -> Option<PathBuf> {
    let p = match std::env::var_os("RULEPORT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => root().join("../shared/corpus"),
    };
    p.is_dir().then_some(p)
}

/// Every fixture file: `(platform, case, relative path)`, sorted. A fixture is a file under
/// `fixtures/<platform>/` whose extension some front-end reads.
pub fn fixtures() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(platforms) = std::fs::read_dir(root().join("fixtures")) else { return out };
    for platform in platforms.flatten() {
        let name = platform.file_name().to_string_lossy().into_owned();
        let mut files = Vec::new();
        collect(&platform.path(), &mut files);
        for f in files {
            let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !frontend::wants_extension(None, ext) {
                continue;
            }
            let rel = f.strip_prefix(root()).unwrap_or(&f).to_path_buf();
            let case = f.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            out.push((name.clone(), case, rel));
        }
    }
    out.sort();
    out
}

/// Every file under `dir` (recursively) whose extension is one of `exts`, sorted.
pub fn files_with_ext(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut all = Vec::new();
    collect(dir, &mut all);
    let mut out: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e)))
        .collect();
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A parsed file plus the sources its spans point into.
pub struct Loaded {
    pub sources: Sources,
    pub parsed: Vec<Parsed>,
    pub path: PathBuf,
}

/// Parse one file (path relative to the repo root, or absolute) with auto-detection.
pub fn load(path: &Path) -> Loaded {
    let text =
        std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut sources = Sources::new();
    let (_, parsed) = driver::parse_source(&mut sources, &Options::default(), None, path, text);
    Loaded { sources, parsed, path: path.to_path_buf() }
}

/// Emit every rule of a loaded file with one back-end: outputs and all diagnostics
/// (front-end, self-check, back-end), per rule.
pub fn emit_all(loaded: &Loaded, backend_id: &str) -> Vec<(Vec<OutputFile>, Diagnostics)> {
    let backend = backend::by_name(backend_id).expect("backend in registry");
    let count = loaded.parsed.len();
    loaded
        .parsed
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut diags = p.diags.clone();
            let mut files = Vec::new();
            if let Some(rule) = &p.rule {
                driver::self_check(rule, &mut diags);
                let stem = driver::output_stem(&loaded.path, Some(rule), i, count);
                files = driver::emit(rule, backend, &stem, &mut diags);
            }
            (files, diags)
        })
        .collect()
}

/// Diagnostics rendered rustc-style, with repo-relative paths.
pub fn render(diags: &Diagnostics, loaded: &Loaded) -> String {
    if diags.is_empty() {
        return "(none)\n".into();
    }
    render_all(diags.iter(), &loaded.sources, &loaded.path.display().to_string())
}

/// Parse `text` as if it were the file `name`, with the front-end `frontend` (a CLI name or
/// id): how execution tests read an emitted output back.
pub fn load_text(frontend: &str, name: &str, text: String) -> Loaded {
    let from = frontend::by_name(frontend).unwrap_or_else(|| panic!("front-end `{frontend}` in registry"));
    let path = PathBuf::from(name);
    let mut sources = Sources::new();
    let (_, parsed) = driver::parse_source(&mut sources, &Options::default(), Some(from), &path, text);
    Loaded { sources, parsed, path }
}

/// A trial that needs ../shared/corpus. When the corpus is absent it is reported as ignored
/// (never as passed), or fails when `RULEPORT_REQUIRE_CORPUS=1`.
pub fn corpus_trial(
    name: impl Into<String>,
    f: impl FnOnce(&Path) -> Result<(), libtest_mimic::Failed> + Send + 'static,
) -> libtest_mimic::Trial {
    use libtest_mimic::Trial;
    match corpus() {
        Some(c) => Trial::test(name, move || f(&c)),
        None if corpus_required() => {
            Trial::test(name, || Err("RULEPORT_REQUIRE_CORPUS=1 but ../shared/corpus is absent".into()))
        }
        None => Trial::test(name, || Err("../shared/corpus is absent".into())).with_ignored_flag(true),
    }
}

/// A named check over the corpus directory.
pub type CorpusCheck = (&'static str, fn(&Path));

/// A harness's `main` for tests that each read the corpus: one [`corpus_trial`] per named
/// check (a check fails by panicking, as an assertion does).
pub fn run_corpus_checks(checks: &[CorpusCheck]) -> ! {
    let args = libtest_mimic::Arguments::from_args();
    let trials = checks
        .iter()
        .map(|&(name, check)| {
            corpus_trial(name, move |c| {
                check(c);
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit()
}

/// `RULEPORT_REQUIRE_CORPUS=1`: a missing corpus is a failure, not a skip.
pub fn corpus_required() -> bool {
    std::env::var("RULEPORT_REQUIRE_CORPUS").is_ok_and(|v| v == "1")
}
