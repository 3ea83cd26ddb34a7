//! Reports as the manuals write them: the daily check (daily_check.sh's numbered sections
//! with `✓` / `⚠` / `✗` per item) and the monthly maintenance report, assembled from a
//! period's check results, backup checks, alerts, log analyses, capacity plan, maintenance
//! plan, checklists and records — as text, markdown or JSON, in zh-CN or en.
//!
//! A report is a list of sections of marked items. Each part is turned into items here, in
//! one place, so every front door prints the same words; the renderers only lay them out.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use serde_json::{Value, json};

use crate::alert::message::{Lang, show_time};
use crate::alert::model::{Alert, AlertStatus};
use crate::check::CheckResult;
use crate::error::{Error, Result};
use crate::forecast::capacity::CapacityPlan;
use crate::logs::analyze::LogReport;
use crate::maintenance::{Checklist, Due, DueStatus, Record, checklists_from_value};
use crate::rules::incident::{Incident, IncidentStatus};
use crate::status::Status;

/// How an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    /// `✓`: as it should be.
    Ok,
    /// `⚠`: look at it today.
    Warn,
    /// `✗`: broken.
    Fail,
    /// `☐`: a checklist item no check can tick: someone has to.
    Todo,
    /// `-`: a figure, no judgement.
    Info,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Ok => "✓",
            Mark::Warn => "⚠",
            Mark::Fail => "✗",
            Mark::Todo => "☐",
            Mark::Info => "-",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Ok => "ok",
            Mark::Warn => "warn",
            Mark::Fail => "fail",
            Mark::Todo => "todo",
            Mark::Info => "info",
        }
    }

    /// A check's status as a mark: UNKNOWN is a warning (it is not healthy, DESIGN's order).
    pub fn of_status(status: Status) -> Mark {
        match status {
            Status::Ok => Mark::Ok,
            Status::Warning | Status::Unknown => Mark::Warn,
            Status::Critical => Mark::Fail,
        }
    }

    /// The status a mark counts as (Todo and Info count as OK: they judge nothing).
    pub fn status(self) -> Status {
        match self {
            Mark::Warn => Status::Warning,
            Mark::Fail => Status::Critical,
            Mark::Ok | Mark::Todo | Mark::Info => Status::Ok,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub mark: Mark,
    pub text: String,
}

impl Item {
    fn new(mark: Mark, text: impl Into<String>) -> Item {
        // One item, one line: a summary with a newline would break the layout.
        let text: String = text.into();
        let text =
            if text.contains(['\n', '\r']) { text.replace("\r\n", " ").replace(['\n', '\r'], " ") } else { text };
        Item { mark, text }
    }
}

/// What a section holds; checklists print as `- [x]` / `- [ ]` in markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    Checks,
    Backups,
    Alerts,
    Incidents,
    Logs,
    Capacity,
    Maintenance,
    Checklist,
    Records,
    /// What became of the notifications of a maintenance pass.
    Notifications,
    /// The backups each location's retention would forget (a plan: nothing is deleted).
    Retention,
    /// What the log lifecycle would compress, move or delete (a plan).
    LogLifecycle,
}

impl SectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Checks => "checks",
            SectionKind::Backups => "backups",
            SectionKind::Alerts => "alerts",
            SectionKind::Incidents => "incidents",
            SectionKind::Logs => "logs",
            SectionKind::Capacity => "capacity",
            SectionKind::Maintenance => "maintenance",
            SectionKind::Checklist => "checklist",
            SectionKind::Records => "records",
            SectionKind::Notifications => "notifications",
            SectionKind::Retention => "retention",
            SectionKind::LogLifecycle => "log_lifecycle",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub kind: SectionKind,
    pub title: String,
    pub items: Vec<Item>,
}

impl Section {
    pub fn status(&self) -> Status {
        Status::worst(self.items.iter().map(|i| i.mark.status()))
    }
}

/// One notification of a maintenance pass, as a report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationSummary {
    pub receiver: String,
    /// The `[[channels]]` entry it went to (empty when the receiver has none).
    pub channel: String,
    /// The receiver's channel type (`dingtalk`, `email`, ...).
    pub channel_kind: String,
    /// `firing` or `resolved`.
    pub status: String,
    pub alertnames: Vec<String>,
    pub state: NotificationState,
}

/// What became of a notification.
#[derive(Debug, Clone, PartialEq)]
pub enum NotificationState {
    Delivered,
    /// Why it was not delivered (secrets masked).
    Failed(String),
    /// Rendered only: the pass ran without sending.
    Rendered,
}

/// Daily check or monthly maintenance report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Daily,
    Monthly,
}

impl ReportKind {
    pub fn parse(field: &str, text: &str) -> Result<ReportKind> {
        match text {
            "daily" => Ok(ReportKind::Daily),
            "monthly" => Ok(ReportKind::Monthly),
            other => Err(Error::invalid_value(field, other, "expected daily or monthly")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Daily => "daily",
            ReportKind::Monthly => "monthly",
        }
    }
}

/// The output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Markdown,
    Json,
}

impl ReportFormat {
    pub fn parse(field: &str, text: &str) -> Result<ReportFormat> {
        match text {
            "text" => Ok(ReportFormat::Text),
            "markdown" | "md" => Ok(ReportFormat::Markdown),
            "json" => Ok(ReportFormat::Json),
            other => Err(Error::invalid_value(field, other, "expected text, markdown or json")),
        }
    }
}

/// A report being assembled: add parts, then render.
#[derive(Debug, Clone)]
pub struct Report {
    pub kind: ReportKind,
    /// The platform's name (`智能教育平台`).
    pub title: String,
    pub time_ms: i64,
    pub zone_name: String,
    zone: TimeZone,
    pub lang: Lang,
    pub sections: Vec<Section>,
}

struct Words {
    daily: &'static str,
    monthly: &'static str,
    checks: &'static str,
    backups: &'static str,
    alerts: &'static str,
    incidents: &'static str,
    no_incidents: &'static str,
    logs: &'static str,
    capacity: &'static str,
    maintenance: &'static str,
    records: &'static str,
    done: &'static str,
    time: &'static str,
    status: &'static str,
    no_alerts: &'static str,
    since: &'static str,
    notifications: &'static str,
    retention: &'static str,
    log_lifecycle: &'static str,
}

