//! Who came, and the attestations it gives.
//!
//! An attestation is an item of its own, keyed by its code's hash
//! (`A#<hash>`), so that verifying a code is one read. Who holds which code
//! is on the registration item (`attestation`), and for the organiser on
//! the meetup's `ORGANISER` item.
//!
//! Each step is safe to repeat, and the order of the writes means an
//! interrupted record never leaves a valid code nobody is marked for: a
//! person marked present gets the code on their registration first, then
//! the attestation item (written again on every record while they stay
//! present, which mends an interrupted one); a person unmarked loses the
//! attestation item first, then the code.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, NaiveDate, Utc};

use super::items::{
    self, att, kind, reg, Item, RegistrationItem, EXPIRES_AT, META_SK, ORGANISER_SK,
};
use super::retry::backend;
use super::{names, values, DynamoStore};
use maillage_model::store::{
    Attendance, Attestation, AttestedRole, Issued, StoreError, StoreResult,
};

pub(super) async fn record(
    store: &DynamoStore,
    attendance: Attendance,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Issued>> {
    let mut issued = Vec::new();
    let pk = items::meetup_pk(&attendance.meetup_id);
    let meetup = match store.get(items::key(&pk, META_SK)).await? {
        Some(item) => items::parse_definition(&item)?,
        None => return Err(StoreError::UnknownMeetup(attendance.meetup_id)),
    };
    let mut codes = attendance.fresh_codes.iter();
    let mut fresh_code = || {
        codes
            .next()
            .cloned()
            .ok_or_else(|| StoreError::backend("recording attendance: too few fresh codes"))
    };
    let found = store
        .query_partition(&pk, Some(items::REGISTRATION_PREFIX))
        .await?;
    for item in &found {
        let registration = RegistrationItem::parse(item)?;
        if registration.is_expired(now) {
            continue;
        }
        let came = attendance.present.contains(&registration.email);
        match (came, &registration.attestation) {
            (true, held) => {
                let code = match held {
                    Some(code) => code.clone(),
                    None => {
                        let fresh = fresh_code()?;
                        match mark_present(store, &registration, &fresh).await? {
                            Some(code) => {
                                // Another record may have given one first.
                                if code == fresh {
                                    issued.push(Issued {
                                        name: registration.name.clone(),
                                        email: registration.email.clone(),
                                        code: code.clone(),
                                    });
                                }
                                code
                            }
                            None => continue,
                        }
                    }
                };
                let role = AttestedRole::from(registration.role);
                let attestation = Attestation::new(
                    &code,
                    &meetup,
                    &registration.name,
                    role,
                    attendance.expires_at,
                );
                put(store, &attestation).await?;
            }
            (false, Some(code)) => {
                delete(store, code).await?;
                unmark(store, &registration, code).await?;
            }
            (false, None) => {}
        }
    }
    let organiser_key = items::key(&pk, ORGANISER_SK);
    match &attendance.organiser {
        Some(name) => {
            let code = organiser_code(store, organiser_key, &fresh_code()?, &attendance).await?;
            let attestation = Attestation::new(
                &code,
                &meetup,
                name,
                AttestedRole::Organiser,
                attendance.expires_at,
            );
            put(store, &attestation).await?;
        }
        None => {
            if let Some(item) = store.get(organiser_key.clone()).await? {
                delete(store, items::get_s(&item, reg::ATTESTATION)?).await?;
                store
                    .client
                    .delete_item()
                    .table_name(store.table.as_ref())
                    .set_key(Some(organiser_key))
                    .send()
                    .await
                    .map_err(|error| backend("removing the organiser's attestation", error))?;
            }
        }
    }
    Ok(issued)
}

/// Gives `code` to a registration that has none; returns the code it holds
/// (another one when a concurrent record gave it first), or `None` when the
/// registration was replaced meanwhile.
async fn mark_present(
    store: &DynamoStore,
    registration: &RegistrationItem,
    code: &str,
) -> StoreResult<Option<String>> {
    let pk = items::meetup_pk(&registration.meetup_id);
    let result = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(&pk, &registration.sk)))
        .update_expression("SET #att = :code")
        .condition_expression("#token = :token AND (attribute_not_exists(#att) OR #att = :code)")
        .set_expression_attribute_names(Some(names([
            ("#att", reg::ATTESTATION),
            ("#token", reg::TOKEN),
        ])))
        .set_expression_attribute_values(Some(values([
            (":code", items::s(code)),
            (":token", items::s(&registration.token)),
        ])))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match result {
        Ok(_) => Ok(Some(code.to_string())),
        Err(error) => match error.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(refused)) => {
                let old = refused.item().cloned().unwrap_or_default();
                if items::opt_s(&old, reg::TOKEN) != Some(registration.token.as_str()) {
                    return Ok(None);
                }
                Ok(items::opt_s(&old, reg::ATTESTATION).map(str::to_string))
            }
            _ => Err(backend("marking a registration present", error)),
        },
    }
}

