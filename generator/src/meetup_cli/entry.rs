//! A new meetup's entry as YAML text, in the order and style of the data
//! format's example, to append to a file without rewriting the rest.

/// What the meetup belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Belongs {
    Module { module: String, week: u32 },
    Series(String),
}

/// Every field of a new meetup entry; times are local, `YYYY-MM-DDTHH:MM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewMeetup {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) belongs: Belongs,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) place: String,
    pub(super) capacity: u32,
    pub(super) opens: Option<String>,
    pub(super) closes: Option<String>,
    pub(super) status: String,
    pub(super) organiser: String,
    pub(super) wanted: Vec<String>,
    pub(super) intentions: Vec<String>,
    pub(super) bring: Vec<String>,
    pub(super) description: Option<String>,
    pub(super) report_key_sha256: String,
}

impl NewMeetup {
    /// The entry, ending with a line break.
    pub(super) fn to_yaml(&self) -> String {
        let mut out = format!("- id: {}\n", self.id);
        let mut line = |key: &str, value: &str| out.push_str(&format!("  {key}: {value}\n"));
        line("title", &scalar(&self.title));
        match &self.belongs {
            Belongs::Module { module, week } => {
                line("kind", "training");
                line("module", module);
                line("week", &week.to_string());
            }
            Belongs::Series(series) => {
                line("kind", "community");
                line("series", series);
            }
        }
        line("start", &self.start);
        line("end", &self.end);
        line("place", &self.place);
        line("capacity", &self.capacity.to_string());
        if self.opens.is_some() || self.closes.is_some() {
            out.push_str("  registration:\n");
            for (key, value) in [("opens", &self.opens), ("closes", &self.closes)] {
                if let Some(value) = value {
                    out.push_str(&format!("    {key}: {value}\n"));
                }
            }
        }
        let mut line = |key: &str, value: &str| out.push_str(&format!("  {key}: {value}\n"));
        line("status", &self.status);
        line("organiser", &scalar(&self.organiser));
        if !self.wanted.is_empty() {
            line("wanted", &format!("[{}]", self.wanted.join(", ")));
        }
        for (key, items) in [("intentions", &self.intentions), ("bring", &self.bring)] {
            if !items.is_empty() {
                out.push_str(&format!("  {key}:\n"));
                for item in items {
                    out.push_str(&format!("    - {}\n", scalar(item)));
                }
            }
        }
        if let Some(description) = &self.description {
            out.push_str("  description: |\n");
            for text in description.lines() {
                if text.trim().is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("    {text}\n"));
                }
            }
        }
        out.push_str(&format!(
            "  report_key_sha256: {}\n",
            self.report_key_sha256
        ));
        out
    }
}

/// The entry of a meetup an accepted proposal became: open for
/// registration until it starts, with its organiser's key hash.
pub(crate) fn accepted_entry(meetup: &maillage_model::proposal::AcceptedMeetup) -> String {
    use maillage_model::proposal::Belongs as Proposed;
    let time = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
    NewMeetup {
        id: meetup.id.clone(),
        title: meetup.title.clone(),
        belongs: match &meetup.belongs {
            Proposed::Module { module, week } => Belongs::Module {
                module: module.clone(),
                week: *week,
            },
            Proposed::Series { series } => Belongs::Series(series.clone()),
        },
        start: time(meetup.start),
        end: time(meetup.end),
        place: meetup.place.clone(),
        capacity: meetup.capacity,
        opens: None,
        closes: None,
        status: "open".into(),
        organiser: meetup.organiser.clone(),
        wanted: Vec::new(),
        intentions: meetup.intentions.clone(),
        bring: Vec::new(),
        description: None,
        report_key_sha256: meetup.report_key_sha256.clone(),
    }
    .to_yaml()
}

/// Text as YAML reads it back: plain when it is only words, double-quoted
/// otherwise.
fn scalar(text: &str) -> String {
    let words = text
        .chars()
        .all(|c| c.is_alphanumeric() || " -'".contains(c))
        && text.starts_with(char::is_alphabetic)
        && !text.ends_with(' ')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if words {
        text.to_string()
    } else {
        quoted(text)
    }
}

/// A YAML double-quoted scalar: always valid, whatever `:`, `#` or quote
/// the text holds.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_as_written() {
        let meetup = NewMeetup {
            id: "brest-2027-02".into(),
            title: "Cartes : « la rue » et \"nous\" # 2".into(),
            belongs: Belongs::Series("carto".into()),
            start: "2027-02-10T18:00".into(),
            end: "2027-02-10T20:00".into(),
            place: "fablab".into(),
            capacity: 12,
            opens: Some("2027-01-10T09:00".into()),
            closes: None,
            status: "open".into(),
            organiser: "Camille".into(),
            wanted: vec!["facilitator".into()],
            intentions: vec!["Se présenter : qui, quoi".into()],
            bring: vec![],
            description: Some("Première ligne.\n\nDeuxième : *Markdown*.".into()),
            report_key_sha256: "ab".repeat(32),
        };
        let yaml = meetup.to_yaml();
        assert!(yaml.starts_with("- id: brest-2027-02\n  title: "), "{yaml}");
        let read: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
        let entry = &read[0];
        assert_eq!(entry["title"].as_str(), Some(meetup.title.as_str()));
        assert_eq!(entry["kind"].as_str(), Some("community"));
        assert_eq!(
            entry["registration"]["opens"].as_str(),
            Some("2027-01-10T09:00")
        );
        assert_eq!(
            entry["intentions"][0].as_str(),
            Some("Se présenter : qui, quoi")
        );
        assert_eq!(
            entry["description"].as_str(),
            Some("Première ligne.\n\nDeuxième : *Markdown*.\n")
        );
        assert_eq!(entry["wanted"][0].as_str(), Some("facilitator"));
    }
}
