//! The manuals' alert block (告警通知 / 摘要 / 详情 / 级别 / 时间 / 标签) in zh-CN and
//! en, as plain text and as markdown, and the fitting of per-alert sections into a
//! channel's limit: whole sections while they fit, then a line saying how many alerts were
//! left out; a single section too long for the limit is cut at a line, never inside a
//! character, an escape or a `**` pair.

use jiff::tz::TimeZone;

use crate::alert::escape::{Markup, escape};
use crate::alert::gotime::GoTime;
use crate::alert::model::{Alert, AlertGroup, AlertStatus};
use crate::alert::truncate::{ELLIPSIS, Unit};
use crate::error::{Error, Result};

/// The language of a message's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    ZhCn,
    En,
}

impl Lang {
    pub fn parse(field: &str, text: &str) -> Result<Lang> {
        match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "zh-cn" | "zh" | "zh-hans" => Ok(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Ok(Lang::En),
            _ => Err(Error::invalid_value(field, text, "expected zh-CN or en")),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// The words of a message in one language.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub notification: &'static str,
    pub resolved_notification: &'static str,
    pub summary: &'static str,
    pub details: &'static str,
    pub severity: &'static str,
    pub time: &'static str,
    pub resolved_at: &'static str,
    pub labels: &'static str,
    pub status: &'static str,
    pub firing: &'static str,
    pub resolved: &'static str,
    /// The title of a chat message: `【critical】监控告警`.
    pub title: &'static str,
    pub colon: &'static str,
}

const ZH: Words = Words {
    notification: "告警通知",
    resolved_notification: "恢复通知",
    summary: "摘要",
    details: "详情",
    severity: "级别",
    time: "时间",
    resolved_at: "恢复时间",
    labels: "标签",
    status: "状态",
    firing: "告警中",
    resolved: "已恢复",
    title: "监控告警",
    colon: ": ",
};

const EN: Words = Words {
    notification: "Alert notification",
    resolved_notification: "Resolved notification",
    summary: "Summary",
    details: "Details",
    severity: "Severity",
    time: "Time",
    resolved_at: "Resolved at",
    labels: "Labels",
    status: "Status",
    firing: "firing",
    resolved: "resolved",
    title: "Monitoring alert",
    colon: ": ",
};

impl Lang {
    pub fn words(self) -> &'static Words {
        match self {
            Lang::ZhCn => &ZH,
            Lang::En => &EN,
        }
    }

    /// "…and 3 more alerts not shown" / "…另有 3 条告警未显示".
    pub fn left_out(self, n: usize) -> String {
        match self {
            Lang::ZhCn => format!("{ELLIPSIS}另有 {n} 条告警未显示"),
            Lang::En if n == 1 => format!("{ELLIPSIS}1 more alert not shown"),
            Lang::En => format!("{ELLIPSIS}{n} more alerts not shown"),
        }
    }
}

/// How times are shown: `2024-05-01 16:00:00 CST`.
pub const TIME_LAYOUT: &str = "2006-01-02 15:04:05 MST";

/// `ms` shown in `zone`.
pub fn show_time(ms: i64, zone: &TimeZone) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else { return ms.to_string() };
    // TIME_LAYOUT written directly: this runs for every alert of every message.
    let info = zone.to_offset_info(ts);
    let abbr = info.abbreviation();
    if !abbr.is_empty() && abbr.chars().all(|c| c.is_ascii_alphabetic()) {
        let dt = info.offset().to_datetime(ts);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {abbr}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )
    } else {
        match GoTime::from_millis(ms, zone.clone()) {
            Ok(t) => t.format(TIME_LAYOUT),
            Err(_) => ms.to_string(),
        }
    }
}

