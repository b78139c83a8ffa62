//! Demo data: two CCGs with realistic people, declarations, gifts and returns, seeded
//! through the store's ordinary write path (actor `system`) so the demo audit chains are
//! real and verifiable. Dates are relative to `today`, so the demo never goes stale, and
//! each write is recorded on its own day (`history`), so the chain has a past to show.

use crate::domain::entries::{Review, StandingChange};
use crate::domain::gifts::GiftFields;
use crate::domain::interests::Declaration;
use crate::domain::interests::{DeclarationFields, Step};
use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
use crate::domain::people::PersonFields;
use crate::domain::returns::ReturnKind;
use crate::domain::{FieldErrors, Input};
use crate::store::entries::Register;
use crate::store::{declarations, gifts, orgs, people, returns, AnyConnection, StoreError};
use chrono::{Days, NaiveDate};
use data::{data, Then};
use diesel::Connection;
use history::{History, Rank};
use serde_json::json;
use std::collections::BTreeMap;

mod business;
mod data;
mod earnings;
mod editions;
mod history;
#[cfg(test)]
mod tests;

/// Every demo write is recorded as made by this actor.
const ACTOR: &str = "system";

pub use editions::seed_editions;

/// Seed the demo organisations (`content/orgs.json`) if the database has none. Returns
/// true if it seeded.
pub fn seed_if_empty(c: &mut AnyConnection, today: NaiveDate) -> Result<bool, StoreError> {
    if !orgs::all(c)?.is_empty() {
        return Ok(false);
    }
    for org in &data().orgs {
        match seed_org(c, &org.slug, &org.name, org.variant, today) {
            Ok(()) => {}
            // Another process seeded at the same moment: its data stands.
            Err(StoreError::Conflict(_)) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Seed one organisation, all or nothing; `variant` makes organisations differ in names and
/// dates. Everything is written as it happened: each step on its own day (see `history`).
pub fn seed_org(
    c: &mut AnyConnection,
    slug: &str,
    name: &str,
    variant: u64,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let org = NewOrg {
        slug: OrgSlug::parse(slug).map_err(|m| FieldErrors::one("slug", m))?,
        name: name.to_owned(),
    };
    let ctx = Ctx::new(name, variant, today);
    c.transaction(|c| {
        let mut history = History::default();
        plan_declarations(&mut history, &ctx)?;
        plan_gifts(&mut history, &ctx)?;
        plan_returns(&mut history, &ctx)?;
        business::plan(&mut history, &ctx)?;
        earnings::plan(&mut history, &ctx)?;
        history.run(c, &ctx, |c| {
            orgs::create(c, ACTOR, &org, OrgSettings::default())?;
            let org_id = orgs::by_slug(c, slug)?.id;
            let staff = seed_people(c, org_id, &ctx)?;
            let business = business::Business::new(c, org_id, &ctx, &staff)?;
            Ok(Seeded {
                org_id,
                staff,
                declared: BTreeMap::new(),
                business,
            })
        })
    })
}

/// What the history has written so far, for the steps that follow.
struct Seeded {
    org_id: i64,
    staff: Vec<Staff>,
    /// Declarations as first recorded, by their place in `declarations.json`.
    declared: BTreeMap<usize, Declaration>,
    business: business::Business,
}

/// What varies between organisations, and the date everything is relative to.
struct Ctx {
    place: String,
    practices: &'static [String],
    variant: u64,
    today: NaiveDate,
}

/// A seeded person.
struct Staff {
    slug: String,
    name: String,
    position: String,
}

impl Ctx {
    fn new(org_name: &str, variant: u64, today: NaiveDate) -> Ctx {
        // "NHS Northshire CCG" -> "Northshire".
        let place = org_name
            .split_whitespace()
            .find(|w| *w != "NHS")
            .unwrap_or(org_name)
            .to_owned();
        let all = &data().names.practices;
        let practices = &all[(variant % all.len() as u64) as usize];
        Ctx {
            place,
            practices,
            variant,
            today,
        }
    }

    /// A small deterministic number for item `k`, different per variant (SplitMix64).
    fn mix(&self, k: u64) -> u64 {
        let mut x = self
            .variant
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(k.wrapping_mul(0xBF58_476D_1CE4_E5B9))
            .wrapping_add(1);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    /// Up to 8 days' shift for item `k`, so the two organisations' dates differ.
    fn jitter(&self, k: u64) -> u64 {
        self.mix(k) % 9
    }

    fn days_ago(&self, days: u64) -> Result<NaiveDate, StoreError> {
        self.today
            .checked_sub_days(Days::new(days))
            .ok_or_else(|| FieldErrors::one("today", "is too early for demo data").into())
    }

    /// Fill `{place}` and `{practice}` into a template.
    fn fill(&self, template: &str, practice: Option<usize>) -> String {
        let text = template.replace("{place}", &self.place);
        match practice {
            Some(i) => text.replace("{practice}", &self.practices[i]),
            None => text,
        }
    }

    /// The name of the `i`th person the demo creates (staff, then observers): the
    /// strides are coprime with the name lists' lengths, so names differ within an organisation.
    fn name(&self, i: usize, doctor: bool) -> String {
        let (names, v) = (&data().names, self.variant as usize);
        let first = &names.first_names[(i * 7 + v * 3) % names.first_names.len()];
        let last = &names.surnames[(i * 11 + v * 17 + 5) % names.surnames.len()];
        let title = if doctor { "Dr " } else { "" };
        format!("{title}{first} {last}")
    }
}

/// The first names and surnames the demo draws on, for other generated data.
pub(crate) fn first_names_and_surnames() -> (&'static [String], &'static [String]) {
    let names = &data().names;
    (&names.first_names, &names.surnames)
}

fn seed_people(c: &mut AnyConnection, org_id: i64, ctx: &Ctx) -> Result<Vec<Staff>, StoreError> {
    let roles = data().people.roles.iter().enumerate();
    roles
        .map(|(i, role)| {
            let fields = PersonFields {
                name: ctx.name(i, role.doctor),
                position: ctx.fill(&role.position, role.practice),
                decision_making: role.decision_making,
            };
            let person = people::create(c, org_id, ACTOR, fields)?.value;
            Ok(Staff {
                slug: person.slug,
                name: person.fields.name,
                position: person.fields.position,
            })
        })
        .collect()
}

fn plan_declarations<'a>(history: &mut History<'a>, ctx: &'a Ctx) -> Result<(), StoreError> {
    let data = data();
    for (k, d) in data.declarations.iter().enumerate() {
        let who = data.person(&d.who);
        let practice = data.people.roles[who].practice;
        let shift = ctx.jitter(k as u64);
        let arose_on = ctx.days_ago(d.arose_ago + shift)?;
        let declared_on = ctx.days_ago((d.arose_ago + shift).saturating_sub(d.declared_after))?;
        let fields = DeclarationFields {
            position: None,
            interest_type: d.kind,
            associate: d.associate.clone(),
            description: ctx.fill(&d.description, practice),
            body: ctx.fill(&d.body, practice),
            arose_on,
            ended_on: None,
            declared_on,
            mitigation: ctx.fill(&d.mitigation, practice),
        };
        let fields = DeclarationFields::parse(&fields.to_input(), ctx.today)?;
        let withheld = match &d.then {
            Then::Withheld(reason) => Some(reason.clone()),
            _ => None,
        };
        history.on(declared_on, Rank::Declaration, move |c, s| {
            let person = &s.staff[who].slug;
            let created = declarations::Declarations::create(
                c,
                s.org_id,
                ACTOR,
                person,
                fields,
                withheld,
                Review::Accepted,
            )?;
            s.declared.insert(k, created.value.entry);
            Ok(())
        });
        let on = match &d.then {
            Then::Nothing | Then::Withheld(_) => continue,
            // Recorded a few days after it ended, or today.
            Then::EndedAgo(days) => (ctx.days_ago(days + shift)?
                + Days::new(1 + ctx.mix(8000 + k as u64) % 6))
            .min(ctx.today),
            // Amended within the last few months, after it was declared.
            Then::Amended { .. } => (ctx.days_ago(10 + ctx.mix(9000 + k as u64) % 80)?)
                .max(declared_on + Days::new(1))
                .min(ctx.today),
        };
        history.on(on, Rank::DeclarationChange, move |c, s| {
            let created = &s.declared[&k];
            let step = match &d.then {
                Then::Nothing | Then::Withheld(_) => return Ok(()),
                Then::EndedAgo(days) => Step::End(ctx.days_ago(days + shift)?),
                Then::Amended {
                    description,
                    mitigation,
                } => {
                    let mut amended = created.fields.clone();
                    amended.description = ctx.fill(description, practice);
                    amended.mitigation = ctx.fill(mitigation, practice);
                    Step::Amend(DeclarationFields::parse(&amended.to_input(), ctx.today)?)
                }
            };
            let (id, version) = (created.id, created.version);
            let accepted = Review::Accepted;
            declarations::Declarations::change(
                c,
                s.org_id,
                ACTOR,
                id,
                version,
                accepted,
                |_, _| Ok(step),
            )?;
            Ok(())
        });
    }
    Ok(())
}

fn plan_gifts<'a>(history: &mut History<'a>, ctx: &'a Ctx) -> Result<(), StoreError> {
    let data = data();
    for (k, o) in data.gifts.iter().enumerate() {
        let offered_ago = o.offered_ago + ctx.jitter(1000 + k as u64);
        let approved_by = o.approved_by.as_deref().map(|key| data.person(key));
        // Declared a few days after the offer.
        let declared_on =
            ctx.days_ago(offered_ago.saturating_sub(1 + ctx.mix(2000 + k as u64) % 5))?;
        let offered_on = ctx.days_ago(offered_ago)?;
        let who = data.person(&o.who);
        history.on(declared_on, Rank::Gift, move |c, s| {
            let fields = GiftFields {
                giver: ctx.fill(&o.giver, None),
                giver_is_supplier: o.supplier,
                kind: o.kind,
                description: ctx.fill(&o.description, None),
                value_pence: o.value_pence,
                offered_on,
                outcome: o.outcome,
                approved_by: approved_by
                    .map(|i| &s.staff[i])
                    .map(|a| format!("{}, {}", a.name, a.position)),
                declared_on,
            };
            let settings = OrgSettings::default();
            let fields = GiftFields::parse(&fields.to_input(), ctx.today, &settings)?;
            let person = &s.staff[who].slug;
            gifts::Gifts::create(c, s.org_id, ACTOR, person, fields, None, Review::Accepted)?;
            Ok(())
        });
    }
    Ok(())
}

fn plan_returns<'a>(history: &mut History<'a>, ctx: &'a Ctx) -> Result<(), StoreError> {
    let data = data();
    let nil = data.returns.nil.iter().map(|r| (r, ReturnKind::Nil));
    let confirmations = data.returns.confirmations.iter();
    let all = nil.chain(confirmations.map(|r| (r, ReturnKind::Confirmation)));
    for (k, (r, kind)) in all.enumerate() {
        let made_on = ctx.days_ago(r.days_ago + ctx.jitter(3000 + k as u64))?;
        let who = data.person(&r.who);
        history.on(made_on, Rank::Return, move |c, s| {
            let person = &s.staff[who].slug;
            returns::create(c, s.org_id, ACTOR, person, kind, made_on, Review::Accepted)?;
            Ok(())
        });
    }
    Ok(())
}

/// What the demo declarant has sent for review: a declaration awaiting a governance
/// lead, and an offer the lead returned with a comment, so the review queue and the
/// declarant's notice have something to show. Written as those accounts.
pub fn seed_submissions(
    c: &mut AnyConnection,
    org_id: i64,
    person: &str,
    lead: i64,
    declarant: i64,
) -> Result<(), StoreError> {
    let today = crate::clock::today();
    let (lead, declarant) = (format!("user:{lead}"), format!("user:{declarant}"));
    let fields = DeclarationFields::parse(
        &Input::from_json(json!({
            "interest_type": "non_financial_professional",
            "description": "Appraiser for the **regional GP appraisal** scheme",
            "body": "NHS England regional appraisal team",
            "arose_on": (today - Days::new(12)).to_string(),
            "declared_on": today.to_string(),
            "mitigation": "Does not appraise GPs whose contracts the committee is deciding",
        }))
        .expect("an object"),
        today,
    )?;
    declarations::Declarations::create(
        c,
        org_id,
        &declarant,
        person,
        fields,
        None,
        Review::Submitted,
    )?;
    let settings = orgs::by_id(c, org_id)?.settings;
    let fields = GiftFields::parse(
        &Input::from_json(json!({
            "giver": "Northshire Pharmacy Ltd", "giver_is_supplier": true, "kind": "hospitality",
            "description": "Lunch at a prescribing update meeting", "value_pence": 1800,
            "offered_on": (today - Days::new(5)).to_string(), "outcome": "accepted",
            "approved_by": "Head of Governance",
        }))
        .expect("an object"),
        today,
        &settings,
    )?;
    let offer = gifts::Gifts::create(
        c,
        org_id,
        &declarant,
        person,
        fields,
        None,
        Review::Submitted,
    )?
    .value;
    gifts::Gifts::change(
        c,
        org_id,
        &lead,
        offer.entry.id,
        offer.entry.version,
        Review::Accepted,
        |_, _| {
            Ok(gifts::GiftStep::Standing(StandingChange::Return(
                "Was the lunch part of the meeting's programme? Say so in the description.".into(),
            )))
        },
    )?;
    Ok(())
}
