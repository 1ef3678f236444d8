//! The organiser's secret key, made as the function makes it for an
//! accepted proposal: random, URL-safe, shown once; the data keeps only its
//! SHA-256, which the function checks (`report_key_sha256`).

pub(crate) use maillage_function::organiser_key::{private_link, OrganiserKey};

use crate::failure::{Failure, Outcome};

/// A fresh key and the hash `data/` keeps of it.
pub(crate) fn generate() -> Outcome<OrganiserKey> {
    OrganiserKey::generate()
        .map_err(|e| Failure::other("the organiser's key", format!("no randomness: {e}")))
}
