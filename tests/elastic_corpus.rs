//! Issue 4's measures on ../shared/corpus/elastic: every kuery query parses; every rule
//! converts to each back-end with status ok or lossy; kuery → IR → kuery → IR gives
//! the same IR. Each check is a trial that needs the corpus: reported as ignored when it is absent
//! (a failure with `RULEPORT_REQUIRE_CORPUS=1`).

mod common;

use ruleport::diag::{Code, Severity, Sources};
use ruleport::driver;
use ruleport::frontend::Options;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn toml_files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = dirs.iter().flat_map(|d| common::files_with_ext(d, &["toml"])).collect();
    out.sort();
    out
}

fn kuery_rules(corpus: &Path) -> Vec<PathBuf> {
    let dirs = ["rules", "rules_building_block", "seeds"].map(|d| corpus.join("elastic").join(d));
    toml_files(&dirs)
        .into_iter()
        .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("language = \"kuery\"")))
        .collect()
}

fn every_kuery_query_parses_and_converts(corpus: &Path) {
    let files = kuery_rules(corpus);
    assert!(files.len() > 500, "corpus looks incomplete: {} files", files.len());
    let mut syntax_errors = Vec::new();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let loaded = common::load(path);
        for p in &loaded.parsed {
            if p.diags.iter().any(|d| d.code == Code::Syntax) {
                syntax_errors.push(path.display().to_string());
            }
        }
        for b in ruleport::backend::ALL {
            for (files, diags) in common::emit_all(&loaded, b.id()) {
                let status = match diags.worst() {
                    Some(Severity::Error) => "error",
                    Some(Severity::Lossy) => "lossy",
                    _ => "ok",
                };
                assert!(
                    !files.is_empty() || status == "error",
                    "{}: {} gave nothing",
                    path.display(),
                    b.id()
                );
                *outcomes.entry(format!("{}:{status}", b.id())).or_default() += 1;
                if let Some(d) = diags.iter().find(|d| d.severity == Severity::Error) {
                    let key: String = d.message.chars().take(70).collect();
                    *errors.entry(format!("{}: {key}", b.id())).or_default() += 1;
                }
            }
        }
    }
    eprintln!("{} kuery rules; outcomes: {outcomes:#?}", files.len());
    eprintln!("errors: {errors:#?}");
    assert!(syntax_errors.is_empty(), "kuery queries that do not parse: {syntax_errors:#?}");
    // Issue 4: every rule converts to these targets with status ok or lossy.
    for b in ["sigma", "elastic_dsl", "panther_python", "kuery", "elastic_rule"] {
        let errs = outcomes.get(&format!("{b}:error")).copied().unwrap_or(0);
        assert_eq!(errs, 0, "{b}: {errs} errors: {errors:#?}");
    }
}

fn kuery_round_trip_gives_the_same_ir(corpus: &Path) {
    let (mut checked, mut differ) = (0usize, Vec::new());
    let ir_of = |text: &str| {
        let mut sources = Sources::new();
        let path = Path::new("q.kuery");
        let (_, parsed) =
            driver::parse_source(&mut sources, &Options::default(), None, path, text.to_string());
        parsed.into_iter().next().and_then(|p| p.rule)
    };
    for path in kuery_rules(corpus) {
        let doc: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        let Some(query) = doc.get("rule").and_then(|r| r.get("query")).and_then(|q| q.as_str()) else {
            continue;
        };
        let Some(rule) = ir_of(query) else { continue };
        let Some(first) = rule.filter() else { continue };
        let mut diags = ruleport::diag::Diagnostics::new();
        let Some(text) = ruleport::platform::elastic::emit::kuery::query_text(&rule, &mut diags) else {
            continue;
        };
        let second = ir_of(&text).and_then(|r| r.filter());
        checked += 1;
        if second.map(|s| s.without_spans()) != Some(first.without_spans()) {
            differ.push(format!("{}: {text}", path.display()));
        }
    }
    eprintln!("kuery round trip: {} of {checked} identical", checked - differ.len());
    assert!(checked > 450, "only {checked} rules had a kuery form");
    assert!(differ.is_empty(), "round trip changed the IR: {differ:#?}");
}

/// The seed rule (quoted on Elastic's documentation page) converts to every target.
fn the_seed_rule_converts_to_every_target(corpus: &Path) {
    let seed = corpus.join("elastic/seeds/004_attempt_to_revoke_okta_api_token.toml");
    let loaded = common::load(&seed);
    for b in ruleport::backend::ALL {
        let (files, diags) = common::emit_all(&loaded, b.id()).remove(0);
        assert!(!diags.has_errors(), "{}: {}", b.id(), common::render(&diags, &loaded));
        let body: String = files.iter().map(|f| format!("--- {} ---\n{}", f.suffix, f.content)).collect();
        let text = format!("{body}--- diagnostics ---\n{}", common::render(&diags, &loaded));
        let text = text.replace(&corpus.display().to_string(), "<corpus>");
        insta::assert_snapshot!(format!("elastic_seed_004@{}", b.id()), text);
    }
}

