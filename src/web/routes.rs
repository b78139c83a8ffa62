//! Every URL the service answers, in one place. Who may use each is stated beside it:
//! "public" needs no token; otherwise the roles named (admin counts as governance).

use super::api;
use actix_web::web;
use std::path::PathBuf;

pub fn configure(cfg: &mut web::ServiceConfig, site_dir: PathBuf) {
    use api::{
        audit, committees as cm, decisions as pd, declarations as d, gifts as g, orgs, people,
        returns,
    };
    cfg.service(
        web::scope("/api/v1")
            // public
            .route("/orgs", web::get().to(orgs::list))
            .route("/orgs/{org}", web::get().to(orgs::show))
            // public: decision-making people; governance, auditor: everyone
            .route("/orgs/{org}/people", web::get().to(people::list))
            .route("/orgs/{org}/people/{slug}", web::get().to(people::show))
            // governance
            .route("/orgs/{org}/people", web::post().to(people::create))
            .route(
                "/orgs/{org}/people/{slug}/amend",
                web::post().to(people::amend),
            )
            // public: published entries; governance, auditor: all; declarant: their own
            .route("/orgs/{org}/declarations", web::get().to(d::list))
            .route("/orgs/{org}/declarations/{id}", web::get().to(d::show))
            .route(
                "/orgs/{org}/declarations/{id}/versions",
                web::get().to(d::versions),
            )
            // governance; declarant for their own person
            .route("/orgs/{org}/declarations", web::post().to(d::create))
            .route(
                "/orgs/{org}/declarations/{id}/amend",
                web::post().to(d::amend),
            )
            .route("/orgs/{org}/declarations/{id}/end", web::post().to(d::end))
            .route(
                "/orgs/{org}/declarations/{id}/withdraw",
                web::post().to(d::withdraw),
            )
            // governance
            .route(
                "/orgs/{org}/declarations/{id}/withhold",
                web::post().to(d::withhold),
            )
            .route(
                "/orgs/{org}/declarations/{id}/release",
                web::post().to(d::release),
            )
            // public: published offers; governance, auditor: all; declarant: their own
            .route("/orgs/{org}/gifts", web::get().to(g::list))
            .route("/orgs/{org}/gifts/{id}", web::get().to(g::show))
            // governance; declarant for their own person
            .route("/orgs/{org}/gifts", web::post().to(g::create))
            .route("/orgs/{org}/gifts/{id}/amend", web::post().to(g::amend))
            .route(
                "/orgs/{org}/gifts/{id}/withdraw",
                web::post().to(g::withdraw),
            )
            // governance
            .route(
                "/orgs/{org}/gifts/{id}/withhold",
                web::post().to(g::withhold),
            )
            .route("/orgs/{org}/gifts/{id}/release", web::post().to(g::release))
            // governance; declarant for their own person
            .route(
                "/orgs/{org}/nil-returns",
                web::post().to(returns::nil_return),
            )
            .route(
                "/orgs/{org}/confirmations",
                web::post().to(returns::confirmation),
            )
            // public: committees, membership, meetings, items (minutes are public)
            .route("/orgs/{org}/committees", web::get().to(cm::list))
            .route("/orgs/{org}/committees/{slug}", web::get().to(cm::show))
            .route("/orgs/{org}/meetings/{id}", web::get().to(cm::show_meeting))
            .route("/orgs/{org}/items/{id}", web::get().to(cm::show_item))
            // governance
            .route("/orgs/{org}/committees", web::post().to(cm::create))
            .route(
                "/orgs/{org}/committees/{slug}/amend",
                web::post().to(cm::amend),
            )
            .route(
                "/orgs/{org}/committees/{slug}/members",
                web::post().to(cm::add_members),
            )
            .route(
                "/orgs/{org}/committees/{slug}/members/{id}/amend",
                web::post().to(cm::amend_member),
            )
            .route(
                "/orgs/{org}/committees/{slug}/members/{id}/end",
                web::post().to(cm::end_member),
            )
            .route(
                "/orgs/{org}/committees/{slug}/meetings",
                web::post().to(cm::create_meeting),
            )
            .route(
                "/orgs/{org}/meetings/{id}/amend",
                web::post().to(cm::amend_meeting),
            )
            .route(
                "/orgs/{org}/meetings/{id}/items",
                web::post().to(cm::create_item),
            )
            .route(
                "/orgs/{org}/items/{id}/amend",
                web::post().to(cm::amend_item),
            )
            .route(
                "/orgs/{org}/items/{id}/outcome",
                web::post().to(cm::record_outcome),
            )
            // public
            .route("/orgs/{org}/decisions", web::get().to(pd::list))
            .route("/orgs/{org}/decisions/{reference}", web::get().to(pd::show))
            // governance
            .route("/orgs/{org}/decisions", web::post().to(pd::create))
            .route(
                "/orgs/{org}/decisions/{reference}/amend",
                web::post().to(pd::amend),
            )
            .route(
                "/orgs/{org}/decisions/{reference}/withdraw",
                web::post().to(pd::withdraw),
            )
            // public, anonymised; governance, auditor: with the person
            .route("/orgs/{org}/breaches", web::get().to(pd::list_breaches))
            // governance
            .route("/orgs/{org}/breaches", web::post().to(pd::create_breach))
            .route(
                "/orgs/{org}/breaches/{id}/amend",
                web::post().to(pd::amend_breach),
            )
            // public (payloads of unpublished records only for governance, auditor)
            .route("/orgs/{org}/audit/head", web::get().to(audit::head))
            .route("/orgs/{org}/audit/entries", web::get().to(audit::entries))
            .route(
                "/orgs/{org}/audit/checkpoints",
                web::get().to(audit::checkpoints),
            )
            .route(
                "/orgs/{org}/audit/proof/inclusion",
                web::get().to(audit::inclusion),
            )
            .route(
                "/orgs/{org}/audit/proof/consistency",
                web::get().to(audit::consistency),
            )
            .default_service(web::to(api::not_found)),
    );
    // public: the generated site
    cfg.route("/healthz", web::get().to(api::health));
    cfg.service(
        actix_files::Files::new("/", site_dir)
            .index_file("index.html")
            .redirect_to_slash_directory()
            .default_handler(web::to(api::page_not_found)),
    );
}
