//! Where registrations, reports and meetup definitions live: the two
//! backends of [`Store`], which pass the same conformance suite.
//!
//! - [`sqlite`] (feature `sqlite`, on by default): one file, for a laptop or
//!   a single server, and `maillage serve`;
//! - [`dynamodb`] (feature `dynamodb`): one Amazon DynamoDB table shared by
//!   every Lambda instance.
//!
//! Each enforces what must be atomic (capacity, the waiting list's order,
//! idempotent registration, promotion on cancellation) so callers never
//! read then write.

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use maillage_model::store::*;
