//! A randomized campaign against the DynamoDB store under faults: store
//! instances on separate clients, behind the fault proxy, register and
//! cancel on many meetups at once while answers are lost, requests are
//! delayed and capacities change; every promise the store makes is
//! checked as it goes and at the end.
//!
//! Each meetup has a driver running rounds one after another; a round's
//! operations run at once, each on a random instance, and the driver then
//! compares the answers with what the store shows (the organiser's list
//! and the public counters). All drivers run at the same time, and
//! observers read the counters of random meetups throughout.
//!
//! Rounds are of three kinds:
//! - **registrations** (new people, people coming back after cancelling,
//!   double submissions): the seats given are exactly the free ones, and
//!   the waiting ranks given are exactly the next ones, each once;
//! - **cancellations**, with a capacity change now and then: the people
//!   promoted are the head of the waiting list, in order, each once;
//! - **mixed**: both at once.
//!
//! After every round, and at the end: the counters equal the list's
//! states, the waiting positions are 1 to N each once, nobody is listed
//! twice, every answer given holds (a confirmed person stays confirmed
//! unless they cancelled; a waiting one only moves up), and the confirmed
//! never exceed the capacity (after a cut, never more than before it). At
//! the end, a repair finds nothing to mend but registrations whose every
//! attempt failed.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use maillage_model::clock;
use maillage_model::meetup::MeetupDefinition;
use maillage_store::dynamodb::DynamoStore;
use maillage_store::{
    CancelOutcome, NewRegistration, RegistrationOutcome, RegistrationStatus, Store,
};
use tokio::sync::RwLock;

use super::common::conformance::{meetup, registration};
use super::faults::{Action, FaultProxy, Rule, RuleId};

/// The size and the faults of a campaign.
#[derive(Debug, Clone)]
pub struct Plan {
    pub meetups: usize,
    pub instances: usize,
    /// Registrations and cancellations to make, at least.
    pub operations: usize,
    /// The share of writes whose answer is lost after they applied.
    pub lost_answers: f64,
    /// The share of requests delayed (by 5 to 200 ms).
    pub delays: f64,
    pub seed: u64,
}

/// What a campaign did.
#[derive(Debug, Default)]
pub struct Report {
    /// Registration and cancellation requests made.
    pub operations: u64,
    pub registrations: u64,
    pub already_registered: u64,
    pub cancellations: u64,
    pub already_cancelled: u64,
    pub promotions: u64,
    pub capacity_changes: u64,
    pub capacity_cuts: u64,
    /// Operations that answered an error (nothing promised).
    pub errors: u64,
    pub lost_answers: u64,
    pub delayed: u64,
    pub observations: u64,
    pub rounds: u64,
    pub longest_queue: u32,
    pub requests: u64,
    /// Registrations left without a place by requests whose every attempt
    /// failed, ended by the final repair.
    pub unfinished: u64,
    pub elapsed: Duration,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} registrations and cancellations made: {} registrations ({} already \
             registered), {} cancellations ({} already cancelled, {} promotions), \
             {} capacity changes ({} cuts), {} rounds; faults: {} lost answers, {} delayed \
             requests; {} errors answered (nothing promised), {} unfinished registrations \
             ended by the repair; {} observations of the counters; longest waiting list {}; \
             {} requests in {:.1} s",
            self.operations,
            self.registrations,
            self.already_registered,
            self.cancellations,
            self.already_cancelled,
            self.promotions,
            self.capacity_changes,
            self.capacity_cuts,
            self.rounds,
            self.lost_answers,
            self.delayed,
            self.errors,
            self.unfinished,
            self.observations,
            self.longest_queue,
            self.requests,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Repeatable pseudo-random numbers (xorshift64*).
#[derive(Debug, Clone)]
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// One person of a meetup, as the driver knows them.
#[derive(Debug, Clone)]
struct Person {
    n: usize,
    /// The token of their registration, once acknowledged.
    token: Option<String>,
    /// What the store last showed or answered.
    known: Known,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// Never registered, or cancelled: may register (again).
    Out,
    Confirmed,
    Waiting(u32),
    /// An operation answered an error: the next view says.
    Unsure,
}

