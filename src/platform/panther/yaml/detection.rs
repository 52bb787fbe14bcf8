//! Panther Simple Detection match expressions → IR expressions.
//!
//! Semantics chosen (Panther's match-expression reference, checked against the corpus rules'
//! own Tests):
//! - A `Detection:` list is an implicit `All`.
//! - `I…` conditions are case-insensitive; all others are case-sensitive.
//! - `Does…`/`IsNot…` conditions are the negation of their positive form (so, like Python,
//!   they hold when the key is absent).
//! - A `[*]` in a KeyPath fans out over the array: the condition holds when any element
//!   satisfies it. `Contains` on such a path tests membership of the value among the walked
//!   values (element equality), since the walked values form a list.
//! - List comprehensions apply one element-level condition per element: `AnyElement`,
//!   `AllElements`, `NoElements`. Several conditions that must hold on the same element are
//!   refused: the IR's per-predicate fan-out cannot say "the same element".

use crate::diag::{Code, Diagnostic, Diagnostics, Span};
use crate::ir::{Case, Expr, ExprKind, FieldPath, Op, Predicate, Quantifier, Seg, Value};
use crate::syntax::yaml_spanned::{Yaml, YamlKind};

/// Whether a `Detection:` is a correlation (`Sequence` / `Group`), not match expressions.
pub(super) fn is_correlation(node: &Yaml) -> bool {
    node.as_seq().unwrap_or_default().iter().any(|i| i.get("Sequence").is_some() || i.get("Group").is_some())
}

/// `[ {All: []} ]`: the placeholder Panther writes for "no inline filters".
pub(super) fn is_empty_all(node: &Yaml) -> bool {
    match node.as_seq() {
        Some([one]) => one.get("All").and_then(Yaml::as_seq).is_some_and(<[Yaml]>::is_empty),
        Some([]) => true,
        _ => false,
    }
}

/// A list of match expressions (an implicit `All`), or one expression.
pub(super) fn lower_list(node: &Yaml, diags: &mut Diagnostics) -> Option<Expr> {
    Lowerer { diags, prefix: FieldPath::default() }.list(node, Combinator::All)
}

/// A key specifier (`Key`, `KeyPath`, `DeepKey`) in a mapping, as a field path.
pub(crate) fn key_spec(node: &Yaml, diags: &mut Diagnostics) -> Option<FieldPath> {
    if let Some(k) = node.get("Key") {
        return k.scalar_text().map(FieldPath::key);
    }
    if let Some(p) = node.get("KeyPath") {
        let text = p.scalar_text()?;
        return match parse_key_path(&text) {
            Ok(path) => Some(path),
            Err(e) => {
                let msg = format!("invalid KeyPath `{text}`: {e}");
                diags.push(Diagnostic::error(Code::InvalidValue, msg).with_span(Some(p.span)));
                None
            }
        };
    }
    let deep = node.get("DeepKey")?;
    let segs: Option<Vec<Seg>> = deep
        .as_seq()?
        .iter()
        .map(|s| match &s.kind {
            YamlKind::Int(i) => Some(Seg::Index(*i)),
            _ => s.scalar_text().map(Seg::Key),
        })
        .collect();
    segs.map(FieldPath)
}

/// `a.b[0].c[*].d` → keys, indexes and any-element fan-outs.
pub(crate) fn parse_key_path(text: &str) -> Result<FieldPath, String> {
    let mut segs = Vec::new();
    for part in text.split('.') {
        let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if name.is_empty() && segs.is_empty() && rest.is_empty() {
            return Err("empty key".into());
        }
        if !name.is_empty() {
            segs.push(Seg::Key(name.to_string()));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']').ok_or("unclosed `[`")?;
            let inner = &r[..close];
            segs.push(match inner {
                "*" => Seg::Each(Quantifier::Any),
                n => Seg::Index(n.parse().map_err(|_| format!("`[{n}]` is not an index"))?),
            });
            rest = &r[close + 1..];
        }
        if !rest.is_empty() {
            return Err(format!("unexpected `{rest}`"));
        }
    }
    if segs.is_empty() {
        return Err("empty key".into());
    }
    Ok(FieldPath(segs))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Combinator {
    All,
    Any,
    OnlyOne,
    None,
}

struct Lowerer<'d> {
    diags: &'d mut Diagnostics,
    /// Prefix of element paths inside a list comprehension.
    prefix: FieldPath,
}

