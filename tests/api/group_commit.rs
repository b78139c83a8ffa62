//! Group commit and durable acknowledgements: concurrent API writers leave one dense,
//! verifying chain holding every acknowledged change; the bulk paths' batches keep each
//! write in its own savepoint; and a server killed with SIGKILL mid-run loses no write it
//! acknowledged. (A power cut cannot be simulated here; the `fsync` of the WAL before each
//! acknowledgement, `store::durable`, is what covers it.)

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::domain::people::PersonFields;
use coi_register::store::durable::Batch;
use coi_register::store::schema::{audit_entries, organisations};
use coi_register::store::{people, AnyConnection, StoreError};
use diesel::prelude::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The seqs of the organisation's audit entries, in order.
fn seqs(c: &mut AnyConnection, org_id: i64) -> Vec<i64> {
    audit_entries::table
        .filter(audit_entries::organisation_id.eq(org_id))
        .order(audit_entries::seq)
        .select(audit_entries::seq)
        .load(c)
        .unwrap()
}

/// The chain is 1..=head with no gap, and verifies.
fn assert_dense_and_verifies(c: &mut AnyConnection, org: &str, org_id: i64, head: i64) {
    assert_eq!(seqs(c, org_id), (1..=head).collect::<Vec<_>>());
    let summary = coi_register::store::audit::verify(c, org)
        .unwrap()
        .unwrap_or_else(|f| panic!("the chain does not verify: {f:?}"));
    assert_eq!(summary.entries, head);
}

