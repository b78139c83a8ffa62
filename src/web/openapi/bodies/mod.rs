//! The request bodies and query parameters of the API's routes, one function each, named
//! beside its route in [`crate::web::routes`]. Each is written from the constants of the
//! parser that reads it, so a limit changes in one place. Rules JSON Schema cannot state
//! (an existing person, a date not in the future, the organisation's thresholds, the
//! current version) are said in the descriptions; the service answers them with 422
//! (409 for a stale version).

use super::schema::{
    amend, count, date, described, flag, id, object, one_of, opt_date, opt_nonempty_text, opt_text,
    pence, text, version,
};
use crate::domain::committees::MemberCategory;
use crate::domain::committees::LONG_TEXT;
use crate::domain::decisions::{
    BreachInput, DecisionFields, ServiceStatus, MAX_CONTRACT_VALUE_PENCE as MAX_DECISION_PENCE,
    ROUTES,
};
use crate::domain::earnings::{GpEarningsFields, MAX_EARNINGS_PENCE};
use crate::domain::editions::EditionKind;
use crate::domain::entries::StandingChange;
use crate::domain::gifts::{GiftFields, GiftKind, Outcome as GiftOutcome, MAX_VALUE_PENCE};
use crate::domain::interests::{DeclarationFields, InterestType, MAX_DESCRIPTION};
use crate::domain::people::{PersonFields, PersonStanding};
use crate::domain::returns::Return;
use crate::domain::validation::MAX_PERSON_REF;
use crate::web::api::MAX_PERSON_SLUG;
use serde_json::{json, Value};

mod committees;
mod queries;

pub use committees::{
    add_members, amend_committee, amend_item, amend_meeting, amend_member, end_member,
    item_outcome, new_committee, new_item, new_meeting,
};
pub use queries::{
    consistency_query, declarations_query, entries_query, gifts_query, inclusion_query,
};

type Fields = Vec<(&'static str, Value)>;

/// Dates a change records as past (declared, offered, made, occurred) may not be later
/// than today.
const NOT_FUTURE: &str = "YYYY-MM-DD, from 1900-01-01 and not after today";

fn past_date() -> Value {
    described(date(), NOT_FUTURE)
}

fn opt_past_date() -> Value {
    described(opt_date(), NOT_FUTURE)
}

/// The voting categories: a quorum may require them, and co-opted members hold them.
fn voting_categories() -> Vec<&'static str> {
    MemberCategory::CODES
        .iter()
        .copied()
        .filter(|c| *c != "observer")
        .collect()
}

/// Required when `field` holds `value`.
fn required_when(field: &str, value: &str, then: Value) -> Value {
    json!({"if": {"required": [field], "properties": {field: {"const": value}}}, "then": then})
}

fn with_rules(mut schema: Value, rules: Vec<Value>) -> Value {
    schema["allOf"] = json!(rules);
    schema
}

fn reason() -> (&'static str, Value) {
    ("reason", text(StandingChange::MAX_REASON))
}

/// The slug of the person a new entry is for (a declarant's own).
fn entry_person() -> (&'static str, Value) {
    (
        "person",
        described(
            text(MAX_PERSON_SLUG),
            "The slug of an existing person the entry is for (a declarant's own)",
        ),
    )
}

fn person_fields() -> Fields {
    vec![
        ("name", text(PersonFields::MAX_NAME)),
        ("position", text(PersonFields::MAX_POSITION)),
        ("decision_making", flag()),
    ]
}

/// `POST …/people`
pub fn new_person() -> Value {
    let mut fields = person_fields();
    fields.push((
        "confirm_similar",
        described(
            flag(),
            "true to add the person although someone in use has the same or a very similar name (case, titles, punctuation and accents folded); without it such a person is refused with 422, the similar people named in the problem",
        ),
    ));
    object(&fields, &["name", "position"], true)
}

/// `POST …/people/{slug}/retire`: a record added by mistake, with no current entries.
pub fn retire_person() -> Value {
    object(
        &[("version", version()), person_reason()],
        &["version", "reason"],
        true,
    )
}

