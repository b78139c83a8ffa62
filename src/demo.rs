//! Demo data: two CCGs with realistic people, declarations, gifts and returns, seeded
//! through the store's ordinary write path (actor `system`) so the demo audit chains are
//! real and verifiable. Dates are relative to `today`, so the demo never goes stale.

use crate::domain::entries::{Review, StandingChange};
use crate::domain::gifts::{GiftFields, GiftKind, Outcome};
use crate::domain::interests::{DeclarationFields, InterestType, Step};
use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
use crate::domain::people::PersonFields;
use crate::domain::returns::ReturnKind;
use crate::domain::{FieldErrors, Input};
use crate::store::entries::Register;
use crate::store::{declarations, gifts, orgs, people, returns, AnyConnection, StoreError};
use chrono::{Days, NaiveDate};
use diesel::Connection;
use serde_json::json;
use InterestType::{
    Financial as Fin, Indirect as Ind, NonFinancialPersonal as Pers,
    NonFinancialProfessional as Prof,
};

mod business;

/// Every demo write is recorded as made by this actor.
const ACTOR: &str = "system";

/// The organisations [`seed_if_empty`] creates: slug, name, variant.
const DEMO_ORGS: [(&str, &str, u64); 2] = [
    ("northshire-ccg", "NHS Northshire CCG", 0),
    ("southdale-ccg", "NHS Southdale CCG", 1),
];

