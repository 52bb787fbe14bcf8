//! The scalar layer: values a query computes. A predicate tests an operand: an event field
//! (the only thing mapping renames), a column a stage bound (by id, never mistaken for an
//! event field), or a computed value.

use super::expr::{Expr, FieldPath, Value};
use serde::{Deserialize, Serialize};

/// A column bound by a pipeline stage (`extend`, `summarize`, `project`). Ids are unique
/// within a rule; the name is how the source spelled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ColumnId(pub u32);

/// What a predicate's path starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Root {
    /// The event itself: the path is an event field.
    #[default]
    Event,
    /// A column bound earlier in the pipeline; the path continues inside its value.
    Column(ColumnId),
    /// A value computed from the event (`tolower(x)`); the path continues inside it.
    Value(Box<Scalar>),
}

impl Root {
    pub fn is_event(&self) -> bool {
        matches!(self, Root::Event)
    }
}

/// A computed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scalar {
    Field(FieldPath),
    Column(ColumnId),
    Literal(Value),
    /// A call of a known function; each has an evaluator (`eval::scalar`).
    Call {
        func: Func,
        args: Vec<Scalar>,
    },
    /// `iff(cond, then, else)`.
    Iff {
        cond: Box<Expr>,
        then: Box<Scalar>,
        otherwise: Box<Scalar>,
    },
    /// `case(c1, v1, c2, v2, …, default)`: the first arm whose condition holds.
    Case {
        arms: Vec<(Expr, Scalar)>,
        default: Box<Scalar>,
    },
}

/// The closed set of scalar functions. A front-end that meets any other function keeps the
/// stage opaque and says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Func {
    ToLower,
    ToUpper,
    /// Length in characters.
    Strlen,
    /// Concatenation of the arguments' string forms.
    Concat,
    /// `bin(value, size)`: the value rounded down to a multiple of size (time or number).
    Bin,
    /// The time the query runs.
    Now,
    /// `ago(duration)`.
    Ago,
    /// `isempty(x)`, `isnull(x)`, `isnotempty(x)`, `isnotnull(x)` as values.
    IsEmpty,
    IsNull,
    /// Parse a string holding JSON (`parse_json`, `todynamic`).
    ParseJson,
    /// The string form of a value.
    ToString,
    /// `coalesce(a, b, …)`: the first argument that is not null or empty.
    Coalesce,
}

impl Scalar {
    pub fn field(path: FieldPath) -> Self {
        Scalar::Field(path)
    }
    pub fn call(func: Func, args: Vec<Scalar>) -> Self {
        Scalar::Call { func, args }
    }
    /// How deeply the scalar nests, its conditions' expressions included (a leaf is 1),
    /// measured without recursion: a reader that builds scalars compares it with
    /// [`super::MAX_DEPTH`], as it does [`Expr::depth`].
    pub fn depth(&self) -> usize {
        super::visit::scalar_depth(self)
    }
}
