//! Maillage's function: the forms of a static site.
//!
//! This library holds what the site and the function share (the meetup
//! definitions synced into the store, the public aggregates exported back to
//! the site, the clock) and, around it, the forms, the stores and the
//! transport-agnostic handler.

pub mod email;
pub mod events;
pub mod handler;
#[cfg(feature = "dynamodb")]
pub mod parameters;
pub mod store;
pub mod trigger;

// The shared model, under the paths the rest of the crate uses.
pub use maillage_model::{clock, meetup as model};
