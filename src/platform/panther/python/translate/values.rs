//! Values that depend on the event: `a if c else b`, `x or default`, a helper that returns
//! different values on different branches, `MAPPING.get(field, default)`.
//!
//! Such a value is a [`Sym::Choice`]: alternatives whose conditions are mutually exclusive and
//! cover every event. Whatever is done with it (a comparison, truthiness) is done with each
//! alternative under its condition. What an alternative needs to not raise is needed only when
//! its condition holds.

use super::compare::eq_pred;
use super::*;

/// An alternative: when it is taken, its value, and what must hold for it not to raise.
pub(super) type Alt = (Expr, Sym, Vec<Expr>);

impl<'m, 'd> Translator<'m, 'd> {
    /// `body if test else orelse`.
    pub(super) fn if_value(&mut self, e: &ast::ExprIf) -> R<Sym> {
        let cond = self.bool_of(&e.test)?;
        if let ExprKind::Const(known) = crate::passes::simplify(cond.clone()).kind {
            return self.sym(if known { &e.body } else { &e.orelse });
        }
        self.conditional += 1;
        let then = self.isolated(|t| t.sym(&e.body));
        let otherwise = self.isolated(|t| t.sym(&e.orelse));
        self.conditional -= 1;
        let (then, otherwise) = (then?, otherwise?);
        Ok(self
            .choice(vec![(cond.clone(), then.0, then.1), (Expr::not(cond, None), otherwise.0, otherwise.1)]))
    }

    /// `a or b …` / `a and b …` used as a value: the first operand that decides, else the last.
    pub(super) fn bool_op_value(&mut self, b: &ast::ExprBoolOp) -> R<Sym> {
        let and = b.op == BoolOp::And;
        let mut alts = Vec::new();
        // The truthiness of the operands so far; each one runs only when they did not decide.
        let mut before: Vec<Expr> = Vec::new();
        let n = b.values.len();
        for (i, x) in b.values.iter().enumerate() {
            let later = usize::from(i > 0);
            self.conditional += later;
            let outcome = self.isolated(|t| {
                let value = t.sym(x)?;
                let truthy = t.truthy(value.clone())?;
                Ok((value, truthy))
            });
            self.conditional -= later;
            let ((value, truthy), guards) = outcome?;
            let undecided: Vec<Expr> =
                before.iter().map(|t| if and { t.clone() } else { Expr::not(t.clone(), None) }).collect();
            let mut cond = undecided;
            if i + 1 < n {
                // This operand decides: truthy for `or`, falsy for `and`.
                cond.push(if and { Expr::not(truthy.clone(), None) } else { truthy.clone() });
            }
            alts.push((Expr::and(cond, None), value, guards));
            before.push(truthy);
        }
        Ok(self.choice(alts))
    }

    /// A test of each alternative of a choice, under its condition: `f` gives the test, or
    /// `None` where Python raises for that alternative (then a guard that it is not taken).
    pub(super) fn each_alternative(
        &mut self,
        alts: Vec<(Expr, Sym)>,
        mut f: impl FnMut(&mut Self, Sym) -> R<Option<Expr>>,
    ) -> R<Expr> {
        let mut out = Vec::new();
        for (cond, s) in alts {
            // What the test needs to not raise is needed only when this alternative is taken.
            let (test, guards) = self.isolated(|t| f(t, s))?;
            self.guard_when(&cond, guards);
            match test {
                Some(test) => out.push(Expr::and(vec![cond, test], None)),
                None => self.guard(Expr::not(cond, None)),
            }
        }
        Ok(Expr::or(out, None))
    }

    /// `guards` must hold when `cond` does.
    pub(super) fn guard_when(&mut self, cond: &Expr, guards: Vec<Expr>) {
        if !guards.is_empty() {
            let g = Expr::or(vec![Expr::not(cond.clone(), None), Expr::and(guards, None)], None);
            self.guard(crate::passes::simplify(g));
        }
    }

    /// `MAPPING.get(key, default)` with a constant mapping and a key read from the event.
    pub(super) fn lookup_value(
        &mut self,
        map: &serde_json::Map<String, Json>,
        key: FieldRef,
        default: Json,
    ) -> Sym {
        if key.fold.is_none() {
            // A list or a mapping is unhashable: the lookup raises TypeError.
            let unhashable =
                Expr::or(vec![key.pred(Op::IsList, vec![]), key.pred(Op::IsObject, vec![])], None);
            let guard = key.exact(Expr::not(unhashable, None));
            self.guard(guard);
        }
        let mut alts: Vec<Alt> = Vec::new();
        let mut keys = Vec::new();
        for (k, v) in map {
            let hit = key.exact(eq_pred(&key, &[Json::String(k.clone())]));
            keys.push(Json::String(k.clone()));
            alts.push((hit, Sym::Lit(v.clone()), vec![]));
        }
        let none = Expr::not(key.exact(eq_pred(&key, &keys)), None);
        alts.push((none, Sym::Lit(default), vec![]));
        self.choice(alts)
    }

