//! A YAML tree whose every node keeps its source span.
//!
//! serde_yaml gives no positions, and every IR node must point back into the file the user
//! has, so YAML front-ends read through this: yaml-rust2's event parser (which reports
//! positions) builds the tree, and plain scalars are typed like the YAML 1.2 core schema
//! (`true`, `403`, `1.5`, `null`/`~`; quoted and block scalars are always strings).

use crate::diag::{FileId, Span};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub struct Yaml {
    pub kind: YamlKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum YamlKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Yaml>),
    /// Entries in source order (keys may repeat in broken files; lookups take the first).
    Map(Vec<(Yaml, Yaml)>),
}

/// A YAML syntax error at a position.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
    /// Well-formed as far as read, but nested deeper than [`MAX_DEPTH`].
    pub too_deep: bool,
}

impl Yaml {
    /// Look up a mapping key (string keys only).
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        self.entries().iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }
    /// Mapping entries, or an empty slice for non-mappings.
    pub fn entries(&self) -> &[(Yaml, Yaml)] {
        match &self.kind {
            YamlKind::Map(m) => m,
            _ => &[],
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            YamlKind::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Yaml]> {
        match &self.kind {
            YamlKind::Seq(s) => Some(s),
            _ => None,
        }
    }
    pub fn is_map(&self) -> bool {
        matches!(self.kind, YamlKind::Map(_))
    }
    /// A scalar's text as written after typing (`true`, `403`, `abc`), for messages and
    /// for keys that accept any scalar as text.
    pub fn scalar_text(&self) -> Option<String> {
        Some(match &self.kind {
            YamlKind::Null => "null".into(),
            YamlKind::Bool(b) => b.to_string(),
            YamlKind::Int(i) => i.to_string(),
            YamlKind::Float(f) => f.to_string(),
            YamlKind::Str(s) => s.clone(),
            _ => return None,
        })
    }
    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            YamlKind::Null => "null",
            YamlKind::Bool(_) => "a boolean",
            YamlKind::Int(_) => "an integer",
            YamlKind::Float(_) => "a number",
            YamlKind::Str(_) => "a string",
            YamlKind::Seq(_) => "a list",
            YamlKind::Map(_) => "a mapping",
        }
    }
    /// The node as JSON (mapping keys become strings).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            YamlKind::Null => J::Null,
            YamlKind::Bool(b) => J::Bool(*b),
            YamlKind::Int(i) => J::from(*i),
            YamlKind::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            YamlKind::Str(s) => J::String(s.clone()),
            YamlKind::Seq(items) => J::Array(items.iter().map(Yaml::to_json).collect()),
            YamlKind::Map(entries) => J::Object(
                entries.iter().map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json())).collect(),
            ),
        }
    }
}

/// Parse the first document of `text`. `Ok(None)` for an empty stream.
pub fn parse(text: &str, file: FileId) -> Result<Option<Yaml>, YamlError> {
    let offsets = CharOffsets::new(text);
    let mut builder =
        Builder { file, offsets: &offsets, text, stack: Vec::new(), anchors: Vec::new(), root: None };
    let mut parser = Parser::new_from_str(text);
    // yaml-rust2's `load` recurses once per level: pull its events in a loop instead, and
    // stop at MAX_DEPTH (the tree's readers recurse too).
    loop {
        let (ev, mark) = match parser.next_token() {
            Ok(next) => next,
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                return Err(YamlError {
                    message: e.info().to_string(),
                    span: Span::new(file, at, at + 1),
                    too_deep: false,
                });
            }
        };
        let end = matches!(ev, Event::DocumentEnd | Event::StreamEnd);
        builder.on_event(ev, mark);
        if builder.stack.len() > MAX_DEPTH {
            let at = offsets.byte(mark.index());
            let message = format!("the YAML nests deeper than ruleport reads ({MAX_DEPTH} levels)");
            return Err(YamlError { message, span: Span::new(file, at, at + 1), too_deep: true });
        }
        if end {
            return Ok(builder.root);
        }
    }
}

/// The deepest nesting of sequences and mappings read (`parse` fails past it). Real rules
/// and their test events nest a few dozen levels at most.
pub const MAX_DEPTH: usize = 200;

/// yaml-rust2 markers count characters; spans are bytes.
struct CharOffsets {
    /// Byte offset of every char, only when the text is not ASCII.
    table: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        CharOffsets { table, len: text.len() }
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

enum Frame {
    Seq { start: usize, anchor: usize, items: Vec<Yaml> },
    Map { start: usize, anchor: usize, entries: Vec<(Yaml, Yaml)>, key: Option<Yaml> },
}

struct Builder<'a> {
    file: FileId,
    offsets: &'a CharOffsets,
    text: &'a str,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Yaml)>,
    root: Option<Yaml>,
}

impl Builder<'_> {
    fn push_node(&mut self, node: Yaml, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn scalar(
        &self,
        value: String,
        style: TScalarStyle,
        tag: Option<&yaml_rust2::parser::Tag>,
        at: usize,
    ) -> Yaml {
        let end = scalar_end(self.text, at, &value, style);
        let span = Span::new(self.file, at, end);
        let tagged_str = tag.is_some_and(|t| t.suffix == "str");
        let kind =
            if style != TScalarStyle::Plain || tagged_str { YamlKind::Str(value) } else { type_plain(value) };
        Yaml { kind, span }
    }
}

