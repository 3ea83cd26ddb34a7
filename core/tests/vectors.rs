//! Replays tests/vectors/*.json through the typed Rust API.

use std::collections::BTreeMap;

use opsbook::check::{duration_from_secs, parse_time};
use opsbook::{
    CheckResult, HealthDetail, HealthReport, Measurement, Range, Status, Threshold, ThresholdForm, to_health_json,
    to_nagios, to_prometheus,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            other => panic!("bad special number {other}"),
        },
        other => panic!("not a number: {other}"),
    }
}

fn limit(field: &str, v: &Value) -> opsbook::Result<Option<Range>> {
    match v {
        Value::Null => Ok(None),
        Value::String(text) => Range::parse(field, text).map(Some),
        Value::Object(form) => {
            let (name, bound) = form.iter().next().unwrap();
            ThresholdForm::from_name(field, name, num(bound))?.to_range(field).map(Some)
        }
        other => panic!("bad limit {other}"),
    }
}

#[test]
fn ranges() {
    let doc = load("ranges.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut replayed = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let parsed = Range::parse("range", case["range"].as_str().unwrap());
        if let Some(code) = case.get("error") {
            let err = parsed.expect_err(id);
            assert_eq!(err.code(), code.as_str().unwrap(), "{id}");
            assert!(err.to_string().contains("range"), "{id}: {err}");
        } else {
            let r = parsed.unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(r.start(), num(&case["start"]), "{id} start");
            assert_eq!(r.end(), num(&case["end"]), "{id} end");
            assert_eq!(r.inside(), case["inside"].as_bool().unwrap(), "{id} inside");
            assert_eq!(r.to_string(), case["text"].as_str().unwrap(), "{id} text");
            for pair in case["alerts"].as_array().unwrap() {
                let value = num(&pair[0]);
                assert_eq!(r.alerts(value), pair[1].as_bool().unwrap(), "{id} value {value}");
            }
        }
        replayed += 1;
    }
    assert_eq!(replayed, cases.len());
    assert_eq!(replayed, 32);
}

#[test]
fn thresholds() {
    let doc = load("thresholds.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut replayed = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let built = limit("warn", &case["warn"]).and_then(|w| Ok(Threshold::new(w, limit("crit", &case["crit"])?)));
        if let Some(expected) = case.get("error") {
            let err = built.expect_err(id);
            assert_eq!(err.code(), expected["code"].as_str().unwrap(), "{id}");
            match &err {
                opsbook::Error::InvalidRange { field, .. } => {
                    assert_eq!(field, expected["field"].as_str().unwrap(), "{id}")
                }
                other => panic!("{id}: {other:?}"),
            }
        } else {
            let t = built.unwrap_or_else(|e| panic!("{id}: {e}"));
            let status: Status = case["status"].as_str().unwrap().parse().unwrap();
            assert_eq!(t.evaluate(num(&case["value"])), status, "{id}");
            assert_eq!(t.evaluate_many(&[num(&case["value"]); 2]), vec![status; 2], "{id} many");
        }
        replayed += 1;
    }
    assert_eq!(replayed, 31);
}

#[test]
fn status() {
    let doc = load("status.json");
    let mut replayed = 0;
    for m in doc["mappings"].as_array().unwrap() {
        let s: Status = m["status"].as_str().unwrap().parse().unwrap();
        assert_eq!(u64::from(s.nagios_code()), m["exit_code"].as_u64().unwrap());
        assert_eq!(s.health().as_str(), m["health"].as_str().unwrap());
        assert_eq!(u64::from(s.http_status()), m["http"].as_u64().unwrap());
        replayed += 1;
    }
    for a in doc["aggregation"].as_array().unwrap() {
        let list: Vec<Status> =
            a["statuses"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().parse().unwrap()).collect();
        assert_eq!(Status::worst(list).as_str(), a["worst"].as_str().unwrap());
        replayed += 1;
    }
    assert_eq!(replayed, 14);
}

fn build_report(spec: &Value) -> HealthReport {
    let mut checks = Vec::new();
    for c in spec["checks"].as_array().unwrap() {
        let mut ms = Vec::new();
        for m in c["measurements"].as_array().unwrap() {
            let mut meas = Measurement::new(m["name"].as_str().unwrap(), num(&m["value"])).unwrap().with_thresholds(
                limit("warn", m.get("warn").unwrap_or(&Value::Null)).unwrap(),
                limit("crit", m.get("crit").unwrap_or(&Value::Null)).unwrap(),
            );
            if let Some(u) = m.get("unit") {
                meas = meas.with_unit(u.as_str().unwrap());
            }
            meas = meas.with_bounds(m.get("min").map(num), m.get("max").map(num));
            let labels: BTreeMap<String, String> =
                serde_json::from_value(m.get("labels").cloned().unwrap_or(Value::Object(Default::default()))).unwrap();
            for (k, v) in labels {
                meas = meas.with_label(k, v).unwrap();
            }
            ms.push(meas);
        }
        let name = c["name"].as_str().unwrap();
        let mut check = match c.get("status") {
            Some(s) => {
                let mut r =
                    CheckResult::new(name, s.as_str().unwrap().parse().unwrap(), c["summary"].as_str().unwrap())
                        .unwrap();
                r.measurements = ms;
                r
            }
            None => CheckResult::from_measurements(name, ms).unwrap(),
        };
        check.error = c.get("error").map(|e| e.as_str().unwrap().to_owned());
        check.component_type = c.get("component_type").map(|e| e.as_str().unwrap().to_owned());
        check.time = c.get("time").map(|t| parse_time("time", t.as_str().unwrap()).unwrap());
        check.duration = c.get("duration_seconds").map(|d| duration_from_secs("duration", num(d)).unwrap());
        checks.push(check);
    }
    let text = |k: &str| spec.get(k).map(|v| v.as_str().unwrap().to_owned());
    HealthReport {
        checks,
        description: text("description"),
        service_id: text("service_id"),
        version: text("version"),
        release_id: text("release_id"),
    }
}

#[test]
fn reports() {
    let doc = load("reports.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut replayed = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let report = build_report(&case["report"]);
        assert_eq!(report.status().as_str(), case["status"].as_str().unwrap(), "{id}");
        let summaries: Vec<&str> = report.checks.iter().map(|c| c.summary.as_str()).collect();
        let expected: Vec<&str> = case["summaries"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert_eq!(summaries, expected, "{id} summaries");
        assert_eq!(to_health_json(&report, HealthDetail::Detailed), case["health_json"].as_str().unwrap(), "{id}");
        assert_eq!(to_health_json(&report, HealthDetail::Public), case["health_json_public"].as_str().unwrap(), "{id}");
        let nagios = to_nagios(&report);
        assert_eq!(nagios.text, case["nagios"].as_str().unwrap(), "{id}");
        assert_eq!(u64::from(nagios.exit_code), case["exit_code"].as_u64().unwrap(), "{id}");
        assert_eq!(to_prometheus(&report), case["prometheus"].as_str().unwrap(), "{id}");
        replayed += 1;
    }
    assert_eq!(replayed, 5);
}
