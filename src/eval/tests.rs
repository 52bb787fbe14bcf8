use super::*;
use crate::ir::{Anchor, Case, Op, Pattern, Piece, Regex, RegexFlavor, Value};
use serde_json::json;

fn pred(path: &[&str], op: Op, values: Vec<Value>, case: Case) -> Expr {
    Expr::pred(Predicate::new(FieldPath::keys(path.iter().copied()), op, values, case), None)
}

fn s(x: &str) -> Value {
    Value::Str(x.into())
}

fn ev(e: &Expr, j: Json) -> bool {
    eval_expr(e, &j).unwrap()
}

#[test]
fn missing_field_is_false_and_its_negation_true() {
    let e = pred(&["a"], Op::Eq, vec![s("x")], Case::Sensitive);
    assert!(!ev(&e, json!({})));
    assert!(ev(&Expr::not(e, None), json!({})));
    let null = pred(&["a"], Op::IsNull, vec![], Case::Sensitive);
    assert!(ev(&null, json!({})));
    assert!(ev(&null, json!({"a": null})));
    assert!(!ev(&null, json!({"a": ""})));
    let exists = pred(&["a"], Op::Exists, vec![], Case::Sensitive);
    assert!(!ev(&exists, json!({"a": null})));
    assert!(ev(&exists, json!({"a": 0})));
}

#[test]
fn case_sensitivity_is_carried() {
    let cs = pred(&["a"], Op::Eq, vec![s("Admin")], Case::Sensitive);
    let ci = pred(&["a"], Op::Eq, vec![s("Admin")], Case::Insensitive);
    assert!(!ev(&cs, json!({"a": "admin"})));
    assert!(ev(&ci, json!({"a": "ADMIN"})));
    let sw = pred(&["a"], Op::StartsWith, vec![s("Ad")], Case::Insensitive);
    assert!(ev(&sw, json!({"a": "aDmin"})));
}

#[test]
fn contains_is_substring_on_strings_and_membership_on_arrays() {
    let e = pred(&["a"], Op::Contains, vec![s("mid")], Case::Sensitive);
    assert!(ev(&e, json!({"a": "amidst"})));
    assert!(!ev(&e, json!({"a": ["amidst"]})));
    assert!(ev(&e, json!({"a": ["x", "mid"]})));
    let b = pred(&["a"], Op::Contains, vec![Value::Bool(true)], Case::Sensitive);
    assert!(ev(&b, json!({"a": [false, true]})));
}

#[test]
fn term_is_whole_term_not_substring() {
    let e = pred(&["a"], Op::Term, vec![s("evil")], Case::Insensitive);
    assert!(ev(&e, json!({"a": "an EVIL.exe"})));
    assert!(!ev(&e, json!({"a": "medieval"})));
}

#[test]
fn value_quantifiers() {
    let mut p = Predicate::new(FieldPath::key("a"), Op::Contains, vec![s("x"), s("y")], Case::Sensitive);
    assert!(eval_expr(&Expr::pred(p.clone(), None), &json!({"a": "x"})).unwrap());
    p.quantifier = Quantifier::All;
    assert!(!eval_expr(&Expr::pred(p.clone(), None), &json!({"a": "x"})).unwrap());
    assert!(eval_expr(&Expr::pred(p, None), &json!({"a": "yx"})).unwrap());
}

#[test]
fn each_segment_fans_out_with_its_quantifier() {
    let path = |q| FieldPath(vec![Seg::Key("l".into()), Seg::Each(q), Seg::Key("k".into())]);
    let any = Expr::pred(Predicate::new(path(Quantifier::Any), Op::Eq, vec![s("v")], Case::Sensitive), None);
    let all = Expr::pred(Predicate::new(path(Quantifier::All), Op::Eq, vec![s("v")], Case::Sensitive), None);
    let doc = json!({"l": [{"k": "v"}, {"k": "w"}]});
    assert!(ev(&any, doc.clone()));
    assert!(!ev(&all, doc));
    assert!(ev(&all, json!({"l": [{"k": "v"}]})));
    // A scalar where an array was expected counts as one element.
    assert!(ev(&any, json!({"l": {"k": "v"}})));
    assert!(!ev(&any, json!({})));
}

#[test]
fn index_segments_count_from_either_end() {
    let p = |i| FieldPath(vec![Seg::Key("a".into()), Seg::Index(i)]);
    let first = Expr::pred(Predicate::new(p(0), Op::Eq, vec![Value::Int(403)], Case::Sensitive), None);
    let last = Expr::pred(Predicate::new(p(-1), Op::Eq, vec![Value::Int(7)], Case::Sensitive), None);
    assert!(ev(&first, json!({"a": [403, 7]})));
    assert!(ev(&last, json!({"a": [403, 7]})));
    assert!(!ev(&first, json!({"a": []})));
}

#[test]
fn numbers_compare_numerically_and_not_with_strings() {
    let gt = pred(&["n"], Op::Gt, vec![Value::Int(10)], Case::Sensitive);
    assert!(ev(&gt, json!({"n": 10.5})));
    assert!(!ev(&gt, json!({"n": "11"})));
    let eq = pred(&["n"], Op::Eq, vec![Value::Int(403)], Case::Sensitive);
    assert!(ev(&eq, json!({"n": 403.0})));
    assert!(!ev(&eq, json!({"n": "403"})));
}

