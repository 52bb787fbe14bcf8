//! Kuery syntax tree → IR, with the semantics of Elastic's own KQL evaluator
//! (detection-rules `lib/kql`) and of Elasticsearch on keyword fields:
//!
//! - `f:v` is exact, case-sensitive equality. A dotted field walks nested objects, and an
//!   array at any step matches when any element does: every key gets an `Each(Any)` after it.
//! - A value that reads as a number or a boolean also matches that number or boolean (the
//!   evaluator coerces; a long field indexes `"5"` as 5), quoted or not: the predicate gets
//!   the string and its typed forms as alternatives.
//! - Unquoted `*` is a wildcard over the whole value; inside quotes it is a literal.
//!   `f:*` is existence; a CIDR value (`10.0.0.0/8`) matches IP values inside the block.
//! - `not` is plain negation, so `not f:v` matches documents without `f`.
//! - `f:{ … }` scopes its query to one element of the array `f`.

use crate::diag::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::ir::{
    Case, Elements, Expr, ExprKind, FieldPath, Keyword, Op, Pattern, Piece, Predicate, Quantifier, Seg, Value,
};
use crate::lang::kuery::{Literal, Node, Part, Query, RangeOp, ValueExpr};
use crate::platform::elastic::text_fields::{is_text_field, text_match, TextValue};

/// Where the query text sits in its file: spans are `offset + position in the query`.
#[derive(Clone, Copy)]
pub(crate) struct Origin {
    pub file: FileId,
    pub offset: usize,
}

impl Origin {
    /// The span of bytes `start..end` of the query.
    pub(crate) fn range(&self, start: usize, end: usize) -> Option<Span> {
        Some(Span::new(self.file, self.offset + start, self.offset + end))
    }
    fn span<T>(&self, n: &Node<T>) -> Option<Span> {
        self.range(n.start, n.end)
    }
}

/// Lower a parsed query. `None` (with an error) when some part has no IR form.
pub(crate) fn lower(q: &Node<Query>, at: Origin, diags: &mut Diagnostics) -> Option<Expr> {
    Lower { at, diags }.query(q)
}

struct Lower<'d> {
    at: Origin,
    diags: &'d mut Diagnostics,
}

impl Lower<'_> {
    fn query(&mut self, q: &Node<Query>) -> Option<Expr> {
        let span = self.at.span(q);
        Some(match &q.node {
            Query::Or(xs) => Expr::or(xs.iter().map(|x| self.query(x)).collect::<Option<_>>()?, span),
            Query::And(xs) => Expr::and(xs.iter().map(|x| self.query(x)).collect::<Option<_>>()?, span),
            Query::Not(x) => Expr::not(self.query(x)?, span),
            Query::Field { field, values } => {
                let path = self.field(field)?;
                self.values(&path, values)?
            }
            Query::Range { field, op, value } => {
                let path = self.field(field)?;
                let text = self.text(value)?;
                if is_date_math(&text) {
                    return Some(date_math_bound(&text, span, self.diags));
                }
                let op = match op {
                    RangeOp::Lt => Op::Lt,
                    RangeOp::Le => Op::Le,
                    RangeOp::Gt => Op::Gt,
                    RangeOp::Ge => Op::Ge,
                };
                // A numeric bound compares numbers (numeric fields); any other bound compares
                // strings (dates, keywords).
                let bound = match coerced(&text) {
                    Some(v @ (Value::Int(_) | Value::Float(_))) => v,
                    _ => Value::Str(text),
                };
                Expr::pred(Predicate::new(path, op, vec![bound], Case::Sensitive), span)
            }
            Query::Exists { field } => {
                Expr::pred(Predicate::new(self.field(field)?, Op::Exists, vec![], Case::Sensitive), span)
            }
            Query::Nested { field, query } => {
                let path = self.field(field)?;
                let body = self.query(query)?;
                Expr::new(
                    ExprKind::Elements(Elements {
                        path,
                        quantifier: Quantifier::Any,
                        body: Box::new(body),
                        until: None,
                    }),
                    span,
                )
            }
            Query::Text(v) => self.free_text(v)?,
        })
    }

    /// `a.b.c` → `a[*].b[*].c[*]`: Elastic matches through arrays at every step; `a.*.c`
    /// is a wildcard field name.
    fn field(&mut self, f: &Node<Literal>) -> Option<FieldPath> {
        if let Some(name) = literal_text(&f.node) {
            if !name.contains('*') {
                return Some(elastic_path(&name));
            }
            let msg = "a field name with an escaped `*`: Elasticsearch reads every `*` in a field name as a wildcard";
            self.diags.push(Diagnostic::error(Code::Unsupported, msg).with_span(self.at.span(f)));
            return None;
        }
        let glob: String = f
            .node
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Wildcard => "*",
            })
            .collect();
        Some(elastic_path(&glob))
    }

    fn text(&mut self, v: &Node<Literal>) -> Option<String> {
        match literal_text(&v.node) {
            Some(t) => Some(t),
            None => {
                let msg = "a wildcard in a range bound";
                self.diags.push(Diagnostic::error(Code::InvalidValue, msg).with_span(self.at.span(v)));
                None
            }
        }
    }

    fn values(&mut self, path: &FieldPath, v: &Node<ValueExpr>) -> Option<Expr> {
        let span = self.at.span(v);
        Some(match &v.node {
            ValueExpr::Or(xs) => {
                Expr::or(xs.iter().map(|x| self.values(path, x)).collect::<Option<_>>()?, span)
            }
            ValueExpr::And(xs) => {
                Expr::and(xs.iter().map(|x| self.values(path, x)).collect::<Option<_>>()?, span)
            }
            ValueExpr::Not(x) => Expr::not(self.values(path, x)?, span),
            ValueExpr::Value(lit) if is_text_field(path) => text_value(path.clone(), lit, span),
            ValueExpr::Value(lit) => Expr::pred(value_pred(path.clone(), lit), span),
        })
    }

    fn free_text(&mut self, v: &Node<ValueExpr>) -> Option<Expr> {
        let span = self.at.span(v);
        match &v.node {
            ValueExpr::Value(lit) => Some(Expr::new(
                ExprKind::Keyword(Keyword { pattern: pattern_of(lit), case: Case::Sensitive }),
                span,
            )),
            _ => {
                let msg = "free text with a value list";
                self.diags.push(Diagnostic::error(Code::Unsupported, msg).with_span(span));
                None
            }
        }
    }
}

