//! The page of the registers as at a past day (`/<org>/registers/as-at/<date>/`): the
//! three registers as they stood at the end of that day ([`super::as_at`]), in the
//! site's layout and with its own tables, with the entries they were derived from and
//! how many entries withheld since are left out. Rendered on request by the web
//! service, never written into the site.

use super::as_at::AsAt;
use super::business::Ctx;
use super::{views, PublishError, Publisher};
use serde_json::json;

impl Publisher {
    /// The HTML page of the registers at `a`.
    pub fn as_at_page(&self, a: &AsAt) -> Result<Vec<u8>, PublishError> {
        let v = a.visible();
        let ctx = Ctx::new(&v);
        let s = &a.snapshot;
        let slug = &s.org.slug;
        let date = views::long_date(a.day);
        let mut org = serde_json::to_value(views::org_view(s)).expect("views serialise");
        org["updated"] = json!(format!("as at {date}"));
        let page = json!({
            "title": format!("Registers as at {date}"), "org": org, "feeds": [],
            "crumbs": [{"href": "/", "label": "Home"}, {"href": format!("/{slug}/"), "label": s.org.name}],
            "as_at": date, "through": a.through,
            "withheld": a.withheld, "withheld_one": a.withheld == 1,
            "interests": {"caption": "Register of interests", "show_person": true, "org_slug": slug,
                          "rows": views::declaration_rows(&v, None)},
            "gifts": {"caption": "Register of gifts and hospitality", "show_person": true, "org_slug": slug,
                      "rows": views::gift_rows(&v, None)},
            "decisions": {"caption": "Register of procurement decisions", "rows": ctx.decision_rows()},
        });
        self.render("registers-as-at", &page)
    }
}
