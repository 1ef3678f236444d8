//! Calendars and feeds of the meetups: iCalendar files per meetup and per
//! region, and the Atom feed of meetups to come.

pub(crate) mod atom;
pub(crate) mod ics;

use std::collections::HashSet;
use std::sync::Arc;

use maillage_model::ical::EventText;
use rayon::prelude::*;

use crate::error::Source;
use crate::pages::network::Network;
use crate::site::ExtraFile;

/// Every calendar and the feed.
pub fn files(net: &Network) -> Vec<ExtraFile> {
    files_where(net, |_| true)
}

/// The calendars and the feed whose output paths are in `paths`.
pub fn files_of(net: &Network, paths: &HashSet<String>) -> Vec<ExtraFile> {
    files_where(net, |path| paths.contains(path))
}

/// Each meetup's `VEVENT`, written once per network: its own calendar and
/// its region's share it, and a change of live figures writes again only
/// the events of the meetups it touches (the event says how registration
/// stands).
#[derive(Clone, Default)]
pub struct EventCache(Vec<Arc<EventText>>);

impl EventCache {
    pub fn new(net: &Network) -> EventCache {
        let host = maillage_model::ical::host(&net.config.base_url);
        EventCache(
            (0..net.data.meetups.len())
                .into_par_iter()
                .map(|m| Arc::new(ics::event(net, &host, m)))
                .collect(),
        )
    }

    /// Writes again the events of `meetups`.
    pub fn patch(&mut self, net: &Network, meetups: &[usize]) {
        let host = maillage_model::ical::host(&net.config.base_url);
        for &m in meetups {
            self.0[m] = Arc::new(ics::event(net, &host, m));
        }
    }

    fn event(&self, m: usize) -> &EventText {
        &self.0[m]
    }
}

fn files_where(net: &Network, wanted: impl Fn(&str) -> bool + Sync) -> Vec<ExtraFile> {
    let calendar_path = |page: String| format!("{}calendrier.ics", page.trim_start_matches('/'));
    let event = |m: usize| net.calendar_events.event(m);
    let mut files: Vec<ExtraFile> = (0..net.data.meetups.len())
        .into_par_iter()
        .filter_map(|m| {
            let meetup = &net.data.meetups[m];
            let path = calendar_path(net.urls.meetup(&meetup.id));
            wanted(&path).then(|| ExtraFile {
                path,
                bytes: ics::meetup_calendar(net, m, event(m)),
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
        let path = calendar_path(net.urls.region(&region.slug));
        wanted(&path).then(|| ExtraFile {
            path,
            bytes: ics::region_calendar(net, r, event),
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
            bytes: atom::feed(net),
            in_sitemap: false,
            source: Source::part("the feed of meetups to come"),
        });
    }
    files
}
