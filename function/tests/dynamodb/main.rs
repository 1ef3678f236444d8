//! The function against moto's DynamoDB server on loopback: the store, the
//! conformance suite shared with SQLite, faults injected by a proxy of our
//! own, the Lambda binary under a local runtime API, the rebuild trigger's
//! shared window and the deployment template. One binary, so that one moto
//! server serves every test (each on its own table).
//!
//! The long randomized campaign is run by hand:
//!
//! ```sh
//! . tests/setup.sh
//! cargo test -p maillage-function --test dynamodb campaign -- --ignored --nocapture
//! ```

mod campaign;
#[path = "../common/mod.rs"]
mod common;
#[path = "../email_server/mod.rs"]
mod email_server;
mod faults;
mod moto;
mod runtime_api;
#[path = "../handler_support/mod.rs"]
mod support;
#[path = "../trigger_receiver/mod.rs"]
mod trigger_receiver;

mod campaign_run;
mod conformance;
mod deploy_template;
mod env;
mod fault_scenarios;
mod handler;
mod lambda;
mod store;
mod store_trigger;
mod trigger_delivery;
