//! The view structs business pages, feeds and open data are rendered from.

use serde::Serialize;

/// A person as pages name them, linked where their register page is published.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PersonRef {
    pub name: String,
    pub href: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct MeetingLink {
    pub date: String,
    pub iso: String,
    pub href: String,
}

#[derive(Serialize, Debug)]
pub struct CommitteeRow {
    pub name: String,
    pub href: String,
    pub chair: Option<PersonRef>,
    pub members: usize,
    pub last_meeting: Option<MeetingLink>,
    pub next_meeting: Option<MeetingLink>,
}

#[derive(Serialize, Debug)]
pub struct MemberRow {
    pub person: PersonRef,
    pub category: &'static str,
    pub voting: bool,
    pub role: &'static str,
    /// Chair or vice-chair.
    pub officer: bool,
    pub since: String,
    pub until: Option<String>,
    /// Joins on a later date.
    pub upcoming: bool,
    pub audit_chair: bool,
}

#[derive(Serialize, Debug)]
pub struct ConstitutionView {
    /// Whether anyone is a member today (a committee not yet formed, or wound up, is not checked).
    pub in_office: bool,
    pub valid: bool,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Serialize, Debug)]
pub struct MeetingSummary {
    #[serde(flatten)]
    pub link: MeetingLink,
    pub items: usize,
    pub decided: usize,
    pub upcoming: bool,
}

#[derive(Serialize, Debug)]
pub struct CommitteeView {
    pub slug: String,
    pub name: String,
    pub terms_html: String,
    pub quorum: String,
    pub chair: Option<PersonRef>,
    pub vice_chair: Option<PersonRef>,
    pub members: Vec<MemberRow>,
    pub past_members: Vec<MemberRow>,
    pub constitution: ConstitutionView,
    /// Newest first.
    pub meetings: Vec<MeetingSummary>,
    pub feed_href: String,
    pub audit_seq: i64,
}

#[derive(Serialize, Debug)]
pub struct AttendanceRow {
    pub person: PersonRef,
    pub category: &'static str,
    pub role: &'static str,
    pub voting: bool,
    pub status: &'static str,
    pub status_code: &'static str,
}

