//! Back-ends: IR rule → target files. Each builds a target value, then prints it, with
//! escaping in one place per target.

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{distribute_elements, Expr, Quantifier, Rule, StageKind};

pub mod elastic_dsl;
pub mod elastic_rule;
pub mod kuery;
pub mod lucene;
pub mod panther_python;
pub mod sigma;

/// One emitted file: the output path is the input's stem plus `suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Appended to the stem, e.g. `.yml`, `.py`, `.json`.
    pub suffix: String,
    pub content: String,
}

/// What a back-end knows about where its output goes.
#[derive(Debug, Clone)]
pub struct EmitCtx {
    /// File stem the outputs will be written under (`wiz_revoke_user_sessions`).
    pub stem: String,
}

pub trait Backend: Sync {
    /// Platform id: snake_case, also the snapshot suffix.
    fn id(&self) -> &'static str;
    /// Name on the command line (`--to`).
    fn cli_name(&self) -> &'static str;
    /// Emit the rule. `None` (with an error diagnostic) when no faithful output exists;
    /// lossy output comes with `lossy` diagnostics saying what changed.
    fn emit(&self, rule: &Rule, ctx: &EmitCtx, diags: &mut Diagnostics) -> Option<Vec<OutputFile>>;
}

pub static ALL: &[&dyn Backend] = &[
    &sigma::Sigma,
    &elastic_dsl::ElasticDsl,
    &panther_python::PantherPython,
    &kuery::KUERY,
    &lucene::LUCENE,
    &elastic_rule::ElasticRule,
];

pub fn by_name(name: &str) -> Option<&'static dyn Backend> {
    ALL.iter().copied().find(|b| b.cli_name() == name || b.id() == name)
}

/// The rule's detection as one filter, for back-ends that express filters only. Any other
/// stage (or logic a front-end could not translate) is an error naming `target`.
pub(crate) fn filter_only(rule: &Rule, target: &str, diags: &mut Diagnostics) -> Option<Expr> {
    let (filter, rest) = rule.query.split_filter();
    if let Some(stage) = rest.first() {
        let msg = match &stage.kind {
            StageKind::Unparsed { .. } => "no detection logic to convert".to_string(),
            _ => format!("{target} cannot express this query stage (only filters are converted so far)"),
        };
        diags.push(Diagnostic::error(Code::Stage, msg).with_span(stage.span));
        return None;
    }
    if filter.is_none() {
        diags.push(Diagnostic::error(Code::Inexpressible, "no detection logic to convert"));
    }
    filter
}

/// A source whose field names match case-insensitively (Panther) and whose own tests rely on
/// it (a test log spells a field the rule reads in another case, and the verdict changes):
/// `target` matches field names exactly, so say so (`lossy`). Logs with the schema's own
/// spelling are unaffected.
pub(crate) fn key_case_note(rule: &Rule, target: &str, diags: &mut Diagnostics) {
    if !rule.logsource.case_insensitive_keys {
        return;
    }
    let Some(filter) = rule.filter() else { return };
    let exact = Rule {
        logsource: crate::ir::LogSource { case_insensitive_keys: false, ..rule.logsource.clone() },
        ..rule.clone()
    };
    for t in &rule.tests {
        let folded = crate::eval::eval_rule(rule, &t.log);
        if folded.is_ok() && folded != crate::eval::eval_rule(&exact, &t.log) {
            let msg = format!(
                "test `{}` spells a field the rule reads in another case; Panther matches field names case-insensitively, {target} does not",
                t.name
            );
            diags.push(Diagnostic::lossy(msg).with_span(t.span.or(filter.span)));
            return;
        }
    }
}

/// The source alerts only after `meta.threshold` matching events; a target that alerts on
/// each one says so.
pub(crate) fn threshold_not_kept(rule: &Rule, target: &str, diags: &mut Diagnostics) {
    if let Some(n) = rule.meta.threshold.filter(|n| *n > 1) {
        let msg = format!("the source alerts after {n} matching events; {target} alerts on each one");
        diags.push(Diagnostic::lossy(msg));
    }
}

/// [`filter_only`] for targets without element-scoped tests: each `Elements` node becomes
/// per-predicate fan-outs, with a `lossy` diagnostic where that changes the meaning.
pub(crate) fn flat_filter_only(rule: &Rule, target: &str, diags: &mut Diagnostics) -> Option<Expr> {
    let filter = filter_only(rule, target, diags)?;
    key_case_note(rule, target, diags);
    let filter = without_shape_tests(filter, target, diags);
    // Flattening can leave constants behind (an element test whose body became one).
    Some(crate::ir::simplify(flatten_elements(&filter, target, diags)))
}