/// Seed the two demo organisations if the database has no organisations. Returns true if it seeded.
pub fn seed_if_empty(c: &mut AnyConnection, today: NaiveDate) -> Result<bool, StoreError> {
    if !orgs::all(c)?.is_empty() {
        return Ok(false);
    }
    for (slug, name, variant) in DEMO_ORGS {
        match seed_org(c, slug, name, variant, today) {
            Ok(()) => {}
            // Another process seeded at the same moment: its data stands.
            Err(StoreError::Conflict(_)) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Seed one organisation, all or nothing; `variant` makes organisations differ in names and dates.
pub fn seed_org(
    c: &mut AnyConnection,
    slug: &str,
    name: &str,
    variant: u64,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let org = NewOrg {
        slug: OrgSlug::parse(slug).map_err(|m| FieldErrors::one("slug", m))?,
        name: name.to_owned(),
    };
    let ctx = Ctx::new(name, variant, today);
    c.transaction(|c| {
        orgs::create(c, ACTOR, &org, OrgSettings::default())?;
        let org_id = orgs::by_slug(c, slug)?.id;
        let staff = seed_people(c, org_id, &ctx)?;
        seed_declarations(c, org_id, &ctx, &staff)?;
        seed_gifts(c, org_id, &ctx, &staff)?;
        seed_returns(c, org_id, &ctx, &staff)?;
        business::seed(c, org_id, &ctx, &staff)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// The data. People are referred to by their index in ROLES; dates are days before today.
// ---------------------------------------------------------------------------------------

/// A role on the staff list. `{practice}` in the position is the role's GP practice.
struct Role {
    position: &'static str,
    decision_making: bool,
    /// Called "Dr".
    doctor: bool,
    /// Index into the variant's practice names.
    practice: Option<usize>,
}

const fn role(
    position: &'static str,
    decision_making: bool,
    doctor: bool,
    practice: Option<usize>,
) -> Role {
    Role {
        position,
        decision_making,
        doctor,
        practice,
    }
}

const ROLES: [Role; 30] = [
    role("Chair", true, false, None),
    role("Lay member for governance", true, false, None),
    role(
        "Lay member for patient and public involvement",
        true,
        false,
        None,
    ),
    role("Accountable Officer", true, false, None),
    role("Chief Finance Officer", true, false, None),
    role("Director of Nursing and Quality", true, false, None),
    role("Director of Commissioning", true, false, None),
    role("GP member ({practice})", true, true, Some(0)),
    role("GP member ({practice})", true, true, Some(1)),
    role("GP member ({practice})", true, true, Some(2)),
    role("GP member ({practice})", true, true, Some(3)),
    role("GP member ({practice})", true, true, Some(4)),
    role(
        "Practice manager representative ({practice})",
        true,
        false,
        Some(5),
    ),
    role("Secondary care doctor", true, true, None),
    role("Registered nurse member", true, false, None),
    role("Head of Contracts (band 8d)", true, false, None),
    role(
        "Head of Primary Care Commissioning (band 8d)",
        true,
        false,
        None,
    ),
    role("Deputy Chief Finance Officer (band 8d)", true, false, None),
    role("Chief Pharmacist (band 8d)", true, false, None),
    role(
        "Procurement panel member, community services",
        true,
        false,
        None,
    ),
    role("Procurement panel member, mental health", true, false, None),
    role("Procurement panel member, urgent care", true, false, None),
    role("Clinical lead for mental health", true, true, None),
    role("Head of Corporate Governance (band 8d)", true, false, None),
    role("Associate Director of Quality (band 8d)", true, false, None),
    role(
        "Administrator, Medicines Management Team",
        false,
        false,
        None,
    ),
    role("Contracts Officer (band 6)", false, false, None),
    role("Patient Experience Officer (band 5)", false, false, None),
    role("Communications Officer (band 6)", false, false, None),
    role("Business Intelligence Analyst (band 6)", false, false, None),
];

/// 31 first names and 37 surnames: coprime strides give distinct names within an organisation.
pub(crate) const FIRST_NAMES: [&str; 31] = [
    "Sarah",
    "James",
    "Priya",
    "David",
    "Helen",
    "Mohammed",
    "Catherine",
    "Andrew",
    "Fiona",
    "Rajesh",
    "Emma",
    "Robert",
    "Aisha",
    "Michael",
    "Joanne",
    "Gareth",
    "Rebecca",
    "Thomas",
    "Rhian",
    "Paul",
    "Nicola",
    "Oluwaseun",
    "Claire",
    "Stephen",
    "Hannah",
    "Imran",
    "Louise",
    "Richard",
    "Bethan",
    "Christopher",
    "Margaret",
];
pub(crate) const SURNAMES: [&str; 37] = [
    "Patel",
    "Thompson",
    "Hughes",
    "Okafor",
    "Campbell",
    "Davies",
    "Khan",
    "Robinson",
    "Walsh",
    "Evans",
    "Mitchell",
    "Chaudhry",
    "Murray",
    "Fletcher",
    "Bennett",
    "Lloyd",
    "Ahmed",
    "Harrison",
    "MacLeod",
    "Sinclair",
    "Wright",
    "Owen",
    "Shaw",
    "Barker",
    "Nwosu",
    "Fraser",
    "Doyle",
    "Pritchard",
    "Singh",
    "Marsh",
    "Holland",
    "Kaur",
    "Gallagher",
    "Reid",
    "Whitfield",
    "Osei",
    "Lawson",
];

/// GP practices, one set per variant (indexed by `Role::practice`).
const PRACTICES: [[&str; 6]; 2] = [
    [
        "Riverside Surgery",
        "Castle Street Medical Centre",
        "Moorland Health Centre",
        "Abbey Lane Practice",
        "Harbour View Surgery",
        "Oakfield Surgery",
    ],
    [
        "Millbrook Surgery",
        "Station Road Medical Practice",
        "Westgate Health Centre",
        "Priory Fields Surgery",
        "Elm Tree Practice",
        "Brookside Surgery",
    ],
];

/// What happens to a declaration after it is made.
#[derive(Clone, Copy)]
enum Then {
    Nothing,
    /// Ended this many days ago (less than 6 months: still published; more: hidden).
    EndedAgo(u64),
    /// Amended (a second version) with this description and mitigation.
    Amended(&'static str, &'static str),
    /// Recorded as withheld from the public register, with this reason.
    Withheld(&'static str),
}

/// A declaration. Text may use `{place}` and `{practice}` (the declarant's practice).
struct Decl {
    who: usize,
    kind: InterestType,
    associate: Option<&'static str>,
    description: &'static str,
    body: &'static str,
    arose_ago: u64,
    /// Days from arising to declaring: over 28 is late.
    declared_after: u64,
    mitigation: &'static str,
    then: Then,
}

const PARTNER: &str = "**GP partner** at {practice}, sharing in the practice's profits.";
const PARTNER_MITIGATION: &str = "Leaves the room for items concerning {practice} or primary medical services contracts in which the practice has an interest.";
const WITHHELD_REASON: &str =
    "Publication would risk the personal safety of the declarant (policy para 9.3)";

#[rustfmt::skip]
const DECLS: &[Decl] = &[
    Decl { who: 0, kind: Pers, associate: None, body: "{place} Hospice",
        description: "Trustee of **{place} Hospice**, a registered charity that holds an NHS-funded contract for palliative care beds.",
        arose_ago: 520, declared_after: 14, then: Then::Nothing,
        mitigation: "Takes no part in decisions on palliative and end-of-life care contracts; the vice-chair presides for those items." },
    Decl { who: 0, kind: Fin, associate: None, body: "{place} Homes Housing Association",
        description: "Non-executive director of **{place} Homes**, a housing association (remunerated).",
        arose_ago: 530, declared_after: 10, then: Then::EndedAgo(300),
        mitigation: "Declared at the start of meetings discussing housing-related health services." },
    Decl { who: 1, kind: Fin, associate: None, body: "Ashworth Governance LLP",
        description: "Partner in **Ashworth Governance LLP**, which provides audit and governance consultancy to NHS bodies. The firm has no current contract with the CCG.",
        arose_ago: 200, declared_after: 75, then: Then::Nothing,
        mitigation: "Takes no part in appointing internal auditors or governance advisers; the Audit Committee is told of any bid by the firm." },
    Decl { who: 2, kind: Pers, associate: None, body: "Little Marston Parish Council",
        description: "Elected member of **Little Marston Parish Council**.",
        arose_ago: 480, declared_after: 20, then: Then::Nothing,
        mitigation: "Declares the interest whenever estates or service changes affecting the parish are discussed." },
    Decl { who: 2, kind: Pers, associate: None, body: "Friends of {place} General Hospital",
        description: "Volunteer webmaster for the **Friends of {place} General Hospital**.\n\n<script>alert('xss')</script>",
        arose_ago: 300, declared_after: 5, then: Then::Nothing,
        mitigation: "None needed: the Friends hold no contracts with the CCG." },
    Decl { who: 3, kind: Prof, associate: None, body: "NHS Confederation",
        description: "Member of the **NHS Confederation** primary care advisory board (unpaid).",
        arose_ago: 410, declared_after: 21, then: Then::Nothing,
        mitigation: "Declared at governing body meetings where responses to national policy are discussed." },
    Decl { who: 3, kind: Ind, associate: Some("Spouse"), body: "Meadowbank Care Ltd",
        description: "My spouse is a **director of Meadowbank Care Ltd**, which provides domiciliary care for {place} County Council and bids for CCG continuing healthcare packages.",
        arose_ago: 365, declared_after: 12, then: Then::Nothing,
        mitigation: "Excluded from all decisions on continuing healthcare and domiciliary care; the Chief Finance Officer takes those decisions." },
    Decl { who: 4, kind: Prof, associate: None, body: "Healthcare Financial Management Association",
        description: "Member of the **Healthcare Financial Management Association** (HFMA) regional committee.",
        arose_ago: 500, declared_after: 9, then: Then::EndedAgo(90),
        mitigation: "No conflict with CCG decisions identified; declared for transparency." },
    Decl { who: 5, kind: Prof, associate: None, body: "University of {place}",
        description: "Visiting lecturer in nursing at the **University of {place}** (the honorarium is paid to the CCG).",
        arose_ago: 250, declared_after: 40, then: Then::Nothing,
        mitigation: "Takes no part in decisions on education or clinical placement funding involving the university." },
    Decl { who: 6, kind: Ind, associate: Some("Brother"), body: "Greenfields Community Healthcare Ltd",
        description: "My brother is **managing director of Greenfields Community Healthcare Ltd**, which holds the CCG's community dermatology contract:\n\n- contract value about £1.2m a year\n- due for re-procurement next year",
        arose_ago: 150, declared_after: 60, then: Then::Nothing,
        mitigation: "Excluded from the dermatology re-procurement, which the Head of Contracts leads and reports to the Primary Care Commissioning Committee." },
    Decl { who: 7, kind: Fin, associate: None, body: "{practice}", description: PARTNER,
        arose_ago: 525, declared_after: 3, then: Then::Nothing, mitigation: PARTNER_MITIGATION },
    Decl { who: 7, kind: Fin, associate: None, body: "{place} GP Federation Ltd",
        description: "Holds **500 ordinary shares** in {place} GP Federation Ltd, which provides extended-access appointments under contract to the CCG.",
        arose_ago: 400, declared_after: 14,
        then: Then::Amended(
            "Holds **1,200 ordinary shares** in {place} GP Federation Ltd (holding increased in a rights issue), which provides extended-access appointments under contract to the CCG.",
            "Takes no part in, and leaves the room for, any item about contracts with the federation."),
        mitigation: "Does not vote on contracts awarded to the federation." },
    Decl { who: 7, kind: Prof, associate: None, body: "Royal College of General Practitioners",
        description: "Fellow of the **Royal College of General Practitioners** (FRCGP).",
        arose_ago: 510, declared_after: 2, then: Then::Nothing, mitigation: "None needed." },
    Decl { who: 8, kind: Fin, associate: None, body: "{practice}", description: PARTNER,
        arose_ago: 515, declared_after: 7, then: Then::Nothing, mitigation: PARTNER_MITIGATION },
    Decl { who: 8, kind: Prof, associate: None, body: "{place} Local Medical Committee",
        description: "Elected member of **{place} Local Medical Committee** (LMC), which represents GP practices in negotiations with the CCG.",
        arose_ago: 330, declared_after: 26, then: Then::Nothing,
        mitigation: "Takes no part in decisions on local enhanced services negotiated with the LMC." },
    Decl { who: 8, kind: Fin, associate: None, body: "Castlegate Care Homes Ltd",
        description: "**Director and 50% shareholder** of Castlegate Care Homes Ltd, which ran two nursing homes taking CCG-funded residents.",
        arose_ago: 520, declared_after: 45, then: Then::EndedAgo(260),
        mitigation: "Excluded from care home placement and fee decisions until the company was sold." },
    Decl { who: 9, kind: Fin, associate: None, body: "{practice}", description: PARTNER,
        arose_ago: 505, declared_after: 18, then: Then::Nothing, mitigation: PARTNER_MITIGATION },
    Decl { who: 9, kind: Prof, associate: None, body: "National Institute for Health and Care Research",
        description: "Principal investigator for a **clinical research study** on atrial fibrillation screening in primary care, funded by the National Institute for Health and Care Research; the practice receives per-patient research payments.",
        arose_ago: 220, declared_after: 30, then: Then::Nothing,
        mitigation: "Takes no part in decisions on cardiology pathways or atrial fibrillation screening services." },
    Decl { who: 9, kind: Pers, associate: None, body: "A local domestic abuse refuge",
        description: "Volunteer at a local refuge for people escaping domestic abuse.",
        arose_ago: 180, declared_after: 10, then: Then::Withheld(WITHHELD_REASON),
        mitigation: "No conflict with CCG business identified." },
    Decl { who: 10, kind: Fin, associate: None, body: "{practice}", description: PARTNER,
        arose_ago: 498, declared_after: 11, then: Then::Nothing, mitigation: PARTNER_MITIGATION },
    Decl { who: 10, kind: Fin, associate: None, body: "Physio Direct Partners Ltd",
        description: "Paid **sessional work** as a GP with a special interest in musculoskeletal medicine for Physio Direct Partners Ltd, an independent MSK provider:\n\n- two sessions a month\n- paid by the session",
        arose_ago: 420, declared_after: 16, then: Then::EndedAgo(45),
        mitigation: "Excluded from the MSK service review while the work continued." },
    Decl { who: 11, kind: Fin, associate: None, body: "{practice}", description: PARTNER,
        arose_ago: 490, declared_after: 4, then: Then::Nothing, mitigation: PARTNER_MITIGATION },
    Decl { who: 11, kind: Ind, associate: Some("Spouse"), body: "{practice}",
        description: "My spouse is the **practice manager** at {practice}, employed by the partnership.",
        arose_ago: 490, declared_after: 95, then: Then::Nothing,
        mitigation: "Covered by the same arrangements as the declarant's own interest in the practice." },
    Decl { who: 12, kind: Fin, associate: None, body: "{practice}",
        description: "Employed as **practice manager** at {practice}.",
        arose_ago: 470, declared_after: 8, then: Then::Nothing,
        mitigation: "Leaves the room for items concerning {practice}." },
    Decl { who: 12, kind: Fin, associate: None, body: "{place} GP Federation Ltd",
        description: "Holds **100 ordinary shares** in {place} GP Federation Ltd.",
        arose_ago: 380, declared_after: 33, then: Then::Nothing,
        mitigation: "Does not vote on contracts awarded to the federation." },
    Decl { who: 13, kind: Fin, associate: None, body: "Kingsmere University Hospitals NHS Trust",
        description: "Consultant cardiologist employed by **Kingsmere University Hospitals NHS Trust**, a trust with no contracts with the CCG.",
        arose_ago: 530, declared_after: 5, then: Then::Nothing,
        mitigation: "The secondary care doctor is appointed from a trust the CCG does not commission; declared for transparency." },
    Decl { who: 13, kind: Fin, associate: None, body: "Beaumont Park Hospital",
        description: "**Private practice** at Beaumont Park Hospital, an independent hospital providing NHS-funded elective care.",
        arose_ago: 350, declared_after: 20, then: Then::Nothing,
        mitigation: "Takes no part in decisions on elective care capacity or independent sector contracts." },
    Decl { who: 14, kind: Pers, associate: None, body: "{place} Carers' Centre",
        description: "Trustee of **{place} Carers' Centre**, a charity funded in part by the CCG.",
        arose_ago: 525, declared_after: 15, then: Then::EndedAgo(230),
        mitigation: "Left the room for items about carers' services while a trustee." },
    Decl { who: 15, kind: Ind, associate: Some("Spouse"), body: "Northgate Diagnostics Ltd",
        description: "My spouse is a **director of Northgate Diagnostics Ltd**, which provides non-obstetric ultrasound under an any qualified provider contract.",
        arose_ago: 260, declared_after: 19, then: Then::Nothing,
        mitigation: "Excluded from the diagnostics procurement panel and from managing the provider's contract." },
    Decl { who: 25, kind: Ind, associate: Some("Partner"), body: "Corvin Pharmaceuticals UK Ltd",
        description: "My partner is a **sales representative** for Corvin Pharmaceuticals UK Ltd, some of whose products are on the local formulary.",
        arose_ago: 140, declared_after: 10, then: Then::Nothing,
        mitigation: "Has no role in formulary decisions; line manager informed." },
];

/// An offer of a gift or hospitality. Text may use `{place}`.
struct Offer {
    who: usize,
    giver: &'static str,
    supplier: bool,
    kind: GiftKind,
    description: &'static str,
    value_pence: i64,
    offered_ago: u64,
    outcome: Outcome,
    /// The person (by role index) who approved acceptance in advance.
    approved_by: Option<usize>,
}

#[rustfmt::skip]
const OFFERS: &[Offer] = &[
    Offer { who: 18, giver: "Aldgate Pharma UK Ltd", supplier: true, kind: GiftKind::Gift,
        description: "Branded notebook and pen set, given at a formulary briefing", value_pence: 500,
        offered_ago: 160, outcome: Outcome::Accepted, approved_by: None },
    Offer { who: 15, giver: "Medisys Software Ltd", supplier: true, kind: GiftKind::Gift,
        description: "Desk calendar and insulated mug", value_pence: 601,
        offered_ago: 95, outcome: Outcome::Declined, approved_by: None },
    Offer { who: 5, giver: "{place} Kidney Patients' Association", supplier: false, kind: GiftKind::Gift,
        description: "Box of chocolates, as thanks for a talk to members", value_pence: 3000,
        offered_ago: 300, outcome: Outcome::Accepted, approved_by: None },
    Offer { who: 0, giver: "{place} Patient Participation Group Network", supplier: false, kind: GiftKind::Gift,
        description: "**Framed print** of {place} harbour, presented on the Chair's reappointment", value_pence: 5000,
        offered_ago: 210, outcome: Outcome::Accepted, approved_by: None },
    Offer { who: 6, giver: "Crestline Healthcare Ltd", supplier: true, kind: GiftKind::Hospitality,
        description: "Sandwich lunch at a provider engagement event", value_pence: 2000,
        offered_ago: 70, outcome: Outcome::Accepted, approved_by: None },
    Offer { who: 7, giver: "Royal College of General Practitioners, {place} Faculty", supplier: false, kind: GiftKind::Hospitality,
        description: "Dinner at the faculty's annual education evening", value_pence: 4000,
        offered_ago: 130, outcome: Outcome::Accepted, approved_by: None },
    Offer { who: 3, giver: "Health Service Journal Awards", supplier: false, kind: GiftKind::Hospitality,
        description: "Awards dinner (the CCG's *frailty project* was shortlisted)", value_pence: 12000,
        offered_ago: 240, outcome: Outcome::Accepted, approved_by: Some(0) },
    Offer { who: 13, giver: "Beaumont Park Hospital", supplier: true, kind: GiftKind::Hospitality,
        description: "Two seats in a hospitality box at {place} Rovers FC", value_pence: 15000,
        offered_ago: 45, outcome: Outcome::Declined, approved_by: None },
    Offer { who: 12, giver: "Apex Medical Supplies Ltd", supplier: true, kind: GiftKind::CashOrVoucher,
        description: "£25 high-street shopping voucher sent with a seasonal card", value_pence: 2500,
        offered_ago: 190, outcome: Outcome::Declined, approved_by: None },
    Offer { who: 10, giver: "A patient (name withheld)", supplier: false, kind: GiftKind::CashOrVoucher,
        description: "Cash gift of **£100** in a thank-you card", value_pence: 10000,
        offered_ago: 250, outcome: Outcome::Declined, approved_by: None },
    Offer { who: 27, giver: "A patient's family", supplier: false, kind: GiftKind::Gift,
        description: "Flowers and a card after a complaint was resolved", value_pence: 1500,
        offered_ago: 60, outcome: Outcome::Accepted, approved_by: None },
];

/// Nil returns from decision-making people with nothing to declare: (role, days ago).
const NIL_RETURNS: [(usize, u64); 6] = [
    (17, 40),
    (18, 120),
    (20, 75),
    (21, 200),
    (23, 15),
    (24, 310),
];

/// Annual confirmations from decision-making declarants: (role, days ago). Role 14's is
/// over a year old, so their confirmation is overdue. Roles 16, 19 and 22 have neither
/// declared nor made a return.
const CONFIRMATIONS: [(usize, u64); 16] = [
    (0, 30),
    (1, 25),
    (2, 60),
    (3, 45),
    (4, 80),
    (5, 20),
    (6, 35),
    (7, 100),
    (8, 110),
    (9, 50),
    (10, 65),
    (11, 12),
    (12, 140),
    (13, 90),
    (14, 390),
    (15, 28),
];

// ---------------------------------------------------------------------------------------
// Seeding.
// ---------------------------------------------------------------------------------------

/// What varies between organisations, and the date everything is relative to.
struct Ctx {
    place: String,
    practices: [&'static str; 6],
    variant: u64,
    today: NaiveDate,
}

/// A seeded person.
struct Staff {
    slug: String,
    name: String,
    position: String,
}

impl Ctx {
    fn new(org_name: &str, variant: u64, today: NaiveDate) -> Ctx {
        // "NHS Northshire CCG" -> "Northshire".
        let place = org_name
            .split_whitespace()
            .find(|w| *w != "NHS")
            .unwrap_or(org_name)
            .to_owned();
        let practices = PRACTICES[(variant % PRACTICES.len() as u64) as usize];
        Ctx {
            place,
            practices,
            variant,
            today,
        }
    }

    /// A small deterministic number for item `k`, different per variant (SplitMix64).
    fn mix(&self, k: u64) -> u64 {
        let mut x = self
            .variant
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(k.wrapping_mul(0xBF58_476D_1CE4_E5B9))
            .wrapping_add(1);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    /// Up to 8 days' shift for item `k`, so the two organisations' dates differ.
    fn jitter(&self, k: u64) -> u64 {
        self.mix(k) % 9
    }

    fn days_ago(&self, days: u64) -> Result<NaiveDate, StoreError> {
        self.today
            .checked_sub_days(Days::new(days))
            .ok_or_else(|| FieldErrors::one("today", "is too early for demo data").into())
    }

    /// Fill `{place}` and `{practice}` into a template.
    fn fill(&self, template: &str, practice: Option<usize>) -> String {
        let text = template.replace("{place}", &self.place);
        match practice {
            Some(i) => text.replace("{practice}", self.practices[i]),
            None => text,
        }
    }
}

fn seed_people(c: &mut AnyConnection, org_id: i64, ctx: &Ctx) -> Result<Vec<Staff>, StoreError> {
    let v = ctx.variant as usize;
    ROLES
        .iter()
        .enumerate()
        .map(|(i, role)| {
            let first = FIRST_NAMES[(i * 7 + v * 3) % FIRST_NAMES.len()];
            let last = SURNAMES[(i * 11 + v * 17 + 5) % SURNAMES.len()];
            let name = if role.doctor {
                format!("Dr {first} {last}")
            } else {
                format!("{first} {last}")
            };
            let fields = PersonFields {
                name,
                position: ctx.fill(role.position, role.practice),
                decision_making: role.decision_making,
            };
            let person = people::create(c, org_id, ACTOR, fields)?.value;
            Ok(Staff {
                slug: person.slug,
                name: person.fields.name,
                position: person.fields.position,
            })
        })
        .collect()
}

fn seed_declarations(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &Ctx,
    staff: &[Staff],
) -> Result<(), StoreError> {
    for (k, d) in DECLS.iter().enumerate() {
        let practice = ROLES[d.who].practice;
        let shift = ctx.jitter(k as u64);
        let arose_on = ctx.days_ago(d.arose_ago + shift)?;
        let declared_on = ctx.days_ago((d.arose_ago + shift).saturating_sub(d.declared_after))?;
        let fields = DeclarationFields {
            position: None,
            interest_type: d.kind,
            associate: d.associate.map(str::to_owned),
            description: ctx.fill(d.description, practice),
            body: ctx.fill(d.body, practice),
            arose_on,
            ended_on: None,
            declared_on,
            mitigation: ctx.fill(d.mitigation, practice),
        };
        let fields = DeclarationFields::parse(&fields.to_input(), ctx.today)?;
        let withheld = match d.then {
            Then::Withheld(reason) => Some(reason.to_owned()),
            _ => None,
        };
        let created = declarations::Declarations::create(
            c,
            org_id,
            ACTOR,
            &staff[d.who].slug,
            fields,
            withheld,
            Review::Accepted,
        )?
        .value
        .entry;
        match d.then {
            Then::Nothing | Then::Withheld(_) => {}
            Then::EndedAgo(days) => {
                let ended_on = ctx.days_ago(days + shift)?;
                declarations::Declarations::change(
                    c,
                    org_id,
                    ACTOR,
                    created.id,
                    created.version,
                    Review::Accepted,
                    |_, _| Ok(Step::End(ended_on)),
                )?;
            }
            Then::Amended(description, mitigation) => {
                let mut amended = created.fields.clone();
                amended.description = ctx.fill(description, practice);
                amended.mitigation = ctx.fill(mitigation, practice);
                let amended = DeclarationFields::parse(&amended.to_input(), ctx.today)?;
                declarations::Declarations::change(
                    c,
                    org_id,
                    ACTOR,
                    created.id,
                    created.version,
                    Review::Accepted,
                    |_, _| Ok(Step::Amend(amended)),
                )?;
            }
        }
    }
    Ok(())
}

fn seed_gifts(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &Ctx,
    staff: &[Staff],
) -> Result<(), StoreError> {
    let settings = OrgSettings::default();
    for (k, o) in OFFERS.iter().enumerate() {
        let offered_ago = o.offered_ago + ctx.jitter(1000 + k as u64);
        let fields = GiftFields {
            giver: ctx.fill(o.giver, None),
            giver_is_supplier: o.supplier,
            kind: o.kind,
            description: ctx.fill(o.description, None),
            value_pence: o.value_pence,
            offered_on: ctx.days_ago(offered_ago)?,
            outcome: o.outcome,
            approved_by: o
                .approved_by
                .map(|i| format!("{}, {}", staff[i].name, staff[i].position)),
            // Declared a few days after the offer.
            declared_on: ctx
                .days_ago(offered_ago.saturating_sub(1 + ctx.mix(2000 + k as u64) % 5))?,
        };
        let fields = GiftFields::parse(&fields.to_input(), ctx.today, &settings)?;
        gifts::Gifts::create(
            c,
            org_id,
            ACTOR,
            &staff[o.who].slug,
            fields,
            None,
            Review::Accepted,
        )?;
    }
    Ok(())
}

fn seed_returns(
    c: &mut AnyConnection,
    org_id: i64,
    ctx: &Ctx,
    staff: &[Staff],
) -> Result<(), StoreError> {
    let nil = NIL_RETURNS
        .iter()
        .map(|&(who, ago)| (who, ago, ReturnKind::Nil));
    let confirmations = CONFIRMATIONS
        .iter()
        .map(|&(who, ago)| (who, ago, ReturnKind::Confirmation));
    for (k, (who, ago, kind)) in nil.chain(confirmations).enumerate() {
        let made_on = ctx.days_ago(ago + ctx.jitter(3000 + k as u64))?;
        returns::create(
            c,
            org_id,
            ACTOR,
            &staff[who].slug,
            kind,
            made_on,
            Review::Accepted,
        )?;
    }
    Ok(())
}

/// What the demo declarant has sent for review: a declaration awaiting a governance
/// lead, and an offer the lead returned with a comment, so the review queue and the
/// declarant's notice have something to show. Written as those accounts.
pub fn seed_submissions(
    c: &mut AnyConnection,
    org_id: i64,
    person: &str,
    lead: i64,
    declarant: i64,
) -> Result<(), StoreError> {
    let today = chrono::Utc::now().date_naive();
    let (lead, declarant) = (format!("user:{lead}"), format!("user:{declarant}"));
    let fields = DeclarationFields::parse(
        &Input::from_json(json!({
            "interest_type": "non_financial_professional",
            "description": "Appraiser for the **regional GP appraisal** scheme",
            "body": "NHS England regional appraisal team",
            "arose_on": (today - Days::new(12)).to_string(),
            "declared_on": today.to_string(),
            "mitigation": "Does not appraise GPs whose contracts the committee is deciding",
        }))
        .expect("an object"),
        today,
    )?;
    declarations::Declarations::create(
        c,
        org_id,
        &declarant,
        person,
        fields,
        None,
        Review::Submitted,
    )?;
    let settings = orgs::by_id(c, org_id)?.settings;
    let fields = GiftFields::parse(
        &Input::from_json(json!({
            "giver": "Northshire Pharmacy Ltd", "giver_is_supplier": true, "kind": "hospitality",
            "description": "Lunch at a prescribing update meeting", "value_pence": 1800,
            "offered_on": (today - Days::new(5)).to_string(), "outcome": "accepted",
            "approved_by": "Head of Governance",
        }))
        .expect("an object"),
        today,
        &settings,
    )?;
    let offer = gifts::Gifts::create(
        c,
        org_id,
        &declarant,
        person,
        fields,
        None,
        Review::Submitted,
    )?
    .value;
    gifts::Gifts::change(
        c,
        org_id,
        &lead,
        offer.entry.id,
        offer.entry.version,
        Review::Accepted,
        |_, _| {
            Ok(gifts::GiftStep::Standing(StandingChange::Return(
                "Was the lunch part of the meeting's programme? Say so in the description.".into(),
            )))
        },
    )?;
    Ok(())
}
