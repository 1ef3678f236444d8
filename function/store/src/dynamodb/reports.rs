//! Organisers' reports: the public part (kept) and the private notes
//! (personal data, with an expiry), in two items written together.

use super::items::{
    self, kind, Item, EXPIRES_AT, META_SK, PRIVATE_NOTES, PUBLIC_REPORT, REPORT_PRIVATE_SK,
    REPORT_SK, SUBMITTED_AT,
};
use super::retry::Backoff;
use super::transact;
use super::DynamoStore;
use maillage_model::store::{StoreError, StoreResult, StoredReport};

pub(super) async fn save_report(store: &DynamoStore, report: StoredReport) -> StoreResult<()> {
    let pk = items::meetup_pk(&report.meetup_id);
    let mut backoff = Backoff::for_conflicts();
    loop {
        if store.get(items::key(&pk, META_SK)).await?.is_none() {
            return Err(StoreError::UnknownMeetup(report.meetup_id));
        }
        let mut public = items::key(&pk, REPORT_SK);
        public.insert(items::KIND.into(), items::s(kind::REPORT));
        public.insert(
            PUBLIC_REPORT.into(),
            items::s(items::public_report_json(&report.public)?),
        );
        public.insert(SUBMITTED_AT.into(), items::timestamp(report.submitted_at));
        let private_key = items::key(&pk, REPORT_PRIVATE_SK);
        let private = match &report.private_notes {
            Some(notes) => {
                let mut private: Item = private_key;
                private.insert(items::KIND.into(), items::s(kind::REPORT_PRIVATE));
                private.insert(PRIVATE_NOTES.into(), items::s(notes));
                private.insert(SUBMITTED_AT.into(), items::timestamp(report.submitted_at));
                private.insert(
                    EXPIRES_AT.into(),
                    items::n(items::epoch_seconds(report.expires_at)),
                );
                transact::put(store, private)?
            }
            None => transact::delete(store, private_key)?,
        };
        let transaction = vec![
            transact::meetup_exists(store, &pk)?,
            transact::put(store, public)?,
            private,
        ];
        if transact::send(store, transaction, "saving a report").await? {
            return Ok(());
        }
        backoff.wait("saving a report").await?;
    }
}
