//! Meaning-preserving clean-up of expression trees.

use super::{Expr, ExprKind};
use crate::diag::Span;

/// Flatten nested And/Or, unwrap single-child ones, and fold constants, so the IR reads like
/// the condition a person would write. Meaning is unchanged.
pub fn simplify(e: Expr) -> Expr {
    let span = e.span;
    match e.kind {
        ExprKind::And(xs) | ExprKind::Or(xs) if xs.len() == 1 => {
            simplify(xs.into_iter().next().unwrap_or(e_true()))
        }
        ExprKind::And(xs) => flatten(xs, true, span),
        ExprKind::Or(xs) => flatten(xs, false, span),
        ExprKind::Not(x) => match simplify(*x) {
            Expr { kind: ExprKind::Not(inner), .. } => *inner,
            Expr { kind: ExprKind::Const(b), .. } => Expr::constant(!b, span),
            x => Expr::not(x, span),
        },
        kind => Expr { kind, span },
    }
}

fn e_true() -> Expr {
    Expr::constant(true, None)
}

fn flatten(xs: Vec<Expr>, and: bool, span: Option<Span>) -> Expr {
    let mut out = Vec::new();
    for x in xs.into_iter().map(simplify) {
        match x.kind {
            ExprKind::And(inner) if and => out.extend(inner),
            ExprKind::Or(inner) if !and => out.extend(inner),
            // The neutral element drops out; the absorbing one decides.
            ExprKind::Const(b) if b == and => {}
            ExprKind::Const(b) => return Expr::constant(b, span),
            kind => out.push(Expr { kind, span: x.span }),
        }
    }
    match out.len() {
        0 => Expr::constant(and, span),
        1 => out.remove(0),
        _ if and => Expr::and(out, span),
        _ => Expr::or(out, span),
    }
}
