//! Unit tests of the store's committee write path against a real (SQLite) database: each
//! refusal is tested for what it says and for writing nothing, neither a record version
//! nor an audit entry. [`Db`] gives each test its own migrated database and a committee.

mod breaches;
mod business;
mod committees;
mod decisions;
mod meetings;

use super::records::Stored;
use super::schema::records;
use super::{orgs, people, AnyConnection, Conn, Store, StoreError};
use crate::domain::committees::{
    Committee, Item, ItemInput, ItemOutcomeInput, Meeting, MeetingInput, Membership,
};
use crate::domain::decisions::{Decision, DecisionFields};
use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
use crate::domain::people::{Person, PersonFields};
use crate::domain::Input;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::fmt::Debug;

const ACTOR: &str = "lead@test.example";

/// The date of the fixture committee's meeting.
const MEETING_ON: &str = "2026-03-04";

/// A fresh database in a temporary folder with one organisation.
pub struct Db {
    pub conn: Conn,
    pub org_id: i64,
    _store: Store,
    _dir: tempfile::TempDir,
}

/// A primary care commissioning committee (3 lay members, one of them chair and one
/// vice-chair, an executive and two GPs; quorum 4 including a lay and an executive
/// member), one meeting everyone attended, its item 1 decided and its item 2 open.
pub struct Pccc {
    pub committee: Stored<Committee>,
    /// Chair, vice-chair, lay member, executive, GP one, GP two.
    pub members: Vec<Stored<Membership>>,
    pub meeting: Stored<Meeting>,
    pub decided: Stored<Item>,
    pub open: Stored<Item>,
}

/// The fixture's people, by name; their slugs are the names in lower case, hyphenated.
const PEOPLE: [&str; 7] = [
    "Lay Chair",
    "Lay Vice",
    "Lay Member",
    "Executive Member",
    "GP One",
    "GP Two",
    "Outsider",
];

pub fn input(v: Value) -> Input {
    Input::from_json(v).expect("an object")
}

/// Memberships as the store takes them, from `(person slug, category, role)`.
pub fn seats(seats: &[(&str, &str, &str)]) -> Vec<(Option<String>, Input)> {
    seats
        .iter()
        .map(|(person, category, role)| {
            (
                Some(person.to_string()),
                input(json!({"category": category, "role": role, "from": "2025-04-01"})),
            )
        })
        .collect()
}

/// The fields of a procurement decision taken at `item` on `decided_on`.
pub fn decision(reference: &str, item: i64, decided_on: &str) -> DecisionFields {
    DecisionFields::parse(&input(json!({
        "reference": reference, "title": "Extended access", "service_description": "Evening GP appointments",
        "service_status": "new", "route": "competitive_process", "decided_on": decided_on,
        "item": item, "justification": "Best value", "value_pence": 125_000_000,
    })))
    .expect("valid decision fields")
}

