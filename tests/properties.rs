//! Properties: any string survives every emitter as data (never as code or syntax), and no
//! front-end panics on any input.

mod common;
#[path = "support/panther_py.rs"]
mod panther_py;
#[path = "support/sigma_engine.rs"]
mod sigma_engine;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use ruleport::backend::{self, EmitCtx};
use ruleport::diag::{Diagnostics, SourceFile, Sources};
use ruleport::frontend::{self, Options, ParseCtx};
use ruleport::ir::{
    Case, Expr, FieldPath, NativeSource, Op, Platform, Predicate, Query, Rule, TestCase, Value,
};
use serde_json::json;

/// Strings rich in everything that breaks naive emitters.
fn nasty() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("\\".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\"\"\"".to_string()),
        Just("{}".to_string()),
        Just("{x}".to_string()),
        Just("\0".to_string()),
        Just("*".to_string()),
        Just("?".to_string()),
        Just("#".to_string()),
        Just(": ".to_string()),
        Just("- ".to_string()),
        Just("\u{2028}".to_string()),
        Just("é".to_string()),
        Just("\t".to_string()),
        "[a-zA-Z0-9 ]{0,3}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(pieces, 1..8).prop_map(|v| v.concat())
}

fn rule_for(value: &str, op: Op, case: Case) -> Rule {
    let mut rule = Rule::default();
    rule.meta.id = "Prop.Rule".into();
    rule.meta.title = "Property rule".into();
    rule.origin.format = "panther_yaml".into();
    rule.origin.platform = Some(Platform::Panther);
    rule.logsource.native = vec![NativeSource { platform: Platform::Panther, id: "Custom.Prop".into() }];
    let pred = Predicate::new(FieldPath::keys(["outer", "field"]), op, vec![Value::Str(value.into())], case);
    rule.query = Query::filter(Expr::pred(pred, None));
    rule.tests = vec![TestCase::event(value, json!({"outer": {"field": value}}), true)];
    rule
}

fn emit(rule: &Rule, backend: &str) -> Vec<ruleport::backend::OutputFile> {
    let b = backend::by_name(backend).unwrap();
    let mut d = Diagnostics::new();
    let out = b.emit(rule, &EmitCtx { stem: "prop".into() }, &mut d);
    out.unwrap_or_else(|| panic!("{backend} emitted nothing: {d:?}"))
}

fn perturbed(s: &str) -> String {
    format!("{s}x")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sigma_values_are_data(s in nasty()) {
        for (op, case) in [(Op::Eq, Case::Sensitive), (Op::Eq, Case::Insensitive), (Op::Contains, Case::Sensitive)] {
            let files = emit(&rule_for(&s, op, case), "sigma");
            let yaml = &files[0].content;
            let doc: serde_yaml::Value = serde_yaml::from_str(yaml).expect("emitted Sigma is YAML");
            prop_assert!(doc["detection"]["condition"].is_string());
            let hit = json!({"outer": {"field": s.clone()}});
            let miss = json!({"outer": {"field": format!("{}Z", s.chars().rev().collect::<String>())}});
            let verdicts = sigma_engine::sigma_matches_all(yaml, &[hit, miss.clone()]).map_err(TestCaseError::fail)?;
            prop_assert!(verdicts[0], "no match on the value itself:\n{}", yaml);
            let expected_miss = ruleport::eval::eval_rule(&rule_for(&s, op, case), &miss).unwrap();
            prop_assert_eq!(verdicts[1], expected_miss, "{}", yaml);
        }
    }

    #[test]
    fn dsl_values_are_data(s in nasty()) {
        let files = emit(&rule_for(&s, Op::Eq, Case::Sensitive), "es-dsl");
        let body: serde_json::Value = serde_json::from_str(&files[0].content).expect("emitted DSL is JSON");
        prop_assert_eq!(&body["query"]["term"]["outer.field"]["value"], &json!(s));
    }

    #[test]
    fn panther_yaml_round_trips_tests(s in nasty()) {
        let files = emit(&rule_for(&s, Op::Eq, Case::Sensitive), "panther");
        let yml: serde_yaml::Value = serde_yaml::from_str(&files[1].content).expect("emitted .yml is YAML");
        prop_assert_eq!(yml["Tests"][0]["Name"].as_str(), Some(s.as_str()));
        prop_assert_eq!(yml["Tests"][0]["Log"]["outer"]["field"].as_str(), Some(s.as_str()));
    }

    #[test]
    fn frontends_never_panic(text in ".{0,200}", prefix in prop::sample::select(vec!["", "AnalysisType: rule\nRuleID: x\n", "Detection:\n  - "])) {
        let text = format!("{prefix}{text}");
        for f in frontend::ALL {
            let mut sources = Sources::new();
            let id = sources.add(SourceFile::new("prop.yml", text.clone()));
            let _ = f.parse(&mut ParseCtx { sources: &mut sources, options: &Options::default() }, id);
        }
    }
}

