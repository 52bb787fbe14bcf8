//! Truth values: Python truthiness of a symbolic value, `and` / `or` (whose later operands
//! run only when the earlier ones did not decide), and what a `return` means for the rule.

use super::*;

impl<'m, 'd> Translator<'m, 'd> {
    pub(super) fn truthy(&mut self, s: Sym) -> R<Expr> {
        Ok(match s {
            Sym::Bool(e) | Sym::Matched(e) => e,
            Sym::Compiled { .. } => Expr::constant(true, None),
            Sym::Choice(alts) => self.each_alternative(alts, |t, s| t.truthy(s).map(Some))?,
            Sym::Field(f) => f.exact(f.pred(Op::Truthy, vec![])),
            Sym::Lit(v) => Expr::constant(crate::eval::truthy(&v), None),
            Sym::Event => Expr::constant(true, None),
            Sym::Seq(items) => Expr::constant(!items.is_empty(), None),
            Sym::Dict(items) => Expr::constant(!items.is_empty(), None),
            Sym::Found(e) | Sym::Count(e) => e,
            Sym::Str(f) => f.exact(Expr::not(f.pred(Op::Eq, vec![Value::Str(String::new())]), None)),
            Sym::Split(..) => {
                return Err(Fail { msg: "the truthiness of a split".into(), span: Span::default() })
            }
            Sym::Unknown(why) => return Err(Fail { msg: why.into(), span: Span::default() }),
            // With no list on the way, the value's own truthiness. Through a list, the values
            // found below its elements: mappings there raise (the guard); others are refused
            // by the guard too, which is exact for the mappings GCP and AWS logs hold.
            Sym::Walked(f) => {
                for g in no_list_on_the_way(&f.path) {
                    self.guard(g);
                }
                f.exact(f.pred(Op::Truthy, vec![]))
            }
        })
    }

    /// One operand of `and` / `or` after `before` (the operands' truthiness so far). It runs
    /// only when those did not decide, so what it needs to not raise is needed only then.
    pub(super) fn operand<T>(
        &mut self,
        and: bool,
        before: &[Expr],
        f: impl FnOnce(&mut Self) -> R<T>,
    ) -> R<T> {
        let outer = std::mem::take(&mut self.guards);
        let later = usize::from(!before.is_empty());
        self.conditional += later;
        let out = f(self);
        self.conditional -= later;
        let own = std::mem::replace(&mut self.guards, outer);
        let out = out?;
        if !own.is_empty() {
            let decided = if and {
                Expr::not(Expr::and(before.to_vec(), None), None)
            } else {
                Expr::or(before.to_vec(), None)
            };
            let guard = if before.is_empty() {
                Expr::and(own, None)
            } else {
                Expr::or(vec![decided, Expr::and(own, None)], None)
            };
            self.guards.push(crate::passes::simplify(guard));
        }
        Ok(out)
    }

    /// Whether a returned expression's value is `True` itself.
    pub(super) fn returns_true(&mut self, v: &PyExpr) -> R<Expr> {
        let span = span_of(self.file, v);
        let e = match v {
            PyExpr::BoolOp(b) => {
                let n = b.values.len();
                if b.op == BoolOp::And {
                    // `a and b`: b's value when a is truthy.
                    let mut parts: Vec<Expr> = Vec::new();
                    for x in &b.values[..n - 1] {
                        let part = self.operand(true, &parts, |t| t.bool_of(x))?;
                        parts.push(part);
                    }
                    let last = self.operand(true, &parts, |t| t.returns_true(&b.values[n - 1]))?;
                    parts.push(last);
                    Expr::and(parts, None)
                } else {
                    // `a or b`: the first truthy operand's value, else the last one's.
                    let mut alts = Vec::new();
                    let mut falsy_before = Vec::new();
                    let mut truthy_before: Vec<Expr> = Vec::new();
                    for x in b.values.iter() {
                        let (value, truthy) = self.operand(false, &truthy_before, |t| {
                            let value = t.returns_true(x)?;
                            // For a real bool, "was not True" is already implied by the earlier
                            // alternatives; only non-bool operands need the explicit guard.
                            let truthy = if is_bool_syntax(x) { None } else { Some(t.bool_of(x)?) };
                            Ok((value, truthy))
                        })?;
                        let mut parts = falsy_before.clone();
                        parts.push(value.clone());
                        alts.push(Expr::and(parts, None));
                        match truthy {
                            Some(t) => {
                                falsy_before.push(Expr::not(t.clone(), None));
                                truthy_before.push(t);
                            }
                            None => truthy_before.push(value),
                        }
                    }
                    Expr::or(alts, None)
                }
            }
            PyExpr::Compare(_) => self.bool_of(v)?,
            PyExpr::UnaryOp(u) if u.op == UnaryOp::Not => self.bool_of(v)?,
            PyExpr::Call(c) => self.call_returns_true(c, v)?,
            _ => {
                let s = self.sym(v)?;
                is_true(s)?
            }
        };
        Ok(fill_spans(e, span))
    }

    pub(super) fn call_returns_true(&mut self, c: &ast::ExprCall, v: &PyExpr) -> R<Expr> {
        match &*c.func {
            // A match object is never `True`.
            PyExpr::Attribute(a) if is_name(&a.value, "re") => Ok(Expr::constant(false, None)),
            PyExpr::Attribute(a) if matches!(a.attr.as_str(), "startswith" | "endswith") => self.bool_of(v),
            PyExpr::Name(n) if matches!(n.id.as_str(), "any" | "all" | "bool" | "isinstance") => {
                self.bool_of(v)
            }
            PyExpr::Name(n) if self.module.function_in(self.file, n.id.as_str()).is_some() => {
                let f = self
                    .module
                    .function_in(self.file, n.id.as_str())
                    .ok_or(Fail { msg: "helper".into(), span: Span::default() })?;
                let args = self.bind_args(&f, c)?;
                is_true(self.call_function_mode(&f, args, true)?)
            }
            _ => {
                let s = self.sym(v)?;
                is_true(s)
            }
        }
    }

    /// An expression in a boolean context; every IR node without a span gets the span of the
    /// innermost Python expression it came from.
    pub(super) fn bool_of(&mut self, e: &PyExpr) -> R<Expr> {
        let span = span_of(self.file, e);
        self.enter(false, e)?;
        let r = self.bool_of_inner(e).map(|x| fill_spans(x, span));
        self.leave(false);
        r
    }

    pub(super) fn bool_of_inner(&mut self, e: &PyExpr) -> R<Expr> {
        match e {
            PyExpr::BoolOp(b) => {
                let and = b.op == BoolOp::And;
                let mut items: Vec<Expr> = Vec::new();
                for v in &b.values {
                    let item = self.operand(and, &items, |t| t.bool_of(v))?;
                    items.push(item);
                }
                Ok(if and { Expr::and(items, None) } else { Expr::or(items, None) })
            }
            PyExpr::UnaryOp(u) if u.op == UnaryOp::Not => Ok(Expr::not(self.bool_of(&u.operand)?, None)),
            PyExpr::Compare(c) => self.compare_chain(c),
            PyExpr::Call(c) => match self.call_bool(c)? {
                Some(e) => Ok(e),
                None => {
                    let s = self.sym(e)?;
                    self.truthy(s)
                }
            },
            _ => {
                let s = self.sym(e)?;
                self.truthy(s)
            }
        }
    }
}
