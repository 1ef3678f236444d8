//! Calendars and feeds of the meetups: iCalendar files per meetup and per
//! region, and the Atom feed of meetups to come.

pub(crate) mod atom;
pub(crate) mod ics;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use maillage_engine::render::trace::{fingerprint_hashed, fingerprint_parts, Fingerprint};
use maillage_model::ical::EventText;
use rayon::prelude::*;

use crate::chunked::Chunked;
use crate::error::Source;
use crate::pages::network::Network;
use crate::site::{ExtraFile, FileBuilder, FileBytes};

/// The calendar of the page at URL path `page` (`/a/b/`), as a URL path:
/// `/a/b/calendrier.ics`. Meetup and region pages link to it.
pub(crate) fn url_path(page: &str) -> String {
    format!("{page}calendrier.ics")
}

/// The output file of the calendar of the page at URL path `page`:
/// [`url_path`] without its leading slash.
pub(crate) fn output_file(page: &str) -> String {
    url_path(page).trim_start_matches('/').to_string()
}

/// Every calendar and the feed.
pub fn files(net: &Arc<Network>) -> Vec<ExtraFile> {
    files_where(net, |_| true)
}

/// The calendars and the feed whose output paths are in `paths`.
pub fn files_of(net: &Arc<Network>, paths: &HashSet<String>) -> Vec<ExtraFile> {
    files_where(net, |path| paths.contains(path))
}

/// Each meetup's `VEVENT`, written once per network: its own calendar and
/// its region's share it, and a change of live figures writes again only
/// the events of the meetups it touches (the event says how registration
/// stands).
///
/// Each is written when first asked for, and fingerprinted from what it
/// is written from: a build that keeps every calendar writes none.
#[derive(Clone, Default)]
pub struct EventCache {
    /// The right-hand side of every event's `UID` ([`maillage_model::ical::host`]).
    host: String,
    events: Chunked<Event>,
}

#[derive(Clone, Default)]
struct Event {
    text: OnceLock<Arc<EventText>>,
    fingerprint: OnceLock<Fingerprint>,
}

impl EventCache {
    pub fn new(net: &Network) -> EventCache {
        EventCache {
            host: maillage_model::ical::host(&net.config.base_url),
            events: (0..net.data.meetups.len())
                .map(|_| Event::default())
                .collect(),
        }
    }

    /// Forgets the events of `meetups`: they are written again when asked for.
    pub fn patch(&mut self, meetups: &[usize]) {
        for &m in meetups {
            self.events[m] = Event::default();
        }
    }

    fn event<'n>(&'n self, net: &Network, m: usize) -> &'n EventText {
        self.events[m]
            .text
            .get_or_init(|| Arc::new(ics::event(net, &self.host, m)))
    }

    fn fingerprint(&self, net: &Network, m: usize) -> Fingerprint {
        *self.events[m]
            .fingerprint
            .get_or_init(|| ics::event_fingerprint(net, &self.host, m))
    }
}

/// The calendars of single meetups, written when the build writes them.
struct MeetupCalendars(Arc<Network>);

impl FileBuilder for MeetupCalendars {
    fn bytes(&self, m: usize) -> Vec<u8> {
        let net = &self.0;
        ics::meetup_calendar(net, m, net.calendar_events.event(net, m))
    }

    /// The event's, and the calendar's name ([`ics::meetup_calendar`]).
    fn fingerprint(&self, m: usize) -> Option<Fingerprint> {
        let net = &self.0;
        Some(fingerprint_parts(&[
            net.calendar_events.fingerprint(net, m),
            fingerprint_hashed(&net.data.meetups[m].title),
        ]))
    }
}

/// The calendars of the regions, written when the build writes them.
struct RegionCalendars(Arc<Network>);

impl FileBuilder for RegionCalendars {
    fn bytes(&self, r: usize) -> Vec<u8> {
        let net = &self.0;
        ics::region_calendar(net, r, |m| net.calendar_events.event(net, m))
    }

    /// The calendar's name and its events', in its order
    /// ([`ics::region_calendar`]).
    fn fingerprint(&self, r: usize) -> Option<Fingerprint> {
        let net = &self.0;
        let mut parts = vec![fingerprint_hashed(&net.data.regions[r].name)];
        parts.extend(ics::region_meetups(net, r).map(|m| net.calendar_events.fingerprint(net, m)));
        Some(fingerprint_parts(&parts))
    }
}

fn files_where(net: &Arc<Network>, wanted: impl Fn(&str) -> bool + Sync) -> Vec<ExtraFile> {
    let meetup_calendars: Arc<dyn FileBuilder> = Arc::new(MeetupCalendars(net.clone()));
    let region_calendars: Arc<dyn FileBuilder> = Arc::new(RegionCalendars(net.clone()));
    let mut files: Vec<ExtraFile> = (0..net.data.meetups.len())
        .into_par_iter()
        .filter_map(|m| {
            let meetup = &net.data.meetups[m];
            let path = output_file(net.meetup_path(m));
            wanted(&path).then(|| ExtraFile {
                path,
                bytes: FileBytes::Deferred {
                    builder: meetup_calendars.clone(),
                    index: m,
                },
                in_sitemap: false,
                source: net.data.source(
                    meetup.origin,
                    format!("the calendar of meetup `{}`", meetup.id),
                ),
            })
        })
        .collect();
    files.par_extend((0..net.data.regions.len()).into_par_iter().filter_map(|r| {
        let region = &net.data.regions[r];
        let path = output_file(&net.urls.region(&region.slug));
        wanted(&path).then(|| ExtraFile {
            path,
            bytes: FileBytes::Deferred {
                builder: region_calendars.clone(),
                index: r,
            },
            in_sitemap: false,
            source: net.data.source(
                region.origin,
                format!("the calendar of region `{}`", region.slug),
            ),
        })
    }));
    let feed = net.urls.feed();
    let feed = feed.trim_start_matches('/');
    if wanted(feed) {
        files.push(ExtraFile {
            path: feed.to_string(),
            bytes: atom::feed(net).into(),
            in_sitemap: false,
            source: Source::part("the feed of meetups to come"),
        });
    }
    files
}