/// `alertname=X, instance=Y` (names in order).
pub fn labels_line(alert: &Alert) -> String {
    alert.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

/// What a message shows of one alert, in its words, values escaped for `markup`.
pub struct Fields {
    pub summary: String,
    pub details: String,
    pub severity: String,
    pub time: String,
    pub resolved_at: Option<String>,
    pub firing: bool,
}

impl Fields {
    pub fn of(alert: &Alert, zone: &TimeZone, markup: Markup) -> Fields {
        Fields {
            summary: escape(alert.summary(), markup),
            details: escape(alert.description(), markup),
            severity: escape(alert.severity(), markup),
            time: show_time(alert.starts_at_ms, zone),
            resolved_at: match alert.status {
                AlertStatus::Resolved => alert.ends_at_ms.map(|ms| show_time(ms, zone)),
                AlertStatus::Firing => None,
            },
            firing: alert.is_firing(),
        }
    }
}

/// The manual's text block for one alert:
///
/// ```text
/// 告警通知
/// ========
/// 摘要: ...
/// 详情: ...
/// 级别: ...
/// 时间: ...
/// 标签: ...
/// ```
///
/// (恢复通知 and a 恢复时间 line for a resolved alert.) Values cannot add lines.
pub fn text_block(alert: &Alert, lang: Lang, zone: &TimeZone) -> String {
    let w = lang.words();
    let f = Fields::of(alert, zone, Markup::Plain);
    let head = if f.firing { w.notification } else { w.resolved_notification };
    let underline = "=".repeat(if lang == Lang::ZhCn { 8 } else { head.chars().count() });
    let mut out = format!(
        "{head}\n{underline}\n{}{c}{}\n{}{c}{}\n{}{c}{}\n{}{c}{}\n",
        w.summary,
        f.summary,
        w.details,
        f.details,
        w.severity,
        f.severity,
        w.time,
        f.time,
        c = w.colon
    );
    if let Some(at) = &f.resolved_at {
        out.push_str(&format!("{}{}{at}\n", w.resolved_at, w.colon));
    }
    out.push_str(&format!("{}{}{}\n", w.labels, w.colon, escape(&labels_line(alert), Markup::Plain)));
    out
}

/// The text block of every alert in the group, one after another.
pub fn text_message(group: &AlertGroup, lang: Lang, zone: &TimeZone) -> String {
    group.alerts.iter().map(|a| text_block(a, lang, zone)).collect::<Vec<_>>().join("\n")
}

/// The manual's DingTalk markdown for one alert:
///
/// ```text
/// ## 摘要
///
/// > **详情**: ...
///
/// > **时间**: ...
///
/// > **级别**: ...
/// ```
pub fn markdown_section(alert: &Alert, lang: Lang, zone: &TimeZone, markup: Markup) -> String {
    let w = lang.words();
    let f = Fields::of(alert, zone, markup);
    let mark = if f.firing { String::new() } else { format!("[{}] ", w.resolved) };
    let mut out = format!(
        "## {mark}{}\n\n> **{}**: {}\n\n> **{}**: {}\n\n> **{}**: {}\n",
        f.summary, w.details, f.details, w.time, f.time, w.severity, f.severity
    );
    if let Some(at) = &f.resolved_at {
        out.push_str(&format!("\n> **{}**: {at}\n", w.resolved_at));
    }
    out
}

/// The chat title: `【critical】监控告警` / `[critical] Monitoring alert`, and the resolved
/// forms.
pub fn title(group: &AlertGroup, lang: Lang) -> String {
    let w = lang.words();
    let severity = group.severity();
    let label = if group.status() == AlertStatus::Firing { w.title } else { w.resolved_notification };
    match lang {
        Lang::ZhCn => format!("【{severity}】{label}"),
        Lang::En => format!("[{severity}] {label}"),
    }
}

/// Sizes text as a channel counts it. Sizes add up (the size of two texts joined is the sum
/// of their sizes), as bytes, characters and JSON-escaped bytes do.
pub type Measure<'a> = &'a dyn Fn(&str) -> usize;

/// Length in `unit`.
pub fn size_in(text: &str, unit: Unit) -> usize {
    match unit {
        Unit::Bytes => text.len(),
        Unit::Chars => text.chars().count(),
    }
}

/// Joins `head`, as many whole `sections` (separated by `sep`) as fit in `limit` with
/// `tail`, and, when some are left out, `lang.left_out(n)`. A first section alone too long
/// is cut (see `cut_markdown`).
pub fn fit_sections(
    head: &str,
    sections: &[String],
    sep: &str,
    tail: &str,
    limit: usize,
    measure: Measure,
    lang: Lang,
) -> String {
    let note = |left: usize| if left > 0 { format!("\n\n{}", lang.left_out(left)) } else { String::new() };
    let (sep_size, tail_size) = (measure(sep), measure(tail));
    let mut out = head.to_owned();
    let mut used_size = measure(head);
    let mut used = 0;
    for (i, section) in sections.iter().enumerate() {
        let size = measure(section) + if i == 0 { 0 } else { sep_size };
        // Room for this section, the tail, and the note about the rest if any remain.
        let rest = note(sections.len() - i - 1);
        if used_size + size + measure(&rest) + tail_size <= limit {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(section);
            used_size += size;
            used += 1;
            continue;
        }
        if i == 0 {
            // Not even one whole section: its longest cut that fits with the note.
            let cut = cut_to_fit(&out, section, &format!("{rest}{tail}"), limit, measure);
            out.push_str(&cut);
            used = 1;
        }
        break;
    }
    out.push_str(&note(sections.len() - used));
    out.push_str(tail);
    out
}

/// The longest cut of `section` such that `head + cut + after` fits `limit`.
fn cut_to_fit(head: &str, section: &str, after: &str, limit: usize, measure: Measure) -> String {
    // Binary search over character counts: measure is monotone in the prefix length.
    let chars: Vec<usize> = section.char_indices().map(|(i, _)| i).chain([section.len()]).collect();
    let (mut lo, mut hi) = (0usize, chars.len() - 1);
    let fits = |n: usize| {
        let cut = cut_markdown(&section[..chars[n]]);
        measure(&format!("{head}{cut}{after}")) <= limit
    };
    if !fits(0) {
        return String::new();
    }
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    cut_markdown(&section[..chars[lo]])
}

/// A prefix made safe to end a message: no dangling `\`, no half entity (`&l`), a `**`
/// pair closed, then `…`.
pub fn cut_markdown(prefix: &str) -> String {
    let mut s = prefix.to_owned();
    // A half entity: & followed only by letters, digits or # up to the end.
    if let Some(amp) = s.rfind('&') {
        if s[amp + 1..].chars().all(|c| c.is_ascii_alphanumeric() || c == '#') {
            s.truncate(amp);
        }
    }
    // An odd run of trailing backslashes ends in half an escape.
    let trailing = s.len() - s.trim_end_matches('\\').len();
    if trailing % 2 == 1 {
        s.pop();
    }
    let last_line = s.rsplit('\n').next().unwrap_or("");
    let unescaped_stars = last_line.replace("\\*", "").matches("**").count();
    if unescaped_stars % 2 == 1 {
        s.truncate(s.trim_end().len());
        s.push_str("**");
    }
    s.push_str(ELLIPSIS);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Labels;

    fn alert(summary: &str, severity: &str) -> Alert {
        let labels: Labels =
            [("alertname".to_owned(), "ServiceDown".to_owned()), ("severity".to_owned(), severity.to_owned())]
                .into_iter()
                .collect();
        let annotations: Labels =
            [("summary".to_owned(), summary.to_owned()), ("description".to_owned(), "停止超过2分钟".to_owned())]
                .into_iter()
                .collect();
        Alert::firing(labels, annotations, 1_714_550_400_000)
    }

    #[test]
    fn the_manual_block() {
        let zone = crate::alert::gotime::time_zone("Asia/Shanghai").unwrap();
        assert_eq!(
            text_block(&alert("服务 api 已停止\n级别: info", "critical"), Lang::ZhCn, &zone),
            "告警通知\n========\n摘要: 服务 api 已停止\\n级别: info\n详情: 停止超过2分钟\n级别: critical\n时间: 2024-05-01 16:00:00 CST\n标签: alertname=ServiceDown, severity=critical\n"
        );
    }

    #[test]
    fn times_as_go_formats_them() {
        for zone in ["UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata", "America/Sao_Paulo"] {
            let z = crate::alert::gotime::time_zone(zone).unwrap();
            for ms in [0, 1_714_550_400_123, 1_700_000_000_000, -86_400_000] {
                assert_eq!(
                    show_time(ms, &z),
                    GoTime::from_millis(ms, z.clone()).unwrap().format(TIME_LAYOUT),
                    "{zone} {ms}"
                );
            }
        }
    }

    #[test]
    fn sections_fit_the_limit_and_say_what_was_left_out() {
        let sections: Vec<String> = (0..10).map(|i| format!("## alert {i}\n")).collect();
        let bytes = |s: &str| s.len();
        let out = fit_sections("", &sections, "\n", "", 60, &bytes, Lang::En);
        assert!(out.len() <= 60, "{out}");
        assert!(out.ends_with("more alerts not shown"), "{out}");
        let shown = out.matches("## alert").count();
        assert!(out.contains(&format!("{} more alerts", 10 - shown)), "{out}");
        let long = vec![format!("> **详情**: {}", "a\\*".repeat(50))];
        let out = fit_sections("", &long, "\n", "", 40, &bytes, Lang::ZhCn);
        let body = out.trim_end_matches('…');
        assert!(out.len() <= 40 && (body.len() - body.trim_end_matches('\\').len()) % 2 == 0, "{out}");
        let out = fit_sections("", &["**bold text that is long**".to_owned()], "", "", 12, &bytes, Lang::En);
        assert_eq!(out, "**bold**…");
    }
}
