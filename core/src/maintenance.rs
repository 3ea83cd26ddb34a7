//! Maintenance plans as the manuals keep them: tasks with a frequency (daily to semiannual,
//! a span such as `2w`, or a cron expression), a role and an estimated time; records of what
//! was done (date, operator, type 例行维护/故障处理/版本更新, description, impact, result,
//! notes); and what is due or overdue now, from each task's last record.
//!
//! A task is due from one period after it was last done (in the plan's time zone: a monthly
//! task done on 31 January is due on 29 February, clamped as a calendar does), overdue a
//! day after that, and due at once if it was never done. A cron task is due at the first
//! time its expression names after it was last done.

use std::path::Path;
use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, Zoned};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// How often a task recurs.
#[derive(Debug, Clone)]
pub enum Frequency {
    /// A calendar span (days, weeks, months, years).
    Every(Span),
    Cron(Box<croner::Cron>),
}

impl PartialEq for Frequency {
    fn eq(&self, other: &Frequency) -> bool {
        match (self, other) {
            (Frequency::Every(a), Frequency::Every(b)) => a.fieldwise() == b.fieldwise(),
            (Frequency::Cron(a), Frequency::Cron(b)) => a.pattern.to_string() == b.pattern.to_string(),
            _ => false,
        }
    }
}

/// `daily`/`每日`, `weekly`/`每周`, `monthly`/`每月`, `quarterly`/`每季度`,
/// `semiannual`/`每半年`, `yearly`/`每年`, or a span: `3d`, `2w`, `1mo`, `1y`.
pub fn parse_frequency(field: &str, text: &str) -> Result<Frequency> {
    let span = match text.trim() {
        "daily" | "每日" | "每天" => Span::new().days(1),
        "weekly" | "每周" => Span::new().weeks(1),
        "monthly" | "每月" => Span::new().months(1),
        "quarterly" | "每季度" | "每季" => Span::new().months(3),
        "semiannual" | "semiannually" | "每半年" => Span::new().months(6),
        "yearly" | "annually" | "每年" => Span::new().years(1),
        other => {
            let s = crate::duration::parse_calendar_span(field, other).map_err(|_| {
                Error::invalid_value(
                    field,
                    other,
                    "expected daily, weekly, monthly, quarterly, semiannual, yearly (or 每日 … 每半年) or a span such as 2w or 1mo",
                )
            })?;
            // jiff's span units have ranges (±19,998 years); a longer one is refused, not a panic.
            let too_long = |_| Error::invalid_value(field, other, "too long a period");
            let mut span = Span::new()
                .try_years(s.years)
                .and_then(|x| x.try_months(s.months))
                .and_then(|x| x.try_days(s.days))
                .map_err(too_long)?;
            if !s.fixed.is_zero() {
                let ms = i64::try_from(s.fixed.as_millis())
                    .map_err(|_| Error::invalid_value(field, other, "too long a period"))?;
                span = span.try_milliseconds(ms).map_err(too_long)?;
            }
            if span.fieldwise() == Span::new().fieldwise() {
                return Err(Error::invalid_value(field, other, "a task cannot recur every 0"));
            }
            span
        }
    };
    Ok(Frequency::Every(span))
}

/// A task of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub name: String,
    pub frequency: Frequency,
    /// As written (`每季度`, `0 3 * * 1`).
    pub frequency_text: String,
    pub role: Option<String>,
    pub estimate: Option<String>,
    /// A `[[checks]]` name whose result ticks this task in a checklist.
    pub check: Option<String>,
    /// When it was last done, if the plan says (records say it too; the later wins).
    pub last_done_ms: Option<i64>,
    /// What a person (or the team's own automation) does for this task: commands and steps
    /// opsbook never runs itself (`VACUUM FULL ANALYZE`, `systemctl restart ...`), kept in
    /// the plan so the manual's step is named, not dropped.
    pub manual: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskSpec {
    name: String,
    every: Option<String>,
    cron: Option<String>,
    role: Option<String>,
    estimate: Option<String>,
    check: Option<String>,
    last_done: Option<String>,
    manual: Option<Manual>,
}

