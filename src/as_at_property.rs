//! The register as at a date, checked by property: random sequences of writes
//! (declarations and gifts created, amended, ended, withheld, released, withdrawn,
//! submitted and accepted; people becoming non-decision-making and back; returns; GP
//! earnings recorded, amended and withdrawn)
//! spread over days with the clock under the test's control. At the end of each day the
//! site's interests and gifts CSVs are rendered with the publisher's own functions from
//! a database snapshot; at the end, [`as_at`] for every day must give those files byte
//! for byte, less the rows of entries withheld since. On SQLite, and on PostgreSQL when
//! `COI_TEST_POSTGRES_URL` is set. 64 cases by default; `PROPTEST_CASES` sets more.

use crate::clock;
use crate::domain::earnings::{GpEarnings, GpEarningsFields};
use crate::domain::entries::{Entry, EntryState, EntryStep, Review, StandingChange};
use crate::domain::gifts::{GiftFields, GiftKind, Outcome};
use crate::domain::interests::{DeclarationFields, InterestType, Step};
use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
use crate::domain::people::PersonFields;
use crate::domain::returns::ReturnKind;
use crate::domain::Input;
use crate::publish::as_at::as_at;
use crate::publish::exports;
use crate::publish::views::Visible;
use crate::store::declarations::Declarations;
use crate::store::earnings::{self, EarningsStep};
use crate::store::entries::Register;
use crate::store::gifts::{GiftStep, Gifts};
use crate::store::{
    audit, orgs, people, records, returns, snapshot, AnyConnection, Store, StoreError, Touched,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::json;
use std::collections::BTreeSet;

const ACTOR: &str = "lead@test.example";

/// What entries say: with commas, quotes, markdown and a formula trigger, so the CSV
/// writer's quoting and neutralising are part of what must match.
const TEXTS: [&str; 4] = [
    "Riverside Surgery",
    "=Hillside Practice",
    "Lakeside **Health** Ltd",
    "Acme, \"Medical\" Ltd",
];

/// When an interest ended: long enough ago to be off the register already, about six
/// months ago (so it drops off during the days under test), or during them.
const ENDINGS: [&str; 4] = ["2025-06-30", "2025-07-02", "2025-07-04", "2026-01-02"];

#[derive(Debug, Clone, Copy)]
pub(crate) enum Standing {
    Withhold,
    Release,
    Withdraw,
    Accept,
}

#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// The day ends (its registers are recorded) and the next begins.
    NextDay,
    Person {
        decision_making: bool,
    },
    DecisionMaking {
        who: usize,
        on: bool,
    },
    Declare {
        who: usize,
        text: usize,
        ended: Option<usize>,
        submitted: bool,
    },
    AmendDeclaration {
        which: usize,
        text: usize,
        submitted: bool,
    },
    End {
        which: usize,
        on: usize,
    },
    DeclarationStanding {
        which: usize,
        change: Standing,
    },
    Gift {
        who: usize,
        text: usize,
        submitted: bool,
    },
    AmendGift {
        which: usize,
        text: usize,
    },
    GiftStanding {
        which: usize,
        change: Standing,
    },
    Return {
        who: usize,
        nil: bool,
    },
    /// A practice's GP earnings for a year (a second for the same practice and year is
    /// refused).
    GpEarnings {
        practice: usize,
        year: usize,
        pounds: usize,
    },
    /// Amend (new mean earnings) or withdraw the `which`-th figure.
    ChangeGpEarnings {
        which: usize,
        pounds: usize,
        withdraw: bool,
    },
}

