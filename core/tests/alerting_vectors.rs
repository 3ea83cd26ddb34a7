//! Replays tests/vectors/alerting.json (rules → notifications → incidents) through the typed
//! Rust API: a policy, its AlertPipeline, and the incident calls.

use opsbook::policy::Policy;
use opsbook::rules::notify::Notification;
use opsbook::rules::pipeline::{AlertPipeline, Outcome};
use opsbook::rules::{Labels, Sample};
use serde_json::{Value, json};

fn secs(v: &Value) -> i64 {
    (v.as_f64().unwrap() * 1000.0) as i64
}

fn alert_text(labels: &Labels, resolved: bool) -> String {
    let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}:{}", l.join(","), if resolved { "resolved" } else { "firing" })
}

fn notification(n: &Notification) -> Value {
    let mut alerts: Vec<String> = n.alerts.iter().map(|a| alert_text(&a.labels, a.resolved())).collect();
    alerts.sort();
    json!({"time": n.at_ms / 1000, "receiver": n.receiver, "status": n.status(), "group_labels": n.group_labels, "alerts": alerts})
}

fn step(p: &mut AlertPipeline, s: &Value) -> opsbook::Result<Outcome> {
    let t = secs(&s["time"]);
    let text = |v: &Value, k: &str| v[k].as_str().unwrap().to_owned();
    if let Some(samples) = s.get("samples") {
        let samples: Vec<Sample> = samples
            .as_array()
            .unwrap()
            .iter()
            .map(|x| Sample {
                metric: text(x, "metric"),
                labels: serde_json::from_value(x["labels"].clone()).unwrap(),
                value: x["value"].as_f64().unwrap(),
            })
            .collect();
        return p.evaluate(t, &samples);
    }
    if s.get("advance").is_some() {
        return Ok(p.advance(t));
    }
    let m = p.incidents.as_mut().expect("incident steps need escalation levels");
    if let Some(a) = s.get("acknowledge") {
        m.acknowledge(&text(a, "incident"), &text(a, "by"), t)?;
    } else if let Some(r) = s.get("resolve") {
        m.resolve(&text(r, "incident"), &text(r, "by"), &text(r, "note"), t)?;
    } else if let Some(r) = s.get("record") {
        m.record(&text(r, "incident"), &text(r, "what"), t)?;
    } else {
        panic!("unknown step {s}");
    }
    Ok(Outcome::default())
}

#[test]
fn replays_alerting_vectors() {
    let path = format!("{}/../tests/vectors/alerting.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let loaded = Policy::from_value(c["policy"].clone());
        if let Some(err) = c.get("error") {
            let e = loaded.expect_err(id);
            assert_eq!(e.code(), err["code"].as_str().unwrap(), "{id}");
            assert!(e.to_string().contains(err["field"].as_str().unwrap()), "{id}: {e}");
            replayed += 1;
            continue;
        }
        let mut p = loaded.unwrap_or_else(|e| panic!("{id}: {e}")).alert_pipeline().unwrap();
        let mut all = Outcome::default();
        for s in c["steps"].as_array().unwrap() {
            match (step(&mut p, s), s.get("error")) {
                (Ok(o), None) => {
                    all.notifications.extend(o.notifications);
                    all.escalations.extend(o.escalations);
                    all.opened.extend(o.opened);
                }
                (Err(e), Some(want)) => {
                    assert_eq!(e.code(), want["code"].as_str().unwrap(), "{id}");
                    assert!(e.to_string().contains(want["field"].as_str().unwrap()), "{id}: {e}");
                }
                (r, want) => panic!("{id}: step {s} gave {:?}, expected error {want:?}", r.err()),
            }
        }
        let e = &c["expect"];
        let got: Vec<Value> = all.notifications.iter().map(notification).collect();
        assert_eq!(json!(got), e["notifications"], "{id}: notifications");
        let got: Vec<Value> = all
            .escalations
            .iter()
            .map(|x| json!({"time": x.at_ms / 1000, "incident": x.incident, "level": x.level}))
            .collect();
        assert_eq!(json!(got), e["escalations"], "{id}: escalations");
        let got: Vec<Value> = all.opened.iter().map(|(t, i)| json!({"time": t / 1000, "incident": i})).collect();
        assert_eq!(json!(got), e["opened"], "{id}: opened");
        let got: Vec<Value> = p
            .incidents
            .iter()
            .flat_map(|m| m.incidents())
            .map(|i| {
                let timeline: Vec<Value> =
                    i.timeline.iter().map(|t| json!({"time": t.at_ms / 1000, "what": t.what})).collect();
                json!({"id": i.id, "kind": i.kind, "status": i.status.as_str(), "level": i.level, "timeline": timeline})
            })
            .collect();
        assert_eq!(json!(got), e["incidents"], "{id}: incidents");
        replayed += 1;
    }
    assert_eq!(replayed, 15);
}
