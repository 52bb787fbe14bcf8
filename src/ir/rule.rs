//! A whole rule: metadata, log source, tests, query, and everything else kept in `extra`.

use super::correlation::Correlation;
use super::stage::Query;
use super::time::Duration;
use crate::diag::Span;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Rule {
    pub meta: Meta,
    pub logsource: LogSource,
    pub query: Query,
    /// Alert on a condition over many matching events (a threshold, a value count, a
    /// sequence) rather than on each one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation: Option<Correlation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<TestCase>,
    pub origin: Origin,
    /// Source keys no IR field covers, kept verbatim so nothing is lost, under the platform
    /// whose key it is: only that platform's writer reads them back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<Platform, BTreeMap<String, serde_json::Value>>,
}

/// The platforms ruleport knows, as a type: what a rule came from, whose log-source ids and
/// whose extra keys these are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Panther,
    Elastic,
    Sigma,
    Sentinel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// The source rule's own identifier (Panther RuleID, Sigma/Elastic UUID …).
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<LevelInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Lifecycle status as the source says it (Sigma `status`, Elastic maturity …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack: Vec<Attack>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub false_positives: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
    /// How long alerts with the same dedup key are grouped into one (Panther
    /// `DedupPeriodMinutes`); the rule's window when it has a threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_period: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Alert title template; `{a.b}` placeholders name event fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_title: Option<String>,
    /// Fields whose values group alerts (Panther `dedup()`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dedup_fields: Vec<super::expr::FieldPath>,
    /// Fields to show with an alert (Panther AlertContext / SummaryAttributes, Elastic highlighted fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_fields: Vec<OutputField>,
    /// Creation / modification dates (YYYY-MM-DD) when the source has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

/// Rule severity on one normalized scale, plus the source's own spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelInfo {
    pub level: Level,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
    /// Parse any platform's spelling ("Info", "informational", "HIGH" …).
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" | "informational" | "information" => Some(Level::Info),
            "low" => Some(Level::Low),
            "medium" | "moderate" => Some(Level::Medium),
            "high" => Some(Level::High),
            "critical" => Some(Level::Critical),
            _ => None,
        }
    }
}

/// One MITRE ATT&CK mapping: a tactic (`TA0040`), a technique (`T1531`, `T1562.001`), or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Attack {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tactic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
}

impl Attack {
    /// The ATT&CK tactic name for a tactic id (`TA0040` → `impact`), used for Sigma tags.
    pub fn tactic_name(id: &str) -> Option<&'static str> {
        Some(match id {
            "TA0043" => "reconnaissance",
            "TA0042" => "resource_development",
            "TA0001" => "initial_access",
            "TA0002" => "execution",
            "TA0003" => "persistence",
            "TA0004" => "privilege_escalation",
            "TA0005" => "defense_evasion",
            "TA0006" => "credential_access",
            "TA0007" => "discovery",
            "TA0008" => "lateral_movement",
            "TA0009" => "collection",
            "TA0011" => "command_and_control",
            "TA0010" => "exfiltration",
            "TA0040" => "impact",
            _ => return None,
        })
    }
    /// The tactic id for a name (`impact`, `Impact`, `defense-evasion` → `TA0005` …).
    pub fn tactic_id(name: &str) -> Option<&'static str> {
        let norm = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        const IDS: &[&str] = &[
            "TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006", "TA0007",
            "TA0008", "TA0009", "TA0011", "TA0010", "TA0040",
        ];
        IDS.iter().copied().find(|id| Attack::tactic_name(id) == Some(norm.as_str()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Schedule {
    /// How often the rule runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// How far back each run looks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputField {
    pub name: String,
    pub field: super::expr::FieldPath,
}

/// Where the events come from: neutral taxonomy plus the source's own identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LogSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Platforms' own identifiers of the source, verbatim and tagged by platform (Panther
    /// LogTypes, Elastic index patterns, Sentinel tables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub native: Vec<NativeSource>,
    /// The source platform finds a field whose name differs only in case when the exact name is
    /// absent (Panther's events; the first such key wins). Evaluating the rule honours it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub case_insensitive_keys: bool,
}

/// One platform's identifier of a log source (`AWS.CloudTrail`, `logs-aws.cloudtrail-*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativeSource {
    pub platform: Platform,
    pub id: String,
}

impl LogSource {
    /// The identifiers `platform` gives this source.
    pub fn native_ids(&self, platform: Platform) -> Vec<String> {
        self.native.iter().filter(|n| n.platform == platform).map(|n| n.id.clone()).collect()
    }
}

/// One embedded test: its input and the verdict the rule must give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    pub name: String,
    pub input: TestInput,
    pub expected: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// What a test feeds the rule: one event, or a stream of timed events (for correlations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestInput {
    Event(serde_json::Value),
    Stream(Vec<TimedEvent>),
}

/// One event of a stream, with when it happened (ISO 8601) when the test says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub event: serde_json::Value,
}

impl TestCase {
    pub fn event(name: impl Into<String>, log: serde_json::Value, expected: bool) -> Self {
        TestCase { name: name.into(), input: TestInput::Event(log), expected, span: None }
    }
    /// The test's single event; `None` for a stream.
    pub fn log(&self) -> Option<&serde_json::Value> {
        match &self.input {
            TestInput::Event(e) => Some(e),
            TestInput::Stream(_) => None,
        }
    }
}

/// Which platform and front-end produced the rule, from which file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Origin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Front-end id (`panther_yaml` …).
    pub format: String,
    pub path: PathBuf,
    /// Other files the rule was read from (a Panther `.py`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companions: Vec<PathBuf>,
}

impl Rule {
    /// The source's UUID (hyphenated), or a stable UUIDv5 of `format:id`, so that a rule
    /// converted twice keeps its id on every target.
    pub fn stable_uuid(&self) -> String {
        let id = &self.meta.id;
        if let Ok(u) = uuid::Uuid::parse_str(id) {
            return u.hyphenated().to_string();
        }
        let namespace =
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"https://github.com/ruleport/ruleport");
        let name = format!("{}:{id}", self.origin.format);
        uuid::Uuid::new_v5(&namespace, name.as_bytes()).hyphenated().to_string()
    }

    /// The keys `platform` kept in `extra`.
    pub fn extra_of(&self, platform: Platform) -> Option<&BTreeMap<String, serde_json::Value>> {
        self.extra.get(&platform)
    }
    /// Keep a source key of `platform` in `extra`.
    pub fn keep_extra(&mut self, platform: Platform, key: impl Into<String>, value: serde_json::Value) {
        self.extra.entry(platform).or_default().insert(key.into(), value);
    }
    /// Whether the rule came from `platform`.
    pub fn is_from(&self, platform: Platform) -> bool {
        self.origin.platform == Some(platform)
    }
    /// The least number of matching events that alert, when the rule counts its own events.
    pub fn threshold(&self) -> Option<u64> {
        self.correlation.as_ref().and_then(Correlation::own_event_threshold)
    }

    /// The correlation, unless it is a threshold of one event (every match alerts).
    pub fn effective_correlation(&self) -> Option<&Correlation> {
        let c = self.correlation.as_ref()?;
        (c.own_event_threshold().is_none_or(|n| n > 1)).then_some(c)
    }

    /// The detection filter, if the query starts with one.
    pub fn filter(&self) -> Option<crate::ir::Expr> {
        self.query.split_filter().0
    }
}
