//! Which counts of people are published. The figures form a table with
//! margins: each region's months add up to the region's total, each
//! month's regions to the network's month, the months and the regions to
//! the network's total. A small count hidden alone in one of these sums
//! would come back as the total minus the others, so wherever a sum has
//! exactly one hidden count, the smallest other count of that sum is
//! hidden too (a member rather than the total when one can be), until no
//! sum has a single hidden count.

use super::{is_small, Counts, Figures, Hidden};

/// A count of people in the table: the network's or a region's, of a
/// month (by index in the network's months) or in total (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Network(Option<usize>),
    Region(usize, Option<usize>),
}

/// Members that add up to `total`.
struct Sum {
    members: Vec<Cell>,
    total: Cell,
}

/// The index of a region's first month among the network's months.
fn offsets(figures: &Figures) -> Vec<usize> {
    let months: Vec<_> = figures.network.by_month.iter().map(|(m, _)| *m).collect();
    figures
        .regions
        .iter()
        .map(|series| {
            series
                .by_month
                .first()
                .and_then(|(first, _)| months.iter().position(|m| m == first))
                .unwrap_or(0)
        })
        .collect()
}

fn counts<'a>(figures: &'a Figures, offsets: &[usize], cell: Cell) -> &'a Counts {
    match cell {
        Cell::Network(None) => &figures.network.total,
        Cell::Network(Some(i)) => &figures.network.by_month[i].1,
        Cell::Region(r, None) => &figures.regions[r].total,
        Cell::Region(r, Some(i)) => &figures.regions[r].by_month[i - offsets[r]].1,
    }
}

fn hide(figures: &mut Figures, offsets: &[usize], cell: Cell, why: Hidden) {
    let counts = match cell {
        Cell::Network(None) => &mut figures.network.total,
        Cell::Network(Some(i)) => &mut figures.network.by_month[i].1,
        Cell::Region(r, None) => &mut figures.regions[r].total,
        Cell::Region(r, Some(i)) => &mut figures.regions[r].by_month[i - offsets[r]].1,
    };
    counts.people_hidden = Some(why);
}

fn sums(figures: &Figures, offsets: &[usize]) -> Vec<Sum> {
    let months = figures.network.by_month.len();
    let regions = figures.regions.len();
    let region_months = |r: usize| offsets[r]..offsets[r] + figures.regions[r].by_month.len();
    let mut sums = vec![
        Sum {
            members: (0..months).map(|i| Cell::Network(Some(i))).collect(),
            total: Cell::Network(None),
        },
        Sum {
            members: (0..regions).map(|r| Cell::Region(r, None)).collect(),
            total: Cell::Network(None),
        },
    ];
    for r in 0..regions {
        sums.push(Sum {
            members: region_months(r).map(|i| Cell::Region(r, Some(i))).collect(),
            total: Cell::Region(r, None),
        });
    }
    for i in 0..months {
        sums.push(Sum {
            members: (0..regions)
                .filter(|&r| region_months(r).contains(&i))
                .map(|r| Cell::Region(r, Some(i)))
                .collect(),
            total: Cell::Network(Some(i)),
        });
    }
    sums
}

