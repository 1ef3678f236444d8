//! The `Store` conformance suite on DynamoDB: moto's server on loopback, a
//! fresh table per case. Without moto the cases are skipped, unless
//! `MAILLAGE_REQUIRE_MOTO` is set (as in CI), which makes it a failure.

#![cfg(feature = "dynamodb")]

use crate::moto;
use crate::store_conformance_tests;

use std::sync::Arc;

use maillage_store::Store;

async fn fresh_store(case: &'static str) -> Option<Arc<dyn Store>> {
    // Table names allow letters, digits, '_', '-' and '.'.
    let name = format!("conformance-{}", case.replace('_', "-"));
    let store = moto::fresh_store(&name).await?;
    Some(Arc::new(store))
}

store_conformance_tests!(fresh_store);
