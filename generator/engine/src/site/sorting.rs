//! Zola's page orders: newest first by date or update date, natural order
//! by title or slug, byte order by title, lightest first by weight. Ties go
//! by permalink.

use std::cmp::Ordering;

use crate::content::{Page, SortBy};

/// Splits `pages` into those that have the sort key, sorted, and those that do not.
pub(super) fn sort_pages(
    pages: &[Page],
    ids: &[usize],
    sort_by: SortBy,
) -> (Vec<usize>, Vec<usize>) {
    let (mut sortable, ignored): (Vec<usize>, Vec<usize>) = ids.iter().partition(|&&i| {
        let p = &pages[i];
        match sort_by {
            SortBy::None => true,
            SortBy::Date => p.datetime.is_some(),
            SortBy::UpdateDate => p.datetime.is_some() || p.updated_datetime.is_some(),
            SortBy::Title | SortBy::TitleBytes => p.meta.title.is_some(),
            SortBy::Weight => p.meta.weight.is_some(),
            SortBy::Slug | SortBy::Permalink => true,
        }
    });
    sortable.sort_by(|&a, &b| {
        let (pa, pb) = (&pages[a], &pages[b]);
        let ord = match sort_by {
            SortBy::None => Ordering::Equal,
            SortBy::Date => pb.datetime.cmp(&pa.datetime),
            SortBy::UpdateDate => {
                let ka = pa.updated_datetime.max(pa.datetime);
                let kb = pb.updated_datetime.max(pb.datetime);
                kb.cmp(&ka)
            }
            SortBy::Title => natural_cmp(pa.title(), pb.title()),
            SortBy::TitleBytes => pa.title().cmp(pb.title()),
            SortBy::Weight => pa.meta.weight.cmp(&pb.meta.weight),
            SortBy::Slug => natural_cmp(&pa.slug, &pb.slug),
            SortBy::Permalink => natural_cmp(&pa.permalink, &pb.permalink),
        };
        ord.then_with(|| pa.permalink.cmp(&pb.permalink))
    });
    (sortable, ignored)
}

/// Natural, accent- and case-insensitive comparison: "Item 2" < "item 10" < "Île".
pub(super) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let ka = deunicode::deunicode(a).to_lowercase();
    let kb = deunicode::deunicode(b).to_lowercase();
    let (mut ia, mut ib) = (ka.chars().peekable(), kb.chars().peekable());
    loop {
        match (ia.peek().copied(), ib.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(ca), Some(cb)) if ca.is_ascii_digit() && cb.is_ascii_digit() => {
                let mut na = String::new();
                while let Some(c) = ia.peek().copied().filter(char::is_ascii_digit) {
                    na.push(c);
                    ia.next();
                }
                let mut nb = String::new();
                while let Some(c) = ib.peek().copied().filter(char::is_ascii_digit) {
                    nb.push(c);
                    ib.next();
                }
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(ca), Some(cb)) => {
                // Letters before punctuation, as people expect in lists.
                let ord = (!ca.is_alphanumeric(), ca).cmp(&(!cb.is_alphanumeric(), cb));
                if ord != Ordering::Equal {
                    return ord;
                }
                ia.next();
                ib.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;
    use std::cmp::Ordering;

    #[test]
    fn natural_order() {
        assert_eq!(natural_cmp("item 2", "Item 10"), Ordering::Less);
        assert_eq!(natural_cmp("École", "Eglise"), Ordering::Less);
        assert_eq!(natural_cmp("Île", "Lyon"), Ordering::Less);
    }
}