/// A manual step as one line or several.
#[derive(Deserialize)]
#[serde(untagged)]
enum Manual {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanSpec {
    tz: Option<String>,
    records: Option<std::path::PathBuf>,
    #[serde(default)]
    tasks: Vec<Value>,
    title: Option<String>,
    language: Option<String>,
    #[serde(default)]
    checklists: Value,
}

/// The `[maintenance]` table: its tasks, time zone and records file.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub tasks: Vec<Task>,
    pub zone_name: String,
    pub records: Option<std::path::PathBuf>,
    /// The platform's name, as reports are headed (`智能教育平台`).
    pub title: String,
    /// The reports' language: `zh-CN` (default) or `en`.
    pub language: String,
    /// Checklists the reports carry (`每日检查清单`), items tied to checks.
    pub checklists: Vec<Checklist>,
}

fn time_ms(field: &str, text: &str) -> Result<i64> {
    Ok(crate::check::parse_time(field, text)?.as_millisecond())
}

impl Plan {
    /// From the `[maintenance]` table: `tz`, `records` (a JSON-lines file), `title` and
    /// `language` of the reports, `[[tasks]]` with `name`, `every` or `cron`, `role`,
    /// `estimate`, `check`, `last_done`, and `[[checklists]]` with `name`, `report` (daily or
    /// monthly) and `items` (`text`, optional `check`).
    pub fn from_value(v: &Value) -> Result<Plan> {
        let spec: PlanSpec = serde_path_to_error::deserialize(v)
            .map_err(|e| Error::invalid_value(&format!("maintenance.{}", e.path()), "", e.inner().to_string()))?;
        let zone_name = spec.tz.unwrap_or_else(|| "UTC".into());
        crate::alert::gotime::time_zone(&zone_name)
            .map_err(|_| Error::invalid_value("maintenance.tz", &zone_name, "unknown time zone"))?;
        let mut tasks = Vec::new();
        for (i, t) in spec.tasks.iter().enumerate() {
            let at = format!("maintenance.tasks[{i}]");
            let t: TaskSpec = serde_path_to_error::deserialize(t)
                .map_err(|e| Error::invalid_value(&format!("{at}.{}", e.path()), "", e.inner().to_string()))?;
            let (frequency, frequency_text) = match (&t.every, &t.cron) {
                (Some(e), None) => (parse_frequency(&format!("{at}.every"), e)?, e.clone()),
                (None, Some(c)) => (
                    Frequency::Cron(Box::new(
                        croner::Cron::from_str(c)
                            .map_err(|e| Error::invalid_value(&format!("{at}.cron"), c, e.to_string()))?,
                    )),
                    c.clone(),
                ),
                _ => return Err(Error::invalid_value(&at, &t.name, "give one of every or cron")),
            };
            if tasks.iter().any(|x: &Task| x.name == t.name) {
                return Err(Error::invalid_value(&format!("{at}.name"), &t.name, "two tasks have this name"));
            }
            let last_done_ms = t.last_done.as_deref().map(|d| time_ms(&format!("{at}.last_done"), d)).transpose()?;
            tasks.push(Task {
                name: t.name,
                frequency,
                frequency_text,
                role: t.role,
                estimate: t.estimate,
                check: t.check,
                last_done_ms,
                manual: match t.manual {
                    None => Vec::new(),
                    Some(Manual::One(step)) => vec![step],
                    Some(Manual::Many(steps)) => steps,
                },
            });
        }
        let language = spec.language.unwrap_or_else(|| "zh-CN".into());
        if !["zh-CN", "zh-cn", "en"].contains(&language.as_str()) {
            return Err(Error::invalid_value("maintenance.language", &language, "expected zh-CN or en"));
        }
        let checklists = if spec.checklists.is_null() {
            Vec::new()
        } else {
            checklists_from_value(&spec.checklists, "maintenance.checklists")?
        };
        Ok(Plan {
            tasks,
            zone_name,
            records: spec.records,
            title: spec.title.unwrap_or_default(),
            language,
            checklists,
        })
    }

    fn zone(&self) -> TimeZone {
        crate::alert::gotime::time_zone(&self.zone_name).unwrap_or(TimeZone::UTC)
    }

