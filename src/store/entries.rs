//! What the versioned registers share in storage (declarations of interest, gifts and
//! hospitality): every change is a new version row, the previous one kept and marked not
//! current, and an entry's latest accepted version marked published. The reads and the
//! writes are written once here, over a [`Register`]; each register's module says only
//! what is its own: its columns, its audit payload, its lifecycle steps.

use super::schema::{declarations, gifts};
use super::write::{write, Change, Committed, Touched};
use super::{AnyConnection, StoreError, WriteCtx};
use crate::domain::entries::{Entry, EntryState, EntryStep, Review, Standing};
use crate::domain::people::Person;
use diesel::dsl::{sql, AsExprOf};
use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::prelude::*;
use diesel::query_dsl::methods::{FilterDsl, OrderDsl};
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use serde_json::Value;

/// Either backend, as diesel's queries name it.
pub type Db = <AnyConnection as Connection>::Backend;

/// One stored version, with when and by whom it was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<F> {
    pub entry: Entry<F>,
    pub recorded_at: String,
    pub recorded_by: String,
    pub audit_seq: i64,
}

/// Which stored versions a read wants.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// Every entry's published (latest accepted) version, oldest entry first.
    Published,
    /// One entry's published version.
    PublishedOne(i64),
    /// Every entry's current version, oldest entry first.
    Current,
    /// One entry's current version.
    CurrentOne(i64),
    /// Every version of one entry, oldest first.
    History(i64),
}

// The bookkeeping columns have the same names in every register's table (see
// `schema.rs`), so the reads below name them once, as SQL, rather than once per table;
// the tests run every read on both backends.

/// The bookkeeping columns a read returns, in [`Recorded`]'s order.
const RECORDED: &str = "id, version, person_id, state, withheld_reason, \
                        recorded_at, recorded_by, audit_seq, review, review_comment";

type RecordedSql = (
    BigInt,
    BigInt,
    BigInt,
    Text,
    Nullable<Text>,
    Text,
    Text,
    BigInt,
    Text,
    Nullable<Text>,
);

/// The select list of [`Recorded`], for a register's read (with its own columns).
pub fn recorded() -> SqlLiteral<RecordedSql> {
    sql::<RecordedSql>(RECORDED)
}

type Bind<Q> = UncheckedBind<Q, AsExprOf<i64, BigInt>>;

/// Which rows of an entry a write retires (see [`Register::retire`]).
pub type Retiring = SqlLiteral<Bool, Bind<SqlLiteral<Bool, Bind<SqlLiteral<Bool>>>>>;

/// The rows of the organisation's entry `id` that stop being current (the current
/// one) and, with `unpublish`, published (the published one).
fn retiring(org_id: i64, id: i64, unpublish: bool) -> Retiring {
    sql::<Bool>("organisation_id = ")
        .bind::<BigInt, _>(org_id)
        .sql(" AND id = ")
        .bind::<BigInt, _>(id)
        .sql(if unpublish {
            " AND (is_current = 1 OR is_published = 1)"
        } else {
            " AND is_current = 1"
        })
}

/// A condition on a bookkeeping column with its value.
type Is = Bind<SqlLiteral<Bool>>;

impl Pick {
    /// `query` (a boxed read of one register's table) narrowed to the organisation's
    /// versions this pick wants, in its order.
    pub fn apply<Q>(self, org_id: i64, query: Q) -> Q
    where
        Q: FilterDsl<Is, Output = Q>
            + FilterDsl<SqlLiteral<Bool>, Output = Q>
            + OrderDsl<SqlLiteral<BigInt>, Output = Q>,
    {
        let is = |condition: &str, value: i64| sql::<Bool>(condition).bind::<BigInt, _>(value);
        let q = FilterDsl::filter(query, is("organisation_id = ", org_id));
        let (published, current) = (sql::<Bool>("is_published = 1"), sql("is_current = 1"));
        let (by_id, by_version) = (sql::<BigInt>("id"), sql::<BigInt>("version"));
        match self {
            Pick::Published => q.filter(published).order(by_id),
            Pick::PublishedOne(id) => q.filter(is("id = ", id)).filter(published),
            Pick::Current => q.filter(current).order(by_id),
            Pick::CurrentOne(id) => q.filter(is("id = ", id)).filter(current),
            Pick::History(id) => q.filter(is("id = ", id)).order(by_version),
        }
    }
}

/// A stored version's bookkeeping columns, as a read returns them.
#[derive(Queryable)]
pub struct Recorded {
    id: i64,
    version: i64,
    person_id: i64,
    state: String,
    withheld_reason: Option<String>,
    recorded_at: String,
    recorded_by: String,
    audit_seq: i64,
    review: String,
    review_comment: Option<String>,
}

impl Recorded {
    /// What a register's table holds that its domain refuses: stored data is corrupt.
    fn corrupt(&self, entity: &str, what: &str) -> StoreError {
        corrupt(entity, self.id, what)
    }

