//! The shared corpus of real rules (../shared/corpus): every Panther `.yml` gives an output or a
//! clean error with every back-end, with no panic, and the CLI's report has an entry for each.
//! Each check is a trial that needs the corpus: reported as ignored when it is absent
//! (a failure with `RULEPORT_REQUIRE_CORPUS=1`).

mod common;
#[path = "support/panther_py.rs"]
mod panther_py;
#[path = "support/sigma_engine.rs"]
mod sigma_engine;

use ruleport::backend;
use ruleport::diag::Severity;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn yml_files(dir: &Path) -> Vec<PathBuf> {
    common::files_with_ext(dir, &["yml", "yaml"])
}

fn every_panther_yml_gives_output_or_clean_error(corpus: &Path) {
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

fn the_report_has_an_entry_for_every_panther_yml(corpus: &Path) {
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

/// Issue 3's measure: every `AnalysisType: rule` under corpus/panther/rules is converted; a rule
/// is ok only when all its own Tests pass through the IR (the driver's self-check makes a
/// disagreement an error). For every ok/lossy rule, the emitted Python (python3) and the emitted
/// Sigma (rsigma) are run on the same Test logs.
fn panther_rules_convert_and_their_tests_hold_on_every_target(corpus: &Path) {
    let files: Vec<PathBuf> = yml_files(&corpus.join("panther/rules"))
        .into_iter()
        .filter(|f| {
            std::fs::read_to_string(f).is_ok_and(|t| t.lines().any(|l| l.trim() == "AnalysisType: rule"))
        })
        .collect();
    let (mut ok, mut reasons) = (0usize, BTreeMap::<String, usize>::new());
    let (mut py_agree, mut py_total, mut sigma_agree, mut sigma_total) = (0usize, 0usize, 0usize, 0usize);
    let mut sigma_misses = Vec::new();
    for path in &files {
        let loaded = common::load(path);
        let sigma = common::emit_all(&loaded, "sigma");
        let python = common::emit_all(&loaded, "panther_python");
        for ((p, (sfiles, sdiags)), (pfiles, pdiags)) in loaded.parsed.iter().zip(&sigma).zip(&python) {
            if let Some(d) = pdiags.iter().find(|d| d.severity == Severity::Error) {
                let key: String =
                    d.message.trim_start_matches("Python rule logic: ").chars().take(60).collect();
                *reasons.entry(format!("{}: {key}", d.code)).or_default() += 1;
                continue;
            }
            ok += 1;
            let Some(rule) = &p.rule else { continue };
            let logs: Vec<serde_json::Value> =
                rule.tests.iter().map(|t| t.log().cloned().unwrap_or_default()).collect();
            if panther_py::python3_available() {
                let got = panther_py::run_panther_rule(&pfiles[0].content, &logs).unwrap_or_default();
                py_total += 1;
                py_agree += usize::from(
                    got.len() == logs.len() && rule.tests.iter().zip(&got).all(|(t, g)| t.expected == *g),
                );
            }
            if !sdiags.has_errors() {
                sigma_total += 1;
                let got = sigma_engine::sigma_matches_all(&sfiles[0].content, &logs).unwrap_or_default();
                let agree =
                    got.len() == logs.len() && rule.tests.iter().zip(&got).all(|(t, g)| t.expected == *g);
                sigma_agree += usize::from(agree);
                if !agree {
                    sigma_misses.push(format!(
                        "{} (lossy: {})",
                        rule.meta.id,
                        sdiags.worst() == Some(Severity::Lossy)
                    ));
                }
            }
        }
    }
    let mut top: Vec<_> = reasons.into_iter().collect();
    top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    eprintln!("{} Panther rules: {ok} ok ({:.1}%)", files.len(), 100.0 * ok as f64 / files.len() as f64);
    eprintln!("emitted Python agrees on all tests: {py_agree}/{py_total}");
    eprintln!("emitted Sigma agrees on all tests (rsigma): {sigma_agree}/{sigma_total}; disagreeing: {sigma_misses:?}");
    eprintln!("top reasons a rule is not converted: {:#?}", &top[..top.len().min(12)]);
    // Floors, a little under what was measured, so a regression fails loudly.
    // Issue 3 asks for 80% of the rules converted with status ok.
    assert!(ok * 100 >= files.len() * 80, "ok rate below 80%: {ok}/{}", files.len());
    assert_eq!(py_agree, py_total, "emitted Python must agree wherever the IR does");
    assert!(sigma_agree * 100 >= sigma_total * 90, "Sigma agreement regressed: {sigma_agree}/{sigma_total}");
}

fn main() {
    common::run_corpus_checks(&[
        ("every_panther_yml_gives_output_or_clean_error", every_panther_yml_gives_output_or_clean_error),
        ("the_report_has_an_entry_for_every_panther_yml", the_report_has_an_entry_for_every_panther_yml),
        (
            "panther_rules_convert_and_their_tests_hold_on_every_target",
            panther_rules_convert_and_their_tests_hold_on_every_target,
        ),
    ]);
}
