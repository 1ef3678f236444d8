//! The network's public figures: meetups held, people who attended and
//! reports published, by month and by region, for the whole network and
//! for each region. Computed once per build from the linked [`Network`],
//! in one pass over the meetups.
//!
//! Only aggregates leave this module, and a count of people below
//! [`SMALL_COUNT`] (but above zero) is suppressed: pages say « moins de 5 »
//! and the downloadable files leave the cell empty. Totals would give a
//! suppressed count back by subtraction, so [`protect`] hides a second
//! count wherever one is hidden alone.

pub(crate) mod chart;
pub(crate) mod files;
mod protect;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use maillage_model::meetup::MeetupStatus;

use crate::pages::network::Network;

/// Counts of people from 1 to `SMALL_COUNT - 1` are never published.
pub const SMALL_COUNT: u32 = 5;

/// The folder of the figures, under the regions' folder and under each
/// region's page: `/regions/chiffres/`, `/regions/bretagne/chiffres/`.
pub const FOLDER: &str = "chiffres";

/// What a set of held meetups adds up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Meetups that took place: ended, not cancelled.
    pub meetups_held: u32,
    /// People who came: the attendance of the report where the organiser
    /// gave one, else the seats taken.
    pub people: u32,
    pub reports_published: u32,
    /// Meetups held that followed up on a meetup whose report proposed
    /// improvements (shown on their page, for their organisers to take up).
    pub improvements_carried: u32,
    /// Why the count of people is not published, if it is not.
    pub people_hidden: Option<Hidden>,
}

/// Why a count of people is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// From 1 to `SMALL_COUNT - 1`: it could point at someone.
    Small,
    /// Hidden with a small one, so that a total minus the other published
    /// counts does not give the small one back.
    Complement,
}

impl Hidden {
    /// What a page shows in place of the count.
    pub fn text(self) -> String {
        match self {
            Hidden::Small => format!("moins de {SMALL_COUNT}"),
            Hidden::Complement => "masqué".to_string(),
        }
    }

    /// Its name in the pages' context.
    pub fn name(self) -> &'static str {
        match self {
            Hidden::Small => "small",
            Hidden::Complement => "complement",
        }
    }
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.meetups_held += other.meetups_held;
        self.people += other.people;
        self.reports_published += other.reports_published;
        self.improvements_carried += other.improvements_carried;
    }

    /// The count of people as published, or why it is hidden.
    pub fn people_shown(&self) -> Result<u32, Hidden> {
        match self.people_hidden {
            None => Ok(self.people),
            Some(why) => Err(why),
        }
    }

    /// The count of people as published: `None` when it is hidden.
    pub fn people_published(&self) -> Option<u32> {
        self.people_shown().ok()
    }
}

/// Whether `count` people could point at someone.
pub fn is_small(count: u32) -> bool {
    count > 0 && count < SMALL_COUNT
}

/// The first day of a month.
pub type Month = NaiveDate;

/// Counts by month (every month from the first to the last meetup held,
/// empty ones included) and in total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub by_month: Vec<(Month, Counts)>,
    pub total: Counts,
}

impl Series {
    fn of(months: &BTreeMap<Month, Counts>) -> Series {
        let mut series = Series::default();
        let (Some(&first), Some(&last)) = (months.keys().next(), months.keys().next_back()) else {
            return series;
        };
        let mut month = first;
        while month <= last {
            let counts = months.get(&month).copied().unwrap_or_default();
            series.total.add(counts);
            series.by_month.push((month, counts));
            month = next_month(month);
        }
        series
    }
}

fn next_month(month: Month) -> Month {
    let (year, m) = match month.month() {
        12 => (month.year() + 1, 1),
        m => (month.year(), m + 1),
    };
    NaiveDate::from_ymd_opt(year, m, 1).expect("the first of a month exists")
}

/// The figures of the network and of each region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub network: Series,
    /// In the order of `data.regions`.
    pub regions: Vec<Series>,
}

impl Figures {
    pub fn of(net: &Network) -> Figures {
        let mut network: BTreeMap<Month, Counts> = BTreeMap::new();
        let mut regions: Vec<BTreeMap<Month, Counts>> =
            vec![BTreeMap::new(); net.data.regions.len()];
        for (m, meetup) in net.data.meetups.iter().enumerate() {
            let facts = &net.facts[m];
            if facts.upcoming || facts.status == MeetupStatus::Cancelled {
                continue;
            }
            let report = net.report(m);
            let carried = net.previous[m]
                .and_then(|p| net.report(p))
                .and_then(|r| r.improvements.as_deref())
                .is_some_and(|text| !text.trim().is_empty());
            let counts = Counts {
                meetups_held: 1,
                people: report.and_then(|r| r.attendance).unwrap_or(facts.confirmed),
                reports_published: u32::from(report.is_some()),
                improvements_carried: u32::from(carried),
                people_hidden: None,
            };
            // The month where the meetup took place, in its own time.
            let month = meetup.start.date().with_day(1).expect("day 1 exists");
            network.entry(month).or_default().add(counts);
            let r = net.place_region[net.meetup_place[m]];
            regions[r].entry(month).or_default().add(counts);
        }
        let mut figures = Figures {
            network: Series::of(&network),
            regions: regions.iter().map(Series::of).collect(),
        };
        protect::hide_small_counts(&mut figures);
        figures
    }
}

/// `/regions/chiffres/`, or `/regions/<slug>/chiffres/` for region `r`.
pub fn path(net: &Network, region: Option<usize>) -> String {
    match region {
        None => format!("{}{FOLDER}/", net.urls.regions),
        Some(r) => format!("{}{FOLDER}/", net.urls.region(&net.data.regions[r].slug)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(y: i32, m: u32) -> Month {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap()
    }

    #[test]
    fn every_month_between_the_first_and_the_last_is_listed() {
        let held = |n| Counts {
            meetups_held: n,
            people: 10 * n,
            reports_published: 1,
            ..Counts::default()
        };
        let months = BTreeMap::from([(month(2026, 11), held(1)), (month(2027, 2), held(2))]);
        let series = Series::of(&months);
        let listed: Vec<Month> = series.by_month.iter().map(|(m, _)| *m).collect();
        assert_eq!(
            listed,
            [
                month(2026, 11),
                month(2026, 12),
                month(2027, 1),
                month(2027, 2)
            ]
        );
        assert_eq!(series.by_month[1].1, Counts::default());
        assert_eq!(
            series.total,
            Counts {
                meetups_held: 3,
                people: 30,
                reports_published: 2,
                ..Counts::default()
            }
        );
        assert_eq!(Series::of(&BTreeMap::new()), Series::default());
    }

    #[test]
    fn only_counts_of_one_to_four_people_are_small() {
        assert!(!is_small(0));
        for small in 1..SMALL_COUNT {
            assert!(is_small(small));
        }
        assert!(!is_small(SMALL_COUNT));
    }
}
