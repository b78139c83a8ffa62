//! An item's quorum as evidence, and the corrections made to a meeting's record. A
//! decision shows the quorum recorded with it (never recomputed); today's computation
//! is shown beside it only where it differs, with the corrections that made it differ.
//! A decision recorded after a correction also shows the quorum on the record as it
//! stood before that correction, so a refusal the correction overcame stays visible.
//! Corrections are read from consecutive stored versions, never from a diff kept aside.

use super::*;
use crate::domain::committees::{
    conflict_changes, meeting_changes, CoOpted, ItemOutcome, Part, PersonChange, QuorumEvidence,
    QuorumResult,
};
use crate::store::business::quorum_from_records;
use crate::store::committees::members;
use chrono::NaiveDate;

/// The day a version was recorded, from its audit timestamp.
fn recorded_day(at: &str) -> Option<NaiveDate> {
    at.get(..10)?.parse().ok()
}

/// "Recorded afterwards (on 10 March 2026)" for a co-option added after the meeting.
pub fn recorded_afterwards(co: &CoOpted) -> Option<String> {
    co.recorded_on
        .map(|d| format!("Recorded afterwards (on {})", long_date(d)))
}

impl<'a> Ctx<'a> {
    /// Every stored version of a meeting, oldest first.
    pub fn meeting_versions(&self, id: i64) -> &[&'a Stored<Meeting>] {
        self.meeting_versions.get(&id).map_or(&[], Vec::as_slice)
    }

    /// Every stored version of an item, oldest first.
    pub fn item_versions(&self, id: i64) -> &[&'a Stored<Item>] {
        self.item_versions.get(&id).map_or(&[], Vec::as_slice)
    }

    /// One change as the page says it: "Dr X: present → apologies", "co-opted: added Y
    /// (executive)", "Dr X: conflict added, left the room".
    fn change_text(&self, c: &PersonChange) -> String {
        let who = self.name(c.person_id, "");
        let word = |p: Part| match p {
            Part::Unrecorded => "absent".to_owned(),
            other => other.describe(),
        };
        match (c.from, c.to) {
            (Part::Unrecorded, Part::CoOpted(cat)) => {
                format!("co-opted: added {who} ({})", cat.label().to_lowercase())
            }
            (Part::CoOpted(_), Part::Unrecorded) => format!("co-opted: removed {who}"),
            (Part::Unrecorded, Part::Declared(d)) => {
                format!("{who}: conflict added, {}", d.label().to_lowercase())
            }
            (Part::Declared(_), Part::Unrecorded) => format!("{who}: conflict removed"),
            (from, to) => format!("{who}: {} → {}", word(from), word(to)),
        }
    }

    /// A correction between two versions: a change of who attended or who was
    /// conflicted that gave a reason or was made after the meeting's date.
    fn correction(
        &self,
        changes: Vec<PersonChange>,
        reason: &Option<String>,
        at: &str,
        held_on: NaiveDate,
        item: Option<String>,
        audit_seq: i64,
    ) -> Option<CorrectionView> {
        let day = recorded_day(at)?;
        if changes.is_empty() || (reason.is_none() && day <= held_on) {
            return None;
        }
        Some(CorrectionView {
            date: long_date(day),
            // Shown as a sentence the page ends with its own full stop.
            reason: reason
                .as_deref()
                .map(|r| r.trim_end().trim_end_matches('.').to_owned()),
            changes: changes.iter().map(|c| self.change_text(c)).collect(),
            item,
            audit_seq,
        })
    }

    /// The corrections of a meeting's attendance and co-options, oldest first.
    pub fn meeting_corrections(&self, meeting_id: i64) -> Vec<CorrectionView> {
        self.meeting_versions(meeting_id)
            .windows(2)
            .filter_map(|w| {
                let (old, new) = (&w[0].record, &w[1].record);
                self.correction(
                    meeting_changes(old, new),
                    &new.correction_reason,
                    &w[1].recorded_at,
                    old.held_on,
                    None,
                    w[1].audit_seq,
                )
            })
            .collect()
    }

    /// The corrections of an item's conflicts, oldest first.
    pub fn item_corrections(&self, item_id: i64) -> Vec<CorrectionView> {
        let Some(held_on) = self
            .item(item_id)
            .and_then(|i| self.meeting(i.record.meeting_id))
            .map(|m| m.record.held_on)
        else {
            return vec![];
        };
        self.item_versions(item_id)
            .windows(2)
            .filter_map(|w| {
                let (old, new) = (&w[0].record, &w[1].record);
                self.correction(
                    conflict_changes(old, new),
                    &new.correction_reason,
                    &w[1].recorded_at,
                    held_on,
                    Some(format!("Item {}", new.number)),
                    w[1].audit_seq,
                )
            })
            .collect()
    }

    /// The quorum of `item` at `meeting`, from the committee's memberships as they stand.
    fn quorum_at(&self, meeting: &Meeting, item: &Item) -> Option<QuorumResult> {
        let committee = self.committee(meeting.committee_id)?;
        let members = members(self.members_of(committee.id).iter().copied());
        Some(quorum_from_records(
            &committee.record,
            &members,
            meeting,
            item,
        ))
    }

    /// The item's quorum from the records as they stand.
    pub fn quorum_result(&self, item: &Item) -> Option<QuorumResult> {
        self.quorum_at(&self.meeting(item.meeting_id)?.record, item)
    }

    /// A quorum result as the pages show it.
    pub fn result_view(&self, result: QuorumResult) -> QuorumView {
        match result {
            QuorumResult::Quorate {
                presiding,
                counting,
            } => {
                let names: Vec<String> = counting.iter().map(|id| self.name(*id, "")).collect();
                quorate_view(self.person(presiding, ""), names, None, vec![])
            }
            QuorumResult::Inquorate { failures } => {
                inquorate_view(failures.iter().map(|f| f.to_string()).collect(), None)
            }
        }
    }

