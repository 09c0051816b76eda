//! Consolidated report benchmark (prints figures; asserts only that the data is there).
//!
//! `largest` (default): the intercommunality with the most communes in the referential (CA du
//! Pays Basque, 158), each commune given 100 activities, 50 contracts, 5 backup policies (7 daily
//! reports each) and 4 rights requests; the snapshot computed 5 times (the worker's
//! computation, no write) and stored once.
//! `france`: every intercommunality of the referential as an organisation, every commune as a
//! tenant with the same volumes, then one snapshot per organisation, as the hourly schedule
//! would; total time, per-organisation p50/p99/max.
//!
//! Run with the test services up (`source tests/services.sh; start_services`):
//!   cargo run --release -p integration-tests --example report_bench -- [largest|france]
use integration_tests::dataset::{self, Volumes};
use integration_tests::*;
use std::time::{Duration, Instant};
use tenants::calendar::Period;
use tenants::identifiers::Siren;
use tenants::referential;
use tenants::reporting::snapshot;
use uuid::Uuid;

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted
        .get(((sorted.len().max(1) - 1) as f64 * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "largest".into());
    let dataset::Bench {
        app,
        fx: _,
        seeds,
        referential: r,
        provisioning: scope,
    } = dataset::bench_start().await;
    let now = chrono::Utc::now();
    let period: Period = tenants::calendar::current_period(now);
    let v = Volumes::ISSUE_7;

    let orgs: Vec<Uuid> = if mode == "france" {
        let t = Instant::now();
        let reports = referential::provision_all(&app.db, &scope, &r, &indicatif_hidden())
            .await
            .expect("provision");
        println!(
            "provisioned {} organisations and {} communes in {:.1} s",
            reports.len(),
            reports.iter().map(|p| p.tenants_created).sum::<usize>(),
            t.elapsed().as_secs_f64()
        );
        reports.iter().map(|p| p.organisation_id).collect()
    } else {
        let (siren, name, n) = dataset::largest_epci(&r);
        println!("largest intercommunality: {name} ({siren}), {n} communes");
        let p = referential::provision(&app.db, &scope, &Siren::parse(&siren).expect("siren"))
            .await
            .expect("provision");
        vec![p.organisation_id]
    };

    // Fill in chunks of organisations, so no statement grows beyond a few million rows.
    let t = Instant::now();
    let mut total = dataset::Filled::default();
    for (i, chunk) in orgs.chunks(100).enumerate() {
        let f = dataset::fill(&app.admin, &seeds, chunk, v).await;
        total.activities += f.activities;
        total.contracts += f.contracts;
        total.policies += f.policies;
        total.jobs += f.jobs;
        total.requests += f.requests;
        if orgs.len() > 100 {
            println!(
                "  filled {} / {} organisations ({:.0} s)",
                ((i + 1) * 100).min(orgs.len()),
                orgs.len(),
                t.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "data: {} activities, {} contracts, {} backup policies, {} backup reports, {} rights requests ({:.1} s to generate)",
        total.activities, total.contracts, total.policies, total.jobs, total.requests,
        t.elapsed().as_secs_f64()
    );
    assert!(total.activities > 0 && total.contracts > 0 && total.policies > 0);

    if mode == "france" {
        let t = Instant::now();
        let mut times = Vec::with_capacity(orgs.len());
        let mut largest = (Duration::ZERO, 0usize);
        for org in &orgs {
            let s = Instant::now();
            let f = snapshot::refresh(&app.db, *org, period, now)
                .await
                .expect("snapshot");
            let e = s.elapsed();
            let communes = serde_json::from_value::<snapshot::Figures>(f.figures)
                .map(|f| f.communes.len())
                .unwrap_or(0);
            if e > largest.0 {
                largest = (e, communes);
            }
            times.push(e);
        }
        let all = t.elapsed();
        times.sort();
        println!(
            "all France: {} snapshots (computed and stored, one after another) in {:.1} s; per organisation p50 {}, p99 {}, max {} ({} communes)",
            orgs.len(),
            all.as_secs_f64(),
            ms(pct(&times, 0.5)),
            ms(pct(&times, 0.99)),
            ms(largest.0),
            largest.1
        );
    } else {
        let org = orgs[0];
        let mut times = vec![];
        let mut figures = None;
        for _ in 0..5 {
            let s = Instant::now();
            figures = Some(
                snapshot::compute(&app.db, org, period, now)
                    .await
                    .expect("compute"),
            );
            times.push(s.elapsed());
        }
        times.sort();
        let f = figures.expect("figures");
        assert_eq!(f.total.activities, total.activities as i64);
        let s = Instant::now();
        snapshot::refresh(&app.db, org, period, now)
            .await
            .expect("refresh");
        println!(
            "snapshot of {} communes ({} activities, {} contracts to renew within 90 days, {} backup policies): compute p50 {}, min {}, max {}; compute + store {}",
            f.communes.len(),
            f.total.activities,
            f.total.contracts_to_renew,
            f.total.backup_policies,
            ms(pct(&times, 0.5)),
            ms(times[0]),
            ms(times[times.len() - 1]),
            ms(s.elapsed())
        );
        println!("backup states: {:?}", f.total.backup_states);
    }
}
