//! `{api}/meetups/{id}/registrants`: the organiser's list, as CSV or JSON,
//! behind the meetup's key (header `X-Maillage-Key`, or the form's `key`);
//! `POST {api}/registrants` takes the meetup from the form too and answers a
//! French HTML page by default: the organiser's page without JavaScript.
//! The list says who was marked present, with their attestation's link.

use bytes::Bytes;
use http::{HeaderMap, Response, StatusCode};
use serde_json::json;

use maillage_model::meetup::{MeetupDefinition, Role};
use maillage_store::{Registrant, RegistrationStatus};

use super::answer::{csv_response, html_response, json_response, ApiError};
use super::report::{check_key, key_invalid, key_missing};
use super::request::Fields;
use super::{attestation, pages, validation, Function};

/// The header carrying the organiser's key.
pub(super) const KEY_HEADER: &str = "x-maillage-key";

/// What a request asks for when it names no format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Csv,
    Json,
    Html,
}

impl Format {
    /// The format a request asks for (`format` in the query or the form,
    /// else JSON when it accepts JSON), `default` when it names none.
    pub(super) fn asked(
        headers: &HeaderMap,
        fields: &Fields,
        query: &Fields,
        default: Format,
    ) -> Format {
        let wants_json = headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json") && !v.contains("text/csv"));
        match query.text("format").or_else(|| fields.text("format")) {
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some("html") => Format::Html,
            _ if wants_json => Format::Json,
            _ => default,
        }
    }
}

/// `{api}/meetups/{id}/registrants`: CSV unless JSON is asked for.
pub(super) async fn list(
    function: &Function,
    meetup_id: &str,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
) -> Result<Response<Bytes>, ApiError> {
    answer(function, meetup_id, headers, fields, query, Format::Csv).await
}

/// `POST {api}/registrants`: the meetup in the form's `meetup`; a page
/// unless CSV or JSON is asked for.
pub(super) async fn list_from_form(
    function: &Function,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
) -> Result<Response<Bytes>, ApiError> {
    let meetup_id = meetup_field(fields)?;
    answer(function, meetup_id, headers, fields, query, Format::Html).await
}

/// The meetup an organiser's request names, once its key is checked (from
/// the header `X-Maillage-Key`, or the form's `key`), with that key.
pub(super) async fn organiser_access(
    function: &Function,
    meetup_id: &str,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<(MeetupDefinition, String), ApiError> {
    if !validation::is_meetup_id(meetup_id) {
        return Err(ApiError::unknown_meetup());
    }
    let key = given_key(headers, fields).ok_or_else(key_invalid)?;
    if key.is_empty() {
        return Err(key_missing());
    }
    if key.len() > validation::KEY_MAX {
        return Err(key_invalid());
    }
    let meetup = function.meetup(meetup_id).await?;
    check_key(&meetup, &key)?;
    Ok((meetup, key))
}

/// The key a request gives: the header `X-Maillage-Key`, else the form's
/// `key` (empty when neither); `None` when the header is not text.
pub(super) fn given_key(headers: &HeaderMap, fields: &Fields) -> Option<String> {
    match headers.get(KEY_HEADER) {
        Some(value) => value.to_str().ok().map(|key| key.trim().to_string()),
        None => Some(fields.text("key").unwrap_or("").trim().to_string()),
    }
}

/// The meetup named by the form's `meetup` field, or the refusal.
pub(super) fn meetup_field(fields: &Fields) -> Result<&str, ApiError> {
    let meetup_id = fields.text("meetup").unwrap_or("");
    if meetup_id.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "meetup_missing",
            "Indiquez l'identifiant de la rencontre : il figure dans le lien secret, après « rencontre= ».",
        )
        .with_field("meetup", "Indiquez l'identifiant de la rencontre."));
    }
    Ok(meetup_id)
}

async fn answer(
    function: &Function,
    meetup_id: &str,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
    default: Format,
) -> Result<Response<Bytes>, ApiError> {
    let (meetup, key) = organiser_access(function, meetup_id, headers, fields).await?;
    list_answer(
        function, &meetup, &key, headers, fields, query, default, None,
    )
    .await
}

