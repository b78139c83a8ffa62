//! The JSON API of the versioned registers (declarations of interest, gifts and
//! hospitality), written once: the list, one entry, its versions, create, amend, and the
//! changes of standing, with one rule for what a caller is shown ([`Sight`]). Each
//! register's module names its routes ([`entry_routes`]) and says what is its own
//! ([`EntryApi`]).

use super::{created, entry_person, input, org, parse_id, take_version};
use crate::domain::entries::{Entry, EntryStep, Review, StandingChange};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::entries::{Register, Version};
use crate::store::orgs::Org;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

pub use super::{Answer, Data, OrgPath, RecordPath as EntryPath};

/// What a register's API says of its own.
pub trait EntryApi: Register + 'static {
    /// Whether a new entry may be withheld from the start (`withheld_reason`, which
    /// only governance may give).
    const WITHHELD_ON_CREATE: bool;

    /// Whether the public register shows `entry` of `person` today.
    fn is_public(entry: &Entry<Self::Fields>, person: &Person, org: &Org) -> bool;

    /// What the answer about a version adds to its audit payload.
    fn annotate(answer: &mut Value, entry: &Entry<Self::Fields>, org: &Org);

    /// A new or amended entry's fields from the request's input.
    fn parse(input: &Input, today: NaiveDate, org: &Org) -> Result<Self::Fields, FieldErrors>;

    /// An entry's fields as input, for an amendment to overlay.
    fn to_input(fields: &Self::Fields) -> Input;
}

/// Today, for the checks of a new entry's dates.
fn today() -> NaiveDate {
    crate::clock::today()
}

/// What a caller is shown of one person's entries: the one rule of the API's reads.
/// One who reads the person's entries (governance leads and admins, auditors, the
/// person's own declarant) sees each entry's latest version whatever its standing or
/// review, and every version of it; anyone else sees the published version if the
/// public register shows it, and the accepted versions.
struct Sight<'a> {
    reads: bool,
    person: &'a Person,
    org: &'a Org,
}

impl<'a> Sight<'a> {
    fn of(caller: &Caller, org: &'a Org, person: &'a Person) -> Sight<'a> {
        Sight {
            reads: caller.reads_person(org.id, person.id),
            person,
            org,
        }
    }

    /// The version of an entry shown, of its `latest` and `published` ones.
    fn entry<R: EntryApi, V: Borrow<Version<R::Fields>>>(
        &self,
        latest: Option<V>,
        published: Option<V>,
    ) -> Option<V> {
        if self.reads {
            latest
        } else {
            published.filter(|v| R::is_public(&v.borrow().entry, self.person, self.org))
        }
    }

    /// Whether a version is shown in the entry's history.
    fn version<F>(&self, v: &Version<F>) -> bool {
        self.reads || v.entry.standing.review == Review::Accepted
    }

    /// The answer about a version shown: to anyone but a reader, without its private
    /// fields (an accepted version in the history may have been withheld).
    fn answer<R: EntryApi>(&self, v: &Version<R::Fields>) -> Value {
        let answer = answer::<R>(v, self.person, self.org);
        if self.reads {
            answer
        } else {
            crate::publish::views::public_record(answer)
        }
    }
}

/// The answer about a version: its audit payload, what its register adds, whether the
/// public register shows it, and when it was recorded.
fn answer<R: EntryApi>(v: &Version<R::Fields>, person: &Person, org: &Org) -> Value {
    let mut j = R::payload(&v.entry, &person.slug);
    R::annotate(&mut j, &v.entry, org);
    j["public"] = json!(R::is_public(&v.entry, person, org));
    j["recorded_at"] = json!(v.recorded_at);
    j["audit_seq"] = json!(v.audit_seq);
    j
}

/// Versions by their entry's id.
fn by_id<F>(versions: &[Version<F>]) -> BTreeMap<i64, &Version<F>> {
    versions.iter().map(|v| (v.entry.id, v)).collect()
}

/// What a list is asked.
#[derive(Deserialize)]
pub struct ListQuery {
    /// Only this person's entries (their slug).
    person: Option<String>,
}

