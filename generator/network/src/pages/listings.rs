//! `/rencontres/` (meetups to come, soonest first) and `/rencontres/passees/`
//! (past meetups, latest first), paginated like Zola sections.

use serde_json::{json, Map, Value};

use super::network::Network;
use super::page_object;

/// Meetups per pager unless `[extra.meetups] paginate_by` says otherwise.
pub(crate) const DEFAULT_PAGINATE_BY: usize = 20;

/// Meetups to come listed on a region's page unless `[extra.meetups]
/// region_upcoming` says otherwise: a region holds thousands over a plan's
/// years, and its page must stay light on a phone. The others are on the
/// listings, the places' pages, the map and the region's calendar.
pub(crate) const DEFAULT_REGION_UPCOMING: usize = 30;

/// A number from `[extra.meetups]` in `config.toml`.
fn meetups_setting(net: &Network, key: &str) -> Option<usize> {
    net.config
        .extra
        .get("meetups")
        .and_then(|m| m.get(key))
        .and_then(Value::as_u64)
        .map(|n| n as usize)
}

pub(crate) fn paginate_by(net: &Network) -> usize {
    meetups_setting(net, "paginate_by").map_or(DEFAULT_PAGINATE_BY, |n| n.max(1))
}

pub(crate) fn region_upcoming_limit(net: &Network) -> usize {
    meetups_setting(net, "region_upcoming").unwrap_or(DEFAULT_REGION_UPCOMING)
}

fn pager_path(base: &str, n: usize) -> String {
    if n == 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// The two meetup listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    Upcoming,
    Past,
}

impl Listing {
    pub(crate) fn base(self, net: &Network) -> String {
        match self {
            Listing::Upcoming => net.urls.meetups.clone(),
            Listing::Past => net.urls.past_meetups(),
        }
    }

    fn code(self) -> &'static str {
        match self {
            Listing::Upcoming => "upcoming",
            Listing::Past => "past",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Listing::Upcoming => "Les rencontres à venir",
            Listing::Past => "Les rencontres passées",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Listing::Upcoming => "Les prochaines rencontres du réseau, par date : s'inscrire comme participant·e, facilitateur·rice ou intervenant·e.",
            Listing::Past => "Les rencontres qui ont eu lieu, avec les bilans publiés par leurs organisateurs.",
        }
    }

    /// Its meetups: to come soonest first, past latest first.
    pub(crate) fn meetups(self, net: &Network) -> Vec<usize> {
        match self {
            Listing::Upcoming => net.upcoming(&net.by_start).collect(),
            Listing::Past => net
                .by_start
                .iter()
                .rev()
                .copied()
                .filter(|&m| !net.facts[m].upcoming)
                .collect(),
        }
    }
}

pub(crate) fn pager_count(net: &Network, meetups: usize) -> usize {
    meetups.div_ceil(paginate_by(net)).max(1)
}

pub(crate) fn path(net: &Network, listing: Listing, n: usize) -> String {
    pager_path(&listing.base(net), n)
}

/// Pager `n` (1-based) of a listing of `meetups`.
pub(crate) fn pager(
    net: &Network,
    listing: Listing,
    meetups: &[usize],
    n: usize,
) -> Map<String, Value> {
    let (mut context, shown) = pager_without_summaries(net, listing, meetups, n);
    // Moved in, not given to `json!`, which would copy every summary again.
    context["paginator"]["pages"] = Value::Array(net.summaries(shown.iter().copied()));
    context
}

/// What [`pager`] gives but the summaries of the meetups it lists, which
/// go into `paginator.pages`; and those meetups.
pub(crate) fn pager_without_summaries<'a>(
    net: &Network,
    listing: Listing,
    meetups: &'a [usize],
    n: usize,
) -> (Map<String, Value>, &'a [usize]) {
    let by = paginate_by(net);
    let base = &listing.base(net);
    let count = pager_count(net, meetups.len());
    let first = net.permalink(base);
    let link = |k: usize| net.permalink(&pager_path(base, k));
    let start = (n - 1) * by;
    let end = (start + by).min(meetups.len());
    let paginator = json!({
        "paginate_by": by,
        "first": first,
        "last": link(count),
        "previous": if n > 1 { Value::String(link(n - 1)) } else { Value::Null },
        "next": if n < count { Value::String(link(n + 1)) } else { Value::Null },
        "number_pagers": count,
        "base_url": format!("{first}page/"),
        "current_index": n,
        "total_pages": meetups.len(),
    });
    let path = pager_path(base, n);
    let title = if n == 1 {
        listing.title().to_string()
    } else {
        format!("{} (page {n} sur {count})", listing.title())
    };
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(net, &title, listing.description(), &path),
    );
    context.insert("listing".into(), Value::String(listing.code().to_string()));
    context.insert("paginator".into(), paginator);
    context.insert("feed_path".into(), Value::String(net.urls.feed()));
    (context, &meetups[start.min(end)..end])
}
