//! The manuals' `metadata.json` next to each backup:
//!
//! ```json
//! { "date": "20261122_020000", "size": "1.2G", "location": "s3://bucket/20261122_020000/",
//!   "type": "full", "status": "success" }
//! ```
//!
//! `size` is what `du -sh` prints (binary units, rounded up, one decimal below 10); keys the
//! manuals do not name are kept as they are.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub date: String,
    pub size: String,
    pub location: String,
    /// "full", "incremental", "log".
    #[serde(rename = "type")]
    pub kind: String,
    /// "success" or "failed".
    pub status: String,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Metadata {
    pub fn parse(text: &str) -> Result<Metadata> {
        serde_json::from_str(text).map_err(|e| Error::invalid_value("metadata.json", "", e.to_string()))
    }

    /// Pretty JSON, keys in the manuals' order, ending in a newline.
    pub fn to_json_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("metadata is plain JSON");
        text.push('\n');
        text
    }
}

/// A size as `du -h` and `numfmt --to=iec --round=up` print it: 999, 1.0K, 1.2K, 10K, 1.5M.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 8] = ["K", "M", "G", "T", "P", "E", "Z", "Y"];
    if bytes < 1024 {
        return bytes.to_string();
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    value /= 1024.0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    // Round up: to tenths below 10, to units above.
    if value < 10.0 {
        let tenths = (value * 10.0 - 1e-9).ceil() / 10.0;
        if tenths >= 10.0 {
            return format!("10{}", UNITS[unit]);
        }
        format!("{tenths:.1}{}", UNITS[unit])
    } else {
        let whole = (value - 1e-9).ceil();
        if whole >= 1024.0 && unit + 1 < UNITS.len() {
            return format!("1.0{}", UNITS[unit + 1]);
        }
        format!("{whole:.0}{}", UNITS[unit])
    }
}
