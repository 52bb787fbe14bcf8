//! IR expressions → Python boolean expressions with the evaluator's exact semantics.
//!
//! A value is read with `event.get` / `event.deep_get` for plain key paths (both give `None`
//! for an absent key, which every operator treats as absent, except equality with null:
//! that one is lossy). Paths with positions or element fan-out use the module helpers
//! `_at` and `_each`. Type guards mirror the evaluator: string operators only match strings,
//! numeric comparisons only numbers, and so on.

use super::writer::{py_str, py_value, Py};
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{
    Anchor, Case, Elements, Expr, ExprKind, FieldPath, Op, Pattern, Piece, Predicate, Quantifier, Seg, Value,
};
use std::collections::BTreeSet;

/// Module-level helpers an expression needs (emitted once, in a fixed order).
#[derive(Debug, Default)]
pub(crate) struct Needs {
    pub helpers: BTreeSet<&'static str>,
    pub imports: BTreeSet<&'static str>,
    /// The rule tests `isinstance(…, Mapping)` itself.
    pub mapping: bool,
}

pub(crate) struct Ctx<'d> {
    pub needs: Needs,
    pub diags: &'d mut Diagnostics,
    depth: usize,
    /// The variable predicates read from: `event`, or an element inside `Elements`.
    base: String,
}

impl<'d> Ctx<'d> {
    pub fn new(diags: &'d mut Diagnostics) -> Self {
        Ctx { needs: Needs::default(), diags, depth: 0, base: "event".into() }
    }