/// `POST …/people/{slug}/merge`: into the record of the person `into`.
pub fn merge_person() -> Value {
    object(
        &[
            ("version", version()),
            (
                "into",
                described(
                    text(MAX_PERSON_SLUG),
                    "The slug of the person in use whose record this one is merged into",
                ),
            ),
            person_reason(),
        ],
        &["version", "into", "reason"],
        true,
    )
}

fn person_reason() -> (&'static str, Value) {
    (
        "reason",
        described(
            text(PersonStanding::MAX_REASON),
            "Why the record is retired or merged; kept in the audit chain",
        ),
    )
}

/// `POST …/people/{slug}/amend`
pub fn amend_person() -> Value {
    amend(&person_fields())
}

fn declaration_fields() -> Fields {
    vec![
        ("position", opt_text(DeclarationFields::MAX_POSITION)),
        ("interest_type", one_of(&InterestType::CODES)),
        (
            "associate",
            described(
                opt_text(DeclarationFields::MAX_ASSOCIATE),
                "Who the associate is (e.g. spouse): required for an indirect interest, and only for one",
            ),
        ),
        ("description", text(MAX_DESCRIPTION)),
        ("body", text(DeclarationFields::MAX_BODY)),
        ("arose_on", date()),
        (
            "ended_on",
            described(opt_date(), "YYYY-MM-DD, not before `arose_on`"),
        ),
        ("declared_on", opt_past_date()),
        ("mitigation", text(DeclarationFields::MAX_MITIGATION)),
    ]
}

/// An associate is named for an indirect interest and for no other.
fn associate_rules() -> Vec<Value> {
    vec![
        required_when(
            "interest_type",
            "indirect",
            json!({"required": ["associate"], "properties": {"associate": text(DeclarationFields::MAX_ASSOCIATE)}}),
        ),
        json!({
            "if": {"required": ["interest_type"], "not": {"properties": {"interest_type": {"const": "indirect"}}}},
            "then": {"properties": {"associate": {"type": "null"}}},
        }),
    ]
}

/// `POST …/declarations`
pub fn new_declaration() -> Value {
    let mut fields = declaration_fields();
    fields.push(entry_person());
    fields.push((
        "withheld_reason",
        described(
            opt_nonempty_text(StandingChange::MAX_REASON),
            "Withhold the entry from publication at once, for this reason (governance only)",
        ),
    ));
    with_rules(
        object(
            &fields,
            &[
                "person",
                "interest_type",
                "description",
                "body",
                "arose_on",
                "mitigation",
            ],
            true,
        ),
        associate_rules(),
    )
}

/// `POST …/declarations/{id}/amend`
pub fn amend_declaration() -> Value {
    with_rules(amend(&declaration_fields()), associate_rules())
}

/// `POST …/declarations/{id}/end`
pub fn end_declaration() -> Value {
    object(
        &[
            ("version", version()),
            (
                "ended_on",
                described(date(), "YYYY-MM-DD, not before the interest arose"),
            ),
        ],
        &["version", "ended_on"],
        true,
    )
}

/// `withdraw` and `withhold`: the version and a reason.
pub fn versioned_reason() -> Value {
    object(
        &[("version", version()), reason()],
        &["version", "reason"],
        true,
    )
}

/// `release`: the version only.
pub fn versioned() -> Value {
    object(&[("version", version())], &["version"], true)
}

/// `accept` of a versioned entry.
pub fn accept_version() -> Value {
    review(true, false)
}

/// `return` of a versioned entry, with the comment for the declarant.
pub fn return_version() -> Value {
    review(true, true)
}

/// `accept` of a nil return or confirmation.
pub fn accept_return() -> Value {
    review(false, false)
}

/// `return` of a nil return or confirmation.
pub fn return_return() -> Value {
    review(false, true)
}

fn review(versioned: bool, comment: bool) -> Value {
    let mut props = vec![];
    let mut required = vec![];
    if versioned {
        props.push(("version", version()));
        required.push("version");
    }
    if comment {
        props.push(("comment", text(StandingChange::MAX_REASON)));
        required.push("comment");
    }
    object(&props, &required, true)
}

