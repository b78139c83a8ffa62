//! The committee screens of the web app: constituting a committee and adding members
//! through the forms, the store's constitution refusals shown beside the members with
//! nothing written, recording a meeting with its attendance, an item whose conflicted
//! members leave so that recording a decision is refused with the quorum's numbers,
//! deferring it instead, and forms without their CSRF token refused.

use crate::both_backends;
use crate::helpers::{Backend, Browser, Page, TestApp};
use coi_register::store::users::Role;
use serde_json::json;

const COMMITTEES: &str = "/admin/orgs/test-ccg/committees";

fn lead(app: &TestApp) -> Browser {
    let account = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    app.sign_in(&account)
}

/// Form fields with the session's token.
fn form<'a>(browser: &'a Browser, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("csrf_token", browser.csrf.as_str())];
    f.extend_from_slice(fields);
    f
}

/// `fields` sent to `path` as the browser's form, with the session's token.
fn send(app: &TestApp, browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Page {
    app.submit(path, Some(&browser.cookie), &form(browser, fields))
}

/// `path` as the browser sees it, which must be there.
fn open(app: &TestApp, browser: &Browser, path: &str) -> Page {
    let page = app.browse(path, Some(&browser.cookie));
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

fn redirected(answer: &Page, prefix: &str) -> String {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let to = answer.location.clone().expect("a redirect");
    assert!(to.starts_with(prefix), "{to} starts with {prefix}");
    to
}

/// The audit entries after `head`: (action, entity).
fn entries_after(app: &TestApp, head: i64) -> Vec<(String, String)> {
    let now = app.head();
    if now == head {
        return vec![];
    }
    coi_register::store::audit::range(&mut app.conn(), app.org_id, head + 1, now, 100)
        .unwrap()
        .iter()
        .map(|e| (e.header.action.clone(), e.header.entity.clone()))
        .collect()
}

/// The audit entries after `head` are `expected` (action, entity).
fn assert_written(app: &TestApp, head: i64, expected: &[(&str, &str)], why: &str) {
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, e)| ((*a).to_owned(), (*e).to_owned()))
        .collect();
    assert_eq!(entries_after(app, head), expected, "{why}");
}

/// A committee field's error: in the summary, linking to `id`, and beside the field.
fn assert_error(page: &Page, id: &str, message: &str) {
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("<title>Error: "), "{}", page.body);
    assert!(page.body.contains("There is a problem"));
    assert!(
        page.body.contains(&format!("<a href=\"#{id}\">{message}")),
        "summary link to #{id} with {message:?} in {}",
        page.body
    );
    assert!(
        page.body.contains(&format!("id=\"{id}\"")),
        "an element #{id} in {}",
        page.body
    );
    assert!(
        page.body
            .matches(&format!("Error:</span> {message}"))
            .count()
            >= 1,
        "{message:?} beside the field in {}",
        page.body
    );
}

