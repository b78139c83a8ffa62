//! The register of GP earnings on the site: `/<org>/gp-earnings/` (a table a financial
//! year, newest first), its CSV and JSON (`data/gp-earnings.*`) and its feed
//! (`feeds/gp-earnings.xml`). Withdrawn figures (entered in error) are left out; their
//! entries stay in the chain and the feed says they were withdrawn.

use super::business::Ctx;
use super::views::OrgView;
use super::{feeds, PublishError, Publisher};
use crate::domain::earnings::GpEarnings;
use crate::store::records::Stored;
use crate::store::AnyConnection;
use serde::Serialize;
use serde_json::{json, Value};

/// The register's name in its files' paths.
pub const REGISTER: &str = "gp-earnings";

/// One practice's figure as the page shows it.
#[derive(Serialize, Debug)]
pub struct EarningsRow {
    pub id: i64,
    pub practice_name: String,
    pub ods_code: String,
    pub mean_earnings: String,
    pub full_time_gps: u32,
    pub part_time_gps: u32,
    pub source_url: Option<String>,
}

/// One financial year's table.
#[derive(Serialize, Debug)]
pub struct EarningsYear {
    pub financial_year: String,
    pub rows: Vec<EarningsRow>,
}

/// The figures in force (not withdrawn), newest year first, then by practice name.
fn in_force<'a>(ctx: &Ctx<'a>) -> Vec<&'a Stored<GpEarnings>> {
    let mut all: Vec<&Stored<GpEarnings>> = ctx
        .b
        .gp_earnings
        .iter()
        .filter(|g| g.record.withdrawn_reason.is_none())
        .collect();
    all.sort_by(|a, b| {
        let (a, b) = (&a.record.fields, &b.record.fields);
        b.financial_year
            .cmp(&a.financial_year)
            .then(a.practice_name.cmp(&b.practice_name))
            .then(a.ods_code.cmp(&b.ods_code))
    });
    all
}

/// The register's tables, a financial year each, newest first.
pub fn years(ctx: &Ctx) -> Vec<EarningsYear> {
    let mut out: Vec<EarningsYear> = Vec::new();
    for g in in_force(ctx) {
        let f = &g.record.fields;
        let row = EarningsRow {
            id: g.id,
            practice_name: f.practice_name.clone(),
            ods_code: f.ods_code.clone(),
            mean_earnings: f.mean_earnings(),
            full_time_gps: f.full_time_gps,
            part_time_gps: f.part_time_gps,
            source_url: f.source_url.clone(),
        };
        match out.last_mut() {
            Some(y) if y.financial_year == f.financial_year => y.rows.push(row),
            _ => out.push(EarningsYear {
                financial_year: f.financial_year.clone(),
                rows: vec![row],
            }),
        }
    }
    out
}

/// The open data records, one a practice and year in force.
pub fn records(ctx: &Ctx) -> Vec<Value> {
    in_force(ctx)
        .into_iter()
        .map(|g| {
            let f = &g.record.fields;
            json!({
                "id": g.id, "version": g.version, "ods_code": f.ods_code,
                "practice_name": f.practice_name, "financial_year": f.financial_year,
                "mean_earnings_pence": f.mean_earnings_pence,
                "full_time_gps": f.full_time_gps, "part_time_gps": f.part_time_gps,
                "source_url": f.source_url, "audit_seq": g.audit_seq,
            })
        })
        .collect()
}

pub const COLUMNS: [&str; 10] = [
    "id",
    "version",
    "ods_code",
    "practice_name",
    "financial_year",
    "mean_earnings_pence",
    "full_time_gps",
    "part_time_gps",
    "source_url",
    "audit_seq",
];

/// What each column of the GP earnings export means.
pub const MEANINGS: [(&str, &str); 10] = [
    ("id", "The entry's number in this register. It stays the same when the entry is amended."),
    ("version", "Which version of the entry this row is: 1 when first recorded, one more for each amendment."),
    ("ods_code", "The GP practice's code in the NHS Organisation Data Service: a letter and five digits, e.g. B82005."),
    ("practice_name", "The GP practice's name."),
    ("financial_year", "The financial year the figure is for, 1 April to 31 March, written 2025/26."),
    ("mean_earnings_pence", "The mean net earnings of the practice's GPs in that year, as the practice published it, in pence: whole pounds, so always a multiple of 100 (10400000 is £104,000)."),
    ("full_time_gps", "How many full-time GPs the figure covers, as the practice published it."),
    ("part_time_gps", "How many part-time GPs the figure covers, as the practice published it."),
    ("source_url", "Where the practice published the figure, if recorded."),
    ("audit_seq", "The number (seq) of the audit log entry that recorded this version, in audit/chain.jsonl."),
];

impl Publisher {
    /// Render the register of GP earnings: its page, its data files and its feed.
    pub(super) fn render_gp_earnings(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        org: &OrgView,
    ) -> Result<(), PublishError> {
        let slug = ctx.org();
        let page = json!({
            "title": "Register of GP earnings", "org": org,
            "crumbs": [{"href": "/", "label": "Home"}, {"href": format!("/{slug}/"), "label": org.name}],
            "feeds": [{"href": format!("/{slug}/feeds/{REGISTER}.xml"), "title": format!("{} – register of GP earnings", org.name)}],
            "years": years(ctx),
        });
        self.write(
            &format!("{slug}/{REGISTER}/index.html"),
            &self.render("gp-earnings", &page)?,
        )?;
        self.write_gp_earnings_data(slug, ctx)?;
        self.write(
            &format!("{slug}/feeds/{REGISTER}.xml"),
            feeds::publish(conn, ctx, feeds::Feed::GpEarnings, &self.base_url)?.as_bytes(),
        )
    }

    /// Write `/<org>/data/gp-earnings.csv` and `.json` (with the page, and in the
    /// coalesced pass of the bulk open data files).
    pub(super) fn write_gp_earnings_data(&self, slug: &str, ctx: &Ctx) -> Result<(), PublishError> {
        self.write_data(slug, ctx.v, REGISTER, &COLUMNS, records(ctx).into_iter())
    }
}