fn standing() -> impl Strategy<Value = Standing> {
    prop_oneof![
        Just(Standing::Withhold),
        Just(Standing::Release),
        Just(Standing::Withdraw),
        Just(Standing::Accept),
    ]
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    let n = 0..8usize;
    let text = 0..TEXTS.len();
    prop_oneof![
        3 => Just(Op::NextDay),
        2 => any::<bool>().prop_map(|decision_making| Op::Person { decision_making }),
        1 => (n.clone(), any::<bool>()).prop_map(|(who, on)| Op::DecisionMaking { who, on }),
        4 => (n.clone(), text.clone(), prop::option::of(0..ENDINGS.len()), any::<bool>())
            .prop_map(|(who, text, ended, submitted)| Op::Declare { who, text, ended, submitted }),
        2 => (n.clone(), text.clone(), any::<bool>())
            .prop_map(|(which, text, submitted)| Op::AmendDeclaration { which, text, submitted }),
        1 => (n.clone(), 0..ENDINGS.len()).prop_map(|(which, on)| Op::End { which, on }),
        3 => (n.clone(), standing()).prop_map(|(which, change)| Op::DeclarationStanding { which, change }),
        2 => (n.clone(), text.clone(), any::<bool>())
            .prop_map(|(who, text, submitted)| Op::Gift { who, text, submitted }),
        1 => (n.clone(), text).prop_map(|(which, text)| Op::AmendGift { which, text }),
        2 => (n.clone(), standing()).prop_map(|(which, change)| Op::GiftStanding { which, change }),
        1 => (n.clone(), any::<bool>()).prop_map(|(who, nil)| Op::Return { who, nil }),
        1 => (0..4usize, 0..2usize, 0..100usize)
            .prop_map(|(practice, year, pounds)| Op::GpEarnings { practice, year, pounds }),
        1 => (n, 0..100usize, any::<bool>())
            .prop_map(|(which, pounds, withdraw)| Op::ChangeGpEarnings { which, pounds, withdraw }),
    ]
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

/// The first day under test, 08:00 UTC.
pub(crate) fn first_morning() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T08:00:00Z")
        .expect("a time")
        .with_timezone(&Utc)
}

fn declaration_fields(text: usize, ended: Option<usize>, today: NaiveDate) -> DeclarationFields {
    DeclarationFields {
        position: None,
        interest_type: InterestType::Financial,
        associate: None,
        description: format!("Partner in {}", TEXTS[text]),
        body: TEXTS[text].into(),
        arose_on: date("2025-06-01"),
        ended_on: ended.map(|e| date(ENDINGS[e])),
        declared_on: today,
        mitigation: "Leaves the room for items about it".into(),
    }
}

fn gift_fields(text: usize, today: NaiveDate) -> GiftFields {
    GiftFields {
        giver: TEXTS[text].into(),
        giver_is_supplier: text % 2 == 0,
        kind: GiftKind::Hospitality,
        description: format!("Dinner with {}", TEXTS[text]),
        value_pence: 3000 + 1000 * text as i64,
        offered_on: today,
        outcome: Outcome::Accepted,
        approved_by: None,
        declared_on: today,
    }
}

fn review(submitted: bool) -> Review {
    if submitted {
        Review::Submitted
    } else {
        Review::Accepted
    }
}

fn change(s: Standing) -> StandingChange {
    match s {
        Standing::Withhold => StandingChange::Withhold("risk of harm".into()),
        Standing::Release => StandingChange::Release,
        Standing::Withdraw => StandingChange::Withdraw("entered in error".into()),
        Standing::Accept => StandingChange::Accept,
    }
}

/// The `which`-th entry of a register (modulo how many there are), if any.
fn nth<R: Register>(
    c: &mut AnyConnection,
    org_id: i64,
    which: usize,
) -> Result<Option<Entry<R::Fields>>, StoreError> {
    let all = R::current(c, org_id)?;
    Ok((!all.is_empty()).then(|| all[which % all.len()].entry.clone()))
}

