//! Randomized campaigns against the DynamoDB store under faults (see
//! `dynamodb/campaign.rs`): a short one in every test run, and a long one
//! run by hand:
//!
//! ```sh
//! . tests/setup.sh
//! cargo test -p maillage-function --test dynamodb campaign -- --ignored --nocapture
//! ```
//!
//! `MAILLAGE_CAMPAIGN_SEED` replays a campaign; `MAILLAGE_CAMPAIGN_OPERATIONS`
//! and `MAILLAGE_CAMPAIGN_MEETUPS` size the long one.

#![cfg(feature = "dynamodb")]

use crate::campaign;
use crate::moto;

use campaign::Plan;

fn from_env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |since| since.as_nanos() as u64);
    from_env("MAILLAGE_CAMPAIGN_SEED", clock)
}

async fn run(name: &str, plan: Plan) {
    let Some(store) = moto::fresh_store(name).await else {
        return;
    };
    let endpoint = moto::moto().unwrap().endpoint.clone();
    eprintln!("campaign: {}", campaign::describe(&plan));
    let report = campaign::run(plan, store.table(), &endpoint).await;
    eprintln!("campaign done: {report}");
}

/// Four instances, six meetups, at least 400 registrations and cancellations, 5 % of
/// the writes' answers lost, 5 % of the requests delayed, capacities
/// changing: every promise kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_short_campaign_of_faults_breaks_no_promise() {
    let plan = Plan {
        meetups: 6,
        instances: 4,
        operations: 400,
        lost_answers: 0.05,
        delays: 0.05,
        seed: seed(),
    };
    run("campaign-short", plan).await;
}

/// The same at full size: at least 10,000 registrations and cancellations
/// on 20 meetups.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "long: run by hand with --ignored (see the file's description)"]
async fn a_campaign_of_ten_thousand_operations_breaks_no_promise() {
    let plan = Plan {
        meetups: from_env("MAILLAGE_CAMPAIGN_MEETUPS", 20) as usize,
        instances: 4,
        operations: from_env("MAILLAGE_CAMPAIGN_OPERATIONS", 10_000) as usize,
        lost_answers: 0.05,
        delays: 0.05,
        seed: seed(),
    };
    run("campaign-long", plan).await;
}
