//! Demo committee business: a Primary Care Commissioning Committee and a Finance and
//! Performance Committee with a year of meetings, the procurement decisions they took,
//! and two breaches. Everything goes through the store's committee write path, so the
//! constitution and quorum rules hold for the data as they would for a governance lead;
//! one item is deliberately refused a decision for want of a quorum, to show the rule.

use super::data::{
    data, ChangeSpec, DelegatedSpec, ItemSpec, MeetingSpec, Minute, ProcurementSpec, SeatSpec,
};
use super::{Ctx, Staff, ACTOR};
use crate::domain::committees::{Committee, ItemInput, ItemOutcomeInput, MeetingInput, Membership};
use crate::domain::decisions::{BreachInput, DecisionFields};
use crate::domain::people::PersonFields;
use crate::domain::Input;
use crate::store::declarations::{self, Version};
use crate::store::entries::Register;
use crate::store::{
    breaches, committees, decisions, meetings, people, records, AnyConnection, StoreError,
};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A person the business names: staff, then the observers, in `people.json`'s order.
struct Who {
    slug: String,
    id: i64,
    /// "Name, position", as a clinical lead or contract manager is shown.
    described: String,
    practice: Option<usize>,
}

/// Where a procurement decision was taken.
enum Taken {
    Item(i64),
    Delegated(&'static DelegatedSpec),
}

/// A procurement decision to record: when, what, and where it was taken.
type Taking = (NaiveDate, &'static ProcurementSpec, Taken);

/// What the seeding of one organisation's business works from.
struct Org<'a> {
    id: i64,
    ctx: &'a Ctx,
    who: Vec<Who>,
    register: Vec<Version>,
}

/// Seed the committee business of an organisation whose people and declarations exist.
pub(super) fn seed(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &Ctx,
    staff: &[Staff],
) -> Result<(), StoreError> {
    let org = Org {
        id: org_id,
        ctx,
        who: people_and_observers(c, org_id, ctx, staff)?,
        register: declarations::Declarations::current(c, org_id)?,
    };
    let business = &data().business;
    let formed = ctx.days_ago(business.formed_ago + ctx.jitter(4000))?;
    let mut ids = Vec::new();
    let mut schedule = Vec::new();
    for (ci, def) in business.committees.iter().enumerate() {
        let committee = Committee::parse(&input(json!({
            "slug": def.slug, "name": def.name, "terms_of_reference": ctx.fill(&def.terms, None),
            "quorum_minimum": def.quorum_minimum, "quorum_required": def.quorum_required,
        })))?;
        let seats = def.seats.iter().map(|s| org.seat(s, formed)).collect();
        let created = committees::create_committee(c, org_id, ACTOR, committee, seats)?;
        ids.push(created.value.committee.id);
        for (mi, m) in def.meetings.iter().enumerate() {
            let shift = ctx.jitter(5000 + 100 * ci as u64 + mi as u64);
            let nominal = ctx.days_ago(m.months_ago * 365 / 12 + shift)?;
            schedule.push((next_weekday(nominal, def.weekday), ci, mi));
        }
    }
    // Meetings in the order they were held, so the audit chain reads like the year did.
    schedule.sort();
    let mut rosters: Vec<Vec<&str>> = (business.committees.iter())
        .map(|def| def.seats.iter().map(|s| s.who.as_str()).collect())
        .collect();
    let mut taken = Vec::new();
    for (held_on, ci, mi) in schedule {
        let def = &business.committees[ci];
        taken.extend(org.meeting(c, ids[ci], &rosters[ci], &def.meetings[mi], held_on)?);
        if let Some(change) = def.change.as_ref().filter(|ch| ch.after == mi) {
            org.change_membership(c, ids[ci], change, held_on)?;
            let roster = &mut rosters[ci];
            roster.retain(|&p| p != change.leaves);
            roster.push(&change.joins.who);
        }
    }
    for d in &data().delegated {
        let on = ctx.days_ago(d.days_ago + ctx.jitter(6000))?;
        taken.push((on, &d.procurement, Taken::Delegated(d)));
    }
    org.decisions(c, taken)?;
    org.breaches(c)
}

/// The staff as [`Who`], followed by the observers, whom this creates.
fn people_and_observers(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &Ctx,
    staff: &[Staff],
) -> Result<Vec<Who>, StoreError> {
    let mut who = Vec::new();
    for (s, role) in staff.iter().zip(&data().people.roles) {
        who.push(Who {
            slug: s.slug.clone(),
            id: people::by_slug(c, org_id, &s.slug)?.id,
            described: format!("{}, {}", s.name, s.position),
            practice: role.practice,
        });
    }
    for observer in &data().people.observers {
        let fields = PersonFields {
            // Named as the staff are, continuing their sequence.
            name: ctx.name(who.len(), false),
            position: ctx.fill(&observer.position, None),
            decision_making: false,
        };
        let p = people::create(c, org_id, ACTOR, fields)?.value;
        who.push(Who {
            described: format!("{}, {}", p.fields.name, p.fields.position),
            slug: p.slug,
            id: p.id,
            practice: None,
        });
    }
    Ok(who)
}

impl Org<'_> {
    /// The person `key` names.
    fn who(&self, key: &str) -> &Who {
        &self.who[data().person(key)]
    }

