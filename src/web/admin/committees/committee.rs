//! A committee's own screens: its page (quorum, constitution, members, meetings a page
//! at a time), the form that constitutes it with its first members, and the form that
//! amends its name, terms of reference and quorum.

use super::members::{locate_member_row, member_row_sections, member_rows, NEW_MEMBER_ROWS};
use super::{base, first, input, load, org_to_write, saved_message, Loaded, Posted, Writing};
use crate::domain::committees::{constitution, Member, MemberCategory};
use crate::domain::committees::{Committee, ItemOutcome, Membership};
use crate::domain::people::Person;
use crate::domain::words::with_capital_article;
use crate::domain::{FieldErrors, Input};
use crate::store::committees as store;
use crate::store::orgs::Org;
use crate::store::records::Stored;
use crate::store::users::Session;
use crate::web::admin::context::{org_view, today};
use crate::web::admin::form::{
    capitalise, refused, settle, Field, FormPage, FormView, Problems, Section, Values,
};
use crate::web::admin::{page, AccountView, PageError, SignedIn};
use crate::web::admin::{Data, OrgPath, Page, RecordPath};
use crate::web::auth::governs;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

/// Meetings on a page of the committee's page.
const MEETINGS_PER_PAGE: usize = 20;

const COMMITTEE_FIELDS: [(&str, &str); 5] = [
    ("name", "Name"),
    ("slug", "Web address name"),
    ("terms_of_reference", "Terms of reference"),
    ("quorum_minimum", "Quorum: minimum number of voting members"),
    ("quorum_required", "Quorum: categories that must be present"),
];

fn committee_input(v: &Values) -> Input {
    let required = v.all("quorum_required").join(",");
    Input::from_json(json!({
        "name": v.text("name"), "slug": v.text("slug"),
        "terms_of_reference": v.text("terms_of_reference"),
        "quorum_minimum": v.text("quorum_minimum"),
        "quorum_required": if required.is_empty() { Value::Null } else { Value::String(required) },
    }))
    .expect("an object")
}

fn committee_values(c: &Stored<Committee>) -> Values {
    let r = &c.record;
    let mut v = vec![
        ("name".to_owned(), r.name.clone()),
        ("slug".to_owned(), r.slug.clone()),
        (
            "terms_of_reference".to_owned(),
            r.terms_of_reference.clone(),
        ),
        ("quorum_minimum".to_owned(), r.quorum.minimum.to_string()),
        ("version".to_owned(), c.version.to_string()),
    ];
    for cat in &r.quorum.required {
        v.push(("quorum_required".to_owned(), cat.code().to_owned()));
    }
    Values(v)
}

pub(super) fn locate_committee(key: &str, rows: &[usize]) -> (String, String) {
    if let Some(found) = locate_member_row(key, rows) {
        return found;
    }
    if let Some((f, label)) = COMMITTEE_FIELDS.iter().find(|(f, _)| *f == key) {
        return ((*f).to_owned(), (*label).to_owned());
    }
    if key.starts_with("members") || key.starts_with("constitution") || key.starts_with("quorum") {
        return ("members".into(), String::new());
    }
    ("name".into(), String::new())
}

fn committee_sections(v: &Values, p: &Problems) -> Vec<Section> {
    let required: Vec<(String, String)> = [
        MemberCategory::Lay,
        MemberCategory::Executive,
        MemberCategory::Clinical,
    ]
    .iter()
    .map(|c| (c.code().to_owned(), with_capital_article(c.noun())))
    .collect();
    vec![Section::bare(vec![
        input("name", "Name", "text", "", v, p),
        input(
            "slug",
            "Web address name",
            "text",
            "nhsuk-input--width-20",
            v,
            p,
        )
        .hint("Lower-case letters and digits joined by hyphens. Made from the name if left empty."),
        Field::textarea("terms_of_reference", "Terms of reference", v, p)
            .hint("You can use Markdown: **bold**, and lists with a - at the start of each line."),
        input(
            "quorum_minimum",
            "Quorum: minimum number of voting members",
            "text",
            "nhsuk-input--width-4",
            v,
            p,
        )
        .hint("The fewest voting members who must count for an item to be decided"),
        Field::choices(
            "quorum_required",
            "Quorum: categories that must be present",
            &required,
            v,
            p,
            true,
        )
        .hint("Select each category at least one of whose members must count"),
    ])]
}