fn constitute_a_committee_through_the_form_and_add_members(b: Backend) {
    let app = TestApp::spawn(b);
    let helen = app.add_person("Helen Lay", true);
    let claire = app.add_person("Claire Exec", true);
    let anna = app.add_person("Dr Anna Gp", true);
    let browser = lead(&app);

    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(home
        .body
        .contains(&format!("href=\"{COMMITTEES}\">Committees</a>")));
    let list = open(&app, &browser, COMMITTEES);
    assert!(list.body.contains("No committee has been constituted yet"));
    assert!(list.body.contains(&format!(
        "href=\"{COMMITTEES}/new\" role=\"button\" draggable=\"false\">Constitute a committee"
    )));

    let new = open(&app, &browser, &format!("{COMMITTEES}/new"));
    for text in [
        "<label class=\"nhsuk-label\" for=\"name\">Name</label>",
        "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">Quorum: categories that must be present</legend>",
        "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\">Member 8</legend>",
        "<label class=\"nhsuk-label\" for=\"members-0-person\">Person</label>",
        "<option value=\"helen-lay\">Helen Lay (GP member)</option>",
        "name=\"csrf_token\"",
    ] {
        assert!(new.body.contains(text), "{text} in {}", new.body);
    }
    assert!(!new.body.contains("<script"), "no JavaScript");

    let head = app.head();
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/new"),
        &[
            ("name", "Primary Care Commissioning Committee"),
            ("slug", "pccc"),
            (
                "terms_of_reference",
                "Commissions **primary care** <script>x</script>",
            ),
            ("quorum_minimum", "2"),
            ("quorum_required", "lay"),
            ("quorum_required", "executive"),
            ("members-0-person", &helen),
            ("members-0-category", "lay"),
            ("members-0-role", "chair"),
            ("members-0-voting", ""),
            ("members-0-from", "2026-01-01"),
            ("members-0-to", ""),
            ("members-1-person", ""),
            ("members-1-category", ""),
            ("members-1-role", ""),
            ("members-1-from", ""),
            ("members-3-person", &claire),
            ("members-3-category", "executive"),
            ("members-3-from", "2026-01-01"),
        ],
    );
    let to = redirected(&answer, &format!("{COMMITTEES}/pccc?saved=created"));
    assert_written(
        &app,
        head,
        &[
            ("create", "committee"),
            ("create", "membership"),
            ("create", "membership"),
        ],
        "the committee and its two members, blank rows ignored",
    );
    let (s, api) = app.get(&app.api("/committees/pccc"), None);
    assert_eq!(s, 200, "{api}");
    assert_eq!(api["quorum"]["minimum"], 2);
    assert_eq!(api["quorum"]["required"], json!(["lay", "executive"]));
    assert_eq!(api["members"][0]["person"], helen.as_str());
    assert_eq!(api["members"][0]["role"], "chair");
    assert_eq!(api["members"][1]["person"], claire.as_str());

    let shown = open(&app, &browser, &to);
    for text in [
        "The committee was constituted",
        "<h1>Primary Care Commissioning Committee</h1>",
        "<strong>primary care</strong>",
        "At least 2 voting members, including a lay member and an executive member; more than half of those counting lay or executive members, and a lay member without a conflict to preside",
        "Helen Lay",
        "<td class=\"nhsuk-table__cell\">Chair</td>",
        "Claire Exec",
        "No meeting has been recorded yet",
        "href=\"/admin/orgs/test-ccg/committees/pccc/members/new\"",
        "href=\"/admin/orgs/test-ccg/committees/pccc/meetings/new\"",
    ] {
        assert!(shown.body.contains(text), "{text} in {}", shown.body);
    }
    assert!(
        !shown.body.contains("<script>x"),
        "terms of reference are sanitised"
    );
    let list = app.browse(COMMITTEES, Some(&browser.cookie));
    assert!(list.body.contains(&format!(
        "<a href=\"{COMMITTEES}/pccc\">Primary Care Commissioning Committee</a>"
    )));

    // The add-members form sent empty names its first field, and writes nothing.
    let head = app.head();
    let empty = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/members/new"),
        &[],
    );
    assert_error(
        &empty,
        "members-0-person",
        "Member 1: person is required: fill in at least one member",
    );
    assert_eq!(app.head(), head);

    // Add a member through the add-members form: one audit entry.
    let head = app.head();
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/members/new"),
        &[
            ("members-0-person", &anna),
            ("members-0-category", "clinical"),
            ("members-0-from", "2026-02-01"),
            ("members-1-person", ""),
        ],
    );
    redirected(&answer, &format!("{COMMITTEES}/pccc?saved=members"));
    assert_written(&app, head, &[("create", "membership")], "one audit entry");
    let (_, api) = app.get(&app.api("/committees/pccc"), None);
    assert_eq!(api["members"].as_array().unwrap().len(), 3, "{api}");
    assert_eq!(api["members"][2]["category"], "clinical");

    // Amend the committee: the quorum changes, one audit entry.
    let amend = open(&app, &browser, &format!("{COMMITTEES}/pccc/amend"));
    assert!(amend
        .body
        .contains("value=\"Primary Care Commissioning Committee\""));
    assert!(amend
        .body
        .contains("name=\"quorum_required\" type=\"checkbox\" value=\"lay\" checked"));
    let head = app.head();
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/amend"),
        &[
            ("version", "1"),
            ("name", "Primary Care Commissioning Committee"),
            ("slug", "pccc"),
            ("terms_of_reference", ""),
            ("quorum_minimum", "3"),
            ("quorum_required", "lay"),
        ],
    );
    redirected(&answer, &format!("{COMMITTEES}/pccc?saved=amended"));
    assert_written(&app, head, &[("amend", "committee")], "one audit entry");
    let (_, api) = app.get(&app.api("/committees/pccc"), None);
    assert_eq!(api["quorum"]["minimum"], 3);
    assert_eq!(api["terms_of_reference"], "");
}

