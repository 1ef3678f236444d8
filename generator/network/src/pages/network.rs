//! The data linked together once per build: each meetup's instants, figures
//! and registration state against "now", the meetups of each place and
//! region in date order, each meetup's previous and next meetup, and the
//! summaries every listing reuses.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use maillage_engine::render::trace::{self, fingerprint_hashed, fingerprint_value, Fingerprint};
use maillage_engine::site::ClockSpan;
use maillage_model::french;
use maillage_model::meetup::{LiveAggregates, MeetupAggregate, MeetupStatus, PublicReport};
use maillage_model::result_pages::ResultPages;
use maillage_model::urls::SiteUrls;
use maillage_model::zone::{self, Tz};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::chunked::Chunked;
use crate::config::Config;
use crate::data::{DataSet, Meetup, MeetupKind, SourceFile};
use crate::error::Diagnostic;

/// Whether and how people can register, as the site shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationState {
    Open,
    /// Capacity reached; new registrations join the waiting list.
    WaitingList,
    NotYetOpen,
    Closed,
    Cancelled,
    Past,
}

impl RegistrationState {
    pub fn code(self) -> &'static str {
        match self {
            RegistrationState::Open => "open",
            RegistrationState::WaitingList => "waiting_list",
            RegistrationState::NotYetOpen => "not_yet_open",
            RegistrationState::Closed => "closed",
            RegistrationState::Cancelled => "cancelled",
            RegistrationState::Past => "past",
        }
    }
}

/// What "now" and the live figures say about one meetup.
#[derive(Debug, Clone, Hash)]
pub struct Facts {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `None`: open from now on.
    pub opens: Option<DateTime<Utc>>,
    /// The window's end, the meetup's start by default.
    pub closes: DateTime<Utc>,
    pub confirmed: u32,
    pub waiting: u32,
    pub seats_left: u32,
    /// Not ended yet (a meetup in progress is still to come).
    pub upcoming: bool,
    pub state: RegistrationState,
    /// The status shown: the data's, `done` once past, `cancelled` always wins.
    pub status: MeetupStatus,
    /// A public report was published.
    pub has_report: bool,
}

pub fn status_code(status: MeetupStatus) -> &'static str {
    match status {
        MeetupStatus::Planned => "planned",
        MeetupStatus::Open => "open",
        MeetupStatus::Full => "full",
        MeetupStatus::Cancelled => "cancelled",
        MeetupStatus::Done => "done",
    }
}

fn status_label(status: MeetupStatus) -> &'static str {
    match status {
        MeetupStatus::Planned => "Annoncée",
        MeetupStatus::Open => "Ouverte aux inscriptions",
        MeetupStatus::Full => "Complète",
        MeetupStatus::Cancelled => "Annulée",
        MeetupStatus::Done => "Passée",
    }
}

/// Computes the facts of `meetup` at `now`.
pub fn facts(meetup: &Meetup, aggregate: Option<&MeetupAggregate>, now: DateTime<Utc>) -> Facts {
    // Validation guarantees the local times exist.
    let to_utc = |local| zone::to_utc(local, meetup.time_zone);
    let start = to_utc(meetup.start).expect("validated start");
    let end = to_utc(meetup.end).expect("validated end");
    let window = meetup.registration.unwrap_or(crate::data::Window {
        opens: None,
        closes: None,
    });
    let opens = window.opens.and_then(to_utc);
    let closes = window.closes.and_then(to_utc).unwrap_or(start);
    let confirmed = aggregate.map_or(0, |a| a.confirmed);
    let waiting = aggregate.map_or(0, |a| a.waiting);
    let seats_left = meetup.capacity.saturating_sub(confirmed);
    let upcoming = end > now;
    let state = if meetup.status == MeetupStatus::Cancelled {
        RegistrationState::Cancelled
    } else if now >= start || meetup.status == MeetupStatus::Done {
        RegistrationState::Past
    } else if meetup.status == MeetupStatus::Full {
        RegistrationState::Closed
    } else if opens.is_some_and(|o| now < o) {
        RegistrationState::NotYetOpen
    } else if now >= closes {
        RegistrationState::Closed
    } else if seats_left == 0 {
        RegistrationState::WaitingList
    } else {
        RegistrationState::Open
    };
    let status = match meetup.status {
        MeetupStatus::Cancelled => MeetupStatus::Cancelled,
        _ if !upcoming => MeetupStatus::Done,
        s => s,
    };
    Facts {
        start,
        end,
        opens,
        closes,
        confirmed,
        waiting,
        seats_left,
        upcoming,
        state,
        status,
        has_report: aggregate.is_some_and(|a| a.report.is_some()),
    }
}

