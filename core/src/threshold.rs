//! Nagios ranges and warn/crit thresholds, as monitoring-plugins reads them
//! (`lib/utils_base.c`, `parse_range_string` / `check_range` / `get_status`).
//!
//! One evaluator serves every form: the plain forms the manuals use (`above`, `at_or_above`,
//! `below`, `at_or_below`) are mapped onto Nagios ranges. opsbook is stricter than
//! monitoring-plugins in one deliberate way: text that is not a well-formed range (`abc`,
//! `1:2:3`, an empty string, a bare `@`) is rejected instead of being read leniently.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::format::fmt_number;
use crate::status::Status;

/// A Nagios range `[@]start:end`. Ends are inclusive; `start` may be `-inf` (`~`) and
/// `end` may be `+inf` (omitted). By default a value *outside* the range alerts; with
/// `@` (`inside = true`) a value inside it does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    start: f64,
    end: f64,
    inside: bool,
}

/// The plain threshold forms of the manuals, each one Nagios range (see DESIGN's Contract).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThresholdForm {
    /// Alert when value > N (`~:N`).
    Above(f64),
    /// Alert when value ≥ N (`@N:`).
    AtOrAbove(f64),
    /// Alert when value < N (`N:`).
    Below(f64),
    /// Alert when value ≤ N (`@~:N`).
    AtOrBelow(f64),
}

impl ThresholdForm {
    /// The names used in policy files and every binding.
    pub const NAMES: [&'static str; 4] = ["above", "at_or_above", "below", "at_or_below"];

    /// Builds a form from its name (`above`, `at_or_above`, `below`, `at_or_below`).
    pub fn from_name(field: &str, name: &str, bound: f64) -> Result<ThresholdForm> {
        let form = match name {
            "above" => ThresholdForm::Above(bound),
            "at_or_above" => ThresholdForm::AtOrAbove(bound),
            "below" => ThresholdForm::Below(bound),
            "at_or_below" => ThresholdForm::AtOrBelow(bound),
            _ => {
                return Err(Error::invalid_range(
                    field,
                    name,
                    "unknown threshold form; expected above, at_or_above, below or at_or_below",
                ));
            }
        };
        Ok(form)
    }

    pub fn name(self) -> &'static str {
        match self {
            ThresholdForm::Above(_) => "above",
            ThresholdForm::AtOrAbove(_) => "at_or_above",
            ThresholdForm::Below(_) => "below",
            ThresholdForm::AtOrBelow(_) => "at_or_below",
        }
    }

    pub fn bound(self) -> f64 {
        match self {
            ThresholdForm::Above(n)
            | ThresholdForm::AtOrAbove(n)
            | ThresholdForm::Below(n)
            | ThresholdForm::AtOrBelow(n) => n,
        }
    }

    /// The Nagios range this form stands for. `field` names the setting in errors.
    pub fn to_range(self, field: &str) -> Result<Range> {
        let n = self.bound();
        if !n.is_finite() {
            return Err(Error::invalid_range(
                field,
                &fmt_number(n),
                format!("the bound of `{}` must be a finite number", self.name()),
            ));
        }
        let range = match self {
            ThresholdForm::Above(_) => Range { start: f64::NEG_INFINITY, end: n, inside: false },
            ThresholdForm::AtOrAbove(_) => Range { start: n, end: f64::INFINITY, inside: true },
            ThresholdForm::Below(_) => Range { start: n, end: f64::INFINITY, inside: false },
            ThresholdForm::AtOrBelow(_) => Range { start: f64::NEG_INFINITY, end: n, inside: true },
        };
        Ok(range)
    }
}

