//! The query pipeline. A plain detection rule is `[Where(expr)]`; later front-ends
//! (Kusto, ES|QL, Panther scheduled queries) add the other stages.

use super::expr::{Expr, FieldPath};
use crate::diag::Span;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Query {
    /// Tables / indexes / log types the query reads; empty means "the rule's log source".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub kind: StageKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// Keep events matching the expression.
    Where(Expr),
    /// Add computed columns.
    Extend(Vec<Binding>),
    /// Keep only these fields.
    Project(Vec<FieldPath>),
    /// Group and aggregate, optionally over time bins; a threshold is a following `Where`.
    Summarize {
        aggs: Vec<Aggregate>,
        by: Vec<FieldPath>,
        bin_minutes: Option<u64>,
    },
    /// Join / correlate with another query.
    Join {
        kind: JoinKind,
        right: Box<Query>,
        on: Vec<(FieldPath, FieldPath)>,
        within_minutes: Option<u64>,
    },
    Sort(Vec<(FieldPath, bool)>),
    Take(u64),
    /// Logic the front-end could not translate, kept verbatim (an error diagnostic says why).
    Unparsed {
        language: String,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    pub name: String,
    /// Source text of the computed expression, kept verbatim.
    pub expr: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub name: String,
    pub func: AggFunc,
    pub field: Option<FieldPath>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggFunc {
    Count,
    DistinctCount,
    Sum,
    Min,
    Max,
    Avg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinKind {
    Inner,
    LeftOuter,
    LeftAnti,
    Sequence,
}

impl Query {
    /// A query that is one filter.
    pub fn filter(expr: Expr) -> Self {
        let span = expr.span;
        Query { sources: Vec::new(), stages: vec![Stage { kind: StageKind::Where(expr), span }] }
    }

    /// A query whose logic could not be translated.
    pub fn unparsed(language: &str, text: impl Into<String>, span: Option<Span>) -> Self {
        Query {
            sources: Vec::new(),
            stages: vec![Stage {
                kind: StageKind::Unparsed { language: language.into(), text: text.into() },
                span,
            }],
        }
    }

    /// Split into the leading filter (the `Where` stages before any other stage, ANDed)
    /// and the remaining stages. `None` when the query does not start with a filter.
    pub fn split_filter(&self) -> (Option<Expr>, &[Stage]) {
        let n = self.stages.iter().take_while(|s| matches!(s.kind, StageKind::Where(_))).count();
        let mut exprs: Vec<Expr> = self.stages[..n]
            .iter()
            .filter_map(|s| match &s.kind {
                StageKind::Where(e) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let filter = match exprs.len() {
            0 => None,
            1 => exprs.pop(),
            _ => Some(Expr::and(exprs, None)),
        };
        (filter, &self.stages[n..])
    }
}
