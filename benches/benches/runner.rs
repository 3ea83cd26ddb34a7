//! Runner overhead: 100 no-op checks in one run, and 20 checks that each sleep 100 ms
//! (concurrency: about 100 ms, not 2 s).

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use opsbook::check::Measurement;
use opsbook::runner::{CheckDefinition, Probe, ProbeFuture, Reading, Runner};

struct Noop;

impl Probe for Noop {
    fn kind(&self) -> &'static str {
        "noop"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async { Ok(Reading::new(vec![Measurement::new("value", 1.0)?])) })
    }
}

struct Sleep(Duration);

impl Probe for Sleep {
    fn kind(&self) -> &'static str {
        "sleep"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            tokio::time::sleep(self.0).await;
            Ok(Reading::new(vec![]))
        })
    }
}

fn runner(n: usize, probe: Arc<dyn Probe>) -> Runner {
    let mut runner = Runner::new();
    for i in 0..n {
        runner.add(CheckDefinition::new(format!("check{i}"), Arc::clone(&probe)).unwrap()).unwrap();
    }
    runner
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let noops = runner(100, Arc::new(Noop));
    c.bench_function("runner/100_noop_checks", |b| b.to_async(&rt).iter(|| noops.run(None)));
    let sleepers = runner(20, Arc::new(Sleep(Duration::from_millis(100))));
    let mut group = c.benchmark_group("runner");
    group.sample_size(10);
    group.bench_function("20_checks_sleeping_100ms", |b| b.to_async(&rt).iter(|| sleepers.run(None)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
