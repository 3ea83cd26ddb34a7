"""The example policies hold the manuals' numbers: each threshold row of a manual is written
here as the manual words it (the values on either side of each boundary and the status the
words give them), and the policy's own threshold for that check, read from the file, is
evaluated by ``opsbook eval`` at those values. A rule's ``alert_when`` is checked the same
way (fires = CRITICAL as a crit range), with its ``for`` and severity.

The expectations come from the manuals (shared/manuals/), not from the policies: a policy
edited away from its manual fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "examples" / "policies"
OPSBOOK = os.environ.get("OPSBOOK_BIN", str(ROOT / "target/x86_64-unknown-linux-gnu/debug/opsbook"))


def load(name: str) -> dict[str, Any]:
    text = (POLICIES / name).read_text()
    doc: dict[str, Any] = yaml.safe_load(text) if name.endswith(".yaml") else tomllib.loads(text)
    return doc


def range_text(limit: Any) -> str | None:
    """A policy's warn/crit limit as the text `opsbook eval` takes."""
    if limit is None:
        return None
    if isinstance(limit, str):
        return limit
    [(form, bound)] = limit.items()
    return f"{form} {bound}"


def evaluate(warn: str | None, crit: str | None, values: list[float]) -> list[str]:
    argv = [OPSBOOK, "eval", "--format", "json"]
    if warn:
        argv += ["--warn", warn]
    if crit:
        argv += ["--crit", crit]
    done = subprocess.run(argv + [repr(v) for v in values], capture_output=True, text=True)
    assert done.returncode in (0, 1, 2), done.stderr
    return [r["status"] for r in json.loads(done.stdout)["results"]]


OK, W, C = "OK", "WARNING", "CRITICAL"

# (policy, check, measurement, manual's words, [(value, status the words give)])
THRESHOLDS = [
    # 000 工程学习平台 — 关键指标
    ("engineering-learning.toml", "cpu", "usage", "CPU 警告 >70% 严重 >90%", [(70, OK), (70.1, W), (90, W), (90.1, C)]),
    ("engineering-learning.toml", "memory", "used", "内存 警告 >80% 严重 >95%", [(80, OK), (80.1, W), (95, W), (95.1, C)]),
    ("engineering-learning.toml", "disk", "used", "磁盘 警告 >80% 严重 >90%", [(80, OK), (80.1, W), (90, W), (90.1, C)]),
    ("engineering-learning.toml", "diskio", "util", "磁盘IO 警告 >80% 严重 >95%", [(80, OK), (80.1, W), (95, W), (95.1, C)]),
    ("engineering-learning.toml", "api", "latency", "API 正常 <100ms 警告 100-500ms 严重 >500ms",
     [(99.9, OK), (100, W), (500, W), (500.1, C)]),
    ("engineering-learning.toml", "access-log", "http_error_rate", "错误率 正常 <1% 警告 1-5% 严重 >5%",
     [(0.9, OK), (1, W), (5, W), (5.1, C)]),
    ("engineering-learning.toml", "postgres", "connections", "数据库连接 正常 <50 警告 50-80 严重 >80",
     [(49, OK), (50, W), (80, W), (81, C)]),
    ("engineering-learning.toml", "redis", "used_memory", "Redis内存 正常 <1GB 警告 1-2GB 严重 >2GB",
     [(1073741823, OK), (1073741824, W), (2147483648, W), (2147483649, C)]),
    # 001 智能教育平台 — daily_check.sh, DiskSpaceLow
    ("smart-education.toml", "disk", "used", "daily_check > 80 ⚠; DiskSpaceLow > 90 critical",
     [(80, OK), (80.1, W), (90.1, C)]),
    ("smart-education.toml", "memory", "used", "daily_check usage > 80 ⚠", [(80, OK), (80.1, W)]),
    ("smart-education.toml", "app-log", "log_errors", "error_count > 0 → ⚠ 发现 N 个错误", [(0, OK), (1, W)]),
    ("smart-education.toml", "postgresql", "connections_used", "db_recovery.sh: > 90% of max_connections",
     [(90, OK), (90.1, W)]),
    # 002 智能教学助手 — 关键指标, log_monitor.sh, security_check.sh
    ("ai-tutor.toml", "api", "latency", "API平均响应时间 正常 < 500ms 告警 > 2s", [(499, OK), (500, W), (2000, W), (2001, C)]),
    ("ai-tutor.toml", "access-log", "http_error_rate", "HTTP 5xx错误率 正常 < 1% 告警 > 5%", [(0.9, OK), (1, W), (5.1, C)]),
    ("ai-tutor.toml", "cpu", "usage", "CPU 正常 < 70% 告警 > 85%", [(70, OK), (70.1, W), (85, W), (85.1, C)]),
    ("ai-tutor.toml", "memory", "used", "内存 正常 < 80% 告警 > 90%", [(80, OK), (80.1, W), (90.1, C)]),
    ("ai-tutor.toml", "disk", "used", "磁盘 正常 < 80% 告警 > 90%", [(80, OK), (80.1, W), (90.1, C)]),
    ("ai-tutor.toml", "error-log", "log_errors", "ERROR_COUNT -gt 10 → 警告", [(10, OK), (11, W)]),
    ("ai-tutor.toml", "llm-log", "log_errors", "LLM_ERRORS -gt 5 → 警告", [(5, OK), (6, W)]),
    ("ai-tutor.toml", "access-log", "busy_ips", "an IP with > 1000 requests (ip_limit) → 警告", [(0, OK), (1, W)]),
    ("ai-tutor.toml", "security-log", "failed_logins", "FAILED_LOGINS -gt 50 → 警告", [(50, OK), (51, W)]),
    # 003 OpenTruss — 2.1 监控指标 (normal range, alert threshold)
    ("opentruss.yaml", "cpu", "usage", "CPU < 70% / > 85%", [(70, OK), (70.1, W), (85.1, C)]),
    ("opentruss.yaml", "memory", "used", "内存 < 80% / > 90%", [(80, OK), (80.1, W), (90.1, C)]),
    ("opentruss.yaml", "disk", "used", "磁盘 < 80% / > 90%", [(80, OK), (80.1, W), (90.1, C)]),
    ("opentruss.yaml", "diskio", "util", "磁盘 I/O < 80% / > 90%", [(80, OK), (80.1, W), (90.1, C)]),
    ("opentruss.yaml", "network", "utilization", "网络带宽 < 80% / > 90%", [(80, OK), (80.1, W), (90.1, C)]),
    ("opentruss.yaml", "api", "latency", "API 响应时间 (P95) < 200ms / > 500ms", [(199, OK), (200, W), (500.1, C)]),
    ("opentruss.yaml", "access-log", "http_error_rate", "API 错误率 < 1% / > 5%", [(0.9, OK), (1, W), (5.1, C)]),
    # 004 工作留痕系统 — 监控指标 (警戒值)
    ("worklog.toml", "cpu", "usage", "CPU使用率 警戒值 80%", [(80, OK), (80.1, W)]),
    ("worklog.toml", "memory", "used", "内存使用率 警戒值 85%", [(85, OK), (85.1, W)]),
    ("worklog.toml", "disk", "used", "磁盘使用率 警戒值 80%", [(80, OK), (80.1, W)]),
    ("worklog.toml", "network", "utilization", "网络流量 警戒值 带宽的70%", [(70, OK), (70.1, W)]),
    ("worklog.toml", "gateway", "latency", "响应时间 警戒值 2秒", [(2000, OK), (2000.1, W)]),
    ("worklog.toml", "access-log", "http_error_rate", "请求成功率 警戒值 99%以下", [(1, OK), (1.1, W)]),
]