fn gift_fields() -> Fields {
    vec![
        ("giver", text(GiftFields::MAX_GIVER)),
        ("giver_is_supplier", flag()),
        ("kind", one_of(&GiftKind::CODES)),
        ("description", text(GiftFields::MAX_DESCRIPTION)),
        ("value_pence", pence(MAX_VALUE_PENCE)),
        ("offered_on", past_date()),
        (
            "outcome",
            described(
                one_of(&GiftOutcome::CODES),
                "Cash and vouchers are always declined; hospitality over the organisation's approval threshold, and a gift from a supplier or contractor over its limit, is accepted only with `approved_by`",
            ),
        ),
        ("approved_by", opt_text(GiftFields::MAX_APPROVED_BY)),
        ("declared_on", opt_past_date()),
    ]
}

/// Cash and vouchers are declined.
fn cash_rule() -> Vec<Value> {
    vec![required_when(
        "kind",
        "cash_or_voucher",
        json!({"properties": {"outcome": {"const": "declined"}}}),
    )]
}

/// `POST …/gifts`
pub fn new_gift() -> Value {
    let mut fields = gift_fields();
    fields.push(entry_person());
    with_rules(
        object(
            &fields,
            &[
                "person",
                "giver",
                "kind",
                "description",
                "value_pence",
                "offered_on",
                "outcome",
            ],
            true,
        ),
        cash_rule(),
    )
}

/// `POST …/gifts/{id}/amend`
pub fn amend_gift() -> Value {
    with_rules(amend(&gift_fields()), cash_rule())
}

/// `POST …/nil-returns` and `…/confirmations`
pub fn new_return() -> Value {
    object(
        &[
            (
                "person",
                described(
                    text(Return::MAX_PERSON),
                    "The slug of an existing person (a declarant's own); a nil return only for someone with no current declarations",
                ),
            ),
            ("made_on", opt_past_date()),
        ],
        &["person"],
        true,
    )
}

fn decision_fields() -> Fields {
    let routes: Vec<&str> = ROUTES.iter().map(|(c, _)| *c).collect();
    vec![
        (
            "reference",
            json!({"type": "string", "minLength": 1, "maxLength": DecisionFields::MAX_REFERENCE,
                   "pattern": "^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$", "not": {"pattern": "^[Pp][Aa][Gg][Ee]$"},
                   "description": "Letters and digits joined by hyphens, e.g. PCD-2026-014; not \"page\""}),
        ),
        ("title", text(DecisionFields::MAX_TITLE)),
        ("service_description", text(LONG_TEXT)),
        ("service_status", one_of(&ServiceStatus::CODES)),
        ("route", one_of(&routes)),
        ("clinical_lead", opt_text(DecisionFields::MAX_NAME)),
        ("contract_manager", opt_text(DecisionFields::MAX_NAME)),
        (
            "decided_on",
            described(
                opt_date(),
                "YYYY-MM-DD; the meeting's date if absent and `item` is given",
            ),
        ),
        (
            "item",
            described(id(), "The id of the agenda item the decision was taken on"),
        ),
        (
            "how_decided",
            described(
                opt_text(LONG_TEXT),
                "Who took the decision and how: required when no `item` is given",
            ),
        ),
        ("conflicts_note", opt_text(LONG_TEXT)),
        ("justification", text(LONG_TEXT)),
        ("supplier", opt_text(DecisionFields::MAX_SUPPLIER)),
        ("value_pence", pence(MAX_DECISION_PENCE)),
        ("term_months", count(DecisionFields::MAX_TERM_MONTHS)),
        ("starts_on", opt_date()),
        ("comments", opt_text(LONG_TEXT)),
    ]
}

/// A decision names the item that took it, or says how it was taken.
fn decision_rules() -> Vec<Value> {
    vec![json!({"anyOf": [
        {"required": ["item"], "properties": {"item": {"type": "integer"}}},
        {"required": ["how_decided"], "properties": {"how_decided": text(LONG_TEXT)}},
    ]})]
}

