//! Benchmarks over HTTP, against the real service started in this process on a random
//! port: concurrent API writers (`bench --writers 16 --writes-each 200`), and write to
//! live (`bench --publish-writes`), timed from before the request is sent to the moment
//! the changed page is served with the new content. Every figure is printed beside an
//! anchor measured in the same run, and every non-2xx answer and error is counted.

use super::{next_random, per_second, percentile};
use crate::config::Config;
use crate::domain::entries::Review;
use crate::domain::interests::Step;
use crate::store::declarations::Declarations;
use crate::store::entries::Register;
use crate::store::orgs::Org;
use crate::store::users::Role;
use crate::store::{Store, StoreError};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn other(e: impl std::fmt::Display) -> StoreError {
    StoreError::Migration(e.to_string())
}

/// The service, started on a random port of this machine; it runs until the process ends.
struct Service {
    base: String,
    token: String,
    org: Org,
    /// A person of the organisation whose declarations the benchmark amends.
    person: String,
}

impl Service {
    /// Start the service on `config`'s database (seeding the demo if it is empty), with
    /// a governance token for the organisation with the longest chain.
    fn start(config: &Config, store: &Store) -> Result<Service, StoreError> {
        let mut c = store.conn()?;
        if crate::demo::seed_if_empty(&mut c, crate::clock::today())? {
            println!("the database was empty: seeded the demo organisations");
        }
        let org = crate::store::orgs::all(&mut c)?
            .into_iter()
            .max_by_key(|o| o.chain_seq)
            .ok_or_else(|| StoreError::NotFound("organisation".into()))?;
        let person = crate::store::people::all(&mut c, org.id)?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound(format!("a person in {}", org.slug)))?
            .slug;
        let mut id = [0u8; 6];
        getrandom::getrandom(&mut id).map_err(other)?;
        let (token, _) = crate::cli::add_user(
            &mut c,
            &format!("bench-{}@bench.invalid", hex::encode(id)),
            Role::Governance,
            std::slice::from_ref(&org.slug),
            None,
        )
        .map_err(other)?;
        drop(c);
        let mut config = config.clone();
        config.bind = "127.0.0.1:0".into();
        let (tx, rx) = std::sync::mpsc::channel();
        let store = store.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match crate::web::Application::build(&config, store) {
                    Ok(app) => {
                        let _ = tx.send(Ok(app.port()));
                        app.run().await
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        Ok(())
                    }
                }
            })
        });
        let port = rx
            .recv()
            .map_err(other)?
            .map_err(|e| other(format!("the service did not start: {e}")))?;
        Ok(Service {
            base: format!("http://127.0.0.1:{port}"),
            token,
            org,
            person,
        })
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/v1/orgs/{}{path}", self.base, self.org.slug)
    }

    /// POST JSON as the benchmark's governance lead: the status, or the transport error.
    fn post(&self, agent: &ureq::Agent, path: &str, body: &Value) -> Result<u16, String> {
        let sent = agent
            .post(&self.api(path))
            .set("Authorization", &format!("Bearer {}", self.token))
            .send_json(body);
        match sent {
            Ok(r) => Ok(r.status()),
            Err(ureq::Error::Status(code, _)) => Ok(code),
            Err(e) => Err(e.to_string()),
        }
    }

    /// A new declaration of the benchmark's person, made through the API: its id.
    fn declare(&self, agent: &ureq::Agent, n: usize) -> Result<i64, StoreError> {
        let body = json!({
            "person": self.person, "interest_type": "financial",
            "description": format!("Benchmark interest {n}"), "body": "Riverside Surgery",
            "arose_on": "2026-01-05", "declared_on": "2026-01-20",
            "mitigation": "Leaves the room for related items",
        });
        let made: Value = agent
            .post(&self.api("/declarations"))
            .set("Authorization", &format!("Bearer {}", self.token))
            .send_json(body)
            .map_err(other)?
            .into_json()
            .map_err(other)?;
        made["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| other(format!("no id in {made}")))
    }

    /// The current version of a declaration, as the API shows it.
    fn version(&self, agent: &ureq::Agent, id: i64) -> Option<i64> {
        let shown: Value = agent
            .get(&self.api(&format!("/declarations/{id}")))
            .set("Authorization", &format!("Bearer {}", self.token))
            .call()
            .ok()?
            .into_json()
            .ok()?;
        shown["version"].as_i64()
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

/// What one writer saw: each write's latency (ms) and when it completed (s from the
/// start), and its failures.
#[derive(Default)]
struct Outcome {
    latencies: Vec<f64>,
    done_at: Vec<f64>,
    non_2xx: u64,
    errors: u64,
}

/// `writers` concurrent API writers, each amending its own declaration `writes_each`
/// times; then, as the anchor, the same number of bare `store::write` calls from as
/// many threads (no HTTP, no publishing).
pub fn writers(config: &Config, writers: usize, writes_each: u64) -> Result<(), StoreError> {
    let writers = writers.max(1);
    let store = Store::open(&config.database_url, (writers as u32 + 4).max(8))?;
    let service = Service::start(config, &store)?;
    let ids = (0..writers)
        .map(|n| service.declare(&agent(), n))
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let service = &service;
        let handles: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(w, &id)| {
                s.spawn(move || {
                    let agent = agent();
                    let mut out = Outcome::default();
                    let mut version = 1;
                    for k in 0..writes_each {
                        let body = json!({"version": version,
                            "mitigation": format!("Leaves the room (writer {w}, review {k})")});
                        let sent = Instant::now();
                        match service.post(&agent, &format!("/declarations/{id}/amend"), &body) {
                            Ok(status) if (200..300).contains(&status) => {
                                out.latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                                out.done_at.push(started.elapsed().as_secs_f64());
                                version += 1;
                                continue;
                            }
                            Ok(_) => out.non_2xx += 1,
                            Err(_) => out.errors += 1,
                        }
                        // After a failure, carry on from the version the service has.
                        if let Some(v) = service.version(&agent, id) {
                            version = v;
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let secs = started.elapsed().as_secs_f64();
    let mut latencies: Vec<f64> = outcomes.iter().flat_map(|o| o.latencies.clone()).collect();
    let mut done_at: Vec<f64> = outcomes.iter().flat_map(|o| o.done_at.clone()).collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    done_at.sort_by(|a, b| a.total_cmp(b));
    let ok = latencies.len() as u64;
    let non_2xx: u64 = outcomes.iter().map(|o| o.non_2xx).sum();
    let errors: u64 = outcomes.iter().map(|o| o.errors).sum();
    println!(
        "{writers} API writers x {writes_each} amendments ({}): {ok} written in {secs:.1}s = {:.1} writes/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; non-2xx {non_2xx}, errors {errors}",
        service.org.slug,
        ok as f64 / secs,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    let fifths: Vec<String> = (0..5)
        .map(|i| {
            let (from, to) = (done_at.len() * i / 5, done_at.len() * (i + 1) / 5);
            let t0 = if from == 0 { 0.0 } else { done_at[from - 1] };
            let t1 = done_at.get(to.wrapping_sub(1)).copied().unwrap_or(t0);
            format!("{:.1}", (to - from) as f64 / (t1 - t0).max(1e-9))
        })
        .collect();
    println!(
        "  writes/s per fifth of the run (the chain growing): {}",
        fifths.join(", ")
    );

    // The anchor: as many bare writes through store::write, from as many threads.
    let total = writers as u64 * writes_each;
    let failed = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for (w, &id) in ids.iter().enumerate() {
            let (store, org_id, failed) = (&store, service.org.id, &failed);
            s.spawn(move || {
                let Ok(mut c) = store.conn() else {
                    failed.fetch_add(writes_each, Ordering::Relaxed);
                    return;
                };
                for k in 0..writes_each {
                    let written = Declarations::get(&mut c, org_id, id).and_then(|now| {
                        let mut fields = now.entry.fields.clone();
                        fields.mitigation = format!("Leaves the room (anchor {w}, review {k})");
                        Declarations::change(
                            &mut c,
                            org_id,
                            "bench",
                            id,
                            now.entry.version,
                            Review::Accepted,
                            |_, _| Ok(Step::Amend(fields)),
                        )
                    });
                    if written.is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let failed = failed.into_inner();
    println!(
        "  anchor: {total} bare store::write calls from {writers} threads (no HTTP, no publishing): {:.1} writes/s, {failed} failed; the API reaches {:.2}x of it",
        per_second(total - failed, started),
        (ok as f64 / secs) / per_second(total - failed, started).max(1e-9)
    );
    Ok(())
}

/// `samples` amendments of declarations through the API, each timed from before the
/// request is sent to the moment the person's page, fetched over HTTP, shows the new
/// text (polled until it does).
pub fn write_to_live(config: &Config, store: &Store, samples: u64) -> Result<(), StoreError> {
    let service = Service::start(config, store)?;
    let mut c = store.conn()?;
    let org_id = service.org.id;
    // Published declarations of people whose pages are published, with no version
    // awaiting review (so the amendment is what the page will show).
    let pages: std::collections::HashMap<i64, String> = crate::store::people::all(&mut c, org_id)?
        .into_iter()
        .filter(|p| p.fields.decision_making)
        .map(|p| (p.id, p.slug))
        .collect();
    let latest: std::collections::HashMap<i64, i64> = Declarations::current(&mut c, org_id)?
        .into_iter()
        .map(|d| (d.entry.id, d.entry.version))
        .collect();
    let current: Vec<(i64, i64, String)> = Declarations::published(&mut c, org_id)?
        .into_iter()
        .filter(|d| latest.get(&d.entry.id) == Some(&d.entry.version))
        .filter_map(|d| {
            let page = pages.get(&d.entry.person_id)?.clone();
            Some((d.entry.id, d.entry.version, page))
        })
        .collect();
    drop(c);
    if current.is_empty() {
        println!("{} has no declarations to amend", service.org.slug);
        return Ok(());
    }
    let agent = agent();
    let mut state = 0x5851_f42d_4c95_7f2du64;
    let (mut times, mut non_2xx, mut errors, mut stale) = (Vec::new(), 0u64, 0u64, 0u64);
    let mut versions = std::collections::HashMap::new();
    for k in 0..samples {
        let (id, first_version, person) =
            &current[(next_random(&mut state) % current.len() as u64) as usize];
        let id = *id;
        let version = *versions.entry(id).or_insert(*first_version);
        let text = format!("Benchmark review {k} of this interest");
        let page = format!("{}/{}/interests/{person}/", service.base, service.org.slug);
        let sent = Instant::now();
        match service.post(
            &agent,
            &format!("/declarations/{id}/amend"),
            &json!({"version": version, "description": text}),
        ) {
            Ok(status) if (200..300).contains(&status) => {
                versions.insert(id, version + 1);
            }
            answer => {
                match answer {
                    Ok(_) => non_2xx += 1,
                    Err(_) => errors += 1,
                }
                if let Some(v) = service.version(&agent, id) {
                    versions.insert(id, v);
                }
                continue;
            }
        }
        let live = loop {
            match agent.get(&page).call() {
                Ok(r) => {
                    if r.into_string().is_ok_and(|body| body.contains(&text)) {
                        break true;
                    }
                }
                Err(ureq::Error::Status(..)) => non_2xx += 1,
                Err(_) => errors += 1,
            }
            if sent.elapsed() > Duration::from_secs(60) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        if live {
            times.push(sent.elapsed().as_secs_f64() * 1000.0);
        } else {
            stale += 1;
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "write to live over HTTP ({} samples in {}, request sent to the person's page served with the new text): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; non-2xx {non_2xx}, errors {errors}, not live within 60 s {stale}",
        times.len(),
        service.org.slug,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or_default(),
    );
    Ok(())
}
