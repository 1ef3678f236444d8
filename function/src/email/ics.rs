//! The `.ics` file attached to confirmations (RFC 5545): one `VEVENT`,
//! times in UTC (so no `VTIMEZONE` is needed), text escaped, lines folded
//! at 75 octets without splitting a character, CRLF line ends.

use chrono::{DateTime, Utc};

use crate::model::MeetupDefinition;

/// Whether the person has a seat (`CONFIRMED`) or waits (`TENTATIVE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attendance {
    Confirmed,
    Waiting,
}

/// The calendar for `meetup`. The `UID` depends only on the meetup, so a
/// later file (a promotion) updates the event already in the person's
/// calendar; `SEQUENCE` grows with it.
pub fn calendar(
    meetup: &MeetupDefinition,
    attendance: Attendance,
    sequence: u32,
    stamp: DateTime<Utc>,
) -> String {
    let host = meetup
        .url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':', '?', '#']).next())
        .filter(|host| !host.is_empty())
        .unwrap_or("maillage.invalid");
    let status = match attendance {
        Attendance::Confirmed => "CONFIRMED",
        Attendance::Waiting => "TENTATIVE",
    };
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Maillage//Rencontres//FR".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", escape(&format!("rencontre-{}@{host}", meetup.id))),
        format!("DTSTAMP:{}", utc(stamp)),
        format!("DTSTART:{}", utc(meetup.starts_at)),
        format!("DTEND:{}", utc(meetup.ends_at)),
        format!("SEQUENCE:{sequence}"),
        format!("SUMMARY:{}", escape(&meetup.title)),
        format!("LOCATION:{}", escape(&meetup.location)),
        format!("URL:{}", meetup.url),
        format!("STATUS:{status}"),
        format!(
            "DESCRIPTION:{}",
            escape(&format!(
                "{}\nToutes les informations : {}",
                meetup.title, meetup.url
            ))
        ),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping (RFC 5545, 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded to lines of at most 75 octets, each continuation
/// starting with a space (RFC 5545, 3.1), and CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_folds() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(60));
        fold(&long, &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        let unfolded = out.trim_end().replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }
}
