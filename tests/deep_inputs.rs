//! Deep but plausible input must give a `too-deep` error, never a stack overflow: each
//! hostile rule below once aborted the process (exit 134). Runs the CLI binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ruleport");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ruleport-deep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A Panther Python rule: `<name>.yml` naming `<name>.py`.
fn python_rule(dir: &Path, name: &str, py: &str) -> PathBuf {
    let yml = format!(
        "AnalysisType: rule\nRuleID: Deep.{name}\nDisplayName: deep {name}\nEnabled: true\nSeverity: Low\n\
         Filename: {name}.py\nLogTypes:\n  - Custom.Deep\nTests:\n  - Name: t\n    ExpectedResult: false\n    \
         Log: {{\"x\": \"b\"}}\n"
    );
    std::fs::write(dir.join(format!("{name}.py")), py).expect("write py");
    let path = dir.join(format!("{name}.yml"));
    std::fs::write(&path, yml).expect("write yml");
    path
}

/// A Simple Detection whose `Any:`/`All:` nest `depth` levels.
fn simple_rule(dir: &Path, name: &str, depth: usize) -> PathBuf {
    let mut det = String::from("  Any:\n");
    for i in 1..depth {
        let comb = if i % 2 == 0 { "Any" } else { "All" };
        det.push_str(&format!("{}- {comb}:\n", "  ".repeat(i + 1)));
    }
    let ind = "  ".repeat(depth + 1);
    det.push_str(&format!("{ind}- KeyPath: x\n{ind}  Condition: Equals\n{ind}  Value: a\n"));
    let yml = format!(
        "AnalysisType: rule\nRuleID: Deep.{name}\nDisplayName: deep {name}\nEnabled: true\nSeverity: Low\n\
         LogTypes:\n  - Custom.Deep\nDetection:\n{det}"
    );
    let path = dir.join(format!("{name}.yml"));
    std::fs::write(&path, yml).expect("write yml");
    path
}

fn not_chain(n: usize) -> String {
    format!("def rule(event):\n    return {}event.get(\"x\") == \"a\"\n", "not ".repeat(n))
}

fn elifs(n: usize) -> String {
    let mut py = String::from("def rule(event):\n    if event.get(\"x\") == \"v0\":\n        return True\n");
    for i in 1..n {
        py.push_str(&format!("    elif event.get(\"x\") == \"v{i}\":\n        return True\n"));
    }
    py + "    return False\n"
}

fn sequential_ifs(n: usize) -> String {
    let mut py = String::from("def rule(event):\n");
    for i in 0..n {
        py.push_str(&format!("    if event.get(\"x\") == \"v{i}\":\n        return True\n"));
    }
    py + "    return False\n"
}

fn get_chain(n: usize) -> String {
    let gets: String = (0..n).map(|i| format!(".get(\"a{i}\", {{}})")).collect();
    format!("def rule(event):\n    return event{gets} == \"v\"\n")
}

/// Every hostile rule, by name.
fn hostile(dir: &Path) -> Vec<PathBuf> {
    vec![
        python_rule(dir, "not_1600", &not_chain(1_600)),
        python_rule(dir, "not_50000", &not_chain(50_000)),
        python_rule(dir, "elif_1800", &elifs(1_800)),
        python_rule(dir, "if_1500", &sequential_ifs(1_500)),
        python_rule(dir, "get_20000", &get_chain(20_000)),
        simple_rule(dir, "any_all_1800", 1_800),
    ]
}

fn run(args: &[&str], path: &Path) -> Output {
    Command::new(BIN).args(args).arg(path).output().expect("run ruleport")
}

fn assert_too_deep(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: exit {:?} (not a crash), stderr: {stderr:.2000}",
        out.status
    );
    assert!(stderr.contains("error[too-deep]"), "{what}: no too-deep error in {stderr:.2000}");
}

#[test]
fn deep_rules_are_too_deep_errors_on_convert_and_test() {
    let dir = temp_dir("each");
    for path in hostile(&dir) {
        let name = path.display().to_string();
        assert_too_deep(&run(&["convert", "--to", "sigma"], &path), &format!("convert {name}"));
        assert_too_deep(&run(&["test"], &path), &format!("test {name}"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wildcard_runs_match_without_blowing_up() {
    // Once exponential (and recursive per `*`) in the evaluator's glob matcher.
    let dir = temp_dir("glob");
    let stars = "*?".repeat(20_000);
    let py = format!("from fnmatch import fnmatch\ndef rule(event):\n    return fnmatch(event.get(\"x\", \"\"), \"{stars}\")\n");
    let path = python_rule(&dir, "stars", &py);
    let out = run(&["test"], &path);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let backtracking = format!(
        "from fnmatch import fnmatch\ndef rule(event):\n    return fnmatch(event.get(\"x\", \"\"), \"{}\")\n",
        "*a".repeat(40)
    );
    std::fs::write(dir.join("stars.py"), backtracking).expect("write");
    let out = run(&["convert", "--to", "sigma"], &path);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nesting_just_inside_the_limits_converts() {
    let dir = temp_dir("inside");
    let paths = [
        python_rule(&dir, "not_150", &not_chain(150)),
        python_rule(&dir, "ifs_300", &sequential_ifs(300)),
        python_rule(&dir, "get_80", &get_chain(80)),
        simple_rule(&dir, "any_all_90", 90),
    ];
    for path in &paths {
        for to in ["sigma", "panther", "es-dsl", "kuery"] {
            let out = run(&["convert", "--to", to], path);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("too-deep"), "{} → {to}: {stderr:.2000}", path.display());
            assert_eq!(out.status.code(), Some(0), "{} → {to}: {stderr:.2000}", path.display());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_deep_rule_in_a_batch_fails_alone() {
    let dir = temp_dir("batch");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    let good = [
        python_rule(&rules, "good_a", "def rule(event):\n    return event.get(\"x\") == \"a\"\n"),
        python_rule(&rules, "good_b", "def rule(event):\n    return event.get(\"y\") == \"b\"\n"),
    ];
    let deep = [python_rule(&rules, "deep_not", &not_chain(50_000)), simple_rule(&rules, "deep_any", 1_800)];
    let (out_dir, report) = (dir.join("out"), dir.join("report.json"));
    let out = Command::new(BIN)
        .args(["convert", "--to", "sigma"])
        .arg(&rules)
        .arg("-o")
        .arg(&out_dir)
        .arg("--report")
        .arg(&report)
        .output()
        .expect("run ruleport");
    assert_too_deep(&out, "batch");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("report json");
    let results = json["results"].as_array().expect("results");
    assert_eq!(results.len(), good.len() + deep.len(), "{json:#}");
    let entry = |p: &PathBuf| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        results.iter().find(|r| r["input"].as_str().is_some_and(|i| i.ends_with(&name))).cloned()
    };
    for p in &good {
        let e = entry(p).unwrap_or_else(|| panic!("no entry for {}: {json:#}", p.display()));
        assert_eq!(e["status"], "ok", "{e:#}");
        assert_eq!(e["outputs"].as_array().map(Vec::len), Some(1), "{e:#}");
    }
    for p in &deep {
        let e = entry(p).unwrap_or_else(|| panic!("no entry for {}: {json:#}", p.display()));
        assert_eq!(e["status"], "error", "{e:#}");
        assert!(e["diagnostics"].to_string().contains("too-deep"), "{e:#}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
