//! Demo committee business: a Primary Care Commissioning Committee and a Finance and
//! Performance Committee with a year of meetings, the procurement decisions they took,
//! and two breaches. Everything goes through the store's committee write path, so the
//! constitution and quorum rules hold for the data as they would for a governance lead;
//! one item is deliberately refused a decision for want of a quorum, to show the rule.

use super::{Ctx, Staff, ACTOR};
use crate::domain::committees::{Committee, ItemInput, ItemOutcomeInput, MeetingInput, Membership};
use crate::domain::decisions::{BreachInput, DecisionFields};
use crate::domain::people::PersonFields;
use crate::domain::Input;
use crate::store::declarations::{self, Version};
use crate::store::entries::Register;
use crate::store::{
    breaches, committees, decisions, meetings, people, records, AnyConnection, StoreError,
};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::{json, Value};
use std::collections::BTreeMap;

// People by their index in ROLES (demo.rs), and the two observers added here after them.
const CHAIR: usize = 0;
const LAY_GOVERNANCE: usize = 1;
const LAY_PPI: usize = 2;
const AO: usize = 3;
const CFO: usize = 4;
const NURSING: usize = 5;
const COMMISSIONING: usize = 6;
const GP_A: usize = 7;
const GP_B: usize = 8;
const GP_C: usize = 9;
const GP_D: usize = 10;
const GP_E: usize = 11;
const SECONDARY_CARE: usize = 13;
const NURSE_MEMBER: usize = 14;
const HEAD_CONTRACTS: usize = 15;
const HEAD_PRIMARY_CARE: usize = 16;
const DEPUTY_CFO: usize = 17;
const PHARMACIST: usize = 18;
const QUALITY: usize = 24;
const CONTRACTS_OFFICER: usize = 26;
const HEALTHWATCH: usize = 30;
const WELLBEING_BOARD: usize = 31;

/// People the demo adds as committee observers (not decision-making staff), by index
/// from 30; text may use `{place}`.
const OBSERVERS: [&str; 2] = [
    "HealthWatch {place} representative",
    "Health and Wellbeing Board member, {place} County Council",
];

/// A committee formed this many days before today (about 15 months).
const FORMED_AGO: u64 = 455;

struct CommitteeDef {
    slug: &'static str,
    name: &'static str,
    quorum_minimum: u32,
    quorum_required: &'static str,
    /// Markdown; may use `{place}`.
    terms: &'static str,
    /// Meetings on this weekday, in the week after their nominal date.
    weekday: Weekday,
    seats: &'static [Seat],
    /// A change of membership during the year, if any.
    change: Option<Change>,
    meetings: &'static [Mtg],
}

struct Seat {
    who: usize,
    category: &'static str,
    role: &'static str,
}

/// After meeting `after` (an index into the meetings), `leaves`' term ends the next day
/// and `joins` takes up a seat the day after that.
struct Change {
    after: usize,
    leaves: usize,
    joins: Seat,
}

struct Mtg {
    months_ago: u64,
    apologies: &'static [usize],
    absent: &'static [usize],
    /// Co-opted for the meeting (as lay members), with the note the minutes show.
    co_opted: &'static [(usize, &'static str)],
    /// The agenda after item 1, the minutes of the previous meeting.
    items: &'static [It],
}

/// An agenda item. Text may use `{place}` and `{p0}`…`{p5}` (the variant's practices).
struct It {
    title: &'static str,
    about: &'static str,
    conflicts: &'static [Cf],
    minute: Minute,
    /// The procurement decision the item took (it must be decided).
    procurement: Option<Proc>,
}

/// A conflict declared on an item. `register` is the body of the declarant's entry in
/// the register of interests it links to; text may use `{place}` and `{practice}` (the
/// declarant's practice).
struct Cf {
    who: usize,
    register: Option<&'static str>,
    nature: &'static str,
    decision: &'static str,
}

