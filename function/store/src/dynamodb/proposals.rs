//! Meetup proposals: one item each in their region's partition (the
//! coordinator's page reads it with one `Query`), holding the proposer's
//! name and email until `expires_at`; and the meetups accepted proposals
//! became, in one partition without expiry (`maillage export` reads it
//! whole). A decision is one transaction: the proposal's update, on
//! condition that it is still pending, and the accepted meetup's put, on
//! condition that no meetup has its id.

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};

use super::items::{self, kind, Item, EXPIRES_AT};
use super::retry::{classify, Backoff, Failure};
use super::transact::{self, Expressions};
use super::{names, values, DynamoStore};
use maillage_model::proposal::{AcceptedMeetup, Decision, DecisionOutcome, Proposal};
use maillage_model::store::{StoreError, StoreResult};

const PROPOSALS_PREFIX: &str = "PROPOSALS#";
const PROPOSAL_PREFIX: &str = "P#";
const ACCEPTED_PK: &str = "ACCEPTED";
/// The proposal or the accepted meetup, as JSON.
const BODY: &str = "body";
/// The request that decided the proposal.
const DECIDED_BY: &str = "decided_by";

fn proposal_key(region: &str, id: &str) -> Item {
    items::key(
        format!("{PROPOSALS_PREFIX}{region}"),
        format!("{PROPOSAL_PREFIX}{id}"),
    )
}

fn encode(value: Result<String, serde_json::Error>, what: &str) -> StoreResult<String> {
    value.map_err(|error| StoreError::caused(format!("encoding {what}"), error))
}

fn parse(item: &Item) -> StoreResult<Proposal> {
    serde_json::from_str(items::get_s(item, BODY)?)
        .map_err(|_| StoreError::Malformed("item: proposal".into()))
}

fn parse_accepted(item: &Item) -> StoreResult<AcceptedMeetup> {
    serde_json::from_str(items::get_s(item, BODY)?)
        .map_err(|_| StoreError::Malformed("item: accepted meetup".into()))
}

pub(super) async fn submit(store: &DynamoStore, proposal: &Proposal) -> StoreResult<bool> {
    let mut item = proposal_key(&proposal.region, &proposal.id);
    item.insert(items::KIND.into(), items::s(kind::PROPOSAL));
    item.insert(
        BODY.into(),
        items::s(encode(serde_json::to_string(proposal), "a proposal")?),
    );
    item.insert(
        EXPIRES_AT.into(),
        items::n(items::epoch_seconds(proposal.expires_at)),
    );
    let result = store
        .client
        .put_item()
        .table_name(store.table.as_ref())
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", items::PK)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        // The same form sent again (or its retry after a lost answer): the
        // first one stays.
        Err(error) => match classify("storing a proposal", error) {
            Failure::ConditionFailed => Ok(false),
            Failure::Conflict => Err(StoreError::backend("storing a proposal: conflict")),
            Failure::Backend(error) => Err(error),
        },
    }
}

pub(super) async fn of_region(
    store: &DynamoStore,
    region: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Proposal>> {
    let found = store
        .query_partition(&format!("{PROPOSALS_PREFIX}{region}"), None)
        .await?;
    let mut proposals = found
        .iter()
        .filter(|item| !items::is_expired(item, now))
        .map(parse)
        .collect::<StoreResult<Vec<_>>>()?;
    proposals.sort_by_key(|p| p.submitted_at);
    Ok(proposals)
}

pub(super) async fn decide(
    store: &DynamoStore,
    decision: &Decision,
    now: DateTime<Utc>,
) -> StoreResult<DecisionOutcome> {
    let key = proposal_key(&decision.region, &decision.proposal);
    let mut backoff = Backoff::for_conflicts();
    loop {
        let Some(item) = store.get(key.clone()).await? else {
            return Ok(DecisionOutcome::Unknown);
        };
        if items::is_expired(&item, now) {
            return Ok(DecisionOutcome::Unknown);
        }
        let mut proposal = parse(&item)?;
        if let Some(decided_by) = items::opt_s(&item, DECIDED_BY) {
            // Decided: by this request (its answer was lost), or another.
            return Ok(if decided_by == decision.request {
                DecisionOutcome::Decided(proposal)
            } else {
                DecisionOutcome::AlreadyDecided(proposal)
            });
        }
        decision.apply(&mut proposal);
        let mut writes = vec![transact::update(
            store,
            key.clone(),
            "SET #body = :body, #by = :by",
            Some("attribute_exists(#pk) AND attribute_not_exists(#by)"),
            Expressions {
                names: names([("#body", BODY), ("#by", DECIDED_BY), ("#pk", items::PK)]),
                values: values([
                    (
                        ":body",
                        items::s(encode(serde_json::to_string(&proposal), "a proposal")?),
                    ),
                    (":by", items::s(&decision.request)),
                ]),
            },
        )?];
        if let Some(meetup) = &decision.accepted {
            writes.push(accepted_put(store, meetup)?);
        }
        if transact::send(store, writes, "deciding a proposal").await? {
            return Ok(DecisionOutcome::Decided(proposal));
        }
        // Refused: decided meanwhile (read again above), a conflict, or
        // another accepted meetup has the id (no retry mends that).
        if let Some(meetup) = &decision.accepted {
            if let Some(taken) = store.get(items::key(ACCEPTED_PK, &meetup.id)).await? {
                if parse_accepted(&taken)?.proposal != decision.proposal {
                    return Err(StoreError::backend(format!(
                        "deciding a proposal: the meetup id {:?} is taken",
                        meetup.id
                    )));
                }
            }
        }
        backoff.wait("deciding a proposal").await?;
    }
}

/// The accepted meetup's item, on condition that no meetup has its id.
fn accepted_put(store: &DynamoStore, meetup: &AcceptedMeetup) -> StoreResult<TransactWriteItem> {
    let mut item = items::key(ACCEPTED_PK, &meetup.id);
    item.insert(items::KIND.into(), items::s(kind::ACCEPTED));
    item.insert(
        BODY.into(),
        items::s(encode(serde_json::to_string(meetup), "an accepted meetup")?),
    );
    transact::put_new(store, item)
}

pub(super) async fn accepted(store: &DynamoStore) -> StoreResult<Vec<AcceptedMeetup>> {
    store
        .query_partition(ACCEPTED_PK, None)
        .await?
        .iter()
        .map(parse_accepted)
        .collect()
}