#[test]
fn wildcard_regex_and_cidr() {
    let pat = Pattern(vec![Piece::Lit("a".into()), Piece::AnyChars, Piece::Lit("*z".into()), Piece::AnyChar]);
    let w = pred(&["f"], Op::Wildcard, vec![Value::Pattern(pat)], Case::Sensitive);
    assert!(ev(&w, json!({"f": "abc*zQ"})));
    assert!(!ev(&w, json!({"f": "abczQ"})));
    let re = |anchor| Value::Regex(Regex { pattern: "b+c".into(), flavor: RegexFlavor::Python, anchor });
    assert!(ev(&pred(&["f"], Op::Regex, vec![re(Anchor::None)], Case::Sensitive), json!({"f": "abbc"})));
    assert!(!ev(&pred(&["f"], Op::Regex, vec![re(Anchor::Start)], Case::Sensitive), json!({"f": "abbc"})));
    assert!(!ev(&pred(&["f"], Op::Regex, vec![re(Anchor::Full)], Case::Sensitive), json!({"f": "bbcd"})));
    let c = pred(&["ip"], Op::Cidr, vec![Value::Cidr("10.0.0.0/8".into())], Case::Sensitive);
    assert!(ev(&c, json!({"ip": "10.2.3.4"})));
    assert!(!ev(&c, json!({"ip": "11.2.3.4"})));
    assert!(!ev(&c, json!({"ip": "not an ip"})));
}

#[test]
fn python_dollar_also_matches_before_a_final_newline() {
    let re = |p: &str, flavor| {
        pred(
            &["f"],
            Op::Regex,
            vec![Value::Regex(Regex { pattern: p.into(), flavor, anchor: Anchor::None })],
            Case::Sensitive,
        )
    };
    assert!(ev(&re("c$", RegexFlavor::Python), json!({"f": "abc\n"})));
    assert!(!ev(&re("c$", RegexFlavor::Python), json!({"f": "abc\n\n"})));
    assert!(ev(&re("c[$]", RegexFlavor::Python), json!({"f": "c$"})));
    assert!(ev(&re("c[]$]", RegexFlavor::Python), json!({"f": "c$"})));
    assert!(ev(&re("c\\$", RegexFlavor::Python), json!({"f": "c$"})));
    assert!(!ev(&re("c$", RegexFlavor::Lucene), json!({"f": "abc\n"})));
}

#[test]
fn truthiness_is_pythons() {
    let t = pred(&["x"], Op::Truthy, vec![], Case::Sensitive);
    for (doc, want) in [
        (json!({"x": 1}), true),
        (json!({"x": "a"}), true),
        (json!({"x": [0]}), true),
        (json!({"x": 0}), false),
        (json!({"x": ""}), false),
        (json!({"x": []}), false),
        (json!({"x": {}}), false),
        (json!({"x": false}), false),
        (json!({"x": null}), false),
        (json!({}), false),
    ] {
        assert_eq!(ev(&t, doc.clone()), want, "{doc}");
    }
}

#[test]
fn field_to_field_comparison() {
    let e = pred(&["a"], Op::Eq, vec![Value::Field(FieldPath::key("b"))], Case::Sensitive);
    assert!(ev(&e, json!({"a": "x", "b": "x"})));
    assert!(!ev(&e, json!({"a": "x", "b": "y"})));
    assert!(!ev(&e, json!({"a": "x"})));
}

#[test]
fn globs_with_many_stars_match_in_linear_stack_and_polynomial_time() {
    use crate::eval::matchers::glob_match;
    let mut pieces = Vec::new();
    for _ in 0..40 {
        pieces.extend([Piece::AnyChars, Piece::Lit("a".into())]);
    }
    let backtracking = Pattern(pieces);
    assert!(!glob_match(&backtracking, &format!("{}b", "a".repeat(60)), Case::Sensitive));
    assert!(glob_match(&backtracking, &"a".repeat(60), Case::Sensitive));
    let runs =
        Pattern((0..40_000).map(|i| if i % 2 == 0 { Piece::AnyChars } else { Piece::AnyChar }).collect());
    assert!(glob_match(&runs, &"x".repeat(20_000), Case::Sensitive));
    assert!(!glob_match(&runs, &"x".repeat(19_999), Case::Sensitive));
    let mixed =
        Pattern(vec![Piece::Lit("A".into()), Piece::AnyChar, Piece::AnyChars, Piece::Lit("c".into())]);
    assert!(glob_match(&mixed, "aXbc", Case::Insensitive));
    assert!(!glob_match(&mixed, "ac", Case::Insensitive));
}

#[test]
fn a_computed_operand_is_never_read_as_an_event_field() {
    use crate::ir::{ColumnId, Root};
    let mut p = Predicate::new(FieldPath::key("a"), Op::Eq, vec![s("x")], Case::Sensitive);
    p.root = Root::Column(ColumnId(0));
    let e = Expr::pred(p, None);
    assert!(eval_expr(&e, &json!({"a": "x"})).is_err());
}

#[test]
fn keys_spelled_in_another_case_are_found_for_compared_fields_too() {
    use crate::ir::{LogSource, Query, Rule, Value};
    let e = pred(&["a"], Op::Eq, vec![Value::Field(FieldPath::key("b"))], Case::Sensitive);
    let logsource = LogSource { case_insensitive_keys: true, ..LogSource::default() };
    let rule = Rule { query: Query::filter(e), logsource, ..Rule::default() };
    assert_eq!(eval_rule(&rule, &json!({"A": "x", "B": "x"})), Ok(true));
    assert_eq!(eval_rule(&rule, &json!({"A": "x", "B": "y"})), Ok(false));
}
