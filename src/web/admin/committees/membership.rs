//! A membership's page: what it is now, and the forms that amend it or record its end.
//! Amending checks the constitution from the earlier of the old and new start dates.

use super::members::{member_fields, member_input, MEMBER_FIELDS};
use super::{first, Writing};
use crate::domain::committees::CommitteeRole as MemberRole;
use crate::domain::committees::Membership;
use crate::domain::Input;
use crate::store::committees as store;
use crate::store::records::Stored;
use crate::web::admin::form::{
    capitalise, fact, Field, FormPage, FormView, Problems, Section, Values,
};
use crate::web::admin::Page;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

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

fn membership_page(
    l: &Writing,
    m: &Stored<Membership>,
    status: StatusCode,
    (amend, end): (&Values, &Values),
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
        .hint("For example, 31 3 2026");
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
    fp.caption = Some(l.committee().record.name.clone());
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
    fp.render(status, &l.session, &l.org, p)
}

pub async fn membership_form(w: Writing) -> Page {
    let m = w.membership(&w.id)?;
    first(membership_values(m), |s, v, p| {
        membership_page(&w, m, s, (v, &Values::default()), p)
    })
}

async fn change_membership(w: Writing, action: MemberAction) -> Page {
    let m = w.membership(&w.id)?;
    let v = &w.form;
    let again = |status, v: &Values, p: &Problems| {
        let (amend, end) = match action {
            MemberAction::Amend => (v.clone(), Values::default()),
            MemberAction::End => {
                let mut amend = membership_values(m);
                amend.set("version", v.get("version"));
                (amend, v.clone())
            }
        };
        membership_page(&w, m, status, (&amend, &end), p)
    };
    if action == MemberAction::End && v.get("to").trim().is_empty() {
        let mut p = Problems::default();
        p.add("end-to", "Enter the last day of membership");
        return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, v, &p));
    }
    let (code, saved, stale) = match action {
        MemberAction::Amend => ("amend", "membership", "membership"),
        MemberAction::End => ("end", "ended", "end"),
    };
    let changes = match action {
        MemberAction::Amend => member_input(v, ""),
        MemberAction::End => Input::from_pairs([("to", v.get("to"))]),
    };
    let (cid, id, version) = (w.committee().id, m.id, v.version());
    let written = w
        .write(move |conn, org_id, actor| {
            store::change_membership(conn, org_id, actor, cid, (id, version), code, changes)
        })
        .await;
    let to = |_: &_| format!("{}?saved={saved}", w.base());
    let locate = |k: &str| locate_membership(k, action);
    let stale = Some((stale, m.version));
    w.settle(written, to, locate, stale, again).await
}

pub async fn amend_membership(w: Writing) -> Page {
    change_membership(w, MemberAction::Amend).await
}

pub async fn end_membership(w: Writing) -> Page {
    change_membership(w, MemberAction::End).await
}
