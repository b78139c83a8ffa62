//! The register of procurement decisions, and the record of breaches.

use super::*;
use crate::domain::committees::ItemOutcome;
use crate::domain::decisions::route_label;
use crate::domain::money::Pence;
use crate::publish::markdown;
use chrono::NaiveDate;

impl<'a> Ctx<'a> {
    /// The item that took a decision, with its meeting and committee.
    fn taking_item(
        &self,
        d: &Decision,
    ) -> Option<(&'a Stored<Item>, &'a Stored<Meeting>, &'a Stored<Committee>)> {
        let item = self.item(d.fields.item_id?)?;
        let meeting = self.meeting(item.record.meeting_id)?;
        let committee = self.committee(meeting.record.committee_id)?;
        Some((item, meeting, committee))
    }

    fn how(&self, d: &Decision) -> HowDecided {
        match self.taking_item(d) {
            Some((item, meeting, committee)) => HowDecided {
                text: format!(
                    "{}, {}, item {}",
                    committee.record.name,
                    long_date(meeting.record.held_on),
                    item.record.number
                ),
                href: self.item_href(&item.record),
            },
            None => HowDecided {
                text: d.fields.how_decided.clone().unwrap_or_default(),
                href: None,
            },
        }
    }

    /// The register of procurement decisions, newest first; withdrawn ones stay, tagged.
    pub fn decision_rows(&self) -> Vec<DecisionRow> {
        let mut ds: Vec<&Stored<Decision>> = self.b.decisions.iter().collect();
        ds.sort_by(|a, b| {
            b.record
                .fields
                .decided_on
                .cmp(&a.record.fields.decided_on)
                .then(a.record.fields.reference.cmp(&b.record.fields.reference))
        });
        ds.into_iter()
            .map(|d| {
                let f = &d.record.fields;
                DecisionRow {
                    reference: f.reference.clone(),
                    href: self.decision_href(&d.record),
                    title: f.title.clone(),
                    route: route_label(&f.route),
                    supplier: f.supplier.clone(),
                    value: Pence(f.value_pence).to_string(),
                    term: term(f.term_months),
                    decided_on: long_date(f.decided_on),
                    how: self.how(&d.record),
                    withdrawn: d.record.withdrawn_reason.is_some(),
                    withdrawn_reason: d.record.withdrawn_reason.clone(),
                    audit_seq: d.audit_seq,
                }
            })
            .collect()
    }

    /// One decision's page: every column of the register, with the taking item's
    /// conflicts and quorum as evidence.
    pub fn decision_view(&self, d: &Stored<Decision>) -> DecisionView {
        let f = &d.record.fields;
        let taking = self.taking_item(&d.record);
        let opt_html = |s: &Option<String>| s.as_deref().map(markdown::to_html);
        DecisionView {
            reference: f.reference.clone(),
            title: f.title.clone(),
            service_description_html: markdown::to_html(&f.service_description),
            service_status: f.service_status.label(),
            route: route_label(&f.route),
            clinical_lead: f.clinical_lead.clone(),
            contract_manager: f.contract_manager.clone(),
            decided_on: long_date(f.decided_on),
            item: taking.map(|(item, meeting, committee)| ItemRef {
                committee: committee.record.name.clone(),
                committee_href: self.committee_href(&committee.record),
                meeting_date: long_date(meeting.record.held_on),
                number: item.record.number.clone(),
                title: item.record.title.clone(),
                href: self.item_href(&item.record).unwrap_or_default(),
                decision: match &item.record.outcome {
                    ItemOutcome::Decided { decision, .. } => Some(decision.clone()),
                    _ => None,
                },
            }),
            how_decided: f.how_decided.clone(),
            conflicts: taking
                .map(|(item, _, _)| self.conflicts(&item.record))
                .unwrap_or_default(),
            conflicts_note: f.conflicts_note.clone(),
            quorum: taking.and_then(|(item, _, _)| self.quorum(&item.record)),
            evidence: taking.and_then(|(item, _, _)| self.item_evidence(item)),
            justification_html: markdown::to_html(&f.justification),
            supplier: f.supplier.clone(),
            value: Pence(f.value_pence).to_string(),
            term: term(f.term_months),
            starts_on: f.starts_on.map(long_date),
            comments_html: opt_html(&f.comments),
            withdrawn: d.record.withdrawn_reason.is_some(),
            withdrawn_reason: d.record.withdrawn_reason.clone(),
            version: d.version,
            audit_seq: d.audit_seq,
        }
    }

    /// The conflicts of the item that took `d` as one line ("Dr X (partner at the practice
    /// bidding): left the room; …"), else its own note on conflicts.
    pub fn conflicts_text(&self, d: &Decision) -> String {
        match self.taking_item(d) {
            Some((item, _, _)) if item.record.conflicts.is_empty() => "None declared".to_owned(),
            Some((item, _, _)) => self
                .conflicts(&item.record)
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}): {}",
                        c.person.name,
                        c.nature,
                        c.decision.to_lowercase()
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            None => d.fields.conflicts_note.clone().unwrap_or_default(),
        }
    }

    /// The quorum of the item that took `d`, as one line.
    pub fn quorum_text(&self, d: &Decision) -> String {
        self.taking_item(d)
            .and_then(|(item, _, _)| self.quorum(&item.record))
            .map(|q| q.summary)
            .unwrap_or_default()
    }

    /// Committee name, meeting date and item number of the item that took `d`.
    pub fn taken_at(&self, d: &Decision) -> Option<(String, NaiveDate, String)> {
        self.taking_item(d).map(|(item, meeting, committee)| {
            (
                committee.record.name.clone(),
                meeting.record.held_on,
                item.record.number.clone(),
            )
        })
    }

    /// The breaches, most recent first, without the person concerned.
    pub fn breach_rows(&self) -> Vec<BreachRow> {
        let mut rows: Vec<(NaiveDate, BreachRow)> = self
            .b
            .breaches
            .iter()
            .map(|b| {
                let r = &b.record;
                (
                    r.occurred_on,
                    BreachRow {
                        id: b.id,
                        occurred_on: long_date(r.occurred_on),
                        identified_on: long_date(r.identified_on),
                        summary: r.summary.clone(),
                        action_taken: r.action_taken.clone(),
                        reported_to: r.reported_to.clone(),
                        audit_seq: b.audit_seq,
                    },
                )
            })
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
        rows.into_iter().map(|(_, r)| r).collect()
    }
}
