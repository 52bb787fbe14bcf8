//! Field reads and their defaults, made exact.
//!
//! `event.get("k", d)` yields `d` only when the key is absent (a JSON null stays None);
//! `event.deep_get("a", "b", default=d)` yields `d` when the value is absent or null. The IR
//! predicate on an absent field is false, so a comparison whose Python result on the default
//! differs from the IR's result on an absent (or null) field needs explicit branches. The
//! evaluator decides: the predicate is run on an absent, a null and a defaulted field, and
//! branches are added only where Python and the IR would disagree.

use crate::eval::eval_expr;
use crate::ir::{Case, Expr, FieldPath, Op, Predicate, Seg, Value};
use serde_json::{json, Value as Json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fold {
    Lower,
    Upper,
}

/// A value read from the event.
#[derive(Debug, Clone)]
pub(crate) struct FieldRef {
    pub path: FieldPath,
    /// What Python yields when the key is absent.
    pub default: Json,
    /// `deep_get` semantics: a null value also yields the default.
    pub null_is_default: bool,
    /// `.lower()` / `.upper()` / `.casefold()` applied to the value.
    pub fold: Option<Fold>,
}

impl FieldRef {
    pub fn new(path: FieldPath, default: Json, null_is_default: bool) -> Self {
        FieldRef { path, default, null_is_default, fold: None }
    }

    pub fn case(&self) -> Case {
        if self.fold.is_some() {
            Case::Insensitive
        } else {
            Case::Sensitive
        }
    }

    pub fn pred(&self, op: Op, values: Vec<Value>) -> Expr {
        Expr::pred(Predicate::new(self.path.clone(), op, values, self.case()), None)
    }

    /// `p` (an IR expression over this field) with Python's default and null behaviour.
    pub fn exact(&self, p: Expr) -> Expr {
        let want_absent = eval_expr(&p, &event_at(&self.path.0, Some(self.default.clone()))).unwrap_or(false);
        self.exact_given(p, want_absent)
    }

    /// `p` over present values, where Python's answer on the default is `want_absent`.
    pub fn exact_given(&self, p: Expr, want_absent: bool) -> Expr {
        let run = |event: &Json| eval_expr(&p, event).unwrap_or(false);
        let have_absent = run(&event_at(&self.path.0, None));
        let have_null = run(&event_at(&self.path.0, Some(Json::Null)));
        let want_null = if self.null_is_default { want_absent } else { have_null };
        if have_absent == want_absent && have_null == want_null {
            return p;
        }
        let is_null = self.pred(Op::IsNull, vec![]);
        let eq_null =
            Expr::pred(Predicate::new(self.path.clone(), Op::Eq, vec![Value::Null], Case::Sensitive), None);
        let mut terms = Vec::new();
        if want_absent && want_null {
            terms.push(is_null.clone());
        } else if want_absent {
            terms.push(Expr::missing(self.path.clone()));
        } else if want_null {
            terms.push(eq_null);
        }
        let present =
            if !have_absent && !have_null { p } else { Expr::and(vec![Expr::not(is_null, None), p], None) };
        terms.push(present);
        Expr::or(terms, None)
    }
}

/// A minimal event with `leaf` at `segs` (`None`: the last step is absent).
pub(crate) fn event_at(segs: &[Seg], leaf: Option<Json>) -> Json {
    let Some((first, rest)) = segs.split_first() else {
        return leaf.unwrap_or(Json::Null);
    };
    let last = rest.is_empty();
    match first {
        Seg::Key(k) if last && leaf.is_none() => json!({}),
        Seg::Key(k) => json!({ k.clone(): event_at(rest, leaf) }),
        Seg::Index(_) | Seg::Each(_) if last && leaf.is_none() => json!([]),
        Seg::Index(i) => {
            let inner = event_at(rest, leaf);
            let pad = if *i >= 0 { *i as usize } else { 0 };
            let mut items = vec![Json::Null; pad.min(64)];
            items.push(inner);
            Json::Array(items)
        }
        Seg::Each(_) => json!([event_at(rest, leaf)]),
        // Python paths have no wildcard field names.
        Seg::Glob(_) => json!({}),
        // JSON text; an absent last step is text that does not parse.
        Seg::Json if last && leaf.is_none() => Json::Null,
        Seg::Json => Json::String(event_at(rest, leaf).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(f: &FieldRef, v: &str) -> Expr {
        f.exact(f.pred(Op::Eq, vec![Value::Str(v.into())]))
    }

    #[test]
    fn default_that_cannot_match_needs_no_branch() {
        let f = FieldRef::new(FieldPath::key("action"), json!("ACTION_NOT_FOUND"), false);
        assert!(matches!(eq(&f, "RevokeUserSessions").kind, crate::ir::ExprKind::Pred(_)));
    }

    #[test]
    fn default_that_matches_adds_the_absent_branch() {
        let f = FieldRef::new(FieldPath::key("status"), json!(""), false);
        let e = eq(&f, "");
        assert!(eval_expr(&e, &json!({})).unwrap(), "absent → default \"\" == \"\"");
        assert!(!eval_expr(&e, &json!({"status": null})).unwrap(), "get keeps a null as None");
        assert!(eval_expr(&e, &json!({"status": ""})).unwrap());
        let deep = FieldRef::new(FieldPath::key("status"), json!(""), true);
        let e = eq(&deep, "");
        assert!(eval_expr(&e, &json!({"status": null})).unwrap(), "deep_get turns null into the default");
    }

    #[test]
    fn negation_on_absent_follows_python() {
        let f = FieldRef::new(FieldPath::key("x"), json!("v"), false);
        let ne = f.exact(Expr::not(f.pred(Op::Eq, vec![Value::Str("v".into())]), None));
        assert!(!eval_expr(&ne, &json!({})).unwrap(), "absent → \"v\" != \"v\" is False");
        assert!(eval_expr(&ne, &json!({"x": "w"})).unwrap());
    }
}
