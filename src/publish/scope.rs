//! What a publish renders: the [`Scope`] a change (or a batch of changes) asks for, and
//! which of its files (pages first, bulk open data a moment later) a publish writes.

use crate::store::Touched;
use std::collections::BTreeSet;

/// What to re-render for one organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub everything: bool,
    pub interests: bool,
    pub gifts: bool,
    pub people: BTreeSet<i64>,
    /// Whether a person's own record (name, position, standing) changed.
    pub person_records: bool,
    pub committees: BTreeSet<i64>,
    pub decisions: bool,
    pub breaches: bool,
    pub gp_earnings: bool,
    pub editions: bool,
    /// Which of the named files to write.
    pub part: Part,
}

/// Which of the files a [`Scope`] names a publish writes. The bulk open data files (the
/// registers' CSV and JSON, the OCDS release package) are rewritten whole from every
/// entry of their register, so the queue writes a change's pages and feeds first
/// (`Pages`) and the bulk files a moment later (`Bulk`), one pass for many changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Part {
    /// Pages, feeds and bulk files.
    #[default]
    All,
    /// Pages and feeds, leaving the bulk files to a later `Bulk` publish.
    Pages,
    /// Only the bulk files, all of them.
    Bulk,
}

impl Scope {
    pub fn everything() -> Scope {
        Scope {
            everything: true,
            ..Scope::default()
        }
    }
    /// This scope's pages and feeds (a whole publish writes the bulk files too).
    pub fn pages(&self) -> Scope {
        Scope {
            part: if self.everything {
                Part::All
            } else {
                Part::Pages
            },
            ..self.clone()
        }
    }

    /// The bulk files a change owes, as a publish of their own (none after a whole
    /// publish, which writes them itself). Every change owes all of them: each data
    /// file says the chain entry it is up to date with.
    pub fn bulk(&self) -> Option<Scope> {
        (!self.everything).then(|| Scope {
            part: Part::Bulk,
            ..Scope::default()
        })
    }

    /// Add what `other` names (its part is left as this scope's).
    pub fn merge(&mut self, other: &Scope) {
        self.everything |= other.everything;
        self.interests |= other.interests;
        self.gifts |= other.gifts;
        self.people.extend(&other.people);
        self.person_records |= other.person_records;
        self.committees.extend(&other.committees);
        self.decisions |= other.decisions;
        self.breaches |= other.breaches;
        self.gp_earnings |= other.gp_earnings;
        self.editions |= other.editions;
    }

    /// Add what a change touched.
    pub fn add(&mut self, t: Touched) {
        match t {
            Touched::Org => self.everything = true,
            Touched::Person(p) => {
                self.person_records = true;
                self.interests = true;
                self.gifts = true;
                self.people.insert(p);
            }
            Touched::Interests(p) => {
                self.interests = true;
                self.people.insert(p);
            }
            Touched::Gifts(p) => {
                self.gifts = true;
                self.people.insert(p);
            }
            Touched::Committee(c) => {
                self.committees.insert(c);
                self.decisions = true;
            }
            Touched::Decisions => self.decisions = true,
            Touched::Breaches => self.breaches = true,
            Touched::GpEarnings => self.gp_earnings = true,
            Touched::Editions => self.editions = true,
        }
    }
}
