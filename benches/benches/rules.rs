//! Rule evaluation throughput: threshold rules over 1,000,000 samples of one series, through
//! the batch path (`evaluate_series`) and one evaluation at a time (`evaluate`).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opsbook::Range;
use opsbook::rules::{Condition, Labels, Rule, RuleEngine, Sample, Selector};

fn rules() -> Vec<Rule> {
    let mut warn = Rule::new(
        "HighCPU",
        Condition::Threshold {
            selector: Selector::new("cpu_usage_percent"),
            range: Range::parse("r", "~:80").unwrap(),
        },
    );
    warn.for_ms = 5 * 60_000;
    warn.severity = Some("warning".into());
    let mut crit = Rule::new(
        "CriticalCPU",
        Condition::Threshold {
            selector: Selector::new("cpu_usage_percent"),
            range: Range::parse("r", "~:95").unwrap(),
        },
    );
    crit.for_ms = 2 * 60_000;
    crit.severity = Some("critical".into());
    vec![warn, crit]
}

fn bench(c: &mut Criterion) {
    let n = 1_000_000usize;
    // Mostly healthy with bursts above both thresholds.
    let values: Vec<f64> = (0..n).map(|i| if (i / 50) % 20 == 0 { 97.0 } else { 40.0 + (i % 30) as f64 }).collect();
    let times: Vec<i64> = (0..n as i64).map(|i| i * 15_000).collect();
    let labels: Labels = [("instance".to_owned(), "web-1".to_owned())].into_iter().collect();
    let mut group = c.benchmark_group("rules");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function("evaluate_series 1M samples, 2 threshold rules", |b| {
        b.iter(|| {
            let mut engine = RuleEngine::new(rules());
            engine.evaluate_series("cpu_usage_percent", &labels, black_box(&times), black_box(&values)).unwrap().len()
        })
    });
    group.bench_function("evaluate 1M times, 2 threshold rules", |b| {
        b.iter(|| {
            let mut engine = RuleEngine::new(rules());
            let mut count = 0;
            for (t, v) in times.iter().zip(&values) {
                let s = Sample { metric: "cpu_usage_percent".into(), labels: labels.clone(), value: *v };
                count += engine.evaluate(*t, std::slice::from_ref(&s)).unwrap().len();
            }
            count
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
