//! Dates and times as the French site writes them: "jeudi 3 décembre 2026",
//! "18 h 30 – 20 h 30", and ISO 8601 with the Paris offset.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc};
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

/// "jeudi 3 décembre 2026"; the first of the month is "1er".
pub fn date_label(local: NaiveDateTime) -> String {
    let date = local.date();
    let day = date.day();
    let day = if day == 1 {
        "1er".to_string()
    } else {
        day.to_string()
    };
    format!(
        "{} {day} {} {}",
        DAYS[date.weekday().num_days_from_monday() as usize],
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// "18 h 30", or "18 h" on the hour.
pub fn time_of_day(local: NaiveDateTime) -> String {
    match local.minute() {
        0 => format!("{} h", local.hour()),
        m => format!("{} h {m:02}", local.hour()),
    }
}

/// "18 h 30 – 20 h 30"; when the meetup ends on another day, the end's
/// date is written too.
pub fn time_range_label(start: NaiveDateTime, end: NaiveDateTime) -> String {
    if start.date() == end.date() {
        format!("{} – {}", time_of_day(start), time_of_day(end))
    } else {
        format!(
            "{} – {}, {}",
            time_of_day(start),
            date_label(end),
            time_of_day(end)
        )
    }
}

/// "jeudi 3 décembre 2026 à 18 h 30".
pub fn datetime_label(local: NaiveDateTime) -> String {
    format!("{} à {}", date_label(local), time_of_day(local))
}

/// ISO 8601 with the Paris offset: "2026-12-03T18:30:00+01:00".
pub fn iso_paris(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&Paris)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A Paris wall-clock time of an instant.
pub fn paris_local(instant: DateTime<Utc>) -> NaiveDateTime {
    Paris.from_utc_datetime(&instant.naive_utc()).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn writes_french_dates() {
        assert_eq!(date_label(at("2026-12-03T18:30")), "jeudi 3 décembre 2026");
        assert_eq!(date_label(at("2027-02-01T10:00")), "lundi 1er février 2027");
        assert_eq!(date_label(at("2026-08-16T10:00")), "dimanche 16 août 2026");
    }

    #[test]
    fn writes_french_times() {
        assert_eq!(
            time_range_label(at("2026-12-03T18:30"), at("2026-12-03T20:30")),
            "18 h 30 – 20 h 30"
        );
        assert_eq!(
            time_range_label(at("2026-12-03T09:00"), at("2026-12-03T12:05")),
            "9 h – 12 h 05"
        );
        assert_eq!(
            time_range_label(at("2026-12-05T14:00"), at("2026-12-06T12:00")),
            "14 h – dimanche 6 décembre 2026, 12 h"
        );
        assert_eq!(
            datetime_label(at("2026-10-20T09:00")),
            "mardi 20 octobre 2026 à 9 h"
        );
    }

    #[test]
    fn iso_dates_carry_the_paris_offset() {
        let winter = maillage_function::clock::paris_to_utc(at("2026-12-03T18:30")).unwrap();
        assert_eq!(iso_paris(winter), "2026-12-03T18:30:00+01:00");
        let summer = maillage_function::clock::paris_to_utc(at("2026-06-03T18:30")).unwrap();
        assert_eq!(iso_paris(summer), "2026-06-03T18:30:00+02:00");
        assert_eq!(paris_local(summer), at("2026-06-03T18:30"));
    }
}
