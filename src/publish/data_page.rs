//! The page that describes every open data file an organisation publishes,
//! `/<org>/data/`: each file, its format, and what each column means.

use super::business::Ctx;
use super::exports;
use super::ocds::{FILE, LICENCE_NAME, LICENCE_URL, OCID_PREFIX, PROCUREMENT_METHODS};
use crate::domain::decisions::{route_label, ServiceStatus, ROUTES};
use serde_json::{json, Value};

/// What each column of the interests export means.
pub(super) const INTEREST_MEANINGS: [(&str, &str); 15] = [
    ("id", "The declaration's number in this register. It stays the same when the declaration is amended or ends."),
    ("version", "Which version of the declaration this row is: 1 when first declared, one more for each amendment. Only the current version is listed; earlier ones are in the audit log."),
    ("person", "The name of the person who declared the interest."),
    ("person_slug", "The person's identifier in this register: their page is /ORG/interests/ followed by it."),
    ("position", "The person's role at the organisation, as declared."),
    ("interest_type", "The type of interest, one of the four in NHS England's guidance: financial, non_financial_professional, non_financial_personal or indirect (an interest of a close associate)."),
    ("associate", "For an indirect interest, who the associate is (for example, spouse). Empty for other types."),
    ("description", "What the interest is, in the declarant's words (plain text here; the JSON keeps the original Markdown)."),
    ("body", "The organisation or body the interest concerns."),
    ("arose_on", "The date the interest arose (YYYY-MM-DD)."),
    ("ended_on", "The date the interest ended (YYYY-MM-DD); empty while it continues."),
    ("declared_on", "The date the interest was declared (YYYY-MM-DD)."),
    ("days_late", "How many days after the deadline (DAYS days after the interest arose) the interest was declared; empty when declared in time."),
    ("mitigation", "The action taken to manage the interest, if any."),
    ("audit_seq", "The number (seq) of the audit log entry that recorded this version: the entry, and its hash, are in audit/chain.jsonl."),
];

/// What each column of the gifts and hospitality export means.
pub(super) const GIFT_MEANINGS: [(&str, &str); 16] = [
    ("id", "The entry's number in this register. It stays the same when the entry is amended."),
    ("version", "Which version of the entry this row is: 1 when first recorded, one more for each amendment."),
    ("person", "The name of the person the offer was made to."),
    ("person_slug", "The person's identifier in this register: their page is /ORG/interests/ followed by it."),
    ("position", "The person's role at the organisation."),
    ("giver", "Who made the offer."),
    ("giver_is_supplier", "true when the giver is a supplier or contractor of the organisation (or may become one), otherwise false."),
    ("kind", "What was offered: gift, hospitality or cash_or_voucher."),
    ("description", "What was offered, in words (plain text here; the JSON keeps the original Markdown)."),
    ("value_pence", "The offer's value in pence, a whole number (2500 is £25.00)."),
    ("offered_on", "The date of the offer (YYYY-MM-DD)."),
    ("outcome", "accepted or declined."),
    ("approved_by", "Who approved accepting the offer, where the organisation's policy needs approval in advance; empty otherwise."),
    ("declared_on", "The date the offer was declared (YYYY-MM-DD)."),
    ("declaration_required", "true when the organisation's thresholds require the offer to be declared; false when it was declared although below them."),
    ("audit_seq", "The number (seq) of the audit log entry that recorded this version, in audit/chain.jsonl."),
];

