//! Kibana kuery query strings, built as a kuery syntax tree and printed by its canonical
//! printer (which owns all escaping).
//!
//! - String equality is a quoted value: exact and case-sensitive, `*` literal.
//! - Patterns, substrings, prefixes and suffixes are unquoted values with `*`.
//! - A number or boolean is unquoted; kuery also matches its string form, as the kuery
//!   front-end reads it back (typed alternatives of a string are not repeated).
//! - `exists` is `f:*`; an element-scoped test is a nested query `f:{ … }`.
//! - Kuery has no case-insensitive match, no `?` wildcard, no regex and no whole-term match:
//!   those are `lossy` (closest form) or an error.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{
    Case, Elements, Expr, ExprKind, Op, Pattern, Piece, Predicate, Quantifier, Rule, Seg, Value,
};
use crate::lang::kuery::{self as ks, Literal, Node, Part, RangeOp};

pub static KUERY: super::QueryString =
    super::QueryString { language: "kuery", what: "a kuery query", text: query_text };

/// The rule's filter as one kuery string.
pub fn query_text(rule: &Rule, diags: &mut Diagnostics) -> Option<String> {
    let filter = crate::passes::fit::filter_only(rule, "kuery", diags)?;
    crate::passes::fit::key_case_note(rule, "kuery", diags);
    let filter = crate::passes::fit::without_shape_tests(filter, "kuery", diags);
    let elastic_source = rule.is_from(crate::ir::Platform::Elastic);
    let tree = Writer { diags, elastic_source }.expr(&filter)?;
    Some(ks::print(&tree))
}

fn node<T>(node: T) -> Node<T> {
    Node { node, start: 0, end: 0 }
}

fn text(s: impl Into<String>, quoted: bool) -> Literal {
    Literal { quoted, parts: vec![Part::Text(s.into())] }
}

/// A field name; a wildcard field name (`a.*.b`) keeps its `*` as wildcards.
fn field_literal(path: &crate::ir::FieldPath, name: &str) -> Literal {
    if !matches!(&path.0[..], [Seg::Glob(_)]) {
        return text(name, false);
    }
    let mut parts = Vec::new();
    for (i, piece) in name.split('*').enumerate() {
        if i > 0 {
            parts.push(Part::Wildcard);
        }
        if !piece.is_empty() {
            parts.push(Part::Text(piece.to_string()));
        }
    }
    Literal { quoted: false, parts }
}

struct Writer<'d> {
    diags: &'d mut Diagnostics,
    /// The rule came from Elastic, where a nested query was written against its mapping.
    elastic_source: bool,
}

