//! A readable rendering of a rule's IR: metadata, the detection tree, and one table row
//! per predicate (field, operator, values, case, quantifier). Used by `ruleport ir` and
//! the `@ir` snapshots.

use super::{Expr, ExprKind, Predicate, Rule, Stage, StageKind};
use std::fmt::Write;

/// Render a rule for humans.
pub fn render_rule(rule: &Rule) -> String {
    let mut out = String::new();
    let m = &rule.meta;
    let _ = writeln!(out, "rule {} — {}", m.id, m.title);
    if let Some(l) = &m.level {
        let _ = writeln!(out, "  level: {} (source: {})", l.level.as_str(), l.source);
    }
    if let Some(e) = m.enabled {
        let _ = writeln!(out, "  enabled: {e}");
    }
    let ls = &rule.logsource;
    let taxonomy: Vec<String> =
        [("product", &ls.product), ("service", &ls.service), ("category", &ls.category)]
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .chain((!ls.native.is_empty()).then(|| {
                format!("native={}", ls.native.iter().map(|n| n.id.as_str()).collect::<Vec<_>>().join(","))
            }))
            .collect();
    if !taxonomy.is_empty() {
        let _ = writeln!(out, "  logsource: {}", taxonomy.join(" "));
    }
    if !m.attack.is_empty() {
        let attack: Vec<String> = m
            .attack
            .iter()
            .map(|a| {
                [a.tactic.as_deref(), a.technique.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect();
        let _ = writeln!(out, "  attack: {}", attack.join(" "));
    }
    if !rule.tests.is_empty() {
        let _ = writeln!(out, "  tests: {}", rule.tests.len());
    }
    let mut rows = Vec::new();
    for stage in &rule.query.stages {
        render_stage(stage, &mut out, &mut rows);
    }
    if !rows.is_empty() {
        out.push_str(&table(&rows));
    }
    out
}

fn render_stage(stage: &Stage, out: &mut String, rows: &mut Vec<[String; 6]>) {
    match &stage.kind {
        StageKind::Where(e) => {
            out.push_str("where\n");
            render_expr(e, 1, out, rows);
        }
        StageKind::Unparsed { language, text } => {
            let _ = writeln!(out, "unparsed {language} ({} bytes)", text.len());
        }
        other => {
            let _ = writeln!(out, "{}", serde_json::to_string(other).unwrap_or_default());
        }
    }
}

fn render_expr(e: &Expr, depth: usize, out: &mut String, rows: &mut Vec<[String; 6]>) {
    let pad = "  ".repeat(depth);
    match &e.kind {
        ExprKind::And(xs) | ExprKind::Or(xs) => {
            let name = if matches!(e.kind, ExprKind::And(_)) { "and" } else { "or" };
            let _ = writeln!(out, "{pad}{name}");
            xs.iter().for_each(|x| render_expr(x, depth + 1, out, rows));
        }
        ExprKind::Not(x) => {
            let _ = writeln!(out, "{pad}not");
            render_expr(x, depth + 1, out, rows);
        }
        ExprKind::Const(b) => {
            let _ = writeln!(out, "{pad}{b}");
        }
        ExprKind::Keyword(k) => {
            let _ = writeln!(out, "{pad}keyword {} ({:?})", k.pattern, k.case);
        }
        ExprKind::Elements(el) => {
            let q = format!("{:?}", el.quantifier).to_lowercase();
            let _ = writeln!(out, "{pad}{q} element of {}:", el.path);
            render_expr(&el.body, depth + 1, out, rows);
            if let Some(u) = &el.until {
                let _ = writeln!(out, "{pad}  every element before it:");
                render_expr(u, depth + 2, out, rows);
            }
        }
        ExprKind::Pred(p) => {
            rows.push(row(rows.len() + 1, p));
            let _ = writeln!(out, "{pad}#{}", rows.len());
        }
    }
}

fn row(n: usize, p: &Predicate) -> [String; 6] {
    let values: Vec<String> = p.values.iter().map(ToString::to_string).collect();
    let case = if p.op.is_unary() { "-".into() } else { format!("{:?}", p.case).to_lowercase() };
    let quant = if p.values.len() > 1 { format!("{:?}", p.quantifier).to_lowercase() } else { "-".into() };
    [format!("#{n}"), p.field.to_string(), p.op.to_string(), values.join(", "), case, quant]
}

fn table(rows: &[[String; 6]]) -> String {
    let header = ["pred", "field", "op", "values", "case", "quantifier"].map(String::from);
    let mut widths = [0usize; 6];
    for r in std::iter::once(&header).chain(rows) {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = r.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}
