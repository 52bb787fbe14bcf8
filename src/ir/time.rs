//! Exact durations and time references. A duration is whole milliseconds, never rounded to
//! minutes: `30s` stays thirty seconds on every target that can say it, and a target that
//! cannot says so.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A span of time in milliseconds. Printed in its largest exact unit (`90s`, `15m`, `2h`, `1d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Duration {
    pub millis: u64,
}

impl Duration {
    pub const SECOND: u64 = 1_000;
    pub const MINUTE: u64 = 60 * Self::SECOND;
    pub const HOUR: u64 = 60 * Self::MINUTE;
    pub const DAY: u64 = 24 * Self::HOUR;

    pub fn from_millis(millis: u64) -> Self {
        Duration { millis }
    }
    pub fn from_secs(secs: u64) -> Self {
        Duration { millis: secs.saturating_mul(Self::SECOND) }
    }
    pub fn from_minutes(m: u64) -> Self {
        Duration { millis: m.saturating_mul(Self::MINUTE) }
    }

    /// `30s`, `5m`, `1h`, `2d`, `500ms` (and `w` for weeks, Kusto's `tick`-free units). The
    /// number is a whole non-negative count; `None` for anything else or on overflow.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit())?;
        let (num, unit) = t.split_at(split);
        let n: u64 = num.parse().ok()?;
        let scale = match unit.trim() {
            "ms" => 1,
            "s" | "sec" | "secs" | "second" | "seconds" => Self::SECOND,
            "m" | "min" | "mins" | "minute" | "minutes" => Self::MINUTE,
            "h" | "hr" | "hour" | "hours" => Self::HOUR,
            "d" | "day" | "days" => Self::DAY,
            "w" | "week" | "weeks" => 7 * Self::DAY,
            _ => return None,
        };
        n.checked_mul(scale).map(Duration::from_millis)
    }

    /// Whole minutes, when the duration is exactly that many (targets that count in minutes).
    pub fn exact_minutes(self) -> Option<u64> {
        self.millis.is_multiple_of(Self::MINUTE).then_some(self.millis / Self::MINUTE)
    }
    /// Minutes rounded up: the smallest whole-minute duration that covers this one.
    pub fn ceil_minutes(self) -> u64 {
        self.millis.div_ceil(Self::MINUTE)
    }
    /// The duration in the largest unit that divides it exactly, with that unit's letter.
    pub fn largest_unit(self) -> (u64, &'static str) {
        let m = self.millis;
        for (scale, unit) in [(Self::DAY, "d"), (Self::HOUR, "h"), (Self::MINUTE, "m"), (Self::SECOND, "s")] {
            if m != 0 && m.is_multiple_of(scale) {
                return (m / scale, unit);
            }
        }
        if m == 0 {
            (0, "s")
        } else {
            (m, "ms")
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = self.largest_unit();
        write!(f, "{n}{unit}")
    }
}

/// A point in time as a query names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeRef {
    /// The time the query runs.
    Now,
    /// That long before the query runs (Kusto `ago(1h)`, Elastic `now-1h`).
    Ago(Duration),
    /// An absolute instant as the source wrote it (ISO 8601).
    Absolute(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_exact() {
        assert_eq!(Duration::parse("30s"), Some(Duration::from_secs(30)));
        assert_eq!(Duration::parse("30s").unwrap().exact_minutes(), None);
        assert_eq!(Duration::parse("30s").unwrap().ceil_minutes(), 1);
        assert_eq!(Duration::parse("15m").unwrap().exact_minutes(), Some(15));
        assert_eq!(Duration::parse("2h").unwrap().to_string(), "2h");
        assert_eq!(Duration::parse("90s").unwrap().to_string(), "90s");
        assert_eq!(Duration::parse("120s").unwrap().to_string(), "2m");
        assert_eq!(Duration::parse("1d").unwrap().millis, 86_400_000);
        assert_eq!(Duration::parse("5x"), None);
        assert_eq!(Duration::parse("m"), None);
        assert_eq!(Duration::parse("99999999999999999999d"), None);
    }
}
