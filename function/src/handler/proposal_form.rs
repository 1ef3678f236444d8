//! The fields of a meetup proposal and of the coordinator's decision,
//! checked strictly, with a French message per problem.

use chrono::NaiveDateTime;

use maillage_model::proposal::{Belongs, NewPlace, ProposedPlace};

use super::answer::ApiError;
use super::request::Fields;
use super::validation::{self, line, text, Problems, NAME_MAX};

pub(super) const TITLE_MAX: usize = 120;
pub(super) const INTENTIONS_MAX: usize = 2_000;
pub(super) const MESSAGE_MAX: usize = 2_000;
pub(super) const CAPACITY_MAX: u32 = 1_000;

/// A proposal's fields, checked (the region and the place are checked
/// against the region's definition afterwards).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ProposalForm {
    pub region: String,
    pub belongs: Belongs,
    pub place: ProposedPlace,
    pub title: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub capacity: u32,
    pub intentions: Vec<String>,
    pub name: String,
    pub email: String,
}

/// `module:<id>:<week>` or `series:<id>`, as the form's list writes them.
fn belongs(value: &str) -> Option<Belongs> {
    let mut parts = value.split(':');
    let belongs = match (parts.next()?, parts.next()?, parts.next()) {
        ("module", module, Some(week)) if validation::is_meetup_id(module) => Belongs::Module {
            module: module.to_string(),
            week: week.parse().ok().filter(|w| matches!(w, 1 | 3))?,
        },
        ("series", series, None) if validation::is_meetup_id(series) => Belongs::Series {
            series: series.to_string(),
        },
        _ => return None,
    };
    parts.next().is_none().then_some(belongs)
}

/// A local date and time as a form's `datetime-local` field sends it.
fn local_time(fields: &Fields, name: &str, problems: &mut Problems) -> Option<NaiveDateTime> {
    let Some(value) = fields.text(name) else {
        problems.add(
            name,
            if name == "start" {
                "Indiquez le début de la rencontre (date et heure)."
            } else {
                "Indiquez la fin de la rencontre (date et heure)."
            },
        );
        return None;
    };
    let parsed = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok());
    if parsed.is_none() {
        problems.add(
            name,
            "Écrivez la date et l'heure sous la forme 2027-01-14T18:30.",
        );
    }
    parsed
}

fn capacity(fields: &Fields, problems: &mut Problems) -> Option<u32> {
    match fields.text("capacity").map(str::parse::<u32>) {
        Some(Ok(n)) if (1..=CAPACITY_MAX).contains(&n) => Some(n),
        _ => {
            problems.add(
                "capacity",
                "Indiquez le nombre de places : un nombre entier de 1 à 1 000.",
            );
            None
        }
    }
}

fn required_line(
    fields: &Fields,
    name: &str,
    max: usize,
    problems: &mut Problems,
    missing: &str,
) -> Option<String> {
    let value = line(
        fields,
        name,
        max,
        problems,
        &format!("Ce champ doit tenir en {max} caractères au plus."),
    );
    if fields.text(name).is_none() {
        problems.add(name, missing);
    }
    value
}

/// The start and end, the end after the start.
fn times(fields: &Fields, problems: &mut Problems) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let start = local_time(fields, "start", problems);
    let end = local_time(fields, "end", problems);
    match (start, end) {
        (Some(start), Some(end)) if end > start => Some((start, end)),
        (Some(_), Some(_)) => {
            problems.add("end", "La fin de la rencontre doit venir après son début.");
            None
        }
        _ => None,
    }
}