/// `POST …/decisions`
pub fn new_decision() -> Value {
    let mut fields = decision_fields();
    // Required here: the service fills it in from the meeting of `item` only when that
    // item exists, which JSON Schema cannot say.
    fields.retain(|(name, _)| *name != "decided_on");
    fields.push((
        "decided_on",
        described(
            date(),
            "YYYY-MM-DD (the service also takes the date of the meeting of an existing `item` when this is left out)",
        ),
    ));
    with_rules(
        object(
            &fields,
            &[
                "reference",
                "title",
                "service_description",
                "service_status",
                "route",
                "decided_on",
                "justification",
                "value_pence",
            ],
            true,
        ),
        decision_rules(),
    )
}

/// `POST …/decisions/{reference}/amend`
pub fn amend_decision() -> Value {
    let mut fields = decision_fields();
    // The record has a date: an amendment may change it, not remove it.
    fields.retain(|(name, _)| *name != "decided_on");
    fields.push(("decided_on", date()));
    amend(&fields)
}

fn breach_fields() -> Fields {
    vec![
        ("occurred_on", past_date()),
        (
            "identified_on",
            described(
                opt_date(),
                "YYYY-MM-DD, not before `occurred_on` and not after today",
            ),
        ),
        ("summary", text(LONG_TEXT)),
        ("action_taken", text(LONG_TEXT)),
        ("reported_to", opt_text(BreachInput::MAX_REPORTED_TO)),
        (
            "person",
            described(
                opt_text(MAX_PERSON_REF),
                "The slug of the existing person concerned, if any",
            ),
        ),
    ]
}

/// `POST …/breaches`
pub fn new_breach() -> Value {
    object(
        &breach_fields(),
        &["occurred_on", "summary", "action_taken"],
        true,
    )
}

/// `POST …/breaches/{id}/amend`
pub fn amend_breach() -> Value {
    amend(&breach_fields())
}

fn gp_earnings_fields() -> Fields {
    vec![
        ("practice_name", text(GpEarningsFields::MAX_NAME)),
        (
            "ods_code",
            json!({"type": "string", "minLength": 6, "maxLength": 20,
                   "pattern": "^ *[A-Za-z][0-9]{5} *$",
                   "description": "The practice's ODS code: a letter and five digits, e.g. B82005"}),
        ),
        (
            "financial_year",
            json!({"type": "string", "minLength": 7, "maxLength": 20,
                   "pattern": "^ *20[0-9]{2}[/-][0-9]{2} *$",
                   "description": "The financial year, written 2025/26 (the second year the one after the first)"}),
        ),
        (
            "mean_earnings_pence",
            {
                let mut schema = described(
                    pence(MAX_EARNINGS_PENCE),
                    "The mean net earnings of the practice's GPs in whole pence; whole pounds, so a multiple of 100",
                );
                schema["multipleOf"] = json!(100);
                schema
            },
        ),
        ("full_time_gps", gp_count()),
        (
            "part_time_gps",
            described(
                gp_count(),
                "At least 1 when `full_time_gps` is 0: a figure covers at least one GP",
            ),
        ),
        (
            "source_url",
            described(
                opt_text(GpEarningsFields::MAX_URL),
                "Where the practice published the figure: a web address starting https:// or http://, without spaces",
            ),
        ),
    ]
}

fn gp_count() -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": GpEarningsFields::MAX_GPS,
           "description": format!("A whole number from 0 to {}", GpEarningsFields::MAX_GPS)})
}

/// `POST …/gp-earnings`
pub fn new_gp_earnings() -> Value {
    object(
        &gp_earnings_fields(),
        &[
            "practice_name",
            "ods_code",
            "financial_year",
            "mean_earnings_pence",
            "full_time_gps",
            "part_time_gps",
        ],
        true,
    )
}

/// `POST …/gp-earnings/{id}/amend`
pub fn amend_gp_earnings() -> Value {
    amend(&gp_earnings_fields())
}

/// `POST …/editions`
pub fn new_edition() -> Value {
    object(
        &[
            (
                "as_at",
                described(
                    date(),
                    "YYYY-MM-DD, a day that is over (before today), on or after the organisation's first audit entry, with no edition yet",
                ),
            ),
            (
                "kind",
                described(
                    one_of(&EditionKind::CHOICES),
                    "`year_end` only for an edition as at 31 March",
                ),
            ),
        ],
        &["as_at", "kind"],
        true,
    )
}
