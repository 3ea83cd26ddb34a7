//! `runPolicy` (wraps `opsbook::pass`): one whole maintenance pass over a policy file, on a
//! worker thread.

use napi_derive::napi;

use opsbook::pass::PassOptions;
use opsbook::report::ReportKind;

use crate::alert::now_ms;
use crate::errors::IntoJsResult;
use crate::report::Report;
use crate::status::Status;

/// What one pass found and did.
#[napi]
pub struct Pass {
    json: serde_json::Value,
    status: opsbook::Status,
    report: opsbook::report::Report,
}

#[napi]
impl Pass {
    /// The worst item of the pass.
    #[napi(getter)]
    pub fn status(&self) -> Status {
        self.status.into()
    }

    /// The daily (or monthly) report, notifications, retention and log lifecycle included.
    #[napi(getter)]
    pub fn report(&self) -> Report {
        Report::from_core(self.report.clone())
    }

    /// `{time, status, state, health, events, escalations, opened, notifications, retention,
    /// log_lifecycle, report}`.
    #[napi]
    pub fn to_json(&self) -> serde_json::Value {
        self.json.clone()
    }
}

/// Options of `runPolicy`.
#[napi(object)]
pub struct RunOptions {
    /// A state file (default: the policy's [state], else a file named after the policy
    /// under $OPSBOOK_STATE_DIR, $XDG_STATE_HOME/opsbook or ~/.local/state/opsbook).
    pub state: Option<String>,
    /// Unix seconds (default now).
    pub now: Option<f64>,
    /// Deliver the notifications (default: render them only).
    pub send: Option<bool>,
    /// daily (default) or monthly.
    pub report: Option<String>,
}

pub struct PassTask {
    failure: crate::errors::Failure,
    policy: String,
    state: Option<String>,
    options: PassOptions,
}

impl napi::Task for PassTask {
    type Output = opsbook::pass::PassOutcome;
    type JsValue = Pass;

    fn compute(&mut self) -> napi::Result<opsbook::pass::PassOutcome> {
        let outcome = opsbook::pass::run_path(
            std::path::Path::new(&self.policy),
            self.state.as_deref().map(std::path::Path::new),
            self.options,
        );
        self.failure.keep(outcome)
    }

    fn resolve(&mut self, _env: napi::Env, output: opsbook::pass::PassOutcome) -> napi::Result<Pass> {
        Ok(Pass { json: output.to_json(), status: output.status(), report: output.report })
    }

    fn reject(&mut self, env: napi::Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.reject(env, err))
    }
}

/// One maintenance pass of a policy file: the checks, the rules with their state kept under
/// a lock (passes never overlap), the notifications rendered (sent with `send`), capacity,
/// backups and their retention plan, logs and their lifecycle plan, and the report. Bad
/// options throw at once; the Promise rejects when the pass cannot run.
#[napi(ts_return_type = "Promise<Pass>")]
pub fn run_policy(
    policy: String,
    options: Option<RunOptions>,
) -> napi::Result<napi::bindgen_prelude::AsyncTask<PassTask>, String> {
    let (state, now, send, report) = match options {
        Some(o) => (o.state, o.now, o.send, o.report),
        None => (None, None, None, None),
    };
    let kind = ReportKind::parse("report", report.as_deref().unwrap_or("daily")).js_err()?;
    let options = PassOptions { now_ms: now_ms(now)?, kind, send: send.unwrap_or(false) };
    Ok(napi::bindgen_prelude::AsyncTask::new(PassTask { policy, state, options, failure: Default::default() }))
}
