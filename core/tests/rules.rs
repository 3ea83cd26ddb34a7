//! Alert rules against Prometheus' own tests (rules/alerting_test.go: TestKeepFiringFor,
//! TestPendingAndKeepFiringFor) and hand-traced sequences.

use opsbook::Range;
use opsbook::rules::{AlertState, Condition, EventKind, Labels, Rule, RuleEngine, Sample, Selector};

const MIN: i64 = 60_000;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn http(value: f64) -> Vec<Sample> {
    vec![Sample { metric: "http_requests".into(), labels: labels(&[("job", "app-server"), ("instance", "0")]), value }]
}

/// `http_requests > 50` for 1m, keep_firing_for as given.
fn rule(keep_firing_for_ms: i64) -> Rule {
    let mut r = Rule::new(
        "HTTPRequestRateHigh",
        Condition::Threshold { selector: Selector::new("http_requests"), range: Range::parse("r", "~:50").unwrap() },
    );
    r.for_ms = MIN;
    r.keep_firing_for_ms = keep_firing_for_ms;
    r
}

/// The state of the one alert after each evaluation (None: no alert reported, as ALERTS is empty).
fn states(engine: &mut RuleEngine, series: &[f64]) -> Vec<Option<AlertState>> {
    series
        .iter()
        .enumerate()
        .map(|(i, v)| {
            engine.evaluate(i as i64 * MIN, &http(*v)).unwrap();
            let alerts = engine.rules()[0].alerts();
            alerts.iter().find(|a| a.state != AlertState::Inactive).map(|a| a.state)
        })
        .collect()
}

#[test]
fn prometheus_keep_firing_for() {
    // load 1m: http_requests{job="app-server", instance="0"} 75 85 70 70 10x5
    let mut engine = RuleEngine::new(vec![rule(MIN)]);
    let got = states(&mut engine, &[75.0, 85.0, 70.0, 70.0, 10.0, 10.0]);
    use AlertState::*;
    // pending, firing ×3, then kept firing one evaluation after the condition cleared, then gone.
    assert_eq!(got, [Some(Pending), Some(Firing), Some(Firing), Some(Firing), Some(Firing), None]);
    let alert_labels = engine.rules()[0].alerts()[0].labels.clone();
    assert_eq!(alert_labels, labels(&[("alertname", "HTTPRequestRateHigh"), ("instance", "0"), ("job", "app-server")]));
}

#[test]
fn prometheus_pending_and_keep_firing_for() {
    // 75 10x10: pending at 0, then nothing — keep_firing_for holds firing alerts only.
    let mut engine = RuleEngine::new(vec![rule(MIN)]);
    assert_eq!(states(&mut engine, &[75.0, 10.0]), [Some(AlertState::Pending), None]);
}

#[test]
fn events_of_a_full_cycle() {
    let mut engine = RuleEngine::new(vec![rule(0)]);
    let mut kinds = Vec::new();
    for (i, v) in [75.0, 10.0, 80.0, 80.0, 80.0, 10.0].iter().enumerate() {
        for e in engine.evaluate(i as i64 * MIN, &http(*v)).unwrap() {
            kinds.push((i, e.kind, e.notify));
        }
    }
    use EventKind::*;
    assert_eq!(
        kinds,
        [
            (0, Pending, false),
            (1, PendingCleared, false), // dropped without notice
            (2, Pending, false),
            (3, Firing, true),
            (5, Resolved, true),
        ]
    );
    // A missing sample is an absent series: the condition is false.
    let mut engine = RuleEngine::new(vec![rule(0)]);
    engine.evaluate(0, &http(90.0)).unwrap();
    let e = engine.evaluate(MIN, &http(90.0)).unwrap();
    assert_eq!(e[0].kind, EventKind::Firing);
    let e = engine.evaluate(2 * MIN, &[]).unwrap();
    assert_eq!(e[0].kind, EventKind::Resolved);
    assert!(engine.evaluate(MIN, &[]).unwrap_err().to_string().contains("back in time"));
}

