//! Threshold evaluation: parsing Nagios ranges and evaluating values against warn/crit.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opsbook::{Range, Threshold};

fn values(n: usize) -> Vec<f64> {
    // A spread that lands in every band of the thresholds below.
    (0..n).map(|i| (i % 1000) as f64 * 0.1).collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("threshold");
    group.bench_function("parse_range", |b| b.iter(|| Range::parse("warn", black_box("@10.5:20")).unwrap()));
    let t = Threshold::parse(Some("70"), Some("90")).unwrap();
    let vs = values(100_000);
    group.throughput(Throughput::Elements(vs.len() as u64));
    group.bench_function("evaluate_100k", |b| {
        b.iter(|| {
            let mut worst = 0u8;
            for &v in black_box(&vs) {
                worst = worst.max(t.evaluate(v).severity());
            }
            worst
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
