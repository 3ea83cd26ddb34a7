//! A plain-text table for people at a terminal (the `opsbook check` default).

use crate::check::HealthReport;
use crate::format::fmt_number;

/// One row per measurement (or per check without measurements), then the overall status.
/// Values are rounded to two decimals for reading; the machine formats keep full precision.
pub fn to_table(report: &HealthReport) -> String {
    let header = ["CHECK", "MEASUREMENT", "COMPONENT", "VALUE", "WARN", "CRIT", "STATUS"];
    let mut rows: Vec<[String; 7]> = Vec::new();
    for c in &report.checks {
        if c.measurements.is_empty() {
            let note = c.error.as_deref().unwrap_or(&c.summary);
            rows.push([
                c.name.clone(),
                String::new(),
                String::new(),
                note.to_owned(),
                String::new(),
                String::new(),
                c.status.to_string(),
            ]);
        }
        for m in &c.measurements {
            let value = if m.value.is_nan() {
                "no value".to_owned()
            } else {
                let rounded = fmt_number((m.value * 100.0).round() / 100.0);
                match m.unit.as_deref() {
                    Some("%" | "percent") => format!("{rounded}%"),
                    Some("B" | "bytes") => human_bytes(m.value),
                    Some(u) if !u.is_empty() => format!("{rounded} {u}"),
                    _ => rounded,
                }
            };
            rows.push([
                c.name.clone(),
                m.name.clone(),
                m.component_id().unwrap_or_default(),
                value,
                m.warn.map(|r| r.to_string()).unwrap_or_default(),
                m.crit.map(|r| r.to_string()).unwrap_or_default(),
                m.status().to_string(),
            ]);
        }
    }
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let padded: Vec<String> =
            cells.iter().zip(widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count()))).collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    out.push_str(&format!("overall: {}\n", report.status()));
    out
}

/// Bytes in binary units as `df -h` prints them (`12.0 GiB`).
fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value.abs() >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{} B", fmt_number(value)) } else { format!("{value:.1} {}", UNITS[unit]) }
}
