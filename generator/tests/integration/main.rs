//! The `maillage` command's tests, end to end: fixture and demo sites built
//! by the command, data validation, errors, output paths, `serve` with its
//! clients and live reload, the live loop with the function and its store,
//! the store commands against SQLite and moto's DynamoDB server. One binary:
//! the tests share their support and link the crates once.
//!
//! Tests that move the clock run in their own binary (`tests/live_clock.rs`):
//! the clock is read from the process's environment.

#[path = "../common/mod.rs"]
mod common;
#[path = "../../../function/tests/dynamodb/moto.rs"]
mod moto;

mod bench_site;
mod build_cache;
mod build_fixture;
mod cli;
mod data_site;
mod data_validation;
mod demo_dates;
mod errors;
mod figures;
mod live_loop;
mod meetup_command;
mod multilingual;
mod output_paths;
mod partners;
mod reading;
mod serve;
mod serve_clients;
mod serve_reload;
mod site_urls;
mod store_commands;
mod vendor_assets;
mod zola_parity;
mod zola_sites;