const ZH: Words = Words {
    daily: "每日检查",
    monthly: "月度维护报告",
    checks: "检查结果",
    backups: "备份",
    alerts: "告警",
    incidents: "事件",
    no_incidents: "无事件",
    logs: "日志",
    capacity: "容量规划",
    maintenance: "维护计划",
    records: "维护记录",
    done: "检查完成",
    time: "时间",
    status: "状态",
    no_alerts: "无活动告警",
    since: "自",
    notifications: "通知",
    retention: "备份保留",
    log_lifecycle: "日志归档",
};

const EN: Words = Words {
    daily: "daily check",
    monthly: "monthly maintenance report",
    checks: "Checks",
    backups: "Backups",
    alerts: "Alerts",
    incidents: "Incidents",
    no_incidents: "no incidents",
    logs: "Logs",
    capacity: "Capacity",
    maintenance: "Maintenance plan",
    records: "Maintenance records",
    done: "Check complete",
    time: "Time",
    status: "Status",
    no_alerts: "no active alerts",
    since: "since",
    notifications: "Notifications",
    retention: "Backup retention",
    log_lifecycle: "Log lifecycle",
};

/// A number as a report shows it: at most two decimals, no trailing zeros.
pub fn short_number(v: f64) -> String {
    if !v.is_finite() {
        return crate::fmt_number(v);
    }
    let s = format!("{v:.2}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

fn status_word(status: Status, lang: Lang) -> &'static str {
    match (lang, status) {
        (Lang::ZhCn, Status::Ok) => "正常",
        (Lang::ZhCn, Status::Warning | Status::Unknown) => "警告",
        (Lang::ZhCn, Status::Critical) => "异常",
        (Lang::En, s) => s.as_str(),
    }
}

impl Report {
    pub fn new(kind: ReportKind, title: &str, time_ms: i64, zone_name: &str, lang: Lang) -> Result<Report> {
        let zone = crate::alert::gotime::time_zone(zone_name)
            .map_err(|_| Error::invalid_value("tz", zone_name, "unknown time zone"))?;
        jiff::Timestamp::from_millisecond(time_ms)
            .map_err(|e| Error::invalid_value("time", &time_ms.to_string(), e.to_string()))?;
        Ok(Report {
            kind,
            title: title.to_owned(),
            time_ms,
            zone_name: zone_name.to_owned(),
            zone,
            lang,
            sections: Vec::new(),
        })
    }

    fn words(&self) -> &'static Words {
        match self.lang {
            Lang::ZhCn => &ZH,
            Lang::En => &EN,
        }
    }

    fn zh(&self) -> bool {
        self.lang == Lang::ZhCn
    }

    fn time(&self, ms: i64) -> String {
        show_time(ms, &self.zone)
    }

    /// `智能教育平台每日检查` / `smart-edu daily check`.
    pub fn headline(&self) -> String {
        let w = self.words();
        let what = match self.kind {
            ReportKind::Daily => w.daily,
            ReportKind::Monthly => w.monthly,
        };
        match (self.zh(), self.title.is_empty()) {
            (true, _) | (false, true) => format!("{}{what}", self.title),
            (false, false) => format!("{} {what}", self.title),
        }
    }

    /// The worst item of the report.
    pub fn status(&self) -> Status {
        Status::worst(self.sections.iter().map(Section::status))
    }

    fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts: BTreeMap<&'static str, usize> =
            [Mark::Ok, Mark::Warn, Mark::Fail, Mark::Todo, Mark::Info].iter().map(|m| (m.as_str(), 0)).collect();
        for item in self.sections.iter().flat_map(|s| &s.items) {
            *counts.entry(item.mark.as_str()).or_default() += 1;
        }
        counts
    }

    fn push(&mut self, kind: SectionKind, title: String, items: Vec<Item>) {
        self.sections.push(Section { kind, title, items });
    }

    fn result_items(results: &[CheckResult]) -> Vec<Item> {
        results
            .iter()
            .map(|r| {
                let summary = if r.summary.is_empty() { r.status.as_str() } else { r.summary.as_str() };
                Item::new(Mark::of_status(r.status), format!("{}: {summary}", r.name))
            })
            .collect()
    }

    /// Each check's status and summary.
    pub fn add_checks(&mut self, results: &[CheckResult]) {
        let items = Report::result_items(results);
        self.push(SectionKind::Checks, self.words().checks.to_owned(), items);
    }

    /// The backup checks (newest backup's age and verification), one item each.
    pub fn add_backups(&mut self, results: &[CheckResult]) {
        let items = Report::result_items(results);
        self.push(SectionKind::Backups, self.words().backups.to_owned(), items);
    }

    /// The alerts firing now: critical severities (`critical`, `P0`, `P1`, `error`) as `✗`,
    /// others as `⚠`; none is `✓ 无活动告警`. Resolved alerts are left out.
    pub fn add_alerts(&mut self, alerts: &[Alert]) {
        let w = self.words();
        let mut items = Vec::new();
        for a in alerts.iter().filter(|a| a.status == AlertStatus::Firing) {
            let severity = a.labels.get("severity").map(String::as_str).unwrap_or("");
            let mark = match severity.to_ascii_lowercase().as_str() {
                "critical" | "p0" | "p1" | "error" | "page" => Mark::Fail,
                _ => Mark::Warn,
            };
            let name = a.labels.get("alertname").map(String::as_str).unwrap_or("");
            let about = a
                .annotations
                .get("summary")
                .or_else(|| a.annotations.get("description"))
                .cloned()
                .unwrap_or_else(|| crate::alert::message::labels_line(a));
            let severity = if severity.is_empty() { String::new() } else { format!("[{severity}] ") };
            items.push(Item::new(
                mark,
                format!("{severity}{name}: {about} ({} {})", w.since, self.time(a.starts_at_ms)),
            ));
        }
        if items.is_empty() {
            items.push(Item::new(Mark::Ok, w.no_alerts));
        }
        self.push(SectionKind::Alerts, w.alerts.to_owned(), items);
    }

    /// The incidents of the period: those still open (`✗`) or acknowledged (`⚠`), whenever
    /// they opened, and those opened in the period and resolved since (`✓`); none is
    /// `✓ 无事件`.
    pub fn add_incidents(&mut self, incidents: &[Incident]) -> Result<()> {
        let (from, _) = self.period()?;
        let zh = self.zh();
        let mut chosen: Vec<&Incident> = incidents
            .iter()
            .filter(|i| {
                matches!(i.status, IncidentStatus::Open | IncidentStatus::Acknowledged) || i.opened_at_ms >= from
            })
            .collect();
        chosen.sort_by(|a, b| (a.opened_at_ms, &a.id).cmp(&(b.opened_at_ms, &b.id)));
        let mut items: Vec<Item> = chosen
            .into_iter()
            .map(|i| {
                let (mark, word) = match (i.status, zh) {
                    (IncidentStatus::Open, true) => (Mark::Fail, "处理中"),
                    (IncidentStatus::Open, false) => (Mark::Fail, "open"),
                    (IncidentStatus::Acknowledged, true) => (Mark::Warn, "已确认"),
                    (IncidentStatus::Acknowledged, false) => (Mark::Warn, "acknowledged"),
                    (IncidentStatus::AutoResolved, true) => (Mark::Ok, "已自动恢复"),
                    (IncidentStatus::AutoResolved, false) => (Mark::Ok, "auto-resolved"),
                    (IncidentStatus::Resolved, true) => (Mark::Ok, "已解决"),
                    (IncidentStatus::Resolved, false) => (Mark::Ok, "resolved"),
                };
                let text = format!(
                    "{} {} [{}]: {word} ({} {})",
                    i.id,
                    i.kind,
                    i.level,
                    self.words().since,
                    self.time(i.opened_at_ms)
                );
                // Still open past the level's recovery target (恢复目标): a failure of its own.
                match i.recover_by_ms {
                    Some(by)
                        if by <= self.time_ms
                            && matches!(i.status, IncidentStatus::Open | IncidentStatus::Acknowledged) =>
                    {
                        let past = if zh {
                            format!("{text}, 已超过恢复目标 ({})", self.time(by))
                        } else {
                            format!("{text}, past its recovery target ({})", self.time(by))
                        };
                        Item::new(Mark::Fail, past)
                    }
                    _ => Item::new(mark, text),
                }
            })
            .collect();
        if items.is_empty() {
            items.push(Item::new(Mark::Ok, self.words().no_incidents));
        }
        self.push(SectionKind::Incidents, self.words().incidents.to_owned(), items);
        Ok(())
    }

    /// A log analysis as the manuals read it: errors found (or none), error types, requests
    /// by status class, endpoints with errors and their rates, busy IPs, failed logins.
    pub fn add_logs(&mut self, name: &str, report: &LogReport) {
        let zh = self.zh();
        let mut items = Vec::new();
        let errors = report.errors();
        items.push(match (errors, zh) {
            (0, true) => Item::new(Mark::Ok, format!("{name}: 无错误日志")),
            (0, false) => Item::new(Mark::Ok, format!("{name}: no errors")),
            (n, true) => Item::new(Mark::Warn, format!("{name}: 发现 {n} 个错误")),
            (n, false) => Item::new(Mark::Warn, format!("{name}: {n} errors")),
        });
        for (t, c) in &report.error_types {
            items.push(Item::new(Mark::Info, if zh { format!("{t}: {c} 次") } else { format!("{t}: {c} times") }));
        }
        if report.requests > 0 {
            let [c1, c2, c3, c4, c5] = report.status_classes;
            let classes = format!("1xx {c1}, 2xx {c2}, 3xx {c3}, 4xx {c4}, 5xx {c5}");
            items.push(Item::new(
                Mark::Info,
                if zh {
                    format!("{name}: {} 次请求 ({classes})", report.requests)
                } else {
                    format!("{name}: {} requests ({classes})", report.requests)
                },
            ));
        }
        for e in report.endpoints.iter().filter(|e| e.errors > 0) {
            let p95 = e.p95_ms.map(|p| format!(", P95 {}ms", short_number(p))).unwrap_or_default();
            items.push(Item::new(
                Mark::Info,
                if zh {
                    format!(
                        "{}: 调用 {} 次, 错误 {} 次, 错误率 {:.1}%{p95}",
                        e.endpoint, e.requests, e.errors, e.error_rate
                    )
                } else {
                    format!(
                        "{}: {} calls, {} errors, error rate {:.1}%{p95}",
                        e.endpoint, e.requests, e.errors, e.error_rate
                    )
                },
            ));
        }
        for (ip, c) in &report.busy_ips {
            items.push(Item::new(
                Mark::Warn,
                if zh { format!("可疑IP {ip}: {c} 次请求") } else { format!("busy IP {ip}: {c} requests") },
            ));
        }
        if report.failed_logins > 0 {
            items.push(Item::new(
                Mark::Info,
                if zh {
                    format!("{name}: 登录失败 {} 次", report.failed_logins)
                } else {
                    format!("{name}: {} failed logins", report.failed_logins)
                },
            ));
        }
        for (ip, c) in &report.failed_login_ips {
            items.push(Item::new(
                Mark::Warn,
                if zh {
                    format!("登录失败过多 IP {ip}: {c} 次")
                } else {
                    format!("failed logins from {ip}: {c}")
                },
            ));
        }
        for (user, c) in &report.failed_login_users {
            items.push(Item::new(
                Mark::Warn,
                if zh {
                    format!("登录失败过多 用户 {user}: {c} 次")
                } else {
                    format!("failed logins for {user}: {c}")
                },
            ));
        }
        if report.unparsed > 0 {
            items.push(Item::new(
                Mark::Info,
                if zh {
                    format!("{name}: {} 行无法解析", report.unparsed)
                } else {
                    format!("{name}: {} lines not understood", report.unparsed)
                },
            ));
        }
        match self.sections.iter_mut().find(|s| s.kind == SectionKind::Logs) {
            Some(section) => section.items.extend(items),
            None => self.push(SectionKind::Logs, self.words().logs.to_owned(), items),
        }
    }

    /// Each resource of the plan: `⚠ 磁盘 需要扩容规划` above the growth limit (the manual's
    /// words), `✓` otherwise, with its value now and at the horizon.
    pub fn add_capacity(&mut self, plan: &CapacityPlan) {
        let zh = self.zh();
        let mut items = Vec::new();
        for r in &plan.resources {
            let figures = if zh {
                format!(
                    "{} → {} ({} 个月, +{:.1}%)",
                    short_number(r.current),
                    short_number(r.predicted),
                    plan.months,
                    r.increase_percent
                )
            } else {
                format!(
                    "{} → {} in {} months (+{:.1}%)",
                    short_number(r.current),
                    short_number(r.predicted),
                    plan.months,
                    r.increase_percent
                )
            };
            let exhaustion = match r.months_to_exhaustion {
                Some(m) if zh => format!(", {:.1} 个月后达到上限", m),
                Some(m) => format!(", limit reached in {:.1} months", m),
                None => String::new(),
            };
            items.push(match (r.needs_expansion, zh) {
                (true, true) => Item::new(Mark::Warn, format!("{} 需要扩容规划: {figures}{exhaustion}", r.name)),
                (true, false) => {
                    Item::new(Mark::Warn, format!("{} needs expansion planning: {figures}{exhaustion}", r.name))
                }
                (false, _) => Item::new(Mark::Ok, format!("{}: {figures}{exhaustion}", r.name)),
            });
        }
        self.push(SectionKind::Capacity, self.words().capacity.to_owned(), items);
    }

    /// Where each task of the plan stands: overdue `✗`, due or never done `⚠`, not due `✓`.
    pub fn add_maintenance(&mut self, due: &[Due]) {
        let zh = self.zh();
        let mut items = Vec::new();
        for d in due {
            let role = d.task.role.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
            let at = d.due_at_ms.map(|t| self.time(t)).unwrap_or_default();
            let (mark, state) = match (d.status, zh) {
                (DueStatus::Overdue, true) => (Mark::Fail, format!("已逾期 (到期 {at})")),
                (DueStatus::Overdue, false) => (Mark::Fail, format!("overdue (due {at})")),
                (DueStatus::Due, true) => (Mark::Warn, format!("待执行 (到期 {at})")),
                (DueStatus::Due, false) => (Mark::Warn, format!("due (since {at})")),
                (DueStatus::NeverDone, true) => (Mark::Warn, "从未执行".to_owned()),
                (DueStatus::NeverDone, false) => (Mark::Warn, "never done".to_owned()),
                (DueStatus::NotDue, true) => (Mark::Ok, format!("下次 {at}")),
                (DueStatus::NotDue, false) => (Mark::Ok, format!("next due {at}")),
            };
            items.push(Item::new(mark, format!("{} ({}): {state}{role}", d.task.name, d.task.frequency_text)));
        }
        self.push(SectionKind::Maintenance, self.words().maintenance.to_owned(), items);
    }

    /// A checklist: an item tied to a check is ticked when that check is OK (`⚠`/`✗` as
    /// its status otherwise); an item no result ticks is `☐`, for someone to do by hand.
    pub fn add_checklist(&mut self, checklist: &Checklist, results: &[CheckResult]) {
        let zh = self.zh();
        let mut items = Vec::new();
        for item in &checklist.items {
            let found = item.check.as_deref().map(|c| (c, results.iter().find(|r| r.name == c)));
            items.push(match found {
                None => Item::new(Mark::Todo, item.text.clone()),
                Some((c, None)) => Item::new(
                    Mark::Todo,
                    if zh {
                        format!("{} ({c}: 无检查结果)", item.text)
                    } else {
                        format!("{} ({c}: no result)", item.text)
                    },
                ),
                Some((_, Some(r))) if r.status == Status::Ok => Item::new(Mark::Ok, item.text.clone()),
                Some((c, Some(r))) => {
                    Item::new(Mark::of_status(r.status), format!("{} ({c}: {})", item.text, r.status.as_str()))
                }
            });
        }
        self.push(SectionKind::Checklist, checklist.name.clone(), items);
    }

    /// The maintenance records of the report's period (the last day of a daily report, the
    /// calendar month of a monthly one, in the report's zone), oldest first.
    pub fn add_records(&mut self, records: &[Record]) -> Result<()> {
        let (from, to) = self.period()?;
        let mut chosen: Vec<&Record> = records.iter().filter(|r| r.time_ms >= from && r.time_ms <= to).collect();
        chosen.sort_by_key(|r| r.time_ms);
        let mut items: Vec<Item> = chosen
            .into_iter()
            .map(|r| {
                let about = match (&r.task, r.description.is_empty()) {
                    (Some(t), true) => t.clone(),
                    (Some(t), false) => format!("{t}: {}", r.description),
                    (None, _) => r.description.clone(),
                };
                let result = if r.result.is_empty() { String::new() } else { format!(" → {}", r.result) };
                Item::new(Mark::Info, format!("{} {} [{}] {about}{result}", self.time(r.time_ms), r.operator, r.kind))
            })
            .collect();
        if items.is_empty() {
            items.push(Item::new(Mark::Info, if self.zh() { "本期无维护记录" } else { "no records in this period" }));
        }
        self.push(SectionKind::Records, self.words().records.to_owned(), items);
        Ok(())
    }

    /// What became of each notification of a maintenance pass: delivered `✓`, failed `✗`
    /// (with the reason), rendered but not sent (a run without `--send`) `-`.
    pub fn add_notifications(&mut self, list: &[NotificationSummary]) {
        let zh = self.zh();
        let items = list
            .iter()
            .map(|n| {
                let to = if n.channel.is_empty() || n.channel == n.receiver {
                    n.receiver.clone()
                } else {
                    format!("{}/{}", n.receiver, n.channel)
                };
                let kind = if n.channel_kind.is_empty() { String::new() } else { format!(" ({})", n.channel_kind) };
                let what = format!("{} → {to}{kind}: {}", n.status, n.alertnames.join(", "));
                match (&n.state, zh) {
                    (NotificationState::Delivered, true) => Item::new(Mark::Ok, format!("{what} 已发送")),
                    (NotificationState::Delivered, false) => Item::new(Mark::Ok, format!("{what} delivered")),
                    (NotificationState::Failed(why), true) => Item::new(Mark::Fail, format!("{what} 发送失败: {why}")),
                    (NotificationState::Failed(why), false) => {
                        Item::new(Mark::Fail, format!("{what} NOT delivered: {why}"))
                    }
                    (NotificationState::Rendered, true) => Item::new(Mark::Info, format!("{what} 未发送 (预览)")),
                    (NotificationState::Rendered, false) => Item::new(Mark::Info, format!("{what} rendered, not sent")),
                }
            })
            .collect();
        self.push(SectionKind::Notifications, self.words().notifications.to_owned(), items);
    }

    /// One backup location's retention plan: how many backups it keeps and which it would
    /// forget (`-`), or why it could not be planned (`✗`).
    pub fn add_retention(&mut self, location: &str, plan: &Result<(usize, Vec<String>)>) {
        let zh = self.zh();
        let item = match (plan, zh) {
            (Err(e), _) => Item::new(Mark::Fail, format!("{location}: {}", crate::redact::redact(&e.to_string()))),
            (Ok((keep, forget)), true) if forget.is_empty() => {
                Item::new(Mark::Info, format!("{location}: 保留 {keep} 个, 无到期备份"))
            }
            (Ok((keep, forget)), false) if forget.is_empty() => {
                Item::new(Mark::Info, format!("{location}: keep {keep}, none to forget"))
            }
            (Ok((keep, forget)), true) => Item::new(
                Mark::Info,
                format!("{location}: 保留 {keep} 个, 到期 {} 个: {}", forget.len(), forget.join(", ")),
            ),
            (Ok((keep, forget)), false) => Item::new(
                Mark::Info,
                format!("{location}: keep {keep}, forget {}: {}", forget.len(), forget.join(", ")),
            ),
        };
        self.push_item(SectionKind::Retention, self.words().retention, item);
    }

    /// One log directory's lifecycle plan: how many files it would compress, move to a tier
    /// and delete (`-`), or why it could not be planned (`✗`).
    #[cfg(feature = "logs")]
    pub fn add_log_lifecycle(&mut self, dir: &str, plan: &Result<Vec<crate::logs::lifecycle::Planned>>) {
        use crate::logs::lifecycle::Action;
        let item = match plan {
            Err(e) => Item::new(Mark::Fail, format!("{dir}: {}", crate::redact::redact(&e.to_string()))),
            Ok(list) => {
                let count = |f: fn(&Action) -> bool| list.iter().filter(|p| f(&p.action)).count();
                let (c, m, d) = (
                    count(|a| matches!(a, Action::Compress)),
                    count(|a| matches!(a, Action::Move(_))),
                    count(|a| matches!(a, Action::Delete)),
                );
                if self.zh() {
                    Item::new(Mark::Info, format!("{dir}: 压缩 {c} 个, 转移 {m} 个, 删除 {d} 个"))
                } else {
                    Item::new(Mark::Info, format!("{dir}: compress {c}, move {m}, delete {d}"))
                }
            }
        };
        self.push_item(SectionKind::LogLifecycle, self.words().log_lifecycle, item);
    }

    /// Adds `item` to the section of `kind`, starting it when it is not there yet.
    fn push_item(&mut self, kind: SectionKind, title: &str, item: Item) {
        match self.sections.iter_mut().find(|s| s.kind == kind) {
            Some(s) => s.items.push(item),
            None => self.push(kind, title.to_owned(), vec![item]),
        }
    }

    /// The period the report covers: the 24 hours before its time (daily) or its calendar
    /// month up to its time (monthly).
    pub fn period(&self) -> Result<(i64, i64)> {
        match self.kind {
            ReportKind::Daily => Ok((self.time_ms - 86_400_000, self.time_ms)),
            ReportKind::Monthly => {
                let ts = jiff::Timestamp::from_millisecond(self.time_ms)
                    .map_err(|e| Error::invalid_value("time", &self.time_ms.to_string(), e.to_string()))?;
                let z = ts.to_zoned(self.zone.clone());
                let start = z
                    .start_of_day()
                    .and_then(|d| d.with().day(1).build())
                    .map_err(|e| Error::invalid_value("time", &self.time_ms.to_string(), e.to_string()))?;
                Ok((start.timestamp().as_millisecond(), self.time_ms))
            }
        }
    }

    /// daily_check.sh's layout: a `===` headline with the time, numbered sections, two-space
    /// indented items, and a closing line with the overall status and the counts.
    pub fn to_text(&self) -> String {
        let w = self.words();
        let mut out = format!("=== {} {} ===\n", self.headline(), self.time(self.time_ms));
        for (i, s) in self.sections.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", i + 1, s.title));
            for item in &s.items {
                out.push_str(&format!("  {} {}\n", item.mark.symbol(), item.text));
            }
        }
        out.push_str(&format!("=== {}: {} ===\n", w.done, self.closing()));
        out
    }

    fn closing(&self) -> String {
        let c = self.counts();
        let status = self.status();
        let word = status_word(status, self.lang);
        let symbol = Mark::of_status(status).symbol();
        if self.zh() {
            format!(
                "{symbol} {word} ({} 项正常, {} 项警告, {} 项异常, {} 项待办)",
                c["ok"], c["warn"], c["fail"], c["todo"]
            )
        } else {
            format!(
                "{symbol} {word} ({} ok, {} warnings, {} failures, {} to do)",
                c["ok"], c["warn"], c["fail"], c["todo"]
            )
        }
    }

    /// A markdown document: `#` headline, time and status, `## N. section`, items as a
    /// list (checklists as `- [x]` / `- [ ]`, as the manuals keep them).
    pub fn to_markdown(&self) -> String {
        let w = self.words();
        let mut out = format!(
            "# {}\n\n- {}: {}\n- {}: {}\n",
            escape_markdown(&self.headline()),
            w.time,
            self.time(self.time_ms),
            w.status,
            self.closing()
        );
        for (i, s) in self.sections.iter().enumerate() {
            out.push_str(&format!("\n## {}. {}\n\n", i + 1, escape_markdown(&s.title)));
            for item in &s.items {
                let text = escape_markdown(&item.text);
                let line = match (s.kind, item.mark) {
                    (SectionKind::Checklist, Mark::Ok) => format!("- [x] {text}\n"),
                    (SectionKind::Checklist, Mark::Todo) => format!("- [ ] {text}\n"),
                    (SectionKind::Checklist, m) => format!("- [ ] {} {text}\n", m.symbol()),
                    (_, Mark::Info) => format!("- {text}\n"),
                    (_, m) => format!("- {} {text}\n", m.symbol()),
                };
                out.push_str(&line);
            }
        }
        out
    }

    /// Everything, as data: kind, title, time (RFC 3339), zone, language, status, counts,
    /// and each section with its status and items.
    pub fn to_json(&self) -> Value {
        let c = self.counts();
        json!({
            "kind": self.kind.as_str(),
            "title": self.headline(),
            "time": crate::format::timestamp_ms_rfc3339(self.time_ms),
            "tz": self.zone_name,
            "language": self.lang.code(),
            "status": self.status().as_str(),
            "counts": {"ok": c["ok"], "warn": c["warn"], "fail": c["fail"], "todo": c["todo"], "info": c["info"]},
            "sections": self.sections.iter().map(|s| json!({
                "kind": s.kind.as_str(),
                "title": s.title,
                "status": s.status().as_str(),
                "items": s.items.iter().map(|i| json!({"mark": i.mark.as_str(), "text": i.text})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Text => self.to_text(),
            ReportFormat::Markdown => self.to_markdown(),
            ReportFormat::Json => {
                let mut s = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
                s.push('\n');
                s
            }
        }
    }
}

/// Characters that would start markdown markup inside a line are escaped (`\*`), so a check
/// summary or a log message cannot turn the rest of the report bold, into a link or into
/// HTML. (`#` and `|` only matter at a line's start and in tables, which items never are.)
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A report from its parts as a document — what `render_report` takes in every front door:
///
/// ```json
/// {"kind": "daily", "title": "智能教育平台", "time": "2024-07-05T08:00:00+08:00",
///  "tz": "Asia/Shanghai", "language": "zh-CN",
///  "checks": [{"name": "nginx", "status": "OK", "summary": "running"}],
///  "backups": [{"name": "db-backup", "status": "CRITICAL", "summary": "newest is 3 days old"}],
///  "alerts": [Alertmanager alerts, as the webhook or API v2 gives them],
///  "incidents": [incidents as `opsbook incidents list --format json` writes them],
///  "logs": [{"name": "app", "input_format": "iso-level", "lines": ["..."], "options": {...}}],
///  "capacity": {a capacity plan input: months, growth_limit_percent, resources},
///  "maintenance": {"plan": {the [maintenance] table}, "records": [record objects]},
///  "checklists": [{"name": "每日检查清单", "items": [{"text": "服务状态正常", "check": "nginx"}]}]}
/// ```
///
/// Only `time` is required; sections appear for the parts given, in the order above.
pub fn report_from_value(v: &Value) -> Result<Report> {
    let map = v.as_object().ok_or_else(|| Error::invalid_value("report", &short(v), "expected an object"))?;
    const KNOWN: [&str; 13] = [
        "kind",
        "title",
        "time",
        "tz",
        "language",
        "checks",
        "backups",
        "alerts",
        "incidents",
        "logs",
        "capacity",
        "maintenance",
        "checklists",
    ];
    if let Some(k) = map.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(Error::invalid_value(k, "", format!("unknown key (known: {})", KNOWN.join(", "))));
    }
    let text = |k: &str, default: &str| -> Result<String> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(default.to_owned()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(Error::invalid_value(k, &short(other), "expected a string")),
        }
    };
    let kind = ReportKind::parse("kind", &text("kind", "daily")?)?;
    let lang = Lang::parse("language", &text("language", "zh-CN")?)?;
    let time_ms = match map.get("time") {
        Some(Value::String(s)) => crate::check::parse_time("time", s)?.as_millisecond(),
        Some(Value::Number(n)) => crate::forecast::input::time_ms(
            "time",
            n.as_f64().ok_or_else(|| Error::invalid_value("time", &n.to_string(), "expected a time"))?,
        )?,
        Some(other) => return Err(Error::invalid_value("time", &short(other), "expected RFC 3339 or Unix seconds")),
        None => return Err(Error::invalid_value("time", "", "missing: the time the report is for")),
    };
    let mut report = Report::new(kind, &text("title", "")?, time_ms, &text("tz", "UTC")?, lang)?;

    let checks = results_from(map.get("checks"), "checks")?;
    let backups = results_from(map.get("backups"), "backups")?;
    if map.contains_key("checks") {
        report.add_checks(&checks);
    }
    if map.contains_key("backups") {
        report.add_backups(&backups);
    }
    if let Some(alerts) = map.get("alerts") {
        let group = match alerts {
            Value::Array(_) => crate::alert::model::AlertGroup::from_value(&json!({ "alerts": alerts })),
            other => crate::alert::model::AlertGroup::from_value(other),
        }?;
        report.add_alerts(&group.alerts);
    }
    if let Some(incidents) = map.get("incidents") {
        let list = incidents
            .as_array()
            .ok_or_else(|| Error::invalid_value("incidents", &short(incidents), "expected a list"))?;
        let incidents = list
            .iter()
            .enumerate()
            .map(|(i, v)| incident_part(v, &format!("incidents[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        report.add_incidents(&incidents)?;
    }
    if let Some(logs) = map.get("logs") {
        let list = logs.as_array().ok_or_else(|| Error::invalid_value("logs", &short(logs), "expected a list"))?;
        for (i, entry) in list.iter().enumerate() {
            let (name, analysis) = log_part(entry, &format!("logs[{i}]"))?;
            report.add_logs(&name, &analysis);
        }
    }
    if let Some(capacity) = map.get("capacity") {
        let input: crate::forecast::capacity::PlanInput = crate::error::deserialize_at(capacity, "capacity")?;
        report.add_capacity(&input.plan()?);
    }
    if let Some(m) = map.get("maintenance") {
        let obj = m.as_object().ok_or_else(|| Error::invalid_value("maintenance", &short(m), "expected an object"))?;
        if let Some(k) = obj.keys().find(|k| !["plan", "records"].contains(&k.as_str())) {
            return Err(Error::invalid_value(&format!("maintenance.{k}"), "", "unknown key (known: plan, records)"));
        }
        let records = match obj.get("records") {
            None => Vec::new(),
            Some(v) => crate::maintenance::records_from_value(v, "maintenance.records")?,
        };
        if let Some(plan) = obj.get("plan") {
            let plan = crate::maintenance::Plan::from_value(plan)?;
            report.add_maintenance(&plan.due(&records, time_ms)?);
        }
        if obj.contains_key("records") {
            report.add_records(&records)?;
        }
    }
    if let Some(lists) = map.get("checklists") {
        let mut results = checks.clone();
        results.extend(backups.iter().cloned());
        for c in checklists_from_value(lists, "checklists")? {
            report.add_checklist(&c, &results);
        }
    }
    Ok(report)
}

/// [`report_from_value`] over a JSON document, or a TOML one when `toml` is true.
pub fn report_from_document(text: &str, toml: bool) -> Result<Report> {
    let value: Value = if toml {
        let t: toml::Value = toml::from_str(text).map_err(|e| Error::invalid_value("report", "", e.to_string()))?;
        serde_json::to_value(t).map_err(|e| Error::invalid_value("report", "", e.to_string()))?
    } else {
        serde_json::from_str(text).map_err(|e| Error::invalid_value("report", "", format!("not JSON: {e}")))?
    };
    report_from_value(&value)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}

/// `[{"name", "status", "summary"}]` as check results.
fn results_from(v: Option<&Value>, at: &str) -> Result<Vec<CheckResult>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let list = v.as_array().ok_or_else(|| Error::invalid_value(at, &short(v), "expected a list"))?;
    list.iter()
        .enumerate()
        .map(|(i, r)| {
            let field = |k: &str| format!("{at}[{i}].{k}");
            let obj = r
                .as_object()
                .ok_or_else(|| Error::invalid_value(&format!("{at}[{i}]"), &short(r), "expected an object"))?;
            if let Some(k) = obj.keys().find(|k| !["name", "status", "summary"].contains(&k.as_str())) {
                return Err(Error::invalid_value(&field(k), "", "unknown key (known: name, status, summary)"));
            }
            let s = |k: &str| match obj.get(k) {
                Some(Value::String(s)) => Ok(s.clone()),
                None if k == "summary" => Ok(String::new()),
                Some(other) => Err(Error::invalid_value(&field(k), &short(other), "expected a string")),
                None => Err(Error::invalid_value(&field(k), "", "missing")),
            };
            let status_text = s("status")?;
            let status: Status = status_text.parse().map_err(|_| {
                Error::invalid_value(&field("status"), &status_text, "expected OK, WARNING, CRITICAL or UNKNOWN")
            })?;
            CheckResult::new(s("name")?, status, s("summary")?)
        })
        .collect()
}

/// An incident as `Incident::to_json` writes it (`opsbook incidents list --format json`):
/// `id`, `kind`, `level`, `status`, `opened_at` read, and `recover_by` when present (null or
/// a time); `labels`, `severity`, `escalate_at`, `timeline` allowed.
fn incident_part(v: &Value, at: &str) -> Result<Incident> {
    let obj = v.as_object().ok_or_else(|| Error::invalid_value(at, &short(v), "expected an object"))?;
    const KNOWN: [&str; 10] =
        ["id", "kind", "labels", "severity", "level", "status", "opened_at", "escalate_at", "recover_by", "timeline"];
    if let Some(k) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(Error::invalid_value(
            &format!("{at}.{k}"),
            "",
            format!("unknown key (known: {})", KNOWN.join(", ")),
        ));
    }
    let text = |k: &str| match obj.get(k) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(Error::invalid_value(&format!("{at}.{k}"), &short(other), "expected a string")),
        None => Err(Error::invalid_value(&format!("{at}.{k}"), "", "missing")),
    };
    let status_text = text("status")?;
    let status = IncidentStatus::from_name(&status_text).ok_or_else(|| {
        Error::invalid_value(
            &format!("{at}.status"),
            &status_text,
            "expected open, acknowledged, auto_resolved or resolved",
        )
    })?;
    Ok(Incident {
        id: text("id")?,
        kind: text("kind")?,
        labels: Default::default(),
        severity: None,
        level: text("level")?,
        status,
        opened_at_ms: crate::check::parse_time(&format!("{at}.opened_at"), &text("opened_at")?)?.as_millisecond(),
        escalate_at_ms: None,
        timeline: Vec::new(),
        recover_by_ms: match obj.get("recover_by") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(crate::check::parse_time(&format!("{at}.recover_by"), t)?.as_millisecond()),
            Some(other) => {
                return Err(Error::invalid_value(
                    &format!("{at}.recover_by"),
                    &short(other),
                    "expected a time or null",
                ));
            }
        },
    })
}

/// `{"name", "input_format", "lines", "options"}`: the lines analysed as given.
fn log_part(v: &Value, at: &str) -> Result<(String, LogReport)> {
    let obj = v.as_object().ok_or_else(|| Error::invalid_value(at, &short(v), "expected an object"))?;
    if let Some(k) = obj.keys().find(|k| !["name", "input_format", "lines", "options"].contains(&k.as_str())) {
        return Err(Error::invalid_value(
            &format!("{at}.{k}"),
            "",
            "unknown key (known: name, input_format, lines, options)",
        ));
    }
    let name = obj.get("name").and_then(Value::as_str).unwrap_or("log").to_owned();
    let format_text = obj.get("input_format").and_then(Value::as_str).unwrap_or("iso-level");
    let format = crate::logs::format::LineFormat::parse(format_text).map_err(|e| match e {
        Error::InvalidValue { value, reason, .. } => {
            Error::InvalidValue { field: format!("{at}.input_format"), value, reason }
        }
        other => other,
    })?;
    let lines = obj
        .get("lines")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::invalid_value(&format!("{at}.lines"), "", "expected a list of lines"))?;
    let lines: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(j, l)| {
            l.as_str().ok_or_else(|| Error::invalid_value(&format!("{at}.lines[{j}]"), &short(l), "expected a string"))
        })
        .collect::<Result<_>>()?;
    let options = crate::logs::analyze::Options::from_value(obj.get("options").unwrap_or(&Value::Null))?;
    Ok((name, crate::logs::analyze::analyze_lines(lines, &format, options)))
}

