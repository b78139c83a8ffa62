//! A committee's members: the rows of the new-committee and add-members forms, adding
//! members, and a membership's page with the forms that amend it or record its end.
//! The store checks the constitution on every date from the change on.

use super::committee::locate_committee;
use super::{input, load_to_write, people_options, Loaded, Posted};
use crate::domain::committees::{Member, MemberCategory, Role as MemberRole};
use crate::domain::meetings::{Committee, Membership};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::committees as store;
use crate::store::records::Stored;
use crate::store::users::Session;
use crate::web::admin::form::{
    capitalise, choose, fact, locate_row, opts, refused, row_sections, settle, Field, FormPage,
    FormView, Problems, Section, Values,
};
use crate::web::admin::{PageError, SignedIn};
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{Map, Value};

/// Blank membership rows on the new-committee form.
pub(super) const NEW_MEMBER_ROWS: usize = 8;
/// Blank membership rows on the add-members form.
const ADD_MEMBER_ROWS: usize = 4;

const MEMBER_FIELDS: [(&str, &str); 7] = [
    ("person", "person"),
    ("category", "category"),
    ("role", "role"),
    ("voting", "voting"),
    ("from", "date the membership began"),
    ("to", "date the membership ended"),
    ("audit_chair", "audit committee chair"),
];

fn category_options() -> Vec<(String, String)> {
    let all = MemberCategory::ALL.iter().map(|c| (c.code(), c.label()));
    choose("Choose a category", all)
}

/// A membership's fields named `prefix<name>` (`prefix` empty on the membership page).
fn member_fields(prefix: &str, v: &Values, p: &Problems, people: Option<&[&Person]>) -> Vec<Field> {
    let n = |f: &str| format!("{prefix}{f}");
    let mut out = Vec::new();
    if let Some(people) = people {
        out.push(Field::select(
            &n("person"),
            "Person",
            &people_options(people, "Choose a person"),
            v,
            p,
        ));
    }
    out.push(
        Field::select(&n("category"), "Category", &category_options(), v, p)
            .hint("Observers (such as HealthWatch) never vote"),
    );
    out.push(
        Field::select(
            &n("role"),
            "Role",
            &opts(&[
                ("", "Member"),
                ("chair", "Chair"),
                ("vice_chair", "Vice-chair"),
            ]),
            v,
            p,
        )
        .hint("The chair and vice-chair must be voting lay members"),
    );
    out.push(Field::select(
        &n("voting"),
        "Voting",
        &opts(&[
            ("", "Votes (observers never do)"),
            ("false", "Does not vote"),
        ]),
        v,
        p,
    ));
    out.push(
        input(
            &n("from"),
            "Member from",
            "date",
            "nhsuk-input--width-10",
            v,
            p,
        )
        .hint("The first day of membership, for example 2026-04-01"),
    );
    out.push(
        input(
            &n("to"),
            "Member until (if ended)",
            "date",
            "nhsuk-input--width-10",
            v,
            p,
        )
        .hint("The last day of membership; leave empty if it continues"),
    );
    out.push(Field::checkbox(
        &n("audit_chair"),
        "Chairs the audit committee (the conflicts of interest guardian)",
        v,
        p,
    ));
    out
}

/// A membership's fields as input: empty ones null, so an amendment clears them.
fn member_input(v: &Values, prefix: &str) -> Input {
    let mut m = Map::new();
    for (f, _) in MEMBER_FIELDS.iter().skip(1) {
        m.insert((*f).to_owned(), v.text(&format!("{prefix}{f}")));
    }
    Input::from_json(Value::Object(m)).expect("an object")
}

/// The filled-in rows `members-i-...` as the store takes them, the form row of each,
/// and the problems found before the store is asked (keyed as the store keys them).
pub(super) fn member_rows(
    v: &Values,
    min: usize,
    fe: &mut FieldErrors,
) -> (Vec<(Option<String>, Input)>, Vec<usize>) {
    let rows = v.filled_rows("members", min, &MEMBER_FIELDS);
    let mut entered = Vec::new();
    for &i in &rows {
        let k = entered.len();
        let person = v.get(&format!("members-{i}-person")).trim().to_owned();
        if person.is_empty() {
            fe.add(&format!("members[{k}].person"), "is required");
        }
        let input = member_input(v, &format!("members-{i}-"));
        if let Err(e) = Member::parse(0, "", &input) {
            for (f, m) in e.0 {
                fe.add(&format!("members[{k}].{f}"), m);
            }
        }
        entered.push(((!person.is_empty()).then_some(person), input));
    }
    (entered, rows)
}

/// Where a membership row's problem goes: `members[k].f` to row `rows[k]`'s field, the
/// constitution's and quorum's to the members group.
pub(super) fn locate_member_row(key: &str, rows: &[usize]) -> Option<(String, String)> {
    locate_row(key, "members", "Member", &MEMBER_FIELDS, rows)
}

pub(super) fn member_row_sections(
    v: &Values,
    p: &Problems,
    min: usize,
    people: &[&Person],
) -> Vec<Section> {
    row_sections(v, p, "members", min, "Member", |n| {
        member_fields(n, v, p, Some(people))
    })
}

// ---------------------------------------------------------------------------------------
// Adding members
// ---------------------------------------------------------------------------------------

fn add_members_page(
    status: StatusCode,
    session: &Session,
    l: &Loaded,
    c: &Stored<Committee>,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let people: Vec<&Person> = l.people.iter().collect();
    let mut sections = vec![Section::group(
        "members",
        "New members",
        Some("Fill in a row for each new member; leave the rest empty. The constitution must hold on every date from the earliest new membership on."),
        p,
    )];
    sections.extend(member_row_sections(v, p, ADD_MEMBER_ROWS, &people));
    let back = l.base();
    let form = FormView::new(format!("{back}/members/new"), "Add the members", sections);
    let mut fp = FormPage::new("Add members", back, vec![form]);
    fp.caption = Some(c.record.name.clone());
    fp.render(status, session, &l.org, p)
}

pub async fn add_members_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path.0, &path.1, &signed_in.0).await?;
    let c = l.committee();
    Ok(add_members_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        c,
        &Values::default(),
        &Problems::default(),
    ))
}

pub async fn add_members(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    let (l, actor) = load_to_write(&state, &path.0, &path.1, &posted.session).await?;
    let c = l.committee();
    let v = Values(posted.form);
    let mut fe = FieldErrors::default();
    let (entered, mut rows) = member_rows(&v, ADD_MEMBER_ROWS, &mut fe);
    if entered.is_empty() {
        // Shown at the first row's first field, where the lead starts filling one in.
        rows = vec![0];
        fe.add(
            "members[0].person",
            "is required: fill in at least one member",
        );
    }
    let locate = |k: &str| locate_committee(k, &rows);
    let again =
        |status, v: &Values, p: &Problems| add_members_page(status, &posted.session, &l, c, v, p);
    if !fe.is_empty() {
        return Ok(refused(&fe, &v, locate, again));
    }
    let (org_id, id) = (l.org.id, c.id);
    let written = state
        .db(move |conn| store::add_members(conn, org_id, &actor, id, entered))
        .await;
    let to = |_: &_| format!("{}?saved=members", l.base());
    settle(&state, written, to, v, locate, None, again).await
}

// ---------------------------------------------------------------------------------------
// A membership: amend it, or end it
// ---------------------------------------------------------------------------------------

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
