//! People: create and amend (each a new version and an audit entry).

use super::schema::people;
use super::write::{next_id, write, Change, Committed, Touched};
use super::{AnyConnection, StoreError};
use crate::domain::people::{Person, PersonFields};
use crate::domain::validation::slugify;
use crate::domain::Input;
use diesel::prelude::*;

type Row = (i64, String, i64, String, String, i32);

fn from_row(r: Row) -> Person {
    Person {
        id: r.0,
        slug: r.1,
        version: r.2,
        fields: PersonFields {
            name: r.3,
            position: r.4,
            decision_making: r.5 != 0,
        },
    }
}

const COLUMNS: (
    people::id,
    people::slug,
    people::version,
    people::name,
    people::position,
    people::decision_making,
) = (
    people::id,
    people::slug,
    people::version,
    people::name,
    people::position,
    people::decision_making,
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

/// Add a person.
pub fn create(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    fields: PersonFields,
) -> Result<Committed<Person>, StoreError> {
    write(c, org_id, actor, |c, ctx| {
        let id = next_id!(c, people, org_id);
        let slug = free_slug(c, org_id, &fields.name)?;
        let person = Person {
            id,
            slug,
            version: 1,
            fields,
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
    })
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
