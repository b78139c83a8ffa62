//! Gifts and hospitality: record an offer (with the thresholds' verdict), amend,
//! withhold, release, withdraw, accept, return; reads show the public only published
//! offers. What every register shares is in [`super::entries`]; here, what an offer adds.

use super::entries::{entry_routes, EntryApi};
use crate::domain::entries::Entry;
use crate::domain::gifts::GiftFields;
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::gifts::Gifts;
use crate::store::orgs::Org;
use chrono::NaiveDate;
use serde_json::{json, Value};

impl EntryApi for Gifts {
    const WITHHELD_ON_CREATE: bool = false;

    fn is_public(g: &Entry<GiftFields>, person: &Person, _: &Org) -> bool {
        g.is_public(person.fields.decision_making)
    }

    fn annotate(answer: &mut Value, g: &Entry<GiftFields>, org: &Org) {
        answer["assessment"] = json!(g.fields.assessment(&org.settings));
    }

    fn parse(input: &Input, today: NaiveDate, org: &Org) -> Result<GiftFields, FieldErrors> {
        GiftFields::parse(input, today, &org.settings)
    }

    fn to_input(fields: &GiftFields) -> Input {
        fields.to_input()
    }
}

entry_routes!(Gifts: list, show, create, amend, withdraw, withhold, release, accept, return_for_changes);