enum Minute {
    Decided(&'static str),
    Referred {
        to: &'static str,
        reason: &'static str,
    },
    /// The decision is attempted and must be refused as inquorate; then deferred with this reason.
    LostQuorum {
        attempted: &'static str,
        reason: &'static str,
    },
}

/// A procurement decision. Text may use `{place}` and `{p0}`…`{p5}`.
struct Proc {
    title: &'static str,
    service: &'static str,
    new_service: bool,
    route: &'static str,
    supplier: &'static str,
    pounds: i64,
    months: u32,
    clinical_lead: Option<usize>,
    contract_manager: usize,
    justification: &'static str,
}

/// A procurement decision no committee item took.
struct Delegated {
    days_ago: u64,
    how: &'static str,
    conflicts: &'static str,
    procurement: Proc,
}

struct BreachDef {
    occurred_ago: u64,
    identified_after: u64,
    summary: &'static str,
    action: &'static str,
    reported_to: &'static str,
    person: Option<usize>,
}

const fn seat(who: usize, category: &'static str, role: &'static str) -> Seat {
    Seat {
        who,
        category,
        role,
    }
}

const fn cf(
    who: usize,
    register: &'static str,
    nature: &'static str,
    decision: &'static str,
) -> Cf {
    Cf {
        who,
        register: Some(register),
        nature,
        decision,
    }
}

const fn decided(
    title: &'static str,
    about: &'static str,
    conflicts: &'static [Cf],
    decision: &'static str,
) -> It {
    It {
        title,
        about,
        conflicts,
        minute: Minute::Decided(decision),
        procurement: None,
    }
}

const fn noted(title: &'static str) -> It {
    decided(title, "", &[], "The committee noted the report.")
}

const fn mtg(months_ago: u64, apologies: &'static [usize], items: &'static [It]) -> Mtg {
    Mtg {
        months_ago,
        apologies,
        absent: &[],
        co_opted: &[],
        items,
    }
}

const PCCC_TERMS: &str = "The Primary Care Commissioning Committee exercises the primary medical care functions that NHS England has delegated to NHS {place} CCG, under the delegation agreement and the CCG's constitution. It meets monthly, in public.

## Duties

- Commission general practice services under GMS, PMS and APMS contracts: design local incentive schemes and enhanced services, manage contracts, and take contractual action such as breach or remedial notices.
- Decide on practice mergers, list closures and changes to practice boundaries.
- Plan the primary care estate, and approve premises improvement grants.
- Oversee the quality of general practice, with the Director of Nursing and Quality.

## Membership

The chair and the vice-chair are lay members of the Governing Body; the Chair of the Governing Body is not a member. Lay and executive members together are a majority of the voting members. A representative of HealthWatch {place} and the Health and Wellbeing Board member for {place} County Council attend as non-voting observers.

## Quorum and conflicts of interest

The quorum is **four voting members, including a lay member and an executive member**. Members declare their interests at the start of each item and the chair decides whether each leaves the room, stays without voting, or takes part; GP members leave the room for items in which their practice has an interest. If that leaves the committee inquorate, the chair may co-opt a lay member of another committee of the Governing Body, defer the item, or refer it to the Governing Body.";

const FP_TERMS: &str = "The Finance and Performance Committee scrutinises NHS {place} CCG's financial plan, its in-year position and the performance of its main contracts on behalf of the Governing Body. It meets quarterly.

## Duties

- Review the finance report, the forecast outturn and the QIPP (quality, innovation, productivity and prevention) plan.
- Approve contract awards and extensions from £250,000 up to £25 million that are not reserved to the Primary Care Commissioning Committee; larger awards go to the Governing Body.
- Recommend the annual financial plan and budgets to the Governing Body.

## Quorum

**Three voting members, including a lay member.** The Deputy Chief Finance Officer attends without a vote.";

#[rustfmt::skip]
const COMMITTEES: [CommitteeDef; 2] = [
    CommitteeDef {
        slug: "pccc", name: "Primary Care Commissioning Committee",
        quorum_minimum: 4, quorum_required: "lay, executive", terms: PCCC_TERMS, weekday: Weekday::Wed,
        // 5 lay and executive against 4 clinical: any lay or executive apology must be
        // matched by a clinical one, or ordinary items lose the lay-executive majority.
        seats: &[
            seat(LAY_GOVERNANCE, "lay", "chair"), seat(LAY_PPI, "lay", "vice_chair"),
            seat(AO, "executive", "member"), seat(CFO, "executive", "member"), seat(NURSING, "executive", "member"),
            seat(GP_A, "clinical", "member"), seat(GP_B, "clinical", "member"), seat(GP_C, "clinical", "member"),
            seat(NURSE_MEMBER, "clinical", "member"),
            seat(HEALTHWATCH, "observer", "member"), seat(WELLBEING_BOARD, "observer", "member"),
        ],
        change: Some(Change { after: 5, leaves: GP_A, joins: seat(GP_D, "clinical", "member") }),
        meetings: &PCCC_MEETINGS,
    },
    CommitteeDef {
        slug: "finance-performance", name: "Finance and Performance Committee",
        quorum_minimum: 3, quorum_required: "lay", terms: FP_TERMS, weekday: Weekday::Thu,
        seats: &[
            seat(LAY_GOVERNANCE, "lay", "chair"), seat(CHAIR, "lay", "member"),
            seat(AO, "executive", "member"), seat(CFO, "executive", "member"), seat(COMMISSIONING, "executive", "member"),
            seat(GP_E, "clinical", "member"), seat(DEPUTY_CFO, "observer", "member"),
        ],
        change: None,
        meetings: &FP_MEETINGS,
    },
];

#[rustfmt::skip]
const PCCC_MEETINGS: [Mtg; 12] = [
    mtg(12, &[NURSING, NURSE_MEMBER], &[
        decided("Practice merger: {p0} and {p5}",
            "The two practices propose to merge their contracts into one, held by the {p0} partnership, keeping both surgeries open.",
            &[cf(GP_A, "{practice}", "Partner at {practice}, one of the merging practices", "left_room")],
            "Approved the merger of the two practices' contracts from the start of the next quarter, subject to a joint patient engagement plan."),
        noted("Primary care quality and performance report"),
        decided("Terms of reference: annual review", "", &[],
            "Approved the revised terms of reference for recommendation to the Governing Body."),
    ]),
    Mtg { months_ago: 11, apologies: &[], absent: &[WELLBEING_BOARD], co_opted: &[], items: &[
        It { title: "Extended access: award of contract",
            about: "Evening and weekend GP and nurse appointments from four hubs. Three bids were received.",
            conflicts: &[
                cf(GP_A, "{place} GP Federation Ltd", "Shareholder in {place} GP Federation Ltd, the preferred bidder", "left_room"),
                cf(GP_B, "{practice}", "Partner at {practice}, a member practice of the federation", "stayed_not_voting"),
                cf(GP_C, "{practice}", "Partner at {practice}, a member practice of the federation", "stayed_not_voting"),
            ],
            minute: Minute::Decided("Awarded the extended access contract to {place} GP Federation Ltd for three years, the highest-scoring of three bids."),
            procurement: Some(Proc { title: "Extended access to general practice",
                service: "Pre-bookable GP and nurse appointments from 6.30pm to 8pm on weekdays and on Saturday mornings, from four hubs covering the whole CCG population.",
                new_service: false, route: "competitive_process", supplier: "{place} GP Federation Ltd",
                pounds: 5_550_000, months: 36, clinical_lead: Some(NURSING), contract_manager: HEAD_PRIMARY_CARE,
                justification: "Three bids were evaluated against the published criteria (quality 60%, value 20%, social value 20%) and the federation's scored highest. The GP member holding shares in the federation left the room; the other GP members, partners in member practices, did not vote." }) },
        It { title: "GP IT futures call-off: clinical system and document management",
            about: "Clinical system licences, document management and support for every practice, from the national GP IT Futures framework.",
            conflicts: &[], minute: Minute::Decided("Approved the call-off to Clarion Clinical Systems Ltd for four years."),
            procurement: Some(Proc { title: "GP IT: clinical system and document management",
                service: "Clinical system licences, document management and support for all practices.",
                new_service: false, route: "framework", supplier: "Clarion Clinical Systems Ltd",
                pounds: 640_000, months: 48, clinical_lead: None, contract_manager: HEAD_CONTRACTS,
                justification: "A call-off from the national GP IT Futures framework at framework prices, after a further competition that scored Clarion highest on usability and migration risk." }) },
        decided("Primary care estates: Harbour Lane premises improvement grant",
            "An improvement grant towards two new consulting rooms at the Harbour Lane premises of {p4}.", &[],
            "Approved a grant of £86,000 (66% of the cost), subject to the district valuer's report and a 15-year abatement agreement."),
    ] },
    mtg(10, &[AO, GP_C], &[
        It { title: "Local enhanced service for anticoagulation monitoring",
            about: "Near-patient INR testing and warfarin dosing in practices, replacing hospital clinic visits; open to every practice that meets the specification.",
            conflicts: &[
                cf(GP_A, "{practice}", "Partner at {practice}, which would provide the service", "left_room"),
                cf(GP_B, "{practice}", "Partner at {practice}, which would provide the service", "left_room"),
            ],
            minute: Minute::Decided("Approved the service specification and a payment of £78 per patient-year, open to every practice meeting the specification."),
            procurement: Some(Proc { title: "Anticoagulation monitoring in general practice",
                service: "Near-patient INR testing and warfarin dosing in practices.",
                new_service: true, route: "any_qualified_provider", supplier: "Practices accredited under the service specification (11 at award)",
                pounds: 312_000, months: 24, clinical_lead: Some(PHARMACIST), contract_manager: HEAD_PRIMARY_CARE,
                justification: "Patients choose where to be monitored, and any practice meeting the specification at the set price may provide the service, so there is no competition to run." }) },
        decided("Carers' link workers in general practice: grant to {place} Carers' Centre",
            "Two link workers based in primary care networks to identify and support unpaid carers, for 12 months.",
            &[cf(NURSE_MEMBER, "{place} Carers' Centre", "Trustee of {place} Carers' Centre, which would receive the grant", "left_room")],
            "Approved a grant of £64,000 for 12 months."),
        noted("Primary care quality and performance report"),
    ]),
    mtg(9, &[GP_C, HEALTHWATCH], &[
        decided("Response to the national consultation on the GP contract", "",
            &[cf(AO, "NHS Confederation", "Member of the NHS Confederation primary care advisory board, which is also responding to the consultation", "took_part")],
            "Agreed the CCG's response, with the committee's comments on the proposed changes to the Quality and Outcomes Framework."),
        decided("Primary care estates: {p1} premises improvement grant",
            "Converting a storeroom into a treatment room at {p1}.",
            &[cf(GP_B, "{practice}", "Partner at {practice}, the applicant practice", "left_room")],
            "Approved a grant of £42,500 (66% of the cost), subject to the district valuer's report."),
        decided("Primary care workforce: recruitment and retention plan", "", &[],
            "Approved the plan, including a fellowship scheme for newly qualified GPs."),
    ]),
    // Two GP members left the room, and with four apologies only three voting members counted.
    mtg(8, &[AO, NURSING, GP_C, NURSE_MEMBER], &[
        It { title: "Local enhanced service for phlebotomy",
            about: "Blood tests in practices for patients whose tests hospital clinicians request, paid per test; every practice would be eligible.",
            conflicts: &[
                cf(GP_A, "{practice}", "Partner at {practice}, which would be paid under the scheme", "left_room"),
                cf(GP_B, "{practice}", "Partner at {practice}, which would be paid under the scheme", "left_room"),
            ],
            minute: Minute::LostQuorum {
                attempted: "Approved the local enhanced service for phlebotomy.",
                reason: "Inquorate for this item: the two GP members present declared an interest (their practices would be paid under the scheme) and left the room, leaving three voting members against a quorum of four. Deferred to the next meeting, to which a lay member of another committee will be co-opted.",
            },
            procurement: None },
        noted("Primary care quality and performance report"),
        decided("Primary care risk register", "", &[], "Reviewed the risk register and added a risk on GP retention."),
    ]),
    Mtg { months_ago: 7, apologies: &[LAY_PPI, NURSING, NURSE_MEMBER], absent: &[],
        co_opted: &[(CHAIR, "Chair of the Governing Body and lay member of the Finance and Performance Committee, co-opted for this meeting to restore the quorum for item 2, on which every GP member is conflicted")],
        items: &[
        It { title: "Local enhanced service for phlebotomy (deferred from the previous meeting)",
            about: "Returned from the previous meeting, where it was deferred because the committee was inquorate once the conflicted GP members had left the room. The Chair of the Governing Body was co-opted to restore the quorum.",
            conflicts: &[
                cf(GP_A, "{practice}", "Partner at {practice}, which would be paid under the scheme", "left_room"),
                cf(GP_B, "{practice}", "Partner at {practice}, which would be paid under the scheme", "left_room"),
                cf(GP_C, "{practice}", "Partner at {practice}, which would be paid under the scheme", "left_room"),
            ],
            minute: Minute::Decided("Approved the service specification and a fee of £4.20 per test, offered to every practice, for two years."),
            procurement: Some(Proc { title: "Phlebotomy in general practice",
                service: "Blood tests in practices for patients whose tests hospital clinicians request, paid per test.",
                new_service: false, route: "direct_award_b", supplier: "Every practice in {place} signing the service specification",
                pounds: 192_000, months: 24, clinical_lead: Some(NURSING), contract_manager: HEAD_PRIMARY_CARE,
                justification: "Patients choose their practice and every practice meeting the specification is paid the same fee, so Direct Award Process B applies. The three GP members, whose practices will be paid, left the room; a co-opted lay member restored the quorum." }) },
        decided("Extended access: mobilisation report", "", &[],
            "Noted that all four hubs opened on time, with 87% of appointments used in the first month."),
    ] },
    mtg(6, &[CFO, GP_B], &[
        decided("Primary care estates: {p3} premises improvement grant",
            "An extension at {p3} adding three consulting rooms.",
            &[cf(GP_D, "{practice}", "Partner at {practice}, the applicant practice", "left_room")],
            "Approved a grant of £118,000, subject to the district valuer's report and a 15-year abatement agreement."),
        decided("Application to close the list: {p2}",
            "{p2} asked to close its list to new patients for six months after losing two salaried GPs.",
            &[cf(GP_C, "{practice}", "Partner at {practice}, the applicant practice", "left_room")],
            "Refused the application and agreed a package of locum support instead, to be reviewed in six months."),
        noted("Primary care quality and performance report"),
    ]),
    mtg(5, &[GP_B, HEALTHWATCH], &[
        It { title: "Enhanced health in care homes: local incentive scheme",
            about: "A weekly GP ward round and a named clinical lead for every care home, funded through the Better Care Fund.",
            conflicts: &[
                cf(GP_C, "{practice}", "Partner at {practice}, which looks after care home residents and would be paid under the scheme", "left_room"),
                cf(GP_D, "{practice}", "Partner at {practice}, which looks after care home residents and would be paid under the scheme", "left_room"),
            ],
            minute: Minute::Referred { to: "Governing Body",
                reason: "The scheme would be paid for from the Better Care Fund pooled budget, which the Governing Body manages with {place} County Council under a section 75 agreement. The committee supported the scheme and referred the decision to the Governing Body." },
            procurement: None },
        It { title: "Practice nurse training hub: funding",
            about: "Placements, preceptorship and mentoring for nurses new to general practice, hosted by the University of {place}.",
            conflicts: &[cf(NURSING, "University of {place}", "Visiting lecturer at the University of {place}, which would host the hub", "stayed_not_voting")],
            minute: Minute::Decided("Approved two years' funding for a practice nurse training hub hosted by the University of {place}."),
            procurement: Some(Proc { title: "Practice nurse training hub",
                service: "Placements, preceptorship and mentoring for nurses new to general practice, hosted by the university's school of nursing.",
                new_service: true, route: "single_tender_waiver", supplier: "University of {place}",
                pounds: 180_000, months: 24, clinical_lead: Some(NURSE_MEMBER), contract_manager: HEAD_PRIMARY_CARE,
                justification: "The university is the only provider of accredited nurse education in the area and the hub builds on its placement programme; the waiver was approved under the standing financial instructions. The Director of Nursing and Quality, a visiting lecturer at the university, stayed but did not vote." }) },
        It { title: "Interpreting services for primary care: award of contract",
            about: "Face-to-face, telephone and video interpreting, including British Sign Language, for patients of every practice.",
            conflicts: &[], minute: Minute::Decided("Awarded the contract to Clearspeak Interpreting Ltd for three years."),
            procurement: Some(Proc { title: "Interpreting services for general practice",
                service: "Face-to-face, telephone and video interpreting, including British Sign Language, for patients of every practice.",
                new_service: false, route: "tender", supplier: "Clearspeak Interpreting Ltd",
                pounds: 245_000, months: 36, clinical_lead: None, contract_manager: CONTRACTS_OFFICER,
                justification: "Open tender with five bids, evaluated on quality (70%) and price (30%); the contract replaces three spot-purchase arrangements." }) },
    ]),
    mtg(4, &[AO, GP_C], &[
        It { title: "Minor surgery: hub practices for the local enhanced service",
            about: "Two practices to provide minor surgery for the patients of every practice, instead of hospital referrals.",
            conflicts: &[
                cf(GP_B, "{practice}", "Partner at {practice}, one of the proposed hub practices", "left_room"),
                cf(GP_D, "{practice}", "Partner at {practice}, one of the proposed hub practices", "left_room"),
            ],
            minute: Minute::Decided("Awarded the minor surgery hub service to {p1} and {p3} for two years."),
            procurement: Some(Proc { title: "Minor surgery hubs",
                service: "Minor surgery in two hub practices for the patients of every practice.",
                new_service: true, route: "most_suitable_provider", supplier: "{p1} and {p3}",
                pounds: 148_000, months: 24, clinical_lead: Some(SECONDARY_CARE), contract_manager: HEAD_PRIMARY_CARE,
                justification: "Only practices with accredited minor surgery rooms and GPs can provide the service; the two practices were assessed as most suitable against the published key criteria. Both GP members who are partners in the hub practices left the room." }) },
        decided("Little Marston branch surgery: public consultation on closure",
            "Proposal to consult on closing the branch surgery in Little Marston, open two mornings a week, and moving its services to the main {p0} premises.",
            &[cf(LAY_PPI, "Little Marston Parish Council", "Elected member of Little Marston Parish Council, which opposes the closure (a non-financial interest)", "took_part")],
            "Agreed a 12-week public consultation, with a drop-in session in Little Marston."),
        It { title: "First contact physiotherapists in primary care networks",
            about: "Physiotherapists in practices seeing patients with musculoskeletal problems without a GP referral.",
            conflicts: &[], minute: Minute::Decided("Approved a variation of the community physiotherapy contract to provide first contact physiotherapists for 12 months."),
            procurement: Some(Proc { title: "First contact physiotherapy in general practice",
                service: "Physiotherapists in practices seeing patients with musculoskeletal problems without a GP referral.",
                new_service: true, route: "extension", supplier: "{place} Community Health NHS Trust",
                pounds: 410_000, months: 12, clinical_lead: None, contract_manager: HEAD_CONTRACTS,
                justification: "A variation within the scope of the original community physiotherapy procurement; the provider already employs the physiotherapists and can start within a month." }) },
    ]),
    mtg(3, &[NURSING, NURSE_MEMBER], &[
        It { title: "Special allocation scheme: contract award",
            about: "Primary medical services at a secure site for patients removed from practice lists after violent incidents.",
            conflicts: &[], minute: Minute::Decided("Awarded the contract to Kingsway Medical Practice, the current provider, for 12 months."),
            procurement: Some(Proc { title: "Special allocation scheme (violent patient scheme)",
                service: "Primary medical services at a secure site for patients removed from practice lists after violent incidents.",
                new_service: false, route: "direct_award_a", supplier: "Kingsway Medical Practice",
                pounds: 18_000, months: 12, clinical_lead: None, contract_manager: HEAD_PRIMARY_CARE,
                justification: "The current provider is the only practice with the secure premises and trained staff the scheme needs and there is no realistic alternative, so Direct Award Process A applies." }) },
        decided("Application to close the list: {p2}, six-month review", "",
            &[cf(GP_C, "{practice}", "Partner at {practice}, the practice under review", "left_room")],
            "Noted the improved GP staffing at {p2}; the locum support ends as planned."),
        decided("Enhanced health in care homes: the Governing Body's decision",
            "The Governing Body approved the scheme this committee referred to it.", &[], "The committee noted the decision."),
    ]),
    mtg(2, &[LAY_PPI, GP_D], &[
        decided("Local enhanced service for phlebotomy: six-month review", "",
            &[
                cf(GP_B, "{practice}", "Partner at {practice}, which is paid under the scheme", "left_room"),
                cf(GP_C, "{practice}", "Partner at {practice}, which is paid under the scheme", "left_room"),
            ],
            "Noted that 31 practices provide the service and agreed to continue it unchanged."),
        noted("Primary care network additional roles: recruitment report"),
        decided("Primary care risk register", "", &[], "Reviewed the risk register; no new risks."),
    ]),
    Mtg { months_ago: 1, apologies: &[], absent: &[WELLBEING_BOARD], co_opted: &[], items: &[
        It { title: "APMS contract for the patients of {p5}",
            about: "The partners of {p5} handed back their contract; the committee must choose a provider for its 7,400 patients.",
            conflicts: &[], minute: Minute::Decided("Awarded a five-year APMS contract to Beacon Primary Care Ltd, the highest-scoring of four bidders."),
            procurement: Some(Proc { title: "Primary medical services for the {p5} list (APMS)",
                service: "General practice services for the 7,400 patients of {p5}, from the same premises.",
                new_service: false, route: "competitive_process", supplier: "Beacon Primary Care Ltd",
                pounds: 6_200_000, months: 60, clinical_lead: Some(GP_E), contract_manager: HEAD_PRIMARY_CARE,
                justification: "Four bids were evaluated on quality (60%), social value (10%) and price (30%). The practice manager representative on the Governing Body, employed at {p5}, took no part in the procurement." }) },
        It { title: "GP IT hardware refresh: call-off",
            about: "Replacing 600 desktop computers and 150 laptops in practices.",
            conflicts: &[], minute: Minute::Decided("Approved the call-off to Stratus Digital Ltd."),
            procurement: Some(Proc { title: "GP IT hardware refresh",
                service: "Supply, installation and three years' support of 600 desktop computers and 150 laptops in practices.",
                new_service: false, route: "framework", supplier: "Stratus Digital Ltd",
                pounds: 275_000, months: 36, clinical_lead: None, contract_manager: HEAD_CONTRACTS,
                justification: "A mini-competition under a national technology framework; the lowest-priced of three compliant bids won." }) },
        decided("Primary care commissioning: annual report", "", &[],
            "Approved the annual report for the Governing Body."),
    ] },
];

#[rustfmt::skip]
const FP_MEETINGS: [Mtg; 4] = [
    mtg(11, &[], &[
        decided("Finance report", "", &[], "Noted the forecast break-even position and the risks to the QIPP plan."),
        It { title: "Non-emergency patient transport: contract extension",
            about: "Extending the current contract by 12 months while the service is re-procured with neighbouring CCGs.",
            conflicts: &[], minute: Minute::Decided("Approved a 12-month extension under the contract's extension clause."),
            procurement: Some(Proc { title: "Non-emergency patient transport",
                service: "Transport to and from hospital for patients whose medical condition needs it.",
                new_service: false, route: "extension", supplier: "Coastline Patient Transport Ltd",
                pounds: 2_100_000, months: 12, clinical_lead: None, contract_manager: HEAD_CONTRACTS,
                justification: "The contract allows a 12-month extension and the provider meets its standards; extending lets the CCG re-procure jointly with two neighbouring CCGs." }) },
    ]),
    mtg(8, &[AO], &[
        noted("Finance report and year-end forecast"),
        decided("Financial plan for next year", "", &[], "Recommended the plan to the Governing Body for approval."),
        noted("Contract performance: acute and community contracts"),
    ]),
    mtg(5, &[GP_E], &[
        It { title: "Integrated urgent care: NHS 111 and clinical assessment service",
            about: "{place}'s share of the regional integrated urgent care contract, which a lead commissioner manages for the region.",
            conflicts: &[], minute: Minute::Decided("Approved a five-year direct award to the current provider, the Governing Body to be informed."),
            procurement: Some(Proc { title: "Integrated urgent care (NHS 111 and clinical assessment service)",
                service: "NHS 111 telephone and online triage with a clinical assessment service, for the region's population.",
                new_service: false, route: "direct_award_c", supplier: "Coastal Ambulance Service NHS Foundation Trust",
                pounds: 24_000_000, months: 60, clinical_lead: Some(GP_E), contract_manager: HEAD_CONTRACTS,
                justification: "The current provider meets the contract well and the service will not change considerably, so Direct Award Process C applies; the intention to award was published and no representations were received." }) },
        noted("QIPP plan: progress report"),
    ]),
    Mtg { months_ago: 2, apologies: &[], absent: &[DEPUTY_CFO], co_opted: &[], items: &[
        It { title: "Internal audit and counter fraud services: award of contract",
            about: "Internal audit, local counter fraud and technology risk assurance for three years.",
            conflicts: &[cf(LAY_GOVERNANCE, "Ashworth Governance LLP", "Partner in Ashworth Governance LLP, one of the bidders", "left_room")],
            minute: Minute::Decided("Awarded the contract to Westmoor Audit Services LLP for three years; the Chair of the Governing Body presided for this item."),
            procurement: Some(Proc { title: "Internal audit and counter fraud services",
                service: "Internal audit, local counter fraud and technology risk assurance.",
                new_service: false, route: "tender", supplier: "Westmoor Audit Services LLP",
                pounds: 420_000, months: 36, clinical_lead: None, contract_manager: DEPUTY_CFO,
                justification: "Competitive tender with four bids, evaluated on quality (70%) and price (30%). The committee's chair, a partner in one of the bidders, left the room and took no part in the evaluation." }) },
        It { title: "Community dermatology: contract award",
            about: "A consultant-led community dermatology service with teledermatology triage, to replace the current contract when it ends.",
            conflicts: &[cf(COMMISSIONING, "Greenfields Community Healthcare Ltd", "Brother is managing director of Greenfields Community Healthcare Ltd, the current provider and a bidder", "left_room")],
            minute: Minute::Decided("Awarded the contract to Dermacare Partners LLP for three years."),
            procurement: Some(Proc { title: "Community dermatology service",
                service: "Consultant-led community dermatology with teledermatology triage.",
                new_service: false, route: "competitive_process", supplier: "Dermacare Partners LLP",
                pounds: 3_600_000, months: 36, clinical_lead: Some(SECONDARY_CARE), contract_manager: HEAD_CONTRACTS,
                justification: "Competitive process under the Provider Selection Regime with three bidders, including the current provider; Dermacare's bid scored highest on quality and access. The Director of Commissioning, whose brother runs the current provider, was excluded from the process and left the room." }) },
        noted("Finance report"),
    ] },
];

#[rustfmt::skip]
const DELEGATED: [Delegated; 2] = [
    Delegated { days_ago: 200,
        how: "Approved by the Chief Finance Officer under delegated authority (scheme of reservation and delegation, section 4.2).",
        conflicts: "The Accountable Officer declared an indirect interest (a close family member is a director of a care provider that bids for continuing healthcare packages) and took no part. No other interests were declared.",
        procurement: Proc { title: "Continuing healthcare: complex care beds",
            service: "Four nursing beds reserved at a local nursing home for people eligible for NHS continuing healthcare with complex needs.",
            new_service: false, route: "single_tender_waiver", supplier: "Larkfield Nursing Home Ltd",
            pounds: 236_000, months: 12, clinical_lead: Some(QUALITY), contract_manager: HEAD_CONTRACTS,
            justification: "The only nursing home in the area with beds registered for these patients' needs; the waiver was approved under the standing financial instructions." } },
    Delegated { days_ago: 100,
        how: "Approved by the Accountable Officer under urgent decision powers (standing orders, section 3.4) and reported to the next meeting of the Finance and Performance Committee.",
        conflicts: "No interests were declared by those who took the decision.",
        procurement: Proc { title: "Wheelchair service: interim extension",
            service: "Assessment, provision and repair of wheelchairs for adults and children.",
            new_service: false, route: "extension", supplier: "Mobility Plus Services Ltd",
            pounds: 148_000, months: 6, clinical_lead: None, contract_manager: CONTRACTS_OFFICER,
            justification: "The contract ends before the joint re-procurement with the county council can finish; a six-month extension avoids a break in service." } },
];

#[rustfmt::skip]
const BREACHES: [BreachDef; 2] = [
    BreachDef { occurred_ago: 230, identified_after: 70,
        summary: "A member of staff accepted a gift from a supplier (a set of glassware worth about £90) and declared it ten weeks later. The policy asks staff to decline gifts from suppliers other than low-value promotional items, and to declare every offer within 28 days.",
        action: "The gift was returned to the supplier with a letter explaining the policy and declared on the register. The member of staff completed the conflicts of interest training, and the policy was restated in the staff bulletin.",
        reported_to: "Audit Committee", person: None },
    BreachDef { occurred_ago: 95, identified_after: 12,
        summary: "A member of a procurement evaluation panel took part in the panel's discussion of the bids, although a declared interest in one of the bidders (a close family member is a director of the company) excluded them from the panel's work.",
        action: "The panel's scores were set aside and the evaluation was repeated without the member; the decision was reviewed and re-taken, with the same outcome. Panel chairs now check the register of interests at the start of every meeting.",
        reported_to: "Audit Committee", person: Some(HEAD_CONTRACTS) },
];

const MINUTES: It = decided(
    "Minutes of the previous meeting",
    "",
    &[],
    "The minutes were approved as an accurate record.",
);

/// A person the business names: staff (by ROLES index) and the observers after them.
struct Who {
    slug: String,
    id: i64,
    /// "Name, position", as a clinical lead or contract manager is shown.
    described: String,
    practice: Option<usize>,
}

/// Where a procurement decision was taken.
enum Taken {
    Item(i64),
    Delegated(&'static Delegated),
}

/// A procurement decision to record: when, what, and where it was taken.
type Taking = (NaiveDate, &'static Proc, Taken);

/// What the seeding of one organisation's business works from.
struct Org<'a> {
    id: i64,
    ctx: &'a Ctx,
    who: Vec<Who>,
    register: Vec<Version>,
}

/// Seed the committee business of an organisation whose people and declarations exist.
pub(super) fn seed(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &Ctx,
    staff: &[Staff],
) -> Result<(), StoreError> {
    let org = Org {
        id: org_id,
        ctx,
        who: people_and_observers(c, org_id, ctx, staff)?,
        register: declarations::Declarations::current(c, org_id)?,
    };
    let formed = ctx.days_ago(FORMED_AGO + ctx.jitter(4000))?;
    let mut ids = Vec::new();
    let mut schedule = Vec::new();
    for (ci, def) in COMMITTEES.iter().enumerate() {
        let committee = Committee::parse(&input(json!({
            "slug": def.slug, "name": def.name, "terms_of_reference": ctx.fill(def.terms, None),
            "quorum_minimum": def.quorum_minimum, "quorum_required": def.quorum_required,
        })))?;
        let seats = def.seats.iter().map(|s| org.seat(s, formed)).collect();
        let created = committees::create_committee(c, org_id, ACTOR, committee, seats)?;
        ids.push(created.value.committee.id);
        for (mi, m) in def.meetings.iter().enumerate() {
            let shift = ctx.jitter(5000 + 100 * ci as u64 + mi as u64);
            let nominal = ctx.days_ago(m.months_ago * 365 / 12 + shift)?;
            schedule.push((next_weekday(nominal, def.weekday), ci, mi));
        }
    }
    // Meetings in the order they were held, so the audit chain reads like the year did.
    schedule.sort();
    let mut rosters: Vec<Vec<usize>> = COMMITTEES
        .iter()
        .map(|def| def.seats.iter().map(|s| s.who).collect())
        .collect();
    let mut taken = Vec::new();
    for (held_on, ci, mi) in schedule {
        let def = &COMMITTEES[ci];
        taken.extend(org.meeting(c, ids[ci], &rosters[ci], &def.meetings[mi], held_on)?);
        if let Some(change) = def.change.as_ref().filter(|ch| ch.after == mi) {
            org.change_membership(c, ids[ci], change, held_on)?;
            let roster = &mut rosters[ci];
            roster.retain(|&p| p != change.leaves);
            roster.push(change.joins.who);
        }
    }
    for d in &DELEGATED {
        let on = ctx.days_ago(d.days_ago + ctx.jitter(6000))?;
        taken.push((on, &d.procurement, Taken::Delegated(d)));
    }
    org.decisions(c, taken)?;
    org.breaches(c)
}

/// The staff as [`Who`], followed by the observers, whom this creates.
fn people_and_observers(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &Ctx,
    staff: &[Staff],
) -> Result<Vec<Who>, StoreError> {
    let mut who = Vec::new();
    for (i, s) in staff.iter().enumerate() {
        who.push(Who {
            slug: s.slug.clone(),
            id: people::by_slug(c, org_id, &s.slug)?.id,
            described: format!("{}, {}", s.name, s.position),
            practice: super::ROLES[i].practice,
        });
    }
    for position in OBSERVERS {
        // Named the way demo.rs names staff, continuing its sequence.
        let (i, v) = (who.len(), ctx.variant as usize);
        let first = super::FIRST_NAMES[(i * 7 + v * 3) % super::FIRST_NAMES.len()];
        let last = super::SURNAMES[(i * 11 + v * 17 + 5) % super::SURNAMES.len()];
        let fields = PersonFields {
            name: format!("{first} {last}"),
            position: ctx.fill(position, None),
            decision_making: false,
        };
        let p = people::create(c, org_id, ACTOR, fields)?.value;
        who.push(Who {
            described: format!("{}, {}", p.fields.name, p.fields.position),
            slug: p.slug,
            id: p.id,
            practice: None,
        });
    }
    Ok(who)
}

impl Org<'_> {
    /// A membership as entered for `seat`, from `from`.
    fn seat(&self, seat: &Seat, from: NaiveDate) -> (Option<String>, Input) {
        let fields =
            json!({"category": seat.category, "role": seat.role, "from": from.to_string()});
        (Some(self.who[seat.who].slug.clone()), input(fields))
    }

