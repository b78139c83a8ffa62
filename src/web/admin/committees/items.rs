//! A meeting's agenda items: the form that adds or amends one with the conflicts its
//! members declared and what the chair decided they should do.

use super::{correction_field, correction_label, first, input, people_options, Writing};
use crate::domain::committees::ConflictDecision;
use crate::domain::committees::{Item, ItemInput, Meeting};
use crate::domain::entries::EntryState;
use crate::domain::people::Person;
use crate::domain::Input;
use crate::store::declarations::Declarations;
use crate::store::entries::Register;
use crate::store::records::Stored;
use crate::web::admin::form::{
    choose, locate_row, refused, row_sections, Field, FormPage, FormView, Problems, Section, Values,
};
use crate::web::admin::{Page, PageError};
use crate::web::api::committees::Names;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

/// Conflict rows on the agenda item form.
const CONFLICT_ROWS: usize = 4;

const CONFLICT_FIELDS: [(&str, &str); 5] = [
    ("person", "member"),
    ("declaration", "declaration"),
    ("nature", "interest"),
    ("decision", "what they did"),
    ("took_part_reason", "chair's reason"),
];

fn item_values(i: &Stored<Item>, names: &Names) -> Values {
    let r = &i.record;
    let mut v = vec![
        ("number".to_owned(), r.number.clone()),
        ("title".to_owned(), r.title.clone()),
        ("description".to_owned(), r.description.clone()),
        ("version".to_owned(), i.version.to_string()),
    ];
    for (k, cf) in r.conflicts.iter().enumerate() {
        v.push((format!("conflicts-{k}-person"), names.slug(cf.person_id)));
        v.push((
            format!("conflicts-{k}-declaration"),
            cf.declaration_id.map(|d| d.to_string()).unwrap_or_default(),
        ));
        v.push((format!("conflicts-{k}-nature"), cf.nature.clone()));
        v.push((
            format!("conflicts-{k}-decision"),
            cf.decision.code().to_owned(),
        ));
        v.push((
            format!("conflicts-{k}-took_part_reason"),
            cf.took_part_reason.clone().unwrap_or_default(),
        ));
    }
    Values(v)
}

fn item_input(v: &Values) -> (Input, Vec<usize>) {
    let rows = v.filled_rows("conflicts", CONFLICT_ROWS, &CONFLICT_FIELDS);
    let conflicts: Vec<Value> = rows
        .iter()
        .map(|i| {
            let f = |n: &str| v.text(&format!("conflicts-{i}-{n}"));
            json!({"person": f("person"), "declaration": f("declaration"), "nature": f("nature"),
                   "decision": f("decision"), "took_part_reason": f("took_part_reason")})
        })
        .collect();
    let input = Input::from_json(json!({
        "number": v.text("number"), "title": v.text("title"), "description": v.text("description"),
        "conflicts": conflicts, "correction_reason": v.text("correction_reason"),
    }))
    .expect("an object");
    (input, rows)
}

fn locate_item(key: &str, rows: &[usize]) -> (String, String) {
    if let Some(found) = locate_row(key, "conflicts", "Conflict", &CONFLICT_FIELDS, rows) {
        return found;
    }
    if let Some(found) = correction_label(key) {
        return found;
    }
    match key {
        "number" => ("number".into(), "Item number".into()),
        "title" => ("title".into(), "Title".into()),
        "description" => ("description".into(), "Description".into()),
        _ => ("conflicts".into(), String::new()),
    }
}

/// The declarations a conflict row offers: the current declarations of everyone present
/// at the meeting that had not ended before it, and any the item already cites, each
/// labelled with its holder, type, body and action, so the chair's choice is evidence.
async fn declaration_options(
    w: &Writing,
    m: &Stored<Meeting>,
    amending: Option<&Stored<Item>>,
) -> Result<Vec<(String, String)>, PageError> {
    let org_id = w.org.id;
    let all = w
        .state
        .db(move |c| Declarations::current(c, org_id))
        .await?;
    let present = m.record.present();
    let cited: Vec<i64> = amending
        .map(|i| {
            i.record
                .conflicts
                .iter()
                .filter_map(|c| c.declaration_id)
                .collect()
        })
        .unwrap_or_default();
    let on = m.record.held_on;
    let mut options = vec![(
        String::new(),
        "None: the interest is not in the register".to_owned(),
    )];
    for v in all.iter().map(|v| &v.entry) {
        let f = &v.fields;
        let offered = present.contains(&v.person_id)
            && v.standing.state == EntryState::Active
            && f.ended_on.is_none_or(|e| e >= on);
        if !(offered || cited.contains(&v.id)) {
            continue;
        }
        let action = if f.mitigation.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", f.mitigation.trim())
        };
        options.push((
            v.id.to_string(),
            format!(
                "{}, declaration {}: {} interest, {}{action}",
                w.names.name(v.person_id),
                v.id,
                f.interest_type.label(),
                f.body
            ),
        ));
    }
    Ok(options)
}

