//! The demo's data: JSON files in `content/`, embedded in the binary so it runs from any
//! directory, and the shape of each record (`*Spec`). People are named by a key from
//! `people.json`; dates are days (or months) before today; text may hold placeholders.

use crate::domain::gifts::{GiftKind, Outcome};
use crate::domain::interests::InterestType;
use chrono::Weekday;
use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use std::sync::LazyLock;

/// Everything the demo seeds from, parsed once.
pub(super) struct Data {
    pub orgs: Vec<OrgSpec>,
    pub names: Names,
    pub people: People,
    pub declarations: Vec<DeclarationSpec>,
    pub gifts: Vec<GiftSpec>,
    pub returns: Returns,
    pub business: Business,
    /// Procurement decisions no committee item took.
    pub delegated: Vec<DelegatedSpec>,
    pub breaches: Vec<BreachSpec>,
}

/// Parse an embedded file; the files are part of the program, so a fault is a bug.
fn parse<T: DeserializeOwned>(file: &str, text: &str) -> T {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("the embedded demo data parses: content/{file}: {e}"))
}

macro_rules! embedded {
    ($file:literal) => {
        parse($file, include_str!(concat!("content/", $file)))
    };
}

static DATA: LazyLock<Data> = LazyLock::new(|| Data {
    orgs: embedded!("orgs.json"),
    names: embedded!("names.json"),
    people: embedded!("people.json"),
    declarations: embedded!("declarations.json"),
    gifts: embedded!("gifts.json"),
    returns: embedded!("returns.json"),
    business: embedded!("committees.json"),
    delegated: embedded!("procurement.json"),
    breaches: embedded!("breaches.json"),
});

/// The demo's data.
pub(super) fn data() -> &'static Data {
    &DATA
}

impl Data {
    /// The index of the person `key` names: roles first, then observers.
    pub fn person(&self, key: &str) -> usize {
        self.person_keys()
            .position(|k| k == key)
            .unwrap_or_else(|| panic!("the demo data names no person {key:?}"))
    }

    /// Every person's key, in the order they are created.
    pub fn person_keys(&self) -> impl Iterator<Item = &str> {
        let roles = self.people.roles.iter().map(|r| r.key.as_str());
        roles.chain(self.people.observers.iter().map(|o| o.key.as_str()))
    }
}

/// An organisation: `variant` makes organisations differ in names, practices and dates.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OrgSpec {
    pub slug: String,
    pub name: String,
    pub variant: u64,
}

/// Name parts: first names and surnames (lengths coprime with the strides that pick
/// them, so names are distinct within an organisation), and GP practices per variant.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Names {
    pub first_names: Vec<String>,
    pub surnames: Vec<String>,
    pub practices: Vec<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct People {
    /// The staff list, in the order they are created.
    pub roles: Vec<RoleSpec>,
    /// Committee observers (not staff), created with the committees; `{place}` allowed.
    pub observers: Vec<ObserverSpec>,
}

/// A role on the staff list. `{practice}` in the position is the role's GP practice.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RoleSpec {
    pub key: String,
    pub position: String,
    pub decision_making: bool,
    /// Called "Dr".
    pub doctor: bool,
    /// Index into the variant's practices.
    #[serde(default)]
    pub practice: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ObserverSpec {
    pub key: String,
    pub position: String,
}

/// A declaration. Text may use `{place}` and `{practice}` (the declarant's practice).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeclarationSpec {
    pub who: String,
    #[serde(deserialize_with = "interest_type")]
    pub kind: InterestType,
    #[serde(default)]
    pub associate: Option<String>,
    pub body: String,
    pub description: String,
    pub arose_ago: u64,
    /// Days from arising to declaring: over 28 is late.
    pub declared_after: u64,
    pub mitigation: String,
    #[serde(default)]
    pub then: Then,
}

/// What happens to a declaration after it is made.
#[derive(Deserialize, Default)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum Then {
    #[default]
    Nothing,
    /// Ended this many days ago (less than 6 months: still published; more: hidden).
    EndedAgo(u64),
    /// Amended (a second version) with this description and mitigation.
    Amended {
        description: String,
        mitigation: String,
    },
    /// Recorded as withheld from the public register, with this reason.
    Withheld(String),
}

/// An offer of a gift or hospitality. Text may use `{place}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GiftSpec {
    pub who: String,
    pub giver: String,
    pub supplier: bool,
    #[serde(deserialize_with = "gift_kind")]
    pub kind: GiftKind,
    pub description: String,
    pub value_pence: i64,
    pub offered_ago: u64,
    #[serde(deserialize_with = "gift_outcome")]
    pub outcome: Outcome,
    /// The person who approved acceptance in advance.
    #[serde(default)]
    pub approved_by: Option<String>,
}