/// The mitigation text of every version of a declaration, by version.
fn mitigations(base: &str, org: &str, id: &str) -> Vec<(i64, String)> {
    let url = format!("{base}/api/v1/orgs/{org}/declarations/{id}/versions");
    let versions: Value = ureq::get(&url).call().unwrap().into_json().unwrap();
    versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["mitigation"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn sixteen_concurrent_api_writers_leave_one_dense_chain_holding_every_acknowledged_write(
    b: Backend,
) {
    const WRITERS: usize = 16;
    const EACH: i64 = 6;
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let ids: Vec<String> = (0..WRITERS)
        .map(|w| {
            app.declare(&person, &format!("Interest {w}"))["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let before = app.head();
    let acknowledged: Vec<(String, i64, String)> = std::thread::scope(|s| {
        let app = &app;
        let writers: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(w, id)| {
                s.spawn(move || {
                    (0..EACH)
                        .map(|k| {
                            let text = format!("Writer {w}, amendment {k}");
                            let (status, body) = app.post(
                                &format!("/declarations/{id}/amend"),
                                json!({"version": k + 1, "mitigation": text}),
                            );
                            assert_eq!(status, 201, "{body}");
                            (id.clone(), k + 2, text)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let head = app.head();
    assert_eq!(head, before + WRITERS as i64 * EACH);
    assert_dense_and_verifies(&mut app.conn(), app.org, app.org_id, head);
    for (id, version, text) in acknowledged {
        assert!(
            mitigations(&app.base, app.org, &id).contains(&(version, text.clone())),
            "{text:?} was acknowledged as version {version} of {id} but is not stored"
        );
    }
}

fn a_batch_commits_its_writes_together_and_a_refused_write_in_it_writes_nothing(b: Backend) {
    let app = TestApp::spawn(b);
    let before = app.head();
    let mut c = app.conn();
    let name_before: String = organisations::table
        .find(app.org_id)
        .select(organisations::name)
        .first(&mut *c)
        .unwrap();
    let person = |n: usize| PersonFields {
        name: format!("Batch Member {n}"),
        position: "Committee member".into(),
        decision_making: true,
    };
    let committed_midway = Batch::run(&mut c, 3, |c, batch| {
        let mut committed = 0;
        for n in 0..4 {
            people::create(c, app.org_id, "system", person(n))?;
            committed += usize::from(batch.wrote(c)?);
        }
        // A change that writes, then is refused: its savepoint is rolled back.
        let refused = coi_register::store::write(c, app.org_id, "system", |c, _| {
            diesel::update(organisations::table.find(app.org_id))
                .set(organisations::name.eq("Changed by a refused write"))
                .execute(c)?;
            Err::<coi_register::store::Change<()>, _>(StoreError::Conflict("refused".into()))
        });
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{refused:?}"
        );
        for n in 4..7 {
            people::create(c, app.org_id, "system", person(n))?;
            committed += usize::from(batch.wrote(c)?);
        }
        Ok::<_, StoreError>(committed)
    })
    .unwrap();
    assert_eq!(
        committed_midway, 2,
        "7 writes in batches of 3 commit twice before the end"
    );
    let name_after: String = organisations::table
        .find(app.org_id)
        .select(organisations::name)
        .first(&mut *c)
        .unwrap();
    assert_eq!(name_after, name_before, "the refused write wrote nothing");
    let head = app.head();
    assert_eq!(head, before + 7);
    assert_dense_and_verifies(&mut c, app.org, app.org_id, head);

    // A failing batch rolls back what it wrote since its last commit, and only that.
    let failed = Batch::run(&mut c, 3, |c, batch| {
        for n in 10..14 {
            people::create(c, app.org_id, "system", person(n))?;
            batch.wrote(c)?;
        }
        Err::<(), _>(StoreError::Conflict("stop".into()))
    });
    assert!(failed.is_err());
    let head = app.head();
    assert_eq!(head, before + 7 + 3, "the first batch of three stands");
    assert_dense_and_verifies(&mut c, app.org, app.org_id, head);
}

fn an_import_larger_than_a_batch_writes_every_row_in_one_dense_chain(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let before = app.head();
    let rows = 701;
    let mut csv =
        String::from("person,interest_type,description,body,arose_on,declared_on,mitigation\n");
    for n in 1..=rows {
        csv.push_str(&format!(
            "{person},financial,Imported interest {n},Riverside Surgery,2026-01-05,2026-01-20,Leaves the room\n"
        ));
    }
    let mut c = app.conn();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let done = coi_register::import::import(
        &mut c,
        app.org,
        coi_register::import::Kind::Interests,
        "system",
        csv.as_bytes(),
        today,
    )
    .unwrap();
    assert_eq!(done.count, rows);
    assert_eq!(done.seqs, Some((before + 1, before + rows as i64)));
    let head = app.head();
    assert_eq!(head, before + rows as i64);
    assert_dense_and_verifies(&mut c, app.org, app.org_id, head);
}

both_backends!(
    sixteen_concurrent_api_writers_leave_one_dense_chain_holding_every_acknowledged_write,
    a_batch_commits_its_writes_together_and_a_refused_write_in_it_writes_nothing,
    an_import_larger_than_a_batch_writes_every_row_in_one_dense_chain,
);

/// The real binary serving `data_dir` on a free port, and its address once it answers.
fn serve(data_dir: &std::path::Path) -> (std::process::Child, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_coi-register"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run coi-register serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the server says where it serves")
            .expect("stdout is text");
        if let Some(at) = line.find("http://") {
            break line[at..].trim_end_matches('/').to_owned();
        }
    };
    // Keep reading its output, so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

/// SIGKILL a server while 8 writers write through it: after a restart on the same data
/// directory, every write it answered 2xx is there and the chain verifies.
#[test]
fn no_acknowledged_write_is_lost_when_the_server_is_killed_mid_run() {
    const WRITERS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let config = coi_register::config::Config::with_data_dir(dir.path());
    let (token, org_id) = {
        let store = coi_register::store::Store::open(&config.database_url, 2).unwrap();
        let (org_id, token) = crate::helpers::org_with_lead(&store, "test-ccg");
        (token, org_id)
    };
    let (mut server, base) = serve(dir.path());
    let post = |path: &str, body: Value| {
        ureq::post(&format!("{base}/api/v1/orgs/test-ccg{path}"))
            .set("Authorization", &format!("Bearer {token}"))
            .send_json(body)
            .map_err(Box::new)
    };
    let person: Value = post(
        "/people",
        json!({"name": "Dr Anita Shah", "position": "GP member", "decision_making": true}),
    )
    .unwrap()
    .into_json()
    .unwrap();
    let person = person["slug"].as_str().unwrap().to_owned();
    let ids: Vec<String> = (0..WRITERS)
        .map(|w| {
            let d: Value = post(
                "/declarations",
                crate::helpers::declaration(&person, &format!("Interest {w}")),
            )
            .unwrap()
            .into_json()
            .unwrap();
            d["id"].as_str().unwrap().to_owned()
        })
        .collect();

    let answered = AtomicUsize::new(0);
    let acknowledged: Vec<(String, i64, String)> = std::thread::scope(|s| {
        let (post, answered) = (&post, &answered);
        let writers: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(w, id)| {
                s.spawn(move || {
                    let mut ok = Vec::new();
                    for k in 0.. {
                        let text = format!("Writer {w}, amendment {k}");
                        let sent = post(
                            &format!("/declarations/{id}/amend"),
                            json!({"version": k + 1, "mitigation": text}),
                        );
                        match sent.map_err(|e| *e) {
                            Ok(r) if (200..300).contains(&r.status()) => {
                                ok.push((id.clone(), k + 2, text));
                                answered.fetch_add(1, Ordering::SeqCst);
                            }
                            // Killed: the connection is refused or cut.
                            Err(ureq::Error::Transport(_)) => break,
                            Ok(r) => panic!("unexpected answer {}", r.status()),
                            Err(ureq::Error::Status(code, r)) => {
                                panic!("unexpected answer {code}: {}", r.into_string().unwrap())
                            }
                        }
                    }
                    ok
                })
            })
            .collect();
        let started = Instant::now();
        while answered.load(Ordering::SeqCst) < 60 && started.elapsed() < Duration::from_secs(120) {
            std::thread::sleep(Duration::from_millis(5));
        }
        server.kill().expect("SIGKILL the server");
        server.wait().expect("reap the server");
        writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert!(
        acknowledged.len() >= 60,
        "the writers made {} writes before the kill",
        acknowledged.len()
    );

    let (mut server, base) = serve(dir.path());
    for (id, version, text) in &acknowledged {
        assert!(
            mitigations(&base, "test-ccg", id).contains(&(*version, text.clone())),
            "{text:?} was acknowledged as version {version} of {id} but is lost"
        );
    }
    let store = coi_register::store::Store::open(&config.database_url, 2).unwrap();
    let mut c = store.conn().unwrap();
    let head = coi_register::store::orgs::by_slug(&mut c, "test-ccg")
        .unwrap()
        .chain_seq;
    assert!(head as usize >= 2 + WRITERS + acknowledged.len());
    assert_dense_and_verifies(&mut c, "test-ccg", org_id, head);
    server.kill().expect("stop the server");
    server.wait().expect("reap the server");
}
