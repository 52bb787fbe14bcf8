//! ruleport: convert security detection rules between platforms through one detection IR.
//!
//! The flow is `text → frontend → IR → backend → files`; see ARCHITECTURE.md.
//! - [`frontend::ALL`] and [`backend::ALL`] are the registries;
//! - [`driver`] chains them for one input (the library API the CLI uses);
//! - [`eval`] executes the IR, which is how conversions are proven.

pub mod backend;
pub mod cli;
pub mod diag;
pub mod driver;
pub mod eval;
pub mod frontend;
pub mod ir;
