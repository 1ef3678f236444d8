//! `POST {api}/attendance`: the organiser marks who came, from their page,
//! with the meetup's key in the form (never in the address). Each person
//! marked present gets an attestation, and its link by email when emails
//! are on; the answer is the list again (JSON, or the French page without
//! JavaScript) showing the marks and the links.

use bytes::Bytes;
use chrono::Duration;
use http::{HeaderMap, Response, StatusCode};

use maillage_model::clock;
use maillage_model::events::{Event, Recipient};
use maillage_store::Attendance;

use super::answer::ApiError;
use super::registrants::{self, Format};
use super::request::Fields;
use super::{attestation, validation, Function};

pub(super) async fn record(
    function: &Function,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
) -> Result<Response<Bytes>, ApiError> {
    let meetup_id = registrants::meetup_field(fields)?;
    let (meetup, key) = registrants::organiser_access(function, meetup_id, headers, fields).await?;
    if clock::now() < meetup.starts_at {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_started",
            "La rencontre n'a pas encore commencé : les présences se notent à partir de son début.",
        ));
    }
    let organiser = validation::organiser_name(fields)?;
    let present: Vec<String> = fields
        .all("present")
        .iter()
        .map(|email| email.trim().to_lowercase())
        .filter(|email| !email.is_empty())
        .collect();
    let fresh_codes = (0..=present.len())
        .map(|_| attestation::new_code())
        .collect::<Result<_, _>>()?;
    let retention = Duration::days(i64::from(function.config.attestation_retention_days));
    let count = present.len();
    let issued = function
        .store
        .record_attendance(Attendance {
            meetup_id: meetup.id.clone(),
            present,
            organiser,
            fresh_codes,
            expires_at: meetup.ends_at + retention,
        })
        .await
        .map_err(super::store_error)?;
    tracing::info!(
        route = "attendance",
        present = count,
        issued = issued.len(),
        "attendance recorded"
    );
    // Each person newly marked present gets the link to their attestation.
    for person in issued {
        function
            .notify(&Event::Attested {
                meetup: meetup.clone(),
                attestation_url: attestation::link(&function.config, &person.code),
                person: Recipient {
                    name: person.name,
                    email: person.email,
                },
            })
            .await;
    }
    registrants::list_answer(
        function,
        &meetup,
        &key,
        headers,
        fields,
        query,
        Format::Html,
        Some(if function.reaches_people() {
            "Présences enregistrées. Chaque personne nouvellement notée présente reçoit par courriel le lien de son attestation ; tous les liens figurent aussi dans la liste."
        } else {
            "Présences enregistrées. Chaque personne notée présente a son attestation : transmettez-lui le lien qui figure dans la liste."
        }),
    )
    .await
}
