//! Forecast functions against Prometheus' own test cases (promql/promqltest/testdata/
//! functions.test, "Tests for deriv() and predict_linear()", whose worked example gives
//! sumX 16500, sumY 250, sumXY 480000, sumX2 34650000, covXY 105000, varX 9900000) and
//! hand-computed values. These move to tests/vectors/ once the front doors expose forecasts.

use opsbook::forecast::growth::{compound, doubling_time, rate_between};
use opsbook::forecast::linear::{deriv, predict_linear};
use opsbook::forecast::smoothing::double_exponential_smoothing;
use opsbook::forecast::{RangeMode, Sample, samples, select};

const M5: i64 = 300_000;

/// `load 5m` of a series written as values, starting at t = 0.
fn load(values: &[f64]) -> Vec<Sample> {
    values.iter().enumerate().map(|(i, &v)| Sample::new(i as i64 * M5, v)).collect()
}

/// testcounter_reset_middle_total 0+10x4 0+10x5
fn reset_middle() -> Vec<Sample> {
    load(&[0.0, 10.0, 20.0, 30.0, 40.0, 0.0, 10.0, 20.0, 30.0, 40.0, 50.0])
}

const MIN: i64 = 60_000;

#[test]
fn deriv_cases() {
    let s = reset_middle();
    // eval instant at 50m deriv(testcounter_reset_middle_total[100m]) → 0.010606060606060607
    assert_eq!(deriv(select(&s, 50 * MIN, 100 * MIN, RangeMode::LeftOpen)).unwrap(), 0.010606060606060607);
    // http_requests_total 0+80x10: deriv([50m]) at 50m = rate = 0.26666666666666666
    let http = load(&(0..=10).map(|i| 80.0 * i as f64).collect::<Vec<_>>());
    assert_eq!(deriv(select(&http, 50 * MIN, 50 * MIN, RangeMode::LeftOpen)).unwrap(), 0.26666666666666666);
    // http_requests_inf -Inf 0+80x10 Inf: deriv([100m]) at 100m → NaN
    let mut inf = vec![f64::NEG_INFINITY];
    inf.extend((0..=10).map(|i| 80.0 * i as f64));
    inf.push(f64::INFINITY);
    assert!(deriv(select(&load(&inf), 100 * MIN, 100 * MIN, RangeMode::LeftOpen)).unwrap().is_nan());
    // A constant series has slope 0; a constant infinite one NaN.
    assert_eq!(deriv(&load(&[7.0, 7.0, 7.0])).unwrap(), 0.0);
    assert!(deriv(&load(&[f64::INFINITY, f64::INFINITY])).unwrap().is_nan());
    let err = deriv(&load(&[1.0])).unwrap_err().to_string();
    assert!(err.contains("at least 2 samples"), "{err}");
}

#[test]
fn predict_linear_cases() {
    let s = reset_middle();
    // eval instant at 50m predict_linear(testcounter_reset_middle_total[50m], 3600) → 70
    assert_eq!(predict_linear(select(&s, 50 * MIN, 50 * MIN, RangeMode::LeftOpen), 50 * MIN, 3600.0).unwrap(), 70.0);
    // [55m] @ 3000 selects all 11 samples; the intercept is at the evaluation time.
    let all = select(&s, 50 * MIN, 55 * MIN, RangeMode::LeftOpen);
    assert_eq!(all.len(), 11);
    assert_eq!(predict_linear(all, 50 * MIN, 3600.0).unwrap(), 76.81818181818181);
    assert_eq!(predict_linear(all, 10 * MIN, 3600.0).unwrap(), 51.36363636363637);
    assert_eq!(predict_linear(all, 70 * MIN, 3600.0).unwrap(), 89.54545454545455);
    // The worked example's intercepts: at t=0 6.818181818181818, at t=3000 38.63636363636364.
    assert!((predict_linear(all, 0, 0.0).unwrap() - 6.818181818181818).abs() < 1e-12);
    assert!((predict_linear(all, 50 * MIN, 0.0).unwrap() - 38.63636363636364).abs() < 1e-12);
    // Exact linear data is predicted exactly, and shifting time changes nothing.
    let line: Vec<Sample> =
        (0..20).map(|i| Sample::new(1_700_000_000_000 + i * 15_000, 3.0 + 0.5 * i as f64 * 15.0)).collect();
    let last = line.last().unwrap().t_ms;
    assert_eq!(predict_linear(&line, last, 60.0).unwrap(), 3.0 + 0.5 * (19.0 * 15.0 + 60.0));
    assert_eq!(deriv(&line).unwrap(), 0.5);
}

