"""Writes tests/vectors/daily_reports.json: reports from their parts.

Each case's items (mark and words) are written out by hand below from the parts, following
the manuals' daily_check.sh (`✓ nginx 运行正常`, `⚠ 发现 N 个错误`, `✓ 无错误日志`), the
education manual's capacity line (`⚠ 磁盘 需要扩容规划`), its checklists (`- [ ]`) and its
maintenance record fields. This script then lays the items out independently of opsbook:
daily_check.sh's text (`=== title time ===`, numbered sections, two-space items, a closing
line), markdown and JSON. Times are shown with Python's zoneinfo. Run: python3 daily_reports.py
"""
import json
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

SYMBOL = {"ok": "✓", "warn": "⚠", "fail": "✗", "todo": "☐", "info": "-"}
STATUS_OF_MARK = {"ok": 0, "todo": 0, "info": 0, "warn": 2, "fail": 3}  # severity rank
STATUS_NAME = {0: "OK", 2: "WARNING", 3: "CRITICAL"}
WORD = {"zh-CN": {0: "正常", 2: "警告", 3: "异常"}, "en": {0: "OK", 2: "WARNING", 3: "CRITICAL"}}


def parse(t):
    return datetime.fromisoformat(t.replace("Z", "+00:00"))


def show(t, tz):
    local = parse(t).astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%d %H:%M:%S ") + local.tzname()


def rfc3339(t):
    return parse(t).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def md_escape(text):
    return "".join("\\" + c if c in "\\`*_[<>" else c for c in text)


def render(parts, sections):
    lang = parts.get("language", "zh-CN")
    zh = lang == "zh-CN"
    tz = parts.get("tz", "UTC")
    title = parts.get("title", "")
    kind = parts.get("kind", "daily")
    what = {("daily", True): "每日检查", ("monthly", True): "月度维护报告",
            ("daily", False): "daily check", ("monthly", False): "monthly maintenance report"}[(kind, zh)]
    headline = f"{title}{what}" if zh or not title else f"{title} {what}"
    when = show(parts["time"], tz)
    marks = [m for _, _, items in sections for m, _ in items]
    worst = max([STATUS_OF_MARK[m] for m in marks], default=0)
    count = {m: marks.count(m) for m in SYMBOL}
    symbol = {0: "✓", 2: "⚠", 3: "✗"}[worst]
    if zh:
        closing = (f"{symbol} {WORD[lang][worst]} ({count['ok']} 项正常, {count['warn']} 项警告, "
                   f"{count['fail']} 项异常, {count['todo']} 项待办)")
    else:
        closing = (f"{symbol} {WORD[lang][worst]} ({count['ok']} ok, {count['warn']} warnings, "
                   f"{count['fail']} failures, {count['todo']} to do)")

    text = f"=== {headline} {when} ===\n"
    for i, (_, stitle, items) in enumerate(sections, 1):
        text += f"{i}. {stitle}\n"
        for m, t in items:
            text += f"  {SYMBOL[m]} {t}\n"
    text += f"=== {'检查完成' if zh else 'Check complete'}: {closing} ===\n"

    md = (f"# {md_escape(headline)}\n\n- {'时间' if zh else 'Time'}: {when}\n"
          f"- {'状态' if zh else 'Status'}: {closing}\n")
    for i, (skind, stitle, items) in enumerate(sections, 1):
        md += f"\n## {i}. {md_escape(stitle)}\n\n"
        for m, t in items:
            t = md_escape(t)
            if skind == "checklist":
                md += {"ok": f"- [x] {t}\n", "todo": f"- [ ] {t}\n"}.get(m, f"- [ ] {SYMBOL[m]} {t}\n")
            else:
                md += f"- {t}\n" if m == "info" else f"- {SYMBOL[m]} {t}\n"

    doc = {
        "kind": kind, "title": headline, "time": rfc3339(parts["time"]), "tz": tz, "language": lang,
        "status": STATUS_NAME[worst],
        "counts": {"ok": count["ok"], "warn": count["warn"], "fail": count["fail"], "todo": count["todo"],
                   "info": count["info"]},
        "sections": [{"kind": k, "title": st, "status": STATUS_NAME[max([STATUS_OF_MARK[m] for m, _ in items], default=0)],
                      "items": [{"mark": m, "text": t} for m, t in items]} for k, st, items in sections],
    }
    return {"text": text, "markdown": md, "json": doc, "status": STATUS_NAME[worst]}


