//! Declarations of interest: create, amend, end, withhold, release, withdraw, accept,
//! return; reads show the public only what the published register shows. What every
//! register shares is in [`super::entries`]; here, what a declaration adds.

use super::entries::{entry_routes, step, Answer, Data, EntryApi, EntryPath};
use crate::domain::entries::Entry;
use crate::domain::interests::{DeclarationFields, Step};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::declarations::Declarations;
use crate::store::orgs::Org;
use crate::web::auth::Caller;
use actix_web::web;
use chrono::NaiveDate;
use serde_json::{json, Value};

impl EntryApi for Declarations {
    const WITHHELD_ON_CREATE: bool = true;

    fn is_public(d: &Entry<DeclarationFields>, person: &Person, org: &Org) -> bool {
        let today = crate::clock::today();
        d.is_public(person.fields.decision_making, today, &org.settings)
    }

    fn annotate(answer: &mut Value, d: &Entry<DeclarationFields>, org: &Org) {
        answer["days_late"] = json!(d.fields.days_late(&org.settings));
    }

    fn parse(input: &Input, today: NaiveDate, _: &Org) -> Result<DeclarationFields, FieldErrors> {
        DeclarationFields::parse(input, today)
    }

    fn to_input(fields: &DeclarationFields) -> Input {
        fields.to_input()
    }
}

entry_routes!(Declarations: list, show, versions, create, amend, withdraw, withhold, release, accept, return_for_changes);

/// Record that the interest ended.
pub async fn end(state: Data, caller: Caller, path: EntryPath, body: web::Bytes) -> Answer {
    step::<Declarations>(state, caller, path, body, false, |input, _| {
        let end = Step::parse_end(&input)?;
        Ok(Box::new(move |_, _| Ok(end)))
    })
    .await
}
