//! What Maillage's site and function share.
//!
//! - [`meetup`]: the types that cross the boundary between the site and the
//!   function (meetup definitions one way, public figures the other);
//! - [`proposal`]: meetup proposals, from an organiser's form to the
//!   coordinator's decision and the meetup it becomes;
//! - [`store`]: the [`Store`](store::Store) trait the function writes
//!   through, and [`events`]: what it tells the rest of the world after a
//!   durable write;
//! - [`clock`]: the one place that says what time it is, and [`zone`]:
//!   wall-clock times and instants, zone by zone;
//! - the one writer of each format both sides produce: [`markup`] (HTML and
//!   XML escaping), [`french`] (dates and times in words) and [`ical`]
//!   (iCalendar);
//! - [`urls`]: where the network's pages live, and [`result_pages`]: the
//!   site's pages the function sends people to.
//!
//! It depends on no store backend, no HTTP and no template engine, so every
//! other crate can use it.

pub mod clock;
pub mod events;
pub mod french;
pub mod ical;
pub mod markup;
pub mod meetup;
pub mod proposal;
pub mod result_pages;
pub mod store;
pub mod urls;
pub mod zone;