/// Takes the code off a registration, unless it holds another one by now.
async fn unmark(
    store: &DynamoStore,
    registration: &RegistrationItem,
    code: &str,
) -> StoreResult<()> {
    let pk = items::meetup_pk(&registration.meetup_id);
    let result = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(&pk, &registration.sk)))
        .update_expression("REMOVE #att")
        .condition_expression("#att = :code")
        .set_expression_attribute_names(Some(names([("#att", reg::ATTESTATION)])))
        .set_expression_attribute_values(Some(values([(":code", items::s(code))])))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) => match error.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(()),
            _ => Err(backend("marking a registration absent", error)),
        },
    }
}

/// The organiser's code: the one they hold, or `fresh` given now.
async fn organiser_code(
    store: &DynamoStore,
    key: Item,
    fresh: &str,
    attendance: &Attendance,
) -> StoreResult<String> {
    let output = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(key))
        .update_expression(
            "SET #att = if_not_exists(#att, :code), #kind = :kind, #expires = :expires",
        )
        .set_expression_attribute_names(Some(names([
            ("#att", reg::ATTESTATION),
            ("#kind", items::KIND),
            ("#expires", EXPIRES_AT),
        ])))
        .set_expression_attribute_values(Some(values([
            (":code", items::s(fresh)),
            (":kind", items::s(kind::ORGANISER)),
            (
                ":expires",
                items::n(items::epoch_seconds(attendance.expires_at)),
            ),
        ])))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .map_err(|error| backend("noting the organiser's attestation", error))?;
    let item = output.attributes.unwrap_or_default();
    Ok(items::get_s(&item, reg::ATTESTATION)?.to_string())
}

async fn put(store: &DynamoStore, attestation: &Attestation) -> StoreResult<()> {
    let mut item = items::attestation_key(&attestation.code);
    item.insert(items::KIND.into(), items::s(kind::ATTESTATION));
    item.insert(att::CODE.into(), items::s(&attestation.code));
    item.insert(att::MEETUP_ID.into(), items::s(&attestation.meetup_id));
    item.insert(
        att::MEETUP_TITLE.into(),
        items::s(&attestation.meetup_title),
    );
    item.insert(att::DATE.into(), items::s(attestation.date.to_string()));
    item.insert(att::NAME.into(), items::s(&attestation.name));
    item.insert(att::ROLE.into(), items::s(attestation.role.as_str()));
    item.insert(
        EXPIRES_AT.into(),
        items::n(items::epoch_seconds(attestation.expires_at)),
    );
    store.put(item, "writing an attestation").await
}

async fn delete(store: &DynamoStore, code: &str) -> StoreResult<()> {
    store
        .client
        .delete_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::attestation_key(code)))
        .send()
        .await
        .map_err(|error| backend("deleting an attestation", error))?;
    Ok(())
}

/// A live attestation by its code.
pub(super) async fn by_code(
    store: &DynamoStore,
    code: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Attestation>> {
    let Some(item) = store.get(items::attestation_key(code)).await? else {
        return Ok(None);
    };
    if items::is_expired(&item, now) || items::opt_s(&item, att::CODE) != Some(code) {
        return Ok(None);
    }
    let malformed = |what: &str| StoreError::Malformed(format!("attestation item: {what}"));
    Ok(Some(Attestation {
        code: code.to_string(),
        meetup_id: items::get_s(&item, att::MEETUP_ID)?.to_string(),
        meetup_title: items::get_s(&item, att::MEETUP_TITLE)?.to_string(),
        date: items::get_s(&item, att::DATE)?
            .parse::<NaiveDate>()
            .map_err(|_| malformed("date"))?,
        name: items::get_s(&item, att::NAME)?.to_string(),
        role: AttestedRole::parse(items::get_s(&item, att::ROLE)?)
            .ok_or_else(|| malformed("role"))?,
        expires_at: DateTime::from_timestamp(items::get_n(&item, EXPIRES_AT)?, 0)
            .ok_or_else(|| malformed("expiry"))?,
    }))
}

/// The organiser's live attestation for a meetup.
pub(super) async fn organiser(
    store: &DynamoStore,
    meetup_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Attestation>> {
    let key = items::key(items::meetup_pk(meetup_id), ORGANISER_SK);
    match store.get(key).await? {
        Some(item) => by_code(store, items::get_s(&item, reg::ATTESTATION)?, now).await,
        None => Ok(None),
    }
}
