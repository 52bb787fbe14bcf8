//! Lucene `query_string` syntax tree → IR, with Elasticsearch's semantics on keyword fields
//! (the same value rules as kuery: exact, case-sensitive, any element, typed coercion).
//!
//! - A boolean query matches when every MUST clause matches, no MUST_NOT clause does, and,
//!   if there is no MUST clause, some SHOULD clause does. SHOULD clauses beside a MUST only
//!   score: they are dropped, with a note.
//! - `?` and `*` are wildcards; a phrase is an exact value; `/re/` is a Lucene regex over the
//!   whole value; ranges become comparisons; a term without a field searches every field.
//! - Fuzzy and proximity matching have no IR form: the exact term is kept (lossy); a boost
//!   only changes scores (a note).

use super::kuery::{coerced, date_math_bound, elastic_path, is_cidr, is_date_math, typed, Origin};
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{
    Anchor, Case, Expr, ExprKind, Keyword, Op, Pattern, Piece, Predicate, Regex, RegexFlavor, Value,
};
use crate::lang::lucene::{Bound, Node, Occur, Part, Query, Term};
use crate::platform::elastic::text_fields::{is_text_field, text_match, TextValue};

pub(crate) fn lower(q: &Node<Query>, at: Origin, diags: &mut Diagnostics) -> Option<Expr> {
    Lower { at, diags }.query(q)
}

struct Lower<'d> {
    at: Origin,
    diags: &'d mut Diagnostics,
}

impl Lower<'_> {
    fn span<T>(&self, n: &Node<T>) -> Option<Span> {
        self.at.range(n.start, n.end)
    }

    fn boost(&mut self, boost: Option<f64>, span: Option<Span>) {
        if boost.is_some() {
            self.diags.push(
                Diagnostic::note(
                    Code::ScoreOnly,
                    "a boost (`^N`) only changes scores, not which documents match; dropped",
                )
                .with_span(span),
            );
        }
    }

    fn query(&mut self, q: &Node<Query>) -> Option<Expr> {
        let span = self.span(q);
        match &q.node {
            Query::Bool(clauses) => {
                let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
                for c in clauses {
                    let e = self.query(&c.query)?;
                    match c.occur {
                        Occur::Must => must.push(e),
                        Occur::Should => should.push(e),
                        Occur::MustNot => must_not.push(Expr::not(e, self.span(&c.query))),
                    }
                }
                if !must.is_empty() && !should.is_empty() {
                    let msg = "clauses that are optional beside a required one only change scores: dropped";
                    self.diags.push(Diagnostic::note(Code::ScoreOnly, msg).with_span(span));
                } else if !should.is_empty() {
                    must.push(Expr::or(should, span));
                }
                must.extend(must_not);
                Some(Expr::and(must, span))
            }
            Query::Group { query, boost } => {
                self.boost(*boost, span);
                self.query(query)
            }
            Query::Exists { field } => Some(Expr::pred(
                Predicate::new(elastic_path(field), Op::Exists, vec![], Case::Sensitive),
                span,
            )),
            Query::Range { field, lower, upper, boost } => {
                self.boost(*boost, span);
                let Some(field) = field else {
                    let msg = "a range without a field";
                    self.diags.push(Diagnostic::error(crate::diag::Code::Unsupported, msg).with_span(span));
                    return None;
                };
                let mut parts = Vec::new();
                for (bound, incl, excl) in [(lower, Op::Ge, Op::Gt), (upper, Op::Le, Op::Lt)] {
                    let (op, text) = match bound {
                        Bound::Unbounded => continue,
                        Bound::Inclusive(t) => (incl, t),
                        Bound::Exclusive(t) => (excl, t),
                    };
                    if is_date_math(text) {
                        parts.push(date_math_bound(text, span, self.diags));
                        continue;
                    }
                    let v = match coerced(text) {
                        Some(v @ (Value::Int(_) | Value::Float(_))) => v,
                        _ => Value::Str(text.clone()),
                    };
                    parts.push(Expr::pred(
                        Predicate::new(elastic_path(field), op, vec![v], Case::Sensitive),
                        span,
                    ));
                }
                if parts.is_empty() {
                    // `[* TO *]`: any value.
                    return Some(Expr::pred(
                        Predicate::new(elastic_path(field), Op::Exists, vec![], Case::Sensitive),
                        span,
                    ));
                }
                Some(Expr::and(parts, span))
            }
            Query::Term { field, term, boost } => {
                self.boost(*boost, span);
                self.term(field.as_deref(), term, span)
            }
        }
    }

    fn term(&mut self, field: Option<&str>, term: &Term, span: Option<Span>) -> Option<Expr> {
        if let Some(path) = field.map(elastic_path).filter(is_text_field) {
            let value = match term {
                Term::Word(parts) if parts == &[Part::AnyChars] => {
                    return Some(Expr::pred(Predicate::new(path, Op::Exists, vec![], Case::Sensitive), span))
                }
                Term::Word(parts) => match literal(parts) {
                    Some(text) => Some(TextValue::Words(text)),
                    None => Some(TextValue::Pattern(pattern(parts))),
                },
                Term::Phrase { text, proximity: None } => Some(TextValue::Phrase(text.clone())),
                _ => None,
            };
            if let Some(value) = value {
                return Some(text_match(path, value, span));
            }
        }
        let (op, values) = match term {
            Term::Word(parts) => match literal(parts) {
                Some(text) if is_cidr(&text) => (Op::Cidr, vec![Value::Cidr(text)]),
                Some(text) => (Op::Eq, typed(&text)),
                None if parts == &[Part::AnyChars] => (Op::Exists, vec![]),
                None => (Op::Wildcard, vec![Value::Pattern(pattern(parts))]),
            },
            Term::Phrase { text, proximity } => {
                if proximity.is_some() {
                    let msg = "a proximity phrase (`\"…\"~N`) is matched as the exact phrase";
                    self.diags.push(Diagnostic::lossy(Code::LossyRead, msg).with_span(span));
                }
                (Op::Eq, typed(text))
            }
            Term::Regex(re) => {
                let regex = Regex { pattern: re.clone(), flavor: RegexFlavor::Lucene, anchor: Anchor::Full };
                (Op::Regex, vec![Value::Regex(regex)])
            }
            Term::Fuzzy { text, .. } => {
                let msg = format!("fuzzy term `{text}~`: matched as the exact term `{text}`");
                self.diags.push(Diagnostic::lossy(Code::LossyRead, msg).with_span(span));
                (Op::Eq, typed(text))
            }
        };
        let Some(field) = field else {
            let pattern = match (&op, values.first()) {
                (Op::Wildcard, Some(Value::Pattern(p))) => p.clone(),
                (_, Some(Value::Str(s))) => Pattern::literal(s.clone()),
                _ => {
                    let msg = "a free-text term of this kind";
                    self.diags.push(Diagnostic::error(crate::diag::Code::Unsupported, msg).with_span(span));
                    return None;
                }
            };
            return Some(Expr::new(ExprKind::Keyword(Keyword { pattern, case: Case::Sensitive }), span));
        };
        Some(Expr::pred(Predicate::new(elastic_path(field), op, values, Case::Sensitive), span))
    }
}

fn literal(parts: &[Part]) -> Option<String> {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            _ => return None,
        }
    }
    Some(out)
}

fn pattern(parts: &[Part]) -> Pattern {
    Pattern(
        parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => Piece::Lit(t.clone()),
                Part::AnyChars => Piece::AnyChars,
                Part::OneChar => Piece::AnyChar,
            })
            .collect(),
    )
}
