//! Region definitions, and what a region's coordinator sees of its
//! meetups: one `Query` of each meetup's partition, which holds its
//! counters, its registrations (for who was marked present), its report and
//! the organiser's code. Only the region's meetups are read, never the
//! whole table.

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use super::items::{
    self, kind, Item, RegistrationItem, META_SK, ORGANISER_SK, PRIVATE_NOTES, REGISTRATION_PREFIX,
    REPORT_PRIVATE_SK, REPORT_SK,
};
use super::meetup_item::{MeetupState, Standing};
use super::DynamoStore;
use maillage_model::meetup::RegionDefinition;
use maillage_model::store::{MeetupFollowUp, StoreError, StoreResult};

/// How many meetup partitions `follow_up` reads at once.
const READ_CONCURRENCY: usize = 16;

/// The partition and sort key of a region's item.
const REGION_PREFIX: &str = "REGION#";
const REGION_SK: &str = "REGION";
/// The definition as JSON.
const DEFINITION: &str = "definition";

fn region_key(id: &str) -> Item {
    items::key(format!("{REGION_PREFIX}{id}"), REGION_SK)
}

pub(super) async fn put_regions(
    store: &DynamoStore,
    regions: &[RegionDefinition],
) -> StoreResult<()> {
    for region in regions {
        let json = serde_json::to_string(region)
            .map_err(|error| StoreError::caused("encoding a region definition", error))?;
        let mut item = region_key(&region.id);
        item.insert(items::KIND.into(), items::s(kind::REGION));
        item.insert(DEFINITION.into(), items::s(json));
        store.put(item, "writing a region").await?;
    }
    Ok(())
}

pub(super) async fn region(store: &DynamoStore, id: &str) -> StoreResult<Option<RegionDefinition>> {
    let Some(item) = store.get(region_key(id)).await? else {
        return Ok(None);
    };
    serde_json::from_str(items::get_s(&item, DEFINITION)?)
        .map(Some)
        .map_err(|_| StoreError::Malformed("item: region definition".into()))
}

pub(super) async fn follow_up(
    store: &DynamoStore,
    meetup_ids: &[String],
    now: DateTime<Utc>,
) -> StoreResult<Vec<MeetupFollowUp>> {
    let mut tasks = JoinSet::new();
    let mut found: Vec<Option<MeetupFollowUp>> = vec![None; meetup_ids.len()];
    for (index, id) in meetup_ids.iter().enumerate() {
        if tasks.len() >= READ_CONCURRENCY {
            place(&mut found, tasks.join_next().await)?;
        }
        let store = store.clone();
        let pk = items::meetup_pk(id);
        tasks.spawn(async move {
            let partition = store.query_partition(&pk, None).await?;
            Ok((index, of_partition(&partition, now)?))
        });
    }
    while !tasks.is_empty() {
        place(&mut found, tasks.join_next().await)?;
    }
    Ok(found.into_iter().flatten().collect())
}

type Read = StoreResult<(usize, Option<MeetupFollowUp>)>;

fn place(
    found: &mut [Option<MeetupFollowUp>],
    joined: Option<Result<Read, tokio::task::JoinError>>,
) -> StoreResult<()> {
    match joined {
        Some(Ok(read)) => {
            let (index, follow_up) = read?;
            found[index] = follow_up;
            Ok(())
        }
        Some(Err(error)) => Err(StoreError::backend(format!("read task failed: {error}"))),
        None => Ok(()),
    }
}

/// A meetup's follow-up from every item of its partition; `None` when the
/// partition has no meetup item (an unknown id).
fn of_partition(partition: &[Item], now: DateTime<Utc>) -> StoreResult<Option<MeetupFollowUp>> {
    let by_sk = |sk: &str| {
        partition
            .iter()
            .find(|item| items::opt_s(item, items::SK) == Some(sk))
    };
    let Some(meta) = by_sk(META_SK) else {
        return Ok(None);
    };
    let state = MeetupState::parse(meta)?;
    let mut present = 0;
    for item in partition {
        if !items::opt_s(item, items::SK).is_some_and(|sk| sk.starts_with(REGISTRATION_PREFIX)) {
            continue;
        }
        let registration = RegistrationItem::parse(item)?;
        let standing = state.standing(registration.email_hash(), &registration.token_hash());
        if registration.attestation.is_some()
            && !registration.is_expired(now)
            && matches!(standing, Standing::Confirmed | Standing::Waiting(_))
        {
            present += 1;
        }
    }
    let live = |item: &&Item| !items::is_expired(item, now);
    Ok(Some(MeetupFollowUp {
        definition: items::parse_definition(meta)?,
        confirmed: state.confirmed,
        waiting: state.waiting,
        report: by_sk(REPORT_SK)
            .map(items::parse_public_report)
            .transpose()?,
        private_notes: by_sk(REPORT_PRIVATE_SK)
            .filter(live)
            .map(|item| items::get_s(item, PRIVATE_NOTES).map(str::to_string))
            .transpose()?,
        present,
        organiser_present: by_sk(ORGANISER_SK).filter(live).is_some(),
    }))
}
