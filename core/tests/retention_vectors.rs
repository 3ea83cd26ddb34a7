//! Replays tests/vectors/retention.json: restic's golden keep lists for TestApplyPolicy's
//! snapshots, and opsbook's hand-traced cases (time zones, future backups, grouping, full
//! backups kept for their incrementals, find -mtime).

use opsbook::backup::retention::{
    Counters, Decision, GroupBy, apply_grouped, backups_from_value, find_mtime, policy_from_value,
};
use serde_json::{Map, Value, json};

fn counters(c: &Counters) -> Value {
    let mut m = Map::new();
    for (k, v) in [
        ("last", c.last),
        ("hourly", c.hourly),
        ("daily", c.daily),
        ("weekly", c.weekly),
        ("monthly", c.monthly),
        ("yearly", c.yearly),
    ] {
        if v != 0 {
            m.insert(k.into(), json!(v));
        }
    }
    Value::Object(m)
}

fn decision(key: Value, d: &Decision) -> Value {
    json!({
        "key": key,
        "keep": d.keep.iter().map(|k| json!({"id": k.backup.id, "matches": k.reasons, "counters": counters(&k.counters)})).collect::<Vec<_>>(),
        "forget": d.forget.iter().map(|b| b.id.clone()).collect::<Vec<_>>(),
    })
}

#[test]
fn replays_retention_vectors() {
    let path = format!("{}/../tests/vectors/retention.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let list = match &c["backups"] {
            Value::String(set) => &doc["snapshot_sets"][set.as_str()],
            other => other,
        };
        let backups = backups_from_value(list).unwrap();
        let now: jiff::Timestamp = c["now"].as_str().unwrap().parse().unwrap();
        let got: Vec<Value> = if c["rule"] == "find_mtime" {
            let days = c["policy"]["days"].as_u64().unwrap() as u32;
            vec![decision(json!({}), &find_mtime(&backups, days, now))]
        } else {
            let policy = policy_from_value(&c["policy"]).unwrap_or_else(|e| panic!("{id}: {e}"));
            let names: Vec<&str> = c["group_by"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let by = GroupBy {
                host: names.contains(&"host"),
                paths: names.contains(&"paths"),
                tags: names.contains(&"tags"),
            };
            apply_grouped(&backups, &policy, by, now)
                .unwrap()
                .iter()
                .map(|(k, d)| {
                    let mut key = Map::new();
                    if let Some(h) = &k.host {
                        key.insert("host".into(), json!(h));
                    }
                    if let Some(p) = &k.paths {
                        key.insert("paths".into(), json!(p));
                    }
                    if let Some(t) = &k.tags {
                        key.insert("tags".into(), json!(t));
                    }
                    decision(Value::Object(key), d)
                })
                .collect()
        };
        assert_eq!(json!(got), c["groups"], "{id}");
        replayed += 1;
    }
    assert_eq!(replayed, 15);
}

#[test]
fn bad_policies_and_backups_name_the_key() {
    for (doc, field) in [
        (json!({"keep_daly": 7}), "retention.keep_daly"),
        (json!({"keep_daily": "seven"}), "retention.keep_daily"),
        (json!({"keep_within": "1 month"}), "retention.keep_within"),
        (json!({"keep_tags": ["foo"]}), "retention.keep_tags"),
    ] {
        let e = policy_from_value(&doc).unwrap_err().to_string();
        assert!(e.contains(field), "{e}");
    }
    let e = backups_from_value(&json!([{"id": "a", "time": "yesterday"}])).unwrap_err().to_string();
    assert!(e.contains("backups[0].time") && e.contains("yesterday"), "{e}");
}
