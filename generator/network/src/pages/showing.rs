//! What a change of some meetups touches. The pages are those whose last
//! render read the meetups: a page's context notes each meetup whose
//! summary it takes (directly, or through its place's next meetup), and
//! the figures' pages note the figures
//! ([`maillage_engine::render::trace::note_read`]); the render's traces keep
//! them, and `maillage serve` renders again the pages that read what
//! changed ([`Showing::reads`]). The files are named here: the
//! meetups' calendars and their neighbours', their regions' calendars and
//! maps, the feed, and the figures' files when a meetup held changed.
//! `serve` renders only these after a registration, a cancellation or a
//! report, and after an edit of what meetups show (their figures left
//! out: [`Showing::without_figures`]).

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use super::network::{Network, FIGURES_READ};
use crate::site::ExtraFile;
use crate::{calendar, figures};
use maillage_model::meetup::MeetupStatus;

/// What shows the meetups `ids`: their summaries, live figures and reports.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Showing {
    /// What changed, as pages note their reads: the meetups, and the
    /// figures when a meetup held changed.
    pub reads: HashSet<u64>,
    /// The meetups' own pages: rendered first.
    pub first: HashSet<String>,
    /// The output paths of the files that show them.
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
        for id in ids {
            let Some(m) = net.meetup_index(id) else {
                continue;
            };
            showing.reads.insert(net.read_key(m));
            let p = net.meetup_place[m];
            let r = net.place_region[p];
            let region_path = net.urls.region(&net.data.regions[r].slug);
            showing.first.insert(net.meetup_path(m).to_string());
            // Each meetup's calendar names it; those of the meetups before
            // and after it are written again with it.
            for other in [Some(m), net.previous[m], net.next[m]]
                .into_iter()
                .flatten()
            {
                showing
                    .files
                    .insert(calendar::output_file(net.meetup_path(other)));
            }
            showing.files.insert(calendar::output_file(&region_path));
            showing.regions.insert(r);
            // The figures count the meetups held (a report's attendance);
            // which counts are hidden depends on every region's (a count
            // hidden in one region hides one in another), so every figures
            // page may change.
            if !net.facts[m].upcoming && net.facts[m].status != MeetupStatus::Cancelled {
                showing.reads.insert(FIGURES_READ);
                showing.figures = true;
            }
        }
        showing
    }

    /// What shows the meetups but their figures' pages and files: a change
    /// that is in no figure (a title, a description) changes only the rest.
    pub fn without_figures(mut self) -> Showing {
        self.reads.remove(&FIGURES_READ);
        self.figures = false;
        self
    }
}

