//! Command line. Placeholder.
pub fn run() -> i32 {
    0
}