#[test]
fn for_zero_fires_at_once_and_duplicates_are_errors() {
    let mut r = rule(0);
    r.for_ms = 0;
    let mut engine = RuleEngine::new(vec![r.clone()]);
    let kinds: Vec<EventKind> = engine.evaluate(0, &http(90.0)).unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Pending, EventKind::Firing]);
    // Two series that differ only in a label the rule overwrites collide.
    r.labels = labels(&[("instance", "all")]);
    let mut engine = RuleEngine::new(vec![r]);
    let two = vec![
        Sample { metric: "http_requests".into(), labels: labels(&[("instance", "0")]), value: 90.0 },
        Sample { metric: "http_requests".into(), labels: labels(&[("instance", "1")]), value: 90.0 },
    ];
    let err = engine.evaluate(0, &two).unwrap_err().to_string();
    assert!(err.contains("same labelset"), "{err}");
}

#[test]
fn ratio_and_predictive_conditions() {
    // 5xx ratio > 5 %: 6/100 alerts, 4/100 does not, 1/0 is +Inf (alerts), 0/0 NaN (does not).
    let ratio = Rule::new(
        "HighErrorRatio",
        Condition::Ratio {
            numerator: Selector::new("errors"),
            denominator: Selector::new("total"),
            range: Range::parse("r", "above 0.05").unwrap(),
        },
    );
    let mut engine = RuleEngine::new(vec![ratio]);
    let pair = |svc: &str, e: f64, t: f64| {
        vec![
            Sample { metric: "errors".into(), labels: labels(&[("svc", svc)]), value: e },
            Sample { metric: "total".into(), labels: labels(&[("svc", svc)]), value: t },
        ]
    };
    let mut now = pair("a", 6.0, 100.0);
    now.extend(pair("b", 4.0, 100.0));
    now.extend(pair("c", 1.0, 0.0));
    now.extend(pair("d", 0.0, 0.0));
    let events = engine.evaluate(0, &now).unwrap();
    let firing: Vec<String> =
        events.iter().filter(|e| e.kind == EventKind::Firing).map(|e| e.labels["svc"].clone()).collect();
    assert_eq!(firing, ["a", "c"]);
    assert_eq!(events.iter().find(|e| e.labels["svc"] == "a").unwrap().value, 0.06);

    // Disk filling up: available falls 6 GB an hour from 130 GB; predict 24 h ahead over 6 h.
    use opsbook::forecast::RangeMode;
    use opsbook::forecast::crossing::Breach;
    use opsbook::forecast::predictive::PredictiveCondition;
    let mut r = Rule::new(
        "DiskFillingUp",
        Condition::Predictive {
            selector: Selector::new("avail"),
            predictive: PredictiveCondition {
                window_ms: 6 * 60 * MIN,
                mode: RangeMode::LeftOpen,
                predict_s: 86_400.0,
                breach: Breach::Below,
                limit: 0.0,
            },
        },
    );
    r.for_ms = 60 * MIN;
    let mut engine = RuleEngine::new(vec![r]);
    let mut fired_at = None;
    for h in 0..=8 {
        let s = vec![Sample { metric: "avail".into(), labels: Labels::new(), value: 130e9 - 6e9 * h as f64 }];
        for e in engine.evaluate(h * 60 * MIN, &s).unwrap() {
            if e.kind == EventKind::Firing {
                fired_at = Some(h);
            }
        }
    }
    // At h = 0 one sample: no prediction. At h = 1 the trend predicts 124 − 144 = −20 GB < 0
    // (pending), firing after for: 1h at h = 2.
    assert_eq!(fired_at, Some(2));
}

#[test]
fn flapping_suppresses_notifications() {
    let mut r = rule(0);
    r.for_ms = 0;
    r.flapping = Some((5.0, 20.0));
    let mut engine = RuleEngine::new(vec![r]);
    let mut log = Vec::new();
    for i in 0..12 {
        let v = if i % 2 == 0 { 90.0 } else { 10.0 };
        for e in engine.evaluate(i * MIN, &http(v)).unwrap() {
            log.push((i, e.kind, e.notify));
        }
    }
    let started: Vec<i64> = log.iter().filter(|(_, k, _)| *k == EventKind::FlapStarted).map(|(i, _, _)| *i).collect();
    assert_eq!(started.len(), 1, "{log:?}");
    // Before flapping, firing and resolved notify; from the start on, nothing notifies.
    let start = started[0];
    assert!(log.iter().filter(|(i, k, _)| *i < start && *k == EventKind::Firing).all(|(_, _, n)| *n));
    assert!(
        log.iter()
            .filter(|(i, k, _)| *i >= start && matches!(k, EventKind::Firing | EventKind::Resolved))
            .all(|(_, _, n)| !*n)
    );
    // Changes at 1.25, then 1.25 + 1.2237 = 2.4737, 3.6711 ... weighted 5 % each per unit;
    // the first at or above 20 % is after the fourth change (i = 3): 6.25+6.12+5.99+5.86 = 24.2 %.
    assert_eq!(start, 3, "{log:?}");
}