    fn version<F>(self, entity: &str, fields: F) -> Result<Version<F>, StoreError> {
        let id = self.id;
        let standing = Standing {
            state: EntryState::parse(&self.state).ok_or_else(|| corrupt(entity, id, "state"))?,
            withheld_reason: self.withheld_reason,
            review: Review::parse(&self.review, self.review_comment)
                .ok_or_else(|| corrupt(entity, id, "review"))?,
        };
        Ok(Version {
            entry: Entry {
                id,
                version: self.version,
                person_id: self.person_id,
                fields,
                standing,
            },
            recorded_at: self.recorded_at,
            recorded_by: self.recorded_by,
            audit_seq: self.audit_seq,
        })
    }
}

fn corrupt(entity: &str, id: i64, what: &str) -> StoreError {
    StoreError::Corrupt(format!("{entity} {id} has a bad {what}"))
}

/// The bookkeeping columns of a new version; a register inserts it with its own columns.
#[derive(Insertable)]
#[diesel(table_name = declarations)]
#[diesel(table_name = gifts)]
pub struct NewVersion<'a> {
    organisation_id: i64,
    id: i64,
    version: i64,
    is_current: i32,
    person_id: i64,
    state: &'a str,
    withheld_reason: Option<&'a str>,
    recorded_at: &'a str,
    recorded_by: &'a str,
    audit_seq: i64,
    review: &'a str,
    review_comment: Option<&'a str>,
    is_published: i32,
}

/// A register of versioned entries over its table. A register says what is its own (the
/// required items: its fields and steps, its audit entity and payload, and how its own
/// columns are read and written); the operations every register shares are written
/// once (the provided methods: published, published one, current, get, versions,
/// create, change).
pub trait Register {
    /// What is entered for an entry of this register.
    type Fields: Clone + Send + 'static;
    /// A lifecycle step of an entry of this register.
    type Step: EntryStep<Self::Fields> + Send + 'static;
    /// A read's row of the register's own columns.
    type Row;

    /// The audit entity, which also names an entry in errors: "declaration".
    const ENTITY: &'static str;

    /// What the publisher re-renders after a change to an entry of `person_id`.
    fn touched(person_id: i64) -> Touched;

    /// The audit payload: the version after the change.
    fn payload(entry: &Entry<Self::Fields>, person_slug: &str) -> Value;

    /// A new entry's fields for `person` (a register may fill in what the person says).
    fn for_person(fields: Self::Fields, _person: &Person) -> Self::Fields {
        fields
    }

    /// The bookkeeping and own columns of the versions `pick` wants, in its order.
    fn rows(
        c: &mut AnyConnection,
        org_id: i64,
        pick: Pick,
    ) -> QueryResult<Vec<(Recorded, Self::Row)>>;

    /// The register's fields from its own columns (`corrupt` says what is bad).
    fn fields(
        row: Self::Row,
        corrupt: impl Fn(&str) -> StoreError,
    ) -> Result<Self::Fields, StoreError>;

    /// The id the organisation's next entry gets.
    fn next_id(c: &mut AnyConnection, org_id: i64) -> Result<i64, StoreError>;

    /// Store a new version: `new` and the register's own columns.
    fn insert(
        c: &mut AnyConnection,
        new: NewVersion<'_>,
        fields: &Self::Fields,
    ) -> QueryResult<usize>;

    /// Mark the rows `which` of an entry neither current nor, with `unpublish`,
    /// published, before its new version is stored.
    fn retire(c: &mut AnyConnection, which: Retiring, unpublish: bool) -> QueryResult<usize>;

    /// The versions `pick` wants, in its order.
    fn load(
        c: &mut AnyConnection,
        org_id: i64,
        pick: Pick,
    ) -> Result<Vec<Version<Self::Fields>>, StoreError> {
        Self::rows(c, org_id, pick)?
            .into_iter()
            .map(|(recorded, row)| {
                let fields = Self::fields(row, |what| recorded.corrupt(Self::ENTITY, what))?;
                recorded.version(Self::ENTITY, fields)
            })
            .collect()
    }

    /// The version of every entry that the public register shows: its latest accepted
    /// one (an entry never accepted has none), oldest entry first.
    fn published(
        c: &mut AnyConnection,
        org_id: i64,
    ) -> Result<Vec<Version<Self::Fields>>, StoreError> {
        Self::load(c, org_id, Pick::Published)
    }

    /// The published version of one entry, if it has been accepted.
    fn published_one(
        c: &mut AnyConnection,
        org_id: i64,
        id: i64,
    ) -> Result<Option<Version<Self::Fields>>, StoreError> {
        Ok(Self::load(c, org_id, Pick::PublishedOne(id))?.pop())
    }

    /// The current version of every entry in an organisation, oldest first.
    fn current(
        c: &mut AnyConnection,
        org_id: i64,
    ) -> Result<Vec<Version<Self::Fields>>, StoreError> {
        Self::load(c, org_id, Pick::Current)
    }

