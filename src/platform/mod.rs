//! Platforms: each owns both directions' semantics (how its engine matches, how its rule files
//! are laid out) and nothing of any other platform. The registries in `crate::frontend` and
//! `crate::backend` are the only code that lists them.

pub mod elastic;
pub mod panther;
pub mod sigma;
