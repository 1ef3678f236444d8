//! The forms' fields, checked strictly, with a French message per problem.

use std::collections::{BTreeMap, BTreeSet};

use maillage_model::meetup::{ReportLink, Role};

use super::answer::ApiError;
use super::request::Fields;
use super::sanitize;

pub const NAME_MAX: usize = 120;
pub const EMAIL_MAX: usize = 254;
pub const STRUCTURE_MAX: usize = 120;
pub const NEED_MAX: usize = 1000;
pub const MEETUP_ID_MAX: usize = maillage_model::meetup::ID_MAX;
pub const KEY_MAX: usize = 256;
pub const REPORT_TEXT_MAX: usize = 12_000;
pub const LINKS_MAX: usize = 30;
pub const ATTENDANCE_MAX: u32 = 1000;

/// The report's Markdown parts, in the form's order.
pub const REPORT_PARTS: [&str; 5] = ["outcome", "went_well", "problems", "improvements", "sheets"];
/// What `public` may name.
pub const PUBLIC_CHOICES: [&str; 7] = [
    "outcome",
    "went_well",
    "problems",
    "improvements",
    "sheets",
    "links",
    "attendance",
];

/// Collects per-field messages.
#[derive(Default)]
pub(super) struct Problems(BTreeMap<String, String>);

impl Problems {
    pub(super) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    pub(super) fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::invalid_fields(self.0))
        }
    }
}

/// A meetup identifier as the site makes them: `[a-z0-9][a-z0-9-]*`, 128 at most.
pub fn is_meetup_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MEETUP_ID_MAX
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// A cancellation token as the function makes them (and as the site's
/// scripts accept them).
pub fn is_token(token: &str) -> bool {
    (8..=256).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
}

fn check_meetup(fields: &Fields, problems: &mut Problems) -> String {
    match fields.text("meetup") {
        None => problems.add("meetup", "Indiquez la rencontre concernée."),
        Some(id) if !is_meetup_id(id) => problems.add(
            "meetup",
            "Cet identifiant de rencontre n'est pas valide (lettres minuscules, chiffres et tirets).",
        ),
        Some(id) => return id.to_string(),
    }
    String::new()
}

/// Single-line text: trimmed, bounded, without control characters.
pub(super) fn line(
    fields: &Fields,
    name: &str,
    max: usize,
    problems: &mut Problems,
    too_long: &str,
) -> Option<String> {
    let value = fields.text(name)?;
    if value.chars().count() > max {
        problems.add(name, too_long);
        return None;
    }
    if value.chars().any(char::is_control) {
        problems.add(name, "Ce champ contient des caractères non acceptés (retours à la ligne ou caractères invisibles).");
        return None;
    }
    Some(value.to_string())
}

/// Multi-line text: trimmed, bounded, line breaks and tabs allowed.
pub(super) fn text(
    fields: &Fields,
    name: &str,
    max: usize,
    problems: &mut Problems,
    too_long: &str,
) -> Option<String> {
    let value = fields.text(name)?;
    if value.chars().count() > max {
        problems.add(name, too_long);
        return None;
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        problems.add(
            name,
            "Ce champ contient des caractères invisibles non acceptés.",
        );
        return None;
    }
    Some(value.replace("\r\n", "\n"))
}

/// A registration, checked and normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationForm {
    pub meetup: String,
    pub name: String,
    /// Trimmed and lower-cased.
    pub email: String,
    pub role: Role,
    pub structure: Option<String>,
    pub need: Option<String>,
}

pub fn registration(fields: &Fields) -> Result<RegistrationForm, ApiError> {
    let mut problems = Problems::default();
    let meetup = check_meetup(fields, &mut problems);
    let name = line(
        fields,
        "name",
        NAME_MAX,
        &mut problems,
        "Votre prénom ou pseudonyme doit tenir en 120 caractères au plus.",
    );
    if fields.text("name").is_none() {
        problems.add("name", "Indiquez votre prénom ou un pseudonyme.");
    }
    let email = email(fields, &mut problems);
    let role = match fields.text("role") {
        None | Some("participant") => Role::Participant,
        Some("facilitator") => Role::Facilitator,
        Some("speaker") => Role::Speaker,
        Some(_) => {
            problems.add(
                "role",
                "Choisissez un rôle parmi ceux proposés : participer, animer ou intervenir.",
            );
            Role::Participant
        }
    };
    let structure = line(
        fields,
        "structure",
        STRUCTURE_MAX,
        &mut problems,
        "Le nom de votre structure doit tenir en 120 caractères au plus.",
    );
    let need = text(
        fields,
        "need",
        NEED_MAX,
        &mut problems,
        "Décrivez vos besoins en 1 000 caractères au plus.",
    );
    consent(
        fields,
        &mut problems,
        "Cochez la case pour accepter que ces informations servent à organiser la rencontre.",
    );
    problems.finish(())?;
    Ok(RegistrationForm {
        meetup,
        name: name.unwrap_or_default(),
        email: email.unwrap_or_default(),
        role,
        structure,
        need,
    })
}

