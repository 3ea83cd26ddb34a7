//! Replays tests/vectors/templates.json: Go templates as Prometheus and Alertmanager run
//! them, over JSON data, an alert or a notification group.

use opsbook::alert::escape::Markup;
use opsbook::alert::model::AlertGroup;
use opsbook::alert::template::{TemplateData, render_template};

const CASES: usize = 88;

fn markup(name: Option<&str>) -> Markup {
    match name {
        None | Some("plain") => Markup::Raw,
        Some("html") => Markup::Html,
        Some("markdown") => Markup::Markdown,
        Some(other) => panic!("unknown markup {other}"),
    }
}

#[test]
fn templates_render_as_upstream_says() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/templates.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = file["cases"].as_array().unwrap();
    let utc = jiff::tz::TimeZone::UTC;
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let template = case["template"].as_str().unwrap();
        let m = markup(case["markup"].as_str());
        let result = if let Some(alert) = case.get("alert") {
            let group = AlertGroup::from_value(alert).unwrap();
            render_template(template, TemplateData::Alert(&group.alerts[0]), &utc, m)
        } else if let Some(group) = case.get("group") {
            let group = AlertGroup::from_value(group).unwrap();
            render_template(template, TemplateData::Group(&group), &utc, m)
        } else {
            let data = case.get("data").cloned().unwrap_or(serde_json::Value::Null);
            render_template(template, TemplateData::Json(&data), &utc, m)
        };
        match (result, case.get("want"), case.get("error")) {
            (Ok(got), Some(want), _) if got == want.as_str().unwrap() => {}
            (Err(e), _, Some(parts))
                if parts.as_array().unwrap().iter().all(|p| e.to_string().contains(p.as_str().unwrap())) => {}
            (got, _, _) => failures
                .push(format!("{name}: got {got:?}, want {:?}", case.get("want").or(case.get("error")).unwrap())),
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert_eq!(cases.len(), CASES);
}
