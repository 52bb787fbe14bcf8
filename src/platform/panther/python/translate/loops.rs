//! Iteration: `for` loops and `any()` / `all()` generators → element-scoped tests.
//!
//! The loop variable is bound to a field under a marker key, so that after translation every
//! predicate that reads the element can be told from one that reads the event; the marker is
//! then stripped and the body becomes an [`ExprKind::Elements`] test over the array. Where
//! that test distributes exactly over its conditions it is written as per-predicate fan-outs
//! (`a[*].b`), which every target can say.
//!
//! A `for` loop ends at the first element whose body returns. When every `return` in the
//! body gives the same constant, the loop is exactly "some element returns", whatever the
//! order. Bodies that return different values, or that can raise (whose outcome would depend
//! on which element comes first), are refused.

use super::{and_all, ite, Sym, Translator, R};
use crate::ir::fold::{fold_expr_children, FieldAt, Fold, FoldScope};
use crate::ir::{Case, Elements, Expr, ExprKind, FieldPath, Op, Predicate, Quantifier, Seg, Value};
use crate::passes::distribute_elements;
use crate::platform::panther::python::env::span_of;
use crate::platform::panther::python::field::FieldRef;
use ruff_python_ast::{self as ast, Expr as PyExpr, Stmt};
use serde_json::Value as Json;
use std::collections::HashMap;

/// Key that marks the loop element inside a body (not a key any event can have: it starts
/// with a NUL).
fn marker(depth: usize) -> String {
    format!("\u{0}element{depth}")
}

/// What a loop iterates.
enum Source {
    Field(FieldRef),
    /// deep_walk's values: iterated like a field, but only as mappings.
    Walked(FieldRef),
    Constants(Vec<Json>),
    /// A list built in the rule.
    Items(Vec<Sym>),
    /// `x or []`: `x`'s elements when `x` is truthy (this condition), else none.
    IfTruthy(Box<Source>, Expr),
}

impl<'m, 'd> Translator<'m, 'd> {
    /// `for VAR in ITER: BODY`, then `rest`.
    pub(super) fn for_loop(&mut self, f: &ast::StmtFor, rest: &[&Stmt]) -> R<Expr> {
        if f.is_async || !f.orelse.is_empty() {
            return self.fail("a `for … else` loop", f);
        }
        let PyExpr::Name(var) = &*f.target else {
            return self.fail("a loop target that is not a name", &*f.target);
        };
        let source = self.source(&f.iter)?;
        // Items known here: read in any order when the body allows it, else one by one.
        let items: Option<Vec<Sym>> = match &source {
            Source::Constants(c) => Some(c.iter().cloned().map(Sym::Lit).collect()),
            Source::Items(items) => Some(items.clone()),
            _ => None,
        };
        if let (Some(items), None) = (items, &self.loop_returns) {
            if matches!(source, Source::Constants(_)) {
                let saved = (self.guards.clone(), self.guards_pushed, self.steps);
                match self.order_free_loop(f, var, &source, rest) {
                    Ok(e) => return Ok(e),
                    Err(_) => (self.guards, self.guards_pushed, self.steps) = saved,
                }
            }
            return self.unrolled(f, items, rest, |t, stmts| t.block(stmts));
        }
        self.order_free_loop(f, var, &source, rest)
    }

    /// A loop read as "some element returns" (see the module docs).
    fn order_free_loop(
        &mut self,
        f: &ast::StmtFor,
        var: &ast::ExprName,
        source: &Source,
        rest: &[&Stmt],
    ) -> R<Expr> {
        let mut guards = std::mem::take(&mut self.guards);
        let (returns, value) = self.loop_returning(f, var, source)?;
        guards.append(&mut self.guards);
        // Read for whether the enclosing step completes: a return completes it.
        let on_return =
            if self.raise_only > 0 { Expr::constant(true, None) } else { self.returned_constant(value) };
        let after = self.block(rest)?;
        Ok(and_all(guards, ite(returns, on_return, after)))
    }

