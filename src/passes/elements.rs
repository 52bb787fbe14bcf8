//! Element-scoped tests ([`ExprKind::Elements`]) rewritten as per-predicate fan-outs
//! (`path[*].field`), the form targets without element scoping (Sigma, query DSL) can say.
//!
//! The rewrite is exact when each quantifier distributes over the connective below it:
//! `any` over `or`, `all` over `and`, and `not` swaps them. `any(a and b)` becomes
//! `any(a) and any(b)`, which may hold on two different elements: the caller reports that.

use crate::diag::Span;
use crate::ir::fold::{fold_expr_children, FieldAt, Fold, FoldScope};
use crate::ir::visit::Site;
use crate::ir::{Expr, ExprKind, FieldPath, Op, Predicate, Quantifier, Seg};
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
    let mut d = Distribute { inexact: Vec::new() };
    let out = d.fold_expr(e.clone(), &mut FoldScope::default());
    (out, d.inexact)
}

/// Bottom-up, so that a body is free of `Elements` when it is fanned out.
struct Distribute {
    inexact: Vec<Inexact>,
}

impl Fold for Distribute {
    fn fold_expr(&mut self, e: Expr, scope: &mut FoldScope) -> Expr {
        let span = e.span;
        let ExprKind::Elements(el) = e.kind else { return fold_expr_children(self, e, scope) };
        let body = self.fold_expr(*el.body, scope);
        let (out, exact) = fan_out(&el.path, el.quantifier, body);
        // Visited in order (`until`): no fan-out says that. (Back-ends drop the order
        // first, with their own note: see `passes::fit::without_shape_tests`.)
        if !exact || el.until.is_some() {
            self.inexact.push(Inexact { path: el.path, quantifier: el.quantifier, span });
        }
        out
    }
}

/// `quantifier` elements of `path` satisfy `body` (already free of `Elements`), as
/// predicates on `path[*]…`, with the absent-array case made to agree.
fn fan_out(path: &FieldPath, quantifier: Quantifier, body: Expr) -> (Expr, bool) {
    let mut push = Push { prefix: path, q: quantifier, exact: true };
    let pushed = push.fold_expr(body, &mut FoldScope::default());
    let exact = push.exact;
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

/// A body's predicates made predicates on the elements of `prefix` under quantifier `q`
/// (which `not` swaps); `exact` stays true while each quantifier distributes over the
/// connective below it.
struct Push<'a> {
    prefix: &'a FieldPath,
    q: Quantifier,
    exact: bool,
}

impl Fold for Push<'_> {
    fn fold_expr(&mut self, e: Expr, scope: &mut FoldScope) -> Expr {
        let flip = |q| if q == Quantifier::Any { Quantifier::All } else { Quantifier::Any };
        match &e.kind {
            ExprKind::Pred(_) => fold_expr_children(self, e, scope),
            ExprKind::Not(_) => {
                self.q = flip(self.q);
                let out = fold_expr_children(self, e, scope);
                self.q = flip(self.q);
                out
            }
            ExprKind::And(_) | ExprKind::Or(_) => {
                self.exact &= matches!(e.kind, ExprKind::And(_)) == (self.q == Quantifier::All);
                fold_expr_children(self, e, scope)
            }
            // A constant or a free-text term does not read the element: kept, but then the
            // result no longer depends on whether there are elements at all.
            ExprKind::Const(_) | ExprKind::Keyword(_) | ExprKind::Elements(_) => {
                self.exact = false;
                e
            }
        }
    }

    fn fold_field(&mut self, path: FieldPath, at: FieldAt<'_>) -> FieldPath {
        match at.site {
            // The elements are every value the path reaches: each fan-out on the way takes
            // the quantifier, and a path that does not end in one gets it.
            Site::Predicate => {
                let q = self.q;
                let mut segs: Vec<Seg> = (self.prefix.0.iter())
                    .map(|s| if matches!(s, Seg::Each(_)) { Seg::Each(q) } else { s.clone() })
                    .collect();
                if !matches!(segs.last(), Some(Seg::Each(_))) {
                    segs.push(Seg::Each(q));
                }
                segs.extend(path.0);
                FieldPath(segs)
            }
            // Another field of the same element: no fan-out can say "the same element".
            Site::Value => {
                self.exact = false;
                path
            }
            _ => path,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Case, Elements, Value};
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
