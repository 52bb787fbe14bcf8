//! Elasticsearch query DSL: a search body `{"query": …}` built as a `serde_json::Value`.
//!
//! - keyword exactness: `term` (case-sensitive; `case_insensitive: true` when the predicate
//!   is insensitive); several values → `terms`, or a `bool.should` of `term`s when
//!   insensitive, since `terms` has no such option;
//! - patterns: `prefix` / `wildcard` (escaping of `*`, `?` and `\` in `wildcard_escape`);
//! - regexes: `regexp`, which Lucene anchors to the whole value, so search semantics are
//!   made explicit with `.*`;
//! - And → `bool.filter`, Or → `bool.should` + `minimum_should_match: 1`, Not → `bool.must_not`
//!   (which, like the IR, matches documents that lack the field).
//! - Elasticsearch matches any element of an array field, which is `Each(Any)` exactly.

use crate::backend::{Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{Anchor, Case, Expr, ExprKind, Op, Pattern, Piece, Predicate, Quantifier, Rule, Seg, Value};
use serde_json::{json, Map, Value as J};

pub struct ElasticDsl;

impl Backend for ElasticDsl {
    fn id(&self) -> &'static str {
        "elastic_dsl"
    }
    fn cli_name(&self) -> &'static str {
        "es-dsl"
    }
    fn emit(&self, rule: &Rule, _ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>> {
        let filter = crate::passes::fit::flat_filter_only(rule, "the query DSL", diags)?;
        crate::passes::fit::correlation_not_kept(rule, "a search", diags);
        let query = expr(&filter, diags)?;
        let content = crate::backend::written(
            serde_json::to_string_pretty(&json!({ "query": query })),
            "query DSL",
            diags,
        )? + "\n";
        Some(vec![OutputFile { suffix: ".json".into(), content }])
    }
}

/// One expression → one DSL query.
pub(crate) fn expr(e: &Expr, diags: &mut Diagnostics) -> Option<J> {
    match &e.kind {
        ExprKind::And(xs) => {
            Some(bool_query("filter", xs.iter().map(|x| expr(x, diags)).collect::<Option<_>>()?))
        }
        ExprKind::Or(xs) => Some(should(xs.iter().map(|x| expr(x, diags)).collect::<Option<_>>()?)),
        ExprKind::Not(x) => Some(bool_query("must_not", vec![expr(x, diags)?])),
        ExprKind::Const(true) => Some(json!({"match_all": {}})),
        ExprKind::Const(false) => Some(json!({"match_none": {}})),
        ExprKind::Keyword(k) => {
            let mut q = Map::new();
            q.insert("query".into(), J::String(query_string_pattern(&k.pattern)));
            if k.case == Case::Sensitive {
                diags.push(
                    Diagnostic::lossy(
                        Code::LossyCase,
                        "free text: query_string matches analysed fields case-insensitively",
                    )
                    .with_span(e.span),
                );
            }
            Some(json!({ "query_string": q }))
        }
        ExprKind::Pred(p) => predicate(p, e.span, diags),
        ExprKind::Elements(_) => {
            expr(&crate::passes::fit::flatten_elements(e, "the query DSL", diags), diags)
        }
    }
}

fn bool_query(kind: &str, mut items: Vec<J>) -> J {
    if kind != "must_not" && items.len() == 1 {
        return items.remove(0);
    }
    json!({ "bool": { kind: items } })
}

fn should(mut items: Vec<J>) -> J {
    if items.len() == 1 {
        return items.remove(0);
    }
    json!({ "bool": { "should": items, "minimum_should_match": 1 } })
}

fn field_name(p: &Predicate, span: Option<Span>, diags: &mut Diagnostics) -> String {
    let mut parts = Vec::new();
    for seg in &p.field.0 {
        match seg {
            Seg::Key(k) => parts.push(k.clone()),
            Seg::Each(Quantifier::Any) => {}
            Seg::Each(Quantifier::All) => {
                let msg = format!("`{}`: Elasticsearch matches any array element, not all of them", p.field);
                diags.push(Diagnostic::lossy(Code::LossyAnyElement, msg).with_span(span));
            }
            Seg::Index(i) => {
                let msg = format!(
                    "`{}`: Elasticsearch has no array positions; `[{i}]` matches any element",
                    p.field
                );
                diags.push(Diagnostic::lossy(Code::LossyAnyElement, msg).with_span(span));
            }
            Seg::Glob(g) => parts.push(g.clone()),
            Seg::Json => {
                let msg = format!("`{}`: the source parses JSON text held in a field; Elasticsearch reads the field as an object", p.field);
                diags.push(Diagnostic::lossy(Code::LossyFieldName, msg).with_span(span));
            }
        }
    }
    parts.join(".")
}

