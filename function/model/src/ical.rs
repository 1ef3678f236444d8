//! The one iCalendar (RFC 5545) writer: the site's calendars (one per
//! meetup, one per region) and the file attached to confirmation emails.
//!
//! A meetup's event has the same `UID` everywhere (`<meetup id>@<site
//! host>`), so a person who keeps the emailed event and subscribes to their
//! region's calendar sees the meetup once, and a later file updates the
//! event instead of adding one. Times are the meetup's wall-clock times in
//! its zone (`DTSTART;TZID=America/Guadeloupe:20250909T183000`), and each
//! calendar carries a `VTIMEZONE` for every zone it uses, with the zone's
//! offset changes over the years of its events; text values are escaped and
//! lines folded at 75 octets without splitting a character.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::zone;

/// A meetup as a `VEVENT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<'a> {
    pub meetup_id: &'a str,
    /// The site's host name ([`host`]), the right-hand side of the `UID`.
    pub host: &'a str,
    /// When this description of the event was made.
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Where the times are wall-clock times.
    pub zone: Tz,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    /// Latitude and longitude.
    pub geo: Option<(f64, f64)>,
    /// The meetup's page.
    pub url: &'a str,
    pub status: Status,
    /// Grows when a later file replaces this one (a promotion).
    pub sequence: Option<u32>,
}

/// Everything the event's text is made from: two events that hash alike
/// are written alike. Taken apart whole, so that a new field does not
/// compile until it is hashed too.
impl std::hash::Hash for Event<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Event {
            meetup_id,
            host,
            stamp,
            start,
            end,
            zone,
            summary,
            description,
            location,
            geo,
            url,
            status,
            sequence,
        } = self;
        (meetup_id, host, stamp, start, end).hash(h);
        (zone, summary, description, location).hash(h);
        geo.map(|(lat, lon)| (lat.to_bits(), lon.to_bits())).hash(h);
        (url, status, sequence).hash(h);
    }
}

/// The event's `STATUS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Confirmed,
    /// Not sure to happen for the calendar's owner (on a waiting list).
    Tentative,
    Cancelled,
}

impl Status {
    fn value(self) -> &'static str {
        match self {
            Status::Confirmed => "CONFIRMED",
            Status::Tentative => "TENTATIVE",
            Status::Cancelled => "CANCELLED",
        }
    }
}

/// The `UID` of a meetup's event.
pub fn uid(meetup_id: &str, host: &str) -> String {
    format!("{meetup_id}@{host}")
}

/// An event written once, to go into one calendar or several.
#[derive(Debug, Clone, PartialEq)]
pub struct EventText {
    /// The folded `BEGIN:VEVENT` … `END:VEVENT` lines.
    pub text: String,
    zone: Tz,
    years: (i32, i32),
}

impl Event<'_> {
    pub fn to_text(&self) -> EventText {
        let mut out = String::with_capacity(768);
        // Each line written in one buffer, then folded into the event.
        let mut buffer = String::with_capacity(256);
        let mut line = |text: std::fmt::Arguments<'_>| {
            buffer.clear();
            let _ = buffer.write_fmt(text);
            push_folded(&mut out, &buffer);
        };
        let local = |instant| Basic(zone::local(instant, self.zone));
        let tzid = self.zone.name();
        line(format_args!("BEGIN:VEVENT"));
        line(format_args!(
            "UID:{}",
            escape_text(&uid(self.meetup_id, self.host))
        ));
        line(format_args!("DTSTAMP:{}Z", Basic(self.stamp.naive_utc())));
        line(format_args!("DTSTART;TZID={tzid}:{}", local(self.start)));
        line(format_args!("DTEND;TZID={tzid}:{}", local(self.end)));
        if let Some(sequence) = self.sequence {
            line(format_args!("SEQUENCE:{sequence}"));
        }
        line(format_args!("SUMMARY:{}", escape_text(self.summary)));
        line(format_args!(
            "DESCRIPTION:{}",
            escape_text(self.description)
        ));
        line(format_args!("LOCATION:{}", escape_text(self.location)));
        if let Some((lat, lon)) = self.geo {
            line(format_args!("GEO:{lat:.6};{lon:.6}"));
        }
        line(format_args!("URL:{}", self.url));
        line(format_args!("STATUS:{}", self.status.value()));
        line(format_args!("TRANSP:OPAQUE"));
        line(format_args!("END:VEVENT"));
        EventText {
            text: out,
            zone: self.zone,
            years: (self.start.year(), self.end.year()),
        }
    }
}

