//! Committees, their membership, meetings and agenda items. Reads are public (minutes
//! are public records); every write is a governance lead's, and the store refuses any
//! that breaks the constitution or would record a decision without a quorum.

use super::committee_write::{Target, Write};
use super::{org, parse_id};
use super::{Answer, Data, OrgPath, RecordPath};
use crate::domain::committees::{
    constitution, quorum_summary, Committee, Item, ItemInput, ItemOutcomeInput, Meeting,
    MeetingInput, Membership, QuorumResult,
};
use crate::domain::people::Person;
use crate::domain::validation::is_slug;
use crate::domain::{FieldErrors, Input};
use crate::store::business::Business;
use crate::store::committees::{self as store, CommitteeRecord};
use crate::store::meetings;
use crate::store::orgs::Org;
use crate::store::records::{self, Stored};
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// People by id, to show slugs and names beside ids.
pub struct Names(BTreeMap<i64, Person>);

impl Names {
    pub fn new(people: Vec<Person>) -> Names {
        Names(people.into_iter().map(|p| (p.id, p)).collect())
    }
    pub fn slug(&self, id: i64) -> String {
        self.0.get(&id).map(|p| p.slug.clone()).unwrap_or_default()
    }
    pub fn name(&self, id: i64) -> String {
        self.0
            .get(&id)
            .map(|p| p.fields.name.clone())
            .unwrap_or_default()
    }
}

/// A key from the path (a slug or reference): anything else names nothing.
pub fn path_key(raw: &str, what: &str) -> Result<String, ApiError> {
    let key = raw.to_ascii_lowercase();
    if is_slug(&key) && key.len() <= 80 {
        Ok(key)
    } else {
        Err(ApiError::NotFound(format!("{what} {raw:?}")))
    }
}

fn stamp<T>(mut v: Value, s: &Stored<T>) -> Value {
    v["id"] = json!(s.id);
    v["version"] = json!(s.version);
    v["recorded_at"] = json!(s.recorded_at);
    v["audit_seq"] = json!(s.audit_seq);
    v
}

fn member_json(m: &Stored<Membership>, names: &Names) -> Value {
    let x = &m.record.member;
    stamp(
        json!({
            "person": names.slug(x.person_id), "name": names.name(x.person_id),
            "category": x.category.code(), "voting": x.votes(), "role": x.role.code(),
            "from": x.from.to_string(), "to": x.to.map(|d| d.to_string()), "audit_chair": x.audit_chair,
        }),
        m,
    )
}

fn committee_json(
    org: &Org,
    rec: &CommitteeRecord,
    names: &Names,
    meetings: &[&Stored<Meeting>],
) -> Value {
    let c = &rec.committee.record;
    let today = crate::clock::today();
    let check = constitution(&store::members(&rec.members), today);
    stamp(
        json!({
            "slug": c.slug, "name": c.name, "terms_of_reference": c.terms_of_reference,
            "quorum": {"minimum": c.quorum.minimum, "required": c.quorum.required, "description": c.quorum.describe()},
            "members": rec.members.iter().map(|m| member_json(m, names)).collect::<Vec<_>>(),
            "constitution": {"on": today.to_string(), "valid": check.is_valid(), "errors": check.errors, "warnings": check.warnings},
            "warnings": rec.warnings,
            "meetings": meetings.iter().map(|m| json!({"id": m.id, "held_on": m.record.held_on.to_string()})).collect::<Vec<_>>(),
            "url": format!("/{}/committees/{}/", org.slug, c.slug),
        }),
        &rec.committee,
    )
}

fn meeting_json(org: &Org, committee: &Committee, m: &Stored<Meeting>, names: &Names) -> Value {
    let attendance: Map<String, Value> = m
        .record
        .attendance
        .iter()
        .map(|(p, a)| (names.slug(*p), json!(a.code())))
        .collect();
    let co_opted: Vec<Value> = m
        .record
        .co_opted
        .iter()
        .map(|c| json!({"person": names.slug(c.person_id), "name": names.name(c.person_id), "category": c.category.code(), "note": c.note, "recorded_on": c.recorded_on}))
        .collect();
    stamp(
        json!({
            "committee": committee.slug, "held_on": m.record.held_on.to_string(),
            "attendance": attendance, "co_opted": co_opted,
            "correction_reason": m.record.correction_reason,
            "url": format!("/{}/committees/{}/meetings/{}/", org.slug, committee.slug, m.record.held_on),
        }),
        m,
    )
}

