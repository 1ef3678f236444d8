//! `/rencontres/atom.xml`: an Atom feed (RFC 4287) of the meetups to come,
//! soonest first.

use chrono::{DateTime, SecondsFormat, Utc};
use maillage_model::meetup::MeetupStatus;
use maillage_model::{french, markup};

use crate::pages::network::Network;

/// Entries when `feed_limit` is not set in `config.toml`.
pub(crate) const DEFAULT_LIMIT: usize = 200;

fn rfc3339(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// When an entry changed last in a way readers care about: when its
/// registrations opened (the announcement), or now when that is unknown or
/// still to come.
fn entry_updated(net: &Network, m: usize) -> DateTime<Utc> {
    match net.facts[m].opens {
        Some(opens) if opens <= net.now => opens,
        _ => net.stamp(),
    }
}

pub(crate) fn feed(net: &Network) -> Vec<u8> {
    let limit = net.config.feed_limit.unwrap_or(DEFAULT_LIMIT);
    let entries: Vec<usize> = net.upcoming(&net.by_start).take(limit).collect();
    let site = net
        .config
        .title
        .clone()
        .unwrap_or_else(|| "Maillage".into());
    let updated = entries
        .iter()
        .map(|&m| entry_updated(net, m))
        .max()
        .unwrap_or_else(|| net.stamp());
    let self_url = net.permalink(&net.urls.feed());
    let mut out = String::with_capacity(1024 + entries.len() * 800);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n");
    out.push_str(&format!(
        "  <title>{} – rencontres à venir</title>\n",
        markup::escape(&site)
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        markup::escape(&self_url)
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        markup::escape(&net.permalink(&net.urls.meetups))
    ));
    out.push_str(&format!("  <id>{}</id>\n", markup::escape(&self_url)));
    out.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        markup::escape(&site)
    ));
    for m in entries {
        let meetup = &net.data.meetups[m];
        let place = &net.data.places[net.meetup_place[m]];
        let url = net.permalink(net.meetup_path(m));
        let title = if meetup.status == MeetupStatus::Cancelled {
            format!("Annulée : {}", meetup.title)
        } else {
            meetup.title.clone()
        };
        let summary = format!(
            "{}, {}, {} ({}). {}.",
            french::date(meetup.start.date()),
            french::time_range(meetup.start, meetup.end),
            place.name,
            place.commune,
            net.registration_label(m)
        );
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", markup::escape(&title)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            markup::escape(&url)
        ));
        out.push_str(&format!("    <id>{}</id>\n", markup::escape(&url)));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            rfc3339(entry_updated(net, m))
        ));
        out.push_str(&format!(
            "    <summary>{}</summary>\n",
            markup::escape(&summary)
        ));
        out.push_str(&format!(
            "    <category term=\"{}\" label=\"{}\"/>\n",
            meetup.kind.code(),
            markup::escape(meetup.kind.label())
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out.into_bytes()
}