/// A `VCALENDAR` being written: its events, and the zones they use.
pub struct Calendar {
    name: Option<String>,
    events: String,
    /// By zone name: the zone and the years its events span.
    zones: BTreeMap<&'static str, (Tz, i32, i32)>,
}

impl Calendar {
    /// A calendar; a name is shown by calendar applications that subscribe.
    pub fn new(name: Option<&str>) -> Calendar {
        Calendar {
            name: name.map(str::to_string),
            events: String::with_capacity(1024),
            zones: BTreeMap::new(),
        }
    }

    pub fn push_event(&mut self, event: &EventText) {
        self.events.push_str(&event.text);
        let (from, to) = event.years;
        self.zones
            .entry(event.zone.name())
            .and_modify(|(_, a, b)| {
                *a = (*a).min(from);
                *b = (*b).max(to);
            })
            .or_insert((event.zone, from, to));
    }

    pub fn finish(self) -> String {
        let zones: Vec<Arc<str>> = self
            .zones
            .values()
            .map(|&(zone, from, to)| vtimezone(zone, from, to))
            .collect();
        // Sized once: the zones' text outweighs a short calendar's events.
        let size = self.events.len() + zones.iter().map(|z| z.len()).sum::<usize>() + 512;
        let mut text = String::with_capacity(size);
        for line in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Maillage//Rencontres//FR",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
        ] {
            push_folded(&mut text, line);
        }
        if let Some(name) = &self.name {
            push_folded(&mut text, &format!("X-WR-CALNAME:{}", escape_text(name)));
        }
        for zone in &zones {
            text.push_str(zone);
        }
        text.push_str(&self.events);
        push_folded(&mut text, "END:VCALENDAR");
        text
    }
}

/// The `VTIMEZONE` of `zone` from the start of year `from` to the end of
/// year `to`: the offset in force at the start, then every change. Made
/// once per zone and span: a site writes thousands of calendars.
fn vtimezone(zone: Tz, from: i32, to: i32) -> Arc<str> {
    type Cache = Mutex<HashMap<(Tz, i32, i32), Arc<str>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(text) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(zone, from, to))
    {
        return text.clone();
    }
    let text: Arc<str> = write_vtimezone(zone, from, to).into();
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((zone, from, to), text.clone());
    text
}

fn write_vtimezone(zone: Tz, from: i32, to: i32) -> String {
    let year_start = |year| {
        NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
    };
    let (Some(start), Some(end)) = (year_start(from), year_start(to.saturating_add(1))) else {
        return String::new();
    };
    let offset_at = |t: DateTime<Utc>| zone.offset_from_utc_datetime(&t.naive_utc());
    let mut out = String::new();
    let mut line = |text: &str| push_folded(&mut out, text);
    line("BEGIN:VTIMEZONE");
    line(&format!("TZID:{}", zone.name()));
    let mut write = |at: DateTime<Utc>, before: chrono_tz::TzOffset, after: chrono_tz::TzOffset| {
        let kind = if after.dst_offset().is_zero() {
            "STANDARD"
        } else {
            "DAYLIGHT"
        };
        // A change's start is written in the wall-clock time it ends.
        let local = at.naive_utc() + Duration::seconds(i64::from(before.fix().local_minus_utc()));
        line(&format!("BEGIN:{kind}"));
        line(&format!("DTSTART:{}", local.format("%Y%m%dT%H%M%S")));
        line(&format!("TZOFFSETFROM:{}", utc_offset(before)));
        line(&format!("TZOFFSETTO:{}", utc_offset(after)));
        if let Some(name) = after.abbreviation() {
            line(&format!("TZNAME:{}", escape_text(name)));
        }
        line(&format!("END:{kind}"));
    };
    let first = offset_at(start);
    write(start, first, first);
    // Offsets change at most a few times a year, never twice in a day:
    // look day by day, then find the minute.
    let mut day = start;
    while day < end {
        let next = day + Duration::days(1);
        let (before, after) = (offset_at(day), offset_at(next));
        if before.fix() != after.fix() {
            // Whole minutes after `day`: the change is on a minute.
            let (mut lo, mut hi) = (0, 24 * 60);
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                if offset_at(day + Duration::minutes(mid)).fix() == before.fix() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let hi = day + Duration::minutes(hi);
            write(hi, before, after);
        }
        day = next;
    }
    line("END:VTIMEZONE");
    out
}