/// Marks every count of people that must not be published.
pub(super) fn hide_small_counts(figures: &mut Figures) {
    let offsets = offsets(figures);
    let sums = sums(figures, &offsets);
    let cells: Vec<Cell> = sums
        .iter()
        .flat_map(|s| s.members.iter().chain([&s.total]).copied())
        .collect();
    for cell in cells {
        if is_small(counts(figures, &offsets, cell).people) {
            hide(figures, &offsets, cell, Hidden::Small);
        }
    }
    // Each pass hides at least one more count, or ends.
    loop {
        let mut hid = false;
        for sum in &sums {
            let f: &Figures = figures;
            let hidden = |c: &Cell| counts(f, &offsets, *c).people_hidden.is_some();
            if sum
                .members
                .iter()
                .chain([&sum.total])
                .filter(|c| hidden(c))
                .count()
                != 1
            {
                continue;
            }
            // A count of zero tells nothing once its neighbour is hidden:
            // the one to hide has people.
            let candidate = |cells: &[Cell]| {
                cells
                    .iter()
                    .filter(|c| !hidden(c) && counts(f, &offsets, **c).people > 0)
                    .min_by_key(|c| counts(f, &offsets, **c).people)
                    .copied()
            };
            let pick = candidate(&sum.members).or_else(|| candidate(&[sum.total]));
            if let Some(cell) = pick {
                hide(figures, &offsets, cell, Hidden::Complement);
                hid = true;
            }
        }
        if !hid {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::{Month, Series};
    use chrono::NaiveDate;

    fn month(m: u32) -> Month {
        NaiveDate::from_ymd_opt(2026, m, 1).unwrap()
    }

    fn people(n: u32) -> Counts {
        Counts {
            meetups_held: 1,
            people: n,
            ..Counts::default()
        }
    }

    fn series(first: u32, people_by_month: &[u32]) -> Series {
        let by_month: Vec<(Month, Counts)> = people_by_month
            .iter()
            .enumerate()
            .map(|(i, &n)| (month(first + i as u32), people(n)))
            .collect();
        let total = people(people_by_month.iter().sum());
        Series { by_month, total }
    }

    fn figures(regions: &[(u32, &[u32])]) -> Figures {
        let regions: Vec<Series> = regions.iter().map(|(f, p)| series(*f, p)).collect();
        let mut network = [0; 12];
        for s in &regions {
            for (m, c) in &s.by_month {
                network[m.format("%m").to_string().parse::<usize>().unwrap() - 1] += c.people;
            }
        }
        let first = network.iter().position(|&n| n > 0).unwrap();
        let last = network.iter().rposition(|&n| n > 0).unwrap();
        Figures {
            network: series(first as u32 + 1, &network[first..=last]),
            regions,
        }
    }

    /// Every published count, and `None` for the hidden ones, of every sum.
    fn published(f: &Figures) -> (Vec<Option<u32>>, Vec<Vec<Option<u32>>>) {
        let row = |s: &Series| {
            s.by_month
                .iter()
                .map(|(_, c)| c.people_published())
                .chain([s.total.people_published()])
                .collect::<Vec<_>>()
        };
        (row(&f.network), f.regions.iter().map(row).collect())
    }

    /// No sum of the table has exactly one hidden count.
    fn no_count_comes_back_by_subtraction(f: &Figures) {
        let offsets = offsets(f);
        for sum in sums(f, &offsets) {
            let hidden = sum
                .members
                .iter()
                .chain([&sum.total])
                .filter(|&&c| counts(f, &offsets, c).people_hidden.is_some())
                .count();
            assert_ne!(hidden, 1);
        }
    }

    #[test]
    fn a_small_month_hides_another_month_and_the_same_month_of_its_region() {
        // One region: October 4 people, November 25.
        let mut f = figures(&[(10, &[4, 25])]);
        hide_small_counts(&mut f);
        assert_eq!(
            published(&f),
            (vec![None, None, Some(29)], vec![vec![None, None, Some(29)]])
        );
        assert_eq!(f.network.by_month[0].1.people_hidden, Some(Hidden::Small));
        assert_eq!(
            f.network.by_month[1].1.people_hidden,
            Some(Hidden::Complement)
        );
        no_count_comes_back_by_subtraction(&f);
    }

    #[test]
    fn a_small_region_total_hides_another_region_and_one_of_its_months() {
        // Region 0: 40 then 30 people; region 1: 3 in March; region 2: 9 in
        // April.
        let mut f = figures(&[(3, &[40, 30]), (3, &[3]), (4, &[9])]);
        hide_small_counts(&mut f);
        no_count_comes_back_by_subtraction(&f);
        let (network, regions) = published(&f);
        assert_eq!(regions[1], vec![None, None]);
        // The smallest other region, Region 2, is hidden with it.
        assert_eq!(regions[2], vec![None, None]);
        assert_eq!(network.last(), Some(&Some(82)));
        assert!(regions[0].contains(&None));
    }

    #[test]
    fn nothing_is_hidden_without_small_counts() {
        let mut f = figures(&[(3, &[40, 0, 30]), (4, &[9])]);
        let before = published(&f);
        hide_small_counts(&mut f);
        assert_eq!(published(&f), before);
        assert!(before.0.iter().all(Option::is_some));
    }
}
