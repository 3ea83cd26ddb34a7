//! Replays tests/vectors/forecasts.json through the typed Rust API.

use opsbook::forecast::capacity::{Language, Resource, SizingRule, manual_sizing_rules, plan, resource_needs};
use opsbook::forecast::crossing::{Breach, Crossing, time_to_threshold};
use opsbook::forecast::growth::{compound, growth_rate};
use opsbook::forecast::linear::{ArraySeries, deriv, predict_linear};
use opsbook::forecast::smoothing::double_exponential_smoothing;
use opsbook::forecast::{RangeMode, Sample, samples, select};
use serde_json::Value;

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            other => panic!("bad number {other}"),
        },
        other => panic!("not a number: {other}"),
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn series(c: &Value) -> opsbook::Result<Vec<Sample>> {
    let t: Vec<i64> = nums(&c["times"]).iter().map(|s| (s * 1000.0).round() as i64).collect();
    samples(&t, &nums(&c["values"]))
}

fn window<'a>(c: &Value, s: &'a [Sample]) -> &'a [Sample] {
    let mode = if c["mode"] == "closed" { RangeMode::Closed } else { RangeMode::LeftOpen };
    match c["window"].as_f64() {
        Some(w) => select(s, (num(&c["at"]) * 1000.0) as i64, (w * 1000.0) as i64, mode),
        None => s,
    }
}

fn array_window(c: &Value) -> Option<(f64, RangeMode)> {
    let mode = if c["mode"] == "closed" { RangeMode::Closed } else { RangeMode::LeftOpen };
    c["window"].as_f64().map(|w| (w, mode))
}

fn crossing_json(c: Crossing) -> Value {
    match c {
        Crossing::AlreadyCrossed => serde_json::json!({"kind": "already_crossed"}),
        Crossing::In { seconds, earliest, latest } => {
            serde_json::json!({"kind": "in", "seconds": seconds, "earliest": earliest, "latest": latest})
        }
        Crossing::NotWithinHorizon { seconds } => serde_json::json!({"kind": "not_within_horizon", "seconds": seconds}),
        Crossing::FlatOrMovingAway => serde_json::json!({"kind": "flat_or_moving_away"}),
    }
}

fn same(id: &str, got: f64, want: &Value) {
    let want = num(want);
    if want.is_nan() {
        assert!(got.is_nan(), "{id}: {got} is not NaN");
    } else {
        assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{id}: got {got}, want {want}");
    }
}

