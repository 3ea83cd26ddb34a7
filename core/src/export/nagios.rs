//! Nagios plugin output: `OPSBOOK <STATUS> - <summary> | <perfdata>` plus the exit code.

use crate::check::{HealthReport, Measurement};
use crate::format::fmt_number;
use crate::status::Status;

/// What a Nagios plugin prints and the code it exits with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NagiosOutput {
    pub text: String,
    pub exit_code: u8,
}

/// Renders the report as Nagios plugin output.
///
/// One check: its summary. Several: counts per status as monitoring-plugins prints them
/// (`ok=2, warning=1, critical=0, unknown=0`), then one long-output line per check.
/// Perfdata labels are `check:measurement` (with `:component` for labelled measurements),
/// always single-quoted; a NaN or infinite value prints `U`.
pub fn to_nagios(report: &HealthReport) -> NagiosOutput {
    let status = report.status();
    let summary = match report.checks.as_slice() {
        [only] => single_line(if only.summary.is_empty() { &only.name } else { &only.summary }),
        checks => {
            let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
            format!(
                "ok={}, warning={}, critical={}, unknown={}",
                count(Status::Ok),
                count(Status::Warning),
                count(Status::Critical),
                count(Status::Unknown)
            )
        }
    };
    let perfdata: Vec<String> =
        report.checks.iter().flat_map(|c| c.measurements.iter().map(move |m| perfdata_item(&c.name, m))).collect();
    let mut text = format!("OPSBOOK {status} - {summary}");
    if !perfdata.is_empty() {
        text.push_str(" | ");
        text.push_str(&perfdata.join(" "));
    }
    if report.checks.len() > 1 {
        for c in &report.checks {
            text.push_str(&format!("\n\\_[{}] {}: {}", c.status, single_line(&c.name), single_line(&c.summary)));
        }
    }
    NagiosOutput { text, exit_code: status.nagios_code() }
}

/// `|` starts perfdata and a newline starts long output, so neither may appear in a summary.
fn single_line(text: &str) -> String {
    text.replace('|', "/").replace(['\n', '\r'], " ")
}

fn perfdata_item(check: &str, m: &Measurement) -> String {
    let mut label = format!("{check}:{}", m.name);
    if let Some(id) = m.component_id() {
        label.push(':');
        label.push_str(&id);
    }
    // Plugin guidelines: a quote inside a quoted label is written twice; `=` is not allowed.
    let label = single_line(&label).replace('\'', "''").replace('=', "_");
    // An undetermined value is a bare `U`, without a unit.
    let value = if m.value.is_finite() {
        format!("{}{}", fmt_number(m.value), nagios_uom(m.unit.as_deref()))
    } else {
        "U".to_owned()
    };
    let bound = |v: Option<f64>| v.filter(|v| v.is_finite()).map(fmt_number).unwrap_or_default();
    let mut fields = vec![
        value,
        m.warn.map(|r| r.to_string()).unwrap_or_default(),
        m.crit.map(|r| r.to_string()).unwrap_or_default(),
        bound(m.min),
        bound(m.max),
    ];
    while fields.len() > 1 && fields.last().is_some_and(String::is_empty) {
        fields.pop();
    }
    format!("'{label}'={}", fields.join(";"))
}

/// The unit of measure as perfdata allows it (s, ms, us, %, B, KB, MB, GB, TB, c); units
/// perfdata has no spelling for are left out rather than producing unreadable perfdata.
fn nagios_uom(unit: Option<&str>) -> &str {
    match unit {
        Some("%" | "percent") => "%",
        Some("s" | "seconds") => "s",
        Some("B" | "bytes") => "B",
        Some("c" | "count" | "counter") => "c",
        Some(u @ ("ms" | "us" | "KB" | "MB" | "GB" | "TB")) => u,
        _ => "",
    }
}