#[derive(Serialize, Debug)]
pub struct CoOptedRow {
    pub person: PersonRef,
    pub category: &'static str,
    pub note: String,
    /// "Recorded afterwards (on 10 March 2026)", for a co-option added after the meeting.
    pub recorded_afterwards: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct ConflictView {
    pub person: PersonRef,
    pub nature: String,
    pub declaration_href: Option<String>,
    pub decision: &'static str,
    pub decision_code: &'static str,
    /// The chair's reason for letting a member take part against their declaration.
    pub took_part_reason: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct QuorumView {
    pub quorate: bool,
    pub presiding: Option<PersonRef>,
    pub counting: usize,
    pub counting_names: Vec<String>,
    pub failures: Vec<String>,
    /// One line: "Quorate: 4 voting members counted (…); Ann Lay presided".
    pub summary: String,
    /// From recorded evidence only: the quorum rule as it read that day.
    pub rule: Option<String>,
    /// From recorded evidence only: who a declared conflict took out of the count, and why.
    pub excluded: Vec<String>,
}

/// A correction to a meeting's record: when, why, and each change (old → new).
#[derive(Serialize, Debug, Clone)]
pub struct CorrectionView {
    pub date: String,
    pub reason: Option<String>,
    pub changes: Vec<String>,
    /// "Item 3: " for a correction of an item's conflicts, else empty.
    pub item: Option<String>,
    pub audit_seq: i64,
}

/// The quorum of an item that recorded a decision, as evidence: what was recorded
/// then, today's recomputation where it differs, and the refusal a correction overcame.
#[derive(Serialize, Debug, Clone)]
pub struct ItemEvidence {
    /// The evidence stored with the decision, and the day it was recorded.
    pub recorded: Option<QuorumView>,
    pub recorded_on: String,
    /// Today's computation, shown when it differs from the recorded evidence or when no
    /// evidence was stored (`recomputed`).
    pub today: Option<QuorumView>,
    /// The decision predates stored evidence: only today's computation can be shown.
    pub recomputed: bool,
    /// Corrections made after the decision was recorded.
    pub corrected_since: Vec<CorrectionView>,
    /// For a decision recorded after a correction: the quorum on the record as it stood
    /// before that correction, when it was not quorate, and the correction.
    pub before_correction: Option<QuorumView>,
    pub correction: Option<CorrectionView>,
}

#[derive(Serialize, Debug)]
pub struct OutcomeView {
    pub code: &'static str,
    pub label: String,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub referred_to: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct DecisionLink {
    pub reference: String,
    pub href: String,
    pub title: String,
    pub withdrawn: bool,
}

#[derive(Serialize, Debug)]
pub struct ItemView {
    pub number: String,
    pub anchor: String,
    pub title: String,
    pub description_html: String,
    pub conflicts: Vec<ConflictView>,
    pub quorum: Option<QuorumView>,
    /// For a decided item: the recorded evidence (shown instead of `quorum`).
    pub evidence: Option<ItemEvidence>,
    /// Corrections of the item's conflicts.
    pub corrections: Vec<CorrectionView>,
    pub outcome: OutcomeView,
    pub decisions: Vec<DecisionLink>,
    pub audit_seq: i64,
}

#[derive(Serialize, Debug)]
pub struct MeetingView {
    pub committee: String,
    pub committee_href: String,
    pub date: String,
    pub iso: String,
    /// Not yet held: no attendance, and no quorum to speak of.
    pub upcoming: bool,
    pub attendance: Vec<AttendanceRow>,
    pub co_opted: Vec<CoOptedRow>,
    /// Corrections of attendance and co-options, oldest first.
    pub corrections: Vec<CorrectionView>,
    pub items: Vec<ItemView>,
    pub audit_seq: i64,
}

/// How a decision was taken, as the register shows it.
#[derive(Serialize, Debug)]
pub struct HowDecided {
    pub text: String,
    pub href: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct DecisionRow {
    pub reference: String,
    pub href: String,
    pub title: String,
    pub route: &'static str,
    pub supplier: Option<String>,
    pub value: String,
    pub term: Option<String>,
    pub decided_on: String,
    pub how: HowDecided,
    pub withdrawn: bool,
    pub withdrawn_reason: Option<String>,
    pub audit_seq: i64,
}

/// The agenda item that took a decision.
#[derive(Serialize, Debug)]
pub struct ItemRef {
    pub committee: String,
    pub committee_href: String,
    pub meeting_date: String,
    pub number: String,
    pub title: String,
    pub href: String,
    pub decision: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct DecisionView {
    pub reference: String,
    pub title: String,
    pub service_description_html: String,
    pub service_status: &'static str,
    pub route: &'static str,
    pub clinical_lead: Option<String>,
    pub contract_manager: Option<String>,
    pub decided_on: String,
    pub item: Option<ItemRef>,
    pub how_decided: Option<String>,
    pub conflicts: Vec<ConflictView>,
    pub conflicts_note: Option<String>,
    pub quorum: Option<QuorumView>,
    /// The taking item's recorded quorum evidence (shown instead of `quorum`).
    pub evidence: Option<ItemEvidence>,
    pub justification_html: String,
    pub supplier: Option<String>,
    pub value: String,
    pub term: Option<String>,
    pub starts_on: Option<String>,
    pub comments_html: Option<String>,
    pub withdrawn: bool,
    pub withdrawn_reason: Option<String>,
    pub version: i64,
    pub audit_seq: i64,
}

/// A breach as published: what, when, what was done. Never who.
#[derive(Serialize, Debug)]
pub struct BreachRow {
    pub id: i64,
    pub occurred_on: String,
    pub identified_on: String,
    pub summary: String,
    pub action_taken: String,
    pub reported_to: Option<String>,
    pub audit_seq: i64,
}