/// Everyone in the organisation, whom the new-committee form may name.
async fn everyone(state: &AppState, org: &Org) -> Result<Vec<Person>, PageError> {
    let org_id = org.id;
    Ok(state
        .db(move |c| crate::store::people::all(c, org_id))
        .await?)
}

fn new_committee_page(
    status: StatusCode,
    session: &Session,
    (org, people): (&Org, &[Person]),
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let people: Vec<&Person> = people.iter().collect();
    let mut sections = committee_sections(v, p);
    sections.push(Section::group(
        "members",
        "First members",
        Some("Fill in a row for each member; leave the rest empty. You can add members later. The chair must be a voting lay member, and lay and executive members must be more than half of those who vote."),
        p,
    ));
    sections.extend(member_row_sections(v, p, NEW_MEMBER_ROWS, &people));
    let base = format!("/admin/orgs/{}/committees", org.slug);
    let form = FormView::new(format!("{base}/new"), "Constitute the committee", sections);
    FormPage::new("Constitute a committee", base, vec![form]).render(status, session, org, p)
}

pub async fn new_form(state: Data, signed_in: SignedIn, path: OrgPath) -> Page {
    let (org, _) = org_to_write(&state, &path, &signed_in.0).await?;
    let people = everyone(&state, &org).await?;
    let v = Values(vec![("quorum_minimum".into(), String::new())]);
    Ok(new_committee_page(
        StatusCode::OK,
        &signed_in.0,
        (&org, &people),
        &v,
        &Problems::default(),
    ))
}

pub async fn create(state: Data, path: OrgPath, posted: Posted) -> Page {
    let (org, actor) = org_to_write(&state, &path, &posted.session).await?;
    let people = everyone(&state, &org).await?;
    let v = Values(posted.form);
    let mut fe = FieldErrors::default();
    let committee = Committee::parse(&committee_input(&v));
    if let Err(e) = &committee {
        e.0.iter().for_each(|(k, m)| fe.add(k, m.clone()));
    }
    let (entered, rows) = member_rows(&v, NEW_MEMBER_ROWS, &mut fe);
    let locate = |k: &str| locate_committee(k, &rows);
    let again = |status, v: &Values, p: &Problems| {
        new_committee_page(status, &posted.session, (&org, &people), v, p)
    };
    if !fe.is_empty() {
        return Ok(refused(&fe, &v, locate, again));
    }
    let committee = committee.expect("no errors");
    let org_id = org.id;
    let written = state
        .db(move |c| store::create_committee(c, org_id, &actor, committee, entered))
        .await;
    let to = |d: &store::CommitteeRecord| {
        format!("{}?saved=created", base(&org, &d.committee.record.slug))
    };
    settle(&state, written, to, v, locate, None, again).await
}

fn amend_committee_page(l: &Writing, status: StatusCode, v: &Values, p: &Problems) -> HttpResponse {
    let back = l.base();
    let form = FormView::new(
        format!("{back}/amend"),
        "Save the changes",
        committee_sections(v, p),
    )
    .version(v);
    let mut fp = FormPage::new(
        format!("Amend {}", l.committee().record.name),
        back,
        vec![form],
    );
    fp.intro
        .push("A new quorum must still be met by every item that recorded a decision.".into());
    fp.render(status, &l.session, &l.org, p)
}

pub async fn amend_form(w: Writing) -> Page {
    first(committee_values(w.committee()), |s, v, p| {
        amend_committee_page(&w, s, v, p)
    })
}

pub async fn amend(w: Writing) -> Page {
    let c = w.committee();
    let (id, version) = (c.id, w.form.version());
    let changes = committee_input(&w.form);
    let written = w
        .write(move |conn, org_id, actor| {
            store::amend_committee(conn, org_id, actor, id, version, changes)
        })
        .await;
    let to = |d: &Stored<Committee>| format!("{}?saved=amended", base(&w.org, &d.record.slug));
    let locate = |k: &str| match locate_committee(k, &[]) {
        (id, _) if id == "members" => ("quorum_minimum".to_owned(), String::new()),
        found => found,
    };
    let stale = Some(("name", c.version));
    let again = |status, v: &Values, p: &Problems| amend_committee_page(&w, status, v, p);
    w.settle(written, to, locate, stale, again).await
}

