//! Feed items about committee business, procurement decisions and breaches: what each
//! entry recorded, told from its own payload, with a meeting's or item's correction and
//! a decision's quorum evidence.

use super::verb;
use crate::audit::ChainEntry;
use crate::domain::committees::{Attendance, Committee, Item, ItemOutcome, Meeting, Membership};
use crate::domain::decisions::{route_label, Breach, Decision};
use crate::domain::earnings::GpEarnings;
use crate::domain::money::Pence;
use crate::publish::business::{CorrectionView, Ctx};
use crate::publish::views::long_date;
use handlebars::html_escape as esc;
use serde_json::Value;

/// The correction entry `seq` recorded, if it was one, as HTML: "Corrected on <date>:
/// <reason>" and each change.
fn corrected(corrections: Vec<CorrectionView>, seq: i64) -> Option<String> {
    let c = corrections.into_iter().find(|c| c.audit_seq == seq)?;
    let changes: String = c
        .changes
        .iter()
        .map(|ch| format!("<li>{}</li>", esc(ch)))
        .collect();
    Some(format!(
        "<p>Corrected on {}: {}.</p><ul>{changes}</ul>",
        esc(&c.date),
        esc(c.reason.as_deref().unwrap_or("no reason was recorded"))
    ))
}

/// A decided item's quorum evidence as HTML: as recorded with the decision (or today's,
/// labelled, for a decision recorded before evidence was kept), and the refusal a
/// correction before the decision overcame.
fn evidence_html(ctx: &Ctx, item: &Item, id: i64) -> String {
    let mut html = ctx
        .evidence_summary(item)
        .map(|s| format!("<p>{}</p>", esc(&s)))
        .unwrap_or_default();
    let evidence = ctx.item(id).and_then(|now| ctx.item_evidence(now));
    if let Some((before, c)) = evidence.and_then(|e| e.before_correction.zip(e.correction)) {
        html.push_str(&format!(
            "<p>As first recorded, before the correction of {}, not quorate: {}. Corrected: {}.</p>",
            esc(&c.date),
            esc(&before.failures.join("; ")),
            esc(c.reason.as_deref().unwrap_or("no reason was recorded"))
        ));
    }
    html
}

fn payload<T: serde::de::DeserializeOwned>(p: &Value) -> Option<T> {
    serde_json::from_value(p.clone()).ok()
}

