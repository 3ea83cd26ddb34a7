//! One duration grammar everywhere: `ms s m h d w mo y`, combinable (`1h30m`, `1y2mo3d`),
//! `m` = minutes and `mo` = months.
//!
//! Fixed-length durations (`ms` to `w`) are what timeouts, TTLs and rule durations take
//! (what Prometheus accepts). Months and years are calendar units, kept apart in
//! [`CalendarSpan`] for the retention windows that need them.

use std::time::Duration;

use crate::error::{Error, Result};

/// A span written in the grammar, with calendar parts kept apart from fixed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CalendarSpan {
    pub years: u32,
    pub months: u32,
    /// Days and weeks (7 days each): calendar days in a time zone, as Go's `AddDate` counts them.
    pub days: u32,
    /// Hours and everything smaller, as a fixed length.
    pub fixed: Duration,
}

const UNITS: [(&str, u64); 7] = [
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
    ("w", 604_800_000),
    ("mo", 0), // calendar: handled apart
];

/// Parses a span that may use `mo` and `y`. `field` names the setting in errors.
pub fn parse_calendar_span(field: &str, text: &str) -> Result<CalendarSpan> {
    let bad = |reason: &str| Error::invalid_value(field, text, reason);
    let s = text.trim();
    if s.is_empty() {
        return Err(bad("a duration cannot be empty"));
    }
    if s == "0" {
        return Ok(CalendarSpan::default());
    }
    let mut span = CalendarSpan::default();
    let mut fixed_ms: u64 = 0;
    let mut rest = s;
    let mut last_rank = usize::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad("expected a number before each unit (ms s m h d w mo y), e.g. 1h30m"));
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad("number too large"))?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        // Units must go from largest to smallest, each at most once (as Prometheus requires).
        let rank = match unit {
            "y" => 8,
            "mo" => 7,
            "w" => 6,
            "d" => 5,
            "h" => 4,
            "m" => 3,
            "s" => 2,
            "ms" => 1,
            "" => return Err(bad("missing unit (ms s m h d w mo y)")),
            _ => return Err(bad(&format!("unknown unit {unit:?} (ms s m h d w mo y)"))),
        };
        if rank >= last_rank {
            return Err(bad("units must go from largest to smallest, each once"));
        }
        last_rank = rank;
        match unit {
            "y" => span.years = u32::try_from(n).map_err(|_| bad("number too large"))?,
            "mo" => span.months = u32::try_from(n).map_err(|_| bad("number too large"))?,
            "w" | "d" => {
                let days = if unit == "w" { n.checked_mul(7) } else { Some(n) };
                let days = days.and_then(|d| u32::try_from(d).ok()).ok_or_else(|| bad("number too large"))?;
                span.days = span.days.checked_add(days).ok_or_else(|| bad("number too large"))?;
            }
            _ => {
                let factor = UNITS.iter().find(|(u, _)| *u == unit).map(|(_, f)| *f).unwrap_or(1);
                let ms = n.checked_mul(factor).ok_or_else(|| bad("duration too large"))?;
                fixed_ms = fixed_ms.checked_add(ms).ok_or_else(|| bad("duration too large"))?;
            }
        }
    }
    span.fixed = Duration::from_millis(fixed_ms);
    Ok(span)
}

/// Parses a fixed-length duration (`ms` to `w`), e.g. a timeout, TTL or `for`.
pub fn parse_duration(field: &str, text: &str) -> Result<Duration> {
    let span = parse_calendar_span(field, text)?;
    if span.years != 0 || span.months != 0 {
        return Err(Error::invalid_value(
            field,
            text,
            "months and years are calendar units; use ms, s, m, h, d or w here",
        ));
    }
    Ok(span.fixed + Duration::from_secs(span.days as u64 * 86_400))
}

/// Writes a fixed duration in the grammar, largest units first (`1h30m`, `250ms`, `0s`).
pub fn format_duration(d: Duration) -> String {
    let mut ms = d.as_millis();
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, factor) in
        [("w", 604_800_000u128), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
    {
        if ms >= factor {
            out.push_str(&format!("{}{unit}", ms / factor));
            ms %= factor;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(parse_duration("t", "2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("t", "1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("t", "250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("t", "1w2d").unwrap(), Duration::from_secs(9 * 86400));
        assert_eq!(parse_duration("t", "0").unwrap(), Duration::ZERO);
        let span = parse_calendar_span("keep", "1y2mo3d").unwrap();
        assert_eq!((span.years, span.months, span.days, span.fixed), (1, 2, 3, Duration::ZERO));
        let span = parse_calendar_span("keep", "2w1d3h").unwrap();
        assert_eq!((span.days, span.fixed), (15, Duration::from_secs(3 * 3600)));
        assert_eq!(format_duration(Duration::from_millis(5_400_250)), "1h30m250ms");
    }

    #[test]
    fn refusals_name_field_and_value() {
        for bad in ["", "5", "h", "5x", "1m1h", "1s1s", "-1s", "1.5s", "99999999999999999999s"] {
            let e = parse_duration("timeout", bad).unwrap_err().to_string();
            assert!(e.contains("timeout") && e.contains(&format!("{bad:?}")), "{bad}: {e}");
        }
        let e = parse_duration("for", "1mo").unwrap_err().to_string();
        assert!(e.contains("calendar"), "{e}");
    }
}
