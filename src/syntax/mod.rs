//! Syntax helpers shared by readers of several platforms: the spanned YAML tree.

pub mod yaml_spanned;