#[test]
fn range_modes() {
    let s = reset_middle();
    // Prometheus 3 leaves the sample at t - range out; Prometheus 2 keeps it.
    assert_eq!(select(&s, 50 * MIN, 50 * MIN, RangeMode::LeftOpen).len(), 10);
    assert_eq!(select(&s, 50 * MIN, 50 * MIN, RangeMode::Closed).len(), 11);
    assert_eq!(select(&s, 50 * MIN, 0, RangeMode::LeftOpen).len(), 0);
    assert_eq!(select(&s, 50 * MIN, 0, RangeMode::Closed).len(), 1);
    assert_eq!(select(&s, -1, 10 * MIN, RangeMode::Closed).len(), 0);
    let e = samples(&[0, 10, 10], &[1.0, 2.0, 3.0]).unwrap_err().to_string();
    assert!(e.contains("timestamps must increase"), "{e}");
    assert!(samples(&[0, 10], &[1.0]).is_err());
}

#[test]
fn double_exponential_smoothing_cases() {
    // Exact linear data comes out exactly (trend initialised as the first difference).
    // (exactly with dyadic factors, to rounding with others).
    assert_eq!(double_exponential_smoothing(&load(&[1.0, 2.0, 3.0, 4.0, 5.0]), 0.5, 0.25).unwrap(), 5.0);
    assert!((double_exponential_smoothing(&load(&[1.0, 2.0, 3.0, 4.0, 5.0]), 0.3, 0.6).unwrap() - 5.0).abs() < 1e-12);
    // Hand-computed with the recurrence: [0, 10, 0], sf = tf = 0.5:
    //   s1=0 b=10; i=1: s=0.5*10 + 0.5*(0+10) = 10; i=2: b=0.5*(10-0)+0.5*10 = 10, s=0 + 0.5*(10+10) = 10
    assert_eq!(double_exponential_smoothing(&load(&[0.0, 10.0, 0.0]), 0.5, 0.5).unwrap(), 10.0);
    // [1, 3, 2, 5], sf = 0.5, tf = 0.5:
    //   s1=1 b=2; i=1: s=1.5+0.5*(1+2)=3; i=2: b=0.5*(3-1)+0.5*2=2, s=1+0.5*(3+2)=3.5;
    //   i=3: b=0.5*(3.5-3)+0.5*2=1.25, s=2.5+0.5*(3.5+1.25)=4.875
    assert_eq!(double_exponential_smoothing(&load(&[1.0, 3.0, 2.0, 5.0]), 0.5, 0.5).unwrap(), 4.875);
    for (sf, tf) in [(0.0, 0.5), (1.0, 0.5), (0.5, 0.0), (0.5, 1.0), (f64::NAN, 0.5)] {
        assert!(double_exponential_smoothing(&load(&[1.0, 2.0]), sf, tf).is_err(), "{sf} {tf}");
    }
    assert!(double_exponential_smoothing(&load(&[1.0]), 0.5, 0.5).unwrap_err().to_string().contains("at least 2"));
}