fn run(c: &Value) -> opsbook::Result<Value> {
    let at_ms = || (num(&c["at"]) * 1000.0).round() as i64;
    Ok(match c["kind"].as_str().unwrap() {
        "predict_linear" => {
            let s = series(c)?;
            let v = predict_linear(window(c, &s), at_ms(), num(&c["seconds"]))?;
            // The zero-copy path the front doors use gives the same bits.
            let (t, vals) = (nums(&c["times"]), nums(&c["values"]));
            let arrays =
                ArraySeries::new(&t, &vals)?.predict_linear(num(&c["at"]), num(&c["seconds"]), array_window(c))?;
            assert_eq!(v.to_bits(), arrays.to_bits(), "{}", c["id"]);
            v.into()
        }
        "deriv" => {
            let s = series(c)?;
            let v = deriv(window(c, &s))?;
            let (t, vals) = (nums(&c["times"]), nums(&c["values"]));
            let arrays = ArraySeries::new(&t, &vals)?.deriv(c["at"].as_f64(), array_window(c))?;
            assert_eq!(v.to_bits(), arrays.to_bits(), "{}", c["id"]);
            if v.is_nan() { "nan".into() } else { v.into() }
        }
        "smoothing" => {
            let values = nums(&c["values"]);
            let s: Vec<Sample> = values.iter().enumerate().map(|(i, &v)| Sample::new(i as i64, v)).collect();
            double_exponential_smoothing(&s, num(&c["sf"]), num(&c["tf"]))?.into()
        }
        "time_to_threshold" => {
            let breach = if c["breach"] == "below" { Breach::Below } else { Breach::Above };
            crossing_json(time_to_threshold(&series(c)?, at_ms(), num(&c["limit"]), breach, num(&c["horizon"]))?)
        }
        "compound" => compound(num(&c["current"]), num(&c["rate"]), num(&c["periods"]))?.into(),
        "growth_rate" => growth_rate(&series(c)?, num(&c["period"]), c["counter"].as_bool().unwrap())?.into(),
        "capacity" => {
            let resources: Vec<Resource> = c["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| Resource {
                    name: r["name"].as_str().unwrap().into(),
                    current: num(&r["current"]),
                    monthly_growth: r["monthly_growth"].as_f64(),
                    limit: r["limit"].as_f64(),
                })
                .collect();
            let p = plan(&resources, c["months"].as_u64().unwrap() as u32, num(&c["growth_limit_percent"]))?;
            let lang = if c["language"] == "en" { Language::En } else { Language::ZhCn };
            p.to_markdown(c["date"].as_str().unwrap(), lang).into()
        }
        "sizing" => {
            let rules = match &c["rules"] {
                Value::Null => manual_sizing_rules(),
                Value::Array(list) => list
                    .iter()
                    .map(|r| {
                        SizingRule::from_spec(
                            r["resource"].as_str().unwrap(),
                            r["per_users"].as_f64(),
                            r["per_user"].as_f64(),
                            r["minimum"].as_f64().unwrap_or(0.0),
                        )
                    })
                    .collect::<opsbook::Result<Vec<_>>>()?,
                other => panic!("bad rules {other}"),
            };
            let (users, needs) =
                resource_needs(num(&c["users"]), num(&c["monthly_growth"]), num(&c["months"]), &rules)?;
            let needs: serde_json::Map<String, Value> = needs.into_iter().map(|(k, v)| (k, v.into())).collect();
            serde_json::json!({"users": users, "needs": needs})
        }
        other => panic!("unknown kind {other}"),
    })
}

#[test]
fn replays_forecast_vectors() {
    let path = format!("{}/../tests/vectors/forecasts.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let got = run(c);
        if let Some(err) = c.get("error") {
            let e = got.expect_err(id);
            assert_eq!(e.code(), err["code"].as_str().unwrap(), "{id}");
            let opsbook::Error::InvalidValue { field, .. } = &e else { panic!("{id}: {e}") };
            assert!(field.starts_with(err["field"].as_str().unwrap()), "{id}: field {field}");
        } else {
            let got = got.unwrap_or_else(|e| panic!("{id}: {e}"));
            match &c["expect"] {
                Value::Object(want) if c["kind"] == "sizing" => {
                    same(&format!("{id}.users"), got["users"].as_f64().unwrap(), &want["users"]);
                    assert_eq!(
                        got["needs"].as_object().unwrap().len(),
                        want["needs"].as_object().unwrap().len(),
                        "{id}"
                    );
                    for (k, v) in want["needs"].as_object().unwrap() {
                        same(&format!("{id}.{k}"), got["needs"][k].as_f64().unwrap(), v);
                    }
                }
                Value::Object(want) => {
                    assert_eq!(got["kind"], want["kind"], "{id}");
                    for key in ["seconds", "earliest", "latest"] {
                        if let Some(w) = want.get(key) {
                            same(&format!("{id}.{key}"), got[key].as_f64().unwrap(), w);
                        }
                    }
                }
                Value::String(text) if c["kind"] == "capacity" => assert_eq!(got.as_str().unwrap(), text, "{id}"),
                want => same(id, if got == "nan" { f64::NAN } else { got.as_f64().unwrap() }, want),
            }
        }
        replayed += 1;
    }
    assert_eq!(replayed, 33);
}