/// The site's time zone: `time_zone` in `[extra]` of `config.toml`, Paris
/// when not set.
pub fn site_zone(config: &Config) -> Result<Tz, Diagnostic> {
    match config.extra.get("time_zone") {
        None => Ok(zone::DEFAULT),
        Some(value) => value.as_str().and_then(zone::parse).ok_or_else(|| {
            let mut d = Diagnostic::new(
                "config.toml",
                format!("unknown time zone {value}: expected an IANA name such as Europe/Paris or Indian/Reunion"),
            );
            d.field = Some("extra.time_zone".into());
            d
        }),
    }
}

/// Where the network's pages live (`[extra.urls]`, today's folders where
/// unset).
pub fn site_urls(config: &Config) -> Result<SiteUrls, Diagnostic> {
    let located = |message: String| {
        let mut d = Diagnostic::new("config.toml", message);
        d.field = Some("extra.urls".into());
        d
    };
    let urls: SiteUrls = match config.extra.get("urls") {
        None => SiteUrls::default(),
        Some(value) => serde_json::from_value(value.clone()).map_err(|e| located(e.to_string()))?,
    };
    urls.validate().map_err(located)?;
    Ok(urls)
}

/// The pages the function sends people to after a form
/// (`[extra.result_pages]`, today's paths where unset).
pub fn result_pages(config: &Config) -> Result<ResultPages, Diagnostic> {
    let located = |message: String| {
        let mut d = Diagnostic::new("config.toml", message);
        d.field = Some("extra.result_pages".into());
        d
    };
    let pages: ResultPages = match config.extra.get("result_pages") {
        None => ResultPages::default(),
        Some(value) => serde_json::from_value(value.clone()).map_err(|e| located(e.to_string()))?,
    };
    pages.validate().map_err(located)?;
    Ok(pages)
}

/// " (heure de la Guadeloupe)" after the times of a meetup held outside
/// the site's zone.
fn zone_note(meetup: &Meetup, site_zone: Tz) -> String {
    if meetup.time_zone == site_zone {
        String::new()
    } else {
        format!(" ({})", french::zone_name(meetup.time_zone))
    }
}

fn registration_label(facts: &Facts, meetup: &Meetup, note: &str) -> String {
    match facts.state {
        RegistrationState::Open => "Inscriptions ouvertes".into(),
        RegistrationState::WaitingList => "Complet : inscription sur liste d'attente".into(),
        RegistrationState::NotYetOpen => match facts.opens {
            Some(o) => format!(
                "Inscriptions à partir du {}{note}",
                french::date_time(zone::local(o, meetup.time_zone))
            ),
            None => "Inscriptions bientôt ouvertes".into(),
        },
        RegistrationState::Closed => "Inscriptions closes".into(),
        RegistrationState::Cancelled => "Rencontre annulée".into(),
        RegistrationState::Past => "Rencontre passée".into(),
    }
}

