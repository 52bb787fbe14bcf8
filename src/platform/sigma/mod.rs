//! Sigma as a target: detection YAML with modifiers and a condition.

pub mod emit;
