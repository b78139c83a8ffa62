//! A committee's members: the rows of the new-committee and add-members forms (and
//! the fields a membership has), and the form that adds members. The store checks the
//! constitution on every date from the earliest new membership on.

use super::committee::locate_committee;
use super::{first, input, people_options, Writing};
use crate::domain::committees::{Member, MemberCategory};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::committees as store;
use crate::web::admin::form::{
    choose, locate_row, opts, refused, row_sections, Field, FormPage, FormView, Problems, Section,
    Values,
};
use crate::web::admin::Page;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{Map, Value};

/// Blank membership rows on the new-committee form.
pub(super) const NEW_MEMBER_ROWS: usize = 8;
/// Blank membership rows on the add-members form.
const ADD_MEMBER_ROWS: usize = 4;

pub(super) const MEMBER_FIELDS: [(&str, &str); 7] = [
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
pub(super) fn member_fields(
    prefix: &str,
    v: &Values,
    p: &Problems,
    people: Option<&[&Person]>,
) -> Vec<Field> {
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
        .hint("The first day of membership, for example, 1 4 2026"),
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
pub(super) fn member_input(v: &Values, prefix: &str) -> Input {
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

fn add_members_page(l: &Writing, status: StatusCode, v: &Values, p: &Problems) -> HttpResponse {
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
    fp.caption = Some(l.committee().record.name.clone());
    fp.render(status, &l.session, &l.org, p)
}

pub async fn add_members_form(w: Writing) -> Page {
    first(Values::default(), |s, v, p| add_members_page(&w, s, v, p))
}

pub async fn add_members(w: Writing) -> Page {
    let v = &w.form;
    let mut fe = FieldErrors::default();
    let (entered, mut rows) = member_rows(v, ADD_MEMBER_ROWS, &mut fe);
    if entered.is_empty() {
        // Shown at the first row's first field, where the lead starts filling one in.
        rows = vec![0];
        fe.add(
            "members[0].person",
            "is required: fill in at least one member",
        );
    }
    let locate = |k: &str| locate_committee(k, &rows);
    let again = |status, v: &Values, p: &Problems| add_members_page(&w, status, v, p);
    if !fe.is_empty() {
        return Ok(refused(&fe, v, locate, again));
    }
    let id = w.committee().id;
    let written = w
        .write(move |conn, org_id, actor| store::add_members(conn, org_id, actor, id, entered))
        .await;
    let to = |_: &_| format!("{}?saved=members", w.base());
    w.settle(written, to, locate, None, again).await
}