fn predicate(p: &Predicate, span: Option<Span>, diags: &mut Diagnostics) -> Option<J> {
    let field = field_name(p, span, diags);
    super::text_field_note(p, "the query DSL", span, diags);
    if matches!(&p.field.0[..], [Seg::Glob(_)]) && p.op != Op::Exists {
        return glob_query(p, field, span, diags);
    }
    match p.op {
        Op::Exists => return Some(json!({"exists": {"field": field}})),
        Op::IsNull => return Some(bool_query("must_not", vec![json!({"exists": {"field": field}})])),
        Op::IsEmpty => {
            diags.push(
                Diagnostic::lossy(
                    Code::LossyTypeTest,
                    format!("`{}`: only the empty string is matched, not empty lists or objects", p.field),
                )
                .with_span(span),
            );
            return Some(json!({"term": {field: {"value": ""}}}));
        }
        Op::Truthy => {
            let msg = format!("`{}`: truthiness is written as exists and not '', 0 or false; empty lists and objects still match", p.field);
            diags.push(Diagnostic::lossy(Code::LossyTypeTest, msg).with_span(span));
            let falsy = json!({"terms": {field.clone(): ["", 0, false]}});
            return Some(json!({"bool": {"filter": [{"exists": {"field": field}}], "must_not": [falsy]}}));
        }
        op if op.is_type_test() => {
            let msg = format!("`{}`: type tests must be rewritten before emitting", p.field);
            diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
            return None;
        }
        _ => {}
    }
    if p.op == Op::Eq && p.case == Case::Sensitive && p.quantifier == Quantifier::Any && p.values.len() > 1 {
        if let Some(vals) = p.values.iter().map(scalar).collect::<Option<Vec<J>>>() {
            return Some(json!({"terms": {field: vals}}));
        }
    }
    let mut items = Vec::new();
    for v in &p.values {
        items.push(one(p, &field, v, span, diags)?);
    }
    Some(match p.quantifier {
        Quantifier::Any => should(items),
        Quantifier::All => bool_query("filter", items),
    })
}

fn scalar(v: &Value) -> Option<J> {
    Some(match v {
        Value::Str(s) => J::String(s.clone()),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map(J::Number)?,
        Value::Bool(b) => J::Bool(*b),
        _ => return None,
    })
}

/// `{kind: {field: {value, case_insensitive?}}}`.
fn leaf(kind: &str, field: &str, value: J, case: Case) -> J {
    let mut body = Map::new();
    body.insert("value".into(), value);
    if case == Case::Insensitive {
        body.insert("case_insensitive".into(), J::Bool(true));
    }
    json!({ kind: { field: body } })
}