/// `+0100`, `-0400`.
fn utc_offset(offset: chrono_tz::TzOffset) -> String {
    let seconds = offset.fix().local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    let mut out = String::with_capacity(5);
    let _ = write!(out, "{sign}{:02}{:02}", minutes / 60, minutes % 60);
    out
}

/// The host name of a URL, for UIDs: `https://reseau.example.org/` →
/// `reseau.example.org` (`localhost` when there is none).
pub fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(bracketed) = host.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or(bracketed)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    if host.is_empty() {
        "localhost".to_string()
    } else {
        host.to_ascii_lowercase()
    }
}

/// A date and time in iCalendar's basic form, `20250909T183000`, written
/// field by field: chrono's formatter reads its pattern at each call, and
/// a national site writes tens of thousands of events. Years outside four
/// digits and leap seconds keep chrono's spelling.
struct Basic(chrono::NaiveDateTime);

impl std::fmt::Display for Basic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::Timelike;
        let t = self.0;
        if !(0..=9999).contains(&t.year()) || t.nanosecond() >= 1_000_000_000 {
            return write!(f, "{}", t.format("%Y%m%dT%H%M%S"));
        }
        write!(
            f,
            "{:04}{:02}{:02}T{:02}{:02}{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

/// Escapes a TEXT value (RFC 5545 §3.3.11); CRLF and CR become one line break.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // Runs of plain text are copied whole, between the characters escaped.
    let mut plain_from = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let mut end = at + c.len_utf8();
        let escaped = match c {
            '\\' => "\\\\",
            ';' => "\\;",
            ',' => "\\,",
            '\r' => {
                if let Some((_, '\n')) = chars.peek() {
                    chars.next();
                    end += 1;
                }
                "\\n"
            }
            '\n' => "\\n",
            c if c.is_control() => "",
            _ => continue,
        };
        out.push_str(&text[plain_from..at]);
        out.push_str(escaped);
        plain_from = end;
    }
    out.push_str(&text[plain_from..]);
    out
}

