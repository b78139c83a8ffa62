//! Every URL the service answers, in one table that also says who may use each and, for
//! the JSON API, the body and query parameters it reads. The actix routes are registered
//! from this table, each wrapped in the check of its declared [`Access`], so a route
//! cannot exist without one; the OpenAPI description is generated from it. Finer rules
//! (a declarant's own person, withheld entries) stay in the handlers.

use super::{access, admin, api};
use actix_web::middleware::from_fn;
use actix_web::{web, Route};
use serde_json::Value;

/// Who may use a route. Admins count as governance leads of every organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not. A signed-in reader may be shown more (withheld entries
    /// for governance leads and auditors, their own for a declarant): handlers decide.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// Governance leads and admins of the organisation in the path.
    Governance,
    /// Governance leads and admins of the organisation in the path, or one of its
    /// declarants, whom the handler then allows only for their own person.
    GovernanceOrOwnPerson,
    /// Anyone signed in who belongs to the organisation in the path: governance leads,
    /// admins and auditors read everything; a declarant, whom the handler then shows
    /// only their own person's entries.
    Reader,
}

impl Access {
    /// The roles this access admits before any per-record check.
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            Access::Public => &[],
            Access::SignedIn => &["admin", "governance", "declarant", "auditor"],
            Access::Governance => &["admin", "governance"],
            Access::GovernanceOrOwnPerson => &["admin", "governance", "declarant"],
            Access::Reader => &["admin", "governance", "declarant", "auditor"],
        }
    }
}

/// An HTTP method the service answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    fn route(self) -> Route {
        match self {
            Method::Get => web::get(),
            Method::Post => web::post(),
        }
    }
}

/// One route: method, path pattern (actix syntax, `{name}` for a segment), who may use
/// it, what it does, and what it reads.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
    /// The JSON Schema of the body the handler parses (the API's writes).
    pub body: Option<fn() -> Value>,
    /// The OpenAPI parameter objects of the query parameters the handler reads.
    pub query: Option<fn() -> Vec<Value>>,
    handler: fn(Route) -> Route,
}

impl RouteSpec {
    /// A page of the web app (HTML; refusals send the browser to sign in), not the JSON API.
    pub fn is_page(&self) -> bool {
        self.path == "/admin" || self.path.starts_with("/admin/")
    }
}

impl std::fmt::Debug for RouteSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({:?})",
            self.method.as_str(),
            self.path,
            self.access
        )
    }
}

/// One line per route: `Method "path", Access, handler, [body schema,] [query params,]
/// "summary";`.
macro_rules! routes {
    ($($method:ident $path:literal, $access:ident, $handler:path,
       $(body $body:path,)? $(query $query:path,)? $summary:literal;)*) => {
        const ROUTES: &[RouteSpec] = &[$(
            RouteSpec {
                method: Method::$method,
                path: $path,
                access: Access::$access,
                summary: $summary,
                body: routes!(@some $($body)?),
                query: routes!(@some $($query)?),
                handler: |r| r.to($handler),
            },
        )*];
    };
    (@some $f:path) => { Some($f) };
    (@some) => { None };
}

use crate::web::openapi::bodies as b;
use admin::{
    committees as ac, confirmations as acf, decisions as adc, declarations as ad, editions as aed,
    gifts as ag, gp_earnings as age, home, import as ai, people as ap, people_standing as aps,
    returns as ar, review as arv, sign_in,
};
use api::{
    audit, committees as cm, decisions as pd, declarations as d, earnings as ge, editions as ed,
    gifts as g, orgs, people, returns,
};