/// Engine alerts firing now, as alert-model alerts (the rule's annotations as written).
pub fn firing_alerts(pipeline: &crate::rules::pipeline::AlertPipeline) -> Vec<Alert> {
    let mut out = Vec::new();
    for rule in pipeline.engine.rules() {
        for a in rule.alerts() {
            if a.state == crate::rules::alerting::AlertState::Firing {
                let mut alert = Alert::firing(
                    a.labels.clone(),
                    crate::rules::annotate::expand(&rule.rule.annotations, &a.labels, a.value),
                    a.fired_at_ms.unwrap_or(a.active_at_ms),
                );
                alert.value = Some(a.value);
                out.push(alert);
            }
        }
    }
    out
}

/// The report a policy asks for at `now_ms`, from live results: the `[[checks]]` run now
/// (backup checks in their own section), the alerts the rules hold and the incidents of
/// `[escalation]` (`store`: the state kept by `rules eval`, read and left as it is; without
/// one, the rules evaluated once on these results), the `[logs]` analyses, the `[capacity]` plan, and the `[maintenance]` plan, its
/// records and checklists. A part that cannot be read (a missing log file) is a `✗` item.
#[cfg(feature = "spec")]
pub fn from_policy(
    policy: &crate::policy::Policy,
    kind: ReportKind,
    now_ms: i64,
    store: Option<&dyn crate::state::StateStore>,
) -> Result<Report> {
    let health = policy.runner()?.run_blocking(None);
    let pipeline = if policy.rules.is_empty() {
        None
    } else {
        let mut pipeline = policy.alert_pipeline()?;
        match store {
            Some(store) => pipeline.load(store, "")?,
            None => {
                pipeline.evaluate(now_ms, &crate::rules::pipeline::samples_from_report(&health))?;
            }
        }
        Some(pipeline)
    };
    assemble(policy, kind, now_ms, &health, pipeline.as_ref())
}