    pub fn expr(&mut self, e: &Expr) -> Option<Py> {
        Some(match &e.kind {
            // "Missing": absent or null, and not a present null.
            ExprKind::And(xs) if absence(xs).is_some() => {
                let keys = absence(xs).unwrap_or_default();
                self.needs.helpers.insert("_has");
                Py::not(Py::atom(format!(
                    "_has({}, {})",
                    self.base,
                    keys.iter().map(|k| py_str(k)).collect::<Vec<_>>().join(", ")
                )))
            }
            ExprKind::And(xs) => Py::and(xs.iter().map(|x| self.expr(x)).collect::<Option<_>>()?),
            ExprKind::Or(xs) if presence(xs).is_some() => {
                let keys = presence(xs).unwrap_or_default();
                self.needs.helpers.insert("_has");
                Py::atom(format!(
                    "_has({}, {})",
                    self.base,
                    keys.iter().map(|k| py_str(k)).collect::<Vec<_>>().join(", ")
                ))
            }
            ExprKind::Or(xs) => {
                // A present key (`exists or == null`) among other alternatives: `_has`.
                let pair = (0..xs.len())
                    .flat_map(|i| (i + 1..xs.len()).map(move |j| (i, j)))
                    .find(|&(i, j)| Expr::present_pair(&xs[i], &xs[j]).and_then(key_names).is_some());
                let mut parts = Vec::new();
                for (k, x) in xs.iter().enumerate() {
                    match pair {
                        Some((i, j)) if k == i => {
                            parts.push(self.expr(&Expr::or(vec![xs[i].clone(), xs[j].clone()], None))?)
                        }
                        Some((_, j)) if k == j => {}
                        _ => parts.push(self.expr(x)?),
                    }
                }
                Py::or(parts)
            }
            // `not exists` is exactly `is null` (absent or null), and reads better.
            ExprKind::Not(x) => match &x.kind {
                ExprKind::Pred(p) if p.op == Op::Exists => {
                    let p = Predicate { op: Op::IsNull, ..p.clone() };
                    self.pred(&p, x.span)?
                }
                _ => Py::not(self.expr(x)?),
            },
            ExprKind::Const(b) => Py::Const(*b),
            ExprKind::Keyword(_) => {
                let msg = "free-text keywords have no field to test in a Panther rule";
                self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(e.span));
                return None;
            }
            ExprKind::Pred(p) => self.pred(p, e.span)?,
            ExprKind::Elements(el) => self.elements(el)?,
        })
    }

    /// `any(<body> for x in _elements(<array>))`, the body reading from the element.
    fn elements(&mut self, el: &Elements) -> Option<Py> {
        let base = self.base.clone();
        let (source, guard) = if el.path.0.iter().any(|s| matches!(s, Seg::Each(_))) {
            // An Elastic path: the values it reaches, through lists at every step.
            let Some(keys) = elastic_steps(&el.path.0) else {
                let msg = format!("`{}`: an element-scoped test under this path", el.path);
                self.diags.push(Diagnostic::error(Code::Inexpressible, msg));
                return None;
            };
            self.needs.helpers.insert("_terms");
            let args: Vec<String> = keys.iter().map(|k| py_str(k)).collect();
            (format!("_terms({base}, {})", args.join(", ")), true)
        } else {
            self.needs.helpers.insert("_elements");
            (format!("_elements({})", self.access(&el.path.0, &base, base == "event")), false)
        };
        self.depth += 1;
        let var = format!("x{}", self.depth);
        let saved = std::mem::replace(&mut self.base, var.clone());
        let body = self.expr(&el.body);
        let until = el.until.as_ref().map(|u| self.expr(u));
        self.base = saved;
        self.depth -= 1;
        let body = body?.render();
        if let Some(until) = until {
            // Visited in order, as the source's loop visits them.
            self.needs.helpers.insert("_in_order");
            let source =
                if guard { format!("[{var} for {var} in {source} if {var} is not None]") } else { source };
            let until = until?.render();
            return Some(Py::atom(format!(
                "_in_order({source}, lambda {var}: {body}, lambda {var}: {until})"
            )));
        }
        let func = if el.quantifier == Quantifier::Any { "any" } else { "all" };
        let skip_absent = if guard { format!(" if {var} is not None") } else { String::new() };
        Some(Py::atom(format!("{func}({body} for {var} in {source}{skip_absent})")))
    }

    fn pred(&mut self, p: &Predicate, span: Option<Span>) -> Option<Py> {
        if p.op == Op::Eq && p.values.contains(&Value::Null) {
            // "present and null": `get` reads an absent key as None too, so test presence.
            // JSON text that is `null` itself (not text that fails to parse).
            if let (Some((Seg::Json, text)), [Value::Null]) = (p.field.0.split_last(), p.values.as_slice()) {
                self.needs.helpers.insert("_json_null");
                self.needs.imports.insert("json");
                let base = self.base.clone();
                let text = self.access(text, &base, base == "event");
                return Some(Py::atom(format!("_json_null({text})")));
            }
            // Keys after the last JSON document on the path are tested inside that document.
            let split = p.field.0.iter().rposition(|s| *s == Seg::Json).map_or(0, |j| j + 1);
            let (doc, tail) = p.field.0.split_at(split);
            let tail = FieldPath(tail.to_vec());
            if let (Some(keys), [Value::Null]) = (tail.key_names(), p.values.as_slice()) {
                self.needs.helpers.insert("_has");
                let args: Vec<String> = keys.iter().map(|k| py_str(k)).collect();
                let outer = self.base.clone();
                let base = self.access(doc, &outer, outer == "event");
                let value = self.access(&p.field.0, &outer, outer == "event");
                return Some(Py::and(vec![
                    Py::atom(format!("_has({base}, {})", args.join(", "))),
                    Py::atom(format!("{value} is None")),
                ]));
            }
            let msg = format!(
                "`{}`: Python reads an absent key as None, so equality with null also matches it",
                p.field
            );
            self.diags.push(Diagnostic::lossy(Code::LossyNullMissing, msg).with_span(span));
        }
        let base = self.base.clone();
        self.at_path(&p.field.0, &base, base == "event", &mut |ctx, v| ctx.test(p, v, span))
    }

    /// Read `segs` from `base` and apply `test` to the value expression, fanning out over
    /// `Each` segments with `any` / `all`.
    fn at_path(
        &mut self,
        segs: &[Seg],
        base: &str,
        is_event: bool,
        test: &mut dyn FnMut(&mut Self, &str) -> Option<Py>,
    ) -> Option<Py> {
        if let [Seg::Glob(g)] = segs {
            // A wildcard field name: the leaves whose dotted name matches, read by `_named`.
            self.needs.helpers.insert("_named");
            self.needs.imports.insert("re");
            self.depth += 1;
            let var = format!("x{}", self.depth);
            let inner = test(self, &var);
            self.depth -= 1;
            let values = format!("_named({base}, {})", py_str(g));
            return Some(Py::atom(format!("any({} for {var} in {values})", inner?.render())));
        }
        if let Some(keys) = elastic_steps(segs) {
            // Keys each followed by "any element" (Elastic's field semantics): one flat list
            // of the values reached, read by `_terms`.
            self.needs.helpers.insert("_terms");
            self.depth += 1;
            let var = format!("x{}", self.depth);
            let inner = test(self, &var);
            self.depth -= 1;
            let args: Vec<String> = keys.iter().map(|k| py_str(k)).collect();
            let values = format!("_terms({base}, {})", args.join(", "));
            return Some(Py::atom(format!("any({} for {var} in {values})", inner?.render())));
        }
        let split = segs.iter().position(|s| matches!(s, Seg::Each(_))).unwrap_or(segs.len());
        let value = self.access(&segs[..split], base, is_event);
        let Some(Seg::Each(q)) = segs.get(split) else {
            return test(self, &value);
        };
        self.needs.helpers.insert("_each");
        self.depth += 1;
        let var = format!("x{}", self.depth);
        let inner = self.at_path(&segs[split + 1..], &var, false, test);
        self.depth -= 1;
        let func = if *q == Quantifier::Any { "any" } else { "all" };
        Some(Py::atom(format!("{func}({} for {var} in _each({value}))", inner?.render())))
    }

    /// Expression reading a path of keys and positions from `base`.
    fn access(&mut self, segs: &[Seg], base: &str, is_event: bool) -> String {
        if segs.is_empty() {
            return base.to_string();
        }
        if let Some(j) = segs.iter().position(|s| *s == Seg::Json) {
            // The document JSON text holds, read by `_json`, and the rest of the path in it.
            self.needs.helpers.insert("_json");
            self.needs.imports.insert("json");
            let text = self.access(&segs[..j], base, is_event);
            return self.access(&segs[j + 1..], &format!("_json({text})"), false);
        }
        let keys: Option<Vec<&str>> =
            segs.iter().map(|s| if let Seg::Key(k) = s { Some(k.as_str()) } else { None }).collect();
        match keys {
            Some(keys) if is_event && keys.len() == 1 => format!("{base}.get({})", py_str(keys[0])),
            Some(keys) if is_event => {
                format!("{base}.deep_get({})", keys.iter().map(|k| py_str(k)).collect::<Vec<_>>().join(", "))
            }
            _ => {
                self.needs.helpers.insert("_at");
                let steps: Vec<String> = segs
                    .iter()
                    .map(|s| match s {
                        Seg::Key(k) => py_str(k),
                        Seg::Index(i) => i.to_string(),
                        Seg::Each(_) | Seg::Glob(_) | Seg::Json => String::new(),
                    })
                    .collect();
                format!("_at({base}, {})", steps.join(", "))
            }
        }
    }

    fn test(&mut self, p: &Predicate, v: &str, span: Option<Span>) -> Option<Py> {
        match p.op {
            Op::IsNull => return Some(Py::atom(format!("{v} is None"))),
            Op::Exists => return Some(Py::atom(format!("{v} is not None"))),
            Op::IsEmpty => return Some(Py::atom(format!("{v} in (\"\", [], {{}})"))),
            Op::Truthy => return Some(Py::atom(format!("bool({v})"))),
            Op::IsList => {
                self.needs.helpers.insert("_is_list");
                return Some(Py::atom(format!("_is_list({v})")));
            }
            Op::IsObject => {
                self.needs.mapping = true;
                return Some(Py::atom(format!("isinstance({v}, Mapping)")));
            }
            Op::IsBool => return Some(Py::atom(format!("isinstance({v}, bool)"))),
            Op::IsInteger => {
                return Some(Py::atom(format!("(isinstance({v}, int) and not isinstance({v}, bool))")))
            }
            Op::IsFloat => return Some(Py::atom(format!("isinstance({v}, float)"))),
            _ => {}
        }
        let mut tests = Vec::new();
        for val in &p.values {
            tests.push(self.one(p, v, val, span)?);
        }
        Some(match p.quantifier {
            Quantifier::Any => self.merge_any(p, v, tests),
            Quantifier::All => Py::and(tests),
        })
    }

    /// Several equality values read best as one `in (…)` test.
    fn merge_any(&mut self, p: &Predicate, v: &str, tests: Vec<Py>) -> Py {
        let all_str = p.values.iter().all(|x| matches!(x, Value::Str(_)));
        if matches!(p.op, Op::StartsWith | Op::EndsWith) && p.values.len() > 1 && all_str {
            // `str.startswith` takes a tuple of alternatives.
            let method = if p.op == Op::StartsWith { "startswith" } else { "endswith" };
            let lits: Vec<String> = p.values.iter().filter_map(|x| fold(x, p.case)).collect();
            let subject = match p.case {
                Case::Sensitive => v.to_string(),
                Case::Insensitive => format!("{v}.lower()"),
            };
            return Py::and(vec![
                Py::atom(format!("isinstance({v}, str)")),
                Py::atom(format!("{subject}.{method}(({}))", lits.join(", "))),
            ]);
        }
        if p.op == Op::Eq
            && p.values.len() > 1
            && all_str
            && !matches!(p.values.first(), Some(Value::Field(_)))
        {
            let lits: Vec<String> = p.values.iter().filter_map(|x| fold(x, p.case)).collect();
            let subject = match p.case {
                Case::Sensitive => v.to_string(),
                Case::Insensitive => format!("{v}.lower()"),
            };
            let set = format!("{subject} in ({})", lits.join(", "));
            return match p.case {
                Case::Sensitive => Py::atom(set),
                Case::Insensitive => Py::and(vec![Py::atom(format!("isinstance({v}, str)")), Py::atom(set)]),
            };
        }
        Py::or(tests)
    }

    fn one(&mut self, p: &Predicate, v: &str, val: &Value, span: Option<Span>) -> Option<Py> {
        let is_str = || Py::atom(format!("isinstance({v}, str)"));
        let subject = match p.case {
            Case::Sensitive => v.to_string(),
            Case::Insensitive => format!("{v}.lower()"),
        };
        Some(match (p.op, val) {
            (_, Value::Field(other)) => return self.field_compare(p, v, other, span),
            (Op::Eq, Value::Str(_)) if p.case == Case::Insensitive => {
                Py::and(vec![is_str(), Py::atom(format!("{subject} == {}", fold(val, p.case)?))])
            }
            (Op::Eq, Value::Bool(b)) => Py::atom(format!("{v} is {}", if *b { "True" } else { "False" })),
            (Op::Eq, Value::Null) => Py::atom(format!("{v} is None")),
            (Op::Eq, Value::Str(_) | Value::Int(_) | Value::Float(_)) => {
                Py::atom(format!("{v} == {}", py_value(val)?))
            }
            (Op::Eq | Op::Wildcard, Value::Pattern(pat)) => {
                self.regex(v, &glob_regex(pat), "fullmatch", p.case, true)
            }
            (Op::Contains, Value::Str(_)) => match p.case {
                Case::Sensitive => {
                    self.needs.helpers.insert("_is_list");
                    let types = Py::atom(format!("(isinstance({v}, str) or _is_list({v}))"));
                    Py::and(vec![types, Py::atom(format!("{} in {v}", py_value(val)?))])
                }
                Case::Insensitive => {
                    self.needs.helpers.insert("_icontains");
                    Py::atom(format!("_icontains({v}, {})", fold(val, p.case)?))
                }
            },
            (Op::Contains, _) => {
                self.needs.helpers.insert("_is_list");
                Py::and(vec![
                    Py::atom(format!("_is_list({v})")),
                    Py::atom(format!("{} in {v}", py_value(val)?)),
                ])
            }
            // Every string starts and ends with "": the test is "a string".
            (Op::StartsWith | Op::EndsWith, Value::Str(s)) if s.is_empty() => is_str(),
            (Op::StartsWith | Op::EndsWith, Value::Str(_)) => {
                let method = if p.op == Op::StartsWith { "startswith" } else { "endswith" };
                Py::and(vec![is_str(), Py::atom(format!("{subject}.{method}({})", fold(val, p.case)?))])
            }
            (Op::Match, Value::Str(_)) => {
                self.needs.helpers.insert("_phrase");
                Py::atom(format!("_phrase({v}, {})", py_value(val)?))
            }
            (Op::Match, Value::Pattern(pat)) => {
                self.needs.helpers.insert("_words");
                self.needs.imports.insert("re");
                let call = format!("re.fullmatch({}, w, re.S | re.I)", py_str(&glob_regex(pat)));
                Py::and(vec![
                    Py::atom(format!("isinstance({v}, str)")),
                    Py::atom(format!("any({call} for w in _words({v}))")),
                ])
            }
            (Op::Term, Value::Str(s)) => {
                let pattern = format!("(?<![A-Za-z0-9]){}(?![A-Za-z0-9])", re_escape(s));
                self.regex(v, &pattern, "search", p.case, false)
            }
            (Op::Regex, Value::Regex(r)) => {
                let func = match r.anchor {
                    Anchor::None => "search",
                    Anchor::Start => "match",
                    Anchor::Full => "fullmatch",
                };
                self.regex(v, &r.pattern, func, p.case, false)
            }
            (Op::Cidr, Value::Cidr(c)) => {
                self.needs.helpers.insert("_in_cidr");
                self.needs.imports.insert("ipaddress");
                Py::atom(format!("_in_cidr({v}, {})", py_str(c)))
            }
            (Op::Gt | Op::Ge | Op::Lt | Op::Le, Value::Int(_) | Value::Float(_)) => {
                self.needs.helpers.insert("_is_number");
                Py::and(vec![
                    Py::atom(format!("_is_number({v})")),
                    Py::atom(format!("{v} {} {}", cmp(p.op), py_value(val)?)),
                ])
            }
            (Op::Gt | Op::Ge | Op::Lt | Op::Le, Value::Str(_)) => {
                Py::and(vec![is_str(), Py::atom(format!("{v} {} {}", cmp(p.op), py_value(val)?))])
            }
            _ => {
                let msg = format!("`{}`: `{}` with {val} has no Python translation", p.field, p.op);
                self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
                return None;
            }
        })
    }

    fn regex(&mut self, v: &str, pattern: &str, func: &str, case: Case, dotall: bool) -> Py {
        self.needs.imports.insert("re");
        let mut flags = Vec::new();
        if dotall {
            flags.push("re.S");
        }
        if case == Case::Insensitive {
            flags.push("re.I");
        }
        let flags = if flags.is_empty() { String::new() } else { format!(", {}", flags.join(" | ")) };
        let call = format!("re.{func}({}, {v}{flags}) is not None", py_str(pattern));
        Py::and(vec![Py::atom(format!("isinstance({v}, str)")), Py::atom(call)])
    }

    /// Comparison with another field of the event (never matches when either is absent).
    fn field_compare(&mut self, p: &Predicate, v: &str, other: &FieldPath, span: Option<Span>) -> Option<Py> {
        let base = self.base.clone();
        let rhs = self.access(&other.0, &base, base == "event");
        if other.0.iter().any(|s| matches!(s, Seg::Each(_)))
            || !matches!(p.op, Op::Eq | Op::Gt | Op::Ge | Op::Lt | Op::Le)
        {
            let msg = format!("`{}`: this comparison with another field has no Python translation", p.field);
            self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
            return None;
        }
        let (l, r) = match p.case {
            Case::Insensitive => (format!("str({v}).lower()"), format!("str({rhs}).lower()")),
            Case::Sensitive => (v.to_string(), rhs.clone()),
        };
        let op = if p.op == Op::Eq { "==" } else { cmp(p.op) };
        Some(Py::and(vec![
            Py::atom(format!("{v} is not None")),
            Py::atom(format!("{rhs} is not None")),
            Py::atom(format!("{l} {op} {r}")),
        ]))
    }
}

