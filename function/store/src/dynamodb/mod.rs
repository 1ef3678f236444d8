//! The cloud store: one Amazon DynamoDB table (or any server speaking its
//! API, such as moto's on loopback in the tests).
//!
//! How the items are laid out is in [`items`]; the protocol, and why each
//! race it faces cannot do harm, is in `function/docs/dynamodb-protocol.md`.
//! In short:
//!
//! - **Who holds a seat and who waits** is in the meetup item alone: a list
//!   of the seated, the waiting list in arrival order, and the set of ended
//!   registrations. Every change of a place is one conditional `UpdateItem`
//!   on it ([`meetup_item`]), atomic by itself, so the counters (the lists'
//!   lengths, written in the same update), the queue and the capacity can
//!   never disagree, and no transaction is needed on this hot item.
//! - **Every write recognises its own earlier effect**: a write whose answer
//!   was lost and is sent again (by the SDK, or by a request run again)
//!   finds what it did (`ReturnValuesOnConditionCheckFailure`) instead of
//!   doing it twice.
//! - **A registration item** holds the person's data and the private token;
//!   the same email twice is one registration (a conditional `PutItem`).
//! - **Repairs** ([`repair`]) end registrations whose request died before
//!   their place, and promote into seats owed to the waiting list, each
//!   under conditions tying the write to what was read.
//!
//! Every item holding personal data carries `expires_at` (epoch seconds,
//! the table's TTL attribute); since TTL deletion lags, reads ignore expired
//! items and [`Store::purge_expired`] deletes them, and clears the meetup
//! items' lists of hashes.

mod attendance;
mod cancel;
mod cursor;
mod items;
mod meetup_item;
mod meetups;
mod messages;
mod proposals;
mod purge;
mod regions;
mod registrations;
mod repair;
mod reports;
mod retry;
mod table;
mod transact;
mod trigger;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, Semaphore};

use maillage_model::meetup::{LiveAggregates, MeetupAggregate, MeetupDefinition, RegionDefinition};
use maillage_model::proposal::{AcceptedMeetup, Decision, DecisionOutcome, Proposal};
use maillage_model::store::{
    Addressee, Attendance, Attestation, CancelOutcome, Issued, MeetupFollowUp, MessageOutcome,
    NewRegistration, OrganiserMessage, PurgeCutoffs, PurgeSummary, Registrant, RegistrationByToken,
    RegistrationOutcome, RepairSummary, Store, StoreError, StoreResult, StoredReport,
};
pub use purge::PurgeProgress;

use items::Item;
use retry::backend;

/// Environment variable naming the table (required by [`DynamoStore::from_env`]).
pub const TABLE_VAR: &str = "MAILLAGE_TABLE";
/// Optional environment variable: the endpoint of a DynamoDB-compatible
/// server (for example `http://127.0.0.1:5000`). Without it the SDK's usual
/// resolution applies (`AWS_ENDPOINT_URL_DYNAMODB`, then AWS's endpoint for
/// the region).
pub const ENDPOINT_VAR: &str = "MAILLAGE_DYNAMODB_ENDPOINT";

/// The DynamoDB-backed [`Store`]. Cheap to clone: clones share the client.
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: Arc<str>,
    gate: Arc<Gate>,
    sdk_config: Option<Arc<aws_config::SdkConfig>>,
}

/// How this process orders its own writes before DynamoDB sees them.
///
/// - Updates of one meetup item go one at a time: DynamoDB serialises
///   writes to one item anyway, and waiting here costs no retry. The lock
///   is held from a decision to its write, and through a refused write's
///   new decision (made on the item the refusal returned): no other update
///   of this process comes in between, so a queue place taken under the
///   condition "no place given since" only ever meets other processes'.
/// - At most [`Gate::REGISTRATIONS`] registrations are in flight: a burst
///   queues here instead of opening a connection per request.
///
/// Across processes (Lambda instances), DynamoDB's conditions alone keep
/// things right. Ordering a process's updates of one item also keeps moto,
/// whose returned values are not isolated under concurrency, exact in the
/// tests.
struct Gate {
    counters: [Mutex<()>; Gate::COUNTER_STRIPES],
    registrations: Semaphore,
}

impl Gate {
    const COUNTER_STRIPES: usize = 32;
    const REGISTRATIONS: usize = 64;

    fn new() -> Gate {
        Gate {
            counters: std::array::from_fn(|_| Mutex::new(())),
            registrations: Semaphore::new(Gate::REGISTRATIONS),
        }
    }

    /// The lock for updates of the meetup item `pk`.
    fn counters(&self, pk: &str) -> &Mutex<()> {
        let hash = pk.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        &self.counters[(hash % Gate::COUNTER_STRIPES as u64) as usize]
    }
}

