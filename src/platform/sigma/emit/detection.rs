//! The detection tree → Sigma named selections plus a condition, written the way a person
//! would: an And of predicates is one selection map, an Or over one field is a value list,
//! an Or of maps is a list of maps, negated parts become `filter` selections.

use super::value::key_values;
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{Case, Expr, ExprKind, FieldPath, Op, Predicate, Quantifier, Value};
use serde_yaml::{Mapping, Value as Y};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Selection,
    Filter,
}

enum Cond {
    Sel(usize),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

struct Builder<'d> {
    sels: Vec<(Role, Y)>,
    keywords: Option<usize>,
    diags: &'d mut Diagnostics,
}

/// Build the `detection` mapping. `None` (with an error) when a part cannot be written.
pub(super) fn build(filter: &Expr, diags: &mut Diagnostics) -> Option<Mapping> {
    let expr = rewrite(filter, diags);
    let mut b = Builder { sels: Vec::new(), keywords: None, diags };
    let cond = b.cond(&expr, Role::Selection)?;
    let names = b.names();
    let mut out = Mapping::new();
    for (i, (_, body)) in b.sels.iter().enumerate() {
        out.insert(Y::String(names[i].clone()), body.clone());
    }
    let selections = b.sels.iter().filter(|(r, _)| *r == Role::Selection).count();
    let filters = b.sels.len() - selections;
    let text = render(&cond, 0, &names, &b.sels, (selections, filters));
    out.insert(Y::String("condition".into()), Y::String(text));
    Some(out)
}

/// IR forms Sigma has no single modifier for, rewritten into ones it has.
fn rewrite(e: &Expr, diags: &mut Diagnostics) -> Expr {
    let span = e.span;
    match &e.kind {
        ExprKind::And(xs) => Expr::and(xs.iter().map(|x| rewrite(x, diags)).collect(), span),
        ExprKind::Or(xs) => Expr::or(xs.iter().map(|x| rewrite(x, diags)).collect(), span),
        ExprKind::Not(x) => Expr::not(rewrite(x, diags), span),
        ExprKind::Pred(p) if p.op == Op::Truthy => rewrite(&truthy(&p.field, span, diags), diags),
        ExprKind::Pred(p) if string_forms_only(p) => {
            let values = p.values.iter().filter(|v| is_stringish(v)).cloned().collect();
            Expr::pred(Predicate { values, ..p.clone() }, span)
        }
        ExprKind::Pred(p) if mixed_types(&p.values) => split_by_type(p, span),
        ExprKind::Elements(_) => rewrite(&crate::passes::fit::flatten_elements(e, "Sigma", diags), diags),
        _ => e.clone(),
    }
}

/// Truthiness: present and not "", 0 or false. Empty lists and objects cannot be told apart.
fn truthy(field: &FieldPath, span: Option<Span>, diags: &mut Diagnostics) -> Expr {
    let msg = format!("`{field}`: truthiness is written as exists and not '', 0 or false; empty lists and objects still match");
    diags.push(Diagnostic::lossy(Code::LossyTypeTest, msg).with_span(span));
    let exists = Expr::pred(Predicate::new(field.clone(), Op::Exists, vec![], Case::Sensitive), span);
    let falsy = vec![Value::Str(String::new()), Value::Int(0), Value::Bool(false)];
    let not_falsy =
        Expr::not(Expr::pred(Predicate::new(field.clone(), Op::Eq, falsy, Case::Sensitive), span), span);
    Expr::and(vec![exists, not_falsy], span)
}

/// Equality with a string and the integer it spells (kuery's `code:5` matches 5 and "5"):
/// Sigma's string value alone says exactly that, since engines match a number's string form.
fn string_forms_only(p: &Predicate) -> bool {
    p.op == Op::Eq
        && p.quantifier == Quantifier::Any
        && p.case == Case::Sensitive
        && mixed_types(&p.values)
        && p.values.iter().all(|v| match v {
            Value::Int(i) => p.values.contains(&Value::Str(i.to_string())),
            other => is_stringish(other),
        })
}

/// String and non-string values under one key cannot share `|cased`; Sigma rejects it.
fn mixed_types(values: &[Value]) -> bool {
    let strings = values.iter().filter(|v| is_stringish(v)).count();
    strings > 0 && strings < values.len()
}

fn is_stringish(v: &Value) -> bool {
    matches!(v, Value::Str(_) | Value::Pattern(_))
}