/// `exists(p) or p == null` over plain keys: the key is present, which `_has` says directly.
fn presence(xs: &[Expr]) -> Option<Vec<String>> {
    let [a, b] = xs else { return None };
    key_names(Expr::present_pair(a, b)?)
}

/// `is null and not == null` on one key path: the key is missing.
fn absence(xs: &[Expr]) -> Option<Vec<String>> {
    let [a, b] = xs else { return None };
    key_names(Expr::missing_pair(a, b)?)
}

fn key_names(path: &FieldPath) -> Option<Vec<String>> {
    path.key_names().map(|ks| ks.into_iter().map(String::from).collect())
}

fn cmp(op: Op) -> &'static str {
    match op {
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        _ => "<=",
    }
}

/// A string value as a literal, lower-cased for case-insensitive comparisons (Rust's
/// Unicode lower-casing, which agrees with Python's `str.lower` outside rare characters).
fn fold(v: &Value, case: Case) -> Option<String> {
    match (v, case) {
        (Value::Str(s), Case::Insensitive) => Some(py_str(&s.to_lowercase())),
        (v, _) => py_value(v),
    }
}

/// Escape a literal for Python's `re` (ASCII punctuation and whitespace only, as
/// `re.escape` does for the characters that matter).
fn re_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii() && !c.is_ascii_alphanumeric() && c != '_' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A glob pattern as a Python regex for `re.fullmatch` with `re.S`.
fn glob_regex(p: &Pattern) -> String {
    p.0.iter()
        .map(|x| match x {
            Piece::Lit(s) => re_escape(s),
            Piece::AnyChars => ".*".into(),
            Piece::AnyChar => ".".into(),
        })
        .collect()
}

/// The keys of a path that alternates `key`, `[*]` (any element) to its end.
fn elastic_steps(segs: &[Seg]) -> Option<Vec<&str>> {
    if segs.len() < 2 || !segs.len().is_multiple_of(2) {
        return None;
    }
    segs.chunks(2)
        .map(|pair| match pair {
            [Seg::Key(k), Seg::Each(Quantifier::Any)] => Some(k.as_str()),
            _ => None,
        })
        .collect()
}
