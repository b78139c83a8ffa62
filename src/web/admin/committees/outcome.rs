//! What became of an agenda item: decided (only if it is quorate now), deferred or
//! referred, with the item's quorum and conflicts shown beside the form.

use super::{first, input, quorum_view, Writing};
use crate::domain::committees::{Item, ItemOutcome, ItemOutcomeInput, Meeting};
use crate::domain::Input;
use crate::store::records::Stored;
use crate::web::admin::form::{
    capitalise, fact, opts, refused, Field, FormPage, FormView, Problems, Section, Values,
};
use crate::web::admin::Page;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

fn outcome_values(i: &Stored<Item>) -> Values {
    let mut v = vec![("version".to_owned(), i.version.to_string())];
    let mut put = |k: &str, s: &str| v.push((k.to_owned(), s.to_owned()));
    match &i.record.outcome {
        ItemOutcome::Open => {}
        ItemOutcome::Decided { decision, .. } => {
            put("outcome", "decided");
            put("decision", decision);
        }
        ItemOutcome::Deferred { reason } => {
            put("outcome", "deferred");
            put("reason", reason);
        }
        ItemOutcome::Referred {
            referred_to,
            reason,
        } => {
            put("outcome", "referred");
            put("referred_to", referred_to);
            put("reason", reason);
        }
    }
    Values(v)
}

fn locate_outcome(key: &str) -> (String, String) {
    match key {
        "decision" => ("decision".into(), "The decision".into()),
        "reason" => ("reason".into(), "The reason".into()),
        "referred_to" => ("referred_to".into(), "Who it was referred to".into()),
        _ => ("outcome".into(), String::new()),
    }
}

fn outcome_page(
    l: &Writing,
    (i, m): (&Stored<Item>, &Stored<Meeting>),
    status: StatusCode,
    v: &Values,
    p: &Problems,
) -> HttpResponse {
    let c = l.committee();
    let committee_href = l.base();
    let sections = vec![Section::bare(vec![
        Field::choices(
            "outcome",
            "What became of the item?",
            &opts(&[
                ("decided", "A decision was taken"),
                ("deferred", "Deferred to a later meeting"),
                (
                    "referred",
                    "Referred to another committee or the governing body",
                ),
            ]),
            v,
            p,
            false,
        )
        .hint("A decision can only be recorded if the item is quorate"),
        Field::textarea("decision", "The decision, as minuted (if decided)", v, p),
        input(
            "referred_to",
            "Who it was referred to (if referred)",
            "text",
            "",
            v,
            p,
        ),
        Field::textarea("reason", "The reason (if deferred or referred)", v, p),
    ])];
    let form = FormView::new(
        format!("{committee_href}/items/{}/outcome", i.id),
        "Record the outcome",
        sections,
    )
    .version(v);
    let r = &i.record;
    let mut fp = FormPage::new(
        format!("ItemOutcome of item {}: {}", r.number, r.title),
        format!("{committee_href}/meetings/{}#item-{}", m.id, i.id),
        vec![form],
    );
    fp.caption = Some(format!(
        "{}, meeting of {}",
        c.record.name, m.record.held_on
    ));
    let quorum = quorum_view(l.view.quorum(r).as_ref(), &l.names);
    let quorum_notes: Vec<String> = if quorum["quorate"] == true {
        vec![
            format!("Presiding: {}", quorum["presiding"].as_str().unwrap_or("")),
            format!("Counting: {}", quorum["counting"].as_str().unwrap_or("")),
        ]
    } else {
        quorum["failures"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    fp.facts = vec![
        fact("Quorum", capitalise(&c.record.quorum.describe()), vec![]),
        fact(
            "Quorum for this item now",
            if quorum["quorate"] == true {
                "Quorate"
            } else {
                "Inquorate"
            },
            quorum_notes,
        ),
        fact(
            "Conflicts",
            if r.conflicts.is_empty() {
                "None declared".to_owned()
            } else {
                r.conflicts
                    .iter()
                    .map(|cf| {
                        format!(
                            "{}: {}",
                            l.names.name(cf.person_id),
                            cf.decision.label().to_lowercase()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            vec![],
        ),
        fact("ItemOutcome now", r.outcome.label(), vec![]),
    ];
    fp.render(status, &l.session, &l.org, p)
}

pub async fn outcome_form(w: Writing) -> Page {
    let item = w.item(&w.id)?;
    first(outcome_values(item.0), |s, v, p| {
        outcome_page(&w, item, s, v, p)
    })
}

pub async fn record_outcome(w: Writing) -> Page {
    let (i, m) = w.item(&w.id)?;
    let v = &w.form;
    let again = |status, v: &Values, p: &Problems| outcome_page(&w, (i, m), status, v, p);
    let input =
        Input::from_pairs(["outcome", "decision", "reason", "referred_to"].map(|k| (k, v.get(k))));
    let entered = match ItemOutcomeInput::parse(&input) {
        Ok(e) => e,
        Err(fe) => return Ok(refused(&fe, v, locate_outcome, again)),
    };
    let (id, version) = (i.id, v.version());
    let written = w
        .write(move |conn, org_id, actor| {
            crate::store::meetings::record_outcome(conn, org_id, actor, id, version, entered)
        })
        .await;
    let to = |_: &_| {
        let committee = w.base();
        format!("{committee}/meetings/{}?saved=outcome#item-{}", m.id, i.id)
    };
    let stale = Some(("outcome", i.version));
    w.settle(written, to, locate_outcome, stale, again).await
}

#[cfg(test)]
mod tests {
    use super::super::committee::locate_committee;
    use super::*;
    use crate::domain::FieldErrors;
    use crate::web::admin::form::placed;

    #[test]
    fn quorum_and_constitution_problems_keep_the_store_words() {
        let mut fe = FieldErrors::default();
        fe.add(
            "quorum.minimum",
            "2 voting members count for this item; the quorum is 3",
        );
        fe.add(
            "outcome",
            "the item is not quorate, so it cannot record a decision",
        );
        let p = placed(&fe, locate_outcome);
        assert_eq!(p.all_at("outcome").len(), 2);
        assert!(p.0.iter().any(|x| x.message
            == "Quorum rule not met (minimum number of voting members): 2 voting members count for this item; the quorum is 3"));
        let fe = FieldErrors::one(
            "constitution.chair_is_lay",
            "on 2026-01-01: the chair, A, is an executive member; the chair must be a lay member",
        );
        let p = placed(&fe, |k| locate_committee(k, &[]));
        assert_eq!(p.0[0].field, "members");
        assert!(p.0[0].message.contains("the chair must be a lay member"));
    }
}
