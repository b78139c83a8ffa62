//! Committee business in the web app: the committees, a committee's page with its
//! members and meetings, a meeting's page with its items, their conflicts, outcomes and
//! the quorum each has now, and the forms that constitute and amend committees, add,
//! amend and end memberships, record and amend meetings and agenda items, and record
//! what became of an item. Every write goes through the store call the JSON API uses, so
//! the store's constitution and quorum rules refuse a bad change inside its transaction;
//! a refusal is shown the GOV.UK way (summary, message beside the field, input kept).

use super::context::{load_org, org_view, today};
use super::declarations::capitalise;
use super::entries::published;
use super::{page, AccountView, CsrfForm, PageError, SignedIn};
use crate::domain::committees::{
    constitution, ConflictDecision, Member, MemberCategory, QuorumResult, Role as MemberRole,
};
use crate::domain::meetings::{
    Committee, Item, ItemInput, Meeting, MeetingInput, Membership, Outcome, OutcomeInput,
};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::committees::{self as store, Business};
use crate::store::orgs::Org;
use crate::store::records::Stored;
use crate::store::users::Session;
use crate::store::Committed;
use crate::web::api::committees::{path_key, Names};
use crate::web::api::parse_id;
use crate::web::auth::{governs, Caller};
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A posted form as its fields, in order (repeated names for checkboxes).
type Posted = CsrfForm<Vec<(String, String)>>;

/// Blank membership rows on the new-committee form.
const NEW_MEMBER_ROWS: usize = 8;
/// Blank membership rows on the add-members form.
const ADD_MEMBER_ROWS: usize = 4;
/// Co-option rows on the meeting form.
const CO_OPTED_ROWS: usize = 3;
/// Conflict rows on the agenda item form.
const CONFLICT_ROWS: usize = 4;
/// Meetings on a page of the committee's page.
const MEETINGS_PER_PAGE: usize = 20;
/// Most rows of any kind a posted form may add.
const MAX_ROWS: usize = 50;

/// What a stale form is told.
const CHANGED: &str = "This record was changed by someone else while you were working on it. Nothing you entered was saved. Check the current record, then send your changes again";

// ---------------------------------------------------------------------------------------
// Form values, problems, and the fields the generic form template draws
// ---------------------------------------------------------------------------------------

/// A form's values by name: as posted, or as a record fills them in.
#[derive(Clone, Default, Debug)]
struct Values(Vec<(String, String)>);

impl Values {
    fn get(&self, k: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn all(&self, k: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn set(&mut self, k: &str, v: impl Into<String>) {
        self.0.retain(|(n, _)| n != k);
        self.0.push((k.to_owned(), v.into()));
    }
    /// Text or null when empty (so an amendment clears an optional field).
    fn text(&self, k: &str) -> Value {
        let v = self.get(k).trim();
        if v.is_empty() {
            Value::Null
        } else {
            Value::String(v.to_owned())
        }
    }
    /// How many rows `prefix-N-...` the form has: at least `min`, one past the last posted.
    fn rows(&self, prefix: &str, min: usize) -> usize {
        let posted = self
            .0
            .iter()
            .filter_map(|(n, _)| {
                let rest = n.strip_prefix(prefix)?.strip_prefix('-')?;
                rest.split('-').next()?.parse::<usize>().ok()
            })
            .max()
            .map(|i| i + 1)
            .unwrap_or(0);
        posted.max(min).min(MAX_ROWS)
    }
    /// Whether every field `prefix-i-<name>` of a row is empty.
    fn blank_row(&self, prefix: &str, i: usize, names: &[&str]) -> bool {
        names
            .iter()
            .all(|n| self.get(&format!("{prefix}-{i}-{n}")).trim().is_empty())
    }
}

/// One problem with a form: the id of the element it is about, and the message.
#[derive(Serialize, Clone, Debug)]
struct Problem {
    field: String,
    message: String,
}

#[derive(Default, Debug)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            field: field.into(),
            message: message.into(),
        });
    }
    fn at(&self, id: &str) -> Option<String> {
        self.0
            .iter()
            .find(|p| p.field == id)
            .map(|p| p.message.clone())
    }
    fn all_at(&self, id: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|p| p.field == id)
            .map(|p| p.message.clone())
            .collect()
    }
}

/// The quorum rules by the codes the store reports them under.
fn quorum_rule(code: &str) -> &'static str {
    match code {
        "minimum" => "minimum number of voting members",
        "required_category" => "required category",
        "lay_executive_majority" => "lay and executive majority",
        "presiding_member" => "a lay member to preside",
        _ => "quorum",
    }
}

/// Field problems (the domain's or the store's) as the page shows them: `locate` gives
/// each key's element id and the label its message starts with ("" for none).
fn problems(fe: &FieldErrors, locate: impl Fn(&str) -> (String, String)) -> Problems {
    let mut out = Problems::default();
    for (k, m) in &fe.0 {
        let (id, label) = locate(k);
        let message = if let Some(rule) = k.strip_prefix("quorum.") {
            format!("Quorum rule not met ({}): {m}", quorum_rule(rule))
        } else if k.starts_with("constitution.") {
            format!("The constitution would not hold {m}")
        } else if label.is_empty() {
            capitalise(m)
        } else {
            format!("{label} {m}")
        };
        out.add(id, message);
    }
    out
}

/// `prefix[k].field` as `(k, field)`.
fn row_key<'a>(key: &'a str, prefix: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('[')?;
    let (k, field) = rest.split_once(']')?;
    Some((k.parse().ok()?, field.strip_prefix('.').unwrap_or("")))
}

/// The rows `prefix-i-...` of a form (at least `min`) with any of `fields` filled in.
fn filled_rows(v: &Values, prefix: &str, min: usize, fields: &[(&str, &str)]) -> Vec<usize> {
    let names: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
    (0..v.rows(prefix, min))
        .filter(|i| !v.blank_row(prefix, *i, &names))
        .collect()
}

