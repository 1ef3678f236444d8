//! The one place that says what time it is.
//!
//! Everything that depends on "now" (a meetup to come or past, a registration
//! window open or closed) asks this module, so tests and demos can pin the
//! date with the `MAILLAGE_NOW` environment variable.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::zone;

/// Environment variable that pins the current instant.
///
/// Accepts an RFC 3339 instant (`2026-11-22T14:00:00Z`), a local Paris time
/// (`2026-11-22T14:00`) or a date (`2026-11-22`, read as noon in Paris).
pub const NOW_VAR: &str = "MAILLAGE_NOW";

/// The current instant: `MAILLAGE_NOW` when set and valid, the system clock otherwise.
pub fn now() -> DateTime<Utc> {
    std::env::var(NOW_VAR)
        .ok()
        .and_then(|value| parse_instant(&value))
        .unwrap_or_else(Utc::now)
}

/// Reads an instant written as RFC 3339, as a Paris local date-time, or as a Paris date.
pub fn parse_instant(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Some(instant.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(value, format) {
            return zone::to_utc(local, zone::DEFAULT);
        }
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    zone::to_utc(date.and_hms_opt(12, 0, 0)?, zone::DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_forms() {
        let utc = parse_instant("2026-11-22T14:00:00Z").unwrap();
        assert_eq!(utc.to_rfc3339(), "2026-11-22T14:00:00+00:00");
        // Winter: Paris is UTC+1.
        let local = parse_instant("2026-11-22T15:00").unwrap();
        assert_eq!(local, utc);
        // Summer: Paris is UTC+2; a bare date means noon in Paris.
        let date = parse_instant("2026-07-01").unwrap();
        assert_eq!(date.to_rfc3339(), "2026-07-01T10:00:00+00:00");
        assert!(parse_instant("next tuesday").is_none());
    }

    #[test]
    fn skipped_spring_hour_does_not_exist() {
        // 2026-03-29 02:30 never happens in Paris.
        assert!(parse_instant("2026-03-29T02:30").is_none());
    }
}
