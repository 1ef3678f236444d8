//! iCalendar (RFC 5545) files: one per meetup, one per region.
//!
//! Times are written in UTC (`DTSTART:20261203T173000Z`), which needs no
//! `VTIMEZONE` and converts correctly across summer time; UIDs are
//! `<meetup id>@<site host>`, stable across builds; text values are escaped
//! and lines folded at 75 octets without splitting a UTF-8 character.

use chrono::{DateTime, Duration, Utc};
use maillage_function::model::MeetupStatus;

use crate::pages::labels;
use crate::pages::network::{meetup_path, Network};

/// How far back a region's calendar keeps past meetups, so that calendar
/// applications subscribed to it do not see them vanish the day after.
pub const REGION_HISTORY_DAYS: i64 = 90;

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
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

/// Appends `line` folded to 75 octets per line (RFC 5545 §3.1), CRLF-ended.
pub fn push_folded(out: &mut String, line: &str) {
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

fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The site's host name, for UIDs: `https://reseau.example.org/` → `reseau.example.org`.
pub fn host(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host.starts_with('[') {
        host.split(']').next().map_or(host, |h| &h[1..])
    } else {
        host.split(':').next().unwrap_or(host)
    };
    if host.is_empty() {
        "localhost".to_string()
    } else {
        host.to_ascii_lowercase()
    }
}

struct Calendar {
    text: String,
}

impl Calendar {
    fn new(name: &str) -> Calendar {
        let mut cal = Calendar {
            text: String::with_capacity(1024),
        };
        cal.line("BEGIN:VCALENDAR");
        cal.line("VERSION:2.0");
        cal.line("PRODID:-//Maillage//Rencontres//FR");
        cal.line("CALSCALE:GREGORIAN");
        cal.line("METHOD:PUBLISH");
        cal.line(&format!("X-WR-CALNAME:{}", escape_text(name)));
        cal
    }

    fn line(&mut self, line: &str) {
        push_folded(&mut self.text, line);
    }

    fn push_event(&mut self, event: &str) {
        self.text.push_str(event);
    }

    fn finish(mut self) -> Vec<u8> {
        self.line("END:VCALENDAR");
        self.text.into_bytes()
    }
}

/// The `VEVENT` of meetup `m`, folded: the same text in the meetup's
/// calendar and its region's, so it is made once per build.
pub fn event(net: &Network, host: &str, m: usize) -> String {
    let mut cal = Calendar {
        text: String::with_capacity(768),
    };
    let meetup = &net.data.meetups[m];
    let facts = &net.facts[m];
    let place = &net.data.places[net.meetup_place[m]];
    let url = net.permalink(&meetup_path(&meetup.id));
    let mut description = format!(
        "{}.\n{} – {}.\n{} {}",
        meetup.kind.label(),
        labels::date_label(meetup.start),
        labels::time_range_label(meetup.start, meetup.end),
        net.meetup_summaries[m]["registration"]["label"]
            .as_str()
            .unwrap_or_default(),
        url
    );
    if !meetup.intentions.is_empty() {
        description.push_str("\n\nIntentions :\n- ");
        description.push_str(&meetup.intentions.join("\n- "));
    }
    let location = format!(
        "{}, {}, {} {}",
        place.name, place.address, place.postcode, place.commune
    );
    let status = if meetup.status == MeetupStatus::Cancelled {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    cal.line("BEGIN:VEVENT");
    cal.line(&format!("UID:{}@{host}", meetup.id));
    cal.line(&format!("DTSTAMP:{}", utc(net.now)));
    cal.line(&format!("DTSTART:{}", utc(facts.start)));
    cal.line(&format!("DTEND:{}", utc(facts.end)));
    cal.line(&format!("SUMMARY:{}", escape_text(&meetup.title)));
    cal.line(&format!("DESCRIPTION:{}", escape_text(&description)));
    cal.line(&format!("LOCATION:{}", escape_text(&location)));
    cal.line(&format!(
        "GEO:{:.6};{:.6}",
        crate::map::round6(place.lat),
        crate::map::round6(place.lon)
    ));
    cal.line(&format!("URL:{url}"));
    cal.line(&format!("STATUS:{status}"));
    cal.line("TRANSP:OPAQUE");
    cal.line("END:VEVENT");
    cal.text
}

/// The calendar of one meetup, with its `event`.
pub fn meetup_calendar(net: &Network, m: usize, event: &str) -> Vec<u8> {
    let mut cal = Calendar::new(&net.data.meetups[m].title);
    cal.push_event(event);
    cal.finish()
}

/// The calendar of a region: its meetups to come and those of the last
/// [`REGION_HISTORY_DAYS`] days.
pub fn region_calendar<'e>(net: &Network, r: usize, event: impl Fn(usize) -> &'e str) -> Vec<u8> {
    let region = &net.data.regions[r];
    let mut cal = Calendar::new(&format!("Rencontres – {}", region.name));
    let since = net.now - Duration::days(REGION_HISTORY_DAYS);
    for &m in &net.region_meetups[r] {
        if net.facts[m].end >= since {
            cal.push_event(event(m));
        }
    }
    cal.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text() {
        assert_eq!(
            escape_text("a, b; c\\d\ne\r\nf"),
            "a\\, b\\; c\\\\d\\ne\\nf"
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
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), line);
    }

    #[test]
    fn host_of_base_url() {
        assert_eq!(host("https://reseau.example.org"), "reseau.example.org");
        assert_eq!(host("http://127.0.0.1:1111/"), "127.0.0.1");
        assert_eq!(host("https://Site.Example:8443/sub/"), "site.example");
    }
}