/// What the store shows of a meetup at a barrier.
#[derive(Debug, Clone, Default)]
struct View {
    confirmed: u32,
    waiting: u32,
    /// Email to status, for the registrations listed (cancelled included).
    statuses: HashMap<String, RegistrationStatus>,
    /// Emails waiting, in order.
    queue: Vec<String>,
}

/// Shared between a meetup's driver and the observers.
struct Meetup {
    definition: Mutex<MeetupDefinition>,
    /// Held for writing while the capacity changes.
    capacity: RwLock<()>,
    /// The most confirmed people there may be: the capacity, or after a
    /// cut the confirmed at the time (which can only go down until back
    /// within the capacity).
    bound: AtomicU64,
}

struct Campaign {
    plan: Plan,
    stores: Vec<DynamoStore>,
    meetups: Vec<Arc<Meetup>>,
    report: Mutex<Report>,
    failures: Mutex<Vec<String>>,
    operations_left: AtomicU64,
    next_person: AtomicU64,
}

fn email(n: usize) -> String {
    format!("personne{n}@example.org")
}

fn person_of(email: &str) -> usize {
    email
        .trim_start_matches("personne")
        .trim_end_matches("@example.org")
        .parse()
        .unwrap_or(usize::MAX)
}

macro_rules! fail {
    ($campaign:expr, $($arg:tt)*) => {{
        let message = format!($($arg)*);
        eprintln!("CAMPAIGN FAILURE: {message}");
        $campaign.failures.lock().unwrap().push(message);
    }};
}

/// Runs the campaign on a fresh table of moto's server behind a fault
/// proxy; `None` when moto is missing (and allowed to be). Every broken
/// promise is listed in the panic message.
pub async fn run(plan: Plan, table: &str, moto_endpoint: &str) -> Report {
    let started = Instant::now();
    let proxy = FaultProxy::new(moto_endpoint, plan.seed);
    let mut stores = Vec::new();
    for i in 0..plan.instances {
        stores.push(proxy.store(&format!("i{i}"), table).await);
    }
    let writes = [
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "TransactWriteItems",
        "BatchWriteItem",
    ];
    let lost: RuleId = proxy.add(
        Rule::new(None, &writes, Action::LoseAnswer)
            .times(None)
            .with_probability(plan.lost_answers),
    );
    let delays: Vec<RuleId> = [5, 20, 60, 200]
        .iter()
        .map(|ms| {
            proxy.add(
                Rule::new(None, &[], Action::Delay(Duration::from_millis(*ms)))
                    .times(None)
                    .with_probability(plan.delays / 4.0),
            )
        })
        .collect();

    let mut random = Random(plan.seed | 1);
    let mut meetups = Vec::new();
    let mut definitions = Vec::new();
    for m in 0..plan.meetups {
        let definition = meetup(&format!("c{m}"), 2 + random.below(12) as u32);
        meetups.push(Arc::new(Meetup {
            definition: Mutex::new(definition.clone()),
            capacity: RwLock::new(()),
            bound: AtomicU64::new(definition.capacity.into()),
        }));
        definitions.push(definition);
    }
    stores[0]
        .put_meetups(&definitions)
        .await
        .expect("syncing the meetups");
    let campaign = Arc::new(Campaign {
        operations_left: AtomicU64::new(plan.operations as u64),
        plan,
        stores,
        meetups,
        report: Mutex::new(Report::default()),
        failures: Mutex::new(Vec::new()),
        next_person: AtomicU64::new(0),
    });

    let observing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let observer = {
        let campaign = campaign.clone();
        let observing = observing.clone();
        let mut random = Random(random.next() | 1);
        tokio::spawn(async move {
            while observing.load(Ordering::Relaxed) {
                observe(&campaign, &mut random).await;
            }
        })
    };
    let mut drivers = tokio::task::JoinSet::new();
    for index in 0..campaign.meetups.len() {
        let campaign = campaign.clone();
        let random = Random(random.next() | 1);
        drivers.spawn(async move { drive(&campaign, index, random).await });
    }
    while let Some(done) = drivers.join_next().await {
        if let Err(error) = done {
            fail!(campaign, "a driver failed: {error}");
        }
    }
    observing.store(false, Ordering::Relaxed);
    observer.await.unwrap();

    // The end: faults off, every meetup checked once more, then repaired.
    let lost_answers = proxy.fired(lost).into();
    let delayed = delays.iter().map(|id| u64::from(proxy.fired(*id))).sum();
    proxy.clear();
    for index in 0..campaign.meetups.len() {
        finish(&campaign, index).await;
    }

    let mut report = std::mem::take(&mut *campaign.report.lock().unwrap());
    report.lost_answers = lost_answers;
    report.delayed = delayed;
    report.requests = proxy.requests();
    report.elapsed = started.elapsed();
    let failures = campaign.failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} broken promises (seed {}):\n{}\n{report}",
        failures.len(),
        campaign.plan.seed,
        failures.join("\n")
    );
    report
}