    /// Where each task stands at `now_ms`, given the records (the latest record of a task
    /// counts when it is later than the plan's `last_done`). Most urgent first: overdue,
    /// due, then by due time.
    pub fn due(&self, records: &[Record], now_ms: i64) -> Result<Vec<Due>> {
        let zone = self.zone();
        let mut out = Vec::new();
        for task in &self.tasks {
            let recorded =
                records.iter().filter(|r| r.task.as_deref() == Some(task.name.as_str())).map(|r| r.time_ms).max();
            let last = task.last_done_ms.max(recorded);
            let due_at_ms = match last {
                None => None,
                Some(done) => Some(next_after(&task.frequency, done, &zone, &task.name)?),
            };
            let status = match due_at_ms {
                None => DueStatus::NeverDone,
                Some(at) if now_ms < at => DueStatus::NotDue,
                Some(at) if now_ms < at + 86_400_000 => DueStatus::Due,
                Some(_) => DueStatus::Overdue,
            };
            out.push(Due { task: task.clone(), last_done_ms: last, due_at_ms, status });
        }
        out.sort_by_key(|d| (d.status.rank(), d.due_at_ms.unwrap_or(i64::MIN)));
        Ok(out)
    }
}

fn next_after(frequency: &Frequency, done_ms: i64, zone: &TimeZone, name: &str) -> Result<i64> {
    let ts =
        Timestamp::from_millisecond(done_ms).map_err(|e| Error::invalid_value("last_done", name, e.to_string()))?;
    let z: Zoned = ts.to_zoned(zone.clone());
    let next = match frequency {
        Frequency::Every(span) => {
            z.checked_add(*span).map_err(|e| Error::invalid_value("every", name, e.to_string()))?
        }
        Frequency::Cron(cron) => {
            cron.find_next_occurrence(&z, false).map_err(|e| Error::invalid_value("cron", name, e.to_string()))?
        }
    };
    Ok(next.timestamp().as_millisecond())
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueStatus {
    Overdue,
    NeverDone,
    Due,
    NotDue,
}

impl DueStatus {
    fn rank(self) -> u8 {
        match self {
            DueStatus::Overdue => 0,
            DueStatus::NeverDone => 1,
            DueStatus::Due => 2,
            DueStatus::NotDue => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DueStatus::Overdue => "overdue",
            DueStatus::NeverDone => "never done",
            DueStatus::Due => "due",
            DueStatus::NotDue => "not due",
        }
    }
}

/// A task at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub task: Task,
    pub last_done_ms: Option<i64>,
    pub due_at_ms: Option<i64>,
    pub status: DueStatus,
}

impl Due {
    pub fn to_json(&self) -> Value {
        json!({
            "task": self.task.name,
            "every": self.task.frequency_text,
            "role": self.task.role,
            "estimate": self.task.estimate,
            "status": self.status.as_str(),
            "last_done": self.last_done_ms.map(crate::format::timestamp_ms_rfc3339),
            "due_at": self.due_at_ms.map(crate::format::timestamp_ms_rfc3339),
            "manual": self.task.manual,
        })
    }
}

/// The kinds of maintenance record the manuals keep.
pub const RECORD_KINDS: [&str; 3] = ["例行维护", "故障处理", "版本更新"];

/// One maintenance record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub time_ms: i64,
    pub operator: String,
    /// 例行维护 (routine), 故障处理 (incident), 版本更新 (release); English names are accepted.
    pub kind: String,
    /// The plan's task this record does, if any.
    pub task: Option<String>,
    pub description: String,
    pub impact: String,
    pub result: String,
    pub notes: String,
}

