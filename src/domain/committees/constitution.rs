//! The constitution rule (DOMAIN.md, "Committees"): on any date, a committee has voting
//! members, a lay+executive majority among them, one lay voting chair and at most one lay
//! voting vice-chair; and the guidance's advice (three lay members, the audit chair not
//! in the chair) as warnings. Checked whenever membership changes.

use super::{majority_shortfall, plural, with_article};
use super::{CommitteeRole, Member, MemberCategory};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A broken constitution rule: membership may not be changed to this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConstitutionBreach {
    /// Stable code: `no_voting_members`, `observer_votes`, `duplicate_member`,
    /// `lay_executive_majority`, `one_chair`, `chair_is_lay`, `chair_is_voting`,
    /// `one_vice_chair`, `vice_chair_is_lay` or `vice_chair_is_voting`.
    pub rule: &'static str,
    pub message: String,
}

/// Advice the guidance gives that the committee does not follow (a warning only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    /// Stable code: `three_lay_members` or `audit_chair_chairs`.
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for ConstitutionBreach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The result of checking a committee's constitution on a date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConstitutionCheck {
    pub errors: Vec<ConstitutionBreach>,
    pub warnings: Vec<Advice>,
}

impl ConstitutionCheck {
    /// Whether no rule is broken (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The lay+executive majority falling short: how many of the voters are lay or executive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MajorityShortfall {
    pub lay_executive: usize,
    pub voters: usize,
}

/// The lay+executive majority rule, for a committee's voting members on a date and for
/// those counting for an agenda item alike: lay and executive members must be more than
/// half of `voters`. `None` when it holds, and when there are no voters at all (a rule of
/// its own, reported instead).
pub fn majority<'a>(voters: impl IntoIterator<Item = &'a Member>) -> Option<MajorityShortfall> {
    let (mut lay_executive, mut all) = (0, 0);
    for m in voters {
        all += 1;
        if m.category.is_lay_or_executive() {
            lay_executive += 1;
        }
    }
    (all > 0 && 2 * lay_executive <= all).then_some(MajorityShortfall {
        lay_executive,
        voters: all,
    })
}

