//! Statements and expressions of `rule(event)` → one IR expression.
//!
//! A function body is read as the value it returns: `if c: A … rest` becomes
//! `(c and A') or (not c and rest')`, assignments bind names to symbolic values, helper
//! calls are inlined. A Python exception makes Panther return no alert; where an expression
//! can raise (`event["k"]` on an absent key), its guard is ANDed in front of the branch.

use super::env::{span_of, Func, Module, Udm};
use super::field::{FieldRef, Fold};
use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::ir::{Anchor, Case, Expr, ExprKind, FieldPath, Op, Predicate, Regex, RegexFlavor, Seg, Value};
use ruff_python_ast::{self as ast, BoolOp, CmpOp, Expr as PyExpr, Stmt, UnaryOp};
use serde_json::{json, Value as Json};
use std::collections::HashMap;

mod calls;
mod collections;
mod compare;
mod exceptions;
mod loops;
mod metadata;
mod patterns;
mod truth;
mod types;
mod unroll;
mod values;

use calls::*;
pub(crate) use metadata::Simple;

/// Why a construct could not be translated, and where.
pub(crate) struct Fail {
    msg: String,
    span: Span,
}

type R<T> = Result<T, Fail>;

/// A symbolic Python value.
#[derive(Clone, Debug)]
enum Sym {
    Event,
    Field(FieldRef),
    /// `field.split(sep)`, optionally indexed with `[0]` or `[-1]` (then perhaps stripped).
    Split(Piece),
    /// `str(field)`.
    Str(FieldRef),
    Lit(Json),
    Bool(Expr),
    /// A name whose value is not known here (why, for the error if it is read).
    Unknown(&'static str),
    /// `event.deep_walk(k1, …, kn)`: the path walks through lists at every inner step
    /// (`k1[*]…kn`). Only its truthiness and iteration are translated; see `loops`.
    Walked(FieldRef),
    /// `re.compile(pattern)`.
    Compiled {
        pattern: String,
        insensitive: bool,
    },
    /// A value that depends on the event: alternatives with exclusive, exhaustive conditions
    /// (see `values`).
    Choice(Vec<(Expr, Sym)>),
    /// What a compiled pattern's `match`/`search` returns: a match object exactly when the
    /// expression holds, else None.
    Matched(Expr),
    /// A list or tuple built in the rule whose items are not all constants.
    Seq(Vec<Sym>),
    /// A dict built in the rule with constant keys and values not all constants.
    Dict(Vec<(String, Sym)>),
    /// `re.findall(…)`: a list of matches, non-empty exactly when the expression holds.
    Found(Expr),
    /// `len()` of such a list: at least 1 exactly when the expression holds.
    Count(Expr),
}

/// `field.split(sep)[index]`, `.strip()`ped or not; `index` is `None` for the whole list.
#[derive(Debug, Clone)]
struct Piece {
    f: FieldRef,
    sep: char,
    index: Option<i64>,
    stripped: bool,
}

pub(crate) struct Translator<'m, 'd> {
    module: &'m Module,
    diags: &'d mut Diagnostics,
    /// Current function's file, constants and local names.
    file: FileId,
    consts: std::rc::Rc<HashMap<String, PyExpr>>,
    scopes: Vec<HashMap<String, Sym>>,
    guards: Vec<Expr>,
    /// Reading the rule function (or a helper whose value it returns): see `returns_true`.
    strict_return: bool,
    depth: usize,
    /// Statements visited; `if` branches that fall through repeat what follows them, so a
    /// budget keeps pathological rules from exploding.
    steps: usize,
    /// Inside a `for` body: the constants its `return`s give (see `loops`).
    loop_returns: Option<Vec<Json>>,
    loop_depth: usize,
    /// Inside code that runs only on some paths of an expression (a later operand of
    /// `and`/`or`, a branch of `… if … else …`, a generator step): `:=` is refused there.
    conditional: usize,
    /// Reading a loop step for whether it completes: every way out of it that is not an
    /// exception counts as true (see `loops::element_step`).
    raise_only: usize,
    /// Inside a `try` body: the exceptions its handlers catch, and what must hold for none of
    /// them to be raised (see `exceptions`).
    catching: Option<(Vec<exceptions::Exc>, Vec<Expr>)>,
    /// Guards added so far: a loop step that adds one can raise.
    guards_pushed: usize,
    /// The marker statements of loops being unrolled (see `loops::unrolled`), by address.
    marks: HashMap<usize, unroll::Mark>,
    /// Statements on the current path and expressions being read, nested: the translator
    /// recurses once per level, so both are bounded (see [`MAX_STATEMENTS`], [`MAX_NESTING`]).
    stmt_nest: usize,
    expr_nest: usize,
    /// Set when a nesting limit stopped the translation: the error is then `too-deep`.
    too_deep: bool,
}

/// Statements on one path through a function (`if` chains and the code after them, `elif`s,
/// unrolled loop iterations): the translator recurses once per statement. Above the unrolled
/// loop bound (600) with room to spare.
pub(crate) const MAX_STATEMENTS: usize = 1_000;
/// Expressions nested in one another (`not not …`, calls in calls).
pub(crate) const MAX_NESTING: usize = 200;

impl<'m, 'd> Translator<'m, 'd> {
    pub fn new(module: &'m Module, file: FileId, diags: &'d mut Diagnostics) -> Self {
        Translator {
            module,
            diags,
            file,
            consts: module.consts.clone(),
            scopes: Vec::new(),
            guards: Vec::new(),
            strict_return: false,
            depth: 0,
            steps: 0,
            loop_returns: None,
            loop_depth: 0,
            conditional: 0,
            raise_only: 0,
            catching: None,
            guards_pushed: 0,
            marks: HashMap::new(),
            stmt_nest: 0,
            expr_nest: 0,
            too_deep: false,
        }
    }

