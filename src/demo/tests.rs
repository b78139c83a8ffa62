//! Tests of the demo: its embedded data parses and refers only to what exists, and
//! what it seeds keeps the registers' and committees' rules, on any date.

use super::data::{data, Data, Minute, ProcurementSpec};
use super::*;
use crate::domain::committees::{constitution, ItemOutcome};
use crate::store::business::Business;
use crate::store::{committees, orgs, Store};
use chrono::Datelike;
use std::collections::BTreeSet;

/// Every person key the data uses, with where it is used.
fn references(d: &'static Data) -> Vec<(&'static str, &'static str)> {
    let mut refs: Vec<(&'static str, &'static str)> = Vec::new();
    refs.extend(
        d.declarations
            .iter()
            .map(|x| (x.who.as_str(), "declaration")),
    );
    for g in &d.gifts {
        refs.push((&g.who, "gift"));
        refs.extend(g.approved_by.as_deref().map(|k| (k, "gift approver")));
    }
    let returns = d.returns.nil.iter().chain(&d.returns.confirmations);
    refs.extend(returns.map(|r| (r.who.as_str(), "return")));
    let procurement = |p: &'static ProcurementSpec| {
        let lead = p.clinical_lead.as_deref().map(|k| (k, "clinical lead"));
        lead.into_iter()
            .chain([(p.contract_manager.as_str(), "contract manager")])
    };
    for c in &d.business.committees {
        refs.extend(c.seats.iter().map(|s| (s.who.as_str(), "seat")));
        if let Some(ch) = &c.change {
            refs.extend([(ch.leaves.as_str(), "leaver"), (&ch.joins.who, "joiner")]);
        }
        for m in &c.meetings {
            refs.extend(m.apologies.iter().map(|k| (k.as_str(), "apologies")));
            refs.extend(m.absent.iter().map(|k| (k.as_str(), "absent")));
            refs.extend(m.co_opted.iter().map(|x| (x.who.as_str(), "co-opted")));
            for it in &m.items {
                refs.extend(it.conflicts.iter().map(|x| (x.who.as_str(), "conflict")));
                refs.extend(it.procurement.iter().flat_map(procurement));
            }
        }
    }
    refs.extend(d.delegated.iter().flat_map(|x| procurement(&x.procurement)));
    refs.extend(
        d.breaches
            .iter()
            .filter_map(|b| Some((b.person.as_deref()?, "breach"))),
    );
    refs
}

#[test]
fn every_embedded_file_parses_and_names_only_people_who_exist() {
    let d = data();
    let keys: Vec<&str> = d.person_keys().collect();
    let unique: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(unique.len(), keys.len(), "person keys are unique");
    for (key, used_as) in references(d) {
        assert!(unique.contains(key), "{used_as} names no person: {key:?}");
    }
    assert_eq!(d.orgs.len(), 2);
    assert_eq!(d.people.roles.len(), 30);
    assert!(!d.declarations.is_empty() && !d.gifts.is_empty());
}

#[test]
fn practices_and_meetings_referred_to_exist() {
    let d = data();
    for practices in &d.names.practices {
        for role in &d.people.roles {
            assert!(
                role.practice.is_none_or(|i| i < practices.len()),
                "{}",
                role.key
            );
        }
    }
    for c in &d.business.committees {
        assert!(c
            .change
            .as_ref()
            .is_none_or(|ch| ch.after < c.meetings.len()));
        for m in &c.meetings {
            for it in &m.items {
                let decided = matches!(it.minute, Minute::Decided(_));
                assert!(it.procurement.is_none() || decided, "{}", it.title);
            }
        }
    }
}

#[test]
fn every_conflict_links_to_a_declaration_its_person_made() {
    let d = data();
    let items = d.business.committees.iter().flat_map(|c| &c.meetings);
    for cf in items.flat_map(|m| &m.items).flat_map(|it| &it.conflicts) {
        let Some(body) = &cf.register else { continue };
        assert!(
            d.declarations
                .iter()
                .any(|x| x.who == cf.who && &x.body == body),
            "{} declared nothing about {body:?}",
            cf.who
        );
    }
}

#[test]
fn everyone_the_demo_creates_has_a_name_of_their_own_in_each_organisation() {
    let people = &data().people;
    let count = people.roles.len() + people.observers.len();
    for org in &data().orgs {
        let ctx = Ctx::new(&org.name, org.variant, NaiveDate::MIN);
        let names: BTreeSet<String> = (0..count).map(|i| ctx.name(i, false)).collect();
        assert_eq!(names.len(), count, "{}", org.slug);
    }
}

