//! Replays tests/vectors/logs.json through `analyze_lines`.

use opsbook::logs::{LineFormat, Options, analyze_lines};

#[test]
fn log_vectors() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/logs.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = file["cases"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let result = LineFormat::parse(case["format"].as_str().unwrap()).and_then(|f| {
            let options = Options::from_value(&case["options"])?;
            let lines: Vec<&str> = case["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
            Ok(analyze_lines(lines, &f, options).to_json())
        });
        match (result, case.get("want"), case.get("error")) {
            (Ok(got), Some(want), _) => assert_eq!(&got, want, "{name}"),
            (Err(e), _, Some(parts)) => {
                for p in parts.as_array().unwrap() {
                    assert!(e.to_string().contains(p.as_str().unwrap()), "{name}: {e}");
                }
            }
            (got, _, _) => panic!("{name}: {got:?}"),
        }
    }
    assert_eq!(cases.len(), 8);
}