/// Title, absolute link and HTML description of an entry about committee business, a
/// procurement decision or a breach; `None` for other entities. Titles state what the
/// entry recorded, from its own payload; links go to where the record is now.
pub(super) fn describe(
    ctx: &Ctx,
    e: &ChainEntry,
    p: &Value,
    base: &str,
) -> Option<(String, String, String)> {
    let h = &e.header;
    let id: i64 = h.entity_id.parse().ok()?;
    let org = ctx.org();
    let verb = verb(&h.action);
    let committee_name = |cid: i64| {
        ctx.committee(cid)
            .map(|c| c.record.name.clone())
            .unwrap_or_else(|| format!("Committee {cid}"))
    };
    let committee_link = |cid: i64| match ctx.committee(cid) {
        Some(c) => format!("{base}{}", ctx.committee_href(&c.record)),
        None => format!("{base}/{org}/committees/"),
    };
    let described = match h.entity.as_str() {
        "committee" => {
            let c: Committee = payload(p)?;
            (
                format!("Committee {verb}: {}", c.name),
                committee_link(id),
                format!("<p>Quorum: {}.</p>", esc(&c.quorum.describe())),
            )
        }
        "membership" => {
            let m: Membership = payload(p)?;
            let mb = &m.member;
            let who = ctx.name(mb.person_id, &mb.name);
            let committee = committee_name(m.committee_id);
            let title = match h.action.as_str() {
                "create" => format!(
                    "Member appointed to {committee}: {who} ({}, {})",
                    mb.category.label().to_lowercase(),
                    mb.role.label().to_lowercase()
                ),
                _ => format!("Membership {verb}: {who}, {committee}"),
            };
            let description = format!(
                "<p>{}, {}, {}; from {}{}.</p>",
                esc(mb.category.label()),
                if mb.votes() { "voting" } else { "non-voting" },
                esc(&mb.role.label().to_lowercase()),
                long_date(mb.from),
                mb.to
                    .map(|t| format!(" to {}", long_date(t)))
                    .unwrap_or_default()
            );
            (title, committee_link(m.committee_id), description)
        }
        "meeting" => {
            let m: Meeting = payload(p)?;
            let committee = committee_name(m.committee_id);
            let date = long_date(m.held_on);
            let correction = corrected(ctx.meeting_corrections(id), h.seq);
            let title = match (h.action.as_str(), &correction) {
                ("create", _) => format!("Meeting recorded: {committee}, {date}"),
                (_, Some(_)) => format!("Meeting record corrected: {committee}, {date}"),
                _ => format!("Meeting record {verb}: {committee}, {date}"),
            };
            let link = ctx
                .meeting(id)
                .and_then(|now| ctx.meeting_href(&now.record))
                .map(|href| format!("{base}{href}"))
                .unwrap_or_else(|| committee_link(m.committee_id));
            let count = |a: Attendance| m.attendance.iter().filter(|(_, s)| *s == a).count();
            let description = format!(
                "{}<p>{} present, {} sent apologies, {} co-opted.</p>",
                correction.unwrap_or_default(),
                count(Attendance::Present),
                count(Attendance::Apologies),
                m.co_opted.len()
            );
            (title, link, description)
        }
        "item" => {
            let item: Item = payload(p)?;
            let meeting = ctx.meeting(item.meeting_id);
            let at = match meeting {
                Some(m) => format!(
                    " ({}, {})",
                    committee_name(m.record.committee_id),
                    long_date(m.record.held_on)
                ),
                None => String::new(),
            };
            let (n, t) = (&item.number, &item.title);
            let k = item.conflicts.len();
            let correction = corrected(ctx.item_corrections(id), h.seq);
            let title = match (h.action.as_str(), &item.outcome) {
                ("amend", _) if correction.is_some() => {
                    format!("Conflicts on item {n} corrected: {t}{at}")
                }
                ("outcome", ItemOutcome::Decided { .. }) => format!("Item {n} decided: {t}{at}"),
                ("outcome", ItemOutcome::Deferred { .. }) => format!("Item {n} deferred: {t}{at}"),
                ("outcome", ItemOutcome::Referred { referred_to, .. }) => {
                    format!("Item {n} referred to {referred_to}: {t}{at}")
                }
                ("create", _) if k == 1 => format!("Conflict declared on item {n}: {t}{at}"),
                ("create", _) if k > 1 => format!("{k} conflicts declared on item {n}: {t}{at}"),
                _ => format!("Item {n} {verb}: {t}{at}"),
            };
            let link = ctx
                .item(id)
                .and_then(|now| ctx.item_href(&now.record))
                .or_else(|| meeting.and_then(|m| ctx.meeting_href(&m.record)))
                .map(|href| format!("{base}{href}"))
                .unwrap_or_else(|| format!("{base}/{org}/committees/"));
            let mut description = correction.unwrap_or_default();
            description.push_str(&crate::publish::markdown::to_html(&item.description));
            if k > 0 {
                description.push_str("<p>Conflicts declared:</p><ul>");
                for c in ctx.conflicts(&item) {
                    description.push_str(&format!(
                        "<li>{} ({}): {}</li>",
                        esc(&c.person.name),
                        esc(&c.nature),
                        esc(c.decision)
                    ));
                }
                description.push_str("</ul>");
            }
            match &item.outcome {
                ItemOutcome::Open => {}
                ItemOutcome::Decided { decision, .. } => {
                    description.push_str(&format!("<p>Decision: {}</p>", esc(decision)));
                    description.push_str(&evidence_html(ctx, &item, id));
                }
                ItemOutcome::Deferred { reason } => {
                    description.push_str(&format!("<p>Deferred: {}</p>", esc(reason)))
                }
                ItemOutcome::Referred {
                    referred_to,
                    reason,
                } => description.push_str(&format!(
                    "<p>Referred to {}: {}</p>",
                    esc(referred_to),
                    esc(reason)
                )),
            }
            (title, link, description)
        }
        "decision" => {
            let d: Decision = payload(p)?;
            let f = &d.fields;
            let title = format!("Procurement decision {verb}: {}, {}", f.reference, f.title);
            let link = match ctx.decision(id) {
                Some(now) => format!("{base}{}", ctx.decision_href(&now.record)),
                None => format!("{base}/{org}/decisions/"),
            };
            let mut description = format!(
                "<p>{}. Decided {}. Value {}{}.</p>",
                esc(route_label(&f.route)),
                long_date(f.decided_on),
                Pence(f.value_pence),
                f.supplier
                    .as_deref()
                    .map(|s| format!(", awarded to {}", esc(s)))
                    .unwrap_or_default()
            );
            if let Some(reason) = &d.withdrawn_reason {
                description.push_str(&format!("<p>Withdrawn: {}</p>", esc(reason)));
            }
            (title, link, description)
        }
        "gp_earnings" => {
            let g: GpEarnings = payload(p)?;
            let f = &g.fields;
            let title = format!(
                "GP earnings {verb}: {} ({}), {}",
                f.practice_name, f.ods_code, f.financial_year
            );
            let mut description = format!(
                "<p>Mean net earnings {} per GP, covering {}.</p>",
                f.mean_earnings(),
                f.gps_covered()
            );
            if let Some(reason) = &g.withdrawn_reason {
                description.push_str(&format!("<p>Withdrawn: {}</p>", esc(reason)));
            }
            (title, format!("{base}/{org}/gp-earnings/"), description)
        }
        "breach" => {
            // Reached only for a breach whose entry names nobody (see Visible::entry_is_public);
            // even so, the person field is never read here.
            let b: Breach = payload(p)?;
            (
                format!(
                    "Breach of the conflicts policy {verb} (occurred {})",
                    long_date(b.occurred_on)
                ),
                format!("{base}/{org}/breaches/#breach-{id}"),
                format!(
                    "<p>{}</p><p>Action taken: {}</p>",
                    esc(&b.summary),
                    esc(&b.action_taken)
                ),
            )
        }
        _ => return None,
    };
    Some(described)
}
