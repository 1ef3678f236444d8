//! The meetup item: the one place where seats and the waiting list change.
//!
//! The item holds who has a seat (`seated`, a map from registration hash to
//! arrival number), who waits (`queue`, a string set of
//! `<arrival, 10 digits>:<registration hash>`, in arrival order once
//! sorted), which registrations ended (`cancelled`, a string set of token
//! hashes) and which call cancelled each (`ended_by`, `<token hash>:<call>`),
//! and the counters, which are the sizes of `seated` and `queue` written in
//! the same updates. Every change of a place is one conditional
//! `UpdateItem` on this item, so it is atomic by itself:
//!
//! - **place** a registration: add it to `seated` if a seat is free and
//!   nobody waits, else to the end of `queue`, unless it is already placed
//!   or its token has ended. A queue place takes the arrival number after
//!   the last one given, under the condition that no other place was given
//!   since the item was read: so a new place is always at the end, and the
//!   head of the queue only changes when it leaves. A retry of a write whose
//!   answer was lost finds its own place (`ReturnValuesOnConditionCheckFailure`
//!   returns the item) and never takes a second one.
//! - **release** one: a seat goes to the head of the queue in the same
//!   write, only while the seats taken do not exceed the capacity (after a
//!   capacity cut, nobody is promoted until they are back within it); a
//!   waiting place leaves the queue. A retry after a lost answer tells its
//!   own cancellation from another call's by `ended_by`.
//! - **promote** the head of the queue into a free seat (a capacity grew).
//! - **end** a registration that never got a place (its request died),
//!   under the condition that no place was given since it was seen unplaced.
//!
//! Each write is conditioned on what it read, and a refused write returns
//! the item as it is, to decide again without another read. Sets and a map
//! rather than lists: removing a member needs no index, and a promotion
//! removes one seat holder and adds another in one update (two different
//! keys of the map).

use std::collections::{BTreeMap, HashMap, HashSet};

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::items::{self, meta, Item, META_SK};
use super::retry::{backend, random_u64, Backoff};
use super::DynamoStore;
use maillage_model::store::{RegistrationStatus, StoreError, StoreResult};

/// The meetup item, read.
#[derive(Debug, Clone, Default)]
pub(super) struct MeetupState {
    pub seats: u32,
    pub confirmed: u32,
    pub waiting: u32,
    /// The last arrival number given.
    pub arrivals: u64,
    /// Registration hash to arrival number.
    pub seated: HashMap<String, u64>,
    /// Arrival number to registration hash: the waiting list, in order.
    pub queue: BTreeMap<u64, String>,
    pub cancelled: HashSet<String>,
    /// `<token hash>:<call>` of each cancellation.
    pub ended_by: HashSet<String>,
    /// False when only the counters were read ([`read_counters`]).
    pub whole: bool,
}

/// Where a registration stands, by the meetup item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Standing {
    Confirmed,
    /// 1-based position on the waiting list.
    Waiting(u32),
    Cancelled,
    /// Neither placed nor ended: its request is still running, or died.
    Unplaced,
}

impl Standing {
    /// What the person is told; `None` while unplaced.
    pub(super) fn status(self) -> Option<RegistrationStatus> {
        match self {
            Standing::Confirmed => Some(RegistrationStatus::Confirmed),
            Standing::Waiting(position) => Some(RegistrationStatus::Waiting { position }),
            Standing::Cancelled => Some(RegistrationStatus::Cancelled),
            Standing::Unplaced => None,
        }
    }
}

fn malformed(name: &str) -> StoreError {
    StoreError::Malformed(format!("item: {name}"))
}

fn string_set(item: &Item, name: &str) -> StoreResult<Vec<String>> {
    match item.get(name) {
        None => Ok(Vec::new()),
        Some(AttributeValue::Ss(values)) => Ok(values.clone()),
        Some(_) => Err(malformed(name)),
    }
}

/// A waiting-list member: `<arrival, 10 digits>:<registration hash>`.
fn queue_member(arrival: u64, email_hash: &str) -> String {
    format!("{arrival:010}:{email_hash}")
}