routes! {
    Get  "/admin", SignedIn, home::show, "Your account, organisations and their registers";
    Get  "/admin/sign-in", Public, sign_in::show, "The sign-in form";
    Post "/admin/sign-in", Public, sign_in::submit, "Sign in with email and password";
    Post "/admin/sign-out", SignedIn, sign_in::sign_out, "Sign out, ending the session";
    Get  "/admin/orgs/{org}/declarations", Reader, ad::list, "Declarations, filtered by person and state (a declarant's own only)";
    Get  "/admin/orgs/{org}/declarations/new", GovernanceOrOwnPerson, ad::new_form, "The form to declare an interest";
    Post "/admin/orgs/{org}/declarations/new", GovernanceOrOwnPerson, ad::create, "Declare an interest";
    Get  "/admin/orgs/{org}/declarations/{id}", Reader, ad::show, "A declaration, its standing and every version";
    Get  "/admin/orgs/{org}/declarations/{id}/amend", GovernanceOrOwnPerson, ad::amend_form, "The form to amend a declaration";
    Post "/admin/orgs/{org}/declarations/{id}/amend", GovernanceOrOwnPerson, ad::amend, "Amend a declaration";
    Post "/admin/orgs/{org}/declarations/{id}/end", GovernanceOrOwnPerson, ad::end, "Record that an interest ended";
    Post "/admin/orgs/{org}/declarations/{id}/withhold", Governance, ad::withhold, "Withhold a declaration, with a reason";
    Post "/admin/orgs/{org}/declarations/{id}/release", Governance, ad::release, "Publish a withheld declaration again";
    Post "/admin/orgs/{org}/declarations/{id}/withdraw", GovernanceOrOwnPerson, ad::withdraw, "Withdraw a declaration made in error";
    Post "/admin/orgs/{org}/declarations/{id}/accept", Governance, ad::accept, "Accept a declarant's submitted version: it is published";
    Post "/admin/orgs/{org}/declarations/{id}/return", Governance, ad::return_for_changes, "Return a declarant's submitted version with a comment";
    Get  "/admin/orgs/{org}/people", Reader, ap::list, "People and their declarations (a declarant's own only)";
    Get  "/admin/orgs/{org}/people/new", Governance, ap::new_form, "The form to add a person";
    Post "/admin/orgs/{org}/people/new", Governance, ap::create, "Add a person";
    Get  "/admin/orgs/{org}/people/{slug}/amend", Governance, ap::amend_form, "The form to amend a person";
    Post "/admin/orgs/{org}/people/{slug}/amend", Governance, ap::amend, "Amend a person";
    Get  "/admin/orgs/{org}/people/{slug}/retire", Governance, aps::retire_form, "The forms to retire a person's record or merge it into another's";
    Post "/admin/orgs/{org}/people/{slug}/retire", Governance, aps::retire, "Retire a person's record added by mistake";
    Post "/admin/orgs/{org}/people/{slug}/merge", Governance, aps::merge, "Merge a person's record into another person's";
    Get  "/admin/orgs/{org}/returns/new", GovernanceOrOwnPerson, ar::new_form, "The form to make a nil return or annual confirmation";
    Post "/admin/orgs/{org}/returns/new", GovernanceOrOwnPerson, ar::create, "Make a nil return or annual confirmation";
    Get  "/admin/orgs/{org}/confirmations", Reader, acf::show, "Who is overdue for an annual confirmation, and which declarations were late (a declarant's own only)";
    Get  "/admin/orgs/{org}/gifts", Reader, ag::list, "Offers of gifts and hospitality (a declarant's own only)";
    Get  "/admin/orgs/{org}/gifts/new", GovernanceOrOwnPerson, ag::new_form, "The form to record an offer, with the thresholds that apply";
    Post "/admin/orgs/{org}/gifts/new", GovernanceOrOwnPerson, ag::create, "Record an offer of a gift or hospitality";
    Get  "/admin/orgs/{org}/review", Governance, arv::queue, "Entries declarants submitted, awaiting review";
    Post "/admin/orgs/{org}/review/gifts/{id}/accept", Governance, arv::accept_gift, "Accept a submitted offer: it is published";
    Post "/admin/orgs/{org}/review/gifts/{id}/return", Governance, arv::return_gift, "Return a submitted offer with a comment";
    Post "/admin/orgs/{org}/review/returns/{id}/accept", Governance, arv::accept_return, "Accept a submitted nil return or confirmation";
    Post "/admin/orgs/{org}/review/returns/{id}/return", Governance, arv::return_return, "Send back a submitted nil return or confirmation with a comment";
    Get  "/admin/orgs/{org}/committees", Reader, ac::list, "Committees, their members and meetings";
    Get  "/admin/orgs/{org}/committees/new", Governance, ac::new_form, "The form to constitute a committee";
    Post "/admin/orgs/{org}/committees/new", Governance, ac::create, "Constitute a committee, with its first members";
    Get  "/admin/orgs/{org}/committees/{slug}", Reader, ac::show, "A committee: its quorum, constitution, members and meetings";
    Get  "/admin/orgs/{org}/committees/{slug}/amend", Governance, ac::amend_form, "The form to amend a committee";
    Post "/admin/orgs/{org}/committees/{slug}/amend", Governance, ac::amend, "Amend a committee";
    Get  "/admin/orgs/{org}/committees/{slug}/members/new", Governance, ac::add_members_form, "The form to add members to a committee";
    Post "/admin/orgs/{org}/committees/{slug}/members/new", Governance, ac::add_members, "Add members to a committee";
    Get  "/admin/orgs/{org}/committees/{slug}/members/{id}", Governance, ac::membership_form, "The forms to amend or end a membership";
    Post "/admin/orgs/{org}/committees/{slug}/members/{id}/amend", Governance, ac::amend_membership, "Amend a membership";
    Post "/admin/orgs/{org}/committees/{slug}/members/{id}/end", Governance, ac::end_membership, "End a membership";
    Get  "/admin/orgs/{org}/committees/{slug}/meetings/new", Governance, ac::new_meeting_form, "The form to record a meeting";
    Post "/admin/orgs/{org}/committees/{slug}/meetings/new", Governance, ac::create_meeting, "Record a meeting and its attendance";
    Get  "/admin/orgs/{org}/committees/{slug}/meetings/{id}", Reader, ac::show_meeting, "A meeting: attendance, items, conflicts, outcomes and quorum";
    Get  "/admin/orgs/{org}/committees/{slug}/meetings/{id}/amend", Governance, ac::amend_meeting_form, "The form to amend a meeting";
    Post "/admin/orgs/{org}/committees/{slug}/meetings/{id}/amend", Governance, ac::amend_meeting, "Amend a meeting";
    Get  "/admin/orgs/{org}/committees/{slug}/meetings/{id}/items/new", Governance, ac::new_item_form, "The form to add an agenda item";
    Post "/admin/orgs/{org}/committees/{slug}/meetings/{id}/items/new", Governance, ac::create_item, "Add an agenda item with its conflicts";
    Get  "/admin/orgs/{org}/committees/{slug}/items/{id}/amend", Governance, ac::amend_item_form, "The form to amend an agenda item";
    Post "/admin/orgs/{org}/committees/{slug}/items/{id}/amend", Governance, ac::amend_item, "Amend an agenda item and its conflicts";
    Get  "/admin/orgs/{org}/committees/{slug}/items/{id}/outcome", Governance, ac::outcome_form, "The form to record an item's outcome";
    Post "/admin/orgs/{org}/committees/{slug}/items/{id}/outcome", Governance, ac::record_outcome, "Record an item's outcome: a decision needs a quorum";
    Get  "/admin/orgs/{org}/gifts/{id}", Reader, ag::show, "An offer, its standing and every version";
    Get  "/admin/orgs/{org}/gifts/{id}/amend", GovernanceOrOwnPerson, ag::amend_form, "The form to amend an offer";
    Post "/admin/orgs/{org}/gifts/{id}/amend", GovernanceOrOwnPerson, ag::amend, "Amend an offer";
    Post "/admin/orgs/{org}/gifts/{id}/withhold", Governance, ag::withhold, "Withhold an offer, with a reason";
    Post "/admin/orgs/{org}/gifts/{id}/release", Governance, ag::release, "Publish a withheld offer again";
    Post "/admin/orgs/{org}/gifts/{id}/withdraw", GovernanceOrOwnPerson, ag::withdraw, "Withdraw an offer recorded in error";
    Post "/admin/orgs/{org}/gifts/{id}/accept", Governance, ag::accept, "Accept a declarant's submitted offer: it is published";
    Post "/admin/orgs/{org}/gifts/{id}/return", Governance, ag::return_for_changes, "Return a declarant's submitted offer with a comment";
    Get  "/admin/orgs/{org}/decisions", Reader, adc::list, "Procurement decisions, newest first, 50 a page";
    Get  "/admin/orgs/{org}/decisions/new", Governance, adc::new_form, "The form to record a procurement decision";
    Post "/admin/orgs/{org}/decisions/new", Governance, adc::create, "Record a procurement decision";
    Get  "/admin/orgs/{org}/decisions/{id}", Reader, adc::show, "A procurement decision and every version";
    Get  "/admin/orgs/{org}/decisions/{id}/amend", Governance, adc::amend_form, "The form to amend a procurement decision";
    Post "/admin/orgs/{org}/decisions/{id}/amend", Governance, adc::amend, "Amend a procurement decision";
    Post "/admin/orgs/{org}/decisions/{id}/withdraw", Governance, adc::withdraw, "Withdraw a procurement decision, with a reason";
    Get  "/admin/orgs/{org}/breaches", Reader, adc::list_breaches, "Breaches of the conflicts policy (the person only for governance and auditors)";
    Get  "/admin/orgs/{org}/breaches/new", Governance, adc::new_breach_form, "The form to record a breach";
    Post "/admin/orgs/{org}/breaches/new", Governance, adc::create_breach, "Record a breach";
    Get  "/admin/orgs/{org}/breaches/{id}/amend", Governance, adc::amend_breach_form, "The form to amend a breach";
    Post "/admin/orgs/{org}/breaches/{id}/amend", Governance, adc::amend_breach, "Amend a breach";
    Get  "/admin/orgs/{org}/gp-earnings", Reader, age::list, "GP earnings: each practice's figure for each financial year";
    Get  "/admin/orgs/{org}/gp-earnings/new", Governance, age::new_form, "The form to record a practice's GP earnings";
    Post "/admin/orgs/{org}/gp-earnings/new", Governance, age::create, "Record a practice's GP earnings";
    Get  "/admin/orgs/{org}/gp-earnings/{id}/amend", Governance, age::amend_form, "The form to amend or withdraw a practice's GP earnings";
    Post "/admin/orgs/{org}/gp-earnings/{id}/amend", Governance, age::amend, "Amend a practice's GP earnings";
    Post "/admin/orgs/{org}/gp-earnings/{id}/withdraw", Governance, age::withdraw, "Withdraw GP earnings entered in error, with a reason";
    Get  "/admin/orgs/{org}/editions", Governance, aed::show, "The editions published, and the form to publish one";
    Post "/admin/orgs/{org}/editions", Governance, aed::create, "Publish an edition: the registers frozen as at a past day";
    Get  "/admin/orgs/{org}/import", Governance, ai::new_form, "The form to import a register from CSV";
    Post "/admin/orgs/{org}/import", Governance, ai::create, "Import a register from CSV: every row checked first, nothing written unless all are valid";

    Get  "/{org}/registers/as-at/", Public, crate::web::as_at::choose, "The register pages' form: on to the registers as at the day in ?date=YYYY-MM-DD";
    Get  "/{org}/registers/as-at/{date}", Public, crate::web::as_at::to_page, "On to the page of the registers as at a day, with its trailing slash";
    Get  "/{org}/registers/as-at/{date}/", Public, crate::web::as_at::page, "The registers as at the end of a past day, as a page";
    Get  "/{org}/registers/as-at/{date}/{file}", Public, crate::web::as_at::file, "The registers as at the end of a past day: interests.csv, gifts.csv, decisions.csv or registers.json";

    Get  "/healthz", Public, api::health, "Whether the service is up, and how far each public site lags behind its chain";
    Get  "/api/v1/openapi.json", Public, crate::web::openapi::serve, "This API's OpenAPI 3.1 description";
    Get  "/api/v1/orgs", Public, orgs::list, "The organisations";
    Get  "/api/v1/orgs/{org}", Public, orgs::show, "One organisation and its chain head";

    Get  "/api/v1/orgs/{org}/people", Public, people::list, "Decision-making people (everyone for governance, auditors)";
    Get  "/api/v1/orgs/{org}/people/{slug}", Public, people::show, "One person";
    Post "/api/v1/orgs/{org}/people", Governance, people::create, body b::new_person, "Add a person";
    Post "/api/v1/orgs/{org}/people/{slug}/amend", Governance, people::amend, body b::amend_person, "Amend a person";
    Post "/api/v1/orgs/{org}/people/{slug}/retire", Governance, people::retire, body b::retire_person, "Retire a person's record added by mistake (kept in the chain, off the register)";
    Post "/api/v1/orgs/{org}/people/{slug}/merge", Governance, people::merge, body b::merge_person, "Merge a person's record added by mistake into another person's; their entries follow";

    Get  "/api/v1/orgs/{org}/declarations", Public, d::list, query b::declarations_query, "Declarations the caller may see";
    Get  "/api/v1/orgs/{org}/declarations/{id}", Public, d::show, "One declaration";
    Get  "/api/v1/orgs/{org}/declarations/{id}/versions", Public, d::versions, "Every version of a declaration";
    Post "/api/v1/orgs/{org}/declarations", GovernanceOrOwnPerson, d::create, body b::new_declaration, "Declare an interest";
    Post "/api/v1/orgs/{org}/declarations/{id}/amend", GovernanceOrOwnPerson, d::amend, body b::amend_declaration, "Amend a declaration";
    Post "/api/v1/orgs/{org}/declarations/{id}/end", GovernanceOrOwnPerson, d::end, body b::end_declaration, "Record that an interest ended";
    Post "/api/v1/orgs/{org}/declarations/{id}/withdraw", GovernanceOrOwnPerson, d::withdraw, body b::versioned_reason, "Withdraw a declaration made in error";
    Post "/api/v1/orgs/{org}/declarations/{id}/withhold", Governance, d::withhold, body b::versioned_reason, "Withhold a declaration from publication, with a reason";
    Post "/api/v1/orgs/{org}/declarations/{id}/release", Governance, d::release, body b::versioned, "Publish a withheld declaration again";
    Post "/api/v1/orgs/{org}/declarations/{id}/accept", Governance, d::accept, body b::accept_version, "Accept a declarant's submitted version: it is published";
    Post "/api/v1/orgs/{org}/declarations/{id}/return", Governance, d::return_for_changes, body b::return_version, "Return a declarant's submitted version for changes, with a comment";

    Get  "/api/v1/orgs/{org}/gifts", Public, g::list, query b::gifts_query, "Gifts and hospitality the caller may see";
    Get  "/api/v1/orgs/{org}/gifts/{id}", Public, g::show, "One offer of a gift or hospitality";
    Post "/api/v1/orgs/{org}/gifts", GovernanceOrOwnPerson, g::create, body b::new_gift, "Record an offer of a gift or hospitality";
    Post "/api/v1/orgs/{org}/gifts/{id}/amend", GovernanceOrOwnPerson, g::amend, body b::amend_gift, "Amend an offer";
    Post "/api/v1/orgs/{org}/gifts/{id}/withdraw", GovernanceOrOwnPerson, g::withdraw, body b::versioned_reason, "Withdraw an offer recorded in error";
    Post "/api/v1/orgs/{org}/gifts/{id}/withhold", Governance, g::withhold, body b::versioned_reason, "Withhold an offer from publication, with a reason";
    Post "/api/v1/orgs/{org}/gifts/{id}/release", Governance, g::release, body b::versioned, "Publish a withheld offer again";
    Post "/api/v1/orgs/{org}/gifts/{id}/accept", Governance, g::accept, body b::accept_version, "Accept a declarant's submitted version: it is published";
    Post "/api/v1/orgs/{org}/gifts/{id}/return", Governance, g::return_for_changes, body b::return_version, "Return a declarant's submitted version for changes, with a comment";

    Post "/api/v1/orgs/{org}/nil-returns", GovernanceOrOwnPerson, returns::nil_return, body b::new_return, "Record a nil return";
    Post "/api/v1/orgs/{org}/confirmations", GovernanceOrOwnPerson, returns::confirmation, body b::new_return, "Record an annual confirmation";
    Post "/api/v1/orgs/{org}/returns/{id}/accept", Governance, returns::accept, body b::accept_return, "Accept a declarant's nil return or confirmation";
    Post "/api/v1/orgs/{org}/returns/{id}/return", Governance, returns::return_for_changes, body b::return_return, "Return a declarant's nil return or confirmation, with a comment";

    Get  "/api/v1/orgs/{org}/committees", Public, cm::list, "Committees";
    Get  "/api/v1/orgs/{org}/committees/{slug}", Public, cm::show, "A committee, its membership and meetings";
    Get  "/api/v1/orgs/{org}/meetings/{id}", Public, cm::show_meeting, "A meeting and its items";
    Get  "/api/v1/orgs/{org}/items/{id}", Public, cm::show_item, "An agenda item";
    Post "/api/v1/orgs/{org}/committees", Governance, cm::create, body b::new_committee, "Constitute a committee";
    Post "/api/v1/orgs/{org}/committees/{slug}/amend", Governance, cm::amend, body b::amend_committee, "Amend a committee";
    Post "/api/v1/orgs/{org}/committees/{slug}/members", Governance, cm::add_members, body b::add_members, "Add members to a committee";
    Post "/api/v1/orgs/{org}/committees/{slug}/members/{id}/amend", Governance, cm::amend_member, body b::amend_member, "Amend a membership";
    Post "/api/v1/orgs/{org}/committees/{slug}/members/{id}/end", Governance, cm::end_member, body b::end_member, "End a membership";
    Post "/api/v1/orgs/{org}/committees/{slug}/meetings", Governance, cm::create_meeting, body b::new_meeting, "Record a meeting";
    Post "/api/v1/orgs/{org}/meetings/{id}/amend", Governance, cm::amend_meeting, body b::amend_meeting, "Amend a meeting";
    Post "/api/v1/orgs/{org}/meetings/{id}/items", Governance, cm::create_item, body b::new_item, "Add an agenda item";
    Post "/api/v1/orgs/{org}/items/{id}/amend", Governance, cm::amend_item, body b::amend_item, "Amend an agenda item";
    Post "/api/v1/orgs/{org}/items/{id}/outcome", Governance, cm::record_outcome, body b::item_outcome, "Record an item's outcome";

    Get  "/api/v1/orgs/{org}/decisions", Public, pd::list, "Procurement decisions";
    Get  "/api/v1/orgs/{org}/decisions/{reference}", Public, pd::show, "One procurement decision";
    Post "/api/v1/orgs/{org}/decisions", Governance, pd::create, body b::new_decision, "Record a procurement decision";
    Post "/api/v1/orgs/{org}/decisions/{reference}/amend", Governance, pd::amend, body b::amend_decision, "Amend a procurement decision";
    Post "/api/v1/orgs/{org}/decisions/{reference}/withdraw", Governance, pd::withdraw, body b::versioned_reason, "Withdraw a procurement decision";
    Get  "/api/v1/orgs/{org}/breaches", Public, pd::list_breaches, "Breaches (anonymised unless governance or auditor)";
    Post "/api/v1/orgs/{org}/breaches", Governance, pd::create_breach, body b::new_breach, "Record a breach";
    Post "/api/v1/orgs/{org}/breaches/{id}/amend", Governance, pd::amend_breach, body b::amend_breach, "Amend a breach";
    Get  "/api/v1/orgs/{org}/gp-earnings", Public, ge::list, "The register of GP earnings: each practice's figure for each financial year";
    Get  "/api/v1/orgs/{org}/gp-earnings/{id}", Public, ge::show, "One practice's GP earnings for one financial year";
    Post "/api/v1/orgs/{org}/gp-earnings", Governance, ge::create, body b::new_gp_earnings, "Record a practice's GP earnings for a financial year";
    Post "/api/v1/orgs/{org}/gp-earnings/{id}/amend", Governance, ge::amend, body b::amend_gp_earnings, "Amend a practice's GP earnings";
    Post "/api/v1/orgs/{org}/gp-earnings/{id}/withdraw", Governance, ge::withdraw, body b::versioned_reason, "Withdraw GP earnings entered in error";

    Post "/api/v1/orgs/{org}/editions", Governance, ed::create, body b::new_edition, "Publish an edition: the registers frozen as at a past day, bound to a signed checkpoint";

    Get  "/api/v1/orgs/{org}/audit/head", Public, audit::head, "The chain head";
    Get  "/api/v1/orgs/{org}/audit/entries", Public, audit::entries, query b::entries_query, "Chain entries (withheld payloads for governance, auditors)";
    Get  "/api/v1/orgs/{org}/audit/checkpoints", Public, audit::checkpoints, "Every signed checkpoint";
    Get  "/api/v1/orgs/{org}/audit/proof/inclusion", Public, audit::inclusion, query b::inclusion_query, "RFC 6962 inclusion proof";
    Get  "/api/v1/orgs/{org}/audit/proof/consistency", Public, audit::consistency, query b::consistency_query, "RFC 6962 consistency proof";
}

/// Every route the service answers besides the generated site's files.
pub fn table() -> &'static [RouteSpec] {
    ROUTES
}

/// Register every route, and the generated site's files (served from `site`) behind them.
pub fn configure(cfg: &mut web::ServiceConfig, site: web::Data<super::static_files::Site>) {
    for spec in ROUTES {
        let (access, page) = (spec.access, spec.is_page());
        let route = (spec.handler)(spec.method.route()).wrap(from_fn(move |req, next| {
            access::enforce(access, page, req, next)
        }));
        cfg.route(spec.path, route);
    }
    // Anything else under the API is a JSON 405 (a route's path, another method) or 404;
    // anything else at all, the site's files.
    cfg.service(web::scope("/api/v1").default_service(web::to(super::limits::api_fallback)));
    cfg.app_data(site)
        .default_service(web::to(super::static_files::serve));
}
