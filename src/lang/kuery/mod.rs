//! Parser and canonical printer for Elastic/Kibana "kuery" queries (the query language Kibana
//! calls KQL; unrelated to Microsoft's Kusto).
//!
//! The grammar follows Kibana's `kuery` PEG grammar (`packages/kbn-es-query`), precedence from
//! loosest to tightest:
//!
//! ```text
//! OrQuery      = AndQuery (Or AndQuery)*          Or  = Space+ 'or'i  Space+
//! AndQuery     = NotQuery (And NotQuery)*         And = Space+ 'and'i Space+
//! NotQuery     = Not SubQuery / SubQuery          Not = 'not'i Space+
//! SubQuery     = '(' OrQuery ')' / NestedQuery
//! NestedQuery  = Field ':' '{' OrQuery '}' / Expression
//! Expression   = Field RangeOp Literal / Field ':' ListOfValues / Value
//! ListOfValues = '(' OrListOfValues ')' / Value   (with the same or/and/not structure inside)
//! ```
//!
//! Decisions (faithful to Kibana unless noted):
//! * An empty or all-whitespace query is an error ("empty query"); Kibana treats it as match-all.
//! * Unquoted literals may contain spaces and end before a keyword: before `Space+ or|and Space+`
//!   and before `not Space+` *anywhere* (Kibana quirk: `cannot be` stops after `can`).
//! * Escapes in unquoted literals: `\t \r \n`, `\` + one of `\():<>"*{}`, `\uXXXX`, and `\or`,
//!   `\and`, `\not` (any case) as literal keywords. As in Kibana, `\t`, `\r`, `\n` win, so a
//!   lowercase `\not` is a newline followed by `ot`; write `\NOT`/`\Not` or `\u006eot`.
//!   Any other backslash is an error.
//! * Quoted strings accept `\" \\ \t \r \n \uXXXX`; any other backslash is a literal backslash
//!   (so `"C:\Windows"` is `C:\Windows`); `*` inside quotes is a plain character.
//! * Only unescaped trailing whitespace of an unquoted literal is trimmed (Kibana's JS `trim()`
//!   would also drop escaped whitespace at the ends).
//! * `f:*` (also `f:(*)`) becomes [`Query::Exists`]; `null`/`true`/`false` stay plain text.
//! * Parentheses are not kept as nodes; a parenthesised node's span includes its parentheses.
//!   `(a or b) or c` stays nested, as in Kibana; [`print`] re-adds the needed parentheses.
//! * Nesting deeper than [`MAX_DEPTH`] parentheses/braces is rejected instead of overflowing the
//!   stack (a full-depth parse needs about 600 KiB of stack in debug builds, far less in release).
//! * The printer escapes keywords inside unquoted literals as `\or`, `\AND`, `\Not`, and a
//!   lowercase `not` as `\u006eot`; leading/trailing spaces as `\u0020`.

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while1, take_while_m_n};
use nom::character::complete::char as nchar;
use nom::error::{ErrorKind, ParseError};
use nom::sequence::preceded;
use nom::{IResult, Parser as _};

/// A syntax node with its byte span `start..end` in the parsed input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<T> {
    pub node: T,
    pub start: usize,
    pub end: usize,
}

