//! A small Elasticsearch query-DSL evaluator over one JSON document: the oracle for the
//! `es-dsl` target in tests/execution.rs. It knows only the constructs the DSL back-end emits
//! and fails loudly (an `Err`) on anything else, rather than guess.
//!
//! The document stands in for an indexed `_source` under a dynamic-ish mapping:
//! - a field path `a.b` reaches through objects and arrays (and dotted keys such as
//!   `{"a.b": 1}`); the field's values are every scalar leaf it reaches, arrays flattened,
//!   nulls dropped. A query on the field matches when ANY value matches;
//! - a string value is a `keyword` (exact, case-sensitive unless `case_insensitive`), except on
//!   the analysed text fields of the project's mapping data (`text_fields.txt`), whose values
//!   are the words of `ruleport::eval::analyzer` (lowercased); a string that parses as an IP
//!   address is an `ip` (term values may be CIDRs);
//! - a number is a `long`/`double`: a query value that is a number, or a string that parses as
//!   one, compares numerically; anything else does not match (Elasticsearch would reject the
//!   query for that shard);
//! - a boolean is a `boolean`: `true`/`false` or the strings "true"/"false";
//! - a keyword compares with a number or boolean query value by its string form (`5` ~ "5").
//!
//! Constructs: `bool` (must / filter / should / must_not, `minimum_should_match`), `term`,
//! `terms`, `wildcard`, `prefix`, `regexp` (Lucene syntax, anchored), `range`, `exists`,
//! `match_phrase`, `match_all`, `match_none`, `query_string` (bare terms with `*`/`?`, quoted
//! phrases, numbers, `OR`, optional `fields`).
#![allow(dead_code)]

use serde_json::{Map, Value as J};

const TEXT_FIELDS: &str = include_str!("../../src/platform/elastic/text_fields.txt");

/// Whether the search body (`{"query": …}`) or bare query matches `doc`.
pub fn matches(body: &J, doc: &J) -> Result<bool, String> {
    let q = body.get("query").unwrap_or(body);
    eval(q, doc)
}

fn one_key(q: &J) -> Result<(&str, &J), String> {
    let obj = q.as_object().ok_or_else(|| format!("a query must be an object: {q}"))?;
    match obj.iter().next() {
        Some((k, v)) if obj.len() == 1 => Ok((k.as_str(), v)),
        _ => Err(format!("a query must have exactly one key: {q}")),
    }
}

/// `{field: params}` of a leaf query.
fn field_params<'a>(kind: &str, body: &'a J) -> Result<(&'a str, &'a J), String> {
    let obj = body.as_object().ok_or_else(|| format!("{kind}: not an object"))?;
    match obj.iter().next() {
        Some((k, v)) if obj.len() == 1 => Ok((k.as_str(), v)),
        _ => Err(format!("{kind}: expected one field, got {body}")),
    }
}

/// `{"value": v, "case_insensitive"?: bool}` or a bare value.
fn value_and_case<'a>(kind: &str, params: &'a J, extra: &[&str]) -> Result<(&'a J, bool), String> {
    let Some(obj) = params.as_object() else { return Ok((params, false)) };
    for k in obj.keys() {
        if k != "value" && k != "case_insensitive" && !extra.contains(&k.as_str()) {
            return Err(format!("{kind}: unknown parameter `{k}`"));
        }
    }
    let v = obj.get("value").ok_or_else(|| format!("{kind}: no value"))?;
    let ci = match obj.get("case_insensitive") {
        None => false,
        Some(J::Bool(b)) => *b,
        Some(other) => return Err(format!("{kind}: case_insensitive {other}")),
    };
    Ok((v, ci))
}

