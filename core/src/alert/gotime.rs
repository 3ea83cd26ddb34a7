//! Times as Go templates print and format them: Go's `time.Time.String()`
//! (`2024-05-01 16:00:00 +0800 CST`), Go reference layouts (`2006-01-02 15:04:05`) as
//! Alertmanager 0.28's `date` takes them, and time zones from the IANA database bundled
//! with jiff (so `Asia/Shanghai` works on hosts without tzdata).

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::error::{Error, Result};

/// A time zone by IANA name (`UTC`, `Asia/Shanghai`, `Local`).
pub fn time_zone(name: &str) -> Result<TimeZone> {
    match name {
        "" | "UTC" => Ok(TimeZone::UTC),
        "Local" => Ok(TimeZone::system()),
        _ => TimeZone::get(name)
            .map_err(|_| Error::invalid_value("tz", name, "unknown time zone (IANA names, e.g. Asia/Shanghai)")),
    }
}

/// A point in time shown in a zone.
#[derive(Debug, Clone)]
pub struct GoTime {
    pub timestamp: Timestamp,
    pub zone: TimeZone,
}

impl GoTime {
    pub fn from_millis(ms: i64, zone: TimeZone) -> Result<GoTime> {
        let timestamp = Timestamp::from_millisecond(ms)
            .map_err(|e| Error::invalid_value("time", &ms.to_string(), e.to_string()))?;
        Ok(GoTime { timestamp, zone })
    }

    pub fn millis(&self) -> i64 {
        self.timestamp.as_millisecond()
    }

    /// Go's zero time (`0001-01-01T00:00:00Z`), which Alertmanager sends as `endsAt` of a
    /// firing alert.
    pub fn is_zero(&self) -> bool {
        self.timestamp.as_second() == -62_135_596_800
    }

    /// The same instant in another zone.
    pub fn in_zone(&self, zone: TimeZone) -> GoTime {
        GoTime { timestamp: self.timestamp, zone }
    }

    /// Go's layout formatting: the reference time `Mon Jan 2 15:04:05 MST 2006` written the
    /// way the result should look.
    pub fn format(&self, layout: &str) -> String {
        format_layout(&self.timestamp.to_zoned(self.zone.clone()), layout)
    }
}

impl std::fmt::Display for GoTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format("2006-01-02 15:04:05.999999999 -0700 MST"))
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