    /// A membership as entered for `seat`, from `from`.
    fn seat(&self, seat: &SeatSpec, from: NaiveDate) -> (Option<String>, Input) {
        let fields =
            json!({"category": seat.category, "role": seat.role, "from": from.to_string()});
        (Some(self.who(&seat.who).slug.clone()), input(fields))
    }

    /// Record meeting `m` of the committee `committee_id`, whose members are `roster`,
    /// and its items; returns the procurement decisions it took.
    fn meeting(
        &self,
        c: &mut AnyConnection,
        committee_id: i64,
        roster: &[&str],
        m: &'static MeetingSpec,
        held_on: NaiveDate,
    ) -> Result<Vec<Taking>, StoreError> {
        let mut attendance = serde_json::Map::new();
        let listed = |list: &'static [String]| list.iter().map(String::as_str);
        let (apologies, absent) = (listed(&m.apologies), listed(&m.absent));
        for p in roster.iter().copied().chain(apologies).chain(absent) {
            let status = if m.apologies.iter().any(|a| a == p) {
                "apologies"
            } else if m.absent.iter().any(|a| a == p) {
                "absent"
            } else {
                "present"
            };
            attendance.insert(self.who(p).slug.clone(), json!(status));
        }
        let co_opted: Vec<Value> = (m.co_opted.iter())
            .map(|x| json!({"person": self.who(&x.who).slug, "category": "lay", "note": x.note}))
            .collect();
        let fields = json!({
            "held_on": held_on.to_string(), "attendance": attendance, "co_opted": co_opted,
        });
        let meeting = MeetingInput::parse(&input(fields.clone()))?;
        let meeting_id = meetings::create_meeting(c, self.id, ACTOR, committee_id, meeting)?
            .value
            .id;
        let mut taken = Vec::new();
        let minutes = &data().business.minutes;
        for (k, it) in std::iter::once(minutes).chain(&m.items).enumerate() {
            let item_id = self.item(c, meeting_id, &(k + 1).to_string(), it, held_on)?;
            if let Some(p) = &it.procurement {
                taken.push((held_on, p, Taken::Item(item_id)));
            }
        }
        if let Some(fix) = &m.correction {
            let mut fields = fields;
            fields["attendance"][&self.who(&fix.who).slug] = json!(fix.to);
            fields["correction_reason"] = json!(fix.reason);
            let corrected = MeetingInput::parse(&input(fields))?;
            meetings::amend_meeting(c, self.id, ACTOR, meeting_id, 1, corrected)?;
        }
        Ok(taken)
    }

    /// Record agenda item `it` of a meeting held on `held_on`, and what became of it.
    fn item(
        &self,
        c: &mut AnyConnection,
        meeting_id: i64,
        number: &str,
        it: &ItemSpec,
        held_on: NaiveDate,
    ) -> Result<i64, StoreError> {
        let ctx = self.ctx;
        let conflicts: Vec<Value> = it
            .conflicts
            .iter()
            .map(|cf| {
                let w = self.who(&cf.who);
                let declaration = cf.register.as_ref().and_then(|body| {
                    on_register(&self.register, w.id, &ctx.fill(body, w.practice), held_on)
                });
                json!({"person": w.slug, "declaration": declaration,
                       "nature": ctx.fill(&cf.nature, w.practice), "decision": cf.decision})
            })
            .collect();
        let item = ItemInput::parse(&input(json!({
            "number": number, "title": text(ctx, &it.title),
            "description": text(ctx, &it.about), "conflicts": conflicts,
        })))?;
        let item = meetings::create_item(c, self.id, ACTOR, meeting_id, item)?.value;
        let minute = match &it.minute {
            Minute::Decided(decision) => {
                json!({"outcome": "decided", "decision": text(ctx, decision)})
            }
            Minute::Referred { to, reason } => {
                json!({"outcome": "referred", "referred_to": to, "reason": text(ctx, reason)})
            }
            Minute::LostQuorum { attempted, reason } => {
                let attempt = outcome(json!({"outcome": "decided", "decision": attempted}))?;
                match meetings::record_outcome(c, self.id, ACTOR, item.id, item.version, attempt) {
                    Err(StoreError::Invalid(_)) => {}
                    Ok(_) => {
                        return Err(StoreError::Corrupt(format!(
                            "demo: {:?} should have been refused as inquorate",
                            it.title
                        )))
                    }
                    Err(e) => return Err(e),
                }
                json!({"outcome": "deferred", "reason": reason})
            }
        };
        meetings::record_outcome(c, self.id, ACTOR, item.id, item.version, outcome(minute)?)?;
        Ok(item.id)
    }

