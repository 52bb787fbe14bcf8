//! Walking the IR by reference: a [`Visitor`] whose default methods reach every child, and
//! the free `walk_*` functions that are those defaults, for an overriding method to call when
//! it wants the children visited too (as in syn and sqlparser-rs). [`super::fold`] is the
//! same by value, for passes that rewrite.
//!
//! Every field path is reported through [`Visitor::visit_field`] where it occurs, with the
//! element scopes it is relative to: a predicate under `Elements { path: l, … }` tests
//! `l[*].<its path>` ([`FieldRef::absolute`]).
//!
//! Depth: walks recurse once per level of an expression or scalar, which readers bound
//! ([`super::MAX_DEPTH`]; [`Expr::depth`] counts both); the queries a query holds (join,
//! union, `let` tables and functions) are taken from a work list, never by recursion.

use super::correlation::{Correlation, CorrelationKind, Member};
use super::expr::{Elements, Expr, ExprKind, FieldPath, Keyword, Predicate, Quantifier, Seg, Value};
use super::rule::{Meta, Rule};
use super::scalar::{Root, Scalar};
use super::stage::{Aggregate, LetValue, Query, SortKey, Stage, StageKind};
use std::collections::BTreeSet;

/// Where a field path occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Site {
    /// The path a predicate tests (from its `root`, usually the event).
    Predicate,
    /// A value that is another field ([`Value::Field`]).
    Value,
    /// The array an [`ExprKind::Elements`] test scopes its body to.
    Elements,
    /// A field a scalar reads ([`Scalar::Field`]): a stage's keys and values, a `let`, a
    /// computed operand.
    Scalar,
    /// A field `project-away` drops.
    ProjectAway,
    /// A correlation's group-by key.
    GroupBy,
    /// The field a correlation counts or aggregates (value count, sum …, new terms).
    Aggregated,
    /// An alert dedup key ([`Meta::dedup_fields`]).
    Dedup,
    /// A field shown with an alert ([`Meta::output_fields`]).
    Output,
}

/// One field path as a walk meets it.
#[derive(Debug, Clone, Copy)]
pub struct FieldRef<'a, 'ir> {
    pub path: &'ir FieldPath,
    /// The paths of the enclosing `Elements` tests, outermost first: `path` is relative to
    /// an element of the last one, each relative to an element of the one before.
    pub within: &'a [&'ir FieldPath],
    pub site: Site,
    /// Whether `path` is an event field (within its elements); false for the path of a
    /// predicate whose root is a column or a computed value.
    pub event: bool,
}

impl FieldRef<'_, '_> {
    /// The path from the event: see [`absolute`].
    pub fn absolute(&self) -> FieldPath {
        absolute(self.within.iter().copied(), self.path)
    }
}

/// The path from the event of `path`, relative to the elements of `within` (outermost
/// first): each element path as written, followed by `[*]` unless it ends in a fan-out,
/// then `path` (`l` and `a` give `l[*].a`).
pub fn absolute<'p>(within: impl IntoIterator<Item = &'p FieldPath>, path: &FieldPath) -> FieldPath {
    let mut segs = Vec::new();
    for p in within {
        segs.extend(p.0.iter().cloned());
        if !matches!(p.0.last(), Some(Seg::Each(_))) {
            segs.push(Seg::Each(Quantifier::Any));
        }
    }
    segs.extend(path.0.iter().cloned());
    FieldPath(segs)
}

/// The element scopes a walk is inside: [`walk_elements`] enters one for a body.
#[derive(Debug, Clone, Default)]
pub struct Scope<'ir> {
    within: Vec<&'ir FieldPath>,
}

impl<'ir> Scope<'ir> {
    /// The paths of the enclosing `Elements` tests, outermost first.
    pub fn within(&self) -> &[&'ir FieldPath] {
        &self.within
    }
    fn field(&self, path: &'ir FieldPath, site: Site, event: bool) -> FieldRef<'_, 'ir> {
        FieldRef { path, within: &self.within, site, event }
    }
}