    /// The current version of one entry.
    fn get(
        c: &mut AnyConnection,
        org_id: i64,
        id: i64,
    ) -> Result<Version<Self::Fields>, StoreError> {
        Self::load(c, org_id, Pick::CurrentOne(id))?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("{} {id}", Self::ENTITY)))
    }

    /// Every version of one entry, oldest first.
    fn versions(
        c: &mut AnyConnection,
        org_id: i64,
        id: i64,
    ) -> Result<Vec<Version<Self::Fields>>, StoreError> {
        let all = Self::load(c, org_id, Pick::History(id))?;
        if all.is_empty() {
            return Err(StoreError::NotFound(format!("{} {id}", Self::ENTITY)));
        }
        Ok(all)
    }

    /// Record a new entry for a person (given by slug), its first version left in
    /// `review` (by who made it).
    fn create(
        c: &mut AnyConnection,
        org_id: i64,
        actor: &str,
        person_slug: &str,
        fields: Self::Fields,
        withheld_reason: Option<String>,
        review: Review,
    ) -> Result<Committed<Version<Self::Fields>>, StoreError> {
        write(c, org_id, actor, |c, ctx| {
            let person = super::people::by_slug(c, org_id, person_slug).map_err(|_| {
                crate::domain::FieldErrors::one(
                    "person",
                    format!("no person {person_slug:?} in this organisation"),
                )
            })?;
            let entry = Entry {
                id: Self::next_id(c, org_id)?,
                version: 1,
                person_id: person.id,
                fields: Self::for_person(fields, &person),
                standing: Standing {
                    state: EntryState::Active,
                    withheld_reason,
                    review,
                },
            };
            record::<Self>(c, org_id, entry, &person.slug, "create", ctx)
        })
    }

    /// Apply a lifecycle step to entry `id`, whose current version must be `version`.
    /// `step` builds the step from the current version (an amendment overlays its
    /// changes). The new version is left in `review` (by who made the change), unless
    /// the step is itself a review.
    fn change(
        c: &mut AnyConnection,
        org_id: i64,
        actor: &str,
        id: i64,
        version: i64,
        review: Review,
        step: impl FnOnce(&Entry<Self::Fields>, chrono::NaiveDate) -> Result<Self::Step, StoreError>,
    ) -> Result<Committed<Version<Self::Fields>>, StoreError> {
        write(c, org_id, actor, |c, ctx| {
            let current = Self::get(c, org_id, id)?.entry;
            if current.version != version {
                return Err(StoreError::Conflict(format!(
                    "{} {id} is at version {}, not {version}; reload it and try again",
                    Self::ENTITY,
                    current.version
                )));
            }
            let step = step(&current, ctx.today)?;
            let (action, is_review) = (step.action(), step.is_review());
            let mut next = step.apply(&current)?;
            if !is_review {
                next.standing.review = review;
            }
            let person = super::people::by_id(c, org_id, next.person_id)?;
            record::<Self>(c, org_id, next, &person.slug, action, ctx)
        })
    }
}

/// A new version of `entry` that names `person` instead, for a merge of the person's
/// record into theirs: the entry's fields and standing as they were, its audit entry
/// at `ctx.seq` (the caller's place in a [`super::write::write_all`]).
pub fn reassign<R: Register + ?Sized>(
    c: &mut AnyConnection,
    org_id: i64,
    mut entry: Entry<R::Fields>,
    person: &Person,
    ctx: &WriteCtx,
) -> Result<super::write::Entry, StoreError> {
    entry.version += 1;
    entry.person_id = person.id;
    let change = record::<R>(c, org_id, entry, &person.slug, "reassign", ctx)?;
    Ok(super::write::Entry {
        action: change.action,
        entity: change.entity,
        entity_id: change.entity_id,
        payload: change.payload,
    })
}

/// Store `entry` as its entry's new version (the one before it no longer current, and,
/// once accepted, the only one published), described for its audit entry.
fn record<R: Register + ?Sized>(
    c: &mut AnyConnection,
    org_id: i64,
    entry: Entry<R::Fields>,
    person_slug: &str,
    action: &'static str,
    ctx: &WriteCtx,
) -> Result<Change<Version<R::Fields>>, StoreError> {
    // The public register shows an entry's latest accepted version.
    let accepted = entry.standing.review == Review::Accepted;
    R::retire(c, retiring(org_id, entry.id, accepted), accepted)?;
    let s = &entry.standing;
    let new = NewVersion {
        organisation_id: org_id,
        id: entry.id,
        version: entry.version,
        is_current: 1,
        person_id: entry.person_id,
        state: s.state.code(),
        withheld_reason: s.withheld_reason.as_deref(),
        recorded_at: &ctx.at,
        recorded_by: &ctx.actor,
        audit_seq: ctx.seq,
        review: s.review.code(),
        review_comment: s.review.comment(),
        is_published: i32::from(accepted),
    };
    R::insert(c, new, &entry.fields)?;
    Ok(Change {
        action,
        entity: R::ENTITY,
        entity_id: entry.id.to_string(),
        payload: R::payload(&entry, person_slug),
        touched: R::touched(entry.person_id),
        value: Version {
            entry,
            recorded_at: ctx.at.clone(),
            recorded_by: ctx.actor.clone(),
            audit_seq: ctx.seq,
        },
    })
}