/// What each column of the procurement decisions export means.
pub(super) const DECISION_MEANINGS: [(&str, &str); 24] = [
    ("reference", "The organisation's reference for the decision: its page is /ORG/decisions/ followed by the reference in lower case."),
    ("title", "The decision's title."),
    ("service_description", "A description of the service commissioned (plain text here; the JSON keeps the original Markdown)."),
    ("service_status", "existing for a service already provided, new for a new service."),
    ("route", "How the contract was procured, a code: ROUTES."),
    ("clinical_lead", "The clinical lead for the service, if named."),
    ("contract_manager", "The contract manager, if named."),
    ("decided_on", "The date the decision was made (YYYY-MM-DD)."),
    ("committee", "The committee that made the decision; empty when no committee item took it (see how_decided)."),
    ("meeting_date", "The date of that committee's meeting (YYYY-MM-DD); the meeting's page is under the committee's, at meetings/ followed by the date."),
    ("item_number", "The agenda item at that meeting."),
    ("how_decided", "Who made the decision and how, where no committee item records it."),
    ("conflicts", "The conflicts of interest declared for the item, each with the person, the nature of the interest and the chair's decision (left the room, stayed but did not vote, or took part); or, without an item, the organisation's note on conflicts."),
    ("quorum", "Whether the item was quorate once conflicted members were excluded, with the numbers, as recorded at the meeting."),
    ("justification", "Why the decision was made this way (plain text here; the JSON keeps the original Markdown)."),
    ("supplier", "The provider awarded the contract, if named."),
    ("value_pence", "The contract's value in pence, a whole number (125000000 is £1,250,000.00)."),
    ("term_months", "The contract's term in months, if set."),
    ("starts_on", "The date the contract starts (YYYY-MM-DD), if set."),
    ("comments", "Anything else recorded about the decision (plain text here; the JSON keeps the original Markdown)."),
    ("status", "current, or withdrawn for a decision withdrawn since (recorded in error, or rescinded); withdrawn decisions stay in the register."),
    ("withdrawn_reason", "Why a withdrawn decision was withdrawn; empty for current decisions."),
    ("audit_seq", "The number (seq) of the audit log entry that recorded this version, in audit/chain.jsonl."),
    ("url", "The address of the decision's page."),
];

/// What each column of the breaches export means.
pub(super) const BREACH_MEANINGS: [(&str, &str); 7] = [
    ("id", "The breach's number in this record."),
    ("occurred_on", "The date the breach happened (YYYY-MM-DD)."),
    ("identified_on", "The date the breach came to light (YYYY-MM-DD)."),
    ("summary", "What happened, written for publication: nobody is named."),
    ("action_taken", "What the organisation did about it."),
    ("reported_to", "Where the breach was reported (for example the audit committee, NHS England or counter fraud), if anywhere."),
    ("audit_seq", "The number (seq) of the audit log entry that recorded the breach, in audit/chain.jsonl. The entry's payload is withheld where it names the person concerned."),
];

/// The fields of each line of the audit chain export.
pub(super) const CHAIN_FIELDS: [(&str, &str); 12] = [
    ("v", "The format's version, 1."),
    ("org", "The organisation's slug."),
    ("seq", "The entry's number: 1 for the first, one more for each entry after it, with no gaps."),
    ("at", "When the change was recorded (RFC 3339, UTC)."),
    ("actor", "The account that made the change."),
    ("action", "What was done: create, amend, end, withhold, release, withdraw, and so on."),
    ("entity", "The kind of record changed: person, declaration, gift, nil_return, confirmation, committee, membership, meeting, item, decision, breach, gp_earnings, organisation."),
    ("entity_id", "The record's identifier (as in the exports' id columns)."),
    ("payload_sha256", "The SHA-256 of the payload in canonical JSON (RFC 8785), in hex."),
    ("prev", "The previous entry's entry_sha256 (64 zeros for the first entry)."),
    ("entry_sha256", "The SHA-256 of this entry's canonical header (all the fields above), in hex: the next entry's prev."),
    ("payload", "The record after the change, or null where it is withheld from the public (its hashes still bind it)."),
];

/// Columns with the meanings given, in the export's order; a column without a meaning
/// (one added to an export and not yet described here) shows as such rather than
/// failing the publish, and a unit test keeps the two lists in step.
fn columns(names: &[&str], meanings: &[(&str, &str)], fill: &dyn Fn(&str) -> String) -> Vec<Value> {
    names
        .iter()
        .map(|name| {
            let meaning = meanings
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, m)| fill(m))
                .unwrap_or_else(|| "Not yet described.".to_owned());
            json!({"name": name, "meaning": meaning})
        })
        .collect()
}

fn file(slug: &str, name: &str, format: &str) -> Value {
    json!({"href": format!("/{slug}/data/{name}"), "name": name, "format": format})
}