fn item_json(i: &Stored<Item>, quorum: Option<&QuorumResult>, names: &Names) -> Value {
    let mut v = serde_json::to_value(&i.record).expect("items serialise");
    v["conflicts"] = i
        .record
        .conflicts
        .iter()
        .map(|c| json!({"person": names.slug(c.person_id), "name": names.name(c.person_id), "declaration": c.declaration_id, "nature": c.nature, "decision": c.decision.code(), "took_part_reason": c.took_part_reason}))
        .collect();
    v["quorum_now"] = quorum.map(quorum_summary).unwrap_or(Value::Null);
    stamp(v, i)
}

/// Everything needed to show committee records.
pub(super) async fn load_all(state: &AppState, org: &Org) -> Result<(Business, Names), ApiError> {
    let org_id = org.id;
    state
        .db(move |c| {
            Ok((
                Business::load(c, org_id)?,
                Names::new(crate::store::people::all(c, org_id)?),
            ))
        })
        .await
}

fn record_of(b: &Business, committee: &Stored<Committee>) -> CommitteeRecord {
    CommitteeRecord {
        committee: committee.clone(),
        members: b.members_of(committee.id).into_iter().cloned().collect(),
        warnings: vec![],
    }
}

pub async fn list(state: Data, path: OrgPath) -> Answer {
    let org = org(&state, &path).await?;
    let (b, names) = load_all(&state, &org).await?;
    let out: Vec<Value> = b
        .committees
        .iter()
        .map(|c| committee_json(&org, &record_of(&b, c), &names, &b.meetings_of(c.id)))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

pub async fn show(state: Data, path: RecordPath) -> Answer {
    let org = org(&state, &path.0).await?;
    let slug = path_key(&path.1, "committee")?;
    let org_id = org.id;
    // One committee's records and the people they name, not the organisation's whole
    // business.
    let (b, names) = state
        .db(move |c| {
            let id = store::by_slug(c, org_id, &slug)?.id;
            let b = Business::load_committee(c, org_id, id)?;
            let names = Names::new(b.people(c, org_id)?);
            Ok((b, names))
        })
        .await?;
    let c = b
        .committees
        .first()
        .ok_or_else(|| ApiError::Internal("a committee's business without it".into()))?;
    Ok(HttpResponse::Ok().json(committee_json(
        &org,
        &record_of(&b, c),
        &names,
        &b.meetings_of(c.id),
    )))
}

/// A committee as it stands after a change to it or its members.
fn committee_after(org: &Org, b: &Business, names: &Names, rec: &CommitteeRecord) -> Value {
    committee_json(org, rec, names, &b.meetings_of(rec.committee.id))
}

/// Memberships as entered: `members` (a list), or one membership's fields at the top level.
fn memberships(mut input: Input) -> Result<Vec<(Option<String>, Input)>, FieldErrors> {
    let list = match input.take("members") {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => return Ok(vec![]),
        Some(_) => return Err(FieldErrors::one("members", "must be a list of memberships")),
    };
    let mut errors = FieldErrors::default();
    let mut out = Vec::new();
    for (i, item) in list.into_iter().enumerate() {
        match Input::from_json(item) {
            Ok(mut fields) => {
                let person = match fields.take("person") {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                    _ => None,
                };
                out.push((person, fields));
            }
            Err(_) => errors.add(&format!("members[{i}]"), "must be an object"),
        }
    }
    errors.into_result(out)
}

pub async fn create(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    let mut w = Write::begin(&state, &caller, &path, Target::Org, &body).await?;
    let members_input =
        Input::from_json(json!({"members": w.fields.take("members")})).expect("object");
    let committee = Committee::parse(&w.fields);
    let members = memberships(members_input);
    let (committee, members) = match (committee, members) {
        (Ok(c), Ok(m)) => (c, m),
        (c, m) => {
            // Report the members' own field problems too (who they are is checked
            // against the register once the rest is valid).
            let mut e = c.err().unwrap_or_default();
            match m {
                Err(m) => m.0.into_iter().for_each(|(k, v)| e.add(&k, v)),
                Ok(members) => {
                    for (i, (person, fields)) in members.iter().enumerate() {
                        if person.is_none() {
                            e.add(&format!("members[{i}].person"), "is required");
                        }
                        if let Err(m) = crate::domain::committees::Member::parse(0, "", fields) {
                            m.0.into_iter()
                                .for_each(|(k, v)| e.add(&format!("members[{i}].{k}"), v));
                        }
                    }
                }
            }
            return Err(e.into());
        }
    };
    w.commit(
        &state,
        move |c, org_id, actor| store::create_committee(c, org_id, actor, committee, members),
        |org, b, names, v| Ok(committee_after(org, b, names, v)),
    )
    .await
}

pub async fn amend(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    let mut w = Write::begin(&state, &caller, &path.0, Target::Committee(&path.1), &body).await?;
    let (id, (version, changes)) = (w.ids.0, w.versioned()?);
    w.commit(
        &state,
        move |c, org_id, actor| store::amend_committee(c, org_id, actor, id, version, changes),
        |org, b, names, v| Ok(committee_after(org, b, names, &record_of(b, v))),
    )
    .await
}

pub async fn add_members(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
) -> Answer {
    let mut w = Write::begin(&state, &caller, &path.0, Target::Committee(&path.1), &body).await?;
    let (id, entered) = (w.ids.0, memberships(std::mem::take(&mut w.fields))?);
    w.commit(
        &state,
        move |c, org_id, actor| store::add_members(c, org_id, actor, id, entered),
        |org, b, names, v| Ok(committee_after(org, b, names, v)),
    )
    .await
}

async fn change_member(
    state: Data,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
    action: &'static str,
) -> Answer {
    let target = Target::Membership(&path.1, &path.2);
    let mut w = Write::begin(&state, &caller, &path.0, target, &body).await?;
    let (id, member, (version, changes)) = (w.ids.0, w.ids.1, w.versioned()?);
    w.commit(
        &state,
        move |c, org_id, actor| {
            store::change_membership(c, org_id, actor, id, (member, version), action, changes)
        },
        |org, b, names, v| Ok(committee_after(org, b, names, v)),
    )
    .await
}

pub async fn amend_member(
    state: Data,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Answer {
    change_member(state, caller, path, body, "amend").await
}

pub async fn end_member(
    state: Data,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Answer {
    change_member(state, caller, path, body, "end").await
}

/// A meeting with its items and each item's quorum as the records stand.
fn meeting_full(
    org: &Org,
    b: &Business,
    names: &Names,
    meeting_id: i64,
) -> Result<Value, ApiError> {
    let m = b
        .meetings
        .iter()
        .find(|m| m.id == meeting_id)
        .ok_or_else(|| ApiError::NotFound(format!("meeting {meeting_id}")))?;
    let committee = b
        .committees
        .iter()
        .find(|c| c.id == m.record.committee_id)
        .ok_or_else(|| ApiError::Internal(format!("meeting {meeting_id} has no committee")))?;
    let mut v = meeting_json(org, &committee.record, m, names);
    v["items"] = b
        .items_of(m.id)
        .into_iter()
        .map(|i| item_json(i, b.quorum(&i.record).as_ref(), names))
        .collect();
    Ok(v)
}

pub async fn create_meeting(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
) -> Answer {
    let w = Write::begin(&state, &caller, &path.0, Target::Committee(&path.1), &body).await?;
    let (id, entered) = (w.ids.0, MeetingInput::parse(&w.fields)?);
    w.commit(
        &state,
        move |c, org_id, actor| meetings::create_meeting(c, org_id, actor, id, entered),
        |org, b, names, v| meeting_full(org, b, names, v.id),
    )
    .await
}

pub async fn show_meeting(state: Data, path: RecordPath) -> Answer {
    let org = org(&state, &path.0).await?;
    let id = parse_id(&path.1, "meeting")?;
    let (b, names) = load_all(&state, &org).await?;
    Ok(HttpResponse::Ok().json(meeting_full(&org, &b, &names, id)?))
}

/// A meeting's fields as input (people by slug), so an amendment can overlay changes.
fn meeting_input(m: &Meeting, names: &Names) -> Input {
    let attendance: Map<String, Value> = m
        .attendance
        .iter()
        .map(|(p, a)| (names.slug(*p), json!(a.code())))
        .collect();
    let co_opted: Vec<Value> = m
        .co_opted
        .iter()
        .map(|c| json!({"person": names.slug(c.person_id), "category": c.category.code(), "note": c.note}))
        .collect();
    Input::from_json(
        json!({"held_on": m.held_on.to_string(), "attendance": attendance, "co_opted": co_opted}),
    )
    .expect("an object")
}

pub async fn amend_meeting(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
) -> Answer {
    let mut w = Write::begin(
        &state,
        &caller,
        &path.0,
        Target::Record(&path.1, "meeting"),
        &body,
    )
    .await?;
    let (id, (version, changes)) = (w.ids.0, w.versioned()?);
    let (b, names) = load_all(&state, &w.org).await?;
    let current = b
        .meetings
        .iter()
        .find(|m| m.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("meeting {id}")))?;
    let entered = MeetingInput::parse(&meeting_input(&current.record, &names).merged(changes))?;
    w.commit(
        &state,
        move |c, org_id, actor| meetings::amend_meeting(c, org_id, actor, id, version, entered),
        |org, b, names, _| meeting_full(org, b, names, id),
    )
    .await
}

fn item_full(b: &Business, names: &Names, id: i64) -> Result<Value, ApiError> {
    let i = b
        .items
        .iter()
        .find(|i| i.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("agenda item {id}")))?;
    Ok(item_json(i, b.quorum(&i.record).as_ref(), names))
}

pub async fn create_item(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
) -> Answer {
    let w = Write::begin(
        &state,
        &caller,
        &path.0,
        Target::Record(&path.1, "meeting"),
        &body,
    )
    .await?;
    let (meeting_id, entered) = (w.ids.0, ItemInput::parse(&w.fields)?);
    w.commit(
        &state,
        move |c, org_id, actor| meetings::create_item(c, org_id, actor, meeting_id, entered),
        |_, b, names, v| item_full(b, names, v.id),
    )
    .await
}

pub async fn show_item(state: Data, path: RecordPath) -> Answer {
    let org = org(&state, &path.0).await?;
    let id = parse_id(&path.1, "agenda item")?;
    let (b, names) = load_all(&state, &org).await?;
    Ok(HttpResponse::Ok().json(item_full(&b, &names, id)?))
}

pub async fn amend_item(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    let target = Target::Record(&path.1, "agenda item");
    let mut w = Write::begin(&state, &caller, &path.0, target, &body).await?;
    let (id, org_id, (version, changes)) = (w.ids.0, w.org.id, w.versioned()?);
    let current = state.db(move |c| records::get(c, org_id, id)).await?;
    let (_, names) = load_all(&state, &w.org).await?;
    let merged = crate::domain::committees::item_to_input(&current.record, |p| names.slug(p))
        .merged(changes);
    let entered = ItemInput::parse(&merged)?;
    w.commit(
        &state,
        move |c, org_id, actor| meetings::amend_item(c, org_id, actor, id, version, entered),
        |_, b, names, _| item_full(b, names, id),
    )
    .await
}

pub async fn record_outcome(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
) -> Answer {
    let target = Target::Record(&path.1, "agenda item");
    let mut w = Write::begin(&state, &caller, &path.0, target, &body).await?;
    let (id, (version, fields)) = (w.ids.0, w.versioned()?);
    let entered = ItemOutcomeInput::parse(&fields)?;
    w.commit(
        &state,
        move |c, org_id, actor| meetings::record_outcome(c, org_id, actor, id, version, entered),
        |_, b, names, _| item_full(b, names, id),
    )
    .await
}
