//! Number formatting shared by every rendering, so all front doors print the same bytes.

/// Shortest decimal that reads back as the same f64, never in exponent form
/// (`5`, `0.1`, `1000000000000000000000`, `0.0000001`); `-0` prints as `0`.
/// NaN prints `NaN`, infinities `+Inf`/`-Inf` (the Prometheus spelling).
pub fn fmt_number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "+Inf".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else if value == 0.0 {
        "0".to_owned()
    } else if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
        // Whole numbers below 2^53 print as the integer they are; integer formatting is
        // several times cheaper than the shortest-float search.
        (value as i64).to_string()
    } else {
        format!("{value}")
    }
}

/// A JSON number as every opsbook JSON output writes it: integral values without a
/// fraction (`250`, not `250.0`); NaN and ±Inf have no JSON form and give `None`.
pub fn json_number(v: f64) -> Option<serde_json::Value> {
    if !v.is_finite() {
        return None;
    }
    const EXACT_INT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT_INT {
        return Some(serde_json::Value::Number(serde_json::Number::from(v as i64)));
    }
    serde_json::Number::from_f64(v).map(serde_json::Value::Number)
}

/// Milliseconds since the epoch as RFC 3339 in UTC (`2026-11-22T00:00:00Z`, fractions only
/// when there are any); the number itself when out of range.
pub fn timestamp_ms_rfc3339(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_string(),
        Err(_) => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_number;

    #[test]
    fn shortest_round_trip_without_exponent() {
        assert_eq!(fmt_number(5.0), "5");
        assert_eq!(fmt_number(-0.0), "0");
        assert_eq!(fmt_number(0.1), "0.1");
        assert_eq!(fmt_number(1e21), "1000000000000000000000");
        assert_eq!(fmt_number(1e-7), "0.0000001");
        assert_eq!(fmt_number(1024.1024), "1024.1024");
        assert_eq!(fmt_number(f64::NEG_INFINITY), "-Inf");
    }
}