fn one(p: &Predicate, field: &str, v: &Value, span: Option<Span>, diags: &mut Diagnostics) -> Option<J> {
    let text = |v: &Value| match v {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    };
    let inexpressible = |diags: &mut Diagnostics, what: &str| {
        let msg = format!("`{}`: {what} cannot be written in the query DSL", p.field);
        diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
        None
    };
    Some(match (p.op, v) {
        (_, Value::Field(_)) => {
            return inexpressible(diags, "a comparison with another field (it needs a script)")
        }
        (Op::Eq, Value::Null) => bool_query("must_not", vec![json!({"exists": {"field": field}})]),
        (Op::Eq | Op::Contains, Value::Int(_) | Value::Float(_) | Value::Bool(_)) => {
            if p.op == Op::Contains {
                let msg = format!("`{}`: membership of a non-string value is written as a term, which also matches a scalar field", p.field);
                diags.push(Diagnostic::lossy(Code::LossyCoercion, msg).with_span(span));
            }
            leaf("term", field, scalar(v)?, Case::Sensitive)
        }
        (Op::Eq, Value::Str(s)) => leaf("term", field, J::String(s.clone()), p.case),
        (Op::Eq | Op::Wildcard, Value::Pattern(pat)) => {
            leaf("wildcard", field, J::String(wildcard_pattern(pat)), p.case)
        }
        (Op::Contains, Value::Str(s)) => {
            leaf("wildcard", field, J::String(format!("*{}*", wildcard_escape(s))), p.case)
        }
        (Op::StartsWith, Value::Str(s)) => leaf("prefix", field, J::String(s.clone()), p.case),
        (Op::EndsWith, Value::Str(s)) => {
            leaf("wildcard", field, J::String(format!("*{}", wildcard_escape(s))), p.case)
        }
        (Op::Regex, Value::Regex(r)) => {
            leaf("regexp", field, J::String(lucene_regex(&r.pattern, r.anchor, span, diags)?), p.case)
        }
        (Op::Match, Value::Str(s)) => json!({"match_phrase": {field: s}}),
        (Op::Match, Value::Pattern(pat)) => {
            leaf("wildcard", field, J::String(wildcard_pattern(pat)), Case::Insensitive)
        }
        (Op::Term, Value::Str(s)) => {
            let msg =
                format!("`{}`: whole-term matching is written as a regexp over term boundaries", p.field);
            diags.push(Diagnostic::note(Code::LossyTextField, msg).with_span(span));
            let re = format!("(.*[^A-Za-z0-9])?{}([^A-Za-z0-9].*)?", lucene_escape(s));
            leaf("regexp", field, J::String(re), p.case)
        }
        (Op::Cidr, Value::Cidr(c)) => json!({"term": {field: {"value": c}}}),
        (Op::Gt | Op::Ge | Op::Lt | Op::Le, v) => {
            let key = match p.op {
                Op::Gt => "gt",
                Op::Ge => "gte",
                Op::Lt => "lt",
                _ => "lte",
            };
            if text(v).is_some() {
                let msg = format!("`{}`: a range over strings compares keyword terms, like Python's string order only for ASCII", p.field);
                diags.push(Diagnostic::note(Code::LossyCoercion, msg).with_span(span));
            }
            json!({"range": {field: {key: scalar(v)?}}})
        }
        _ => return inexpressible(diags, &format!("`{}` with {v}", p.op)),
    })
}

/// Escape a literal for a `wildcard` query: `*`, `?` and `\` are special.
pub(crate) fn wildcard_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn wildcard_pattern(p: &Pattern) -> String {
    p.0.iter()
        .map(|x| match x {
            Piece::Lit(s) => wildcard_escape(s),
            Piece::AnyChars => "*".into(),
            Piece::AnyChar => "?".into(),
        })
        .collect()
}

/// A test of a wildcard field name (`a.*.b`): `term` and friends take one field, so it is a
/// `query_string` over the matching fields, with each value quoted (exact on keyword fields).
fn glob_query(p: &Predicate, field: String, span: Option<Span>, diags: &mut Diagnostics) -> Option<J> {
    let quoted = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut terms = Vec::new();
    for v in &p.values {
        terms.push(match (p.op, v, p.case) {
            (Op::Eq, Value::Str(s), Case::Sensitive) => quoted(s),
            (Op::Eq, Value::Int(i), _) => i.to_string(),
            (Op::Eq, Value::Float(x), _) => x.to_string(),
            (Op::Eq, Value::Bool(b), _) => b.to_string(),
            (Op::Eq | Op::Wildcard, Value::Pattern(pat), Case::Sensitive) => query_string_pattern(pat),
            _ => {
                let msg = format!(
                    "`{}`: a wildcard field name is written only for exact values and patterns; this `{}` test is not",
                    p.field, p.op
                );
                diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
                return None;
            }
        });
    }
    if p.quantifier == Quantifier::All && terms.len() > 1 {
        let msg = format!("`{}`: every value must match, which a wildcard field name cannot say", p.field);
        diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
        return None;
    }
    Some(json!({"query_string": {"query": terms.join(" OR "), "fields": [field]}}))
}

fn query_string_pattern(p: &Pattern) -> String {
    p.0.iter()
        .map(|x| match x {
            Piece::Lit(s) => lucene_escape(s),
            Piece::AnyChars => "*".into(),
            Piece::AnyChar => "?".into(),
        })
        .collect()
}