/// Apply `step` to the `which`-th entry of a register, as a governance lead or (when
/// `submitted`) as its declarant.
fn step<R: Register>(
    c: &mut AnyConnection,
    org_id: i64,
    which: usize,
    submitted: bool,
    make: impl FnOnce(&Entry<R::Fields>) -> R::Step,
) -> Result<Option<Touched>, StoreError> {
    let Some(e) = nth::<R>(c, org_id, which)? else {
        return Ok(None);
    };
    let s = make(&e);
    let done = R::change(
        c,
        org_id,
        ACTOR,
        e.id,
        e.version,
        review(submitted),
        |_, _| Ok(s),
    )?;
    Ok(Some(done.touched))
}

/// Apply one write; a write the store refuses (a release of what is not withheld, a
/// nil return beside current entries) is part of the sequence too: it changes nothing.
/// Returns what the write touched, as the publisher is told (`None`: nothing written).
pub(crate) fn apply(
    c: &mut AnyConnection,
    org_id: i64,
    op: &Op,
) -> Result<Option<Touched>, StoreError> {
    let today = clock::today();
    let everyone = people::all(c, org_id)?;
    let person =
        |who: usize| (!everyone.is_empty()).then(|| everyone[who % everyone.len()].clone());
    let result = match op {
        Op::NextDay => Ok(None),
        Op::Person { decision_making } => {
            let fields = PersonFields {
                name: format!("Dr {}", everyone.len() + 1),
                position: "GP member".into(),
                decision_making: *decision_making,
            };
            people::create(c, org_id, ACTOR, fields).map(|done| Some(done.touched))
        }
        Op::DecisionMaking { who, on } => match person(*who) {
            Some(p) => {
                let input = Input::from_json(json!({"decision_making": on})).expect("an object");
                people::amend(c, org_id, ACTOR, &p.slug, p.version, input)
                    .map(|done| Some(done.touched))
            }
            None => Ok(None),
        },
        Op::Declare {
            who,
            text,
            ended,
            submitted,
        } => match person(*who) {
            Some(p) => Declarations::create(
                c,
                org_id,
                ACTOR,
                &p.slug,
                declaration_fields(*text, *ended, today),
                None,
                review(*submitted),
            )
            .map(|done| Some(done.touched)),
            None => Ok(None),
        },
        Op::AmendDeclaration {
            which,
            text,
            submitted,
        } => step::<Declarations>(c, org_id, *which, *submitted, |e| {
            let mut f = declaration_fields(*text, None, today);
            f.ended_on = e.fields.ended_on;
            f.position = e.fields.position.clone();
            Step::Amend(f)
        }),
        Op::End { which, on } => {
            step::<Declarations>(c, org_id, *which, false, |_| Step::End(date(ENDINGS[*on])))
        }
        Op::DeclarationStanding { which, change: s } => {
            step::<Declarations>(c, org_id, *which, false, |_| Step::Standing(change(*s)))
        }
        Op::Gift {
            who,
            text,
            submitted,
        } => match person(*who) {
            Some(p) => Gifts::create(
                c,
                org_id,
                ACTOR,
                &p.slug,
                gift_fields(*text, today),
                None,
                review(*submitted),
            )
            .map(|done| Some(done.touched)),
            None => Ok(None),
        },
        Op::AmendGift { which, text } => step::<Gifts>(c, org_id, *which, false, |e| {
            let mut f = gift_fields(*text, today);
            f.offered_on = e.fields.offered_on;
            GiftStep::amend(f)
        }),
        Op::GiftStanding { which, change: s } => {
            step::<Gifts>(c, org_id, *which, false, |_| GiftStep::standing(change(*s)))
        }
        Op::Return { who, nil } => match person(*who) {
            Some(p) => {
                let kind = if *nil {
                    ReturnKind::Nil
                } else {
                    ReturnKind::Confirmation
                };
                returns::create(c, org_id, ACTOR, &p.slug, kind, today, Review::Accepted)
                    .map(|done| Some(done.touched))
            }
            None => Ok(None),
        },
        Op::GpEarnings {
            practice,
            year,
            pounds,
        } => {
            let year = ["2024/25", "2025/26"][*year];
            let fields = GpEarningsFields::parse(
                &Input::from_json(json!({
                    "practice_name": TEXTS[*practice], "ods_code": format!("B8200{practice}"),
                    "financial_year": year,
                    "mean_earnings_pence": (80_000 + 1000 * *pounds as i64) * 100,
                    "full_time_gps": practice + 1, "part_time_gps": practice % 2,
                }))
                .expect("an object"),
            )?;
            earnings::create_earnings(c, org_id, ACTOR, fields).map(|done| Some(done.touched))
        }
        Op::ChangeGpEarnings {
            which,
            pounds,
            withdraw,
        } => {
            let all = records::current::<GpEarnings>(c, org_id)?;
            match all.get(which % all.len().max(1)) {
                Some(g) => {
                    let step = if *withdraw {
                        EarningsStep::Withdraw("entered in error".into())
                    } else {
                        let pence = (90_000 + 1000 * *pounds as i64) * 100;
                        EarningsStep::Amend(
                            Input::from_json(json!({"mean_earnings_pence": pence}))
                                .expect("an object"),
                        )
                    };
                    earnings::change_earnings(c, org_id, ACTOR, g.id, g.version, step)
                        .map(|done| Some(done.touched))
                }
                None => Ok(None),
            }
        }
    };
    match result {
        Err(StoreError::Invalid(_) | StoreError::Conflict(_)) => Ok(None),
        other => other,
    }
}

