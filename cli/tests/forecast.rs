//! `opsbook forecast` and `opsbook capacity` replay tests/vectors/forecasts.json and
//! tests/vectors/holt_winters.json as an operator would: series written to files, answers read
//! from the JSON output or the exit status and stderr.

use std::process::{Command, Output};

use serde_json::{Value, json};

fn opsbook(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsbook")).args(args).output().expect("run opsbook")
}

fn vectors(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "nan" => f64::NAN,
        other => panic!("not a number: {other}"),
    }
}

fn file(id: &str, ext: &str, content: &str) -> String {
    let path = std::env::temp_dir().join(format!("opsbook-cli-{}-{id}.{ext}", std::process::id()));
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

fn same(id: &str, got: &Value, want: &Value) {
    let want = num(want);
    if want.is_nan() {
        assert!(got.is_null(), "{id}: {got} should be null (NaN)");
    } else {
        let got = got.as_f64().unwrap_or_else(|| panic!("{id}: {got}"));
        assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{id}: got {got}, want {want}");
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The command line for a case, and which output field holds the answer.
fn command(c: &Value) -> (Vec<String>, &'static str) {
    let id = c["id"].as_str().unwrap();
    let kind = c["kind"].as_str().unwrap();
    let series = |times: Value| file(id, "json", &json!({"timestamps": times, "values": c["values"]}).to_string());
    let mut a = args(&["forecast", "--format", "json", "--input"]);
    match kind {
        "predict_linear" | "deriv" | "time_to_threshold" => {
            a.push(series(c["times"].clone()));
            a.extend(args(&["--method", "linear"]));
            if !c["at"].is_null() {
                a.extend(args(&["--at", &num(&c["at"]).to_string()]));
            }
            if let Some(w) = c["window"].as_f64() {
                a.extend(args(&["--window", &format!("{w}s")]));
            }
            if c["mode"] == "closed" {
                a.push("--closed-range".into());
            }
            let horizon = match kind {
                "predict_linear" => num(&c["seconds"]),
                "deriv" => 0.0,
                _ => num(&c["horizon"]),
            };
            a.extend(args(&["--horizon", &format!("{horizon}s")]));
            if kind == "time_to_threshold" {
                a.extend(args(&["--limit", &num(&c["limit"]).to_string(), "--breach", c["breach"].as_str().unwrap()]));
            }
            let field = match kind {
                "predict_linear" => "predicted",
                "deriv" => "slope_per_second",
                _ => "crossing",
            };
            (a, field)
        }
        "smoothing" => {
            let n = c["values"].as_array().unwrap().len();
            a.push(series((0..n).collect::<Vec<_>>().into()));
            a.extend(args(&["--method", "smoothing", "--horizon", "0s"]));
            a.extend(args(&["--sf", &num(&c["sf"]).to_string(), "--tf", &num(&c["tf"]).to_string()]));
            (a, "predicted")
        }
        "sizing" => {
            let mut sizing = json!({"users": c["users"], "monthly_growth": c["monthly_growth"]});
            if !c["rules"].is_null() {
                sizing["rules"] = c["rules"].clone();
            }
            let plan = json!({"months": c["months"], "resources": [], "sizing": sizing});
            (args(&["capacity", "--format", "json", "--input", &file(id, "json", &plan.to_string())]), "sizing")
        }
        "compound" | "growth_rate" | "capacity" => {
            let (plan, field) = match kind {
                "compound" => (
                    json!({"months": c["periods"], "resources": [
                        {"name": "x", "current": c["current"], "monthly_growth": c["rate"]}]}),
                    "predicted",
                ),
                "growth_rate" => {
                    assert_eq!(num(&c["period"]), 30.0 * 86400.0, "{id}: the plan measures growth per 30-day month");
                    let history: Vec<Value> = c["times"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .zip(c["values"].as_array().unwrap())
                        .map(|(t, v)| json!([t, v]))
                        .collect();
                    (
                        json!({"resources": [{"name": "x", "history": history, "counter": c["counter"]}]}),
                        "monthly_growth",
                    )
                }
                _ => (
                    json!({"months": c["months"], "growth_limit_percent": c["growth_limit_percent"],
                           "resources": c["resources"]}),
                    "markdown",
                ),
            };
            let mut a = args(&["capacity", "--input", &file(id, "json", &plan.to_string())]);
            if field == "markdown" {
                a.extend(args(&[
                    "--format",
                    "markdown",
                    "--date",
                    c["date"].as_str().unwrap(),
                    "--lang",
                    c["language"].as_str().unwrap(),
                ]));
            } else {
                a.extend(args(&["--format", "json"]));
            }
            (a, field)
        }
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn replays_forecast_vectors() {
    let doc = vectors("forecasts.json");
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let (a, field) = command(c);
        let out = opsbook(&a);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        if let Some(err) = c.get("error") {
            assert_eq!(out.status.code(), Some(3), "{id}: {stdout}");
            assert!(stderr.contains(err["field"].as_str().unwrap()), "{id}: {stderr}");
        } else if field == "markdown" {
            assert_eq!(out.status.code(), Some(0), "{id}: {stderr}");
            assert_eq!(stdout, format!("{}\n", c["expect"].as_str().unwrap()), "{id}");
        } else {
            assert!(matches!(out.status.code(), Some(0 | 2)), "{id}: {stderr}");
            let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{id}: {e}: {stdout}"));
            let got = if doc.get("forecasts").is_some() {
                &doc["forecasts"][0][field]
            } else if field == "sizing" {
                &doc["sizing"]
            } else {
                &doc["resources"][0][field]
            };
            match &c["expect"] {
                Value::Object(want) if field == "sizing" => {
                    same(&format!("{id}.users"), &got["future_users"], &want["users"]);
                    for (k, v) in want["needs"].as_object().unwrap() {
                        same(&format!("{id}.{k}"), &got["needs"][k], v);
                    }
                    assert_eq!(
                        got["needs"].as_object().unwrap().len(),
                        want["needs"].as_object().unwrap().len(),
                        "{id}"
                    );
                }
                Value::Object(want) => {
                    assert_eq!(got["kind"], want["kind"], "{id}");
                    for key in ["seconds", "earliest", "latest"] {
                        if let Some(w) = want.get(key) {
                            same(&format!("{id}.{key}"), &got[key], w);
                        }
                    }
                    // Exit 2 exactly when the limit is reached within the horizon.
                    let reached = matches!(want["kind"].as_str(), Some("in" | "already_crossed"));
                    assert_eq!(out.status.code(), Some(if reached { 2 } else { 0 }), "{id}");
                }
                want => same(id, got, want),
            }
        }
        replayed += 1;
    }
    assert_eq!(replayed, 33);
}

#[test]
fn replays_holt_winters_vectors() {
    let doc = vectors("holt_winters.json");
    let mut replayed = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let n = c["values"].as_array().unwrap().len();
        let times: Vec<Value> = (0..n).map(|i| json!(i * 60)).collect();
        let input = file(id, "json", &json!({"timestamps": times, "values": c["values"]}).to_string());
        let e = &c["expect"];
        let h = e["horizon"].as_u64().unwrap() as usize;
        let m = c["season_length"].as_u64().unwrap();
        let damped = c["damped"].as_bool().unwrap();
        let p = &c["params"];
        let mut params = vec![num(&p["alpha"]), num(&p["beta"])];
        if m > 0 {
            params.push(num(&p["gamma"]));
        }
        if damped {
            params.push(num(&p["phi"]));
        }
        let list = |v: &[f64]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
        let mut a = args(&["forecast", "--format", "json", "--method", "holt-winters", "--input", &input]);
        a.extend(args(&["--horizon", &format!("{}s", h * 60), "--params", &list(&params)]));
        if m > 0 {
            a.extend(args(&["--season", &m.to_string()]));
        }
        if damped {
            a.push("--damped".into());
        }
        if c["initialization"] == "known" {
            let k = &c["known"];
            let mut state = vec![num(&k["level"]), num(&k["trend"])];
            state.extend(k["seasonal"].as_array().unwrap().iter().map(num));
            a.push(format!("--initial={}", list(&state)));
        }
        let out = opsbook(&a);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(0), "{id}: {}", String::from_utf8_lossy(&out.stderr));
        let doc: Value = serde_json::from_str(&stdout).unwrap();
        let f = &doc["forecasts"][0];
        let close = |what: &str, got: f64, want: f64| {
            assert!((got - want).abs() <= 1e-6 * want.abs().max(1.0), "{id} {what}: got {got}, want {want}");
        };
        close("forecast", f["predicted"].as_f64().unwrap(), num(&e["forecast"][h - 1]));
        let half = (f["upper"].as_f64().unwrap() - f["lower"].as_f64().unwrap()) / 2.0;
        close("half width", half, num(&e["half_width"][h - 1]));
        close("sse", f["model"]["sse"].as_f64().unwrap(), num(&e["sse"]));
        replayed += 1;
    }
    assert_eq!(replayed, 7);
}

#[test]
fn forecast_and_capacity_refuse_bad_input_with_exit_3() {
    let csv = file("bad", "csv", "time,v\n0,1\n60,x\n");
    let out = opsbook(&args(&["forecast", "--input", &csv]));
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 3 v") && stderr.contains("\"x\""), "{stderr}");
    let uneven = file("uneven", "csv", "time,v\n0,1\n60,2\n180,3\n240,4\n300,5\n");
    let out = opsbook(&args(&["forecast", "--input", &uneven, "--method", "holt-winters"]));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.code() == Some(3) && stderr.contains("samples[2]") && stderr.contains("evenly"), "{stderr}");
    let out = opsbook(&args(&["forecast", "--input", "/nonexistent/opsbook.csv"]));
    assert_eq!(out.status.code(), Some(3));
    let plan = file("plan", "toml", "[[resources]]\nname = \"x\"\ncurrent = 1\nmonthly_growht = 0.1\n");
    let out = opsbook(&args(&["capacity", "--input", &plan]));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.code() == Some(3) && stderr.contains("line 4") && stderr.contains("monthly_growht"), "{stderr}");
}
