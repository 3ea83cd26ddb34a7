//! The Runner: concurrency, timeouts, caching, failure tolerance, tags.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use opsbook::check::Measurement;
use opsbook::runner::{CheckDefinition, Probe, ProbeFuture, Reading, Runner};
use opsbook::{Error, Status, Threshold};

/// Sleeps, counts its runs, then reads `value` (or fails when `fail` is set).
struct FakeProbe {
    sleep: Duration,
    runs: Arc<AtomicU32>,
    value: f64,
    fail: bool,
}

impl FakeProbe {
    fn pair(sleep: Duration, value: f64) -> (Arc<AtomicU32>, Arc<dyn Probe>) {
        let runs = Arc::new(AtomicU32::new(0));
        (Arc::clone(&runs), Arc::new(FakeProbe { sleep, runs, value, fail: false }))
    }
}

impl Probe for FakeProbe {
    fn kind(&self) -> &'static str {
        "fake"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            self.runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.sleep).await;
            if self.fail {
                return Err(Error::Probe { probe: "fake".into(), reason: "down".into() });
            }
            Ok(Reading::new(vec![Measurement::new("value", self.value)?]))
        })
    }
}

fn def(name: &str, probe: Arc<dyn Probe>) -> CheckDefinition {
    CheckDefinition::new(name, probe).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_run_concurrently() {
    let mut runner = Runner::new();
    for i in 0..20 {
        let (_, p) = FakeProbe::pair(Duration::from_millis(100), 1.0);
        runner.add(def(&format!("c{i}"), p)).unwrap();
    }
    let start = Instant::now();
    let report = runner.run(None).await;
    // 20 × 100 ms run one after another would take 2 s.
    assert!(start.elapsed() < Duration::from_millis(1500), "{:?}", start.elapsed());
    assert_eq!(report.checks.len(), 20);
    assert_eq!(report.checks[7].name, "c7", "results keep definition order");
    assert!(report.checks.iter().all(|c| c.status == Status::Ok && c.duration.is_some() && c.time.is_some()));
}

#[tokio::test]
async fn a_hung_probe_is_critical_after_its_timeout() {
    let mut runner = Runner::new();
    let (_, hung) = FakeProbe::pair(Duration::from_secs(3600), 1.0);
    let (_, fine) = FakeProbe::pair(Duration::ZERO, 1.0);
    runner.add(def("hung", hung).with_timeout(Duration::from_millis(300))).unwrap();
    runner.add(def("fine", fine)).unwrap();
    let start = Instant::now();
    let report = runner.run(None).await;
    assert!(start.elapsed() < Duration::from_millis(300) + Duration::from_secs(3));
    assert_eq!(report.checks[0].status, Status::Critical);
    assert_eq!(report.checks[0].summary, "timed out after 300ms");
    assert_eq!(report.checks[0].error.as_deref(), Some("timed out after 300ms"));
    assert_eq!(report.checks[1].status, Status::Ok);
    assert_eq!(report.status(), Status::Critical);
}

#[tokio::test]
async fn thresholds_apply_to_measurements_by_name() {
    let mut runner = Runner::new();
    let (_, p) = FakeProbe::pair(Duration::ZERO, 85.0);
    let t = Threshold::parse(Some("~:80"), Some("~:90")).unwrap();
    runner.add(def("cpu", p).with_threshold("value", t)).unwrap();
    let report = runner.run(None).await;
    assert_eq!(report.checks[0].status, Status::Warning);
    assert_eq!(report.checks[0].measurements[0].warn.unwrap().to_string(), "~:80");
}

#[tokio::test]
async fn results_are_cached_for_their_ttl() {
    let mut runner = Runner::new();
    let (runs, p) = FakeProbe::pair(Duration::ZERO, 1.0);
    let mut d = def("cached", p);
    d.cache_ttl = Some(Duration::from_millis(400));
    runner.add(d).unwrap();
    runner.run(None).await;
    runner.run(None).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the second run used the cache");
    tokio::time::sleep(Duration::from_millis(450)).await;
    runner.run(None).await;
    assert_eq!(runs.load(Ordering::SeqCst), 2, "an expired result is probed again");
}

#[tokio::test]
async fn critical_only_after_consecutive_failures() {
    let mut runner = Runner::new();
    let runs = Arc::new(AtomicU32::new(0));
    let probe = Arc::new(FakeProbe { sleep: Duration::ZERO, runs, value: 0.0, fail: true });
    let mut d = def("api", probe);
    d.failures_before_critical = 3;
    runner.add(d).unwrap();
    let statuses: Vec<(Status, String)> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            let c = runner.run(None).await.checks.remove(0);
            v.push((c.status, c.summary));
        }
        v
    };
    assert_eq!(statuses[0], (Status::Warning, "failure 1 of 3 tolerated: probe fake failed: down".to_owned()));
    assert_eq!(statuses[1].0, Status::Warning);
    assert_eq!(statuses[2], (Status::Critical, "probe fake failed: down".to_owned()));
    assert_eq!(statuses[3].0, Status::Critical);
}

#[tokio::test]
async fn tags_select_groups_and_names_are_unique() {
    let mut runner = Runner::new();
    let (_, a) = FakeProbe::pair(Duration::ZERO, 1.0);
    let (_, b) = FakeProbe::pair(Duration::ZERO, 1.0);
    let (_, c) = FakeProbe::pair(Duration::ZERO, 1.0);
    runner.add(def("process", a).with_tag("liveness")).unwrap();
    runner.add(def("database", b).with_tag("readiness")).unwrap();
    let err = runner.add(def("database", c)).unwrap_err();
    assert!(err.to_string().contains("\"database\""), "{err}");
    let live = runner.run(Some("liveness")).await;
    assert_eq!(live.checks.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["process"]);
    assert_eq!(runner.run(None).await.checks.len(), 2);
}

#[test]
fn run_blocking_uses_the_shared_runtime() {
    let mut runner = Runner::new();
    let (_, p) = FakeProbe::pair(Duration::from_millis(10), 1.0);
    runner.add(def("x", p)).unwrap();
    assert_eq!(runner.run_blocking(None).status(), Status::Ok);
    assert_eq!(runner.run_blocking(None).status(), Status::Ok);
}
