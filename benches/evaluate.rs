//! Evaluation and snapshot loading at the target scale (see benches/support/estate.rs).
//!
//! `cargo bench --bench evaluate`; the figures are reported in the issue notes, not asserted.

#[path = "support/estate.rs"]
mod estate;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ringfence::config::Config;
use ringfence::inventory::Snapshot;

fn benches(c: &mut Criterion) {
    let snapshot = estate::generate(&estate::TARGET);
    let json = snapshot.to_json();
    let config = Config::default();
    let mut group = c.benchmark_group("target-estate");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("evaluate (classify + checks + score + report)", |b| {
        b.iter(|| {
            ringfence::evaluate(
                &snapshot,
                &config,
                ringfence::Source::Demo,
                None,
                snapshot.collected_at,
            )
        })
    });
    group.bench_function("snapshot load (parse + validate)", |b| {
        b.iter(|| Snapshot::from_json(json.as_bytes(), "bench").unwrap())
    });
    group.finish();
}

criterion_group!(evaluate, benches);
criterion_main!(evaluate);
