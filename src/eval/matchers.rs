//! Value-level matching: one event value against one predicate.

use super::{lookup, EvalError};
use crate::ir::{Anchor, Case, Op, Pattern, Piece, Predicate, Quantifier, RegexFlavor, Value};
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::net::IpAddr;

/// Test the value found at the predicate's field (`None` = absent).
pub(super) fn test_value(p: &Predicate, v: Option<&Json>, event: &Json) -> Result<bool, EvalError> {
    let Some(v) = v else {
        return Ok(p.op == Op::IsNull);
    };
    match p.op {
        Op::IsNull => return Ok(v.is_null()),
        Op::Exists => return Ok(!v.is_null()),
        Op::IsEmpty => return Ok(is_empty(v)),
        Op::Truthy => return Ok(truthy(v)),
        Op::IsList => return Ok(v.is_array()),
        Op::IsObject => return Ok(v.is_object()),
        Op::IsBool => return Ok(v.is_boolean()),
        Op::IsInteger => return Ok(v.is_i64() || v.is_u64()),
        Op::IsFloat => return Ok(v.is_f64()),
        _ => {}
    }
    if p.values.is_empty() {
        return Err(EvalError(format!("operator `{}` needs a value", p.op)));
    }
    let one = |val: &Value| -> Result<bool, EvalError> {
        let resolved;
        let val = match val {
            Value::Field(path) => match lookup(event, path).and_then(json_to_value) {
                Some(x) => {
                    resolved = x;
                    &resolved
                }
                None => return Ok(false),
            },
            other => other,
        };
        test_one(p.op, p.case, v, val)
    };
    match p.quantifier {
        Quantifier::Any => {
            for val in &p.values {
                if one(val)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Quantifier::All => {
            for val in &p.values {
                if !one(val)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
    }
}

fn json_to_value(j: &Json) -> Option<Value> {
    Some(match j {
        Json::String(s) => Value::Str(s.clone()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Null => Value::Null,
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64()?),
        },
        _ => return None,
    })
}

fn test_one(op: Op, case: Case, v: &Json, val: &Value) -> Result<bool, EvalError> {
    Ok(match op {
        Op::Eq => equals(v, val, case),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => match compare(v, val) {
            Some(ord) => match op {
                Op::Lt => ord == Ordering::Less,
                Op::Le => ord != Ordering::Greater,
                Op::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            },
            None => false,
        },
        Op::Contains => match v {
            // On an array, Python `in` is element membership.
            Json::Array(items) => items.iter().any(|item| equals(item, val, case)),
            Json::String(s) => str_val(val).is_some_and(|needle| fold(s, case).contains(&fold(needle, case))),
            _ => false,
        },
        Op::StartsWith => str_pair(v, val, case, |s, n| s.starts_with(n)),
        Op::EndsWith => str_pair(v, val, case, |s, n| s.ends_with(n)),
        Op::Term => str_pair(v, val, case, term_match),
        Op::Match => match (v, val) {
            (Json::String(s), Value::Str(phrase)) => super::analyzer::phrase_matches(s, phrase),
            (Json::String(s), Value::Pattern(p)) => {
                super::analyzer::words(s).iter().any(|w| glob_match(p, w, Case::Insensitive))
            }
            _ => false,
        },
        Op::Wildcard => match (v, val) {
            (Json::String(s), Value::Pattern(p)) => glob_match(p, s, case),
            (Json::String(s), Value::Str(lit)) => fold(s, case) == fold(lit, case),
            _ => false,
        },
        Op::Regex => match (v, val) {
            (Json::String(s), Value::Regex(r)) if r.flavor == RegexFlavor::Python => {
                regex_match(&python_dollar(&r.pattern), r.anchor, case, s)?
            }
            (Json::String(s), Value::Regex(r)) => regex_match(&r.pattern, r.anchor, case, s)?,
            _ => false,
        },
        Op::Cidr => match (v, val) {
            (Json::String(s), Value::Cidr(c)) => cidr_contains(c, s)?,
            _ => false,
        },
        // Unary operators are answered in `test_value` before values are looked at.
        Op::Exists | Op::IsNull | Op::IsEmpty | Op::Truthy => false,
        Op::IsList | Op::IsObject | Op::IsBool | Op::IsInteger | Op::IsFloat => false,
    })
}

fn str_val(val: &Value) -> Option<&str> {
    match val {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn str_pair(v: &Json, val: &Value, case: Case, f: impl Fn(&str, &str) -> bool) -> bool {
    match (v, str_val(val)) {
        (Json::String(s), Some(n)) => f(&fold(s, case), &fold(n, case)),
        _ => false,
    }
}

fn fold(s: &str, case: Case) -> String {
    match case {
        Case::Sensitive => s.to_string(),
        Case::Insensitive => s.to_lowercase(),
    }
}

/// Python-like equality: numbers compare numerically (ints and floats alike), strings
/// by content (case-folded when insensitive), booleans and null by identity.
fn equals(v: &Json, val: &Value, case: Case) -> bool {
    match (v, val) {
        (Json::String(s), Value::Str(t)) => match case {
            Case::Sensitive => s == t,
            Case::Insensitive => s.to_lowercase() == t.to_lowercase(),
        },
        (Json::Number(n), Value::Int(i)) => n.as_i64() == Some(*i) || n.as_f64() == Some(*i as f64),
        (Json::Number(n), Value::Float(x)) => n.as_f64() == Some(*x),
        (Json::Bool(b), Value::Bool(c)) => b == c,
        (Json::Null, Value::Null) => true,
        (Json::String(s), Value::Pattern(p)) => glob_match(p, s, case),
        _ => false,
    }
}

fn compare(v: &Json, val: &Value) -> Option<Ordering> {
    match (v, val) {
        (Json::Number(n), Value::Int(i)) => n.as_f64()?.partial_cmp(&(*i as f64)),
        (Json::Number(n), Value::Float(x)) => n.as_f64()?.partial_cmp(x),
        (Json::String(s), Value::Str(t)) => Some(s.as_str().cmp(t.as_str())),
        _ => None,
    }
}

fn is_empty(v: &Json) -> bool {
    match v {
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Python truthiness of a JSON value.
pub(crate) fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
    }
}

/// Whole-term match: `needle` occurs with no ASCII alphanumeric character directly before
/// or after it (Kusto `has`).
fn term_match(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    hay.match_indices(needle).any(|(i, m)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + m.len()..].chars().next();
        !is_word(before) && !is_word(after)
    })
}

/// Glob matching over characters: `*` any run, `?` one character; the whole value must match.
pub fn glob_match(p: &Pattern, s: &str, case: Case) -> bool {
    let folded;
    let s = match case {
        Case::Sensitive => s,
        Case::Insensitive => {
            folded = s.to_lowercase();
            &folded
        }
    };
    let pieces: Vec<Piece> = match case {
        Case::Sensitive => p.0.clone(),
        Case::Insensitive => {
            p.0.iter()
                .map(|x| match x {
                    Piece::Lit(l) => Piece::Lit(l.to_lowercase()),
                    other => other.clone(),
                })
                .collect()
        }
    };
    glob_rec(&pieces, s)
}

/// One character of a glob: a literal, `?` or `*`.
#[derive(Clone, Copy, PartialEq)]
enum G {
    Ch(char),
    One,
    Star,
}

/// Iterative glob matching with one backtracking point (the last `*`): linear stack and
/// O(pattern × text) time, whatever the number of `*` (the recursive form was exponential).
fn glob_rec(pieces: &[Piece], s: &str) -> bool {
    let mut pat = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Lit(l) => pat.extend(l.chars().map(G::Ch)),
            Piece::AnyChar => pat.push(G::One),
            Piece::AnyChars => pat.push(G::Star),
        }
    }
    let text: Vec<char> = s.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(G::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(G::One) => (p, t) = (p + 1, t + 1),
            Some(G::Ch(c)) if *c == text[t] => (p, t) = (p + 1, t + 1),
            _ => match star {
                Some((sp, st)) => {
                    star = Some((sp, st + 1));
                    (p, t) = (sp + 1, st + 1);
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|g| *g == G::Star)
}

/// Python's `$` (without MULTILINE) also matches just before a final newline; the regex
/// crate's `$` only at the very end. Rewrite each unescaped `$` outside a class as `\n?\z`.
pub fn python_dollar(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let (mut escaped, mut in_class) = (false, false);
    // Just after `[` or `[^`, a `]` is a member, not the end of the class.
    let mut class_start = false;
    for c in pattern.chars() {
        let at_start = std::mem::take(&mut class_start);
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' if !in_class => (in_class, class_start) = (true, true),
            '^' if at_start => class_start = true,
            ']' if in_class && !at_start => in_class = false,
            '$' if !in_class => {
                out.push_str("(?:\\n?\\z)");
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

fn regex_match(pattern: &str, anchor: Anchor, case: Case, s: &str) -> Result<bool, EvalError> {
    let mut src = String::new();
    if case == Case::Insensitive {
        src.push_str("(?i)");
    }
    match anchor {
        Anchor::None => src.push_str(&format!("(?:{pattern})")),
        Anchor::Start => src.push_str(&format!("\\A(?:{pattern})")),
        Anchor::Full => src.push_str(&format!("\\A(?:{pattern})\\z")),
    }
    let re = regex::Regex::new(&src).map_err(|e| EvalError(format!("regex `{pattern}`: {e}")))?;
    Ok(re.is_match(s))
}

fn cidr_contains(cidr: &str, ip: &str) -> Result<bool, EvalError> {
    let bad = || EvalError(format!("`{cidr}` is not a CIDR block"));
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, ""));
    let net: IpAddr = net.trim().parse().map_err(|_| bad())?;
    let Ok(ip) = ip.trim().parse::<IpAddr>() else {
        return Ok(false);
    };
    let (n, a, width) = match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => (u32::from(n) as u128, u32::from(a) as u128, 32),
        (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128),
        _ => return Ok(false),
    };
    let bits: u32 = if bits.is_empty() { width } else { bits.trim().parse().map_err(|_| bad())? };
    if bits > width {
        return Err(bad());
    }
    let shift = width - bits;
    Ok(if shift >= 128 { true } else { (n >> shift) == (a >> shift) })
}

/// Free-text term: the pattern matches some string value anywhere in the event.
pub(super) fn keyword_match(p: &Pattern, case: Case, event: &Json) -> bool {
    match event {
        Json::String(s) => glob_match(p, s, case),
        Json::Array(a) => a.iter().any(|x| keyword_match(p, case, x)),
        Json::Object(o) => o.values().any(|x| keyword_match(p, case, x)),
        _ => false,
    }
}