#[test]
fn the_manuals_compound_growth() {
    // predicted = current × (1 + g)^months, g = 10 %: 1000 users in 6 months.
    assert!((compound(1000.0, 0.10, 6.0).unwrap() - 1771.561).abs() < 1e-9);
    // Doubling every three months is 2^(1/3) - 1 a month.
    assert!((rate_between(100.0, 200.0, 3.0).unwrap() - (2f64.powf(1.0 / 3.0) - 1.0)).abs() < 1e-15);
    assert!((doubling_time(0.10).unwrap() - 2f64.ln() / 1.1f64.ln()).abs() < 1e-12);
    assert_eq!(doubling_time(0.0), None);
    assert!(compound(1.0, -1.5, 1.0).unwrap_err().to_string().contains("rate"));
    assert!(rate_between(0.0, 5.0, 1.0).unwrap_err().to_string().contains("from"));
}

#[test]
fn time_to_threshold_cases() {
    use opsbook::forecast::crossing::{BAND_Z, Breach, Crossing, time_to_threshold};
    const DAY: i64 = 86_400_000;
    // Disk usage rising 10 points a day, 50 % now: 90 % in exactly 4 days; no noise, no band.
    let disk: Vec<Sample> = (0..5).map(|d| Sample::new(d * DAY, 10.0 + 10.0 * d as f64)).collect();
    let now = 4 * DAY;
    assert_eq!(
        time_to_threshold(&disk, now, 90.0, Breach::Above, 30.0 * 86400.0).unwrap(),
        Crossing::In { seconds: 4.0 * 86400.0, earliest: 4.0 * 86400.0, latest: 4.0 * 86400.0 }
    );
    assert_eq!(
        time_to_threshold(&disk, now, 90.0, Breach::Above, 86400.0).unwrap(),
        Crossing::NotWithinHorizon { seconds: 4.0 * 86400.0 }
    );
    assert_eq!(time_to_threshold(&disk, now, 40.0, Breach::Above, 1e9).unwrap(), Crossing::AlreadyCrossed);
    // Rising usage never reaches a floor below it.
    assert_eq!(time_to_threshold(&disk, now, 10.0, Breach::Below, 1e9).unwrap(), Crossing::FlatOrMovingAway);
    // Free space (100 - used) falls 10 points a day from 50: below 30 in 2 days.
    let free: Vec<Sample> = disk.iter().map(|s| Sample::new(s.t_ms, 100.0 - s.value)).collect();
    assert_eq!(time_to_threshold(&free, now, 60.0, Breach::Below, 1e9).unwrap(), Crossing::AlreadyCrossed);
    assert_eq!(
        time_to_threshold(&free, now, 30.0, Breach::Below, 1e9).unwrap(),
        Crossing::In { seconds: 86400.0 * 2.0, earliest: 86400.0 * 2.0, latest: 86400.0 * 2.0 }
    );
    assert_eq!(time_to_threshold(&free, now, 90.0, Breach::Above, 1e9).unwrap(), Crossing::FlatOrMovingAway);
    let flat: Vec<Sample> = (0..3).map(|i| Sample::new(i * DAY, 5.0)).collect();
    assert_eq!(time_to_threshold(&flat, 2 * DAY, 90.0, Breach::Above, 1e9).unwrap(), Crossing::FlatOrMovingAway);

    // Noisy: y = [0, 2, 1, 3] at 0..3 s. Sxy = 4, Sxx = 5: slope 0.8; fitted at 3 s: 2.7;
    // residuals -0.3, 0.9, -0.9, 0.3: SSE 1.8, sigma = sqrt(0.9). Limit 10: (10 - 2.7) / 0.8 = 9.125 s.
    let noisy: Vec<Sample> =
        [0.0, 2.0, 1.0, 3.0].iter().enumerate().map(|(i, &v)| Sample::new(i as i64 * 1000, v)).collect();
    let Crossing::In { seconds, earliest, latest } =
        time_to_threshold(&noisy, 3000, 10.0, Breach::Above, 100.0).unwrap()
    else {
        panic!("expected a crossing")
    };
    let sigma = 0.9f64.sqrt();
    assert!((seconds - 9.125).abs() < 1e-12, "{seconds}");
    assert!((earliest - (10.0 - BAND_Z * sigma - 2.7) / 0.8).abs() < 1e-12, "{earliest}");
    assert!((latest - (10.0 + BAND_Z * sigma - 2.7) / 0.8).abs() < 1e-12, "{latest}");

    assert!(time_to_threshold(&noisy[..1], 0, 1.0, Breach::Above, 1.0).is_err());
    assert!(time_to_threshold(&noisy, 0, f64::NAN, Breach::Above, 1.0).unwrap_err().to_string().contains("limit"));
    let inf = vec![Sample::new(0, 1.0), Sample::new(1000, f64::INFINITY)];
    assert!(time_to_threshold(&inf, 1000, 5.0, Breach::Above, 10.0).unwrap_err().to_string().contains("infinite"));
}

