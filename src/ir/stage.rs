//! The query pipeline. A plain detection rule is `[Where(expr)]`; later front-ends
//! (Kusto, ES|QL, Panther scheduled queries) add the other stages.

use super::expr::{Expr, FieldPath};
use super::scalar::{ColumnId, Scalar};
use crate::diag::Span;
use serde::{Deserialize, Serialize};

/// A query: where its rows come from, the `let` bindings it defines, and its stages in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Query {
    /// Tables / indexes / log types the query reads; empty means "the rule's log source".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Named values, tables and functions defined before the query body (Kusto `let`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lets: Vec<Let>,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub kind: StageKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// The typed pipeline stages, modelled on what detection queries use (Kusto's operators are
/// the widest set; ES|QL and Panther's SQL map onto the same).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// Keep rows matching the expression.
    Where(Expr),
    /// Add computed columns.
    Extend(Vec<Binding>),
    /// Keep only these columns, each under its (possibly new) name.
    Project(Vec<Binding>),
    /// Drop these fields.
    ProjectAway(Vec<FieldPath>),
    /// Group and aggregate; `by` keys may be `bin(…)` calls. A threshold is a following `Where`.
    Summarize {
        aggs: Vec<Aggregate>,
        by: Vec<Binding>,
    },
    /// Join with another query on pairs of keys (left operand, right operand).
    Join {
        kind: JoinKind,
        right: Box<Query>,
        on: Vec<(Scalar, Scalar)>,
    },
    /// The rows of several queries together.
    Union(Vec<Query>),
    /// One row per element of an array value, the element bound as a column.
    MvExpand(Binding),
    Sort(Vec<SortKey>),
    Take(u64),
    /// One row per distinct combination of these values.
    Distinct(Vec<Binding>),
    /// Logic the front-end could not translate, kept verbatim with its span (an error
    /// diagnostic says why). No back-end emits it.
    Unparsed {
        language: String,
        text: String,
    },
}

/// A column bound by a stage: its id, the name the source gave it, and its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    pub column: ColumnId,
    pub name: String,
    pub value: Scalar,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub column: ColumnId,
    pub name: String,
    pub func: AggFunc,
    /// The aggregate's own arguments (`dcount(x)`, `percentile(x, 95)`, `arg_max(t, *)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Scalar>,
    /// `countif(pred)`, `dcountif(x, pred)`: rows counted only where this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Expr>,
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
    Percentile,
    /// The set (`make_set`) or list (`make_list`) of values.
    MakeSet,
    MakeList,
    /// The row with the largest / smallest first argument (`arg_max`, `arg_min`).
    ArgMax,
    ArgMin,
    /// Any value of the group (`take_any`).
    TakeAny,
}

/// Kusto's join kinds; its default, `innerunique`, deduplicates the left side's keys first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinKind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftAnti,
    RightAnti,
    LeftSemi,
    RightSemi,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SortKey {
    pub value: Scalar,
    pub descending: bool,
    pub nulls_first: bool,
}

/// `let name = …;`: a scalar, a tabular query (maybe `materialize`d), or a function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Let {
    pub name: String,
    pub value: LetValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetValue {
    Scalar(Scalar),
    Table { query: Box<Query>, materialized: bool },
    Function { params: Vec<String>, body: Box<Query> },
}

impl StageKind {
    /// The stage's name as Kusto spells it, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            StageKind::Where(_) => "where",
            StageKind::Extend(_) => "extend",
            StageKind::Project(_) => "project",
            StageKind::ProjectAway(_) => "project-away",
            StageKind::Summarize { .. } => "summarize",
            StageKind::Join { .. } => "join",
            StageKind::Union(_) => "union",
            StageKind::MvExpand(_) => "mv-expand",
            StageKind::Sort(_) => "sort",
            StageKind::Take(_) => "take",
            StageKind::Distinct(_) => "distinct",
            StageKind::Unparsed { .. } => "unparsed",
        }
    }
}

impl Query {
    /// A query that is one filter.
    pub fn filter(expr: Expr) -> Self {
        let span = expr.span;
        Query { stages: vec![Stage { kind: StageKind::Where(expr), span }], ..Query::default() }
    }

    /// A query whose logic could not be translated.
    pub fn unparsed(language: &str, text: impl Into<String>, span: Option<Span>) -> Self {
        Query {
            stages: vec![Stage {
                kind: StageKind::Unparsed { language: language.into(), text: text.into() },
                span,
            }],
            ..Query::default()
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
