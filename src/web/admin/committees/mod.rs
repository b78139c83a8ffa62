//! Committee business in the web app: the committees, a committee's page with its
//! members and meetings, a meeting's page with its items, their conflicts, outcomes and
//! the quorum each has now, and the forms that constitute and amend committees, add,
//! amend and end memberships, record and amend meetings and agenda items, and record
//! what became of an item. Every write goes through the store call the JSON API uses, so
//! the store's constitution and quorum rules refuse a bad change inside its transaction;
//! a refusal is shown the GOV.UK way (summary, message beside the field, input kept).
//!
//! One file a screen: [`list`], [`committee`] (its page, constituting and amending it),
//! [`members`] (adding them), [`membership`] (amending or ending one), [`meetings`]
//! (the meeting form), [`meeting`] (a meeting's page), [`items`] and [`outcome`]; this
//! module holds what they share: loading one committee, where its pages are, and how a
//! quorum is shown.

mod committee;
mod items;
mod list;
mod meeting;
mod meetings;
mod members;
mod membership;
mod outcome;

pub use committee::{amend, amend_form, create, new_form, show, ShowQuery};
pub use items::{amend_item, amend_item_form, create_item, new_item_form};
pub use list::list;
pub use meeting::show_meeting;
pub use meetings::{amend_meeting, amend_meeting_form, create_meeting, new_meeting_form};
pub use members::{add_members, add_members_form};
pub use membership::{amend_membership, end_membership, membership_form};
pub use outcome::{outcome_form, record_outcome};

use super::context::load_org;
use super::form::{quorum_rule, settle, Field, Problems, Stale, Values};
use super::{CsrfForm, PageError, SignedIn};
use crate::domain::committees::QuorumResult;
use crate::domain::committees::{Item, Meeting, Membership};
use crate::domain::people::Person;
use crate::store::committee_view::CommitteeView;
use crate::store::orgs::Org;
use crate::store::records::Stored;
use crate::store::users::Session;
use crate::store::{AnyConnection, Committed, StoreError};
use crate::web::admin::{Data, Page};
use crate::web::api::committees::{path_key, Names};
use crate::web::api::parse_id;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;

/// A posted form as its fields, in order (repeated names for checkboxes).
type Posted = CsrfForm<Vec<(String, String)>>;

/// One committee's business, for a page about it.
pub struct Loaded {
    org: Org,
    view: CommitteeView,
    names: Names,
    /// Everyone a form may name (the whole organisation on a form that writes; on a page
    /// that only shows, the people the committee's records name).
    people: Vec<Person>,
}

/// The committee `raw` of organisation `org_slug`, with the people its records name.
async fn load(state: &AppState, org_slug: &str, raw: &str) -> Result<Loaded, PageError> {
    let org = load_org(state, org_slug).await?;
    load_committee(state, org, raw, false).await
}

async fn load_committee(
    state: &AppState,
    org: Org,
    raw: &str,
    everyone: bool,
) -> Result<Loaded, PageError> {
    let slug = path_key(raw, "committee")?;
    let org_id = org.id;
    let (view, all) = state
        .db(move |c| {
            let view = CommitteeView::load(c, org_id, &slug)?;
            let all = match everyone {
                true => Some(crate::store::people::all(c, org_id)?),
                false => None,
            };
            Ok((view, all))
        })
        .await?;
    let people = all.unwrap_or_else(|| view.people.clone());
    Ok(Loaded {
        org,
        names: Names::new(people.clone()),
        view,
        people,
    })
}

impl Loaded {
    fn committee(&self) -> &Stored<crate::domain::committees::Committee> {
        &self.view.committee
    }

    fn meeting(&self, raw: &str) -> Result<&Stored<Meeting>, PageError> {
        let id = parse_id(raw, "meeting")?;
        self.view
            .meetings
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(|| PageError::NotFound(format!("meeting {id}")))
    }

    fn item(&self, raw: &str) -> Result<(&Stored<Item>, &Stored<Meeting>), PageError> {
        let id = parse_id(raw, "agenda item")?;
        let not_found = || PageError::NotFound(format!("agenda item {id}"));
        let item = self
            .view
            .items
            .iter()
            .find(|i| i.id == id)
            .ok_or_else(not_found)?;
        let meeting = self
            .view
            .meetings
            .iter()
            .find(|m| m.id == item.record.meeting_id)
            .ok_or_else(not_found)?;
        Ok((item, meeting))
    }

    fn membership(&self, raw: &str) -> Result<&Stored<Membership>, PageError> {
        let id = parse_id(raw, "membership")?;
        self.view
            .memberships
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(|| PageError::NotFound(format!("membership {id}")))
    }

    fn person(&self, id: i64) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    /// Where the committee's pages are.
    fn base(&self) -> String {
        base(&self.org, &self.committee().record.slug)
    }
}

/// The account writing, as the audit chain names it (governance leads and admins only).
fn actor(session: &Session, org: &Org) -> Result<String, PageError> {
    Ok(Caller(Some(session.principal.clone()))
        .governance(org.id)?
        .actor())
}

/// The organisation of a form that writes, and the account writing (governance leads
/// and admins only).
async fn org_to_write(
    state: &AppState,
    org_slug: &str,
    session: &Session,
) -> Result<(Org, String), PageError> {
    let org = load_org(state, org_slug).await?;
    let actor = actor(session, &org)?;
    Ok((org, actor))
}

/// A request to a form about one committee, from its path (`{org}`, `{slug}`, and the
/// `{id}` of what the form is about, if any): the committee with everyone the form may
/// name, the account writing (governance leads and admins only), the session, and what
/// was posted (nothing when the form is asked for). A post's security token is checked
/// before anything is looked up, and the organisation before the committee.
pub struct Writing {
    l: Loaded,
    actor: String,
    session: Session,
    state: Data,
    /// The `{id}` segment of the path, as given (empty where there is none).
    id: String,
    /// The fields posted, in order.
    form: Values,
}