impl Writer<'_> {
    fn lossy(&mut self, code: Code, msg: String, span: Option<Span>) {
        self.diags.push(Diagnostic::lossy(code, msg).with_span(span));
    }

    fn error(&mut self, msg: String, span: Option<Span>) -> Option<Node<ks::Query>> {
        self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
        None
    }

    fn expr(&mut self, e: &Expr) -> Option<Node<ks::Query>> {
        let all = |w: &mut Self, xs: &[Expr]| xs.iter().map(|x| w.expr(x)).collect::<Option<Vec<_>>>();
        Some(match &e.kind {
            ExprKind::And(xs) => node(ks::Query::And(all(self, xs)?)),
            ExprKind::Or(xs) => node(ks::Query::Or(all(self, xs)?)),
            ExprKind::Not(x) => node(ks::Query::Not(Box::new(self.expr(x)?))),
            ExprKind::Const(b) => {
                return self.error(format!("a constant `{b}` condition has no kuery form"), e.span)
            }
            ExprKind::Keyword(k) => {
                let lit = self.pattern(&k.pattern, k.case, "free text", e.span);
                node(ks::Query::Text(node(ks::ValueExpr::Value(lit))))
            }
            ExprKind::Elements(el) => self.elements(el, e)?,
            ExprKind::Pred(p) => self.pred(p, e.span)?,
        })
    }

    fn elements(&mut self, el: &Elements, e: &Expr) -> Option<Node<ks::Query>> {
        let name = super::dotted_field_name(&el.path);
        match (name, el.quantifier) {
            (Some(name), Quantifier::Any) => {
                if !self.elastic_source {
                    let msg = format!(
                        "`{name}:{{ … }}` is a kuery nested query: Elasticsearch runs it only where `{name}` is mapped as `nested`"
                    );
                    self.diags.push(Diagnostic::warning(Code::Inexpressible, msg).with_span(e.span));
                }
                let query = self.expr(&el.body)?;
                Some(node(ks::Query::Nested { field: node(text(name, false)), query: Box::new(query) }))
            }
            _ => {
                let flat = crate::passes::fit::flatten_elements(e, "kuery", self.diags);
                self.expr(&flat)
            }
        }
    }

    fn pred(&mut self, p: &Predicate, span: Option<Span>) -> Option<Node<ks::Query>> {
        let Some(name) = super::dotted_field_name(&p.field) else {
            return self.error(
                format!("`{}`: kuery fields are dotted names; this path has positions", p.field),
                span,
            );
        };
        if p.field.0.iter().any(|s| matches!(s, Seg::Each(Quantifier::All))) {
            self.lossy(
                Code::LossyAnyElement,
                format!("`{}`: kuery matches any element of an array, not all of them", p.field),
                span,
            );
        }
        super::text_field_note(p, "kuery", span, self.diags);
        let field = || node(field_literal(&p.field, &name));
        let not_exists = || node(ks::Query::Not(Box::new(node(ks::Query::Exists { field: field() }))));
        match p.op {
            Op::Exists => return Some(node(ks::Query::Exists { field: field() })),
            Op::IsNull => return Some(not_exists()),
            Op::IsEmpty | Op::Truthy => {
                return self.error(format!("`{}`: kuery cannot test emptiness or truthiness", p.field), span)
            }
            op if op.is_type_test() => {
                return self.error(format!("`{}`: kuery cannot test a value's type", p.field), span)
            }
            Op::Lt | Op::Le | Op::Gt | Op::Ge => return self.range(p, field(), span),
            _ => {}
        }
        if p.op == Op::Eq && p.values == [Value::Null] {
            self.lossy(
                Code::LossyNullMissing,
                format!("`{}`: kuery cannot tell null from missing; written as `not {name}:*`", p.field),
                span,
            );
            return Some(not_exists());
        }
        let mut values = Vec::new();
        for v in super::visible_values(&p.values) {
            values.push(node(ks::ValueExpr::Value(self.value(p, v, span)?)));
        }
        let values = match (values.len(), p.quantifier) {
            (1, _) => values.remove(0),
            (_, Quantifier::Any) => node(ks::ValueExpr::Or(values)),
            (_, Quantifier::All) => node(ks::ValueExpr::And(values)),
        };
        Some(node(ks::Query::Field { field: field(), values }))
    }

    fn range(&mut self, p: &Predicate, field: Node<Literal>, span: Option<Span>) -> Option<Node<ks::Query>> {
        let op = match p.op {
            Op::Lt => RangeOp::Lt,
            Op::Le => RangeOp::Le,
            Op::Gt => RangeOp::Gt,
            _ => RangeOp::Ge,
        };
        let [v] = p.values.as_slice() else {
            return self.error(format!("`{}`: a range with several bounds", p.field), span);
        };
        let value = match v {
            Value::Int(i) => text(i.to_string(), false),
            Value::Float(f) => text(f.to_string(), false),
            Value::Str(s) => text(s.clone(), true),
            other => {
                return self.error(format!("`{}`: a range bound {other} has no kuery form", p.field), span)
            }
        };
        Some(node(ks::Query::Range { field, op, value: node(value) }))
    }

    fn value(&mut self, p: &Predicate, v: &Value, span: Option<Span>) -> Option<Literal> {
        // A full-text match is case-insensitive by itself.
        let insensitive = p.case == Case::Insensitive && p.op != Op::Match;
        if insensitive && !matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
            let msg = format!(
                "`{}`: kuery matches keyword fields case-sensitively; written case-sensitive",
                p.field
            );
            self.lossy(Code::LossyCase, msg, span);
        }
        let wrap = |pre: bool, s: &str, post: bool| {
            let mut parts = Vec::new();
            if pre {
                parts.push(Part::Wildcard);
            }
            parts.push(Part::Text(s.to_string()));
            if post {
                parts.push(Part::Wildcard);
            }
            Literal { quoted: false, parts }
        };
        if p.op == Op::Eq && matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
            let msg = format!(
                "`{}`: kuery's `{v}` also matches the text \"{v}\"; the source compares types strictly",
                p.field
            );
            self.lossy(Code::LossyCoercion, msg, span);
        }
        Some(match (p.op, v) {
            (Op::Eq, Value::Str(s)) => text(s.clone(), true),
            (Op::Eq, Value::Int(i)) => text(i.to_string(), false),
            (Op::Eq, Value::Float(f)) => text(f.to_string(), false),
            (Op::Eq, Value::Bool(b)) => text(b.to_string(), false),
            (Op::Eq | Op::Wildcard, Value::Pattern(pat)) => self.pattern(pat, Case::Sensitive, "value", span),
            (Op::Wildcard, Value::Str(s)) => text(s.clone(), true),
            (Op::Match, Value::Str(s)) => text(s.clone(), true),
            (Op::Match, Value::Pattern(pat)) => self.pattern(pat, Case::Sensitive, "value", span),
            (Op::Contains, Value::Str(s)) => wrap(true, s, true),
            (Op::StartsWith, Value::Str(s)) => wrap(false, s, true),
            (Op::EndsWith, Value::Str(s)) => wrap(true, s, false),
            (Op::Cidr, Value::Cidr(c)) => text(c.clone(), false),
            (op, v) => {
                let msg = format!("`{}`: kuery has no `{op}` match for {v}", p.field);
                self.diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
                return None;
            }
        })
    }

    fn pattern(&mut self, pat: &Pattern, case: Case, what: &str, span: Option<Span>) -> Literal {
        if pat.0.contains(&Piece::AnyChar) {
            self.lossy(
                Code::LossyWildcard,
                format!("{what} `{pat}`: kuery has no one-character wildcard; `?` is written as `*`"),
                span,
            );
        }
        if case == Case::Insensitive {
            self.lossy(Code::LossyCase, format!("{what} `{pat}`: kuery matches case-sensitively"), span);
        }
        if let Some(lit) = pat.as_literal() {
            return text(lit, true);
        }
        let parts = pat
            .0
            .iter()
            .map(|p| match p {
                Piece::Lit(s) => Part::Text(s.clone()),
                Piece::AnyChars | Piece::AnyChar => Part::Wildcard,
            })
            .collect();
        Literal { quoted: false, parts }
    }
}
