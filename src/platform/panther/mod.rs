//! Panther: rule YAML (metadata, inline tests, Simple Detection), the Python `rule(event)`
//! it names, and Panther Python + YAML as a target.
//!
//! - [`yaml`]: the rule file → IR (calls [`python`] for `Filename:` rules);
//! - `python`: `rule(event)` → IR, read symbolically;
//! - [`emit`]: IR → Panther Python and its YAML.

pub mod emit;
pub(crate) mod python;
pub mod yaml;
