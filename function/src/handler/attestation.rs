//! Attestations of participation: their codes, the private page that shows
//! one (`GET {api}/attestation?code=…`, printable), and the public check of
//! a code (`POST {api}/attestation/verification`), which states what the
//! attestation says and nothing else.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::json;

use maillage_model::french;
use maillage_store::{Attestation, AttestedRole};

use super::answer::{html_response, json_response, ApiError};
use super::config::FunctionConfig;
use super::request::Fields;
use super::{pages, Function};

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or
/// copied by hand is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 128 random bits make 26 characters.
const CODE_LEN: usize = 26;

/// A new verification code: 128 random bits in base 32, 26 characters.
pub(super) fn new_code() -> Result<String, ApiError> {
    let bits = u128::from_be_bytes(super::registration::random_bytes()?);
    Ok((0..CODE_LEN)
        .rev()
        .map(|group| char::from(ALPHABET[((bits >> (group * 5)) & 31) as usize]))
        .collect())
}

/// A code as someone typed it, in its stored form: upper case, without the
/// spaces and dashes it is shown with, the letters Crockford's alphabet
/// leaves out read as the digits they look like. `None` when it cannot be
/// a code.
pub(super) fn normalise(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// How a code is shown: four groups of five and one of six, easier to copy.
pub(crate) fn grouped(code: &str) -> String {
    if code.len() != CODE_LEN || !code.is_ascii() {
        return code.to_string();
    }
    [0..5, 5..10, 10..15, 15..20, 20..CODE_LEN]
        .map(|range| &code[range])
        .join("-")
}

/// The private link to an attestation.
pub(super) fn link(config: &FunctionConfig, code: &str) -> String {
    config.public_api_url(&format!("/attestation?code={code}"))
}

/// The role as the attestation states it.
pub(crate) fn role_label(role: AttestedRole) -> &'static str {
    match role {
        AttestedRole::Participant => "participant·e",
        AttestedRole::Facilitator => "animateur·rice",
        AttestedRole::Speaker => "intervenant·e",
        AttestedRole::Organiser => "organisateur·rice",
    }
}

/// The meetup's day, in French.
pub(crate) fn date_label(attestation: &Attestation) -> String {
    french::date(attestation.date)
}

fn unknown_code() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_code",
        "Ce code ne correspond à aucune attestation : vérifiez-le (26 caractères, lettres et chiffres). Une attestation retirée par l'organisation ou trop ancienne n'est plus vérifiable.",
    )
    .with_field("code", "Aucune attestation ne porte ce code.")
}

fn missing_code() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "code_missing",
        "Indiquez le code de vérification inscrit sur l'attestation.",
    )
    .with_field("code", "Indiquez le code de vérification.")
}

/// The attestation a typed code names, or the refusal.
async fn find(function: &Function, typed: Option<&str>) -> Result<Attestation, ApiError> {
    let typed = typed.ok_or_else(missing_code)?;
    let code = normalise(typed).ok_or_else(unknown_code)?;
    let found = function
        .store
        .attestation(&code)
        .await
        .map_err(super::store_error)?;
    found.ok_or_else(|| {
        tracing::info!(route = "attestation", "unknown code");
        unknown_code()
    })
}

/// `GET {api}/attestation?code=…`: the printable attestation.
pub(super) async fn show(function: &Function, query: &Fields) -> Result<Response<Bytes>, ApiError> {
    let attestation = find(function, query.text("code")).await?;
    // The place comes from the meetup's definition while the store has it.
    let place = function
        .store
        .meetup(&attestation.meetup_id)
        .await
        .map_err(super::store_error)?
        .map(|meetup| meetup.location);
    let verify = function
        .config
        .site_page(&function.config.result_pages.attestation_check);
    Ok(html_response(
        StatusCode::OK,
        pages::attestation_page(
            &function.config.site(),
            &attestation,
            place.as_deref(),
            &verify,
        ),
    ))
}

/// `POST {api}/attestation/verification`: what the attestation states.
pub(super) async fn verify(
    function: &Function,
    fields: &Fields,
    json: bool,
) -> Result<Response<Bytes>, ApiError> {
    let attestation = find(function, fields.text("code")).await?;
    tracing::info!(route = "attestation_verification", "code verified");
    let network = &function.config.site_name;
    if json {
        return Ok(json_response(
            StatusCode::OK,
            &json!({
                "valid": true,
                "name": attestation.name,
                "meetup": attestation.meetup_title,
                "date": date_label(&attestation),
                "role": role_label(attestation.role),
                "network": network,
            }),
        ));
    }
    Ok(html_response(
        StatusCode::OK,
        pages::verified_page(&function.config.site(), &attestation),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_128_random_bits_in_base_32() {
        let code = new_code().unwrap();
        assert_eq!(code.len(), 26);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(code, new_code().unwrap());
        // The top character holds the 3 bits left over: 0 to 7.
        assert!(b"01234567".contains(&code.as_bytes()[0]));
    }

    #[test]
    fn typed_codes_are_read_leniently() {
        let code = "7ZK3M0Q1VXBH4N8RT2W6YCDEFG";
        assert_eq!(normalise(code).as_deref(), Some(code));
        assert_eq!(normalise(&grouped(code)).as_deref(), Some(code));
        assert_eq!(
            normalise("7zk3m oqlvx bh4n8 rt2w6 ycdefg").as_deref(),
            Some(code)
        );
        assert_eq!(normalise("7ZK3M0Q1VXBH4N8RT2W6YCDEF"), None, "too short");
        assert_eq!(
            normalise("7ZK3M0Q1VXBH4N8RT2W6YCDEFU"),
            None,
            "U is not in it"
        );
        assert_eq!(grouped(code), "7ZK3M-0Q1VX-BH4N8-RT2W6-YCDEFG");
    }
}
