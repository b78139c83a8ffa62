//! People: create, amend, retire and merge (each a new version and an audit entry).

use super::declarations::Declarations;
use super::entries::{reassign, Register};
use super::gifts::Gifts;
use super::schema::people;
use super::schema::user_orgs;
use super::write::{
    next_id, write, write_all, Change, Changes, Committed, Entry, Touched, WriteCtx,
};
use super::{AnyConnection, StoreError};
use crate::domain::entries::{EntryState, Review};
use crate::domain::names::similar;
use crate::domain::people::{Person, PersonFields, PersonStanding};
use crate::domain::validation::slugify;
use crate::domain::{FieldErrors, Input};
use diesel::prelude::*;

type Row = (
    i64,
    String,
    i64,
    String,
    String,
    i32,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn from_row(r: Row) -> Person {
    let id = r.0;
    Person {
        id,
        slug: r.1,
        version: r.2,
        fields: PersonFields {
            name: r.3,
            position: r.4,
            decision_making: r.5 != 0,
        },
        // A standing the domain refuses is read as in use rather than hiding a record.
        standing: PersonStanding::from_parts(&r.6, r.7, r.8).unwrap_or_else(|| {
            tracing::warn!(person = id, "stored standing is not a standing");
            PersonStanding::Active
        }),
        added_on: r.9.and_then(|d| d.parse().ok()),
    }
}

const COLUMNS: (
    people::id,
    people::slug,
    people::version,
    people::name,
    people::position,
    people::decision_making,
    people::standing,
    people::standing_reason,
    people::merged_into,
    people::added_on,
) = (
    people::id,
    people::slug,
    people::version,
    people::name,
    people::position,
    people::decision_making,
    people::standing,
    people::standing_reason,
    people::merged_into,
    people::added_on,
);

/// Everyone in an organisation, by name.
pub fn all(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Person>, StoreError> {
    let rows: Vec<Row> = people::table
        .filter(people::organisation_id.eq(org_id))
        .order((people::name, people::id))
        .select(COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub fn by_slug(c: &mut AnyConnection, org_id: i64, slug: &str) -> Result<Person, StoreError> {
    let row: Option<Row> = people::table
        .filter(people::organisation_id.eq(org_id))
        .filter(people::slug.eq(slug))
        .select(COLUMNS)
        .first(c)
        .optional()?;
    row.map(from_row)
        .ok_or_else(|| StoreError::NotFound(format!("person {slug:?}")))
}

pub fn by_id(c: &mut AnyConnection, org_id: i64, id: i64) -> Result<Person, StoreError> {
    let row: Option<Row> = people::table
        .find((org_id, id))
        .select(COLUMNS)
        .first(c)
        .optional()?;
    row.map(from_row)
        .ok_or_else(|| StoreError::NotFound(format!("person {id}")))
}

/// Slugs the register of interests uses for its own pages.
const RESERVED: [&str; 5] = ["page", "type", "status", "committee", "declared"];

fn free_slug(c: &mut AnyConnection, org_id: i64, name: &str) -> Result<String, StoreError> {
    let base = match slugify(name) {
        s if s.is_empty() => "person".to_owned(),
        // Person pages live beside the register's filter pages (`interests/<slug>/`).
        s if RESERVED.contains(&s.as_str()) => format!("{s}-person"),
        s => s,
    };
    let taken: Vec<String> = people::table
        .filter(people::organisation_id.eq(org_id))
        .filter(people::slug.like(format!("{base}%")))
        .select(people::slug)
        .load(c)?;
    let mut candidate = base.clone();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    Ok(candidate)
}

/// Add a person (the bulk paths: demo, import, seeding; a form or the API asks first
/// whether they are already here, with [`add`]).
pub fn create(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    fields: PersonFields,
) -> Result<Committed<Person>, StoreError> {
    write(c, org_id, actor, |c, ctx| insert(c, org_id, ctx, fields))
}

/// The people in use whose names are the same as `name` or very similar to it.
pub fn similar_to(
    c: &mut AnyConnection,
    org_id: i64,
    name: &str,
) -> Result<Vec<Person>, StoreError> {
    Ok(all(c, org_id)?
        .into_iter()
        .filter(|p| p.standing.is_active() && similar(&p.fields.name, name))
        .collect())
}

/// The problem with adding a person named like `existing`, unless confirmed.
pub fn similar_problem(existing: &[Person]) -> FieldErrors {
    let names: Vec<String> = existing
        .iter()
        .map(|p| format!("{} ({})", p.fields.name, p.slug))
        .collect();
    FieldErrors::one(
        "name",
        format!(
            "is the same as or very similar to the name of {}; if this is someone else, confirm_similar must be true",
            names.join(", ")
        ),
    )
}

/// Add a person, unless someone in use has the same or a very similar name and the
/// caller has not confirmed that this is someone else (checked inside the write, so two
/// clerks adding one person at once make one record).
pub fn add(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    fields: PersonFields,
    confirmed_similar: bool,
) -> Result<Committed<Person>, StoreError> {
    write(c, org_id, actor, |c, ctx| {
        if !confirmed_similar {
            let existing = similar_to(c, org_id, &fields.name)?;
            if !existing.is_empty() {
                return Err(similar_problem(&existing).into());
            }
        }
        insert(c, org_id, ctx, fields)
    })
}

fn insert(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &WriteCtx,
    fields: PersonFields,
) -> Result<Change<Person>, StoreError> {
    {
        let id = next_id!(c, people, org_id);
        let slug = free_slug(c, org_id, &fields.name)?;
        let person = Person {
            id,
            slug,
            version: 1,
            fields,
            standing: PersonStanding::Active,
            added_on: Some(ctx.today),
        };
        diesel::insert_into(people::table)
            .values((
                people::organisation_id.eq(org_id),
                people::id.eq(id),
                people::slug.eq(&person.slug),
                people::version.eq(1),
                people::name.eq(&person.fields.name),
                people::position.eq(&person.fields.position),
                people::decision_making.eq(i32::from(person.fields.decision_making)),
                people::audit_seq.eq(ctx.seq),
                people::added_on.eq(ctx.today.to_string()),
            ))
            .execute(c)?;
        Ok(Change {
            action: "create",
            entity: "person",
            entity_id: id.to_string(),
            payload: person.payload(),
            touched: Touched::Person(id),
            value: person,
        })
    }
}

/// Amend a person's record; `version` must be the current one.
pub fn amend(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    slug: &str,
    version: i64,
    changes: Input,
) -> Result<Committed<Person>, StoreError> {
    write(c, org_id, actor, |c, ctx| {
        let current = by_slug(c, org_id, slug)?;
        if current.version != version {
            return Err(StoreError::Conflict(format!(
                "person {slug} is at version {}, not {version}; reload and try again",
                current.version
            )));
        }
        if !current.standing.is_active() {
            return Err(no_longer_in_use(&current).into());
        }
        let fields = PersonFields::parse(&current.fields.to_input().merged(changes))?;
        let person = Person {
            version: version + 1,
            fields,
            ..current
        };
        diesel::update(people::table.find((org_id, person.id)))
            .set((
                people::version.eq(person.version),
                people::name.eq(&person.fields.name),
                people::position.eq(&person.fields.position),
                people::decision_making.eq(i32::from(person.fields.decision_making)),
                people::audit_seq.eq(ctx.seq),
            ))
            .execute(c)?;
        Ok(Change {
            action: "amend",
            entity: "person",
            entity_id: person.id.to_string(),
            payload: person.payload(),
            touched: Touched::Person(person.id),
            value: person,
        })
    })
}

/// The person `slug` at `version`, still in use: what a retirement or merger starts from.
fn in_use(
    c: &mut AnyConnection,
    org_id: i64,
    slug: &str,
    version: i64,
) -> Result<Person, StoreError> {
    let current = by_slug(c, org_id, slug)?;
    if current.version != version {
        return Err(StoreError::Conflict(format!(
            "person {slug} is at version {}, not {version}; reload and try again",
            current.version
        )));
    }
    if !current.standing.is_active() {
        return Err(no_longer_in_use(&current).into());
    }
    Ok(current)
}

/// A person on a committee's records cannot be retired or merged: the membership,
/// attendance and conflicts recorded name them.
fn refuse_if_on_committees(
    c: &mut AnyConnection,
    org_id: i64,
    p: &Person,
) -> Result<(), StoreError> {
    use crate::domain::committees::Membership;
    let member = super::records::current::<Membership>(c, org_id)?
        .iter()
        .any(|m| m.record.member.person_id == p.id);
    if member {
        return Err(FieldErrors::one(
            "person",
            format!(
                "{} is on a committee's records and cannot be retired or merged",
                p.slug
            ),
        )
        .into());
    }
    Ok(())
}

/// Store the person's new standing as their record's next version.
fn set_standing(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &WriteCtx,
    current: Person,
    standing: PersonStanding,
) -> Result<Person, StoreError> {
    let person = Person {
        version: current.version + 1,
        standing,
        ..current
    };
    diesel::update(people::table.find((org_id, person.id)))
        .set((
            people::version.eq(person.version),
            people::standing.eq(person.standing.code()),
            people::standing_reason.eq(person.standing.reason()),
            people::merged_into.eq(person.standing.merged_into()),
            people::audit_seq.eq(ctx.seq),
        ))
        .execute(c)?;
    Ok(person)
}

/// Retire a person's record added by mistake: it stays in the chain with its history,
/// and leaves the register. A person with current entries is merged instead, so their
/// entries stay on the register.
pub fn retire(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    slug: &str,
    version: i64,
    reason: String,
) -> Result<Committed<Person>, StoreError> {
    write(c, org_id, actor, |c, ctx| {
        let current = in_use(c, org_id, slug, version)?;
        refuse_if_on_committees(c, org_id, &current)?;
        let declarations = Declarations::current(c, org_id)?;
        let gifts = Gifts::current(c, org_id)?;
        let entries = declarations
            .iter()
            .map(|v| (&v.entry.person_id, v.entry.standing.state))
            .chain(
                gifts
                    .iter()
                    .map(|v| (&v.entry.person_id, v.entry.standing.state)),
            )
            .filter(|(p, s)| **p == current.id && *s == EntryState::Active)
            .count();
        if entries > 0 {
            return Err(FieldErrors::one(
                "person",
                format!(
                    "{} has current entries; merge them into the right person's record instead",
                    current.slug
                ),
            )
            .into());
        }
        let person = set_standing(c, org_id, ctx, current, PersonStanding::Retired { reason })?;
        Ok(Change {
            action: "retire",
            entity: "person",
            entity_id: person.id.to_string(),
            payload: person.payload(),
            touched: Touched::Org,
            value: person,
        })
    })
}

/// Merge a person's record added by mistake into `into`'s: the record is kept, with its
/// history, marked merged; each of its current entries gets a new version naming the
/// other person (an audit entry each), and accounts that declared for it now declare for
/// the other. Entries awaiting review are reviewed first, so the merged entries are the
/// ones the register shows.
pub fn merge(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    slug: &str,
    version: i64,
    into: &str,
    reason: String,
) -> Result<Committed<Person>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = in_use(c, org_id, slug, version)?;
        let target = match by_slug(c, org_id, into) {
            Ok(t) if t.id == current.id => {
                return Err(FieldErrors::one("into", "cannot be the person being merged").into())
            }
            Ok(t) if t.standing.is_active() => t,
            Ok(t) => return Err(no_longer_in_use(&t).into()),
            Err(StoreError::NotFound(_)) => {
                return Err(FieldErrors::one(
                    "into",
                    format!("no person {into:?} in this organisation"),
                )
                .into())
            }
            Err(e) => return Err(e),
        };
        refuse_if_on_committees(c, org_id, &current)?;
        let mine = |person_id: i64, state: EntryState| {
            person_id == current.id && state == EntryState::Active
        };
        let declarations: Vec<_> = Declarations::current(c, org_id)?
            .into_iter()
            .filter(|v| mine(v.entry.person_id, v.entry.standing.state))
            .collect();
        let gifts: Vec<_> = Gifts::current(c, org_id)?
            .into_iter()
            .filter(|v| mine(v.entry.person_id, v.entry.standing.state))
            .collect();
        let waiting = declarations
            .iter()
            .map(|v| &v.entry.standing.review)
            .chain(gifts.iter().map(|v| &v.entry.standing.review))
            .any(|r| *r != Review::Accepted);
        if waiting {
            return Err(FieldErrors::one(
                "person",
                format!(
                    "{} has entries awaiting review; review them before merging",
                    current.slug
                ),
            )
            .into());
        }
        let standing = PersonStanding::Merged {
            into: target.id,
            reason,
        };
        let person = set_standing(c, org_id, ctx, current, standing)?;
        let mut entries = vec![Entry {
            action: "merge",
            entity: "person",
            entity_id: person.id.to_string(),
            payload: person.payload(),
        }];
        let at = |k: usize| WriteCtx {
            seq: ctx.seq + k as i64,
            ..ctx.clone()
        };
        for v in declarations {
            let k = entries.len();
            entries.push(reassign::<Declarations>(
                c,
                org_id,
                v.entry,
                &target,
                &at(k),
            )?);
        }
        for v in gifts {
            let k = entries.len();
            entries.push(reassign::<Gifts>(c, org_id, v.entry, &target, &at(k))?);
        }
        diesel::update(
            user_orgs::table
                .filter(user_orgs::organisation_id.eq(org_id))
                .filter(user_orgs::person_id.eq(person.id)),
        )
        .set(user_orgs::person_id.eq(target.id))
        .execute(c)?;
        Ok(Changes {
            entries,
            touched: Touched::Org,
            value: person,
        })
    })
}

/// The problem with changing a record that was retired or merged.
fn no_longer_in_use(p: &Person) -> FieldErrors {
    FieldErrors::one(
        "person",
        format!("{} was {} and cannot change", p.slug, p.standing.code()),
    )
}