impl<T> Node<T> {
    fn new(node: T, start: usize, end: usize) -> Self {
        Node { node, start, end }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Or(Vec<Node<Query>>),
    And(Vec<Node<Query>>),
    Not(Box<Node<Query>>),
    /// `f:v`, `f:(a or b)`
    Field {
        field: Node<Literal>,
        values: Node<ValueExpr>,
    },
    /// `f >= v`
    Range {
        field: Node<Literal>,
        op: RangeOp,
        value: Node<Literal>,
    },
    /// `f:*`
    Exists {
        field: Node<Literal>,
    },
    /// `f:{ query }`
    Nested {
        field: Node<Literal>,
        query: Box<Node<Query>>,
    },
    /// Free text without a field; always a [`ValueExpr::Value`] when produced by [`parse`].
    Text(Node<ValueExpr>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueExpr {
    Or(Vec<Node<ValueExpr>>),
    And(Vec<Node<ValueExpr>>),
    Not(Box<Node<ValueExpr>>),
    Value(Literal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl RangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            RangeOp::Lt => "<",
            RangeOp::Le => "<=",
            RangeOp::Gt => ">",
            RangeOp::Ge => ">=",
        }
    }
}

/// A field name or value with escapes resolved. Quoted literals never contain [`Part::Wildcard`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub quoted: bool,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Wildcard,
}

pub use crate::lang::SyntaxError;

/// Maximum nesting of parentheses and braces.
pub const MAX_DEPTH: usize = 64;

const SPECIAL: &str = "\\():<>\"*{}";

/// Internal error: remaining input length where it happened and an optional message.
#[derive(Debug)]
struct PErr {
    rest: usize,
    msg: Option<String>,
}

impl<'a> ParseError<&'a str> for PErr {
    fn from_error_kind(input: &'a str, _: ErrorKind) -> Self {
        PErr { rest: input.len(), msg: None }
    }
    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
}

type Res<'a, T> = IResult<&'a str, T, PErr>;
type Sub<'a, T> = fn(&Parser, &'a str, usize) -> Res<'a, Node<T>>;

fn fail<T>(at: &str, msg: impl Into<String>) -> Res<'_, T> {
    Err(nom::Err::Failure(PErr { rest: at.len(), msg: Some(msg.into()) }))
}

fn miss<T>(at: &str) -> Res<'_, T> {
    Err(nom::Err::Error(PErr { rest: at.len(), msg: None }))
}

/// Turns a soft "nothing here" error into a hard error with a message.
fn cut<'a, T>(res: Res<'a, T>, at: &'a str, msg: impl FnOnce() -> String) -> Res<'a, T> {
    match res {
        Err(nom::Err::Error(_)) => fail(at, msg()),
        other => other,
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{a0}')
}

fn sp0(i: &str) -> &str {
    i.trim_start_matches(is_space)
}

fn sp1(i: &str) -> Res<'_, &str> {
    take_while1(is_space).parse(i)
}

/// `Space+ kw Space+`
fn separator<'a>(kw: &'static str, i: &'a str) -> Res<'a, ()> {
    (sp1, tag_no_case(kw), sp1).map(|_| ()).parse(i)
}

/// `'not'i Space+`
fn not_kw(i: &str) -> Res<'_, ()> {
    (tag_no_case("not"), sp1).map(|_| ()).parse(i)
}

fn range_op(i: &str) -> Res<'_, RangeOp> {
    alt((
        tag("<=").map(|_| RangeOp::Le),
        tag(">=").map(|_| RangeOp::Ge),
        tag("<").map(|_| RangeOp::Lt),
        tag(">").map(|_| RangeOp::Gt),
    ))
    .parse(i)
}

fn hex4(i: &str) -> Option<(&str, u32)> {
    let res: Res<'_, &str> =
        preceded(nchar('u'), take_while_m_n(4, 4, |c: char| c.is_ascii_hexdigit())).parse(i);
    let (r, h) = res.ok()?;
    Some((r, u32::from_str_radix(h, 16).ok()?))
}

/// Escapes shared by quoted and unquoted literals; `i` is the text after the backslash.
fn common_escape(i: &str) -> Option<(&str, char)> {
    let mut chars = i.chars();
    match chars.next()? {
        't' => return Some((chars.as_str(), '\t')),
        'r' => return Some((chars.as_str(), '\r')),
        'n' => return Some((chars.as_str(), '\n')),
        _ => {}
    }
    let (r, hi) = hex4(i)?;
    if (0xD800..0xDC00).contains(&hi) {
        let low = r.strip_prefix('\\').and_then(hex4).filter(|(_, lo)| (0xDC00..0xE000).contains(lo));
        if let Some((r2, lo)) = low {
            let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
            return Some((r2, c.unwrap_or('\u{FFFD}')));
        }
    }
    Some((r, char::from_u32(hi).unwrap_or('\u{FFFD}')))
}

