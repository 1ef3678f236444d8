//! Maillage's function: the forms of a static site.
//!
//! This library holds what the site and the function share (the meetup
//! definitions synced into the store, the public aggregates exported back to
//! the site, the clock) and, around it, the forms, the stores and the
//! transport-agnostic handler.

#[cfg(feature = "email")]
pub mod email;
pub mod handler;
#[cfg(feature = "lambda")]
pub mod parameters;
pub mod trigger;

// The shared model and the stores, under the paths the rest of the crate uses.
pub use maillage_model::{clock, events, meetup as model};
pub use maillage_store as store;
