//! French spacing (`[markdown] french_spacing`, Maillage's own): the space
//! before `:` `;` `!` `?` `»` and after `«` becomes a narrow no-break space
//! (U+202F), so that a line never starts with a colon nor ends with `«`.
//! Only text is touched: code, raw HTML, link targets and attributes are
//! not, and `18:30` or `https://` have no space to change.

use std::borrow::Cow;
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event};

/// The narrow no-break space French puts inside `« »` and before `: ; ! ?`.
pub const NARROW_NO_BREAK_SPACE: char = '\u{202F}';

/// Whether `lang` (a language code) is French: `fr`, `fr-CA`...
pub fn is_french(lang: &str) -> bool {
    lang == "fr" || lang.starts_with("fr-") || lang.starts_with("fr_")
}

/// `text` with its breaking spaces around French punctuation made narrow
/// no-break spaces; borrowed when nothing changes.
pub fn french_spacing(text: &str) -> Cow<'_, str> {
    static BEFORE: OnceLock<regex::Regex> = OnceLock::new();
    static AFTER: OnceLock<regex::Regex> = OnceLock::new();
    if !text.contains([':', ';', '!', '?', '»', '«']) {
        return Cow::Borrowed(text);
    }
    // Any run of spaces (no-break ones included) becomes one narrow space.
    let before =
        BEFORE.get_or_init(|| regex::Regex::new(r"[ \t\u{A0}\u{202F}]+([:;!?»])").unwrap());
    let after = AFTER.get_or_init(|| regex::Regex::new(r"«[ \t\u{A0}\u{202F}]+").unwrap());
    let once = before.replace_all(text, "\u{202F}$1");
    match after.replace_all(&once, "«\u{202F}") {
        Cow::Borrowed(_) => once,
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// Applies [`french_spacing`] to the text events, and turns a line break
/// of the source before `: ; ! ? »` or after `«` into a narrow no-break
/// space (a soft break is a space in the page).
pub fn french_events(events: &mut [Event<'_>]) {
    for event in events.iter_mut() {
        if let Event::Text(t) = event {
            if let Cow::Owned(s) = french_spacing(t) {
                *event = Event::Text(CowStr::from(s));
            }
        }
    }
    for i in 0..events.len() {
        if !matches!(events[i], Event::SoftBreak) {
            continue;
        }
        let next_is_punctuation = matches!(events.get(i + 1),
            Some(Event::Text(t)) if t.starts_with([':', ';', '!', '?', '»']));
        let previous_opens =
            i > 0 && matches!(&events[i - 1], Event::Text(t) if t.trim_end().ends_with('«'));
        if next_is_punctuation || previous_opens {
            events[i] = Event::Text(CowStr::from(NARROW_NO_BREAK_SPACE.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: char = NARROW_NO_BREAK_SPACE;

    #[test]
    fn spaces_before_high_punctuation_and_inside_guillemets_do_not_break() {
        assert_eq!(
            french_spacing("Attention : « oui » ; vraiment ? Oui !"),
            format!("Attention{N}: «{N}oui{N}»{N}; vraiment{N}? Oui{N}!")
        );
        // Several spaces, or a no-break space already there, become one.
        assert_eq!(french_spacing("Note  :"), format!("Note{N}:"));
        assert_eq!(french_spacing("Note\u{A0}:"), format!("Note{N}:"));
    }

    #[test]
    fn times_urls_and_text_without_spaces_are_left_alone() {
        for text in [
            "à 18:30",
            "https://exemple.org/a?b=c",
            "Bonjour!",
            "a:b",
            "rien",
        ] {
            assert!(matches!(french_spacing(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn a_line_break_before_a_colon_is_kept_on_the_line() {
        let mut events = vec![
            Event::Text("le formulaire".into()),
            Event::SoftBreak,
            Event::Text(": votre nom".into()),
            Event::SoftBreak,
            Event::Text("puis «".into()),
            Event::SoftBreak,
            Event::Text("ceci »".into()),
            Event::SoftBreak,
            Event::Text("et la suite".into()),
        ];
        french_events(&mut events);
        let text: Vec<String> = events
            .iter()
            .map(|e| match e {
                Event::Text(t) => t.to_string(),
                Event::SoftBreak => "\n".into(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            text.concat(),
            format!("le formulaire{N}: votre nom\npuis «{N}ceci{N}»\net la suite")
        );
    }
}
