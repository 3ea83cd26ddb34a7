//! Replays tests/vectors/daily_reports.json through `report_from_value` and each renderer.

use opsbook::report::{ReportFormat, report_from_value};

#[test]
fn daily_report_vectors() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/daily_reports.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = file["cases"].as_array().unwrap();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        match (report_from_value(&case["parts"]), case.get("error")) {
            (Ok(report), None) => {
                assert_eq!(report.render(ReportFormat::Text), case["text"].as_str().unwrap(), "{id} text");
                assert_eq!(report.render(ReportFormat::Markdown), case["markdown"].as_str().unwrap(), "{id} markdown");
                let json: serde_json::Value = serde_json::from_str(&report.render(ReportFormat::Json)).unwrap();
                assert_eq!(json, case["json"], "{id} json");
                assert_eq!(report.status().as_str(), case["status"].as_str().unwrap(), "{id} status");
            }
            (Err(e), Some(parts)) => {
                for p in parts.as_array().unwrap() {
                    assert!(e.to_string().contains(p.as_str().unwrap()), "{id}: {e}");
                }
            }
            (got, _) => panic!("{id}: {got:?}"),
        }
    }
    assert_eq!(cases.len(), 25);
}