    /// A loop whose iterations return one constant: when some iteration returns, and the
    /// constant. What the loop needs to not raise is left as guards.
    fn loop_returning(&mut self, f: &ast::StmtFor, var: &ast::ExprName, source: &Source) -> R<(Expr, Json)> {
        for g in iteration_guards(source) {
            self.guard(g);
        }
        let saved = self.loop_returns.replace(Vec::new());
        // Whether an iteration returns is read as such, also inside a step read for whether
        // it completes.
        let saved_raise_only = std::mem::take(&mut self.raise_only);
        let body: Vec<&Stmt> = f.body.iter().collect();
        let returns = self.each_element(source, var.id.as_str(), true, false, f, &mut |t| t.block(&body));
        self.raise_only = saved_raise_only;
        let values = std::mem::replace(&mut self.loop_returns, saved).unwrap_or_default();
        let returns = returns?;
        // Names the body assigned keep their last value after the loop: unknown here.
        self.poison_assigned(&f.body);
        let value = match values.split_first() {
            None => Json::Bool(false),
            Some((v, more)) if more.iter().all(|m| m == v) => v.clone(),
            Some(_) => return self.fail("a loop whose iterations return different values", f),
        };
        Ok((returns, value))
    }

    /// A loop over event values in a helper that returns values: it returns its constant
    /// when some iteration returns, else what follows.
    pub(super) fn loop_value(&mut self, f: &ast::StmtFor, rest: &[&Stmt]) -> R<Vec<super::values::Alt>> {
        if f.is_async || !f.orelse.is_empty() {
            return self.fail("a `for … else` loop", f);
        }
        let PyExpr::Name(var) = &*f.target else {
            return self.fail("a loop target that is not a name", &*f.target);
        };
        let source = self.source(&f.iter)?;
        let (returns, value) = self.loop_returning(f, var, &source)?;
        let after = self.block_value(rest)?;
        let mut alts = vec![(returns.clone(), Sym::Lit(value), vec![])];
        for (cond, s, g) in after {
            alts.push((Expr::and(vec![Expr::not(returns.clone(), None), cond], None), s, g));
        }
        Ok(alts)
    }

    /// The value of `return <constant>` in the current context.
    pub(super) fn returned_constant(&mut self, v: Json) -> Expr {
        if let Some(values) = self.loop_returns.as_mut() {
            values.push(v);
            return Expr::constant(true, None);
        }
        let alerts = if self.strict_return { v == Json::Bool(true) } else { crate::eval::truthy(&v) };
        Expr::constant(alerts, None)
    }

    /// `any(test for x in ITER if cond)` / `all(...)`.
    pub(super) fn generator(&mut self, any: bool, g: &ast::ExprGenerator) -> R<Expr> {
        let [comp] = &g.generators[..] else { return self.fail("a generator with several `for`s", g) };
        let PyExpr::Name(var) = &comp.target else {
            return self.fail("a generator target that is not a name", &comp.target);
        };
        if comp.is_async {
            return self.fail("an async generator", g);
        }
        let source = self.source(&comp.iter)?;
        // Raising propagates whatever the caller does with the value: a guard, not a term.
        for guard in iteration_guards(&source) {
            self.guard(guard);
        }
        self.each_element(&source, var.id.as_str(), any, true, g, &mut |t| {
            // Each `if` runs only when the ones before held, and the test only when all did:
            // what they need to not raise is needed only then.
            let mut conds: Vec<Expr> = Vec::new();
            for i in &comp.ifs {
                let c = t.operand(true, &conds, |t| t.bool_of(i))?;
                conds.push(c);
            }
            let test = t.operand(true, &conds, |t| t.bool_of(&g.elt))?;
            let cond = Expr::and(conds, None);
            Ok(if any {
                Expr::and(vec![cond, test], None)
            } else {
                Expr::or(vec![Expr::not(cond, None), test], None)
            })
        })
    }