/// Python: one python3 run checks many strings, so this is a plain test over a fixed sample
/// drawn from the same strategy.
#[test]
fn python_values_are_data() {
    if !panther_py::python3_available() {
        eprintln!("python3 not found: skipping");
        return;
    }
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = nasty();
    for _ in 0..24 {
        let s = strategy.new_tree(&mut runner).unwrap().current();
        for (op, case) in [
            (Op::Eq, Case::Sensitive),
            (Op::Eq, Case::Insensitive),
            (Op::Contains, Case::Sensitive),
            (Op::Match, Case::Insensitive),
        ] {
            let rule = rule_for(&s, op, case);
            let files = emit(&rule, "panther");
            let hit = json!({"outer": {"field": s.clone()}});
            let miss = json!({"outer": {"field": perturbed(&s.chars().rev().collect::<String>())}});
            let got = panther_py::run_panther_rule(&files[0].content, &[hit.clone(), miss.clone()]).unwrap();
            let want: Vec<bool> =
                [hit, miss].iter().map(|e| ruleport::eval::eval_rule(&rule, e).unwrap()).collect();
            assert_eq!(got, want, "{s:?} with {op:?}/{case:?}:\n{}", files[0].content);
        }
    }
}

/// The Python front-end never panics, whatever `rule(event)` contains.
#[test]
fn python_translation_never_panics() {
    let fragments = [
        "event.get('a')",
        "event.get('a', '')",
        "event.deep_get('a', 'b', default=1)",
        "event['k']",
        "'x'",
        "1",
        "-2",
        "None",
        "True",
        "[1, 'a']",
        "{'k': 1}",
        "re.match('a+', event.get('s', ''))",
        "any(x.get('n') for x in event.get('l', []))",
        "all([])",
        "str(event.get('n'))",
        "event.get('p', '').split('/')[-1]",
        "len(event)",
        "x",
        "event.udm('u')",
        "f'{event.get(\"a\")}'",
        "not",
        "and",
        "or",
        "==",
        "!=",
        "in",
        "not in",
        "is",
        "is not",
        "<",
        ">=",
        "(",
        ")",
        ".lower()",
        ".startswith('a')",
        "isinstance(event.get('a'), str)",
        "lambda: 1",
        "*",
    ];
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop::collection::vec(prop::sample::select(fragments.to_vec()), 1..12);
    let dir = std::env::temp_dir().join(format!("ruleport-pyprop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yml = "AnalysisType: rule\nRuleID: P\nFilename: p.py\nLogTypes: [AWS.CloudTrail]\nTests:\n  - Name: t\n    ExpectedResult: true\n    Log: {a: 1}\n";
    for _ in 0..300 {
        let body = strategy.new_tree(&mut runner).unwrap().current().join(" ");
        let py = format!("import re\n\ndef helper(event):\n    return {body}\n\ndef rule(event):\n    if {body}:\n        return helper(event)\n    return {body}\n");
        std::fs::write(dir.join("p.py"), &py).unwrap();
        let path = dir.join("p.yml");
        std::fs::write(&path, yml).unwrap();
        let mut sources = Sources::new();
        let (_, parsed) =
            ruleport::driver::parse_source(&mut sources, &Options::default(), None, &path, yml.to_string());
        for p in parsed {
            if let Some(rule) = p.rule {
                let mut d = p.diags;
                ruleport::driver::self_check(&rule, &mut d);
                for b in backend::ALL {
                    let _ = ruleport::driver::emit(&rule, *b, "p", &mut d);
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