    /// A helper's body as the value it returns on its different branches; `None` when it
    /// cannot be read this way. What a branch needs to not raise is a guard when that branch
    /// is taken: a raise ends the rule, whatever the caller does with the value.
    pub(super) fn returned_value(&mut self, body: &[&Stmt]) -> Option<Sym> {
        let saved = (self.guards.clone(), self.guards_pushed, self.steps);
        let outcome = self.isolated(|t| t.block_value(body));
        match outcome {
            Ok((alts, outer)) => {
                self.guards.extend(outer);
                let truth = |s: &Sym| match s {
                    Sym::Bool(e) => Some(e.clone()),
                    Sym::Lit(Json::Bool(b)) => Some(Expr::constant(*b, None)),
                    _ => None,
                };
                if !alts.iter().all(|(_, s, _)| truth(s).is_some()) {
                    return Some(self.choice(alts));
                }
                // Only truth values: one test.
                let mut parts = Vec::new();
                for (cond, s, guards) in alts {
                    self.guard_when(&cond, guards);
                    parts.extend(truth(&s).map(|b| Expr::and(vec![cond, b], None)));
                }
                Some(Sym::Bool(Expr::or(parts, None)))
            }
            Err(_) => {
                (self.guards, self.guards_pushed, self.steps) = saved;
                None
            }
        }
    }

    /// The alternatives a statement list returns (falling off the end returns None).
    pub(super) fn block_value(&mut self, stmts: &[&Stmt]) -> R<Vec<Alt>> {
        let Some((first, rest)) = stmts.split_first() else {
            return Ok(vec![(Expr::constant(true, None), Sym::Lit(Json::Null), vec![])]);
        };
        self.steps += 1;
        if self.steps > 20_000 {
            return self.fail("a function too branchy to translate (over 20000 statement paths)", *first);
        }
        let (alts, guards) = self.isolated(|t| match first {
            Stmt::Return(r) => {
                let value = match &r.value {
                    None => Sym::Lit(Json::Null),
                    Some(v) => t.sym(v)?,
                };
                Ok(vec![(Expr::constant(true, None), value, vec![])])
            }
            Stmt::If(i) => t.if_value_chain(&i.test, &i.body, &i.elif_else_clauses, rest),
            Stmt::Assign(a) => {
                t.assign(a)?;
                t.block_value(rest)
            }
            Stmt::Expr(e) if matches!(*e.value, PyExpr::StringLiteral(_)) => t.block_value(rest),
            Stmt::Try(x) => t.try_value(x, rest),
            Stmt::Pass(_) if t.unrolled_mark(first) => t.block_value(rest),
            Stmt::Continue(_) | Stmt::Break(_) => match t.jump(first, rest) {
                Some(i) => t.block_value(&rest[i..]),
                None => t.fail("a `break` or `continue` here", *first),
            },
            Stmt::For(f) => t.for_value(f, rest),
            Stmt::Pass(_) => t.block_value(rest),
            _ => t.fail("this statement in a helper that returns values", *first),
        })?;
        // What the statement itself needs holds on every path through it.
        Ok(alts
            .into_iter()
            .map(|(c, s, mut g)| {
                (c, s, {
                    g.extend(guards.iter().cloned());
                    g
                })
            })
            .collect())
    }

    fn if_value_chain(
        &mut self,
        test: &PyExpr,
        body: &[Stmt],
        clauses: &[ast::ElifElseClause],
        rest: &[&Stmt],
    ) -> R<Vec<Alt>> {
        let cond = self.bool_of(test)?;
        let known = match crate::passes::simplify(cond.clone()).kind {
            ExprKind::Const(b) => Some(b),
            _ => None,
        };
        let then = if known == Some(false) { vec![] } else { self.branch_value(body, rest)? };
        let otherwise = if known == Some(true) {
            vec![]
        } else {
            match clauses.split_first() {
                None => self.block_value(rest)?,
                Some((c, more)) => match &c.test {
                    Some(t) => self.if_value_chain(t, &c.body, more, rest)?,
                    None => self.branch_value(&c.body, rest)?,
                },
            }
        };
        let under = |c: Expr, alts: Vec<Alt>| {
            alts.into_iter().map(move |(a, s, g)| (Expr::and(vec![c.clone(), a], None), s, g))
        };
        Ok(under(cond.clone(), then).chain(under(Expr::not(cond, None), otherwise)).collect())
    }

    pub(super) fn branch_value(&mut self, body: &[Stmt], rest: &[&Stmt]) -> R<Vec<Alt>> {
        self.in_branch(body, rest, |t, stmts| t.block_value(stmts))
    }

    /// Run `f` with its own guards, returned beside its result.
    pub(super) fn isolated<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<(T, Vec<Expr>)> {
        let outer = std::mem::take(&mut self.guards);
        let out = f(self);
        let own = std::mem::replace(&mut self.guards, outer);
        Ok((out?, own))
    }

    /// A choice of alternatives; an alternative's guards hold whenever it is taken.
    fn choice(&mut self, alts: Vec<Alt>) -> Sym {
        let mut out = Vec::new();
        for (cond, value, guards) in alts {
            let cond = crate::passes::simplify(cond);
            if matches!(cond.kind, ExprKind::Const(false)) {
                continue;
            }
            self.guard_when(&cond, guards);
            out.push((cond, value));
        }
        match out.len() {
            1 => out.remove(0).1,
            _ => Sym::Choice(out),
        }
    }
}