    pub fn diags(&mut self) -> &mut Diagnostics {
        self.diags
    }

    /// The rule function as one expression, or `None` with an error diagnostic.
    /// Panther alerts only when `rule()` returns `True` itself: any other value (a truthy
    /// string, a match object, None) is a type error, i.e. no alert. So the rule function's
    /// returns are read with `returns_true`, not truthiness.
    pub fn rule(&mut self, f: Func) -> Option<Expr> {
        let result = match self.call_function_mode(&f, vec![Sym::Event], true) {
            Ok(Sym::Bool(e)) => Ok(e),
            Ok(other) => self.truthy(other),
            Err(fail) => Err(fail),
        };
        match result {
            // The passes recurse over the tree: refuse one deeper than they are sized for.
            Ok(e) => match crate::ir::too_deep(&e) {
                Some(d) => {
                    let span = e.span.or_else(|| Some(span_of(f.file, &f.def.name)));
                    self.diags.push(d.with_span(span));
                    None
                }
                None => Some(e),
            },
            Err(fail) if self.too_deep => {
                self.diags.push(Diagnostic::error(Code::TooDeep, fail.msg).with_span(Some(fail.span)));
                None
            }
            Err(fail) => {
                let msg = format!("Python rule logic: {}", fail.msg);
                self.diags.push(Diagnostic::error(Code::PythonLogic, msg).with_span(Some(fail.span)));
                None
            }
        }
    }

    /// Enter one more level of statements (`stmt`) or expressions, or fail with the
    /// `too-deep` error at `node` past the limit; `leave` undoes it.
    fn enter(&mut self, stmt: bool, node: &impl ruff_text_size::Ranged) -> R<()> {
        let (nest, limit, what) = if stmt {
            (&mut self.stmt_nest, MAX_STATEMENTS, "statements on one path through the function")
        } else {
            (&mut self.expr_nest, MAX_NESTING, "expressions nested in one another")
        };
        *nest += 1;
        if *nest > limit {
            *nest -= 1;
            self.too_deep = true;
            return self.fail(format!("more than {limit} {what}, deeper than ruleport reads"), node);
        }
        Ok(())
    }

    fn leave(&mut self, stmt: bool) {
        let nest = if stmt { &mut self.stmt_nest } else { &mut self.expr_nest };
        *nest = nest.saturating_sub(1);
    }

    fn fail<T>(&self, msg: impl Into<String>, node: &impl ruff_text_size::Ranged) -> R<T> {
        Err(Fail { msg: msg.into(), span: span_of(self.file, node) })
    }

    /// Inline a function: bind its parameters, read its body as the value it returns.
    fn call_function(&mut self, f: &Func, args: Vec<Sym>) -> R<Sym> {
        self.call_function_mode(f, args, false)
    }

