//! Element-scoped tests ([`ExprKind::Elements`]) rewritten as per-predicate fan-outs
//! (`path[*].field`), the form targets without element scoping (Sigma, query DSL) can say.
//!
//! The rewrite is exact when each quantifier distributes over the connective below it:
//! `any` over `or`, `all` over `and`, and `not` swaps them. `any(a and b)` becomes
//! `any(a) and any(b)`, which may hold on two different elements: the caller reports that.

use crate::diag::Span;
use crate::ir::{Expr, ExprKind, FieldPath, Op, Predicate, Quantifier, Seg, Value};
use serde_json::Value as Json;

/// An element-scoped test whose rewrite matches more or fewer events than the original.
#[derive(Debug, Clone, PartialEq)]
pub struct Inexact {
    pub path: FieldPath,
    pub quantifier: Quantifier,
    pub span: Option<Span>,
}

/// Replace every `Elements` node in `e` by its fan-out form; list those rewritten inexactly.
pub fn distribute_elements(e: &Expr) -> (Expr, Vec<Inexact>) {
    let mut inexact = Vec::new();
    let out = rewrite(e, &mut inexact);
    (out, inexact)
}

fn rewrite(e: &Expr, inexact: &mut Vec<Inexact>) -> Expr {
    let kind = match &e.kind {
        ExprKind::And(xs) => ExprKind::And(xs.iter().map(|x| rewrite(x, inexact)).collect()),
        ExprKind::Or(xs) => ExprKind::Or(xs.iter().map(|x| rewrite(x, inexact)).collect()),
        ExprKind::Not(x) => ExprKind::Not(Box::new(rewrite(x, inexact))),
        ExprKind::Elements(el) => {
            let body = rewrite(&el.body, inexact);
            let (out, exact) = fan_out(&el.path, el.quantifier, &body);
            // Visited in order (`until`): no fan-out says that. (Back-ends drop the order
            // first, with their own note: see `passes::fit::without_shape_tests`.)
            if !exact || el.until.is_some() {
                inexact.push(Inexact { path: el.path.clone(), quantifier: el.quantifier, span: e.span });
            }
            return out;
        }
        other => other.clone(),
    };
    Expr { kind, span: e.span }
}

/// `quantifier` elements of `path` satisfy `body` (already free of `Elements`), as
/// predicates on `path[*]…`, with the absent-array case made to agree.
fn fan_out(path: &FieldPath, quantifier: Quantifier, body: &Expr) -> (Expr, bool) {
    let (pushed, exact) = push(body, path, quantifier);
    // An absent or null array has no elements: `any` is false, `all` true. A fan-out reads
    // it as one absent value instead, so fix that case where it differs.
    let want = quantifier == Quantifier::All;
    let got = crate::eval::eval_expr(&pushed, &absent_at(path));
    // "No elements at all": every branch of the path (its own fan-outs read as all) is absent.
    let end = path.0.iter().rposition(|s| !matches!(s, Seg::Each(_))).map_or(0, |i| i + 1);
    let nothing: Vec<Seg> = path.0[..end]
        .iter()
        .map(|s| if matches!(s, Seg::Each(_)) { Seg::Each(Quantifier::All) } else { s.clone() })
        .collect();
    let is_null =
        Expr::pred(Predicate::new(FieldPath(nothing), Op::IsNull, vec![], Default::default()), None);
    let out = match got {
        Ok(g) if g == want => pushed,
        _ if want => Expr::or(vec![is_null, pushed], None),
        _ => Expr::and(vec![Expr::not(is_null, None), pushed], None),
    };
    (out, exact)
}

/// An event where `path` is absent (its parents present, so only the array itself is missing).
/// A trailing `[*]` is the array's own fan-out, so the last key before it is what is missing.
fn absent_at(path: &FieldPath) -> Json {
    let end = path.0.iter().rposition(|s| !matches!(s, Seg::Each(_))).map_or(0, |i| i + 1);
    let mut v = Json::Object(Default::default());
    for seg in path.0[..end].iter().rev().skip(1) {
        v = match seg {
            Seg::Key(k) => Json::Object([(k.clone(), v)].into_iter().collect()),
            _ => Json::Array(vec![v]),
        };
    }
    v
}