impl MeetupState {
    pub(super) fn parse(item: &Item) -> StoreResult<MeetupState> {
        let seated = match item.get(meta::SEATED) {
            None => HashMap::new(),
            Some(AttributeValue::M(entries)) => entries
                .iter()
                .map(|(hash, arrival)| match arrival {
                    AttributeValue::N(n) => n
                        .parse()
                        .map(|n| (hash.clone(), n))
                        .map_err(|_| malformed(meta::SEATED)),
                    _ => Err(malformed(meta::SEATED)),
                })
                .collect::<StoreResult<_>>()?,
            Some(_) => return Err(malformed(meta::SEATED)),
        };
        let queue = string_set(item, meta::QUEUE)?
            .iter()
            .map(|member| {
                let (arrival, hash) = member
                    .split_once(':')
                    .ok_or_else(|| malformed(meta::QUEUE))?;
                let arrival = arrival.parse().map_err(|_| malformed(meta::QUEUE))?;
                Ok((arrival, hash.to_string()))
            })
            .collect::<StoreResult<_>>()?;
        Ok(MeetupState {
            seats: items::get_u32(item, meta::SEATS)?,
            confirmed: items::get_u32(item, meta::CONFIRMED)?,
            waiting: items::get_u32(item, meta::WAITING)?,
            arrivals: u64::try_from(items::opt_n(item, meta::ARRIVALS).unwrap_or(0)).unwrap_or(0),
            seated,
            queue,
            cancelled: string_set(item, meta::CANCELLED)?.into_iter().collect(),
            ended_by: string_set(item, meta::ENDED_BY)?.into_iter().collect(),
            whole: true,
        })
    }

    /// The registration `email_hash` whose token hashes to `token_hash`.
    pub(super) fn standing(&self, email_hash: &str, token_hash: &str) -> Standing {
        if self.cancelled.contains(token_hash) {
            Standing::Cancelled
        } else if self.seated.contains_key(email_hash) {
            Standing::Confirmed
        } else if let Some(index) = self.queue.values().position(|hash| hash == email_hash) {
            Standing::Waiting(u32::try_from(index + 1).unwrap_or(u32::MAX))
        } else {
            Standing::Unplaced
        }
    }

    /// The arrival number of a placed registration.
    pub(super) fn arrival(&self, email_hash: &str) -> Option<u64> {
        self.seated.get(email_hash).copied().or_else(|| {
            self.queue
                .iter()
                .find(|(_, hash)| *hash == email_hash)
                .map(|(arrival, _)| *arrival)
        })
    }

    /// Every registration hash holding a place.
    pub(super) fn placed(&self) -> impl Iterator<Item = &str> {
        self.seated
            .keys()
            .map(String::as_str)
            .chain(self.queue.values().map(String::as_str))
    }

    /// Whether the next registration takes a seat (else it waits).
    fn seat_free(&self) -> bool {
        self.confirmed < self.seats && self.waiting == 0
    }

    /// The head of the queue: its arrival number and hash.
    fn head(&self) -> Option<(u64, &str)> {
        self.queue
            .iter()
            .next()
            .map(|(arrival, hash)| (*arrival, hash.as_str()))
    }
}

/// The meetup item, read consistently; `None` for a meetup never synced.
pub(super) async fn read(store: &DynamoStore, pk: &str) -> StoreResult<Option<MeetupState>> {
    match store.get(items::key(pk, META_SK)).await? {
        Some(item) => MeetupState::parse(&item).map(Some),
        None => Ok(None),
    }
}

/// The meetup item's counters only (its lists left out): enough to decide
/// a new registration's place, whose write then says where it stands.
pub(super) async fn read_counters(
    store: &DynamoStore,
    pk: &str,
) -> StoreResult<Option<MeetupState>> {
    let output = store
        .client
        .get_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(pk, META_SK)))
        .projection_expression("#seats, #c, #w, #a")
        .expression_attribute_names("#seats", meta::SEATS)
        .expression_attribute_names("#c", meta::CONFIRMED)
        .expression_attribute_names("#w", meta::WAITING)
        .expression_attribute_names("#a", meta::ARRIVALS)
        .consistent_read(true)
        .send()
        .await
        .map_err(|error| backend("reading a meetup's counters", error))?;
    let Some(item) = output.item else {
        return Ok(None);
    };
    Ok(Some(MeetupState {
        whole: false,
        ..MeetupState::parse(&item)?
    }))
}