/// The data with its indexes and the values shared by every page.
///
/// Cheap to clone: the data, the indexes and orders that only linking
/// makes, and each meetup's and place's summary are shared, so that
/// [`Network::with_figures`] can patch one meetup's figures without linking
/// the whole network again.
#[derive(Clone)]
pub struct Network {
    pub data: Arc<DataSet>,
    pub config: Arc<Config>,
    /// The site's zone: meetups elsewhere have theirs named after their times.
    pub site_zone: Tz,
    /// Where the network's pages live.
    pub urls: SiteUrls,
    pub now: DateTime<Utc>,
    pub facts: Chunked<Facts>,
    /// Index in `data.places` of each meetup's place.
    pub meetup_place: Arc<Vec<usize>>,
    /// Index in `data.files` of each meetup's file: side by side, a scan
    /// for a file's meetups does not visit every meetup's entry.
    meetup_file: Arc<Vec<u32>>,
    /// The URL path of each meetup's page, made once: every build and
    /// every refresh in `serve` lists the pages and calendars of all.
    meetup_paths: Arc<Vec<String>>,
    /// Index in `data.regions` of each place's region.
    pub place_region: Arc<Vec<usize>>,
    /// Each place's commune as shown: followed by its department when
    /// another commune of that name hosts a place elsewhere (Saint-Martin).
    pub place_commune: Arc<Vec<String>>,
    /// Every meetup, by start then id.
    pub by_start: Arc<Vec<usize>>,
    /// Meetups of each place, by start.
    pub place_meetups: Arc<Vec<Vec<usize>>>,
    /// Places of each region, by name.
    pub region_places: Arc<Vec<Vec<usize>>>,
    /// Meetups of each region, by start.
    pub region_meetups: Arc<Vec<Vec<usize>>>,
    /// Partners of each region, by name.
    pub region_partners: Arc<Vec<Vec<usize>>>,
    pub previous: Arc<Vec<Option<usize>>>,
    pub next: Arc<Vec<Option<usize>>>,
    /// `{code, name, slug, path}` of each region.
    pub region_refs: Arc<Vec<Value>>,
    region_ref_fingerprints: Arc<Vec<Fingerprint>>,
    /// `MeetupSummary` of each meetup, made when first asked for
    /// ([`Network::meetup_summary`]): a build that keeps most pages needs
    /// few of them.
    meetup_summaries: Chunked<OnceLock<Arc<Value>>>,
    /// `PlaceSummary` of each place.
    place_summaries: Chunked<OnceLock<Arc<Value>>>,
    /// The features of the map files, serialised.
    pub map_features: crate::map::FeatureCache,
    /// The events of the calendars, written.
    pub calendar_events: crate::calendar::EventCache,
    /// Index in `data.meetups` of each meetup id.
    meetup_index: Arc<HashMap<String, usize>>,
    /// The published report of each meetup, from the live figures (those of
    /// `data.live` unless patched since).
    reports: Chunked<Option<Arc<PublicReport>>>,
    module_titles: Arc<HashMap<String, String>>,
    series_titles: Arc<HashMap<String, String>>,
}

/// What the figures' pages note they read ([`trace::note_read`]): the
/// figures of every meetup held, which a report or a registration to a
/// meetup held changes.
pub const FIGURES_READ: u64 = u64::from_be_bytes(*b"figures\0");

/// Names the URL scheme gives to folders beside meetup pages
/// (`/rencontres/passees/`, `/rencontres/page/2/`): no meetup may take them.
pub const RESERVED_MEETUP_IDS: &[&str] = &["passees", "page"];
/// Names beside place pages (`/lieux/types/`, `/lieux/partenaires/`).
pub const RESERVED_PLACE_IDS: &[&str] = &["types", super::partners::FOLDER];
/// Names beside region pages (`/regions/chiffres/`, the network's figures).
pub const RESERVED_REGION_SLUGS: &[&str] = &[crate::figures::FOLDER];

/// The communes of the places as shown: a name that several departments
/// have among the places is followed by the department's code.
fn commune_labels(data: &DataSet) -> Vec<String> {
    let mut departments: HashMap<&str, HashSet<&str>> = HashMap::new();
    for place in &data.places {
        departments
            .entry(place.commune.as_str())
            .or_default()
            .insert(place.department.as_str());
    }
    data.places
        .iter()
        .map(|place| {
            if departments[place.commune.as_str()].len() > 1 {
                format!("{} ({})", place.commune, place.department)
            } else {
                place.commune.clone()
            }
        })
        .collect()
}

impl Network {
    /// Whether the data's Markdown gets French spacing, as the site's
    /// French pages do (`[markdown] french_spacing`).
    pub fn french_spacing(&self) -> bool {
        self.config.markdown.french_spacing
            && maillage_engine::markdown::typography::is_french(&self.config.default_language)
    }

