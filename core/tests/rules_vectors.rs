//! Replays tests/vectors/rules.json through the typed Rust API.

use opsbook::rules::fingerprint::fingerprint_hex;
use opsbook::rules::spec::rules_from_value;
use opsbook::rules::{Event, Labels, RuleEngine, Sample};
use serde_json::{Value, json};

fn labels(v: &Value) -> Labels {
    v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

fn run(c: &Value) -> opsbook::Result<Vec<Event>> {
    let mut engine = RuleEngine::new(rules_from_value(&c["rules"])?);
    let mut events = Vec::new();
    for e in c["evaluations"].as_array().unwrap() {
        let samples: Vec<Sample> = e["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| Sample {
                metric: s["metric"].as_str().unwrap().into(),
                labels: labels(&s["labels"]),
                value: s["value"].as_f64().unwrap(),
            })
            .collect();
        let t_ms = (e["time"].as_f64().unwrap() * 1000.0) as i64;
        events.extend(engine.evaluate(t_ms, &samples)?);
    }
    Ok(events)
}

#[test]
fn replays_rules_vectors() {
    let path = format!("{}/../tests/vectors/rules.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        if c["kind"] == "fingerprint" {
            assert_eq!(fingerprint_hex(&labels(&c["labels"])), c["expect"].as_str().unwrap(), "{id}");
        } else if let Some(err) = c.get("error") {
            let e = run(c).expect_err(id);
            assert_eq!(e.code(), err["code"].as_str().unwrap(), "{id}");
            assert!(e.to_string().contains(err["field"].as_str().unwrap()), "{id}: {e}");
        } else {
            let got: Vec<Value> = run(c)
                .unwrap_or_else(|e| panic!("{id}: {e}"))
                .iter()
                .map(|e| {
                    json!({"time": e.at_ms as f64 / 1000.0, "kind": e.kind.as_str(), "rule": e.rule, "labels": e.labels, "notify": e.notify})
                })
                .collect();
            let want: Vec<Value> = c["expect"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    e["time"] = json!(e["time"].as_f64().unwrap());
                    e
                })
                .collect();
            assert_eq!(got, want, "{id}");
        }
        replayed += 1;
    }
    assert_eq!(replayed, 14);
}