/// The files listed in `showing`, built again from `net`: the national map
/// files, those of its regions, the feed and its calendars, and the
/// figures' files when a meetup held changed.
pub fn files_showing(net: &Arc<Network>, showing: &Showing) -> Vec<ExtraFile> {
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex};

    use maillage_engine::output::MemorySink;
    use maillage_engine::render::Job;
    use maillage_engine::site::ExtraPage;
    use maillage_model::meetup::MeetupAggregate;

    use super::{files_showing, Showing};
    use crate::figures::{self, Figures};
    use crate::pages::network::Network;
    use crate::pages::DataPages;

    /// Every data page rendered with the site's templates, by path, and
    /// the render's traces.
    fn rendered(
        site: &maillage_engine::build::Site,
        pages: &[ExtraPage],
    ) -> (
        BTreeMap<String, Vec<u8>>,
        maillage_engine::render::trace::Traces,
    ) {
        let renderer = maillage_engine::render::Renderer {
            extra_pages: pages,
            ..site.renderer(None)
        };
        let jobs: Vec<Job> = (0..pages.len()).map(Job::ExtraPage).collect();
        let sink = MemorySink::default();
        let traced = renderer
            .render_jobs_traced(&jobs, &sink, None, None)
            .unwrap();
        let files = sink.files.into_inner().unwrap().into_iter().collect();
        (files, traced.traces)
    }

    /// Every data file, by path.
    fn files(net: &Arc<Network>) -> BTreeMap<String, Vec<u8>> {
        let mut all = crate::map::files(net);
        all.extend(crate::calendar::files(net));
        all.extend(figures::files::all(net, &Figures::of(net)));
        all.into_iter()
            .map(|f| (f.path, f.bytes.get().into_owned()))
            .collect()
    }

    fn changed(
        before: &BTreeMap<String, Vec<u8>>,
        after: &BTreeMap<String, Vec<u8>>,
    ) -> BTreeSet<String> {
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "live figures never add nor remove a page or file"
        );
        after
            .iter()
            .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// The demo site's folder.
    fn demo_root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// What the live loop re-renders after a change of one meetup's figures
    /// (the pages whose render read it, the files it names) is every data
    /// page and file whose bytes the change alters: checked,
    /// with the demo's templates, for a dozen meetups spread over the demo
    /// (to come, open, full, past with or without a report).
    #[test]
    fn the_pages_and_files_showing_a_meetup_are_all_those_its_figures_change() {
        let (checked, _) = check_pages_and_files_showing_meetups(&demo_root(), |net| {
            let step = (net.data.meetups.len() / 12).max(1);
            (0..net.data.meetups.len()).step_by(step).collect()
        });
        assert!(checked >= 10, "{checked} meetups checked");
    }

    /// The same with a meetup page that shows its place's next meetup: a
    /// value every meetup page at that place takes from one copy, made by
    /// the first of them. Each page must note the read, not only the first.
    /// Checked for every meetup that is the next at its place.
    #[test]
    fn every_page_sharing_a_place_value_notes_its_read() {
        let demo = demo_root();
        let root = std::env::temp_dir().join(format!("maillage-place-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("templates")).unwrap();
        for name in ["config.toml", "content", "data", "themes"] {
            std::os::unix::fs::symlink(demo.join(name), root.join(name)).unwrap();
        }
        let template =
            std::fs::read_to_string(demo.join("themes/maillage/templates/meetup.html")).unwrap();
        let shown = "{{ meetup.place.name }}";
        assert!(template.contains(shown));
        let template = template.replacen(
            shown,
            "{{ meetup.place.name }} ({{ meetup.place.next_meetup.confirmed | default(value=0) }})",
            1,
        );
        std::fs::write(root.join("templates/meetup.html"), template).unwrap();
        let next_at_places = |net: &Network| {
            (0..net.data.meetups.len())
                .filter(|&m| net.next_meetup_at(net.meetup_place[m]) == Some(m))
                .collect()
        };
        let (checked, with_next) = check_pages_and_files_showing_meetups(&root, next_at_places);
        std::fs::remove_dir_all(&root).unwrap();
        assert!(checked >= 5, "{checked} meetups checked");
        let (_, without) = check_pages_and_files_showing_meetups(&demo, next_at_places);
        assert!(
            with_next > without,
            "the next meetups' figures change more pages: {with_next} against {without}"
        );
    }

    /// Checks [`the_pages_and_files_showing_a_meetup_are_all_those_its_figures_change`]
    /// on the site at `root`, for the meetups `which` picks; how many it
    /// checked (a cancelling change is skipped), and how many pages the
    /// changes altered.
    fn check_pages_and_files_showing_meetups(
        root: &std::path::Path,
        which: impl Fn(&Network) -> Vec<usize>,
    ) -> (usize, usize) {
        std::env::set_var(maillage_model::clock::NOW_VAR, "2026-11-22T12:00");
        let root = root.to_path_buf();
        let linked: Arc<Mutex<Option<Arc<Network>>>> = Arc::default();
        let keep = linked.clone();
        let data = DataPages::new().observed_by(Arc::new(move |net| {
            *keep.lock().unwrap() = Some(net.clone());
        }));
        let options = maillage_engine::build::BuildOptions {
            root: root.clone(),
            extensions: vec![Arc::new(data)],
            ..Default::default()
        };
        let site = maillage_engine::build::load_site(&options).unwrap();
        let now = maillage_model::clock::now().naive_utc();
        let net = linked.lock().unwrap().clone().unwrap();
        let (pages_before, traces) = rendered(&site, &crate::pages::pages(net.clone()));
        let files_before = files(&net);
        let meetups = &net.data.meetups;
        let (mut checked, mut changed_pages, mut rendered_again) = (0, 0, 0);
        for meetup in which(&net).into_iter().map(|m| &meetups[m]) {
            let id = meetup.id.clone();
            let mut figures: MeetupAggregate =
                net.data.live.meetups.get(&id).cloned().unwrap_or_default();
            figures.confirmed += 1;
            figures.waiting += 1;
            // Every other meetup to come fills up: its registration state
            // (shown in its calendar event) changes too.
            if checked % 2 == 1 && meetup.start >= now {
                figures.confirmed = figures.confirmed.max(meetup.capacity);
            }
            // A meetup held gets a report (or another one): the next
            // meetup's page shows the improvements it proposes.
            if meetup.start < now {
                let mut report = figures.report.clone().unwrap_or_default();
                report.submitted_at = Some(maillage_model::clock::now());
                report.attendance = Some(report.attendance.unwrap_or(0) + 1);
                report.improvements = Some(format!("Essayer autre chose ({id})."));
                figures.report = Some(report);
            }
            let figures = [(id.clone(), figures)];
            if net.cancels_a_meetup(&figures) {
                continue;
            }
            // The same data linked afresh with these figures.
            let fresh = {
                let mut data = crate::data::load(&root, net.now).unwrap().data;
                Arc::make_mut(&mut data.live)
                    .meetups
                    .insert(id.clone(), figures[0].1.clone());
                Arc::new(Network::new(data, net.config.clone(), net.now))
            };
            let after = Arc::new(net.with_figures(&figures));
            let showing = Showing::meetups(&after, &BTreeSet::from([id.clone()]));
            let pages = changed(
                &pages_before,
                &rendered(&site, &crate::pages::pages(after.clone())).0,
            );
            // The pages whose render read what changed, as the live loop
            // picks them.
            let readers = traces.readers_of(&showing.reads);
            let left_out: Vec<&String> = pages
                .iter()
                .filter(|file| {
                    let path = format!("/{}", file.trim_end_matches("index.html"));
                    !readers.contains(path.as_str())
                })
                .collect();
            assert!(left_out.is_empty(), "{id}: pages left out: {left_out:?}");
            rendered_again += readers.len();
            let listed: BTreeSet<String> = files_showing(&after, &showing)
                .into_iter()
                .map(|f| f.path)
                .collect();
            let files = changed(&files_before, &files(&after));
            let left_out: Vec<&String> = files.difference(&listed).collect();
            assert!(left_out.is_empty(), "{id}: files left out: {left_out:?}");
            // The patched network's caches (map features, calendar events)
            // hold what a network linked afresh does.
            let fresh_files = crate::calendar::files(&fresh)
                .into_iter()
                .chain(crate::map::files(&fresh))
                .map(|f| (f.path, f.bytes.get().into_owned()))
                .collect::<BTreeMap<_, _>>();
            for file in files_showing(&after, &showing) {
                if let Some(bytes) = fresh_files.get(&file.path) {
                    assert!(
                        **bytes == *file.bytes.get(),
                        "{id}: {} differs from a fresh link",
                        file.path
                    );
                }
            }
            changed_pages += pages.len();
            checked += 1;
        }
        assert!(changed_pages >= checked, "{changed_pages} pages changed");
        // And what read the meetup is a small part of the site.
        assert!(
            rendered_again < checked * pages_before.len() / 5,
            "{rendered_again} pages rendered again for {checked} meetups, of {}",
            pages_before.len()
        );
        (checked, changed_pages)
    }
}