    /// Inline a function. With `strict`, its value counts only when it is `True` itself (the
    /// rule function, or a helper whose value the rule returns); otherwise it is a value whose
    /// truthiness the caller decides.
    fn call_function_mode(&mut self, f: &Func, args: Vec<Sym>, strict: bool) -> R<Sym> {
        if self.depth > 8 {
            return Err(Fail {
                msg: "helper calls nested too deeply".into(),
                span: span_of(f.file, &f.def.name),
            });
        }
        let params: Vec<String> =
            f.def.parameters.args.iter().map(|p| p.parameter.name.id.to_string()).collect();
        if params.len() != args.len()
            || f.def.parameters.vararg.is_some()
            || !f.def.parameters.kwonlyargs.is_empty()
        {
            return Err(Fail {
                msg: format!("call of `{}` with a different signature", f.def.name.id),
                span: span_of(f.file, &f.def.name),
            });
        }
        let saved = (self.file, self.consts.clone(), std::mem::take(&mut self.guards));
        self.file = f.file;
        self.consts = f.consts.clone();
        self.scopes.push(params.into_iter().zip(args).collect());
        self.depth += 1;
        let body: Vec<&Stmt> = f.def.body.iter().collect();
        let saved_strict = std::mem::replace(&mut self.strict_return, strict);
        let saved_raise_only = std::mem::take(&mut self.raise_only);
        // A helper's `return` ends the helper, not the caller's loop.
        let saved_loop = self.loop_returns.take();
        // A helper's value keeps what it needs to not raise as guards (they stay in
        // `self.guards` and pass to the caller): a raise ends the rule, it is not a False.
        let result = match single_return(&body) {
            Some(value) if !strict => self.sym(value),
            _ if !strict => match self.returned_value(&body) {
                Some(s) => Ok(s),
                None => {
                    // Read as the rule function reads its body, raises become False: exact
                    // only if none can happen.
                    let pushed = self.guards_pushed;
                    let value = self.block(&body);
                    match value {
                        Ok(_) if self.guards_pushed != pushed => Err(Fail {
                            msg: format!(
                                "a call of `{}`, which can raise an exception, where its value is tested",
                                f.def.name.id
                            ),
                            span: span_of(f.file, &f.def.name),
                        }),
                        other => other.map(Sym::Bool),
                    }
                }
            },
            _ => self.block(&body).map(Sym::Bool),
        };
        self.loop_returns = saved_loop;
        self.strict_return = saved_strict;
        self.raise_only = saved_raise_only;
        self.depth -= 1;
        self.scopes.pop();
        // What the helper's value needs to not raise still holds for the caller.
        let leftover = std::mem::take(&mut self.guards);
        (self.file, self.consts, self.guards) = saved;
        self.guards.extend(leftover);
        result
    }

    /// `e` must hold or Python raises (no alert).
    fn guard(&mut self, e: Expr) {
        self.guards_pushed += 1;
        self.guards.push(e);
    }

    /// The value a statement list returns, as a boolean expression.
    fn block(&mut self, stmts: &[&Stmt]) -> R<Expr> {
        let Some(first) = stmts.first() else { return self.block_inner(stmts) };
        self.enter(true, *first)?;
        let r = self.block_inner(stmts);
        self.leave(true);
        r
    }

