//! Replays tests/vectors/manifests.json (PostgreSQL's malformed manifests and opsbook's
//! own cases) through `Manifest::parse` and `Manifest::to_bytes`.

use opsbook::backup::Manifest;
use opsbook::backup::checksum::to_hex;
use serde_json::{Value, json};

/// A path for comparison: UTF-8 as is, other bytes as \xNN.
fn path_text(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[test]
fn replays_manifest_vectors() {
    let path = format!("{}/../tests/vectors/manifests.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let text = c["manifest"].as_str().unwrap();
        let parsed = Manifest::parse(text.as_bytes());
        if let Some(error) = c["error"].as_str() {
            let e = parsed.expect_err(id);
            assert_eq!(e.code(), "OPSBOOK_INVALID_VALUE", "{id}");
            assert!(e.to_string().contains(error), "{id}: {e}");
        } else {
            let m = parsed.unwrap_or_else(|e| panic!("{id}: {e}"));
            let got: Vec<Value> = m
                .files
                .iter()
                .map(|f| {
                    json!({"path": path_text(&f.path), "size": f.size, "algorithm": f.algorithm.name(), "checksum": to_hex(&f.checksum)})
                })
                .collect();
            assert_eq!(json!(got), c["files"], "{id}");
            assert!(
                m.to_bytes() == text.as_bytes(),
                "{id}: written back differently:\n{}",
                String::from_utf8_lossy(&m.to_bytes())
            );
        }
        replayed += 1;
    }
    assert_eq!(replayed, 44);
}
