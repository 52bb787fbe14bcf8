//! Passes over the IR: each is a function from IR to IR (plus diagnostics), written once and
//! shared by every platform.
//!
//! - [`simplify`]: meaning-preserving flattening, merging and pruning;
//! - [`elements`]: element-scoped tests rewritten as per-predicate fan-outs;
//! - [`fit`]: a target's capabilities applied to a rule, each fallback and its `lossy` note
//!   written once.

mod elements;
pub mod fit;
mod simplify;

pub use elements::{distribute_elements, Inexact};
pub use simplify::simplify;