fn an_executive_chair_or_a_majority_break_is_refused_beside_the_members(b: Backend) {
    let app = TestApp::spawn(b);
    let helen = app.add_person("Helen Lay", true);
    let claire = app.add_person("Claire Exec", true);
    let anna = app.add_person("Dr Anna Gp", true);
    let ben = app.add_person("Dr Ben Gp", true);
    let browser = lead(&app);
    let head = app.head();

    // An executive chair: the store's words, beside the members, input kept.
    let committee = |chair: &'static str, member: &'static str| {
        vec![
            ("name", "Primary Care Commissioning Committee"),
            ("slug", "pccc"),
            ("quorum_minimum", "2"),
            ("members-0-person", helen.as_str()),
            ("members-0-category", "lay"),
            ("members-0-role", member),
            ("members-0-from", "2026-01-01"),
            ("members-1-person", claire.as_str()),
            ("members-1-category", "executive"),
            ("members-1-role", chair),
            ("members-1-from", "2026-01-01"),
        ]
    };
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/new"),
        &committee("chair", ""),
    );
    assert_error(
        &answer,
        "members",
        "The constitution would not hold on 2026-01-01: the chair, Claire Exec, is an executive member; the chair must be a lay member",
    );
    assert!(answer
        .body
        .contains("value=\"Primary Care Commissioning Committee\""));
    assert!(answer
        .body
        .contains("<option value=\"claire-exec\" selected>Claire Exec (GP member)</option>"));
    assert!(answer
        .body
        .contains("<option value=\"chair\" selected>Chair</option>"));
    assert_eq!(app.head(), head, "nothing was written");
    let (s, _) = app.get(&app.api("/committees/pccc"), None);
    assert_eq!(s, 404);

    // A row's own problem links to that row's field.
    let mut fields = committee("", "chair");
    fields.push(("members-4-person", anna.as_str()));
    fields.push(("members-4-from", "2026-01-01"));
    let answer = send(&app, &browser, &format!("{COMMITTEES}/new"), &fields);
    assert_error(
        &answer,
        "members-4-category",
        "Member 5: category is required: one of lay, executive, clinical, observer",
    );
    assert_eq!(app.head(), head);

    // Valid: lay chair, executive member.
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/new"),
        &committee("", "chair"),
    );
    redirected(&answer, &format!("{COMMITTEES}/pccc"));
    let head = app.head();

    // Two GPs at once break the lay+executive majority: 2 of 4.
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/members/new"),
        &[
            ("members-0-person", &anna),
            ("members-0-category", "clinical"),
            ("members-0-from", "2026-02-01"),
            ("members-1-person", &ben),
            ("members-1-category", "clinical"),
            ("members-1-from", "2026-02-01"),
        ],
    );
    assert_error(
        &answer,
        "members",
        "The constitution would not hold on 2026-02-01: 2 of 4 voting members are lay or executive; more than half is needed, so at least 3",
    );
    assert!(answer
        .body
        .contains("<option value=\"dr-ben-gp\" selected>Dr Ben Gp (GP member)</option>"));
    assert_eq!(app.head(), head, "nothing was written");
    let (_, api) = app.get(&app.api("/committees/pccc"), None);
    assert_eq!(api["members"].as_array().unwrap().len(), 2);

    // One GP is fine (2 of 3)…
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/members/new"),
        &[
            ("members-0-person", &anna),
            ("members-0-category", "clinical"),
            ("members-0-from", "2026-02-01"),
        ],
    );
    redirected(&answer, &format!("{COMMITTEES}/pccc?saved=members"));
    let head = app.head();

    // …but ending the executive's membership would leave 1 of 2.
    let (_, api) = app.get(&app.api("/committees/pccc"), None);
    let claire_membership = api["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["person"] == claire.as_str())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let here = format!("{COMMITTEES}/pccc/members/{claire_membership}");
    let page = open(&app, &browser, &here);
    assert!(page.body.contains("Membership of Claire Exec"));
    assert!(page
        .body
        .contains("<option value=\"executive\" selected>Executive</option>"));
    let answer = send(
        &app,
        &browser,
        &format!("{here}/end"),
        &[("version", "1"), ("to", "2026-06-30")],
    );
    assert_error(
        &answer,
        "end",
        "The constitution would not hold on 2026-07-01: 1 of 2 voting members is lay or executive; more than half is needed, so at least 2",
    );
    assert!(
        answer.body.contains("value=\"2026-06-30\""),
        "the date is kept"
    );
    assert_eq!(app.head(), head, "nothing was written");

    // Making the chair an executive through the amend form is refused too.
    let (_, api) = app.get(&app.api("/committees/pccc"), None);
    let helen_membership = api["members"][0]["id"].as_i64().unwrap();
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/members/{helen_membership}/amend"),
        &[
            ("version", "1"),
            ("category", "executive"),
            ("role", "chair"),
            ("voting", ""),
            ("from", "2026-01-01"),
            ("to", ""),
        ],
    );
    assert_error(
        &answer,
        "membership",
        "The constitution would not hold on 2026-01-01: the chair, Helen Lay, is an executive member; the chair must be a lay member",
    );
    assert_eq!(app.head(), head, "nothing was written");

    // Ending a membership needs its last day.
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/members/{claire_membership}/end"),
        &[("version", "1"), ("to", "")],
    );
    assert_error(&answer, "end-to", "Enter the last day of membership");
    assert_eq!(app.head(), head);
}