/// A read-only walk over the IR; each default method visits every child (`walk_*`).
pub trait Visitor<'ir> {
    fn visit_rule(&mut self, rule: &'ir Rule) {
        walk_rule(self, rule)
    }
    fn visit_meta(&mut self, meta: &'ir Meta) {
        walk_meta(self, meta)
    }
    fn visit_correlation(&mut self, c: &'ir Correlation) {
        walk_correlation(self, c)
    }
    /// A query and every query it holds (see [`walk_query`]).
    fn visit_query(&mut self, q: &'ir Query) {
        walk_query(self, q)
    }
    fn visit_stage(&mut self, stage: &'ir Stage) {
        walk_stage(self, stage)
    }
    fn visit_expr(&mut self, e: &'ir Expr, scope: &mut Scope<'ir>) {
        walk_expr(self, e, scope)
    }
    fn visit_predicate(&mut self, p: &'ir Predicate, scope: &mut Scope<'ir>) {
        walk_predicate(self, p, scope)
    }
    fn visit_elements(&mut self, el: &'ir Elements, scope: &mut Scope<'ir>) {
        walk_elements(self, el, scope)
    }
    fn visit_keyword(&mut self, _k: &'ir Keyword, _scope: &mut Scope<'ir>) {}
    fn visit_value(&mut self, v: &'ir Value, scope: &mut Scope<'ir>) {
        walk_value(self, v, scope)
    }
    fn visit_scalar(&mut self, s: &'ir Scalar, scope: &mut Scope<'ir>) {
        walk_scalar(self, s, scope)
    }
    /// Every field path the IR names comes here.
    fn visit_field(&mut self, _field: FieldRef<'_, 'ir>) {}
}

pub fn walk_expr<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, e: &'ir Expr, scope: &mut Scope<'ir>) {
    match &e.kind {
        ExprKind::And(xs) | ExprKind::Or(xs) => xs.iter().for_each(|x| v.visit_expr(x, scope)),
        ExprKind::Not(x) => v.visit_expr(x, scope),
        ExprKind::Pred(p) => v.visit_predicate(p, scope),
        ExprKind::Keyword(k) => v.visit_keyword(k, scope),
        ExprKind::Elements(el) => v.visit_elements(el, scope),
        ExprKind::Const(_) => {}
    }
}

/// The root's scalar (if computed), the tested path, then each value.
pub fn walk_predicate<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, p: &'ir Predicate, scope: &mut Scope<'ir>) {
    let Predicate { root, field, values, op: _, quantifier: _, case: _ } = p;
    if let Root::Value(s) = root {
        v.visit_scalar(s, scope);
    }
    v.visit_field(scope.field(field, Site::Predicate, root.is_event()));
    values.iter().for_each(|x| v.visit_value(x, scope));
}

/// The array's path, then the body and the `until` guard inside the element scope.
pub fn walk_elements<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, el: &'ir Elements, scope: &mut Scope<'ir>) {
    let Elements { path, quantifier: _, body, until } = el;
    v.visit_field(scope.field(path, Site::Elements, true));
    scope.within.push(path);
    v.visit_expr(body, scope);
    if let Some(u) = until {
        v.visit_expr(u, scope);
    }
    scope.within.pop();
}

pub fn walk_value<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, value: &'ir Value, scope: &mut Scope<'ir>) {
    if let Value::Field(path) = value {
        v.visit_field(scope.field(path, Site::Value, true));
    }
}

pub fn walk_scalar<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, s: &'ir Scalar, scope: &mut Scope<'ir>) {
    match s {
        Scalar::Field(path) => v.visit_field(scope.field(path, Site::Scalar, true)),
        Scalar::Column(_) => {}
        Scalar::Literal(x) => v.visit_value(x, scope),
        Scalar::Call { func: _, args } => args.iter().for_each(|a| v.visit_scalar(a, scope)),
        Scalar::Iff { cond, then, otherwise } => {
            v.visit_expr(cond, scope);
            v.visit_scalar(then, scope);
            v.visit_scalar(otherwise, scope);
        }
        Scalar::Case { arms, default } => {
            for (cond, value) in arms {
                v.visit_expr(cond, scope);
                v.visit_scalar(value, scope);
            }
            v.visit_scalar(default, scope);
        }
    }
}

