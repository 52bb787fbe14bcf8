//! Capability fallbacks: what a target cannot say is rewritten here, once, with the `lossy`
//! note that says what changed. Back-ends call these; none restates a fallback.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{CorrelationKind, Expr, Quantifier, Rule, StageKind};
use crate::passes::distribute_elements;

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
    let Some(filter) = filter else {
        diags.push(Diagnostic::error(Code::Inexpressible, "no detection logic to convert"));
        return None;
    };
    // Back-ends write predicates as event fields; a column or computed operand is not one.
    let computed = filter.predicates().into_iter().find(|p| !p.root.is_event()).map(|p| p.field.to_string());
    if let Some(field) = computed {
        let msg = format!("{target} cannot express a test of a computed value or column (`{field}`) yet");
        diags.push(Diagnostic::error(Code::Stage, msg).with_span(filter.span));
        return None;
    }
    Some(filter)
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
        let Some(log) = t.log() else { continue };
        let folded = crate::eval::eval_rule(rule, log);
        if folded.is_ok() && folded != crate::eval::eval_rule(&exact, log) {
            let msg = format!(
                "test `{}` spells a field the rule reads in another case; Panther matches field names case-insensitively, {target} does not",
                t.name
            );
            diags.push(Diagnostic::lossy(Code::LossyFieldCase, msg).with_span(t.span.or(filter.span)));
            return;
        }
    }
}

/// The source alerts on a condition over many events (a threshold, a value count, a
/// sequence); a target that alerts on each matching event says so.
pub(crate) fn correlation_not_kept(rule: &Rule, target: &str, diags: &mut Diagnostics) {
    let Some(c) = rule.effective_correlation() else { return };
    let grouped = if c.group_by.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = c.group_by.iter().map(|f| format!("`{f}`")).collect();
        format!(" per {}", names.join(", "))
    };
    let within = c.window.map(|w| format!(" within {w}")).unwrap_or_default();
    let what = match (rule.threshold(), &c.kind) {
        (Some(n), _) => format!("after {n} matching events{grouped}{within}"),
        (None, CorrelationKind::ValueCount { field }) => {
            format!("on a count of distinct `{field}` values{grouped}{within}")
        }
        (None, _) => format!("on a correlation of several events{grouped}{within}"),
    };
    diags.push(Diagnostic::lossy(
        Code::LossyCorrelation,
        format!("the source alerts {what}; {target} alerts on each one"),
    ));
}

/// [`filter_only`] for targets without element-scoped tests: each `Elements` node becomes
/// per-predicate fan-outs, with a `lossy` diagnostic where that changes the meaning.
pub(crate) fn flat_filter_only(rule: &Rule, target: &str, diags: &mut Diagnostics) -> Option<Expr> {
    let filter = filter_only(rule, target, diags)?;
    key_case_note(rule, target, diags);
    let filter = without_shape_tests(filter, target, diags);
    // Flattening can leave constants behind (an element test whose body became one).
    Some(crate::passes::simplify(flatten_elements(&filter, target, diags)))
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
                diags.push(Diagnostic::lossy(Code::LossyTypeTest, msg).with_span(span));
                *hit = true;
                Expr::constant(false, span)
            }
            ExprKind::Pred(p) if p.op.is_type_test() => {
                let msg = format!(
                    "`{}`: {target} cannot test a value's type (`{}`); read as present",
                    name(&p),
                    p.op
                );
                diags.push(Diagnostic::lossy(Code::LossyTypeTest, msg).with_span(span));
                *hit = true;
                Expr::pred(crate::ir::Predicate { op: Op::Exists, values: vec![], ..p }, span)
            }
            ExprKind::Elements(el) => {
                let path = format!("{within}{}", el.path);
                if el.until.is_some() {
                    let msg = format!(
                        "`{path}`: the source visits these elements in order and stops at the first that ends its loop (by returning or raising); {target} tests them in any order"
                    );
                    diags.push(Diagnostic::lossy(Code::LossyAnyElement, msg).with_span(span));
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
        crate::passes::simplify(out)
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
                        diags.push(Diagnostic::lossy(Code::LossyNullMissing, msg).with_span(x.span.or(span)));
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
        diags.push(Diagnostic::lossy(Code::LossyAnyElement, msg).with_span(i.span));
    }
    flat
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Case, ColumnId, Correlation, FieldPath, Op, Predicate, Query, Root, Value};

    fn rule_with(root: Root) -> Rule {
        let mut p =
            Predicate::new(FieldPath::key("a"), Op::Eq, vec![Value::Str("x".into())], Case::Sensitive);
        p.root = root;
        Rule { query: Query::filter(Expr::pred(p, None)), ..Rule::default() }
    }

    #[test]
    fn filter_only_refuses_a_computed_operand_instead_of_writing_it_as_a_field() {
        let mut diags = Diagnostics::new();
        assert!(filter_only(&rule_with(Root::Event), "T", &mut diags).is_some());
        assert!(!diags.has_errors());
        assert!(filter_only(&rule_with(Root::Column(ColumnId(1))), "T", &mut diags).is_none());
        assert!(diags.iter().any(|d| d.code == Code::Stage));
    }

    #[test]
    fn a_dropped_correlation_is_reported_and_a_threshold_of_one_is_not() {
        let mut rule = rule_with(Root::Event);
        let mut diags = Diagnostics::new();
        rule.correlation = Some(Correlation::threshold(1, vec![], None));
        correlation_not_kept(&rule, "T", &mut diags);
        assert!(diags.is_empty());
        let mut c = Correlation::threshold(5, vec![FieldPath::key("user")], None);
        c.kind = CorrelationKind::ValueCount { field: FieldPath::key("ip") };
        rule.correlation = Some(c);
        correlation_not_kept(&rule, "T", &mut diags);
        let msg: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
        assert_eq!(msg.len(), 1);
        assert!(msg[0].contains("distinct `ip` values per `user`"), "{msg:?}");
    }
}