    /// Record meeting `m` of the committee `committee_id`, whose members are `roster`,
    /// and its items; returns the procurement decisions it took.
    fn meeting(
        &self,
        c: &mut AnyConnection,
        committee_id: i64,
        roster: &[usize],
        m: &'static Mtg,
        held_on: NaiveDate,
    ) -> Result<Vec<Taking>, StoreError> {
        let mut attendance = serde_json::Map::new();
        for &p in roster.iter().chain(m.apologies).chain(m.absent) {
            let status = if m.apologies.contains(&p) {
                "apologies"
            } else if m.absent.contains(&p) {
                "absent"
            } else {
                "present"
            };
            attendance.insert(self.who[p].slug.clone(), json!(status));
        }
        let co_opted: Vec<Value> = m
            .co_opted
            .iter()
            .map(|&(p, note)| json!({"person": self.who[p].slug, "category": "lay", "note": note}))
            .collect();
        let meeting = MeetingInput::parse(&input(json!({
            "held_on": held_on.to_string(), "attendance": attendance, "co_opted": co_opted,
        })))?;
        let meeting_id = meetings::create_meeting(c, self.id, ACTOR, committee_id, meeting)?
            .value
            .id;
        let mut taken = Vec::new();
        for (k, it) in std::iter::once(&MINUTES).chain(m.items).enumerate() {
            let item_id = self.item(c, meeting_id, &(k + 1).to_string(), it, held_on)?;
            if let Some(p) = &it.procurement {
                taken.push((held_on, p, Taken::Item(item_id)));
            }
        }
        Ok(taken)
    }