fn offset_text(seconds: i32, colon: bool, with_seconds: bool, hours_only: bool, z: bool) -> String {
    if z && seconds == 0 {
        return "Z".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    let sep = if colon { ":" } else { "" };
    let mut out = format!("{sign}{h:02}");
    if !hours_only {
        out.push_str(&format!("{sep}{m:02}"));
    }
    if with_seconds {
        out.push_str(&format!("{sep}{sec:02}"));
    }
    out
}

/// Go's `time.Time.Format`: the chunks of `nextStdChunk`, tried at each position in Go's
/// order; everything else is copied.
fn format_layout(t: &jiff::Zoned, layout: &str) -> String {
    let mut out = String::with_capacity(layout.len() + 8);
    let b = layout.as_bytes();
    let mut i = 0;
    let starts = |i: usize, s: &str| layout[i..].starts_with(s);
    let offset = t.offset().seconds();
    let hour = t.hour() as i32;
    while i < b.len() {
        let c = b[i];
        // Longest and most specific first, as Go's nextStdChunk does.
        let (text, len): (String, usize) = match c {
            b'J' if starts(i, "January") => (MONTHS[t.month() as usize - 1].into(), 7),
            b'J' if starts(i, "Jan") => (MONTHS[t.month() as usize - 1][..3].into(), 3),
            b'M' if starts(i, "Monday") => (DAYS[t.weekday().to_sunday_zero_offset() as usize].into(), 6),
            b'M' if starts(i, "Mon") => (DAYS[t.weekday().to_sunday_zero_offset() as usize][..3].into(), 3),
            b'M' if starts(i, "MST") => {
                let info = t.time_zone().to_offset_info(t.timestamp());
                let abbr = info.abbreviation();
                // Go prints the offset where the zone has no abbreviation of letters.
                let abbr = if abbr.chars().all(|c| c.is_ascii_alphabetic()) && !abbr.is_empty() {
                    abbr.to_owned()
                } else {
                    offset_text(offset, false, false, offset % 3600 == 0, false)
                };
                (abbr, 3)
            }
            b'0' if starts(i, "01") => (format!("{:02}", t.month()), 2),
            b'0' if starts(i, "02") => (format!("{:02}", t.day()), 2),
            b'0' if starts(i, "03") => (format!("{:02}", if hour % 12 == 0 { 12 } else { hour % 12 }), 2),
            b'0' if starts(i, "04") => (format!("{:02}", t.minute()), 2),
            b'0' if starts(i, "05") => (format!("{:02}", t.second()), 2),
            b'0' if starts(i, "06") => (format!("{:02}", t.year().rem_euclid(100)), 2),
            b'0' if starts(i, "002") => (format!("{:03}", t.day_of_year()), 3),
            b'1' if starts(i, "15") => (format!("{hour:02}"), 2),
            b'1' => (t.month().to_string(), 1),
            b'2' if starts(i, "2006") => (format!("{:04}", t.year()), 4),
            b'2' => (t.day().to_string(), 1),
            b'_' if starts(i, "_2") && !starts(i, "_2006") => (format!("{:>2}", t.day()), 2),
            b'_' if starts(i, "__2") => (format!("{:>3}", t.day_of_year()), 3),
            b'3' => ((if hour % 12 == 0 { 12 } else { hour % 12 }).to_string(), 1),
            b'4' => (t.minute().to_string(), 1),
            b'5' => (t.second().to_string(), 1),
            b'P' if starts(i, "PM") => ((if hour >= 12 { "PM" } else { "AM" }).into(), 2),
            b'p' if starts(i, "pm") => ((if hour >= 12 { "pm" } else { "am" }).into(), 2),
            b'-' if starts(i, "-07:00:00") => (offset_text(offset, true, true, false, false), 9),
            b'-' if starts(i, "-070000") => (offset_text(offset, false, true, false, false), 7),
            b'-' if starts(i, "-07:00") => (offset_text(offset, true, false, false, false), 6),
            b'-' if starts(i, "-0700") => (offset_text(offset, false, false, false, false), 5),
            b'-' if starts(i, "-07") => (offset_text(offset, false, false, true, false), 3),
            b'Z' if starts(i, "Z07:00:00") => (offset_text(offset, true, true, false, true), 9),
            b'Z' if starts(i, "Z070000") => (offset_text(offset, false, true, false, true), 7),
            b'Z' if starts(i, "Z07:00") => (offset_text(offset, true, false, false, true), 6),
            b'Z' if starts(i, "Z0700") => (offset_text(offset, false, false, false, true), 5),
            b'Z' if starts(i, "Z07") => (offset_text(offset, false, false, true, true), 3),
            b'.' | b',' if i + 1 < b.len() && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let digit = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == digit {
                    j += 1;
                }
                // A run of 0s or 9s after the point is a fraction only when no digit follows.
                if j < b.len() && b[j].is_ascii_digit() {
                    (char::from(c).to_string(), 1)
                } else {
                    let n = j - i - 1;
                    let nanos = format!("{:09}", t.subsec_nanosecond());
                    let digits = &nanos[..n.min(9)];
                    let text = if digit == b'9' {
                        let trimmed = digits.trim_end_matches('0');
                        if trimmed.is_empty() { String::new() } else { format!("{}{trimmed}", char::from(c)) }
                    } else {
                        format!("{}{digits}", char::from(c))
                    };
                    (text, j - i)
                }
            }
            _ => {
                let ch = layout[i..].chars().next().expect("in bounds");
                (ch.to_string(), ch.len_utf8())
            }
        };
        out.push_str(&text);
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64, zone: &str) -> GoTime {
        GoTime::from_millis(ms, time_zone(zone).unwrap()).unwrap()
    }

    #[test]
    fn go_layouts() {
        // 2024-05-01T08:00:00.123Z; expectations written from Go's time package docs.
        let t = at(1_714_550_400_123, "UTC");
        assert_eq!(t.to_string(), "2024-05-01 08:00:00.123 +0000 UTC");
        assert_eq!(t.format("2006-01-02 15:04:05"), "2024-05-01 08:00:00");
        assert_eq!(t.format(time_layout_rfc3339()), "2024-05-01T08:00:00Z");
        assert_eq!(t.format("Jan _2 3:04PM .000"), "May  1 8:00AM .123");
        assert_eq!(t.format("Monday, 02-Jan-06 15:04:05 MST"), "Wednesday, 01-May-24 08:00:00 UTC");
        let sh = t.in_zone(time_zone("Asia/Shanghai").unwrap());
        assert_eq!(sh.to_string(), "2024-05-01 16:00:00.123 +0800 CST");
        assert_eq!(sh.format("2006-01-02T15:04:05Z07:00"), "2024-05-01T16:00:00+08:00");
        assert_eq!(sh.format("3pm -07"), "4pm +08");
        assert!(time_zone("Mars/Olympus").unwrap_err().to_string().contains("Mars/Olympus"));
    }

    fn time_layout_rfc3339() -> &'static str {
        "2006-01-02T15:04:05Z07:00"
    }
}
