//! Unit tests of the Elasticsearch query-DSL evaluator used as the `es-dsl` oracle by
//! tests/execution.rs (the tests sit in the evaluator's own file).

#[path = "support/dsl_eval.rs"]
mod dsl_eval;
