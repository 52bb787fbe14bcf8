//! The walks reach every field path, element-relative ones with their prefix.

use super::*;
use crate::ir::fold::{fold_expr_children, fold_rule, FieldAt, Fold, FoldScope};
use crate::ir::{AggFunc, Case, ColumnId, Func, Op, OutputField, Quantifier, Seg, SortKey};
use crate::ir::{Aggregate, Binding, Let};

fn path(s: &str) -> FieldPath {
    FieldPath::keys(s.split('.'))
}

fn pred(field: &str, values: Vec<Value>) -> Expr {
    Expr::pred(Predicate::new(path(field), Op::Eq, values, Case::Sensitive), None)
}

fn elements(at: &str, body: Expr, until: Option<Expr>) -> Expr {
    let el = Elements {
        path: path(at),
        quantifier: Quantifier::Any,
        body: Box::new(body),
        until: until.map(Box::new),
    };
    Expr::new(ExprKind::Elements(el), None)
}

/// `a == field(b)` and, for each element of `l`, `x == 1` and (ordered) `y` in each
/// element of its `m`, guarded by `u == field(v)`.
fn nested() -> Expr {
    let inner = elements("m", pred("y", vec![Value::Int(1)]), None);
    let body = Expr::and(vec![pred("x", vec![Value::Int(1)]), inner], None);
    let guard = pred("u", vec![Value::Field(path("v"))]);
    Expr::and(vec![pred("a", vec![Value::Field(path("b"))]), elements("l", body, Some(guard))], None)
}

fn seen(e: &Expr) -> Vec<(String, Site, String)> {
    let mut out = Vec::new();
    e.for_each_field(|f| {
        let within: Vec<String> = f.within.iter().map(|p| p.to_string()).collect();
        out.push((f.absolute().to_string(), f.site, within.join("/")));
    });
    out
}

#[test]
fn every_field_of_an_expression_comes_with_its_element_prefix() {
    let got = seen(&nested());
    let want = [
        ("a", Site::Predicate, ""),
        ("b", Site::Value, ""),
        ("l", Site::Elements, ""),
        ("l[*].x", Site::Predicate, "l"),
        ("l[*].m", Site::Elements, "l"),
        ("l[*].m[*].y", Site::Predicate, "l/m"),
        ("l[*].u", Site::Predicate, "l"),
        ("l[*].v", Site::Value, "l"),
    ];
    let want: Vec<(String, Site, String)> =
        want.iter().map(|(a, s, w)| (a.to_string(), *s, w.to_string())).collect();
    assert_eq!(got, want);
}

#[test]
fn an_element_path_ending_in_a_fan_out_is_not_fanned_out_twice() {
    let l = FieldPath(vec![Seg::Key("l".into()), Seg::Each(Quantifier::Any)]);
    let empty = FieldPath::default();
    assert_eq!(absolute([&l], &path("k")).to_string(), "l[*].k");
    // An element that is itself iterated: `for x in l: for y in x: y.k`.
    assert_eq!(absolute([&path("l"), &empty], &path("k")).to_string(), "l[*][*].k");
}

#[test]
fn predicates_and_nodes_include_those_under_elements_and_until() {
    let e = nested();
    let fields: Vec<String> = e.predicates().iter().map(|p| p.field.to_string()).collect();
    assert_eq!(fields, ["a", "x", "y", "u"]);
    let mut nodes = 0;
    e.walk(&mut |_| nodes += 1);
    // and(a, elements(and(x, elements(y)), until u))
    assert_eq!(nodes, 8);
}

#[test]
fn a_computed_operand_is_walked_and_its_path_is_not_an_event_field() {
    let cond = pred("c", vec![Value::Int(1)]);
    let computed = Scalar::Iff {
        cond: Box::new(cond),
        then: Box::new(Scalar::call(Func::ToLower, vec![Scalar::field(path("s"))])),
        otherwise: Box::new(Scalar::Literal(Value::Field(path("t")))),
    };
    let mut p = Predicate::new(path("inside"), Op::Eq, vec![Value::Str("x".into())], Case::Sensitive);
    p.root = Root::Value(Box::new(computed));
    let e = Expr::pred(p, None);
    let mut got = Vec::new();
    e.for_each_field(|f| got.push((f.path.to_string(), f.site, f.event)));
    assert_eq!(
        got,
        [
            ("c".to_string(), Site::Predicate, true),
            ("s".to_string(), Site::Scalar, true),
            ("t".to_string(), Site::Value, true),
            ("inside".to_string(), Site::Predicate, false),
        ]
    );
    assert_eq!(e.predicates().len(), 2);
    // pred → iff → call → field
    assert_eq!(e.depth(), 4);
}

