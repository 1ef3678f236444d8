//! `POST {api}/reports`: the organiser's report, behind the meetup's key.

use bytes::Bytes;
use chrono::Duration;
use http::{Response, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use maillage_model::clock;
use maillage_model::events::Event;
use maillage_model::meetup::{MeetupDefinition, PublicReport};
use maillage_store::StoredReport;

use super::answer::{json_response, see_other, ApiError};
use super::request::Fields;
use super::{sanitize, validation, Function};

pub(super) fn key_missing() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "key_missing",
        "La clé de la rencontre est nécessaire : elle figure dans le lien secret reçu par l'organisateur ou l'organisatrice.",
    )
    .with_field("key", "Indiquez la clé de la rencontre.")
}

pub(super) fn key_invalid() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "key_invalid",
        "Cette clé ne correspond pas à cette rencontre. Vérifiez l'identifiant de la rencontre et la clé (copiez le lien secret en entier).",
    )
    .with_field("key", "Cette clé ne correspond pas à cette rencontre.")
}

/// Checks the organiser's key against the stored SHA-256, in constant time.
/// A meetup without a key hash accepts no key.
pub(super) fn check_key(meetup: &MeetupDefinition, key: &str) -> Result<(), ApiError> {
    if key_matches(meetup.report_key_sha256.as_deref(), key) {
        Ok(())
    } else {
        tracing::warn!("organiser key refused");
        Err(key_invalid())
    }
}

/// Whether `key` hashes to `expected` (lower-case hex SHA-256), compared in
/// constant time; no hash matches no key.
pub(super) fn key_matches(expected: Option<&str>, key: &str) -> bool {
    let digest = Sha256::digest(key.as_bytes());
    match expected.and_then(decode_hex32) {
        Some(expected) => bool::from(digest.as_slice().ct_eq(&expected)),
        None => {
            // Same work either way: nothing tells a missing hash apart.
            let _ = digest.as_slice().ct_eq(&[0u8; 32]);
            false
        }
    }
}

fn decode_hex32(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

pub(super) async fn submit(
    function: &Function,
    fields: &Fields,
    json: bool,
) -> Result<Response<Bytes>, ApiError> {
    let (meetup_id, key) = validation::meetup_and_key(fields)?;
    let meetup = function.meetup(&meetup_id).await?;
    check_key(&meetup, &key)?;
    let form = validation::report(fields)?;
    let now = clock::now();

    let part = |name: &str| -> Option<String> {
        form.public
            .contains(name)
            .then(|| form.parts.get(name).map(|text| sanitize::markdown(text)))
            .flatten()
    };
    let public = PublicReport {
        submitted_at: Some(now),
        attendance: form
            .attendance
            .filter(|_| form.public.contains("attendance")),
        outcome: part("outcome"),
        went_well: part("went_well"),
        problems: part("problems"),
        improvements: part("improvements"),
        sheets: part("sheets"),
        links: if form.public.contains("links") {
            form.links.clone()
        } else {
            Vec::new()
        },
    };
    // What is not published is kept with the private notes, never lost.
    let mut private = Vec::new();
    if let Some(notes) = &form.private_notes {
        private.push(notes.clone());
    }
    if let (Some(n), false) = (form.attendance, form.public.contains("attendance")) {
        private.push(format!("## Personnes présentes\n\n{n}"));
    }
    for (name, title) in [
        ("outcome", "Intentions et déroulé"),
        ("went_well", "Ce qui a bien marché"),
        ("problems", "Difficultés"),
        ("improvements", "Améliorations"),
        ("sheets", "Fiches pratiques"),
    ] {
        if let (Some(text), false) = (form.parts.get(name), form.public.contains(name)) {
            private.push(format!("## {title}\n\n{text}"));
        }
    }
    if let (Some(links), false) = (&form.links_source, form.public.contains("links")) {
        private.push(format!("## Liens\n\n{links}"));
    }
    let report = StoredReport {
        meetup_id: meetup.id.clone(),
        public,
        private_notes: (!private.is_empty()).then(|| private.join("\n\n")),
        submitted_at: now,
        expires_at: meetup.ends_at + Duration::days(i64::from(function.config.retention_days)),
    };
    function
        .store
        .save_report(report)
        .await
        .map_err(super::store_error)?;
    tracing::info!(route = "reports", "report saved");
    function
        .notify(&Event::Reported {
            meetup_id: meetup.id.clone(),
        })
        .await;
    if !json {
        return Ok(see_other(&function.config.site_page(&format!(
            "{}?rencontre={}",
            function.config.result_pages.report_sent, meetup.id
        ))));
    }
    let mut message = "Merci ! Le bilan est enregistré ; sa partie publique paraîtra sur la page de la rencontre après la prochaine mise à jour du site.".to_string();
    if form.dropped_links > 0 {
        message.push_str(&format!(
            " {} lien(s) n'ont pas été retenus : seules les adresses commençant par http:// ou https:// sont publiées.",
            form.dropped_links
        ));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "status": "saved",
            "meetup": meetup.id,
            "dropped_links": form.dropped_links,
            "message": message,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys() {
        assert!(decode_hex32(&"ab".repeat(32)).is_some());
        assert!(decode_hex32(&"ab".repeat(31)).is_none());
        assert!(decode_hex32(&"zz".repeat(32)).is_none());
    }
}