    fn block_inner(&mut self, stmts: &[&Stmt]) -> R<Expr> {
        let Some((first, rest)) = stmts.split_first() else {
            // Falling off the end returns None; a loop step ends (and completes) there.
            let e = Expr::constant(self.raise_only > 0, None);
            if self.loop_returns.is_some() {
                return Ok(and_all(std::mem::take(&mut self.guards), e));
            }
            return Ok(e);
        };
        if self.raise_only > 0 && matches!(first, Stmt::Try(_) | Stmt::While(_) | Stmt::With(_)) {
            return self.fail("a loop step that can raise, with a nested loop or `try`", *first);
        }
        self.steps += 1;
        if self.steps > 20_000 {
            return self.fail("a function too branchy to translate (over 20000 statement paths)", *first);
        }
        match first {
            Stmt::Return(r) if self.loop_returns.is_some() => {
                let value = match &r.value {
                    None => Json::Null,
                    Some(v) => match self.sym(v)? {
                        Sym::Lit(j) => j,
                        _ => return self.fail("a loop that returns a computed value", v.as_ref()),
                    },
                };
                let e = if self.raise_only > 0 {
                    Expr::constant(true, None)
                } else {
                    self.returned_constant(value)
                };
                Ok(and_all(std::mem::take(&mut self.guards), e))
            }
            Stmt::Continue(_) if self.loop_returns.is_some() => {
                Ok(and_all(std::mem::take(&mut self.guards), Expr::constant(self.raise_only > 0, None)))
            }
            Stmt::Return(r) => match &r.value {
                None => Ok(Expr::constant(false, None)),
                Some(v) => {
                    let e = if self.strict_return { self.returns_true(v)? } else { self.bool_of(v)? };
                    Ok(and_all(std::mem::take(&mut self.guards), e))
                }
            },
            Stmt::If(i) => self.if_chain(&i.test, &i.body, &i.elif_else_clauses, rest),
            Stmt::Assign(a) => {
                self.assign(a)?;
                self.block(rest)
            }
            Stmt::AnnAssign(a) => match (&*a.target, &a.value) {
                (PyExpr::Name(n), Some(v)) => {
                    let s = self.sym(v)?;
                    self.bind(n.id.to_string(), s);
                    self.block(rest)
                }
                _ => self.fail("annotated assignment without a value", *first),
            },
            Stmt::Expr(e) if matches!(*e.value, PyExpr::StringLiteral(_)) => self.block(rest),
            // `global NAME` only matters for assignment, which is refused anyway.
            Stmt::Pass(_) if self.unrolled_mark(first) => self.block(rest),
            Stmt::Continue(_) | Stmt::Break(_) => match self.jump(first, rest) {
                Some(i) => self.block(&rest[i..]),
                None => self.fail("a `break` or `continue` here", *first),
            },
            Stmt::Pass(_) | Stmt::Global(_) => self.block(rest),
            Stmt::For(f) => self.for_loop(f, rest),
            Stmt::AugAssign(_) => self.fail("an augmented assignment (such as a loop accumulator)", *first),
            Stmt::While(_) => self.fail("a `while` loop", *first),
            Stmt::Try(t) => self.try_block(t, rest),
            Stmt::With(_) => self.fail("a `with` block", *first),
            Stmt::Expr(_) => self.fail("a statement with side effects", *first),
            _ => self.fail("this statement", *first),
        }
    }

    fn if_chain(
        &mut self,
        test: &PyExpr,
        body: &[Stmt],
        clauses: &[ast::ElifElseClause],
        rest: &[&Stmt],
    ) -> R<Expr> {
        let cond = self.bool_of(test)?;
        let guards = std::mem::take(&mut self.guards);
        // A condition known here (a constant, a helper's keyword argument) takes one branch
        // only: the other is dead code, which need not be translatable.
        if let ExprKind::Const(known) = crate::passes::simplify(cond.clone()).kind {
            let taken = if known { self.branch(body, rest)? } else { self.else_part(clauses, rest)? };
            return Ok(and_all(guards, taken));
        }
        let then = self.branch(body, rest)?;
        let otherwise = self.else_part(clauses, rest)?;
        Ok(and_all(guards, ite(cond, then, otherwise)))
    }

    /// The `elif` / `else` clauses of an `if` (or what follows it when there are none).
    fn else_part(&mut self, clauses: &[ast::ElifElseClause], rest: &[&Stmt]) -> R<Expr> {
        match clauses.split_first() {
            None => self.block(rest),
            Some((c, more)) => match &c.test {
                // An `elif` is one more statement on the path, read without `block`.
                Some(t) => {
                    self.enter(true, t)?;
                    let r = self.if_chain(t, &c.body, more, rest);
                    self.leave(true);
                    r
                }
                None => self.branch(&c.body, rest),
            },
        }
    }

    /// A branch body followed by the statements after the `if` (unless it always returns).
    fn branch(&mut self, body: &[Stmt], rest: &[&Stmt]) -> R<Expr> {
        self.in_branch(body, rest, |t, stmts| t.block(stmts))
    }

    /// `run` over a branch body and what follows it, in the branch's own scope.
    fn in_branch<T>(
        &mut self,
        body: &[Stmt],
        rest: &[&Stmt],
        run: impl FnOnce(&mut Self, &[&Stmt]) -> R<T>,
    ) -> R<T> {
        self.scopes.push(HashMap::new());
        let mut stmts: Vec<&Stmt> = body.iter().collect();
        if !always_returns(body, self.loop_returns.is_some()) {
            stmts.extend(rest.iter().copied());
        }
        let r = run(self, &stmts);
        self.scopes.pop();
        r
    }

