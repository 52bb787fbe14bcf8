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
    /// The rule's logic lives in Python, which is not parsed yet.
    PythonLogic = "python-logic",
    /// Panther enrichment (lookup tables, threat intel) cannot be converted.
    Enrichment = "enrichment",
    /// Panther `Mocks` in a test: the mocked calls cannot be reproduced elsewhere.
    Mocks = "mocks",
    /// A rule's test log could not be evaluated.
    TestLog = "test-log",
    /// The converted rule disagrees with its own embedded tests.
    TestsDisagree = "tests-disagree",
    /// The target cannot express the construct exactly; the output matches a different set of events.
    Lossy = "lossy",
    /// The target cannot express the construct at all.
    Inexpressible = "inexpressible",
    /// A pipeline stage other than a filter that the target cannot express.
    Stage = "stage",
    /// Metadata that the target has no place for; kept in a comment or custom field.
    Metadata = "metadata",
    /// The input nests deeper than ruleport reads (a limit that keeps deep input from exhausting the stack).
    TooDeep = "too-deep",
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
    pub fn lossy(message: impl Into<String>) -> Self {
        Self::new(Severity::Lossy, Code::Lossy, message)
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