/// A registration's place, once written.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placed {
    pub standing: Standing,
    /// Its arrival number (`None` once it has ended).
    pub arrival: Option<u64>,
}

/// Gives the registration `email_hash` (token `token_hash`) a seat or a
/// waiting place, or finds the one it has. `state` is the item as last
/// read. Its lists' personal data expires at `lists_expire_at`.
pub(super) async fn place(
    store: &DynamoStore,
    pk: &str,
    email_hash: &str,
    token_hash: &str,
    lists_expire_at: i64,
    mut state: MeetupState,
) -> StoreResult<Placed> {
    let _one_at_a_time = store.gate.counters(pk).lock().await;
    let mut backoff = Backoff::for_conflicts();
    let mut conflicts = 0u32;
    loop {
        let standing = state.standing(email_hash, token_hash);
        if standing != Standing::Unplaced {
            return Ok(Placed {
                standing,
                arrival: state.arrival(email_hash),
            });
        }
        let seat = state.seat_free();
        if !seat && !state.whole {
            // A queue place is taken on the condition that nobody was placed
            // since the item was read, and on what that read showed: that
            // this registration is not waiting already.
            state = read(store, pk)
                .await?
                .ok_or_else(|| StoreError::UnknownMeetup(String::new()))?;
            continue;
        }
        let write = if seat {
            Write::new(
                "SET #seated.#h = #a + :one, #a = #a + :one, #c = #c + :one, #lexp = :lexp",
                "attribute_not_exists(#seated.#h) AND NOT contains(#cancelled, :t) \
                 AND #c < #seats AND #w = :zero",
            )
        } else {
            // Nobody placed since `state` was read: the new place is at the
            // end, and this registration is not in the queue (it was not
            // then). A seat placement needs no such condition: it requires
            // an empty queue.
            let arrival = state.arrivals + 1;
            Write::new(
                "ADD #queue :member SET #a = :arrival, #w = #w + :one, #lexp = :lexp",
                "#a = :last AND attribute_not_exists(#seated.#h) \
                 AND NOT contains(#cancelled, :t) AND (#c >= #seats OR #w > :zero)",
            )
            .value(
                ":member",
                AttributeValue::Ss(vec![queue_member(arrival, email_hash)]),
            )
            .value(":arrival", items::n(arrival))
            .value(":last", items::n(state.arrivals))
        }
        .name("#h", email_hash)
        .value(":t", items::s(token_hash))
        .value(":lexp", items::n(lists_expire_at))
        .returning(ReturnValue::UpdatedNew);
        match write.send(store, pk, "taking a place").await? {
            Written::Applied(updated) => {
                // Placed at the end: its position is the new count.
                let count = |name| items::get_u32(&updated, name);
                let arrival = items::get_n(&updated, meta::ARRIVALS)?;
                return Ok(Placed {
                    standing: match seat {
                        true => Standing::Confirmed,
                        false => Standing::Waiting(count(meta::WAITING)?),
                    },
                    arrival: u64::try_from(arrival).ok(),
                });
            }
            Written::Refused(Some(item)) => {
                state = MeetupState::parse(&item)?;
                // Either this very write applied before (its answer was
                // lost), which the next turn sees, or places were given
                // meanwhile: decide again at once, waiting only when that
                // keeps happening.
                if state.standing(email_hash, token_hash) == Standing::Unplaced {
                    conflicts += 1;
                    if conflicts > 2 {
                        backoff.wait("taking a place").await?;
                    }
                }
            }
            Written::Refused(None) => return Err(StoreError::UnknownMeetup(String::new())),
        }
    }
}

/// What releasing a registration's place did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Released {
    /// Ended now; the seat went to this registration hash, if any.
    Cancelled { promoted: Option<String> },
    /// Ended before.
    AlreadyCancelled,
    /// It has no place (its request is still running, or died).
    Unplaced,
}