impl Record {
    /// A record, its kind checked (`routine`, `incident`, `release` become the manuals'
    /// words).
    pub fn new(time_ms: i64, operator: &str, kind: &str, task: Option<&str>, description: &str) -> Result<Record> {
        let kind = match kind {
            "routine" => "例行维护",
            "incident" => "故障处理",
            "release" => "版本更新",
            k if RECORD_KINDS.contains(&k) => k,
            other => {
                return Err(Error::invalid_value(
                    "kind",
                    other,
                    "expected 例行维护 (routine), 故障处理 (incident) or 版本更新 (release)",
                ));
            }
        };
        if operator.trim().is_empty() {
            return Err(Error::invalid_value("operator", operator, "a record needs who did it"));
        }
        Ok(Record {
            time_ms,
            operator: operator.to_owned(),
            kind: kind.to_owned(),
            task: task.map(str::to_owned),
            description: description.to_owned(),
            impact: String::new(),
            result: String::new(),
            notes: String::new(),
        })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "time": crate::format::timestamp_ms_rfc3339(self.time_ms),
            "operator": self.operator,
            "kind": self.kind,
            "task": self.task,
            "description": self.description,
            "impact": self.impact,
            "result": self.result,
            "notes": self.notes,
        })
    }

    fn from_json_line(line: &str, at: &str) -> Result<Record> {
        let v: Value =
            serde_json::from_str(line).map_err(|e| Error::invalid_value(at, line, format!("not JSON: {e}")))?;
        Record::from_value(&v, at)
    }

    /// A record as `to_json` writes it (`time`, `operator`, `kind`, `task`, `description`,
    /// `impact`, `result`, `notes`); `at` names it in errors.
    pub fn from_value(v: &Value, at: &str) -> Result<Record> {
        let obj = v.as_object().ok_or_else(|| Error::invalid_value(at, &v.to_string(), "expected an object"))?;
        const KNOWN: [&str; 8] = ["time", "operator", "kind", "task", "description", "impact", "result", "notes"];
        for (k, val) in obj {
            if !KNOWN.contains(&k.as_str()) {
                return Err(Error::invalid_value(
                    &format!("{at}.{k}"),
                    "",
                    format!("unknown key (known: {})", KNOWN.join(", ")),
                ));
            }
            if !(val.is_string() || (k == "task" && val.is_null())) {
                return Err(Error::invalid_value(&format!("{at}.{k}"), &val.to_string(), "expected a string"));
            }
        }
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let mut r = Record::new(
            time_ms(&format!("{at}.time"), &text("time"))?,
            &text("operator"),
            &text("kind"),
            v.get("task").and_then(Value::as_str),
            &text("description"),
        )
        .map_err(|e| match e {
            Error::InvalidValue { field, value, reason } => {
                Error::InvalidValue { field: format!("{at}.{field}"), value, reason }
            }
            other => other,
        })?;
        r.impact = text("impact");
        r.result = text("result");
        r.notes = text("notes");
        Ok(r)
    }
}

/// Reads a records file (JSON lines); a missing file is no records.
pub fn read_records(path: &Path) -> Result<Vec<Record>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Io { path: path.display().to_string(), reason: e.to_string() }),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Record::from_json_line(l, &format!("{}:{}", path.display(), i + 1)))
        .collect()
}

