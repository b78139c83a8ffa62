//! Editions in the web app: the editions published so far, and the form a governance lead
//! publishes one with (the same store call as the JSON API, one audit entry).

use super::context::load_org;
use super::form::{
    fact, opts, refused, settle, Field, FormPage, FormView, Problems, Section, Values,
};
use super::{CsrfForm, PageError, SignedIn};
use crate::domain::editions::EditionRequest;
use crate::domain::Input;
use crate::store::editions::{self, Edition};
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page};
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

fn base(org: &Org) -> String {
    format!("/admin/orgs/{}/editions", org.slug)
}

/// Where each field's problem is shown, and the words it follows.
fn locate(key: &str) -> (String, String) {
    match key {
        "as_at" => ("as_at".into(), "The date".into()),
        "kind" => ("kind".into(), "The kind of edition".into()),
        _ => ("as_at".into(), String::new()),
    }
}

fn editions_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    published: &[Edition],
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let kinds = opts(&[
        ("monthly", "Monthly"),
        (
            "year_end",
            "Year end (as at 31 March, for the annual accounts)",
        ),
    ]);
    let form = FormView::new(
        base(org),
        "Publish this edition",
        vec![Section::bare(vec![
            Field::input("as_at", "As at the end of", "date", v, p)
                .hint("A day that is over, for example, 31 3 2026")
                .width(10),
            Field::choices("kind", "Kind of edition", &kinds, v, p, false),
        ])],
    );
    let mut page = FormPage::new("Editions", "/admin".into(), vec![form]);
    page.intro.push("An edition freezes the public registers as they stood at the end of a day, bound to a signed checkpoint of the audit log. It never changes afterwards, except that an entry withheld later is left out of it, and the edition says so.".into());
    page.facts = published
        .iter()
        .map(|e| {
            let kind = if e.kind == "year_end" {
                "Year end"
            } else {
                "Monthly"
            };
            fact(
                &format!("As at {}", e.as_at),
                format!("{kind}: entries 1 to {}", e.tree_size),
                vec![format!("Published at /{}/editions/{}/", org.slug, e.as_at)],
            )
        })
        .collect();
    page.render(status, session, org, p)
}

async fn published(state: &AppState, org: &Org) -> Result<Vec<Edition>, PageError> {
    let org_id = org.id;
    Ok(state.db(move |c| editions::all(c, org_id)).await?)
}

pub async fn show(state: Data, signed_in: SignedIn, path: OrgPath) -> Page {
    let org = load_org(&state, &path).await?;
    let list = published(&state, &org).await?;
    let v = Values(vec![("kind".into(), "monthly".into())]);
    Ok(editions_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &list,
        &v,
        &Problems::default(),
    ))
}

pub async fn create(state: Data, path: OrgPath, posted: CsrfForm<Vec<(String, String)>>) -> Page {
    let org = load_org(&state, &path).await?;
    let list = published(&state, &org).await?;
    let v = Values(posted.form);
    let session = &posted.session;
    let again =
        |status, v: &Values, p: &Problems| editions_page(status, session, &org, &list, v, p);
    let input = Input::from_pairs([("as_at", v.get("as_at")), ("kind", v.get("kind"))]);
    let request = match EditionRequest::parse(&input, crate::clock::today()) {
        Ok(r) => r,
        Err(fe) => return Ok(refused(&fe, &v, locate, again)),
    };
    let (publisher, for_org, actor) = (
        state.queue.publisher().clone(),
        org.clone(),
        session.principal.actor(),
    );
    let written = state
        .db(move |c| publisher.create_edition(c, &for_org, &actor, request))
        .await;
    let to = |e: &Edition| format!("/{}/editions/{}/", org.slug, e.as_at);
    settle(&state, written, to, v.clone(), locate, None, again).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldErrors;

    #[test]
    fn every_problem_of_a_request_has_a_place_on_the_form() {
        let fe: FieldErrors = EditionRequest::parse(
            &Input::from_pairs([("as_at", "2999-01-01"), ("kind", "weekly")]),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
        )
        .unwrap_err();
        for k in fe.0.keys() {
            assert_eq!(locate(k).0, *k);
        }
    }
}
