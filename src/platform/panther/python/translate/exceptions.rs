//! `json.loads` and the `try` / `except` blocks around it.
//!
//! `json.loads(text)` reads the document a string holds ([`Seg::Json`]); it raises TypeError
//! for a value that is not a string and ValueError (JSONDecodeError) for text that is not
//! JSON. Inside a `try` whose handlers catch one of those, that raise runs the handler instead
//! of ending the rule. A `try` body is read only when it is straight-line (assignments, then
//! perhaps a `return`), so every raise happens before anything it could skip; any other
//! raise in it must be one the handlers do not catch.

use super::compare::string_test;
use super::*;

/// Exceptions a handler names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Exc {
    Type,
    Value,
}

impl<'m, 'd> Translator<'m, 'd> {
    /// `json.loads(value)`.
    pub(super) fn json_loads(&mut self, c: &ast::ExprCall) -> R<Sym> {
        let ([arg], true) = (&c.arguments.args[..], c.arguments.keywords.is_empty()) else {
            return self.fail("json.loads with options", c);
        };
        let f = match self.sym(arg)? {
            Sym::Field(f) if f.fold.is_none() => f,
            Sym::Lit(Json::String(s)) => match serde_json::from_str::<Json>(&s) {
                Ok(v) => return Ok(Sym::Lit(v)),
                Err(_) => {
                    self.raise(Exc::Value, Expr::constant(false, None));
                    return Ok(Sym::Lit(Json::Null));
                }
            },
            _ => return self.fail("json.loads of something other than a field or a constant", c),
        };
        // TypeError unless a string (the default, for an absent field, is decided now).
        let text = f.exact(string_test(&f));
        self.raise(Exc::Type, text);
        let mut path = f.path.clone();
        path.0.push(Seg::Json);
        let parsed = FieldRef::new(path.clone(), Json::Null, false);
        let present = Expr::present(path);
        // ValueError unless the text parses (a string default is parsed now).
        let parses = Expr::or(vec![Expr::not(string_test(&f), None), f.exact(present)], None);
        self.raise(Exc::Value, crate::passes::simplify(parses));
        Ok(Sym::Field(parsed))
    }

    /// `ok` must hold or `exc` is raised: caught by an enclosing `try` that names it, else a
    /// guard (no alert).
    fn raise(&mut self, exc: Exc, ok: Expr) {
        match self.catching.as_mut() {
            Some((kinds, caught)) if kinds.contains(&exc) => caught.push(ok),
            _ => self.guard(ok),
        }
    }

