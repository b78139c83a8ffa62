//! The large-ICB data set of DESIGN.md ("Scale we design for"), written through the
//! ordinary write path so the chain, the Merkle view and every record are real:
//! `coi-register demo --scale large`. Deterministic, dated relative to `today`.

use crate::domain::committees::{
    Committee, ItemInput, ItemOutcomeInput, MeetingInput, MemberCategory,
};
use crate::domain::decisions::{DecisionFields, ROUTES};
use crate::domain::entries::Review;
use crate::domain::gifts::{GiftFields, GiftKind, Outcome as GiftOutcome};
use crate::domain::interests::{DeclarationFields, InterestType};
use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
use crate::domain::people::PersonFields;
use crate::domain::returns::ReturnKind;
use crate::domain::{FieldErrors, Input};
use crate::store::durable::Batch;
use crate::store::entries::Register;
use crate::store::{
    committees, decisions, declarations, gifts, meetings, orgs, people, returns, AnyConnection,
    StoreError,
};
use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;

const ACTOR: &str = "system";

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub people: u64,
    pub declarations_per_person: u64,
    pub gifts_per_person: u64,
    pub decisions: u64,
    pub committees: u64,
    pub meetings_per_year: u64,
    pub years: u64,
}

impl Scale {
    /// DESIGN.md's large ICB: 5,000 decision-making people, 50,000 declarations over six
    /// years, 20,000 gifts, 5,000 procurement decisions, 40 committees meeting 20 times a year.
    pub const LARGE: Scale = Scale {
        people: 5_000,
        declarations_per_person: 10,
        gifts_per_person: 4,
        decisions: 5_000,
        committees: 40,
        meetings_per_year: 20,
        years: 6,
    };

    /// The number of writes (audit entries) [`seed`] makes.
    pub fn writes(&self) -> u64 {
        let members = self.committees * 8;
        let meetings = self.committees * self.meetings_per_year * self.years;
        1 + self.people * (1 + self.declarations_per_person + self.gifts_per_person + self.years)
            + self.committees
            + members
            + meetings
            + meetings * ITEMS_PER_MEETING * 2
            + self.decisions
    }
}

const ITEMS_PER_MEETING: u64 = 3;

const BODIES: [&str; 8] = [
    "Riverside Surgery",
    "Harbour Primary Care Network",
    "Northshire GP Federation",
    "Acme Diagnostics Ltd",
    "St Luke's Hospice (charity)",
    "Healthwatch Northshire",
    "Medway Pharmaceuticals plc",
    "Elm Tree Medical Practice",
];

/// A small deterministic mixer, so every run writes the same data.
fn mix(k: u64) -> u64 {
    let mut x = k.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0xd1b5_4a32_d192_ed03;
    x ^= x >> 29;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^ (x >> 32)
}

fn ago(today: NaiveDate, days: u64) -> Result<NaiveDate, StoreError> {
    today
        .checked_sub_days(Days::new(days))
        .ok_or_else(|| FieldErrors::one("today", "is too early for the generated data").into())
}

fn input(v: serde_json::Value) -> Input {
    Input::from_json(v).expect("generated input is an object")
}

/// Writes per transaction (and per `fsync`) while seeding.
pub const BATCH: u64 = 500;

/// Seed organisation `slug` with `scale`'s data; `tick` is called after each write.
/// The writes go through the ordinary write path in batches of [`BATCH`], each batch one
/// transaction and one `fsync` ([`Batch`]).
pub fn seed(
    c: &mut AnyConnection,
    slug: &str,
    name: &str,
    today: NaiveDate,
    scale: &Scale,
    mut tick: impl FnMut(),
) -> Result<(), StoreError> {
    Batch::run(c, BATCH, |c, batch| {
        let mut each = |c: &mut AnyConnection, writes: u64| -> Result<(), StoreError> {
            for _ in 0..writes {
                batch.wrote(c)?;
                tick();
            }
            Ok(())
        };
        seed_in_batches(c, slug, name, today, scale, &mut each)
    })
}