impl Lowerer<'_> {
    fn error<T>(&mut self, code: Code, msg: impl Into<String>, span: Span) -> Option<T> {
        self.diags.push(Diagnostic::error(code, msg).with_span(Some(span)));
        None
    }

    fn list(&mut self, node: &Yaml, comb: Combinator) -> Option<Expr> {
        let items: Vec<&Yaml> = match &node.kind {
            YamlKind::Seq(items) => items.iter().collect(),
            YamlKind::Map(_) => vec![node],
            _ => return self.error(Code::InvalidValue, "expected a list of match expressions", node.span),
        };
        // Lower every item, so that every problem is reported, then give up if any failed.
        let lowered: Vec<Option<Expr>> = items.iter().map(|i| self.item(i)).collect();
        let exprs: Vec<Expr> = lowered.into_iter().collect::<Option<_>>()?;
        Some(combine(comb, exprs, Some(node.span)))
    }

    fn item(&mut self, node: &Yaml) -> Option<Expr> {
        if !node.is_map() {
            return self.error(
                Code::InvalidValue,
                format!("expected a match expression, found {}", node.type_name()),
                node.span,
            );
        }
        for (name, comb) in [
            ("All", Combinator::All),
            ("Any", Combinator::Any),
            ("OnlyOne", Combinator::OnlyOne),
            ("None", Combinator::None),
        ] {
            if let Some(children) = node.get(name) {
                return self.list(children, comb).map(|e| with_span(e, node.span));
            }
        }
        if let Some((key, _)) = node.entries().iter().find(|(k, _)| k.as_str() == Some("Enrichment")) {
            let msg = "enrichment match expressions (lookup tables) cannot be converted";
            return self.error(Code::Enrichment, msg, key.span);
        }
        let Some(cond) = node.get("Condition") else {
            return self.error(
                Code::InvalidValue,
                "a match expression needs a `Condition` or a combinator",
                node.span,
            );
        };
        let Some(name) = cond.as_str() else {
            return self.error(Code::InvalidValue, "`Condition` should be a name", cond.span);
        };
        self.condition(node, name, cond.span)
    }

    fn field(&mut self, node: &Yaml) -> Option<FieldPath> {
        let path = key_spec(node, self.diags)?;
        let mut full = self.prefix.clone();
        full.0.extend(path.0);
        Some(full)
    }

    fn condition(&mut self, node: &Yaml, name: &str, cond_span: Span) -> Option<Expr> {
        let span = Some(node.span);
        match name {
            "AlwaysTrue" => return Some(Expr::constant(true, span)),
            "AlwaysFalse" => return Some(Expr::constant(false, span)),
            "AnyElement" | "AllElements" | "NoElements" | "OnlyOneElement" => {
                return self.comprehension(node, name, cond_span)
            }
            "IsIPAddressPublic" | "IsIPAddressPrivate" => {
                let msg =
                    format!("`{name}` depends on the platform's private-range table; not converted exactly");
                return self.error(Code::Unsupported, msg, cond_span);
            }
            _ => {}
        }
        let Some((op, case, negate)) = condition_op(name) else {
            return self.error(Code::Unsupported, format!("unknown Condition `{name}`"), cond_span);
        };
        let values = self.values(node, op, name, cond_span)?;
        if node.get("Key").is_none() && node.get("KeyPath").is_none() && node.get("DeepKey").is_none() {
            return self.multi_key(node, op, case, negate, values);
        }
        let field = self.field(node)?;
        let expr = predicate_expr(field, op, values, case, span);
        Some(if negate { Expr::not(expr, span) } else { expr })
    }

    /// `Value` (one) or `Values` (a list: IsIn/IsNotIn, or two key specifiers for multi-key).
    fn values(&mut self, node: &Yaml, op: Op, name: &str, at: Span) -> Option<Vec<Value>> {
        if op.is_unary() || name.contains("Null") {
            return Some(Vec::new());
        }
        let list = matches!(name, "IsIn" | "IsNotIn");
        let raw: Vec<&Yaml> = match (node.get("Value"), node.get("Values")) {
            (Some(v), _) if !list => vec![v],
            (_, Some(vs)) => match vs.as_seq() {
                Some(items) => items.iter().collect(),
                None => vec![vs],
            },
            (Some(v), None) => vec![v],
            (None, None) => return self.error(Code::MissingKey, format!("`{name}` needs a `Value`"), at),
        };
        raw.into_iter().map(|v| self.value(v, op)).collect()
    }

    fn value(&mut self, v: &Yaml, op: Op) -> Option<Value> {
        Some(match &v.kind {
            YamlKind::Str(s) if op == Op::Cidr => Value::Cidr(s.clone()),
            YamlKind::Str(s) => Value::Str(s.clone()),
            YamlKind::Int(i) => Value::Int(*i),
            YamlKind::Float(f) => Value::Float(*f),
            YamlKind::Bool(b) => Value::Bool(*b),
            YamlKind::Null => Value::Null,
            YamlKind::Map(_) => match key_spec(v, self.diags) {
                Some(path) => Value::Field(path),
                None => return self.error(Code::InvalidValue, "expected a value or a key specifier", v.span),
            },
            YamlKind::Seq(_) => {
                return self.error(Code::InvalidValue, "expected one value, found a list", v.span)
            }
        })
    }

    /// Multi-key: `Condition: Equals, Values: [{Key: a}, {Key: b}]` compares two keys.
    fn multi_key(
        &mut self,
        node: &Yaml,
        op: Op,
        case: Case,
        negate: bool,
        values: Vec<Value>,
    ) -> Option<Expr> {
        let span = Some(node.span);
        match values.as_slice() {
            [Value::Field(a), Value::Field(b)] => {
                let (a, b) = (self.prefixed(a), self.prefixed(b));
                let expr = Expr::pred(Predicate::new(a, op, vec![Value::Field(b)], case), span);
                Some(if negate { Expr::not(expr, span) } else { expr })
            }
            _ => self.error(
                Code::MissingKey,
                "a match expression needs a `Key`, `KeyPath` or `DeepKey`",
                node.span,
            ),
        }
    }

    fn prefixed(&self, p: &FieldPath) -> FieldPath {
        FieldPath(self.prefix.0.iter().chain(&p.0).cloned().collect())
    }

    /// `AnyElement` / `AllElements` / `NoElements` over an array key, with `Expressions`.
    fn comprehension(&mut self, node: &Yaml, name: &str, at: Span) -> Option<Expr> {
        if name == "OnlyOneElement" {
            return self.error(
                Code::Unsupported,
                "`OnlyOneElement` counts elements; the IR cannot say it",
                at,
            );
        }
        let mut base = self.field(node)?;
        base.0.push(Seg::Each(Quantifier::Any));
        let Some(inner) = node.get("Expressions") else {
            return self.error(Code::MissingKey, format!("`{name}` needs `Expressions`"), at);
        };
        let saved = std::mem::replace(&mut self.prefix, base);
        let lowered = self.list(inner, Combinator::All);
        self.prefix = saved;
        let lowered = crate::passes::simplify(lowered?);
        // One element-level predicate, possibly negated: push the quantifier into its path.
        let (negated, pred) = match lowered.kind {
            ExprKind::Pred(p) => (false, p),
            ExprKind::Not(inner) => match inner.kind {
                ExprKind::Pred(p) => (true, p),
                _ => return self.same_element_error(at),
            },
            _ => return self.same_element_error(at),
        };
        // any(P) ; any(¬P) = ¬all(P) ; all(P) ; all(¬P) = ¬any(P) ; none(P) = ¬any(P) ; none(¬P) = all(P)
        let (quant, negate) = match (name, negated) {
            ("AnyElement", false) => (Quantifier::Any, false),
            ("AnyElement", true) => (Quantifier::All, true),
            ("AllElements", false) => (Quantifier::All, false),
            ("AllElements", true) => (Quantifier::Any, true),
            ("NoElements", false) => (Quantifier::Any, true),
            _ => (Quantifier::All, false),
        };
        let span = Some(node.span);
        let mut pred = pred;
        let depth = self.prefix.0.len() + key_len(node);
        if let Some(seg) = pred.field.0.get_mut(depth) {
            *seg = Seg::Each(quant);
        }
        let expr = Expr::pred(pred, span);
        Some(if negate { Expr::not(expr, span) } else { expr })
    }

    fn same_element_error(&mut self, at: Span) -> Option<Expr> {
        self.error(
            Code::Unsupported,
            "a list comprehension with several conditions on the same element cannot be converted exactly",
            at,
        )
    }
}