/// Ends the registration `email_hash` (token `token_hash`): a waiting place
/// leaves the queue; a seat goes to the head of the queue if the seats taken
/// are within the capacity, else back to the pool.
pub(super) async fn release(
    store: &DynamoStore,
    pk: &str,
    email_hash: &str,
    token_hash: &str,
    mut state: MeetupState,
) -> StoreResult<Released> {
    let _one_at_a_time = store.gate.counters(pk).lock().await;
    // Names this call in the item, so that a retry after a lost answer
    // knows whether the cancellation it finds is its own.
    let by = format!("{token_hash}:{:016x}", random_u64());
    let mut backoff = Backoff::for_conflicts();
    loop {
        let mut promoted = None;
        let write = match state.standing(email_hash, token_hash) {
            Standing::Cancelled => return Ok(Released::AlreadyCancelled),
            Standing::Unplaced => return Ok(Released::Unplaced),
            Standing::Waiting(_) => {
                let arrival = state.arrival(email_hash).unwrap_or_default();
                Write::new(
                    "DELETE #queue :member SET #w = #w - :one ADD #cancelled :ended, #by :by",
                    "contains(#queue, :member_name) AND NOT contains(#cancelled, :t)",
                )
                .value(
                    ":member",
                    AttributeValue::Ss(vec![queue_member(arrival, email_hash)]),
                )
                .value(":member_name", items::s(queue_member(arrival, email_hash)))
            }
            Standing::Confirmed => match state.head() {
                Some((arrival, head)) if state.confirmed <= state.seats => {
                    promoted = Some(head.to_string());
                    Write::new(
                        "REMOVE #seated.#h DELETE #queue :member \
                         SET #seated.#head = :arrival, #w = #w - :one \
                         ADD #cancelled :ended, #by :by",
                        "attribute_exists(#seated.#h) AND contains(#queue, :member_name) \
                         AND #c <= #seats AND NOT contains(#cancelled, :t)",
                    )
                    .name("#head", head)
                    .value(":arrival", items::n(arrival))
                    .value(
                        ":member",
                        AttributeValue::Ss(vec![queue_member(arrival, head)]),
                    )
                    .value(":member_name", items::s(queue_member(arrival, head)))
                }
                _ => Write::new(
                    "REMOVE #seated.#h SET #c = #c - :one ADD #cancelled :ended, #by :by",
                    "attribute_exists(#seated.#h) AND NOT contains(#cancelled, :t) \
                     AND (#c > #seats OR #w = :zero)",
                ),
            },
        }
        .name("#h", email_hash)
        .value(":t", items::s(token_hash))
        .value(":by", AttributeValue::Ss(vec![by.clone()]))
        .value(":ended", AttributeValue::Ss(vec![token_hash.to_string()]));
        match write.send(store, pk, "cancelling").await? {
            Written::Applied(_) => return Ok(Released::Cancelled { promoted }),
            Written::Refused(Some(item)) => {
                state = MeetupState::parse(&item)?;
                if state.cancelled.contains(token_hash) {
                    // Ended: by this very call, whose earlier attempt's
                    // answer was lost, or by another (the link clicked twice).
                    return Ok(match state.ended_by.contains(&by) {
                        true => Released::Cancelled { promoted },
                        false => Released::AlreadyCancelled,
                    });
                }
            }
            Written::Refused(None) => {
                return Err(StoreError::backend("a registration's meetup is missing"))
            }
        }
        backoff.wait("cancelling a registration").await?;
    }
}

/// Moves the head of the queue into free seats, one write each, while the
/// seats taken are below the capacity. Returns the promoted hashes.
pub(super) async fn promote_to_capacity(
    store: &DynamoStore,
    pk: &str,
    mut state: MeetupState,
) -> StoreResult<Vec<String>> {
    let _one_at_a_time = store.gate.counters(pk).lock().await;
    let mut promoted = Vec::new();
    let mut backoff = Backoff::for_conflicts();
    while state.confirmed < state.seats {
        let Some((arrival, head)) = state.head() else {
            break;
        };
        let head = head.to_string();
        // No new place is ever ahead of the head: while it is in the
        // queue, it is the head.
        let write = Write::new(
            "DELETE #queue :member SET #seated.#head = :arrival, #c = #c + :one, #w = #w - :one",
            "contains(#queue, :member_name) AND #c < #seats",
        )
        .name("#head", &head)
        .value(":arrival", items::n(arrival))
        .value(
            ":member",
            AttributeValue::Ss(vec![queue_member(arrival, &head)]),
        )
        .value(":member_name", items::s(queue_member(arrival, &head)));
        match write
            .send(store, pk, "promoting from the waiting list")
            .await?
        {
            Written::Applied(item) => {
                promoted.push(head);
                state = MeetupState::parse(&item)?;
            }
            Written::Refused(Some(item)) => {
                state = MeetupState::parse(&item)?;
                backoff.wait("promoting from the waiting list").await?;
            }
            Written::Refused(None) => break,
        }
    }
    Ok(promoted)
}

