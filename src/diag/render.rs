//! rustc-style rendering of diagnostics.

use super::{Diagnostic, Sources};
use std::fmt::Write;

/// Render one diagnostic: `path:line:col: severity[code]: message`, then the source line
/// with carets under the span, then `help:` if any. `fallback` names the input when the
/// diagnostic has no span.
pub fn render(d: &Diagnostic, sources: &Sources, fallback: &str) -> String {
    let mut out = String::new();
    let located = d.span.and_then(|s| sources.get(s.file).map(|f| (s, f)));
    match located {
        Some((span, file)) => {
            let lc = file.line_col(span.start as usize);
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                file.path.display(),
                lc.line,
                lc.column,
                d.severity,
                d.code,
                d.message
            );
            let line = file.line_text(lc.line);
            let gutter = lc.line.to_string().len();
            let end_lc = file.line_col(span.end as usize);
            let width = if end_lc.line == lc.line {
                end_lc.column.saturating_sub(lc.column).max(1)
            } else {
                line.chars().count().saturating_sub(lc.column - 1).max(1)
            };
            let _ = writeln!(out, "{:gutter$} |", "");
            let _ = writeln!(out, "{} | {}", lc.line, line);
            let _ = writeln!(out, "{:gutter$} | {}{}", "", " ".repeat(lc.column - 1), "^".repeat(width));
        }
        None => {
            let _ = writeln!(out, "{}: {}[{}]: {}", fallback, d.severity, d.code, d.message);
        }
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  = help: {help}");
    }
    out
}

/// Render many diagnostics in order.
pub fn render_all<'a>(
    diags: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &Sources,
    fallback: &str,
) -> String {
    diags.into_iter().map(|d| render(d, sources, fallback)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, SourceFile, Span};

    #[test]
    fn renders_like_rustc() {
        let mut sources = Sources::new();
        let id = sources.add(SourceFile::new("r.yml", "a: 1\nCondition: Nope\n"));
        let d = Diagnostic::error(Code::InvalidValue, "unknown Condition `Nope`")
            .with_span(Some(Span::new(id, 16, 20)));
        insta::assert_snapshot!(render(&d, &sources, "r.yml"), @r"
        r.yml:2:12: error[invalid-value]: unknown Condition `Nope`
          |
        2 | Condition: Nope
          |            ^^^^
        ");
    }
}
