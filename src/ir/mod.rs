//! The shared detection IR: what every front-end produces and every back-end consumes.
//!
//! - [`rule`]: a whole rule: metadata, log source, tests, the query, and `extra`.
//! - [`expr`]: the boolean detection tree over typed [`Predicate`]s.
//! - [`stage`]: the typed query pipeline (filter, extend, summarize, join …) over
//!   [`scalar`] values (fields, columns by id, typed calls);
//! - [`correlation`]: counts, value counts and sequences over many events;
//! - [`time`]: exact durations and time references;
//! - [`visit`] and [`fold`]: walks that reach every node and every field path (a
//!   [`visit::Visitor`] by reference, a [`fold::Fold`] by value).
//!
//! Semantics (the evaluator in `crate::eval` is their executable definition):
//! - A predicate on a field that is absent is false, whatever its operator, except
//!   [`Op::IsNull`] (absent or JSON null). `Not` is plain boolean negation, so
//!   `Not(f == "v")` is true when `f` is absent, as in kuery and Python.
//! - A path with [`Seg::Each`] fans out over array elements with its own any/all quantifier.
//!   A plain key that lands on an array compares the array as a whole (Python semantics).
//! - [`ExprKind::Elements`] scopes a whole sub-expression to one array element at a time;
//!   `passes::distribute_elements` rewrites it as per-predicate fan-outs, exactly where it can.
//! - [`Quantifier`] on a predicate combines its `values`: any (a list is OR) or all.

pub mod correlation;
pub mod expr;
pub mod fold;
pub mod pretty;
pub mod rule;
pub mod scalar;
pub mod stage;
pub mod time;
pub mod visit;

pub use correlation::*;
pub use expr::*;
pub use rule::*;
pub use scalar::*;
pub use stage::*;
pub use time::{Duration, TimeRef};
