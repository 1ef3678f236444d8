//! Time zones: a meetup's times are wall-clock times where it takes place
//! (Paris, Guadeloupe, La Réunion…); they become instants here, and
//! instants become wall-clock times again for people to read.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
pub use chrono_tz::Tz;

/// The zone of a site or a meetup that does not say otherwise.
pub const DEFAULT: Tz = chrono_tz::Europe::Paris;

/// Reads an IANA zone name (`Europe/Paris`, `America/Guadeloupe`).
pub fn parse(name: &str) -> Option<Tz> {
    name.trim().parse().ok()
}

/// The instant of a wall-clock time in `zone`. In an autumn overlap the
/// earlier instant wins; a time skipped when clocks go forward does not
/// exist.
pub fn to_utc(local: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&local)
        .earliest()
        .map(|instant| instant.with_timezone(&Utc))
}

/// The wall-clock time of an instant in `zone`.
pub fn local(instant: DateTime<Utc>, zone: Tz) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

/// ISO 8601 with the zone's offset: "2026-12-03T18:30:00+01:00".
pub fn iso(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn paris_follows_summer_time() {
        let winter = to_utc(at("2026-12-03T18:30"), DEFAULT).unwrap();
        assert_eq!(iso(winter, DEFAULT), "2026-12-03T18:30:00+01:00");
        let summer = to_utc(at("2026-06-03T18:30"), DEFAULT).unwrap();
        assert_eq!(iso(summer, DEFAULT), "2026-06-03T18:30:00+02:00");
        assert_eq!(local(summer, DEFAULT), at("2026-06-03T18:30"));
        // 2:30 on the last Sunday of March never happens in Paris.
        assert!(to_utc(at("2026-03-29T02:30"), DEFAULT).is_none());
        // 2:30 on the last Sunday of October happens twice: the first counts.
        let twice = to_utc(at("2026-10-25T02:30"), DEFAULT).unwrap();
        assert_eq!(iso(twice, DEFAULT), "2026-10-25T02:30:00+02:00");
    }

    #[test]
    fn overseas_zones() {
        let guadeloupe = parse("America/Guadeloupe").unwrap();
        let instant = to_utc(at("2025-09-09T18:30"), guadeloupe).unwrap();
        assert_eq!(instant.to_rfc3339(), "2025-09-09T22:30:00+00:00");
        assert_eq!(iso(instant, DEFAULT), "2025-09-10T00:30:00+02:00");
        let reunion = parse("Indian/Reunion").unwrap();
        assert_eq!(iso(instant, reunion), "2025-09-10T02:30:00+04:00");
        assert!(parse("Europe/Lutece").is_none());
    }
}