    /// Recorded evidence as the pages show it: the names as recorded, co-opted people
    /// marked (and dated, if recorded afterwards), and who a conflict excluded.
    pub fn evidence_view(&self, e: &QuorumEvidence) -> QuorumView {
        let rule = Some(e.rule.clone());
        if !e.quorate {
            let failures = e.reasons.iter().map(|r| r.message.clone()).collect();
            return inquorate_view(failures, rule);
        }
        let names = e
            .people
            .iter()
            .filter(|p| p.counted)
            .map(|p| match (p.co_opted, p.recorded_on) {
                (false, _) => p.name.clone(),
                (true, None) => format!("{} (co-opted)", p.name),
                (true, Some(d)) => format!(
                    "{} (co-opted; recorded afterwards, on {})",
                    p.name,
                    long_date(d)
                ),
            })
            .collect();
        let excluded = e
            .people
            .iter()
            .filter(|p| p.present && !p.counted)
            .filter_map(|p| {
                let c = p.conflict.as_ref()?;
                Some(format!(
                    "{}: {} ({})",
                    p.name,
                    c.decision.label().to_lowercase(),
                    c.nature
                ))
            })
            .collect();
        let presiding = e
            .presiding
            .and_then(|id| e.people.iter().find(|p| p.person_id == id))
            .map(|p| self.person(p.person_id, &p.name))
            .unwrap_or(PersonRef {
                name: String::new(),
                href: None,
            });
        quorate_view(presiding, names, rule, excluded)
    }

    /// The version of the item that recorded its decision: the first of the run of
    /// decided versions that ends with the current one.
    fn decided_version(&self, item: &Stored<Item>) -> Option<&'a Stored<Item>> {
        let versions = self.item_versions(item.id);
        let decided = |i: &Item| matches!(i.outcome, ItemOutcome::Decided { .. });
        let run = versions
            .iter()
            .rev()
            .take_while(|v| decided(&v.record))
            .count();
        versions.get(versions.len().checked_sub(run)?).copied()
    }

    /// The meeting and item as they stood before audit entry `seq`.
    fn record_before(&self, item: &Stored<Item>, seq: i64) -> Option<(Meeting, Item)> {
        let before = |audit_seq: i64| audit_seq < seq;
        let i = self
            .item_versions(item.id)
            .iter()
            .rev()
            .find(|v| before(v.audit_seq))?;
        let m = self
            .meeting_versions(i.record.meeting_id)
            .iter()
            .rev()
            .find(|v| before(v.audit_seq))?;
        Some((m.record.clone(), i.record.clone()))
    }

    /// The quorum evidence of a decided item (None for any other item).
    pub fn item_evidence(&self, item: &Stored<Item>) -> Option<ItemEvidence> {
        let ItemOutcome::Decided { evidence, .. } = &item.record.outcome else {
            return None;
        };
        let decided_at = self.decided_version(item).unwrap_or(item);
        let today = self.quorum_result(&item.record);
        let mut corrections = self.meeting_corrections(item.record.meeting_id);
        corrections.extend(self.item_corrections(item.id));
        corrections.sort_by_key(|c| c.audit_seq);
        let (before, since): (Vec<_>, Vec<_>) = corrections
            .into_iter()
            .partition(|c| c.audit_seq < decided_at.audit_seq);
        let earlier = before.into_iter().last().and_then(|c| {
            let (meeting, item) = self.record_before(item, c.audit_seq)?;
            match self.quorum_at(&meeting, &item)? {
                r @ QuorumResult::Inquorate { .. } => Some((self.result_view(r), c)),
                QuorumResult::Quorate { .. } => None,
            }
        });
        let (before_correction, correction) = earlier.unzip();
        let differs = match (evidence, &today) {
            (Some(e), Some(t)) => !e.agrees_with(t),
            _ => true,
        };
        Some(ItemEvidence {
            recorded: evidence.as_deref().map(|e| self.evidence_view(e)),
            recorded_on: recorded_day(&decided_at.recorded_at)
                .map(long_date)
                .unwrap_or_default(),
            today: today.filter(|_| differs).map(|t| self.result_view(t)),
            recomputed: evidence.is_none(),
            corrected_since: since,
            before_correction,
            correction,
        })
    }

    /// The item's evidence in brief, for a feed: the recorded verdict (or today's, for a
    /// decision recorded before evidence was kept).
    pub fn evidence_summary(&self, item: &Item) -> Option<String> {
        let ItemOutcome::Decided { evidence, .. } = &item.outcome else {
            return None;
        };
        match evidence {
            Some(e) => Some(format!("As recorded: {}", self.evidence_view(e).summary)),
            None => self
                .quorum_result(item)
                .map(|r| format!("On today's records: {}", self.result_view(r).summary)),
        }
    }
}

fn quorate_view(
    presiding: PersonRef,
    names: Vec<String>,
    rule: Option<String>,
    excluded: Vec<String>,
) -> QuorumView {
    QuorumView {
        quorate: true,
        summary: format!(
            "Quorate: {} voting member{} counted ({}); {} presided",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", "),
            presiding.name
        ),
        presiding: Some(presiding),
        counting: names.len(),
        counting_names: names,
        failures: vec![],
        rule,
        excluded,
    }
}

fn inquorate_view(failures: Vec<String>, rule: Option<String>) -> QuorumView {
    QuorumView {
        quorate: false,
        summary: format!("Inquorate: {}", failures.join("; ")),
        presiding: None,
        counting: 0,
        counting_names: vec![],
        failures,
        rule,
        excluded: vec![],
    }
}
