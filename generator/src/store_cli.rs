//! The store commands: `maillage sync` (meetup and region definitions from
//! `data/` into the function's store), `maillage export` (the store's public aggregates
//! into `data/live/aggregates.json`, and the meetups accepted from proposals
//! into `data/live/meetups.yaml`), `maillage purge` (personal data past
//! its retention) and `maillage repair` (what interrupted requests left).
//! Each works with both backends, named by a [`StoreSpec`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, Utc};
use maillage_model::clock;
use maillage_model::meetup::{
    LiveAggregates, MeetupDefinition, RegionDefinition, LIVE_AGGREGATES_PATH,
};
use maillage_model::proposal::{AcceptedMeetup, ACCEPTED_MEETUPS_PATH};
use maillage_store::{PurgeCutoffs, RepairRun, RepairSummary, Store, StoreError};

use crate::build::{load_config, BuildOptions};
use crate::error::Result;
use crate::failure::{Failure, Outcome};

/// Where the embedded store lives by default, relative to the site root.
pub const DEFAULT_SQLITE_PATH: &str = ".maillage/store.sqlite";

/// How long personal data is kept after a meetup ends unless configured
/// otherwise (the function's `MAILLAGE_RETENTION_DAYS`).
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// The variable giving another DynamoDB endpoint (a local server).
#[cfg(feature = "dynamodb")]
const DYNAMODB_ENDPOINT_VAR: &str = "MAILLAGE_DYNAMODB_ENDPOINT";

/// A store named on the command line: `sqlite:PATH` or `dynamodb:TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// An SQLite file (relative paths are under the site root).
    Sqlite(PathBuf),
    /// A DynamoDB table; the endpoint and region come from the environment.
    DynamoDb(String),
}

impl StoreSpec {
    /// Reads `sqlite:PATH` or `dynamodb:TABLE`; `None` gives the default
    /// SQLite file under `root`.
    pub fn parse(spec: Option<&str>, root: &Path) -> Outcome<StoreSpec> {
        let Some(spec) = spec else {
            return Ok(StoreSpec::Sqlite(root.join(DEFAULT_SQLITE_PATH)));
        };
        let invalid = |why: &str| -> Outcome<StoreSpec> {
            Err(Failure::other(
                "--store",
                format!("{why} in {spec:?}: expected `sqlite:PATH` or `dynamodb:TABLE`"),
            ))
        };
        match spec.split_once(':') {
            Some(("sqlite", path)) if !path.trim().is_empty() => {
                let path = PathBuf::from(path.trim());
                Ok(StoreSpec::Sqlite(if path.is_relative() {
                    root.join(path)
                } else {
                    path
                }))
            }
            Some(("dynamodb", table)) if !table.trim().is_empty() => {
                Ok(StoreSpec::DynamoDb(table.trim().to_string()))
            }
            Some(("sqlite" | "dynamodb", _)) => invalid("missing path or table"),
            _ => invalid("unknown store"),
        }
    }

    /// How messages name the store.
    pub fn describe(&self) -> String {
        match self {
            StoreSpec::Sqlite(path) => format!("sqlite:{}", path.display()),
            StoreSpec::DynamoDb(table) => format!("dynamodb:{table}"),
        }
    }

    fn error(&self, message: impl std::fmt::Display) -> Failure {
        Failure::other(self.describe(), message)
    }

    /// Opens the store: the SQLite file (and its folder) is created when
    /// missing; a DynamoDB table must exist already.
    pub async fn open(&self) -> Outcome<Arc<dyn Store>> {
        match self {
            StoreSpec::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| self.error(format!("cannot create the folder: {e}")))?;
                }
                let store = maillage_store::sqlite::SqliteStore::open(path)
                    .map_err(|e| self.error(format!("cannot open the store: {e}")))?;
                Ok(Arc::new(store))
            }
            #[cfg(not(feature = "dynamodb"))]
            StoreSpec::DynamoDb(_) => Err(self.error(
                "this maillage was built without DynamoDB (its `dynamodb` feature): use a sqlite: store",
            )),
            #[cfg(feature = "dynamodb")]
            StoreSpec::DynamoDb(table) => {
                use maillage_store::dynamodb::DynamoStore;
                let region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
                    .iter()
                    .find_map(|var| std::env::var(var).ok().filter(|r| !r.trim().is_empty()));
                let endpoint = std::env::var(DYNAMODB_ENDPOINT_VAR)
                    .ok()
                    .filter(|e| !e.trim().is_empty());
                let store = match (endpoint, region) {
                    (Some(endpoint), region) => {
                        // A local server: any region does, placeholder
                        // credentials when none are set.
                        let region = region.unwrap_or_else(|| "eu-west-3".into());
                        DynamoStore::connect(endpoint.trim(), region.trim(), table).await
                    }
                    (None, Some(_)) => DynamoStore::from_env_for_table(table).await,
                    (None, None) => {
                        return Err(self.error(
                            "AWS_REGION is not set: say which region holds the table \
                             (or set MAILLAGE_DYNAMODB_ENDPOINT for a local server)",
                        ))
                    }
                };
                Ok(Arc::new(store))
            }
        }
    }
}

