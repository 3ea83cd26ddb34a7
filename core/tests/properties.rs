//! Invariants that hold for every input, not only the vectors.

use opsbook::{
    CheckResult, HealthDetail, HealthReport, Measurement, Range, Threshold, to_health_json, to_nagios, to_prometheus,
};
use proptest::prelude::*;

proptest! {
    /// No text, however bad, makes range parsing panic; whatever parses has a canonical
    /// text that parses back to the same range.
    #[test]
    fn range_parse_never_panics_and_round_trips(text in ".{0,24}") {
        if let Ok(r) = Range::parse("warn", &text) {
            prop_assert_eq!(Range::parse("warn", &r.to_string()).unwrap(), r);
        }
    }

    #[test]
    fn range_like_text_round_trips(at in any::<bool>(), a in -1e6f64..1e6, b in -1e6f64..1e6, shape in 0u8..4) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let body = match shape { 0 => format!("{lo}:{hi}"), 1 => format!("~:{hi}"), 2 => format!("{lo}:"), _ => format!("{}", hi.abs()) };
        let text = if at { format!("@{body}") } else { body };
        let r = Range::parse("crit", &text).unwrap();
        prop_assert_eq!(Range::parse("crit", &r.to_string()).unwrap(), r);
    }

    /// Moving a value further past an "above" bound never makes its status less severe.
    #[test]
    fn status_is_monotonic_past_a_bound(warn in -1e3f64..1e3, gap in 0f64..1e3, v in -1e4f64..1e4, step in 0f64..1e4) {
        let t = Threshold::new(Some(Range::parse("warn", &format!("~:{warn}")).unwrap()),
                               Some(Range::parse("crit", &format!("~:{}", warn + gap)).unwrap()));
        prop_assert!(t.evaluate(v + step).severity() >= t.evaluate(v).severity());
    }

    /// Any names, units, labels and values render without panicking, and Nagios output
    /// stays one status line (plus long output) with a parseable exit code.
    #[test]
    fn renderings_never_panic(name in ".{0,12}", unit in proptest::option::of(".{0,4}"),
                              value in proptest::num::f64::ANY, label in ".{0,8}") {
        // Names with control characters or only blanks are refused with an error; that is
        // the behaviour under test for them.
        let Ok(m) = Measurement::new(name.clone(), value) else { return Ok(()) };
        let mut m = m.with_label("l", label).unwrap();
        m.unit = unit;
        let report = HealthReport::new(vec![CheckResult::from_measurements(name, vec![m]).unwrap()]);
        let _ = to_health_json(&report, HealthDetail::Detailed);
        let _ = to_prometheus(&report);
        let n = to_nagios(&report);
        prop_assert!(n.exit_code <= 3);
        prop_assert_eq!(n.text.lines().count(), 1, "{:?}", n.text);
    }
}

proptest! {
    /// Exact linear data is predicted exactly (to rounding), and shifting every timestamp by
    /// the same amount changes neither the slope nor the prediction.
    #[test]
    fn forecasts_are_exact_on_lines_and_shift_invariant(
        a in -1e3f64..1e3, b in -1e2f64..1e2, n in 3usize..60, step_s in 1i64..3600, shift_s in -1_000_000i64..1_000_000, ahead in 0f64..86_400.0,
    ) {
        use opsbook::forecast::Sample;
        use opsbook::forecast::linear::{deriv, predict_linear};
        let base = 1_700_000_000_000i64;
        let line = |shift: i64| -> Vec<Sample> {
            (0..n as i64).map(|i| Sample::new(base + shift * 1000 + i * step_s * 1000, a + b * (i * step_s) as f64)).collect()
        };
        let s = line(0);
        let last = s[n - 1].t_ms;
        let want = a + b * ((n as i64 - 1) * step_s) as f64 + b * ahead;
        let got = predict_linear(&s, last, ahead).unwrap();
        prop_assert!((got - want).abs() <= 1e-6 * want.abs().max(1.0), "{} vs {}", got, want);
        let shifted = line(shift_s);
        let d0 = deriv(&s).unwrap();
        let d1 = deriv(&shifted).unwrap();
        prop_assert!((d0 - d1).abs() <= 1e-9 * d0.abs().max(1.0), "{} vs {}", d0, d1);
        let p1 = predict_linear(&shifted, last + shift_s * 1000, ahead).unwrap();
        prop_assert!((got - p1).abs() <= 1e-6 * got.abs().max(1.0), "{} vs {}", got, p1);
    }
}
