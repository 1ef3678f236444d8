//! iCalendar files: one per meetup, one per region, written by the shared
//! writer ([`ical`]) that also writes the file attached to confirmation
//! emails, so both carry the same event.

use chrono::Duration;
use maillage_model::meetup::MeetupStatus;
use maillage_model::{french, ical};

use maillage_engine::render::trace::{fingerprint_hashed, Fingerprint};

use crate::map::round6;
use crate::pages::network::Network;

/// How far back a region's calendar keeps past meetups, so that calendar
/// applications subscribed to it do not see them vanish the day after.
pub(crate) const REGION_HISTORY_DAYS: i64 = 90;

/// The `VEVENT` of meetup `m`, folded: the same text in the meetup's
/// calendar and its region's, so it is made once per build.
pub(crate) fn event(net: &Network, host: &str, m: usize) -> ical::EventText {
    with_event(net, host, m, |e| e.to_text())
}

/// The fingerprint of everything meetup `m`'s `VEVENT` is written from,
/// without writing it.
pub(crate) fn event_fingerprint(net: &Network, host: &str, m: usize) -> Fingerprint {
    with_event(net, host, m, |e| fingerprint_hashed(e))
}

/// Meetup `m`'s event as the writer takes it, handed to `use_it`.
fn with_event<R>(net: &Network, host: &str, m: usize, use_it: impl FnOnce(&ical::Event) -> R) -> R {
    let meetup = &net.data.meetups[m];
    let facts = &net.facts[m];
    let place = &net.data.places[net.meetup_place[m]];
    let url = net.permalink(net.meetup_path(m));
    let mut description = format!(
        "{}.\n{} – {}.\n{} {}",
        meetup.kind.label(),
        french::date(meetup.start.date()),
        french::time_range(meetup.start, meetup.end),
        net.registration_label(m),
        url
    );
    if !meetup.intentions.is_empty() {
        description.push_str("\n\nIntentions :\n- ");
        description.push_str(&meetup.intentions.join("\n- "));
    }
    let status = if meetup.status == MeetupStatus::Cancelled {
        ical::Status::Cancelled
    } else {
        ical::Status::Confirmed
    };
    let event = ical::Event {
        meetup_id: &meetup.id,
        host,
        stamp: net.stamp(),
        start: facts.start,
        end: facts.end,
        zone: meetup.time_zone,
        summary: &meetup.title,
        description: &description,
        location: &place.location(),
        geo: Some((round6(place.lat), round6(place.lon))),
        url: &url,
        status,
        sequence: None,
    };
    use_it(&event)
}

/// The calendar of one meetup, with its `event`.
pub(crate) fn meetup_calendar(net: &Network, m: usize, event: &ical::EventText) -> Vec<u8> {
    let mut cal = ical::Calendar::new(Some(&net.data.meetups[m].title));
    cal.push_event(event);
    cal.finish().into_bytes()
}

/// The calendar of a region: its meetups to come and those of the last
/// [`REGION_HISTORY_DAYS`] days.
pub(crate) fn region_calendar<'e>(
    net: &Network,
    r: usize,
    event: impl Fn(usize) -> &'e ical::EventText,
) -> Vec<u8> {
    let region = &net.data.regions[r];
    let mut cal = ical::Calendar::new(Some(&format!("Rencontres – {}", region.name)));
    for m in region_meetups(net, r) {
        cal.push_event(event(m));
    }
    cal.finish().into_bytes()
}

/// The meetups of region `r`'s calendar, in its order.
pub(crate) fn region_meetups(net: &Network, r: usize) -> impl Iterator<Item = usize> + '_ {
    let since = net.now - Duration::days(REGION_HISTORY_DAYS);
    // Until the instant it ends plus the history: a boundary of
    // [`Network::clock_span`].
    net.region_meetups[r]
        .iter()
        .copied()
        .filter(move |&m| net.facts[m].end > since)
}