    fn source(&mut self, iter: &PyExpr) -> R<Source> {
        if let PyExpr::BoolOp(b) = iter {
            let empty = |e: &PyExpr| match e {
                PyExpr::List(l) => l.elts.is_empty(),
                PyExpr::Tuple(t) => t.elts.is_empty(),
                _ => false,
            };
            if let (ruff_python_ast::BoolOp::Or, [x, e]) = (b.op, &b.values[..]) {
                if empty(e) {
                    let cond = self.bool_of(x)?;
                    let inner = self.source(x)?;
                    return Ok(Source::IfTruthy(Box::new(inner), cond));
                }
            }
        }
        // `set(x)`, `list(x)` … iterate what `x` iterates (order and repeats do not matter to
        // any/all), and raise where iterating `x` raises.
        if let PyExpr::Call(c) = iter {
            if let (PyExpr::Name(n), [inner], true) =
                (&*c.func, &c.arguments.args[..], c.arguments.keywords.is_empty())
            {
                if matches!(n.id.as_str(), "set" | "frozenset" | "list" | "tuple" | "sorted") {
                    return self.source(inner);
                }
            }
        }
        Ok(match self.sym(iter)? {
            Sym::Field(mut f) if f.fold.is_none() => {
                // The default is what an absent field iterates: "" and {} give nothing, as []
                // does; a non-empty string or mapping would give characters or keys.
                match &f.default {
                    Json::Null | Json::Array(_) => {}
                    Json::String(s) if s.is_empty() => f.default = Json::Array(vec![]),
                    Json::Object(m) if m.is_empty() => f.default = Json::Array(vec![]),
                    _ => return self.fail("iteration over a field whose default is not a list", iter),
                }
                Source::Field(f)
            }
            // deep_walk's values, read as mappings: through a list on the way Python collects
            // them into a set, which raises for mappings, and the elements of scalars have no
            // keys, so an event with a list on the way gives no alert (the path is absent).
            Sym::Walked(f) => Source::Walked(f),
            Sym::Lit(Json::Array(items)) => Source::Constants(items),
            Sym::Seq(items) => Source::Items(items),
            Sym::Dict(items) => Source::Constants(items.into_iter().map(|(k, _)| Json::String(k)).collect()),
            Sym::Lit(Json::Object(m)) => Source::Constants(m.keys().cloned().map(Json::String).collect()),
            _ => return self.fail("iteration over something other than an event field or a constant", iter),
        })
    }

    /// `quantifier` elements of `source` make `test` true, `test` being translated once per
    /// constant, or once with the variable bound to the element of an event array.
    /// With `hoist` (a generator, whose test keeps its guards), a guard every constant's step
    /// shares becomes a guard on the whole loop.
    fn each_element(
        &mut self,
        source: &Source,
        var: &str,
        any: bool,
        hoist: bool,
        node: &impl ruff_text_size::Ranged,
        test: &mut dyn FnMut(&mut Self) -> R<Expr>,
    ) -> R<Expr> {
        match source {
            Source::Constants(items) => {
                let items = items.iter().cloned().map(Sym::Lit).collect();
                self.each_known(items, var, any, hoist, node, test)
            }
            Source::Items(items) => self.each_known(items.clone(), var, any, hoist, node, test),
            Source::IfTruthy(inner, cond) => {
                let each = self.each_element(inner, var, any, hoist, node, test)?;
                Ok(if any {
                    Expr::and(vec![cond.clone(), each], None)
                } else {
                    Expr::or(vec![Expr::not(cond.clone(), None), each], None)
                })
            }
            Source::Field(list) | Source::Walked(list) => {
                self.loop_depth += 1;
                let key = marker(self.loop_depth);
                let element = FieldRef::new(FieldPath::key(key.clone()), Json::Null, false);
                let step = self.element_step(var, element, hoist, test, node);
                self.loop_depth -= 1;
                let (body, completes) = step?;
                let strip = |e: Expr| strip_marker(e, &key);
                let outside = "a loop test that reads the event besides the element";
                let Some(body) = strip(body) else { return self.fail(outside, node) };
                if matches!(source, Source::Walked(_))
                    && (completes.is_some() || reads_the_element_itself(&body))
                {
                    return self.fail("iterating deep_walk's result other than as mappings", node);
                }
                let span = Some(span_of(self.file, node));
                let Some(completes) = completes else {
                    let quantifier = if any { Quantifier::Any } else { Quantifier::All };
                    let el = elements(&list.path, quantifier, crate::passes::simplify(body), None, span);
                    let (flat, inexact) = distribute_elements(&el);
                    let el = if inexact.is_empty() { flat } else { el };
                    return Ok(list.exact(el));
                };
                let Some(completes) = strip(completes) else { return self.fail(outside, node) };
                // A step that can raise: Python visits the elements in order and stops at the
                // first one that decides (returns, or raises). `body` is "this element makes
                // the loop return" (for a generator: its test, which is read only when the
                // step completes), `completes` "this element's step does not raise".
                let ordered = |b: Expr, u: Expr| elements(&list.path, Quantifier::Any, b, Some(u), span);
                let not = |e: &Expr| Expr::not(e.clone(), None);
                let both = |a: &Expr, b: Expr| Expr::and(vec![a.clone(), b], None);
                let (value, raised) = match (hoist, any) {
                    // for: returns at some element, every one before completing; raises at some
                    // element, none before returning.
                    (false, _) => {
                        (ordered(body.clone(), completes.clone()), ordered(not(&completes), not(&body)))
                    }
                    (true, true) => (
                        ordered(both(&completes, body.clone()), completes.clone()),
                        ordered(not(&completes), not(&body)),
                    ),
                    (true, false) => (
                        elements(&list.path, Quantifier::All, both(&completes, body.clone()), None, span),
                        ordered(not(&completes), body),
                    ),
                };
                let raised = list.exact(raised);
                self.guard(Expr::not(raised, None));
                Ok(list.exact(value))
            }
        }
    }