/// The path segments a committee form's route names.
#[derive(serde::Deserialize)]
struct FormPath {
    org: String,
    slug: String,
    #[serde(default)]
    id: String,
}

impl FromRequest for Writing {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Writing, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let posted = (req.method() == Method::POST).then(|| Posted::from_request(&req, payload));
        Box::pin(async move {
            let (session, form) = match posted {
                Some(posted) => {
                    let posted = posted.await?;
                    (posted.session, Values(posted.form))
                }
                None => {
                    let SignedIn(session) =
                        SignedIn::from_request(&req, &mut Payload::None).await?;
                    (session, Values::default())
                }
            };
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| PageError::Internal("no application state".into()))?
                .clone();
            let path: FormPath = req
                .match_info()
                .load()
                .map_err(|e| PageError::NotFound(e.to_string()))?;
            let (org, actor) = org_to_write(&state, &path.org, &session).await?;
            let l = load_committee(&state, org, &path.slug, true).await?;
            Ok(Writing {
                l,
                actor,
                session,
                state,
                id: path.id,
                form,
            })
        })
    }
}

impl std::ops::Deref for Writing {
    type Target = Loaded;

    fn deref(&self) -> &Loaded {
        &self.l
    }
}

impl Writing {
    /// Run `change` as the account writing, in the committee's organisation.
    async fn write<T: Send + 'static>(
        &self,
        change: impl FnOnce(&mut AnyConnection, i64, &str) -> Result<Committed<T>, StoreError>
            + Send
            + 'static,
    ) -> Result<Committed<T>, ApiError> {
        let (org_id, actor) = (self.org.id, self.actor.clone());
        self.state.db(move |c| change(c, org_id, &actor)).await
    }

    /// Settle the store's answer to this form's post (see [`settle`]).
    async fn settle<T>(
        &self,
        written: Result<Committed<T>, ApiError>,
        to: impl FnOnce(&T) -> String,
        locate: impl Fn(&str) -> (String, String),
        stale: Stale<'_>,
        again: impl FnOnce(StatusCode, &Values, &Problems) -> HttpResponse,
    ) -> Page {
        settle(
            &self.state,
            written,
            to,
            self.form.clone(),
            locate,
            stale,
            again,
        )
        .await
    }
}

/// A form as first shown: 200, filled in with `v`, with no problems.
fn first(v: Values, page: impl FnOnce(StatusCode, &Values, &Problems) -> HttpResponse) -> Page {
    Ok(page(StatusCode::OK, &v, &Problems::default()))
}

fn base(org: &Org, slug: &str) -> String {
    format!("/admin/orgs/{}/committees/{slug}", org.slug)
}

/// An input as the committee screens have always drawn it: `width` is the width class,
/// and a space stands before it even when there is none (kept so that their markup is
/// the same as before the screens shared the form toolkit).
fn input(
    name: &str,
    label: &str,
    kind: &'static str,
    width: &str,
    v: &Values,
    p: &Problems,
) -> Field {
    let mut f = Field::input(name, label, kind, v, p);
    f.width = format!(" {width}");
    f
}

/// A select's options: `none` first, then each person by name and position.
/// The field an amendment gives its reason in: required (by the store) when it
/// corrects who attended or who was conflicted after the meeting or an outcome.
fn correction_field(v: &Values, p: &Problems) -> Field {
    Field::textarea("correction_reason", "Reason for the correction", v, p).hint(
        "Needed if you change who attended, who was co-opted or a conflict after the meeting's date or once an item has an outcome. It is published beside the change.",
    )
}

/// The form's label for a field the store names, shared by the meeting and item forms.
fn correction_label(key: &str) -> Option<(String, String)> {
    (key == "correction_reason").then(|| {
        (
            "correction_reason".into(),
            "Reason for the correction".into(),
        )
    })
}

fn people_options(people: &[&Person], none: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), none.to_owned()))
        .chain(people.iter().map(|x| {
            let label = if x.fields.position.is_empty() {
                x.fields.name.clone()
            } else {
                format!("{} ({})", x.fields.name, x.fields.position)
            };
            (x.slug.clone(), label)
        }))
        .collect()
}

/// What a committee or meeting page says after a write (`?saved=…`).
fn saved_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "The committee was constituted",
        "amended" => "The committee was amended",
        "members" => "The members were added",
        "membership" => "The membership was amended",
        "ended" => "The end of the membership was recorded",
        "meeting" => "The meeting was recorded",
        "meeting-amended" => "The meeting was amended",
        "item" => "The agenda item was added",
        "item-amended" => "The agenda item was amended",
        "outcome" => "The outcome was recorded",
        _ => return None,
    })
}

/// An item's quorum now, for the page: who presides and counts, or each failed rule.
fn quorum_view(result: Option<&QuorumResult>, names: &Names) -> Value {
    match result {
        Some(QuorumResult::Quorate {
            presiding,
            counting,
        }) => json!({
            "quorate": true, "presiding": names.name(*presiding), "count": counting.len(),
            "counting": counting.iter().map(|p| names.name(*p)).collect::<Vec<_>>().join(", "),
            "failures": [],
        }),
        Some(QuorumResult::Inquorate { failures }) => json!({
            "quorate": false, "presiding": "", "count": 0, "counting": "",
            "failures": failures.iter().map(|f| format!("Quorum rule not met ({}): {f}", quorum_rule(f.rule()))).collect::<Vec<_>>(),
        }),
        None => {
            json!({"quorate": false, "presiding": "", "count": 0, "counting": "", "failures": ["The quorum could not be worked out"]})
        }
    }
}