fn push_text(parts: &mut Vec<Part>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Part::Text(t)) = parts.last_mut() {
        t.push_str(s);
    } else {
        parts.push(Part::Text(s.to_string()));
    }
}

fn push_char(parts: &mut Vec<Part>, c: char) {
    push_text(parts, c.encode_utf8(&mut [0; 4]));
}

fn describe(i: &str) -> String {
    match i.chars().next() {
        None => "unexpected end of query".into(),
        Some(')') => "unbalanced parenthesis: unexpected `)`".into(),
        Some('}') => "unbalanced brace: unexpected `}`".into(),
        Some(c) => format!("unexpected `{c}`"),
    }
}

struct Parser {
    len: usize,
}

impl Parser {
    fn off(&self, i: &str) -> usize {
        self.len.saturating_sub(i.len())
    }

    fn literal<'a>(&self, i: &'a str) -> Res<'a, Node<Literal>> {
        match i.strip_prefix('"') {
            Some(body) => self.quoted(i, body),
            None => self.unquoted(i),
        }
    }

    fn quoted<'a>(&self, open: &'a str, body: &'a str) -> Res<'a, Node<Literal>> {
        let mut text = String::new();
        let mut rest = body;
        loop {
            let mut chars = rest.chars();
            match chars.next() {
                None => return fail(open, "unterminated quoted string"),
                Some('"') => {
                    let r = chars.as_str();
                    let mut parts = Vec::new();
                    push_text(&mut parts, &text);
                    let lit = Literal { quoted: true, parts };
                    return Ok((r, Node::new(lit, self.off(open), self.off(r))));
                }
                Some('\\') => {
                    let after = chars.as_str();
                    if let Some((r, c)) = common_escape(after) {
                        text.push(c);
                        rest = r;
                    } else if let Some(e) = after.chars().next().filter(|e| matches!(e, '\\' | '"')) {
                        text.push(e);
                        rest = &after[1..];
                    } else {
                        text.push('\\');
                        rest = after;
                    }
                }
                Some(c) => {
                    text.push(c);
                    rest = chars.as_str();
                }
            }
        }
    }

    fn unquoted<'a>(&self, i: &'a str) -> Res<'a, Node<Literal>> {
        let mut parts = Vec::new();
        let mut pending = "";
        let mut rest = i;
        let mut end = i;
        loop {
            if rest.starts_with(is_space) {
                let after = sp0(rest);
                let is_kw = alt((tag_no_case("or"), tag_no_case("and"))).and(sp1).parse(after).is_ok();
                if is_kw {
                    break;
                }
                pending = &rest[..rest.len() - after.len()];
                rest = after;
                continue;
            }
            if not_kw(rest).is_ok() {
                break;
            }
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { break };
            if c != '*' && c != '\\' && SPECIAL.contains(c) {
                break;
            }
            push_text(&mut parts, pending);
            pending = "";
            match c {
                '*' => {
                    parts.push(Part::Wildcard);
                    rest = chars.as_str();
                }
                '\\' => {
                    let after = chars.as_str();
                    let keyword: Res<'_, &str> =
                        alt((tag_no_case("or"), tag_no_case("and"), tag_no_case("not"))).parse(after);
                    if let Some((r, e)) = common_escape(after) {
                        push_char(&mut parts, e);
                        rest = r;
                    } else if let Some(e) = after.chars().next().filter(|e| SPECIAL.contains(*e)) {
                        push_char(&mut parts, e);
                        rest = &after[e.len_utf8()..];
                    } else if let Ok((r, kw)) = keyword {
                        push_text(&mut parts, kw);
                        rest = r;
                    } else {
                        return fail(rest, "invalid escape sequence (write `\\\\` for a backslash)");
                    }
                }
                c => {
                    push_char(&mut parts, c);
                    rest = chars.as_str();
                }
            }
            end = rest;
        }
        if end.len() == i.len() {
            return miss(i);
        }
        let lit = Literal { quoted: false, parts };
        Ok((end, Node::new(lit, self.off(i), self.off(end))))
    }

    /// `head (Space+ kw Space+ head)*`, flattened into `wrap(items)` when there is more than one.
    fn chain<'a, T>(
        &self,
        i: &'a str,
        d: usize,
        (kw, noun): (&'static str, &str),
        sub: Sub<'a, T>,
        wrap: fn(Vec<Node<T>>) -> T,
    ) -> Res<'a, Node<T>> {
        let (mut rest, first) = sub(self, i, d)?;
        let (start, mut end) = (first.start, first.end);
        let mut items = vec![first];
        while let Ok((r, ())) = separator(kw, rest) {
            let (r, item) = cut(sub(self, r, d), r, || format!("expected a {noun} after `{kw}`"))?;
            end = item.end;
            items.push(item);
            rest = r;
        }
        if items.len() == 1 {
            if let Some(only) = items.pop() {
                return Ok((rest, only));
            }
        }
        Ok((rest, Node::new(wrap(items), start, end)))
    }

    /// `'(' Space* inner Space* ')'` (`open` starts with `(`); the span of the result is widened to the parentheses.
    fn group<'a, T>(&self, open: &'a str, d: usize, noun: &str, inner: Sub<'a, T>) -> Res<'a, Node<T>> {
        let after = open.get(1..).unwrap_or("");
        if d >= MAX_DEPTH {
            return fail(open, "query nested too deeply");
        }
        let r = sp0(after);
        let (r, mut node) = cut(inner(self, r, d + 1), r, || format!("expected a {noun} after `(`"))?;
        let r = sp0(r);
        let Some(r2) = r.strip_prefix(')') else {
            let at = self.off(open);
            return match r.chars().next() {
                None => fail(r, format!("unbalanced parenthesis: `(` at offset {at} is never closed")),
                Some(c) => fail(r, format!("expected `)`, `and` or `or`, found `{c}` (`(` at offset {at})")),
            };
        };
        node.start = self.off(open);
        node.end = self.off(r2);
        Ok((r2, node))
    }

    fn or_query<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<Query>> {
        self.chain(i, d, ("or", "query"), Self::and_query, Query::Or)
    }

    fn and_query<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<Query>> {
        self.chain(i, d, ("and", "query"), Self::not_query, Query::And)
    }

    fn not_query<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<Query>> {
        let Ok((r, ())) = not_kw(i) else {
            return self.sub_query(i, d);
        };
        let (r2, q) = cut(self.sub_query(r, d), r, || "expected a query after `not`".into())?;
        let end = q.end;
        Ok((r2, Node::new(Query::Not(Box::new(q)), self.off(i), end)))
    }

    fn sub_query<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<Query>> {
        if i.starts_with('(') {
            return self.group(i, d, "query", Self::or_query);
        }
        self.expression(i, d)
    }

    fn expression<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<Query>> {
        let start = self.off(i);
        let (after_field, field) = self.literal(i)?;
        let r = sp0(after_field);
        if let Ok((r2, op)) = range_op(r) {
            let r3 = sp0(r2);
            let msg = || format!("expected a value after `{}`", op.as_str());
            let (r4, value) = cut(self.literal(r3), r3, msg)?;
            let end = value.end;
            return Ok((r4, Node::new(Query::Range { field, op, value }, start, end)));
        }
        if let Some(r2) = r.strip_prefix(':') {
            let r3 = sp0(r2);
            if let Some(r4) = r3.strip_prefix('{') {
                if d >= MAX_DEPTH {
                    return fail(r3, "query nested too deeply");
                }
                let r5 = sp0(r4);
                let (r6, q) = cut(self.or_query(r5, d + 1), r5, || "expected a query after `{`".into())?;
                let r7 = sp0(r6);
                let Some(r8) = r7.strip_prefix('}') else {
                    let msg = format!("expected `}}` to close `{{` at offset {}", self.off(r3));
                    return fail(r7, msg);
                };
                let query = Box::new(q);
                return Ok((r8, Node::new(Query::Nested { field, query }, start, self.off(r8))));
            }
            let (r4, values) = cut(self.list_of_values(r3, d), r3, || "expected a value after `:`".into())?;
            let end = values.end;
            let exists = matches!(&values.node, ValueExpr::Value(Literal { quoted: false, parts })
                if parts.as_slice() == [Part::Wildcard]);
            let q = if exists { Query::Exists { field } } else { Query::Field { field, values } };
            return Ok((r4, Node::new(q, start, end)));
        }
        let value = Node::new(ValueExpr::Value(field.node), field.start, field.end);
        Ok((after_field, Node::new(Query::Text(value), start, field.end)))
    }

    fn list_of_values<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<ValueExpr>> {
        if i.starts_with('(') {
            return self.group(i, d, "value", Self::or_values);
        }
        let (r, lit) = self.literal(i)?;
        Ok((r, Node::new(ValueExpr::Value(lit.node), lit.start, lit.end)))
    }

    fn or_values<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<ValueExpr>> {
        self.chain(i, d, ("or", "value"), Self::and_values, ValueExpr::Or)
    }

    fn and_values<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<ValueExpr>> {
        self.chain(i, d, ("and", "value"), Self::not_values, ValueExpr::And)
    }

    fn not_values<'a>(&self, i: &'a str, d: usize) -> Res<'a, Node<ValueExpr>> {
        let Ok((r, ())) = not_kw(i) else {
            return self.list_of_values(i, d);
        };
        let (r2, v) = cut(self.list_of_values(r, d), r, || "expected a value after `not`".into())?;
        let end = v.end;
        Ok((r2, Node::new(ValueExpr::Not(Box::new(v)), self.off(i), end)))
    }
}