cases = []


def case(cid, source, parts, sections):
    cases.append({"id": cid, "source": source, "parts": parts, **render(parts, sections)})


EDU_PARTS = {
    "title": "智能教育平台", "time": "2024-07-05T08:00:00+08:00", "tz": "Asia/Shanghai",
    "checks": [{"name": "nginx", "status": "OK", "summary": "运行正常"},
               {"name": "disk", "status": "WARNING", "summary": "/ 使用率 85%"},
               {"name": "education-api", "status": "CRITICAL", "summary": "HTTP 502"}],
    "backups": [{"name": "db-backup", "status": "OK", "summary": "newest backup 5 h old, verified"}],
    "alerts": [{"labels": {"alertname": "HighCPU", "severity": "critical", "instance": "web-1"},
                "annotations": {"summary": "CPU 95%"}, "startsAt": "2024-07-05T07:30:00+08:00"}],
    "logs": [{"name": "app", "input_format": "iso-level", "lines": [
        "2024-07-05 07:00:00 ERROR OperationalError: db timeout after 30s",
        "2024-07-05 07:01:00 INFO request ok",
        "2024-07-05 07:02:00 ERROR OperationalError: db timeout after 31s"]}],
    "capacity": {"months": 6, "resources": [{"name": "磁盘", "current": 100, "monthly_growth": 0.1}]},
    "maintenance": {"plan": {"tz": "Asia/Shanghai", "tasks": [
        {"name": "数据库备份验证", "every": "每周", "role": "DBA", "last_done": "2024-07-01T10:00:00+08:00"}]}},
    "checklists": [{"name": "每日检查清单", "items": [
        {"text": "服务状态正常", "check": "education-api"}, {"text": "备份成功", "check": "db-backup"},
        {"text": "监控正常"}]}],
}

# (1.1)^6 = 1.771561: 100 → 177.16, +77.2 % > 70 %: needs planning.
case("education-daily-zh", "manual 001 daily_check.sh (✓/⚠/✗ per item), 3.2 capacity (需要扩容规划), manual 000 checklist",
     EDU_PARTS, [
         ("checks", "检查结果", [("ok", "nginx: 运行正常"), ("warn", "disk: / 使用率 85%"),
                                ("fail", "education-api: HTTP 502")]),
         ("backups", "备份", [("ok", "db-backup: newest backup 5 h old, verified")]),
         ("alerts", "告警", [("fail", "[critical] HighCPU: CPU 95% (自 2024-07-05 07:30:00 CST)")]),
         ("logs", "日志", [("warn", "app: 发现 2 个错误"), ("info", "OperationalError: 2 次")]),
         ("capacity", "容量规划", [("warn", "磁盘 需要扩容规划: 100 → 177.16 (6 个月, +77.2%)")]),
         ("maintenance", "维护计划", [("ok", "数据库备份验证 (每周): 下次 2024-07-08 10:00:00 CST — DBA")]),
         ("checklist", "每日检查清单", [("fail", "服务状态正常 (education-api: CRITICAL)"), ("ok", "备份成功"),
                                     ("todo", "监控正常")]),
     ])

case("education-daily-en", "as education-daily-zh, English words", {**EDU_PARTS, "title": "smart-edu", "language": "en"}, [
    ("checks", "Checks", [("ok", "nginx: 运行正常"), ("warn", "disk: / 使用率 85%"), ("fail", "education-api: HTTP 502")]),
    ("backups", "Backups", [("ok", "db-backup: newest backup 5 h old, verified")]),
    ("alerts", "Alerts", [("fail", "[critical] HighCPU: CPU 95% (since 2024-07-05 07:30:00 CST)")]),
    ("logs", "Logs", [("warn", "app: 2 errors"), ("info", "OperationalError: 2 times")]),
    ("capacity", "Capacity", [("warn", "磁盘 needs expansion planning: 100 → 177.16 in 6 months (+77.2%)")]),
    ("maintenance", "Maintenance plan", [("ok", "数据库备份验证 (每周): next due 2024-07-08 10:00:00 CST — DBA")]),
    ("checklist", "每日检查清单", [("fail", "服务状态正常 (education-api: CRITICAL)"), ("ok", "备份成功"), ("todo", "监控正常")]),
])