/// Where the problem `prefix[k].f` of the `k`th filled-in row goes: to the field of
/// form row `rows[k]`, labelled "{noun} {row}: {f's label in `fields`}".
fn locate_row(
    key: &str,
    prefix: &str,
    noun: &str,
    fields: &[(&str, &str)],
    rows: &[usize],
) -> Option<(String, String)> {
    let (k, f) = row_key(key, prefix)?;
    let i = *rows.get(k)?;
    let label = fields
        .iter()
        .find(|(n, _)| *n == f)
        .map(|(_, l)| *l)
        .unwrap_or(f);
    Some((
        format!("{prefix}-{i}-{f}"),
        format!("{noun} {}: {label}", i + 1),
    ))
}

#[derive(Serialize, Default)]
struct Opt {
    id: String,
    value: String,
    label: String,
    selected: bool,
}

/// One field as templates/admin/committee-field.hbs draws it.
#[derive(Serialize, Default)]
struct Field {
    id: String,
    name: String,
    label: String,
    hint: Option<String>,
    value: String,
    error: Option<String>,
    /// Every problem with the field (the first is `error`).
    errors: Vec<String>,
    described: Option<String>,
    input_type: &'static str,
    width: &'static str,
    is_input: bool,
    is_textarea: bool,
    is_select: bool,
    is_radios: bool,
    is_checkboxes: bool,
    is_checkbox: bool,
    inline: bool,
    checked: bool,
    options: Vec<Opt>,
}

impl Field {
    fn base(id: &str, name: &str, label: &str, v: &Values, p: &Problems) -> Field {
        Field {
            id: id.to_owned(),
            name: name.to_owned(),
            label: label.to_owned(),
            value: v.get(name).to_owned(),
            error: p.at(id),
            errors: p.all_at(id),
            ..Default::default()
        }
        .described()
    }
    fn described(mut self) -> Field {
        let mut d = Vec::new();
        if self.hint.is_some() {
            d.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            d.push(format!("{}-error", self.id));
        }
        self.described = (!d.is_empty()).then(|| d.join(" "));
        self
    }
    fn hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = Some(hint.into());
        self.described()
    }
    fn input(
        name: &str,
        label: &str,
        kind: &'static str,
        width: &'static str,
        v: &Values,
        p: &Problems,
    ) -> Field {
        Field {
            is_input: true,
            input_type: kind,
            width,
            ..Field::base(name, name, label, v, p)
        }
    }
    fn textarea(name: &str, label: &str, v: &Values, p: &Problems) -> Field {
        Field {
            is_textarea: true,
            ..Field::base(name, name, label, v, p)
        }
    }
    fn select(
        name: &str,
        label: &str,
        options: &[(String, String)],
        v: &Values,
        p: &Problems,
    ) -> Field {
        let mut f = Field::base(name, name, label, v, p);
        f.is_select = true;
        f.options = options
            .iter()
            .map(|(value, label)| Opt {
                id: String::new(),
                value: value.clone(),
                label: label.clone(),
                selected: *value == f.value,
            })
            .collect();
        f
    }
    fn choices(
        name: &str,
        label: &str,
        options: &[(String, String)],
        v: &Values,
        p: &Problems,
        many: bool,
    ) -> Field {
        let mut f = Field::base(name, name, label, v, p);
        let chosen = v.all(name);
        f.is_radios = !many;
        f.is_checkboxes = many;
        f.options = options
            .iter()
            .enumerate()
            .map(|(i, (value, label))| Opt {
                id: if i == 0 {
                    name.to_owned()
                } else {
                    format!("{name}-{}", i + 1)
                },
                value: value.clone(),
                label: label.clone(),
                selected: chosen.contains(&value.as_str()),
            })
            .collect();
        f
    }
    fn checkbox(name: &str, label: &str, v: &Values, p: &Problems) -> Field {
        let mut f = Field::base(name, name, label, v, p);
        f.is_checkbox = true;
        f.checked = f.value == "true";
        f
    }
}

/// A group of fields: a fieldset with a legend (and the problems of the group as a
/// whole, such as the constitution's), or bare fields.
#[derive(Serialize)]
struct Section {
    legend: Option<String>,
    id: String,
    hint: Option<String>,
    error: bool,
    errors: Vec<String>,
    fields: Vec<Field>,
}

impl Section {
    fn bare(fields: Vec<Field>) -> Section {
        Section {
            legend: None,
            id: String::new(),
            hint: None,
            error: false,
            errors: vec![],
            fields,
        }
    }
    fn group(id: &str, legend: impl Into<String>, hint: Option<&str>, p: &Problems) -> Section {
        let errors = p.all_at(id);
        Section {
            legend: Some(legend.into()),
            id: id.to_owned(),
            hint: hint.map(str::to_owned),
            error: !errors.is_empty(),
            errors,
            fields: vec![],
        }
    }
    fn with(mut self, fields: Vec<Field>) -> Section {
        self.fields = fields;
        self
    }
}

/// A group for each row `prefix-i-...` of a form (at least `min`), "{noun} {i + 1}",
/// with the fields `fields` makes from the row's name prefix (`prefix-i-`).
fn row_sections(
    v: &Values,
    p: &Problems,
    prefix: &str,
    min: usize,
    noun: &str,
    fields: impl Fn(&str) -> Vec<Field>,
) -> Vec<Section> {
    (0..v.rows(prefix, min))
        .map(|i| {
            Section::group(
                &format!("{prefix}-{i}"),
                format!("{noun} {}", i + 1),
                None,
                p,
            )
            .with(fields(&format!("{prefix}-{i}-")))
        })
        .collect()
}