#[test]
fn demo_committee_business_is_quorate_and_complete() {
    let today = crate::clock::today();
    // A fixed date and today's: dates move with today, the rules must hold for both.
    for today in [NaiveDate::from_ymd_opt(2027, 1, 20).unwrap(), today] {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("coi.db").to_str().unwrap(), 1).unwrap();
        let c = &mut *store.conn().unwrap();
        assert!(seed_if_empty(c, today).unwrap());
        for org in &data().orgs {
            let org_id = orgs::by_slug(c, &org.slug).unwrap().id;
            check_org(c, org_id, today);
        }
    }
}

/// The chain was written as the history happened: timestamps only move forward, and each
/// declaration's and gift's first entry is dated the day it was declared.
fn check_history(c: &mut AnyConnection, org_id: i64, today: NaiveDate) {
    let org = orgs::by_id(c, org_id).unwrap();
    let chain = crate::store::audit::range(c, org_id, 1, org.chain_seq, org.chain_seq).unwrap();
    let at = |e: &crate::audit::ChainEntry| e.header.at.clone();
    assert!(
        chain.windows(2).all(|w| at(&w[0]) <= at(&w[1])),
        "timestamps never go back"
    );
    let day = |e: &crate::audit::ChainEntry| e.header.at[..10].to_owned();
    assert!(
        day(&chain[0]) < (today - Days::new(365)).to_string(),
        "a year and more of history"
    );
    let mut firsts = 0;
    for e in chain.iter().filter(|e| e.header.action == "create") {
        let p = e.payload.as_ref().unwrap();
        if let Some(declared) = p.get("declared_on").and_then(|d| d.as_str()) {
            assert_eq!(
                day(e),
                declared,
                "entry {} is dated as declared",
                e.header.seq
            );
            firsts += 1;
        }
    }
    assert!(firsts >= 20, "{firsts} declarations and gifts");
}

fn check_org(c: &mut AnyConnection, org_id: i64, today: NaiveDate) {
    check_history(c, org_id, today);
    let b = Business::load(c, org_id).unwrap();
    let pccc = committees::by_slug(c, org_id, "pccc").unwrap();
    let chair = b
        .members_of(pccc.id)
        .into_iter()
        .map(|m| &m.record.member)
        .find(|m| m.role == crate::domain::committees::CommitteeRole::Chair)
        .expect("a chair");
    assert_eq!(chair.category.code(), "lay");
    let meetings = b.meetings_of(pccc.id);
    assert!(meetings.len() >= 12, "{} PCCC meetings", meetings.len());
    assert!(meetings.iter().any(|m| !m.record.co_opted.is_empty()));
    assert!(
        b.meeting_versions.iter().any(|m| m
            .record
            .correction_reason
            .as_deref()
            .is_some_and(|r| r.contains("sent apologies"))),
        "a meeting corrected after it was held, with its reason"
    );
    let took_part = meetings
        .iter()
        .flat_map(|m| b.items_of(m.id))
        .flat_map(|i| i.record.conflicts.iter())
        .find(|cf| cf.took_part_reason.is_some())
        .expect("a member who took part against their declaration, with the chair's reason");
    assert!(
        took_part.declaration_id.is_some(),
        "linked to the declaration"
    );
    for committee in &b.committees {
        let members = committees::members(
            &b.members_of(committee.id)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>(),
        );
        for m in b.meetings_of(committee.id) {
            let on = m.record.held_on;
            assert!(
                on < today && on.weekday().num_days_from_monday() < 5,
                "{on}"
            );
            assert!(!(on.month() == 12 && on.day() >= 22 || on.month() == 1 && on.day() <= 2));
            assert!(constitution(&members, on).is_valid(), "{on}");
            assert!((3..=5).contains(&b.items_of(m.id).len()), "{on}");
        }
    }
    let outcomes = |code: &str| {
        b.items
            .iter()
            .filter(|i| i.record.outcome.code() == code)
            .count()
    };
    assert!(outcomes("deferred") >= 1 && outcomes("referred") >= 1);
    assert_eq!(outcomes("open"), 0);
    for item in &b.items {
        if let ItemOutcome::Decided { evidence, .. } = &item.record.outcome {
            assert!(
                evidence.as_ref().is_some_and(|e| e.quorate),
                "{}: decided with its evidence",
                item.record.title
            );
            let quorum = b.quorum(&item.record).unwrap();
            assert!(quorum.is_quorate(), "{}: {quorum:?}", item.record.title);
        }
    }
    let linked = b.items.iter().flat_map(|i| &i.record.conflicts);
    assert!(linked.filter(|cf| cf.declaration_id.is_some()).count() >= 20);
    assert!(b.decisions.len() >= 12);
    assert!(
        b.decisions
            .iter()
            .filter(|d| d.record.fields.item_id.is_some())
            .count()
            >= 10
    );
    assert_eq!(b.breaches.len(), 2);
    assert_eq!(
        b.breaches
            .iter()
            .filter(|x| x.record.person_id.is_some())
            .count(),
        1
    );
}