    /// Record agenda item `it` of a meeting held on `held_on`, and what became of it.
    fn item(
        &self,
        c: &mut AnyConnection,
        meeting_id: i64,
        number: &str,
        it: &It,
        held_on: NaiveDate,
    ) -> Result<i64, StoreError> {
        let ctx = self.ctx;
        let conflicts: Vec<Value> = it
            .conflicts
            .iter()
            .map(|cf| {
                let w = &self.who[cf.who];
                let declaration = cf.register.and_then(|body| {
                    on_register(&self.register, w.id, &ctx.fill(body, w.practice), held_on)
                });
                json!({"person": w.slug, "declaration": declaration,
                       "nature": ctx.fill(cf.nature, w.practice), "decision": cf.decision})
            })
            .collect();
        let item = ItemInput::parse(&input(json!({
            "number": number, "title": text(ctx, it.title),
            "description": text(ctx, it.about), "conflicts": conflicts,
        })))?;
        let item = meetings::create_item(c, self.id, ACTOR, meeting_id, item)?.value;
        let minute = match &it.minute {
            Minute::Decided(decision) => {
                json!({"outcome": "decided", "decision": text(ctx, decision)})
            }
            Minute::Referred { to, reason } => {
                json!({"outcome": "referred", "referred_to": to, "reason": text(ctx, reason)})
            }
            Minute::LostQuorum { attempted, reason } => {
                let attempt = outcome(json!({"outcome": "decided", "decision": attempted}))?;
                match meetings::record_outcome(c, self.id, ACTOR, item.id, item.version, attempt) {
                    Err(StoreError::Invalid(_)) => {}
                    Ok(_) => {
                        return Err(StoreError::Corrupt(format!(
                            "demo: {:?} should have been refused as inquorate",
                            it.title
                        )))
                    }
                    Err(e) => return Err(e),
                }
                json!({"outcome": "deferred", "reason": reason})
            }
        };
        meetings::record_outcome(c, self.id, ACTOR, item.id, item.version, outcome(minute)?)?;
        Ok(item.id)
    }