/// The data for `templates/data.hbs`: each open data file with its columns, the feeds,
/// the OCDS mapping, the licence.
pub fn data_page(ctx: &Ctx) -> Value {
    let s = ctx.v.snapshot;
    let slug = s.org.slug.as_str();
    let routes: Vec<String> = ROUTES
        .iter()
        .map(|(code, label)| format!("{code} ({label})"))
        .collect();
    let routes = routes.join(", ");
    let days = s.org.settings.declare_within_days.to_string();
    let fill = |m: &str| {
        m.replace("ORG", slug)
            .replace("DAYS", &days)
            .replace("ROUTES", &routes)
    };
    let registers = [
        (
            "interests",
            "Register of interests",
            "Every published declaration of interest by the organisation's decision-making staff, current version, one row each. Ended interests stay for the organisation's set number of months; withheld and withdrawn entries are left out.",
            &exports::INTEREST_COLUMNS[..],
            &INTEREST_MEANINGS[..],
        ),
        (
            "gifts",
            "Register of gifts and hospitality",
            "Every published offer of gifts or hospitality to decision-making staff, accepted or declined, current version, one row each.",
            &exports::GIFT_COLUMNS[..],
            &GIFT_MEANINGS[..],
        ),
        (
            "decisions",
            "Register of procurement decisions",
            "Every key decision on commissioning a service, one row each, with the committee item that took it and the conflicts and quorum recorded there. Withdrawn decisions stay, marked as such.",
            &exports::DECISION_COLUMNS[..],
            &DECISION_MEANINGS[..],
        ),
        (
            "breaches",
            "Breaches of the conflicts of interest policy",
            "Each recorded breach, anonymised: the person concerned is never included.",
            &exports::BREACH_COLUMNS[..],
            &BREACH_MEANINGS[..],
        ),
        (
            super::earnings::REGISTER,
            "Register of GP earnings",
            "For each GP practice in the area and each financial year, the mean net earnings of its GPs and how many full-time and part-time GPs the figure covers, as the practice published them. Figures withdrawn as entered in error are left out.",
            &super::earnings::COLUMNS[..],
            &super::earnings::MEANINGS[..],
        ),
    ];
    let datasets: Vec<Value> = registers
        .iter()
        .map(|(id, title, about, names, meanings)| {
            json!({
                "id": id, "title": title, "about": about,
                "files": [file(slug, &format!("{id}.csv"), "CSV"), file(slug, &format!("{id}.json"), "JSON")],
                "columns": columns(names, meanings, &fill),
            })
        })
        .collect();
    let methods: Vec<Value> = PROCUREMENT_METHODS
        .iter()
        .map(|(route, method)| {
            json!({"route": route, "label": route_label(route), "method": method.unwrap_or("(not given)")})
        })
        .collect();
    let mut feeds = vec![
        json!({"href": format!("/{slug}/feeds/all.xml"), "title": "All changes", "about": "Every change to every register, newest first."}),
        json!({"href": format!("/{slug}/feeds/interests.xml"), "title": "Register of interests", "about": "Declarations, nil returns and annual confirmations."}),
        json!({"href": format!("/{slug}/feeds/gifts.xml"), "title": "Register of gifts and hospitality", "about": "Offers of gifts and hospitality."}),
        json!({"href": format!("/{slug}/feeds/decisions.xml"), "title": "Register of procurement decisions", "about": "Procurement decisions recorded, amended or withdrawn."}),
        json!({"href": format!("/{slug}/feeds/gp-earnings.xml"), "title": "Register of GP earnings", "about": "GP practices' earnings figures recorded, amended or withdrawn."}),
    ];
    let mut committees: Vec<_> = ctx.b.committees.iter().collect();
    committees.sort_by(|a, b| a.record.name.cmp(&b.record.name));
    for c in committees {
        feeds.push(json!({
            "href": format!("/{slug}/feeds/committees/{}.xml", c.record.slug),
            "title": c.record.name,
            "about": "The committee's membership, meetings, agenda items with their conflicts and outcomes, and the decisions taken at them.",
        }));
    }
    json!({
        "datasets": datasets,
        "ocds": {
            "href": format!("/{slug}/{FILE}"),
            "prefix": OCID_PREFIX,
            "methods": methods,
            "service_status": ServiceStatus::CODES,
        },
        "chain": {
            "href": format!("/{slug}/audit/chain.jsonl"),
            "fields": columns(&CHAIN_FIELDS.map(|(n, _)| n), &CHAIN_FIELDS, &fill),
        },
        "feeds": feeds,
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
    })
}
