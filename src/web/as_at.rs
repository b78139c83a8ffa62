//! `/<org>/registers/as-at/<YYYY-MM-DD>/`: the registers as they stood at the end of a
//! past day ([`crate::publish::as_at`]), as a page in the site's layout
//! ([`crate::publish::Publisher::as_at_page`]) and beside it as the site's open data
//! files were then: `interests.csv`, `gifts.csv`, `decisions.csv`, and `registers.json`
//! holding all three with the entries they were derived from and how many entries
//! withheld since are left out. Rendered on request from the chain, and kept in a small
//! cache keyed by the chain's length and head, so any new entry (a withholding among
//! them) invalidates it. Today, a future day, a malformed date or an unknown file: a
//! plain 404 page. The register pages' form asks for `/<org>/registers/as-at/?date=…`,
//! which sends the browser on to the day's page.

use super::AppState;
use crate::publish::as_at::{as_at, AsAt};
use crate::publish::{business::Ctx, exports};
use crate::store::{audit, orgs, StoreError};
use actix_web::{http::header, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// The files beside each as-at page, with their content types.
pub const FILES: [(&str, &str); 4] = [
    ("interests.csv", "text/csv; charset=utf-8"),
    ("gifts.csv", "text/csv; charset=utf-8"),
    ("decisions.csv", "text/csv; charset=utf-8"),
    ("registers.json", "application/json"),
];

/// How many rendered days the cache keeps.
const CACHED: usize = 64;

/// The files of one organisation's registers as at one day, as [`FILES`] lists them,
/// then the page.
type Files = Arc<[Vec<u8>; 5]>;

/// Where in [`Files`] the page is.
const PAGE: usize = FILES.len();

/// Which rendering a cached one is: organisation, day, and the chain's length and
/// head when it was rendered.
type Key = (String, NaiveDate, i64, String);

/// Rendered days, most recently rendered last; bounded at [`CACHED`].
#[derive(Default)]
pub struct Cache(Mutex<Vec<(Key, Files)>>);

impl Cache {
    fn get(&self, key: &Key) -> Option<Files> {
        let cached = self.0.lock().expect("not poisoned");
        cached
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f.clone())
    }

    fn put(&self, key: Key, files: Files) {
        let mut cached = self.0.lock().expect("not poisoned");
        // A rendering for an older chain of the same organisation and day is stale.
        cached.retain(|(k, _)| (&k.0, k.1) != (&key.0, key.1));
        if cached.len() >= CACHED {
            cached.remove(0);
        }
        cached.push((key, files));
    }
}

/// The day a path names: a real date written `YYYY-MM-DD`, before today.
pub fn past_day(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (day.format("%Y-%m-%d").to_string() == text && day < today).then_some(day)
}

/// The four files of the registers at `a`, links under `base`.
pub fn render(a: &AsAt, base: &str) -> [Vec<u8>; 4] {
    let v = a.visible();
    let ctx = Ctx::new(&v);
    let interests = exports::interests_records(&v);
    let gifts = exports::gifts_records(&v);
    let decisions = exports::decisions_records(&ctx, base);
    let org = &a.snapshot.org;
    let doc = json!({
        "organisation": {"slug": org.slug, "name": org.name},
        "as_at": a.day.to_string(),
        "derived_from": {"first_seq": i64::from(a.through > 0), "last_seq": a.through, "chain_head": org.chain_head},
        "withheld_since": a.withheld,
        "interests": interests, "gifts": gifts, "decisions": decisions,
    });
    let mut json = serde_json::to_vec_pretty(&doc).expect("JSON values serialise");
    json.push(b'\n');
    [
        exports::to_csv(&exports::INTEREST_COLUMNS, &interests),
        exports::to_csv(&exports::GIFT_COLUMNS, &gifts),
        exports::to_csv(&exports::DECISION_COLUMNS, &decisions),
        json,
    ]
}

/// `GET /{org}/registers/as-at/{date}/{file}`.
pub async fn file(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> HttpResponse {
    let (slug, date, name) = path.into_inner();
    match FILES.iter().position(|(f, _)| *f == name) {
        Some(index) => answer(&state, slug, &date, index).await,
        None => super::api::page_not_found().await,
    }
}

/// `GET /{org}/registers/as-at/{date}/`: the page.
pub async fn page(state: web::Data<AppState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (slug, date) = path.into_inner();
    answer(&state, slug, &date, PAGE).await
}

/// `GET /{org}/registers/as-at/{date}`: on to the page, as the site's directories do.
pub async fn to_page(path: web::Path<(String, String)>) -> HttpResponse {
    let (slug, date) = path.into_inner();
    HttpResponse::Found()
        .insert_header((header::LOCATION, format!("/{slug}/registers/as-at/{date}/")))
        .finish()
}

/// `GET /{org}/registers/as-at/?date=YYYY-MM-DD`, the register pages' form: on to that
/// day's page (303); a missing, malformed, present or future date is a 404 page.
pub async fn choose(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let slug = path.into_inner();
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let day = query
        .iter()
        .find(|(k, _)| k == "date")
        .and_then(|(_, v)| past_day(v, crate::clock::today()));
    match day {
        Some(day) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/{slug}/registers/as-at/{day}/")))
            .finish(),
        None => super::api::page_not_found().await,
    }
}

/// File `index` of [`Files`] of the registers of `slug` as at `date`, from the cache or
/// rendered now.
async fn answer(state: &AppState, slug: String, date: &str, index: usize) -> HttpResponse {
    let Some(day) = past_day(date, crate::clock::today()) else {
        return super::api::page_not_found().await;
    };
    let base = state.base_url.clone();
    let cache = state.as_at.clone();
    let publisher = state.publisher.clone();
    let files = state
        .db(move |c| {
            let org = orgs::by_slug(c, &slug)?;
            let key = (slug, day, org.chain_seq, org.chain_head.clone());
            if let Some(files) = cache.get(&key) {
                return Ok(files);
            }
            let chain = audit::range(c, org.id, 1, org.chain_seq, org.chain_seq)?;
            let a = as_at(&org, &chain, day).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let page = publisher
                .as_at_page(&a)
                .map_err(|e| StoreError::Corrupt(format!("the registers as at {day}: {e}")))?;
            let [interests, gifts, decisions, json] = render(&a, &base);
            let files: Files = Arc::new([interests, gifts, decisions, json, page]);
            cache.put(key, files.clone());
            Ok(files)
        })
        .await;
    let content_type = FILES
        .get(index)
        .map_or("text/html; charset=utf-8", |(_, t)| t);
    match files {
        Ok(files) => HttpResponse::Ok()
            .content_type(content_type)
            .body(files[index].clone()),
        Err(super::error::ApiError::NotFound(_)) => super::api::page_not_found().await,
        Err(e) => actix_web::ResponseError::error_response(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_past_day_written_in_full_is_a_day() {
        let today = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(
            past_day("2026-03-31", today),
            NaiveDate::from_ymd_opt(2026, 3, 31)
        );
        for text in [
            "2026-04-01",
            "2026-05-01",
            "2026-3-31",
            "2026-02-30",
            "31-03-2026",
            "",
        ] {
            assert_eq!(past_day(text, today), None, "{text}");
        }
    }
}
