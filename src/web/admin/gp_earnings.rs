//! The register of GP earnings in the web app: the list (newest year first, withdrawn
//! figures marked), and the forms that record, amend and withdraw a practice's figure.
//! Writes are a governance lead's and go through the store calls the JSON API uses; the
//! mean earnings are typed in pounds, as practices publish them.

use super::context::{caller, load_org, org_view};
use super::decisions::form_errors;
use super::form::{answer, changed, text_or_null, Answer, Field, FormPage, FormView, Problems};
use super::form::{Hidden, Section, Values};
use super::{page, AccountView, CsrfForm, PageError, SignedIn};
use crate::domain::earnings::{GpEarnings, GpEarningsFields};
use crate::domain::entries::StandingChange;
use crate::domain::money::Pence;
use crate::domain::{FieldErrors, Input};
use crate::store::earnings::{self as store, EarningsStep};
use crate::store::orgs::Org;
use crate::store::records::{self, Stored};
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page, RecordPath};
use crate::web::api;
use crate::web::auth::governs;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

/// A form as posted: its fields by name.
type Posted = CsrfForm<Vec<(String, String)>>;

/// The form's fields: (field, label, what to say when it is missing).
const FIELDS: [(&str, &str, &str); 8] = [
    (
        "practice_name",
        "Practice name",
        "Enter the practice's name",
    ),
    (
        "ods_code",
        "ODS code",
        "Enter the practice's ODS code, such as B82005",
    ),
    (
        "financial_year",
        "Financial year",
        "Enter the financial year, such as 2025/26",
    ),
    (
        "mean_earnings",
        "Mean net earnings",
        "Enter the mean net earnings per GP, in pounds",
    ),
    (
        "full_time_gps",
        "Full-time GPs",
        "Enter the number of full-time GPs, 0 if none",
    ),
    (
        "part_time_gps",
        "Part-time GPs",
        "Enter the number of part-time GPs, 0 if none",
    ),
    (
        "source_url",
        "Source",
        "Enter where the practice published the figure",
    ),
    ("reason", "Reason", "Enter why the figure is withdrawn"),
];

#[derive(Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
}

fn base(org: &Org) -> String {
    format!("/admin/orgs/{}/gp-earnings", org.slug)
}

pub async fn list(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<ListQuery>,
) -> Page {
    let org = load_org(&state, &path).await?;
    let org_id = org.id;
    let mut all = state
        .db(move |c| records::current::<GpEarnings>(c, org_id))
        .await?;
    all.sort_by(|a, b| {
        let (a, b) = (&a.record.fields, &b.record.fields);
        (&b.financial_year, &a.practice_name).cmp(&(&a.financial_year, &b.practice_name))
    });
    let may_record = governs(&signed_in.0.principal, org.id);
    let rows: Vec<Value> = all
        .iter()
        .map(|g| {
            let f = &g.record.fields;
            json!({
                "id": g.id, "href": format!("{}/{}/amend", base(&org), g.id),
                "practice_name": f.practice_name, "ods_code": f.ods_code,
                "financial_year": f.financial_year, "mean_earnings": f.mean_earnings(),
                "full_time_gps": f.full_time_gps, "part_time_gps": f.part_time_gps,
                "withdrawn_reason": g.record.withdrawn_reason,
                "may_amend": may_record && g.record.withdrawn_reason.is_none(),
            })
        })
        .collect();
    let saved = match q.saved.as_deref() {
        Some("created") => Some("The GP earnings were recorded"),
        Some("amended") => Some("The GP earnings were amended"),
        Some("withdrawn") => Some("The GP earnings were withdrawn"),
        _ => None,
    };
    Ok(page(
        StatusCode::OK,
        "admin-gp-earnings",
        &json!({
            "title": format!("GP earnings – {}", org.name),
            "account": AccountView::of(&signed_in.0), "errors": [], "org": org_view(&org),
            "rows": rows, "may_record": may_record, "saved": saved,
        }),
    ))
}

/// The form's values as domain input; the mean earnings are typed in pounds.
fn earnings_input(v: &Values, fe: &mut FieldErrors) -> Input {
    let mean = v.get("mean_earnings").trim();
    let pence = if mean.is_empty() {
        Value::Null
    } else {
        match Pence::parse_pounds(mean) {
            Some(p) => json!(p.pence()),
            None => {
                fe.add(
                    "mean_earnings",
                    "must be an amount in whole pounds, such as 104000",
                );
                Value::Null
            }
        }
    };
    Input::from_json(json!({
        "practice_name": v.text("practice_name"), "ods_code": v.text("ods_code"),
        "financial_year": v.text("financial_year"),
        "mean_earnings_pence": if fe.0.contains_key("mean_earnings") { json!(0) } else { pence },
        "full_time_gps": text_or_null(v.get("full_time_gps")),
        "part_time_gps": text_or_null(v.get("part_time_gps")),
        "source_url": v.text("source_url"),
    }))
    .expect("an object")
}

