//! Throughput over the shared corpus: `cargo bench --bench throughput [-- PLATFORM_DIR]`.
//!
//! Reads every rule file under ../shared/corpus (or the given directory) once into memory, then
//! times parse → self-check → emit for every back-end, several rounds, and prints rules/s.
//! A benchmark, not a test: it asserts nothing and never runs under `cargo test`.

use ruleport::backend;
use ruleport::diag::{Diagnostics, Sources};
use ruleport::driver;
use ruleport::frontend::{self, Options};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let root = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if !root.is_dir() {
        eprintln!("throughput: {} not found; nothing to measure", root.display());
        return;
    }
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let inputs: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter(|p| frontend::wants_extension(None, p.extension().and_then(|e| e.to_str()).unwrap_or("")))
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect();
    let bytes: usize = inputs.iter().map(|(_, t)| t.len()).sum();
    println!(
        "throughput: {} files, {:.1} MiB under {}",
        inputs.len(),
        bytes as f64 / 1048576.0,
        root.display()
    );
    let rounds = 5;
    let mut best_parse = f64::MAX;
    let mut best_all = f64::MAX;
    let mut rules = 0;
    for _ in 0..rounds {
        let t0 = Instant::now();
        let (n, _) = run(&inputs, false);
        best_parse = best_parse.min(t0.elapsed().as_secs_f64());
        let t1 = Instant::now();
        run(&inputs, true);
        best_all = best_all.min(t1.elapsed().as_secs_f64());
        rules = n;
    }
    println!(
        "parse + self-check:            {rules} rules in {:.3}s = {:.0} rules/s",
        best_parse,
        rules as f64 / best_parse
    );
    println!(
        "parse + self-check + {} back-ends: {:.3}s = {:.0} rule conversions/s",
        backend::ALL.len(),
        best_all,
        (rules * backend::ALL.len()) as f64 / best_all
    );
    // As `ruleport convert` runs a batch: inputs shared out over every core.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut best_parallel = f64::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        let chunk = inputs.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            for part in inputs.chunks(chunk) {
                s.spawn(move || run(part, false));
            }
        });
        best_parallel = best_parallel.min(t.elapsed().as_secs_f64());
    }
    println!(
        "parse + self-check on {threads} threads: {rules} rules in {:.3}s = {:.0} rules/s",
        best_parallel,
        rules as f64 / best_parallel
    );
}

/// Returns (rules parsed, outputs emitted).
fn run(inputs: &[(PathBuf, String)], emit: bool) -> (usize, usize) {
    let options = Options::default();
    let (mut rules, mut outputs) = (0, 0);
    for (path, text) in inputs {
        let mut sources = Sources::new();
        let (_, parsed) = driver::parse_source(&mut sources, &options, None, path, text.clone());
        for p in parsed {
            rules += 1;
            let Some(rule) = p.rule else { continue };
            let mut diags: Diagnostics = p.diags;
            driver::self_check(&rule, &mut diags);
            if emit {
                for b in backend::ALL {
                    outputs += driver::emit(&rule, *b, "bench", &mut diags).len();
                }
            }
        }
    }
    (rules, outputs)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