/// Appends `line` folded to 75 octets per line (RFC 5545 §3.1), CRLF-ended.
fn push_folded(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = 75;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // Continuation lines start with a space, which counts.
        limit = 74;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text() {
        assert_eq!(
            escape_text("a, b; c\\d\ne\r\nf\rg"),
            "a\\, b\\; c\\\\d\\ne\\nf\\ng"
        );
    }

    /// Character by character, as the escape was first written: the
    /// run-copying one must give the same text.
    fn escape_char_by_char(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push_str("\\\\"),
                ';' => out.push_str("\\;"),
                ',' => out.push_str("\\,"),
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push_str("\\n");
                }
                '\n' => out.push_str("\\n"),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn escapes_every_kind_of_text_as_char_by_char() {
        let pieces = [
            "",
            "a",
            "é",
            "Café, thé; \\",
            "\r",
            "\n",
            "\r\n",
            "\t",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
            "\u{a0}",
            "🎉",
            "Saint-Étienne",
            ",;",
            "\r\r\n\n",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(escape_text(&text), escape_char_by_char(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn basic_times_are_chronos() {
        let mut t = NaiveDate::from_ymd_opt(2024, 12, 31)
            .unwrap()
            .and_hms_opt(23, 59, 58)
            .unwrap();
        for _ in 0..5000 {
            assert_eq!(Basic(t).to_string(), t.format("%Y%m%dT%H%M%S").to_string());
            t += Duration::seconds(3_607);
        }
        let far = NaiveDate::from_ymd_opt(12_345, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        assert_eq!(
            Basic(far).to_string(),
            far.format("%Y%m%dT%H%M%S").to_string()
        );
    }

    #[test]
    fn folds_on_character_boundaries() {
        let line = format!("SUMMARY:{}", "é".repeat(60));
        let mut out = String::new();
        push_folded(&mut out, &line);
        let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        for l in &lines[1..] {
            assert!(l.starts_with(' '));
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn a_zone_without_summer_time_has_one_offset() {
        let guadeloupe = zone::parse("America/Guadeloupe").unwrap();
        let text = write_vtimezone(guadeloupe, 2025, 2026);
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 1, "{text}");
        assert!(text.contains("TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0400\r\n"));
        assert!(!text.contains("DAYLIGHT"));
    }

    #[test]
    fn host_of_url() {
        assert_eq!(host("https://reseau.example.org"), "reseau.example.org");
        assert_eq!(host("http://127.0.0.1:1111/"), "127.0.0.1");
        assert_eq!(host("https://Site.Example:8443/sub/"), "site.example");
        assert_eq!(host("http://[::1]:8080/"), "::1");
        assert_eq!(host(""), "localhost");
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// A meetup in Brest, as the tests' calendars show it.
    fn brest_event() -> Event<'static> {
        Event {
            meetup_id: "brest-2026-12",
            host: "reseau.example.org",
            stamp: at("2026-11-01T10:00:00Z"),
            start: at("2026-12-03T17:30:00Z"),
            end: at("2026-12-03T19:30:00Z"),
            zone: zone::DEFAULT,
            summary: "Rencontre, Brest",
            description: "Ligne 1",
            location: "Médiathèque, Brest",
            geo: Some((48.390_394, -4.486_076)),
            url: "https://reseau.example.org/rencontres/brest-2026-12/",
            status: Status::Confirmed,
            sequence: None,
        }
    }

    /// A build keeps a calendar while its events hash alike: a change of
    /// any field the text is written from changes the hash.
    #[test]
    fn an_events_hash_follows_every_field_it_is_written_from() {
        use std::hash::{Hash, Hasher};
        let hash = |e: &Event<'_>| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            e.hash(&mut h);
            h.finish()
        };
        let base = brest_event();
        let later = at("2026-12-04T17:30:00Z");
        let changed = [
            Event {
                meetup_id: "brest-2027-01",
                ..base.clone()
            },
            Event {
                host: "autre.example.org",
                ..base.clone()
            },
            Event {
                stamp: later,
                ..base.clone()
            },
            Event {
                start: later,
                ..base.clone()
            },
            Event {
                end: later,
                ..base.clone()
            },
            Event {
                zone: "America/Cayenne".parse().unwrap(),
                ..base.clone()
            },
            Event {
                summary: "Rencontre, Quimper",
                ..base.clone()
            },
            Event {
                description: "Ligne 2",
                ..base.clone()
            },
            Event {
                location: "Mairie, Brest",
                ..base.clone()
            },
            Event {
                geo: Some((48.390_394, -4.486_077)),
                ..base.clone()
            },
            Event {
                geo: None,
                ..base.clone()
            },
            Event {
                url: "https://reseau.example.org/x/",
                ..base.clone()
            },
            Event {
                status: Status::Cancelled,
                ..base.clone()
            },
            Event {
                sequence: Some(1),
                ..base.clone()
            },
        ];
        for event in &changed {
            assert_ne!(event.to_text(), base.to_text());
            assert_ne!(hash(event), hash(&base), "{event:?}");
        }
        assert_eq!(hash(&base.clone()), hash(&base));
    }

    #[test]
    fn one_event_in_a_named_calendar() {
        let event = Event {
            description: "Ligne 1\nLigne 2",
            location: "Médiathèque; Brest",
            ..brest_event()
        };
        let mut calendar = Calendar::new(Some("Rencontres – Bretagne"));
        calendar.push_event(&event.to_text());
        calendar.push_event(&event.to_text());
        let text = calendar.finish();
        for expected in [
            "BEGIN:VCALENDAR\r\n",
            "X-WR-CALNAME:Rencontres – Bretagne\r\n",
            "UID:brest-2026-12@reseau.example.org\r\n",
            "DTSTART;TZID=Europe/Paris:20261203T183000\r\n",
            "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n",
            "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n",
            "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n",
            "SUMMARY:Rencontre\\, Brest\r\n",
            "DESCRIPTION:Ligne 1\\nLigne 2\r\n",
            "LOCATION:Médiathèque\\; Brest\r\n",
            "GEO:48.390394;-4.486076\r\n",
            "STATUS:CONFIRMED\r\n",
        ] {
            assert!(text.contains(expected), "{expected:?} missing in {text}");
        }
        assert!(!text.contains("SEQUENCE"));
        assert_eq!(text.matches("BEGIN:VTIMEZONE").count(), 1, "one per zone");
        // 2026 only: the zone at New Year, then March and October.
        assert_eq!(text.matches("TZOFFSETTO").count(), 3, "{text}");
        assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    }
}