fn item_form_page(
    l: &Writing,
    m: &Stored<Meeting>,
    amending: Option<&Stored<Item>>,
    declarations: &[(String, String)],
    status: StatusCode,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let present = m.record.present();
    let people: Vec<&Person> = l
        .people
        .iter()
        .filter(|x| present.contains(&x.id))
        .collect();
    let decisions = choose(
        "Choose what they did",
        ConflictDecision::ALL.iter().map(|d| (d.code(), d.label())),
    );
    let mut sections = vec![
        Section::bare(vec![
            input("number", "Item number", "text", "nhsuk-input--width-4", v, p)
                .hint("As on the agenda, for example 5 or 5.2"),
            input("title", "Title", "text", "", v, p),
            Field::textarea("description", "Description", v, p)
                .hint("Optional. You can use Markdown."),
        ]),
        Section::group(
            "conflicts",
            "Conflicts declared on this item",
            Some("One row for each member present who declared an interest, with their declaration in the register and what the chair decided they should do. Members who leave the room or do not vote stop counting toward the quorum for this item. Leave rows empty if not needed."),
            p,
        ),
    ];
    let people = people_options(&people, "Choose a member present");
    sections.extend(row_sections(
        v,
        p,
        "conflicts",
        CONFLICT_ROWS,
        "Conflict",
        |n| {
            vec![
                Field::select(&format!("{n}person"), "Member", &people, v, p),
                input(&format!("{n}nature"), "The interest", "text", "", v, p)
                    .hint("As minuted, for example Partner at the practice bidding"),
                Field::select(
                    &format!("{n}declaration"),
                    "Their declaration in the register",
                    declarations,
                    v,
                    p,
                )
                .hint("The member's own declaration this interest is about, if it is in the register"),
                Field::select(&format!("{n}decision"), "What they did", &decisions, v, p),
                Field::textarea(&format!("{n}took_part_reason"), "The chair's reason for letting them take part", v, p)
                    .hint("Only if they stayed and took part. Required when their declaration is a financial interest, or says they leave the room, withdraw, take no part or do not vote. It is published with the minutes."),
            ]
        },
    ));
    if amending.is_some() {
        sections.push(Section::bare(vec![correction_field(v, p)]));
    }
    let committee_href = l.base();
    let meeting_href = format!("{committee_href}/meetings/{}", m.id);
    let (title, action, submit) = match amending {
        None => (
            "Add an agenda item".to_owned(),
            format!("{meeting_href}/items/new"),
            "Add the item",
        ),
        Some(i) => (
            format!("Amend item {}", i.record.number),
            format!("{committee_href}/items/{}/amend", i.id),
            "Save the changes",
        ),
    };
    let mut form = FormView::new(action, submit, sections);
    if amending.is_some() {
        form = form.version(v);
    }
    let mut fp = FormPage::new(title, format!("{meeting_href}#items"), vec![form]);
    fp.caption = Some(format!(
        "{}, meeting of {}",
        l.committee().record.name,
        m.record.held_on
    ));
    if present.is_empty() {
        fp.intro.push("Nobody is recorded as present at this meeting, so no conflicts can be recorded yet: amend the meeting's attendance first.".into());
    }
    fp.render(status, &l.session, &l.org, p)
}

pub async fn new_item_form(w: Writing) -> Page {
    let m = w.meeting(&w.id)?;
    let number = (w.view.items_of(m.id).len() + 1).to_string();
    let declarations = declaration_options(&w, m, None).await?;
    first(Values(vec![("number".into(), number)]), |s, v, p| {
        item_form_page(&w, m, None, &declarations, s, v, p)
    })
}

pub async fn create_item(w: Writing) -> Page {
    write_item(&w, w.meeting(&w.id)?, None).await
}

pub async fn amend_item_form(w: Writing) -> Page {
    let (i, m) = w.item(&w.id)?;
    let declarations = declaration_options(&w, m, Some(i)).await?;
    first(item_values(i, &w.names), |s, v, p| {
        item_form_page(&w, m, Some(i), &declarations, s, v, p)
    })
}

pub async fn amend_item(w: Writing) -> Page {
    let (i, m) = w.item(&w.id)?;
    write_item(&w, m, Some(i)).await
}

async fn write_item(w: &Writing, m: &Stored<Meeting>, amending: Option<&Stored<Item>>) -> Page {
    let v = &w.form;
    let (input, rows) = item_input(v);
    let declarations = declaration_options(w, m, amending).await?;
    let again = |status, v: &Values, p: &Problems| {
        item_form_page(w, m, amending, &declarations, status, v, p)
    };
    let locate = |k: &str| locate_item(k, &rows);
    let entered = match ItemInput::parse(&input) {
        Ok(e) => e,
        Err(fe) => return Ok(refused(&fe, v, locate, again)),
    };
    let (mid, version, iid) = (m.id, v.version(), amending.map(|i| i.id));
    let written = w
        .write(move |conn, org_id, actor| match iid {
            None => crate::store::meetings::create_item(conn, org_id, actor, mid, entered),
            Some(id) => {
                crate::store::meetings::amend_item(conn, org_id, actor, id, version, entered)
            }
        })
        .await;
    let saved = if iid.is_some() {
        "item-amended"
    } else {
        "item"
    };
    let to = |d: &Stored<Item>| {
        let committee = w.base();
        format!("{committee}/meetings/{}?saved={saved}#item-{}", m.id, d.id)
    };
    let stale = amending.map(|i| ("number", i.version));
    w.settle(written, to, locate, stale, again).await
}
