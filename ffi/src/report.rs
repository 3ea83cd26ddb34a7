//! Reports (`opsbook::report`), the maintenance plan (`opsbook::maintenance`) and the log
//! lifecycle plan (`opsbook::logs::lifecycle`): JSON in, rendered text or JSON out.

use std::ffi::c_char;

use opsbook::maintenance::{Plan, Record};
use opsbook::report::{Report, ReportFormat, ReportKind};

use crate::alert::now_ms;
use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, json_required, put_string};

fn put_report(
    report: &Report,
    format: *const c_char,
    out: *mut *mut c_char,
    status: *mut u32,
) -> Result<(), opsbook_result> {
    let format = ReportFormat::parse("format", unsafe { c_str(format, "format") }?).map_err(fail)?;
    if status.is_null() {
        return Err(null_argument("status"));
    }
    put_string(out, report.render(format))?;
    unsafe { *status = u32::from(report.status().nagios_code()) };
    Ok(())
}

/// Renders a report from its parts (`parts_json`: `{"time", "tz", "language", "kind",
/// "title", "checks", "backups", "alerts", "logs", "capacity", "maintenance",
/// "checklists"}`) as `format` ("text", "markdown" or "json"). `*status`: the worst item as
/// an `opsbook_status`. Free `*out` with `opsbook_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_render(
    parts_json: *const c_char,
    format: *const c_char,
    out: *mut *mut c_char,
    status: *mut u32,
) -> opsbook_result {
    guard(|| {
        let report = opsbook::report::report_from_value(&json_required(parts_json, "parts_json")?).map_err(fail)?;
        put_report(&report, format, out, status)
    })
}

/// The report the policy file at `policy_path` asks for (`kind`: "daily" or "monthly") at
/// `now` (Unix seconds; NaN for the clock): its checks run now (this call blocks while they
/// do), the alerts its rules hold (`state_path`: a state file, or NULL for the policy's
/// `[state]`), its `[logs]`, `[capacity]` and `[maintenance]`. Rendered as `format`;
/// `*status` as `opsbook_report_render`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_report_from_policy(
    policy_path: *const c_char,
    kind: *const c_char,
    now: f64,
    state_path: *const c_char,
    format: *const c_char,
    out: *mut *mut c_char,
    status: *mut u32,
) -> opsbook_result {
    guard(|| {
        let policy = unsafe { c_str(policy_path, "policy_path") }?;
        let kind = ReportKind::parse("kind", unsafe { c_str(kind, "kind") }?).map_err(fail)?;
        let state = if state_path.is_null() { None } else { Some(unsafe { c_str(state_path, "state_path") }?) };
        let report = opsbook::report::from_policy_path(
            std::path::Path::new(policy),
            kind,
            now_ms(now)?,
            state.map(std::path::Path::new),
        )
        .map_err(fail)?;
        put_report(&report, format, out, status)
    })
}

/// Where each task of a maintenance plan (`plan_json`: the `[maintenance]` table) stands at
/// `now` (NaN for the clock) given `records_json` (a list of records, or NULL): a JSON list,
/// most urgent first, of `{"task", "every", "role", "estimate", "status", "last_done",
/// "due_at"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_maintenance_due(
    plan_json: *const c_char,
    records_json: *const c_char,
    now: f64,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let plan = Plan::from_value(&json_required(plan_json, "plan_json")?).map_err(fail)?;
        let records = if records_json.is_null() {
            Vec::new()
        } else {
            opsbook::maintenance::records_from_value(&json_required(records_json, "records_json")?, "records")
                .map_err(fail)?
        };
        let due = plan.due(&records, now_ms(now)?).map_err(fail)?;
        put_string(out, serde_json::Value::Array(due.iter().map(|d| d.to_json()).collect()).to_string())
    })
}

/// Appends a maintenance record (`record_json`: `{"time", "operator", "kind", "task",
/// "description", "impact", "result", "notes"}`) to the JSON-lines file at `path`, under a
/// lock.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_maintenance_record(path: *const c_char, record_json: *const c_char) -> opsbook_result {
    guard(|| {
        let path = unsafe { c_str(path, "path") }?;
        let record = Record::from_value(&json_required(record_json, "record_json")?, "record").map_err(fail)?;
        opsbook::maintenance::append_record(std::path::Path::new(path), &record).map_err(fail)
    })
}

/// A log lifecycle plan: what to compress, move or delete under a directory. Not shared
/// between threads without a lock of the caller's.
pub struct opsbook_log_plan {
    planned: Vec<opsbook::logs::lifecycle::Planned>,
}

/// Plans the lifecycle of the logs under `dir` at `now` (NaN for the clock) by `rules_json`
/// (`{"compress_after", "delete_compressed_after", "delete_after", "tiers": [{"name",
/// "after_days", "dir"}]}`). Nothing is touched. Free with `opsbook_log_plan_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_log_plan_new(
    dir: *const c_char,
    rules_json: *const c_char,
    now: f64,
    out: *mut *mut opsbook_log_plan,
) -> opsbook_result {
    guard(|| {
        if out.is_null() {
            return Err(null_argument("out"));
        }
        let dir = unsafe { c_str(dir, "dir") }?;
        let rules = opsbook::logs::lifecycle::Rules::from_value(&json_required(rules_json, "rules_json")?, "rules")
            .map_err(fail)?;
        let planned = opsbook::logs::lifecycle::plan(std::path::Path::new(dir), &rules, now_ms(now)?).map_err(fail)?;
        unsafe { *out = Box::into_raw(Box::new(opsbook_log_plan { planned })) };
        Ok(())
    })
}

/// The plan's actions as a JSON list of `{"path", "days_old", "size", "action", "to",
/// "reason"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_log_plan_actions(
    plan: *const opsbook_log_plan,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let plan = unsafe { plan.as_ref() }.ok_or_else(|| null_argument("plan"))?;
        put_string(out, serde_json::Value::Array(plan.planned.iter().map(|p| p.to_json()).collect()).to_string())
    })
}

/// Carries the plan out (a file changed since the plan is left alone): the actions with
/// `done` and `error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_log_plan_apply(
    plan: *const opsbook_log_plan,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let plan = unsafe { plan.as_ref() }.ok_or_else(|| null_argument("plan"))?;
        let done = opsbook::logs::lifecycle::apply(&plan.planned);
        put_string(out, serde_json::Value::Array(done.iter().map(|d| d.to_json()).collect()).to_string())
    })
}

/// Frees a plan. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_log_plan_free(plan: *mut opsbook_log_plan) {
    if !plan.is_null() {
        drop(unsafe { Box::from_raw(plan) });
    }
}