    fn bind(&mut self, name: String, s: Sym) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name, s);
        }
    }

    fn lookup(&self, name: &str) -> Option<Sym> {
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }

    /// The symbolic value of an expression.
    fn sym(&mut self, e: &PyExpr) -> R<Sym> {
        self.enter(false, e)?;
        let r = self.sym_inner(e);
        self.leave(false);
        r
    }

    fn sym_inner(&mut self, e: &PyExpr) -> R<Sym> {
        Ok(match e {
            PyExpr::StringLiteral(s) => Sym::Lit(Json::String(s.value.to_str().to_string())),
            PyExpr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => match i.as_i64() {
                    Some(i) => Sym::Lit(json!(i)),
                    None => return self.fail("an integer out of range", e),
                },
                ast::Number::Float(f) => Sym::Lit(json!(f)),
                ast::Number::Complex { .. } => return self.fail("a complex number", e),
            },
            PyExpr::BooleanLiteral(b) => Sym::Lit(Json::Bool(b.value)),
            PyExpr::NoneLiteral(_) => Sym::Lit(Json::Null),
            PyExpr::List(l) => self.lit_seq(l.elts.iter(), e)?,
            PyExpr::Tuple(t) => self.lit_seq(t.elts.iter(), e)?,
            PyExpr::Set(s) => self.lit_seq(s.elts.iter(), e)?,
            PyExpr::Dict(d) => self.dict(d, e)?,
            PyExpr::Name(n) => match self.lookup(n.id.as_str()) {
                Some(Sym::Unknown(why)) => return self.fail(format!("{why} (`{}`)", n.id), e),
                Some(s) => s,
                None => match self.consts.get(n.id.as_str()).cloned() {
                    Some(c) => self.sym(&c)?,
                    None => return self.fail(format!("the name `{}`", n.id), e),
                },
            },
            PyExpr::Call(c) => match self.call_bool(c)? {
                Some(e) => Sym::Bool(e),
                None => self.call_value(c)?,
            },
            PyExpr::Subscript(s) => self.subscript(s)?,
            PyExpr::UnaryOp(u) if u.op == UnaryOp::USub => match self.sym(&u.operand)? {
                Sym::Lit(Json::Number(n)) if n.is_i64() => Sym::Lit(json!(-n.as_i64().unwrap_or(0))),
                Sym::Lit(Json::Number(n)) => Sym::Lit(json!(-n.as_f64().unwrap_or(f64::NAN))),
                _ => return self.fail("a negation of a non-number", e),
            },
            PyExpr::UnaryOp(u) if u.op != UnaryOp::Not => return self.fail("this unary operator", e),
            // A constant of a module imported whole (`event_type.MFA_RESET`).
            PyExpr::Attribute(a) if matches!(&*a.value, PyExpr::Name(m) if self.module.module_consts.contains_key(m.id.as_str())) =>
            {
                let PyExpr::Name(m) = &*a.value else { return self.fail("this expression", e) };
                let consts = self.module.module_consts[m.id.as_str()].clone();
                let Some(value) = consts.get(a.attr.as_str()).cloned() else {
                    return self.fail(format!("`{}.{}`, which that module does not define", m.id, a.attr), e);
                };
                let saved = std::mem::replace(&mut self.consts, consts);
                let out = self.sym(&value);
                self.consts = saved;
                out?
            }
            PyExpr::BoolOp(b) if !b.values.iter().all(is_bool_syntax) => self.bool_op_value(b)?,
            PyExpr::If(x) => self.if_value(x)?,
            PyExpr::BoolOp(_) | PyExpr::Compare(_) | PyExpr::UnaryOp(_) => Sym::Bool(self.bool_of(e)?),
            PyExpr::Named(n) => {
                let PyExpr::Name(target) = &*n.target else { return self.fail("this `:=` target", e) };
                if self.conditional > 0 {
                    return self.fail("an assignment expression (`:=`) that may not run", e);
                }
                let s = self.sym(&n.value)?;
                self.bind(target.id.to_string(), s.clone());
                s
            }
            PyExpr::ListComp(lc) => self.list_comp(lc)?,
            PyExpr::FString(_) => return self.fail("an f-string", e),
            PyExpr::BinOp(_) => return self.fail("arithmetic or string building", e),
            _ => return self.fail("this expression", e),
        })
    }
}

/// Expressions whose value is always a `bool`.
fn is_bool_syntax(e: &PyExpr) -> bool {
    match e {
        PyExpr::Compare(_) | PyExpr::BooleanLiteral(_) => true,
        PyExpr::UnaryOp(u) => u.op == UnaryOp::Not,
        PyExpr::Call(c) => match &*c.func {
            PyExpr::Name(n) => matches!(n.id.as_str(), "any" | "all" | "bool" | "isinstance"),
            PyExpr::Attribute(a) => matches!(a.attr.as_str(), "startswith" | "endswith"),
            _ => false,
        },
        _ => false,
    }
}

