//! Differential test against Elastic's own KQL evaluator: tests/data/kuery_probes.json holds,
//! for every kuery query of the corpus, probe documents built from the query's literals and the
//! verdict of Elastic's KQL library (detection-rules `lib/kql`) on each (see
//! tests/data/gen_kuery_probes.py). Each probe runs through ruleport's IR, and through the
//! emitted Sigma under an independent engine (rsigma) wherever that conversion is `ok`.
//! The library evaluates every field as a keyword, while Elasticsearch analyses text fields
//! (`message`, PowerShell script blocks): queries on those are left out here and their word
//! matching is pinned by `eval::analyzer`'s tests and the `text_fields` fixture.
//! Each check is a trial that needs the corpus: reported as ignored when it is absent
//! (a failure with `RULEPORT_REQUIRE_CORPUS=1`).

mod common;
#[path = "support/sigma_engine.rs"]
mod sigma_engine;

use ruleport::diag::Severity;
use serde_json::Value as Json;
use std::path::Path;

fn put(doc: &mut Json, path: &[&str], value: Option<&Json>) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut cur = doc;
    for key in parents {
        let Some(obj) = cur.as_object_mut() else { return };
        let next = obj.entry(key.to_string()).or_insert_with(|| Json::Object(Default::default()));
        if !next.is_object() {
            if value.is_none() {
                return;
            }
            *next = Json::Object(Default::default());
        }
        cur = next;
    }
    if let Some(obj) = cur.as_object_mut() {
        match value {
            Some(v) => {
                obj.insert(last.to_string(), v.clone());
            }
            None => {
                obj.remove(*last);
            }
        }
    }
}

fn ir_and_sigma_agree_with_elastics_kql_evaluator(corpus: &Path) {
    let data: Vec<Json> =
        serde_json::from_str(include_str!("data/kuery_probes.json")).expect("kuery_probes.json is JSON");
    let (mut ir_total, mut ir_agree, mut sigma_total, mut sigma_agree) = (0usize, 0usize, 0usize, 0usize);
    let mut ir_misses = Vec::new();
    let mut sigma_misses = Vec::new();
    let mut text_rules = 0usize;
    for entry in &data {
        let (Some(file), Some(base)) = (entry["file"].as_str(), entry.get("base")) else { continue };
        let path = corpus.join(file);
        if !path.is_file() {
            continue;
        }
        let loaded = common::load(&path);
        let Some(rule) = loaded.parsed.first().and_then(|p| p.rule.as_ref()) else { continue };
        let Some(filter) = rule.filter() else { continue };
        if filter.predicates().iter().any(|p| p.op == ruleport::ir::Op::Match) {
            text_rules += 1;
            continue;
        }
        let (sigma_files, sigma_diags) = common::emit_all(&loaded, "sigma").remove(0);
        let sigma = (sigma_diags.worst() < Some(Severity::Lossy)).then(|| sigma_files[0].content.clone());
        let mut docs: Vec<(Json, bool, String)> = Vec::new();
        if let Some(expected) = entry["base_expected"].as_bool() {
            docs.push((base.clone(), expected, "base".into()));
        }
        for probe in entry["probes"].as_array().into_iter().flatten() {
            let field = probe["field"].as_str().unwrap_or_default();
            let mut doc = base.clone();
            let path: Vec<&str> = field.split('.').collect();
            put(&mut doc, &path, (!probe["missing"].as_bool().unwrap_or(false)).then_some(&probe["value"]));
            let label = format!("{field} = {}", probe["value"]);
            docs.push((doc, probe["expected"].as_bool().unwrap_or(false), label));
        }
        for (doc, expected, label) in docs {
            ir_total += 1;
            match ruleport::eval::eval_expr(&filter, &doc) {
                Ok(got) if got == expected => ir_agree += 1,
                got => ir_misses.push(format!("{file}: {label}: Elastic {expected}, IR {got:?}")),
            }
            if let Some(yaml) = &sigma {
                sigma_total += 1;
                match sigma_engine::sigma_matches(yaml, &doc) {
                    Ok(got) if got == expected => sigma_agree += 1,
                    got => sigma_misses.push(format!("{file}: {label}: Elastic {expected}, Sigma {got:?}")),
                }
            }
        }
    }
    let rate = |a: usize, t: usize| 100.0 * a as f64 / t.max(1) as f64;
    eprintln!(
        "IR agrees with Elastic's KQL evaluator on {ir_agree}/{ir_total} probes ({:.2}%)",
        rate(ir_agree, ir_total)
    );
    eprintln!(
        "emitted Sigma (ok conversions, rsigma) agrees on {sigma_agree}/{sigma_total} probes ({:.2}%)",
        rate(sigma_agree, sigma_total)
    );
    eprintln!("left out: {text_rules} queries on analysed text fields");
    eprintln!("first IR disagreements: {:#?}", &ir_misses[..ir_misses.len().min(15)]);
    eprintln!("first Sigma disagreements: {:#?}", &sigma_misses[..sigma_misses.len().min(15)]);
    assert!(ir_total > 10_000, "only {ir_total} probes ran");
    // Measured: every probe agrees. A regression names its first disagreements above.
    assert_eq!(ir_agree, ir_total, "the IR disagrees with Elastic's evaluator");
    assert_eq!(sigma_agree, sigma_total, "an ok Sigma conversion disagrees with Elastic's evaluator");
}

fn main() {
    common::run_corpus_checks(&[(
        "ir_and_sigma_agree_with_elastics_kql_evaluator",
        ir_and_sigma_agree_with_elastics_kql_evaluator,
    )]);
}