impl std::fmt::Debug for DynamoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoStore")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl DynamoStore {
    /// A store over an existing client.
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: Arc::from(table.into()),
            gate: Arc::new(Gate::new()),
            sdk_config: None,
        }
    }

    /// Configured the way Lambda is: the table from `MAILLAGE_TABLE`, the
    /// endpoint from `MAILLAGE_DYNAMODB_ENDPOINT` when set, the region and
    /// credentials from the standard AWS variables and files.
    pub async fn from_env() -> StoreResult<DynamoStore> {
        let table = std::env::var(TABLE_VAR)
            .ok()
            .filter(|table| !table.trim().is_empty())
            .ok_or_else(|| StoreError::backend(format!("{TABLE_VAR} is not set")))?;
        Ok(DynamoStore::from_env_for_table(&table).await)
    }

    /// Like [`DynamoStore::from_env`], for a table named elsewhere (such as
    /// `maillage sync --store dynamodb:TABLE`).
    pub async fn from_env_for_table(table: &str) -> DynamoStore {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
        if let Some(endpoint) = std::env::var(ENDPOINT_VAR)
            .ok()
            .filter(|endpoint| !endpoint.trim().is_empty())
        {
            loader = loader.endpoint_url(endpoint);
        }
        let config = loader.load().await;
        DynamoStore::new(Client::new(&config), table.trim()).with_sdk_config(config)
    }

    fn with_sdk_config(mut self, config: aws_config::SdkConfig) -> DynamoStore {
        self.sdk_config = Some(Arc::new(config));
        self
    }

    /// The AWS configuration (region, credentials) the store was loaded
    /// with, for other AWS calls made with the same identity; `None` for a
    /// store built over a client.
    pub fn sdk_config(&self) -> Option<&aws_config::SdkConfig> {
        self.sdk_config.as_deref()
    }

    /// For an explicit endpoint, such as a local DynamoDB-compatible server.
    /// Credentials come from the standard AWS variables when set; otherwise
    /// placeholder ones are used, which local servers accept.
    pub async fn connect(endpoint_url: &str, region: &str, table: &str) -> DynamoStore {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client())
            .region(Region::new(region.to_string()))
            .endpoint_url(endpoint_url);
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
            loader = loader
                .credentials_provider(Credentials::new("local", "local", None, None, "local"));
        }
        let config = loader.load().await;
        DynamoStore::new(Client::new(&config), table).with_sdk_config(config)
    }

    /// Creates the table (on-demand billing, TTL on `expires_at`) unless it
    /// exists, and waits until it is usable. Returns whether it was created.
    pub async fn create_table_if_missing(&self) -> StoreResult<bool> {
        table::create_if_missing(&self.client, &self.table).await
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Reads one item with a strongly consistent read.
    async fn get(&self, key: Item) -> StoreResult<Option<Item>> {
        let output = self
            .client
            .get_item()
            .table_name(self.table.as_ref())
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| backend("reading an item", error))?;
        Ok(output.item)
    }

    /// Writes a whole item, unconditionally (sent again after a lost
    /// answer, it writes the same); `context` names it in errors.
    async fn put(&self, item: Item, context: &str) -> StoreResult<()> {
        self.client
            .put_item()
            .table_name(self.table.as_ref())
            .set_item(Some(item))
            .send()
            .await
            .map_err(|error| backend(context, error))?;
        Ok(())
    }

    /// Every item of a partition, or those whose sort key starts with
    /// `prefix`, with a strongly consistent read.
    async fn query_partition(&self, pk: &str, prefix: Option<&str>) -> StoreResult<Vec<Item>> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut request = self
                .client
                .query()
                .table_name(self.table.as_ref())
                .expression_attribute_names("#pk", items::PK)
                .expression_attribute_values(":pk", items::s(pk));
            request = match prefix {
                Some(prefix) => request
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", items::SK)
                    .expression_attribute_values(":prefix", items::s(prefix)),
                None => request.key_condition_expression("#pk = :pk"),
            };
            let output = request
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|error| backend("querying items", error))?;
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// Reads many items by key (any order), retrying the keys DynamoDB
    /// leaves unprocessed under load.
    async fn batch_get(&self, keys: Vec<Item>) -> StoreResult<Vec<Item>> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let mut pending = chunk.to_vec();
            let mut backoff = retry::Backoff::for_conflicts();
            while !pending.is_empty() {
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .consistent_read(true)
                    .build()
                    .map_err(|error| StoreError::caused("building a batch read", error))?;
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(self.table.as_ref(), request)
                    .send()
                    .await
                    .map_err(|error| backend("reading items", error))?;
                if let Some(mut responses) = output.responses {
                    found.extend(responses.remove(self.table.as_ref()).unwrap_or_default());
                }
                pending = output
                    .unprocessed_keys
                    .and_then(|mut unprocessed| unprocessed.remove(self.table.as_ref()))
                    .map(|rest| rest.keys)
                    .unwrap_or_default();
                if !pending.is_empty() {
                    backoff.wait("reading items").await?;
                }
            }
        }
        Ok(found)
    }
}

