//! Parser and canonical printer for the Elasticsearch `query_string` (Lucene) syntax.
//!
//! The grammar follows Lucene's *classic* query parser (the one Elasticsearch's `query_string`
//! extends) plus the Elasticsearch extensions `_exists_:f`, `f:*` (existence) and `f:>v` / `f:>=v` /
//! `f:<v` / `f:<=v` (half-open ranges).
//!
//! # Boolean semantics
//! The classic parser has no operator precedence. A (parenthesised) query is a flat list of
//! clauses, each with an [`Occur`] computed left to right exactly like Lucene's `addClause`:
//! * `+x` is MUST, `-x` / `NOT x` / `!x` is MUST_NOT, anything else is SHOULD (default operator OR)
//!   or MUST (default operator AND, unless the clause is introduced by `OR`);
//! * `AND` (`&&`) makes the clause after it *and* the clause before it MUST (a MUST_NOT stays);
//! * with default operator AND, `OR` (`||`) turns the clause before it into SHOULD (a MUST_NOT stays).
//!
//! A [`Query::Bool`] matches iff every MUST clause matches, no MUST_NOT clause matches and, when
//! there is no MUST clause, at least one SHOULD clause matches (when there are MUST clauses, SHOULD
//! clauses only affect scoring). A Bool made only of MUST_NOT clauses matches everything except them
//! (Elasticsearch adds a match-all clause). So `a AND b OR c` is `+a +b c`, i.e. it matches
//! `a AND b` and `c` is irrelevant for matching; `a OR b AND c` is `a +b +c`; `NOT a AND b` is
//! `-a +b`. A single clause without `+`/`-` is returned as itself, not wrapped in a Bool.
//!
//! Caveat not represented here: Elasticsearch does not split on whitespace, so a run of juxtaposed
//! bare words (`f:(a b)`) is analysed as one text `"a b"`; on a `keyword` field that is one term.
//!
//! Deliberate deviations from Lucene: unescaped `*` is accepted in field names (`book.*:x`); any
//! whitespace separates range bounds and a `"` always opens a quoted bound; `~` on a wildcard/regex
//! term, fractional fuzziness and regexes ending in `\` are rejected instead of silently ignored or
//! lexed ambiguously; `\uXXXX` is decoded in wildcard terms too; nesting is limited to 100 groups.

use nom::bytes::complete::{take_till1, take_while};
use nom::character::complete::{char as nchar, digit1};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};
use std::fmt::{self, Write};

/// A syntax node with its byte span `start..end` in the parsed input.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<T> {
    pub node: T,
    pub start: usize,
    pub end: usize,
}

/// Lucene `BooleanClause.Occur`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    Must,
    Should,
    MustNot,
}

/// The operator written before a clause (`Implicit` = juxtaposition, always for the first clause).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conj {
    Implicit,
    And,
    Or,
}

/// The prefix written on a clause: none, `+`, or `-` / `NOT` / `!`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    Bare,
    Plus,
    Minus,
}

/// One clause of a [`Query::Bool`]: the syntax as written plus the resulting [`Occur`].
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub conj: Conj,
    pub modifier: Modifier,
    pub occur: Occur,
    pub query: Node<Query>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// A Lucene boolean query, clauses in source order (see the module docs for its meaning).
    Bool(Vec<Clause>),
    /// `field` is the explicit or inherited (`f:(...)`) field; `None` means the default field(s).
    Term { field: Option<String>, term: Term, boost: Option<f64> },
    /// `_exists_:field` or `field:*` (unboosted; `_exists_:"x"` stays a phrase on field `_exists_`).
    Exists { field: String },
    /// `[a TO b]`, `{a TO b}`, mixed, or `field:>v` style half-open ranges.
    Range { field: Option<String>, lower: Bound, upper: Bound, boost: Option<f64> },
    /// Parentheses; a `field:( ... )` prefix is pushed down onto every term inside.
    Group { query: Box<Node<Query>>, boost: Option<f64> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// Unescaped text with unescaped `*` / `?` wildcards.
    Word(Vec<Part>),
    /// `"..."` (a `*` inside is literal); `proximity` is the `~N` slop.
    Phrase { text: String, proximity: Option<u32> },
    /// `/.../`, raw content between the slashes (escapes such as `\/` kept as written).
    Regex(String),
    /// `text~` (`distance: None`, Lucene default 2) or `text~N`.
    Fuzzy { text: String, distance: Option<u32> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    AnyChars,
    OneChar,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    Unbounded,
    Inclusive(String),
    Exclusive(String),
}

pub use crate::lang::SyntaxError;

const MAX_DEPTH: usize = 100;
/// Characters that cannot start a term (besides whitespace); `+ -` may appear inside a term.
const SPECIAL: &str = "+-!():^[]\"{}~*?\\/";

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError { offset, message: message.into() })
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{3000}')
}

