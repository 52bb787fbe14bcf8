//! Analysed text fields (mapping data in `text_fields.txt`) and what `field:value` means on
//! them: Kibana sends a quoted value as `match_phrase` and an unquoted one as `match`, whose
//! words are alternatives; a pattern matches words.

use crate::eval::analyzer::split_words;
use crate::ir::{glob_matches, Case, Expr, FieldPath, Op, Pattern, Predicate, Seg, Value};

const TEXT_FIELDS: &str = include_str!("text_fields.txt");

/// Whether Elastic analyses the field at `path` (an `elastic_path`) as text.
pub(crate) fn is_text_field(path: &FieldPath) -> bool {
    let mut keys = Vec::new();
    for seg in &path.0 {
        match seg {
            Seg::Key(k) => keys.push(k.as_str()),
            Seg::Each(_) => {}
            _ => return false,
        }
    }
    let name = keys.join(".");
    TEXT_FIELDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|pattern| glob_matches(pattern, &name))
}

/// A value of a full-text query.
pub(crate) enum TextValue {
    /// `"…"`: the words in order.
    Phrase(String),
    /// Unquoted: any one of its words.
    Words(String),
    Pattern(Pattern),
}

/// `path:value` on a text field.
pub(crate) fn text_match(path: FieldPath, value: TextValue, span: Option<crate::diag::Span>) -> Expr {
    let values = match value {
        TextValue::Phrase(p) => vec![Value::Str(p)],
        TextValue::Pattern(p) => vec![Value::Pattern(p)],
        TextValue::Words(text) => split_words(&text).into_iter().map(Value::Str).collect(),
    };
    if values.is_empty() {
        // A value without words (`-`) gives a query that matches nothing.
        return Expr::constant(false, span);
    }
    Expr::pred(Predicate::new(path, Op::Match, values, Case::Insensitive), span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::elastic::read::kuery::elastic_path;

    #[test]
    fn text_fields_come_from_the_mapping_data() {
        assert!(is_text_field(&elastic_path("message")));
        assert!(is_text_field(&elastic_path("process.command_line.text")));
        assert!(is_text_field(&elastic_path("powershell.file.script_block_text")));
        assert!(!is_text_field(&elastic_path("process.command_line")));
        assert!(!is_text_field(&elastic_path("event.message_id")));
    }
}