/// Parses a kuery query. Spans are byte offsets into `input`.
pub fn parse(input: &str) -> Result<Node<Query>, SyntaxError> {
    let p = Parser { len: input.len() };
    let at = |rest: &str, message: String| SyntaxError { offset: p.off(rest), message };
    let i = sp0(input);
    if i.is_empty() {
        return Err(SyntaxError { offset: 0, message: "empty query".into() });
    }
    match p.or_query(i, 0) {
        Ok((r, q)) => {
            let r = sp0(r);
            match r.chars().next() {
                None => Ok(q),
                Some(')' | '}') => Err(at(r, describe(r))),
                Some(_) if not_kw(r).is_ok() => {
                    Err(at(r, "`not` must follow `and`/`or` (e.g. `a and not b`)".into()))
                }
                Some(c) => Err(at(r, format!("expected `and`, `or` or end of query, found `{c}`"))),
            }
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            let offset = input.len().saturating_sub(e.rest);
            let message = e.msg.unwrap_or_else(|| describe(input.get(offset..).unwrap_or("")));
            Err(SyntaxError { offset, message })
        }
        Err(nom::Err::Incomplete(_)) => Err(at("", "unexpected end of query".into())),
    }
}

/// Prints a query canonically (lowercase keywords, minimal parentheses, re-escaped literals) so
/// that parsing the output yields the same tree up to spans.
pub fn print(q: &Node<Query>) -> String {
    let mut out = String::new();
    print_query(&q.node, &mut out);
    out
}