fn term_char(c: char, first: bool) -> bool {
    (!is_ws(c) && !SPECIAL.contains(c)) || c == '*' || c == '?' || (!first && (c == '+' || c == '-'))
}

fn number(i: &str) -> IResult<&str, &str> {
    recognize(pair(digit1, opt(pair(nchar('.'), digit1)))).parse(i)
}

fn skip_ws(i: &str) -> &str {
    take_while::<_, _, nom::error::Error<&str>>(is_ws).parse(i).map_or(i, |(rest, _)| rest)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    And,
    Or,
    Not,
    Plus,
    Minus,
    LParen,
    RParen,
    Colon,
    Caret,
    Slop(&'a str),
    Bare(&'a str),
    Word(&'a str),
    Quoted(&'a str),
    Regex(&'a str),
    RangeStart(bool),
    Eof,
}

#[derive(Debug, Clone, Copy)]
struct Tk<'a> {
    tok: Tok<'a>,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RTok<'a> {
    To,
    Goop(&'a str),
    Quoted(&'a str),
    End(bool),
    Eof,
}

fn describe(t: Tok<'_>) -> String {
    match t {
        Tok::And => "`AND`".into(),
        Tok::Or => "`OR`".into(),
        Tok::Not => "`NOT`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Minus => "`-`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Colon => "`:`".into(),
        Tok::Caret => "`^`".into(),
        Tok::Slop(_) => "`~`".into(),
        Tok::Bare(s) | Tok::Word(s) => format!("`{}`", s.chars().take(20).collect::<String>()),
        Tok::Quoted(_) => "a phrase".into(),
        Tok::Regex(_) => "a regex".into(),
        Tok::RangeStart(_) => "a range".into(),
        Tok::Eof => "end of input".into(),
    }
}

fn starts_clause(t: Tok<'_>) -> bool {
    !matches!(t, Tok::And | Tok::Or | Tok::RParen | Tok::Colon | Tok::Caret | Tok::Slop(_) | Tok::Eof)
}

/// Length of a `"..."` token starting at `s` (backslash escapes the next char), if terminated.
fn quoted_len(s: &str) -> Option<usize> {
    let mut it = s.char_indices().skip(1);
    while let Some((i, c)) = it.next() {
        match c {
            '\\' => {
                it.next();
            }
            '"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Length of a `/.../` token (JavaCC longest match of `"/" (~["/"] | "\\/")* "/"`).
fn regex_len(s: &str) -> Option<usize> {
    let mut last = None;
    for (i, w) in s.as_bytes().windows(2).enumerate() {
        if w[1] == b'/' {
            last = Some(i + 2);
            if w[0] != b'\\' {
                break;
            }
        }
    }
    last
}

/// Length of a term token (TERM / PREFIXTERM / WILDTERM), or the offset of a dangling backslash.
fn word_len(s: &str) -> Result<usize, usize> {
    let mut it = s.char_indices();
    let mut end = 0;
    while let Some((i, c)) = it.next() {
        if c == '\\' {
            match it.next() {
                Some((j, d)) => end = j + d.len_utf8(),
                None => return Err(i),
            }
        } else if term_char(c, i == 0) {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    Ok(end)
}

/// Lucene `discardEscapeChar` (`\x` is `x`, `\uXXXX` a code point); with `wild`, unescaped `*`/`?`
/// become wildcard parts.
fn unescape(raw: &str, base: usize, wild: bool) -> Result<Vec<Part>, SyntaxError> {
    let mut parts = Vec::new();
    let mut buf = String::new();
    let mut it = raw.char_indices();
    while let Some((i, c)) = it.next() {
        match c {
            '\\' => match it.next() {
                Some((_, 'u')) => {
                    let hex = raw.get(i + 2..i + 6).filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
                    let decoded = hex.and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32);
                    let Some(d) = decoded else {
                        return err(base + i, "invalid unicode escape");
                    };
                    buf.push(d);
                    it.nth(3);
                }
                Some((_, d)) => buf.push(d),
                None => return err(base + i, "escape character at end of term"),
            },
            '*' | '?' if wild => {
                if !buf.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut buf)));
                }
                parts.push(if c == '*' { Part::AnyChars } else { Part::OneChar });
            }
            _ => buf.push(c),
        }
    }
    if !buf.is_empty() {
        parts.push(Part::Text(buf));
    }
    Ok(parts)
}

fn flat(parts: Vec<Part>) -> String {
    parts
        .into_iter()
        .map(|p| match p {
            Part::Text(s) => s,
            Part::AnyChars => "*".into(),
            Part::OneChar => "?".into(),
        })
        .collect()
}

/// Elasticsearch's `f:>v`, `f:>=v`, `f:<v`, `f:<=v` on a plain (non-wildcard, non-fuzzy) term.
fn half_range(text: &str) -> Option<(Bound, Bound)> {
    let mut cs = text.chars();
    let op = cs.next().filter(|c| *c == '<' || *c == '>')?;
    let rest = cs.as_str();
    if rest.is_empty() {
        return None;
    }
    let b = match rest.strip_prefix('=') {
        Some(v) if !v.is_empty() => Bound::Inclusive(v.into()),
        _ => Bound::Exclusive(rest.into()),
    };
    Some(if op == '>' { (b, Bound::Unbounded) } else { (Bound::Unbounded, b) })
}

struct P<'a> {
    src: &'a str,
    pos: usize,
    default_and: bool,
}

/// Parse `input`; `default_and` selects AND (instead of OR) as the default operator.
pub fn parse(input: &str, default_and: bool) -> Result<Node<Query>, SyntaxError> {
    let mut p = P { src: input, pos: 0, default_and };
    let q = p.query(None, 0)?;
    let t = p.peek()?;
    match t.tok {
        Tok::Eof => Ok(q),
        Tok::RParen => err(t.start, "unmatched `)`"),
        tok => err(t.start, format!("unexpected {}", describe(tok))),
    }
}

impl<'a> P<'a> {
    fn lex(&self, pos: usize) -> Result<Tk<'a>, SyntaxError> {
        let rest = self.src.get(pos..).unwrap_or("");
        let s = skip_ws(rest);
        let start = pos + rest.len() - s.len();
        let mut chars = s.chars();
        let Some(c) = chars.next() else {
            return Ok(Tk { tok: Tok::Eof, start, end: start });
        };
        let next_ws = chars.next().is_some_and(is_ws);
        let (tok, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ':' => (Tok::Colon, 1),
            '^' => (Tok::Caret, 1),
            '[' => (Tok::RangeStart(true), 1),
            '{' => (Tok::RangeStart(false), 1),
            ']' | '}' => return err(start, format!("unexpected `{c}`")),
            '+' | '-' | '!' if next_ws => (Tok::Bare(&s[..1]), 1),
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '!' => (Tok::Not, 1),
            '~' => {
                let digits = number(&s[1..]).map_or("", |(_, d)| d);
                (Tok::Slop(digits), 1 + digits.len())
            }
            '"' => match quoted_len(s) {
                Some(n) => (Tok::Quoted(&s[1..n - 1]), n),
                None => return err(start, "unterminated phrase"),
            },
            '/' => match regex_len(s) {
                Some(n) if s[..n - 1].ends_with('\\') => {
                    return err(start, "regex ending with a backslash is not supported");
                }
                Some(n) => (Tok::Regex(&s[1..n - 1]), n),
                None => return err(start, "unterminated regex"),
            },
            _ => match word_len(s) {
                Ok(0) => return err(start, format!("unexpected `{c}`")),
                Ok(n) => match &s[..n] {
                    "AND" | "&&" => (Tok::And, n),
                    "OR" | "||" => (Tok::Or, n),
                    "NOT" => (Tok::Not, n),
                    w => (Tok::Word(w), n),
                },
                Err(at) => return err(start + at, "escape character at end of input"),
            },
        };
        Ok(Tk { tok, start, end: start + len })
    }

    fn peek(&self) -> Result<Tk<'a>, SyntaxError> {
        self.lex(self.pos)
    }

    /// Lexer of Lucene's `Range` state (bounds are `*`, `TO`, quoted, or runs of non-blank chars).
    fn rlex(&self) -> Result<(RTok<'a>, usize, usize), SyntaxError> {
        let rest = self.src.get(self.pos..).unwrap_or("");
        let s = skip_ws(rest);
        let start = self.pos + rest.len() - s.len();
        let (tok, len) = match s.chars().next() {
            None => (RTok::Eof, 0),
            Some(']') => (RTok::End(true), 1),
            Some('}') => (RTok::End(false), 1),
            Some('"') => match quoted_len(s) {
                Some(n) if n > 2 => (RTok::Quoted(&s[1..n - 1]), n),
                Some(_) => return err(start, "empty range bound"),
                None => return err(start, "unterminated quoted range bound"),
            },
            Some(_) => {
                let goop = take_till1::<_, _, nom::error::Error<&str>>(|c| is_ws(c) || c == ']' || c == '}')
                    .parse(s)
                    .map_or(s, |(_, g)| g);
                (if goop == "TO" { RTok::To } else { RTok::Goop(goop) }, goop.len())
            }
        };
        Ok((tok, start, start + len))
    }

    fn query(&mut self, field: Option<&str>, depth: usize) -> Result<Node<Query>, SyntaxError> {
        let mut items: Vec<(Conj, Modifier, usize, Node<Query>)> = Vec::new();
        loop {
            let mut t = self.peek()?;
            let mut conj = Conj::Implicit;
            if !items.is_empty() {
                match t.tok {
                    Tok::And | Tok::Or => {
                        conj = if t.tok == Tok::And { Conj::And } else { Conj::Or };
                        self.pos = t.end;
                        t = self.peek()?;
                    }
                    tok if !starts_clause(tok) => break,
                    _ => {}
                }
            }
            let modifier = match t.tok {
                Tok::Plus => Modifier::Plus,
                Tok::Minus | Tok::Not => Modifier::Minus,
                _ => Modifier::Bare,
            };
            if modifier != Modifier::Bare {
                self.pos = t.end;
            }
            let q = self.clause(field, depth)?;
            items.push((conj, modifier, t.start, q));
        }
        let (start, end) = match (items.first(), items.last()) {
            (Some(first), Some(last)) => (first.2, last.3.end),
            _ => return err(self.pos, "expected a clause"),
        };
        if items.len() == 1 && items[0].1 == Modifier::Bare {
            return Ok(items.swap_remove(0).3);
        }
        let mut clauses: Vec<Clause> = Vec::with_capacity(items.len());
        for (conj, modifier, _, query) in items {
            if let Some(last) = clauses.last_mut().filter(|c| c.occur != Occur::MustNot) {
                if conj == Conj::And {
                    last.occur = Occur::Must;
                } else if conj == Conj::Or && self.default_and {
                    last.occur = Occur::Should;
                }
            }
            let prohibited = modifier == Modifier::Minus;
            let required = if self.default_and {
                !prohibited && conj != Conj::Or
            } else {
                modifier == Modifier::Plus || (conj == Conj::And && !prohibited)
            };
            let occur = match (prohibited, required) {
                (true, _) => Occur::MustNot,
                (false, true) => Occur::Must,
                (false, false) => Occur::Should,
            };
            clauses.push(Clause { conj, modifier, occur, query });
        }
        Ok(Node { node: Query::Bool(clauses), start, end })
    }

    fn clause(&mut self, inherited: Option<&str>, depth: usize) -> Result<Node<Query>, SyntaxError> {
        let mut t = self.peek()?;
        let start = t.start;
        let mut field = inherited.map(str::to_string);
        if let Tok::Word(raw) = t.tok {
            let colon = self.lex(t.end)?;
            if colon.tok == Tok::Colon {
                field = Some(flat(unescape(raw, t.start, true)?));
                self.pos = colon.end;
                t = self.peek()?;
            }
        }
        if t.tok != Tok::LParen {
            return self.term(field, start, t);
        }
        if depth >= MAX_DEPTH {
            return err(t.start, "groups nested too deeply");
        }
        self.pos = t.end;
        let inner = self.query(field.as_deref(), depth + 1)?;
        let close = self.peek()?;
        match close.tok {
            Tok::RParen => self.pos = close.end,
            Tok::Eof => return err(t.start, "unclosed `(`"),
            tok => return err(close.start, format!("expected `)`, found {}", describe(tok))),
        }
        let boost = self.boost()?;
        Ok(Node { node: Query::Group { query: Box::new(inner), boost }, start, end: self.pos })
    }

    fn boost(&mut self) -> Result<Option<f64>, SyntaxError> {
        let t = self.peek()?;
        if t.tok != Tok::Caret {
            return Ok(None);
        }
        let Ok((_, num)) = number(self.src.get(t.end..).unwrap_or("")) else {
            return err(t.end, "expected a number after `^`");
        };
        let Some(v) = num.parse::<f64>().ok().filter(|v| v.is_finite()) else {
            return err(t.end, "boost out of range");
        };
        self.pos = t.end + num.len();
        Ok(Some(v))
    }

    fn term(&mut self, field: Option<String>, start: usize, t: Tk<'a>) -> Result<Node<Query>, SyntaxError> {
        match t.tok {
            Tok::Word(_) | Tok::Bare(_) | Tok::Quoted(_) | Tok::Regex(_) => self.pos = t.end,
            Tok::RangeStart(inclusive) => {
                self.pos = t.end;
                return self.range(field, start, inclusive);
            }
            tok => return err(t.start, format!("expected a term, found {}", describe(tok))),
        }
        let mut boost = self.boost()?;
        let mut slop = None;
        let s = self.peek()?;
        if let Tok::Slop(digits) = s.tok {
            self.pos = s.end;
            slop = Some((digits, s.start));
            if boost.is_none() {
                boost = self.boost()?;
            }
        }
        let end = self.pos;
        let node = |node| Ok(Node { node, start, end });
        let term = match t.tok {
            Tok::Regex(re) => match slop {
                Some((_, at)) => return err(at, "`~` after a regex is not supported"),
                None => Term::Regex(re.to_string()),
            },
            Tok::Quoted(raw) => {
                let text = flat(unescape(raw, t.start + 1, false)?);
                // Lucene truncates a fractional phrase slop; `~` alone means the default slop.
                let proximity = slop.and_then(|(d, _)| d.parse::<f64>().ok()).map(|v| v as u32);
                Term::Phrase { text, proximity }
            }
            _ => {
                let raw = match t.tok {
                    Tok::Word(raw) | Tok::Bare(raw) => raw,
                    _ => "",
                };
                let parts = unescape(raw, t.start, true)?;
                if parts.iter().any(|p| !matches!(p, Part::Text(_))) {
                    if let Some((_, at)) = slop {
                        return err(at, "`~` after a wildcard term is not supported");
                    }
                    let pure_star = parts == [Part::AnyChars] && boost.is_none();
                    match field.as_deref() {
                        Some(f) if pure_star && f != "*" => return node(Query::Exists { field: f.into() }),
                        _ => Term::Word(parts),
                    }
                } else {
                    let text = flat(parts);
                    if let Some((digits, at)) = slop {
                        Term::Fuzzy { text, distance: fuzzy_distance(digits, at)? }
                    } else if field.as_deref() == Some("_exists_") && boost.is_none() {
                        return node(Query::Exists { field: text });
                    } else if let (Some(_), Some((lower, upper))) = (&field, half_range(&text)) {
                        return node(Query::Range { field, lower, upper, boost });
                    } else {
                        Term::Word(vec![Part::Text(text)])
                    }
                }
            }
        };
        node(Query::Term { field, term, boost })
    }

    fn range(
        &mut self,
        field: Option<String>,
        start: usize,
        lower_inc: bool,
    ) -> Result<Node<Query>, SyntaxError> {
        let lower = self.bound_value()?;
        let (t, _, e) = self.rlex()?;
        if t == RTok::To {
            self.pos = e;
        }
        let upper = self.bound_value()?;
        let (t, s, e) = self.rlex()?;
        let RTok::End(upper_inc) = t else {
            return err(s, "expected `]` or `}` to close the range");
        };
        self.pos = e;
        let boost = self.boost()?;
        let mk = |v: Option<String>, inc: bool| match v {
            None => Bound::Unbounded,
            Some(v) if inc => Bound::Inclusive(v),
            Some(v) => Bound::Exclusive(v),
        };
        let (lower, upper) = (mk(lower, lower_inc), mk(upper, upper_inc));
        Ok(Node { node: Query::Range { field, lower, upper, boost }, start, end: self.pos })
    }

    /// One range bound; `None` is the open bound `*`.
    fn bound_value(&mut self) -> Result<Option<String>, SyntaxError> {
        let (t, s, e) = self.rlex()?;
        self.pos = e;
        match t {
            RTok::Goop("*") => Ok(None),
            RTok::Goop(raw) => Ok(Some(flat(unescape(raw, s, false)?))),
            RTok::Quoted(raw) => Ok(Some(flat(unescape(raw, s + 1, false)?))),
            RTok::To => Ok(Some("TO".into())),
            RTok::End(_) | RTok::Eof => err(s, "expected a range bound"),
        }
    }
}

fn fuzzy_distance(digits: &str, at: usize) -> Result<Option<u32>, SyntaxError> {
    if digits.is_empty() {
        return Ok(None);
    }
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() <= 0.0 => Ok(Some(v as u32)),
        _ => err(at, "fractional or huge fuzziness is not supported"),
    }
}

/// Canonical printer: explicit operators as written, fields on every term, `-` for MUST_NOT,
/// bracket form for all ranges, and escapes wherever needed so that the output re-parses to the
/// same tree (modulo spans).
pub fn print(q: &Node<Query>) -> String {
    let mut out = String::new();
    print_into(&q.node, &mut out);
    out
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        if is_ws(c) || SPECIAL.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

fn escape_word(s: &str, out: &mut String) {
    if matches!(s, "AND" | "OR" | "NOT" | "&&" | "||") {
        out.push('\\');
    }
    escape(s, out);
}

fn push_quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn push_suffix(out: &mut String, prefix: char, v: Option<impl fmt::Display>) {
    if let Some(v) = v {
        let _ = write!(out, "{prefix}{v}");
    }
}

fn push_bound(b: &Bound, out: &mut String) {
    match b {
        Bound::Unbounded => out.push('*'),
        Bound::Inclusive(v) | Bound::Exclusive(v) => {
            let odd = |c: char| is_ws(c) || matches!(c, ']' | '}' | '"' | '\\');
            if v.is_empty() || v == "*" || v == "TO" || v.chars().any(odd) {
                push_quoted(v, out);
            } else {
                out.push_str(v);
            }
        }
    }
}

fn print_into(q: &Query, out: &mut String) {
    match q {
        Query::Bool(clauses) => {
            for (i, c) in clauses.iter().enumerate() {
                if i > 0 {
                    out.push_str(match c.conj {
                        Conj::Implicit => " ",
                        Conj::And => " AND ",
                        Conj::Or => " OR ",
                    });
                }
                out.push_str(match c.modifier {
                    Modifier::Bare => "",
                    Modifier::Plus => "+",
                    Modifier::Minus => "-",
                });
                print_into(&c.query.node, out);
            }
        }
        Query::Term { field, term, boost } => {
            if let Some(f) = field {
                escape_word(f, out);
                out.push(':');
            }
            match term {
                Term::Word(parts) => match parts.as_slice() {
                    [Part::Text(t)] => escape_word(t, out),
                    parts => parts.iter().for_each(|p| match p {
                        Part::Text(t) => escape(t, out),
                        Part::AnyChars => out.push('*'),
                        Part::OneChar => out.push('?'),
                    }),
                },
                Term::Phrase { text, proximity } => {
                    push_quoted(text, out);
                    push_suffix(out, '~', *proximity);
                }
                Term::Regex(re) => {
                    let _ = write!(out, "/{re}/");
                }
                Term::Fuzzy { text, distance } => {
                    escape_word(text, out);
                    out.push('~');
                    if let Some(d) = distance {
                        let _ = write!(out, "{d}");
                    }
                }
            }
            push_suffix(out, '^', *boost);
        }
        Query::Exists { field } => {
            out.push_str("_exists_:");
            escape_word(field, out);
        }
        Query::Range { field, lower, upper, boost } => {
            if let Some(f) = field {
                escape_word(f, out);
                out.push(':');
            }
            out.push(if matches!(lower, Bound::Exclusive(_)) { '{' } else { '[' });
            push_bound(lower, out);
            out.push_str(" TO ");
            push_bound(upper, out);
            out.push(if matches!(upper, Bound::Exclusive(_)) { '}' } else { ']' });
            push_suffix(out, '^', *boost);
        }
        Query::Group { query, boost } => {
            out.push('(');
            print_into(&query.node, out);
            out.push(')');
            push_suffix(out, '^', *boost);
        }
    }
}
