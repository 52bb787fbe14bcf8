//! Rewriting the IR by value: a [`Fold`] whose default methods rebuild every child (the free
//! `fold_*_children` functions), so that a pass overrides only the nodes it changes. The
//! read-only walk is [`super::visit`]; both reach the same children in the same order.
//!
//! [`Fold::fold_field`] gets every field path with the element scopes it is relative to (the
//! paths as they were before the fold), so a renaming pass can compute the path from the
//! event ([`FieldAt::absolute`]).

use super::correlation::{CorrelationKind, Member};
use super::expr::{Elements, Expr, ExprKind, FieldPath, Predicate, Value};
use super::rule::Rule;
use super::scalar::{ColumnId, Root, Scalar};
use super::stage::{LetValue, Query, StageKind};
use super::visit::Site;

/// The element scopes a fold is inside: [`fold_elements_children`] enters one for a body.
#[derive(Debug, Clone, Default)]
pub struct FoldScope {
    within: Vec<FieldPath>,
}

impl FoldScope {
    /// The paths of the enclosing `Elements` tests, outermost first, as they were before the fold.
    pub fn within(&self) -> &[FieldPath] {
        &self.within
    }
    fn at(&self, site: Site, event: bool) -> FieldAt<'_> {
        FieldAt { within: &self.within, site, event }
    }
}

/// Where a field path handed to [`Fold::fold_field`] occurs.
#[derive(Debug, Clone, Copy)]
pub struct FieldAt<'a> {
    /// The paths of the enclosing `Elements` tests, outermost first (see [`FoldScope`]).
    pub within: &'a [FieldPath],
    pub site: Site,
    /// Whether the path is an event field (false for a column's or a computed value's).
    pub event: bool,
}

impl FieldAt<'_> {
    /// The path from the event of `path` here ([`super::visit::absolute`]).
    pub fn absolute(&self, path: &FieldPath) -> FieldPath {
        super::visit::absolute(self.within, path)
    }
}

/// A rewrite of the IR by value; each default method rebuilds its node from its folded children.
pub trait Fold {
    fn fold_expr(&mut self, e: Expr, scope: &mut FoldScope) -> Expr {
        fold_expr_children(self, e, scope)
    }
    fn fold_predicate(&mut self, p: Predicate, scope: &mut FoldScope) -> Predicate {
        fold_predicate_children(self, p, scope)
    }
    fn fold_elements(&mut self, el: Elements, scope: &mut FoldScope) -> Elements {
        fold_elements_children(self, el, scope)
    }
    fn fold_value(&mut self, v: Value, scope: &mut FoldScope) -> Value {
        match v {
            Value::Field(path) => Value::Field(self.fold_field(path, scope.at(Site::Value, true))),
            other => other,
        }
    }
    fn fold_scalar(&mut self, s: Scalar, scope: &mut FoldScope) -> Scalar {
        fold_scalar_children(self, s, scope)
    }
    /// Every field path the IR names comes here.
    fn fold_field(&mut self, path: FieldPath, _at: FieldAt<'_>) -> FieldPath {
        path
    }
}

/// `e` with each child folded; the node itself (its kind and span) is kept.
pub fn fold_expr_children<F: Fold + ?Sized>(f: &mut F, e: Expr, scope: &mut FoldScope) -> Expr {
    let Expr { kind, span } = e;
    let kind = match kind {
        ExprKind::And(xs) => ExprKind::And(xs.into_iter().map(|x| f.fold_expr(x, scope)).collect()),
        ExprKind::Or(xs) => ExprKind::Or(xs.into_iter().map(|x| f.fold_expr(x, scope)).collect()),
        ExprKind::Not(x) => ExprKind::Not(fold_boxed(f, x, scope)),
        ExprKind::Pred(p) => ExprKind::Pred(f.fold_predicate(p, scope)),
        ExprKind::Elements(el) => ExprKind::Elements(f.fold_elements(el, scope)),
        kind @ (ExprKind::Keyword(_) | ExprKind::Const(_)) => kind,
    };
    Expr { kind, span }
}

/// The root's scalar (if computed), the tested path, then each value.
pub fn fold_predicate_children<F: Fold + ?Sized>(
    f: &mut F,
    p: Predicate,
    scope: &mut FoldScope,
) -> Predicate {
    let Predicate { root, field, op, values, quantifier, case } = p;
    let root = match root {
        Root::Value(s) => Root::Value(Box::new(f.fold_scalar(*s, scope))),
        other => other,
    };
    let field = f.fold_field(field, scope.at(Site::Predicate, root.is_event()));
    let values = values.into_iter().map(|v| f.fold_value(v, scope)).collect();
    Predicate { root, field, op, values, quantifier, case }
}

/// The array's path, then the body and the `until` guard inside the element scope.
pub fn fold_elements_children<F: Fold + ?Sized>(f: &mut F, el: Elements, scope: &mut FoldScope) -> Elements {
    let Elements { path, quantifier, body, until } = el;
    let before = path.clone();
    let path = f.fold_field(path, scope.at(Site::Elements, true));
    scope.within.push(before);
    let body = fold_boxed(f, body, scope);
    let until = until.map(|u| fold_boxed(f, u, scope));
    scope.within.pop();
    Elements { path, quantifier, body, until }
}

