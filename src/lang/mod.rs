//! Query languages as syntax only: each has an AST, a parser and a canonical printer, and
//! imports nothing from the IR. What a query *means* on a platform is the platform's business
//! (`crate::platform`), so one grammar serves every platform that speaks it.
//!
//! - [`kuery`]: Kibana's query language (Elastic KQL);
//! - [`lucene`]: Lucene `query_string` syntax.

pub mod kuery;
pub mod lucene;

/// Why a query string does not parse, for every grammar here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the first offending character.
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for SyntaxError {}
