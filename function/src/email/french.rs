//! Dates and times as a French reader expects them, in Paris time:
//! "samedi 12 décembre 2026, de 14 h à 17 h 30".

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Europe::Paris;

const DAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// "samedi 12 décembre 2026" ("1er" on the first of the month).
pub fn date(instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&Paris);
    let day = match local.day() {
        1 => "1er".to_string(),
        day => day.to_string(),
    };
    format!(
        "{} {day} {} {}",
        DAYS[local.weekday().num_days_from_monday() as usize],
        MONTHS[local.month0() as usize],
        local.year()
    )
}

/// "14 h", "9 h 05".
pub fn time(instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&Paris);
    match local.minute() {
        0 => format!("{} h", local.hour()),
        minute => format!("{} h {minute:02}", local.hour()),
    }
}

/// When a meetup takes place, in one phrase: "samedi 12 décembre 2026, de
/// 14 h à 17 h", or "du ... à ... au ... à ..." over several days.
pub fn span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    let same_day =
        starts_at.with_timezone(&Paris).date_naive() == ends_at.with_timezone(&Paris).date_naive();
    if same_day {
        format!(
            "{}, de {} à {}",
            date(starts_at),
            time(starts_at),
            time(ends_at)
        )
    } else {
        format!(
            "du {} à {} au {} à {}",
            date(starts_at),
            time(starts_at),
            date(ends_at),
            time(ends_at)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(value: &str) -> DateTime<Utc> {
        value.parse().unwrap()
    }

    #[test]
    fn paris_time_in_words() {
        // Winter: UTC+1.
        assert_eq!(
            span(at("2026-12-12T13:00:00Z"), at("2026-12-12T16:30:00Z")),
            "samedi 12 décembre 2026, de 14 h à 17 h 30"
        );
        // Summer: UTC+2, and the first of the month.
        assert_eq!(
            date(at("2026-07-01T08:00:00Z")),
            "mercredi 1er juillet 2026"
        );
        assert_eq!(time(at("2026-07-01T07:05:00Z")), "9 h 05");
        // Late in the evening UTC is the next day in Paris.
        assert_eq!(date(at("2026-02-27T23:30:00Z")), "samedi 28 février 2026");
        assert_eq!(
            span(at("2026-10-24T07:00:00Z"), at("2026-10-25T15:00:00Z")),
            "du samedi 24 octobre 2026 à 9 h au dimanche 25 octobre 2026 à 16 h"
        );
    }
}