/// HTTPS with rustls on ring: no C toolchain, a small binary.
fn http_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Helper for expression values.
fn values<const N: usize>(pairs: [(&str, AttributeValue); N]) -> HashMap<String, AttributeValue> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// Helper for expression attribute names.
fn names<const N: usize>(pairs: [(&str, &str); N]) -> HashMap<String, String> {
    pairs
        .into_iter()
        .map(|(alias, name)| (alias.to_string(), name.to_string()))
        .collect()
}

#[async_trait]
impl Store for DynamoStore {
    async fn put_meetups(&self, meetups: &[MeetupDefinition]) -> StoreResult<()> {
        meetups::put_meetups(self, meetups).await
    }

    async fn meetup(&self, id: &str) -> StoreResult<Option<MeetupDefinition>> {
        meetups::meetup(self, id).await
    }

    async fn meetups(&self) -> StoreResult<Vec<MeetupDefinition>> {
        meetups::meetups(self).await
    }

    async fn put_regions(&self, regions: &[RegionDefinition]) -> StoreResult<()> {
        regions::put_regions(self, regions).await
    }

    async fn region(&self, id: &str) -> StoreResult<Option<RegionDefinition>> {
        regions::region(self, id).await
    }

    async fn follow_up(&self, meetup_ids: &[String]) -> StoreResult<Vec<MeetupFollowUp>> {
        regions::follow_up(self, meetup_ids, maillage_model::clock::now()).await
    }

    async fn submit_proposal(&self, proposal: &Proposal) -> StoreResult<bool> {
        proposals::submit(self, proposal).await
    }

    async fn proposals(&self, region: &str) -> StoreResult<Vec<Proposal>> {
        proposals::of_region(self, region, maillage_model::clock::now()).await
    }

    async fn decide_proposal(&self, decision: &Decision) -> StoreResult<DecisionOutcome> {
        proposals::decide(self, decision, maillage_model::clock::now()).await
    }

    async fn accepted_meetups(&self) -> StoreResult<Vec<AcceptedMeetup>> {
        proposals::accepted(self).await
    }

    async fn register(&self, registration: NewRegistration) -> StoreResult<RegistrationOutcome> {
        registrations::register(self, registration).await
    }

    async fn registration_by_token(&self, token: &str) -> StoreResult<Option<RegistrationByToken>> {
        registrations::by_token(self, token, maillage_model::clock::now()).await
    }

    async fn cancel(&self, token: &str, now: DateTime<Utc>) -> StoreResult<CancelOutcome> {
        cancel::cancel(self, token, now).await
    }

    async fn save_report(&self, report: StoredReport) -> StoreResult<()> {
        reports::save_report(self, report).await
    }

    async fn registrants(&self, meetup_id: &str) -> StoreResult<Vec<Registrant>> {
        registrations::registrants(self, meetup_id, maillage_model::clock::now()).await
    }

    async fn record_attendance(&self, attendance: Attendance) -> StoreResult<Vec<Issued>> {
        attendance::record(self, attendance, maillage_model::clock::now()).await
    }

    async fn record_message(&self, message: &OrganiserMessage) -> StoreResult<MessageOutcome> {
        messages::record(self, message, maillage_model::clock::now()).await
    }

    async fn claim_reminders(
        &self,
        meetup_id: &str,
        registered_before: DateTime<Utc>,
    ) -> StoreResult<Vec<Addressee>> {
        messages::claim_reminders(
            self,
            meetup_id,
            registered_before,
            maillage_model::clock::now(),
        )
        .await
    }

    async fn organiser_attestation(&self, meetup_id: &str) -> StoreResult<Option<Attestation>> {
        attendance::organiser(self, meetup_id, maillage_model::clock::now()).await
    }

    async fn attestation(&self, code: &str) -> StoreResult<Option<Attestation>> {
        attendance::by_code(self, code, maillage_model::clock::now()).await
    }

    async fn aggregate(&self, meetup_id: &str) -> StoreResult<MeetupAggregate> {
        meetups::aggregate(self, meetup_id).await
    }

    async fn aggregates(&self) -> StoreResult<LiveAggregates> {
        meetups::aggregates(self).await
    }

    async fn purge(&self, cutoffs: PurgeCutoffs) -> StoreResult<PurgeSummary> {
        purge::purge_expired(self, cutoffs).await
    }

    async fn repair(&self, meetup_id: &str, now: DateTime<Utc>) -> StoreResult<RepairSummary> {
        self.repair_meetup(meetup_id, now).await
    }
}