    /// One element's step, translated with the variable bound to the element: its test, and
    /// when it can raise, the condition under which it does not (`None`: it never raises).
    /// A generator's test keeps what it needs as guards; a `for` body folds them into its
    /// returns, so it is read a second time with every way out of the step counted as
    /// completing (`raise_only`).
    fn element_step(
        &mut self,
        var: &str,
        element: FieldRef,
        hoist: bool,
        test: &mut dyn FnMut(&mut Self) -> R<Expr>,
        node: &impl ruff_text_size::Ranged,
    ) -> R<(Expr, Option<Expr>)> {
        let (body, guards, pushed) = self.element_scope(var, Sym::Field(element.clone()), test)?;
        if !pushed {
            return Ok((body, None));
        }
        if hoist {
            return Ok((body, Some(Expr::and(guards, None))));
        }
        let cannot = "a loop step that can raise an exception in a way this translation cannot follow";
        if !guards.is_empty() {
            return self.fail(cannot, node);
        }
        self.raise_only += 1;
        let again = self.element_scope(var, Sym::Field(element), test);
        self.raise_only -= 1;
        match again {
            Ok((completes, rest, _)) if rest.is_empty() => Ok((body, Some(completes))),
            _ => self.fail(cannot, node),
        }
    }

    /// `each_element` over items known here. Where steps can raise differently, a generator is
    /// read in order: a step runs (and can raise) only when the ones before did not decide.
    fn each_known(
        &mut self,
        items: Vec<Sym>,
        var: &str,
        any: bool,
        hoist: bool,
        node: &impl ruff_text_size::Ranged,
        test: &mut dyn FnMut(&mut Self) -> R<Expr>,
    ) -> R<Expr> {
        if items.len() > 512 {
            return self.fail("iteration over a very large constant collection", node);
        }
        let raising =
            "a loop step that can raise an exception (its outcome would depend on the element order)";
        let mut parts = Vec::new();
        let mut shared: Option<Vec<Expr>> = None;
        let saved = (self.guards.clone(), self.guards_pushed, self.steps);
        for item in &items {
            let (part, guards, pushed) = self.element_scope(var, item.clone(), test)?;
            // A step may raise only the same way for every element (the first one then
            // raises, whatever the order): a guard on the whole loop.
            let bare: Vec<Expr> = guards.iter().map(Expr::without_spans).collect();
            match &shared {
                _ if pushed && !hoist => return self.fail(raising, node),
                Some(s) if *s != bare => {
                    (self.guards, self.guards_pushed, self.steps) = saved;
                    return self.each_in_order(items, var, any, test);
                }
                _ => shared = Some(bare),
            }
            parts.push(part);
        }
        for g in shared.unwrap_or_default() {
            self.guard(g);
        }
        Ok(if any { Expr::or(parts, None) } else { Expr::and(parts, None) })
    }

