//! ruleport: convert security detection rules between platforms through one detection IR.
//!
//! The flow is `files → RuleSet → IR → passes → target files`; see ARCHITECTURE.md.
//! - [`frontend::ALL`] and [`backend::ALL`] are the registries;
//! - [`driver`] is the one pipeline over a rule set (the library API the CLI uses);
//! - [`lang`] holds the query grammars, [`platform`] each platform's semantics, [`passes`]
//!   the shared IR passes;
//! - [`eval`] executes the IR, which is how conversions are proven.

pub mod backend;
pub mod cli;
pub mod diag;
pub mod driver;
pub mod eval;
pub mod frontend;
pub mod ir;
pub mod lang;
pub mod passes;
pub mod platform;
pub mod syntax;