/// A committee made through the API: lay chair and vice-chair, two executives, two
/// GPs; quorum 4 including a lay and an executive member.
fn pccc(app: &TestApp) -> Vec<String> {
    let names = [
        "Helen Lay",
        "Robert Lay",
        "Claire Exec",
        "Imran Exec",
        "Dr Anna Gp",
        "Dr Ben Gp",
    ];
    let slugs: Vec<String> = names.iter().map(|n| app.add_person(n, true)).collect();
    let m = |i: usize, category: &str, role: &str| json!({"person": slugs[i], "category": category, "role": role, "from": "2026-01-01"});
    let (s, c) = app.post(
        "/committees",
        json!({
            "name": "Primary Care Commissioning Committee", "slug": "pccc",
            "quorum_minimum": 4, "quorum_required": ["lay", "executive"],
            "members": [m(0, "lay", "chair"), m(1, "lay", "vice_chair"), m(2, "executive", "member"),
                        m(3, "executive", "member"), m(4, "clinical", "member"), m(5, "clinical", "member")],
        }),
    );
    assert_eq!(s, 201, "{c}");
    slugs
}

fn id_after(location: &str, marker: &str) -> i64 {
    let rest = &location[location.find(marker).expect(marker) + marker.len()..];
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

fn a_meeting_item_inquorate_after_conflicts_is_refused_a_decision_and_deferred(b: Backend) {
    let app = TestApp::spawn(b);
    let p = pccc(&app);
    let browser = lead(&app);
    // A lay member who joins after the meeting.
    let zoe = app.add_person("Zoe Lay", true);
    let (s, e) = app.post(
        "/committees/pccc/members",
        json!({"members": [{"person": zoe, "category": "lay", "from": "2026-06-01"}]}),
    );
    assert_eq!(s, 201, "{e}");

    // The meeting form offers every member's attendance as a group of radios.
    let new = open(&app, &browser, &format!("{COMMITTEES}/pccc/meetings/new"));
    for text in [
        "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\">Who came</legend>",
        "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">Helen Lay</legend>",
        "id=\"attendance-imran-exec\" name=\"attendance-imran-exec\" type=\"radio\" value=\"present\"",
        "<label class=\"nhsuk-label\" for=\"co_opted-0-person\">Person</label>",
    ] {
        assert!(new.body.contains(text), "{text} in {}", new.body);
    }

    // A bad date: nothing written, attendance kept.
    let head = app.head();
    let mut fields = vec![
        ("held_on", "2026-03-12"),
        ("attendance-helen-lay", "present"),
        ("attendance-robert-lay", "present"),
        ("attendance-claire-exec", "present"),
        ("attendance-imran-exec", "apologies"),
        ("attendance-dr-anna-gp", "present"),
        ("attendance-dr-ben-gp", "present"),
    ];
    let mut bad = fields.clone();
    bad[0] = ("held_on", "2026-02-30");
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/meetings/new"),
        &bad,
    );
    assert_error(
        &answer,
        "held_on",
        "Date of the meeting must be a real date written YYYY-MM-DD",
    );
    assert!(answer.body.contains(
        "id=\"attendance-imran-exec-2\" name=\"attendance-imran-exec\" type=\"radio\" value=\"apologies\" checked"
    ));
    assert_eq!(app.head(), head);

    // Someone not yet a member that day cannot be marked present.
    let mut early = fields.clone();
    early.push(("attendance-zoe-lay", "present"));
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/meetings/new"),
        &early,
    );
    assert_error(
        &answer,
        "attendance-zoe-lay",
        "Zoe Lay is not a member of the committee on 2026-03-12",
    );
    assert_eq!(app.head(), head);

    // Recorded: one audit entry, attendance as entered.
    fields.push(("co_opted-0-person", ""));
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/meetings/new"),
        &fields,
    );
    let to = redirected(&answer, &format!("{COMMITTEES}/pccc/meetings/"));
    let meeting = id_after(&to, "/meetings/");
    assert_written(&app, head, &[("create", "meeting")], "one audit entry");
    let (s, api) = app.get(&app.api(&format!("/meetings/{meeting}")), None);
    assert_eq!(s, 200, "{api}");
    assert_eq!(api["held_on"], "2026-03-12");
    assert_eq!(api["attendance"]["helen-lay"], "present");
    assert_eq!(api["attendance"]["imran-exec"], "apologies");
    assert_eq!(api["attendance"]["dr-ben-gp"], "present");
    let shown = open(&app, &browser, &to);
    for text in [
        "The meeting was recorded",
        "<h1>Meeting of 2026-03-12</h1>",
        "<td class=\"nhsuk-table__cell\">Apologies</td>",
        "No agenda items have been recorded",
    ] {
        assert!(shown.body.contains(text), "{text} in {}", shown.body);
    }

    // An item on which both GPs leave the room and the executive present does not vote:
    // only the two lay members count.
    let meeting_base = format!("{COMMITTEES}/pccc/meetings/{meeting}");
    let item_form = open(&app, &browser, &format!("{meeting_base}/items/new"));
    assert!(item_form
        .body
        .contains("<option value=\"dr-anna-gp\">Dr Anna Gp (GP member)</option>"));
    assert!(
        !item_form.body.contains("<option value=\"imran-exec\""),
        "only those present may declare a conflict"
    );
    let head = app.head();
    let answer = send(
        &app,
        &browser,
        &format!("{meeting_base}/items/new"),
        &[
            ("number", "5.2"),
            ("title", "Extended access contract"),
            ("description", ""),
            ("conflicts-0-person", &p[4]),
            ("conflicts-0-nature", "Partner at the practice bidding"),
            ("conflicts-0-declaration", ""),
            ("conflicts-0-decision", "left_room"),
            ("conflicts-1-person", &p[5]),
            ("conflicts-1-nature", "Partner at the practice bidding"),
            ("conflicts-1-decision", "left_room"),
            ("conflicts-2-person", &p[2]),
            ("conflicts-2-nature", "Spouse works for the bidder"),
            ("conflicts-2-decision", "stayed_not_voting"),
            ("conflicts-3-person", ""),
        ],
    );
    let to = redirected(&answer, &format!("{meeting_base}?saved=item"));
    let item = id_after(&to, "#item-");
    assert_written(&app, head, &[("create", "item")], "one audit entry");
    let shown = app.browse(&to, Some(&browser.cookie));
    for text in [
        "5.2. Extended access contract",
        "Partner at the practice bidding",
        "<td class=\"nhsuk-table__cell\">Left the room</td>",
        "<td class=\"nhsuk-table__cell\">Stayed but did not vote</td>",
        "Inquorate",
        "Quorum rule not met (minimum number of voting members): 2 voting members count for this item; the quorum is 4",
    ] {
        assert!(shown.body.contains(text), "{text} in {}", shown.body);
    }

    // Recording a decision is refused with the quorum's rules and numbers.
    let outcome = format!("{COMMITTEES}/pccc/items/{item}/outcome");
    let page = open(&app, &browser, &outcome);
    assert!(page.body.contains("<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">What became of the item?</legend>"));
    assert!(page.body.contains("name=\"version\" value=\"1\""));
    let head = app.head();
    let answer = send(
        &app,
        &browser,
        &outcome,
        &[
            ("version", "1"),
            ("outcome", "decided"),
            ("decision", "Award the contract to <Riverside>"),
            ("referred_to", ""),
            ("reason", ""),
        ],
    );
    for message in [
        "The item is not quorate, so it cannot record a decision: record it as deferred or referred, or co-opt members to the meeting",
        "Quorum rule not met (minimum number of voting members): 2 voting members count for this item; the quorum is 4",
        "Quorum rule not met (required category): no executive member counts for this item",
    ] {
        assert_error(&answer, "outcome", message);
    }
    assert!(answer
        .body
        .contains("Award the contract to &lt;Riverside&gt;</textarea>"));
    assert!(answer
        .body
        .contains("name=\"outcome\" type=\"radio\" value=\"decided\" checked"));
    assert_eq!(app.head(), head, "nothing was written");
    let (_, api) = app.get(&app.api(&format!("/items/{item}")), None);
    assert_eq!(api["outcome"], "open", "{api}");

    // Deferring needs a reason, then works: one audit entry.
    let answer = send(
        &app,
        &browser,
        &outcome,
        &[("version", "1"), ("outcome", "deferred")],
    );
    assert_error(&answer, "reason", "The reason is required for this outcome");
    assert_eq!(app.head(), head);
    let answer = send(
        &app,
        &browser,
        &outcome,
        &[
            ("version", "1"),
            ("outcome", "deferred"),
            ("reason", "Inquorate after conflicts: to the next meeting"),
        ],
    );
    let to = redirected(&answer, &format!("{meeting_base}?saved=outcome"));
    assert_written(&app, head, &[("outcome", "item")], "one audit entry");
    let (_, api) = app.get(&app.api(&format!("/items/{item}")), None);
    assert_eq!(api["outcome"], "deferred", "{api}");
    assert_eq!(
        api["reason"],
        "Inquorate after conflicts: to the next meeting"
    );
    let shown = app.browse(&to, Some(&browser.cookie));
    assert!(shown.body.contains("Deferred"), "{}", shown.body);
    assert!(shown
        .body
        .contains("Inquorate after conflicts: to the next meeting"));

    // Amending the item so that only one GP leaves makes it quorate (4 count, an
    // executive among them); the amend form shows the item's conflicts as they stand.
    let amend = open(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/items/{item}/amend"),
    );
    assert!(amend
        .body
        .contains("<option value=\"stayed_not_voting\" selected>Stayed but did not vote</option>"));
    assert!(
        amend.body.contains("Reason for the correction"),
        "the amend form asks why"
    );
    let head = app.head();
    let fields = [
        ("version", "2"),
        ("number", "5.2"),
        ("title", "Extended access contract (revised)"),
        ("conflicts-0-person", &p[4]),
        ("conflicts-0-nature", "Partner at the practice bidding"),
        ("conflicts-0-decision", "left_room"),
    ];
    // The item already has an outcome, so changing its conflicts is a correction: without
    // a reason it is refused and nothing is written.
    let unexplained = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/items/{item}/amend"),
        &fields,
    );
    assert_eq!(unexplained.status, 422, "{}", unexplained.body);
    assert!(
        unexplained.body.contains("href=\"#correction_reason\""),
        "{}",
        unexplained.body
    );
    assert_eq!(app.head(), head, "a refused correction writes nothing");
    let mut explained = fields.to_vec();
    explained.push((
        "correction_reason",
        "The chair ruled that Dr Five should leave, not stay: minutes corrected",
    ));
    let answer = send(
        &app,
        &browser,
        &format!("{COMMITTEES}/pccc/items/{item}/amend"),
        &explained,
    );
    redirected(&answer, &format!("{meeting_base}?saved=item-amended"));
    assert_written(&app, head, &[("amend", "item")], "one audit entry");
    let (_, api) = app.get(&app.api(&format!("/items/{item}")), None);
    assert_eq!(api["title"], "Extended access contract (revised)");
    assert_eq!(api["conflicts"].as_array().unwrap().len(), 1);
    assert_eq!(api["quorum_now"]["quorate"], true, "{api}");

    // The meeting's amend form keeps the attendance.
    let amend = open(&app, &browser, &format!("{meeting_base}/amend"));
    assert!(amend
        .body
        .contains("name=\"attendance-imran-exec\" type=\"radio\" value=\"apologies\" checked"));
    assert!(
        !amend.body.contains("attendance-zoe-lay"),
        "only members in office on the meeting's date are asked about"
    );
}

