//! One predicate → one Sigma detection key (`field|modifiers`) and its value(s).
//! Escaping of Sigma string values happens here, in `escape`, and nowhere else.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{Anchor, Case, Op, Pattern, Piece, Predicate, Quantifier, Seg, Value};
use serde_yaml::Value as Y;

/// Escape a literal for a Sigma string value: `*`, `?` and `\` are special.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A glob pattern as a Sigma value: wildcards live, literals escaped.
pub(crate) fn pattern(p: &Pattern) -> String {
    p.0.iter()
        .map(|piece| match piece {
            Piece::Lit(s) => escape(s),
            Piece::AnyChars => "*".into(),
            Piece::AnyChar => "?".into(),
        })
        .collect()
}

/// Sigma field name for a path. Sigma engines match any array element along a dotted
/// path, which is exactly `Each(Any)`; other segments are approximations and say so.
pub(crate) fn field_name(p: &Predicate, span: Option<Span>, diags: &mut Diagnostics) -> String {
    let mut name = String::new();
    for seg in &p.field.0 {
        match seg {
            Seg::Key(k) => {
                if k.contains('.') {
                    let msg = format!("the key `{k}` contains a dot, which Sigma reads as nesting");
                    diags.push(Diagnostic::lossy(Code::LossyFieldName, msg).with_span(span));
                }
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(k);
            }
            Seg::Index(i) => {
                let msg =
                    format!("`{}`: Sigma has no array positions; `[{i}]` is written as any element", p.field);
                diags.push(Diagnostic::lossy(Code::LossyAnyElement, msg).with_span(span));
            }
            Seg::Each(Quantifier::Any) => {}
            Seg::Each(Quantifier::All) => {
                let msg = format!("`{}`: Sigma matches any array element, not all of them", p.field);
                diags.push(Diagnostic::lossy(Code::LossyAnyElement, msg).with_span(span));
            }
            Seg::Json => {
                let msg = format!(
                    "`{}`: the source parses JSON text held in a field; Sigma reads the field as an object",
                    p.field
                );
                diags.push(Diagnostic::lossy(Code::LossyFieldName, msg).with_span(span));
            }
            Seg::Glob(g) => {
                let msg = format!(
                    "`{g}` is a wildcard field name, which Sigma cannot say: written as that field name, which Sigma engines read literally"
                );
                diags.push(Diagnostic::lossy(Code::LossyFieldName, msg).with_span(span));
                name.push_str(g);
            }
        }
    }
    name
}

/// The key (`field|mods`) and value list for a predicate, or `None` with an error.
pub(crate) fn key_values(
    p: &Predicate,
    span: Option<Span>,
    diags: &mut Diagnostics,
) -> Option<(String, Vec<Y>)> {
    let field = field_name(p, span, diags);
    let mut mods: Vec<&str> = Vec::new();
    let strings = p.values.iter().any(|v| matches!(v, Value::Str(_) | Value::Pattern(_)));
    let mut values = Vec::new();
    match p.op {
        Op::Exists => return Some((format!("{field}|exists"), vec![Y::Bool(true)])),
        Op::IsNull => return Some((field, vec![Y::Null])),
        Op::IsEmpty => {
            diags.push(
                Diagnostic::lossy(
                    Code::LossyTypeTest,
                    format!(
                        "`{}`: Sigma's '' matches empty strings only, not empty lists or objects",
                        p.field
                    ),
                )
                .with_span(span),
            );
            return Some((field, vec![Y::String(String::new())]));
        }
        Op::Truthy | Op::IsList | Op::IsObject | Op::IsBool | Op::IsInteger | Op::IsFloat => {
            diags.push(
                Diagnostic::error(
                    crate::diag::Code::Inexpressible,
                    "truthiness and type tests must be rewritten before emitting",
                )
                .with_span(span),
            );
            return None;
        }
        Op::Eq | Op::Wildcard => {}
        Op::Match => {
            let msg = format!(
                "`{}` is an analysed text field in Elastic, matched by whole words; Sigma's contains also matches inside words",
                p.field
            );
            diags.push(Diagnostic::lossy(Code::LossyTextField, msg).with_span(span));
            mods.push("contains");
        }
        Op::Contains => mods.push("contains"),
        Op::StartsWith => mods.push("startswith"),
        Op::EndsWith => mods.push("endswith"),
        Op::Regex | Op::Term => mods.push("re"),
        Op::Cidr => mods.push("cidr"),
        Op::Gt => mods.push("gt"),
        Op::Ge => mods.push("gte"),
        Op::Lt => mods.push("lt"),
        Op::Le => mods.push("lte"),
    }
    for v in &p.values {
        values.push(value(p, v, &mut mods, span, diags)?);
    }
    if p.values.iter().any(|v| matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_))) {
        let msg = format!(
            "`{}`: Sigma engines also match a number or boolean's string form (\"403\" matches 403); the source compares types strictly",
            p.field
        );
        diags.push(Diagnostic::lossy(Code::LossyCoercion, msg).with_span(span));
    }
    let affix = matches!(p.op, Op::StartsWith | Op::EndsWith | Op::Contains);
    if affix && p.values.iter().any(|v| matches!(v, Value::Str(s) if scalar_text_part(s))) {
        let msg = format!(
            "`{}`: Sigma engines also apply `{}` to a number or boolean's string form; the source matches strings only",
            p.field,
            mods.last().copied().unwrap_or("contains")
        );
        diags.push(Diagnostic::lossy(Code::LossyCoercion, msg).with_span(span));
    }
    if p.case == Case::Sensitive && strings && !matches!(p.op, Op::Regex | Op::Term | Op::Cidr) {
        mods.push("cased");
    }
    if p.quantifier == Quantifier::All && values.len() > 1 {
        mods.push("all");
    }
    if p.op == Op::Contains && p.values.iter().any(|v| !matches!(v, Value::Str(_))) {
        let msg = format!("`{}`: membership of a non-string value is written as equality, which also matches a scalar field", p.field);
        diags.push(Diagnostic::lossy(Code::LossyCoercion, msg).with_span(span));
        mods.retain(|m| *m != "contains");
    }
    mods.dedup();
    let key = if mods.is_empty() { field } else { format!("{field}|{}", mods.join("|")) };
    Some((key, values))
}

