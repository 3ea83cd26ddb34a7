//! Forecast costs: predict_linear over 1M points (the front doors' array path), Holt-Winters
//! fitting on 10k hourly points with a daily season (heuristic and estimated initial state).

use criterion::{Criterion, criterion_group, criterion_main};
use opsbook::forecast::holt_winters::{HoltWinters, Initialization};
use opsbook::forecast::linear::ArraySeries;
use std::hint::black_box;

/// y = 100 + 0.05 t + 10 sin(2πt/24) + deterministic noise.
fn hourly(n: usize) -> Vec<f64> {
    (0..n)
        .map(|t| {
            let tf = t as f64;
            let noise = ((t.wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0 - 0.5) * 4.0;
            100.0 + 0.05 * tf + 10.0 * (2.0 * std::f64::consts::PI * tf / 24.0).sin() + noise
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let n = 1_000_000;
    let times: Vec<f64> = (0..n).map(|i| 1.7e9 + i as f64 * 15.0).collect();
    let values = hourly(n);
    let at = times[n - 1];
    c.bench_function("predict_linear 1M points", |b| {
        b.iter(|| {
            let s = ArraySeries::new(black_box(&times), black_box(&values)).unwrap();
            s.predict_linear(at, 86_400.0, None).unwrap()
        })
    });
    let y = hourly(10_000);
    let model = HoltWinters::new(Some(24), false).unwrap();
    let mut group = c.benchmark_group("holt-winters fit 10k, m=24");
    group.sample_size(10);
    group.bench_function("heuristic", |b| b.iter(|| model.fit(black_box(&y), &Initialization::Heuristic).unwrap()));
    group.bench_function("estimated", |b| b.iter(|| model.fit(black_box(&y), &Initialization::Estimated).unwrap()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