    /// `change.leaves`' membership ends the day after the meeting of `held_on`, and
    /// `change.joins` joins the day after that.
    fn change_membership(
        &self,
        c: &mut AnyConnection,
        committee_id: i64,
        change: &ChangeSpec,
        held_on: NaiveDate,
    ) -> Result<(), StoreError> {
        let leaving = self.who(&change.leaves).id;
        let current = records::children::<Membership>(c, self.id, committee_id)?
            .into_iter()
            .find(|m| m.record.member.person_id == leaving && m.record.member.to.is_none())
            .ok_or_else(|| {
                StoreError::Corrupt("demo: the leaving member has no open membership".into())
            })?;
        let last_day = held_on + Days::new(1);
        let to = input(json!({"to": last_day.to_string()}));
        let version = (current.id, current.version);
        committees::change_membership(c, self.id, ACTOR, committee_id, version, "end", to)?;
        let joins = self.seat(&change.joins, last_day + Days::new(1));
        committees::add_members(c, self.id, ACTOR, committee_id, vec![joins])?;
        Ok(())
    }

    /// Record the procurement decisions, numbered in date order within each year.
    fn decisions(&self, c: &mut AnyConnection, mut taken: Vec<Taking>) -> Result<(), StoreError> {
        let ctx = self.ctx;
        taken.sort_by_key(|(on, ..)| *on);
        let prefix = format!("{}CCG", ctx.place.chars().next().unwrap_or('X'));
        let mut numbers: BTreeMap<i32, u32> = BTreeMap::new();
        for (decided_on, p, how) in taken {
            let n = numbers.entry(decided_on.year()).or_default();
            *n += 1;
            let starts = decided_on + Days::new(60);
            let (item, how_decided, conflicts_note) = match how {
                Taken::Item(id) => (Some(id), None, None),
                Taken::Delegated(d) => (None, Some(&d.how), Some(&d.conflicts)),
            };
            let fields = DecisionFields::parse(&input(json!({
                "reference": format!("{prefix}-PD-{}-{n:03}", decided_on.year()),
                "title": text(ctx, &p.title), "service_description": text(ctx, &p.service),
                "service_status": if p.new_service { "new" } else { "existing" },
                "route": p.route,
                "clinical_lead": p.clinical_lead.as_ref().map(|k| &self.who(k).described),
                "contract_manager": self.who(&p.contract_manager).described,
                "decided_on": decided_on.to_string(), "item": item,
                "how_decided": how_decided, "conflicts_note": conflicts_note,
                "justification": text(ctx, &p.justification), "supplier": text(ctx, &p.supplier),
                "value_pence": p.pounds * 100, "term_months": p.months,
                "starts_on": starts.with_day(1).unwrap_or(starts).to_string(),
            })))?;
            decisions::create_decision(c, self.id, ACTOR, fields)?;
        }
        Ok(())
    }

    fn breaches(&self, c: &mut AnyConnection) -> Result<(), StoreError> {
        let ctx = self.ctx;
        for (k, b) in data().breaches.iter().enumerate() {
            let occurred = b.occurred_ago + ctx.jitter(7000 + k as u64);
            let breach = BreachInput::parse(
                &input(json!({
                    "occurred_on": ctx.days_ago(occurred)?.to_string(),
                    "identified_on": ctx.days_ago(occurred - b.identified_after)?.to_string(),
                    "summary": b.summary, "action_taken": b.action, "reported_to": b.reported_to,
                    "person": b.person.as_ref().map(|k| &self.who(k).slug),
                })),
                ctx.today,
            )?;
            breaches::create_breach(c, self.id, ACTOR, breach)?;
        }
        Ok(())
    }
}

fn input(v: Value) -> Input {
    Input::from_json(v).expect("an object")
}

fn outcome(v: Value) -> Result<ItemOutcomeInput, StoreError> {
    Ok(ItemOutcomeInput::parse(&input(v))?)
}

/// The first `weekday` on or after `d`, a week later while that falls over Christmas
/// and New Year (at most two weeks: meetings stay in order, being 16 days apart or more).
fn next_weekday(mut d: NaiveDate, weekday: Weekday) -> NaiveDate {
    while d.weekday() != weekday {
        d = d.succ_opt().expect("a date far from the end of time");
    }
    while (d.month() == 12 && d.day() >= 22) || (d.month() == 1 && d.day() <= 2) {
        d = d + Days::new(7);
    }
    d
}

/// `{place}` and the variant's practices `{p0}`…`{p5}` filled into a template.
fn text(ctx: &Ctx, template: &str) -> String {
    let mut s = ctx.fill(template, None);
    for (i, practice) in ctx.practices.iter().enumerate() {
        s = s.replace(&format!("{{p{i}}}"), practice);
    }
    s
}

/// The id of `person`'s entry about `body` that was on the register on `on`, if any.
fn on_register(register: &[Version], person: i64, body: &str, on: NaiveDate) -> Option<i64> {
    register
        .iter()
        .map(|v| &v.entry)
        .find(|d| {
            d.person_id == person
                && d.fields.body == body
                && d.fields.declared_on <= on
                && d.fields.ended_on.is_none_or(|e| e >= on)
        })
        .map(|d| d.id)
}