/// Parse the form: every problem at once, under the form's own field names.
fn parse(v: &Values) -> Result<GpEarningsFields, FieldErrors> {
    let mut fe = FieldErrors::default();
    let parsed = GpEarningsFields::parse(&earnings_input(v, &mut fe));
    match parsed {
        Ok(fields) if fe.is_empty() => Ok(fields),
        Ok(_) => Err(fe),
        Err(e) => Err(merge(fe, e)),
    }
}

/// `e`'s problems added to `fe`, the store's `mean_earnings_pence` shown at the pounds field.
fn merge(mut fe: FieldErrors, e: FieldErrors) -> FieldErrors {
    for (k, m) in e.0 {
        let k = if k == "mean_earnings_pence" {
            "mean_earnings".to_owned()
        } else {
            k
        };
        if !fe.0.contains_key(&k) {
            fe.add(&k, m);
        }
    }
    fe
}

fn problems(fe: &FieldErrors) -> Problems {
    Problems(form_errors(
        &merge(FieldErrors::default(), fe.clone()),
        &FIELDS,
    ))
}

fn sections(v: &Values, p: &Problems) -> Vec<Section> {
    let f = |name: &str, label: &str| Field::input(name, label, "text", v, p);
    vec![Section::bare(vec![
        f("practice_name", "Practice name"),
        f("ods_code", "ODS code")
            .width(10)
            .hint("The practice's code in the NHS Organisation Data Service: a letter and five digits, such as B82005"),
        f("financial_year", "Financial year")
            .width(10)
            .hint("Written as 2025/26 for 1 April 2025 to 31 March 2026"),
        f("mean_earnings", "Mean net earnings per GP, in pounds")
            .width(10)
            .hint("Whole pounds, as the practice published it, such as 104000"),
        f("full_time_gps", "Full-time GPs the figure covers")
            .width(4)
            .hint("As the practice published it; 0 if none"),
        f("part_time_gps", "Part-time GPs the figure covers")
            .width(4)
            .hint("As the practice published it; 0 if none"),
        f("source_url", "Where the practice published it (optional)")
            .hint("A web address starting https://"),
    ])]
}

fn new_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let form = FormView::new(
        format!("{}/new", base(org)),
        "Record these earnings",
        sections(v, p),
    );
    let mut fp = FormPage::new("Record a practice's GP earnings", base(org), vec![form]);
    fp.intro.push("One practice and one financial year. Everything on this form is published in the register of GP earnings.".into());
    fp.render(status, session, org, p)
}

pub async fn new_form(state: Data, signed_in: SignedIn, path: OrgPath) -> Page {
    let org = load_org(&state, &path).await?;
    caller(&signed_in.0.principal).governance(org.id)?;
    Ok(new_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &Values::default(),
        &Problems::default(),
    ))
}

pub async fn create(state: Data, path: OrgPath, posted: Posted) -> Page {
    let org = load_org(&state, &path).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let v = Values(posted.form);
    let refused = |fe: &FieldErrors| {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(new_page(status, &posted.session, &org, &v, &problems(fe)))
    };
    let fields = match parse(&v) {
        Ok(f) => f,
        Err(fe) => return refused(&fe),
    };
    let org_id = org.id;
    let written = state
        .db(move |c| store::create_earnings(c, org_id, &actor, fields))
        .await;
    let to = |_: &_| format!("{}?saved=created", base(&org));
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Refused(fe) => refused(&fe),
        Answer::Stale(e) => Err(e.into()),
    }
}

/// Figure `raw_id` (404 if there is none).
async fn load(state: &AppState, org: &Org, raw_id: &str) -> Result<Stored<GpEarnings>, PageError> {
    let id = api::parse_id(raw_id, "GP earnings entry")?;
    let org_id = org.id;
    Ok(state
        .db(move |c| records::get::<GpEarnings>(c, org_id, id))
        .await?)
}

fn values_of(g: &Stored<GpEarnings>) -> Values {
    let f = &g.record.fields;
    Values(vec![
        ("practice_name".into(), f.practice_name.clone()),
        ("ods_code".into(), f.ods_code.clone()),
        ("financial_year".into(), f.financial_year.clone()),
        (
            "mean_earnings".into(),
            (f.mean_earnings_pence / 100).to_string(),
        ),
        ("full_time_gps".into(), f.full_time_gps.to_string()),
        ("part_time_gps".into(), f.part_time_gps.to_string()),
        (
            "source_url".into(),
            f.source_url.clone().unwrap_or_default(),
        ),
        ("version".into(), g.version.to_string()),
    ])
}

