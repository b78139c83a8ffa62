//! A committee's meetings: the form that records or amends a meeting with who came and
//! who was co-opted. Only members in office that day may be marked present.

use super::{correction_field, correction_label, first, input, people_options, Loaded, Writing};
use crate::domain::committees::{Meeting, MeetingInput};
use crate::domain::committees::{Member, MemberCategory};
use crate::domain::people::Person;
use crate::domain::Input;
use crate::store::records::Stored;
use crate::web::admin::context::today;
use crate::web::admin::form::{
    choose, locate_row, opts, refused, row_sections, Field, FormPage, FormView, Problems, Section,
    Values,
};
use crate::web::admin::Page;
use crate::web::api::committees::Names;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

/// Co-option rows on the meeting form.
const CO_OPTED_ROWS: usize = 3;

const CO_OPTED_FIELDS: [(&str, &str); 3] = [
    ("person", "person"),
    ("category", "category"),
    ("note", "where they come from and why"),
];

/// The members whose attendance the meeting form asks for, once each: those in office
/// on `on` when the meeting's date is known (and anyone the form already marks), else
/// everyone who has been a member, those in office today first; then by name.
fn member_people<'a>(
    l: &'a Loaded,
    on: Option<chrono::NaiveDate>,
    v: &Values,
) -> Vec<(&'a Person, Vec<&'a Member>)> {
    let today = today();
    let mut out: Vec<(&Person, Vec<&Member>)> = Vec::new();
    let wanted = |m: &Member| match on {
        None => true,
        Some(d) => {
            m.is_active_on(d)
                || l.person(m.person_id)
                    .is_some_and(|p| !v.get(&format!("attendance-{}", p.slug)).is_empty())
        }
    };
    for m in l
        .view
        .memberships
        .iter()
        .filter(|m| wanted(&m.record.member))
    {
        let x = &m.record.member;
        match out.iter_mut().find(|(p, _)| p.id == x.person_id) {
            Some((_, ms)) => ms.push(x),
            None => {
                if let Some(p) = l.person(x.person_id) {
                    out.push((p, vec![x]));
                }
            }
        }
    }
    out.sort_by_key(|(p, ms)| {
        (
            !ms.iter().any(|m| m.is_active_on(today)),
            p.fields.name.clone(),
        )
    });
    out
}

fn meeting_values(m: &Stored<Meeting>, names: &Names) -> Values {
    let mut v = vec![
        ("held_on".to_owned(), m.record.held_on.to_string()),
        ("version".to_owned(), m.version.to_string()),
    ];
    for (p, a) in &m.record.attendance {
        v.push((
            format!("attendance-{}", names.slug(*p)),
            a.code().to_owned(),
        ));
    }
    for (i, co) in m.record.co_opted.iter().enumerate() {
        v.push((format!("co_opted-{i}-person"), names.slug(co.person_id)));
        v.push((
            format!("co_opted-{i}-category"),
            co.category.code().to_owned(),
        ));
        v.push((format!("co_opted-{i}-note"), co.note.clone()));
    }
    Values(v)
}

/// The meeting as the store takes it (members not marked present or sending apologies
/// are absent), and the form row of each co-option.
fn meeting_input(v: &Values) -> (Input, Vec<usize>) {
    let mut attendance = Map::new();
    for (k, status) in &v.0 {
        if let Some(slug) = k.strip_prefix("attendance-") {
            if !status.is_empty() && status != "absent" {
                attendance.insert(slug.to_owned(), Value::String(status.clone()));
            }
        }
    }
    let rows = v.filled_rows("co_opted", CO_OPTED_ROWS, &CO_OPTED_FIELDS);
    let co_opted: Vec<Value> = rows
        .iter()
        .map(|i| {
            let f = |n: &str| v.text(&format!("co_opted-{i}-{n}"));
            json!({"person": f("person"), "category": f("category"), "note": f("note")})
        })
        .collect();
    let input = Input::from_json(json!({
        "held_on": v.text("held_on"), "attendance": attendance, "co_opted": co_opted,
        "correction_reason": v.text("correction_reason"),
    }))
    .expect("an object");
    (input, rows)
}

fn locate_meeting(key: &str, rows: &[usize], people: &[Person]) -> (String, String) {
    if let Some(slug) = key.strip_prefix("attendance.") {
        let name = people
            .iter()
            .find(|p| p.slug == slug)
            .map(|p| p.fields.name.clone())
            .unwrap_or_else(|| slug.to_owned());
        return (format!("attendance-{slug}"), name);
    }
    if let Some(found) = locate_row(key, "co_opted", "Co-opted member", &CO_OPTED_FIELDS, rows) {
        return found;
    }
    if let Some(found) = correction_label(key) {
        return found;
    }
    match key {
        "held_on" => ("held_on".into(), "Date of the meeting".into()),
        k if k.starts_with("co_opted") => ("co_opted".into(), String::new()),
        _ => ("attendance".into(), String::new()),
    }
}