fn eval(q: &J, doc: &J) -> Result<bool, String> {
    let (kind, body) = one_key(q)?;
    match kind {
        "match_all" => Ok(true),
        "match_none" => Ok(false),
        "bool" => eval_bool(body, doc),
        "exists" => {
            let obj = body.as_object().ok_or("exists: not an object")?;
            if obj.len() != 1 {
                return Err(format!("exists: unknown parameters in {body}"));
            }
            let field = obj.get("field").and_then(J::as_str).ok_or("exists: no field")?;
            Ok(exists(doc, field))
        }
        "term" => {
            let (field, params) = field_params(kind, body)?;
            let (v, ci) = value_and_case(kind, params, &[])?;
            any_value(doc, field, |x| term_matches(field, x, v, ci))
        }
        "terms" => {
            let obj = body.as_object().ok_or("terms: not an object")?;
            let (field, vals) = match obj.iter().next() {
                Some((k, v)) if obj.len() == 1 => (k.as_str(), v),
                _ => return Err(format!("terms: expected one field, got {body}")),
            };
            let vals = vals.as_array().ok_or("terms: values must be a list")?;
            let mut hit = false;
            for v in vals {
                hit |= any_value(doc, field, |x| term_matches(field, x, v, false))?;
            }
            Ok(hit)
        }
        "wildcard" | "prefix" | "regexp" => {
            let (field, params) = field_params(kind, body)?;
            let (v, ci) = value_and_case(kind, params, &[])?;
            let pat = v.as_str().ok_or_else(|| format!("{kind}: value must be a string"))?;
            let re = match kind {
                "wildcard" => wildcard_regex(pat, ci)?,
                "prefix" => regex::Regex::new(&format!("(?s){}^{}", flag(ci), regex::escape(pat)))
                    .map_err(|e| e.to_string())?,
                _ => lucene_regexp(pat, ci)?,
            };
            any_value(doc, field, |x| Ok(terms_of(field, x).iter().any(|t| re.is_match(t))))
        }
        "range" => {
            let (field, params) = field_params(kind, body)?;
            let obj = params.as_object().ok_or("range: not an object")?;
            let mut hit = false;
            // Every bound must hold for the same value.
            let check = |x: &J| -> Result<bool, String> {
                for (op, bound) in obj {
                    let want = match op.as_str() {
                        "gt" => [std::cmp::Ordering::Greater].as_slice(),
                        "gte" => &[std::cmp::Ordering::Greater, std::cmp::Ordering::Equal],
                        "lt" => &[std::cmp::Ordering::Less],
                        "lte" => &[std::cmp::Ordering::Less, std::cmp::Ordering::Equal],
                        other => return Err(format!("range: unknown parameter `{other}`")),
                    };
                    match compare(x, bound) {
                        Some(o) if want.contains(&o) => {}
                        _ => return Ok(false),
                    }
                }
                Ok(true)
            };
            for x in values(doc, field) {
                hit |= check(x)?;
            }
            Ok(hit)
        }
        "match_phrase" => {
            let (field, params) = field_params(kind, body)?;
            let phrase =
                params.as_str().ok_or("match_phrase: only the short form `{field: text}` is known")?;
            any_value(doc, field, |x| {
                Ok(match x {
                    J::String(s) if is_text_field(field) => {
                        ruleport::eval::analyzer::phrase_matches(s, phrase)
                    }
                    // A keyword's analyser is the whole value.
                    other => scalar_string(other).as_deref() == Some(phrase),
                })
            })
        }
        "query_string" => eval_query_string(body, doc),
        other => Err(format!("dsl_eval does not know the `{other}` query")),
    }
}

fn flag(ci: bool) -> &'static str {
    if ci {
        "(?i)"
    } else {
        ""
    }
}

fn eval_bool(body: &J, doc: &J) -> Result<bool, String> {
    let obj = body.as_object().ok_or("bool: not an object")?;
    let list = |k: &str| -> Result<Vec<&J>, String> {
        Ok(match obj.get(k) {
            None => Vec::new(),
            Some(J::Array(xs)) => xs.iter().collect(),
            Some(x @ J::Object(_)) => vec![x],
            Some(other) => return Err(format!("bool.{k}: {other}")),
        })
    };
    for k in obj.keys() {
        if !["must", "filter", "should", "must_not", "minimum_should_match"].contains(&k.as_str()) {
            return Err(format!("bool: unknown parameter `{k}`"));
        }
    }
    let (must, filter, should, must_not) =
        (list("must")?, list("filter")?, list("should")?, list("must_not")?);
    for q in must.iter().chain(&filter) {
        if !eval(q, doc)? {
            return Ok(false);
        }
    }
    for q in &must_not {
        if eval(q, doc)? {
            return Ok(false);
        }
    }
    let min = match obj.get("minimum_should_match") {
        None if must.is_empty() && filter.is_empty() && !should.is_empty() => 1,
        None => 0,
        Some(J::Number(n)) => n.as_u64().ok_or("minimum_should_match: not a count")? as usize,
        Some(other) => return Err(format!("minimum_should_match `{other}` is not known")),
    };
    let mut n = 0;
    for q in &should {
        n += usize::from(eval(q, doc)?);
    }
    Ok(n >= min)
}