/// Runs `future` on a small runtime of its own (the commands are one-shot).
pub fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// What `sync` writes into the store, derived from `data/`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteDefinitions {
    pub meetups: Vec<MeetupDefinition>,
    pub regions: Vec<RegionDefinition>,
}

/// The meetup and region definitions of the site under `options.root`,
/// with the data warnings printed when `warn`. Fails on any data error,
/// like `build`.
pub fn site_definitions(options: &BuildOptions, warn: bool) -> Result<SiteDefinitions> {
    let config = load_config(options)?;
    let urls = crate::pages::network::site_urls(&config)?;
    let loaded = crate::data::load(&options.root, clock::now())?;
    if warn {
        eprint!("{}", crate::data::format_warnings(&loaded.warnings));
    }
    Ok(definitions_of(&loaded.data, &config, &urls))
}

/// The meetup and region definitions of a data set already loaded and
/// validated, their links under `config`'s base URL.
pub fn definitions_of(
    data: &crate::data::DataSet,
    config: &crate::config::Config,
    urls: &maillage_model::urls::SiteUrls,
) -> SiteDefinitions {
    SiteDefinitions {
        meetups: crate::data::definitions(data, config, urls),
        regions: crate::data::region_definitions(data),
    }
}

/// What `sync` changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// In the store but no longer in `data/`: kept (their registrations too).
    pub only_in_store: usize,
    /// Regions written (each whole: its coordinator's key hash and meetups).
    pub regions: usize,
}

impl std::fmt::Display for SyncSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} meetups: {} added, {} updated, {} unchanged",
            self.added + self.updated + self.unchanged,
            self.added,
            self.updated,
            self.unchanged
        )?;
        if self.only_in_store > 0 {
            write!(
                f,
                "; {} in the store no longer in data/ (kept)",
                self.only_in_store
            )?;
        }
        if self.regions > 0 {
            write!(f, "; {} regions", self.regions)?;
        }
        Ok(())
    }
}

/// Writes `definitions` into `store`, counting what changed. Meetups go
/// first: a region never names a meetup the store does not know.
pub async fn sync(
    store: &dyn Store,
    definitions: &SiteDefinitions,
) -> std::result::Result<SyncSummary, StoreError> {
    let meetups = &definitions.meetups;
    let before = store.meetups().await?;
    let known: HashMap<&str, &MeetupDefinition> =
        before.iter().map(|m| (m.id.as_str(), m)).collect();
    let synced: HashSet<&str> = meetups.iter().map(|d| d.id.as_str()).collect();
    let mut summary = SyncSummary::default();
    // Definitions are inserted or replaced: the unchanged ones need no write.
    let mut changed = Vec::new();
    for definition in meetups {
        match known.get(definition.id.as_str()) {
            None => summary.added += 1,
            Some(&old) if old == definition => {
                summary.unchanged += 1;
                continue;
            }
            Some(_) => summary.updated += 1,
        }
        changed.push(definition.clone());
    }
    summary.only_in_store = before
        .iter()
        .filter(|m| !synced.contains(m.id.as_str()))
        .count();
    store.put_meetups(&changed).await?;
    store.put_regions(&definitions.regions).await?;
    summary.regions = definitions.regions.len();
    Ok(summary)
}

/// `maillage sync`: the meetup and region definitions of `data/` into the
/// store.
pub fn sync_command(options: &BuildOptions, spec: &StoreSpec) -> Outcome<String> {
    let definitions = site_definitions(options, true)?;
    block_on(async {
        let store = spec.open().await?;
        let summary = sync(store.as_ref(), &definitions)
            .await
            .map_err(|e| spec.error(format!("cannot sync the meetups: {e}")))?;
        Ok(format!("Synced into {}: {summary}", spec.describe()))
    })
}

/// Serialises aggregates the same way every time: keys in order, two-space
/// indentation, a final newline.
pub fn aggregates_json(live: &LiveAggregates) -> String {
    let mut text = serde_json::to_string_pretty(live).expect("aggregates serialise");
    text.push('\n');
    text
}

/// Writes `data/live/aggregates.json` under `root` atomically.
pub fn write_aggregates(root: &Path, live: &LiveAggregates) -> std::io::Result<PathBuf> {
    write_atomically(&root.join(LIVE_AGGREGATES_PATH), &aggregates_json(live))
}

/// The accepted proposals' meetups as a meetup file of `data/`.
pub fn accepted_yaml(meetups: &[AcceptedMeetup]) -> String {
    let mut text = String::from(
        "# The meetups accepted from organisers' proposals, written by `maillage export`\n\
         # from the function's store: edits made here are lost at the next export.\n",
    );
    if meetups.is_empty() {
        text.push_str("[]\n");
    }
    for meetup in meetups {
        text.push('\n');
        text.push_str(&crate::meetup_cli::accepted_entry(meetup));
    }
    text
}

