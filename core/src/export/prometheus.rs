//! Prometheus text exposition format (version 0.0.4).

use std::fmt::Write;

use crate::check::HealthReport;
use crate::format::fmt_number;

/// The metric name of a measurement: `opsbook_<check>_<measurement>` in base units,
/// with the unit suffix (`_seconds`, `_bytes`, `_percent`, `_ratio`) the unit calls for,
/// and the factor that converts the value into that base unit.
pub fn metric_name(check: &str, measurement: &str, unit: Option<&str>) -> (String, Scale) {
    const KI: f64 = 1024.0;
    let (suffix, scale) = match unit {
        Some("%" | "percent") => ("_percent", Scale::Times(1.0)),
        Some("ratio") => ("_ratio", Scale::Times(1.0)),
        Some("s" | "seconds") => ("_seconds", Scale::Times(1.0)),
        Some("ms") => ("_seconds", Scale::DividedBy(1e3)),
        Some("us") => ("_seconds", Scale::DividedBy(1e6)),
        Some("B" | "bytes") => ("_bytes", Scale::Times(1.0)),
        // Nagios perfdata's KB/MB/GB/TB are binary multiples, as check_disk uses them.
        Some("KB" | "KiB") => ("_bytes", Scale::Times(KI)),
        Some("MB" | "MiB") => ("_bytes", Scale::Times(KI * KI)),
        Some("GB" | "GiB") => ("_bytes", Scale::Times(KI * KI * KI)),
        Some("TB" | "TiB") => ("_bytes", Scale::Times(KI * KI * KI * KI)),
        _ => ("", Scale::Times(1.0)),
    };
    let mut name = format!("opsbook_{}_{}", sanitize(check), sanitize(measurement));
    if !name.ends_with(suffix) {
        name.push_str(suffix);
    }
    (name, scale)
}

/// How a value converts into its metric's base unit. Division keeps `250 ms` exactly
/// `0.25 s`, where multiplying by `1e-3` would not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    Times(f64),
    DividedBy(f64),
}

impl Scale {
    pub fn apply(self, value: f64) -> f64 {
        match self {
            Scale::Times(f) => value * f,
            Scale::DividedBy(d) => value / d,
        }
    }
}

fn sanitize(part: &str) -> String {
    part.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// Renders `opsbook_check_status{check=...}` (0-3), `opsbook_check_duration_seconds` for
/// checks that timed themselves, and one gauge family per measurement name, each family
/// with its HELP and TYPE lines and its samples together.
pub fn to_prometheus(report: &HealthReport) -> String {
    let mut out = String::new();
    out.push_str("# HELP opsbook_check_status Status of an opsbook check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n");
    out.push_str("# TYPE opsbook_check_status gauge\n");
    for c in &report.checks {
        let _ = writeln!(out, "opsbook_check_status{{check=\"{}\"}} {}", escape_label(&c.name), c.status.nagios_code());
    }
    let timed: Vec<_> = report.checks.iter().filter_map(|c| c.duration.map(|d| (c, d))).collect();
    if !timed.is_empty() {
        out.push_str("# HELP opsbook_check_duration_seconds How long an opsbook check took.\n");
        out.push_str("# TYPE opsbook_check_duration_seconds gauge\n");
        for (c, d) in timed {
            let _ = writeln!(
                out,
                "opsbook_check_duration_seconds{{check=\"{}\"}} {}",
                escape_label(&c.name),
                fmt_number(d.as_secs_f64())
            );
        }
    }
    // Families keep the order in which their names first appear.
    let mut families: Vec<(String, String, Vec<String>)> = Vec::new();
    for c in &report.checks {
        for m in &c.measurements {
            let (name, scale) = metric_name(&c.name, &m.name, m.unit.as_deref());
            let labels = if m.labels.is_empty() {
                String::new()
            } else {
                let pairs: Vec<String> = m.labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape_label(v))).collect();
                format!("{{{}}}", pairs.join(","))
            };
            let value = if m.value.is_finite() { scale.apply(m.value) } else { m.value };
            let sample = format!("{name}{labels} {}", fmt_number(value));
            match families.iter_mut().find(|(n, _, _)| *n == name) {
                Some((_, _, samples)) => samples.push(sample),
                None => {
                    let help = escape_help(&format!("opsbook check {}, measurement {}.", c.name, m.name));
                    families.push((name, help, vec![sample]));
                }
            }
        }
    }
    for (name, help, samples) in families {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        for s in samples {
            out.push_str(&s);
            out.push('\n');
        }
    }
    out
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}