pub(super) fn proposal(fields: &Fields) -> Result<ProposalForm, ApiError> {
    let mut problems = Problems::default();
    let region = match fields.text("region") {
        Some(region) if validation::is_meetup_id(region) => region.to_string(),
        _ => {
            problems.add("region", "Choisissez la région de la rencontre.");
            String::new()
        }
    };
    let belongs = match fields.text("belongs").and_then(belongs) {
        Some(belongs) => Some(belongs),
        None => {
            problems.add(
                "belongs",
                "Choisissez le module (et sa semaine) ou la série de la rencontre dans la liste.",
            );
            None
        }
    };
    let place = match fields.text("place") {
        Some(id) if id != "nouveau" => {
            if !validation::is_meetup_id(id) {
                problems.add("place", "Choisissez le lieu dans la liste.");
            }
            Some(ProposedPlace::Known(id.to_string()))
        }
        _ => new_place(fields, &mut problems).map(ProposedPlace::New),
    };
    let title = required_line(
        fields,
        "title",
        TITLE_MAX,
        &mut problems,
        "Donnez un titre à la rencontre.",
    );
    let times = times(fields, &mut problems);
    let capacity = capacity(fields, &mut problems);
    let intentions: Vec<String> = text(
        fields,
        "intentions",
        INTENTIONS_MAX,
        &mut problems,
        "Les intentions doivent tenir en 2 000 caractères au plus.",
    )
    .map(|t| {
        t.lines()
            .map(|l| l.trim().trim_start_matches(['-', '*']).trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    })
    .unwrap_or_default();
    if intentions.is_empty() {
        problems.add(
            "intentions",
            "Écrivez au moins une intention de la rencontre (une par ligne).",
        );
    }
    let name = required_line(
        fields,
        "name",
        NAME_MAX,
        &mut problems,
        "Indiquez votre nom : la coordination vous répondra.",
    );
    let email = validation::email(fields, &mut problems);
    validation::consent(
        fields,
        &mut problems,
        "Cochez la case pour accepter que ces informations servent à étudier votre proposition.",
    );
    problems.finish(())?;
    let ((start, end), belongs, place) = (
        times.expect("checked"),
        belongs.expect("checked"),
        place.expect("checked"),
    );
    Ok(ProposalForm {
        region,
        belongs,
        place,
        title: title.unwrap_or_default(),
        start,
        end,
        capacity: capacity.unwrap_or_default(),
        intentions,
        name: name.unwrap_or_default(),
        email: email.unwrap_or_default(),
    })
}

/// The place the proposer describes because it is not in the list.
fn new_place(fields: &Fields, problems: &mut Problems) -> Option<NewPlace> {
    let name = required_line(
        fields,
        "place_name",
        NAME_MAX,
        problems,
        "Indiquez le nom du nouveau lieu, ou choisissez un lieu dans la liste.",
    );
    let town = required_line(
        fields,
        "place_town",
        NAME_MAX,
        problems,
        "Indiquez la commune du nouveau lieu.",
    );
    let department = match fields.text("place_department") {
        Some(d) if is_department(d) => Some(d.to_ascii_uppercase()),
        _ => {
            problems.add(
                "place_department",
                "Indiquez le numéro du département du nouveau lieu (par exemple 29, 2A ou 974).",
            );
            None
        }
    };
    Some(NewPlace {
        name: name?,
        town: town?,
        department: department?,
    })
}

/// `29`, `2A`, `2B`, `974`: the codes of French departments.
fn is_department(code: &str) -> bool {
    let code = code.to_ascii_uppercase();
    match code.len() {
        2 => code.bytes().all(|b| b.is_ascii_digit()) || code == "2A" || code == "2B",
        3 => code.starts_with("97") && code.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// The coordinator's decision, with the edits of an acceptance.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DecisionForm {
    pub proposal: String,
    pub accept: bool,
    pub message: Option<String>,
    /// Edits: `None` keeps the proposal's value.
    pub title: Option<String>,
    pub times: Option<(NaiveDateTime, NaiveDateTime)>,
    pub capacity: Option<u32>,
    pub place: Option<String>,
}

pub(super) fn decision(fields: &Fields) -> Result<DecisionForm, ApiError> {
    let mut problems = Problems::default();
    let proposal = match fields.text("proposal") {
        Some(id) if validation::is_token(id) => id.to_string(),
        _ => {
            problems.add("proposal", "Indiquez la proposition concernée.");
            String::new()
        }
    };
    let accept = match fields.text("decision") {
        Some("accept") => true,
        Some("decline") => false,
        _ => {
            problems.add(
                "decision",
                "Choisissez d'accepter ou de refuser la proposition.",
            );
            false
        }
    };
    let message = text(
        fields,
        "message",
        MESSAGE_MAX,
        &mut problems,
        "Votre message doit tenir en 2 000 caractères au plus.",
    );
    let title = line(
        fields,
        "title",
        TITLE_MAX,
        &mut problems,
        "Le titre doit tenir en 120 caractères au plus.",
    );
    let times = match (fields.text("start"), fields.text("end")) {
        (None, None) => None,
        _ => times(fields, &mut problems),
    };
    let capacity = fields
        .text("capacity")
        .and_then(|_| capacity(fields, &mut problems));
    let place = match fields.text("place") {
        Some(id) if validation::is_meetup_id(id) => Some(id.to_string()),
        Some(_) => {
            problems.add("place", "Choisissez le lieu dans la liste.");
            None
        }
        None => None,
    };
    problems.finish(DecisionForm {
        proposal,
        accept,
        message,
        title,
        times,
        capacity,
        place,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn belongs_is_read_from_the_list_s_values() {
        assert_eq!(
            belongs("module:nsi-fondamentaux:3"),
            Some(Belongs::Module {
                module: "nsi-fondamentaux".into(),
                week: 3
            })
        );
        assert_eq!(
            belongs("series:carto-rennes"),
            Some(Belongs::Series {
                series: "carto-rennes".into()
            })
        );
        for wrong in [
            "module:nsi:2",
            "module:nsi",
            "series:Carto",
            "series:a:b",
            "autre:x",
            "",
        ] {
            assert_eq!(belongs(wrong), None, "{wrong}");
        }
        assert!(is_department("29") && is_department("2a") && is_department("974"));
        assert!(!is_department("2C") && !is_department("9") && !is_department("1234"));
    }
}
