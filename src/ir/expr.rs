//! Detection expressions: a boolean tree over typed predicates.

use super::fold::{fold_expr_children, Fold, FoldScope};
use super::scalar::Root;
use super::visit::{walk_expr, walk_predicate, Scope, Visitor};
use crate::diag::Span;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The deepest expression tree a reader hands on. The passes, the evaluator and the back-ends
/// recurse once per level, so readers refuse deeper trees with a `too-deep` error
/// ([`too_deep`]); real rules nest a few dozen levels at most.
pub const MAX_DEPTH: usize = 400;

/// The `too-deep` error for `e` when it nests deeper than [`MAX_DEPTH`].
pub fn too_deep(e: &Expr) -> Option<crate::diag::Diagnostic> {
    let depth = e.depth();
    (depth > MAX_DEPTH).then(|| {
        let msg =
            format!("the detection nests {depth} levels deep, deeper than ruleport reads ({MAX_DEPTH})");
        crate::diag::Diagnostic::error(crate::diag::Code::TooDeep, msg).with_span(e.span)
    })
}

/// A node of the detection tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExprKind {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Pred(Predicate),
    /// An unbound full-text term (kuery/Lucene free text, Sigma keywords).
    Keyword(Keyword),
    Const(bool),
    /// Element-scoped test over an array: some / every element satisfies `body` (kuery's
    /// nested `f:{ … }`, a Python `for` loop or `any(a and b for x in …)`).
    Elements(Elements),
}

/// `any` / `all` elements of the array at `path` satisfy `body`, whose field paths are
/// relative to the element. The elements are the values `path` reaches (fanning out at its
/// `Each` steps), an array among them contributing its items: a scalar counts as one element,
/// and an absent or null field has none (so `any` is false and `all` is true).
///
/// With `until` (only with `any`), the elements are visited in order, as a Python loop
/// visits them until one ends it: the test holds when some element satisfies `body` and
/// every element before it satisfies `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Elements {
    pub path: FieldPath,
    pub quantifier: Quantifier,
    pub body: Box<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Box<Expr>>,
}

