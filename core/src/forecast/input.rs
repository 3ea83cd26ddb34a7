//! Reading series for forecasts from CSV and JSON.
//!
//! - CSV: the first column is the time (Unix seconds, fractions allowed, or an RFC 3339
//!   timestamp), every further column one series; a first row whose time cell is not a time
//!   is the header and names the series. An empty cell is a gap (no sample); `NaN`, `Inf`
//!   and `-Inf` are values.
//! - JSON: a Prometheus HTTP API answer (`query_range`, `resultType` matrix, values as
//!   `[seconds, "value"]`), `{"timestamps": [...], "values": [...]}`, or `[[seconds, value], ...]`.
//!
//! Times are rounded to milliseconds, as Prometheus stores them, and must increase within a
//! series. NaN values are kept: `predict_linear`/`deriv` see them as Prometheus would (the
//! result is NaN), Holt-Winters refuses them by index.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::forecast::{Sample, samples};

/// The format of a series file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Csv,
    Json,
}

impl InputFormat {
    /// `csv` or `json`.
    pub fn from_name(name: &str) -> Result<InputFormat> {
        match name {
            "csv" => Ok(InputFormat::Csv),
            "json" => Ok(InputFormat::Json),
            other => Err(Error::invalid_value("input-format", other, "expected csv or json")),
        }
    }

    /// From a file name's extension; JSON unless it ends in `.csv`.
    pub fn from_path(path: &str) -> InputFormat {
        if path.to_ascii_lowercase().ends_with(".csv") { InputFormat::Csv } else { InputFormat::Json }
    }
}

/// A named series of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub samples: Vec<Sample>,
}

/// Reads every series of a document.
pub fn parse_series(text: &str, format: InputFormat) -> Result<Vec<Series>> {
    let series = match format {
        InputFormat::Csv => parse_csv(text)?,
        InputFormat::Json => parse_json(text)?,
    };
    if series.is_empty() {
        return Err(Error::invalid_value("input", "", "holds no series"));
    }
    Ok(series)
}

/// Seconds (or an RFC 3339 text) → milliseconds.
pub fn time_ms(field: &str, seconds: f64) -> Result<i64> {
    let ms = (seconds * 1000.0).round();
    if !ms.is_finite() || ms.abs() > 8.64e18 {
        return Err(Error::invalid_value(field, &crate::fmt_number(seconds), "not a time in Unix seconds"));
    }
    Ok(ms as i64)
}

fn time_cell(field: &str, text: &str) -> Result<i64> {
    let text = text.trim();
    match text.parse::<f64>() {
        Ok(seconds) => time_ms(field, seconds),
        Err(_) => {
            let ts = crate::check::parse_time(field, text)?;
            Ok(ts.as_millisecond())
        }
    }
}

fn value_text(field: &str, text: &str) -> Result<f64> {
    let text = text.trim();
    match text.to_ascii_lowercase().as_str() {
        "nan" => Ok(f64::NAN),
        "inf" | "+inf" => Ok(f64::INFINITY),
        "-inf" => Ok(f64::NEG_INFINITY),
        _ => text.parse::<f64>().map_err(|_| Error::invalid_value(field, text, "not a number")),
    }
}

fn parse_csv(text: &str) -> Result<Vec<Series>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut names: Vec<String> = Vec::new();
    let mut columns: Vec<(Vec<i64>, Vec<f64>)> = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 1;
        let record = record.map_err(|e| Error::invalid_value(&format!("line {line}"), "", e.to_string()))?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if record.len() < 2 {
            return Err(Error::invalid_value(
                &format!("line {line}"),
                record.get(0).unwrap_or(""),
                "expected a time and at least one value",
            ));
        }
        if row == 0 && time_cell("time", &record[0]).is_err() {
            names = record.iter().skip(1).map(|s| s.trim().to_owned()).collect();
            continue;
        }
        if names.is_empty() {
            names = (1..record.len()).map(|i| format!("value{i}")).collect();
        }
        if columns.is_empty() {
            columns = vec![(Vec::new(), Vec::new()); names.len()];
        }
        if record.len() - 1 > names.len() {
            return Err(Error::invalid_value(
                &format!("line {line}"),
                &record.len().to_string(),
                format!("has more columns than the {} series", names.len()),
            ));
        }
        let t = time_cell(&format!("line {line} time"), &record[0])?;
        for (i, cell) in record.iter().skip(1).enumerate() {
            if cell.trim().is_empty() {
                continue;
            }
            let v = value_text(&format!("line {line} {}", names[i]), cell)?;
            columns[i].0.push(t);
            columns[i].1.push(v);
        }
    }
    names
        .into_iter()
        .zip(columns)
        .map(|(name, (t, v))| {
            let samples = samples(&t, &v).map_err(|e| rename(e, &name))?;
            Ok(Series { name, samples })
        })
        .collect()
}

fn rename(e: Error, series: &str) -> Error {
    match e {
        Error::InvalidValue { field, value, reason } => {
            Error::InvalidValue { field: format!("{series}: {field}"), value, reason }
        }
        other => other,
    }
}

fn json_value(field: &str, v: &Value) -> Result<f64> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| Error::invalid_value(field, &n.to_string(), "not a number")),
        Value::String(s) => value_text(field, s),
        other => Err(Error::invalid_value(field, &other.to_string(), "not a number")),
    }
}