fn binding(id: u32, s: Scalar) -> Binding {
    Binding { column: ColumnId(id), name: format!("c{id}"), value: s }
}

/// A rule that names a field in every place a rule can.
fn everywhere() -> Rule {
    let right = Query::filter(pred("right_side", vec![]));
    let table = Query::filter(pred("let_table", vec![]));
    let agg = Aggregate {
        column: ColumnId(3),
        name: "n".into(),
        func: AggFunc::DistinctCount,
        args: vec![Scalar::field(path("agg_arg"))],
        filter: Some(pred("agg_if", vec![])),
    };
    let stages = [
        StageKind::Where(nested()),
        StageKind::Extend(vec![binding(1, Scalar::field(path("extended")))]),
        StageKind::ProjectAway(vec![path("dropped")]),
        StageKind::Summarize { aggs: vec![agg], by: vec![binding(2, Scalar::field(path("by_key")))] },
        StageKind::Join {
            kind: crate::ir::JoinKind::Inner,
            right: Box::new(right),
            on: vec![(Scalar::field(path("join_left")), Scalar::field(path("join_right")))],
        },
        StageKind::Sort(vec![SortKey {
            value: Scalar::field(path("sorted")),
            descending: true,
            nulls_first: false,
        }]),
        StageKind::Distinct(vec![binding(4, Scalar::field(path("distinct")))]),
    ];
    let mut rule = Rule::default();
    rule.query.stages = stages.into_iter().map(|kind| Stage { kind, span: None }).collect();
    rule.query.lets = vec![
        Let { name: "s".into(), value: LetValue::Scalar(Scalar::field(path("let_scalar"))), span: None },
        Let {
            name: "t".into(),
            value: LetValue::Table { query: Box::new(table), materialized: false },
            span: None,
        },
    ];
    let mut c = Correlation::threshold(2, vec![path("grouped")], None);
    c.kind = CorrelationKind::ValueCount { field: path("counted") };
    c.members.push(Member::Inline { query: Box::new(Query::filter(pred("member", vec![]))), alias: None });
    rule.correlation = Some(c);
    rule.meta.dedup_fields = vec![path("dedup")];
    rule.meta.output_fields = vec![OutputField { name: "Out".into(), field: path("shown") }];
    rule
}

const EVERY_FIELD: [&str; 24] = [
    "a",
    "b",
    "l",
    "l[*].x",
    "l[*].m",
    "l[*].m[*].y",
    "l[*].u",
    "l[*].v",
    "extended",
    "dropped",
    "agg_arg",
    "agg_if",
    "by_key",
    "join_left",
    "join_right",
    "sorted",
    "distinct",
    "let_scalar",
    "let_table",
    "right_side",
    "counted",
    "grouped",
    "member",
    "dedup",
];

#[test]
fn fields_read_lists_every_field_of_every_part_of_a_rule() {
    let rule = everywhere();
    let mut want: BTreeSet<String> = EVERY_FIELD.iter().map(|s| s.to_string()).collect();
    want.insert("shown".into());
    assert_eq!(rule.fields_read(), want);
}

#[test]
fn a_rule_walk_meets_each_site_in_order() {
    let rule = everywhere();
    let mut order = Vec::new();
    rule.for_each_field(|f| order.push((f.absolute().to_string(), f.site)));
    let names: Vec<&str> = order.iter().map(|(n, _)| n.as_str()).collect();
    // The query's own `let`s and stages, then the queries they hold, then the correlation
    // and the metadata.
    let mut want: Vec<&str> = vec!["let_scalar"];
    want.extend(&EVERY_FIELD[..8]);
    want.extend(["extended", "dropped", "agg_arg", "agg_if", "by_key", "join_left", "join_right"]);
    want.extend(["sorted", "distinct", "let_table", "right_side", "counted", "grouped", "member"]);
    want.extend(["dedup", "shown"]);
    assert_eq!(names, want);
    let site = |n: &str| order.iter().find(|(x, _)| x == n).map(|(_, s)| *s);
    assert_eq!(site("dropped"), Some(Site::ProjectAway));
    assert_eq!(site("counted"), Some(Site::Aggregated));
    assert_eq!(site("grouped"), Some(Site::GroupBy));
    assert_eq!(site("dedup"), Some(Site::Dedup));
    assert_eq!(site("shown"), Some(Site::Output));
    assert_eq!(site("extended"), Some(Site::Scalar));
}