/// The entries the caller may see, by id (oldest first).
pub async fn list<R: EntryApi>(
    state: Data,
    caller: Caller,
    path: OrgPath,
    q: web::Query<ListQuery>,
) -> Answer {
    let org = org(&state, &path).await?;
    let org_id = org.id;
    // Only a signed-in caller may read anything but published versions.
    let signed_in = caller.0.is_some();
    let (people, current, published) = state
        .db(move |c| {
            let current = if signed_in {
                R::current(c, org_id)?
            } else {
                Vec::new()
            };
            Ok((
                crate::store::people::all(c, org_id)?,
                current,
                R::published(c, org_id)?,
            ))
        })
        .await?;
    let people: BTreeMap<i64, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let (latest, public) = (by_id(&current), by_id(&published));
    let ids: BTreeSet<i64> = latest.keys().chain(public.keys()).copied().collect();
    let out: Vec<Value> = ids
        .into_iter()
        .filter_map(|id| {
            let (l, p) = (latest.get(&id).copied(), public.get(&id).copied());
            let person = *people.get(&l.or(p)?.entry.person_id)?;
            let wanted = q.person.as_deref().is_none_or(|s| s == person.slug);
            let sight = Sight::of(&caller, &org, person);
            Some(sight.answer::<R>(sight.entry::<R, _>(l, p).filter(|_| wanted)?))
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// The entry as the caller is shown it, and its person; 404 if they may see none of it.
async fn load<R: EntryApi>(
    state: &AppState,
    caller: &Caller,
    org: &Org,
    raw_id: &str,
) -> Result<(Version<R::Fields>, Person), ApiError> {
    let id = parse_id(raw_id, R::ENTITY)?;
    let org_id = org.id;
    let (latest, person) = state
        .db(move |c| {
            let v = R::get(c, org_id, id)?;
            let p = crate::store::people::by_id(c, org_id, v.entry.person_id)?;
            Ok((v, p))
        })
        .await?;
    let sight = Sight::of(caller, org, &person);
    let published = if sight.reads {
        None
    } else {
        state.db(move |c| R::published_one(c, org_id, id)).await?
    };
    match sight.entry::<R, _>(Some(latest), published) {
        Some(v) => Ok((v, person)),
        None => Err(ApiError::NotFound(format!("{} {id}", R::ENTITY))),
    }
}

/// One entry, as the caller is shown it.
pub async fn show<R: EntryApi>(state: Data, caller: Caller, path: EntryPath) -> Answer {
    let org = org(&state, &path.0).await?;
    let (v, person) = load::<R>(&state, &caller, &org, &path.1).await?;
    let sight = Sight::of(&caller, &org, &person);
    Ok(HttpResponse::Ok().json(sight.answer::<R>(&v)))
}

/// Every version of an entry the caller may see, oldest first.
pub async fn versions<R: EntryApi>(state: Data, caller: Caller, path: EntryPath) -> Answer {
    let org = org(&state, &path.0).await?;
    let (v, person) = load::<R>(&state, &caller, &org, &path.1).await?;
    let (org_id, id) = (org.id, v.entry.id);
    let all = state.db(move |c| R::versions(c, org_id, id)).await?;
    let sight = Sight::of(&caller, &org, &person);
    Ok(HttpResponse::Ok().json(
        all.iter()
            .filter(|v| sight.version(v))
            .map(|v| sight.answer::<R>(v))
            .collect::<Vec<_>>(),
    ))
}

/// Record a new entry for the person its `person` field names.
pub async fn create<R: EntryApi>(
    state: Data,
    caller: Caller,
    path: OrgPath,
    body: web::Bytes,
) -> Answer {
    let org = org(&state, &path).await?;
    let mut input = input(&body)?;
    let withheld_reason = if R::WITHHELD_ON_CREATE {
        input.take("withheld_reason")
    } else {
        None
    };
    let mut errors = FieldErrors::default();
    let person = entry_person(&state, &caller, &org, input.take("person"), &mut errors).await?;
    let fields = R::parse(&input, today(), &org);
    if let Err(e) = &fields {
        e.0.iter().for_each(|(k, v)| errors.add(k, v.clone()));
    }
    let withheld_reason = match withheld_reason {
        None | Some(Value::Null) => None,
        // Control characters are refused as every text field refuses them (PostgreSQL
        // cannot store NUL).
        Some(Value::String(s))
            if !s.trim().is_empty()
                && s.chars().count() <= crate::domain::entries::StandingChange::MAX_REASON
                && !s.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)) =>
        {
            Some(s.trim().to_owned())
        }
        Some(_) => {
            errors.add("withheld_reason", "must be text of 1 to 2000 characters");
            None
        }
    };
    if withheld_reason.is_some() {
        caller.governance(org.id)?;
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (fields, person) = (fields.expect("no errors"), person.expect("no errors"));
    let (org_id, slug, actor) = (org.id, person.slug.clone(), caller.actor()?);
    let review = caller.review(org.id);
    let committed = state
        .db(move |c| R::create(c, org_id, &actor, &slug, fields, withheld_reason, review))
        .await?;
    let body = answer::<R>(&committed.value, &person, &org);
    Ok(created(&state, &committed, body).await)
}

/// Builds a step from the entry's current version and the day of the change.
pub type StepBuilder<R> = Box<
    dyn FnOnce(
            &Entry<<R as Register>::Fields>,
            NaiveDate,
        ) -> Result<<R as Register>::Step, FieldErrors>
        + Send,
>;

/// Apply a step to an entry after checking who may (governance only, or also the
/// person's own declarant), then answer with the new version. `make` reads the step
/// from the request's input (less its `version`).
pub async fn step<R: EntryApi>(
    state: Data,
    caller: Caller,
    path: EntryPath,
    body: web::Bytes,
    governance_only: bool,
    make: impl FnOnce(Input, &Org) -> Result<StepBuilder<R>, FieldErrors>,
) -> Answer {
    let org = org(&state, &path.0).await?;
    let (current, person) = load::<R>(&state, &caller, &org, &path.1).await?;
    let actor = if governance_only {
        caller.governance(org.id)?
    } else {
        caller.writer_for(org.id, person.id)?
    }
    .actor();
    let mut input = input(&body)?;
    let version = take_version(&mut input)?;
    let build = make(input, &org)?;
    let (org_id, id, review) = (org.id, current.entry.id, caller.review(org.id));
    let committed = state
        .db(move |c| {
            R::change(c, org_id, &actor, id, version, review, |e, today| {
                build(e, today).map_err(Into::into)
            })
        })
        .await?;
    let body = answer::<R>(&committed.value, &person, &org);
    Ok(created(&state, &committed, body).await)
}

/// Amend an entry: the input's fields overlay its current ones.
pub async fn amend<R: EntryApi>(
    state: Data,
    caller: Caller,
    path: EntryPath,
    body: web::Bytes,
) -> Answer {
    step::<R>(state, caller, path, body, false, |changes, org| {
        let org = org.clone();
        Ok(Box::new(move |e, today| {
            let input = R::to_input(&e.fields).merged(changes);
            Ok(R::Step::amend(R::parse(&input, today, &org)?))
        }))
    })
    .await
}

/// A change of standing (`action` as [`StandingChange::parse`] reads it): a withdrawal
/// by one who may write the entry, the rest by governance.
async fn standing<R: EntryApi>(
    state: Data,
    caller: Caller,
    path: EntryPath,
    body: web::Bytes,
    action: &'static str,
) -> Answer {
    step::<R>(
        state,
        caller,
        path,
        body,
        action != "withdraw",
        |input, _| {
            let change = StandingChange::parse(action, &input)?;
            Ok(Box::new(move |_, _| Ok(R::Step::standing(change))))
        },
    )
    .await
}

/// Withdraw an entry made in error, with a reason.
pub async fn withdraw<R: EntryApi>(s: Data, c: Caller, p: EntryPath, b: web::Bytes) -> Answer {
    standing::<R>(s, c, p, b, "withdraw").await
}

/// Withhold an entry from publication, with a reason.
pub async fn withhold<R: EntryApi>(s: Data, c: Caller, p: EntryPath, b: web::Bytes) -> Answer {
    standing::<R>(s, c, p, b, "withhold").await
}

/// Publish a withheld entry again.
pub async fn release<R: EntryApi>(s: Data, c: Caller, p: EntryPath, b: web::Bytes) -> Answer {
    standing::<R>(s, c, p, b, "release").await
}

/// Accept a declarant's submitted version: it is published.
pub async fn accept<R: EntryApi>(s: Data, c: Caller, p: EntryPath, b: web::Bytes) -> Answer {
    standing::<R>(s, c, p, b, "accept").await
}

/// Return a declarant's submitted version for changes, with a comment.
pub async fn return_for_changes<R: EntryApi>(
    s: Data,
    c: Caller,
    p: EntryPath,
    b: web::Bytes,
) -> Answer {
    standing::<R>(s, c, p, b, "return").await
}

/// The routes of a register: `entry_routes!(Register: list, show, …)` makes each
/// `pub async fn name` the route table names, handing the request to this module's
/// handler of that name for the register.
macro_rules! entry_routes {
    ($register:ty: $($name:ident),* $(,)?) => {$(
        entry_routes!(@route $register, $name);
    )*};
    (@route $register:ty, list) => {
        pub async fn list(
            state: $crate::web::api::entries::Data,
            caller: $crate::web::auth::Caller,
            path: $crate::web::api::entries::OrgPath,
            q: actix_web::web::Query<$crate::web::api::entries::ListQuery>,
        ) -> $crate::web::api::entries::Answer {
            $crate::web::api::entries::list::<$register>(state, caller, path, q).await
        }
    };
    (@route $register:ty, create) => {
        pub async fn create(
            state: $crate::web::api::entries::Data,
            caller: $crate::web::auth::Caller,
            path: $crate::web::api::entries::OrgPath,
            body: actix_web::web::Bytes,
        ) -> $crate::web::api::entries::Answer {
            $crate::web::api::entries::create::<$register>(state, caller, path, body).await
        }
    };
    (@route $register:ty, show) => {
        pub async fn show(
            state: $crate::web::api::entries::Data,
            caller: $crate::web::auth::Caller,
            path: $crate::web::api::entries::EntryPath,
        ) -> $crate::web::api::entries::Answer {
            $crate::web::api::entries::show::<$register>(state, caller, path).await
        }
    };
    (@route $register:ty, versions) => {
        pub async fn versions(
            state: $crate::web::api::entries::Data,
            caller: $crate::web::auth::Caller,
            path: $crate::web::api::entries::EntryPath,
        ) -> $crate::web::api::entries::Answer {
            $crate::web::api::entries::versions::<$register>(state, caller, path).await
        }
    };
    (@route $register:ty, $step:ident) => {
        pub async fn $step(
            state: $crate::web::api::entries::Data,
            caller: $crate::web::auth::Caller,
            path: $crate::web::api::entries::EntryPath,
            body: actix_web::web::Bytes,
        ) -> $crate::web::api::entries::Answer {
            $crate::web::api::entries::$step::<$register>(state, caller, path, body).await
        }
    };
}
pub(crate) use entry_routes;