/// Type tests, which per-field targets cannot say: a type test is read as "present", since a
/// SIEM field holds one type, with a `lossy` note. A negated `IsList` (the Python front-end's
/// guard for `deep_walk`: no list on the way) is read as holding instead, as these targets
/// treat a value and a list of values alike.
pub(crate) fn without_shape_tests(e: Expr, target: &str, diags: &mut Diagnostics) -> Expr {
    use crate::ir::{ExprKind, Op};
    /// `within`: the element path (`a[*]`) that predicates below an `Elements` are relative to.
    fn go(
        e: Expr,
        target: &str,
        diags: &mut Diagnostics,
        hit: &mut bool,
        negated: bool,
        within: &str,
    ) -> Expr {
        let span = e.span;
        let name = |p: &crate::ir::Predicate| {
            if within.is_empty() || p.field.0.is_empty() {
                format!("{within}{}", p.field)
            } else {
                format!("{within}.{}", p.field)
            }
        };
        match e.kind {
            ExprKind::And(xs) => {
                Expr::and(xs.into_iter().map(|x| go(x, target, diags, hit, negated, within)).collect(), span)
            }
            ExprKind::Or(xs) => {
                Expr::or(xs.into_iter().map(|x| go(x, target, diags, hit, negated, within)).collect(), span)
            }
            ExprKind::Not(x) => Expr::not(go(*x, target, diags, hit, !negated, within), span),
            ExprKind::Pred(p) if p.op == Op::IsList && negated => {
                let msg = format!(
                    "`{}`: {target} cannot test whether a field is a list; read as not a list",
                    name(&p)
                );
                diags.push(Diagnostic::lossy(msg).with_span(span));
                *hit = true;
                Expr::constant(false, span)
            }
            ExprKind::Pred(p) if p.op.is_type_test() => {
                let msg = format!(
                    "`{}`: {target} cannot test a value's type (`{}`); read as present",
                    name(&p),
                    p.op
                );
                diags.push(Diagnostic::lossy(msg).with_span(span));
                *hit = true;
                Expr::pred(crate::ir::Predicate { op: Op::Exists, values: vec![], ..p }, span)
            }
            ExprKind::Elements(el) => {
                let path = format!("{within}{}", el.path);
                if el.until.is_some() {
                    let msg = format!(
                        "`{path}`: the source visits these elements in order and stops at the first that ends its loop (by returning or raising); {target} tests them in any order"
                    );
                    diags.push(Diagnostic::lossy(msg).with_span(span));
                }
                let body = go(*el.body, target, diags, hit, negated, &format!("{path}[*]"));
                let el = crate::ir::Elements { body: Box::new(body), until: None, ..el };
                Expr::new(ExprKind::Elements(el), span)
            }
            kind => Expr { kind, span },
        }
    }
    let mut hit = false;
    let out = go(e, target, diags, &mut hit, false, "");
    let out = null_is_missing(out, target, diags);
    if hit {
        crate::ir::simplify(out)
    } else {
        out
    }
}

/// A key that holds null, which these targets cannot tell from a missing one (Sigma's null
/// and Elasticsearch match both). The IR says "missing" as `is null and not == null` and
/// "present" as `exists or == null`: written that way the two tests cancel out (missing would
/// match nothing, present everything), so the `== null` part is dropped, with a `lossy` note:
/// missing also matches a null, present does not.
fn null_is_missing(e: Expr, target: &str, diags: &mut Diagnostics) -> Expr {
    use crate::ir::ExprKind;
    let span = e.span;
    let and = matches!(e.kind, ExprKind::And(_));
    match e.kind {
        ExprKind::And(xs) | ExprKind::Or(xs) if !xs.is_empty() => {
            let xs: Vec<Expr> = xs.into_iter().map(|x| null_is_missing(x, target, diags)).collect();
            // The `== null` half of a pair (`not == null` under And), which is dropped.
            let pair: for<'a> fn(&'a Expr, &'a Expr) -> Option<&'a crate::ir::FieldPath> =
                if and { Expr::missing_pair } else { Expr::present_pair };
            let is_null_half = |x: &Expr| match &x.kind {
                ExprKind::Not(inner) if and => matches!(&inner.kind, ExprKind::Pred(p) if p.is_eq_null()),
                ExprKind::Pred(p) if !and => p.is_eq_null(),
                _ => false,
            };
            let what =
                if and { "\"missing\" also matches a null" } else { "\"present\" does not match a null" };
            let mut kept = Vec::new();
            for (i, x) in xs.iter().enumerate() {
                let partner = is_null_half(x)
                    .then(|| xs.iter().enumerate().find_map(|(j, y)| (i != j).then(|| pair(x, y)).flatten()))
                    .flatten();
                match partner {
                    Some(f) => {
                        let msg =
                            format!("`{f}`: {target} cannot tell a null field from a missing one; {what}");
                        diags.push(Diagnostic::lossy(msg).with_span(x.span.or(span)));
                    }
                    None => kept.push(x.clone()),
                }
            }
            if and {
                Expr::and(kept, span)
            } else {
                Expr::or(kept, span)
            }
        }
        ExprKind::Not(x) => Expr::not(null_is_missing(*x, target, diags), span),
        ExprKind::Elements(el) => {
            let body = null_is_missing(*el.body, target, diags);
            Expr::new(ExprKind::Elements(crate::ir::Elements { body: Box::new(body), ..el }), span)
        }
        kind => Expr { kind, span },
    }
}

pub(crate) fn flatten_elements(e: &Expr, target: &str, diags: &mut Diagnostics) -> Expr {
    let (flat, inexact) = distribute_elements(e);
    for i in inexact {
        let (q, was, now) = match i.quantifier {
            Quantifier::Any => ("some", "one element", "different elements"),
            Quantifier::All => ("every", "each element", "all elements by one condition"),
        };
        let msg = format!(
            "`{}`: {target} cannot scope several conditions to one array element; the conditions \
             {q} element of the array had to meet on {was} can now be met by {now}",
            i.path
        );
        diags.push(Diagnostic::lossy(msg).with_span(i.span));
    }
    flat
}

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
    if !unaffected && crate::frontend::elastic::text_fields::is_text_field(&p.field) {
        let msg = format!(
            "`{}` is an analysed text field in Elastic: {target} matches this `{}` test against its words, not its whole value",
            p.field, p.op
        );
        diags.push(Diagnostic::lossy(msg).with_span(span));
    }
}

/// The values an Elastic query string must spell out: a number or boolean that a sibling
/// string spells is implied by that string (Elastic matches both).
pub(crate) fn visible_values(values: &[crate::ir::Value]) -> Vec<&crate::ir::Value> {
    use crate::frontend::elastic::kuery::coerced;
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
        threshold_not_kept(rule, self.what, diags);
        Some(vec![OutputFile { suffix: format!(".{}", self.language), content }])
    }
}
