//! The fixture × back-end snapshot matrix, built from the registries: every fixture gets an
//! `@ir` snapshot and one snapshot per back-end, each ending with its diagnostics.
//! Snapshots live at `tests/snapshots/<platform>/<case>@<backend>.snap`.
//! A new platform or back-end needs no code here.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use ruleport::backend;
use ruleport::diag::Diagnostics;
use ruleport::eval;
use ruleport::ir::pretty::render_rule;
use std::path::Path;

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for (platform, case, path) in common::fixtures() {
        let p = path.clone();
        let (pl, c) = (platform.clone(), case.clone());
        trials.push(Trial::test(format!("{platform}/{case}@ir"), move || snapshot_ir(&pl, &c, &p)));
        for b in backend::ALL {
            let (pl, c, p) = (platform.clone(), case.clone(), path.clone());
            let id = b.id();
            trials.push(Trial::test(format!("{platform}/{case}@{id}"), move || {
                snapshot_backend(&pl, &c, &p, id)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn settings(platform: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(common::root().join("tests/snapshots").join(platform));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn run_snapshot(platform: &str, name: String, body: String) -> Result<(), Failed> {
    let result = std::panic::catch_unwind(|| {
        settings(platform).bind(|| insta::assert_snapshot!(name, body));
    });
    result.map_err(|e| {
        let msg =
            e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
        Failed::from(msg.unwrap_or_else(|| "snapshot mismatch".into()))
    })
}

fn snapshot_ir(platform: &str, case: &str, path: &Path) -> Result<(), Failed> {
    let loaded = common::load(path);
    let mut body = String::new();
    for p in &loaded.parsed {
        let mut diags: Diagnostics = p.diags.clone();
        if let Some(rule) = &p.rule {
            body.push_str(&render_rule(rule));
            body.push_str("tests:\n");
            for t in eval::run_tests(rule) {
                let actual = t.actual.map_or("-".to_string(), |a| a.to_string());
                let mark = if t.pass { "pass" } else { "FAIL" };
                body.push_str(&format!("  {mark} {} (expected {}, got {actual})\n", t.name, t.expected));
            }
            ruleport::driver::self_check(rule, &mut diags);
        }
        body.push_str("--- diagnostics ---\n");
        body.push_str(&common::render(&diags, &loaded));
    }
    run_snapshot(platform, format!("{case}@ir"), body)
}

fn snapshot_backend(platform: &str, case: &str, path: &Path, backend: &str) -> Result<(), Failed> {
    let loaded = common::load(path);
    let mut body = String::new();
    for (files, diags) in common::emit_all(&loaded, backend) {
        for f in &files {
            body.push_str(&format!("--- {case}{} ---\n", f.suffix));
            body.push_str(&f.content);
            if !f.content.ends_with('\n') {
                body.push('\n');
            }
        }
        body.push_str("--- diagnostics ---\n");
        body.push_str(&common::render(&diags, &loaded));
    }
    run_snapshot(platform, format!("{case}@{backend}"), body)
}