fn push(body: &Expr, prefix: &FieldPath, q: Quantifier) -> (Expr, bool) {
    let flip = |q| if q == Quantifier::Any { Quantifier::All } else { Quantifier::Any };
    let span = body.span;
    match &body.kind {
        ExprKind::Pred(p) => {
            // The elements are every value the path reaches: each fan-out on the way takes the
            // quantifier, and a path that does not end in one gets it.
            let mut segs: Vec<Seg> = prefix
                .0
                .iter()
                .map(|s| if matches!(s, Seg::Each(_)) { Seg::Each(q) } else { s.clone() })
                .collect();
            if !matches!(segs.last(), Some(Seg::Each(_))) {
                segs.push(Seg::Each(q));
            }
            segs.extend(p.field.0.iter().cloned());
            let relative_values = p.values.iter().any(|v| matches!(v, Value::Field(_)));
            let p = Predicate { field: FieldPath(segs), ..p.clone() };
            (Expr::pred(p, span), !relative_values)
        }
        ExprKind::Not(x) => {
            let (inner, exact) = push(x, prefix, flip(q));
            (Expr::not(inner, span), exact)
        }
        ExprKind::And(xs) | ExprKind::Or(xs) => {
            let is_and = matches!(body.kind, ExprKind::And(_));
            let mut exact = is_and == (q == Quantifier::All);
            let mut items = Vec::new();
            for x in xs {
                let (item, e) = push(x, prefix, q);
                exact &= e;
                items.push(item);
            }
            (if is_and { Expr::and(items, span) } else { Expr::or(items, span) }, exact)
        }
        // A constant or a free-text term does not read the element: kept, but then the
        // result no longer depends on whether there are elements at all.
        ExprKind::Const(_) | ExprKind::Keyword(_) | ExprKind::Elements(_) => (body.clone(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Case, Elements};
    use serde_json::json;

    fn eq(key: &str, v: &str) -> Expr {
        Expr::pred(
            Predicate::new(FieldPath::key(key), Op::Eq, vec![Value::Str(v.into())], Case::Sensitive),
            None,
        )
    }

    fn elements(q: Quantifier, body: Expr) -> Expr {
        Expr::new(
            ExprKind::Elements(Elements {
                path: FieldPath::key("l"),
                quantifier: q,
                body: Box::new(body),
                until: None,
            }),
            None,
        )
    }

    fn agree_on(e: &Expr, events: &[Json]) -> bool {
        let (flat, _) = distribute_elements(e);
        events.iter().all(|ev| crate::eval::eval_expr(e, ev).ok() == crate::eval::eval_expr(&flat, ev).ok())
    }

    fn events() -> Vec<Json> {
        vec![
            json!({}),
            json!({"l": null}),
            json!({"l": []}),
            json!({"l": {"a": "1"}}),
            json!({"l": [{"a": "1", "b": "2"}]}),
            json!({"l": [{"a": "1"}, {"b": "2"}]}),
            json!({"l": [{"a": "1"}, {"a": "3"}]}),
            json!({"l": [{"b": "1"}]}),
        ]
    }

    #[test]
    fn distributive_shapes_are_exact_on_every_edge() {
        for q in [Quantifier::Any, Quantifier::All] {
            for body in [
                eq("a", "1"),
                Expr::not(eq("a", "1"), None),
                if q == Quantifier::Any {
                    Expr::or(vec![eq("a", "1"), Expr::not(eq("b", "2"), None)], None)
                } else {
                    Expr::and(vec![eq("a", "1"), Expr::not(eq("b", "2"), None)], None)
                },
            ] {
                let e = elements(q, body);
                let (_, inexact) = distribute_elements(&e);
                assert!(inexact.is_empty(), "{e:?}");
                assert!(agree_on(&e, &events()), "{e:?}");
            }
        }
    }

    #[test]
    fn elastic_paths_with_a_trailing_fan_out_agree_when_the_array_is_missing() {
        let path = FieldPath(vec![
            Seg::Key("a".into()),
            Seg::Each(Quantifier::Any),
            Seg::Key("l".into()),
            Seg::Each(Quantifier::Any),
        ]);
        for q in [Quantifier::Any, Quantifier::All] {
            let body = Expr::not(eq("k", "1"), None);
            let e = Expr::new(
                ExprKind::Elements(Elements {
                    path: path.clone(),
                    quantifier: q,
                    body: Box::new(body),
                    until: None,
                }),
                None,
            );
            let events = [
                json!({}),
                json!({"a": {}}),
                json!({"a": [{}]}),
                json!({"a": {"l": []}}),
                json!({"a": {"l": [{"k": "2"}]}}),
                json!({"a": [{"l": [{"k": "1"}]}, {"l": {"k": "2"}}]}),
                json!({"a": [{"l": [{"k": "2"}]}, {}]}),
            ];
            let (flat, _) = distribute_elements(&e);
            for ev in &events {
                let (a, b) = (crate::eval::eval_expr(&e, ev), crate::eval::eval_expr(&flat, ev));
                assert_eq!(a, b, "{q:?} on {ev}: {flat:?}");
            }
        }
    }

    #[test]
    fn any_over_and_is_reported_and_differs_where_expected() {
        let e = elements(Quantifier::Any, Expr::and(vec![eq("a", "1"), eq("b", "2")], None));
        let (flat, inexact) = distribute_elements(&e);
        assert_eq!(inexact.len(), 1);
        let split = json!({"l": [{"a": "1"}, {"b": "2"}]});
        assert_eq!(crate::eval::eval_expr(&e, &split), Ok(false));
        assert_eq!(crate::eval::eval_expr(&flat, &split), Ok(true));
    }
}
