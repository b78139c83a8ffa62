//! Withdrawing an entry cannot be undone, so the web app asks whether you are sure
//! before it withdraws anything.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::store::users::Role;

fn withdrawing_an_entry_asks_whether_you_are_sure_first(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Ann Lee", true);
    let id = app.declare(&person, "Partner at Riverside Surgery")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let withdraw = format!("/admin/orgs/test-ccg/declarations/{id}/withdraw");
    let head = app.head();
    let send = |fields: &[(&str, &str)]| {
        let mut all = vec![("csrf_token", browser.csrf.as_str()), ("version", "1")];
        all.extend_from_slice(fields);
        app.submit(&withdraw, Some(&browser.cookie), &all)
    };

    let empty = send(&[]);
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("<a href=\"#withdraw-reason\">"));
    let asked = send(&[("reason", "Entered twice")]);
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked
            .body
            .contains("Are you sure you want to withdraw this declaration?")
            && asked.body.contains("name=\"confirmed\" value=\"yes\"")
            && asked.body.contains(">Entered twice</textarea>")
            && asked.body.contains(&format!(
                "<a href=\"/admin/orgs/test-ccg/declarations/{id}\">No, keep it</a>"
            )),
        "{}",
        asked.body
    );
    assert_eq!(app.head(), head, "nothing is withdrawn before the answer");

    let done = send(&[("reason", "Entered twice"), ("confirmed", "yes")]);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(app.head(), head + 1, "withdrawn, with its audit entry");
}

both_backends!(withdrawing_an_entry_asks_whether_you_are_sure_first);
