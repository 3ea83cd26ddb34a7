//! Log analysis (wraps `opsbook::logs`): lines in memory synchronously, files off the JS
//! thread.

use napi_derive::napi;

use opsbook::logs::{Analysis, LineFormat, Options, analyze_lines};

use crate::errors::IntoJsResult;

/// Analyses `lines` in `format` (iso-level, nginx, json, or a regex with named captures);
/// `options`: `{since, top, ip_limit, failed_login, failed_login_limit}`.
#[napi]
pub fn analyze_log_lines(
    lines: Vec<String>,
    format: String,
    options: Option<serde_json::Value>,
) -> napi::Result<serde_json::Value, String> {
    let format = LineFormat::parse(&format).js_err()?;
    let options = Options::from_value(&options.unwrap_or(serde_json::Value::Null)).js_err()?;
    Ok(analyze_lines(lines.iter().map(String::as_str), &format, options).to_json())
}

/// Reads and analyses files on the libuv pool (bad formats and options throw at once).
pub struct AnalyzeTask {
    failure: crate::errors::Failure,
    files: Vec<String>,
    format: LineFormat,
    options: Option<Options>,
}

/// A JSON value handed to JS as an object (what an AsyncTask can resolve to).
pub struct JsonObject(serde_json::Value);

impl napi::bindgen_prelude::TypeName for JsonObject {
    fn type_name() -> &'static str {
        "Object"
    }

    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl napi::bindgen_prelude::ToNapiValue for JsonObject {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> napi::Result<napi::sys::napi_value> {
        // SAFETY: called by napi with the env it passes, as serde_json::Value's own impl is.
        unsafe { serde_json::Value::to_napi_value(env, val.0) }
    }
}

impl napi::Task for AnalyzeTask {
    type Output = serde_json::Value;
    type JsValue = JsonObject;

    fn compute(&mut self) -> napi::Result<serde_json::Value> {
        let mut a = Analysis::new(self.options.take().unwrap_or_default());
        for f in &self.files {
            self.failure.keep(a.add_file(std::path::Path::new(f), &self.format))?;
        }
        Ok(a.finish().to_json())
    }

    fn resolve(&mut self, _env: napi::Env, output: serde_json::Value) -> napi::Result<JsonObject> {
        Ok(JsonObject(output))
    }

    fn reject(&mut self, env: napi::Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.reject(env, err))
    }
}

/// Analyses log files (plain or gzip) off the JS thread.
#[napi(ts_return_type = "Promise<any>")]
pub fn analyze_log_files(
    files: Vec<String>,
    format: String,
    options: Option<serde_json::Value>,
) -> napi::Result<napi::bindgen_prelude::AsyncTask<AnalyzeTask>, String> {
    let format = LineFormat::parse(&format).js_err()?;
    let options = Options::from_value(&options.unwrap_or(serde_json::Value::Null)).js_err()?;
    Ok(napi::bindgen_prelude::AsyncTask::new(AnalyzeTask {
        files,
        format,
        options: Some(options),
        failure: Default::default(),
    }))
}