fn seed_in_batches(
    c: &mut AnyConnection,
    slug: &str,
    name: &str,
    today: NaiveDate,
    scale: &Scale,
    tick: &mut impl FnMut(&mut AnyConnection, u64) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let org = NewOrg {
        slug: OrgSlug::parse(slug).map_err(|m| FieldErrors::one("slug", m))?,
        name: name.to_owned(),
    };
    orgs::create(c, ACTOR, &org, OrgSettings::default())?;
    tick(c, 1)?;
    let org_id = orgs::by_slug(c, slug)?.id;
    let span = scale.years * 365;
    let settings = OrgSettings::default();

    let mut slugs = Vec::with_capacity(scale.people as usize);
    let (first, last) = crate::demo::first_names_and_surnames();
    for i in 0..scale.people {
        let name = format!(
            "{} {}. {}",
            first[(i as usize) % first.len()],
            (b'A' + ((i as usize / first.len()) % 26) as u8) as char,
            last[(i as usize / (first.len() * 26)) % last.len()]
        );
        let position = match i % 5 {
            0 => "GP member".to_owned(),
            1 => format!("Procurement panel member, lot {}", i % 40 + 1),
            2 => "Head of Service (band 8c)".to_owned(),
            3 => "Clinical lead".to_owned(),
            _ => "Committee member".to_owned(),
        };
        let person = people::create(
            c,
            org_id,
            ACTOR,
            PersonFields {
                name,
                position,
                decision_making: true,
            },
        )?;
        slugs.push(person.value.slug);
        tick(c, 1)?;
    }

    for (i, person) in slugs.iter().enumerate() {
        let i = i as u64;
        for d in 0..scale.declarations_per_person {
            let k = i * 100 + d;
            let arose = ago(today, 30 + mix(k) % span)?;
            let declared = arose + Days::new(mix(k + 1) % 40);
            let ended = (mix(k + 2) % 3 == 0)
                .then(|| declared + Days::new(30 + mix(k + 3) % 700))
                .filter(|e| *e < today);
            let interest_type = InterestType::ALL[(mix(k + 4) % 4) as usize];
            let fields = DeclarationFields {
                position: None,
                interest_type,
                associate: (interest_type == InterestType::Indirect).then(|| "Spouse".to_owned()),
                description: format!(
                    "Interest number {} of this member: role with {}",
                    d + 1,
                    BODIES[(k % 8) as usize]
                ),
                body: BODIES[(mix(k + 5) % 8) as usize].to_owned(),
                arose_on: arose,
                ended_on: ended,
                declared_on: declared.min(today),
                mitigation: "Leaves the room for related items".to_owned(),
            };
            let fields = DeclarationFields::parse(&fields.to_input(), today)?;
            declarations::Declarations::create(
                c,
                org_id,
                ACTOR,
                person,
                fields,
                None,
                Review::Accepted,
            )?;
            tick(c, 1)?;
        }
        for g in 0..scale.gifts_per_person {
            let k = i * 100 + 50 + g;
            let offered = ago(today, 10 + mix(k) % span)?;
            let value = 1_000 + (mix(k + 1) % 30_000) as i64;
            let fields = GiftFields {
                giver: BODIES[(mix(k + 2) % 8) as usize].to_owned(),
                giver_is_supplier: mix(k + 3) % 2 == 0,
                kind: if g % 2 == 0 {
                    GiftKind::Hospitality
                } else {
                    GiftKind::Gift
                },
                description: "Lunch at a conference".to_owned(),
                value_pence: value,
                offered_on: offered,
                outcome: if g % 2 == 0 {
                    GiftOutcome::Accepted
                } else {
                    GiftOutcome::Declined
                },
                approved_by: Some("Chief Finance Officer".to_owned()),
                declared_on: offered,
            };
            let fields = GiftFields::parse(&fields.to_input(), today, &settings)?;
            gifts::Gifts::create(c, org_id, ACTOR, person, fields, None, Review::Accepted)?;
            tick(c, 1)?;
        }
        for y in 0..scale.years {
            let made_on = ago(today, 365 * y + mix(i * 100 + 90 + y) % 300)?;
            returns::create(
                c,
                org_id,
                ACTOR,
                person,
                ReturnKind::Confirmation,
                made_on,
                Review::Accepted,
            )?;
            tick(c, 1)?;
        }
    }

    let mut decided_items = Vec::new();
    for k in 0..scale.committees {
        // 3 lay (chair and vice-chair among them), 2 executive, 3 clinical, all voting.
        let member = |n: u64, category: &str, role: &str| {
            json!({"person": slugs[((k * 8 + n) % scale.people) as usize], "category": category, "role": role,
                   "from": ago(today, span + 30).expect("in range").to_string()})
        };
        let members: Vec<(Option<String>, Input)> = [
            member(0, "lay", "chair"),
            member(1, "lay", "vice_chair"),
            member(2, "lay", "member"),
            member(3, "executive", "member"),
            member(4, "executive", "member"),
            member(5, "clinical", "member"),
            member(6, "clinical", "member"),
            member(7, "clinical", "member"),
        ]
        .into_iter()
        .map(|mut v| {
            let person = v["person"].as_str().map(str::to_owned);
            v.as_object_mut().expect("object").remove("person");
            (person, input(v))
        })
        .collect();
        let committee = Committee::parse(&input(json!({
            "name": format!("Committee {}", k + 1), "slug": format!("committee-{}", k + 1),
            "terms_of_reference": "Generated for the scale benchmark.",
            "quorum_minimum": 4, "quorum_required": [MemberCategory::Lay.code()],
        })))?;
        let created = committees::create_committee(c, org_id, ACTOR, committee, members)?.value;
        tick(c, 9)?;
        let committee_id = created.committee.id;
        let attendance: serde_json::Map<String, serde_json::Value> = (0..8)
            .map(|n| {
                (
                    slugs[((k * 8 + n) % scale.people) as usize].clone(),
                    json!("present"),
                )
            })
            .collect();
        let meetings = scale.meetings_per_year * scale.years;
        for m in 0..meetings {
            let held_on = ago(today, 7 + m * 365 / scale.meetings_per_year)?;
            let held_on = match held_on.weekday().num_days_from_monday() {
                d @ 5..=6 => held_on - Days::new(u64::from(d) - 4),
                _ => held_on,
            };
            let meeting = MeetingInput::parse(&input(
                json!({"held_on": held_on.to_string(), "attendance": attendance}),
            ))?;
            let meeting = meetings::create_meeting(c, org_id, ACTOR, committee_id, meeting)?.value;
            tick(c, 1)?;
            for n in 0..ITEMS_PER_MEETING {
                let conflicted = slugs[((k * 8 + 5 + n % 3) % scale.people) as usize].clone();
                let item = ItemInput::parse(&input(json!({
                    "number": (n + 1).to_string(), "title": format!("Contract award, lot {}", mix(k * 1000 + m * 10 + n) % 400 + 1),
                    "conflicts": [{"person": conflicted, "nature": "Partner at a bidding practice", "decision": "left_room"}],
                })))?;
                let item = meetings::create_item(c, org_id, ACTOR, meeting.id, item)?.value;
                tick(c, 1)?;
                let outcome = ItemOutcomeInput::Decided {
                    decision: "Approved as recommended".to_owned(),
                };
                let item =
                    meetings::record_outcome(c, org_id, ACTOR, item.id, item.version, outcome)?
                        .value;
                tick(c, 1)?;
                decided_items.push((item.id, held_on));
            }
        }
    }

    for d in 0..scale.decisions {
        let (item, decided_on) = decided_items[(d as usize * 7) % decided_items.len().max(1)];
        let fields = DecisionFields::parse(&input(json!({
            "reference": format!("PD-{:05}", d + 1), "title": format!("Community service contract {}", d + 1),
            "service_description": "A generated community service contract.",
            "service_status": if d % 3 == 0 { "new" } else { "existing" },
            "route": ROUTES[(d % ROUTES.len() as u64) as usize].0, "item": item,
            "decided_on": decided_on.to_string(), "justification": "Best value for the population served",
            "supplier": BODIES[(d % 8) as usize], "value_pence": 1_800_000 + (mix(d) % 2_400_000_000) as i64,
            "term_months": 12 + d % 48,
        })))?;
        decisions::create_decision(c, org_id, ACTOR, fields)?;
        tick(c, 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_scale_is_written_through_the_write_path_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            crate::store::Store::open(&dir.path().join("s.db").display().to_string(), 1).unwrap();
        let mut c = store.conn().unwrap();
        let scale = Scale {
            people: 30,
            declarations_per_person: 2,
            gifts_per_person: 1,
            decisions: 5,
            committees: 2,
            meetings_per_year: 4,
            years: 2,
        };
        let mut ticks = 0;
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        seed(&mut c, "scale-icb", "Scale ICB", today, &scale, || {
            ticks += 1
        })
        .unwrap();
        let org = orgs::by_slug(&mut c, "scale-icb").unwrap();
        assert_eq!(org.chain_seq as u64, scale.writes());
        assert_eq!(ticks, scale.writes());
        let b = crate::store::business::Business::load(&mut c, org.id).unwrap();
        assert_eq!(b.meetings.len(), 16);
        assert_eq!(b.decisions.len(), 5);
        assert!(crate::store::audit::verify(&mut c, "scale-icb")
            .unwrap()
            .is_ok());
    }
}
