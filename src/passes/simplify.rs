//! Meaning-preserving clean-up of expression trees.

use crate::diag::Span;
use crate::ir::fold::{fold_expr_children, Fold, FoldScope};
use crate::ir::{Expr, ExprKind, FieldPath, Op, Quantifier, Seg, Value};

/// Flatten nested And/Or, unwrap single-child ones, and fold constants, so the IR reads like
/// the condition a person would write. Meaning is unchanged.
pub fn simplify(e: Expr) -> Expr {
    Simplify.fold_expr(e, &mut FoldScope::default())
}

/// Bottom-up: each node is simplified once its children are.
struct Simplify;

impl Fold for Simplify {
    fn fold_expr(&mut self, e: Expr, scope: &mut FoldScope) -> Expr {
        simplify_node(fold_expr_children(self, e, scope))
    }
}

/// `e`, whose children are simplified already.
fn simplify_node(e: Expr) -> Expr {
    let span = e.span;
    match e.kind {
        ExprKind::And(mut xs) | ExprKind::Or(mut xs) if xs.len() == 1 => xs.pop().unwrap_or_else(e_true),
        ExprKind::And(xs) => flatten(xs, true, span),
        ExprKind::Or(xs) => flatten(xs, false, span),
        ExprKind::Not(x) => match *x {
            Expr { kind: ExprKind::Not(inner), .. } => *inner,
            Expr { kind: ExprKind::Const(b), .. } => Expr::constant(!b, span),
            // `not (not a or b)` → `a and not b`, when that removes a negation.
            Expr { kind: ExprKind::Or(xs), .. } if xs.iter().any(|x| matches!(x.kind, ExprKind::Not(_))) => {
                let negated = xs
                    .into_iter()
                    .map(|x| match x.kind {
                        ExprKind::Not(inner) => *inner,
                        kind => Expr::not(Expr { kind, span: x.span }, None),
                    })
                    .collect();
                simplify(Expr::and(negated, span))
            }
            x => Expr::not(x, span),
        },
        ExprKind::Elements(el) => {
            // No element can satisfy a false body; every element satisfies a true one.
            match (&el.body.kind, el.quantifier) {
                (ExprKind::Const(false), Quantifier::Any) => return Expr::constant(false, span),
                (ExprKind::Const(true), Quantifier::All) => return Expr::constant(true, span),
                _ => {}
            }
            // An order in which every element goes on is no order at all.
            let until = el.until.filter(|u| !matches!(u.kind, ExprKind::Const(true)));
            Expr { kind: ExprKind::Elements(crate::ir::Elements { until, ..el }), span }
        }
        kind => Expr { kind, span },
    }
}

fn e_true() -> Expr {
    Expr::constant(true, None)
}

fn flatten(xs: Vec<Expr>, and: bool, span: Option<Span>) -> Expr {
    let mut out = Vec::new();
    for x in xs {
        match x.kind {
            ExprKind::And(inner) if and => out.extend(inner),
            ExprKind::Or(inner) if !and => out.extend(inner),
            // The neutral element drops out; the absorbing one decides.
            ExprKind::Const(b) if b == and => {}
            ExprKind::Const(b) => return Expr::constant(b, span),
            kind => out.push(Expr { kind, span: x.span }),
        }
    }
    // `a and a` is `a`; `a or a` is `a`.
    let mut kept: Vec<Expr> = Vec::with_capacity(out.len());
    for x in out {
        if !kept.iter().any(|k| k.same_as(&x)) {
            kept.push(x);
        }
    }
    let mut out = kept;
    if and && contradicts(&out) {
        return Expr::constant(false, span);
    }
    if !and && always_holds(&out) {
        return Expr::constant(true, span);
    }
    if and {
        if let Some(factored) = factor_common_alternative(&mut out, span) {
            return factored;
        }
        if let Some(narrowed) = assume_siblings(&out, span) {
            return narrowed;
        }
        drop_implied_presence(&mut out);
        drop_implied_alternatives(&mut out);
    } else {
        drop_excluded_alternatives(&mut out);
        merge_same_test(&mut out);
    }
    match out.len() {
        0 => Expr::constant(and, span),
        1 => out.remove(0),
        _ if and => Expr::and(out, span),
        _ => Expr::or(out, span),
    }
}

