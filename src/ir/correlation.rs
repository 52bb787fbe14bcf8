//! Correlations: a condition over many events of one or more member queries, grouped and
//! within a window. A Panther `Threshold` and an Elastic threshold rule are an event count
//! over the rule's own query; Sigma correlation rules, Panther correlation rules, Elastic
//! new-terms and EQL sequences fill in the other kinds.

use super::expr::FieldPath;
use super::stage::Query;
use super::time::Duration;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    pub kind: CorrelationKind,
    /// The queries whose events are counted or ordered. `Own` is the rule's own query.
    pub members: Vec<Member>,
    /// The events of one group share these values. Empty: all events count together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<FieldPath>,
    /// How far apart the events may be; `None` when the source sets none (the target's
    /// look-back then bounds it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    /// What the count (or value) must satisfy; `None` for the temporal kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Whether each member alerts on its own too (Sigma `generate`).
    #[serde(default)]
    pub members_alert: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrelationKind {
    /// Number of matching events.
    EventCount,
    /// Number of distinct values of a field among matching events.
    ValueCount {
        field: FieldPath,
    },
    ValueSum {
        field: FieldPath,
    },
    ValueAvg {
        field: FieldPath,
    },
    ValuePercentile {
        field: FieldPath,
        percentile: u8,
    },
    /// Every member matched within the window, in any order.
    Temporal,
    /// Every member matched within the window, in the members' order.
    TemporalOrdered,
    /// A value of these fields not seen during the history window before (Elastic new terms).
    NewTerms {
        fields: Vec<FieldPath>,
        history: Duration,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Member {
    /// The rule's own query.
    Own,
    /// Another rule of the run's rule set, by its id (resolved by the driver).
    Rule { id: String, alias: Option<String> },
    /// A query written inside the correlation.
    Inline { query: Box<Query>, alias: Option<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub op: CmpOp,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
    Eq,
}

impl Condition {
    /// `count >= n`: the threshold of Panther and Elastic rules.
    pub fn at_least(n: u64) -> Self {
        Condition { op: CmpOp::Gte, value: n as f64 }
    }
    pub fn holds(&self, x: f64) -> bool {
        match self.op {
            CmpOp::Gt => x > self.value,
            CmpOp::Gte => x >= self.value,
            CmpOp::Lt => x < self.value,
            CmpOp::Lte => x <= self.value,
            CmpOp::Eq => x == self.value,
        }
    }
    /// The smallest whole count that satisfies a lower-bound condition (`> 4` and `>= 5` both
    /// give 5); `None` for the other operators.
    pub fn min_count(&self) -> Option<u64> {
        let v = self.value.max(0.0);
        match self.op {
            CmpOp::Gte => Some(v.ceil() as u64),
            CmpOp::Gt => Some(v.floor() as u64 + 1),
            _ => None,
        }
    }
}

impl Correlation {
    /// The rule's own query counted: an alert after `n` matching events per group.
    pub fn threshold(n: u64, group_by: Vec<FieldPath>, window: Option<Duration>) -> Self {
        Correlation {
            kind: CorrelationKind::EventCount,
            members: vec![Member::Own],
            group_by,
            window,
            condition: Some(Condition::at_least(n)),
            members_alert: false,
        }
    }
    /// For an event count over the rule's own query: the least number of events that alert.
    pub fn own_event_threshold(&self) -> Option<u64> {
        let own = matches!(self.members[..], [Member::Own]);
        match (&self.kind, own) {
            (CorrelationKind::EventCount, true) => self.condition.as_ref().and_then(Condition::min_count),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bounds_give_the_least_whole_count() {
        assert_eq!(Condition::at_least(5).min_count(), Some(5));
        assert_eq!(Condition { op: CmpOp::Gt, value: 4.0 }.min_count(), Some(5));
        assert_eq!(Condition { op: CmpOp::Lt, value: 4.0 }.min_count(), None);
        assert!(Condition { op: CmpOp::Gt, value: 4.0 }.holds(5.0));
        assert!(!Condition { op: CmpOp::Gt, value: 4.0 }.holds(4.0));
        let t = Correlation::threshold(3, vec![], None);
        assert_eq!(t.own_event_threshold(), Some(3));
        let other = Correlation { members: vec![Member::Rule { id: "r".into(), alias: None }], ..t };
        assert_eq!(other.own_event_threshold(), None);
    }
}