    /// `change.leaves`' membership ends the day after the meeting of `held_on`, and
    /// `change.joins` joins the day after that.
    fn change_membership(
        &self,
        c: &mut AnyConnection,
        committee_id: i64,
        change: &Change,
        held_on: NaiveDate,
    ) -> Result<(), StoreError> {
        let leaving = self.who[change.leaves].id;
        let current = records::children::<Membership>(c, self.id, committee_id)?
            .into_iter()
            .find(|m| m.record.member.person_id == leaving && m.record.member.to.is_none())
            .ok_or_else(|| {
                StoreError::Corrupt("demo: the leaving member has no open membership".into())
            })?;
        let last_day = held_on + Days::new(1);
        let to = input(json!({"to": last_day.to_string()}));
        let version = (current.id, current.version);
        committees::change_membership(c, self.id, ACTOR, committee_id, version, "end", to)?;
        let joins = self.seat(&change.joins, last_day + Days::new(1));
        committees::add_members(c, self.id, ACTOR, committee_id, vec![joins])?;
        Ok(())
    }

    /// Record the procurement decisions, numbered in date order within each year.
    fn decisions(&self, c: &mut AnyConnection, mut taken: Vec<Taking>) -> Result<(), StoreError> {
        let ctx = self.ctx;
        taken.sort_by_key(|(on, ..)| *on);
        let prefix = format!("{}CCG", ctx.place.chars().next().unwrap_or('X'));
        let mut numbers: BTreeMap<i32, u32> = BTreeMap::new();
        for (decided_on, p, how) in taken {
            let n = numbers.entry(decided_on.year()).or_default();
            *n += 1;
            let starts = decided_on + Days::new(60);
            let (item, how_decided, conflicts_note) = match how {
                Taken::Item(id) => (Some(id), None, None),
                Taken::Delegated(d) => (None, Some(d.how), Some(d.conflicts)),
            };
            let fields = DecisionFields::parse(&input(json!({
                "reference": format!("{prefix}-PD-{}-{n:03}", decided_on.year()),
                "title": text(ctx, p.title), "service_description": text(ctx, p.service),
                "service_status": if p.new_service { "new" } else { "existing" },
                "route": p.route,
                "clinical_lead": p.clinical_lead.map(|i| self.who[i].described.clone()),
                "contract_manager": self.who[p.contract_manager].described,
                "decided_on": decided_on.to_string(), "item": item,
                "how_decided": how_decided, "conflicts_note": conflicts_note,
                "justification": text(ctx, p.justification), "supplier": text(ctx, p.supplier),
                "value_pence": p.pounds * 100, "term_months": p.months,
                "starts_on": starts.with_day(1).unwrap_or(starts).to_string(),
            })))?;
            decisions::create_decision(c, self.id, ACTOR, fields)?;
        }
        Ok(())
    }