/// The query, the correlation, then the metadata's fields.
pub fn walk_rule<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, rule: &'ir Rule) {
    v.visit_query(&rule.query);
    if let Some(c) = &rule.correlation {
        v.visit_correlation(c);
    }
    v.visit_meta(&rule.meta);
}

pub fn walk_meta<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, meta: &'ir Meta) {
    let scope = Scope::default();
    meta.dedup_fields.iter().for_each(|f| v.visit_field(scope.field(f, Site::Dedup, true)));
    meta.output_fields.iter().for_each(|o| v.visit_field(scope.field(&o.field, Site::Output, true)));
}

/// The aggregated fields, the group-by keys, then the inline members' queries.
pub fn walk_correlation<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, c: &'ir Correlation) {
    let scope = Scope::default();
    let aggregated: &[FieldPath] = match &c.kind {
        CorrelationKind::ValueCount { field }
        | CorrelationKind::ValueSum { field }
        | CorrelationKind::ValueAvg { field }
        | CorrelationKind::ValuePercentile { field, .. } => std::slice::from_ref(field),
        CorrelationKind::NewTerms { fields, .. } => fields,
        CorrelationKind::EventCount | CorrelationKind::Temporal | CorrelationKind::TemporalOrdered => &[],
    };
    aggregated.iter().for_each(|f| v.visit_field(scope.field(f, Site::Aggregated, true)));
    c.group_by.iter().for_each(|f| v.visit_field(scope.field(f, Site::GroupBy, true)));
    for m in &c.members {
        if let Member::Inline { query, .. } = m {
            v.visit_query(query);
        }
    }
}

/// `q`'s `let`s and stages, then each query they hold, in order and the same way (without
/// calling [`Visitor::visit_query`] for them: a work list takes them, so that no nesting of
/// queries makes the walk recurse).
pub fn walk_query<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, q: &'ir Query) {
    let mut todo = vec![q];
    while let Some(q) = todo.pop() {
        let mut held: Vec<&'ir Query> = Vec::new();
        for l in &q.lets {
            match &l.value {
                LetValue::Scalar(s) => v.visit_scalar(s, &mut Scope::default()),
                LetValue::Table { query, materialized: _ } => held.push(query),
                LetValue::Function { params: _, body } => held.push(body),
            }
        }
        for stage in &q.stages {
            v.visit_stage(stage);
            match &stage.kind {
                StageKind::Join { right, .. } => held.push(right),
                StageKind::Union(queries) => held.extend(queries),
                _ => {}
            }
        }
        todo.extend(held.into_iter().rev());
    }
}

/// What the stage holds apart from whole queries (which [`walk_query`] takes).
pub fn walk_stage<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, stage: &'ir Stage) {
    let scope = &mut Scope::default();
    match &stage.kind {
        StageKind::Where(e) => v.visit_expr(e, scope),
        StageKind::Extend(bs) | StageKind::Project(bs) | StageKind::Distinct(bs) => {
            bs.iter().for_each(|b| v.visit_scalar(&b.value, scope))
        }
        StageKind::MvExpand(b) => v.visit_scalar(&b.value, scope),
        StageKind::ProjectAway(paths) => {
            paths.iter().for_each(|p| v.visit_field(scope.field(p, Site::ProjectAway, true)))
        }
        StageKind::Summarize { aggs, by } => {
            for Aggregate { args, filter, column: _, name: _, func: _ } in aggs {
                args.iter().for_each(|a| v.visit_scalar(a, scope));
                if let Some(f) = filter {
                    v.visit_expr(f, scope);
                }
            }
            by.iter().for_each(|b| v.visit_scalar(&b.value, scope));
        }
        StageKind::Join { on, kind: _, right: _ } => {
            for (left, right) in on {
                v.visit_scalar(left, scope);
                v.visit_scalar(right, scope);
            }
        }
        StageKind::Sort(keys) => {
            for SortKey { value, descending: _, nulls_first: _ } in keys {
                v.visit_scalar(value, scope);
            }
        }
        StageKind::Union(_) | StageKind::Take(_) | StageKind::Unparsed { .. } => {}
    }
}