#[derive(Serialize)]
struct Hidden {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct FormView {
    action: String,
    heading: Option<String>,
    hidden: Vec<Hidden>,
    sections: Vec<Section>,
    submit: String,
    secondary: bool,
}

impl FormView {
    fn new(action: String, submit: &str, sections: Vec<Section>) -> FormView {
        FormView {
            action,
            heading: None,
            hidden: vec![],
            sections,
            submit: submit.to_owned(),
            secondary: false,
        }
    }
    fn version(mut self, v: &Values) -> FormView {
        self.hidden.push(Hidden {
            name: "version".into(),
            value: v.get("version").to_owned(),
        });
        self
    }
}

/// A page of forms (templates/admin/committee-form.hbs).
struct FormPage {
    title: String,
    caption: Option<String>,
    back: String,
    intro: Vec<String>,
    facts: Vec<Value>,
    forms: Vec<FormView>,
}

impl FormPage {
    fn new(title: impl Into<String>, back: String, forms: Vec<FormView>) -> FormPage {
        FormPage {
            title: title.into(),
            caption: None,
            back,
            intro: vec![],
            facts: vec![],
            forms,
        }
    }
    fn render(
        self,
        status: StatusCode,
        session: &Session,
        org: &Org,
        p: &Problems,
    ) -> HttpResponse {
        page(
            status,
            "admin-committee-form",
            &json!({
                "title": self.title, "caption": self.caption, "account": AccountView::of(session),
                "errors": p.0, "org": org_view(org), "back": self.back, "intro": self.intro,
                "facts": self.facts, "forms": self.forms,
            }),
        )
    }
}

fn fact(key: &str, value: impl Into<String>, notes: Vec<String>) -> Value {
    json!({"key": key, "value": value.into(), "notes": notes})
}

/// A select's options: `none` first (the empty value), then each `(code, label)`.
fn choose<'a>(
    none: &str,
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), none.to_owned()))
        .chain(pairs.map(|(a, b)| (a.to_owned(), b.to_owned())))
        .collect()
}

fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
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

fn version_of(v: &Values) -> i64 {
    v.get("version")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------

struct Loaded {
    org: Org,
    b: Business,
    names: Names,
    people: Vec<Person>,
}

async fn load(state: &AppState, org_slug: &str) -> Result<Loaded, PageError> {
    let org = load_org(state, org_slug).await?;
    let org_id = org.id;
    let (b, people) = state
        .db(move |c| {
            Ok((
                Business::load(c, org_id)?,
                crate::store::people::all(c, org_id)?,
            ))
        })
        .await?;
    Ok(Loaded {
        org,
        b,
        names: Names::new(people.clone()),
        people,
    })
}

impl Loaded {
    fn committee(&self, raw: &str) -> Result<&Stored<Committee>, PageError> {
        let slug = path_key(raw, "committee")?;
        self.b
            .committees
            .iter()
            .find(|c| c.record.slug == slug)
            .ok_or_else(|| PageError::NotFound(format!("committee {slug:?}")))
    }
    fn meeting(
        &self,
        committee: &Stored<Committee>,
        raw: &str,
    ) -> Result<&Stored<Meeting>, PageError> {
        let id = parse_id(raw, "meeting")?;
        self.b
            .meetings
            .iter()
            .find(|m| m.id == id && m.record.committee_id == committee.id)
            .ok_or_else(|| PageError::NotFound(format!("meeting {id}")))
    }
    fn item(
        &self,
        committee: &Stored<Committee>,
        raw: &str,
    ) -> Result<(&Stored<Item>, &Stored<Meeting>), PageError> {
        let id = parse_id(raw, "agenda item")?;
        let not_found = || PageError::NotFound(format!("agenda item {id}"));
        let item = self
            .b
            .items
            .iter()
            .find(|i| i.id == id)
            .ok_or_else(not_found)?;
        let meeting = self
            .b
            .meetings
            .iter()
            .find(|m| m.id == item.record.meeting_id && m.record.committee_id == committee.id)
            .ok_or_else(not_found)?;
        Ok((item, meeting))
    }
    fn membership(
        &self,
        committee: &Stored<Committee>,
        raw: &str,
    ) -> Result<&Stored<Membership>, PageError> {
        let id = parse_id(raw, "membership")?;
        self.b
            .memberships
            .iter()
            .find(|m| m.id == id && m.record.committee_id == committee.id)
            .ok_or_else(|| PageError::NotFound(format!("membership {id}")))
    }
    fn person(&self, id: i64) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }
}

/// The account writing, as the audit chain names it (governance leads and admins only).
fn actor(session: &Session, org: &Org) -> Result<String, PageError> {
    Ok(Caller(Some(session.principal.clone()))
        .governance(org.id)?
        .actor())
}

/// The organisation's business for a form that writes it, and the account writing
/// (governance leads and admins only).
async fn load_to_write(
    state: &AppState,
    org_slug: &str,
    session: &Session,
) -> Result<(Loaded, String), PageError> {
    let l = load(state, org_slug).await?;
    let actor = actor(session, &l.org)?;
    Ok((l, actor))
}

fn base(org: &Org, slug: &str) -> String {
    format!("/admin/orgs/{}/committees/{slug}", org.slug)
}

/// The form again (422), with `fe`'s problems placed by `locate`.
fn refused(
    fe: &FieldErrors,
    v: &Values,
    locate: impl Fn(&str) -> (String, String),
    again: impl FnOnce(StatusCode, &Values, &Problems) -> HttpResponse,
) -> HttpResponse {
    again(StatusCode::UNPROCESSABLE_ENTITY, v, &problems(fe, locate))
}

/// Where a stale form is told so: the field, and the version it is shown again with.
type Stale<'a> = Option<(&'a str, i64)>;