fn forms_without_their_csrf_token_are_refused(b: Backend) {
    let app = TestApp::spawn(b);
    pccc(&app);
    let browser = lead(&app);
    let head = app.head();
    let fields: Vec<(&str, &str)> = vec![("name", "Audit Committee"), ("quorum_minimum", "2")];
    let mut wrong = fields.clone();
    wrong.push(("csrf_token", "not-the-token"));
    for (path, f) in [
        (format!("{COMMITTEES}/new"), &fields),
        (format!("{COMMITTEES}/new"), &wrong),
        (format!("{COMMITTEES}/pccc/amend"), &fields),
        (format!("{COMMITTEES}/pccc/meetings/new"), &fields),
    ] {
        let answer = app.submit(&path, Some(&browser.cookie), f);
        assert_eq!(answer.status, 403, "{path}: {}", answer.body);
        assert!(answer.body.contains("This form has expired"));
    }
    assert_eq!(app.head(), head, "nothing was written");
    let (s, _) = app.get(&app.api("/committees/audit-committee"), None);
    assert_eq!(s, 404);
}

fn readers_see_committee_business_but_cannot_change_it(b: Backend) {
    let app = TestApp::spawn(b);
    pccc(&app);
    let auditor = app.account("auditor@test.example", Role::Auditor, &["test-ccg"], None);
    let browser = app.sign_in(&auditor);
    let page = open(&app, &browser, &format!("{COMMITTEES}/pccc"));
    assert!(page.body.contains("Helen Lay"));
    assert!(!page.body.contains("/members/new"), "no forms offered");
    let list = open(&app, &browser, COMMITTEES);
    assert!(list.body.contains("Primary Care Commissioning Committee"));
    assert!(
        !list.body.contains("committees/new"),
        "no link to a form it may not use"
    );
    let answer = app.browse(&format!("{COMMITTEES}/new"), Some(&browser.cookie));
    assert_eq!(answer.status, 403);
}

both_backends!(
    constitute_a_committee_through_the_form_and_add_members,
    an_executive_chair_or_a_majority_break_is_refused_beside_the_members,
    a_meeting_item_inquorate_after_conflicts_is_refused_a_decision_and_deferred,
    forms_without_their_csrf_token_are_refused,
    readers_see_committee_business_but_cannot_change_it,
);
