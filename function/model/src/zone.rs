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
    use chrono::{Datelike, Offset, Timelike};
    use std::fmt::Write;
    let local = instant.with_timezone(&zone);
    // Written field by field: chrono's formatter interprets its pattern at
    // each call, and a national site writes a hundred thousand of these.
    // Years outside four digits and leap seconds keep chrono's spelling.
    if !(0..=9999).contains(&local.year()) || local.nanosecond() >= 1_000_000_000 {
        return local.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    }
    let offset = local.offset().fix().local_minus_utc();
    let (sign, offset) = if offset < 0 {
        ('-', -offset)
    } else {
        ('+', offset)
    };
    let mut out = String::with_capacity(25);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
        offset / 3600,
        offset / 60 % 60,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    /// The same text as chrono's formatter, in zones east and west of
    /// Greenwich, with half-hour offsets, across changes of time.
    #[test]
    fn iso_is_chrono_s_format() {
        let zones: [Tz; 6] = [
            DEFAULT,
            chrono_tz::America::Guadeloupe,
            chrono_tz::Indian::Reunion,
            chrono_tz::Pacific::Noumea,
            chrono_tz::Asia::Kolkata,
            chrono_tz::America::St_Johns,
        ];
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        for step in 0..20_000 {
            let instant = start + chrono::Duration::seconds(step * 7_919);
            for zone in zones {
                let expected = instant
                    .with_timezone(&zone)
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string();
                assert_eq!(iso(instant, zone), expected);
            }
        }
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
