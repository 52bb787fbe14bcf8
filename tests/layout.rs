//! The import rules of ARCHITECTURE.md, checked on the source tree so that they stay true:
//! - `lang/*` (syntax) imports nothing of the IR, the passes, the evaluator or any platform;
//! - `ir/` imports neither `eval/` nor `passes/` nor any platform or language;
//! - `passes/` and `eval/` name no platform;
//! - no platform imports another;
//! - only the registries (`frontend.rs`, `backend.rs`), `driver` and `cli` name a platform
//!   from outside it.
//!
//! Paths are read from the text: every `crate::a::b` and every `super::…` chain, resolved
//! against the file's own module path.

use std::path::{Path, PathBuf};

/// A module path such as `["platform", "elastic", "read"]` for `src/platform/elastic/read/mod.rs`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

/// Every absolute module path the file refers to, with the line it is on.
fn references(module: &[String], text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            out.push((n + 1, path_words(rest)));
        }
        let mut i = 0;
        while let Some(at) = code[i..].find("super::") {
            let start = i + at;
            // Only the first `super::` of a chain starts a path.
            let prev = code[..start].chars().last();
            i = start + "super::".len();
            if prev.is_some_and(|c| c == ':' || c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut ups = 1;
            let mut rest = &code[i..];
            while let Some(r) = rest.strip_prefix("super::") {
                ups += 1;
                rest = r;
            }
            // A file's own `mod tests` makes `super` the file itself: count one up less there.
            let base = module.len().saturating_sub(ups.min(module.len()));
            let mut abs: Vec<String> = module[..base].to_vec();
            abs.extend(path_words(rest));
            out.push((n + 1, abs));
        }
    }
    out
}

fn path_words(rest: &str) -> Vec<String> {
    rest.split("::")
        .map(|w| w.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>())
        .take_while(|w| !w.is_empty() && w.chars().next().is_some_and(|c| c.is_lowercase()))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Why `from` may not refer to `to`, if it may not.
fn violation(from: &[String], to: &[String]) -> Option<&'static str> {
    let area = |m: &[String]| m.first().cloned().unwrap_or_default();
    let (fa, ta) = (area(from), area(to));
    if fa == ta && fa != "platform" {
        return None;
    }
    match (fa.as_str(), ta.as_str()) {
        ("lang", "ir" | "eval" | "passes" | "platform" | "frontend" | "backend" | "driver" | "cli") => {
            Some("a language is syntax only")
        }
        ("ir", "eval" | "passes" | "platform" | "lang" | "frontend" | "backend" | "driver" | "cli") => {
            Some("the IR imports neither the evaluator, the passes, a language nor a platform")
        }
        ("passes" | "eval" | "diag" | "syntax", "platform" | "frontend" | "backend" | "driver" | "cli") => {
            Some("shared code names no platform")
        }
        ("platform", "platform") => {
            (from.get(1) != to.get(1) && to.len() > 1).then_some("no platform imports another")
        }
        ("platform", "driver" | "cli") => Some("a platform does not call the driver or the CLI"),
        (_, "platform") if !matches!(fa.as_str(), "frontend" | "backend" | "driver" | "cli") => {
            Some("only the registries, the driver and the CLI name a platform")
        }
        _ => None,
    }
}

#[test]
fn import_rules_hold() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 40, "found only {} source files under {}", files.len(), src.display());
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(&src, file);
        let text = std::fs::read_to_string(file).unwrap();
        for (line, to) in references(&module, &text) {
            checked += 1;
            if let Some(why) = violation(&module, &to) {
                let rel = file.strip_prefix(&src).unwrap().display();
                broken.push(format!("src/{rel}:{line}: {} → {}: {why}", module.join("::"), to.join("::")));
            }
        }
    }
    assert!(checked > 200, "only {checked} module references found: is the scanner reading the code?");
    assert!(broken.is_empty(), "import rules broken:\n{}", broken.join("\n"));
}

#[test]
fn the_checker_sees_violations() {
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    assert!(violation(&m("platform::elastic::emit::rule"), &m("platform::sigma::emit")).is_some());
    assert!(violation(&m("platform::elastic::emit::rule"), &m("platform::elastic::read")).is_none());
    assert!(violation(&m("ir::rule"), &m("eval")).is_some());
    assert!(violation(&m("lang::kuery"), &m("ir")).is_some());
    assert!(violation(&m("passes::fit"), &m("platform::panther")).is_some());
    assert!(violation(&m("frontend"), &m("platform::panther::yaml")).is_none());
    let refs = references(&m("platform::elastic::emit::kuery"), "use super::super::read::kuery;\n");
    assert_eq!(refs, vec![(1, m("platform::elastic::read::kuery"))]);
    let refs = references(&m("platform::sigma::emit"), "let x = super::super::elastic::text_fields::f();");
    assert_eq!(violation(&m("platform::sigma::emit"), &refs[0].1), Some("no platform imports another"));
}