/// The field names a refusal gives problems for; anything but invalid input fails.
pub fn fields(e: &StoreError) -> Vec<&str> {
    match e {
        StoreError::Invalid(errors) => errors.0.keys().map(String::as_str).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// Fails unless `e` is a refusal for a stale version (or a record that may not change).
pub fn assert_conflict(e: &StoreError) {
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
}

pub fn assert_not_found(e: &StoreError) {
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
}

impl Db {
    pub fn new() -> Db {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("coi.db");
        let store = Store::open(path.to_str().expect("a UTF-8 path"), 1).expect("open the store");
        let mut conn = store.conn().expect("a connection");
        let org = NewOrg {
            slug: OrgSlug::parse("test-ccg").expect("a slug"),
            name: "NHS Test CCG".into(),
        };
        orgs::create(&mut conn, "system", &org, OrgSettings::default()).expect("the org");
        let org_id = orgs::by_slug(&mut conn, "test-ccg").expect("the org").id;
        Db {
            conn,
            org_id,
            _store: store,
            _dir: dir,
        }
    }

    pub fn c(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    pub fn person(&mut self, name: &str) -> Person {
        let fields = PersonFields {
            name: name.into(),
            position: "Member".into(),
            decision_making: true,
        };
        people::create(&mut self.conn, self.org_id, ACTOR, fields)
            .expect("a person")
            .value
    }

    /// The chain's length and the number of stored record versions: what any write
    /// changes.
    fn written(&mut self) -> (i64, i64) {
        let chain = orgs::by_id(&mut self.conn, self.org_id)
            .expect("the org")
            .chain_seq;
        let versions = records::table
            .filter(records::organisation_id.eq(self.org_id))
            .count()
            .get_result(&mut *self.conn)
            .expect("a count");
        (chain, versions)
    }

    /// A database holding the committee described at [`Pccc`], and that committee: the
    /// fixture most refusals start from.
    pub fn with_pccc() -> (Db, Pccc) {
        let mut db = Db::new();
        let pccc = db.pccc();
        (db, pccc)
    }

    /// The fields of the problems of `write`'s refusal (checking it wrote nothing).
    pub fn refused_fields<T: Debug>(
        &mut self,
        write: impl FnOnce(&mut AnyConnection, i64) -> Result<T, StoreError>,
    ) -> Vec<String> {
        let e = self.refused(write);
        fields(&e).into_iter().map(str::to_owned).collect()
    }

    /// Fails unless the store refuses `write` with problems at exactly the fields
    /// `expected`, writing nothing.
    pub fn assert_refused<T: Debug>(
        &mut self,
        expected: &[&str],
        write: impl FnOnce(&mut AnyConnection, i64) -> Result<T, StoreError>,
    ) {
        assert_eq!(self.refused_fields(write), expected);
    }

    /// Run `write`, which the store must refuse, and check it wrote nothing.
    pub fn refused<T: Debug>(
        &mut self,
        write: impl FnOnce(&mut AnyConnection, i64) -> Result<T, StoreError>,
    ) -> StoreError {
        let before = self.written();
        let err = write(&mut self.conn, self.org_id).expect_err("the store refuses the write");
        assert_eq!(
            self.written(),
            before,
            "a refused write left something behind"
        );
        err
    }

    /// Everyone of [`PEOPLE`] and the committee described at [`Pccc`].
    pub fn pccc(&mut self) -> Pccc {
        for name in PEOPLE {
            self.person(name);
        }
        let org_id = self.org_id;
        let committee = Committee::parse(&input(json!({
            "name": "Primary Care Commissioning Committee", "slug": "pccc",
            "quorum_minimum": 4, "quorum_required": "lay, executive",
        })))
        .expect("a committee");
        let entered = seats(&[
            ("lay-chair", "lay", "chair"),
            ("lay-vice", "lay", "vice_chair"),
            ("lay-member", "lay", "member"),
            ("executive-member", "executive", "member"),
            ("gp-one", "clinical", "member"),
            ("gp-two", "clinical", "member"),
        ]);
        let record =
            super::committees::create_committee(self.c(), org_id, ACTOR, committee, entered)
                .expect("the committee")
                .value;
        let attendance: serde_json::Map<String, Value> = PEOPLE[..6]
            .iter()
            .map(|name| (name.to_lowercase().replace(' ', "-"), json!("present")))
            .collect();
        let meeting = MeetingInput::parse(&input(
            json!({"held_on": MEETING_ON, "attendance": attendance}),
        ))
        .expect("a meeting");
        let meeting =
            super::meetings::create_meeting(self.c(), org_id, ACTOR, record.committee.id, meeting)
                .expect("the meeting")
                .value;
        let item = |number: &str| {
            ItemInput::parse(&input(
                json!({"number": number, "title": format!("Item {number}")}),
            ))
            .expect("an item")
        };
        let decided = super::meetings::create_item(self.c(), org_id, ACTOR, meeting.id, item("1"))
            .expect("item 1")
            .value;
        let decided = super::meetings::record_outcome(
            self.c(),
            org_id,
            ACTOR,
            decided.id,
            decided.version,
            ItemOutcomeInput::Decided {
                decision: "Approved".into(),
            },
        )
        .expect("a quorate decision")
        .value;
        let open = super::meetings::create_item(self.c(), org_id, ACTOR, meeting.id, item("2"))
            .expect("item 2")
            .value;
        Pccc {
            committee: record.committee,
            members: record.members,
            meeting,
            decided,
            open,
        }
    }

    /// A procurement decision taken at the fixture's decided item.
    pub fn decision_at(&mut self, pccc: &Pccc, reference: &str) -> Stored<Decision> {
        let fields = decision(reference, pccc.decided.id, MEETING_ON);
        let org_id = self.org_id;
        super::decisions::create_decision(self.c(), org_id, ACTOR, fields)
            .expect("a decision")
            .value
    }
}

#[test]
fn the_check_that_nothing_was_written_sees_a_write() {
    let mut db = Db::new();
    let before = db.written();
    db.person("Someone");
    let (chain, versions) = db.written();
    assert_eq!(chain, before.0 + 1);
    let pccc = db.pccc();
    assert!(db.written().1 > versions);
    assert_eq!(pccc.members.len(), 6);
}
