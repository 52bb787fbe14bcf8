//! Lucene `query_string` queries, built as a syntax tree and printed by its canonical printer
//! (which owns all escaping).
//!
//! - `and` is `AND` between required clauses, `or` is `OR`, `not` is `-` (a boolean query
//!   of excluded clauses only matches everything else, as Elasticsearch runs it).
//! - String equality is a phrase (exact, `*` literal); patterns are words with `*` / `?`;
//!   Lucene regexes are `/…/`; comparisons are half-open ranges; `exists` is `_exists_:f`.
//! - No case-insensitive match, element scoping or whole-term match: `lossy` or an error.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{
    Anchor, Case, Expr, ExprKind, Op, Pattern, Piece, Predicate, Quantifier, RegexFlavor, Rule, Seg, Value,
};
use crate::lang::lucene::{self as ls, Bound, Clause, Conj, Modifier, Node, Occur, Part, Term};

pub static LUCENE: super::QueryString =
    super::QueryString { language: "lucene", what: "a Lucene query", text: query_text };

/// The rule's filter as one Lucene query string.
pub fn query_text(rule: &Rule, diags: &mut Diagnostics) -> Option<String> {
    let filter = crate::passes::fit::flat_filter_only(rule, "Lucene", diags)?;
    let tree = Writer { diags }.expr(&filter)?;
    Some(ls::print(&tree))
}

fn node<T>(node: T) -> Node<T> {
    Node { node, start: 0, end: 0 }
}

/// A clause list as a boolean query: each clause with the operator that gives its occur.
fn boolean(items: Vec<(Occur, Node<ls::Query>)>) -> Node<ls::Query> {
    let any_required = items.iter().any(|(o, _)| *o == Occur::Must);
    let clauses = items
        .into_iter()
        .enumerate()
        .map(|(i, (occur, q))| {
            let q = match q.node {
                ls::Query::Bool(_) => node(ls::Query::Group { query: Box::new(q), boost: None }),
                _ => q,
            };
            let (conj, modifier) = match occur {
                Occur::Must => (if i == 0 { Conj::Implicit } else { Conj::And }, Modifier::Bare),
                Occur::MustNot => {
                    (if i == 0 || !any_required { Conj::Implicit } else { Conj::And }, Modifier::Minus)
                }
                Occur::Should => (if i == 0 { Conj::Implicit } else { Conj::Or }, Modifier::Bare),
            };
            Clause { conj, modifier, occur, query: q }
        })
        .collect();
    node(ls::Query::Bool(clauses))
}

struct Writer<'d> {
    diags: &'d mut Diagnostics,
}