/// One value of `path:value` on an analysed text field.
fn text_value(path: FieldPath, lit: &Literal, span: Option<Span>) -> Expr {
    let value = match literal_text(lit) {
        Some(text) if lit.quoted => TextValue::Phrase(text),
        Some(text) => TextValue::Words(text),
        None if lit.parts == [Part::Wildcard] => {
            return Expr::pred(Predicate::new(path, Op::Exists, vec![], Case::Sensitive), span)
        }
        None => TextValue::Pattern(pattern_of(lit)),
    };
    text_match(path, value, span)
}

/// The predicate for one value of `path:value`.
pub(crate) fn value_pred(path: FieldPath, lit: &Literal) -> Predicate {
    match literal_text(lit) {
        Some(text) if text.contains('/') && is_cidr(&text) => {
            Predicate::new(path, Op::Cidr, vec![Value::Cidr(text)], Case::Sensitive)
        }
        Some(text) => Predicate::new(path, Op::Eq, typed(&text), Case::Sensitive),
        // A lone `*` (also inside a value list) is Elasticsearch's exists.
        None if lit.parts == [Part::Wildcard] => Predicate::new(path, Op::Exists, vec![], Case::Sensitive),
        None => Predicate::new(path, Op::Wildcard, vec![Value::Pattern(pattern_of(lit))], Case::Sensitive),
    }
}

/// The text of a literal without wildcards.
pub(crate) fn literal_text(lit: &Literal) -> Option<String> {
    let mut out = String::new();
    for p in &lit.parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Wildcard => return None,
        }
    }
    Some(out)
}

fn pattern_of(lit: &Literal) -> Pattern {
    Pattern(
        lit.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => Piece::Lit(t.clone()),
                Part::Wildcard => Piece::AnyChars,
            })
            .collect(),
    )
}

/// Elasticsearch date math (`now-30d/d`, `2024-01-01||+1M`): a time relative to when the query
/// runs, which no event value can be compared with here.
pub(crate) fn is_date_math(text: &str) -> bool {
    text.starts_with("now") || text.contains("||")
}