/// Check the constitution rules on `on` against the memberships in force that day
/// (checked whenever membership changes: pass the memberships as they would be).
pub fn constitution(members: &[Member], on: NaiveDate) -> ConstitutionCheck {
    let active: Vec<&Member> = members.iter().filter(|m| m.is_active_on(on)).collect();
    let voters: Vec<&Member> = active.iter().copied().filter(|m| m.votes()).collect();
    let mut errors = Vec::new();
    let mut breach = |rule, message: String| errors.push(ConstitutionBreach { rule, message });

    if voters.is_empty() {
        breach(
            "no_voting_members",
            format!("the committee has no voting members on {on}"),
        );
    }
    for m in active
        .iter()
        .filter(|m| m.category == MemberCategory::Observer && m.voting)
    {
        breach(
            "observer_votes",
            format!("{} is an observer and cannot vote", m.name),
        );
    }
    let mut memberships: BTreeMap<i64, (usize, &str)> = BTreeMap::new();
    for m in &active {
        memberships.entry(m.person_id).or_insert((0, &m.name)).0 += 1;
    }
    for (n, name) in memberships.values().filter(|(n, _)| *n > 1) {
        breach(
            "duplicate_member",
            format!("{name} holds {n} memberships of the committee on {on}; one is allowed"),
        );
    }
    if let Some(short) = majority(voters.iter().copied()) {
        breach(
            "lay_executive_majority",
            majority_shortfall(
                short.lay_executive,
                short.voters,
                "voting member",
                "voting members",
            ),
        );
    }
    for (role, count_rule, lay_rule, voting_rule) in [
        (
            CommitteeRole::Chair,
            "one_chair",
            "chair_is_lay",
            "chair_is_voting",
        ),
        (
            CommitteeRole::ViceChair,
            "one_vice_chair",
            "vice_chair_is_lay",
            "vice_chair_is_voting",
        ),
    ] {
        let holders: Vec<&Member> = active.iter().copied().filter(|m| m.role == role).collect();
        let title = role.label().to_lowercase();
        match (role, holders.len()) {
            (CommitteeRole::Chair, 0) => {
                breach(count_rule, "the committee has no chair".to_owned())
            }
            (_, 0 | 1) => {}
            (_, n) => breach(
                count_rule,
                format!(
                    "the committee has {n} {title}s; it {} one",
                    if role == CommitteeRole::Chair {
                        "must have exactly"
                    } else {
                        "may have at most"
                    }
                ),
            ),
        }
        for m in holders {
            if m.category != MemberCategory::Lay {
                breach(
                    lay_rule,
                    format!(
                        "the {title}, {}, is {}; the {title} must be a lay member",
                        m.name,
                        with_article(m.category.noun())
                    ),
                );
            }
            if !m.votes() {
                breach(
                    voting_rule,
                    format!(
                        "the {title}, {}, is not a voting member; the {title} must vote",
                        m.name
                    ),
                );
            }
        }
    }

    let mut warnings = Vec::new();
    let lay = voters
        .iter()
        .filter(|m| m.category == MemberCategory::Lay)
        .count();
    if lay < 3 {
        warnings.push(Advice {
            rule: "three_lay_members",
            message: format!(
                "at least 3 lay members is recommended; there {} {lay}",
                plural(lay, "is", "are")
            ),
        });
    }
    for m in active
        .iter()
        .filter(|m| m.role == CommitteeRole::Chair && m.audit_chair)
    {
        warnings.push(Advice {
            rule: "audit_chair_chairs",
            message: format!(
                "{} chairs the audit committee (the conflicts of interest guardian) and should not chair this committee",
                m.name
            ),
        });
    }
    ConstitutionCheck { errors, warnings }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{meeting, member, pccc};
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::time::Instant;

    use MemberCategory::*;

    fn rules(check: &ConstitutionCheck) -> (Vec<&str>, Vec<&str>) {
        (
            check.errors.iter().map(|b| b.rule).collect(),
            check.warnings.iter().map(|a| a.rule).collect(),
        )
    }

    #[test]
    fn the_majority_needs_lay_and_executive_members_to_be_more_than_half_of_the_voters() {
        let of = |categories: &[MemberCategory]| {
            let voters: Vec<Member> = categories
                .iter()
                .enumerate()
                .map(|(i, c)| member(i as i64 + 1, "M", *c, CommitteeRole::Member))
                .collect();
            majority(&voters)
        };
        assert_eq!(of(&[]), None);
        assert_eq!(of(&[Lay]), None);
        assert_eq!(of(&[Lay, Executive, Clinical]), None);
        assert_eq!(
            of(&[Lay, Clinical]),
            Some(MajorityShortfall {
                lay_executive: 1,
                voters: 2
            })
        );
        assert_eq!(
            of(&[Clinical, Clinical, Executive]),
            Some(MajorityShortfall {
                lay_executive: 1,
                voters: 3
            })
        );
    }

    #[test]
    fn the_pccc_as_constituted_is_valid() {
        let (members, _) = pccc();
        let check = constitution(&members, meeting());
        assert!(check.is_valid(), "{check:?}");
        assert!(check.warnings.is_empty(), "{check:?}");
    }

    #[test]
    fn the_constitution_with_an_executive_chair_is_refused() {
        let (mut members, _) = pccc();
        members[0].role = CommitteeRole::Member;
        members[3].role = CommitteeRole::Chair;
        let check = constitution(&members, meeting());
        assert_eq!(rules(&check).0, vec!["chair_is_lay"]);
        assert_eq!(
            check.errors[0].message,
            "the chair, Chief Finance Officer, is an executive member; the chair must be a lay member"
        );
    }

    #[test]
    fn a_membership_change_that_breaks_the_majority_is_refused_with_its_numbers() {
        let (mut members, _) = pccc();
        members.truncate(8);
        members.remove(4); // 3 lay, 1 executive, 3 clinical: 4 of 7
        assert!(constitution(&members, meeting()).is_valid());
        // The CFO leaves and a fourth GP joins the next day.
        members[3].to = Some(meeting());
        let mut gp = member(11, "Dr GP Lakeside", Clinical, CommitteeRole::Member);
        gp.from = meeting() + Days::new(1);
        members.push(gp);
        assert!(constitution(&members, meeting()).is_valid());
        let check = constitution(&members, meeting() + Days::new(1));
        assert_eq!(rules(&check).0, vec!["lay_executive_majority"]);
        assert_eq!(
            check.errors[0].message,
            "3 of 7 voting members are lay or executive; more than half is needed, so at least 4"
        );
    }

    #[test]
    fn an_even_committee_needs_more_than_half_exactly() {
        let members = vec![
            member(1, "Lay chair", Lay, CommitteeRole::Chair),
            member(2, "Lay", Lay, CommitteeRole::Member),
            member(3, "Lay", Lay, CommitteeRole::Member),
            member(4, "GP", Clinical, CommitteeRole::Member),
            member(5, "GP", Clinical, CommitteeRole::Member),
            member(6, "GP", Clinical, CommitteeRole::Member),
        ];
        let check = constitution(&members, meeting());
        assert_eq!(
            check.errors[0].message,
            "3 of 6 voting members are lay or executive; more than half is needed, so at least 4"
        );
    }

    #[test]
    fn chairs_and_vice_chairs_are_single_lay_and_voting() {
        let mut members = vec![
            member(1, "A", Lay, CommitteeRole::Chair),
            member(2, "B", Lay, CommitteeRole::Chair),
            member(3, "C", Clinical, CommitteeRole::ViceChair),
            member(4, "D", Executive, CommitteeRole::ViceChair),
            member(5, "E", Executive, CommitteeRole::Member),
        ];
        members[1].voting = false;
        let check = constitution(&members, meeting());
        assert_eq!(
            rules(&check).0,
            vec![
                "one_chair",
                "chair_is_voting",
                "one_vice_chair",
                "vice_chair_is_lay",
                "vice_chair_is_lay"
            ]
        );
        assert_eq!(
            check.errors[0].message,
            "the committee has 2 chairs; it must have exactly one"
        );
        assert_eq!(
            check.errors[2].message,
            "the committee has 2 vice-chairs; it may have at most one"
        );
        let none = constitution(&members[2..], meeting());
        assert!(rules(&none).0.contains(&"one_chair"));
        assert_eq!(none.errors[0].message, "the committee has no chair");
    }

    #[test]
    fn a_committee_with_no_voting_members_is_a_breach() {
        let mut chair = member(1, "Lay chair", Lay, CommitteeRole::Chair);
        chair.voting = false;
        let members = vec![
            chair,
            member(2, "HealthWatch", Observer, CommitteeRole::Member),
        ];
        let check = constitution(&members, meeting());
        assert_eq!(
            rules(&check),
            (
                vec!["no_voting_members", "chair_is_voting"],
                vec!["three_lay_members"]
            )
        );
        assert_eq!(
            check.warnings[0].message,
            "at least 3 lay members is recommended; there are 0"
        );
        assert_eq!(
            rules(&constitution(&[], meeting())).0,
            vec!["no_voting_members", "one_chair"]
        );
    }

    #[test]
    fn voting_observers_and_double_memberships_are_breaches() {
        let (mut members, _) = pccc();
        members[8].voting = true;
        let mut again = members[5].clone();
        again.role = CommitteeRole::Member;
        members.push(again);
        let check = constitution(&members, meeting());
        assert_eq!(rules(&check).0, vec!["observer_votes", "duplicate_member"]);
        assert!(members[8].validate().is_err());
    }

    #[test]
    fn few_lay_members_and_the_audit_chair_in_the_chair_are_warnings() {
        let (mut members, _) = pccc();
        members[0].audit_chair = true;
        members[2].to = Some(meeting() - Days::new(1));
        let check = constitution(&members, meeting());
        assert!(check.is_valid(), "{check:?}");
        assert_eq!(
            rules(&check).1,
            vec!["three_lay_members", "audit_chair_chairs"]
        );
        assert_eq!(
            check.warnings[0].message,
            "at least 3 lay members is recommended; there are 2"
        );
        assert!(check.warnings[1]
            .message
            .starts_with("Ms Lay Chair chairs the audit committee"));
    }

    fn reference_constitution(
        members: &[Member],
        on: NaiveDate,
    ) -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
        let active: Vec<&Member> = members
            .iter()
            .filter(|m| m.from <= on && m.to.is_none_or(|t| t >= on))
            .collect();
        let votes = |m: &Member| m.voting && m.category != Observer;
        let voters = active.iter().filter(|m| votes(m)).count();
        let lay_exec = active
            .iter()
            .filter(|m| votes(m) && matches!(m.category, Lay | Executive))
            .count();
        let lay = active
            .iter()
            .filter(|m| votes(m) && m.category == Lay)
            .count();
        let mut errors = BTreeSet::new();
        if voters == 0 {
            errors.insert("no_voting_members");
        } else if lay_exec <= voters - lay_exec {
            errors.insert("lay_executive_majority");
        }
        if active.iter().any(|m| m.category == Observer && m.voting) {
            errors.insert("observer_votes");
        }
        let ids: BTreeSet<i64> = active.iter().map(|m| m.person_id).collect();
        if ids.len() < active.len() {
            errors.insert("duplicate_member");
        }
        let chairs: Vec<&&Member> = active
            .iter()
            .filter(|m| m.role == CommitteeRole::Chair)
            .collect();
        let vices: Vec<&&Member> = active
            .iter()
            .filter(|m| m.role == CommitteeRole::ViceChair)
            .collect();
        if chairs.len() != 1 {
            errors.insert("one_chair");
        }
        if vices.len() > 1 {
            errors.insert("one_vice_chair");
        }
        if chairs.iter().any(|m| m.category != Lay) {
            errors.insert("chair_is_lay");
        }
        if chairs.iter().any(|m| !votes(m)) {
            errors.insert("chair_is_voting");
        }
        if vices.iter().any(|m| m.category != Lay) {
            errors.insert("vice_chair_is_lay");
        }
        if vices.iter().any(|m| !votes(m)) {
            errors.insert("vice_chair_is_voting");
        }
        let mut warnings = BTreeSet::new();
        if lay < 3 {
            warnings.insert("three_lay_members");
        }
        if chairs.iter().any(|m| m.audit_chair) {
            warnings.insert("audit_chair_chairs");
        }
        (errors, warnings)
    }

    fn check_constitution(members: &[Member], on: NaiveDate) {
        let got = constitution(members, on);
        let errors: BTreeSet<&str> = got.errors.iter().map(|b| b.rule).collect();
        let warnings: BTreeSet<&str> = got.warnings.iter().map(|a| a.rule).collect();
        assert_eq!(
            (errors, warnings),
            reference_constitution(members, on),
            "{members:?}"
        );
        assert_eq!(got.is_valid(), got.errors.is_empty());
    }

    #[test]
    fn constitution_agrees_with_the_reference_for_every_committee_of_up_to_three() {
        let started = Instant::now();
        let mut kinds = vec![];
        for category in MemberCategory::ALL {
            for voting in [true, false] {
                for role in CommitteeRole::ALL {
                    kinds.push((category, voting, role));
                }
            }
        }
        let mut checked = 0;
        for size in 0..=3u32 {
            for code in 0..kinds.len().pow(size) {
                let members: Vec<Member> = (0..size as usize)
                    .map(|i| {
                        let (category, voting, role) =
                            kinds[code / kinds.len().pow(i as u32) % kinds.len()];
                        Member {
                            voting,
                            role,
                            audit_chair: code % 2 == 0 && i == 0,
                            ..member(i as i64 + 1, "M", category, role)
                        }
                    })
                    .collect();
                check_constitution(&members, meeting());
                checked += 1;
            }
        }
        assert_eq!(checked, 1 + 24 + 576 + 13_824);
        eprintln!("{checked} constitutions in {:?}", started.elapsed());
    }

    fn arb_member() -> impl Strategy<Value = Member> {
        (
            1i64..8,
            0usize..4,
            any::<bool>(),
            0usize..3,
            -3i64..3,
            prop::option::of(-3i64..3),
            any::<bool>(),
        )
            .prop_map(
                |(id, category, voting, role, from, to, audit_chair)| Member {
                    person_id: id,
                    name: format!("Person {id}"),
                    category: MemberCategory::ALL[category],
                    voting,
                    role: CommitteeRole::ALL[role],
                    from: meeting() + chrono::Duration::days(from),
                    to: to.map(|t| meeting() + chrono::Duration::days(from + t.abs())),
                    audit_chair,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn constitution_agrees_with_the_reference_for_random_committees(
            members in prop::collection::vec(arb_member(), 0..10),
            offset in -2i64..3,
        ) {
            check_constitution(&members, meeting() + chrono::Duration::days(offset));
        }
    }
}