/// Returns by decision-making people: nil returns from those with nothing to declare,
/// and annual confirmations from declarants.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Returns {
    pub nil: Vec<ReturnSpec>,
    pub confirmations: Vec<ReturnSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReturnSpec {
    pub who: String,
    pub days_ago: u64,
}

/// The committee business (`committees.json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Business {
    /// The committees were formed this many days before today.
    pub formed_ago: u64,
    /// Item 1 of every meeting, the minutes of the previous meeting.
    pub minutes: ItemSpec,
    pub committees: Vec<CommitteeSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommitteeSpec {
    pub slug: String,
    pub name: String,
    pub quorum_minimum: u32,
    pub quorum_required: String,
    /// Markdown; may use `{place}`.
    pub terms: String,
    /// Meetings on this weekday, in the week after their nominal date.
    pub weekday: Weekday,
    pub seats: Vec<SeatSpec>,
    /// A change of membership during the year, if any.
    #[serde(default)]
    pub change: Option<ChangeSpec>,
    pub meetings: Vec<MeetingSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SeatSpec {
    pub who: String,
    pub category: String,
    pub role: String,
}

/// After meeting `after` (an index into the meetings), `leaves`' term ends the next day
/// and `joins` takes up a seat the day after that.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangeSpec {
    pub after: usize,
    pub leaves: String,
    pub joins: SeatSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MeetingSpec {
    pub months_ago: u64,
    pub apologies: Vec<String>,
    #[serde(default)]
    pub absent: Vec<String>,
    /// Co-opted for the meeting (as lay members).
    #[serde(default)]
    pub co_opted: Vec<CoOptedSpec>,
    /// A correction to the attendance, made after the meeting with its reason.
    #[serde(default)]
    pub correction: Option<CorrectionSpec>,
    /// The agenda after item 1, the minutes of the previous meeting.
    pub items: Vec<ItemSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CorrectionSpec {
    pub who: String,
    /// The attendance the correction records: present, apologies or absent.
    pub to: String,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CoOptedSpec {
    pub who: String,
    /// The note the minutes show.
    pub note: String,
}

/// An agenda item. Text may use `{place}` and `{p0}`…`{p5}` (the variant's practices).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ItemSpec {
    pub title: String,
    #[serde(default)]
    pub about: String,
    #[serde(default)]
    pub conflicts: Vec<ConflictSpec>,
    pub minute: Minute,
    /// The procurement decision the item took (it must be decided).
    #[serde(default)]
    pub procurement: Option<ProcurementSpec>,
}

/// A conflict declared on an item. `register` is the body of the declarant's entry in
/// the register of interests it links to; text may use `{place}` and `{practice}` (the
/// declarant's practice).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConflictSpec {
    pub who: String,
    #[serde(default)]
    pub register: Option<String>,
    pub nature: String,
    pub decision: String,
    /// The chair's reason for letting the member take part against their declaration.
    #[serde(default)]
    pub took_part_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum Minute {
    Decided(String),
    Referred {
        to: String,
        reason: String,
    },
    /// The decision is attempted and must be refused as inquorate; then deferred with this reason.
    LostQuorum {
        attempted: String,
        reason: String,
    },
}

/// A procurement decision. Text may use `{place}` and `{p0}`…`{p5}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProcurementSpec {
    pub title: String,
    pub service: String,
    pub new_service: bool,
    pub route: String,
    pub supplier: String,
    pub pounds: i64,
    pub months: u32,
    #[serde(default)]
    pub clinical_lead: Option<String>,
    pub contract_manager: String,
    pub justification: String,
}

/// A procurement decision no committee item took.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DelegatedSpec {
    pub days_ago: u64,
    pub how: String,
    pub conflicts: String,
    pub procurement: ProcurementSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BreachSpec {
    pub occurred_ago: u64,
    pub identified_after: u64,
    pub summary: String,
    pub action: String,
    pub reported_to: String,
    #[serde(default)]
    pub person: Option<String>,
}

/// A code the domain parses, as its `parse` accepts it.
fn by_code<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: fn(&str) -> Option<T>,
) -> Result<T, D::Error> {
    let code = String::deserialize(d)?;
    parse(&code).ok_or_else(|| D::Error::custom(format!("unknown code {code:?}")))
}

fn interest_type<'de, D: Deserializer<'de>>(d: D) -> Result<InterestType, D::Error> {
    by_code(d, InterestType::parse)
}

fn gift_kind<'de, D: Deserializer<'de>>(d: D) -> Result<GiftKind, D::Error> {
    by_code(d, GiftKind::parse)
}

fn gift_outcome<'de, D: Deserializer<'de>>(d: D) -> Result<Outcome, D::Error> {
    by_code(d, Outcome::parse)
}
