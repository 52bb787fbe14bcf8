//! Proof by execution: each rule's own Tests (log → expected verdict) must hold
//!  - through the IR evaluator,
//!  - through the emitted Sigma, evaluated by an independent Sigma engine,
//!  - through the emitted Panther Python, executed by python3.
//!
//! Over every fixture, and over the corpus's Simple Detection rules when ../shared/corpus exists.
//! Lossy conversions are run too. A disagreement is accepted only when the conversion reported
//! a `lossy` diagnostic AND the fixture's test declares it in its name (`… (lossy: why)`), so
//! every accepted difference is written down in the fixture. Rules whose logic is in Python
//! (not translated yet) are listed as ignored.

mod common;
#[path = "support/panther_py.rs"]
mod panther_py;
#[path = "support/sigma_engine.rs"]
mod sigma_engine;

use libtest_mimic::{Arguments, Failed, Trial};
use ruleport::eval;
use std::path::{Path, PathBuf};

fn main() {
    let args = Arguments::from_args();
    let mut cases: Vec<(String, PathBuf, bool)> = common::fixtures()
        .into_iter()
        .map(|(platform, case, path)| (format!("{platform}/{case}"), path, false))
        .collect();
    if let Some(corpus) = common::corpus() {
        for path in corpus_simple_rules(&corpus) {
            let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            cases.push((format!("corpus/panther/{name}"), path, true));
        }
    }
    let mut trials = Vec::new();
    for (name, path, from_corpus) in cases {
        let expect_error = !from_corpus && is_error_fixture(&path);
        let python = has_untranslated_python(&path);
        let p = path.clone();
        trials.push(
            Trial::test(format!("{name}@ir"), move || check_ir(&p, expect_error)).with_ignored_flag(python),
        );
        if expect_error {
            continue;
        }
        for target in ["sigma", "panther_python"] {
            let p = path.clone();
            trials.push(
                Trial::test(format!("{name}@{target}"), move || check_target(&p, target))
                    .with_ignored_flag(python),
            );
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Error fixtures (`err_*`) exist to show a clean error; they have no tests to run.
fn is_error_fixture(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("err_"))
}

/// Simple Detection rules in the corpus: history/simple_rules plus any rule at HEAD with `Detection:`
/// match expressions (correlation rules, which also use `Detection:`, are excluded).
fn corpus_simple_rules(corpus: &Path) -> Vec<PathBuf> {
    let mut files = common::files_with_ext(&corpus.join("panther/history/simple_rules"), &["yml"]);
    for f in common::files_with_ext(&corpus.join("panther/rules"), &["yml"]) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let simple = text.lines().any(|l| l.starts_with("Detection:"))
            && text.lines().any(|l| l.trim() == "AnalysisType: rule");
        if simple {
            files.push(f);
        }
    }
    files.sort();
    files
}

/// A rule whose Python logic the front-end refused (an error, not a note: a translated rule may
/// carry `python-logic` notes about helpers it kept as text) has no detection to execute.
fn has_untranslated_python(path: &Path) -> bool {
    use ruleport::diag::{Code, Severity};
    let loaded = common::load(path);
    loaded
        .parsed
        .iter()
        .any(|p| p.diags.iter().any(|d| d.code == Code::PythonLogic && d.severity == Severity::Error))
}

/// Load a rule; formats without embedded tests (Elastic) take them from a sidecar
/// `<stem>.tests.json`: `[{"name", "log", "expected"}]`.
fn load(path: &Path) -> common::Loaded {
    let mut loaded = common::load(path);
    let sidecar = common::root().join(path).with_extension("tests.json");
    if let Ok(text) = std::fs::read_to_string(&sidecar) {
        #[derive(serde::Deserialize)]
        struct Sidecar {
            name: String,
            log: serde_json::Value,
            expected: bool,
        }
        let tests: Vec<Sidecar> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
        let tests: Vec<ruleport::ir::TestCase> =
            tests.into_iter().map(|t| ruleport::ir::TestCase::event(t.name, t.log, t.expected)).collect();
        for p in &mut loaded.parsed {
            if let Some(rule) = p.rule.as_mut().filter(|r| r.tests.is_empty()) {
                rule.tests = tests.clone();
            }
        }
    }
    loaded
}

fn check_ir(path: &Path, expect_error: bool) -> Result<(), Failed> {
    let loaded = load(path);
    if expect_error {
        let errors = loaded.parsed.iter().any(|p| p.diags.has_errors());
        return if errors {
            Ok(())
        } else {
            Err("an err_ fixture parsed without an error diagnostic".into())
        };
    }
    let mut problems = Vec::new();
    for p in &loaded.parsed {
        if p.diags.has_errors() {
            problems.push(format!("front-end errors:\n{}", common::render(&p.diags, &loaded)));
        }
        let Some(rule) = &p.rule else { continue };
        if rule.tests.is_empty() {
            problems.push("the rule has no tests to prove it".to_string());
        }
        for t in eval::run_tests(rule).into_iter().filter(|t| !t.pass) {
            problems.push(format!(
                "test `{}`: expected {}, IR says {:?} {:?}",
                t.name, t.expected, t.actual, t.error
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn check_target(path: &Path, target: &str) -> Result<(), Failed> {
    let loaded = load(path);
    let emitted = common::emit_all(&loaded, target);
    let mut problems = Vec::new();
    for (p, (files, diags)) in loaded.parsed.iter().zip(&emitted) {
        let Some(rule) = &p.rule else { continue };
        if diags.has_errors() {
            problems.push(format!("conversion errors:\n{}", common::render(diags, &loaded)));
            continue;
        }
        let logs: Vec<serde_json::Value> =
            rule.tests.iter().map(|t| t.log().cloned().unwrap_or_default()).collect();
        let verdicts = match target {
            "sigma" => sigma_verdicts(files, &logs),
            _ => python_verdicts(files, &logs),
        };
        let verdicts = match verdicts {
            Ok(Some(v)) => v,
            Ok(None) => return Ok(()), // the engine is not installed: skip cleanly
            Err(e) => return Err(e.into()),
        };
        let lossy = diags.worst() == Some(ruleport::diag::Severity::Lossy);
        for (t, got) in rule.tests.iter().zip(verdicts) {
            if got != t.expected && !(lossy && t.name.contains("(lossy")) {
                problems
                    .push(format!("test `{}`: expected {}, emitted {target} says {got}", t.name, t.expected));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn output<'a>(files: &'a [ruleport::backend::OutputFile], suffix: &str) -> Result<&'a str, String> {
    files.iter().find(|f| f.suffix == suffix).map(|f| f.content.as_str()).ok_or(format!("no {suffix} output"))
}

fn sigma_verdicts(
    files: &[ruleport::backend::OutputFile],
    logs: &[serde_json::Value],
) -> Result<Option<Vec<bool>>, String> {
    let yaml = output(files, ".yml")?;
    logs.iter().map(|log| sigma_engine::sigma_matches(yaml, log)).collect::<Result<Vec<_>, _>>().map(Some)
}

fn python_verdicts(
    files: &[ruleport::backend::OutputFile],
    logs: &[serde_json::Value],
) -> Result<Option<Vec<bool>>, String> {
    if !panther_py::python3_available() {
        eprintln!("python3 not found: skipping Python execution");
        return Ok(None);
    }
    panther_py::run_panther_rule(output(files, ".py")?, logs).map(Some)
}
