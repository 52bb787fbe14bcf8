//! Elastic targets, and what the query-string targets share.

pub mod dsl;
pub mod kuery;
pub mod lucene;
pub mod rule;

use crate::backend::{Backend, EmitCtx, OutputFile};
use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::Rule;
use crate::passes::fit::correlation_not_kept;

/// A dotted field name for a path of keys, each optionally followed by an element step
/// (Elastic's query languages name fields this way).
pub(crate) fn dotted_field_name(path: &crate::ir::FieldPath) -> Option<String> {
    use crate::ir::Seg;
    if let [Seg::Glob(g)] = &path.0[..] {
        return Some(g.clone());
    }
    let mut keys = Vec::new();
    for seg in &path.0 {
        match seg {
            Seg::Key(k) if !k.is_empty() => keys.push(k.as_str()),
            Seg::Each(_) => {}
            _ => return None,
        }
    }
    (!keys.is_empty()).then(|| keys.join("."))
}

/// A test other than a full-text match on a field Elastic analyses as text (`message`): there it
/// is matched against the field's words, not its whole value, so say so (`lossy`).
pub(crate) fn text_field_note(
    p: &crate::ir::Predicate,
    target: &str,
    span: Option<Span>,
    diags: &mut Diagnostics,
) {
    use crate::ir::Op;
    let unaffected = matches!(p.op, Op::Match | Op::Exists | Op::IsNull) || p.op.is_type_test();
    if !unaffected && super::text_fields::is_text_field(&p.field) {
        let msg = format!(
            "`{}` is an analysed text field in Elastic: {target} matches this `{}` test against its words, not its whole value",
            p.field, p.op
        );
        diags.push(Diagnostic::lossy(Code::LossyTextField, msg).with_span(span));
    }
}

/// The values an Elastic query string must spell out: a number or boolean that a sibling
/// string spells is implied by that string (Elastic matches both).
pub(crate) fn visible_values(values: &[crate::ir::Value]) -> Vec<&crate::ir::Value> {
    use super::read::kuery::coerced;
    use crate::ir::Value;
    values
        .iter()
        .filter(|v| match v {
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => !values.iter().any(|s| match s {
                Value::Str(s) => coerced(s).as_ref() == Some(*v),
                _ => false,
            }),
            _ => true,
        })
        .collect()
}

/// A back-end whose output is one query string (kuery, Lucene).
pub struct QueryString {
    /// Platform id, CLI name and file suffix at once.
    language: &'static str,
    /// How the target is named in a threshold note.
    what: &'static str,
    text: fn(&Rule, &mut Diagnostics) -> Option<String>,
}

impl Backend for QueryString {
    fn id(&self) -> &'static str {
        self.language
    }
    fn cli_name(&self) -> &'static str {
        self.language
    }
    fn emit(&self, rule: &Rule, _ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>> {
        let content = (self.text)(rule, diags)? + "\n";
        correlation_not_kept(rule, self.what, diags);
        Some(vec![OutputFile { suffix: format!(".{}", self.language), content }])
    }
}