    fn breaches(&self, c: &mut AnyConnection) -> Result<(), StoreError> {
        let ctx = self.ctx;
        for (k, b) in BREACHES.iter().enumerate() {
            let occurred = b.occurred_ago + ctx.jitter(7000 + k as u64);
            let breach = BreachInput::parse(
                &input(json!({
                    "occurred_on": ctx.days_ago(occurred)?.to_string(),
                    "identified_on": ctx.days_ago(occurred - b.identified_after)?.to_string(),
                    "summary": b.summary, "action_taken": b.action, "reported_to": b.reported_to,
                    "person": b.person.map(|i| self.who[i].slug.clone()),
                })),
                ctx.today,
            )?;
            breaches::create_breach(c, self.id, ACTOR, breach)?;
        }
        Ok(())
    }
}

fn input(v: Value) -> Input {
    Input::from_json(v).expect("an object")
}

fn outcome(v: Value) -> Result<ItemOutcomeInput, StoreError> {
    Ok(ItemOutcomeInput::parse(&input(v))?)
}

/// The first `weekday` on or after `d`, a week later while that falls over Christmas
/// and New Year (at most two weeks: meetings stay in order, being 16 days apart or more).
fn next_weekday(mut d: NaiveDate, weekday: Weekday) -> NaiveDate {
    while d.weekday() != weekday {
        d = d.succ_opt().expect("a date far from the end of time");
    }
    while (d.month() == 12 && d.day() >= 22) || (d.month() == 1 && d.day() <= 2) {
        d = d + Days::new(7);
    }
    d
}

/// `{place}` and the variant's practices `{p0}`…`{p5}` filled into a template.
fn text(ctx: &Ctx, template: &str) -> String {
    let mut s = ctx.fill(template, None);
    for (i, practice) in ctx.practices.iter().enumerate() {
        s = s.replace(&format!("{{p{i}}}"), practice);
    }
    s
}

/// The id of `person`'s entry about `body` that was on the register on `on`, if any.
fn on_register(register: &[Version], person: i64, body: &str, on: NaiveDate) -> Option<i64> {
    register
        .iter()
        .map(|v| &v.entry)
        .find(|d| {
            d.person_id == person
                && d.fields.body == body
                && d.fields.declared_on <= on
                && d.fields.ended_on.is_none_or(|e| e >= on)
        })
        .map(|d| d.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::committees::constitution;
    use crate::domain::committees::ItemOutcome;
    use crate::store::business::Business;
    use crate::store::{orgs, Store};

    #[test]
    fn demo_committee_business_is_quorate_and_complete() {
        let today = chrono::Utc::now().date_naive();
        // A fixed date and today's: dates move with today, the rules must hold for both.
        for today in [NaiveDate::from_ymd_opt(2027, 1, 20).unwrap(), today] {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path().join("coi.db").to_str().unwrap(), 1).unwrap();
            let c = &mut *store.conn().unwrap();
            assert!(super::super::seed_if_empty(c, today).unwrap());
            for (slug, ..) in super::super::DEMO_ORGS {
                let org_id = orgs::by_slug(c, slug).unwrap().id;
                check_org(c, org_id, today);
            }
        }
    }

    fn check_org(c: &mut AnyConnection, org_id: i64, today: NaiveDate) {
        let b = Business::load(c, org_id).unwrap();
        let pccc = committees::by_slug(c, org_id, "pccc").unwrap();
        let chair = b
            .members_of(pccc.id)
            .into_iter()
            .map(|m| &m.record.member)
            .find(|m| m.role == crate::domain::committees::CommitteeRole::Chair)
            .expect("a chair");
        assert_eq!(chair.category.code(), "lay");
        let meetings = b.meetings_of(pccc.id);
        assert!(meetings.len() >= 12, "{} PCCC meetings", meetings.len());
        assert!(meetings.iter().any(|m| !m.record.co_opted.is_empty()));
        for committee in &b.committees {
            let members = committees::members(
                &b.members_of(committee.id)
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            for m in b.meetings_of(committee.id) {
                let on = m.record.held_on;
                assert!(
                    on < today && on.weekday().num_days_from_monday() < 5,
                    "{on}"
                );
                assert!(!(on.month() == 12 && on.day() >= 22 || on.month() == 1 && on.day() <= 2));
                assert!(constitution(&members, on).is_valid(), "{on}");
                assert!((3..=5).contains(&b.items_of(m.id).len()), "{on}");
            }
        }
        let outcomes = |code: &str| {
            b.items
                .iter()
                .filter(|i| i.record.outcome.code() == code)
                .count()
        };
        assert!(outcomes("deferred") >= 1 && outcomes("referred") >= 1);
        assert_eq!(outcomes("open"), 0);
        for item in &b.items {
            if let ItemOutcome::Decided { .. } = item.record.outcome {
                let quorum = b.quorum(&item.record).unwrap();
                assert!(quorum.is_quorate(), "{}: {quorum:?}", item.record.title);
            }
        }
        let linked = b.items.iter().flat_map(|i| &i.record.conflicts);
        assert!(linked.filter(|cf| cf.declaration_id.is_some()).count() >= 20);
        assert!(b.decisions.len() >= 12);
        assert!(
            b.decisions
                .iter()
                .filter(|d| d.record.fields.item_id.is_some())
                .count()
                >= 10
        );
        assert_eq!(b.breaches.len(), 2);
        assert_eq!(
            b.breaches
                .iter()
                .filter(|x| x.record.person_id.is_some())
                .count(),
            1
        );
    }
}
