//! Execute emitted Panther Python with python3 (see `panther_harness.py`).
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

/// Whether python3 can be run here (tests skip cleanly without it).
pub fn python3_available() -> bool {
    Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Run `rule(event)` of `py_source` on every log, in one python3 process.
pub fn run_panther_rule(py_source: &str, logs: &[serde_json::Value]) -> Result<Vec<bool>, String> {
    let dir = std::env::temp_dir().join(format!("ruleport-py-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let rule = dir.join("rule.py");
    std::fs::write(&rule, py_source).map_err(|e| e.to_string())?;
    let harness = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/panther_harness.py");
    let mut child = Command::new("python3")
        .arg(harness)
        .arg(&rule)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3: {e}"))?;
    let mut input = String::new();
    for log in logs {
        input.push_str(&serde_json::to_string(log).map_err(|e| e.to_string())?);
        input.push('\n');
    }
    child.stdin.take().ok_or("no stdin")?.write_all(input.as_bytes()).map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!("python3 failed:\n{}\n{py_source}", String::from_utf8_lossy(&out.stderr)));
    }
    let verdicts: Result<Vec<bool>, String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| match serde_json::from_str::<serde_json::Value>(l) {
            Ok(serde_json::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("rule raised: {other}\n{py_source}")),
            Err(e) => Err(format!("bad harness output `{l}`: {e}")),
        })
        .collect();
    let verdicts = verdicts?;
    if verdicts.len() != logs.len() {
        return Err(format!("{} verdicts for {} logs", verdicts.len(), logs.len()));
    }
    Ok(verdicts)
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