/// A time-relative range bound becomes `true` with a `lossy` note: the time window it sets is
/// the target's schedule's business.
pub(crate) fn date_math_bound(text: &str, span: Option<Span>, diags: &mut Diagnostics) -> Expr {
    let msg = format!(
        "a range bound relative to the query time (`{text}`) is dropped: use the target's time window"
    );
    diags.push(Diagnostic::lossy(Code::LossyRead, msg).with_span(span));
    Expr::constant(true, span)
}

/// A value and the typed forms the evaluator also matches.
pub(crate) fn typed(text: &str) -> Vec<Value> {
    let mut out = vec![Value::Str(text.to_string())];
    if let Some(v) = coerced(text) {
        out.push(v);
    }
    out
}

/// The number or boolean a string value also matches, if any.
pub(crate) fn coerced(text: &str) -> Option<Value> {
    match text {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    let plain = !text.is_empty() && text.trim() == text && !text.starts_with('+');
    if !plain {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::Int(i));
    }
    match text.parse::<f64>() {
        Ok(f)
            if f.is_finite()
                && text.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E')) =>
        {
            Some(Value::Float(f))
        }
        _ => None,
    }
}

pub(crate) fn is_cidr(text: &str) -> bool {
    let Some((ip, bits)) = text.split_once('/') else { return false };
    let Ok(bits) = bits.parse::<u8>() else { return false };
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

/// An Elastic field name as an IR path (see the module docs).
/// A name with `*` is a wildcard field name (`a.*.b`): every field whose name matches.
pub(crate) fn elastic_path(name: &str) -> FieldPath {
    if name.contains('*') {
        return FieldPath(vec![Seg::Glob(name.to_string())]);
    }
    let mut segs = Vec::new();
    for key in name.split('.') {
        segs.push(Seg::Key(key.to_string()));
        segs.push(Seg::Each(Quantifier::Any));
    }
    FieldPath(segs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::kuery::parse;
    use serde_json::json;

    fn eval(q: &str, doc: serde_json::Value) -> bool {
        let tree = parse(q).expect("parses");
        let mut diags = Diagnostics::new();
        let e = lower(&tree, Origin { file: FileId(0), offset: 0 }, &mut diags).expect("lowers");
        crate::eval::eval_expr(&e, &doc).expect("evaluates")
    }

    #[test]
    fn keyword_equality_is_exact_and_case_sensitive() {
        assert!(eval("event.action:revoke", json!({"event": {"action": "revoke"}})));
        assert!(!eval("event.action:revoke", json!({"event": {"action": "Revoke"}})));
        assert!(!eval("event.action:revoke", json!({"event": {"action": "revoke-all"}})));
    }

    #[test]
    fn arrays_match_any_element_at_any_step() {
        assert!(eval("a.b:x", json!({"a": [{"b": "y"}, {"b": ["z", "x"]}]})));
    }

    #[test]
    fn numbers_coerce_both_ways_quoted_or_not() {
        assert!(eval("code:5", json!({"code": 5})));
        assert!(eval("code:\"5\"", json!({"code": 5})));
        assert!(eval("code:5", json!({"code": "5"})));
    }

    #[test]
    fn quoted_star_is_literal_and_unquoted_star_is_a_wildcard() {
        assert!(eval("f:\"a*\"", json!({"f": "a*"})));
        assert!(!eval("f:\"a*\"", json!({"f": "ab"})));
        assert!(eval("f:a*", json!({"f": "ab"})));
        assert!(eval("process.name:*S3 Browser*", json!({"process": {"name": "x S3 Browser y"}})));
    }

    #[test]
    fn not_matches_missing_fields_and_exists_does_not() {
        assert!(eval("not f:v", json!({})));
        assert!(!eval("f:*", json!({})));
        assert!(!eval("f:*", json!({"f": null})));
    }

    #[test]
    fn cidr_and_ranges() {
        assert!(eval("source.ip:10.0.0.0/8", json!({"source": {"ip": "10.1.2.3"}})));
        assert!(!eval("source.ip:10.0.0.0/8", json!({"source": {"ip": "11.1.2.3"}})));
        assert!(eval("n >= 3", json!({"n": 4})));
    }

    #[test]
    fn nested_scopes_to_one_element() {
        let q = "users:{ name:a and role:admin }";
        assert!(eval(q, json!({"users": [{"name": "a", "role": "admin"}]})));
        assert!(!eval(q, json!({"users": [{"name": "a"}, {"role": "admin"}]})));
    }
}
