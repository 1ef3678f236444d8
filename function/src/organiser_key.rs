//! The organiser's secret key: random, URL-safe, given once; the data and
//! the store keep only its SHA-256 (`report_key_sha256`), which the
//! function checks. `maillage meetup new`, `maillage meetup key`,
//! `maillage region key` and an accepted proposal make keys here.

use sha2::{Digest, Sha256};

/// A fresh key and the hash kept of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganiserKey {
    /// 256 random bits in lower-case hex: safe in a URL as it is.
    pub key: String,
    pub sha256: String,
}

impl OrganiserKey {
    /// A new key from the system's randomness.
    pub fn generate() -> Result<OrganiserKey, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let key = hex(&bytes);
        let sha256 = sha256_hex(&key);
        Ok(OrganiserKey { key, sha256 })
    }
}

/// Lower-case hex SHA-256 of a key, as `report_key_sha256` holds it.
pub fn sha256_hex(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The organiser's private link: the site's report page with the meetup and
/// the key in the fragment, which browsers never send to a server.
pub fn private_link(base_url: &str, page: &str, meetup: &str, key: &str) -> String {
    format!(
        "{}{page}#rencontre={meetup}&cle={key}",
        base_url.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_url_safe_and_hashed_as_the_function_checks_them() {
        let a = OrganiserKey::generate().unwrap();
        let b = OrganiserKey::generate().unwrap();
        assert_ne!(a.key, b.key);
        assert_eq!(a.key.len(), 64);
        assert!(a
            .key
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(a.sha256, sha256_hex(&a.key));
        // The hash of "test", as in the data format's example.
        assert_eq!(
            sha256_hex("test"),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
        assert_eq!(
            private_link("https://reseau.example.org/", "/bilan/", "brest-1", "abc"),
            "https://reseau.example.org/bilan/#rencontre=brest-1&cle=abc"
        );
    }
}
