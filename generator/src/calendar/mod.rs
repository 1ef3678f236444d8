//! Calendars and feeds of the meetups: iCalendar files per meetup and per
//! region, and the Atom feed of meetups to come.

pub mod atom;
pub mod ics;

use rayon::prelude::*;

use crate::pages::listings::FEED_PATH;
use crate::pages::network::{meetup_path, region_path, Network};
use crate::site::ExtraFile;

/// Every calendar and the feed.
pub fn files(net: &Network) -> Vec<ExtraFile> {
    let host = ics::host(&net.config.base_url);
    let mut files: Vec<ExtraFile> = (0..net.data.meetups.len())
        .into_par_iter()
        .map(|m| ExtraFile {
            path: format!(
                "{}calendrier.ics",
                meetup_path(&net.data.meetups[m].id).trim_start_matches('/')
            ),
            bytes: ics::meetup_calendar(net, &host, m),
            in_sitemap: false,
        })
        .collect();
    files.par_extend(
        (0..net.data.regions.len())
            .into_par_iter()
            .map(|r| ExtraFile {
                path: format!(
                    "{}calendrier.ics",
                    region_path(&net.data.regions[r].slug).trim_start_matches('/')
                ),
                bytes: ics::region_calendar(net, &host, r),
                in_sitemap: false,
            }),
    );
    files.push(ExtraFile {
        path: FEED_PATH.trim_start_matches('/').to_string(),
        bytes: atom::feed(net),
        in_sitemap: false,
    });
    files
}