/// A free-text term matched against the whole event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyword {
    pub pattern: Pattern,
    pub case: Case,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Option<Span>) -> Self {
        Expr { kind, span }
    }
    pub fn pred(p: Predicate, span: Option<Span>) -> Self {
        Expr::new(ExprKind::Pred(p), span)
    }
    pub fn and(items: Vec<Expr>, span: Option<Span>) -> Self {
        Expr::new(ExprKind::And(items), span)
    }
    pub fn or(items: Vec<Expr>, span: Option<Span>) -> Self {
        Expr::new(ExprKind::Or(items), span)
    }
    #[allow(clippy::should_implement_trait)]
    pub fn not(inner: Expr, span: Option<Span>) -> Self {
        Expr::new(ExprKind::Not(Box::new(inner)), span)
    }
    pub fn constant(b: bool, span: Option<Span>) -> Self {
        Expr::new(ExprKind::Const(b), span)
    }

    /// The key at `path` is present, its value perhaps null (Python's `"k" in mapping`):
    /// `exists or == null`.
    pub fn present(path: FieldPath) -> Self {
        let eq_null = Predicate::new(path.clone(), Op::Eq, vec![Value::Null], Case::Sensitive);
        let exists = Predicate::new(path, Op::Exists, vec![], Case::Sensitive);
        Expr::or(vec![Expr::pred(exists, None), Expr::pred(eq_null, None)], None)
    }

    /// The key at `path` is missing, not a present null: `is null and not == null`.
    pub fn missing(path: FieldPath) -> Self {
        let eq_null = Predicate::new(path.clone(), Op::Eq, vec![Value::Null], Case::Sensitive);
        let is_null = Predicate::new(path, Op::IsNull, vec![], Case::Sensitive);
        Expr::and(vec![Expr::pred(is_null, None), Expr::not(Expr::pred(eq_null, None), None)], None)
    }

    /// The path when `a` and `b` are the two halves of [`Expr::present`] (either order).
    pub fn present_pair<'a>(a: &'a Expr, b: &'a Expr) -> Option<&'a FieldPath> {
        let (a, b) = (a.as_pred()?, b.as_pred()?);
        let (exists, null) = if a.op == Op::Exists { (a, b) } else { (b, a) };
        (exists.op == Op::Exists && null.is_eq_null() && exists.field == null.field).then_some(&exists.field)
    }

    /// The path when `a` and `b` are the two halves of [`Expr::missing`] (either order).
    pub fn missing_pair<'a>(a: &'a Expr, b: &'a Expr) -> Option<&'a FieldPath> {
        let (null, not) = if matches!(a.kind, ExprKind::Not(_)) { (b, a) } else { (a, b) };
        let ExprKind::Not(inner) = &not.kind else { return None };
        let (null, eq) = (null.as_pred()?, inner.as_pred()?);
        (null.op == Op::IsNull && eq.is_eq_null() && null.field == eq.field).then_some(&null.field)
    }

    fn as_pred(&self) -> Option<&Predicate> {
        match &self.kind {
            ExprKind::Pred(p) => Some(p),
            _ => None,
        }
    }

    /// How deeply the tree nests (a leaf is 1; the scalars of a computed operand count
    /// their levels too), measured without recursion so that it is safe on any tree: readers
    /// compare it with [`MAX_DEPTH`] before any recursive pass runs.
    pub fn depth(&self) -> usize {
        super::visit::depth(self)
    }

    /// Visit every node, parents before children (those in a computed operand's scalars too).
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        struct Nodes<'f, F>(&'f mut F);
        impl<'a, F: FnMut(&'a Expr)> Visitor<'a> for Nodes<'_, F> {
            fn visit_expr(&mut self, e: &'a Expr, scope: &mut Scope<'a>) {
                (self.0)(e);
                walk_expr(self, e, scope);
            }
        }
        Nodes(f).visit_expr(self, &mut Scope::default());
    }

    /// Every predicate in the tree, in order (those under [`ExprKind::Elements`] have
    /// element-relative paths: [`Expr::for_each_field`] gives their element scopes).
    pub fn predicates(&self) -> Vec<&Predicate> {
        struct Preds<'a>(Vec<&'a Predicate>);
        impl<'a> Visitor<'a> for Preds<'a> {
            fn visit_predicate(&mut self, p: &'a Predicate, scope: &mut Scope<'a>) {
                self.0.push(p);
                walk_predicate(self, p, scope);
            }
        }
        let mut preds = Preds(Vec::new());
        preds.visit_expr(self, &mut Scope::default());
        preds.0
    }

    /// Whether two trees are equal apart from their spans (without copying either).
    pub fn same_as(&self, other: &Expr) -> bool {
        let all = |a: &[Expr], b: &[Expr]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y));
        match (&self.kind, &other.kind) {
            (ExprKind::And(a), ExprKind::And(b)) | (ExprKind::Or(a), ExprKind::Or(b)) => all(a, b),
            (ExprKind::Not(a), ExprKind::Not(b)) => a.same_as(b),
            (ExprKind::Elements(a), ExprKind::Elements(b)) => {
                a.path == b.path
                    && a.quantifier == b.quantifier
                    && a.body.same_as(&b.body)
                    && match (&a.until, &b.until) {
                        (Some(x), Some(y)) => x.same_as(y),
                        (x, y) => x.is_none() && y.is_none(),
                    }
            }
            (a, b) => a == b,
        }
    }

    /// The same tree with every span removed (for comparisons that ignore positions).
    pub fn without_spans(&self) -> Expr {
        struct NoSpans;
        impl Fold for NoSpans {
            fn fold_expr(&mut self, e: Expr, scope: &mut FoldScope) -> Expr {
                Expr { span: None, ..fold_expr_children(self, e, scope) }
            }
        }
        NoSpans.fold_expr(self.clone(), &mut FoldScope::default())
    }
}

/// One test of one field (or of the field's elements) against typed values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predicate {
    /// What the path starts from: the event (the usual case), a column, a computed value.
    #[serde(default, skip_serializing_if = "Root::is_event")]
    pub root: Root,
    pub field: FieldPath,
    pub op: Op,
    /// Empty for value-less operators (`Exists`, `IsNull`, `IsEmpty`, `Truthy`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// How `values` combine: any one matches (a list is OR) or all must match.
    #[serde(default)]
    pub quantifier: Quantifier,
    #[serde(default)]
    pub case: Case,
}

impl Predicate {
    /// `== null`: the key is present and holds null.
    pub fn is_eq_null(&self) -> bool {
        self.op == Op::Eq && self.values == [Value::Null]
    }
    pub fn new(field: FieldPath, op: Op, values: Vec<Value>, case: Case) -> Self {
        Predicate { root: Root::Event, field, op, values, quantifier: Quantifier::Any, case }
    }
}