/// Lucene rules in history/: each query parses as Lucene, or (kuery labelled Lucene, whose
/// unescaped `/` in CIDRs open regexes Elasticsearch would reject) the rule is read as kuery
/// with a `lossy` note and no error; Lucene → IR → Lucene → IR holds.
fn lucene_history_parses_and_round_trips(corpus: &Path) {
    let files: Vec<PathBuf> = toml_files(&[corpus.join("elastic/history")])
        .into_iter()
        .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("language = \"lucene\"")))
        .collect();
    let ir_of = |text: &str| {
        let mut sources = Sources::new();
        let (_, parsed) = driver::parse_source(
            &mut sources,
            &Options::default(),
            None,
            Path::new("q.lucene"),
            text.to_string(),
        );
        parsed.into_iter().next()
    };
    let (mut parsed, mut rejected, mut differ) = (0usize, Vec::new(), Vec::new());
    for path in &files {
        let doc: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
        let query = doc["rule"]["query"].as_str().unwrap_or_default();
        let Some(first) = ir_of(query) else { continue };
        if first.diags.iter().any(|d| d.code == Code::Syntax) {
            rejected.push(path.file_name().unwrap().to_string_lossy().into_owned());
            continue;
        }
        parsed += 1;
        let rule = first.rule.expect("rule");
        let mut diags = ruleport::diag::Diagnostics::new();
        let Some(text) = ruleport::platform::elastic::emit::lucene::query_text(&rule, &mut diags) else {
            continue;
        };
        let second = ir_of(&text).and_then(|p| p.rule).and_then(|r| r.filter());
        if second.map(|s| s.without_spans()) != rule.filter().map(|f| f.without_spans()) {
            differ.push(format!("{}: {text}", path.display()));
        }
    }
    eprintln!("{} Lucene rules: {parsed} parse as Lucene; read as kuery: {rejected:?}", files.len());
    assert!(files.len() >= 13, "corpus looks incomplete");
    assert!(rejected.len() <= 1, "more Lucene queries fail to parse: {rejected:?}");
    for path in files.iter().filter(|f| rejected.iter().any(|r| f.ends_with(r))) {
        let loaded = common::load(path);
        let diags = &loaded.parsed[0].diags;
        assert!(!diags.has_errors(), "{}: {}", path.display(), common::render(diags, &loaded));
        assert!(diags.iter().any(|d| d.message.contains("read as kuery")), "{}", path.display());
    }
    assert!(differ.is_empty(), "round trip changed the IR: {differ:#?}");
}

/// An emitted Elastic rule (TOML and NDJSON) reads back to the same detection.
fn emitted_elastic_rules_read_back_the_same(corpus: &Path) {
    let (mut checked, mut differ) = (0usize, Vec::new());
    for path in kuery_rules(corpus) {
        let loaded = common::load(&path);
        let emitted = common::emit_all(&loaded, "elastic_rule");
        for (p, (files, _)) in loaded.parsed.iter().zip(emitted) {
            let Some(first) = p.rule.as_ref().and_then(|r| r.filter()) else { continue };
            for f in &files {
                let mut sources = Sources::new();
                let name = format!("out{}", f.suffix);
                let (_, again) = driver::parse_source(
                    &mut sources,
                    &Options::default(),
                    None,
                    Path::new(&name),
                    f.content.clone(),
                );
                let second = again.first().and_then(|p| p.rule.as_ref()).and_then(|r| r.filter());
                checked += 1;
                if second.map(|s| s.without_spans()) != Some(first.without_spans()) {
                    differ.push(format!("{} ({})", path.display(), f.suffix));
                }
            }
        }
    }
    eprintln!("emitted Elastic rules read back identically: {} of {checked}", checked - differ.len());
    assert!(checked > 900, "only {checked} outputs");
    assert!(differ.is_empty(), "{differ:#?}");
}

fn main() {
    common::run_corpus_checks(&[
        ("every_kuery_query_parses_and_converts", every_kuery_query_parses_and_converts),
        ("kuery_round_trip_gives_the_same_ir", kuery_round_trip_gives_the_same_ir),
        ("the_seed_rule_converts_to_every_target", the_seed_rule_converts_to_every_target),
        ("lucene_history_parses_and_round_trips", lucene_history_parses_and_round_trips),
        ("emitted_elastic_rules_read_back_the_same", emitted_elastic_rules_read_back_the_same),
    ]);
}