fn print_seq<T>(
    items: &[Node<T>],
    sep: &str,
    paren: fn(&T) -> bool,
    f: fn(&T, &mut String),
    out: &mut String,
) {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push_str(sep);
        }
        print_wrapped(&item.node, paren(&item.node), f, out);
    }
}

fn print_wrapped<T>(x: &T, paren: bool, f: fn(&T, &mut String), out: &mut String) {
    if paren {
        out.push('(');
        f(x, out);
        out.push(')');
    } else {
        f(x, out);
    }
}

fn print_query(q: &Query, out: &mut String) {
    match q {
        Query::Or(items) => print_seq(items, " or ", |c| matches!(c, Query::Or(_)), print_query, out),
        Query::And(items) => {
            print_seq(items, " and ", |c| matches!(c, Query::Or(_) | Query::And(_)), print_query, out)
        }
        Query::Not(x) => {
            out.push_str("not ");
            let paren = matches!(x.node, Query::Or(_) | Query::And(_) | Query::Not(_));
            print_wrapped(&x.node, paren, print_query, out);
        }
        Query::Field { field, values } => {
            print_literal(&field.node, out);
            out.push(':');
            let paren = !matches!(values.node, ValueExpr::Value(_));
            print_wrapped(&values.node, paren, print_values, out);
        }
        Query::Range { field, op, value } => {
            print_literal(&field.node, out);
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            print_literal(&value.node, out);
        }
        Query::Exists { field } => {
            print_literal(&field.node, out);
            out.push_str(":*");
        }
        Query::Nested { field, query } => {
            print_literal(&field.node, out);
            out.push_str(":{ ");
            print_query(&query.node, out);
            out.push_str(" }");
        }
        Query::Text(v) => print_values(&v.node, out),
    }
}