@pytest.mark.parametrize("policy,check,measurement,words,expected", THRESHOLDS,
                         ids=[f"{t[0]}:{t[1]}.{t[2]}" for t in THRESHOLDS])
def test_threshold_is_the_manuals(policy: str, check: str, measurement: str, words: str,
                                  expected: list[tuple[float, str]]) -> None:
    [spec] = [c for c in load(policy)["checks"] if c["name"] == check]
    limits = spec["thresholds"][measurement]
    got = evaluate(range_text(limits.get("warn")), range_text(limits.get("crit")), [v for v, _ in expected])
    assert got == [s for _, s in expected], f"{words}: {list(zip([v for v, _ in expected], got))}"


# (policy, rule, manual's words, for, severity, [(value, fires)])
RULES = [
    ("smart-education.toml", "ServiceDown", "up == 0 for 2m, critical", "2m", "critical", [(0, False), (2, True)]),
    ("smart-education.toml", "HighCPUUsage", "cpu_usage_percent > 80 for 5m", "5m", "warning", [(80, False), (80.1, True)]),
    ("smart-education.toml", "HighMemoryUsage", "memory_usage_percent > 85 for 5m", "5m", "warning", [(85, False), (85.1, True)]),
    ("smart-education.toml", "DiskSpaceLow", "disk_usage_percent > 90 for 10m", "10m", "critical", [(90, False), (90.1, True)]),
    ("smart-education.toml", "HighAPIErrorRate", "5xx share > 0.05 for 5m", "5m", "warning", [(5, False), (5.1, True)]),
    ("smart-education.toml", "DatabaseConnectionPoolExhausted", "> 0.9 for 3m", "3m", "warning", [(90, False), (90.1, True)]),
    ("ai-tutor.toml", "ServiceAutoRestart", "up == 0 for 5m, action restart", "5m", "critical", [(0, False), (2, True)]),
    ("ai-tutor.toml", "LLMSuccessRateLow", "大模型API成功率 < 90%", None, "critical", [(0.1, False), (0.11, True)]),
    ("opentruss.yaml", "HighCPUUsage", "cpu_usage > 85 for 5m", "5m", "warning", [(85, False), (85.1, True)]),
    ("opentruss.yaml", "DiskIOHigh", "磁盘 I/O > 90% 持续 5 分钟", "5m", "warning", [(90, False), (90.1, True)]),
    ("opentruss.yaml", "NetworkBandwidthHigh", "网络带宽 > 90% 持续 5 分钟", "5m", "warning", [(90, False), (90.1, True)]),
    ("opentruss.yaml", "HighAPIErrorRate", "错误率 > 5% for 5m", "5m", "critical", [(5, False), (5.1, True)]),
    ("opentruss.yaml", "APISlow", "API 响应时间超过 500ms, 持续 5 分钟", "5m", "warning", [(0.5, False), (0.501, True)]),
    ("worklog.toml", "HighCpuUsage", "cpu_usage_percent > 80 for 5m", "5m", "warning", [(80, False), (80.1, True)]),
    ("engineering-learning.toml", "APIVerySlow", "API响应时间 严重 >500ms", None, "critical", [(0.5, False), (0.501, True)]),
    ("engineering-learning.toml", "RedisMemoryCritical", "Redis内存 严重 >2GB", None, "critical",
     [(2147483648, False), (2147483649, True)]),
]