/// One predicate per value type, joined by its quantifier.
fn split_by_type(p: &Predicate, span: Option<Span>) -> Expr {
    let (strs, others): (Vec<Value>, Vec<Value>) = p.values.iter().cloned().partition(is_stringish);
    let part = |values| Expr::pred(Predicate { values, ..p.clone() }, span);
    let parts = vec![part(strs), part(others)];
    match p.quantifier {
        Quantifier::Any => Expr::or(parts, span),
        Quantifier::All => Expr::and(parts, span),
    }
}

impl Builder<'_> {
    fn add(&mut self, role: Role, body: Y) -> Cond {
        self.sels.push((role, body));
        Cond::Sel(self.sels.len() - 1)
    }

    fn cond(&mut self, e: &Expr, role: Role) -> Option<Cond> {
        if let Some(body) = self.selection_body(e) {
            return Some(self.add(role, body?));
        }
        match &e.kind {
            ExprKind::And(xs) => {
                let (preds, others): (Vec<&Expr>, Vec<&Expr>) =
                    xs.iter().partition(|x| matches!(x.kind, ExprKind::Pred(_)));
                let mut parts = Vec::new();
                if !preds.is_empty() {
                    let group = Expr::and(preds.into_iter().cloned().collect(), e.span);
                    match self.selection_body(&group) {
                        Some(body) => parts.push(self.add(role, body?)),
                        None => {
                            for p in group_items(&group) {
                                parts.push(self.cond(p, role)?);
                            }
                        }
                    }
                }
                for x in others {
                    parts.push(self.cond(x, role)?);
                }
                Some(Cond::And(parts))
            }
            ExprKind::Or(xs) => Some(Cond::Or(xs.iter().map(|x| self.cond(x, role)).collect::<Option<_>>()?)),
            ExprKind::Not(x) => Some(Cond::Not(Box::new(self.cond(x, Role::Filter)?))),
            ExprKind::Keyword(k) => {
                let word = Y::String(super::value::pattern(&k.pattern));
                match self.keywords {
                    Some(i) => Some(Cond::Sel(i)),
                    None => {
                        self.diags.push(
                            Diagnostic::lossy(
                                Code::LossyTextField,
                                "free-text keywords: Sigma matches them as substrings of any field",
                            )
                            .with_span(e.span),
                        );
                        let c = self.add(role, Y::Sequence(vec![word]));
                        if let Cond::Sel(i) = c {
                            self.keywords = Some(i);
                        }
                        Some(c)
                    }
                }
            }
            ExprKind::Const(b) => {
                let msg = format!("a constant `{b}` condition cannot be written in Sigma");
                self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(e.span));
                None
            }
            ExprKind::Pred(_) => None, // selection_body handles every predicate
            ExprKind::Elements(_) => {
                let msg = "an element-scoped test reached the Sigma writer unrewritten";
                self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(e.span));
                None
            }
        }
    }

    /// The expression as one selection (a map, or a list of maps), if it has that shape.
    /// `Some(None)` means it has the shape but a predicate could not be written.
    fn selection_body(&mut self, e: &Expr) -> Option<Option<Y>> {
        match &e.kind {
            ExprKind::Pred(_) | ExprKind::And(_) if as_map_items(e).is_some() => Some(self.map(e)),
            ExprKind::Or(xs) if !xs.is_empty() => {
                if let Some(merged) = merge_same_key(xs) {
                    return Some(self.map(&Expr::pred(merged, e.span)));
                }
                if xs.iter().all(|x| as_map_items(x).is_some()) {
                    let maps: Option<Vec<Y>> = xs.iter().map(|x| self.map(x)).collect();
                    return Some(maps.map(Y::Sequence));
                }
                None
            }
            _ => None,
        }
    }

    /// A map of distinct keys from a predicate or an And of predicates.
    fn map(&mut self, e: &Expr) -> Option<Y> {
        let mut m = Mapping::new();
        for item in as_map_items(e).unwrap_or_default() {
            let ExprKind::Pred(p) = &item.kind else { continue };
            let (key, mut values) = key_values(p, item.span.or(e.span), self.diags)?;
            let value = if values.len() == 1 { values.remove(0) } else { Y::Sequence(values) };
            if m.insert(Y::String(key.clone()), value).is_some() {
                // Same key twice in an And: only reachable through `as_map_items`' check failing.
                self.diags
                    .push(Diagnostic::error(Code::Inexpressible, format!("`{key}` twice in one selection")));
                return None;
            }
        }
        Some(Y::Mapping(m))
    }

    /// Names: `selection` / `filter` when alone, numbered otherwise; `keywords` for free text.
    fn names(&self) -> Vec<String> {
        let count = |r: Role| {
            self.sels.iter().enumerate().filter(|(i, (x, _))| *x == r && Some(*i) != self.keywords).count()
        };
        let (ns, nf) = (count(Role::Selection), count(Role::Filter));
        let (mut s, mut f) = (0, 0);
        self.sels
            .iter()
            .enumerate()
            .map(|(i, (role, _))| {
                if Some(i) == self.keywords {
                    return "keywords".to_string();
                }
                let (n, total, base) = match role {
                    Role::Selection => (&mut s, ns, "selection"),
                    Role::Filter => (&mut f, nf, "filter"),
                };
                *n += 1;
                if total == 1 {
                    base.to_string()
                } else {
                    format!("{base}_{n}")
                }
            })
            .collect()
    }
}