/// The education platform manual's capacity_planning.py, run on the same data (users 1000
/// at 10 %, storage 500 GB at 5 %, daily requests 20000 at 12 %, 6 months, dated
/// 2026-11-22), printed this report; opsbook must print the same bytes.
const MANUAL_REPORT: &str = "# 季度容量规划报告\n\n生成时间: 2026-11-22\n\n## 当前资源使用情况\n- users: 1000\n- storage_gb: 500\n- daily_requests: 20000\n\n## 增长趋势分析\n- users_growth_rate: 10.0% 月增长率\n- storage_gb_growth_rate: 5.0% 月增长率\n- daily_requests_growth_rate: 12.0% 月增长率\n\n## 6个月容量预测\n| 资源 | 当前值 | 预测值 | 增长率 |\n|-----|--------|--------|--------|\n| users | 1000 | 1772 | 77.2% |\n| storage_gb | 500 | 670 | 34.0% |\n| daily_requests | 20000 | 39476 | 97.4% |\n\n## 扩容建议\n⚠ users 需要扩容规划\n⚠ daily_requests 需要扩容规划";

#[test]
fn the_manuals_capacity_report() {
    use opsbook::forecast::capacity::{DEFAULT_GROWTH_LIMIT_PERCENT, Language, Resource, plan};
    let resources = [
        Resource { name: "users".into(), current: 1000.0, monthly_growth: None, limit: None },
        Resource { name: "storage_gb".into(), current: 500.0, monthly_growth: Some(0.05), limit: None },
        Resource { name: "daily_requests".into(), current: 20000.0, monthly_growth: Some(0.12), limit: None },
    ];
    let p = plan(&resources, 6, DEFAULT_GROWTH_LIMIT_PERCENT).unwrap();
    assert_eq!(p.to_markdown("2026-11-22", Language::ZhCn), MANUAL_REPORT);
    assert_eq!(p.resources.iter().filter(|r| r.needs_expansion).count(), 2);
    let en = p.to_markdown("2026-11-22", Language::En);
    assert!(en.contains("| users | 1000 | 1772 | 77.2% |") && en.contains("⚠ users needs expansion planning"), "{en}");
    let doc: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
    assert_eq!(doc["resources"][0]["needs_expansion"], true);
    assert_eq!(doc["resources"][1]["monthly_growth"], 0.05);
    let zero = [Resource { name: "x".into(), current: 0.0, monthly_growth: None, limit: None }];
    assert!(plan(&zero, 6, 70.0).unwrap_err().to_string().contains("x.current"));
}

#[test]
fn the_manuals_sizing_rules() {
    use opsbook::forecast::capacity::{manual_sizing_rules, resource_needs};
    // calculate_resource_needs(5000, 0.1, 6) in the AI tutoring manual's Python:
    // users 8857.805000000004, cpu_cores 8.0, memory_gb 17.0, storage_gb 885.7805000000004
    let (users, sizes) = resource_needs(5000.0, 0.1, 6.0, &manual_sizing_rules()).unwrap();
    assert!((users - 8857.805000000004).abs() < 1e-9);
    let get = |name: &str| sizes.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!((get("cpu_cores"), get("memory_gb")), (8.0, 17.0));
    assert!((get("storage_gb") - 885.7805000000004).abs() < 1e-9);
    // calculate_resource_needs(100, 0.1, 6): the minimums 2, 4, 20.
    let (_, small) = resource_needs(100.0, 0.1, 6.0, &manual_sizing_rules()).unwrap();
    assert_eq!(small.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [2.0, 4.0, 20.0]);
}

