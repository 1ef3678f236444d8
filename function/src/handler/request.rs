//! Reading a request: its body as fields (URL-encoded form or JSON), strictly,
//! and what kind of answer the client wants.

use std::collections::BTreeMap;

use http::header::{ACCEPT, CONTENT_TYPE};
use http::HeaderMap;

use super::answer::ApiError;

/// Largest body accepted, in bytes.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The fields of a form, each with its values in order (a checkbox group
/// repeats its name).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Fields {
    values: BTreeMap<String, Vec<String>>,
}

impl Fields {
    /// The first value of a field, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name)?.first().map(String::as_str)
    }

    /// The first value, trimmed; `None` when missing or blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Every value of a field.
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values
            .entry(name.into())
            .or_default()
            .push(value.into());
    }
}

/// How the body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Form,
    Json,
}

/// The body's kind from its `Content-Type`; an empty body without one reads
/// as an empty form.
pub fn body_kind(headers: &HeaderMap, body: &[u8]) -> Result<BodyKind, ApiError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return if body.is_empty() {
            Ok(BodyKind::Form)
        } else {
            Err(ApiError::unsupported_media_type())
        };
    };
    let media = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-www-form-urlencoded" => Ok(BodyKind::Form),
        "application/json" => Ok(BodyKind::Json),
        _ => Err(ApiError::unsupported_media_type()),
    }
}

/// Parses a body into fields, refusing anything malformed.
pub fn parse_body(kind: BodyKind, body: &[u8]) -> Result<Fields, ApiError> {
    match kind {
        BodyKind::Form => parse_form(body),
        BodyKind::Json => parse_json(body),
    }
}

/// Strict `application/x-www-form-urlencoded`: every `%` is followed by two
/// hex digits and every name and value is UTF-8 once decoded.
pub fn parse_form(body: &[u8]) -> Result<Fields, ApiError> {
    let mut fields = Fields::default();
    for pair in body.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &b""[..]),
        };
        let name = decode_component(name).ok_or_else(ApiError::malformed_form)?;
        let value = decode_component(value).ok_or_else(ApiError::malformed_form)?;
        if name.is_empty() {
            return Err(ApiError::malformed_form());
        }
        fields.push(name, value);
    }
    Ok(fields)
}

/// Decodes one URL-encoded component (`+` is a space).
pub fn decode_component(input: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = input.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A JSON object whose values are strings, numbers, booleans, null or
/// arrays of those; `true` reads as the form's "oui".
pub fn parse_json(body: &[u8]) -> Result<Fields, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| ApiError::malformed_json())?;
    let serde_json::Value::Object(object) = value else {
        return Err(ApiError::malformed_json());
    };
    let mut fields = Fields::default();
    for (name, value) in object {
        let values = match value {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for value in values {
            match value {
                serde_json::Value::Null => {}
                serde_json::Value::String(text) => fields.push(name.clone(), text),
                serde_json::Value::Number(n) => fields.push(name.clone(), n.to_string()),
                serde_json::Value::Bool(true) => fields.push(name.clone(), "oui"),
                serde_json::Value::Bool(false) => fields.push(name.clone(), ""),
                _ => return Err(ApiError::malformed_json()),
            }
        }
    }
    Ok(fields)
}

/// The values of a query string (strict decoding; malformed pairs are dropped).
pub fn parse_query(query: Option<&str>) -> Fields {
    let mut fields = Fields::default();
    for pair in query.unwrap_or("").split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if let (Some(name), Some(value)) = (
            decode_component(name.as_bytes()),
            decode_component(value.as_bytes()),
        ) {
            if !name.is_empty() {
                fields.push(name, value);
            }
        }
    }
    fields
}

/// Whether the client wants JSON: it says so in `Accept`, or it sent JSON.
pub fn wants_json(headers: &HeaderMap) -> bool {
    let says = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.to_ascii_lowercase().contains("application/json"))
    };
    says(ACCEPT) || says(CONTENT_TYPE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_strictly() {
        let fields = parse_form(b"name=A%C3%AFcha+B&public=outcome&public=links&empty=").unwrap();
        assert_eq!(fields.get("name"), Some("Aïcha B"));
        assert_eq!(fields.all("public"), ["outcome", "links"]);
        assert_eq!(fields.text("empty"), None);
        assert!(parse_form(b"name=%E9t%E9").is_err(), "Latin-1 is not UTF-8");
        assert!(parse_form(b"name=100%").is_err());
        assert!(parse_form(b"name=%zz").is_err());
        assert!(parse_form(b"=x").is_err());
    }

    #[test]
    fn json_objects_become_fields() {
        let fields = parse_json(
            r#"{"name":"Aïcha","attendance":12,"consent":true,"public":["outcome"],"need":null}"#
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(fields.get("attendance"), Some("12"));
        assert_eq!(fields.get("consent"), Some("oui"));
        assert_eq!(fields.all("public"), ["outcome"]);
        assert_eq!(fields.get("need"), None);
        assert!(parse_json(b"[1,2]").is_err());
        assert!(parse_json(br#"{"name":{"first":"A"}}"#).is_err());
        assert!(parse_json(b"{\"name\":").is_err());
    }
}
