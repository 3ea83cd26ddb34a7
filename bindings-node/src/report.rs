//! Reports (wraps `opsbook::report`), the maintenance plan (`opsbook::maintenance`) and the
//! log lifecycle plan (`opsbook::logs::lifecycle`).

use napi_derive::napi;

use opsbook::maintenance::{Plan, Record};
use opsbook::report::{ReportFormat, ReportKind};

use crate::alert::now_ms;
use crate::errors::IntoJsResult;
use crate::status::Status;

/// The daily check or monthly maintenance report: sections of ✓ / ⚠ / ✗ / ☐ items.
#[napi]
pub struct Report {
    inner: opsbook::report::Report,
}

impl Report {
    pub(crate) fn from_core(inner: opsbook::report::Report) -> Report {
        Report { inner }
    }
}

#[napi]
impl Report {
    /// A report from its parts: `{time, tz, language, kind, title, checks, backups, alerts,
    /// logs, capacity, maintenance, checklists}`.
    #[napi(factory)]
    pub fn from_parts(parts: serde_json::Value) -> napi::Result<Self, String> {
        Ok(Report { inner: opsbook::report::report_from_value(&parts).js_err()? })
    }

    /// The worst item (☐ and figures count as OK).
    #[napi(getter)]
    pub fn status(&self) -> Status {
        self.inner.status().into()
    }

    #[napi(getter)]
    pub fn kind(&self) -> String {
        self.inner.kind.as_str().to_owned()
    }

    #[napi(getter)]
    pub fn headline(&self) -> String {
        self.inner.headline()
    }

    #[napi]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    #[napi]
    pub fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }

    #[napi]
    pub fn to_json(&self) -> serde_json::Value {
        self.inner.to_json()
    }

    /// `format`: text (default), markdown or json.
    #[napi]
    pub fn render(&self, format: Option<String>) -> napi::Result<String, String> {
        let format = ReportFormat::parse("format", format.as_deref().unwrap_or("text")).js_err()?;
        Ok(self.inner.render(format))
    }

    /// Writes the report rendered as `format` to `path` (a temporary file renamed over it).
    #[napi]
    pub fn write(&self, path: String, format: Option<String>) -> napi::Result<(), String> {
        let text = self.render(format)?;
        opsbook::report::write_report(std::path::Path::new(&path), &text).js_err()
    }
}

/// Options of `reportFromPolicy`.
#[napi(object)]
pub struct ReportOptions {
    /// daily (default) or monthly.
    pub kind: Option<String>,
    /// Unix seconds (default now).
    pub now: Option<f64>,
    /// A state file holding the rules' alerts (default: the policy's [state]).
    pub state: Option<String>,
}

/// Runs a policy's checks and assembles its report off the JS thread.
pub struct ReportTask {
    failure: crate::errors::Failure,
    policy: String,
    kind: ReportKind,
    now_ms: i64,
    state: Option<String>,
}

impl napi::Task for ReportTask {
    type Output = opsbook::report::Report;
    type JsValue = Report;

    fn compute(&mut self) -> napi::Result<opsbook::report::Report> {
        let report = opsbook::report::from_policy_path(
            std::path::Path::new(&self.policy),
            self.kind,
            self.now_ms,
            self.state.as_deref().map(std::path::Path::new),
        );
        self.failure.keep(report)
    }

    fn resolve(&mut self, _env: napi::Env, output: opsbook::report::Report) -> napi::Result<Report> {
        Ok(Report { inner: output })
    }

    fn reject(&mut self, env: napi::Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.reject(env, err))
    }
}

/// The report a policy file asks for: its checks run now, the alerts its rules hold, its
/// [logs], [capacity] and [maintenance]. Bad options throw at once; the Promise rejects
/// when the policy cannot be read.
#[napi(ts_return_type = "Promise<Report>")]
pub fn report_from_policy(
    policy: String,
    options: Option<ReportOptions>,
) -> napi::Result<napi::bindgen_prelude::AsyncTask<ReportTask>, String> {
    let (kind, now, state) = match options {
        Some(o) => (o.kind, o.now, o.state),
        None => (None, None, None),
    };
    let kind = ReportKind::parse("kind", kind.as_deref().unwrap_or("daily")).js_err()?;
    Ok(napi::bindgen_prelude::AsyncTask::new(ReportTask {
        policy,
        kind,
        now_ms: now_ms(now)?,
        state,
        failure: Default::default(),
    }))
}

/// Where each task of a maintenance plan (the [maintenance] table) stands at `now` (Unix
/// seconds; default now) given `records`: most urgent first.
#[napi]
pub fn maintenance_due(
    plan: serde_json::Value,
    records: Option<Vec<serde_json::Value>>,
    now: Option<f64>,
) -> napi::Result<Vec<serde_json::Value>, String> {
    let plan = Plan::from_value(&plan).js_err()?;
    let records =
        opsbook::maintenance::records_from_value(&serde_json::Value::Array(records.unwrap_or_default()), "records")
            .js_err()?;
    Ok(plan.due(&records, now_ms(now)?).js_err()?.iter().map(|d| d.to_json()).collect())
}

/// The maintenance records kept in a JSON-lines file, oldest first.
#[napi]
pub fn read_maintenance_records(path: String) -> napi::Result<Vec<serde_json::Value>, String> {
    Ok(opsbook::maintenance::read_records(std::path::Path::new(&path)).js_err()?.iter().map(Record::to_json).collect())
}

/// Appends a maintenance record under a lock (kind 例行维护/routine, 故障处理/incident,
/// 版本更新/release).
#[napi]
pub fn append_maintenance_record(path: String, record: serde_json::Value) -> napi::Result<(), String> {
    let record = Record::from_value(&record, "record").js_err()?;
    opsbook::maintenance::append_record(std::path::Path::new(&path), &record).js_err()
}

/// What to compress, move or delete under a directory at `now` by the manuals' find rules
/// (`{compress_after, delete_compressed_after, delete_after, tiers: [{name, after_days,
/// dir}]}`). Planning touches nothing; `apply()` carries the plan out.
#[napi]
pub struct LogPlan {
    planned: Vec<opsbook::logs::lifecycle::Planned>,
}

#[napi]
impl LogPlan {
    #[napi(constructor)]
    pub fn new(dir: String, rules: serde_json::Value, now: Option<f64>) -> napi::Result<Self, String> {
        let rules = opsbook::logs::lifecycle::Rules::from_value(&rules, "rules").js_err()?;
        let planned = opsbook::logs::lifecycle::plan(std::path::Path::new(&dir), &rules, now_ms(now)?).js_err()?;
        Ok(LogPlan { planned })
    }

    /// Each planned action: `{path, days_old, size, action, to, reason}`.
    #[napi(getter)]
    pub fn actions(&self) -> Vec<serde_json::Value> {
        self.planned.iter().map(|p| p.to_json()).collect()
    }

    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.planned.len() as u32
    }

    /// Carries the plan out; each action with `done` and `error`. A file changed since the
    /// plan is left alone.
    #[napi]
    pub fn apply(&self) -> Vec<serde_json::Value> {
        opsbook::logs::lifecycle::apply(&self.planned).iter().map(|d| d.to_json()).collect()
    }
}