// ---- fields ----

/// Every scalar value the dotted `field` reaches (arrays flattened, nulls dropped).
fn values<'a>(doc: &'a J, field: &str) -> Vec<&'a J> {
    let segs: Vec<&str> = field.split('.').collect();
    let mut out = Vec::new();
    reach(doc, &segs, &mut out);
    out.into_iter().flat_map(leaves).collect()
}

fn reach<'a>(cur: &'a J, segs: &[&str], out: &mut Vec<&'a J>) {
    if segs.is_empty() {
        out.push(cur);
        return;
    }
    match cur {
        J::Array(xs) => xs.iter().for_each(|x| reach(x, segs, out)),
        J::Object(obj) => {
            // `{"a.b": …}` is the same field as `{"a": {"b": …}}`.
            for n in 1..=segs.len() {
                if let Some(v) = obj.get(&segs[..n].join(".")) {
                    reach(v, &segs[n..], out);
                }
            }
        }
        _ => {}
    }
}

fn leaves(v: &J) -> Vec<&J> {
    match v {
        J::Null => Vec::new(),
        J::Array(xs) => xs.iter().flat_map(leaves).collect(),
        other => vec![other],
    }
}

/// `exists`: the field has a value. An object counts when some field under it has one (as
/// Elasticsearch expands `exists` on an object field to its sub-fields).
fn exists(doc: &J, field: &str) -> bool {
    values(doc, field).into_iter().any(has_value)
}

fn has_value(v: &J) -> bool {
    match v {
        J::Null => false,
        J::Array(xs) => xs.iter().any(has_value),
        J::Object(m) => m.values().any(has_value),
        _ => true,
    }
}

/// Every leaf's dotted name with its values (for wildcard field names and `*`).
fn all_fields(doc: &J) -> Vec<(String, &J)> {
    fn walk<'a>(prefix: &str, v: &'a J, out: &mut Vec<(String, &'a J)>) {
        match v {
            J::Object(m) => {
                for (k, x) in m {
                    let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&name, x, out);
                }
            }
            J::Array(xs) => xs.iter().for_each(|x| walk(prefix, x, out)),
            J::Null => {}
            other => out.push((prefix.to_string(), other)),
        }
    }
    let mut out = Vec::new();
    walk("", doc, &mut out);
    out
}

fn any_value(doc: &J, field: &str, mut f: impl FnMut(&J) -> Result<bool, String>) -> Result<bool, String> {
    let vals = values(doc, field);
    let mut hit = false;
    for v in vals {
        if v.is_object() {
            continue; // an object field has no value of its own
        }
        hit |= f(v)?;
    }
    Ok(hit)
}

fn is_text_field(field: &str) -> bool {
    TEXT_FIELDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|p| ruleport::ir::glob_matches(p, field))
}

/// The indexed terms of one value: the words of a text field, else the value's string form.
fn terms_of(field: &str, v: &J) -> Vec<String> {
    match v {
        J::String(s) if is_text_field(field) => ruleport::eval::analyzer::words(s),
        J::String(s) => vec![s.clone()],
        // Wildcard, prefix and regexp queries apply to keyword-like fields only.
        _ => Vec::new(),
    }
}