case("nothing-but-the-time", "a report with no parts: no sections, OK", {"time": "2024-07-05T00:00:00Z"}, [])

case("all-clear-en", "daily_check.sh's ✓ lines: no errors, no alerts", {
    "title": "OpenTruss", "language": "en", "time": "2024-07-05T00:00:00Z",
    "checks": [{"name": "memgraph", "status": "OK", "summary": "bolt port open"}],
    "alerts": [],
    "logs": [{"name": "api", "lines": ["2024-07-04 23:00:00 INFO started", "2024-07-04 23:00:01 WARNING slow query"]}],
}, [
    ("checks", "Checks", [("ok", "memgraph: bolt port open")]),
    ("alerts", "Alerts", [("ok", "no active alerts")]),
    ("logs", "Logs", [("ok", "api: no errors")]),
])

# Resolved alerts are left out; severity decides ✗ or ⚠; summary, then description, then labels.
case("alerts-severities", "Alertmanager webhook alerts; manual 003 P95 latency and slow-query alerts", {
    "time": "2024-05-01T08:00:00Z", "tz": "UTC", "language": "en",
    "alerts": [
        {"status": "firing", "labels": {"alertname": "HighLatencyP95", "severity": "warning"},
         "annotations": {"description": "P95 latency above 500ms for 5 minutes"}, "startsAt": "2024-05-01T07:55:00Z"},
        {"status": "resolved", "labels": {"alertname": "Old", "severity": "critical"}, "annotations": {"summary": "gone"},
         "startsAt": "2024-05-01T06:00:00Z", "endsAt": "2024-05-01T07:00:00Z"},
        {"labels": {"alertname": "SlowQueries", "instance": "db-1"}, "annotations": {}, "startsAt": "2024-05-01T07:00:00Z"},
        {"labels": {"alertname": "ServiceDown", "severity": "P0"}, "annotations": {"summary": "API down"},
         "startsAt": "2024-05-01T07:59:30Z"},
    ],
}, [
    ("alerts", "Alerts", [
        ("warn", "[warning] HighLatencyP95: P95 latency above 500ms for 5 minutes (since 2024-05-01 07:55:00 UTC)"),
        ("warn", "SlowQueries: alertname=SlowQueries, instance=db-1 (since 2024-05-01 07:00:00 UTC)"),
        ("fail", "[P0] ServiceDown: API down (since 2024-05-01 07:59:30 UTC)"),
    ]),
])

# The period of a daily report at 2024-07-05 08:00 CST starts 2024-07-04 08:00 CST: open and
# acknowledged incidents are listed whenever they opened; resolved ones only when they opened
# in the period (INC-4 opened on the 3rd is left out). Oldest first.
case("incidents-period", "manual 001 P0-P3 incidents; manual 004 incident classes", {
    "time": "2024-07-05T08:00:00+08:00", "tz": "Asia/Shanghai",
    "incidents": [
        {"id": "INC-2", "kind": "high memory", "level": "P2", "status": "acknowledged",
         "opened_at": "2024-07-04T23:00:00Z"},
        {"id": "INC-1", "kind": "service down", "level": "P0", "status": "open", "opened_at": "2024-07-01T02:00:00Z",
         "labels": {"alertname": "service down"}, "severity": "critical", "escalate_at": None, "timeline": []},
        {"id": "INC-3", "kind": "disk full", "level": "P1", "status": "resolved", "opened_at": "2024-07-04T12:00:00Z"},
        {"id": "INC-4", "kind": "disk full", "level": "P1", "status": "auto_resolved", "opened_at": "2024-07-03T12:00:00Z"},
    ],
}, [
    ("incidents", "事件", [
        ("fail", "INC-1 service down [P0]: 处理中 (自 2024-07-01 10:00:00 CST)"),
        ("ok", "INC-3 disk full [P1]: 已解决 (自 2024-07-04 20:00:00 CST)"),
        ("warn", "INC-2 high memory [P2]: 已确认 (自 2024-07-05 07:00:00 CST)"),
    ]),
])