/// The list of `meetup`, in the format asked for (`default` when none is);
/// the page shows `notice` above it (JSON as `message`).
#[allow(clippy::too_many_arguments)]
pub(super) async fn list_answer(
    function: &Function,
    meetup: &MeetupDefinition,
    key: &str,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
    default: Format,
    notice: Option<&str>,
) -> Result<Response<Bytes>, ApiError> {
    let registrants = function
        .store
        .registrants(&meetup.id)
        .await
        .map_err(super::store_error)?;
    let organiser = function
        .store
        .organiser_attestation(&meetup.id)
        .await
        .map_err(super::store_error)?;
    tracing::info!(
        route = "registrants",
        count = registrants.len(),
        "list read"
    );
    let format = Format::asked(headers, fields, query, default);
    if format == Format::Html {
        // A fresh request token per page: the form posted twice sends once.
        let message_request = (function.reaches_people()
            && maillage_model::clock::now() < meetup.ends_at)
            .then(super::registration::new_token)
            .transpose()?;
        return Ok(html_response(
            StatusCode::OK,
            pages::registrants_page(
                &function.config,
                meetup,
                &registrants,
                organiser.as_ref(),
                key,
                notice,
                message_request.as_deref(),
            ),
        ));
    }
    if format == Format::Json {
        let people: Vec<_> = registrants
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "email": r.email,
                    "role": role_word(r.role),
                    "structure": r.structure,
                    "need": r.need,
                    "status": status_word(r.status),
                    "position": match r.status {
                        RegistrationStatus::Waiting { position } => Some(position),
                        _ => None,
                    },
                    "registered_at": r.registered_at.to_rfc3339(),
                    "attestation": r.attestation.as_deref().map(|code| attestation::link(&function.config, code)),
                })
            })
            .collect();
        return Ok(json_response(
            StatusCode::OK,
            &json!({
                "meetup": meetup.id,
                "title": meetup.title,
                "capacity": meetup.capacity,
                "registrants": people,
                "message": notice,
                "organiser": organiser.map(|o| json!({
                    "name": o.name,
                    "attestation": attestation::link(&function.config, &o.code),
                })),
            }),
        ));
    }
    Ok(csv_response(
        &format!("inscriptions-{}.csv", meetup.id),
        csv(&registrants),
    ))
}

fn role_word(role: Role) -> &'static str {
    match role {
        Role::Participant => "participant",
        Role::Facilitator => "facilitator",
        Role::Speaker => "speaker",
    }
}

fn status_word(status: RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Confirmed => "confirmed",
        RegistrationStatus::Waiting { .. } => "waiting",
        RegistrationStatus::Cancelled => "cancelled",
    }
}

/// A role in French, as the list shows it.
pub(super) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Participant => "participation",
        Role::Facilitator => "animation",
        Role::Speaker => "intervention",
    }
}

/// A registration's status in French, as the list shows it.
pub(super) fn status_label(status: RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Confirmed => "confirmée",
        RegistrationStatus::Waiting { .. } => "liste d'attente",
        RegistrationStatus::Cancelled => "annulée",
    }
}

/// The waiting-list rank, empty for others.
pub(super) fn rank(status: RegistrationStatus) -> String {
    match status {
        RegistrationStatus::Waiting { position } => position.to_string(),
        _ => String::new(),
    }
}

/// The list as CSV for a spreadsheet in French: `;`-separated, UTF-8 with a
/// byte-order mark, French headings and labels.
pub(super) fn csv(registrants: &[Registrant]) -> String {
    let mut out =
        String::from("\u{feff}nom;courriel;rôle;structure;besoins;statut;rang;inscription\r\n");
    for r in registrants {
        let (status, rank) = (status_label(r.status), rank(r.status));
        let role = role_label(r.role);
        let cells = [
            cell(&r.name),
            cell(&r.email),
            cell(role),
            cell(r.structure.as_deref().unwrap_or("")),
            cell(r.need.as_deref().unwrap_or("")),
            cell(status),
            rank,
            r.registered_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        ];
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// One CSV cell: quoted when needed, and never read as a formula by a
/// spreadsheet (a leading `=`, `+`, `-`, `@` gets an apostrophe).
pub(super) fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([';', '"', '\n', '\r', ',']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_defused() {
        assert_eq!(cell("Aïcha"), "Aïcha");
        assert_eq!(cell("a;b"), "\"a;b\"");
        assert_eq!(cell("dit \"non\""), "\"dit \"\"non\"\"\"");
        assert_eq!(cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(cell("ligne\nligne"), "\"ligne\nligne\"");
    }
}
