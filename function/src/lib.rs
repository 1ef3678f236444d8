//! Maillage's function: the forms of a static site.
//!
//! The forms ([`handler`]: an axum Router that `maillage serve` mounts and
//! the Lambda binary runs), the rebuild trigger ([`trigger`]), confirmation
//! emails ([`email`]), the organisers' keys ([`organiser_key`]) and the
//! Lambda's secrets ([`parameters`]). What it
//! shares with the site is in `maillage-model`; the stores are
//! `maillage-store`'s.

#[cfg(feature = "email")]
pub mod email;
pub mod handler;
pub mod organiser_key;
#[cfg(feature = "lambda")]
pub mod parameters;
pub mod trigger;
