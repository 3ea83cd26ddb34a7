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

mod backups_and_messages {
    use opsbook::alert::truncate::{ELLIPSIS, Unit, truncate};
    use opsbook::backup::checksum::Algorithm;
    use opsbook::backup::manifest::{FileEntry, Manifest, WalRange, format_lsn, safe_relative_path};
    use opsbook::backup::retention::{Backup, Count, Policy, apply};
    use proptest::prelude::*;

    fn algorithm() -> impl Strategy<Value = Algorithm> {
        prop_oneof![
            Just(Algorithm::None),
            Just(Algorithm::Crc32c),
            Just(Algorithm::Sha224),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha384),
            Just(Algorithm::Sha512),
        ]
    }

    fn file() -> impl Strategy<Value = FileEntry> {
        (
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..24),
                "[a-z0-9_/.]{1,24}".prop_map(String::into_bytes)
            ],
            any::<u64>(),
            (1970u32..2100, 1u32..13, 1u32..29, 0u32..24, 0u32..60, 0u32..60),
            algorithm(),
            any::<[u8; 64]>(),
        )
            .prop_map(|(path, size, (y, mo, d, h, mi, s), algorithm, digest)| FileEntry {
                path,
                size,
                last_modified: format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} GMT"),
                algorithm,
                checksum: digest[..algorithm.digest_len()].to_vec(),
            })
    }

    fn manifest() -> impl Strategy<Value = Manifest> {
        (
            prop_oneof![Just(1u32), Just(2u32)],
            any::<u64>(),
            proptest::collection::vec(file(), 0..12),
            proptest::option::of(proptest::collection::vec((any::<u32>(), any::<u64>(), any::<u64>()), 0..3)),
        )
            .prop_map(|(version, id, mut files, wal)| {
                // Paths are unique, relative and without . or .. components (what a manifest
                // may hold: PostgreSQL refuses the rest, and so does the parser).
                let mut seen = std::collections::HashSet::new();
                files.retain(|f| safe_relative_path(&f.path) && seen.insert(f.path.clone()));
                Manifest {
                    version,
                    system_identifier: (version == 2).then_some(id),
                    files,
                    wal_ranges: wal.map(|ranges| {
                        ranges
                            .into_iter()
                            .map(|(timeline, a, b)| WalRange {
                                timeline,
                                start_lsn: format_lsn(a.min(b)),
                                end_lsn: format_lsn(a.max(b)),
                            })
                            .collect()
                    }),
                }
            })
    }

    fn count() -> impl Strategy<Value = Count> {
        prop_oneof![Just(Count::Off), (0u32..6).prop_map(Count::N), Just(Count::Unlimited)]
    }

    proptest! {
        /// Whatever the names (any bytes), sizes, times and checksums: a manifest written,
        /// read and written again gives the same bytes, and reads back as the same manifest.
        #[test]
        fn manifest_write_read_write_is_byte_identical(m in manifest()) {
            let first = m.to_bytes();
            let read = Manifest::parse(&first).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&read, &m);
            prop_assert_eq!(read.to_bytes(), first);
        }

        /// restic's rules applied to the backups they keep keep the same backups.
        #[test]
        fn retention_keeps_its_own_keep_list(
            hours in proptest::collection::btree_set(0i64..(24 * 400), 1..40),
            last in count(), hourly in count(), daily in count(), weekly in count(),
            monthly in count(), yearly in count(),
        ) {
            let start = jiff::Timestamp::from_second(1_700_000_000).unwrap();
            let backups: Vec<Backup> = hours
                .iter()
                .map(|h| Backup {
                    id: format!("b{h}"),
                    time: (start + jiff::SignedDuration::from_hours(*h)).to_zoned(jiff::tz::TimeZone::UTC),
                    host: "db".into(),
                    paths: vec!["/data".into()],
                    tags: vec![],
                    kind: String::new(),
                    base: None,
                })
                .collect();
            let policy = Policy { last, hourly, daily, weekly, monthly, yearly, ..Policy::default() };
            prop_assume!(!policy.is_empty());
            let now = start + jiff::SignedDuration::from_hours(24 * 400);
            let first = apply(&backups, &policy, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let kept: Vec<Backup> = first.keep.iter().map(|k| k.backup.clone()).collect();
            let again = apply(&kept, &policy, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let ids = |d: &opsbook::backup::retention::Decision| -> Vec<String> {
                d.keep.iter().map(|k| k.backup.id.clone()).collect()
            };
            prop_assert_eq!(ids(&again), ids(&first));
            prop_assert!(again.forget.is_empty());
        }

        /// Truncation never splits a character (what is left is a prefix of the text, plus
        /// the marker) and never exceeds the limit, in bytes or in characters.
        #[test]
        fn truncation_keeps_characters_whole_and_fits(text in "\\PC{0,80}", limit in 0usize..120, bytes in any::<bool>()) {
            let unit = if bytes { Unit::Bytes } else { Unit::Chars };
            let size = |s: &str| if bytes { s.len() } else { s.chars().count() };
            let cut = truncate(&text, limit, unit);
            prop_assert!(size(&cut) <= limit || (size(&text) <= limit && cut == text), "{:?} -> {:?}", text, cut);
            if size(&text) <= limit {
                prop_assert_eq!(&cut, &text);
            } else {
                let kept = cut.strip_suffix(ELLIPSIS).unwrap_or(&cut);
                prop_assert!(text.starts_with(kept), "{:?} is not a prefix of {:?}", kept, text);
                prop_assert!(size(&cut) <= limit);
            }
        }
    }
}