/// Ends the registration `email_hash` (token `token_hash`) if `state`
/// shows it without a place (its request died), under the condition that no
/// place was given since `state` was read. True when it is ended (now or
/// before); false when it has a place.
pub(super) async fn end_unplaced(
    store: &DynamoStore,
    pk: &str,
    email_hash: &str,
    token_hash: &str,
    state: &MeetupState,
) -> StoreResult<bool> {
    match state.standing(email_hash, token_hash) {
        Standing::Cancelled => return Ok(true),
        Standing::Confirmed | Standing::Waiting(_) => return Ok(false),
        Standing::Unplaced if !state.whole => {
            return Err(StoreError::backend(
                "ending a registration needs the whole meetup item",
            ))
        }
        Standing::Unplaced => {}
    }
    let _one_at_a_time = store.gate.counters(pk).lock().await;
    let write = Write::new(
        "ADD #cancelled :ended",
        "attribute_exists(#pk) AND #a = :last",
    )
    .value(":last", items::n(state.arrivals))
    .value(":ended", AttributeValue::Ss(vec![token_hash.to_string()]));
    match write
        .send(store, pk, "ending an unfinished registration")
        .await?
    {
        Written::Applied(_) => Ok(true),
        Written::Refused(Some(item)) => {
            Ok(MeetupState::parse(&item)?.cancelled.contains(token_hash))
        }
        Written::Refused(None) => Ok(false),
    }
}

/// Sets the counters to the sizes of `seated` and `queue`, unless they
/// changed since `state` was read. True when they were corrected.
pub(super) async fn fix_counters(
    store: &DynamoStore,
    pk: &str,
    state: &MeetupState,
) -> StoreResult<bool> {
    let (confirmed, waiting) = (state.seated.len(), state.queue.len());
    if (state.confirmed as usize, state.waiting as usize) == (confirmed, waiting) {
        return Ok(false);
    }
    let _one_at_a_time = store.gate.counters(pk).lock().await;
    // An empty set is no attribute at all.
    let queue_as_read = if waiting == 0 {
        "attribute_not_exists(#queue)"
    } else {
        "size(#queue) = :waiting"
    };
    let write = Write::new(
        "SET #c = :confirmed, #w = :waiting",
        &format!("size(#seated) = :confirmed AND {queue_as_read}"),
    )
    .value(":confirmed", items::n(confirmed))
    .value(":waiting", items::n(waiting));
    Ok(matches!(
        write.send(store, pk, "correcting the counters").await?,
        Written::Applied(_)
    ))
}

/// How a conditional write on the meetup item ended.
pub(super) enum Written {
    /// Applied: the item after it.
    Applied(Item),
    /// Refused by its condition: the item as it is (`None`: no item).
    Refused(Option<Item>),
}

/// One conditional update of the meetup item.
struct Write {
    expression: String,
    condition: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    returns: ReturnValue,
}

/// Every alias the meetup item's expressions use, and the attribute each
/// stands for; a request carries only those its expressions use.
const NAMES: [(&str, &str); 10] = [
    ("#pk", items::PK),
    ("#seats", meta::SEATS),
    ("#c", meta::CONFIRMED),
    ("#w", meta::WAITING),
    ("#a", meta::ARRIVALS),
    ("#seated", meta::SEATED),
    ("#queue", meta::QUEUE),
    ("#cancelled", meta::CANCELLED),
    ("#lexp", meta::LISTS_EXPIRE_AT),
    ("#by", meta::ENDED_BY),
];

/// Whether `alias` occurs in `text` as a whole word (`#c` is not in `#cancelled`).
fn mentions(text: &str, alias: &str) -> bool {
    text.match_indices(alias).any(|(at, _)| {
        !text[at + alias.len()..]
            .chars()
            .next()
            .is_some_and(|next| next.is_ascii_alphanumeric() || next == '_')
    })
}

