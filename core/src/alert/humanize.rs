//! Prometheus' template functions that format a number (`template/template.go`):
//! `humanize`, `humanize1024`, `humanizeDuration`, `humanizePercentage`,
//! `humanizeTimestamp`, with Go's `%.4g`. Like Prometheus they take a number or its text
//! (`"1234567.0"`, `"+Inf"`); text that is not a number is an error naming it.

use crate::alert::gofmt::go_g;
use crate::error::{Error, Result};

/// A template argument: a number, or text holding one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    Number(f64),
    Text(&'a str),
}

impl Arg<'_> {
    fn value(self, function: &str) -> Result<f64> {
        match self {
            Arg::Number(v) => Ok(v),
            Arg::Text(t) => parse_go_float(t).ok_or_else(|| {
                Error::invalid_value(function, t, format!("strconv.ParseFloat: parsing {t:?}: invalid syntax"))
            }),
        }
    }
}

/// Go's `strconv.ParseFloat` for the forms templates meet: decimals, exponents,
/// `+Inf`/`-Inf`/`Inf`/`NaN` in any case.
pub(crate) fn parse_go_float(text: &str) -> Option<f64> {
    let t = text.trim_start_matches('+');
    match t.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => return Some(if text.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY }),
        "-inf" | "-infinity" => return Some(f64::NEG_INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    text.parse::<f64>().ok().filter(|_| !text.is_empty())
}

fn g4(v: f64) -> String {
    go_g(v, Some(4))
}

/// SI prefixes: 1234567 → `1.235M`, 0.12 → `120m`.
pub fn humanize(arg: Arg) -> Result<String> {
    let mut v = arg.value("humanize")?;
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return Ok(g4(v));
    }
    if v.abs() >= 1.0 {
        let mut prefix = "";
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
        return Ok(format!("{}{prefix}", g4(v)));
    }
    let (v, prefix) = scaled_up(v);
    Ok(format!("{}{prefix}", g4(v)))
}

/// A magnitude below 1 times 1000 until it is not, with the SI prefix that says so.
fn scaled_up(mut v: f64) -> (f64, &'static str) {
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    (v, prefix)
}

/// Binary prefixes: 1048576 → `1Mi`; |v| ≤ 1 as is.
pub fn humanize1024(arg: Arg) -> Result<String> {
    let mut v = arg.value("humanize1024")?;
    if v.abs() <= 1.0 || v.is_nan() || v.is_infinite() {
        return Ok(g4(v));
    }
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    Ok(format!("{}{prefix}", g4(v)))
}

/// Seconds as `1d 2h 3m 4s`, `12.35s` or `123.5ms`.
pub fn humanize_duration(arg: Arg) -> Result<String> {
    let v = arg.value("humanizeDuration")?;
    if v.is_nan() || v.is_infinite() {
        return Ok(g4(v));
    }
    if v == 0.0 {
        return Ok(format!("{}s", g4(v)));
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        let v = v.abs();
        // Go's int64 conversion truncates.
        let whole = v as i64;
        let (seconds, minutes, hours, days) = (whole % 60, (whole / 60) % 60, (whole / 3600) % 24, whole / 86_400);
        if days != 0 {
            return Ok(format!("{sign}{days}d {hours}h {minutes}m {seconds}s"));
        }
        if hours != 0 {
            return Ok(format!("{sign}{hours}h {minutes}m {seconds}s"));
        }
        if minutes != 0 {
            return Ok(format!("{sign}{minutes}m {seconds}s"));
        }
        return Ok(format!("{sign}{}s", g4(v)));
    }
    let (v, prefix) = scaled_up(v);
    Ok(format!("{}{prefix}s", g4(v)))
}

/// A ratio as a percentage: 0.1234567 → `12.35%`.
pub fn humanize_percentage(arg: Arg) -> Result<String> {
    Ok(format!("{}%", g4(arg.value("humanizePercentage")? * 100.0)))
}

/// Unix seconds as Go prints a UTC time: `2015-06-23 13:19:44.128 +0000 UTC` (millisecond
/// precision, as Prometheus' model.Time keeps).
pub fn humanize_timestamp(arg: Arg) -> Result<String> {
    let v = arg.value("humanizeTimestamp")?;
    if v.is_nan() || v.is_infinite() {
        return Ok(g4(v));
    }
    let ns = v * 1e9;
    // Go compares against float64(math.MaxInt64), which is 2^63.
    let limit = 2f64.powi(63);
    if !(-limit..limit).contains(&ns) {
        return Err(Error::invalid_value(
            "humanizeTimestamp",
            &crate::alert::gofmt::go_v(v),
            format!(
                "{} cannot be represented as a nanoseconds timestamp since it overflows int64",
                crate::alert::gofmt::go_v(v)
            ),
        ));
    }
    // model.TimeFromUnixNano keeps milliseconds (Go's integer division truncates toward zero).
    let ms = (ns as i64) / 1_000_000;
    let t = jiff::Timestamp::from_millisecond(ms)
        .map_err(|e| Error::invalid_value("humanizeTimestamp", &ms.to_string(), e.to_string()))?;
    let dt = t.to_zoned(jiff::tz::TimeZone::UTC);
    let frac = dt.subsec_nanosecond();
    let base = dt.strftime("%Y-%m-%d %H:%M:%S").to_string();
    let frac = if frac == 0 { String::new() } else { format!(".{:09}", frac).trim_end_matches('0').to_owned() };
    Ok(format!("{base}{frac} +0000 UTC"))
}
