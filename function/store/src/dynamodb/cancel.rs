//! Cancelling: one conditional write on the meetup item ends the
//! registration and, if it held a seat within the capacity, gives the seat
//! to the head of the queue ([`meetup_item::release`]).

use chrono::{DateTime, Utc};

use super::items::{self, RegistrationItem};
use super::meetup_item::{self, Released};
use super::registrations::by_token_item;
use super::DynamoStore;
use maillage_model::store::{
    CancelOutcome, Registrant, RegistrationStatus, StoreError, StoreResult,
};

pub(super) async fn cancel(
    store: &DynamoStore,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<CancelOutcome> {
    let Some(registration) = by_token_item(store, token, now).await? else {
        return Ok(CancelOutcome::UnknownToken);
    };
    let meetup_id = registration.meetup_id.clone();
    let pk = items::meetup_pk(&meetup_id);
    let state = meetup_item::read(store, &pk)
        .await?
        .ok_or_else(|| StoreError::backend("a registration's meetup is missing"))?;
    let released = meetup_item::release(
        store,
        &pk,
        registration.email_hash(),
        &registration.token_hash(),
        state,
    )
    .await?;
    Ok(match released {
        Released::Cancelled { promoted } => CancelOutcome::Cancelled {
            promoted: match promoted {
                Some(email_hash) => promoted_registrant(store, &pk, &email_hash).await?,
                None => None,
            },
            meetup_id,
        },
        Released::AlreadyCancelled => CancelOutcome::AlreadyCancelled { meetup_id },
        // Its request has not placed it yet: the token was never handed out.
        Released::Unplaced => CancelOutcome::UnknownToken,
    })
}

/// The person who got the seat, as the organiser's list shows them.
async fn promoted_registrant(
    store: &DynamoStore,
    pk: &str,
    email_hash: &str,
) -> StoreResult<Option<Registrant>> {
    let key = items::key(pk, items::registration_sk(email_hash));
    match store.get(key).await? {
        Some(item) => Ok(Some(
            RegistrationItem::parse(&item)?.registrant(RegistrationStatus::Confirmed),
        )),
        None => {
            // Every place in the meetup item has its registration item; a
            // missing one is a fault the repair reports and mends.
            tracing::error!("a promoted registration has no registration item");
            Ok(None)
        }
    }
}