/// Number of path segments the node's own key specifier contributes.
fn key_len(node: &Yaml) -> usize {
    key_spec(node, &mut Diagnostics::new()).map_or(0, |p| p.0.len())
}

/// Build the predicate. On a `[*]` path, `Contains` tests membership among the walked
/// values, i.e. element equality.
fn predicate_expr(field: FieldPath, op: Op, values: Vec<Value>, case: Case, span: Option<Span>) -> Expr {
    let fans_out = field.0.iter().any(|s| matches!(s, Seg::Each(_)));
    let op = if fans_out && op == Op::Contains { Op::Eq } else { op };
    if op == Op::IsNull && values.is_empty() && case == Case::Insensitive {
        // "IsNullOrEmpty" family is encoded with Insensitive as a marker; see `condition_op`.
        let null = Expr::pred(Predicate::new(field.clone(), Op::IsNull, vec![], Case::Sensitive), span);
        let empty = Expr::pred(Predicate::new(field, Op::IsEmpty, vec![], Case::Sensitive), span);
        return Expr::or(vec![null, empty], span);
    }
    Expr::pred(Predicate::new(field, op, values, case), span)
}

/// Condition name → (operator, case, negated). `IsNullOrEmpty` is marked with
/// `Case::Insensitive` on `IsNull` and expanded by `predicate_expr`.
fn condition_op(name: &str) -> Option<(Op, Case, bool)> {
    use Case::{Insensitive as I, Sensitive as S};
    Some(match name {
        "Equals" => (Op::Eq, S, false),
        "DoesNotEqual" => (Op::Eq, S, true),
        "IEquals" => (Op::Eq, I, false),
        "IDoesNotEqual" => (Op::Eq, I, true),
        "Contains" => (Op::Contains, S, false),
        "DoesNotContain" => (Op::Contains, S, true),
        "IContains" => (Op::Contains, I, false),
        "IDoesNotContain" => (Op::Contains, I, true),
        "StartsWith" => (Op::StartsWith, S, false),
        "DoesNotStartWith" => (Op::StartsWith, S, true),
        "IStartsWith" => (Op::StartsWith, I, false),
        "IDoesNotStartWith" => (Op::StartsWith, I, true),
        "EndsWith" => (Op::EndsWith, S, false),
        "DoesNotEndWith" => (Op::EndsWith, S, true),
        "IEndsWith" => (Op::EndsWith, I, false),
        "IDoesNotEndWith" => (Op::EndsWith, I, true),
        "GreaterThan" => (Op::Gt, S, false),
        "GreaterThanOrEquals" | "GreaterThanOrEqual" => (Op::Ge, S, false),
        "LessThan" => (Op::Lt, S, false),
        "LessThanOrEquals" | "LessThanOrEqual" => (Op::Le, S, false),
        "IsIn" => (Op::Eq, S, false),
        "IsNotIn" => (Op::Eq, S, true),
        "IsIPAddressInCIDR" => (Op::Cidr, S, false),
        "IsIPAddressNotInCIDR" => (Op::Cidr, S, true),
        "IsNull" => (Op::IsNull, S, false),
        "IsNotNull" => (Op::IsNull, S, true),
        "IsNullOrEmpty" => (Op::IsNull, I, false),
        "IsNotNullOrEmpty" => (Op::IsNull, I, true),
        "Exists" => (Op::Exists, S, false),
        "DoesNotExist" => (Op::Exists, S, true),
        _ => return None,
    })
}