#[test]
fn deeply_nested_queries_are_walked_without_recursion() {
    let mut q = Query::filter(pred("bottom", vec![]));
    for _ in 0..100_000 {
        q = Query { stages: vec![Stage { kind: StageKind::Union(vec![q]), span: None }], ..Query::default() };
    }
    let rule = Rule { query: q, ..Rule::default() };
    assert_eq!(rule.fields_read().into_iter().collect::<Vec<_>>(), ["bottom"]);
    let rule = fold_rule(&mut Prefix("p"), rule);
    assert_eq!(rule.fields_read().into_iter().collect::<Vec<_>>(), ["p.bottom"]);
    // Dropping it would recurse: unwind it by hand.
    let mut q = rule.query;
    while let Some(Stage { kind: StageKind::Union(mut inner), .. }) = q.stages.pop() {
        q = inner.pop().expect("one query");
    }
}

/// Renames every event field `f` to `prefix.f`, by its path from the event: what a field
/// mapping does.
struct Prefix(&'static str);

impl Fold for Prefix {
    fn fold_field(&mut self, p: FieldPath, at: FieldAt<'_>) -> FieldPath {
        if !at.event || !at.within.is_empty() {
            return p;
        }
        let mut segs = vec![Seg::Key(self.0.into())];
        segs.extend(p.0);
        FieldPath(segs)
    }
}

#[test]
fn a_fold_renames_every_field_of_a_rule_and_sees_the_element_scopes() {
    let rule = fold_rule(&mut Prefix("p"), everywhere());
    let read = rule.fields_read();
    // Top-level paths are renamed; element-relative ones follow their array's new name.
    for f in ["p.a", "p.b", "p.l", "p.l[*].x", "p.l[*].m", "p.l[*].m[*].y", "p.l[*].v", "p.dedup", "p.shown"]
    {
        assert!(read.contains(f), "{f} missing from {read:?}");
    }
    assert!(read.iter().all(|f| f.starts_with("p.")), "{read:?}");
    assert_eq!(read.len(), EVERY_FIELD.len() + 1);

    struct Absolute(Vec<String>);
    impl Fold for Absolute {
        fn fold_field(&mut self, p: FieldPath, at: FieldAt<'_>) -> FieldPath {
            self.0.push(at.absolute(&p).to_string());
            p
        }
    }
    let mut abs = Absolute(Vec::new());
    let e = abs.fold_expr(nested(), &mut FoldScope::default());
    assert_eq!(e, nested());
    assert_eq!(abs.0, ["a", "b", "l", "l[*].x", "l[*].m", "l[*].m[*].y", "l[*].u", "l[*].v"]);
}

#[test]
fn a_fold_rebuilds_every_node_with_its_span() {
    struct Negate;
    impl Fold for Negate {
        fn fold_expr(&mut self, e: Expr, scope: &mut FoldScope) -> Expr {
            match e.kind {
                ExprKind::Const(b) => Expr::constant(!b, e.span),
                _ => fold_expr_children(self, e, scope),
            }
        }
    }
    let span = Some(crate::diag::Span::default());
    let leaf = Expr::constant(true, span);
    let e = elements("l", Expr::not(leaf.clone(), span), Some(leaf));
    let out = Negate.fold_expr(e, &mut FoldScope::default());
    let ExprKind::Elements(el) = &out.kind else { panic!("{out:?}") };
    assert_eq!(*el.body, Expr::not(Expr::constant(false, span), span));
    assert_eq!(el.until.as_deref(), Some(&Expr::constant(false, span)));
    assert_eq!(out.without_spans().span, None);
}
