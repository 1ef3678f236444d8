//! The organiser's messages to the registrants. A message is recorded by
//! one conditional `PutItem` of its item (key: the request token, hashed;
//! for a cancellation, the meetup's one cancellation key), which only the
//! first request with that key can write. A cancellation
//! first sets `cancelled_at` on the meetup item (`if_not_exists`: the same
//! whatever the number of tries), then records the message: a request that
//! died between the two leaves the meetup cancelled and the message
//! unrecorded, and its retry sends it.
//!
//! Each call writes a random call id in the item; when the put is refused,
//! the item returned tells a retry of this call after a lost answer (its
//! own id: the message is this call's) from another request with the same
//! token (another id: already recorded).

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use chrono::{DateTime, Utc};

use super::items::{self, meta, Item, META_SK};
use super::registrations::live_registrations;
use super::retry::{backend, random_u64};
use super::{names, values, DynamoStore};
use maillage_model::store::{
    Addressee, MessageKind, MessageOutcome, OrganiserMessage, RegistrationStatus, StoreError,
    StoreResult,
};

/// The message's kind, its time and the call that wrote it.
const MESSAGE_KIND: &str = "message_kind";
const SENT_AT: &str = "sent_at";
const CALL: &str = "call";

pub(super) async fn record(
    store: &DynamoStore,
    message: &OrganiserMessage,
    now: DateTime<Utc>,
) -> StoreResult<MessageOutcome> {
    let pk = items::meetup_pk(&message.meetup_id);
    if message.kind == MessageKind::Cancellation {
        cancel_meetup(store, &pk, message).await?;
    } else if store.get(items::key(&pk, META_SK)).await?.is_none() {
        return Err(StoreError::UnknownMeetup(message.meetup_id.clone()));
    }
    let call = format!("{:016x}", random_u64());
    let mut item: Item = items::message_key(&message.meetup_id, &message.request, message.kind);
    item.insert(items::KIND.into(), items::s(items::kind::MESSAGE));
    item.insert(MESSAGE_KIND.into(), items::s(message.kind.as_str()));
    item.insert(SENT_AT.into(), items::timestamp(message.sent_at));
    item.insert(CALL.into(), items::s(&call));
    let result = store
        .client
        .put_item()
        .table_name(store.table.as_ref())
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .set_expression_attribute_names(Some(names([("#pk", items::PK)])))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match result {
        Ok(_) => {}
        Err(error) => match error.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(refused)) => {
                let ours = refused
                    .item()
                    .and_then(|old| items::opt_s(old, CALL))
                    .is_some_and(|old_call| old_call == call);
                if !ours {
                    return Ok(MessageOutcome::AlreadyRecorded);
                }
            }
            _ => return Err(backend("recording a message", error)),
        },
    }
    let recipients = live_registrations(store, &message.meetup_id, now)
        .await?
        .into_iter()
        .filter(|(_, status)| *status != RegistrationStatus::Cancelled)
        .map(|(registration, status)| Addressee {
            name: registration.name,
            email: registration.email,
            token: registration.token,
            status,
        })
        .collect();
    Ok(MessageOutcome::Recorded { recipients })
}

/// Marks the meetup item cancelled, keeping the first time it was.
async fn cancel_meetup(
    store: &DynamoStore,
    pk: &str,
    message: &OrganiserMessage,
) -> StoreResult<()> {
    let result = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(pk, META_SK)))
        .update_expression("SET #at = if_not_exists(#at, :at)")
        .condition_expression("attribute_exists(#pk)")
        .set_expression_attribute_names(Some(names([
            ("#at", meta::CANCELLED_AT),
            ("#pk", items::PK),
        ])))
        .set_expression_attribute_values(Some(values([(":at", items::timestamp(message.sent_at))])))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) => match error.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(_)) => {
                Err(StoreError::UnknownMeetup(message.meetup_id.clone()))
            }
            _ => Err(backend("cancelling a meetup", error)),
        },
    }
}

/// Who marked a registration reminded: the call's id.
const REMINDED_BY: &str = "reminded_by";

/// Marks each live registration made before `before` as reminded, one
/// conditional update per registration item: only the first call sets
/// `reminded_by` (its id), and a retry of that call after a lost answer
/// finds its own id and counts the registration as its own.
pub(super) async fn claim_reminders(
    store: &DynamoStore,
    meetup_id: &str,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Addressee>> {
    let call = format!("{:016x}", random_u64());
    let mut claimed = Vec::new();
    for (registration, status) in live_registrations(store, meetup_id, now).await? {
        if status == RegistrationStatus::Cancelled || registration.registered_at >= before {
            continue;
        }
        let result = store
            .client
            .update_item()
            .table_name(store.table.as_ref())
            .set_key(Some(items::key(
                items::meetup_pk(meetup_id),
                &registration.sk,
            )))
            .update_expression("SET #by = :call")
            .condition_expression(
                "attribute_exists(#pk) AND (attribute_not_exists(#by) OR #by = :call)",
            )
            .set_expression_attribute_names(Some(names([("#by", REMINDED_BY), ("#pk", items::PK)])))
            .set_expression_attribute_values(Some(values([(":call", items::s(&call))])))
            .send()
            .await;
        match result {
            Ok(_) => claimed.push(Addressee {
                name: registration.name,
                email: registration.email,
                token: registration.token,
                status,
            }),
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => {}
                _ => return Err(backend("marking a reminder", error)),
            },
        }
    }
    Ok(claimed)
}
