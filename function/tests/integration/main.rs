//! The function's tests that need no DynamoDB server: the SQLite store, the
//! HTTP handler, confirmation emails over SMTP and the rebuild trigger, each
//! against the real thing on loopback. One binary, as the tests share their
//! support and link the library once.

#[path = "../common/mod.rs"]
mod common;
#[path = "../email_server/mod.rs"]
mod email_server;
#[path = "../handler_support/mod.rs"]
mod support;
#[path = "../trigger_receiver/mod.rs"]
mod trigger_receiver;

mod email_smtp;
mod handler_http;
mod sqlite_store;
mod trigger_presets;
mod trigger_webhook;
