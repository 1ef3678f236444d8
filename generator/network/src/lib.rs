//! The pages of a network of meetups, on top of the engine: [`data`] reads
//! and validates `data/` (regions, places, partners, modules, series,
//! meetups), [`pages`] links it and makes a page per place, meetup and
//! region with their listings, [`map`] writes the map's GeoJSON,
//! [`calendar`] the iCalendar files and the Atom feed, and [`vendor`] the
//! theme's map libraries. [`extensions::standard`] is what every command
//! adds to the engine.

pub mod calendar;
pub mod chunked;
pub mod data;
pub mod extensions;
pub mod figures;
pub mod map;
pub mod pages;
pub mod vendor;

// The engine's modules under the paths this crate's modules use.
use maillage_engine::{config, error, site, slugs};
