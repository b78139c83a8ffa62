//! Fuzzing by property: arbitrary bytes, and arbitrary JSON built from the fields the
//! parsers know, through every parser of untrusted input — the JSON API's bodies, the
//! CSV import and the markdown renderer. Each must answer (a value or its problems),
//! never panic. Bounded by case count so it runs in seconds in `cargo test`; set
//! `PROPTEST_CASES` to run longer.

use crate::domain::committees::{
    Committee, ItemInput, ItemOutcomeInput, MeetingInput, Member, Quorum,
};
use crate::domain::decisions::{BreachInput, DecisionFields};
use crate::domain::entries::StandingChange;
use crate::domain::gifts::GiftFields;
use crate::domain::interests::DeclarationFields;
use crate::domain::org::{NewOrg, OrgSettings};
use crate::domain::people::PersonFields;
use crate::domain::returns::Return;
use crate::domain::Input;
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Every field name a JSON body or CSV header may carry, so generated objects reach
/// the parsers' checks rather than stopping at "is required".
const FIELDS: [&str; 71] = [
    "person",
    "interest_type",
    "description",
    "body",
    "arose_on",
    "declared_on",
    "ended_on",
    "mitigation",
    "associate",
    "position",
    "version",
    "reason",
    "comment",
    "giver",
    "giver_is_supplier",
    "kind",
    "value_pence",
    "value",
    "offered_on",
    "outcome",
    "approved_by",
    "name",
    "decision_making",
    "slug",
    "terms_of_reference",
    "quorum_minimum",
    "quorum_required",
    "members",
    "category",
    "role",
    "from",
    "until",
    "held_on",
    "attendance",
    "co_opted",
    "number",
    "title",
    "conflicts",
    "declaration",
    "nature",
    "decision",
    "took_part_reason",
    "referred_to",
    "reference",
    "service_description",
    "service_status",
    "route",
    "item",
    "clinical_lead",
    "contract_manager",
    "justification",
    "supplier",
    "term_months",
    "starts_on",
    "comments",
    "decided_on",
    "how_decided",
    "conflicts_note",
    "occurred_on",
    "identified_on",
    "summary",
    "action_taken",
    "reported_to",
    "practice_name",
    "ods_code",
    "financial_year",
    "mean_earnings_pence",
    "mean_earnings",
    "full_time_gps",
    "part_time_gps",
    "source_url",
];

/// Leaf values likely to sit on the parsers' boundaries.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(i64::MAX),
            Just(i64::MIN)
        ]
        .prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("2026-02-29"),
            Just("2026-13-01"),
            Just("9999-12-31"),
            Just("0000-01-01"),
            Just("2026-01-05"),
            Just("lay"),
            Just("chair"),
            Just("present"),
            Just("left_room"),
            Just("decided"),
            Just("financial"),
            Just("accepted"),
            Just("1,250.00"),
            Just("£12.345"),
            Just("-0.01"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ]
}

/// JSON of any shape, objects keyed mostly by known field names.
fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        3 => prop::sample::select(&FIELDS[..]).prop_map(str::to_owned),
                        1 => ".{0,12}",
                    ],
                    inner
                ),
                0..10
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every parser of a JSON API body, on one input.
fn parse_everything(input: &Input) {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date");
    let settings = OrgSettings::default();
    let _ = DeclarationFields::parse(input, today);
    let _ = crate::domain::interests::Step::parse_end(input);
    let _ = GiftFields::parse(input, today, &settings);
    let _ = PersonFields::parse(input);
    let _ = Committee::parse(input);
    let _ = Member::parse(1, "A Person", input);
    let _ = Quorum::parse(input);
    let _ = MeetingInput::parse(input);
    let _ = ItemInput::parse(input);
    let _ = ItemOutcomeInput::parse(input);
    let _ = DecisionFields::parse(input);
    let _ = BreachInput::parse(input, today);
    let _ = crate::domain::earnings::GpEarningsFields::parse(input);
    let _ = Return::parse_date(input, today);
    let _ = NewOrg::parse(input);
    for action in [
        "withhold", "release", "withdraw", "accept", "return", "end", "x",
    ] {
        let _ = StandingChange::parse(action, input);
    }
}

pub(crate) fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn api_bodies_of_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(mut input) = crate::web::api::input(&actix_web::web::Bytes::from(bytes)) {
            parse_everything(&input);
            let _ = crate::web::api::take_version(&mut input);
        }
    }

    #[test]
    fn api_bodies_of_arbitrary_json_never_panic(value in json()) {
        let bytes = serde_json::to_vec(&value).expect("JSON serialises");
        if let Ok(mut input) = crate::web::api::input(&actix_web::web::Bytes::from(bytes)) {
            parse_everything(&input);
            let _ = crate::web::api::take_version(&mut input);
        }
    }

    #[test]
    fn csv_imports_of_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        crate::import::check_for_fuzzing(&bytes);
    }

    #[test]
    fn csv_imports_with_known_headers_never_panic(
        header in prop::collection::vec(prop::sample::select(&FIELDS[..]), 1..8),
        rows in prop::collection::vec(prop::collection::vec(".{0,20}", 1..8), 0..5),
    ) {
        let mut csv = header.join(",");
        csv.push('\n');
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
            csv.push_str(&cells.join(","));
            csv.push_str("\r\n");
        }
        crate::import::check_for_fuzzing(csv.as_bytes());
    }

    #[test]
    fn markdown_of_arbitrary_text_never_panics(text in "(?s).{0,300}") {
        let html = crate::publish::markdown::to_html(&text);
        let _ = crate::publish::markdown::to_text(&text);
        prop_assert!(!html.to_ascii_lowercase().contains("<script"));
    }

    #[test]
    fn markdown_of_markup_like_text_never_panics(
        parts in prop::collection::vec(prop_oneof![
            Just("<"), Just(">"), Just("</"), Just("<!--"), Just("-->"), Just("["), Just("]("),
            Just(")"), Just("`"), Just("*"), Just("_"), Just("\n"), Just("    "), Just("&#"),
            Just("javascript:"), Just("<img src=x onerror=alert(1)>"), Just("<svg>"), Just("|"),
            Just("---"), Just("#"), Just("> "), Just("1. "), Just("\u{0}"), Just("\u{202e}"),
        ], 0..40),
    ) {
        let text: String = parts.concat();
        let html = crate::publish::markdown::to_html(&text);
        let _ = crate::publish::markdown::to_text(&text);
        let lower = html.to_ascii_lowercase();
        // Text may mention them (escaped, in a code span); markup may not carry them.
        prop_assert!(!lower.contains("<script") && !lower.contains("<svg"), "{html}");
        prop_assert!(!lower.contains("<img src=x onerror"), "{html}");
    }
}