/// A visitor that hands each field to a closure.
struct EachField<F>(F);

impl<'ir, F: FnMut(FieldRef<'_, 'ir>)> Visitor<'ir> for EachField<F> {
    fn visit_field(&mut self, field: FieldRef<'_, 'ir>) {
        (self.0)(field)
    }
}

impl Expr {
    /// Every field path in the tree, in order (see [`Visitor::visit_field`]).
    pub fn for_each_field<'ir>(&'ir self, f: impl FnMut(FieldRef<'_, 'ir>)) {
        EachField(f).visit_expr(self, &mut Scope::default());
    }
}

impl Rule {
    /// Every field path the rule names, in order: its query, correlation and metadata.
    pub fn for_each_field<'ir>(&'ir self, f: impl FnMut(FieldRef<'_, 'ir>)) {
        EachField(f).visit_rule(self);
    }

    /// Every event field the rule reads, groups, drops or shows, as the path from the event
    /// ([`FieldRef::absolute`], written as `ruleport ir` writes paths: `l[*].a`).
    pub fn fields_read(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.for_each_field(|f| {
            if f.event && !(f.within.is_empty() && f.path.0.is_empty()) {
                out.insert(f.absolute().to_string());
            }
        });
        out
    }
}

/// How deeply `e` nests, counting the levels of the scalars a computed operand holds (a
/// leaf is 1), without recursion ([`Expr::depth`]).
pub(super) fn depth(e: &Expr) -> usize {
    nesting(Node::Expr(e))
}

/// [`depth`] for a scalar.
pub(super) fn scalar_depth(s: &Scalar) -> usize {
    nesting(Node::Scalar(s))
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Expr(&'a Expr),
    Scalar(&'a Scalar),
}

fn nesting(start: Node<'_>) -> usize {
    let mut deepest = 0;
    let mut todo = vec![(start, 1usize)];
    while let Some((node, d)) = todo.pop() {
        deepest = deepest.max(d);
        let below = |n| (n, d + 1);
        match node {
            Node::Expr(e) => match &e.kind {
                ExprKind::And(xs) | ExprKind::Or(xs) => todo.extend(xs.iter().map(|x| below(Node::Expr(x)))),
                ExprKind::Not(x) => todo.push(below(Node::Expr(x))),
                ExprKind::Elements(el) => {
                    todo.push(below(Node::Expr(&el.body)));
                    todo.extend(el.until.iter().map(|u| below(Node::Expr(u))));
                }
                ExprKind::Pred(p) => {
                    if let Root::Value(s) = &p.root {
                        todo.push(below(Node::Scalar(s)));
                    }
                }
                ExprKind::Keyword(_) | ExprKind::Const(_) => {}
            },
            Node::Scalar(s) => match s {
                Scalar::Call { args, .. } => todo.extend(args.iter().map(|a| below(Node::Scalar(a)))),
                Scalar::Iff { cond, then, otherwise } => {
                    todo.push(below(Node::Expr(cond)));
                    todo.push(below(Node::Scalar(then)));
                    todo.push(below(Node::Scalar(otherwise)));
                }
                Scalar::Case { arms, default } => {
                    for (c, v) in arms {
                        todo.push(below(Node::Expr(c)));
                        todo.push(below(Node::Scalar(v)));
                    }
                    todo.push(below(Node::Scalar(default)));
                }
                Scalar::Field(_) | Scalar::Column(_) | Scalar::Literal(_) => {}
            },
        }
    }
    deepest
}

#[cfg(test)]
mod tests;