/// The form's `consent` box, ticked (`oui`), else `missing`.
pub(super) fn consent(fields: &Fields, problems: &mut Problems, missing: &str) {
    if !fields
        .text("consent")
        .is_some_and(|c| c.eq_ignore_ascii_case("oui"))
    {
        problems.add("consent", missing);
    }
}

/// The form's `email`, checked and lower-cased.
pub(super) fn email(fields: &Fields, problems: &mut Problems) -> Option<String> {
    match fields.text("email") {
        None => {
            problems.add("email", "Indiquez votre adresse électronique.");
            None
        }
        Some(email) if email.chars().count() > EMAIL_MAX => {
            problems.add(
                "email",
                "Cette adresse électronique est trop longue (254 caractères au plus).",
            );
            None
        }
        Some(email) if !is_email(email) => {
            problems.add(
                "email",
                "Cette adresse électronique n'est pas valide : elle doit ressembler à prenom@exemple.fr.",
            );
            None
        }
        Some(email) => Some(email.to_lowercase()),
    }
}

/// A pragmatic address check: `local@domain.tld`, ASCII local part with the
/// usual characters, domain labels of letters, digits and hyphens.
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| {
            tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())
        });
    local_ok && domain_ok
}

/// The meetup and key of an organiser's request (report or list).
pub fn meetup_and_key(fields: &Fields) -> Result<(String, String), ApiError> {
    let mut problems = Problems::default();
    let meetup = check_meetup(fields, &mut problems);
    problems.finish(())?;
    let key = fields.text("key").unwrap_or("");
    if key.is_empty() {
        return Err(super::report::key_missing());
    }
    if key.len() > KEY_MAX {
        return Err(super::report::key_invalid());
    }
    Ok((meetup, key.to_string()))
}

/// The organiser's name as they want it on their attestation (`organiser`),
/// `None` when left empty: the same rules as a registrant's name.
pub fn organiser_name(fields: &Fields) -> Result<Option<String>, ApiError> {
    let mut problems = Problems::default();
    let name = line(
        fields,
        "organiser",
        NAME_MAX,
        &mut problems,
        "Votre nom doit tenir en 120 caractères au plus.",
    );
    problems.finish(name)
}

/// An organiser's report, checked (not yet sanitised).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportForm {
    pub attendance: Option<u32>,
    /// The Markdown parts that were filled, by name.
    pub parts: BTreeMap<&'static str, String>,
    pub links_source: Option<String>,
    pub links: Vec<ReportLink>,
    pub dropped_links: usize,
    pub public: BTreeSet<&'static str>,
    pub private_notes: Option<String>,
}

pub fn report(fields: &Fields) -> Result<ReportForm, ApiError> {
    let mut problems = Problems::default();
    let attendance = match fields.text("attendance") {
        None => None,
        Some(n) => match n.parse::<u32>() {
            Ok(n) if n <= ATTENDANCE_MAX => Some(n),
            _ => {
                problems.add(
                    "attendance",
                    "Indiquez le nombre de personnes présentes en chiffres, entre 0 et 1 000.",
                );
                None
            }
        },
    };
    let too_long = "Ce texte est trop long : 12 000 caractères au plus.";
    let mut parts = BTreeMap::new();
    for part in REPORT_PARTS {
        if let Some(value) = text(fields, part, REPORT_TEXT_MAX, &mut problems, too_long) {
            parts.insert(part, value);
        }
    }
    let links_source = text(fields, "links", REPORT_TEXT_MAX, &mut problems, too_long);
    let (links, dropped_links) = links_source
        .as_deref()
        .map(sanitize::links)
        .unwrap_or_default();
    if links.len() > LINKS_MAX {
        problems.add("links", "Trente liens au plus, un par ligne.");
    }
    let mut public = BTreeSet::new();
    for value in fields.all("public") {
        match PUBLIC_CHOICES
            .iter()
            .find(|choice| **choice == value.trim())
        {
            Some(choice) => {
                public.insert(*choice);
            }
            None => problems.add(
                "public",
                "Une des parties à publier n'existe pas dans ce formulaire.",
            ),
        }
    }
    let private_notes = text(
        fields,
        "private_notes",
        REPORT_TEXT_MAX,
        &mut problems,
        too_long,
    );
    problems.finish(ReportForm {
        attendance,
        parts,
        links_source,
        links,
        dropped_links,
        public,
        private_notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "a@b.fr",
            "prenom.nom+rencontre@exemple.org",
            "x@sous.domaine.café.fr",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.fr", "a@b", "a b@c.fr", "a@@b.fr", "a@b..fr", ".a@b.fr", "a@-b.fr",
            "a@b.1", "é@b.fr", "a@b.fr\n",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn ids_and_tokens() {
        assert!(is_meetup_id("brest-2026-12"));
        assert!(!is_meetup_id("Brest"));
        assert!(!is_meetup_id("-brest"));
        assert!(!is_meetup_id(&"a".repeat(129)));
        assert!(is_token("abcdEFGH1234-_"));
        assert!(!is_token("short"));
        assert!(!is_token("abc def ghi"));
    }
}