# Manual 004's incident classes carry recovery targets (系统宕机 2 h, 服务不可用 4 h, 性能严重下降
# 8 h): an incident still open or acknowledged past its target is a failure of its own; one
# resolved (or not yet due) is not.
case("incidents-recovery-target", "manual 004 incident classes: 响应时间 and 恢复目标", {
    "time": "2024-07-05T08:00:00+08:00", "tz": "Asia/Shanghai",
    "incidents": [
        {"id": "INC-7", "kind": "系统宕机", "level": "严重", "status": "open",
         "opened_at": "2024-07-05T05:00:00+08:00", "recover_by": "2024-07-05T07:00:00+08:00"},
        {"id": "INC-8", "kind": "服务不可用", "level": "高", "status": "acknowledged",
         "opened_at": "2024-07-05T06:00:00+08:00", "recover_by": "2024-07-05T10:00:00+08:00"},
        {"id": "INC-9", "kind": "性能严重下降", "level": "中", "status": "resolved",
         "opened_at": "2024-07-04T20:00:00+08:00", "recover_by": "2024-07-05T04:00:00+08:00"},
    ],
}, [
    ("incidents", "事件", [
        ("ok", "INC-9 性能严重下降 [中]: 已解决 (自 2024-07-04 20:00:00 CST)"),
        ("fail", "INC-7 系统宕机 [严重]: 处理中 (自 2024-07-05 05:00:00 CST), 已超过恢复目标 (2024-07-05 07:00:00 CST)"),
        ("warn", "INC-8 服务不可用 [高]: 已确认 (自 2024-07-05 06:00:00 CST)"),
    ]),
])

case("incidents-none-en", "no incidents is said", {"time": "2024-07-05T00:00:00Z", "language": "en", "incidents": []},
     [("incidents", "Incidents", [("ok", "no incidents")])])

# Weekly task done 2024-06-20 10:00 → due 06-27 10:00, overdue from 06-28 10:00 (now 07-05).
# Monthly task done 06-04 → due 07-04 09:00, now 07-05 08:00 is within the day after: due.
# Quarterly task done 2024-05-01 → due 08-01: not due. A task never done.
case("maintenance-plan", "manual 004 maintenance plan (task, frequency, role); due/overdue/never done", {
    "title": "工作留痕系统", "time": "2024-07-05T08:00:00+08:00", "tz": "Asia/Shanghai",
    "maintenance": {"plan": {"tz": "Asia/Shanghai", "tasks": [
        {"name": "季度容量评估", "every": "每季度", "role": "架构师", "last_done": "2024-05-01T09:00:00+08:00"},
        {"name": "安全补丁", "every": "每月", "role": "运维", "last_done": "2024-06-04T09:00:00+08:00"},
        {"name": "日志清理", "every": "每周", "last_done": "2024-06-20T10:00:00+08:00"},
        {"name": "灾难恢复演练", "every": "每半年"}]}},
}, [
    ("maintenance", "维护计划", [
        ("fail", "日志清理 (每周): 已逾期 (到期 2024-06-27 10:00:00 CST)"),
        ("warn", "灾难恢复演练 (每半年): 从未执行"),
        ("warn", "安全补丁 (每月): 待执行 (到期 2024-07-04 09:00:00 CST) — 运维"),
        ("ok", "季度容量评估 (每季度): 下次 2024-08-01 09:00:00 CST — 架构师"),
    ]),
])

# The month in Asia/Shanghai: 2024-07-01 00:00 CST = 2024-06-30T16:00Z. A record at 15:59Z on
# 06-30 is June's; one at 16:00Z is July's; the report's time bounds the period.
case("monthly-records", "manual 004 maintenance records (date, operator, type, description, result); manual 001 月度维护报告", {
    "kind": "monthly", "title": "工作留痕系统", "time": "2024-07-31T20:00:00+08:00", "tz": "Asia/Shanghai",
    "maintenance": {"records": [
        {"time": "2024-07-20T10:00:00+08:00", "operator": "李四", "kind": "故障处理", "description": "MongoDB 主从切换",
         "impact": "写入中断 3 分钟", "result": "已恢复"},
        {"time": "2024-06-30T15:59:59Z", "operator": "王五", "kind": "例行维护", "task": "日志清理", "description": ""},
        {"time": "2024-06-30T16:00:00Z", "operator": "张三", "kind": "routine", "task": "日志清理", "description": "",
         "result": "释放 20GB"},
        {"time": "2024-08-01T09:00:00+08:00", "operator": "赵六", "kind": "release", "description": "v2.1"},
    ]},
    "checklists": [{"name": "月度检查清单", "report": "monthly", "items": [{"text": "完整备份完成"}, {"text": "SSL证书有效"}]}],
}, [
    ("records", "维护记录", [
        ("info", "2024-07-01 00:00:00 CST 张三 [例行维护] 日志清理 → 释放 20GB"),
        ("info", "2024-07-20 10:00:00 CST 李四 [故障处理] MongoDB 主从切换 → 已恢复"),
    ]),
    ("checklist", "月度检查清单", [("todo", "完整备份完成"), ("todo", "SSL证书有效")]),
])