fn value(
    p: &Predicate,
    v: &Value,
    mods: &mut Vec<&str>,
    span: Option<Span>,
    diags: &mut Diagnostics,
) -> Option<Y> {
    let numeric = matches!(p.op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
    Some(match v {
        Value::Str(s) if p.op == Op::Term => {
            if p.case == Case::Insensitive {
                mods.push("i");
            }
            Y::String(term_regex(s))
        }
        Value::Str(_) if numeric => {
            let msg =
                format!("`{}`: Sigma compares numbers only; a string comparison cannot be written", p.field);
            diags.push(Diagnostic::error(crate::diag::Code::Inexpressible, msg).with_span(span));
            return None;
        }
        Value::Str(s) => Y::String(escape(s)),
        Value::Pattern(pat) => Y::String(pattern(pat)),
        Value::Int(i) => Y::Number((*i).into()),
        Value::Float(f) => Y::Number((*f).into()),
        Value::Bool(b) => Y::Bool(*b),
        Value::Null => {
            let msg = format!("`{}`: Sigma's null also matches a missing field", p.field);
            diags.push(Diagnostic::lossy(Code::LossyNullMissing, msg).with_span(span));
            Y::Null
        }
        Value::Regex(r) => {
            if p.case == Case::Insensitive {
                mods.push("i");
            }
            if r.flavor == crate::ir::RegexFlavor::Python
                && crate::eval::python_dollar(&r.pattern) != r.pattern
            {
                let msg = format!(
                    "`{}`: Python's `$` also matches before a final newline; Sigma engines' `$` differ (some match only at the end)",
                    p.field
                );
                diags.push(Diagnostic::lossy(Code::LossyRegex, msg).with_span(span));
            }
            Y::String(anchored(&r.pattern, r.anchor))
        }
        Value::Cidr(c) => Y::String(c.clone()),
        Value::Field(f) => {
            mods.push("fieldref");
            Y::String(f.to_string())
        }
    })
}

/// Sigma's `re` searches anywhere in the value; IR anchoring is made explicit.
fn anchored(pattern: &str, anchor: Anchor) -> String {
    match anchor {
        Anchor::None => pattern.to_string(),
        Anchor::Start => format!("^(?:{pattern})"),
        Anchor::Full => format!("^(?:{pattern})$"),
    }
}

/// Whole-term match as a regex: the term bounded by non-alphanumerics or the ends.
fn term_regex(term: &str) -> String {
    let mut escaped = String::new();
    for c in term.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    format!("(^|[^A-Za-z0-9]){escaped}([^A-Za-z0-9]|$)")
}

/// Whether `s` can be part of a number's or a boolean's string form ("" always is).
fn scalar_text_part(s: &str) -> bool {
    let lower = s.to_lowercase();
    s.chars().all(|c| c.is_ascii_digit() || "+-.e".contains(c.to_ascii_lowercase()))
        || "true".contains(&lower)
        || "false".contains(&lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_marks_every_special_character() {
        assert_eq!(escape(r"C:\Win*dows?"), r"C:\\Win\*dows\?");
        assert_eq!(escape("plain"), "plain");
        let p = Pattern(vec![Piece::Lit("a*".into()), Piece::AnyChars, Piece::AnyChar]);
        assert_eq!(pattern(&p), r"a\**?");
    }
}
