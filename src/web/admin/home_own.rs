//! A declarant's own part of their home page: their entries and returns with where each
//! stands in review, and when their next annual confirmation is due; nothing of the rest
//! of the organisation.

use super::confirmations::days;
use crate::domain::entries::{EntryState, Review};
use crate::domain::people::Person;
use crate::domain::returns::{latest_returns, person_confirmation, Confirmation, ReturnKind};
use crate::publish::views::long_date;
use crate::store::declarations::Declarations;
use crate::store::entries::Register;
use crate::store::gifts::Gifts;
use crate::store::orgs::Org;
use crate::store::{AnyConnection, StoreError};
use chrono::NaiveDate;
use serde::Serialize;

/// One of the declarant's entries or returns, as their home page lists it.
#[derive(Serialize)]
pub struct OwnRow {
    what: String,
    kind: &'static str,
    /// Where it stands: "Published", "Awaiting review", "Returned to you for changes".
    review: &'static str,
    returned: bool,
    comment: Option<String>,
    href: Option<String>,
}

/// A declarant's own view of one organisation.
#[derive(Serialize)]
pub struct Own {
    org_slug: String,
    org_name: String,
    person_name: String,
    entries: Vec<OwnRow>,
    returns: Vec<OwnRow>,
    /// Their entries returned for changes, each linked: the notice at the top.
    returned: Vec<OwnRow>,
    /// When their next annual confirmation is due, or that it is due now.
    due: String,
    due_now: bool,
}

fn review_words(r: &Review) -> &'static str {
    match r {
        Review::Accepted => "Accepted",
        Review::Submitted => "Sent for review",
        Review::Returned(_) => "Returned to you for changes",
    }
}

/// The first line of an entry's text, short enough for a list.
fn headline(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    match line.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

/// What `person` of `org` sees of their own on `today`.
pub fn own(
    c: &mut AnyConnection,
    org: &Org,
    person: &Person,
    today: NaiveDate,
) -> Result<Own, StoreError> {
    let base = format!("/admin/orgs/{}", org.slug);
    let mut entries = Vec::new();
    let row = |kind, what: String, r: &Review, href: String| OwnRow {
        what,
        kind,
        review: review_words(r),
        returned: matches!(r, Review::Returned(_)),
        comment: r.comment().map(str::to_owned),
        href: Some(href),
    };
    for v in Declarations::current(c, org.id)? {
        let e = &v.entry;
        if e.person_id == person.id && e.standing.state == EntryState::Active {
            let href = format!("{base}/declarations/{}", e.id);
            let what = headline(&e.fields.description);
            entries.push(row("Declaration", what, &e.standing.review, href));
        }
    }
    for v in Gifts::current(c, org.id)? {
        let e = &v.entry;
        if e.person_id == person.id && e.standing.state == EntryState::Active {
            let href = format!("{base}/gifts/{}", e.id);
            let what = format!("{}: {}", e.fields.giver, headline(&e.fields.description));
            entries.push(row("Gift or hospitality", what, &e.standing.review, href));
        }
    }
    let all = crate::store::returns::all(c, org.id)?;
    let mine: Vec<_> = all.iter().filter(|r| r.person_id == person.id).collect();
    let returns = mine
        .iter()
        .rev()
        .map(|r| OwnRow {
            what: format!("Made on {}", long_date(r.made_on)),
            kind: match r.kind {
                ReturnKind::Nil => "Nil return",
                ReturnKind::Confirmation => "Annual confirmation",
            },
            review: review_words(&r.review),
            returned: matches!(r.review, Review::Returned(_)),
            comment: r.review.comment().map(str::to_owned),
            href: None,
        })
        .collect::<Vec<_>>();
    let counted = mine
        .iter()
        .copied()
        .filter(|r| !matches!(r.review, Review::Returned(_)));
    let last = latest_returns(counted).get(&person.id).map(|l| l.1);
    let standing = person_confirmation(person.added_on, last, today, &org.settings);
    let (due, due_now) = match standing {
        _ if !person.fields.decision_making => (
            "Only decision-making staff make an annual confirmation.".to_owned(),
            false,
        ),
        Confirmation::Current { due_on } => (
            format!(
                "Your next annual confirmation is due by {}.",
                long_date(due_on)
            ),
            false,
        ),
        Confirmation::Overdue { due_on, days: n } => (
            format!(
                "Your annual confirmation was due on {} and is {} overdue.",
                long_date(due_on),
                days(n)
            ),
            true,
        ),
        Confirmation::Missing => (
            "Your first annual confirmation is due now.".to_owned(),
            true,
        ),
    };
    let returned = entries
        .iter()
        .filter(|e| e.returned)
        .map(|e| OwnRow {
            what: e.what.clone(),
            kind: e.kind,
            review: e.review,
            returned: true,
            comment: e.comment.clone(),
            href: e.href.clone(),
        })
        .collect();
    Ok(Own {
        org_slug: org.slug.clone(),
        org_name: org.name.clone(),
        person_name: person.fields.name.clone(),
        entries,
        returns,
        returned,
        due,
        due_now,
    })
}
