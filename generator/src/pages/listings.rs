//! `/rencontres/` (meetups to come, soonest first) and `/rencontres/passees/`
//! (past meetups, latest first), paginated like Zola sections.

use serde_json::{json, Map, Value};

use super::network::Network;
use super::page_object;
use crate::site::ExtraPage;

/// Meetups per pager unless `[extra.meetups] paginate_by` says otherwise.
pub const DEFAULT_PAGINATE_BY: usize = 20;

pub const FEED_PATH: &str = "/rencontres/atom.xml";

pub fn paginate_by(net: &Network<'_>) -> usize {
    net.config
        .extra
        .get("meetups")
        .and_then(|m| m.get("paginate_by"))
        .and_then(Value::as_u64)
        .map_or(DEFAULT_PAGINATE_BY, |n| n.max(1) as usize)
}

fn pager_path(base: &str, n: usize) -> String {
    if n == 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// Every pager of one listing.
fn listing(
    net: &Network<'_>,
    base: &str,
    listing: &str,
    title: &str,
    description: &str,
    meetups: &[usize],
) -> Vec<ExtraPage> {
    let by = paginate_by(net);
    let count = meetups.len().div_ceil(by).max(1);
    let first = net.permalink(base);
    let link = |k: usize| net.permalink(&pager_path(base, k));
    (1..=count)
        .map(|n| {
            let start = (n - 1) * by;
            let end = (start + by).min(meetups.len());
            let pages = net.summaries(meetups[start.min(end)..end].iter().copied());
            let paginator = json!({
                "paginate_by": by,
                "first": first,
                "last": link(count),
                "previous": if n > 1 { Value::String(link(n - 1)) } else { Value::Null },
                "next": if n < count { Value::String(link(n + 1)) } else { Value::Null },
                "number_pagers": count,
                "base_url": format!("{first}page/"),
                "pages": pages,
                "current_index": n,
                "total_pages": meetups.len(),
            });
            let path = pager_path(base, n);
            let page_title = if n == 1 {
                title.to_string()
            } else {
                format!("{title} (page {n} sur {count})")
            };
            let mut context = Map::new();
            context.insert(
                "page".into(),
                page_object(net, &page_title, description, &path),
            );
            context.insert("listing".into(), Value::String(listing.to_string()));
            context.insert("paginator".into(), paginator);
            context.insert("feed_path".into(), Value::String(FEED_PATH.to_string()));
            ExtraPage {
                path,
                template: "meetups.html".into(),
                context,
                lang: None,
                in_sitemap: true,
                updated: None,
            }
        })
        .collect()
}

pub fn pages(net: &Network<'_>) -> Vec<ExtraPage> {
    let upcoming: Vec<usize> = net.upcoming(&net.by_start).collect();
    let past: Vec<usize> = net
        .by_start
        .iter()
        .rev()
        .copied()
        .filter(|&m| !net.facts[m].upcoming)
        .collect();
    let mut out = listing(
        net,
        "/rencontres/",
        "upcoming",
        "Les rencontres à venir",
        "Les prochaines rencontres du réseau, par date : s'inscrire comme participant·e, facilitateur·rice ou intervenant·e.",
        &upcoming,
    );
    out.extend(listing(
        net,
        "/rencontres/passees/",
        "past",
        "Les rencontres passées",
        "Les rencontres qui ont eu lieu, avec les bilans publiés par leurs organisateurs.",
        &past,
    ));
    out
}