fn meeting_form_page(
    l: &Writing,
    amending: Option<&Stored<Meeting>>,
    status: StatusCode,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let attendance_options = opts(&[
        ("present", "Present"),
        ("apologies", "Apologies"),
        ("absent", "Absent"),
    ]);
    let mut attendance: Vec<Field> = Vec::new();
    let on = chrono::NaiveDate::parse_from_str(v.get("held_on").trim(), "%Y-%m-%d").ok();
    for (person, ms) in member_people(l, on, v) {
        let periods: Vec<String> = ms
            .iter()
            .map(|m| {
                format!(
                    "{} {} from {}{}",
                    m.category.label(),
                    m.role.label().to_lowercase(),
                    m.from,
                    m.to.map(|t| format!(" to {t}")).unwrap_or_default()
                )
            })
            .collect();
        let mut f = Field::choices(
            &format!("attendance-{}", person.slug),
            &person.fields.name,
            &attendance_options,
            v,
            p,
            false,
        )
        .hint(periods.join("; "));
        f.inline = true;
        attendance.push(f);
    }
    let everyone: Vec<&Person> = l.people.iter().collect();
    let voting = [
        MemberCategory::Lay,
        MemberCategory::Executive,
        MemberCategory::Clinical,
    ];
    let voting_categories = choose(
        "Choose a category",
        voting.iter().map(|c| (c.code(), c.label())),
    );
    let mut sections = vec![
        Section::bare(vec![input(
            "held_on",
            "Date of the meeting",
            "date",
            "nhsuk-input--width-10",
            v,
            p,
        )
        .hint("For example, 12 3 2026. Only members in office that day may be marked present.")]),
        Section::group(
            "attendance",
            "Who came",
            Some("Members not marked present or sending apologies are recorded as absent."),
            p,
        )
        .with(attendance),
        Section::group(
            "co_opted",
            "Co-opted members",
            Some("People brought in from elsewhere for this meeting, for example to restore a quorum that conflicts broke. They count like members present. Leave rows empty if nobody was co-opted."),
            p,
        ),
    ];
    let everyone = people_options(&everyone, "Choose a person");
    sections.extend(row_sections(
        v,
        p,
        "co_opted",
        CO_OPTED_ROWS,
        "Co-opted member",
        |n| {
            vec![
                Field::select(&format!("{n}person"), "Person", &everyone, v, p),
                Field::select(
                    &format!("{n}category"),
                    "Category they count as",
                    &voting_categories,
                    v,
                    p,
                ),
                input(
                    &format!("{n}note"),
                    "Where they come from and why",
                    "text",
                    "",
                    v,
                    p,
                ),
            ]
        },
    ));
    if amending.is_some() {
        sections.push(Section::bare(vec![correction_field(v, p)]));
    }
    let back = l.base();
    let (title, action, submit, back) = match amending {
        None => (
            "Record a meeting".to_owned(),
            format!("{back}/meetings/new"),
            "Record the meeting",
            back,
        ),
        Some(m) => (
            format!("Amend the meeting of {}", m.record.held_on),
            format!("{back}/meetings/{}/amend", m.id),
            "Save the changes",
            format!("{back}/meetings/{}", m.id),
        ),
    };
    let mut form = FormView::new(action, submit, sections);
    if amending.is_some() {
        form = form.version(v);
    }
    let mut fp = FormPage::new(title, back, vec![form]);
    fp.caption = Some(l.committee().record.name.clone());
    fp.render(status, &l.session, &l.org, p)
}

pub async fn new_meeting_form(w: Writing) -> Page {
    first(Values::default(), |s, v, p| {
        meeting_form_page(&w, None, s, v, p)
    })
}

pub async fn create_meeting(w: Writing) -> Page {
    write_meeting(&w, None).await
}

pub async fn amend_meeting_form(w: Writing) -> Page {
    let m = w.meeting(&w.id)?;
    first(meeting_values(m, &w.names), |s, v, p| {
        meeting_form_page(&w, Some(m), s, v, p)
    })
}

pub async fn amend_meeting(w: Writing) -> Page {
    write_meeting(&w, Some(w.meeting(&w.id)?)).await
}

async fn write_meeting(w: &Writing, m: Option<&Stored<Meeting>>) -> Page {
    let v = &w.form;
    let (input, rows) = meeting_input(v);
    let again = |status, v: &Values, p: &Problems| meeting_form_page(w, m, status, v, p);
    let locate = |k: &str| locate_meeting(k, &rows, &w.people);
    let entered = match MeetingInput::parse(&input) {
        Ok(e) => e,
        Err(fe) => return Ok(refused(&fe, v, locate, again)),
    };
    let (cid, version, mid) = (w.committee().id, v.version(), m.map(|m| m.id));
    let written = w
        .write(move |conn, org_id, actor| match mid {
            None => crate::store::meetings::create_meeting(conn, org_id, actor, cid, entered),
            Some(id) => {
                crate::store::meetings::amend_meeting(conn, org_id, actor, id, version, entered)
            }
        })
        .await;
    let saved = if mid.is_some() {
        "meeting-amended"
    } else {
        "meeting"
    };
    let to = |d: &Stored<Meeting>| {
        let committee = w.base();
        format!("{committee}/meetings/{}?saved={saved}", d.id)
    };
    let stale = m.map(|m| ("held_on", m.version));
    w.settle(written, to, locate, stale, again).await
}