/// Items of an And (or a single predicate) that can share one map: predicates with distinct
/// keys. Keys are compared on field, operator and case, which decide the `field|mods` key.
fn as_map_items(e: &Expr) -> Option<Vec<&Expr>> {
    let items = group_items(e);
    let mut seen: Vec<(&FieldPath, Op, Case, Quantifier)> = Vec::new();
    for item in &items {
        let ExprKind::Pred(p) = &item.kind else { return None };
        if p.op == Op::Truthy {
            return None;
        }
        let k = (&p.field, p.op, p.case, p.quantifier);
        if seen.iter().any(|s| s.0 == k.0) {
            return None;
        }
        seen.push(k);
    }
    Some(items)
}

fn group_items(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::And(xs) => xs.iter().collect(),
        _ => vec![e],
    }
}

/// An Or of predicates on the same field, operator and case (any-quantified): one key with
/// a value list.
fn merge_same_key(xs: &[Expr]) -> Option<Predicate> {
    let mut merged: Option<Predicate> = None;
    for x in xs {
        let ExprKind::Pred(p) = &x.kind else { return None };
        if p.op.is_unary() || (p.quantifier == Quantifier::All && p.values.len() > 1) {
            return None;
        }
        match &mut merged {
            None => merged = Some(p.clone()),
            Some(m)
                if m.field == p.field
                    && m.op == p.op
                    && m.case == p.case
                    && !mixed_types(&[m.values.clone(), p.values.clone()].concat()) =>
            {
                m.values.extend(p.values.clone())
            }
            Some(_) => return None,
        }
    }
    merged.filter(|_| xs.len() > 1)
}

const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;

fn render(c: &Cond, parent: u8, names: &[String], sels: &[(Role, Y)], counts: (usize, usize)) -> String {
    match c {
        Cond::Sel(i) => names[*i].clone(),
        Cond::Not(x) => format!("not {}", render(x, NOT, names, sels, counts)),
        Cond::And(xs) => {
            wrap(parent > AND, xs.iter().map(|x| render(x, AND, names, sels, counts)).collect(), " and ")
        }
        Cond::Or(xs) => {
            if let Some(all) = one_of_all(xs, sels, counts) {
                return all;
            }
            // An `and` inside an `or` is parenthesised for the reader.
            let parts = xs
                .iter()
                .map(|x| match x {
                    Cond::And(_) => format!("({})", render(x, OR, names, sels, counts)),
                    _ => render(x, OR, names, sels, counts),
                })
                .collect();
            wrap(parent > OR, parts, " or ")
        }
    }
}

/// `1 of selection_*` when an Or lists every numbered selection (or filter) of the rule.
fn one_of_all(xs: &[Cond], sels: &[(Role, Y)], (ns, nf): (usize, usize)) -> Option<String> {
    let roles: Option<Vec<Role>> =
        xs.iter().map(|x| if let Cond::Sel(i) = x { Some(sels[*i].0) } else { None }).collect();
    let roles = roles?;
    let first = *roles.first()?;
    if roles.iter().any(|r| *r != first) {
        return None;
    }
    let (total, base) = match first {
        Role::Selection => (ns, "selection"),
        Role::Filter => (nf, "filter"),
    };
    (total > 1 && xs.len() == total).then(|| format!("1 of {base}_*"))
}

fn wrap(paren: bool, parts: Vec<String>, sep: &str) -> String {
    let s = parts.join(sep);
    if paren {
        format!("({s})")
    } else {
        s
    }
}
