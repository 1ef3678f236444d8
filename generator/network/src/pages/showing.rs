//! What a change of live figures touches: the pages whose context holds a
//! meetup's figures or report, and the files that show them. The live loop
//! of `maillage serve` renders only these after a registration, a
//! cancellation or a report.

use std::collections::{BTreeSet, HashSet};

use super::listings::{self, Listing};
use super::network::Network;
use crate::figures;
use crate::site::ExtraFile;
use maillage_model::meetup::MeetupStatus;

/// The URL paths of the pages and the output paths of the files that show
/// the live figures or the report of the meetups `ids`: after a
/// registration, a cancellation or a report, only these change.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Showing {
    pub pages: HashSet<String>,
    pub files: HashSet<String>,
    /// Indexes of the regions whose map files change.
    pub regions: BTreeSet<usize>,
    /// A meetup held changed: the figures and their files change.
    pub figures: bool,
}

impl Showing {
    pub fn meetups(net: &Network, ids: &BTreeSet<String>) -> Showing {
        let mut showing = Showing::default();
        showing
            .files
            .insert(net.urls.feed().trim_start_matches('/').into());
        let (upcoming, past) = (Listing::Upcoming.meetups(net), Listing::Past.meetups(net));
        let by = listings::paginate_by(net);
        let region_limit = listings::region_upcoming_limit(net);
        for id in ids {
            let Some(m) = net.meetup_index(id) else {
                continue;
            };
            let p = net.meetup_place[m];
            let place = &net.data.places[p];
            let r = net.place_region[p];
            let region_path = net.urls.region(&net.data.regions[r].slug);
            // The previous and next meetups show this one's summary (and
            // the improvements its report proposes).
            for other in [Some(m), net.previous[m], net.next[m]]
                .into_iter()
                .flatten()
            {
                let path = net.urls.meetup(&net.data.meetups[other].id);
                showing
                    .files
                    .insert(format!("{}calendrier.ics", &path[1..]));
                showing.pages.insert(path);
            }
            // The one pager of its listing that shows it.
            for (listing, list) in [(Listing::Upcoming, &upcoming), (Listing::Past, &past)] {
                if let Some(i) = list.iter().position(|&x| x == m) {
                    showing
                        .pages
                        .insert(listings::path(net, listing, i / by + 1));
                }
            }
            showing.pages.insert(net.urls.place(&place.id));
            // Lists of places show each place's next meetup.
            if net.next_meetup_at(p) == Some(m) {
                for page in [&net.urls.places, &net.urls.map] {
                    showing.pages.insert(page.clone());
                }
                showing.pages.insert(net.urls.place_type(place.kind.code()));
                showing.pages.insert(region_path.clone());
            }
            // A region's page lists its soonest meetups to come.
            if net
                .upcoming(&net.region_meetups[r])
                .take(region_limit)
                .any(|x| x == m)
            {
                showing.pages.insert(region_path.clone());
            }
            showing
                .files
                .insert(format!("{}calendrier.ics", &region_path[1..]));
            showing.regions.insert(r);
            // The figures count the meetups held (a report's attendance).
            if !net.facts[m].upcoming && net.facts[m].status != MeetupStatus::Cancelled {
                showing.pages.insert(figures::path(net, None));
                showing.pages.insert(figures::path(net, Some(r)));
                showing.figures = true;
            }
        }
        showing
    }
}

/// The files listed in `showing`, built again from `net`: the national map
/// files, those of its regions, the feed and its calendars, and the
/// figures' files when a meetup held changed.
pub fn files_showing(net: &Network, showing: &Showing) -> Vec<ExtraFile> {
    let regions: Vec<usize> = showing.regions.iter().copied().collect();
    let (mut files, calendars) = rayon::join(
        || crate::map::files_of(net, &regions),
        || crate::calendar::files_of(net, &showing.files),
    );
    files.extend(calendars);
    if showing.figures {
        files.extend(figures::files::all(net, &figures::Figures::of(net)));
    }
    files
}
