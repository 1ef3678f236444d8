//! The webhook signature: HMAC-SHA256 over `"{timestamp}.{body}"`.
//!
//! Every signed request carries two headers:
//!
//! - `X-Maillage-Timestamp`: when it was signed, in seconds since the Unix
//!   epoch;
//! - `X-Maillage-Signature`: `sha256=` and the lower-case hex HMAC-SHA256,
//!   keyed with the shared secret, of the timestamp, a dot, and the raw body.
//!
//! Signing the timestamp with the body lets a receiver refuse replays: it
//! checks the signature, then that the timestamp is recent.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header carrying the signing time (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-maillage-timestamp";
/// Header carrying `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-maillage-signature";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Maillage-Signature` value for this timestamp and body.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    let mut value = String::with_capacity(7 + 64);
    value.push_str("sha256=");
    for byte in tag {
        value.push_str(&format!("{byte:02x}"));
    }
    value
}

/// Why a receiver refuses a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// A header is missing or not in the expected form.
    Malformed,
    /// The signature does not match the body, timestamp and secret.
    Mismatch,
    /// The timestamp is further from the receiver's clock than allowed.
    Stale,
}

/// Checks a request as a receiver would: the signature first (in constant
/// time), then that `timestamp` is within `tolerance_secs` of `now` (Unix
/// seconds).
pub fn verify(
    secret: &[u8],
    timestamp: &str,
    body: &[u8],
    signature: &str,
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::Malformed)?;
    let hex = signature
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let tag = decode_hex(hex).ok_or(SignatureError::Malformed)?;
    mac(secret, timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)?;
    if (now - timestamp).abs() > tolerance_secs {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_4231_test_case_2() {
        // The HMAC primitive itself, on RFC 4231's second test case.
        let mut mac = HmacSha256::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let tag: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            tag,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let body = br#"{"event":"registered"}"#;
        let signature = sign(b"s3cret", 1_795_176_000, body);
        assert!(signature.starts_with("sha256=") && signature.len() == 71);
        let now = 1_795_176_010;
        assert_eq!(
            verify(b"s3cret", "1795176000", body, &signature, now, 300),
            Ok(())
        );
        assert_eq!(
            verify(b"other", "1795176000", body, &signature, now, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", "1795176001", body, &signature, now, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", "1795176000", b"{}", &signature, now, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", "1795176000", body, &signature, now + 3600, 300),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(b"s3cret", "soon", body, &signature, now, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(b"s3cret", "1795176000", body, "md5=00", now, 300),
            Err(SignatureError::Malformed)
        );
    }
}