fn scalar_string(v: &J) -> Option<String> {
    match v {
        J::String(s) => Some(s.clone()),
        J::Number(n) => Some(n.to_string()),
        J::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_number(v: &J) -> Option<f64> {
    match v {
        J::Number(n) => n.as_f64(),
        J::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

// ---- term, range ----

fn term_matches(field: &str, doc_value: &J, query: &J, ci: bool) -> Result<bool, String> {
    if query.is_object() || query.is_array() || query.is_null() {
        return Err(format!("term: value {query} is not a scalar"));
    }
    Ok(match doc_value {
        J::Number(_) => match (as_number(doc_value), as_number(query)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        J::Bool(b) => match query {
            J::Bool(q) => q == b,
            J::String(s) => s == &b.to_string(),
            _ => false,
        },
        J::String(s) => {
            let q = scalar_string(query).unwrap_or_default();
            if let Some(hit) = ip_term(s, &q) {
                hit
            } else if is_text_field(field) {
                // A term is not analysed: it must equal one of the words.
                ruleport::eval::analyzer::words(s).iter().any(|w| eq(w, &q, ci))
            } else {
                eq(s, &q, ci)
            }
        }
        _ => false,
    })
}

fn eq(a: &str, b: &str, ci: bool) -> bool {
    if ci {
        a.to_lowercase() == b.to_lowercase()
    } else {
        a == b
    }
}

/// A document string that is an IP address is an `ip` field: the term is an address or a
/// CIDR block. `None` when the document value is not an address.
fn ip_term(doc: &str, query: &str) -> Option<bool> {
    let addr: std::net::IpAddr = doc.parse().ok()?;
    let (net, len) = match query.split_once('/') {
        Some((n, l)) => (n, l.parse::<u32>().ok()),
        None => (query, None),
    };
    let Ok(net) = net.parse::<std::net::IpAddr>() else { return Some(false) };
    let bits = |ip: std::net::IpAddr| -> (u128, u32) {
        match ip {
            std::net::IpAddr::V4(v) => (u32::from(v) as u128, 32),
            std::net::IpAddr::V6(v) => (u128::from(v), 128),
        }
    };
    let ((a, wa), (n, wn)) = (bits(addr), bits(net));
    if wa != wn {
        return Some(false);
    }
    let len = len.unwrap_or(wn).min(wn);
    let shift = wn - len;
    Some(if shift >= 128 { true } else { (a >> shift) == (n >> shift) })
}

/// Order of a document value against a range bound: numbers numerically, keywords by their
/// bytes (the bound in its string form).
fn compare(doc_value: &J, bound: &J) -> Option<std::cmp::Ordering> {
    match doc_value {
        J::Number(_) => as_number(doc_value)?.partial_cmp(&as_number(bound)?),
        J::String(s) => Some(s.as_bytes().cmp(scalar_string(bound)?.as_bytes())),
        _ => None,
    }
}

// ---- patterns ----

/// A `wildcard` pattern: `*` any run, `?` one character, `\` escapes; the whole value.
fn wildcard_regex(pat: &str, ci: bool) -> Result<regex::Regex, String> {
    let mut re = format!("(?s){}^", flag(ci));
    let mut chars = pat.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            '\\' => match chars.next() {
                Some(n) => re.push_str(&regex::escape(&n.to_string())),
                None => return Err(format!("wildcard `{pat}` ends in a backslash")),
            },
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).map_err(|e| e.to_string())
}

/// A Lucene `regexp` (anchored to the whole term, `.` matches any character) as a Rust regex.
/// Operators Rust lacks (`~ # @ & < >`, `"…"`) are refused.
fn lucene_regexp(pat: &str, ci: bool) -> Result<regex::Regex, String> {
    let mut re = format!("(?s){}^(?:", flag(ci));
    let mut chars = pat.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let n = chars.next().ok_or_else(|| format!("regexp `{pat}` ends in a backslash"))?;
                re.push_str(&regex::escape(&n.to_string()));
            }
            '[' if !in_class => {
                in_class = true;
                re.push('[');
                if chars.peek() == Some(&'^') {
                    re.push(chars.next().unwrap_or('^'));
                }
            }
            ']' if in_class => {
                in_class = false;
                re.push(']');
            }
            c if in_class => {
                if matches!(c, '[' | '&' | '~') {
                    re.push('\\');
                }
                re.push(c);
            }
            '.' | '*' | '+' | '?' | '|' | '(' | ')' | '{' | '}' => re.push(c),
            '~' | '#' | '@' | '&' | '<' | '>' | '"' => {
                return Err(format!("regexp `{pat}`: operator `{c}` is not known to dsl_eval"))
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push_str(")$");
    regex::Regex::new(&re).map_err(|e| format!("regexp `{pat}`: {e}"))
}

// ---- query_string ----

enum QsTerm {
    /// `"…"`: a phrase (a keyword's whole value).
    Phrase(String),
    /// A bare term; `pattern` is set when it has an unescaped wildcard.
    Bare { text: String, pattern: Option<regex::Regex>, pattern_ci: Option<regex::Regex> },
}

/// `query_string`: terms joined by ` OR ` only, over `fields` (wildcard names allowed) or every
/// field. On a text field a bare term matches a word (the pattern lowercased, as
/// Elasticsearch normalises multi-term queries) and a phrase matches the words in order; on a
/// keyword it is the whole value.
fn eval_query_string(body: &J, doc: &J) -> Result<bool, String> {
    let obj: &Map<String, J> = body.as_object().ok_or("query_string: not an object")?;
    for k in obj.keys() {
        if k != "query" && k != "fields" {
            return Err(format!("query_string: unknown parameter `{k}`"));
        }
    }
    let query = obj.get("query").and_then(J::as_str).ok_or("query_string: no query")?;
    let fields: Vec<String> = match obj.get("fields") {
        None => vec!["*".into()],
        Some(J::Array(xs)) => {
            xs.iter().map(|x| x.as_str().map(String::from).ok_or("fields")).collect::<Result<_, _>>()?
        }
        Some(other) => return Err(format!("query_string: fields {other}")),
    };
    let terms = parse_qs(query)?;
    for (name, v) in all_fields(doc) {
        if !fields.iter().any(|f| ruleport::ir::glob_matches(f, &name)) {
            continue;
        }
        for t in &terms {
            if qs_term_matches(&name, v, t)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn qs_term_matches(field: &str, v: &J, t: &QsTerm) -> Result<bool, String> {
    let text = is_text_field(field);
    Ok(match (t, v) {
        (QsTerm::Phrase(p), J::String(s)) if text => ruleport::eval::analyzer::phrase_matches(s, p),
        (QsTerm::Phrase(p), other) => term_matches(field, other, &J::String(p.clone()), false)?,
        (QsTerm::Bare { pattern: Some(re), pattern_ci: Some(lower), .. }, J::String(s)) => {
            if text {
                ruleport::eval::analyzer::words(s).iter().any(|w| lower.is_match(w))
            } else {
                re.is_match(s)
            }
        }
        (QsTerm::Bare { pattern: Some(_), .. }, _) => false,
        (QsTerm::Bare { text: t, pattern: None, .. }, J::String(s)) if text => {
            ruleport::eval::analyzer::phrase_matches(s, t)
        }
        (QsTerm::Bare { text: t, pattern: None, .. }, other) => {
            term_matches(field, other, &J::String(t.clone()), false)?
        }
    })
}

fn parse_qs(query: &str) -> Result<Vec<QsTerm>, String> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        if !out.is_empty() {
            // Between terms only `OR` is known.
            let word: String = chars.by_ref().take_while(|c| *c != ' ').collect();
            if word != "OR" {
                return Err(format!("query_string `{query}`: only OR between terms is known, got `{word}`"));
            }
            while chars.peek() == Some(&' ') {
                chars.next();
            }
        }
        out.push(qs_term(query, &mut chars)?);
    }
    if out.is_empty() {
        return Err(format!("query_string `{query}`: no terms"));
    }
    Ok(out)
}

fn qs_term(query: &str, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<QsTerm, String> {
    if chars.peek() == Some(&'"') {
        chars.next();
        let mut s = String::new();
        loop {
            match chars.next() {
                Some('\\') => s.push(chars.next().ok_or("query_string: dangling escape")?),
                Some('"') => return Ok(QsTerm::Phrase(s)),
                Some(c) => s.push(c),
                None => return Err(format!("query_string `{query}`: unterminated quote")),
            }
        }
    }
    let (mut text, mut re, mut wild) = (String::new(), String::from("(?s)^"), false);
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            break;
        }
        chars.next();
        match c {
            '\\' => {
                let n = chars.next().ok_or("query_string: dangling escape")?;
                text.push(n);
                re.push_str(&regex::escape(&n.to_string()));
            }
            '*' => {
                wild = true;
                re.push_str(".*");
            }
            '?' => {
                wild = true;
                re.push('.');
            }
            c if "+-=&|><!(){}[]^\"~:/".contains(c) => {
                return Err(format!("query_string `{query}`: operator `{c}` is not known to dsl_eval"))
            }
            c => {
                text.push(c);
                re.push_str(&regex::escape(&c.to_string()));
            }
        }
    }
    re.push('$');
    if !wild {
        return Ok(QsTerm::Bare { text, pattern: None, pattern_ci: None });
    }
    let compile = |r: &str| regex::Regex::new(r).map_err(|e| e.to_string());
    Ok(QsTerm::Bare { text, pattern: Some(compile(&re)?), pattern_ci: Some(compile(&re.to_lowercase())?) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(q: J, doc: J) -> bool {
        matches(&json!({ "query": q }), &doc).unwrap()
    }

    #[test]
    fn fields_reach_through_arrays_and_dotted_keys() {
        let doc = json!({"a": [{"b": "x"}, {"b": ["y", null]}], "c.d": 5});
        assert!(m(json!({"term": {"a.b": {"value": "y"}}}), doc.clone()));
        assert!(!m(json!({"term": {"a.b": {"value": "z"}}}), doc.clone()));
        assert!(m(json!({"term": {"c.d": {"value": 5}}}), doc.clone()));
        assert!(m(json!({"exists": {"field": "a"}}), doc.clone()));
        assert!(!m(json!({"exists": {"field": "e"}}), json!({"e": [null]})));
    }

    #[test]
    fn terms_coerce_like_keyword_and_long_mappings() {
        assert!(m(json!({"term": {"n": {"value": "5"}}}), json!({"n": 5})));
        assert!(m(json!({"term": {"n": {"value": 5}}}), json!({"n": "5"})));
        assert!(!m(json!({"term": {"n": {"value": "five"}}}), json!({"n": 5})));
        assert!(m(json!({"term": {"b": {"value": "true"}}}), json!({"b": true})));
        assert!(!m(json!({"term": {"s": {"value": "ABC"}}}), json!({"s": "abc"})));
        assert!(m(json!({"term": {"s": {"value": "ABC", "case_insensitive": true}}}), json!({"s": "abc"})));
        assert!(m(json!({"terms": {"s": ["x", "abc"]}}), json!({"s": "abc"})));
        assert!(m(json!({"term": {"ip": {"value": "10.0.0.0/8"}}}), json!({"ip": "10.1.2.3"})));
        assert!(!m(json!({"term": {"ip": {"value": "10.0.0.0/8"}}}), json!({"ip": "11.1.2.3"})));
    }

    #[test]
    fn patterns_match_the_whole_keyword() {
        let doc = json!({"p": "C:\\Windows\\cmd.exe"});
        assert!(m(json!({"wildcard": {"p": {"value": "*\\\\cmd.exe"}}}), doc.clone()));
        assert!(!m(json!({"wildcard": {"p": {"value": "*\\\\CMD.exe"}}}), doc.clone()));
        assert!(m(
            json!({"wildcard": {"p": {"value": "*\\\\CMD.exe", "case_insensitive": true}}}),
            doc.clone()
        ));
        assert!(m(json!({"wildcard": {"p": {"value": "C:?Windows*"}}}), doc.clone()));
        assert!(!m(json!({"wildcard": {"p": {"value": "a\\*"}}}), json!({"p": "ab"})));
        assert!(m(json!({"prefix": {"p": {"value": "C:"}}}), doc.clone()));
        assert!(!m(json!({"prefix": {"p": {"value": "Windows"}}}), doc.clone()));
        assert!(m(json!({"regexp": {"p": {"value": "(.*\\\\)?(cmd\\.exe)"}}}), doc.clone()));
        assert!(!m(json!({"regexp": {"p": {"value": "cmd\\.exe"}}}), doc.clone()));
        assert!(m(
            json!({"regexp": {"p": {"value": "c[a-z]\\:.*", "case_insensitive": true}}}),
            json!({"p": "CX:y"})
        ));
        assert!(matches(&json!({"regexp": {"p": {"value": "a~b"}}}), &doc).is_err());
        assert!(!m(json!({"prefix": {"n": {"value": "5"}}}), json!({"n": 55})));
    }

    #[test]
    fn ranges_compare_numbers_numerically_and_keywords_by_bytes() {
        assert!(m(json!({"range": {"n": {"gt": 9}}}), json!({"n": 10})));
        assert!(m(json!({"range": {"n": {"gte": 10, "lt": 11}}}), json!({"n": [3, 10]})));
        assert!(!m(json!({"range": {"n": {"gt": 10}}}), json!({"n": 10})));
        assert!(m(json!({"range": {"s": {"lt": "b"}}}), json!({"s": "abc"})));
        // A keyword compares by bytes: "10" sorts before "9".
        assert!(!m(json!({"range": {"s": {"gt": 9}}}), json!({"s": "10"})));
        assert!(m(json!({"range": {"s": {"gt": 9}}}), json!({"s": "90"})));
    }

    #[test]
    fn bool_clauses_and_minimum_should_match() {
        let t = |v: &str| json!({"term": {"a": {"value": v}}});
        let doc = json!({"a": "x"});
        assert!(m(json!({"bool": {"should": [t("y"), t("x")], "minimum_should_match": 1}}), doc.clone()));
        assert!(!m(json!({"bool": {"should": [t("y"), t("x")], "minimum_should_match": 2}}), doc.clone()));
        assert!(!m(json!({"bool": {"must_not": [t("x")]}}), doc.clone()));
        assert!(m(json!({"bool": {"must_not": [{"exists": {"field": "b"}}]}}), doc.clone()));
        assert!(m(json!({"bool": {"filter": [t("x")], "should": [t("y")]}}), doc.clone()));
        assert!(!m(json!({"bool": {"filter": [t("x"), t("y")]}}), doc.clone()));
        assert!(m(json!({"match_all": {}}), doc.clone()));
        assert!(!m(json!({"match_none": {}}), doc.clone()));
        assert!(matches(&json!({"nested": {"path": "a", "query": {"match_all": {}}}}), &doc).is_err());
        assert!(matches(&json!({"bool": {"boost": 1}}), &doc).is_err());
    }

    #[test]
    fn text_fields_match_words() {
        let doc = json!({"message": "User [Admin] ran New-InMemoryModule now"});
        assert!(m(json!({"match_phrase": {"message": "new-inmemorymodule"}}), doc.clone()));
        assert!(!m(json!({"match_phrase": {"message": "module now"}}), doc.clone()));
        assert!(m(json!({"term": {"message": {"value": "admin"}}}), doc.clone()));
        assert!(!m(json!({"term": {"message": {"value": "Admin"}}}), doc.clone()));
        assert!(m(json!({"match_phrase": {"k": "a b"}}), json!({"k": "a b"})));
        assert!(!m(json!({"match_phrase": {"k": "a"}}), json!({"k": "a b"})));
    }

    #[test]
    fn query_string_over_wildcard_field_names() {
        let q = json!({"query_string": {"query": "\"x y\" OR 5 OR ab*", "fields": ["a.*.b"]}});
        assert!(m(q.clone(), json!({"a": {"0": {"b": "x y"}}})));
        assert!(m(q.clone(), json!({"a": {"k": {"m": {"b": 5}}}})));
        assert!(m(q.clone(), json!({"a": [{"q": {"b": "abc"}}]})));
        assert!(!m(q.clone(), json!({"a": {"b": "abc"}})));
        assert!(!m(q.clone(), json!({"a": {"0": {"b": "x"}}})));
        let free = json!({"query_string": {"query": "*evil\\-thing*"}});
        assert!(m(free.clone(), json!({"x": {"y": "an evil-thing here"}})));
        assert!(!m(free, json!({"x": {"y": "an EVIL-thing here"}})));
        assert!(matches(&json!({"query_string": {"query": "a AND b"}}), &json!({})).is_err());
    }
}
