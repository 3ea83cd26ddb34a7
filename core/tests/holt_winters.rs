//! Replays tests/vectors/holt_winters.json (statsmodels 0.15.0 ExponentialSmoothing and
//! ETSModel) through the typed Rust API, and checks fitting's own properties.

use opsbook::forecast::holt_winters::{HoltWinters, InitialState, Initialization, Params};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn close(what: &str, got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-6 * want.abs().max(1.0), "{what}: got {got}, want {want}");
}

fn close_all(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        close(&format!("{what}[{i}]"), *g, *w);
    }
}

fn model_of(case: &Value) -> HoltWinters {
    let m = case["season_length"].as_u64().unwrap() as usize;
    HoltWinters::new((m > 0).then_some(m), case["damped"].as_bool().unwrap()).unwrap()
}

fn init_of(case: &Value) -> Initialization {
    match case["initialization"].as_str().unwrap() {
        "heuristic" => Initialization::Heuristic,
        "estimated" => Initialization::Estimated,
        "known" => {
            let k = &case["known"];
            Initialization::Known(InitialState {
                level: k["level"].as_f64().unwrap(),
                trend: k["trend"].as_f64().unwrap(),
                seasonal: floats(&k["seasonal"]),
            })
        }
        other => panic!("initialization {other}"),
    }
}

#[test]
fn statsmodels_vectors() {
    let doc = load("holt_winters.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut replayed = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let p = &case["params"];
        let params = Params {
            alpha: p["alpha"].as_f64().unwrap(),
            beta: p["beta"].as_f64().unwrap(),
            gamma: p.get("gamma").and_then(Value::as_f64).unwrap_or(0.0),
            phi: p["phi"].as_f64().unwrap(),
        };
        let values = floats(&case["values"]);
        let fit = model_of(case).smooth(&values, params, &init_of(case)).unwrap();
        let e = &case["expect"];
        close(&format!("{id} initial level"), fit.initial.level, e["initial"]["level"].as_f64().unwrap());
        close(&format!("{id} initial trend"), fit.initial.trend, e["initial"]["trend"].as_f64().unwrap());
        close_all(&format!("{id} initial seasonal"), &fit.initial.seasonal, &floats(&e["initial"]["seasonal"]));
        close_all(&format!("{id} fitted"), &fit.fitted, &floats(&e["fitted"]));
        close(&format!("{id} sse"), fit.sse, e["sse"].as_f64().unwrap());
        let h = e["horizon"].as_u64().unwrap() as usize;
        close_all(&format!("{id} forecast"), &fit.forecast(h), &floats(&e["forecast"]));
        let intervals = fit.forecast_intervals(h, e["coverage"].as_f64().unwrap()).unwrap();
        let half: Vec<f64> = intervals.iter().map(|p| (p.upper - p.lower) / 2.0).collect();
        close_all(&format!("{id} half width"), &half, &floats(&e["half_width"]));
        replayed += 1;
    }
    assert_eq!(replayed, 7);
}

/// A seasonal series with trend: y = 20 + 0.5 t + season + small deterministic wobble.
fn seasonal_series(n: usize, m: usize) -> Vec<f64> {
    (0..n)
        .map(|t| {
            let tf = t as f64;
            20.0 + 0.5 * tf + 6.0 * (2.0 * std::f64::consts::PI * tf / m as f64).sin() + ((t * 7919) % 13) as f64 / 10.0
        })
        .collect()
}

#[test]
fn fitting_beats_the_heuristic_start_and_estimated_beats_heuristic() {
    let values = seasonal_series(96, 12);
    let model = HoltWinters::new(Some(12), false).unwrap();
    let heuristic = model.fit(&values, &Initialization::Heuristic).unwrap();
    let estimated = model.fit(&values, &Initialization::Estimated).unwrap();
    // Any fixed parameters give an error no better than the fitted ones.
    for (a, b, g) in [(0.3, 0.1, 0.2), (0.1, 0.05, 0.1), (0.9, 0.5, 0.05)] {
        let fixed = model.smooth(&values, Params { alpha: a, beta: b, gamma: g, phi: 1.0 }, &Initialization::Heuristic);
        assert!(heuristic.sse <= fixed.unwrap().sse * (1.0 + 1e-9));
    }
    assert!(estimated.sse <= heuristic.sse * (1.0 + 1e-9), "{} > {}", estimated.sse, heuristic.sse);
    let p = estimated.params;
    assert!(p.beta <= p.alpha + 1e-12 && p.gamma <= 1.0 - p.alpha + 1e-12, "{p:?}");
}

#[test]
fn exact_trend_and_season_are_forecast_exactly() {
    // Noise-free linear trend + season: with the estimated initial state the fit is exact.
    let m = 4;
    let season = [3.0, -1.0, -4.0, 2.0];
    let values: Vec<f64> = (0..40).map(|t| 10.0 + 2.0 * t as f64 + season[t % m]).collect();
    let fit = HoltWinters::new(Some(m), false).unwrap().fit(&values, &Initialization::Estimated).unwrap();
    assert!(fit.sse < 1e-12, "sse {}", fit.sse);
    for (h, got) in fit.forecast(9).into_iter().enumerate() {
        let t = 40 + h;
        close(&format!("h={}", h + 1), got, 10.0 + 2.0 * t as f64 + season[t % m]);
    }
}

#[test]
fn bad_input_is_refused_with_the_field() {
    let model = HoltWinters::new(Some(12), false).unwrap();
    let err = model.fit(&[1.0; 10], &Initialization::Heuristic).unwrap_err().to_string();
    assert!(err.contains("values") && err.contains("24"), "{err}");
    let mut values = seasonal_series(48, 12);
    values[5] = f64::NAN;
    let err = model.fit(&values, &Initialization::Estimated).unwrap_err().to_string();
    assert!(err.contains("values[5]"), "{err}");
    assert!(HoltWinters::new(Some(1), false).unwrap_err().to_string().contains("season_length"));
    let values = seasonal_series(48, 12);
    let bad = Params { alpha: 1.5, beta: 0.1, gamma: 0.1, phi: 1.0 };
    assert!(model.smooth(&values, bad, &Initialization::Heuristic).unwrap_err().to_string().contains("alpha"));
    let short = InitialState { level: 1.0, trend: 0.0, seasonal: vec![0.0; 3] };
    let ok = Params { alpha: 0.5, beta: 0.1, gamma: 0.1, phi: 1.0 };
    let err = model.smooth(&values, ok, &Initialization::Known(short)).unwrap_err().to_string();
    assert!(err.contains("initial seasonal"), "{err}");
    let fit = model.smooth(&values, ok, &Initialization::Heuristic).unwrap();
    assert!(fit.forecast_intervals(3, 1.0).unwrap_err().to_string().contains("coverage"));
}