    /// Links a validated data set (every reference resolves).
    pub fn new(mut data: DataSet, config: Arc<Config>, now: DateTime<Utc>) -> Network {
        // A meetup its organiser cancelled through the function is cancelled
        // on every page, as if `data/` said so.
        for meetup in &mut data.meetups {
            if cancelled_live(&data.live, &meetup.id) {
                Arc::make_mut(meetup).status = MeetupStatus::Cancelled;
            }
        }
        let region_index: HashMap<&str, usize> = data
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.as_str(), i))
            .collect();
        let place_index: HashMap<&str, usize> = data
            .places
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let facts: Vec<Facts> = data
            .meetups
            .par_iter()
            .map(|m| facts(m, data.live.meetups.get(&m.id), now))
            .collect();
        let meetup_place: Vec<usize> = data
            .meetups
            .iter()
            .map(|m| place_index[m.place.as_str()])
            .collect();
        let place_region: Vec<usize> = data
            .places
            .iter()
            .map(|p| region_index[p.region.as_str()])
            .collect();
        let place_commune = commune_labels(&data);
        let mut by_start: Vec<usize> = (0..data.meetups.len()).collect();
        by_start.par_sort_by(|&a, &b| {
            (facts[a].start, &data.meetups[a].id).cmp(&(facts[b].start, &data.meetups[b].id))
        });
        let mut place_meetups = vec![Vec::new(); data.places.len()];
        let mut region_meetups = vec![Vec::new(); data.regions.len()];
        for &m in &by_start {
            let p = meetup_place[m];
            place_meetups[p].push(m);
            region_meetups[place_region[p]].push(m);
        }
        let mut region_places = vec![Vec::new(); data.regions.len()];
        let mut places_by_name: Vec<usize> = (0..data.places.len()).collect();
        places_by_name.sort_by(|&a, &b| {
            let (pa, pb) = (&data.places[a], &data.places[b]);
            (sort_key(&pa.name), &pa.id).cmp(&(sort_key(&pb.name), &pb.id))
        });
        for p in places_by_name {
            region_places[place_region[p]].push(p);
        }
        let mut region_partners = vec![Vec::new(); data.regions.len()];
        let mut partners_by_name: Vec<usize> = (0..data.partners.len()).collect();
        partners_by_name.sort_by_key(|&i| sort_key(&data.partners[i].name));
        for i in partners_by_name {
            region_partners[region_index[data.partners[i].region.as_str()]].push(i);
        }
        let previous = previous_meetups(&data, &by_start, &meetup_place);
        let mut next = vec![None; data.meetups.len()];
        // `by_start` order: the earliest meetup pointing back wins.
        for &m in by_start.iter().rev() {
            if let Some(p) = previous[m] {
                next[p] = Some(m);
            }
        }
        // Validated by the build before the data is linked.
        let urls = site_urls(&config).unwrap_or_default();
        let region_refs: Vec<Value> = data
            .regions
            .iter()
            .map(|r| json!({"code": r.code, "name": r.name, "slug": r.slug, "path": urls.region(&r.slug)}))
            .collect();
        let module_titles = Arc::new(
            data.modules
                .iter()
                .map(|x| (x.id.clone(), x.title.clone()))
                .collect(),
        );
        let series_titles = Arc::new(
            data.series
                .iter()
                .map(|x| (x.id.clone(), x.title.clone()))
                .collect(),
        );
        let meetup_index = Arc::new(
            data.meetups
                .iter()
                .enumerate()
                .map(|(i, m)| (m.id.clone(), i))
                .collect(),
        );
        let reports = data
            .meetups
            .iter()
            .map(|m| {
                data.live
                    .meetups
                    .get(&m.id)
                    .and_then(|a| a.report.clone())
                    .map(Arc::new)
            })
            .collect();
        let meetup_file = Arc::new(data.meetups.iter().map(|m| m.origin.file).collect());
        let meetup_paths = Arc::new(data.meetups.iter().map(|m| urls.meetup(&m.id)).collect());
        let (meetup_count, place_count) = (data.meetups.len(), data.places.len());
        let site_zone = site_zone(&config).unwrap_or(zone::DEFAULT);
        let mut network = Network {
            data: Arc::new(data),
            config,
            site_zone,
            urls,
            now,
            facts: facts.into(),
            meetup_place: Arc::new(meetup_place),
            meetup_file,
            meetup_paths,
            place_region: Arc::new(place_region),
            place_commune: Arc::new(place_commune),
            by_start: Arc::new(by_start),
            place_meetups: Arc::new(place_meetups),
            region_places: Arc::new(region_places),
            region_meetups: Arc::new(region_meetups),
            region_partners: Arc::new(region_partners),
            previous: Arc::new(previous),
            next: Arc::new(next),
            region_ref_fingerprints: Arc::new(region_refs.iter().map(fingerprint_value).collect()),
            region_refs: Arc::new(region_refs),
            meetup_summaries: Chunked::default(),
            place_summaries: Chunked::default(),
            map_features: Default::default(),
            calendar_events: Default::default(),
            meetup_index,
            reports,
            module_titles,
            series_titles,
        };
        network.meetup_summaries = (0..meetup_count).map(|_| OnceLock::new()).collect();
        network.place_summaries = (0..place_count).map(|_| OnceLock::new()).collect();
        network.map_features = crate::map::FeatureCache::new(&network);
        network.calendar_events = crate::calendar::EventCache::new(&network);
        network
    }

    /// The published report of meetup `m`, if any.
    pub fn report(&self, m: usize) -> Option<&PublicReport> {
        self.reports[m].as_deref()
    }

    /// The instants at which the date alone changes what the site shows of
    /// a meetup: its registrations open or close, it starts, it ends, and
    /// it leaves its region's calendar. Each is an instant `t` where
    /// something holds from `t` on (`now >= t`) that did not before.
    fn clock_boundaries(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let history = chrono::Duration::days(crate::calendar::ics::REGION_HISTORY_DAYS);
        self.facts
            .iter()
            .flat_map(move |f| {
                [
                    f.opens,
                    Some(f.closes),
                    Some(f.start),
                    Some(f.end),
                    Some(f.end + history),
                ]
            })
            .flatten()
    }

    /// The first instant after `now` at which the date alone changes what a
    /// page shows of a meetup. `None` when nothing is left to change.
    pub fn next_change(&self) -> Option<DateTime<Utc>> {
        self.clock_boundaries().filter(|&t| t > self.now).min()
    }

    /// When the site's dated files say they were made: the start of the
    /// build's day (UTC). Stamping them to the second would rewrite every
    /// calendar at every build, for readers that ignore it.
    pub fn stamp(&self) -> DateTime<Utc> {
        self.now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
    }

    /// The clock readings for which the site comes out as at `now`: from
    /// the last boundary passed (or the stamp's day) to the next one (or
    /// the next day).
    pub fn clock_span(&self) -> ClockSpan {
        let day = self.stamp();
        let passed = self.clock_boundaries().filter(|&t| t <= self.now).max();
        let next_day = day + chrono::Duration::days(1);
        ClockSpan {
            from: passed.map_or(day, |t| t.max(day)),
            until: Some(self.next_change().map_or(next_day, |t| t.min(next_day))),
        }
    }

    /// Index in `data.meetups` of the meetup `id`.
    pub fn meetup_index(&self, id: &str) -> Option<usize> {
        self.meetup_index.get(id).copied()
    }

    /// Whether `figures` cancel a meetup this network shows as not
    /// cancelled (then [`Network::with_figures`] is not enough: the site
    /// is built again).
    pub fn cancels_a_meetup(&self, figures: &[(String, MeetupAggregate)]) -> bool {
        figures.iter().any(|(id, aggregate)| {
            aggregate.cancelled
                && self
                    .meetup_index(id)
                    .is_some_and(|m| self.data.meetups[m].status != MeetupStatus::Cancelled)
        })
    }

    /// This network with new live figures for some meetups: their facts,
    /// summaries and reports, and the summaries of their places (which show
    /// their next meetup). Figures change no date, status or link, so the
    /// orders and neighbours stay. Unknown ids are ignored.
    pub fn with_figures(&self, figures: &[(String, MeetupAggregate)]) -> Network {
        let mut net = self.clone();
        let mut meetups = Vec::new();
        for (id, aggregate) in figures {
            let Some(m) = net.meetup_index(id) else {
                continue;
            };
            meetups.push(m);
            net.facts[m] = facts(&net.data.meetups[m], Some(aggregate), net.now);
            net.reports[m] = aggregate.report.clone().map(Arc::new);
        }
        net.show_again(&meetups);
        net
    }

    /// This network with the meetups of some files read again (each file
    /// of `data.files` given by its index, its new text and its meetups,
    /// every one read without problems), and the indexes of the meetups
    /// whose entry changed. `None` when an edit changes how the network is
    /// linked: a meetup added, removed or moved, or another id, place,
    /// kind, time, capacity, registration window or status (what the
    /// facts, orders, neighbours and checks across entries read). The
    /// other fields (title, description, organiser, ...) are only shown:
    /// the edited meetups' summaries, events and map features are made
    /// again, and nothing else changes.
    pub fn with_meetups_read_again(
        &self,
        files: Vec<(usize, SourceFile, Vec<Meetup>)>,
    ) -> Option<(Network, Vec<usize>)> {
        let mut edited: Vec<(usize, Meetup)> = Vec::new();
        let mut sources = Vec::with_capacity(files.len());
        for (index, file, meetups) in files {
            let old: Vec<usize> = (0..self.meetup_file.len())
                .filter(|&m| self.meetup_file[m] as usize == index)
                .collect();
            if old.len() != meetups.len() {
                return None;
            }
            for (&m, mut new) in old.iter().zip(meetups) {
                let was = &self.data.meetups[m];
                // Zones come from places, which an edit of meetups keeps;
                // a cancellation through the function stands, as when linked.
                new.time_zone = was.time_zone;
                if cancelled_live(&self.data.live, &new.id) {
                    new.status = MeetupStatus::Cancelled;
                }
                if new == **was {
                    continue;
                }
                if !links_alike(was, &new) {
                    return None;
                }
                edited.push((m, new));
            }
            sources.push((index, file));
        }
        let mut data = DataSet::clone(&self.data);
        for (index, file) in sources {
            data.files[index] = Arc::new(file);
        }
        let meetups: Vec<usize> = edited.iter().map(|(m, _)| *m).collect();
        for (m, meetup) in edited {
            data.meetups[m] = Arc::new(meetup);
        }
        let mut net = self.clone();
        net.data = Arc::new(data);
        net.show_again(&meetups);
        Some((net, meetups))
    }

    /// Makes again what shows `meetups`: their summaries, the summaries of
    /// their places (which show their next meetup), their map features and
    /// calendar events.
    fn show_again(&mut self, meetups: &[usize]) {
        for &m in meetups {
            self.meetup_summaries[m] = OnceLock::new();
        }
        for &m in meetups {
            let p = self.meetup_place[m];
            self.place_summaries[p] = OnceLock::new();
        }
        let mut features = std::mem::take(&mut self.map_features);
        features.patch(self, meetups);
        self.map_features = features;
        let mut events = std::mem::take(&mut self.calendar_events);
        events.patch(meetups);
        self.calendar_events = events;
    }

    /// The URL path of meetup `m`'s page (`/rencontres/<id>/`).
    pub fn meetup_path(&self, m: usize) -> &str {
        &self.meetup_paths[m]
    }

    pub fn permalink(&self, path: &str) -> String {
        self.config.make_permalink(path)
    }

    /// The summary of meetup `m`: what every list of meetups shows of it.
    /// A page that takes it notes that it read the meetup: a change of the
    /// meetup (figures, report, entry) renders that page again.
    pub fn meetup_summary(&self, m: usize) -> &Arc<Value> {
        trace::note_read(|| [self.read_key(m)]);
        self.meetup_summaries[m].get_or_init(|| Arc::new(self.make_meetup_summary(m)))
    }

    /// What a page notes when it reads meetup `m` ([`trace::note_read`]):
    /// its id's fingerprint, the same in every network.
    pub fn read_key(&self, m: usize) -> u64 {
        trace::fingerprint_bytes(self.data.meetups[m].id.as_bytes())
    }

    /// The summary of place `p`, which shows its next meetup: a page that
    /// takes it notes that it read that meetup.
    pub fn place_summary(&self, p: usize) -> &Arc<Value> {
        self.note_place_read(p);
        self.place_summaries[p].get_or_init(|| Arc::new(self.make_place_summary(p)))
    }

    /// A fingerprint of [`Network::place_summary`], made from what the
    /// summary is made of, as [`Network::summary_fingerprint`] is: the
    /// fields of the place's entry it reads, its commune as shown, its
    /// region's reference and its next meetup's summary. Whatever else
    /// `make_place_summary` comes to read must join this list; the test
    /// `place_summary_fingerprints_follow_the_summaries` checks it.
    pub fn place_summary_fingerprint(&self, p: usize) -> Fingerprint {
        let place = &self.data.places[p];
        let shown = (&place.id, &place.name, place.kind, &place.department);
        let next = self.next_meetup_at(p).map(|m| self.summary_fingerprint(m));
        fingerprint_hashed(&(
            shown,
            &self.place_commune[p],
            self.region_ref_fingerprints[self.place_region[p]],
            next,
        ))
    }

    /// Notes that the page rendering reads place `p`'s summary, by a copy
    /// made before: the read of its next meetup.
    pub fn note_place_read(&self, p: usize) {
        trace::note_read(|| self.next_meetup_at(p).map(|next| self.read_key(next)));
    }

    /// A fingerprint of [`Network::meetup_summary`], made from what the
    /// summary is made of rather than from the summary: the fields of the
    /// meetup's entry it reads, its facts, the fields of its place it reads,
    /// its region's reference and its module's or series' title. The rest
    /// is the configuration, which keys the cache. Whatever else
    /// `make_meetup_summary` comes to read must join this list; the test
    /// `summary_fingerprints_follow_the_summaries` changes every field of
    /// an entry to check it.
    pub fn summary_fingerprint(&self, m: usize) -> Fingerprint {
        let meetup: &Meetup = &self.data.meetups[m];
        let p = self.meetup_place[m];
        let place = &self.data.places[p];
        let Meetup {
            id,
            title,
            kind,
            start,
            end,
            capacity,
            registration,
            status,
            time_zone,
            ..
        } = meetup;
        let shown = (id, title, kind, start, end, capacity, registration, status);
        let belongs = match kind {
            MeetupKind::Training { module, .. } => self.module_titles.get(module.as_str()),
            MeetupKind::Community { series } => self.series_titles.get(series.as_str()),
        };
        let place_shown = (&place.id, &place.name, place.kind, &self.place_commune[p]);
        fingerprint_hashed(&(
            shown,
            time_zone,
            &self.facts[m],
            place_shown,
            self.region_ref_fingerprints[self.place_region[p]],
            belongs,
        ))
    }

    /// What the site says of registrations to meetup `m`.
    pub fn registration_label(&self, m: usize) -> String {
        let meetup = &self.data.meetups[m];
        registration_label(&self.facts[m], meetup, &zone_note(meetup, self.site_zone))
    }

    fn make_meetup_summary(&self, m: usize) -> Value {
        let meetup = &self.data.meetups[m];
        let facts = &self.facts[m];
        let place = &self.data.places[self.meetup_place[m]];
        let path = self.meetup_path(m).to_string();
        let (module, series) = match &meetup.kind {
            MeetupKind::Training { module, week } => {
                let title = self.module_titles.get(module.as_str());
                (
                    json!({"id": module, "title": title, "week": week}),
                    Value::Null,
                )
            }
            MeetupKind::Community { series } => {
                let title = self.series_titles.get(series.as_str());
                (Value::Null, json!({"id": series, "title": title}))
            }
        };
        let tz = meetup.time_zone;
        let note = zone_note(meetup, self.site_zone);
        let in_words = |instant| format!("{}{note}", french::date_time(zone::local(instant, tz)));
        let mut summary = json!({
            "id": meetup.id,
            "title": meetup.title,
            "kind": meetup.kind.code(),
            "kind_label": meetup.kind.label(),
            "starts_at": zone::iso(facts.start, tz),
            "ends_at": zone::iso(facts.end, tz),
            "date_label": french::date(meetup.start.date()),
            "time_label": format!("{}{note}", french::time_range(meetup.start, meetup.end)),
            "time_zone": tz.name(),
            "zone_label": (tz != self.site_zone).then(|| french::zone_name(tz)),
            "place": {
                "id": place.id,
                "name": place.name,
                "commune": self.place_commune[self.meetup_place[m]],
                "type": place.kind.code(),
                "path": self.urls.place(&place.id),
            },
            "path": path,
            "permalink": self.permalink(&path),
            "capacity": meetup.capacity,
            "confirmed": facts.confirmed,
            "waiting": facts.waiting,
            "seats_left": facts.seats_left,
            "upcoming": facts.upcoming,
            "status": status_code(facts.status),
            "status_label": status_label(facts.status),
            "registration": {
                "state": facts.state.code(),
                "label": registration_label(facts, meetup, &note),
                "opens_at": facts.opens.map(|o| zone::iso(o, tz)),
                "closes_at": zone::iso(facts.closes, tz),
                "opens_label": facts.opens.map(in_words),
                "closes_label": in_words(facts.closes),
            },
            "has_report": facts.has_report,
        });
        // Values inserted as they are: `json!` would serialise them again.
        let region = &self.region_refs[self.place_region[self.meetup_place[m]]];
        summary["region"] = Value::clone(region);
        summary["module"] = module;
        summary["series"] = series;
        summary
    }

    /// The next meetup to come at place `p` that is not cancelled.
    pub fn next_meetup_at(&self, p: usize) -> Option<usize> {
        self.place_meetups[p]
            .iter()
            .copied()
            .find(|&m| self.facts[m].upcoming && self.facts[m].status != MeetupStatus::Cancelled)
    }

    fn make_place_summary(&self, p: usize) -> Value {
        let place = &self.data.places[p];
        let path = self.urls.place(&place.id);
        let next = self
            .next_meetup_at(p)
            .map_or(Value::Null, |m| Value::clone(self.meetup_summary(m)));
        let mut summary = json!({
            "id": place.id,
            "name": place.name,
            "type": place.kind.code(),
            "type_label": place.kind.label(),
            "commune": self.place_commune[p],
            "department": place.department,
            "path": path,
            "permalink": self.permalink(&path),
        });
        summary["region"] = Value::clone(&self.region_refs[self.place_region[p]]);
        summary["next_meetup"] = next;
        summary
    }

    /// Upcoming meetups of a list (already in date order).
    pub fn upcoming<'b>(&'b self, list: &'b [usize]) -> impl Iterator<Item = usize> + 'b {
        list.iter().copied().filter(|&m| self.facts[m].upcoming)
    }

    /// Upcoming meetups that still take place (for maps and counts).
    pub fn upcoming_held<'b>(&'b self, list: &'b [usize]) -> impl Iterator<Item = usize> + 'b {
        list.iter().copied().filter(|&m| self.is_upcoming_held(m))
    }

    /// Meetup `m` is to come and still takes place.
    pub fn is_upcoming_held(&self, m: usize) -> bool {
        self.facts[m].upcoming && self.facts[m].status != MeetupStatus::Cancelled
    }

    pub fn summaries(&self, meetups: impl Iterator<Item = usize>) -> Vec<Value> {
        meetups
            .map(|m| Value::clone(self.meetup_summary(m)))
            .collect()
    }
}