impl Range {
    /// A range from its parts. `field` names the setting in errors; start must not exceed end
    /// and neither may be NaN.
    pub fn new(field: &str, start: f64, end: f64, inside: bool) -> Result<Range> {
        if start.is_nan() || end.is_nan() {
            return Err(Error::invalid_range(field, "NaN", "range ends must be numbers"));
        }
        if start == f64::INFINITY || end == f64::NEG_INFINITY {
            return Err(Error::invalid_range(
                field,
                &format!("{}:{}", fmt_number(start), fmt_number(end)),
                "start may only be -inf and end only +inf",
            ));
        }
        if start > end {
            let text = Range { start, end, inside }.to_string();
            return Err(Error::invalid_range(
                field,
                &text,
                format!("start {} is greater than end {}", fmt_number(start), fmt_number(end)),
            ));
        }
        Ok(Range { start, end, inside })
    }

    /// Parses Nagios range syntax: `10`, `10:`, `~:10`, `10:20`, `@10:20`, `:5` (start 0),
    /// with a trailing `%` on a number ignored; also a plain form written as words
    /// (`above 70`, `at_or_below 95`). `field` names the setting in errors.
    pub fn parse(field: &str, text: &str) -> Result<Range> {
        let bad = |reason: &str| Error::invalid_range(field, text, reason);
        let body = text.trim();
        if body.is_empty() {
            return Err(bad("a range cannot be empty"));
        }
        if body.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let (name, bound) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
            let bound = parse_bound(bound.trim()).map_err(|r| bad(&r))?;
            let form = ThresholdForm::from_name(field, name, bound)
                .map_err(|_| bad("not a range; expected [@]start:end or above/at_or_above/below/at_or_below N"))?;
            return form.to_range(field);
        }
        let (inside, body) = match body.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        if body.is_empty() {
            return Err(bad("`@` must be followed by a range"));
        }
        let mut parts = body.split(':');
        let first = parts.next().unwrap_or_default();
        let second = parts.next();
        if parts.next().is_some() {
            return Err(bad("a range has at most one `:`"));
        }
        let (start, end) = match second {
            None => (0.0, parse_bound(first).map_err(|r| bad(&r))?),
            Some(end_text) => {
                let start = match first {
                    "" => 0.0,
                    "~" => f64::NEG_INFINITY,
                    s => parse_bound(s).map_err(|r| bad(&r))?,
                };
                let end = match end_text {
                    "" => f64::INFINITY,
                    s => parse_bound(s).map_err(|r| bad(&r))?,
                };
                (start, end)
            }
        };
        if start > end {
            return Err(bad(&format!("start {} is greater than end {}", fmt_number(start), fmt_number(end))));
        }
        Ok(Range { start, end, inside })
    }

    pub fn start(&self) -> f64 {
        self.start
    }

    pub fn end(&self) -> f64 {
        self.end
    }

    /// True when a value inside the range alerts (`@`).
    pub fn inside(&self) -> bool {
        self.inside
    }

    /// Whether `value` raises an alert against this range. NaN never alerts here: the
    /// threshold turns NaN into UNKNOWN before asking.
    pub fn alerts(&self, value: f64) -> bool {
        if value.is_nan() {
            return false;
        }
        let within = self.start <= value && value <= self.end;
        within == self.inside
    }
}

impl fmt::Display for Range {
    /// The shortest Nagios text that reads back as this range (`10` for `0:10`, `~:10`, `10:`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inside {
            f.write_str("@")?;
        }
        if self.start == f64::NEG_INFINITY {
            f.write_str("~:")?;
        } else if self.start != 0.0 || self.end == f64::INFINITY {
            write!(f, "{}:", fmt_number(self.start))?;
        }
        if self.end != f64::INFINITY {
            f.write_str(&fmt_number(self.end))?;
        }
        Ok(())
    }
}

impl FromStr for Range {
    type Err = Error;

    fn from_str(s: &str) -> Result<Range> {
        Range::parse("range", s)
    }
}

/// Reads one end of a range: a decimal number, optionally followed by `%`.
fn parse_bound(text: &str) -> std::result::Result<f64, String> {
    let number = text.strip_suffix('%').unwrap_or(text);
    let well_formed = !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && number.bytes().any(|b| b.is_ascii_digit());
    match number.parse::<f64>() {
        Ok(v) if well_formed && v.is_finite() => Ok(v),
        Ok(_) if well_formed => Err(format!("{text:?} is out of range for a number")),
        _ => Err(format!("{text:?} is not a number")),
    }
}

