//! Diagnostics: what every stage reports instead of panicking or dropping input.
//!
//! A [`Diagnostic`] has a stable [`Code`], a [`Severity`], a message and an optional
//! [`Span`] (byte offsets into a [`SourceFile`] registered in [`Sources`]).
//! Rendering follows rustc: `path:line:col: severity[code]: message`, the source line
//! and carets.

mod render;
mod source;

pub use render::{render, render_all};
pub use source::{FileId, LineCol, SourceFile, Sources, Span};

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Lint remark; output is unaffected.
    Note,
    /// Lint remark worth acting on; output is unaffected.
    Warning,
    /// Output was written but matches a different set of events; the message says how.
    Lossy,
    /// No faithful output is possible.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Lossy => "lossy",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal ),* $(,)?) => {
        /// Stable diagnostic codes. The string form is part of the CLI contract
        /// (reports, lint configuration); never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Code {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }
        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }
            /// One-line documentation of the code.
            pub fn doc(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_start(),)* }
            }
        }
    };
}

codes! {
    /// The input could not be read or decoded.
    Io = "io",
    /// The input is not well-formed (YAML, JSON, query syntax).
    Syntax = "syntax",
    /// The input is well-formed but not a rule this front-end understands.
    NotARule = "not-a-rule",
    /// A key or construct the front-end does not support.
    Unsupported = "unsupported",
    /// A rule key has a value of the wrong type or an unknown enumeration value.
    InvalidValue = "invalid-value",
    /// A required key is missing.
    MissingKey = "missing-key",
    /// Python rule logic that the translator cannot carry into the IR; the message names the construct.
    PythonLogic = "python-logic",
    /// Panther enrichment (lookup tables, threat intel) cannot be converted.
    Enrichment = "enrichment",
    /// Panther `Mocks` in a test: the mocked calls cannot be reproduced elsewhere.
    Mocks = "mocks",
    /// A rule's test log could not be evaluated.
    TestLog = "test-log",
    /// The converted rule disagrees with its own embedded tests.
    TestsDisagree = "tests-disagree",
    /// Null and missing are told apart by the source but not by the target (or the other way round).
    LossyNullMissing = "lossy-null-missing",
    /// A test of the whole value, of all elements, of one position or of elements in order became
    /// a test that any element satisfies.
    LossyAnyElement = "lossy-any-element",
    /// Values compare with a different type coercion or order (a number matches its string form,
    /// a string range compares terms).
    LossyCoercion = "lossy-coercion",
    /// A value matches with different case sensitivity.
    LossyCase = "lossy-case",
    /// Field names match with different case sensitivity (Panther folds field-name case).
    LossyFieldCase = "lossy-field-case",
    /// A field name that the target reads differently (a dot read as nesting, a wildcard field
    /// name, JSON text parsed as an object).
    LossyFieldName = "lossy-field-name",
    /// Free text, or an analysed text field, is matched by other words or fields than the source
    /// matches (words vs whole value, substrings of any field).
    LossyTextField = "lossy-text-field",
    /// A type, shape or truthiness test the target cannot make was approximated.
    LossyTypeTest = "lossy-type-test",
    /// A wildcard pattern matches other strings (a one-character wildcard widened to any run).
    LossyWildcard = "lossy-wildcard",
    /// A regular expression's flavour differs (anchors, newlines, flags).
    LossyRegex = "lossy-regex",
    /// A condition over several events (threshold, value count, grouping, window, new terms,
    /// indicator match) is not kept exactly: the target alerts on other sets of events.
    LossyCorrelation = "lossy-correlation",
    /// A source construct with no exact meaning on any target was approximated or dropped while
    /// reading (exception lists, fuzzy or proximity terms, relative time bounds).
    LossyRead = "lossy-read",
    /// A construct that changes relevance scores, not which events match (a boost, an optional
    /// clause beside a required one): dropped, and the matches are unchanged.
    ScoreOnly = "score-only",
    /// The target cannot express the construct at all.
    Inexpressible = "inexpressible",
    /// A pipeline stage other than a filter that the target cannot express.
    Stage = "stage",
    /// Metadata that the target has no place for; kept in a comment or custom field.
    Metadata = "metadata",
    /// The input nests deeper than ruleport reads (a limit that keeps deep input from exhausting the stack).
    TooDeep = "too-deep",
}

impl Code {
    /// The codes that say how a conversion matches different events.
    pub fn is_lossy(self) -> bool {
        self.as_str().starts_with("lossy-")
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    /// Users select and ignore diagnostics by code: the README's table lists every one.
    #[test]
    fn the_readme_documents_every_code() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        for code in Code::ALL {
            let row = format!("| `{code}` | {} |", code.doc());
            assert!(readme.contains(&row), "README.md has no row `{row}`");
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, with where it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic { severity, code, message: message.into(), span: None, help: None }
    }
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    /// A `lossy` finding: `code` names what changed (one of the `Lossy*` codes).
    pub fn lossy(code: Code, message: impl Into<String>) -> Self {
        debug_assert!(code.is_lossy(), "{code} is not a lossy code");
        Self::new(Severity::Lossy, code, message)
    }
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn note(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, code, message)
    }
    pub fn with_span(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// An ordered collection of diagnostics. Stages push; nobody pops.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// The worst severity present, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.0.iter().map(|d| d.severity).max()
    }
    pub fn has_errors(&self) -> bool {
        self.worst() == Some(Severity::Error)
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
