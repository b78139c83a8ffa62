//! Demo committee business: a Primary Care Commissioning Committee and a Finance and
//! Performance Committee with a year of meetings, the procurement decisions they took,
//! and two breaches. Everything goes through the store's committee write path, so the
//! constitution and quorum rules hold for the data as they would for a governance lead;
//! one item is deliberately refused a decision for want of a quorum, to show the rule.

use super::data::{
    data, BreachSpec, ChangeSpec, DelegatedSpec, ItemSpec, MeetingSpec, Minute, ProcurementSpec,
    SeatSpec,
};
use super::history::{History, Rank};
use super::{Ctx, Seeded, Staff, ACTOR};
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

/// What the business steps share as the history runs: the people they name, the
/// committees made so far and who sits on them, the agenda items that took procurement
/// decisions, and each year's count of decisions (for their references).
pub(super) struct Business {
    who: Vec<Who>,
    committees: Vec<i64>,
    rosters: Vec<Vec<&'static str>>,
    /// The item that took each procurement decision: (committee, meeting, item) → id.
    items: BTreeMap<(usize, usize, usize), i64>,
    /// Each meeting as recorded: (committee, meeting) → the record.
    meetings: BTreeMap<(usize, usize), Recorded>,
    numbers: BTreeMap<i32, u32>,
}

impl Business {
    /// Seeding's start: the staff as [`Who`], and the observers, whom this creates.
    pub(super) fn new(
        c: &mut AnyConnection,
        org_id: i64,
        ctx: &Ctx,
        staff: &[Staff],
    ) -> Result<Business, StoreError> {
        let business = &data().business;
        Ok(Business {
            who: people_and_observers(c, org_id, ctx, staff)?,
            committees: Vec::new(),
            rosters: (business.committees.iter())
                .map(|def| def.seats.iter().map(|s| s.who.as_str()).collect())
                .collect(),
            items: BTreeMap::new(),
            meetings: BTreeMap::new(),
            numbers: BTreeMap::new(),
        })
    }
}

/// A meeting as the demo recorded it: its id, the fields it was entered with, and
/// each agenda item's id by its place in the agenda.
struct Recorded {
    id: i64,
    fields: Value,
    items: Vec<(usize, i64)>,
}

/// What the seeding of one organisation's business works from.
struct Org<'a> {
    id: i64,
    ctx: &'a Ctx,
    who: &'a [Who],
}

impl<'a> Org<'a> {
    fn of(s: &'a Seeded, ctx: &'a Ctx) -> Org<'a> {
        Org {
            id: s.org_id,
            ctx,
            who: &s.business.who,
        }
    }
}

/// Plan the committee business: the committees when formed, each meeting on the day it
/// was held (its items and what became of them), membership changes, the procurement
/// decisions on the day they were taken, and the breaches when identified.
pub(super) fn plan<'a>(history: &mut History<'a>, ctx: &'a Ctx) -> Result<(), StoreError> {
    let business = &data().business;
    let formed = ctx.days_ago(business.formed_ago + ctx.jitter(4000))?;
    let mut taken: Vec<(NaiveDate, &'static ProcurementSpec, Taken)> = Vec::new();
    for (ci, def) in business.committees.iter().enumerate() {
        let committee = Committee::parse(&input(json!({
            "slug": def.slug, "name": def.name, "terms_of_reference": ctx.fill(&def.terms, None),
            "quorum_minimum": def.quorum_minimum, "quorum_required": def.quorum_required,
        })))?;
        history.on(formed, Rank::Committee, move |c, s| {
            let org = Org::of(s, ctx);
            let seats = def.seats.iter().map(|x| org.seat(x, formed)).collect();
            let created = committees::create_committee(c, s.org_id, ACTOR, committee, seats)?;
            s.business.committees.push(created.value.committee.id);
            Ok(())
        });
        for (mi, m) in def.meetings.iter().enumerate() {
            let shift = ctx.jitter(5000 + 100 * ci as u64 + mi as u64);
            let held_on = next_weekday(ctx.days_ago(m.months_ago * 365 / 12 + shift)?, def.weekday);
            history.on(held_on, Rank::Meeting, move |c, s| {
                let org = Org::of(s, ctx);
                let (committee, roster) = (s.business.committees[ci], &s.business.rosters[ci]);
                let recorded = org.meeting(c, committee, roster, m, held_on)?;
                for (k, item) in &recorded.items {
                    s.business.items.insert((ci, mi, *k), *item);
                }
                s.business.meetings.insert((ci, mi), recorded);
                Ok(())
            });
            if let Some(fix) = &m.correction {
                // Noticed when the minutes were checked, a week later.
                let on = (held_on + Days::new(7)).min(ctx.today);
                history.on(on, Rank::Correction, move |c, s| {
                    let recorded = &s.business.meetings[&(ci, mi)];
                    let mut fields = recorded.fields.clone();
                    let who = Org::of(s, ctx).who(&fix.who).slug.clone();
                    fields["attendance"][&who] = json!(fix.to);
                    fields["correction_reason"] = json!(fix.reason);
                    let corrected = MeetingInput::parse(&input(fields))?;
                    meetings::amend_meeting(c, s.org_id, ACTOR, recorded.id, 1, corrected)?;
                    Ok(())
                });
            }
            let minutes = std::iter::once(&business.minutes).chain(&m.items);
            for (k, it) in minutes.enumerate() {
                if let Some(p) = &it.procurement {
                    taken.push((held_on, p, Taken::Item(ci, mi, k)));
                }
            }
            if let Some(change) = def.change.as_ref().filter(|ch| ch.after == mi) {
                history.on(held_on + Days::new(1), Rank::Membership, move |c, s| {
                    let committee = s.business.committees[ci];
                    Org::of(s, ctx).change_membership(c, committee, change, held_on)?;
                    let roster = &mut s.business.rosters[ci];
                    roster.retain(|&p| p != change.leaves);
                    roster.push(&change.joins.who);
                    Ok(())
                });
            }
        }
    }
    for d in &data().delegated {
        let on = ctx.days_ago(d.days_ago + ctx.jitter(6000))?;
        taken.push((on, &d.procurement, Taken::Delegated(d)));
    }
    // Numbered in date order within each year, as the steps run.
    taken.sort_by_key(|(on, ..)| *on);
    for (on, p, how) in taken {
        history.on(on, Rank::Decision, move |c, s| {
            let item = match how {
                Taken::Item(ci, mi, k) => Some(s.business.items[&(ci, mi, k)]),
                Taken::Delegated(_) => None,
            };
            let n = s.business.numbers.entry(on.year()).or_default();
            *n += 1;
            let n = *n;
            Org::of(s, ctx).decision(c, on, n, p, &how, item)
        });
    }
    for (k, b) in data().breaches.iter().enumerate() {
        let occurred = b.occurred_ago + ctx.jitter(7000 + k as u64);
        let identified_on = ctx.days_ago(occurred - b.identified_after)?;
        history.on(identified_on, Rank::Breach, move |c, s| {
            Org::of(s, ctx).breach(c, b, occurred)
        });
    }
    Ok(())
}

