//! The bodies of the committee routes: committees and their members, meetings, agenda
//! items and outcomes.

use super::{required_when, voting_categories, with_rules, Fields};
use crate::domain::committees::{
    Attendance, Committee, ItemInput, ItemOutcome, ItemOutcomeInput as OutcomeInput, MeetingInput,
    LONG_TEXT,
};
use crate::domain::committees::{CommitteeRole as Role, ConflictDecision, MemberCategory, Quorum};
use crate::domain::validation::{MAX_PERSON_REF, MAX_SLUG};
use crate::web::openapi::schema::{
    amend, date, described, flag, id, object, one_of, opt_date, opt_one_of, opt_text, text, version,
};
use serde_json::{json, Value};

fn committee_fields() -> Fields {
    vec![
        ("name", text(Committee::MAX_NAME)),
        (
            "slug",
            json!({"type": ["string", "null"], "maxLength": MAX_SLUG, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                   "description": "Made from the name if absent"}),
        ),
        (
            "terms_of_reference",
            described(opt_text(LONG_TEXT), "Markdown"),
        ),
        (
            "quorum_minimum",
            json!({"type": "integer", "minimum": 1, "maximum": Quorum::MAX_MINIMUM,
                   "description": "The fewest voting members present for a quorum: at least the number of required categories"}),
        ),
        (
            "quorum_required",
            json!({"type": ["array", "null"], "items": one_of(&voting_categories()), "uniqueItems": true,
                   "description": "Categories at least one member of which must be present (observers never count)"}),
        ),
    ]
}

/// A quorum's minimum is at least the number of categories it requires.
fn quorum_rules() -> Vec<Value> {
    (2..=voting_categories().len())
        .map(|n| {
            json!({
                "if": {"required": ["quorum_required"], "properties": {"quorum_required": {"type": "array", "minItems": n}}},
                "then": {"required": ["quorum_minimum"], "properties": {"quorum_minimum": {"minimum": n}}},
            })
        })
        .collect()
}

fn member_fields() -> Fields {
    vec![
        ("category", one_of(&MemberCategory::CODES)),
        (
            "voting",
            json!({"type": ["boolean", "null"], "description": "Defaults to true except for observers, who never vote"}),
        ),
        ("role", opt_one_of(&Role::CODES)),
        ("from", date()),
        ("to", described(opt_date(), "YYYY-MM-DD, not before `from`")),
        ("audit_chair", flag()),
    ]
}

/// Observers never vote.
fn observer_rule() -> Vec<Value> {
    vec![required_when(
        "category",
        "observer",
        json!({"properties": {"voting": {"enum": [false, null]}}}),
    )]
}

fn membership() -> Value {
    let mut props = vec![(
        "person",
        described(text(MAX_PERSON_REF), "The slug of an existing person"),
    )];
    props.extend(member_fields());
    with_rules(
        object(&props, &["person", "category", "from"], true),
        observer_rule(),
    )
}

fn members() -> Value {
    json!({"type": "array", "items": membership()})
}

fn at_least_one(mut list: Value) -> Value {
    list["minItems"] = json!(1);
    list
}

/// `POST …/committees`
pub fn new_committee() -> Value {
    let mut fields = committee_fields();
    fields.push(("members", members()));
    let mut rules = quorum_rules();
    // Without a slug, one is made from the name's letters and digits.
    rules.push(json!({
        "if": {"not": {"required": ["slug"], "properties": {"slug": {"type": "string"}}}},
        "then": {"properties": {"name": {"pattern": "[A-Za-z0-9]"}}},
    }));
    with_rules(object(&fields, &["name", "quorum_minimum"], true), rules)
}

/// `POST …/committees/{slug}/amend`
pub fn amend_committee() -> Value {
    with_rules(amend(&committee_fields()), quorum_rules())
}

/// `POST …/committees/{slug}/members`: only `members` is read, the rest is ignored.
pub fn add_members() -> Value {
    object(&[("members", at_least_one(members()))], &["members"], false)
}

/// `POST …/committees/{slug}/members/{id}/amend`
pub fn amend_member() -> Value {
    with_rules(amend(&member_fields()), observer_rule())
}