/// Comparison operators. There are no negated variants: negation is always `Not(..)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Whole-value equality (strings, numbers, booleans, null).
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    /// Substring of a string value; on an array value, membership of an element.
    Contains,
    StartsWith,
    EndsWith,
    /// Whole-term match (Kusto `has`): the value occurs bounded by non-alphanumerics.
    Term,
    /// Glob pattern over the whole value ([`Value::Pattern`]).
    Wildcard,
    /// Full-text match of an analysed text field (Elastic's `message:"…"`): the value's words
    /// occur in the field's words consecutively and in order (a phrase; see `eval::analyzer`),
    /// case-insensitively; a [`Value::Pattern`] matches any one word.
    Match,
    /// Regular expression ([`Value::Regex`]); unanchored search unless the pattern anchors.
    Regex,
    /// IP address inside a CIDR block ([`Value::Cidr`]).
    Cidr,
    /// The field is present with a non-null value.
    Exists,
    /// The field is absent or JSON null.
    IsNull,
    /// The field is present and an empty string, array or object.
    IsEmpty,
    /// Python truthiness: present, and not null / false / 0 / "" / [] / {}.
    Truthy,
    /// The field is present and a list (what Python's deep_walk walks through).
    IsList,
    /// The field is present and an object (a mapping).
    IsObject,
    /// The field is present and a boolean.
    IsBool,
    /// The field is present and an integer number (written without fraction or exponent).
    IsInteger,
    /// The field is present and a number written with a fraction or exponent.
    IsFloat,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::Term => "term",
            Op::Wildcard => "wildcard",
            Op::Match => "match",
            Op::Regex => "regex",
            Op::Cidr => "cidr",
            Op::Exists => "exists",
            Op::IsNull => "is_null",
            Op::IsEmpty => "is_empty",
            Op::Truthy => "truthy",
            Op::IsList => "is_list",
            Op::IsObject => "is_object",
            Op::IsBool => "is_bool",
            Op::IsInteger => "is_integer",
            Op::IsFloat => "is_float",
        }
    }
    /// Operators that take no values.
    pub fn is_unary(self) -> bool {
        matches!(self, Op::Exists | Op::IsNull | Op::IsEmpty | Op::Truthy) || self.is_type_test()
    }
    /// Tests of a value's JSON type (`IsList`, `IsObject`, `IsBool`, `IsInteger`, `IsFloat`).
    pub fn is_type_test(self) -> bool {
        matches!(self, Op::IsList | Op::IsObject | Op::IsBool | Op::IsInteger | Op::IsFloat)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    #[default]
    Sensitive,
    Insensitive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Quantifier {
    #[default]
    Any,
    All,
}

/// A typed comparison value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    /// A glob pattern, for [`Op::Wildcard`].
    Pattern(Pattern),
    /// A regular expression, for [`Op::Regex`].
    Regex(Regex),
    /// A CIDR block such as `10.0.0.0/8`, for [`Op::Cidr`].
    Cidr(String),
    /// Another field of the same event (Panther key/key comparisons).
    Field(FieldPath),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Null => f.write_str("null"),
            Value::Pattern(p) => write!(f, "glob({p})"),
            Value::Regex(r) => write!(f, "/{}/", r.pattern),
            Value::Cidr(c) => write!(f, "cidr({c})"),
            Value::Field(p) => write!(f, "field({p})"),
        }
    }
}

/// A regular expression and the flavour it was written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regex {
    pub pattern: String,
    pub flavor: RegexFlavor,
    /// Python `re.match` anchors at the start, `re.fullmatch` and Lucene at both ends.
    pub anchor: Anchor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegexFlavor {
    Pcre,
    Python,
    Re2,
    Lucene,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// Search anywhere in the value.
    #[default]
    None,
    /// Match must start at the beginning.
    Start,
    /// Match must cover the whole value.
    Full,
}

/// A glob pattern stored as structure: literals never carry escape sequences.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Pattern(pub Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Piece {
    Lit(String),
    /// `*`: any run of characters, possibly empty.
    AnyChars,
    /// `?`: exactly one character.
    AnyChar,
}

impl Pattern {
    pub fn literal(s: impl Into<String>) -> Self {
        Pattern(vec![Piece::Lit(s.into())])
    }
    /// The literal text if the pattern has no wildcards.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Lit(s) => out.push_str(s),
                _ => return None,
            }
        }
        Some(out)
    }
}