// ---------------------------------------------------------------------------------------
// A committee's page
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct ShowQuery {
    pub(super) saved: Option<String>,
    page: Option<String>,
}

fn member_row(m: &Stored<Membership>, l: &Loaded, href: Option<String>) -> Value {
    let x = &m.record.member;
    json!({
        "name": l.names.name(x.person_id), "role": x.role.label(), "category": x.category.label(),
        "voting": x.votes(), "from": x.from.to_string(), "to": x.to.map(|d| d.to_string()),
        "audit_chair": x.audit_chair, "href": href,
    })
}

pub async fn show(
    state: Data,
    signed_in: SignedIn,
    path: RecordPath,
    q: web::Query<ShowQuery>,
) -> Page {
    let l = load(&state, &path.0, &path.1).await?;
    let c = l.committee();
    let may_write = governs(&signed_in.0.principal, l.org.id);
    let here = l.base();
    let today = today();
    let mut memberships = l.view.memberships.iter().collect::<Vec<_>>();
    memberships.sort_by_key(|m| (m.record.member.role, m.record.member.from, m.id));
    let row = |m: &Stored<Membership>| {
        member_row(m, &l, may_write.then(|| format!("{here}/members/{}", m.id)))
    };
    let current: Vec<Value> = memberships
        .iter()
        .filter(|m| m.record.member.is_active_on(today))
        .map(|m| row(m))
        .collect();
    let past: Vec<Value> = memberships
        .iter()
        .filter(|m| !m.record.member.is_active_on(today))
        .map(|m| row(m))
        .collect();
    let members: Vec<Member> = memberships
        .iter()
        .map(|m| m.record.member.clone())
        .collect();
    let in_office = members.iter().any(|m| m.is_active_on(today));
    let check = constitution(&members, today);
    let mut meetings = l.view.meetings.iter().collect::<Vec<_>>();
    meetings.reverse();
    let pages = meetings.len().div_ceil(MEETINGS_PER_PAGE).max(1);
    let page_no = q
        .page
        .as_deref()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let shown: Vec<Value> = meetings
        .iter()
        .skip((page_no - 1) * MEETINGS_PER_PAGE)
        .take(MEETINGS_PER_PAGE)
        .map(|m| {
            let items = l.view.items_of(m.id);
            json!({
                "held_on": m.record.held_on.to_string(),
                "href": format!("{here}/meetings/{}", m.id),
                "present": m.record.present().len(),
                "items": items.len(),
                "decided": items.iter().filter(|i| matches!(i.record.outcome, ItemOutcome::Decided { .. })).count(),
            })
        })
        .collect();
    let r = &c.record;
    Ok(page(
        StatusCode::OK,
        "admin-committee",
        &json!({
            "title": format!("{} – {}", r.name, l.org.name), "account": AccountView::of(&signed_in.0),
            "errors": [], "org": org_view(&l.org), "base": here, "may_write": may_write,
            "saved": q.saved.as_deref().and_then(saved_message),
            "public_href": format!("/{}/committees/{}/", l.org.slug, r.slug),
            "committee": {
                "name": r.name, "slug": r.slug, "quorum": capitalise(&r.quorum.describe()),
                "terms_html": (!r.terms_of_reference.is_empty()).then(|| crate::publish::markdown::to_html(&r.terms_of_reference)),
                "version": c.version, "recorded_at": c.recorded_at, "audit_seq": c.audit_seq,
            },
            "constitution": {
                "valid": !in_office || check.is_valid(),
                "errors": if !in_office { vec![] } else { check.errors.iter().map(|e| capitalise(&e.message)).collect::<Vec<_>>() },
                "warnings": check.warnings.iter().map(|w| capitalise(&w.message)).collect::<Vec<_>>(),
            },
            "current": current, "past": past, "meetings": shown,
            "page": page_no, "pages": (pages > 1).then_some(pages),
            "newer": (page_no > 1).then(|| format!("{here}?page={}", page_no - 1)),
            "older": (page_no < pages).then(|| format!("{here}?page={}", page_no + 1)),
        }),
    ))
}
