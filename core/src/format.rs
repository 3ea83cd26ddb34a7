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
    } else {
        format!("{value}")
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