    /// `any(...)` / `all(...)` step by step, as `a or b …` / `a and b …` short-circuit.
    fn each_in_order(
        &mut self,
        items: Vec<Sym>,
        var: &str,
        any: bool,
        test: &mut dyn FnMut(&mut Self) -> R<Expr>,
    ) -> R<Expr> {
        let mut parts: Vec<Expr> = Vec::new();
        for item in items {
            let part = self.operand(!any, &parts, |t| {
                let (part, guards, _) = t.element_scope(var, item, test)?;
                for g in guards {
                    t.guard(g);
                }
                Ok(part)
            })?;
            parts.push(part);
        }
        Ok(if any { Expr::or(parts, None) } else { Expr::and(parts, None) })
    }

    /// Translate `test` with `var` bound to `value`; a test that can raise is refused.
    /// Translate `test` with `var` bound to `value`: the test, the guards it left, and
    /// whether it could raise at all.
    fn element_scope(
        &mut self,
        var: &str,
        value: Sym,
        test: &mut dyn FnMut(&mut Self) -> R<Expr>,
    ) -> R<(Expr, Vec<Expr>, bool)> {
        let pushed = self.guards_pushed;
        let outer = std::mem::take(&mut self.guards);
        self.scopes.push(HashMap::from([(var.to_string(), value)]));
        self.conditional += 1;
        let out = test(self);
        self.conditional -= 1;
        self.scopes.pop();
        let guards = std::mem::replace(&mut self.guards, outer);
        Ok((out?, guards, self.guards_pushed != pushed))
    }

    /// Names assigned in a loop body hold the last iteration's value afterwards: reading one
    /// after the loop is refused.
    fn poison_assigned(&mut self, body: &[Stmt]) {
        let mut names = Vec::new();
        assigned_names(body, &mut names);
        for n in names {
            self.bind(n, Sym::Unknown("a name assigned inside a loop, read after it"));
        }
    }
}

fn assigned_names(body: &[Stmt], out: &mut Vec<String>) {
    for s in body {
        match s {
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if let PyExpr::Name(n) = t {
                        out.push(n.id.to_string());
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let PyExpr::Name(n) = &*a.target {
                    out.push(n.id.to_string());
                }
            }
            Stmt::For(f) => {
                if let PyExpr::Name(n) = &*f.target {
                    out.push(n.id.to_string());
                }
                assigned_names(&f.body, out);
            }
            Stmt::If(i) => {
                assigned_names(&i.body, out);
                for c in &i.elif_else_clauses {
                    assigned_names(&c.body, out);
                }
            }
            _ => {}
        }
    }
}

/// Iterating raises (no alert) when Python would iterate None: an absent key whose default
/// is None, or a present null that `get` (unlike `deep_get`) does not replace.
fn iteration_guards(source: &Source) -> Vec<Expr> {
    if let Source::Walked(list) = source {
        // Nothing found gives the default: iterating None raises.
        if !list.default.is_null() {
            return vec![];
        }
        return vec![Expr::pred(
            Predicate::new(list.path.clone(), Op::Truthy, vec![], Case::Sensitive),
            None,
        )];
    }
    let Source::Field(list) = source else { return vec![] };
    let pred = |op, values| Expr::pred(Predicate::new(list.path.clone(), op, values, Case::Sensitive), None);
    if list.default.is_null() {
        vec![Expr::not(pred(Op::IsNull, vec![]), None)]
    } else if !list.null_is_default {
        vec![Expr::not(pred(Op::Eq, vec![Value::Null]), None)]
    } else {
        vec![]
    }
}

/// `e` with the element marker removed from every path, or `None` if some part of `e`
/// reads outside the element.
fn strip_marker(e: Expr, key: &str) -> Option<Expr> {
    let mut strip = Strip { key, outside: false };
    let out = strip.fold_expr(e, &mut FoldScope::default());
    (!strip.outside).then_some(out)
}

/// Every path outside the bodies of `Elements` (those are relative to their own elements).
struct Strip<'a> {
    key: &'a str,
    outside: bool,
}