/// Settles the store's answer to a form: a write publishes and sends the browser to
/// `to`; a refusal shows the form again (422) with the store's problems placed by
/// `locate`; a stale version, where `stale` allows one, shows it again (409) with the
/// current version and [`CHANGED`] at its field; anything else is an error page.
async fn settle<T>(
    state: &AppState,
    written: Result<Committed<T>, ApiError>,
    to: impl FnOnce(&T) -> String,
    mut v: Values,
    locate: impl Fn(&str) -> (String, String),
    stale: Stale<'_>,
    again: impl FnOnce(StatusCode, &Values, &Problems) -> HttpResponse,
) -> Result<HttpResponse, PageError> {
    match (written, stale) {
        (Ok(d), _) => {
            let to = to(&d.value);
            Ok(published(state, &d, to).await)
        }
        (Err(ApiError::Invalid(fe)), _) => Ok(refused(&fe, &v, locate, again)),
        (Err(ApiError::Conflict(_)), Some((field, version))) => {
            v.set("version", version.to_string());
            let mut p = Problems::default();
            p.add(field, CHANGED);
            Ok(again(StatusCode::CONFLICT, &v, &p))
        }
        (Err(e), _) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------

pub async fn list(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let l = load(&state, &path).await?;
    let today = today();
    let rows: Vec<Value> =
        l.b.committees
            .iter()
            .map(|c| {
                let members: Vec<Member> =
                    l.b.members_of(c.id)
                        .into_iter()
                        .map(|m| m.record.member.clone())
                        .collect();
                let meetings = l.b.meetings_of(c.id);
                json!({
                    "name": c.record.name, "href": base(&l.org, &c.record.slug),
                    "quorum": capitalise(&c.record.quorum.describe()),
                    "members": members.iter().filter(|m| m.is_active_on(today)).count(),
                    "valid": !members.iter().any(|m| m.is_active_on(today)) || constitution(&members, today).is_valid(),
                    "meetings": meetings.len(),
                    "last": meetings.last().map(|m| m.record.held_on.to_string()),
                })
            })
            .collect();
    Ok(page(
        StatusCode::OK,
        "admin-committees",
        &json!({
            "title": format!("Committees – {}", l.org.name), "account": AccountView::of(&signed_in.0),
            "errors": [], "org": org_view(&l.org), "rows": rows,
            "may_write": governs(&signed_in.0.principal, l.org.id),
        }),
    ))
}

// ---------------------------------------------------------------------------------------
// Membership rows (the new-committee and add-members forms)
// ---------------------------------------------------------------------------------------

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
        Field::input(
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
        Field::input(
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
fn member_rows(
    v: &Values,
    min: usize,
    fe: &mut FieldErrors,
) -> (Vec<(Option<String>, Input)>, Vec<usize>) {
    let rows = filled_rows(v, "members", min, &MEMBER_FIELDS);
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
fn locate_member_row(key: &str, rows: &[usize]) -> Option<(String, String)> {
    locate_row(key, "members", "Member", &MEMBER_FIELDS, rows)
}

fn member_row_sections(v: &Values, p: &Problems, min: usize, people: &[&Person]) -> Vec<Section> {
    row_sections(v, p, "members", min, "Member", |n| {
        member_fields(n, v, p, Some(people))
    })
}

// ---------------------------------------------------------------------------------------
// Constituting and amending a committee
// ---------------------------------------------------------------------------------------

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

fn locate_committee(key: &str, rows: &[usize]) -> (String, String) {
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
    .map(|c| (c.code().to_owned(), format!("A {}", c.noun())))
    .collect();
    vec![Section::bare(vec![
        Field::input("name", "Name", "text", "", v, p),
        Field::input(
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
        Field::input(
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

fn new_committee_page(
    status: StatusCode,
    session: &Session,
    l: &Loaded,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let people: Vec<&Person> = l.people.iter().collect();
    let mut sections = committee_sections(v, p);
    sections.push(Section::group(
        "members",
        "First members",
        Some("Fill in a row for each member; leave the rest empty. You can add members later. The chair must be a voting lay member, and lay and executive members must be more than half of those who vote."),
        p,
    ));
    sections.extend(member_row_sections(v, p, NEW_MEMBER_ROWS, &people));
    let base = format!("/admin/orgs/{}/committees", l.org.slug);
    let form = FormView::new(format!("{base}/new"), "Constitute the committee", sections);
    FormPage::new("Constitute a committee", base, vec![form]).render(status, session, &l.org, p)
}

pub async fn new_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path, &signed_in.0).await?;
    let v = Values(vec![("quorum_minimum".into(), String::new())]);
    Ok(new_committee_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        &v,
        &Problems::default(),
    ))
}

pub async fn create(
    state: web::Data<AppState>,
    path: web::Path<String>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    let (l, actor) = load_to_write(&state, &path, &posted.session).await?;
    let v = Values(posted.form);
    let mut fe = FieldErrors::default();
    let committee = Committee::parse(&committee_input(&v));
    if let Err(e) = &committee {
        e.0.iter().for_each(|(k, m)| fe.add(k, m.clone()));
    }
    let (entered, rows) = member_rows(&v, NEW_MEMBER_ROWS, &mut fe);
    let locate = |k: &str| locate_committee(k, &rows);
    let again =
        |status, v: &Values, p: &Problems| new_committee_page(status, &posted.session, &l, v, p);
    if !fe.is_empty() {
        return Ok(refused(&fe, &v, locate, again));
    }
    let committee = committee.expect("no errors");
    let org_id = l.org.id;
    let written = state
        .db(move |c| store::create_committee(c, org_id, &actor, committee, entered))
        .await;
    let to = |d: &store::CommitteeRecord| {
        format!("{}?saved=created", base(&l.org, &d.committee.record.slug))
    };
    settle(&state, written, to, v, locate, None, again).await
}

fn amend_committee_page(
    status: StatusCode,
    session: &Session,
    l: &Loaded,
    c: &Stored<Committee>,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let back = base(&l.org, &c.record.slug);
    let form = FormView::new(
        format!("{back}/amend"),
        "Save the changes",
        committee_sections(v, p),
    )
    .version(v);
    let mut fp = FormPage::new(format!("Amend {}", c.record.name), back, vec![form]);
    fp.intro
        .push("A new quorum must still be met by every item that recorded a decision.".into());
    fp.render(status, session, &l.org, p)
}

pub async fn amend_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path.0, &signed_in.0).await?;
    let c = l.committee(&path.1)?;
    Ok(amend_committee_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        c,
        &committee_values(c),
        &Problems::default(),
    ))
}

pub async fn amend(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    let (l, actor) = load_to_write(&state, &path.0, &posted.session).await?;
    let c = l.committee(&path.1)?;
    let v = Values(posted.form);
    let (org_id, id, version) = (l.org.id, c.id, version_of(&v));
    let changes = committee_input(&v);
    let written = state
        .db(move |conn| store::amend_committee(conn, org_id, &actor, id, version, changes))
        .await;
    let to = |d: &Stored<Committee>| format!("{}?saved=amended", base(&l.org, &d.record.slug));
    let locate = |k: &str| match locate_committee(k, &[]) {
        (id, _) if id == "members" => ("quorum_minimum".to_owned(), String::new()),
        found => found,
    };
    let stale = Some(("name", c.version));
    let again = |status, v: &Values, p: &Problems| {
        amend_committee_page(status, &posted.session, &l, c, v, p)
    };
    settle(&state, written, to, v, locate, stale, again).await
}

// ---------------------------------------------------------------------------------------
// A committee's page
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
    page: Option<String>,
}

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

fn member_row(m: &Stored<Membership>, l: &Loaded, href: Option<String>) -> Value {
    let x = &m.record.member;
    json!({
        "name": l.names.name(x.person_id), "role": x.role.label(), "category": x.category.label(),
        "voting": x.votes(), "from": x.from.to_string(), "to": x.to.map(|d| d.to_string()),
        "audit_chair": x.audit_chair, "href": href,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let l = load(&state, &path.0).await?;
    let c = l.committee(&path.1)?;
    let may_write = governs(&signed_in.0.principal, l.org.id);
    let here = base(&l.org, &c.record.slug);
    let today = today();
    let mut memberships = l.b.members_of(c.id);
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
    let mut meetings = l.b.meetings_of(c.id);
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
            let items = l.b.items_of(m.id);
            json!({
                "held_on": m.record.held_on.to_string(),
                "href": format!("{here}/meetings/{}", m.id),
                "present": m.record.present().len(),
                "items": items.len(),
                "decided": items.iter().filter(|i| matches!(i.record.outcome, Outcome::Decided { .. })).count(),
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
    let back = base(&l.org, &c.record.slug);
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
    let (l, _) = load_to_write(&state, &path.0, &signed_in.0).await?;
    let c = l.committee(&path.1)?;
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
    let (l, actor) = load_to_write(&state, &path.0, &posted.session).await?;
    let c = l.committee(&path.1)?;
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
    let to = |_: &_| format!("{}?saved=members", base(&l.org, &c.record.slug));
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
    let back = base(&l.org, &c.record.slug);
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
    let end_field = Field {
        is_input: true,
        input_type: "date",
        width: "nhsuk-input--width-10",
        ..Field::base("end-to", "to", "Last day of membership", end, p)
    }
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
    let (l, _) = load_to_write(&state, &path.0, &signed_in.0).await?;
    let c = l.committee(&path.1)?;
    let m = l.membership(c, &path.2)?;
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
    let (l, actor) = load_to_write(&state, &path.0, &posted.session).await?;
    let c = l.committee(&path.1)?;
    let m = l.membership(c, &path.2)?;
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
    let (org_id, cid, id, version) = (l.org.id, c.id, m.id, version_of(&v));
    let written = state
        .db(move |conn| {
            store::change_membership(conn, org_id, &actor, cid, (id, version), code, changes)
        })
        .await;
    let to = |_: &_| format!("{}?saved={saved}", base(&l.org, &c.record.slug));
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

// ---------------------------------------------------------------------------------------
// Recording and amending a meeting
// ---------------------------------------------------------------------------------------

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
    c: &Stored<Committee>,
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
    for m in
        l.b.memberships
            .iter()
            .filter(|m| m.record.committee_id == c.id && wanted(&m.record.member))
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
    let rows = filled_rows(v, "co_opted", CO_OPTED_ROWS, &CO_OPTED_FIELDS);
    let co_opted: Vec<Value> = rows
        .iter()
        .map(|i| {
            let f = |n: &str| v.text(&format!("co_opted-{i}-{n}"));
            json!({"person": f("person"), "category": f("category"), "note": f("note")})
        })
        .collect();
    let input = Input::from_json(json!({
        "held_on": v.text("held_on"), "attendance": attendance, "co_opted": co_opted,
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
    match key {
        "held_on" => ("held_on".into(), "Date of the meeting".into()),
        k if k.starts_with("co_opted") => ("co_opted".into(), String::new()),
        _ => ("attendance".into(), String::new()),
    }
}

#[allow(clippy::too_many_arguments)]
fn meeting_form_page(
    status: StatusCode,
    session: &Session,
    l: &Loaded,
    c: &Stored<Committee>,
    amending: Option<&Stored<Meeting>>,
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
    for (person, ms) in member_people(l, c, on, v) {
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
        Section::bare(vec![Field::input(
            "held_on",
            "Date of the meeting",
            "date",
            "nhsuk-input--width-10",
            v,
            p,
        )
        .hint("For example 2026-03-12. Only members in office that day may be marked present.")]),
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
                Field::input(
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
    let back = base(&l.org, &c.record.slug);
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
    fp.caption = Some(c.record.name.clone());
    fp.render(status, session, &l.org, p)
}

pub async fn new_meeting_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path.0, &signed_in.0).await?;
    let c = l.committee(&path.1)?;
    Ok(meeting_form_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        c,
        None,
        &Values::default(),
        &Problems::default(),
    ))
}

pub async fn create_meeting(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    write_meeting(state, path, posted, None).await
}

pub async fn amend_meeting_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path.0, &signed_in.0).await?;
    let c = l.committee(&path.1)?;
    let m = l.meeting(c, &path.2)?;
    Ok(meeting_form_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        c,
        Some(m),
        &meeting_values(m, &l.names),
        &Problems::default(),
    ))
}

pub async fn amend_meeting(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    let (org, slug, id) = path.into_inner();
    write_meeting(state, web::Path::from((org, slug)), posted, Some(id)).await
}

async fn write_meeting(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: Posted,
    amending: Option<String>,
) -> Result<HttpResponse, PageError> {
    let (l, actor) = load_to_write(&state, &path.0, &posted.session).await?;
    let c = l.committee(&path.1)?;
    let m = match &amending {
        Some(raw) => Some(l.meeting(c, raw)?),
        None => None,
    };
    let v = Values(posted.form);
    let (input, rows) = meeting_input(&v);
    let again = |status, v: &Values, p: &Problems| {
        meeting_form_page(status, &posted.session, &l, c, m, v, p)
    };
    let locate = |k: &str| locate_meeting(k, &rows, &l.people);
    let entered = match MeetingInput::parse(&input) {
        Ok(e) => e,
        Err(fe) => return Ok(refused(&fe, &v, locate, again)),
    };
    let (org_id, cid, version) = (l.org.id, c.id, version_of(&v));
    let mid = m.map(|m| m.id);
    let written = state
        .db(move |conn| match mid {
            None => store::create_meeting(conn, org_id, &actor, cid, entered),
            Some(id) => store::amend_meeting(conn, org_id, &actor, id, version, entered),
        })
        .await;
    let saved = if mid.is_some() {
        "meeting-amended"
    } else {
        "meeting"
    };
    let to = |d: &Stored<Meeting>| {
        let committee = base(&l.org, &c.record.slug);
        format!("{committee}/meetings/{}?saved={saved}", d.id)
    };
    let stale = m.map(|m| ("held_on", m.version));
    settle(&state, written, to, v, locate, stale, again).await
}

// ---------------------------------------------------------------------------------------
// A meeting's page
// ---------------------------------------------------------------------------------------

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

fn outcome_text(o: &Outcome) -> Option<String> {
    match o {
        Outcome::Open => None,
        Outcome::Decided { decision, .. } => Some(decision.clone()),
        Outcome::Deferred { reason } | Outcome::Referred { reason, .. } => Some(reason.clone()),
    }
}

pub async fn show_meeting(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String, String)>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let l = load(&state, &path.0).await?;
    let c = l.committee(&path.1)?;
    let m = l.meeting(c, &path.2)?;
    let committee_href = base(&l.org, &c.record.slug);
    let here = format!("{committee_href}/meetings/{}", m.id);
    let on = m.record.held_on;
    let mut in_office: Vec<&Member> =
        l.b.members_of(c.id)
            .into_iter()
            .map(|x| &x.record.member)
            .filter(|x| x.is_active_on(on))
            .collect();
    in_office.sort_by_key(|x| (x.role, x.category, l.names.name(x.person_id)));
    let attendance: Vec<Value> = in_office
        .iter()
        .map(|x| {
            json!({
                "name": l.names.name(x.person_id), "role": x.role.label(), "category": x.category.label(),
                "voting": x.votes(), "status": m.record.status_of(x.person_id).label(),
            })
        })
        .collect();
    let co_opted: Vec<Value> = m
        .record
        .co_opted
        .iter()
        .map(|co| json!({"name": l.names.name(co.person_id), "category": co.category.label(), "note": co.note}))
        .collect();
    let items: Vec<Value> = l
        .b
        .items_of(m.id)
        .into_iter()
        .map(|i| {
            let r = &i.record;
            let quorum = l.b.quorum(r, |p| l.names.name(p));
            json!({
                "id": i.id, "number": r.number, "title": r.title,
                "description_html": (!r.description.is_empty()).then(|| crate::publish::markdown::to_html(&r.description)),
                "conflicts": r.conflicts.iter().map(|cf| json!({
                    "name": l.names.name(cf.person_id), "nature": cf.nature,
                    "declaration": cf.declaration_id, "decision": cf.decision.label(),
                })).collect::<Vec<_>>(),
                "outcome": r.outcome.label(), "outcome_text": outcome_text(&r.outcome),
                "quorum": quorum_view(quorum.as_ref(), &l.names),
                "amend_href": format!("{committee_href}/items/{}/amend", i.id),
                "outcome_href": format!("{committee_href}/items/{}/outcome", i.id),
            })
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        "admin-meeting",
        &json!({
            "title": format!("Meeting of {} – {}", on, c.record.name), "account": AccountView::of(&signed_in.0),
            "errors": [], "org": org_view(&l.org), "committee": c.record.name, "committee_href": committee_href,
            "base": here, "held_on": on.to_string(), "version": m.version, "recorded_at": m.recorded_at,
            "audit_seq": m.audit_seq, "may_write": governs(&signed_in.0.principal, l.org.id),
            "saved": q.saved.as_deref().and_then(saved_message),
            "attendance": attendance, "co_opted": co_opted, "items": items,
        }),
    ))
}

// ---------------------------------------------------------------------------------------
// Agenda items
// ---------------------------------------------------------------------------------------

const CONFLICT_FIELDS: [(&str, &str); 4] = [
    ("person", "member"),
    ("declaration", "declaration number"),
    ("nature", "interest"),
    ("decision", "what they did"),
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
    }
    Values(v)
}

fn item_input(v: &Values) -> (Input, Vec<usize>) {
    let rows = filled_rows(v, "conflicts", CONFLICT_ROWS, &CONFLICT_FIELDS);
    let conflicts: Vec<Value> = rows
        .iter()
        .map(|i| {
            let f = |n: &str| v.text(&format!("conflicts-{i}-{n}"));
            json!({"person": f("person"), "declaration": f("declaration"), "nature": f("nature"), "decision": f("decision")})
        })
        .collect();
    let input = Input::from_json(json!({
        "number": v.text("number"), "title": v.text("title"), "description": v.text("description"),
        "conflicts": conflicts,
    }))
    .expect("an object");
    (input, rows)
}

fn locate_item(key: &str, rows: &[usize]) -> (String, String) {
    if let Some(found) = locate_row(key, "conflicts", "Conflict", &CONFLICT_FIELDS, rows) {
        return found;
    }
    match key {
        "number" => ("number".into(), "Item number".into()),
        "title" => ("title".into(), "Title".into()),
        "description" => ("description".into(), "Description".into()),
        _ => ("conflicts".into(), String::new()),
    }
}

#[allow(clippy::too_many_arguments)]
fn item_form_page(
    status: StatusCode,
    session: &Session,
    l: &Loaded,
    c: &Stored<Committee>,
    m: &Stored<Meeting>,
    amending: Option<&Stored<Item>>,
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
            Field::input("number", "Item number", "text", "nhsuk-input--width-4", v, p)
                .hint("As on the agenda, for example 5 or 5.2"),
            Field::input("title", "Title", "text", "", v, p),
            Field::textarea("description", "Description", v, p)
                .hint("Optional. You can use Markdown."),
        ]),
        Section::group(
            "conflicts",
            "Conflicts declared on this item",
            Some("One row for each member present who declared an interest, with what the chair decided they should do. Members who leave the room or do not vote stop counting toward the quorum for this item. Leave rows empty if not needed."),
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
                Field::input(&format!("{n}nature"), "The interest", "text", "", v, p)
                    .hint("As minuted, for example Partner at the practice bidding"),
                Field::input(
                    &format!("{n}declaration"),
                    "Declaration number (optional)",
                    "text",
                    "nhsuk-input--width-5",
                    v,
                    p,
                )
                .hint("The entry in the register of interests, if there is one"),
                Field::select(&format!("{n}decision"), "What they did", &decisions, v, p),
            ]
        },
    ));
    let committee_href = base(&l.org, &c.record.slug);
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
        c.record.name, m.record.held_on
    ));
    if present.is_empty() {
        fp.intro.push("Nobody is recorded as present at this meeting, so no conflicts can be recorded yet: amend the meeting's attendance first.".into());
    }
    fp.render(status, session, &l.org, p)
}