/// `POST …/committees/{slug}/members/{id}/end`
pub fn end_member() -> Value {
    let mut fields = vec![("version", version())];
    fields.extend(member_fields());
    // Ending needs the last day: `to` may not be null here.
    fields.retain(|(name, _)| *name != "to");
    fields.push((
        "to",
        described(
            date(),
            "YYYY-MM-DD: the last day of membership, not before `from`",
        ),
    ));
    with_rules(object(&fields, &["version", "to"], true), observer_rule())
}

/// Why an amendment corrects who attended or who was conflicted.
fn correction_reason() -> (&'static str, Value) {
    (
        "correction_reason",
        described(
            opt_text(MeetingInput::MAX_REASON),
            "Why the record is corrected: required when an amendment changes attendance, co-options or conflicts after the meeting's date or after an item's outcome was recorded",
        ),
    )
}

fn meeting_fields() -> Fields {
    vec![
        (
            "held_on",
            described(date(), "YYYY-MM-DD: a committee meets at most once a day"),
        ),
        (
            "attendance",
            json!({"type": ["object", "null"], "additionalProperties": one_of(&Attendance::CODES),
                   "description": "The slug of each member to their attendance; a member who declared a conflict on an item is present"}),
        ),
        (
            "co_opted",
            json!({"type": ["array", "null"], "items": object(&[
                ("person", described(text(MAX_PERSON_REF), "The slug of an existing person")),
                ("category", one_of(&voting_categories())),
                ("note", text(MeetingInput::MAX_NOTE)),
            ], &["person", "category", "note"], true)}),
        ),
        correction_reason(),
    ]
}

/// `POST …/committees/{slug}/meetings`
pub fn new_meeting() -> Value {
    object(&meeting_fields(), &["held_on"], true)
}

/// `POST …/meetings/{id}/amend`
pub fn amend_meeting() -> Value {
    amend(&meeting_fields())
}

fn item_fields() -> Fields {
    vec![
        (
            "number",
            json!({"type": "string", "minLength": 1, "maxLength": ItemInput::MAX_NUMBER, "pattern": "^[A-Za-z0-9.]+$",
                   "description": "Letters, digits and dots, e.g. 5 or 5.2"}),
        ),
        ("title", text(ItemInput::MAX_TITLE)),
        ("description", opt_text(LONG_TEXT)),
        (
            "conflicts",
            json!({"type": ["array", "null"], "items": object(&[
                ("person", described(text(MAX_PERSON_REF), "The slug of a person present at the meeting, listed once")),
                ("declaration", described(id(), "The id of the member's declaration in the register of interests that the conflict is about")),
                ("nature", text(ItemInput::MAX_NATURE)),
                ("decision", one_of(&ConflictDecision::CODES)),
                ("took_part_reason", described(opt_text(MeetingInput::MAX_REASON), "The chair's reason for letting the member take part. Only with decision took_part; required then if the declaration is a financial interest or its action (mitigation) says the member leaves the room, withdraws, takes no part or does not vote")),
            ], &["person", "nature", "decision"], true)}),
        ),
        correction_reason(),
    ]
}

/// `POST …/meetings/{id}/items`
pub fn new_item() -> Value {
    object(&item_fields(), &["number", "title"], true)
}

/// `POST …/items/{id}/amend`
pub fn amend_item() -> Value {
    amend(&item_fields())
}

/// `POST …/items/{id}/outcome`
pub fn item_outcome() -> Value {
    let needs =
        |field: &str, max: usize| json!({"required": [field], "properties": {field: text(max)}});
    with_rules(
        object(
            &[
                ("version", version()),
                ("outcome", one_of(&ItemOutcome::CODES)),
                (
                    "decision",
                    described(opt_text(LONG_TEXT), "Required when decided"),
                ),
                (
                    "reason",
                    described(opt_text(LONG_TEXT), "Required when deferred or referred"),
                ),
                (
                    "referred_to",
                    described(
                        opt_text(OutcomeInput::MAX_REFERRED_TO),
                        "Required when referred",
                    ),
                ),
            ],
            &["version", "outcome"],
            true,
        ),
        vec![
            required_when("outcome", "decided", needs("decision", LONG_TEXT)),
            required_when("outcome", "deferred", needs("reason", LONG_TEXT)),
            required_when(
                "outcome",
                "referred",
                json!({"allOf": [needs("reason", LONG_TEXT), needs("referred_to", OutcomeInput::MAX_REFERRED_TO)]}),
            ),
        ],
    )
}