/// The report of a policy from results already at hand: `health` (the `[[checks]]` run,
/// backup checks put in their own section) and `pipeline` (the rules' alerts and the
/// incidents of `[escalation]`, as they stand); the `[logs]` analyses, the `[capacity]` plan
/// and the `[maintenance]` plan, records and checklists are read now.
#[cfg(feature = "spec")]
pub fn assemble(
    policy: &crate::policy::Policy,
    kind: ReportKind,
    now_ms: i64,
    health: &crate::check::HealthReport,
    pipeline: Option<&crate::rules::pipeline::AlertPipeline>,
) -> Result<Report> {
    let plan = policy.maintenance.as_ref();
    let lang = Lang::parse("maintenance.language", plan.map_or("zh-CN", |p| p.language.as_str()))?;
    let title = plan.map_or("", |p| p.title.as_str());
    let zone = plan.map_or("UTC", |p| p.zone_name.as_str());
    let mut report = Report::new(kind, title, now_ms, zone, lang)?;
    let backup_names = policy.check_names_of_type("backup");
    let (backups, checks): (Vec<CheckResult>, Vec<CheckResult>) =
        health.checks.iter().cloned().partition(|c| backup_names.contains(&c.name));
    if !checks.is_empty() {
        report.add_checks(&checks);
    }
    if !backups.is_empty() {
        report.add_backups(&backups);
    }
    if let Some(pipeline) = pipeline {
        report.add_alerts(&firing_alerts(pipeline));
        if let Some(incidents) = &pipeline.incidents {
            let list: Vec<Incident> = incidents.incidents().cloned().collect();
            report.add_incidents(&list)?;
        }
    }
    if let Some(logs) = &policy.logs {
        for a in &logs.analyses {
            match a.run(now_ms) {
                Ok(analysis) => report.add_logs(&a.name, &analysis),
                Err(e) => {
                    let item = Item::new(Mark::Fail, format!("{}: {}", a.name, crate::redact::redact(&e.to_string())));
                    report.push_item(SectionKind::Logs, report.words().logs, item);
                }
            }
        }
    }
    if let Some(capacity) = &policy.capacity {
        report.add_capacity(&capacity.plan()?);
    }
    if let Some(plan) = plan {
        let records = match &plan.records {
            Some(path) => crate::maintenance::read_records(path)?,
            None => Vec::new(),
        };
        if !plan.tasks.is_empty() {
            report.add_maintenance(&plan.due(&records, now_ms)?);
        }
        if plan.records.is_some() {
            report.add_records(&records)?;
        }
        for c in plan.checklists.iter().filter(|c| c.report == kind.as_str()) {
            report.add_checklist(c, &health.checks);
        }
    }
    Ok(report)
}

/// [`from_policy`] for the policy file at `path`, with the rules' state from `state` (a state
/// file), else the policy's `[state]`, else none: what every front door's "report from a
/// policy" calls.
#[cfg(feature = "spec")]
pub fn from_policy_path(
    path: &std::path::Path,
    kind: ReportKind,
    now_ms: i64,
    state: Option<&std::path::Path>,
) -> Result<Report> {
    let policy = crate::policy::Policy::from_path(path)?;
    let store = policy.open_state(state)?;
    from_policy(&policy, kind, now_ms, store.as_deref())
}

/// Writes a rendered report to `path` through a temporary file renamed over it, so a reader
/// (or a crash) never sees half a report; the directory is created when missing.
pub fn write_report(path: &std::path::Path, text: &str) -> Result<()> {
    let io = |e: std::io::Error| Error::Io { path: path.display().to_string(), reason: e.to_string() };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}