pub async fn new_item_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path.0, &signed_in.0).await?;
    let c = l.committee(&path.1)?;
    let m = l.meeting(c, &path.2)?;
    let v = Values(vec![(
        "number".into(),
        (l.b.items_of(m.id).len() + 1).to_string(),
    )]);
    Ok(item_form_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        c,
        m,
        None,
        &v,
        &Problems::default(),
    ))
}

pub async fn create_item(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    let (l, actor) = load_to_write(&state, &path.0, &posted.session).await?;
    let c = l.committee(&path.1)?;
    let m = l.meeting(c, &path.2)?;
    write_item(&state, &l, c, m, None, actor, posted).await
}

pub async fn amend_item_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path.0, &signed_in.0).await?;
    let c = l.committee(&path.1)?;
    let (i, m) = l.item(c, &path.2)?;
    Ok(item_form_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        c,
        m,
        Some(i),
        &item_values(i, &l.names),
        &Problems::default(),
    ))
}

pub async fn amend_item(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    let (l, actor) = load_to_write(&state, &path.0, &posted.session).await?;
    let c = l.committee(&path.1)?;
    let (i, m) = l.item(c, &path.2)?;
    write_item(&state, &l, c, m, Some(i), actor, posted).await
}

async fn write_item(
    state: &web::Data<AppState>,
    l: &Loaded,
    c: &Stored<Committee>,
    m: &Stored<Meeting>,
    amending: Option<&Stored<Item>>,
    actor: String,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    let v = Values(posted.form);
    let (input, rows) = item_input(&v);
    let again = |status, v: &Values, p: &Problems| {
        item_form_page(status, &posted.session, l, c, m, amending, v, p)
    };
    let locate = |k: &str| locate_item(k, &rows);
    let entered = match ItemInput::parse(&input) {
        Ok(e) => e,
        Err(fe) => return Ok(refused(&fe, &v, locate, again)),
    };
    let (org_id, mid, version) = (l.org.id, m.id, version_of(&v));
    let iid = amending.map(|i| i.id);
    let written = state
        .db(move |conn| match iid {
            None => store::create_item(conn, org_id, &actor, mid, entered),
            Some(id) => store::amend_item(conn, org_id, &actor, id, version, entered),
        })
        .await;
    let saved = if iid.is_some() {
        "item-amended"
    } else {
        "item"
    };
    let to = |d: &Stored<Item>| {
        let committee = base(&l.org, &c.record.slug);
        format!("{committee}/meetings/{}?saved={saved}#item-{}", m.id, d.id)
    };
    let stale = amending.map(|i| ("number", i.version));
    settle(state, written, to, v, locate, stale, again).await
}