case("records-none-en", "an empty period says so", {
    "time": "2024-07-05T00:00:00Z", "language": "en", "maintenance": {"records": []},
}, [("records", "Maintenance records", [("info", "no records in this period")])])

# 500 × 1.2^3 = 864, +72.8 %: flagged; limit 1000 reached in log(2)/log(1.2) = 3.8 months.
# 1000 × 1.05^3 = 1157.625 → 1157.63 (+15.8 %): fine.
case("capacity-limits", "manual 001 quarterly capacity planning (compound growth, 70% flag)", {
    "time": "2024-07-01T00:00:00Z",
    "capacity": {"months": 3, "resources": [
        {"name": "存储", "current": 500, "monthly_growth": 0.2, "limit": 1000},
        {"name": "用户数", "current": 1000, "monthly_growth": 0.05}]},
}, [
    ("capacity", "容量规划", [
        ("warn", "存储 需要扩容规划: 500 → 864 (3 个月, +72.8%), 3.8 个月后达到上限"),
        ("ok", "用户数: 1000 → 1157.63 (3 个月, +15.8%)"),
    ]),
])

# A check missing from the results cannot tick its item; UNKNOWN is a warning.
case("checklist-ties", "manual 000 daily checklist (- [ ] items) tied to checks", {
    "time": "2024-07-05T00:00:00Z", "language": "en",
    "checks": [{"name": "redis", "status": "UNKNOWN", "summary": "no answer"}, {"name": "postgres", "status": "OK"}],
    "checklists": [{"name": "Daily", "items": [
        {"text": "Redis performance normal", "check": "redis"}, {"text": "Database performance normal", "check": "postgres"},
        {"text": "Backups succeeded", "check": "backup"}]}],
}, [
    ("checks", "Checks", [("warn", "redis: no answer"), ("ok", "postgres: OK")]),
    ("checklist", "Daily", [("warn", "Redis performance normal (redis: UNKNOWN)"), ("ok", "Database performance normal"),
                            ("todo", "Backups succeeded (backup: no result)")]),
])

# Markup in a summary is escaped in markdown only; a newline becomes a space everywhere.
case("markdown-escaping", "a summary cannot inject markdown", {
    "time": "2024-07-05T00:00:00Z", "language": "en", "title": "a_b",
    "checks": [{"name": "api", "status": "CRITICAL", "summary": "*bold* `code` [link](x) <b>tag</b>\nsecond line"}],
}, [("checks", "Checks", [("fail", "api: *bold* `code` [link](x) <b>tag</b> second line")])])