/// Where a scalar ends: for plain scalars the value's own length; for quoted ones the
/// closing quote on the same line when it can be found.
fn scalar_end(text: &str, at: usize, value: &str, style: TScalarStyle) -> usize {
    let rest = text.get(at..).unwrap_or("");
    match style {
        TScalarStyle::Plain => at + value.len().min(rest.len()),
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
            let line = rest.lines().next().unwrap_or("");
            let quote = if style == TScalarStyle::SingleQuoted { '\'' } else { '"' };
            line.char_indices()
                .skip(1)
                .find(|&(_, c)| c == quote)
                .map_or(at + line.len(), |(i, _)| at + i + 1)
        }
        _ => at + rest.lines().next().map_or(0, str::len),
    }
}

/// YAML 1.2 core schema typing of a plain scalar.
fn type_plain(s: String) -> YamlKind {
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return YamlKind::Null,
        "true" | "True" | "TRUE" => return YamlKind::Bool(true),
        "false" | "False" | "FALSE" => return YamlKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return YamlKind::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return YamlKind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return YamlKind::Float(f64::NAN),
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(&s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = s.parse::<i64>() {
            return YamlKind::Int(i);
        }
    }
    if let Some(hex) = s.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return YamlKind::Int(i);
        }
    }
    if let Some(oct) = s.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return YamlKind::Int(i);
        }
    }
    if looks_float(digits) {
        if let Ok(f) = s.parse::<f64>() {
            return YamlKind::Float(f);
        }
    }
    YamlKind::Str(s)
}

/// `[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?` with at least one digit before the exponent.
fn looks_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits_ok(int) && digits_ok(frac) && !(int.is_empty() && frac.is_empty());
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits_ok(e)
    });
    mantissa_ok && exp_ok && (mantissa.contains('.') || exp.is_some())
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let at = self.offsets.byte(mark.index());
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                let node = self.scalar(value, style, tag.as_ref(), at);
                self.push_node(node, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq { start: at, anchor, items: Vec::new() })
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map { start: at, anchor, entries: Vec::new(), key: None })
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { start, anchor, items }) => {
                        let end = items.last().map_or(at, |n| n.span.end as usize).max(start);
                        (Yaml { kind: YamlKind::Seq(items), span: Span::new(self.file, start, end) }, anchor)
                    }
                    Some(Frame::Map { start, anchor, entries, .. }) => {
                        let end = entries.last().map_or(at, |(_, v)| v.span.end as usize).max(start);
                        (
                            Yaml { kind: YamlKind::Map(entries), span: Span::new(self.file, start, end) },
                            anchor,
                        )
                    }
                    None => return,
                };
                self.push_node(node, anchor);
            }
            Event::Alias(id) => {
                let found = self.anchors.iter().rev().find(|(a, _)| *a == id).map(|(_, n)| n.clone());
                let node = found.unwrap_or(Yaml { kind: YamlKind::Null, span: Span::new(self.file, at, at) });
                self.push_node(node, 0);
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceFile;

    fn p(text: &str) -> Yaml {
        parse(text, FileId(0)).unwrap().unwrap()
    }

    #[test]
    fn types_plain_scalars_like_the_core_schema() {
        let y = p("a: true\nb: 403\nc: '403'\nd: 1.5\ne: ~\nf: abc\ng: \"true\"\nh: 1e3\ni: 1.2.3\n");
        let kinds: Vec<_> = y.entries().iter().map(|(_, v)| v.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                YamlKind::Bool(true),
                YamlKind::Int(403),
                YamlKind::Str("403".into()),
                YamlKind::Float(1.5),
                YamlKind::Null,
                YamlKind::Str("abc".into()),
                YamlKind::Str("true".into()),
                YamlKind::Float(1000.0),
                YamlKind::Str("1.2.3".into()),
            ]
        );
    }

    #[test]
    fn spans_point_at_the_node_in_bytes() {
        let text = "x: é\nDetection:\n  - Key: action\n    Condition: Equals\n";
        let y = p(text);
        let det = y.get("Detection").unwrap();
        let item = &det.as_seq().unwrap()[0];
        let cond = item.get("Condition").unwrap();
        let f = SourceFile::new("t.yml", text);
        let lc = f.line_col(cond.span.start as usize);
        assert_eq!((lc.line, lc.column), (4, 16));
        assert_eq!(&text[cond.span.start as usize..cond.span.end as usize], "Equals");
    }

    #[test]
    fn nesting_past_the_limit_is_an_error_not_a_crash() {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep(MAX_DEPTH), FileId(0)).is_ok());
        let e = parse(&deep(MAX_DEPTH + 1), FileId(0)).unwrap_err();
        assert!(e.too_deep, "{}", e.message);
        // Block style, 5,000 levels: yaml-rust2's own `load` would recurse per level.
        let block: String = (0..5_000).map(|i| format!("{}- \n", "  ".repeat(i))).collect();
        assert!(parse(&block, FileId(0)).unwrap_err().too_deep);
    }

    #[test]
    fn flow_json_logs_become_json() {
        let y = p("Log:\n  {\n    \"a\": [1, \"x\", null, {\"b\": false}]\n  }\n");
        assert_eq!(y.get("Log").unwrap().to_json(), serde_json::json!({"a": [1, "x", null, {"b": false}]}));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let text = "a: [1, 2\nb: c\n";
        let e = parse(text, FileId(0)).unwrap_err();
        assert!(!e.message.is_empty());
        assert!((e.span.start as usize) <= text.len());
    }

    #[test]
    fn aliases_resolve() {
        let y = p("a: &x {k: 1}\nb: *x\n");
        assert_eq!(y.get("b").unwrap().to_json(), serde_json::json!({"k": 1}));
    }
}