/// A pair of warn/crit ranges. Critical is checked before warning; NaN is UNKNOWN.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Threshold {
    pub warn: Option<Range>,
    pub crit: Option<Range>,
}

impl Threshold {
    pub fn new(warn: Option<Range>, crit: Option<Range>) -> Threshold {
        Threshold { warn, crit }
    }

    /// Parses warn and crit from Nagios range text (either may be absent).
    pub fn parse(warn: Option<&str>, crit: Option<&str>) -> Result<Threshold> {
        Ok(Threshold {
            warn: warn.map(|t| Range::parse("warn", t)).transpose()?,
            crit: crit.map(|t| Range::parse("crit", t)).transpose()?,
        })
    }

    /// Status of `value`: UNKNOWN for NaN, CRITICAL if crit alerts, else WARNING if warn
    /// alerts, else OK.
    pub fn evaluate(&self, value: f64) -> Status {
        evaluate(self.warn.as_ref(), self.crit.as_ref(), value)
    }

    /// Status of each value, in order (a replay of recorded measurements).
    pub fn evaluate_many(&self, values: &[f64]) -> Vec<Status> {
        values.iter().map(|&v| self.evaluate(v)).collect()
    }
}

/// The shared evaluator behind `Threshold::evaluate` and `Measurement::status`.
pub fn evaluate(warn: Option<&Range>, crit: Option<&Range>, value: f64) -> Status {
    if value.is_nan() {
        Status::Unknown
    } else if crit.is_some_and(|r| r.alerts(value)) {
        Status::Critical
    } else if warn.is_some_and(|r| r.alerts(value)) {
        Status::Warning
    } else {
        Status::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_forms_match_their_words() {
        let above = ThresholdForm::Above(80.0).to_range("warn").unwrap();
        assert!(!above.alerts(80.0) && above.alerts(80.5));
        let at_or_above = ThresholdForm::AtOrAbove(100.0).to_range("warn").unwrap();
        assert!(at_or_above.alerts(100.0) && !at_or_above.alerts(99.9));
        let below = ThresholdForm::Below(90.0).to_range("crit").unwrap();
        assert!(below.alerts(89.9) && !below.alerts(90.0));
        let at_or_below = ThresholdForm::AtOrBelow(95.0).to_range("warn").unwrap();
        assert!(at_or_below.alerts(95.0) && !at_or_below.alerts(95.1));
        assert_eq!(above.to_string(), "~:80");
        assert_eq!(at_or_above.to_string(), "@100:");
        assert_eq!(below.to_string(), "90:");
        assert_eq!(at_or_below.to_string(), "@~:95");
    }

    #[test]
    fn canonical_text_reads_back() {
        for text in ["10", "10:", "~:10", "10:20", "@10:20", "@1:1", "-7:23", "~:", "@0", "0:"] {
            let r = Range::parse("t", text).unwrap();
            assert_eq!(Range::parse("t", &r.to_string()).unwrap(), r, "{text}");
        }
    }

    #[test]
    fn errors_name_field_and_value() {
        let e = Range::parse("warn", "2:1").unwrap_err().to_string();
        assert!(e.contains("warn") && e.contains("\"2:1\""), "{e}");
        let e = ThresholdForm::Above(f64::NAN).to_range("crit").unwrap_err().to_string();
        assert!(e.contains("crit") && e.contains("NaN"), "{e}");
        assert!(Range::parse("warn", "inf").is_err());
        assert!(Range::parse("warn", "1e999").is_err());
        assert!(Range::parse("warn", "--1").is_err());
        assert_eq!(Range::parse("warn", "above 70").unwrap().to_string(), "~:70");
        assert_eq!(Range::parse("warn", "at_or_below  95").unwrap().to_string(), "@~:95");
        assert!(Range::parse("warn", "above").is_err());
        assert!(Range::parse("warn", "over 5").is_err());
    }
}