/// Escape a literal for Lucene regular expressions and query strings.
fn lucene_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.?+*|{}[]()\"#@&<>~^$:/!-= ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Python/PCRE-style regex as a Lucene regexp (always anchored to the whole value).
/// Exactly translatable escapes are rewritten; anything Lucene lacks is refused.
fn lucene_regex(
    pattern: &str,
    anchor: Anchor,
    span: Option<Span>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('d') => out.push_str("[0-9]"),
                Some('w') => out.push_str("[A-Za-z0-9_]"),
                Some('s') => out.push_str("[ \\t\\n\\r]"),
                Some(n) if n.is_ascii_alphanumeric() => {
                    let msg = format!("regex `\\{n}` has no Lucene equivalent");
                    diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
                    return None;
                }
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push_str("\\\\"),
            },
            '^' | '$' => {
                let msg = "regex anchors inside the pattern have no Lucene equivalent";
                diags.push(Diagnostic::error(Code::Inexpressible, msg).with_span(span));
                return None;
            }
            // Lucene groups never capture and its `.` already matches newlines, so
            // non-capturing and dot-all groups are plain groups.
            '(' if chars.clone().take(3).collect::<String>() == "?s:" => {
                chars.nth(2);
                out.push('(');
            }
            '(' if chars.clone().take(2).collect::<String>() == "?:" => {
                chars.nth(1);
                out.push('(');
            }
            '(' if chars.peek() == Some(&'?') => {
                diags.push(
                    Diagnostic::error(
                        Code::Inexpressible,
                        "regex groups with `(?` have no Lucene equivalent",
                    )
                    .with_span(span),
                );
                return None;
            }
            '"' | '<' | '>' | '#' | '@' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Some(match anchor {
        Anchor::None => format!(".*({out}).*"),
        Anchor::Start => format!("({out}).*"),
        Anchor::Full => out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::FieldPath;

    fn q(p: Predicate) -> J {
        expr(&Expr::pred(p, None), &mut Diagnostics::new()).unwrap()
    }

    #[test]
    fn equality_on_a_text_field_is_lossy_and_a_match_is_a_phrase() {
        let s = |x: &str| Value::Str(x.into());
        let mut diags = Diagnostics::new();
        let eq = Predicate::new(FieldPath::key("message"), Op::Eq, vec![s("a b")], Case::Sensitive);
        expr(&Expr::pred(eq, None), &mut diags).unwrap();
        assert_eq!(diags.worst(), Some(crate::diag::Severity::Lossy));
        let mut diags = Diagnostics::new();
        let m = Predicate::new(FieldPath::key("message"), Op::Match, vec![s("a b")], Case::Insensitive);
        assert_eq!(
            expr(&Expr::pred(m, None), &mut diags).unwrap(),
            json!({"match_phrase": {"message": "a b"}})
        );
        assert!(diags.is_empty());
    }

    #[test]
    fn case_decides_term_options() {
        let s = |x: &str| Value::Str(x.into());
        let cs = Predicate::new(FieldPath::key("a"), Op::Eq, vec![s("X"), s("Y")], Case::Sensitive);
        assert_eq!(q(cs), json!({"terms": {"a": ["X", "Y"]}}));
        let ci = Predicate::new(FieldPath::key("a"), Op::Eq, vec![s("X")], Case::Insensitive);
        assert_eq!(q(ci), json!({"term": {"a": {"value": "X", "case_insensitive": true}}}));
        let c = Predicate::new(FieldPath::keys(["a", "b"]), Op::Contains, vec![s("a*b")], Case::Sensitive);
        assert_eq!(q(c), json!({"wildcard": {"a.b": {"value": "*a\\*b*"}}}));
    }

    #[test]
    fn regex_search_semantics_become_explicit() {
        let mut d = Diagnostics::new();
        assert_eq!(lucene_regex(r"ab\d+", Anchor::None, None, &mut d).unwrap(), ".*(ab[0-9]+).*");
        assert_eq!(lucene_regex("ab", Anchor::Full, None, &mut d).unwrap(), "ab");
        assert!(lucene_regex(r"\bx", Anchor::None, None, &mut d).is_none());
        assert_eq!(
            lucene_regex(r"(?s:.*\\)?(?:a\.exe)", Anchor::Full, None, &mut d).unwrap(),
            r"(.*\\)?(a\.exe)"
        );
        assert_eq!(lucene_regex(r"(?s:.*x)?a", Anchor::Full, None, &mut d).unwrap(), "(.*x)?a");
    }
}