/// Whether the live figures say meetup `id` was cancelled through the
/// function: it is then cancelled on every page, as if `data/` said so.
fn cancelled_live(live: &LiveAggregates, id: &str) -> bool {
    live.meetups.get(id).is_some_and(|a| a.cancelled)
}

/// Whether two versions of a meetup's entry link the same way: the same
/// id, place, kind (module and week, or series), local times, zone,
/// capacity, registration window and status. These are all the fields the
/// facts, the orders, the neighbours and the checks across entries read.
fn links_alike(a: &Meetup, b: &Meetup) -> bool {
    (
        &a.id,
        &a.place,
        &a.kind,
        a.start,
        a.end,
        a.time_zone,
        a.capacity,
        a.registration,
        a.status,
    ) == (
        &b.id,
        &b.place,
        &b.kind,
        b.start,
        b.end,
        b.time_zone,
        b.capacity,
        b.registration,
        b.status,
    )
}

/// Accents and case do not change the order of names.
fn sort_key(name: &str) -> String {
    deunicode::deunicode(name).to_lowercase()
}

/// The meetup each one follows up on:
/// - community: the latest earlier meetup of the same series;
/// - training, week 3: the latest earlier meetup of the same module and week 1
///   at the same place;
/// - training, week 1: the latest earlier training meetup at the same place
///   (the previous module's group, usually its week 3).
///
/// Cancelled meetups are skipped on both ends of the link.
fn previous_meetups(
    data: &DataSet,
    by_start: &[usize],
    meetup_place: &[usize],
) -> Vec<Option<usize>> {
    let mut previous = vec![None; data.meetups.len()];
    let mut last_of_series: HashMap<&str, usize> = HashMap::new();
    let mut last_week1: HashMap<(&str, usize), usize> = HashMap::new();
    let mut last_training_at: HashMap<usize, usize> = HashMap::new();
    for &m in by_start {
        let meetup = &data.meetups[m];
        if meetup.status == MeetupStatus::Cancelled {
            continue;
        }
        let place = meetup_place[m];
        match &meetup.kind {
            MeetupKind::Community { series } => {
                previous[m] = last_of_series.insert(series.as_str(), m);
            }
            MeetupKind::Training { module, week } => {
                previous[m] = if *week == 1 {
                    last_training_at.get(&place).copied()
                } else {
                    last_week1.get(&(module.as_str(), place)).copied()
                };
                if *week == 1 {
                    last_week1.insert((module.as_str(), place), m);
                }
                last_training_at.insert(place, m);
            }
        }
    }
    previous
}