impl Writer<'_> {
    fn error(&mut self, msg: String, span: Option<Span>) -> Option<Node<ls::Query>> {
        self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
        None
    }

    fn expr(&mut self, e: &Expr) -> Option<Node<ls::Query>> {
        match &e.kind {
            ExprKind::And(xs) => {
                let mut items = Vec::new();
                for x in xs {
                    items.push(match &x.kind {
                        ExprKind::Not(inner) => (Occur::MustNot, self.expr(inner)?),
                        _ => (Occur::Must, self.expr(x)?),
                    });
                }
                // A required clause must come first so that `AND` leaves exclusions excluded.
                items.sort_by_key(|(o, _)| *o == Occur::MustNot);
                Some(boolean(items))
            }
            ExprKind::Or(xs) => {
                let items = xs.iter().map(|x| Some((Occur::Should, self.expr(x)?))).collect::<Option<_>>()?;
                Some(boolean(items))
            }
            ExprKind::Not(x) => Some(boolean(vec![(Occur::MustNot, self.expr(x)?)])),
            ExprKind::Const(b) => {
                self.error(format!("a constant `{b}` condition has no Lucene form"), e.span)
            }
            ExprKind::Keyword(k) => {
                self.case(k.case, "free text", e.span);
                Some(node(ls::Query::Term { field: None, term: word(&k.pattern), boost: None }))
            }
            ExprKind::Elements(_) => {
                let flat = crate::passes::fit::flatten_elements(e, "Lucene", self.diags);
                self.expr(&flat)
            }
            ExprKind::Pred(p) => self.pred(p, e.span),
        }
    }

    fn case(&mut self, case: Case, what: &str, span: Option<Span>) {
        if case == Case::Insensitive {
            let msg =
                format!("{what}: Lucene matches keyword fields case-sensitively; written case-sensitive");
            self.diags.push(Diagnostic::lossy(Code::LossyCase, msg).with_span(span));
        }
    }

    fn pred(&mut self, p: &Predicate, span: Option<Span>) -> Option<Node<ls::Query>> {
        let Some(name) = super::dotted_field_name(&p.field) else {
            return self.error(
                format!("`{}`: Lucene fields are dotted names; this path has positions", p.field),
                span,
            );
        };
        if p.field.0.iter().any(|s| matches!(s, Seg::Each(Quantifier::All))) {
            let msg = format!("`{}`: Lucene matches any element of an array, not all of them", p.field);
            self.diags.push(Diagnostic::lossy(Code::LossyAnyElement, msg).with_span(span));
        }
        super::text_field_note(p, "Lucene", span, self.diags);
        let exists = || node(ls::Query::Exists { field: name.clone() });
        match p.op {
            Op::Exists => return Some(exists()),
            Op::IsNull => return Some(boolean(vec![(Occur::MustNot, exists())])),
            Op::IsEmpty | Op::Truthy => {
                return self.error(format!("`{}`: Lucene cannot test emptiness or truthiness", p.field), span)
            }
            op if op.is_type_test() => {
                return self.error(format!("`{}`: Lucene cannot test a value's type", p.field), span)
            }
            Op::Lt | Op::Le | Op::Gt | Op::Ge => return self.range(p, name.clone(), span),
            _ => {}
        }
        if p.op == Op::Eq && p.values == [Value::Null] {
            let msg =
                format!("`{}`: Lucene cannot tell null from missing; written as not `_exists_`", p.field);
            self.diags.push(Diagnostic::lossy(Code::LossyNullMissing, msg).with_span(span));
            return Some(boolean(vec![(Occur::MustNot, exists())]));
        }
        if p.op != Op::Match {
            self.case(p.case, &format!("`{}`", p.field), span);
        }
        let mut terms = Vec::new();
        for v in super::visible_values(&p.values) {
            let term = self.term(p, v, span)?;
            terms.push(node(ls::Query::Term { field: Some(name.clone()), term, boost: None }));
        }
        if terms.len() == 1 {
            return terms.pop();
        }
        let occur = if p.quantifier == Quantifier::All { Occur::Must } else { Occur::Should };
        Some(boolean(terms.into_iter().map(|t| (occur, t)).collect()))
    }

    fn range(&mut self, p: &Predicate, field: String, span: Option<Span>) -> Option<Node<ls::Query>> {
        let [v] = p.values.as_slice() else {
            return self.error(format!("`{}`: a range with several bounds", p.field), span);
        };
        let text = match v {
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => s.clone(),
            other => {
                return self.error(format!("`{}`: a range bound {other} has no Lucene form", p.field), span)
            }
        };
        let (lower, upper) = match p.op {
            Op::Gt => (Bound::Exclusive(text), Bound::Unbounded),
            Op::Ge => (Bound::Inclusive(text), Bound::Unbounded),
            Op::Lt => (Bound::Unbounded, Bound::Exclusive(text)),
            _ => (Bound::Unbounded, Bound::Inclusive(text)),
        };
        Some(node(ls::Query::Range { field: Some(field), lower, upper, boost: None }))
    }

    fn term(&mut self, p: &Predicate, v: &Value, span: Option<Span>) -> Option<Term> {
        let words = |parts: Vec<Part>| Term::Word(parts);
        let text = |s: &str| Part::Text(s.to_string());
        if p.op == Op::Eq && matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
            let msg = format!(
                "`{}`: Lucene's `{v}` also matches the text \"{v}\"; the source compares types strictly",
                p.field
            );
            self.diags.push(Diagnostic::lossy(Code::LossyCoercion, msg).with_span(span));
        }
        Some(match (p.op, v) {
            (Op::Eq | Op::Wildcard, Value::Str(s)) => Term::Phrase { text: s.clone(), proximity: None },
            (Op::Eq, Value::Int(i)) => words(vec![text(&i.to_string())]),
            (Op::Eq, Value::Float(f)) => words(vec![text(&f.to_string())]),
            (Op::Eq, Value::Bool(b)) => words(vec![text(&b.to_string())]),
            (Op::Eq | Op::Wildcard, Value::Pattern(pat)) => match pat.as_literal() {
                Some(lit) => Term::Phrase { text: lit, proximity: None },
                None => word(pat),
            },
            (Op::Match, Value::Str(s)) => Term::Phrase { text: s.clone(), proximity: None },
            (Op::Match, Value::Pattern(pat)) => word(pat),
            (Op::Contains, Value::Str(s)) => words(vec![Part::AnyChars, text(s), Part::AnyChars]),
            (Op::StartsWith, Value::Str(s)) => words(vec![text(s), Part::AnyChars]),
            (Op::EndsWith, Value::Str(s)) => words(vec![Part::AnyChars, text(s)]),
            (Op::Cidr, Value::Cidr(c)) => words(vec![text(c)]),
            (Op::Regex, Value::Regex(r)) if r.flavor == RegexFlavor::Lucene && r.anchor == Anchor::Full => {
                Term::Regex(r.pattern.clone())
            }
            (op, v) => {
                let msg = format!("`{}`: Lucene has no `{op}` match for {v}", p.field);
                self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
                return None;
            }
        })
    }
}

fn word(pat: &Pattern) -> Term {
    Term::Word(
        pat.0
            .iter()
            .map(|p| match p {
                Piece::Lit(s) => Part::Text(s.clone()),
                Piece::AnyChars => Part::AnyChars,
                Piece::AnyChar => Part::OneChar,
            })
            .collect(),
    )
}