fn pairs(name: &str, field: &str, v: &Value) -> Result<Series> {
    let items = v.as_array().ok_or_else(|| Error::invalid_value(field, &short(v), "expected [[time, value], ...]"))?;
    let (mut t, mut vals) = (Vec::with_capacity(items.len()), Vec::with_capacity(items.len()));
    for (i, item) in items.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let pair = item
            .as_array()
            .filter(|p| p.len() == 2)
            .ok_or_else(|| Error::invalid_value(&f, &short(item), "expected a pair [time in seconds, value]"))?;
        t.push(time_ms(&f, json_value(&f, &pair[0])?)?);
        vals.push(json_value(&f, &pair[1])?);
    }
    Ok(Series { name: name.to_owned(), samples: samples(&t, &vals).map_err(|e| rename(e, name))? })
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

fn metric_name(metric: &Value) -> String {
    let Some(labels) = metric.as_object() else { return "series".into() };
    let name = labels.get("__name__").and_then(Value::as_str).unwrap_or("");
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}=\"{}\"", v.as_str().unwrap_or("")))
        .collect();
    match (name.is_empty(), rest.is_empty()) {
        (_, true) if !name.is_empty() => name.to_owned(),
        (true, true) => "series".into(),
        _ => format!("{name}{{{}}}", rest.join(",")),
    }
}

fn parse_json(text: &str) -> Result<Vec<Series>> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| Error::invalid_value("input", "", format!("not JSON: {e}")))?;
    if let Some(data) = doc.get("data") {
        if doc.get("status").and_then(Value::as_str) != Some("success") {
            return Err(Error::invalid_value(
                "status",
                &short(&doc["status"]),
                "the Prometheus answer is not a success",
            ));
        }
        let kind = data.get("resultType").and_then(Value::as_str).unwrap_or("");
        if kind != "matrix" {
            return Err(Error::invalid_value("data.resultType", kind, "a forecast needs a range query (matrix)"));
        }
        let result = data.get("result").and_then(Value::as_array).cloned().unwrap_or_default();
        return result
            .iter()
            .enumerate()
            .map(|(i, r)| pairs(&metric_name(&r["metric"]), &format!("data.result[{i}].values"), &r["values"]))
            .collect();
    }
    if let Some(times) = doc.get("timestamps") {
        let list = |field: &str, v: &Value| -> Result<Vec<f64>> {
            v.as_array()
                .ok_or_else(|| Error::invalid_value(field, &short(v), "expected an array"))?
                .iter()
                .enumerate()
                .map(|(i, x)| json_value(&format!("{field}[{i}]"), x))
                .collect()
        };
        let t = list("timestamps", times)?
            .into_iter()
            .enumerate()
            .map(|(i, s)| time_ms(&format!("timestamps[{i}]"), s))
            .collect::<Result<Vec<_>>>()?;
        let v = list("values", doc.get("values").unwrap_or(&Value::Null))?;
        let name = doc.get("name").and_then(Value::as_str).unwrap_or("series");
        return Ok(vec![Series { name: name.to_owned(), samples: samples(&t, &v)? }]);
    }
    if doc.is_array() {
        return Ok(vec![pairs("series", "input", &doc)?]);
    }
    Err(Error::invalid_value(
        "input",
        &short(&doc),
        "expected a Prometheus query_range answer, {\"timestamps\", \"values\"} or [[time, value], ...]",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_header_gaps_and_rfc3339() {
        let text = "time,disk,mem\n2026-11-22T00:00:00Z,10,1\n1795305600.5,NaN,\n1795305601,12,3\n";
        let s = parse_series(text, InputFormat::Csv).unwrap();
        assert_eq!(s[0].name, "disk");
        assert_eq!(s[0].samples.len(), 3);
        assert_eq!(s[0].samples[0].t_ms, 1_795_305_600_000);
        assert_eq!(s[0].samples[1].t_ms, 1_795_305_600_500);
        assert!(s[0].samples[1].value.is_nan());
        // The empty cell is a gap.
        assert_eq!(s[1].samples.iter().map(|x| x.value).collect::<Vec<_>>(), [1.0, 3.0]);
        let err = parse_series("0,1\n1,x\n", InputFormat::Csv).unwrap_err().to_string();
        assert!(err.contains("line 2 value1") && err.contains("\"x\""), "{err}");
        let err = parse_series("t,v\n5,1\n4,2\n", InputFormat::Csv).unwrap_err().to_string();
        assert!(err.contains("v: timestamps") && err.contains("4000"), "{err}");
    }

    #[test]
    fn json_shapes() {
        let prom = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"node_filesystem_avail_bytes","mountpoint":"/"},"values":[[1700000000,"100"],[1700000060.5,"90"]]}]}}"#;
        let s = parse_series(prom, InputFormat::Json).unwrap();
        assert_eq!(s[0].name, "node_filesystem_avail_bytes{mountpoint=\"/\"}");
        assert_eq!(s[0].samples[1], Sample::new(1_700_000_060_500, 90.0));
        let arrays = parse_series(r#"{"timestamps":[0,60],"values":[1,"NaN"]}"#, InputFormat::Json).unwrap();
        assert!(arrays[0].samples[1].value.is_nan());
        let pairs = parse_series("[[0,1],[60,2]]", InputFormat::Json).unwrap();
        assert_eq!(pairs[0].samples.len(), 2);
        let err = parse_series("[[0,1],[60]]", InputFormat::Json).unwrap_err().to_string();
        assert!(err.contains("input[1]"), "{err}");
        let err = parse_series(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#, InputFormat::Json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("matrix"), "{err}");
    }
}