/// In `a and X`, `X` may assume `a`: a test (or its negation) that a sibling states is
/// replaced inside the other siblings by true (false). One round; `None` when nothing changed.
fn assume_siblings(items: &[Expr], span: Option<Span>) -> Option<Expr> {
    let facts: Vec<&Expr> = items
        .iter()
        .filter(|x| match &x.kind {
            ExprKind::Pred(_) => true,
            ExprKind::Not(inner) => matches!(inner.kind, ExprKind::Pred(_)),
            _ => false,
        })
        .collect();
    if facts.is_empty()
        || !items.iter().any(|x| matches!(x.kind, ExprKind::And(_) | ExprKind::Or(_) | ExprKind::Not(_)))
    {
        return None;
    }
    let mut changed = false;
    let out: Vec<Expr> = items
        .iter()
        .map(|x| {
            if matches!(x.kind, ExprKind::Pred(_)) || facts.iter().any(|f| f.same_as(x)) {
                return x.clone();
            }
            let mut y = x.clone();
            for f in &facts {
                y = substitute(y, f, &mut changed);
            }
            y
        })
        .collect();
    changed.then(|| simplify(Expr::and(out, span)))
}

/// `e` with every occurrence of the fact `f` made true (and of its negation, false).
fn substitute(e: Expr, f: &Expr, changed: &mut bool) -> Expr {
    Substitute { fact: f, changed }.fold_expr(e, &mut FoldScope::default())
}

/// Through `and`, `or` and `not` only: an element's body reads the element, not the event
/// the fact is about.
struct Substitute<'a> {
    fact: &'a Expr,
    changed: &'a mut bool,
}

impl Fold for Substitute<'_> {
    fn fold_expr(&mut self, e: Expr, scope: &mut FoldScope) -> Expr {
        if e.same_as(self.fact) {
            *self.changed = true;
            return Expr::constant(true, e.span);
        }
        let negation = match (&e.kind, &self.fact.kind) {
            (ExprKind::Not(inner), _) => inner.same_as(self.fact),
            (_, ExprKind::Not(inner)) => inner.same_as(&e),
            _ => false,
        };
        if negation {
            *self.changed = true;
            return Expr::constant(false, e.span);
        }
        match e.kind {
            ExprKind::And(_) | ExprKind::Or(_) | ExprKind::Not(_) => fold_expr_children(self, e, scope),
            _ => e,
        }
    }
}

/// A disjunction that always holds: `x or not x`, or `x or not (x and y)`.
fn always_holds(items: &[Expr]) -> bool {
    let has = |y: &Expr| items.iter().any(|x| x.same_as(y));
    let on = |op: Op| {
        items.iter().filter_map(move |x| match &x.kind {
            ExprKind::Pred(p) if p.op == op && p.field.is_simple() => Some(&p.field),
            _ => None,
        })
    };
    // A plain path is missing or null, or it exists.
    let missing_or_present = on(Op::IsNull).any(|f| on(Op::Exists).any(|g| g == f));
    missing_or_present
        || items.iter().any(|x| match &x.kind {
            ExprKind::Not(inner) => match &inner.kind {
                ExprKind::And(parts) => parts.iter().any(has),
                _ => has(inner),
            },
            _ => false,
        })
}

/// A conjunction that cannot hold: `x and not x`, or `p` truthy beside `p` equal to a falsy
/// constant (`bool(p) and p is False`).
fn contradicts(items: &[Expr]) -> bool {
    let negated = items.iter().any(|x| match &x.kind {
        ExprKind::Not(inner) => items.iter().any(|y| y.same_as(inner)),
        _ => false,
    });
    let falsy = |v: &Value| match v {
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Str(s) => s.is_empty(),
        Value::Null => true,
        _ => false,
    };
    negated
        || items.iter().any(|x| match &x.kind {
            // On a plain path (a fan-out could find each in a different element).
            ExprKind::Pred(t) if t.op == Op::Truthy && t.field.is_simple() => {
                items.iter().any(|y| match &y.kind {
                    ExprKind::Pred(q) => {
                        q.field == t.field
                            && q.op == Op::Eq
                            && q.case == crate::ir::Case::Sensitive
                            && q.values.iter().all(falsy)
                    }
                    _ => false,
                })
            }
            _ => false,
        })
}