pub fn fold_scalar_children<F: Fold + ?Sized>(f: &mut F, s: Scalar, scope: &mut FoldScope) -> Scalar {
    match s {
        Scalar::Field(path) => Scalar::Field(f.fold_field(path, scope.at(Site::Scalar, true))),
        Scalar::Column(c) => Scalar::Column(c),
        Scalar::Literal(v) => Scalar::Literal(f.fold_value(v, scope)),
        Scalar::Call { func, args } => {
            Scalar::Call { func, args: args.into_iter().map(|a| f.fold_scalar(a, scope)).collect() }
        }
        Scalar::Iff { cond, then, otherwise } => Scalar::Iff {
            cond: fold_boxed(f, cond, scope),
            then: Box::new(f.fold_scalar(*then, scope)),
            otherwise: Box::new(f.fold_scalar(*otherwise, scope)),
        },
        Scalar::Case { arms, default } => Scalar::Case {
            arms: arms.into_iter().map(|(c, v)| (f.fold_expr(c, scope), f.fold_scalar(v, scope))).collect(),
            default: Box::new(f.fold_scalar(*default, scope)),
        },
    }
}

/// A boxed expression folded in its own allocation.
fn fold_boxed<F: Fold + ?Sized>(f: &mut F, mut e: Box<Expr>, scope: &mut FoldScope) -> Box<Expr> {
    let inner = std::mem::replace(&mut *e, Expr::constant(true, None));
    *e = f.fold_expr(inner, scope);
    e
}

/// Every part of `rule` that holds IR folded with `f`, in the order [`super::visit::walk_rule`]
/// visits them: its queries (a work list takes the queries a query holds, so no nesting of
/// queries recurses), its correlation, and the metadata's dedup and output fields.
pub fn fold_rule<F: Fold + ?Sized>(f: &mut F, mut rule: Rule) -> Rule {
    let field = |f: &mut F, p: &mut FieldPath, site| {
        *p = f.fold_field(std::mem::take(p), FoldScope::default().at(site, true));
    };
    fold_queries(f, &mut rule.query);
    if let Some(c) = &mut rule.correlation {
        match &mut c.kind {
            CorrelationKind::ValueCount { field: p }
            | CorrelationKind::ValueSum { field: p }
            | CorrelationKind::ValueAvg { field: p }
            | CorrelationKind::ValuePercentile { field: p, .. } => field(f, p, Site::Aggregated),
            CorrelationKind::NewTerms { fields, .. } => {
                fields.iter_mut().for_each(|p| field(f, p, Site::Aggregated))
            }
            CorrelationKind::EventCount | CorrelationKind::Temporal | CorrelationKind::TemporalOrdered => {}
        }
        c.group_by.iter_mut().for_each(|p| field(f, p, Site::GroupBy));
        for m in &mut c.members {
            if let Member::Inline { query, .. } = m {
                fold_queries(f, query);
            }
        }
    }
    rule.meta.dedup_fields.iter_mut().for_each(|p| field(f, p, Site::Dedup));
    rule.meta.output_fields.iter_mut().for_each(|o| field(f, &mut o.field, Site::Output));
    rule
}

/// `q` and every query it holds, in the order [`super::visit::walk_query`] visits them.
fn fold_queries<F: Fold + ?Sized>(f: &mut F, q: &mut Query) {
    let mut todo = vec![q];
    while let Some(q) = todo.pop() {
        let mut held = Vec::new();
        fold_query_parts(f, q, &mut held);
        todo.extend(held.into_iter().rev());
    }
}

/// The `let`s and stages of `q` folded in place; the queries they hold go to `held`, in order.
fn fold_query_parts<'q, F: Fold + ?Sized>(f: &mut F, q: &'q mut Query, held: &mut Vec<&'q mut Query>) {
    let scope = &mut FoldScope::default();
    let mut scalar = |f: &mut F, s: &mut Scalar| {
        *s = f.fold_scalar(std::mem::replace(s, Scalar::Column(ColumnId(0))), scope);
    };
    for l in &mut q.lets {
        match &mut l.value {
            LetValue::Scalar(s) => scalar(f, s),
            LetValue::Table { query, .. } => held.push(query),
            LetValue::Function { body, .. } => held.push(body),
        }
    }
    for stage in &mut q.stages {
        match &mut stage.kind {
            StageKind::Where(e) => fold_in_place(f, e),
            StageKind::Extend(bs) | StageKind::Project(bs) | StageKind::Distinct(bs) => {
                bs.iter_mut().for_each(|b| scalar(f, &mut b.value))
            }
            StageKind::MvExpand(b) => scalar(f, &mut b.value),
            StageKind::ProjectAway(paths) => {
                for p in paths {
                    *p = f.fold_field(std::mem::take(p), FoldScope::default().at(Site::ProjectAway, true));
                }
            }
            StageKind::Summarize { aggs, by } => {
                for a in aggs {
                    a.args.iter_mut().for_each(|s| scalar(f, s));
                    a.filter.iter_mut().for_each(|e| fold_in_place(f, e));
                }
                by.iter_mut().for_each(|b| scalar(f, &mut b.value));
            }
            StageKind::Join { right, on, .. } => {
                on.iter_mut().for_each(|(l, r)| {
                    scalar(f, l);
                    scalar(f, r);
                });
                held.push(right);
            }
            StageKind::Union(queries) => held.extend(queries.iter_mut()),
            StageKind::Sort(keys) => keys.iter_mut().for_each(|k| scalar(f, &mut k.value)),
            StageKind::Take(_) | StageKind::Unparsed { .. } => {}
        }
    }
}

fn fold_in_place<F: Fold + ?Sized>(f: &mut F, e: &mut Expr) {
    let taken = std::mem::replace(e, Expr::constant(true, None));
    *e = f.fold_expr(taken, &mut FoldScope::default());
}
