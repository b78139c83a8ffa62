//! A membership's page: what it is now, and the forms that amend it or record its end.
//! Amending checks the constitution from the earlier of the old and new start dates.

use super::members::{member_fields, member_input, MEMBER_FIELDS};
use super::{load_to_write, Loaded, Posted};
use crate::domain::committees::CommitteeRole as MemberRole;
use crate::domain::committees::{Committee, Membership};
use crate::domain::Input;
use crate::store::committees as store;
use crate::store::records::Stored;
use crate::store::users::Session;
use crate::web::admin::form::{
    capitalise, fact, settle, Field, FormPage, FormView, Problems, Section, Values,
};
use crate::web::admin::{PageError, SignedIn};
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

fn membership_values(m: &Stored<Membership>) -> Values {
    let x = &m.record.member;
    Values(vec![
        ("category".into(), x.category.code().into()),
        (
            "role".into(),
            if x.role == MemberRole::Member {
                String::new()
            } else {
                x.role.code().into()
            },
        ),
        (
            "voting".into(),
            if x.voting {
                String::new()
            } else {
                "false".into()
            },
        ),
        ("from".into(), x.from.to_string()),
        ("to".into(), x.to.map(|d| d.to_string()).unwrap_or_default()),
        (
            "audit_chair".into(),
            if x.audit_chair {
                "true".into()
            } else {
                String::new()
            },
        ),
        ("version".into(), m.version.to_string()),
    ])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MemberAction {
    Amend,
    End,
}

fn locate_membership(key: &str, action: MemberAction) -> (String, String) {
    match action {
        MemberAction::End if key == "to" => ("end-to".into(), "The last day of membership".into()),
        MemberAction::End => ("end".into(), String::new()),
        MemberAction::Amend => match MEMBER_FIELDS.iter().find(|(f, _)| *f == key) {
            Some((f, label)) => ((*f).to_owned(), capitalise(label)),
            None => ("membership".into(), String::new()),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn membership_page(
    status: StatusCode,
    session: &Session,
    l: &Loaded,
    c: &Stored<Committee>,
    m: &Stored<Membership>,
    amend: &Values,
    end: &Values,
    p: &Problems,
) -> HttpResponse {
    let name = l.names.name(m.record.member.person_id);
    let back = l.base();
    let here = format!("{back}/members/{}", m.id);
    let amend_form = FormView {
        heading: Some("Amend the membership".into()),
        ..FormView::new(
            format!("{here}/amend"),
            "Save the changes",
            vec![Section::group(
                "membership",
                format!("{name}'s membership"),
                Some(
                    "The constitution is checked from the earlier of the old and new start dates.",
                ),
                p,
            )
            .with(member_fields("", amend, p, None))],
        )
        .version(amend)
    };
    let end_field = Field::base("end-to", "to", "Last day of membership", end, p)
        .as_input("date")
        .width(10)
        .hint("For example 2026-03-31");
    let end_form = FormView {
        heading: Some("End the membership".into()),
        secondary: true,
        ..FormView::new(
            format!("{here}/end"),
            "Record the end",
            vec![
                Section::group("end", format!("When {name}'s membership ended"), None, p)
                    .with(vec![end_field]),
            ],
        )
        .version(amend)
    };
    let mut fp = FormPage::new(
        format!("Membership of {name}"),
        back,
        vec![amend_form, end_form],
    );
    fp.caption = Some(c.record.name.clone());
    let x = &m.record.member;
    fp.facts = vec![
        fact("Person", name.clone(), vec![]),
        fact(
            "Now",
            format!("{}, {}", x.role.label(), x.category.label().to_lowercase()),
            vec![format!(
                "From {}{}",
                x.from,
                x.to.map(|t| format!(" to {t}")).unwrap_or_default()
            )],
        ),
        fact("Version", m.version.to_string(), vec![]),
    ];
    fp.render(status, session, &l.org, p)
}

pub async fn membership_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path.0, &path.1, &signed_in.0).await?;
    let c = l.committee();
    let m = l.membership(&path.2)?;
    Ok(membership_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        c,
        m,
        &membership_values(m),
        &Values::default(),
        &Problems::default(),
    ))
}

async fn change_membership(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    posted: Posted,
    action: MemberAction,
) -> Result<HttpResponse, PageError> {
    let (l, actor) = load_to_write(&state, &path.0, &path.1, &posted.session).await?;
    let c = l.committee();
    let m = l.membership(&path.2)?;
    let v = Values(posted.form);
    let again = |status, v: &Values, p: &Problems| {
        let (amend, end) = match action {
            MemberAction::Amend => (v.clone(), Values::default()),
            MemberAction::End => {
                let mut amend = membership_values(m);
                amend.set("version", v.get("version"));
                (amend, v.clone())
            }
        };
        membership_page(status, &posted.session, &l, c, m, &amend, &end, p)
    };
    if action == MemberAction::End && v.get("to").trim().is_empty() {
        let mut p = Problems::default();
        p.add("end-to", "Enter the last day of membership");
        return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, &v, &p));
    }
    let (code, saved, stale) = match action {
        MemberAction::Amend => ("amend", "membership", "membership"),
        MemberAction::End => ("end", "ended", "end"),
    };
    let changes = match action {
        MemberAction::Amend => member_input(&v, ""),
        MemberAction::End => Input::from_pairs([("to", v.get("to"))]),
    };
    let (org_id, cid, id, version) = (l.org.id, c.id, m.id, v.version());
    let written = state
        .db(move |conn| {
            store::change_membership(conn, org_id, &actor, cid, (id, version), code, changes)
        })
        .await;
    let to = |_: &_| format!("{}?saved={saved}", l.base());
    let locate = |k: &str| locate_membership(k, action);
    let stale = Some((stale, m.version));
    settle(&state, written, to, v, locate, stale, again).await
}

pub async fn amend_membership(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    change_membership(state, path, posted, MemberAction::Amend).await
}

pub async fn end_membership(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    change_membership(state, path, posted, MemberAction::End).await
}