impl fmt::Display for Pattern {
    /// Display form: `*` and `?` are wildcards, literal `*`, `?` and `\` are backslash-escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            match p {
                Piece::Lit(s) => {
                    for c in s.chars() {
                        if matches!(c, '*' | '?' | '\\') {
                            f.write_str("\\")?;
                        }
                        write!(f, "{c}")?;
                    }
                }
                Piece::AnyChars => f.write_str("*")?,
                Piece::AnyChar => f.write_str("?")?,
            }
        }
        Ok(())
    }
}

/// A path into the event: keys, indexes and element fan-outs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct FieldPath(pub Vec<Seg>);

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seg {
    Key(String),
    /// Array index; negative counts from the end (Python).
    Index(i64),
    /// Every element of an array, combined with the quantifier (`a[*]`, `any(x for x in a)`).
    Each(Quantifier),
    /// The JSON document a string value holds (Python's `json.loads`): the path continues
    /// inside it; a value that is not a string of valid JSON is absent.
    Json,
    /// Every leaf field whose dotted name matches this glob (`*` matches any characters,
    /// dots included; arrays are transparent), as Elastic's wildcard field names (`a.*.b`)
    /// match them; any one of them satisfying the test suffices. Always the last segment.
    Glob(String),
}

impl FieldPath {
    pub fn key(name: impl Into<String>) -> Self {
        FieldPath(vec![Seg::Key(name.into())])
    }
    pub fn keys<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        FieldPath(names.into_iter().map(|n| Seg::Key(n.into())).collect())
    }
    /// True when every segment is a plain key.
    pub fn is_simple(&self) -> bool {
        self.0.iter().all(|s| matches!(s, Seg::Key(_)))
    }
    /// The key names, if the path is simple.
    pub fn key_names(&self) -> Option<Vec<&str>> {
        self.0
            .iter()
            .map(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Display for FieldPath {
    /// `a.b[0][*]`; keys that are not identifiers are quoted: `a["x.y"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) => {
                    let plain = !k.is_empty()
                        && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '@');
                    if plain {
                        if i > 0 {
                            f.write_str(".")?;
                        }
                        f.write_str(k)?;
                    } else {
                        write!(f, "[{k:?}]")?;
                    }
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Each(Quantifier::Any) => f.write_str("[*]")?,
                Seg::Each(Quantifier::All) => f.write_str("[all]")?,
                Seg::Glob(g) => write!(f, "{}{{{g}}}", if i > 0 { "." } else { "" })?,
                Seg::Json => f.write_str("(json)")?,
            }
        }
        Ok(())
    }
}

/// Whether `name` matches the field-name glob `pattern`, where `*` matches any run of
/// characters (dots included) and everything else is literal.
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split yields one part");
    let Some(mut tail) = name.strip_prefix(first) else { return false };
    let Some((last, middle)) = rest.split_last() else { return tail.is_empty() };
    for part in middle {
        match tail.find(part) {
            Some(i) => tail = &tail[i + part.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

#[cfg(test)]
mod glob_tests {
    use super::glob_matches;

    #[test]
    fn star_spans_dots_and_the_rest_is_literal() {
        assert!(glob_matches("a.*.b", "a.0.b"));
        assert!(glob_matches("a.*.b", "a.0.x.b"));
        assert!(!glob_matches("a.*.b", "a.b"));
        assert!(glob_matches("a.*", "a.b.c"));
        assert!(glob_matches("*.name", "user.name"));
        assert!(!glob_matches("a.*.b", "a.0.bc"));
        assert!(glob_matches("a*b*c", "abc"));
        assert!(!glob_matches("a*b*c", "acb"));
        assert!(glob_matches("plain", "plain"));
        assert!(!glob_matches("plain", "plainer"));
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn depth_counts_levels_without_recursing() {
        let leaf = Expr::constant(true, None);
        assert_eq!(leaf.depth(), 1);
        assert_eq!(Expr::and(vec![leaf.clone(), Expr::not(leaf.clone(), None)], None).depth(), 3);
        let mut deep = leaf;
        for _ in 0..100_000 {
            deep = Expr::not(deep, None);
        }
        assert_eq!(deep.depth(), 100_001);
        assert!(too_deep(&deep).is_some_and(|d| d.code == crate::diag::Code::TooDeep));
        // Dropping it would recurse too: unwind it by hand.
        while let ExprKind::Not(inner) = deep.kind {
            deep = *inner;
        }
    }
}
