//! Elastic: detection-rules TOML, Kibana NDJSON and bare kuery / Lucene queries as sources;
//! Elasticsearch query DSL, kuery, Lucene and whole Elastic rules as targets. Both directions
//! share Elastic's matching semantics (coercion, analysed text fields) from here.
//!
//! - [`read`]: rule files and queries → IR;
//! - [`emit`]: IR → DSL, kuery, Lucene, Elastic rules;
//! - `text_fields`: which fields Elastic analyses as text (mapping data).

pub mod emit;
pub mod read;
pub(crate) mod text_fields;
