//! The one iCalendar (RFC 5545) writer: the site's calendars (one per
//! meetup, one per region) and the file attached to confirmation emails.
//!
//! A meetup's event has the same `UID` everywhere (`<meetup id>@<site
//! host>`), so a person who keeps the emailed event and subscribes to their
//! region's calendar sees the meetup once, and a later file updates the
//! event instead of adding one. Times are written in UTC
//! (`DTSTART:20261203T173000Z`), which needs no `VTIMEZONE`; text values are
//! escaped and lines folded at 75 octets without splitting a character.

use chrono::{DateTime, Utc};

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

/// The event's `STATUS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

impl Event<'_> {
    /// The folded `BEGIN:VEVENT` … `END:VEVENT` lines.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(768);
        let mut line = |text: &str| push_folded(&mut out, text);
        line("BEGIN:VEVENT");
        line(&format!(
            "UID:{}",
            escape_text(&uid(self.meetup_id, self.host))
        ));
        line(&format!("DTSTAMP:{}", utc(self.stamp)));
        line(&format!("DTSTART:{}", utc(self.start)));
        line(&format!("DTEND:{}", utc(self.end)));
        if let Some(sequence) = self.sequence {
            line(&format!("SEQUENCE:{sequence}"));
        }
        line(&format!("SUMMARY:{}", escape_text(self.summary)));
        line(&format!("DESCRIPTION:{}", escape_text(self.description)));
        line(&format!("LOCATION:{}", escape_text(self.location)));
        if let Some((lat, lon)) = self.geo {
            line(&format!("GEO:{lat:.6};{lon:.6}"));
        }
        line(&format!("URL:{}", self.url));
        line(&format!("STATUS:{}", self.status.value()));
        line("TRANSP:OPAQUE");
        line("END:VEVENT");
        out
    }
}

/// A `VCALENDAR` being written: events are added as folded text (made
/// once by [`Event::to_text`] when an event goes into several calendars).
pub struct Calendar {
    text: String,
}

impl Calendar {
    /// A calendar; a name is shown by calendar applications that subscribe.
    pub fn new(name: Option<&str>) -> Calendar {
        let mut text = String::with_capacity(1024);
        for line in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Maillage//Rencontres//FR",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
        ] {
            push_folded(&mut text, line);
        }
        if let Some(name) = name {
            push_folded(&mut text, &format!("X-WR-CALNAME:{}", escape_text(name)));
        }
        Calendar { text }
    }

    pub fn push_event(&mut self, event_text: &str) {
        self.text.push_str(event_text);
    }

    pub fn finish(mut self) -> String {
        push_folded(&mut self.text, "END:VCALENDAR");
        self.text
    }
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

fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11); CRLF and CR become one line break.
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
    fn host_of_url() {
        assert_eq!(host("https://reseau.example.org"), "reseau.example.org");
        assert_eq!(host("http://127.0.0.1:1111/"), "127.0.0.1");
        assert_eq!(host("https://Site.Example:8443/sub/"), "site.example");
        assert_eq!(host("http://[::1]:8080/"), "::1");
        assert_eq!(host(""), "localhost");
    }

    #[test]
    fn one_event_in_a_named_calendar() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let event = Event {
            meetup_id: "brest-2026-12",
            host: "reseau.example.org",
            stamp: at("2026-11-01T10:00:00Z"),
            start: at("2026-12-03T17:30:00Z"),
            end: at("2026-12-03T19:30:00Z"),
            summary: "Rencontre, Brest",
            description: "Ligne 1\nLigne 2",
            location: "Médiathèque; Brest",
            geo: Some((48.390_394, -4.486_076)),
            url: "https://reseau.example.org/rencontres/brest-2026-12/",
            status: Status::Confirmed,
            sequence: None,
        };
        let mut calendar = Calendar::new(Some("Rencontres – Bretagne"));
        calendar.push_event(&event.to_text());
        let text = calendar.finish();
        for expected in [
            "BEGIN:VCALENDAR\r\n",
            "X-WR-CALNAME:Rencontres – Bretagne\r\n",
            "UID:brest-2026-12@reseau.example.org\r\n",
            "DTSTART:20261203T173000Z\r\n",
            "SUMMARY:Rencontre\\, Brest\r\n",
            "DESCRIPTION:Ligne 1\\nLigne 2\r\n",
            "LOCATION:Médiathèque\\; Brest\r\n",
            "GEO:48.390394;-4.486076\r\n",
            "STATUS:CONFIRMED\r\n",
        ] {
            assert!(text.contains(expected), "{expected:?} missing in {text}");
        }
        assert!(!text.contains("SEQUENCE"));
        assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    }
}
