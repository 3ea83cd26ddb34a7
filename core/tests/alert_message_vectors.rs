//! Replays tests/vectors/alert_messages.json: every channel's request(s) for a notification,
//! as built independently by the vector generator, and the errors bad declarations give.

use std::collections::HashMap;

use opsbook::alert::channel::Channel;
use opsbook::alert::model::AlertGroup;

const CASES: usize = 29;

fn render(case: &serde_json::Value) -> Result<serde_json::Value, String> {
    let channel = Channel::from_value(&case["channel"], "channel").map_err(|e| e.to_string())?;
    let group = AlertGroup::from_value(&case["alerts"]).map_err(|e| e.to_string())?;
    let secrets: HashMap<String, String> = serde_json::from_value(case["secrets"].clone()).unwrap();
    let requests = channel.render(&group, case["now_ms"].as_i64().unwrap(), &secrets).map_err(|e| e.to_string())?;
    Ok(serde_json::Value::Array(
        requests
            .iter()
            .map(|r| {
                let mut shown = r.to_json();
                // The MIME bytes are compared with what a real SMTP server stores (alert_delivery).
                shown.as_object_mut().unwrap().remove("mime");
                shown
            })
            .collect(),
    ))
}

/// What a request body compares as: parsed when JSON, else the text.
fn body_value(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
}

#[test]
fn one_alert_cases_render_the_same_bodies_each() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/alert_messages.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut compared = 0;
    for case in file["cases"].as_array().unwrap() {
        let (Some(want), Some(list)) = (case.get("want"), case["alerts"].as_array()) else { continue };
        if list.len() != 1 || case["channel"]["type"] == "email" {
            continue;
        }
        let channel = Channel::from_value(&case["channel"], "channel").unwrap();
        let secrets: HashMap<String, String> = serde_json::from_value(case["secrets"].clone()).unwrap();
        let group = AlertGroup::from_json(&case["alerts"].to_string()).unwrap();
        let bodies = channel.render_bodies(group, case["now_ms"].as_i64().unwrap(), &secrets).unwrap();
        let got: Vec<serde_json::Value> = bodies.iter().map(|b| body_value(b)).collect();
        let expected: Vec<serde_json::Value> = want.as_array().unwrap().iter().map(|r| r["body"].clone()).collect();
        assert_eq!(got, expected, "{}", case["name"]);
        compared += 1;
    }
    assert_eq!(compared, 7);
}

#[test]
fn channels_render_the_documented_requests() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/alert_messages.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = file["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let result = render(case);
        match (&result, case.get("want"), case.get("error")) {
            (Ok(got), Some(want), _) if got == want => {}
            (Err(e), _, Some(parts)) if parts.as_array().unwrap().iter().all(|p| e.contains(p.as_str().unwrap())) => {
                for secret in case["secrets"].as_object().unwrap().values() {
                    assert!(!e.contains(secret.as_str().unwrap()), "{name}: a secret in {e}");
                }
            }
            (Ok(got), Some(want), _) => failures.push(format!(
                "{name}:\n got  {}\n want {}",
                serde_json::to_string(got).unwrap(),
                serde_json::to_string(want).unwrap()
            )),
            (got, _, _) => {
                failures.push(format!("{name}: got {got:?}, want {:?}", case.get("want").or(case.get("error"))))
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert_eq!(cases.len(), CASES);
}