/// Reads one meetup's counters on a random instance and checks them
/// against the capacity.
async fn observe(campaign: &Campaign, random: &mut Random) {
    let index = random.below(campaign.meetups.len());
    let meetup = &campaign.meetups[index];
    let id = meetup.definition.lock().unwrap().id.clone();
    let store = &campaign.stores[random.below(campaign.stores.len())];
    let _steady = meetup.capacity.read().await;
    let Ok(aggregate) = store.aggregate(&id).await else {
        return; // A read that failed observed nothing.
    };
    check_bound(campaign, &id, meetup, aggregate.confirmed);
    campaign.report.lock().unwrap().observations += 1;
}

/// What the store shows of a meetup, read on one instance with faults off
/// for reads (reads are retried until they answer).
async fn view(store: &DynamoStore, id: &str) -> View {
    let (aggregate, registrants) = loop {
        match (store.aggregate(id).await, store.registrants(id).await) {
            (Ok(aggregate), Ok(registrants)) => break (aggregate, registrants),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    let mut view = View {
        confirmed: aggregate.confirmed,
        waiting: aggregate.waiting,
        ..View::default()
    };
    let mut waiting: BTreeMap<u32, String> = BTreeMap::new();
    for registrant in registrants {
        if let RegistrationStatus::Waiting { position } = registrant.status {
            waiting.insert(position, registrant.email.clone());
        }
        view.statuses.insert(registrant.email, registrant.status);
    }
    view.queue = waiting.into_values().collect();
    view
}

/// The checks every barrier makes on a view.
fn check_view(campaign: &Campaign, id: &str, view: &View, meetup: &Meetup) {
    let listed_confirmed = view
        .statuses
        .values()
        .filter(|s| **s == RegistrationStatus::Confirmed)
        .count() as u32;
    let listed_waiting = view
        .statuses
        .values()
        .filter(|s| matches!(s, RegistrationStatus::Waiting { .. }))
        .count() as u32;
    if (view.confirmed, view.waiting) != (listed_confirmed, listed_waiting) {
        fail!(
            campaign,
            "{id}: counters ({}, {}) but the list has ({listed_confirmed}, {listed_waiting})",
            view.confirmed,
            view.waiting
        );
    }
    let positions: Vec<u32> = view
        .statuses
        .values()
        .filter_map(|s| match s {
            RegistrationStatus::Waiting { position } => Some(*position),
            _ => None,
        })
        .collect();
    let distinct: HashSet<u32> = positions.iter().copied().collect();
    if distinct.len() != positions.len()
        || distinct != (1..=positions.len() as u32).collect::<HashSet<_>>()
    {
        fail!(campaign, "{id}: waiting positions {positions:?}");
    }
    check_bound(campaign, id, meetup, view.confirmed);
}

/// Never more confirmed than the capacity (after a cut, than before it).
fn check_bound(campaign: &Campaign, id: &str, meetup: &Meetup, confirmed: u32) {
    let bound = meetup.bound.load(Ordering::SeqCst);
    if u64::from(confirmed) > bound {
        fail!(
            campaign,
            "{id}: {confirmed} confirmed, at most {bound} allowed"
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    Registrations,
    Cancellations,
    Mixed,
    /// A capacity change alone, as `maillage sync` makes it.
    Resize,
}

/// One operation of a round, and what it answered.
enum Done {
    Registered {
        n: usize,
        answer: Result<RegistrationOutcome, String>,
    },
    Cancelled {
        n: usize,
        answer: Result<CancelOutcome, String>,
    },
    Resized {
        cut: bool,
    },
}

/// Runs a meetup's rounds until the campaign's operations are spent.
async fn drive(campaign: &Arc<Campaign>, index: usize, mut random: Random) {
    let meetup = campaign.meetups[index].clone();
    let id = meetup.definition.lock().unwrap().id.clone();
    let mut people: Vec<Person> = Vec::new();
    let mut before = view(&campaign.stores[0], &id).await;
    loop {
        let live = people
            .iter()
            .filter(|p| matches!(p.known, Known::Confirmed | Known::Waiting(_)))
            .count();
        let seats = meetup.definition.lock().unwrap().capacity as usize;
        let size = 3 + random.below(10);
        if campaign.operations_left.load(Ordering::SeqCst) == 0 {
            return;
        }
        let kind = match random.below(20) {
            _ if live < 2 => Round::Registrations,
            0..=5 if live > seats * 3 => Round::Cancellations,
            0..=6 => Round::Registrations,
            7..=12 => Round::Cancellations,
            13..=17 => Round::Mixed,
            _ => Round::Resize,
        };
        let done = play(campaign, &meetup, &id, kind, size, &mut people, &mut random).await;
        let made = done
            .iter()
            .filter(|d| !matches!(d, Done::Resized { .. }))
            .count() as u64;
        let _ = campaign
            .operations_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                Some(left.saturating_sub(made))
            });
        campaign.report.lock().unwrap().operations += made;
        let after = view(&campaign.stores[random.below(campaign.stores.len())], &id).await;
        judge(
            campaign,
            &meetup,
            &id,
            kind,
            seats as u32,
            (&before, &after),
            &done,
            &mut people,
        );
        // The bound follows the store down after a cut (no seat is given
        // while too many are confirmed).
        let seats = meetup.definition.lock().unwrap().capacity;
        meetup
            .bound
            .store(u64::from(seats.max(after.confirmed)), Ordering::SeqCst);
        let mut report = campaign.report.lock().unwrap();
        report.rounds += 1;
        report.longest_queue = report.longest_queue.max(after.waiting);
        drop(report);
        before = after;
    }
}

/// Plays one round: its operations at once, each on a random instance.
async fn play(
    campaign: &Arc<Campaign>,
    meetup: &Arc<Meetup>,
    id: &str,
    kind: Round,
    size: usize,
    people: &mut Vec<Person>,
    random: &mut Random,
) -> Vec<Done> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut chosen: HashSet<usize> = HashSet::new();
    let instance =
        |random: &mut Random| campaign.stores[random.below(campaign.stores.len())].clone();
    for _ in 0..size {
        let register = match kind {
            Round::Registrations => true,
            Round::Mixed => random.chance(0.5),
            Round::Cancellations | Round::Resize => false,
        };
        if register {
            // Someone coming back after cancelling, or someone new.
            let back: Vec<usize> = people
                .iter()
                .filter(|p| p.known == Known::Out && p.token.is_some() && !chosen.contains(&p.n))
                .map(|p| p.n)
                .collect();
            let n = if !back.is_empty() && random.chance(0.15) {
                back[random.below(back.len())]
            } else {
                let n = campaign.next_person.fetch_add(1, Ordering::SeqCst) as usize;
                people.push(Person {
                    n,
                    token: None,
                    known: Known::Out,
                });
                n
            };
            chosen.insert(n);
            let new = registration(id, n);
            if random.chance(0.05) {
                // A double submission: the same person, twice, at once.
                let again = NewRegistration {
                    token: format!("{}-again", new.token),
                    ..new.clone()
                };
                let other = instance(random);
                tasks.spawn(async move {
                    let answer = other.register(again).await.map_err(|e| e.to_string());
                    Done::Registered { n, answer }
                });
            }
            let store = instance(random);
            tasks.spawn(async move {
                let answer = store.register(new).await.map_err(|e| e.to_string());
                Done::Registered { n, answer }
            });
        } else {
            let holders: Vec<(usize, String)> = people
                .iter()
                .filter(|p| {
                    matches!(p.known, Known::Confirmed | Known::Waiting(_))
                        && !chosen.contains(&p.n)
                })
                .filter_map(|p| p.token.clone().map(|token| (p.n, token)))
                .collect();
            if holders.is_empty() {
                continue;
            }
            let (n, token) = holders[random.below(holders.len())].clone();
            chosen.insert(n);
            // Now and then, the same link clicked twice.
            let times = if random.chance(0.05) { 2 } else { 1 };
            for _ in 0..times {
                let store = instance(random);
                let token = token.clone();
                tasks.spawn(async move {
                    let answer = store
                        .cancel(&token, clock::now())
                        .await
                        .map_err(|e| e.to_string());
                    Done::Cancelled { n, answer }
                });
            }
        }
    }
    // A capacity change alone, or now and then in the middle of a round.
    if kind == Round::Resize || (kind == Round::Mixed && random.chance(0.2)) {
        let seats = 1 + random.below(16) as u32;
        let store = instance(random);
        let meetup = meetup.clone();
        tasks.spawn(async move { resize(&meetup, &store, seats).await });
    }
    let mut done = Vec::new();
    while let Some(result) = tasks.join_next().await {
        done.push(result.expect("an operation's task"));
    }
    done
}

/// Changes the capacity (as `maillage sync` does), retrying until it
/// answers, and sets the bound.
async fn resize(meetup: &Meetup, store: &DynamoStore, seats: u32) -> Done {
    let _changing = meetup.capacity.write().await;
    let mut definition = meetup.definition.lock().unwrap().clone();
    let cut = seats < definition.capacity;
    definition.capacity = seats;
    while store
        .put_meetups(std::slice::from_ref(&definition))
        .await
        .is_err()
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let confirmed = loop {
        if let Ok(aggregate) = store.aggregate(&definition.id).await {
            break aggregate.confirmed;
        }
    };
    meetup
        .bound
        .store(u64::from(seats.max(confirmed)), Ordering::SeqCst);
    *meetup.definition.lock().unwrap() = definition;
    Done::Resized { cut }
}

/// Compares a round's answers with the store's view after it.
#[allow(clippy::too_many_arguments)]
fn judge(
    campaign: &Campaign,
    meetup: &Meetup,
    id: &str,
    kind: Round,
    seats: u32,
    (before, after): (&View, &View),
    done: &[Done],
    people: &mut [Person],
) {
    check_view(campaign, id, after, meetup);
    let by_n: HashMap<usize, usize> = people.iter().enumerate().map(|(i, p)| (p.n, i)).collect();
    let status = |n: usize| after.statuses.get(&email(n)).copied();
    let mut report = campaign.report.lock().unwrap();
    let mut cancelled_now: HashSet<usize> = HashSet::new();
    let mut promoted: Vec<usize> = Vec::new();
    let mut new_confirmed = 0u32;
    let mut new_ranks: Vec<u32> = Vec::new();
    let mut errors = false;
    let mut twins: HashMap<usize, Vec<RegistrationOutcome>> = HashMap::new();
    let mut unanswered: HashSet<usize> = HashSet::new();
    let mut resized = false;
    for outcome in done {
        match outcome {
            Done::Cancelled { n, answer } => match answer {
                Ok(CancelOutcome::Cancelled {
                    promoted: newcomer, ..
                }) => {
                    report.cancellations += 1;
                    cancelled_now.insert(*n);
                    if let Some(person) = newcomer {
                        report.promotions += 1;
                        promoted.push(person_of(&person.email));
                    }
                }
                Ok(CancelOutcome::AlreadyCancelled { .. }) => {
                    report.already_cancelled += 1;
                    cancelled_now.insert(*n);
                }
                Ok(CancelOutcome::UnknownToken) => {
                    fail!(campaign, "{id}: person {n}'s acknowledged token is unknown")
                }
                Err(_) => {
                    report.errors += 1;
                    errors = true;
                }
            },
            Done::Registered { n, answer } => match answer {
                Ok(outcome) => {
                    twins.entry(*n).or_default().push(outcome.clone());
                    if outcome.already_registered {
                        report.already_registered += 1;
                    } else {
                        report.registrations += 1;
                    }
                }
                Err(_) => {
                    report.errors += 1;
                    errors = true;
                    unanswered.insert(*n);
                }
            },
            Done::Resized { cut } => {
                report.capacity_changes += 1;
                report.capacity_cuts += u64::from(*cut);
                resized = true;
            }
        }
    }
    drop(report);

    // Registrations: one registration per person, each answer true.
    for (n, outcomes) in &twins {
        let fresh: Vec<_> = outcomes.iter().filter(|o| !o.already_registered).collect();
        if fresh.len() > 1 {
            fail!(
                campaign,
                "{id}: person {n} registered {} times",
                fresh.len()
            );
        }
        if outcomes.iter().any(|o| o.token != outcomes[0].token) {
            fail!(campaign, "{id}: person {n} got two tokens");
        }
        for outcome in outcomes.iter().filter(|o| !o.already_registered) {
            match outcome.status {
                RegistrationStatus::Confirmed => new_confirmed += 1,
                RegistrationStatus::Waiting { position } => new_ranks.push(position),
                RegistrationStatus::Cancelled => {
                    fail!(campaign, "{id}: person {n} told cancelled on registering")
                }
            }
        }
        let now = status(*n);
        for outcome in outcomes {
            let holds = match (outcome.status, now) {
                (RegistrationStatus::Confirmed, Some(RegistrationStatus::Confirmed)) => true,
                (
                    RegistrationStatus::Waiting { position: told },
                    Some(RegistrationStatus::Waiting { position }),
                ) => position <= told,
                (RegistrationStatus::Waiting { .. }, Some(RegistrationStatus::Confirmed)) => {
                    kind != Round::Registrations
                }
                _ => false,
            };
            if !holds {
                fail!(
                    campaign,
                    "{id}: person {n} told {:?}, the store shows {now:?}",
                    outcome.status
                );
            }
        }
        let person = &mut people[by_n[n]];
        person.token = Some(outcomes[0].token.clone());
    }
    for n in &unanswered {
        if !twins.contains_key(n) {
            // Whether it got a place is for the store to say; its token
            // is unknown here.
            people[by_n[n]].token = None;
        }
    }

    if kind == Round::Registrations {
        // Exactly the free seats given, then the next ranks, each once.
        let free = if before.waiting == 0 {
            seats.saturating_sub(before.confirmed)
        } else {
            0
        };
        let fresh = twins
            .values()
            .filter(|o| o.iter().any(|o| !o.already_registered))
            .count() as u32;
        new_ranks.sort_unstable();
        let expected_ranks: Vec<u32> = (before.waiting + 1..).take(new_ranks.len()).collect();
        if !errors && (new_confirmed != free.min(fresh) || new_ranks != expected_ranks) {
            fail!(
                campaign,
                "{id}: {new_confirmed} seats given for {free} free to {fresh} newcomers; \
                 ranks {new_ranks:?} given after {} waiting",
                before.waiting
            );
        }
        let distinct: HashSet<u32> = new_ranks.iter().copied().collect();
        if distinct.len() != new_ranks.len() {
            fail!(campaign, "{id}: a rank given twice: {new_ranks:?}");
        }
    }

    // Within an unchanged capacity: while more are confirmed than there are
    // seats, a freed seat is not given again. A seat is freed by cancelling
    // someone confirmed before the round, or someone promoted during it
    // (waiting before): with `freed` such cancellations, at most
    // max(seats, confirmed before - those confirmed before) are confirmed
    // after, and at most freed - (confirmed before - seats) promoted.
    if !resized {
        let was = |email: &String, wanted: fn(&RegistrationStatus) -> bool| {
            before.statuses.get(email).is_some_and(wanted)
        };
        let cancelled = |wanted: fn(&RegistrationStatus) -> bool| {
            after
                .statuses
                .iter()
                .filter(|(email, now)| **now == RegistrationStatus::Cancelled && was(email, wanted))
                .count() as u32
        };
        let gone = cancelled(|s| *s == RegistrationStatus::Confirmed);
        let freed = cancelled(|s| *s != RegistrationStatus::Cancelled);
        let raised = after
            .statuses
            .iter()
            .filter(|(email, now)| {
                **now == RegistrationStatus::Confirmed
                    && (was(email, |s| matches!(s, RegistrationStatus::Waiting { .. }))
                        || twins.get(&person_of(email)).is_some_and(|outcomes| {
                            outcomes
                                .iter()
                                .any(|o| matches!(o.status, RegistrationStatus::Waiting { .. }))
                        }))
            })
            .count() as u32;
        let most = seats.max(before.confirmed.saturating_sub(gone));
        let over = before.confirmed.saturating_sub(seats);
        if after.confirmed > most || raised > freed.saturating_sub(over) {
            fail!(
                campaign,
                "{id}: {} confirmed for {seats} seats ({} before, {gone} of them cancelled, \
                 {raised} promoted): at most {most}",
                after.confirmed,
                before.confirmed
            );
        }
    }

    // Cancellations: the cancelled are cancelled; each promoted once; the
    // people promoted are the head of the waiting list, nobody skipped.
    for n in &cancelled_now {
        if status(*n) != Some(RegistrationStatus::Cancelled) {
            fail!(
                campaign,
                "{id}: person {n} cancelled, the store shows {:?}",
                status(*n)
            );
        }
    }
    let distinct: HashSet<usize> = promoted.iter().copied().collect();
    if distinct.len() != promoted.len() {
        fail!(campaign, "{id}: someone promoted twice: {promoted:?}");
    }
    for n in &promoted {
        let was_waiting = matches!(
            before.statuses.get(&email(*n)),
            Some(RegistrationStatus::Waiting { .. })
        ) || twins.contains_key(n);
        let is = status(*n);
        if !was_waiting
            || !matches!(
                is,
                Some(RegistrationStatus::Confirmed | RegistrationStatus::Cancelled)
            )
        {
            fail!(campaign, "{id}: person {n} reported promoted, shows {is:?}");
        }
    }
    let remaining: Vec<&String> = before
        .queue
        .iter()
        .filter(|e| !cancelled_now.contains(&person_of(e)))
        .collect();
    let mut still_waiting_seen = false;
    for waiting in remaining {
        match after.statuses.get(waiting) {
            Some(RegistrationStatus::Confirmed) if still_waiting_seen => {
                fail!(
                    campaign,
                    "{id}: {waiting} promoted over someone ahead of them"
                )
            }
            Some(RegistrationStatus::Waiting { .. }) => still_waiting_seen = true,
            _ => {}
        }
    }
    if still_waiting_seen {
        for (n, outcomes) in &twins {
            let told_waiting = outcomes
                .iter()
                .any(|o| matches!(o.status, RegistrationStatus::Waiting { .. }));
            if told_waiting && status(*n) == Some(RegistrationStatus::Confirmed) {
                fail!(
                    campaign,
                    "{id}: newcomer {n} promoted before earlier people waiting"
                );
            }
        }
    }

    // What the driver knows now: the store's view.
    for person in people.iter_mut() {
        person.known = match after.statuses.get(&email(person.n)) {
            Some(RegistrationStatus::Confirmed) => Known::Confirmed,
            Some(RegistrationStatus::Waiting { position }) => Known::Waiting(*position),
            Some(RegistrationStatus::Cancelled) | None => Known::Out,
        };
        if person.known != Known::Out && person.token.is_none() {
            // Placed by a request that answered an error: its token is
            // unknown here, so this person is left alone from now on.
            person.known = Known::Unsure;
        }
    }
}

/// The last check of a meetup, with faults off: the view, then a repair
/// that finds nothing to mend but registrations whose requests all failed.
async fn finish(campaign: &Campaign, index: usize) {
    let meetup = &campaign.meetups[index];
    let id = meetup.definition.lock().unwrap().id.clone();
    let store = &campaign.stores[0];
    let view_before = view(store, &id).await;
    check_view(campaign, &id, &view_before, meetup);
    // A repair long after: registrations without a place are old by then.
    let later = clock::now() + Span::minutes(10);
    match store.repair(&id, later).await {
        Ok(summary) => {
            if summary.orphans_removed > 0 || summary.counters_fixed || summary.promoted > 0 {
                fail!(campaign, "{id}: the repair had to mend {summary:?}");
            }
            campaign.report.lock().unwrap().unfinished += u64::from(summary.unfinished_removed);
        }
        Err(error) => fail!(campaign, "{id}: the repair failed: {error}"),
    }
    let view_after = view(store, &id).await;
    if view_after.statuses != view_before.statuses {
        fail!(campaign, "{id}: the repair changed the list");
    }
}

/// Counts a plan's operations for the message.
pub fn describe(plan: &Plan) -> String {
    format!(
        "{} operations on {} meetups across {} instances, {:.0} % lost answers, {:.0} % delays, seed {}",
        plan.operations,
        plan.meetups,
        plan.instances,
        plan.lost_answers * 100.0,
        plan.delays * 100.0,
        plan.seed
    )
}
