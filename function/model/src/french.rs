//! Dates and times as a French reader expects them: "jeudi 3 décembre
//! 2026", "18 h 30", "1er" on the first of the month. Every French date on
//! the site and in the function's pages and emails comes from here; the
//! day and month names are those of chrono's `fr_FR` locale.
//!
//! Everything takes wall-clock times: the caller converts an instant to the
//! meetup's time zone first.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use chrono_tz::Tz;

/// "jeudi 3 décembre 2026"; the first of the month is "1er".
pub fn date(day: NaiveDate) -> String {
    let weekday = WEEKDAYS[day.weekday().num_days_from_monday() as usize];
    let month = MONTHS[day.month0() as usize];
    match day.day() {
        1 => format!("{weekday} 1er {month} {}", day.year()),
        n => format!("{weekday} {n} {month} {}", day.year()),
    }
}

/// "octobre 2026": the month of `day`.
pub fn month(day: NaiveDate) -> String {
    format!("{} {}", MONTHS[day.month0() as usize], day.year())
}

/// The names of chrono's `fr_FR` locale, from Monday; read from a table
/// rather than through the locale's formatter, which interprets a pattern
/// at each call (a national site writes a hundred thousand dates).
const WEEKDAYS: [&str; 7] = [
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

/// "18 h 30", or "18 h" on the hour.
pub fn time(local: NaiveDateTime) -> String {
    match local.minute() {
        0 => format!("{} h", local.hour()),
        m => format!("{} h {m:02}", local.hour()),
    }
}

/// "jeudi 3 décembre 2026 à 18 h 30".
pub fn date_time(local: NaiveDateTime) -> String {
    format!("{} à {}", date(local.date()), time(local))
}

/// "18 h 30 – 20 h 30"; when the end falls on another day, its date is
/// written too: "14 h – dimanche 6 décembre 2026, 12 h".
pub fn time_range(start: NaiveDateTime, end: NaiveDateTime) -> String {
    if start.date() == end.date() {
        format!("{} – {}", time(start), time(end))
    } else {
        format!("{} – {}, {}", time(start), date(end.date()), time(end))
    }
}

/// When something takes place, in one phrase: "samedi 12 décembre 2026,
/// de 14 h à 17 h 30", or "du … à … au … à …" over several days.
pub fn span(start: NaiveDateTime, end: NaiveDateTime) -> String {
    if start.date() == end.date() {
        format!("{}, de {} à {}", date(start.date()), time(start), time(end))
    } else {
        format!(
            "du {} à {} au {} à {}",
            date(start.date()),
            time(start),
            date(end.date()),
            time(end)
        )
    }
}

/// How a zone is named after a time: "heure de Paris", "heure de la
/// Guadeloupe"; a zone without a French name is named after its city.
pub fn zone_name(zone: Tz) -> String {
    let place = match zone.name() {
        "Europe/Paris" => "Paris",
        "America/Guadeloupe" => "la Guadeloupe",
        "America/Martinique" => "la Martinique",
        "America/Cayenne" => "Guyane",
        "Indian/Reunion" => "La Réunion",
        "Indian/Mayotte" => "Mayotte",
        "America/Miquelon" => "Saint-Pierre-et-Miquelon",
        "America/St_Barthelemy" => "Saint-Barthélemy",
        "America/Marigot" => "Saint-Martin",
        "Pacific/Noumea" => "Nouvelle-Calédonie",
        "Pacific/Tahiti" => "Tahiti",
        "Pacific/Wallis" => "Wallis-et-Futuna",
        other => {
            let city = other.rsplit('/').next().unwrap_or(other);
            return format!("heure de {}", city.replace('_', " "));
        }
    };
    format!("heure de {place}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are the locale's, for every day of eight years.
    #[test]
    fn names_are_chrono_s_fr_fr_locale() {
        let mut day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        for _ in 0..8 * 366 {
            let names = day
                .format_localized("%A %-d %B %Y", chrono::Locale::fr_FR)
                .to_string();
            let expected = match day.day() {
                1 => names.replacen(" 1 ", " 1er ", 1),
                _ => names,
            };
            assert_eq!(date(day), expected);
            assert_eq!(
                month(day),
                day.format_localized("%B %Y", chrono::Locale::fr_FR)
                    .to_string()
            );
            day = day.succ_opt().unwrap();
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn dates_in_words() {
        assert_eq!(date(at("2026-12-03T18:30").date()), "jeudi 3 décembre 2026");
        assert_eq!(
            date(at("2027-02-01T10:00").date()),
            "lundi 1er février 2027"
        );
        assert_eq!(date(at("2026-08-16T10:00").date()), "dimanche 16 août 2026");
        assert_eq!(
            date_time(at("2026-10-20T09:00")),
            "mardi 20 octobre 2026 à 9 h"
        );
    }

    #[test]
    fn months_in_words() {
        assert_eq!(month(at("2026-08-16T10:00").date()), "août 2026");
        assert_eq!(month(at("2027-02-01T10:00").date()), "février 2027");
    }

    #[test]
    fn zones_by_their_french_names() {
        let name = |tz: &str| zone_name(tz.parse().unwrap());
        assert_eq!(name("Europe/Paris"), "heure de Paris");
        assert_eq!(name("America/Guadeloupe"), "heure de la Guadeloupe");
        assert_eq!(name("Indian/Reunion"), "heure de La Réunion");
        assert_eq!(name("America/New_York"), "heure de New York");
    }

    #[test]
    fn times_and_ranges() {
        assert_eq!(time(at("2026-07-01T09:05")), "9 h 05");
        assert_eq!(
            time_range(at("2026-12-03T18:30"), at("2026-12-03T20:30")),
            "18 h 30 – 20 h 30"
        );
        assert_eq!(
            time_range(at("2026-12-05T14:00"), at("2026-12-06T12:00")),
            "14 h – dimanche 6 décembre 2026, 12 h"
        );
        assert_eq!(
            span(at("2026-12-12T14:00"), at("2026-12-12T17:30")),
            "samedi 12 décembre 2026, de 14 h à 17 h 30"
        );
        assert_eq!(
            span(at("2026-10-24T09:00"), at("2026-10-25T16:00")),
            "du samedi 24 octobre 2026 à 9 h au dimanche 25 octobre 2026 à 16 h"
        );
    }
}