/// Writes `data/live/meetups.yaml` under `root` atomically.
pub fn write_accepted(root: &Path, meetups: &[AcceptedMeetup]) -> std::io::Result<PathBuf> {
    write_atomically(&root.join(ACCEPTED_MEETUPS_PATH), &accepted_yaml(meetups))
}

/// Writes `text` at `path` atomically; returns the path.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<PathBuf> {
    maillage_engine::files::write_atomically(path, text).map(|()| path.to_path_buf())
}

/// `maillage export`: the store's public aggregates into `data/live/`.
pub fn export_command(options: &BuildOptions, spec: &StoreSpec) -> Outcome<String> {
    block_on(async {
        let store = spec.open().await?;
        let mut live = store
            .aggregates()
            .await
            .map_err(|e| spec.error(format!("cannot read the aggregates: {e}")))?;
        live.generated_at = Some(clock::now());
        let reports = live.meetups.values().filter(|m| m.report.is_some()).count();
        write_aggregates(&options.root, &live).map_err(|e| {
            Failure::from(crate::error::Diagnostic::new(
                LIVE_AGGREGATES_PATH,
                format!("cannot write the aggregates: {e}"),
            ))
        })?;
        let accepted = store
            .accepted_meetups()
            .await
            .map_err(|e| spec.error(format!("cannot read the accepted proposals: {e}")))?;
        write_accepted(&options.root, &accepted).map_err(|e| {
            Failure::from(crate::error::Diagnostic::new(
                ACCEPTED_MEETUPS_PATH,
                format!("cannot write the accepted proposals: {e}"),
            ))
        })?;
        Ok(format!(
            "Exported {} meetups' figures ({} with a published report) from {} to {LIVE_AGGREGATES_PATH}, and {} meetups accepted from proposals to {ACCEPTED_MEETUPS_PATH}",
            live.meetups.len(),
            reports,
            spec.describe(),
            accepted.len(),
        ))
    })
}

/// The retention personal data was stored with (`MAILLAGE_RETENTION_DAYS`).
pub fn stored_retention_days() -> u32 {
    std::env::var("MAILLAGE_RETENTION_DAYS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_RETENTION_DAYS)
}

/// `maillage purge`: deletes personal data past its retention. Each item
/// expires at its meetup's end plus the retention in force when it was
/// stored; a shorter `retention_days` purges registrations and private
/// notes earlier by the difference (attestations keep their own).
pub fn purge_command(spec: &StoreSpec, retention_days: Option<u32>) -> Outcome<String> {
    let stored = stored_retention_days();
    let retention = retention_days.unwrap_or(stored);
    let now = clock::now();
    let cutoff = now + Duration::days(i64::from(stored.saturating_sub(retention)));
    block_on(async {
        let store = spec.open().await?;
        let summary = store
            .purge(PurgeCutoffs {
                personal: cutoff,
                attestations: now,
            })
            .await
            .map_err(|e| spec.error(format!("cannot purge: {e}")))?;
        Ok(format!(
            "Purged from {}: {} registrations and {} reports' private notes of meetups ended more than {retention} days before {}, and {} attestations past their own retention",
            spec.describe(),
            summary.registrations,
            summary.private_notes,
            now.with_timezone(&Utc).format("%Y-%m-%d %H:%M UTC"),
            summary.attestations,
        ))
    })
}

/// `maillage repair`: one meetup, or every meetup to come.
pub fn repair_command(spec: &StoreSpec, meetup: Option<&str>) -> Outcome<String> {
    let now = clock::now();
    block_on(async {
        let store = spec.open().await?;
        let failed = |e: StoreError| spec.error(format!("cannot repair: {e}"));
        let run = match meetup {
            Some(id) => {
                if store.meetup(id).await.map_err(failed)?.is_none() {
                    return Err(spec.error(format!("no meetup {id:?} in the store")));
                }
                let mut run = RepairRun::default();
                run.add(&store.repair(id, now).await.map_err(failed)?);
                run
            }
            None => maillage_store::repair_all(store.as_ref(), now)
                .await
                .map_err(failed)?,
        };
        Ok(format!(
            "Repaired {}: {}",
            spec.describe(),
            describe_repair(&run)
        ))
    })
}

/// What a repair did, in one line.
fn describe_repair(run: &RepairRun) -> String {
    let RepairSummary {
        unfinished_removed,
        orphans_removed,
        counters_fixed,
        promoted,
    } = run.total;
    let mut done = Vec::new();
    if unfinished_removed > 0 {
        done.push(format!(
            "{unfinished_removed} registrations whose request died before their place removed"
        ));
    }
    if orphans_removed > 0 {
        done.push(format!("{orphans_removed} places held by nobody freed"));
    }
    if counters_fixed {
        done.push("counters corrected".to_string());
    }
    if promoted > 0 {
        done.push(format!("{promoted} people promoted from a waiting list"));
    }
    let checked = format!("{} meetups checked, {} mended", run.meetups, run.repaired);
    if done.is_empty() {
        checked
    } else {
        format!("{checked} ({})", done.join(", "))
    }
}
