//! Retrying conditional writes that lost a race, with jittered backoff, and
//! telling such conflicts apart from real failures.

use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use maillage_model::store::StoreError;

/// Exponential backoff with "full jitter": each wait is uniform in
/// `[0, min(cap, base * 2^attempt)]`, which spreads racing writers apart
/// instead of having them collide again in lockstep.
#[derive(Debug)]
pub(super) struct Backoff {
    attempt: u32,
    max_attempts: u32,
    base: Duration,
    cap: Duration,
}

impl Backoff {
    /// For races between writers on one meetup: many quick retries.
    pub(super) fn for_conflicts() -> Backoff {
        Backoff {
            attempt: 0,
            max_attempts: 60,
            base: Duration::from_millis(5),
            cap: Duration::from_millis(250),
        }
    }

    /// Waits before the next attempt; an error once the attempts are spent.
    pub(super) async fn wait(&mut self, what: &str) -> Result<(), StoreError> {
        if self.attempt >= self.max_attempts {
            return Err(StoreError::backend(format!(
                "{what}: still conflicting after {} attempts",
                self.attempt
            )));
        }
        let ceiling = self
            .base
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(self.cap);
        self.attempt += 1;
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let jittered = if nanos == 0 {
            0
        } else {
            random_u64() % (nanos + 1)
        };
        tokio::time::sleep(Duration::from_nanos(jittered)).await;
        Ok(())
    }
}

/// A random number for jitter and claim ids. The operating system's source
/// never fails on the platforms we run on; a constant is a safe fallback
/// (jitter degrades to a fixed wait).
pub(super) fn random_u64() -> u64 {
    getrandom::u64().unwrap_or(0x9e37_79b9_7f4a_7c15)
}

/// What a failed request means for the caller.
#[derive(Debug)]
pub(super) enum Failure {
    /// A condition did not hold (`ConditionalCheckFailedException`).
    ConditionFailed,
    /// A race with another writer: a transaction was cancelled (a condition
    /// failed or another transaction held an item) or an item was held by a
    /// transaction. Re-read and try again.
    Conflict,
    /// Anything else: the store is failing.
    Backend(StoreError),
}

/// Sorts a request failure into [`Failure`].
pub(super) fn classify<E, R>(context: &str, error: SdkError<E, R>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match error.code() {
        Some("ConditionalCheckFailedException") => Failure::ConditionFailed,
        Some("TransactionCanceledException")
        | Some("TransactionConflictException")
        | Some("TransactionInProgressException") => Failure::Conflict,
        _ => Failure::Backend(backend(context, error)),
    }
}

/// A store error from a request failure, for logs (never shown to people;
/// DynamoDB's messages carry no item values).
pub(super) fn backend<E, R>(context: &str, error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    StoreError::caused(context, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn backoff_gives_up_after_its_attempts() {
        let mut backoff = Backoff {
            attempt: 0,
            max_attempts: 3,
            base: Duration::from_micros(1),
            cap: Duration::from_micros(10),
        };
        for _ in 0..3 {
            backoff.wait("test").await.unwrap();
        }
        let error = backoff.wait("test").await.unwrap_err();
        assert!(error.to_string().contains("after 3 attempts"), "{error}");
    }
}
