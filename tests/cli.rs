//! The command line as a user drives it: exit codes, stdin/stdout, directories, reports.

mod common;

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn ruleport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ruleport"))
        .args(args)
        .current_dir(common::root())
        .output()
        .expect("run ruleport")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally (no signal, no panic abort)")
}

const WIZ: &str = "fixtures/panther/wiz_revoke_user_sessions.yml";
const LOOP: &str = "fixtures/panther/err_python_loop.yml";

#[test]
fn single_file_converts_to_stdout() {
    let o = ruleport(&["convert", "--to", "sigma", "fixtures/panther/github_repo_archived.yml"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let doc: serde_yaml::Value = serde_yaml::from_str(&out).expect("stdout is one Sigma YAML document");
    assert_eq!(doc["title"].as_str(), Some("GitHub Repository Archived"));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let text =
        std::fs::read_to_string(common::root().join("fixtures/panther/github_repo_archived.yml")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruleport"))
        .args(["convert", "--to", "es-dsl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let body: Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert!(body.get("query").is_some(), "{body}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&ruleport(&["convert", "--to", "nonsense", WIZ])), 2);
    assert_eq!(code(&ruleport(&["convert", "--to", "sigma", "no/such/file.yml"])), 2);
    assert_eq!(code(&ruleport(&["convert", "--to", "sigma", "fixtures/panther"])), 2, "a directory needs -o");
    assert_eq!(code(&ruleport(&["--help"])), 0);
}

#[test]
fn untranslatable_python_is_an_error_at_its_line_in_the_py() {
    let o = ruleport(&["convert", "--to", "sigma", LOOP]);
    assert_eq!(code(&o), 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("err_python_loop.py:6:13: error[python-logic]"), "{err}");
    assert!(err.contains("an augmented assignment"), "{err}");
    assert!(o.stdout.is_empty(), "no output for a rule in error");
}

#[test]
fn directory_batch_mirrors_layout_and_reports_every_rule() {
    let tmp = tempdir("batch");
    let report = tmp.join("report.json");
    let o = ruleport(&[
        "convert",
        "--to",
        "panther",
        "fixtures",
        "-o",
        tmp.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "-q",
    ]);
    // Some fixtures are errors by design, so the batch exits 1 — never 2 or a crash.
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let results = report["results"].as_array().unwrap();
    // One entry per rule: a file holds one rule, or several (an NDJSON export: one per line).
    let fixtures = common::fixtures();
    let inputs: std::collections::BTreeSet<&str> =
        results.iter().map(|r| r["input"].as_str().unwrap()).collect();
    assert_eq!(inputs.len(), fixtures.len(), "every fixture file has entries");
    assert!(results.len() >= fixtures.len());
    assert_eq!(report["summary"]["total"].as_u64(), Some(results.len() as u64));
    for r in results {
        let status = r["status"].as_str().unwrap();
        let outputs = r["outputs"].as_array().unwrap();
        match status {
            "error" => {
                assert!(outputs.is_empty(), "{r}");
                assert!(!r["diagnostics"].as_array().unwrap().is_empty(), "{r}");
            }
            _ => {
                assert_eq!(outputs.len(), 2, "a .py and a .yml: {r}");
                for out in outputs {
                    let out = Path::new(out.as_str().unwrap());
                    let input = Path::new(r["input"].as_str().unwrap());
                    let platform = input.parent().and_then(|p| p.file_name()).unwrap();
                    assert!(
                        out.starts_with(tmp.join(platform)),
                        "layout mirrored under -o: {}",
                        out.display()
                    );
                    assert!(out.is_file());
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn test_command_reports_verdicts_as_json() {
    let o = ruleport(&["test", "--format", "json", "fixtures/panther/github_repo_archived.yml"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rule = &v[0];
    assert_eq!(rule["rule_id"], "Github.Repo.Archived");
    assert_eq!(rule["status"], "pass");
    let tests = rule["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2);
    assert!(tests.iter().all(|t| t["pass"] == true && t["expected"] == t["actual"]));
}

#[test]
fn test_command_fails_on_untranslated_logic() {
    let o = ruleport(&["test", LOOP]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("ERROR Fixture.ErrPythonLoop"));
}

#[test]
fn python_seed_rule_converts_to_its_documented_logic() {
    let o = ruleport(&["convert", "--to", "sigma", WIZ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_yaml::Value = serde_yaml::from_slice(&o.stdout).unwrap();
    let sel = &doc["detection"]["selection"];
    assert_eq!(sel["status|cased"], "SUCCESS");
    assert_eq!(sel["action|cased"], "RevokeUserSessions");
}

#[test]
fn ir_command_shows_a_predicate_table_and_json() {
    let o = ruleport(&["ir", "fixtures/panther/github_repo_archived.yml"]);
    assert_eq!(code(&o), 0);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("field") && text.contains("action") && text.contains("\"repo.archived\""),
        "{text}"
    );
    let o = ruleport(&["ir", "--format", "json", "fixtures/panther/github_repo_archived.yml"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["rule"]["meta"]["id"], "Github.Repo.Archived");
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ruleport-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
