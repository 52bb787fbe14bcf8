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

mod loops;

/// The value of a simple metadata function.
pub(crate) enum Simple {
    Text(String),
    /// Text with `{a.b}` field placeholders.
    Template(String),
    Field(FieldPath),
}

/// Literal text of a template, unless it contains braces (which would read as placeholders).
fn brace_free(s: &str) -> Option<String> {
    (!s.contains(['{', '}'])).then(|| s.to_string())
}

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
    /// `field.split(sep)`, optionally indexed with `[0]` or `[-1]`.
    Split(FieldRef, char, Option<i64>),
    /// `str(field)`.
    Str(FieldRef),
    Lit(Json),
    Bool(Expr),
    /// A name whose value is not known here (why, for the error if it is read).
    Unknown(&'static str),
    /// `event.deep_walk(k1, …, kn)`: the path walks through lists at every inner step
    /// (`k1[*]…kn`). Only its truthiness and iteration are translated; see `loops`.
    Walked(FieldRef),
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
    /// Guards added so far: a loop step that adds one can raise.
    guards_pushed: usize,
}

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
            guards_pushed: 0,
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
        match self.call_function_mode(&f, vec![Sym::Event], true) {
            Ok(Sym::Bool(e)) => Some(e),
            Ok(other) => match self.truthy(other) {
                Ok(e) => Some(e),
                Err(fail) => {
                    let msg = format!("Python rule logic: {}", fail.msg);
                    self.diags.push(Diagnostic::error(Code::PythonLogic, msg).with_span(Some(fail.span)));
                    None
                }
            },
            Err(fail) => {
                let msg = format!("Python rule logic: {}", fail.msg);
                self.diags.push(Diagnostic::error(Code::PythonLogic, msg).with_span(Some(fail.span)));
                None
            }
        }
    }

    /// The value of a simple metadata function (`title`, `dedup` …): a string constant, a
    /// field read, or an f-string whose interpolations are field reads (`{a.b}` placeholders).
    pub fn simple_value(&mut self, f: &Func) -> Option<Simple> {
        let body: Vec<&Stmt> = f.def.body.iter().collect();
        let value = single_return(&body)?;
        let saved = (self.file, self.consts.clone());
        self.file = f.file;
        self.consts = f.consts.clone();
        self.scopes.push(HashMap::from([(
            f.def.parameters.args.first()?.parameter.name.id.to_string(),
            Sym::Event,
        )]));
        let out = self.simple(value);
        self.scopes.pop();
        self.guards.clear();
        (self.file, self.consts) = saved;
        out
    }

    fn simple(&mut self, e: &PyExpr) -> Option<Simple> {
        match e {
            PyExpr::FString(fs) => {
                let mut template = String::new();
                for part in fs.value.iter() {
                    match part {
                        ast::FStringPart::Literal(l) => template.push_str(&brace_free(&l.value)?),
                        ast::FStringPart::FString(f) => {
                            for el in f.elements.iter() {
                                match el {
                                    ast::InterpolatedStringElement::Literal(l) => {
                                        template.push_str(&brace_free(&l.value)?)
                                    }
                                    ast::InterpolatedStringElement::Interpolation(i) => {
                                        match self.sym(&i.expression).ok()? {
                                            Sym::Field(f) if f.fold.is_none() && i.format_spec.is_none() => {
                                                template.push_str(&format!("{{{}}}", f.path))
                                            }
                                            _ => return None,
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Some(Simple::Template(template))
            }
            _ => match self.sym(e).ok()? {
                Sym::Lit(Json::String(s)) => Some(Simple::Text(s)),
                Sym::Field(f) if f.fold.is_none() => Some(Simple::Field(f.path)),
                _ => None,
            },
        }
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
        // A helper's `return` ends the helper, not the caller's loop.
        let saved_loop = self.loop_returns.take();
        let result = match single_return(&body) {
            Some(value) if !strict => self.sym(value).map(|s| self.with_guards(s)),
            _ => self.block(&body).map(Sym::Bool),
        };
        self.loop_returns = saved_loop;
        self.strict_return = saved_strict;
        self.depth -= 1;
        self.scopes.pop();
        (self.file, self.consts, self.guards) = saved;
        result
    }

    /// `e` must hold or Python raises (no alert).
    fn guard(&mut self, e: Expr) {
        self.guards_pushed += 1;
        self.guards.push(e);
    }

    fn with_guards(&mut self, s: Sym) -> Sym {
        let guards = std::mem::take(&mut self.guards);
        match s {
            Sym::Bool(e) if !guards.is_empty() => Sym::Bool(and_all(guards, e)),
            other => other,
        }
    }

    /// The value a statement list returns, as a boolean expression.
    fn block(&mut self, stmts: &[&Stmt]) -> R<Expr> {
        let Some((first, rest)) = stmts.split_first() else {
            return Ok(Expr::constant(false, None)); // falling off the end returns None
        };
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
                let e = self.returned_constant(value);
                Ok(and_all(std::mem::take(&mut self.guards), e))
            }
            Stmt::Continue(_) if self.loop_returns.is_some() => Ok(Expr::constant(false, None)),
            Stmt::Return(r) => match &r.value {
                None => Ok(Expr::constant(false, None)),
                Some(v) => {
                    let e = if self.strict_return { self.returns_true(v)? } else { self.bool_of(v)? };
                    Ok(and_all(std::mem::take(&mut self.guards), e))
                }
            },
            Stmt::If(i) => self.if_chain(&i.test, &i.body, &i.elif_else_clauses, rest),
            Stmt::Assign(a) => match a.targets.as_slice() {
                [PyExpr::Name(n)] => {
                    let s = self.sym(&a.value)?;
                    self.bind(n.id.to_string(), s);
                    self.block(rest)
                }
                _ => self.fail("assignment to something other than a name", *first),
            },
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
            Stmt::Pass(_) | Stmt::Global(_) => self.block(rest),
            Stmt::For(f) => self.for_loop(f, rest),
            Stmt::Break(_) => self.fail("a `break`", *first),
            Stmt::AugAssign(_) => self.fail("an augmented assignment (such as a loop accumulator)", *first),
            Stmt::While(_) => self.fail("a `while` loop", *first),
            Stmt::Try(_) => self.fail("a `try` block", *first),
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
        let then = self.branch(body, rest)?;
        let otherwise = match clauses.split_first() {
            None => self.block(rest)?,
            Some((c, more)) => match &c.test {
                Some(t) => self.if_chain(t, &c.body, more, rest)?,
                None => self.branch(&c.body, rest)?,
            },
        };
        Ok(and_all(guards, ite(cond, then, otherwise)))
    }

    /// A branch body followed by the statements after the `if` (unless it always returns).
    fn branch(&mut self, body: &[Stmt], rest: &[&Stmt]) -> R<Expr> {
        self.scopes.push(HashMap::new());
        let mut stmts: Vec<&Stmt> = body.iter().collect();
        if !always_returns(body) {
            stmts.extend(rest.iter().copied());
        }
        let r = self.block(&stmts);
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

    fn truthy(&mut self, s: Sym) -> R<Expr> {
        Ok(match s {
            Sym::Bool(e) => e,
            Sym::Field(f) => f.exact(f.pred(Op::Truthy, vec![])),
            Sym::Lit(v) => Expr::constant(crate::eval::truthy(&v), None),
            Sym::Event => Expr::constant(true, None),
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

    /// Whether a returned expression's value is `True` itself.
    fn returns_true(&mut self, v: &PyExpr) -> R<Expr> {
        let span = span_of(self.file, v);
        let e = match v {
            PyExpr::BoolOp(b) => {
                let n = b.values.len();
                if b.op == BoolOp::And {
                    // `a and b`: b's value when a is truthy.
                    let mut parts: Vec<Expr> =
                        b.values[..n - 1].iter().map(|x| self.bool_of(x)).collect::<R<_>>()?;
                    parts.push(self.returns_true(&b.values[n - 1])?);
                    Expr::and(parts, None)
                } else {
                    // `a or b`: the first truthy operand's value, else the last one's.
                    let mut alts = Vec::new();
                    let mut falsy_before = Vec::new();
                    for x in b.values.iter() {
                        let mut parts = falsy_before.clone();
                        parts.push(self.returns_true(x)?);
                        alts.push(Expr::and(parts, None));
                        // For a real bool, "was not True" is already implied by the earlier
                        // alternatives; only non-bool operands need the explicit guard.
                        if !is_bool_syntax(x) {
                            falsy_before.push(Expr::not(self.bool_of(x)?, None));
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

    fn call_returns_true(&mut self, c: &ast::ExprCall, v: &PyExpr) -> R<Expr> {
        match &*c.func {
            // A match object is never `True`.
            PyExpr::Attribute(a) if is_name(&a.value, "re") => Ok(Expr::constant(false, None)),
            PyExpr::Attribute(a) if matches!(a.attr.as_str(), "startswith" | "endswith") => self.bool_of(v),
            PyExpr::Name(n) if matches!(n.id.as_str(), "any" | "all" | "bool" | "isinstance") => {
                self.bool_of(v)
            }
            PyExpr::Name(n) if self.module.function(n.id.as_str()).is_some() => {
                let f = self
                    .module
                    .function(n.id.as_str())
                    .ok_or(Fail { msg: "helper".into(), span: Span::default() })?;
                let args: Vec<Sym> = c.arguments.args.iter().map(|x| self.sym(x)).collect::<R<_>>()?;
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
    fn bool_of(&mut self, e: &PyExpr) -> R<Expr> {
        let span = span_of(self.file, e);
        self.bool_of_inner(e).map(|x| fill_spans(x, span))
    }

    fn bool_of_inner(&mut self, e: &PyExpr) -> R<Expr> {
        match e {
            PyExpr::BoolOp(b) => {
                let items: Vec<Expr> = b.values.iter().map(|v| self.bool_of(v)).collect::<R<_>>()?;
                Ok(if b.op == BoolOp::And { Expr::and(items, None) } else { Expr::or(items, None) })
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

    fn compare_chain(&mut self, c: &ast::ExprCompare) -> R<Expr> {
        let mut left = &*c.left;
        let mut parts = Vec::new();
        for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
            parts.push(self.compare(left, *op, right, c)?);
            left = right;
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Expr::and(parts, None) })
    }

    fn compare(&mut self, left: &PyExpr, op: CmpOp, right: &PyExpr, node: &ast::ExprCompare) -> R<Expr> {
        // `re.match(...) is None`: a match object is None exactly when nothing matched.
        if matches!(op, CmpOp::Is | CmpOp::IsNot) {
            let regex_call = |e: &PyExpr| match e {
                PyExpr::Call(c) => matches!(&*c.func, PyExpr::Attribute(a)
                    if is_name(&a.value, "re") && matches!(a.attr.as_str(), "match" | "search" | "fullmatch")),
                _ => false,
            };
            let call = match (left, right) {
                (l, PyExpr::NoneLiteral(_)) if regex_call(l) => Some(l),
                (PyExpr::NoneLiteral(_), r) if regex_call(r) => Some(r),
                _ => None,
            };
            if let Some(PyExpr::Call(c)) = call {
                let matched = self.regex_call_name(c)?;
                return Ok(if op == CmpOp::IsNot { matched } else { Expr::not(matched, None) });
            }
        }
        let (l, r) = (self.sym(left)?, self.sym(right)?);
        if matches!(l, Sym::Walked(_)) || matches!(r, Sym::Walked(_)) {
            // One value found comes back alone, several as a list: what `==` or `in` means
            // depends on the event's shape.
            return self.fail("a comparison with deep_walk's result (a value, or a list of values)", node);
        }
        let negate = matches!(op, CmpOp::NotEq | CmpOp::NotIn | CmpOp::IsNot);
        let e = match (op, l, r) {
            (CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot, Sym::Field(f), Sym::Lit(v))
            | (CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot, Sym::Lit(v), Sym::Field(f)) => {
                let p = eq_pred(&f, &[v]);
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::In | CmpOp::NotIn, Sym::Field(f), Sym::Lit(Json::Object(m))) => {
                let keys: Vec<Json> = m.keys().cloned().map(Json::String).collect();
                let p = eq_pred(&f, &keys);
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::In | CmpOp::NotIn, Sym::Field(f), Sym::Lit(Json::Array(vs))) => {
                let p = eq_pred(&f, &vs);
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            // `"k" in event`: the key is present (its value may be null).
            (CmpOp::In | CmpOp::NotIn, Sym::Lit(Json::String(k)), Sym::Event) => {
                let path = FieldPath::key(k);
                let present = Expr::or(
                    vec![
                        Expr::pred(Predicate::new(path.clone(), Op::Exists, vec![], Case::Sensitive), None),
                        Expr::pred(Predicate::new(path, Op::Eq, vec![Value::Null], Case::Sensitive), None),
                    ],
                    None,
                );
                if negate {
                    Expr::not(present, None)
                } else {
                    present
                }
            }
            (CmpOp::In | CmpOp::NotIn, Sym::Lit(Json::String(s)), Sym::Field(f)) => {
                let p = match f.fold {
                    Some(Fold::Lower) if s != s.to_lowercase() => Expr::constant(false, None),
                    Some(Fold::Upper) if s != s.to_uppercase() => Expr::constant(false, None),
                    _ => f.pred(Op::Contains, vec![Value::Str(s)]),
                };
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (
                CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn,
                Sym::Split(f, sep, Some(i)),
                Sym::Lit(v),
            )
            | (CmpOp::Eq | CmpOp::NotEq, Sym::Lit(v), Sym::Split(f, sep, Some(i))) => {
                let values = if matches!(op, CmpOp::In | CmpOp::NotIn) { list_of(&v) } else { vec![v] };
                let p = split_pred(&f, sep, i, &values);
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn, Sym::Str(f), Sym::Lit(v))
            | (CmpOp::Eq | CmpOp::NotEq, Sym::Lit(v), Sym::Str(f)) => {
                let values = if matches!(op, CmpOp::In | CmpOp::NotIn) { list_of(&v) } else { vec![v] };
                let Some(p) = str_pred(&f, &values) else {
                    return self
                        .fail("str() compared with a value whose string forms are not modelled", node);
                };
                f.exact(if negate { Expr::not(p, None) } else { p })
            }
            (CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE, Sym::Field(f), Sym::Lit(v)) => {
                f.exact(order(&f, op, &v, false)?)
            }
            (CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE, Sym::Lit(v), Sym::Field(f)) => {
                f.exact(order(&f, op, &v, true)?)
            }
            (CmpOp::Eq | CmpOp::NotEq, Sym::Field(a), Sym::Field(b))
                if a.fold.is_none() && b.fold.is_none() =>
            {
                let p = a.pred(Op::Eq, vec![Value::Field(b.path.clone())]);
                if negate {
                    Expr::not(p, None)
                } else {
                    p
                }
            }
            (_, Sym::Lit(a), Sym::Lit(b)) => match static_compare(op, &a, &b) {
                Some(v) => Expr::constant(v, None),
                None => return self.fail("a comparison of constants Python would reject", node),
            },
            (CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot, Sym::Bool(b), Sym::Lit(Json::Bool(v)))
            | (CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot, Sym::Lit(Json::Bool(v)), Sym::Bool(b)) => {
                if v != negate {
                    b
                } else {
                    Expr::not(b, None)
                }
            }
            _ => return self.fail(format!("this `{}` comparison", op.as_str()), node),
        };
        Ok(e)
    }

    /// A call in boolean position that maps to a predicate, or `None` to treat it as a value.
    fn call_bool(&mut self, c: &ast::ExprCall) -> R<Option<Expr>> {
        let args = &c.arguments.args;
        match &*c.func {
            PyExpr::Attribute(a) if matches!(a.attr.as_str(), "startswith" | "endswith") => {
                let Sym::Field(f) = self.sym(&a.value)? else { return Ok(None) };
                let [arg] = &args[..] else {
                    return self.fail("startswith/endswith with several arguments", c);
                };
                let values = match self.sym(arg)? {
                    Sym::Lit(Json::String(s)) => vec![s],
                    Sym::Lit(Json::Array(items)) => {
                        items.iter().filter_map(|i| i.as_str().map(String::from)).collect()
                    }
                    _ => return self.fail("startswith/endswith of a non-literal", arg),
                };
                let op = if a.attr.as_str() == "startswith" { Op::StartsWith } else { Op::EndsWith };
                let values = fold_values(&f, values.into_iter().map(Json::String).collect());
                if values.is_empty() {
                    return Ok(Some(Expr::constant(false, None)));
                }
                Ok(Some(f.exact(string_guarded(&f, f.pred(op, values)))))
            }
            PyExpr::Name(n) if matches!(n.id.as_str(), "any" | "all") => {
                let any = n.id.as_str() == "any";
                match &args[..] {
                    [PyExpr::List(ast::ExprList { elts, .. }) | PyExpr::Tuple(ast::ExprTuple { elts, .. })] =>
                    {
                        let items: Vec<Expr> = elts.iter().map(|x| self.bool_of(x)).collect::<R<_>>()?;
                        Ok(Some(if any { Expr::or(items, None) } else { Expr::and(items, None) }))
                    }
                    _ => self.quantified(any, c).map(Some),
                }
            }
            PyExpr::Name(n) if n.id.as_str() == "bool" && args.len() == 1 => self.bool_of(&args[0]).map(Some),
            PyExpr::Name(n) if n.id.as_str() == "isinstance" && args.len() == 2 => {
                self.isinstance(&args[0], &args[1], c).map(Some)
            }
            PyExpr::Attribute(a)
                if is_name(&a.value, "re") && matches!(a.attr.as_str(), "match" | "search" | "fullmatch") =>
            {
                self.regex(a.attr.as_str(), c).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn regex_call_name(&mut self, c: &ast::ExprCall) -> R<Expr> {
        match &*c.func {
            PyExpr::Attribute(a) => {
                let func = a.attr.to_string();
                self.regex(&func, c)
            }
            _ => self.fail("this call", c),
        }
    }

    fn regex(&mut self, func: &str, c: &ast::ExprCall) -> R<Expr> {
        let args = &c.arguments.args;
        let (Some(pat), Some(subject)) = (args.first(), args.get(1)) else {
            return self.fail("re call without a pattern and a subject", c);
        };
        let Sym::Lit(Json::String(pattern)) = self.sym(pat)? else {
            return self.fail("a regex that is not a literal", pat);
        };
        let Sym::Field(f) = self.sym(subject)? else {
            return self.fail("a regex over something other than a field", subject);
        };
        let mut case = f.case();
        for flag in args.iter().skip(2).chain(c.arguments.keywords.iter().map(|k| &k.value)) {
            match flag {
                PyExpr::Attribute(a)
                    if is_name(&a.value, "re") && matches!(a.attr.as_str(), "I" | "IGNORECASE") =>
                {
                    case = Case::Insensitive
                }
                other => return self.fail("regex flags other than re.IGNORECASE", other),
            }
        }
        if regex::Regex::new(&pattern).is_err() {
            return self.fail("a regex the evaluator's engine cannot run", pat);
        }
        let anchor = match func {
            "match" => Anchor::Start,
            "fullmatch" => Anchor::Full,
            _ => Anchor::None,
        };
        let regex = Value::Regex(Regex { pattern, flavor: RegexFlavor::Python, anchor });
        let p = Expr::pred(Predicate::new(f.path.clone(), Op::Regex, vec![regex], case), None);
        Ok(f.exact(p))
    }

    /// `any(test for x in …)` / `all(...)`: see `loops`.
    fn quantified(&mut self, any: bool, c: &ast::ExprCall) -> R<Expr> {
        let [PyExpr::Generator(g)] = &c.arguments.args[..] else {
            return self.fail("any/all over something other than a generator", c);
        };
        self.generator(any, g)
    }

    /// `isinstance(field, str)` is exactly "a string" (`startswith("")`); other types have
    /// no IR test.
    fn isinstance(&mut self, value: &PyExpr, ty: &PyExpr, c: &ast::ExprCall) -> R<Expr> {
        let Sym::Field(f) = self.sym(value)? else {
            return self.fail("isinstance of something other than a field", c);
        };
        match ty {
            PyExpr::Name(n) if n.id.as_str() == "str" => Ok(f.exact(string_test(&f))),
            _ => self.fail("an isinstance test other than `str`", c),
        }
    }

    /// The symbolic value of an expression.
    fn sym(&mut self, e: &PyExpr) -> R<Sym> {
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
            PyExpr::Dict(d) => {
                let mut map = serde_json::Map::new();
                for item in &d.items {
                    let (Some(k), v) = (&item.key, &item.value) else {
                        return self.fail("a dict unpacking", e);
                    };
                    match (self.sym(k)?, self.sym(v)?) {
                        (Sym::Lit(Json::String(k)), Sym::Lit(v)) => map.insert(k, v),
                        _ => return self.fail("a dict with non-constant keys or values", e),
                    };
                }
                Sym::Lit(Json::Object(map))
            }
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
            PyExpr::BoolOp(_) | PyExpr::Compare(_) | PyExpr::UnaryOp(_) => Sym::Bool(self.bool_of(e)?),
            PyExpr::FString(_) => return self.fail("an f-string", e),
            PyExpr::BinOp(_) => return self.fail("arithmetic or string building", e),
            _ => return self.fail("this expression", e),
        })
    }

    fn lit_seq<'a>(&mut self, items: impl Iterator<Item = &'a PyExpr>, node: &PyExpr) -> R<Sym> {
        let mut out = Vec::new();
        for item in items {
            match self.sym(item)? {
                Sym::Lit(v) => out.push(v),
                _ => return self.fail("a collection of non-constant values", node),
            }
        }
        Ok(Sym::Lit(Json::Array(out)))
    }

    /// `event["k"]`: like `get`, but an absent key raises (no alert): guarded.
    fn subscript(&mut self, s: &ast::ExprSubscript) -> R<Sym> {
        let key = match self.sym(&s.slice)? {
            Sym::Lit(Json::String(k)) => Seg::Key(k),
            Sym::Lit(Json::Number(n)) if n.is_i64() => Seg::Index(n.as_i64().unwrap_or(0)),
            _ => return self.fail("a subscript with a non-constant key", s),
        };
        let base = self.sym(&s.value)?;
        if let (Sym::Split(f, sep, None), Seg::Index(i @ (0 | -1))) = (&base, &key) {
            return Ok(Sym::Split(f.clone(), *sep, Some(*i)));
        }
        let path = match base {
            Sym::Event => FieldPath(vec![key]),
            Sym::Field(f) if f.fold.is_none() => FieldPath(f.path.0.into_iter().chain([key]).collect()),
            _ => return self.fail("a subscript of something other than the event", s),
        };
        let present = Expr::or(
            vec![
                Expr::pred(Predicate::new(path.clone(), Op::Exists, vec![], Case::Sensitive), None),
                Expr::pred(Predicate::new(path.clone(), Op::Eq, vec![Value::Null], Case::Sensitive), None),
            ],
            None,
        );
        self.guard(present);
        Ok(Sym::Field(FieldRef::new(path, Json::Null, false)))
    }

    fn call_value(&mut self, c: &ast::ExprCall) -> R<Sym> {
        let args = &c.arguments.args;
        match &*c.func {
            PyExpr::Attribute(a) => {
                let method = a.attr.as_str();
                if let PyExpr::Name(m) = &*a.value {
                    if let Some(f) =
                        self.module.modules.get(m.id.as_str()).and_then(|fs| fs.get(method)).cloned()
                    {
                        let argv: Vec<Sym> = args.iter().map(|x| self.sym(x)).collect::<R<_>>()?;
                        return self.call_function(&f, argv);
                    }
                }
                let recv = self.sym(&a.value)?;
                self.method(recv, method, c)
            }
            PyExpr::Name(n) => {
                let name = n.id.as_str();
                match name {
                    "deep_get" => {
                        let Some((first, keys)) = args.split_first() else {
                            return self.fail("deep_get without arguments", c);
                        };
                        let base = self.sym(first)?;
                        self.deep_get(base, keys, c)
                    }
                    "fnmatch" if args.len() == 2 && self.module.function("fnmatch").is_none() => {
                        self.fnmatch(&args[0], &args[1]).map(Sym::Bool)
                    }
                    "str" if args.len() == 1 => match self.sym(&args[0])? {
                        Sym::Field(f) if f.fold.is_none() => Ok(Sym::Str(f)),
                        Sym::Lit(Json::String(s)) => Ok(Sym::Lit(Json::String(s))),
                        _ => self.fail("str() of something other than a field", c),
                    },
                    "set" | "frozenset" | "tuple" | "list" if args.len() <= 1 => match args.first() {
                        None => Ok(Sym::Lit(json!([]))),
                        Some(x) => self.sym(x),
                    },
                    _ => match self.module.function(name) {
                        Some(f) => {
                            let argv: Vec<Sym> = args.iter().map(|x| self.sym(x)).collect::<R<_>>()?;
                            self.call_function(&f, argv)
                        }
                        None => self.fail(format!("a call of `{name}`"), c),
                    },
                }
            }
            _ => self.fail("this call", c),
        }
    }

    fn method(&mut self, recv: Sym, method: &str, c: &ast::ExprCall) -> R<Sym> {
        let args = &c.arguments.args;
        match (recv, method) {
            (Sym::Event, "get") | (Sym::Field(_), "get") if !args.is_empty() && args.len() <= 2 => {
                let recv = self.sym(match &*c.func {
                    PyExpr::Attribute(a) => &a.value,
                    _ => return self.fail("this call", c),
                })?;
                let Sym::Lit(Json::String(key)) = self.sym(&args[0])? else {
                    return self.fail("get with a non-constant key", &args[0]);
                };
                let default = match args.get(1) {
                    Some(d) => match self.sym(d)? {
                        Sym::Lit(v) => v,
                        _ => return self.fail("a non-constant default", d),
                    },
                    None => Json::Null,
                };
                match recv {
                    Sym::Event => Ok(Sym::Field(FieldRef::new(FieldPath::key(key), default, false))),
                    Sym::Field(f)
                        if f.fold.is_none() && matches!(f.default, Json::Object(_) | Json::Null) =>
                    {
                        let mut path = f.path.clone();
                        path.0.push(Seg::Key(key));
                        // A missing parent yields `{}` (or None → raises): either way `default`.
                        Ok(Sym::Field(FieldRef::new(path, default, false)))
                    }
                    _ => self.fail("get on a value that may not be a mapping", c),
                }
            }
            (Sym::Event, "deep_get") => self.deep_get(Sym::Event, args, c),
            (Sym::Event, "udm") => {
                let [name] = &args[..] else { return self.fail("udm with several keys", c) };
                let Sym::Lit(Json::String(name)) = self.sym(name)? else {
                    return self.fail("udm with a non-constant name", c);
                };
                match self.module.udm.get(&name).cloned() {
                    Some(Udm::Path(path)) => Ok(Sym::Field(FieldRef::new(path, Json::Null, true))),
                    Some(Udm::Method(f)) => self.call_function(&f, vec![Sym::Event]),
                    Some(Udm::Unsupported(what)) => {
                        self.fail(format!("event.udm(\"{name}\") maps to {what}"), c)
                    }
                    None => self.fail(
                        format!("event.udm(\"{name}\") has no data-model mapping for this log type"),
                        c,
                    ),
                }
            }
            (Sym::Field(mut f), "lower" | "casefold" | "upper") if args.is_empty() => {
                if !matches!(f.default, Json::String(_)) {
                    // None.lower() raises: no alert when the value is not a string.
                    self.guard(string_test(&f));
                }
                f.fold = Some(if method == "upper" { Fold::Upper } else { Fold::Lower });
                Ok(Sym::Field(f))
            }
            (Sym::Lit(Json::Object(m)), "keys") if args.is_empty() => {
                Ok(Sym::Lit(Json::Array(m.keys().cloned().map(Json::String).collect())))
            }
            (Sym::Lit(Json::String(s)), "lower" | "casefold") => Ok(Sym::Lit(Json::String(s.to_lowercase()))),
            (Sym::Lit(Json::String(s)), "upper") => Ok(Sym::Lit(Json::String(s.to_uppercase()))),
            (Sym::Field(f), "split") if args.len() == 1 => match self.sym(&args[0])? {
                Sym::Lit(Json::String(sep)) if sep.chars().count() == 1 => {
                    if !matches!(f.default, Json::String(_)) {
                        self.guard(string_test(&f)); // None.split() raises: no alert
                    }
                    Ok(Sym::Split(f, sep.chars().next().unwrap_or(' '), None))
                }
                _ => self.fail("split on anything but a one-character separator", c),
            },
            (Sym::Event, "deep_walk") => self.deep_walk(args, c),
            (_, "deep_walk") => self.fail("deep_walk on something other than the event", c),
            (_, m) => self.fail(format!("the method `{m}`"), c),
        }
    }

    /// `fnmatch(value, "pat*")`: a glob over the whole string (case-sensitive on POSIX);
    /// a non-string value raises.
    fn fnmatch(&mut self, value: &PyExpr, pattern: &PyExpr) -> R<Expr> {
        let Sym::Lit(Json::String(pat)) = self.sym(pattern)? else {
            return self.fail("fnmatch with a pattern that is not a literal", pattern);
        };
        if pat.contains('[') {
            return self.fail("fnmatch with a `[…]` character class", pattern);
        }
        let f = match self.sym(value)? {
            Sym::Field(f) if f.fold.is_none() => f,
            _ => return self.fail("fnmatch of something other than a field", value),
        };
        if !matches!(f.default, Json::String(_)) {
            self.guard(string_test(&f));
        }
        let mut pieces = Vec::new();
        let mut lit = String::new();
        for ch in pat.chars() {
            match ch {
                '*' | '?' => {
                    if !lit.is_empty() {
                        pieces.push(crate::ir::Piece::Lit(std::mem::take(&mut lit)));
                    }
                    pieces.push(if ch == '*' {
                        crate::ir::Piece::AnyChars
                    } else {
                        crate::ir::Piece::AnyChar
                    });
                }
                other => lit.push(other),
            }
        }
        if !lit.is_empty() {
            pieces.push(crate::ir::Piece::Lit(lit));
        }
        let p = f.pred(Op::Wildcard, vec![Value::Pattern(crate::ir::Pattern(pieces))]);
        Ok(f.exact(p))
    }

    /// `event.deep_walk(k1, …, kn, default=d)`: like `deep_get` (an empty list also gives `d`)
    /// while no step on the way is a list. Through a non-empty list it collects the values
    /// below every element into a set, which raises (no alert) when they are mappings.
    fn deep_walk(&mut self, keys: &[PyExpr], c: &ast::ExprCall) -> R<Sym> {
        if c.arguments.keywords.iter().any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "return_val")) {
            return self.fail("deep_walk with return_val", c);
        }
        match self.deep_get(Sym::Event, keys, c)? {
            Sym::Field(f) => Ok(Sym::Walked(f)),
            _ => self.fail("this deep_walk", c),
        }
    }

    /// `event.deep_get(k…)`, or `deep_get(value, k…)` on a value read from the event: a
    /// step on a non-mapping, or a None at the end, gives the default.
    fn deep_get(&mut self, base: Sym, keys: &[PyExpr], c: &ast::ExprCall) -> R<Sym> {
        let mut path = match base {
            Sym::Event => Vec::new(),
            // The value's own default is what deep_get starts from when it is absent: only
            // None or {} (where every key is absent too) keep the result the same.
            Sym::Field(f)
                if f.fold.is_none()
                    && (f.default.is_null() || f.default.as_object().is_some_and(|m| m.is_empty())) =>
            {
                f.path.0
            }
            _ => return self.fail("deep_get on something other than the event or a value read from it", c),
        };
        for k in keys {
            match self.sym(k)? {
                Sym::Lit(Json::String(s)) => path.push(Seg::Key(s)),
                _ => return self.fail("deep_get with a non-constant key", k),
            }
        }
        let mut default = Json::Null;
        for kw in &c.arguments.keywords {
            match (kw.arg.as_ref().map(|a| a.as_str()), self.sym(&kw.value)?) {
                (Some("default"), Sym::Lit(v)) => default = v,
                _ => return self.fail("a deep_get keyword other than a constant default", kw),
            }
        }
        if keys.is_empty() {
            return self.fail("deep_get without keys", c);
        }
        Ok(Sym::Field(FieldRef::new(FieldPath(path), default, true)))
    }
}

fn list_of(v: &Json) -> Vec<Json> {
    match v {
        Json::Array(items) => items.clone(),
        Json::Object(m) => m.keys().cloned().map(Json::String).collect(),
        other => vec![other.clone()],
    }
}

/// `field.split(sep)[0|-1] in values`: the first / last piece equals a value, i.e. the whole
/// value matches `v(sep…)?` / `(…sep)?v`. Values containing `sep` can never be a piece.
fn split_pred(f: &FieldRef, sep: char, index: i64, values: &[Json]) -> Expr {
    let alts: Vec<String> = fold_values(f, values.to_vec())
        .into_iter()
        .filter_map(|v| match v {
            Value::Str(s) if !s.contains(sep) => Some(regex::escape(&s)),
            _ => None,
        })
        .collect();
    if alts.is_empty() {
        return Expr::constant(false, None);
    }
    let sep = regex::escape(&sep.to_string());
    let alts = alts.join("|");
    let pattern =
        if index == 0 { format!("(?:{alts})(?s:{sep}.*)?") } else { format!("(?s:.*{sep})?(?:{alts})") };
    let regex = Value::Regex(Regex { pattern, flavor: RegexFlavor::Python, anchor: Anchor::Full });
    Expr::pred(Predicate::new(f.path.clone(), Op::Regex, vec![regex], f.case()), None)
}

/// `str(field) == "v"`: the string "v", or an integer / boolean / None whose `str()` is "v".
fn str_pred(f: &FieldRef, values: &[Json]) -> Option<Expr> {
    let mut parts = Vec::new();
    for v in values {
        let Json::String(s) = v else { return None };
        parts.push(f.pred(Op::Eq, vec![Value::Str(s.clone())]));
        match s.as_str() {
            "None" => parts.push(f.pred(Op::IsNull, vec![])),
            "True" | "False" => parts.push(f.pred(Op::Eq, vec![Value::Bool(s == "True")])),
            _ => {
                if let Ok(i) = s.parse::<i64>() {
                    if i.to_string() == *s {
                        parts.push(f.pred(Op::Eq, vec![Value::Int(i)]));
                    }
                } else if s.parse::<f64>().is_ok() || s.eq_ignore_ascii_case("nan") || s.contains("inf") {
                    return None; // float repr rules are not modelled
                }
            }
        }
    }
    Some(Expr::or(parts, None))
}

/// Equality with one or several literals, honouring `.lower()` / `.upper()`.
fn eq_pred(f: &FieldRef, values: &[Json]) -> Expr {
    if values.iter().all(Json::is_null) {
        return f.pred(Op::IsNull, vec![]);
    }
    let vals = fold_values(f, values.to_vec());
    if vals.is_empty() {
        return Expr::constant(false, None);
    }
    string_guarded(f, f.pred(Op::Eq, vals))
}

/// Literals as IR values; with a fold, only strings already in folded form can ever match.
fn fold_values(f: &FieldRef, values: Vec<Json>) -> Vec<Value> {
    values
        .into_iter()
        .filter_map(|v| match (v, f.fold) {
            (Json::String(s), Some(Fold::Lower)) => (s == s.to_lowercase()).then_some(Value::Str(s)),
            (Json::String(s), Some(Fold::Upper)) => {
                (s == s.to_uppercase()).then_some(Value::Str(s.to_lowercase()))
            }
            (_, Some(_)) => None,
            (Json::String(s), None) => Some(Value::Str(s)),
            (Json::Bool(b), None) => Some(Value::Bool(b)),
            (Json::Number(n), None) => {
                Some(n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int))
            }
            (Json::Null, None) => Some(Value::Null),
            _ => None,
        })
        .collect()
}

/// A folded value is a string (or the rule raised); the IR's insensitive predicates only
/// match strings anyway, so nothing to add beyond the predicate itself.
fn string_guarded(_f: &FieldRef, p: Expr) -> Expr {
    p
}

/// "The value is a string": the only values `startswith("")` holds for.
fn string_test(f: &FieldRef) -> Expr {
    Expr::pred(
        Predicate::new(f.path.clone(), Op::StartsWith, vec![Value::Str(String::new())], Case::Sensitive),
        None,
    )
}

fn order(f: &FieldRef, op: CmpOp, v: &Json, swapped: bool) -> Result<Expr, Fail> {
    let op = match (op, swapped) {
        (CmpOp::Lt, false) | (CmpOp::Gt, true) => Op::Lt,
        (CmpOp::LtE, false) | (CmpOp::GtE, true) => Op::Le,
        (CmpOp::Gt, false) | (CmpOp::Lt, true) => Op::Gt,
        _ => Op::Ge,
    };
    let value = match v {
        Json::Number(n) => {
            n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int)
        }
        Json::String(s) if f.fold.is_none() => Value::Str(s.clone()),
        _ => {
            return Err(Fail { msg: "an ordering comparison with this value".into(), span: Span::default() })
        }
    };
    Ok(f.pred(op, vec![value]))
}

fn static_compare(op: CmpOp, a: &Json, b: &Json) -> Option<bool> {
    Some(match op {
        CmpOp::Eq | CmpOp::Is => a == b,
        CmpOp::NotEq | CmpOp::IsNot => a != b,
        CmpOp::In => match b {
            Json::Array(items) => items.contains(a),
            Json::String(s) => s.contains(a.as_str()?),
            _ => return None,
        },
        CmpOp::NotIn => !static_compare(CmpOp::In, a, b)?,
        _ => return None,
    })
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

/// deep_walk's path has no list at an inner step whose first element holds a value.
fn no_list_on_the_way(path: &FieldPath) -> Vec<Expr> {
    (1..path.0.len())
        .map(|n| {
            let mut first = FieldPath(path.0[..n].to_vec());
            first.0.push(Seg::Index(0));
            Expr::not(Expr::pred(Predicate::new(first, Op::Exists, vec![], Case::Sensitive), None), None)
        })
        .collect()
}

/// Whether a symbolic value is `True` itself (not merely truthy).
fn is_true(s: Sym) -> R<Expr> {
    Ok(match s {
        Sym::Bool(e) => e,
        Sym::Lit(v) => Expr::constant(v == Json::Bool(true), None),
        Sym::Field(f) if f.fold.is_none() => f.exact(f.pred(Op::Eq, vec![Value::Bool(true)])),
        // Strings, lists and the event are never `True`.
        Sym::Field(_) | Sym::Str(_) | Sym::Split(..) | Sym::Event => Expr::constant(false, None),
        Sym::Unknown(why) => return Err(Fail { msg: why.into(), span: Span::default() }),
        Sym::Walked(_) => {
            return Err(Fail { msg: "returning deep_walk's result".into(), span: Span::default() })
        }
    })
}

fn fill_spans(mut e: Expr, span: Span) -> Expr {
    if e.span.is_none() {
        e.span = Some(span);
    }
    e.kind = match e.kind {
        ExprKind::And(xs) => ExprKind::And(xs.into_iter().map(|x| fill_spans(x, span)).collect()),
        ExprKind::Or(xs) => ExprKind::Or(xs.into_iter().map(|x| fill_spans(x, span)).collect()),
        ExprKind::Not(x) => ExprKind::Not(Box::new(fill_spans(*x, span))),
        other => other,
    };
    e
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

fn always_returns(body: &[Stmt]) -> bool {
    match body.last() {
        Some(Stmt::Return(_)) | Some(Stmt::Raise(_)) | Some(Stmt::Continue(_)) => true,
        Some(Stmt::If(i)) => {
            always_returns(&i.body)
                && i.elif_else_clauses.iter().any(|c| c.test.is_none())
                && i.elif_else_clauses.iter().all(|c| always_returns(&c.body))
        }
        _ => false,
    }
}