#[test]
fn growth_rate_measured_from_history() {
    use opsbook::forecast::capacity::{Language, Resource, plan};
    use opsbook::forecast::growth::{MONTH_SECONDS, growth_rate, periods_to_reach};
    let month_ms = (MONTH_SECONDS * 1000.0) as i64;
    // Exact 10 % a month, sampled weekly-ish at irregular times: the rate is 10 %.
    let times = [0, month_ms / 4, month_ms, 2 * month_ms + 12345, 3 * month_ms];
    let history: Vec<Sample> =
        times.iter().map(|&t| Sample::new(t, 200.0 * 1.1f64.powf(t as f64 / month_ms as f64))).collect();
    assert!((growth_rate(&history, MONTH_SECONDS, false).unwrap() - 0.10).abs() < 1e-12);
    // Shifting every timestamp changes nothing.
    let shifted: Vec<Sample> = history.iter().map(|s| Sample::new(s.t_ms + 7 * month_ms, s.value)).collect();
    assert!((growth_rate(&shifted, MONTH_SECONDS, false).unwrap() - 0.10).abs() < 1e-12);
    // A counter 100, 200, 400 that resets to 0 and counts 400 more: corrected 100, 200, 400, 400, 800
    // over months 0..4 — ln-slope by hand: x̄ = 2, Σ(x−x̄)(ln y) = ln 2·(−2·0 −1·1 + 0 + 1·2 + 2·3) = 7 ln 2,
    // Σ(x−x̄)² = 10: rate = 2^0.7 − 1.
    let counter: Vec<Sample> = [100.0, 200.0, 400.0, 0.0, 400.0]
        .iter()
        .enumerate()
        .map(|(i, &v)| Sample::new(i as i64 * month_ms, v))
        .collect();
    let want = 2f64.powf(0.7) - 1.0;
    assert!((growth_rate(&counter, MONTH_SECONDS, true).unwrap() - want).abs() < 1e-12);
    // Read as a gauge, the 0 is refused by name.
    assert!(growth_rate(&counter, MONTH_SECONDS, false).unwrap_err().to_string().contains("values[3]"));
    assert!(growth_rate(&counter[..1], MONTH_SECONDS, true).is_err());
    assert!((periods_to_reach(500.0, 0.05, 1000.0).unwrap() - 2f64.ln() / 1.05f64.ln()).abs() < 1e-12);
    assert_eq!(periods_to_reach(1200.0, 0.05, 1000.0), Some(0.0));
    assert_eq!(periods_to_reach(500.0, 0.0, 1000.0), None);

    // The plan gains a time to exhaustion where a limit is known: 500 GB at 5 % a month
    // reaches 1000 GB in ln 2 / ln 1.05 = 14.2067 months.
    let from_history = Resource::from_history("api_requests", &counter, true, None).unwrap();
    assert_eq!(from_history.current, 400.0);
    let resources = [
        Resource { name: "storage_gb".into(), current: 500.0, monthly_growth: Some(0.05), limit: Some(1000.0) },
        Resource { name: "flat".into(), current: 10.0, monthly_growth: Some(0.0), limit: Some(20.0) },
        from_history,
    ];
    let p = plan(&resources, 6, 70.0).unwrap();
    assert!((p.resources[0].months_to_exhaustion.unwrap() - 14.206699082890463).abs() < 1e-9);
    let zh = p.to_markdown("2026-11-22", Language::ZhCn);
    assert!(zh.ends_with("\n\n## 资源耗尽时间\n- storage_gb (1000): 14.2 个月\n- flat (20): 不增长，不会耗尽"), "{zh}");
    let bad = [Resource { name: "disk".into(), current: 1.0, monthly_growth: None, limit: Some(-1.0) }];
    assert!(plan(&bad, 6, 70.0).unwrap_err().to_string().contains("disk.limit"));
}