/// The value set on a withdraw form's values when the page asks whether they are sure.
const ASKED: &str = "withdraw_asked";

fn amend_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    g: &Stored<GpEarnings>,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let at = format!("{}/{}", base(org), g.id);
    let mut forms = Vec::new();
    if g.record.withdrawn_reason.is_none() {
        forms.push(
            FormView::new(format!("{at}/amend"), "Save the amendment", sections(v, p)).version(v),
        );
        let reason = Field::textarea("reason", "Reason for withdrawing", v, p)
            .hint("Withdraw only a figure entered in error. It is kept in the audit log but leaves the register, and cannot be changed again");
        // A withdrawal cannot be undone: a valid reason first comes back asking whether
        // they are sure (see `change`), and only the answer "yes" withdraws.
        let sure = v.get(ASKED) == "yes";
        let mut withdraw = FormView::new(
            format!("{at}/withdraw"),
            if sure {
                "Yes, withdraw it"
            } else {
                "Withdraw as entered in error"
            },
            vec![Section::bare(vec![reason])],
        )
        .version(v);
        withdraw.heading = Some(if sure {
            "Are you sure you want to withdraw this figure? Nothing has been withdrawn yet".into()
        } else {
            "Withdraw this figure".into()
        });
        if sure {
            withdraw.hidden.push(Hidden {
                name: "confirmed".into(),
                value: "yes".into(),
            });
        }
        withdraw.secondary = true;
        forms.push(withdraw);
    }
    let f = &g.record.fields;
    let mut fp = FormPage::new(
        format!(
            "GP earnings {}: {}, {}",
            g.id, f.practice_name, f.financial_year
        ),
        base(org),
        forms,
    );
    if let Some(reason) = &g.record.withdrawn_reason {
        fp.intro.push(format!(
            "Withdrawn as entered in error: {reason}. It cannot be changed again."
        ));
    }
    fp.render(status, session, org, p)
}

pub async fn amend_form(state: Data, signed_in: SignedIn, path: RecordPath) -> Page {
    let org = load_org(&state, &path.0).await?;
    caller(&signed_in.0.principal).governance(org.id)?;
    let g = load(&state, &org, &path.1).await?;
    let v = values_of(&g);
    Ok(amend_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &g,
        &v,
        &Problems::default(),
    ))
}

/// Amend or withdraw: the store's refusals and a stale version come back on the page.
async fn change(state: Data, path: RecordPath, posted: Posted, withdraw: bool) -> Page {
    let org = load_org(&state, &path.0).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let g = load(&state, &org, &path.1).await?;
    let mut v = Values(posted.form);
    let show =
        |status, v: &Values, p: &Problems| amend_page(status, &posted.session, &org, &g, v, p);
    let step = if withdraw {
        let reason = Input::from_json(json!({"reason": v.text("reason")})).expect("an object");
        let mut p = reason.parser();
        let text = p.text("reason", StandingChange::MAX_REASON);
        if let Err(fe) = p.finish() {
            let mut form = values_of(&g);
            form.set("reason", v.get("reason").to_owned());
            return Ok(show(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &problems(&fe),
            ));
        }
        if v.get("confirmed") != "yes" {
            let mut form = values_of(&g);
            form.set("reason", v.get("reason").to_owned());
            form.set(ASKED, "yes".to_owned());
            return Ok(show(StatusCode::OK, &form, &Problems::default()));
        }
        EarningsStep::Withdraw(text.expect("checked"))
    } else {
        match parse(&v) {
            Ok(fields) => EarningsStep::Amend(fields.to_input()),
            Err(fe) => return Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &v, &problems(&fe))),
        }
    };
    let (org_id, id, version) = (org.id, g.id, v.version());
    let written = state
        .db(move |c| store::change_earnings(c, org_id, &actor, id, version, step))
        .await;
    let saved = if withdraw { "withdrawn" } else { "amended" };
    let to = |_: &_| format!("{}?saved={saved}", base(&org));
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Refused(fe) => Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &v, &problems(&fe))),
        Answer::Stale(_) => {
            v.set("version", g.version.to_string());
            let mut p = Problems::default();
            let at = if withdraw { "reason" } else { "practice_name" };
            p.add(at, changed("GP earnings figure"));
            Ok(show(StatusCode::CONFLICT, &v, &p))
        }
    }
}

pub async fn amend(state: Data, path: RecordPath, posted: Posted) -> Page {
    change(state, path, posted, false).await
}

pub async fn withdraw(state: Data, path: RecordPath, posted: Posted) -> Page {
    change(state, path, posted, true).await
}