# Access log: 6 requests; /api/login 401 twice and 500 once from 192.0.2.9; ip_limit 3 lists
# 192.0.2.9 (4 requests); failed logins: the 401 lines' message? No message in access logs:
# failed logins come from app logs, so here only requests, classes, endpoints with errors.
NGINX = [
    '192.0.2.9 - - [05/Jul/2024:07:00:00 +0800] "POST /api/login HTTP/1.1" 401 10 "-" "ua" 0.020',
    '192.0.2.9 - - [05/Jul/2024:07:00:01 +0800] "POST /api/login HTTP/1.1" 401 10 "-" "ua" 0.040',
    '192.0.2.9 - - [05/Jul/2024:07:00:02 +0800] "POST /api/login HTTP/1.1" 500 10 "-" "ua" 0.100',
    '192.0.2.9 - - [05/Jul/2024:07:00:03 +0800] "POST /api/login HTTP/1.1" 200 10 "-" "ua" 0.030',
    '192.0.2.1 - - [05/Jul/2024:07:00:04 +0800] "GET /api/courses/7 HTTP/1.1" 200 10 "-" "ua" 0.010',
    '192.0.2.1 - - [05/Jul/2024:07:00:05 +0800] "GET /static/a.css HTTP/1.1" 304 0 "-" "ua" 0.001',
]
APP = [
    "2024-07-05 07:00:00,123 - auth - WARNING - login failed for user=alice from 192.0.2.9",
    "2024-07-05 07:00:01,123 - auth - WARNING - login failed for user=alice from 192.0.2.9",
    "2024-07-05 07:00:02,123 - auth - WARNING - login failed for user=bob from 192.0.2.9",
]
# /api/login: 4 calls, 3 errors (≥ 400), 75.0 %, P95 by nearest rank of [20, 30, 40, 100] ms = 100.
case("access-log", "manual 001 log analyzer (per-endpoint error rate table), manual 002 suspicious IPs > limit", {
    "time": "2024-07-05T08:00:00+08:00", "tz": "Asia/Shanghai",
    "logs": [{"name": "nginx", "input_format": "nginx", "lines": NGINX, "options": {"ip_limit": 3}},
             {"name": "auth", "lines": APP, "options": {"failed_login_limit": 1}}],
}, [
    ("logs", "日志", [
        ("ok", "nginx: 无错误日志"),
        ("info", "nginx: 6 次请求 (1xx 0, 2xx 2, 3xx 1, 4xx 2, 5xx 1)"),
        ("info", "POST /api/login: 调用 4 次, 错误 3 次, 错误率 75.0%, P95 100ms"),
        ("warn", "可疑IP 192.0.2.9: 4 次请求"),
        ("ok", "auth: 无错误日志"),
        ("info", "auth: 登录失败 3 次"),
        ("warn", "登录失败过多 IP 192.0.2.9: 3 次"),
        ("warn", "登录失败过多 用户 alice: 2 次"),
    ]),
])

# Bad parts: the error names the field and the value.
for cid, parts, parts_of_error in [
    ("error-missing-time", {"checks": []}, ["time", "missing"]),
    ("error-status", {"time": 0, "checks": [{"name": "x", "status": "GREEN"}]}, ["checks[0].status", "GREEN"]),
    ("error-unknown-key", {"time": 0, "check": []}, ["check", "unknown key"]),
    ("error-zone", {"time": 0, "tz": "Mars/Olympus"}, ["tz", "Mars/Olympus"]),
    ("error-kind", {"time": 0, "kind": "weekly"}, ["kind", "weekly"]),
    ("error-language", {"time": 0, "language": "fr"}, ["language", "fr"]),
    ("error-incident-status", {"time": 0, "incidents": [{"id": "1", "kind": "k", "level": "P1", "status": "closed",
                                                          "opened_at": "2024-01-01T00:00:00Z"}]},
     ["incidents[0].status", "closed"]),
    ("error-log-format", {"time": 0, "logs": [{"name": "a", "lines": [], "input_format": "(unclosed"}]},
     ["logs[0].input_format", "(unclosed"]),
    ("error-record-kind", {"time": 0, "maintenance": {"records": [
        {"time": "2024-01-01T00:00:00Z", "operator": "a", "kind": "tea break"}]}}, ["maintenance.records[0].kind", "tea break"]),
    ("error-checklist-report", {"time": 0, "checklists": [{"name": "c", "report": "hourly", "items": []}]},
     ["checklists[0].report", "hourly"]),
]:
    cases.append({"id": cid, "source": "bad input", "parts": parts, "error": parts_of_error})

doc = {
    "source": "manual 001 daily_check.sh and 月度维护报告, manual 000 checklists, manual 004 maintenance plan and records; "
              "items written by hand from the parts, laid out by tests/vectors/generators/daily_reports.py",
    "format": "parts: what render_report takes (time, tz, language, kind, title, checks, backups, alerts, incidents, logs, capacity, "
              "maintenance, checklists). text/markdown: the rendered report; json: the JSON rendering parsed; status: the worst "
              "item. A case with error instead: rendering fails with a message containing each string.",
    "cases": cases,
}
Path(__file__).resolve().parents[1].joinpath("daily_reports.json").write_text(
    json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"{len(cases)} cases")
