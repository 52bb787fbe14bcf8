//! The shared corpus of real rules (../shared/corpus): every Panther `.yml` gives an output or a
//! clean error with every back-end, with no panic, and the CLI's report has an entry for each.
//! Skips cleanly when the corpus is absent.

mod common;

use ruleport::backend;
use ruleport::diag::Severity;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn yml_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

#[test]
fn every_panther_yml_gives_output_or_clean_error() {
    let Some(corpus) = common::corpus() else {
        eprintln!("../shared/corpus absent: skipping");
        return;
    };
    let files = yml_files(&corpus.join("panther"));
    assert!(files.len() > 600, "corpus looks incomplete: {} files", files.len());
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let outcome = std::panic::catch_unwind(|| {
            let loaded = common::load(path);
            let mut per_backend = Vec::new();
            for b in backend::ALL {
                for (files, diags) in common::emit_all(&loaded, b.id()) {
                    per_backend.push((b.id(), files.is_empty(), diags));
                }
            }
            per_backend
        });
        let per_backend = outcome.unwrap_or_else(|_| panic!("panic on {}", path.display()));
        for (id, no_output, diags) in per_backend {
            let status = match diags.worst() {
                Some(Severity::Error) => "error",
                Some(Severity::Lossy) => "lossy",
                _ => "ok",
            };
            // Output, or an error that says why not: never neither.
            assert!(!no_output || status == "error", "{}: {id} gave no output and no error", path.display());
            *counts.entry(format!("{id}:{status}")).or_default() += 1;
            if let Some(d) = diags.iter().find(|d| d.severity == Severity::Error) {
                *codes.entry(format!("{id}:{}", d.code)).or_default() += 1;
            }
        }
    }
    eprintln!("{} Panther .yml files; outcomes per back-end: {counts:#?}", files.len());
    eprintln!("first error code per rule: {codes:#?}");
}

#[test]
fn the_report_has_an_entry_for_every_panther_yml() {
    let Some(corpus) = common::corpus() else {
        eprintln!("../shared/corpus absent: skipping");
        return;
    };
    let dir = corpus.join("panther");
    let tmp = std::env::temp_dir().join(format!("ruleport-corpus-{}", std::process::id()));
    let report = tmp.join("report.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ruleport"))
        .args(["convert", "--to", "sigma", "-q", "-o"])
        .arg(tmp.join("out"))
        .arg("--report")
        .arg(&report)
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "rule errors exit 1: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let inputs: std::collections::BTreeSet<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["input"].as_str().unwrap().to_string())
        .collect();
    for f in yml_files(&dir) {
        assert!(inputs.contains(&f.display().to_string()), "missing from the report: {}", f.display());
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