/// Whether a symbolic value is `True` itself (not merely truthy).
fn is_true(s: Sym) -> R<Expr> {
    Ok(match s {
        Sym::Bool(e) => e,
        Sym::Lit(v) => Expr::constant(v == Json::Bool(true), None),
        Sym::Field(f) if f.fold.is_none() => f.exact(f.pred(Op::Eq, vec![Value::Bool(true)])),
        // Strings, lists, the event, patterns and match objects are never `True`.
        Sym::Field(_)
        | Sym::Str(_)
        | Sym::Split(..)
        | Sym::Event
        | Sym::Compiled { .. }
        | Sym::Seq(_)
        | Sym::Dict(_)
        | Sym::Found(_)
        | Sym::Count(_)
        | Sym::Matched(_) => Expr::constant(false, None),
        Sym::Unknown(why) => return Err(Fail { msg: why.into(), span: Span::default() }),
        Sym::Walked(_) => {
            return Err(Fail { msg: "returning deep_walk's result".into(), span: Span::default() })
        }
        Sym::Choice(alts) => {
            let parts = alts.into_iter().map(|(c, s)| Ok(Expr::and(vec![c, is_true(s)?], None)));
            Expr::or(parts.collect::<R<_>>()?, None)
        }
    })
}

/// `e` with `span` on every node that has none.
fn fill_spans(e: Expr, span: Span) -> Expr {
    use crate::ir::fold::{fold_expr_children, Fold as _, FoldScope};
    struct Fill(Span);
    impl crate::ir::fold::Fold for Fill {
        fn fold_expr(&mut self, mut e: Expr, scope: &mut FoldScope) -> Expr {
            e.span = e.span.or(Some(self.0));
            fold_expr_children(self, e, scope)
        }
    }
    Fill(span).fold_expr(e, &mut FoldScope::default())
}

/// `if c: t else: e`, simplified when a branch is a constant.
fn ite(c: Expr, t: Expr, e: Expr) -> Expr {
    match (&t.kind, &e.kind) {
        (ExprKind::Const(true), ExprKind::Const(false)) => c,
        (ExprKind::Const(false), ExprKind::Const(true)) => Expr::not(c, None),
        (_, ExprKind::Const(false)) => Expr::and(vec![c, t], None),
        (ExprKind::Const(false), _) => Expr::and(vec![Expr::not(c, None), e], None),
        (ExprKind::Const(true), _) => Expr::or(vec![c, e], None),
        (_, ExprKind::Const(true)) => Expr::or(vec![Expr::not(c, None), t], None),
        _ => Expr::or(
            vec![Expr::and(vec![c.clone(), t], None), Expr::and(vec![Expr::not(c, None), e], None)],
            None,
        ),
    }
}

fn and_all(mut guards: Vec<Expr>, e: Expr) -> Expr {
    if guards.is_empty() {
        return e;
    }
    guards.push(e);
    Expr::and(guards, None)
}

fn is_name(e: &PyExpr, name: &str) -> bool {
    matches!(e, PyExpr::Name(n) if n.id.as_str() == name)
}

/// `return <expr>` after only assignments/docstrings: the function's value.
fn single_return<'a>(body: &[&'a Stmt]) -> Option<&'a PyExpr> {
    match body {
        [Stmt::Return(r)] => r.value.as_deref(),
        [Stmt::Expr(d), Stmt::Return(r)] if matches!(*d.value, PyExpr::StringLiteral(_)) => {
            r.value.as_deref()
        }
        _ => None,
    }
}

/// Whether a statement list never falls off its end. In a loop read element by element
/// (`in_loop`), `continue` ends the step; in an unrolled loop it jumps ahead instead.
fn always_returns(body: &[Stmt], in_loop: bool) -> bool {
    match body.last() {
        Some(Stmt::Return(_)) | Some(Stmt::Raise(_)) => true,
        Some(Stmt::Continue(_)) => in_loop,
        Some(Stmt::If(i)) => {
            always_returns(&i.body, in_loop)
                && i.elif_else_clauses.iter().any(|c| c.test.is_none())
                && i.elif_else_clauses.iter().all(|c| always_returns(&c.body, in_loop))
        }
        _ => false,
    }
}