fn with_span(mut e: Expr, span: Span) -> Expr {
    e.span = Some(span);
    e
}

fn combine(comb: Combinator, exprs: Vec<Expr>, span: Option<Span>) -> Expr {
    match comb {
        Combinator::All => Expr::and(exprs, span),
        Combinator::Any => Expr::or(exprs, span),
        Combinator::None => Expr::not(Expr::or(exprs, span), span),
        Combinator::OnlyOne => {
            // Exactly one: for each i, e_i and no other e_j.
            let n = exprs.len();
            let alts = (0..n)
                .map(|i| {
                    let parts = exprs
                        .iter()
                        .enumerate()
                        .map(|(j, e)| if i == j { e.clone() } else { Expr::not(e.clone(), e.span) })
                        .collect();
                    Expr::and(parts, span)
                })
                .collect();
            Expr::or(alts, span)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths() {
        let p = parse_key_path("a.b[0].c[*].d").unwrap();
        assert_eq!(p.to_string(), "a.b[0].c[*].d");
        assert_eq!(parse_key_path("supporting_data.data_values[0]").unwrap().0.len(), 3);
        assert!(parse_key_path("a[x]").is_err());
        assert!(parse_key_path("a[0").is_err());
        assert!(parse_key_path("").is_err());
    }
}