fn print_values(v: &ValueExpr, out: &mut String) {
    match v {
        ValueExpr::Or(items) => {
            print_seq(items, " or ", |c| matches!(c, ValueExpr::Or(_)), print_values, out)
        }
        ValueExpr::And(items) => {
            let paren = |c: &ValueExpr| matches!(c, ValueExpr::Or(_) | ValueExpr::And(_));
            print_seq(items, " and ", paren, print_values, out)
        }
        ValueExpr::Not(x) => {
            out.push_str("not ");
            let paren = !matches!(x.node, ValueExpr::Value(_));
            print_wrapped(&x.node, paren, print_values, out);
        }
        ValueExpr::Value(lit) => print_literal(lit, out),
    }
}

fn print_literal(lit: &Literal, out: &mut String) {
    if lit.quoted {
        out.push('"');
        for part in &lit.parts {
            let Part::Text(s) = part else {
                out.push('*');
                continue;
            };
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
        }
        out.push('"');
        return;
    }
    // `None` stands for a wildcard.
    let els: Vec<Option<char>> = lit
        .parts
        .iter()
        .flat_map(|p| match p {
            Part::Text(s) => s.chars().map(Some).collect::<Vec<_>>(),
            Part::Wildcard => vec![None],
        })
        .collect();
    let raw_space = |e: Option<&Option<char>>| matches!(e, Some(Some(' ' | '\u{a0}')));
    let first = els.iter().position(|e| !raw_space(Some(e))).unwrap_or(els.len());
    let last = els.iter().rposition(|e| !raw_space(Some(e))).map_or(0, |p| p + 1);
    let word_at = |k: usize, w: &str| {
        let n = w.chars().count();
        els.get(k..k + n).is_some_and(|s| {
            s.iter().zip(w.chars()).all(|(e, c)| e.is_some_and(|e| e.eq_ignore_ascii_case(&c)))
        })
    };
    for (k, e) in els.iter().enumerate() {
        let Some(c) = *e else {
            out.push('*');
            continue;
        };
        if raw_space(Some(e)) && (k < first || k >= last) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
            continue;
        }
        let after_space = k > 0 && raw_space(els.get(k - 1));
        let keyword = (word_at(k, "not") && (k + 3 == els.len() || raw_space(els.get(k + 3))))
            || (after_space && (word_at(k, "or") || word_at(k, "and")));
        match c {
            'n' if keyword => out.push_str("\\u006e"),
            c if keyword => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if SPECIAL.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}