    /// The handlers of a `try` that can be read: the exceptions they catch, and the handler
    /// body when every handler does the same.
    fn handlers<'t>(&mut self, t: &'t ast::StmtTry) -> R<(Vec<Exc>, &'t [Stmt])> {
        if t.is_star || !t.orelse.is_empty() || !t.finalbody.is_empty() {
            return self.fail("a `try` block with `else` or `finally`", t);
        }
        let mut kinds = Vec::new();
        let mut body: Option<&[Stmt]> = None;
        for h in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            if h.name.is_some() {
                return self.fail("an `except … as name` handler", h);
            }
            let names: Vec<&str> = match h.type_.as_deref() {
                Some(PyExpr::Tuple(tu)) => tu.elts.iter().filter_map(exception_name).collect(),
                Some(e) => exception_name(e).into_iter().collect(),
                None => return self.fail("a bare `except:` (it catches every error)", h),
            };
            for n in names {
                match n {
                    "ValueError" | "JSONDecodeError" => kinds.push(Exc::Value),
                    "TypeError" => kinds.push(Exc::Type),
                    _ => return self.fail(format!("an `except {n}` handler"), h),
                }
            }
            match body {
                Some(b) if b != h.body.as_slice() => {
                    return self.fail("`try` handlers that do different things", h)
                }
                _ => body = Some(&h.body),
            }
        }
        match body {
            Some(b) => Ok((kinds, b)),
            None => self.fail("a `try` block without handlers", t),
        }
    }

    /// Translate a straight-line `try` body with `kinds` caught: the bindings it makes (in a
    /// new scope, left pushed), the returned value if it returns, and the condition under which
    /// nothing it catches is raised.
    fn try_body(&mut self, t: &ast::StmtTry, kinds: Vec<Exc>) -> R<(Option<Sym>, Expr)> {
        let saved = self.catching.replace((kinds, Vec::new()));
        self.scopes.push(HashMap::new());
        let mut returned = None;
        let mut result = Ok(());
        for (i, stmt) in t.body.iter().enumerate() {
            let last = i + 1 == t.body.len();
            let step = match stmt {
                Stmt::Assign(a) => self.assign(a),
                Stmt::Return(r) if last => match &r.value {
                    Some(v) => self.sym(v).map(|s| returned = Some(s)),
                    None => {
                        returned = Some(Sym::Lit(Json::Null));
                        Ok(())
                    }
                },
                _ => self.fail("a `try` body other than assignments and a final `return`", stmt),
            };
            if step.is_err() {
                result = step;
                break;
            }
        }
        let (_, caught) = std::mem::replace(&mut self.catching, saved).unwrap_or_default();
        if let Err(e) = result {
            self.scopes.pop();
            return Err(e);
        }
        Ok((returned, Expr::and(caught, None)))
    }

    /// The handlers, then the straight-line body (its caught raises collected) and `then` in
    /// the body's scope: the handler body, "nothing caught was raised", `then`'s result, and
    /// the raises the handlers do not catch (they end the rule on either path).
    fn run_try<'t, T>(
        &mut self,
        t: &'t ast::StmtTry,
        then: impl FnOnce(&mut Self, Option<Sym>) -> R<T>,
    ) -> R<(&'t [Stmt], Expr, T, Vec<Expr>)> {
        let (kinds, handler) = self.handlers(t)?;
        let outer = std::mem::take(&mut self.guards);
        let ok_path = self.try_body(t, kinds).and_then(|(returned, ok)| {
            let value = then(self, returned);
            self.scopes.pop();
            Ok((ok, value?))
        });
        let uncaught = std::mem::replace(&mut self.guards, outer);
        let (ok, value) = ok_path?;
        Ok((handler, ok, value, uncaught))
    }

    /// `try: … except …:` then `rest`, as the value the function returns (truth value).
    pub(super) fn try_block(&mut self, t: &ast::StmtTry, rest: &[&Stmt]) -> R<Expr> {
        let (handler, ok, value, uncaught) = self.run_try(t, |this, returned| match returned {
            Some(s) if this.strict_return => is_true(s),
            Some(s) => this.truthy(s),
            None => this.block(rest),
        })?;
        let otherwise = self.branch(handler, rest)?;
        Ok(and_all(uncaught, ite(ok, value, otherwise)))
    }

    /// The same, as the alternatives a value-returning helper gives.
    pub(super) fn try_value(&mut self, t: &ast::StmtTry, rest: &[&Stmt]) -> R<Vec<(Expr, Sym, Vec<Expr>)>> {
        let (handler, ok, alts, own) = self.run_try(t, |this, returned| match returned {
            Some(s) => Ok(vec![(Expr::constant(true, None), s, vec![])]),
            None => this.block_value(rest),
        })?;
        let handled = self.branch_value(handler, rest)?;
        let under = |c: Expr, alts: Vec<(Expr, Sym, Vec<Expr>)>, extra: &[Expr]| {
            alts.into_iter()
                .map(|(a, s, mut g)| {
                    g.extend(extra.iter().cloned());
                    (Expr::and(vec![c.clone(), a], None), s, g)
                })
                .collect::<Vec<_>>()
        };
        // A raise the handlers do not catch ends the rule on either path.
        let mut out = under(ok.clone(), alts, &own);
        out.extend(under(Expr::not(ok, None), handled, &own));
        Ok(out)
    }
}

/// `ValueError`, `json.JSONDecodeError`, `json.decoder.JSONDecodeError` → the last name.
fn exception_name(e: &PyExpr) -> Option<&str> {
    match e {
        PyExpr::Name(n) => Some(n.id.as_str()),
        PyExpr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}
