//! Front-ends: source text → IR rules. This registry (with `crate::backend`'s) is the only
//! code that lists the platforms; a platform's reader knows nothing of any other platform.

use crate::diag::{Diagnostics, FileId, Sources};
use crate::ir::Rule;
use std::path::{Path, PathBuf};

use crate::platform::{elastic, panther};

/// Options a front-end may need beyond the text (companion files, helper directories).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Directory of Panther global helpers (`--helpers`); `None` = search beside/above the rule.
    pub helpers_dir: Option<PathBuf>,
}

/// What a front-end may use while parsing: every source read so far (it may add companion
/// files such as a Panther `.py`, so that spans point into them) and the options.
pub struct ParseCtx<'a> {
    pub sources: &'a mut Sources,
    pub options: &'a Options,
}

/// One rule read from an input, or the reason there is none. A file yields one or more.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub rule: Option<Rule>,
    pub diags: Diagnostics,
}

impl Parsed {
    pub fn failed(diags: Diagnostics) -> Self {
        Parsed { rule: None, diags }
    }
}

pub trait Frontend: Sync {
    /// Platform id: snake_case, also the fixtures folder and snapshot prefix.
    fn id(&self) -> &'static str;
    /// Name on the command line (`--from`).
    fn cli_name(&self) -> &'static str;
    /// File extensions (without the dot) this front-end reads when walking a directory.
    fn extensions(&self) -> &'static [&'static str] {
        &[]
    }
    /// Whether this front-end reads this file (used by `--from auto`).
    fn detect(&self, path: &Path, text: &str) -> bool;
    /// Parse one file into rules. Never panics; problems become diagnostics.
    fn parse(&self, ctx: &mut ParseCtx<'_>, file: FileId) -> Vec<Parsed>;
}

/// Every front-end, in `--from auto` detection order.
pub static ALL: &[&dyn Frontend] = &[
    &panther::yaml::PantherYaml,
    &elastic::read::ElasticToml,
    &elastic::read::ElasticNdjson,
    &elastic::read::KUERY_QUERY,
    &elastic::read::LUCENE_QUERY,
];

/// Find a front-end by CLI name or id.
pub fn by_name(name: &str) -> Option<&'static dyn Frontend> {
    ALL.iter().copied().find(|f| f.cli_name() == name || f.id() == name)
}

/// The front-end that claims this file, if any.
pub fn detect(path: &Path, text: &str) -> Option<&'static dyn Frontend> {
    ALL.iter().copied().find(|f| f.detect(path, text))
}

/// Whether a directory walk should pick up this file for `from` (or for any front-end).
pub fn wants_extension(from: Option<&dyn Frontend>, ext: &str) -> bool {
    match from {
        Some(f) => f.extensions().contains(&ext),
        None => ALL.iter().any(|f| f.extensions().contains(&ext)),
    }
}