@pytest.mark.parametrize("policy,rule,words,duration,severity,expected", RULES, ids=[f"{r[0]}:{r[1]}" for r in RULES])
def test_rule_is_the_manuals(policy: str, rule: str, words: str, duration: str | None, severity: str,
                             expected: list[tuple[float, bool]]) -> None:
    [spec] = [r for r in load(policy)["rules"] if r["name"] == rule]
    assert (spec.get("for"), spec["severity"]) == (duration, severity), words
    got = evaluate(None, spec["alert_when"], [v for v, _ in expected])
    assert [s == C for s in got] == [f for _, f in expected], f"{words}: {got}"


# (policy, what, the manual's figure) for escalation levels, retention and the plan.
def test_escalation_levels_are_the_manuals() -> None:
    levels = {p: [(lv["name"], lv["response"]) for lv in load(p)["escalation"].get("levels", [])]
              for p in ("engineering-learning.toml", "smart-education.toml", "worklog.toml")}
    # Most urgent first (DESIGN's Contract): the engineering manual's Level 3 is its most urgent.
    assert levels["engineering-learning.toml"] == [("Level 3", "15m"), ("Level 2", "1h"), ("Level 1", "4h")]
    assert levels["smart-education.toml"] == [("P0", "5m"), ("P1", "15m"), ("P2", "30m"), ("P3", "2h")]
    assert levels["worklog.toml"] == [("严重", "15m"), ("高", "30m"), ("中", "1h"), ("低", "4h"), ("很低", "24h")]
    # 故障分类 恢复目标: 2小时内, 4小时内, 8小时内, 24小时内, 48小时内
    assert [lv["recovery"] for lv in load("worklog.toml")["escalation"]["levels"]] == ["2h", "4h", "8h", "24h", "48h"]


def test_retention_is_the_manuals() -> None:
    def rules(p: str) -> dict[str, Any]:
        return {loc["name"]: loc.get("retention") for loc in load(p)["backups"]["locations"]}

    assert rules("engineering-learning.toml") == {"platform-db": {"find_mtime": 7}}          # 保留最近7天
    assert rules("smart-education.toml") == {"local": {"find_mtime": 30}, "log-backups": {"find_mtime": 180},
                                             "old-backups": {"find_mtime": 365}}            # 30 天; 6 个月; 1 年
    assert rules("ai-tutor.toml") == {"ai-tutor": {"find_mtime": 30}}                        # 保留30天
    assert rules("worklog.toml") == {"local": {"find_mtime": 7}, "remote": {"keep_within": "90d"},
                                     "offsite": None}                                         # 7天, 90天, 永久


def test_maintenance_plan_is_the_manuals() -> None:
    tasks = [(t["name"], t.get("every"), t.get("role"), t.get("estimate")) for t in load("worklog.toml")["maintenance"]["tasks"]]
    assert tasks[:9] == [
        ("系统状态检查", "每日", "运维工程师", "30分钟"),
        ("数据库备份", "每日", "数据库管理员", "1小时"),
        ("日志分析", "每日", "运维工程师", "1小时"),
        ("性能监控分析", "每周", "性能工程师", "2小时"),
        ("安全漏洞扫描", "每月", "安全工程师", "4小时"),
        ("系统补丁更新", "每月", "系统管理员", "2小时"),
        ("数据归档", "每季度", "数据库管理员", "4小时"),
        ("容量规划评估", "每季度", "架构师", "8小时"),
        ("灾难恢复演练", "每半年", "运维团队", "1天"),
    ]
    lifecycle = load("worklog.toml")["logs"]["lifecycle"][0]
    assert [(t["name"], t["after_days"]) for t in lifecycle["tiers"]] == [("warm", 7), ("cold", 30)]  # 热 7天, 温 30天
    capacity = load("smart-education.toml")["capacity"]
    assert (capacity["months"], capacity["growth_limit_percent"]) == (6, 70)  # 6个月容量预测, > 70 需要扩容规划
    assert all(r["monthly_growth"] == 0.1 for r in capacity["resources"])     # 默认10%增长