impl Fold for Strip<'_> {
    fn fold_expr(&mut self, e: Expr, scope: &mut FoldScope) -> Expr {
        // A free-text term reads the whole event.
        self.outside |= matches!(e.kind, ExprKind::Keyword(_));
        fold_expr_children(self, e, scope)
    }
    fn fold_elements(&mut self, el: Elements, _scope: &mut FoldScope) -> Elements {
        Elements { path: self.strip(el.path), ..el }
    }
    fn fold_field(&mut self, path: FieldPath, _at: FieldAt<'_>) -> FieldPath {
        self.strip(path)
    }
}

impl Strip<'_> {
    fn strip(&mut self, path: FieldPath) -> FieldPath {
        match path.0.split_first() {
            Some((Seg::Key(k), rest)) if k == self.key => FieldPath(rest.to_vec()),
            _ => {
                self.outside = true;
                path
            }
        }
    }
}

/// Whether `body` (element-relative) tests, compares with or iterates the element itself
/// rather than a key of it. Paths inside a nested element test are relative to that one.
fn reads_the_element_itself(body: &Expr) -> bool {
    let mut itself = false;
    body.for_each_field(|f| itself |= f.within.is_empty() && f.path.0.is_empty());
    itself
}

fn elements(
    path: &FieldPath,
    quantifier: Quantifier,
    body: Expr,
    until: Option<Expr>,
    span: Option<crate::diag::Span>,
) -> Expr {
    let until = until.map(|u| Box::new(crate::passes::simplify(u)));
    Expr::new(
        ExprKind::Elements(Elements {
            path: path.clone(),
            quantifier,
            body: Box::new(crate::passes::simplify(body)),
            until,
        }),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Keyword, Pattern};

    fn p(path: FieldPath, values: Vec<Value>) -> Expr {
        Expr::pred(Predicate::new(path, Op::Eq, values, Case::Sensitive), None)
    }

    fn each(path: FieldPath, body: Expr) -> Expr {
        let el = Elements { path, quantifier: Quantifier::Any, body: Box::new(body), until: None };
        Expr::new(ExprKind::Elements(el), None)
    }

    #[test]
    fn the_marker_is_stripped_from_every_path_outside_nested_element_bodies() {
        let m = |k: &str| FieldPath::keys(["@m", k]);
        let inner = p(FieldPath::key("k"), vec![Value::Field(FieldPath::key("j"))]);
        let e = Expr::and(vec![p(m("a"), vec![Value::Field(m("b"))]), each(m("l"), inner.clone())], None);
        let want = Expr::and(
            vec![
                p(FieldPath::key("a"), vec![Value::Field(FieldPath::key("b"))]),
                each(FieldPath::key("l"), inner),
            ],
            None,
        );
        assert_eq!(strip_marker(e, "@m"), Some(want));
        assert_eq!(strip_marker(p(FieldPath::key("a"), vec![]), "@m"), None);
        assert_eq!(strip_marker(p(m("a"), vec![Value::Field(FieldPath::key("b"))]), "@m"), None);
        let keyword = Keyword { pattern: Pattern::literal("x"), case: Case::Sensitive };
        assert_eq!(strip_marker(Expr::new(ExprKind::Keyword(keyword), None), "@m"), None);
    }

    #[test]
    fn the_element_itself_is_read_only_at_its_own_scope() {
        let itself = FieldPath::default();
        assert!(reads_the_element_itself(&p(itself.clone(), vec![])));
        assert!(reads_the_element_itself(&p(FieldPath::key("a"), vec![Value::Field(itself.clone())])));
        assert!(reads_the_element_itself(&each(itself.clone(), p(FieldPath::key("a"), vec![]))));
        // `any(y == 1 for y in x["l"])`: the nested loop's own element.
        assert!(!reads_the_element_itself(&each(FieldPath::key("l"), p(itself, vec![Value::Int(1)]))));
    }

    #[test]
    fn spans_are_filled_inside_element_tests_too() {
        let span = crate::diag::Span::default();
        let e = super::super::fill_spans(each(FieldPath::key("l"), p(FieldPath::key("a"), vec![])), span);
        let mut spans = Vec::new();
        e.walk(&mut |x| spans.push(x.span));
        assert_eq!(spans, [Some(span), Some(span)]);
    }
}
