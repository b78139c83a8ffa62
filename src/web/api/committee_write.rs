//! The one flow of a governance lead's write to committee business through the API:
//! authorise, resolve what the path names, read the body, commit, and answer 201 with
//! the records as they stand after the change (once the public site shows it).

use super::committees::{load_all, path_key, Names};
use super::{created, governed, input, parse_id, take_version};
use crate::domain::Input;
use crate::store::business::Business;
use crate::store::committees as store;
use crate::store::orgs::Org;
use crate::store::{AnyConnection, Committed, StoreError};
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::{web, HttpResponse};
use serde_json::Value;

/// What a write's path names besides the organisation, looked up only once the caller is
/// known to govern it (so a stranger is refused before learning what exists).
pub(super) enum Target<'a> {
    Org,
    Committee(&'a str),
    Membership(&'a str, &'a str),
    Record(&'a str, &'static str),
}

/// A governance lead's write to the organisation's committee business: the organisation,
/// who writes, the ids the path names (the record's, and a membership's; 0 where it names
/// none) and the body's fields.
pub(super) struct Write {
    pub(super) org: Org,
    actor: String,
    pub(super) ids: (i64, i64),
    pub(super) fields: Input,
}

impl Write {
    /// Authorise, resolve the path, then read the body, in that order: 403 before 404
    /// before any problem with the body.
    pub(super) async fn begin(
        state: &AppState,
        caller: &Caller,
        org_slug: &str,
        target: Target<'_>,
        body: &web::Bytes,
    ) -> Result<Write, ApiError> {
        let (org, actor) = governed(state, caller, org_slug).await?;
        let ids = match target {
            Target::Org => (0, 0),
            Target::Committee(raw) => (committee_id(state, &org, raw).await?, 0),
            Target::Membership(raw, member) => (
                committee_id(state, &org, raw).await?,
                parse_id(member, "membership")?,
            ),
            Target::Record(raw, what) => (parse_id(raw, what)?, 0),
        };
        let fields = input(body)?;
        Ok(Write {
            org,
            actor,
            ids,
            fields,
        })
    }

    /// The version the change is based on, and the changed fields.
    pub(super) fn versioned(&mut self) -> Result<(i64, Input), ApiError> {
        let version = take_version(&mut self.fields)?;
        Ok((version, std::mem::take(&mut self.fields)))
    }

    /// Commit the change (given the organisation's id and the actor), then answer 201
    /// with what `show` renders from the records as they now stand (after the public
    /// site shows the change).
    pub(super) async fn commit<T: Send + 'static>(
        self,
        state: &AppState,
        change: impl FnOnce(&mut AnyConnection, i64, &str) -> Result<Committed<T>, StoreError>
            + Send
            + 'static,
        show: impl FnOnce(&Org, &Business, &Names, &T) -> Result<Value, ApiError>,
    ) -> Result<HttpResponse, ApiError> {
        let Write { org, actor, .. } = self;
        let org_id = org.id;
        let committed = state.db(move |c| change(c, org_id, &actor)).await?;
        let (b, names) = load_all(state, &org).await?;
        let body = show(&org, &b, &names, &committed.value)?;
        Ok(created(state, &committed, body).await)
    }
}

async fn committee_id(state: &AppState, org: &Org, raw: &str) -> Result<i64, ApiError> {
    let slug = path_key(raw, "committee")?;
    let org_id = org.id;
    Ok(state
        .db(move |c| store::by_slug(c, org_id, &slug))
        .await?
        .id)
}