// ---------------------------------------------------------------------------------------
// An item's outcome
// ---------------------------------------------------------------------------------------

fn outcome_values(i: &Stored<Item>) -> Values {
    let mut v = vec![("version".to_owned(), i.version.to_string())];
    let mut put = |k: &str, s: &str| v.push((k.to_owned(), s.to_owned()));
    match &i.record.outcome {
        Outcome::Open => {}
        Outcome::Decided { decision, .. } => {
            put("outcome", "decided");
            put("decision", decision);
        }
        Outcome::Deferred { reason } => {
            put("outcome", "deferred");
            put("reason", reason);
        }
        Outcome::Referred {
            referred_to,
            reason,
        } => {
            put("outcome", "referred");
            put("referred_to", referred_to);
            put("reason", reason);
        }
    }
    Values(v)
}

fn locate_outcome(key: &str) -> (String, String) {
    match key {
        "decision" => ("decision".into(), "The decision".into()),
        "reason" => ("reason".into(), "The reason".into()),
        "referred_to" => ("referred_to".into(), "Who it was referred to".into()),
        _ => ("outcome".into(), String::new()),
    }
}

#[allow(clippy::too_many_arguments)]
fn outcome_page(
    status: StatusCode,
    session: &Session,
    l: &Loaded,
    c: &Stored<Committee>,
    m: &Stored<Meeting>,
    i: &Stored<Item>,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let committee_href = base(&l.org, &c.record.slug);
    let sections = vec![Section::bare(vec![
        Field::choices(
            "outcome",
            "What became of the item?",
            &opts(&[
                ("decided", "A decision was taken"),
                ("deferred", "Deferred to a later meeting"),
                (
                    "referred",
                    "Referred to another committee or the governing body",
                ),
            ]),
            v,
            p,
            false,
        )
        .hint("A decision can only be recorded if the item is quorate"),
        Field::textarea("decision", "The decision, as minuted (if decided)", v, p),
        Field::input(
            "referred_to",
            "Who it was referred to (if referred)",
            "text",
            "",
            v,
            p,
        ),
        Field::textarea("reason", "The reason (if deferred or referred)", v, p),
    ])];
    let form = FormView::new(
        format!("{committee_href}/items/{}/outcome", i.id),
        "Record the outcome",
        sections,
    )
    .version(v);
    let r = &i.record;
    let mut fp = FormPage::new(
        format!("Outcome of item {}: {}", r.number, r.title),
        format!("{committee_href}/meetings/{}#item-{}", m.id, i.id),
        vec![form],
    );
    fp.caption = Some(format!(
        "{}, meeting of {}",
        c.record.name, m.record.held_on
    ));
    let quorum = quorum_view(l.b.quorum(r, |x| l.names.name(x)).as_ref(), &l.names);
    let quorum_notes: Vec<String> = if quorum["quorate"] == true {
        vec![
            format!("Presiding: {}", quorum["presiding"].as_str().unwrap_or("")),
            format!("Counting: {}", quorum["counting"].as_str().unwrap_or("")),
        ]
    } else {
        quorum["failures"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    fp.facts = vec![
        fact("Quorum", capitalise(&c.record.quorum.describe()), vec![]),
        fact(
            "Quorum for this item now",
            if quorum["quorate"] == true {
                "Quorate"
            } else {
                "Inquorate"
            },
            quorum_notes,
        ),
        fact(
            "Conflicts",
            if r.conflicts.is_empty() {
                "None declared".to_owned()
            } else {
                r.conflicts
                    .iter()
                    .map(|cf| {
                        format!(
                            "{}: {}",
                            l.names.name(cf.person_id),
                            cf.decision.label().to_lowercase()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            vec![],
        ),
        fact("Outcome now", r.outcome.label(), vec![]),
    ];
    fp.render(status, session, &l.org, p)
}

pub async fn outcome_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, PageError> {
    let (l, _) = load_to_write(&state, &path.0, &signed_in.0).await?;
    let c = l.committee(&path.1)?;
    let (i, m) = l.item(c, &path.2)?;
    Ok(outcome_page(
        StatusCode::OK,
        &signed_in.0,
        &l,
        c,
        m,
        i,
        &outcome_values(i),
        &Problems::default(),
    ))
}

pub async fn record_outcome(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    posted: Posted,
) -> Result<HttpResponse, PageError> {
    let (l, actor) = load_to_write(&state, &path.0, &posted.session).await?;
    let c = l.committee(&path.1)?;
    let (i, m) = l.item(c, &path.2)?;
    let v = Values(posted.form);
    let again =
        |status, v: &Values, p: &Problems| outcome_page(status, &posted.session, &l, c, m, i, v, p);
    let input =
        Input::from_pairs(["outcome", "decision", "reason", "referred_to"].map(|k| (k, v.get(k))));
    let entered = match OutcomeInput::parse(&input) {
        Ok(e) => e,
        Err(fe) => return Ok(refused(&fe, &v, locate_outcome, again)),
    };
    let (org_id, id, version) = (l.org.id, i.id, version_of(&v));
    let written = state
        .db(move |conn| store::record_outcome(conn, org_id, &actor, id, version, entered))
        .await;
    let to = |_: &_| {
        let committee = base(&l.org, &c.record.slug);
        format!("{committee}/meetings/{}?saved=outcome#item-{}", m.id, i.id)
    };
    let stale = Some(("outcome", i.version));
    settle(&state, written, to, v, locate_outcome, stale, again).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_keys_and_counts() {
        assert_eq!(row_key("members[3].person", "members"), Some((3, "person")));
        assert_eq!(row_key("members", "members"), None);
        let v = Values(vec![
            ("members-11-person".into(), "x".into()),
            ("members-2-from".into(), String::new()),
        ]);
        assert_eq!(v.rows("members", 8), 12);
        assert_eq!(v.rows("conflicts", 4), 4);
        assert!(v.blank_row("members", 2, &["person", "from"]));
        assert!(!v.blank_row("members", 11, &["person", "from"]));
        assert_eq!(
            Values(vec![("members-999-person".into(), "x".into())]).rows("members", 8),
            MAX_ROWS
        );
    }

    #[test]
    fn quorum_and_constitution_problems_keep_the_store_words() {
        let mut fe = FieldErrors::default();
        fe.add(
            "quorum.minimum",
            "2 voting members count for this item; the quorum is 3",
        );
        fe.add(
            "outcome",
            "the item is not quorate, so it cannot record a decision",
        );
        let p = problems(&fe, locate_outcome);
        assert_eq!(p.all_at("outcome").len(), 2);
        assert!(p.0.iter().any(|x| x.message
            == "Quorum rule not met (minimum number of voting members): 2 voting members count for this item; the quorum is 3"));
        let fe = FieldErrors::one(
            "constitution.chair_is_lay",
            "on 2026-01-01: the chair, A, is an executive member; the chair must be a lay member",
        );
        let p = problems(&fe, |k| locate_committee(k, &[]));
        assert_eq!(p.0[0].field, "members");
        assert!(p.0[0].message.contains("the chair must be a lay member"));
    }
}
