//! Nagios ranges and the plain threshold forms: parsing never panics; what parses evaluates
//! every value, and its canonical text parses back to the same range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::{Range, Threshold, ThresholdForm};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (warn, crit) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(r) = Range::parse("warn", warn) {
        let again = Range::parse("warn", &r.to_string()).expect("a range's text parses");
        assert_eq!(again, r, "{warn:?} -> {r}");
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -1.0, 1e300, r.start(), r.end()] {
            let _ = r.alerts(v);
        }
    }
    if let Ok(t) = Threshold::parse(Some(warn), Some(crit)) {
        let _ = t.evaluate_many(&[f64::NAN, 0.0, 1e308, -1e308, 42.0]);
    }
    if let Some((name, bound)) = warn.split_once(' ')
        && let Ok(bound) = bound.parse::<f64>()
        && let Ok(form) = ThresholdForm::from_name("warn", name, bound)
    {
        let _ = form.to_range("warn");
    }
});