/// Appends a record to a records file (one line, written whole under an exclusive lock so
/// concurrent writers do not interleave).
pub fn append_record(path: &Path, record: &Record) -> Result<()> {
    use std::io::Write;
    let io = |e: std::io::Error| Error::Io { path: path.display().to_string(), reason: e.to_string() };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| Error::Io { path: path.display().to_string(), reason: e.to_string() })?;
    let line = format!("{}\n", record.to_json());
    file.write_all(line.as_bytes()).and_then(|_| file.sync_data()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_beyond_the_calendar_is_refused() {
        // Found by fuzzing (fuzz/regressions/durations): jiff's span panicked past its range.
        for text in ["00999999999999s", "20000y", "99999999mo", "9999999999d"] {
            let e = parse_frequency("every", text).unwrap_err().to_string();
            assert!(e.contains("every") && e.contains(text), "{text}: {e}");
        }
        assert!(parse_frequency("every", "19998y").is_ok());
    }

    fn ms(t: &str) -> i64 {
        t.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn the_manuals_plan_is_due_as_a_calendar_says() {
        let plan = Plan::from_value(&json!({
            "tz": "Asia/Shanghai",
            "tasks": [
                {"name": "系统状态检查", "every": "每日", "role": "运维工程师", "estimate": "30分钟", "last_done": "2024-05-01T01:00:00Z"},
                {"name": "安全漏洞扫描", "every": "每月", "role": "安全工程师", "last_done": "2024-01-31T02:00:00Z"},
                {"name": "灾难恢复演练", "every": "每半年", "role": "运维团队"},
                {"name": "周报", "cron": "0 9 * * 1", "last_done": "2024-04-29T01:00:00Z"},
            ]
        }))
        .unwrap();
        // 2024-05-02 12:00 in Shanghai.
        let now = ms("2024-05-02T04:00:00Z");
        let due = plan.due(&[], now).unwrap();
        let got: Vec<(&str, &str, Option<String>)> = due
            .iter()
            .map(|d| (d.task.name.as_str(), d.status.as_str(), d.due_at_ms.map(crate::format::timestamp_ms_rfc3339)))
            .collect();
        assert_eq!(
            got,
            vec![
                // Done 31 Jan 10:00 Shanghai: due 29 Feb 10:00 (clamped), long overdue.
                ("安全漏洞扫描", "overdue", Some("2024-02-29T02:00:00Z".to_owned())),
                ("灾难恢复演练", "never done", None),
                // Done 1 May 09:00 Shanghai: due 2 May 09:00, three hours ago.
                ("系统状态检查", "due", Some("2024-05-02T01:00:00Z".to_owned())),
                // Monday 09:00 Shanghai after Monday 29 April 09:00: 6 May 09:00.
                ("周报", "not due", Some("2024-05-06T01:00:00Z".to_owned())),
            ]
        );
        // A record later than the plan's last_done counts.
        let r = Record::new(ms("2024-05-02T02:00:00Z"), "alice", "routine", Some("系统状态检查"), "ok").unwrap();
        let due = plan.due(&[r], now).unwrap();
        assert_eq!(due.iter().find(|d| d.task.name == "系统状态检查").unwrap().status, DueStatus::NotDue);
    }

    #[test]
    fn bad_plans_name_the_field() {
        for (doc, want) in [
            (json!({"tasks": [{"name": "x", "every": "fortnightly"}]}), "maintenance.tasks[0].every"),
            (json!({"tasks": [{"name": "x", "cron": "61 * * * *"}]}), "maintenance.tasks[0].cron"),
            (json!({"tasks": [{"name": "x"}]}), "every or cron"),
            (json!({"tasks": [{"name": "x", "every": "daily", "colour": 1}]}), "colour"),
            (json!({"tz": "Mars/Base"}), "maintenance.tz"),
            (json!({"tasks": [{"name": "x", "every": "daily"}, {"name": "x", "every": "weekly"}]}), "two tasks"),
        ] {
            let e = Plan::from_value(&doc).unwrap_err().to_string();
            assert!(e.contains(want), "{doc}: {e}");
        }
        assert!(Record::new(0, "bob", "cleanup", None, "").unwrap_err().to_string().contains("例行维护"));
    }
}

/// A checklist of the plan (`每日检查清单`), each item optionally tied to a check.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub name: String,
    /// Which report carries it (default daily).
    #[serde(default = "daily")]
    pub report: String,
    pub items: Vec<ChecklistItem>,
}

fn daily() -> String {
    "daily".into()
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub text: String,
    /// A `[[checks]]` (or backup check) name whose result ticks this item.
    pub check: Option<String>,
}

/// `[[maintenance.checklists]]` entries, checked: a report of daily or monthly, items with
/// text.
pub fn checklists_from_value(v: &Value, at: &str) -> Result<Vec<Checklist>> {
    let list: Vec<Checklist> = crate::error::deserialize_at(v, at)?;
    for (i, c) in list.iter().enumerate() {
        if !["daily", "monthly"].contains(&c.report.as_str()) {
            return Err(Error::invalid_value(&format!("{at}[{i}].report"), &c.report, "expected daily or monthly"));
        }
        for (j, item) in c.items.iter().enumerate() {
            if item.text.trim().is_empty() {
                return Err(Error::invalid_value(&format!("{at}[{i}].items[{j}].text"), "", "an item needs text"));
            }
        }
    }
    Ok(list)
}

/// A list of records as `Record::to_json` writes them; errors name `at[i].key`.
pub fn records_from_value(v: &Value, at: &str) -> Result<Vec<Record>> {
    let list = v.as_array().ok_or_else(|| Error::invalid_value(at, "", "expected a list of records"))?;
    list.iter().enumerate().map(|(i, r)| Record::from_value(r, &format!("{at}[{i}]"))).collect()
}
