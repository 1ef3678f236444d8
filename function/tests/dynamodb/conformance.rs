//! The `Store` conformance suite on DynamoDB: moto's server on loopback, a
//! fresh table per case. Without moto the cases are skipped, unless
//! `MAILLAGE_REQUIRE_MOTO` is set (as in CI), which makes it a failure.
//!
//! Each case reaches moto through a fault proxy with no rules: it forwards
//! one request at a time, so that every request is atomic, as DynamoDB
//! makes it and moto does not (a refused transaction restores a copy of
//! the table taken before it, undoing what overlapping requests wrote).
//! The cases' requests still interleave freely.

#![cfg(feature = "dynamodb")]

use crate::faults::FaultProxy;
use crate::moto;
use crate::store_conformance_tests;

use std::sync::Arc;

use maillage_store::Store;

async fn fresh_store(case: &'static str) -> Option<Arc<dyn Store>> {
    // Table names allow letters, digits, '_', '-' and '.'.
    let name = format!("conformance-{}", case.replace('_', "-"));
    let table = moto::fresh_store(&name).await?;
    let proxy = FaultProxy::new(&moto::moto()?.endpoint, 1);
    Some(Arc::new(proxy.store("conformance", table.table()).await))
}

store_conformance_tests!(fresh_store);