#[test]
fn a_batch_replays_exactly_as_single_evaluations() {
    // A pseudo-random walk through every state, with keep_firing_for and flapping on.
    let mut r = rule(2 * MIN);
    r.flapping = Some((5.0, 20.0));
    let mut other = Rule::new(
        "Low",
        Condition::Threshold { selector: Selector::new("http_requests"), range: Range::parse("r", "20:").unwrap() },
    );
    other.severity = Some("info".into());
    let mut x: u64 = 7;
    let values: Vec<f64> = (0..500)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) as f64 / (1u64 << 31) as f64 * 100.0
        })
        .collect();
    let times: Vec<i64> = (0..500).map(|i| i * MIN).collect();
    let series = labels(&[("job", "app-server"), ("instance", "0")]);
    let mut one_by_one = RuleEngine::new(vec![r.clone(), other.clone()]);
    let mut expected = Vec::new();
    for (t, v) in times.iter().zip(&values) {
        expected.extend(one_by_one.evaluate(*t, &http(*v)).unwrap());
    }
    let mut batch = RuleEngine::new(vec![r, other]);
    let got = batch.evaluate_series("http_requests", &series, &times, &values).unwrap();
    assert!(expected.len() > 50, "the walk should produce many transitions");
    assert_eq!(got, expected);
    assert!(
        batch.evaluate_series("http_requests", &series, &[0], &[1.0]).unwrap_err().to_string().contains("back in time")
    );
}

#[test]
fn a_restarted_engine_continues_from_its_snapshot() {
    use opsbook::forecast::RangeMode;
    use opsbook::forecast::crossing::Breach;
    use opsbook::forecast::predictive::PredictiveCondition;
    use opsbook::state::{FileStore, StateStore};
    // keep_firing_for, flapping and a predictive rule: all of their state must survive.
    let mut flappy = rule(2 * MIN);
    flappy.flapping = Some((5.0, 20.0));
    let predictive = Rule::new(
        "Falling",
        Condition::Predictive {
            selector: Selector::new("http_requests"),
            predictive: PredictiveCondition {
                window_ms: 10 * MIN,
                mode: RangeMode::LeftOpen,
                predict_s: 600.0,
                breach: Breach::Below,
                limit: 0.0,
            },
        },
    );
    let rules = vec![flappy, predictive];
    let values: Vec<f64> = (0..80).map(|i| if (i / 3) % 2 == 0 { 95.0 - i as f64 } else { 20.0 - i as f64 }).collect();
    let mut whole = RuleEngine::new(rules.clone());
    let mut expected = Vec::new();
    for (i, v) in values.iter().enumerate() {
        expected.extend(whole.evaluate(i as i64 * MIN, &http(*v)).unwrap());
    }
    // The same run, stopped and restarted from a file store every 7 evaluations.
    let path = std::env::temp_dir().join(format!("opsbook-engine-{}.json", std::process::id()));
    let store = FileStore::new(&path);
    let mut got = Vec::new();
    let mut engine = RuleEngine::new(rules.clone());
    for (i, v) in values.iter().enumerate() {
        if i % 7 == 0 {
            engine.save(&store, "engine").unwrap();
            engine = RuleEngine::new(rules.clone());
            assert!(engine.load(&store, "engine").unwrap());
        }
        got.extend(engine.evaluate(i as i64 * MIN, &http(*v)).unwrap());
    }
    assert!(expected.iter().any(|e| e.kind == EventKind::FlapStarted), "the run should flap");
    assert!(expected.iter().any(|e| e.rule == "Falling"), "the predictive rule should fire");
    // Compared as text: a flap-stop event's value is NaN, which is never equal to itself.
    assert_eq!(format!("{got:?}"), format!("{expected:?}"));
    assert!(engine.restore("{\"version\": 2}").unwrap_err().to_string().contains("snapshot"));
    let fresh = RuleEngine::new(rules);
    assert!(!{
        let mut f = fresh;
        f.load(&store, "absent").unwrap()
    });
    store.delete("engine").unwrap();
    let _ = std::fs::remove_file(&path);
}