/// Where a procurement decision was taken: at an item (committee, meeting and item by
/// their places in the data), or under delegated authority.
enum Taken {
    Item(usize, usize, usize),
    Delegated(&'static DelegatedSpec),
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
    /// and its items.
    fn meeting(
        &self,
        c: &mut AnyConnection,
        committee_id: i64,
        roster: &[&'static str],
        m: &'static MeetingSpec,
        held_on: NaiveDate,
    ) -> Result<Recorded, StoreError> {
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
        // What was on the register that day, for the conflicts to refer to.
        let register = declarations::Declarations::current(c, self.id)?;
        let minutes = &data().business.minutes;
        let agenda = std::iter::once(minutes).chain(&m.items).enumerate();
        let items = agenda
            .map(|(k, it)| {
                let number = (k + 1).to_string();
                Ok((
                    k,
                    self.item(c, meeting_id, &number, it, held_on, &register)?,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Recorded {
            id: meeting_id,
            fields,
            items,
        })
    }

    /// Record agenda item `it` of a meeting held on `held_on`, and what became of it.
    fn item(
        &self,
        c: &mut AnyConnection,
        meeting_id: i64,
        number: &str,
        it: &ItemSpec,
        held_on: NaiveDate,
        register: &[Version],
    ) -> Result<i64, StoreError> {
        let ctx = self.ctx;
        let conflicts: Vec<Value> = it
            .conflicts
            .iter()
            .map(|cf| {
                let w = self.who(&cf.who);
                let declaration = cf.register.as_ref().and_then(|body| {
                    on_register(register, w.id, &ctx.fill(body, w.practice), held_on)
                });
                json!({"person": w.slug, "declaration": declaration,
                       "nature": ctx.fill(&cf.nature, w.practice), "decision": cf.decision,
                       "took_part_reason": cf.took_part_reason.as_ref().map(|r| ctx.fill(r, w.practice))})
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

    /// Record procurement decision number `n` of its year, taken on `decided_on` at
    /// `item` or under delegated authority.
    fn decision(
        &self,
        c: &mut AnyConnection,
        decided_on: NaiveDate,
        n: u32,
        p: &ProcurementSpec,
        how: &Taken,
        item: Option<i64>,
    ) -> Result<(), StoreError> {
        let ctx = self.ctx;
        let prefix = format!("{}CCG", ctx.place.chars().next().unwrap_or('X'));
        let starts = decided_on + Days::new(60);
        let (how_decided, conflicts_note) = match how {
            Taken::Item(..) => (None, None),
            Taken::Delegated(d) => (Some(&d.how), Some(&d.conflicts)),
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
        Ok(())
    }

    /// Record breach `b`, which occurred `occurred` days ago.
    fn breach(
        &self,
        c: &mut AnyConnection,
        b: &BreachSpec,
        occurred: u64,
    ) -> Result<(), StoreError> {
        let ctx = self.ctx;
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
