//! The function's answers: JSON for scripts, redirects and small French
//! pages for plain HTML forms, and errors with a machine-readable code, a
//! French message and per-field messages.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use http::{Response, StatusCode};
use serde_json::json;

use super::pages;

/// A refusal or a failure, as the client will see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Machine-readable (`invalid_fields`, `meetup_full`...).
    pub code: &'static str,
    /// For a person, in French.
    pub message: String,
    /// Per-field messages, in French, keyed by the form's field names.
    pub fields: BTreeMap<String, String>,
    /// Seconds to wait before trying again (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    pub fn with_field(mut self, name: &str, message: impl Into<String>) -> ApiError {
        self.fields.insert(name.to_string(), message.into());
        self
    }

    /// Some fields are missing or wrong.
    pub fn invalid_fields(fields: BTreeMap<String, String>) -> ApiError {
        let message = if fields.len() == 1 {
            "Un champ du formulaire est à corriger."
        } else {
            "Plusieurs champs du formulaire sont à corriger."
        };
        ApiError {
            fields,
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields", message)
        }
    }

    pub fn body_too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "Votre envoi est trop volumineux (16 Kio au plus). Raccourcissez les textes et renvoyez-le.",
        )
    }

    /// The body did not arrive in time (a transport that reads it refuses).
    pub fn request_timeout() -> ApiError {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "Votre envoi est arrivé trop lentement et n'a pas été reçu en entier. Renvoyez-le.",
        )
    }

    /// The body's framing is broken (a transport that reads it refuses).
    pub fn malformed_request() -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "La requête reçue est mal formée : son contenu n'a pas pu être lu.",
        )
    }

    pub fn unsupported_media_type() -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Ce format d'envoi n'est pas accepté : envoyez un formulaire classique ou du JSON.",
        )
    }

    pub fn malformed_form() -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            "Le formulaire reçu est illisible (encodage incorrect). Rechargez la page et renvoyez-le.",
        )
    }

    pub fn malformed_json() -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            "Les données reçues ne sont pas un objet JSON valide.",
        )
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Cette adresse ne correspond à aucun service de la fonction.",
        )
    }

    pub fn method_not_allowed() -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Cette adresse n'accepte pas ce type de requête.",
        )
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after.max(1)),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Trop d'envois en peu de temps depuis votre connexion. Patientez une minute puis réessayez.",
            )
        }
    }

    /// The store failed: nothing about why reaches the client.
    pub fn unavailable() -> ApiError {
        ApiError {
            retry_after: Some(30),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Le service est momentanément indisponible. Votre envoi n'a pas été enregistré : réessayez dans quelques instants.",
            )
        }
    }

    pub fn unknown_meetup() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_meetup",
            "Cette rencontre n'existe pas ou n'est plus proposée.",
        )
        .with_field("meetup", "Aucune rencontre ne porte cet identifiant.")
    }

    /// The JSON answer: `{error: {code, message, fields}}`.
    pub fn to_json(&self) -> Response<Bytes> {
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "fields": self.fields,
            }
        });
        let mut response = json_response(self.status, &body);
        self.add_retry_after(&mut response);
        response
    }

    /// A small French page listing the problems, with a link back.
    pub(crate) fn to_html(&self, site: &pages::Site, back: Option<&str>) -> Response<Bytes> {
        let mut response = html_response(self.status, pages::error_page(site, self, back));
        self.add_retry_after(&mut response);
        response
    }

    fn add_retry_after(&self, response: &mut Response<Bytes>) {
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, seconds.to_string().parse().expect("digits"));
        }
    }
}

/// A JSON answer, never cached.
pub(super) fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .header(CACHE_CONTROL, "no-store")
        .body(Bytes::from(body.to_string()))
        .expect("a valid response")
}

/// An HTML page made by the function, locked down: no scripts, no frames,
/// no referrer (a cancellation link carries a private token).
pub(super) fn html_response(status: StatusCode, html: String) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/html; charset=utf-8")
        .header(CACHE_CONTROL, "no-store")
        .header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        )
        .header("referrer-policy", "no-referrer")
        .header("x-content-type-options", "nosniff")
        .body(Bytes::from(html))
        .expect("a valid response")
}

/// A CSV file to save as `filename` (a spreadsheet's name for it), never
/// cached.
pub(super) fn csv_response(filename: &str, csv: String) -> Response<Bytes> {
    Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(
            http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .header(CACHE_CONTROL, "no-store")
        .body(Bytes::from(csv))
        .expect("a valid response")
}

/// 303 See Other to a page of the site.
pub(super) fn see_other(location: &str) -> Response<Bytes> {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(LOCATION, location)
        .header(CACHE_CONTROL, "no-store")
        .header("referrer-policy", "no-referrer")
        .body(Bytes::new())
        .expect("a valid redirect")
}