impl Write {
    fn new(expression: &str, condition: &str) -> Write {
        Write {
            expression: expression.to_string(),
            condition: condition.to_string(),
            names: HashMap::new(),
            values: HashMap::new(),
            returns: ReturnValue::AllNew,
        }
    }

    /// What an applied write returns (the whole item unless told).
    fn returning(mut self, returns: ReturnValue) -> Write {
        self.returns = returns;
        self
    }

    /// An alias for a map key (a registration hash).
    fn name(mut self, alias: &str, name: &str) -> Write {
        self.names.insert(alias.to_string(), name.to_string());
        self
    }

    fn value(mut self, alias: &str, value: AttributeValue) -> Write {
        self.values.insert(alias.to_string(), value);
        self
    }

    fn request(
        &self,
        store: &DynamoStore,
        pk: &str,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        let text = format!("{} {}", self.expression, self.condition);
        let names: HashMap<String, String> = NAMES
            .iter()
            .map(|(alias, name)| (alias.to_string(), name.to_string()))
            .chain(self.names.clone())
            .filter(|(alias, _)| mentions(&text, alias))
            .collect();
        let mut values: HashMap<String, AttributeValue> = self
            .values
            .iter()
            .filter(|(alias, _)| mentions(&text, alias))
            .map(|(alias, value)| (alias.clone(), value.clone()))
            .collect();
        for (alias, number) in [(":one", 1), (":zero", 0)] {
            if mentions(&text, alias) {
                values.insert(alias.to_string(), items::n(number));
            }
        }
        store
            .client
            .update_item()
            .table_name(store.table.as_ref())
            .set_key(Some(items::key(pk, META_SK)))
            .update_expression(&self.expression)
            .condition_expression(&self.condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .return_values(self.returns.clone())
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
    }

    /// Sends the write; the caller holds the meetup's lock (`Gate::counters`).
    async fn send(&self, store: &DynamoStore, pk: &str, context: &str) -> StoreResult<Written> {
        written(self.request(store, pk).send().await, context)
    }
}

fn written<R>(
    result: Result<
        aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
        aws_sdk_dynamodb::error::SdkError<UpdateItemError, R>,
    >,
    context: &str,
) -> StoreResult<Written>
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(output) => Ok(Written::Applied(output.attributes.unwrap_or_default())),
        Err(error) => match error.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(refused)) => {
                Ok(Written::Refused(refused.item().cloned()))
            }
            _ => Err(backend(context, error)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_found_as_whole_words() {
        assert!(mentions("SET #c = #c + :one", "#c"));
        assert!(!mentions("ADD #cancelled :ended", "#c"));
        assert!(mentions("ADD #cancelled :ended", "#cancelled"));
        assert!(mentions("#queue[0] = :head", "#queue"));
        assert!(!mentions(":head_list", ":head"));
    }

    #[test]
    fn standing_comes_from_the_item() {
        let state = MeetupState {
            seats: 1,
            confirmed: 1,
            waiting: 2,
            arrivals: 4,
            seated: HashMap::from([("a".to_string(), 1)]),
            queue: BTreeMap::from([(4, "c".to_string()), (3, "b".to_string())]),
            cancelled: HashSet::from(["t-d".to_string()]),
            ended_by: HashSet::new(),
            whole: true,
        };
        assert_eq!(state.standing("a", "t-a"), Standing::Confirmed);
        assert_eq!(state.standing("b", "t-b"), Standing::Waiting(1));
        assert_eq!(state.standing("c", "t-c"), Standing::Waiting(2));
        assert_eq!(state.standing("d", "t-d"), Standing::Cancelled);
        assert_eq!(state.standing("e", "t-e"), Standing::Unplaced);
        assert_eq!(state.head(), Some((3, "b")));
        assert_eq!(state.arrival("c"), Some(4));
        assert!(!state.seat_free());
    }

    #[test]
    fn queue_members_sort_by_arrival() {
        assert!(queue_member(9, "zz") < queue_member(10, "aa"));
        assert_eq!(queue_member(42, "ab"), "0000000042:ab");
    }
}