/// The interests and gifts CSVs the publisher writes for organisation `slug` today.
fn site_csvs(c: &mut AnyConnection, slug: &str, today: NaiveDate) -> (Vec<u8>, Vec<u8>) {
    snapshot::read(c, slug, |_, s| {
        let v = Visible::new(s, today);
        let file = |register: &str, columns: &[&str], records: Vec<serde_json::Value>| {
            let (mut csv, mut json) = (Vec::new(), Vec::new());
            exports::write_both(
                &mut csv,
                &mut json,
                &v,
                register,
                columns,
                records.into_iter(),
            )
            .expect("writing to memory");
            csv
        };
        Ok((
            file(
                "interests",
                &exports::INTEREST_COLUMNS,
                exports::interests_records(&v),
            ),
            file("gifts", &exports::GIFT_COLUMNS, exports::gifts_records(&v)),
        ))
    })
    .expect("a snapshot")
}

/// `csv` without the rows of the entries `ids` (each row starts with its entry's id; the
/// generated texts have no line breaks).
fn less(csv: &[u8], ids: &BTreeSet<i64>) -> String {
    let text = String::from_utf8(csv.to_vec()).expect("UTF-8");
    text.split("\r\n")
        .enumerate()
        .filter(|(i, line)| {
            *i == 0
                || line
                    .split(',')
                    .next()
                    .and_then(|id| id.parse::<i64>().ok())
                    .is_none_or(|id| !ids.contains(&id))
        })
        .map(|(_, line)| line)
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// The register's entries whose published version is withheld now, from the database.
fn withheld_now<R: Register>(c: &mut AnyConnection, org_id: i64) -> BTreeSet<i64> {
    R::published(c, org_id)
        .expect("the published entries")
        .into_iter()
        .map(|v| v.entry)
        .filter(|e| e.standing.state == EntryState::Active && e.standing.withheld_reason.is_some())
        .map(|e| e.id)
        .collect()
}

/// How much of the site the cases compared: rows the site showed, and rows of them left
/// out because withheld since (so a run that compared only empty files fails).
#[derive(Default, Clone, Copy)]
struct Seen {
    rows: usize,
    withheld: usize,
}

/// Run one generated sequence as a new organisation (`slug`) and check every day.
fn check(
    c: &mut AnyConnection,
    slug: &str,
    ops: &[Op],
    seen: &mut Seen,
) -> Result<(), TestCaseError> {
    let clock = clock::set(first_morning());
    let new = NewOrg {
        slug: OrgSlug::parse(slug).expect("a slug"),
        name: format!("NHS {slug}"),
    };
    orgs::create(c, "system", &new, OrgSettings::default()).expect("the organisation");
    let org_id = orgs::by_slug(c, slug).expect("the organisation").id;
    let mut morning = first_morning();
    let mut at = morning;
    let mut days = Vec::new();
    for op in ops {
        if matches!(op, Op::NextDay) {
            days.push((clock::today(), site_csvs(c, slug, clock::today())));
            morning += Duration::days(1);
            at = morning;
        } else {
            at += Duration::minutes(7);
        }
        clock.to(at);
        apply(c, org_id, op).expect("the write, or its refusal");
    }
    days.push((clock::today(), site_csvs(c, slug, clock::today())));
    let org = orgs::by_id(c, org_id).expect("the organisation");
    let chain = audit::range(c, org_id, 1, org.chain_seq, org.chain_seq).expect("the chain");
    let (declarations, gifts) = (
        withheld_now::<Declarations>(c, org_id),
        withheld_now::<Gifts>(c, org_id),
    );
    drop(clock);
    let before = as_at(&org, &chain, date("2025-12-31")).expect("the register");
    prop_assert_eq!(before.through, 0);
    for (day, (interests, gifts_csv)) in days {
        let then = as_at(&org, &chain, day).expect("the register");
        let rows = |csv: &[u8]| csv.split(|b| *b == b'\n').count() - 2;
        seen.rows += rows(&interests) + rows(&gifts_csv);
        seen.withheld += then.withheld;
        prop_assert_eq!(
            String::from_utf8(then.interests_csv()).expect("UTF-8"),
            less(&interests, &declarations),
            "interests as at {}",
            day
        );
        prop_assert_eq!(
            String::from_utf8(then.gifts_csv()).expect("UTF-8"),
            less(&gifts_csv, &gifts),
            "gifts as at {}",
            day
        );
    }
    Ok(())
}

/// Run the property against the store at `url`, each case a new organisation.
fn run(url: &str) {
    let store = Store::open(url, 1).expect("open the store");
    // A case known to show an entry one day and withhold it the next, so every run
    // compares at least one withheld-since row, whatever is generated.
    let mut first = Seen::default();
    let known = [
        Op::Person {
            decision_making: true,
        },
        Op::Declare {
            who: 0,
            text: 1,
            ended: None,
            submitted: false,
        },
        Op::Gift {
            who: 0,
            text: 3,
            submitted: false,
        },
        Op::NextDay,
        Op::DeclarationStanding {
            which: 0,
            change: Standing::Withhold,
        },
    ];
    let mut c = store.conn().expect("a connection");
    check(&mut c, "prop-known", &known, &mut first).expect("the known case");
    drop(c);
    let mut runner = TestRunner::new(crate::fuzz::cases(64));
    let n = std::cell::Cell::new(0);
    let seen = std::cell::Cell::new(first);
    runner
        .run(&prop::collection::vec(op(), 1..48), |ops| {
            n.set(n.get() + 1);
            let mut s = seen.get();
            // A connection of its own: one a failed case left mid-transaction is not reused.
            let mut c = store.conn().expect("a connection");
            let result = check(&mut c, &format!("prop-{}", n.get()), &ops, &mut s);
            seen.set(s);
            result
        })
        .unwrap();
    let seen = seen.get();
    assert!(
        seen.rows > 0 && seen.withheld > 0,
        "the cases compared {} rows, {} of them withheld since: too little to show anything",
        seen.rows,
        seen.withheld
    );
}

#[test]
fn the_register_as_at_each_day_is_what_the_site_showed_that_day_on_sqlite() {
    crate::test_db::on_sqlite(run);
}

#[test]
#[cfg_attr(
    not(coi_test_postgres),
    ignore = "PostgreSQL: set COI_TEST_POSTGRES_URL to run"
)]
fn the_register_as_at_each_day_is_what_the_site_showed_that_day_on_postgres() {
    crate::test_db::on_postgres("coi_prop", run);
}