/// In a conjunction, an `or` one of whose alternatives a sibling test already implies holds
/// whenever the conjunction does: drop it. (`f` is a string, or is present, beside
/// `f == "x"`.)
fn drop_implied_alternatives(items: &mut Vec<Expr>) {
    let preds: Vec<crate::ir::Predicate> = items
        .iter()
        .filter_map(|x| match &x.kind {
            ExprKind::Pred(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    if preds.is_empty() || items.len() < 2 {
        return;
    }
    items.retain(|x| match &x.kind {
        ExprKind::Or(alts) => !alts.iter().any(|d| preds.iter().any(|q| implies(q, d))),
        ExprKind::Pred(me) => !preds.iter().any(|q| q != me && implies(q, x)),
        _ => !preds.iter().any(|q| implies(q, x)),
    });
}

/// Whether predicate `q` holding means `d` holds (for the few shapes `d` takes as a guard).
fn implies(q: &crate::ir::Predicate, d: &Expr) -> bool {
    let needs_value = !matches!(q.op, Op::IsNull) && !q.values.contains(&Value::Null) && q.field.is_simple();
    let only_strings = matches!(
        q.op,
        Op::Eq | Op::StartsWith | Op::EndsWith | Op::Regex | Op::Wildcard | Op::Term | Op::Match
    ) && !q.values.is_empty()
        && q.values.iter().all(|v| matches!(v, Value::Str(_) | Value::Pattern(_) | Value::Regex(_)));
    let truthy_values = !q.values.is_empty()
        && q.values.iter().all(|v| match v {
            Value::Str(s) => !s.is_empty(),
            Value::Int(i) => *i != 0,
            Value::Bool(b) => *b,
            _ => false,
        });
    let truthy = match q.op {
        Op::Eq | Op::StartsWith | Op::EndsWith | Op::Contains => truthy_values,
        Op::Truthy => true,
        _ => false,
    };
    match &d.kind {
        ExprKind::Pred(p) if p.field == q.field && needs_value => match p.op {
            Op::Exists => true,
            Op::Truthy => truthy,
            Op::StartsWith => {
                only_strings
                    && p.values == [Value::Str(String::new())]
                    && p.case == crate::ir::Case::Sensitive
            }
            _ => false,
        },
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Pred(p) if p.field == q.field && needs_value => {
                p.op == Op::IsNull || (p.op == Op::Eq && p.values == [Value::Null])
            }
            _ => false,
        },
        _ => false,
    }
}

/// `(a or x) and (a or y)` → `a or (x and y)`, for the first two alternatives sharing one.
fn factor_common_alternative(items: &mut Vec<Expr>, span: Option<Span>) -> Option<Expr> {
    let alts = |e: &Expr| match &e.kind {
        ExprKind::Or(xs) => Some(xs.clone()),
        _ => None,
    };
    for i in 0..items.len() {
        let Some(ai) = alts(&items[i]) else { continue };
        for j in i + 1..items.len() {
            let Some(aj) = alts(&items[j]) else { continue };
            let shared = |x: &Expr| ai.iter().any(|y| y.same_as(x));
            let common: Vec<Expr> = aj.iter().filter(|x| shared(x)).cloned().collect();
            if common.is_empty() || common.len() == ai.len() || common.len() == aj.len() {
                continue;
            }
            let is_common = |x: &Expr| common.iter().any(|c| c.same_as(x));
            let rest = |a: &[Expr]| Expr::or(a.iter().filter(|x| !is_common(x)).cloned().collect(), None);
            let mut merged = common.clone();
            merged.push(Expr::and(vec![rest(&ai), rest(&aj)], None));
            items.remove(j);
            items[i] = Expr::or(merged, None);
            return Some(simplify(Expr::and(std::mem::take(items), span)));
        }
    }
    None
}

/// In a conjunction, `not (p is null)` / `not (p == null)` is implied by a sibling predicate
/// on a path below `p` (`p.k == v` cannot hold unless `p` is an object or array): drop it.
fn drop_implied_presence(items: &mut Vec<Expr>) {
    let below: Vec<FieldPath> = items
        .iter()
        .filter_map(|x| match &x.kind {
            ExprKind::Pred(p) if !matches!(p.op, Op::IsNull) && !p.values.contains(&Value::Null) => {
                Some(p.field.clone())
            }
            // Some element of `path`: there are elements, so `path` is not null. (The
            // element marker below `path` makes the prefix test strict.)
            ExprKind::Elements(el) if el.quantifier == Quantifier::Any => {
                let mut f = el.path.clone();
                f.0.push(Seg::Each(Quantifier::Any));
                Some(f)
            }
            _ => None,
        })
        .collect();
    let implied = |x: &Expr| match &x.kind {
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Pred(p) if p.op == Op::IsNull || (p.op == Op::Eq && p.values == [Value::Null]) => {
                below.iter().any(|f| f.0.len() > p.field.0.len() && f.0.starts_with(&p.field.0))
            }
            _ => false,
        },
        // `p` is present (perhaps null): implied by a test that needs a value at or below `p`.
        ExprKind::Or(alts) => match alts.as_slice() {
            [Expr { kind: ExprKind::Pred(a), .. }, Expr { kind: ExprKind::Pred(b), .. }]
                if a.field == b.field
                    && a.op == Op::Exists
                    && b.op == Op::Eq
                    && b.values == [Value::Null] =>
            {
                below.iter().any(|f| f.0.starts_with(&a.field.0))
            }
            _ => false,
        },
        _ => false,
    };
    if items.len() > 1 {
        items.retain(|x| !implied(x));
    }
}

/// `a or (not a and b)` → `a or b`: an alternative is only reached when `a` failed, so
/// restating that is redundant. One rewrite at a time, each against the current siblings.
fn drop_excluded_alternatives(items: &mut [Expr]) {
    for i in 0..items.len() {
        let ExprKind::And(conj) = &items[i].kind else { continue };
        let sibling = |e: &Expr| items.iter().enumerate().any(|(j, s)| j != i && s.same_as(e));
        let kept: Vec<Expr> = conj
            .iter()
            .filter(|c| !matches!(&c.kind, ExprKind::Not(inner) if sibling(inner)))
            .cloned()
            .collect();
        if kept.len() != conj.len() {
            items[i] = simplify(Expr::and(kept, items[i].span));
        }
    }
}

/// `f op a or f op b` → `f op [a, b]` (a predicate's values are alternatives).
fn merge_same_test(items: &mut Vec<Expr>) {
    let mut out: Vec<Expr> = Vec::with_capacity(items.len());
    for x in items.drain(..) {
        if let (ExprKind::Pred(p), Some(ExprKind::Pred(prev))) =
            (&x.kind, out.last_mut().map(|e| &mut e.kind))
        {
            let same = prev.field == p.field
                && prev.op == p.op
                && prev.case == p.case
                && !p.op.is_unary()
                && prev.quantifier == Quantifier::Any
                && p.quantifier == Quantifier::Any
                && !p.values.iter().chain(&prev.values).any(|v| matches!(v, Value::Field(_)));
            if same {
                prev.values.extend(p.values.iter().cloned());
                continue;
            }
        }
        out.push(x);
    }
    *items = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Case, Predicate};
    use serde_json::json;

    fn eq(field: &str, v: &str) -> Expr {
        Expr::pred(
            Predicate::new(FieldPath::key(field), Op::Eq, vec![Value::Str(v.into())], Case::Sensitive),
            None,
        )
    }

    /// Every rewrite keeps the meaning: random trees over a few tests, on every event built
    /// from a few values per field, evaluate the same before and after.
    #[test]
    fn simplify_keeps_the_meaning_of_random_trees() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let leaf = |k: u64| -> Expr {
            let field = ["a", "b"][(k % 2) as usize];
            let p = |op, values| {
                Expr::pred(Predicate::new(FieldPath::key(field), op, values, Case::Sensitive), None)
            };
            match k / 2 % 7 {
                0 => p(Op::Truthy, vec![]),
                1 => p(Op::Exists, vec![]),
                2 => p(Op::IsNull, vec![]),
                3 => p(Op::Eq, vec![Value::Str("x".into())]),
                4 => p(Op::StartsWith, vec![Value::Str("u".into())]),
                5 => p(Op::Eq, vec![Value::Bool(false)]),
                _ => p(Op::StartsWith, vec![Value::Str(String::new())]),
            }
        };
        fn tree(depth: u32, next: &mut dyn FnMut(u64) -> u64, leaf: &dyn Fn(u64) -> Expr) -> Expr {
            if depth == 0 || next(4) == 0 {
                return leaf(next(14));
            }
            match next(3) {
                0 => Expr::not(tree(depth - 1, next, leaf), None),
                1 => Expr::and((0..2 + next(2)).map(|_| tree(depth - 1, next, leaf)).collect(), None),
                _ => Expr::or((0..2 + next(2)).map(|_| tree(depth - 1, next, leaf)).collect(), None),
            }
        }
        let values = [
            None,
            Some(json!(null)),
            Some(json!("")),
            Some(json!("x")),
            Some(json!("us")),
            Some(json!(false)),
        ];
        let mut events = Vec::new();
        for a in &values {
            for b in &values {
                let mut m = serde_json::Map::new();
                if let Some(v) = a {
                    m.insert("a".into(), v.clone());
                }
                if let Some(v) = b {
                    m.insert("b".into(), v.clone());
                }
                events.push(serde_json::Value::Object(m));
            }
        }
        for _ in 0..3000 {
            let e = tree(4, &mut next, &leaf);
            let s = simplify(e.clone());
            for ev in &events {
                assert_eq!(
                    crate::eval::eval_expr(&e, ev).unwrap(),
                    crate::eval::eval_expr(&s, ev).unwrap(),
                    "{e:?}\nsimplified to {s:?}\non {ev}"
                );
            }
        }
    }

    #[test]
    fn truthy_and_falsy_on_a_fan_out_can_both_hold() {
        let path = FieldPath(vec![super::Seg::Key("a".into()), super::Seg::Each(Quantifier::Any)]);
        let p = |op, values| Expr::pred(Predicate::new(path.clone(), op, values, Case::Sensitive), None);
        let e = Expr::and(vec![p(Op::Truthy, vec![]), p(Op::Eq, vec![Value::Bool(false)])], None);
        let s = simplify(e);
        assert!(crate::eval::eval_expr(&s, &json!({"a": [true, false]})).unwrap(), "{s:?}");
    }

    #[test]
    fn a_shared_alternative_is_factored_out() {
        let (a, x, y) = (eq("a", "1"), eq("x", "2"), eq("y", "3"));
        let e = Expr::and(
            vec![Expr::or(vec![a.clone(), x.clone()], None), Expr::or(vec![a.clone(), y.clone()], None)],
            None,
        );
        let s = simplify(e.clone());
        assert_eq!(s.without_spans(), Expr::or(vec![a, Expr::and(vec![x, y], None)], None));
        for ev in [json!({}), json!({"a": "1"}), json!({"x": "2"}), json!({"x": "2", "y": "3"})] {
            assert_eq!(crate::eval::eval_expr(&e, &ev), crate::eval::eval_expr(&s, &ev));
        }
    }

    #[test]
    fn an_alternative_need_not_restate_that_earlier_ones_failed() {
        let (a, b) = (eq("a", "1"), eq("b", "2"));
        let e = Expr::or(vec![a.clone(), Expr::and(vec![Expr::not(a.clone(), None), b.clone()], None)], None);
        let s = simplify(e.clone());
        assert_eq!(s.without_spans(), Expr::or(vec![a, b], None));
        for ev in [json!({}), json!({"a": "1"}), json!({"b": "2"}), json!({"a": "1", "b": "2"})] {
            assert_eq!(crate::eval::eval_expr(&e, &ev), crate::eval::eval_expr(&s, &ev));
        }
    }
}
