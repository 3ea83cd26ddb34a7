"""opsbook.report, opsbook.maintenance and the log lifecycle: tests/vectors/daily_reports.json
replayed through Report.from_parts; a report from a policy run against a real socket; the
maintenance plan's due tasks and records; a lifecycle planned, then applied."""

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

import opsbook
from opsbook import logs, maintenance, report

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
CASES = json.loads((VECTORS / "daily_reports.json").read_text(encoding="utf-8"))["cases"]
STATUS = {"OK": opsbook.Status.OK, "WARNING": opsbook.Status.WARNING, "CRITICAL": opsbook.Status.CRITICAL}


def test_every_vector_is_replayed() -> None:
    assert len(CASES) == 25


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vectors(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(opsbook.InvalidValueError) as info:
            report.Report.from_parts(case["parts"])
        for part in case["error"]:
            assert part in str(info.value)
        return
    r = report.Report.from_parts(case["parts"])
    assert r.to_text() == case["text"]
    assert r.render("text") == case["text"]
    assert r.to_markdown() == case["markdown"]
    assert r.to_json() == case["json"]
    assert json.loads(r.render("json")) == case["json"]
    assert r.status == STATUS[case["status"]]
    assert r.headline == case["json"]["title"]


def test_from_a_policy_with_a_live_and_a_dead_port(tmp_path: Path) -> None:
    with socket.socket() as up, socket.socket() as probe:
        up.bind(("127.0.0.1", 0))
        up.listen()
        probe.bind(("127.0.0.1", 0))
        down = probe.getsockname()[1]
        probe.close()
        policy = tmp_path / "policy.toml"
        policy.write_text(
            f"""version = 1
[[checks]]
name = "api"
type = "tcp"
host = "127.0.0.1"
port = {up.getsockname()[1]}
[[checks]]
name = "worker"
type = "tcp"
host = "127.0.0.1"
port = {down}
[maintenance]
title = "智能教育平台"
[[maintenance.checklists]]
name = "每日检查清单"
items = [{{ text = "服务状态正常", check = "api" }}, {{ text = "worker 正常", check = "worker" }}]
""",
            encoding="utf-8",
        )
        r = report.Report.from_policy(policy, now=1720137600.0)
    assert r.status == opsbook.Status.CRITICAL
    doc = r.to_json()
    assert doc["title"] == "智能教育平台每日检查" and doc["time"] == "2024-07-05T00:00:00Z"
    checklist = [s for s in doc["sections"] if s["kind"] == "checklist"][0]
    assert checklist["items"] == [
        {"mark": "ok", "text": "服务状态正常"},
        {"mark": "fail", "text": "worker 正常 (worker: CRITICAL)"},
    ]
    out = tmp_path / "reports" / "daily.md"
    r.write(out, format="markdown")
    assert out.read_text(encoding="utf-8") == r.to_markdown()
    with pytest.raises(opsbook.InvalidValueError, match="kind"):
        report.Report.from_policy(policy, kind="weekly")
    with pytest.raises(opsbook.OpsbookIOError):
        report.Report.from_policy(tmp_path / "missing.toml")


def test_maintenance_due_and_records(tmp_path: Path) -> None:
    plan = {"tz": "Asia/Shanghai", "tasks": [{"name": "数据库备份", "every": "每日", "role": "DBA"},
                                            {"name": "日志清理", "every": "每周"}]}
    records = tmp_path / "records.jsonl"
    # 2024-07-04 10:00 CST: backup done; cleanup never.
    maintenance.append_record(records, {"time": "2024-07-04T10:00:00+08:00", "operator": "张三", "kind": "routine",
                                        "task": "数据库备份", "description": "pg_dump"})
    kept = maintenance.read_records(records)
    assert [(r["operator"], r["kind"], r["task"]) for r in kept] == [("张三", "例行维护", "数据库备份")]
    # 5 July 09:00 CST: the backup is not due until 10:00; at 10:30 it is due.
    before = maintenance.due(plan, kept, now=1720141200.0)
    assert [(d["task"], d["status"]) for d in before] == [("日志清理", "never done"), ("数据库备份", "not due")]
    assert before[1]["due_at"] == "2024-07-05T02:00:00Z"
    after = maintenance.due(plan, kept, now=1720141200.0 + 5400)
    assert [(d["task"], d["status"]) for d in after] == [("日志清理", "never done"), ("数据库备份", "due")]
    with pytest.raises(opsbook.InvalidValueError, match="record.kind"):
        maintenance.append_record(records, {"time": "2024-07-04T10:00:00Z", "operator": "x", "kind": "nap"})
    with pytest.raises(opsbook.InvalidValueError, match="maintenance.tasks"):
        maintenance.due({"tasks": [{"name": "x", "every": "fortnightly-ish"}]})


def test_log_lifecycle_planned_then_applied(tmp_path: Path) -> None:
    now = 1714550400.0
    for name, days in [("new.log", 1), ("old.log", 10), ("older.log.gz", 40)]:
        (tmp_path / name).write_text("x\n")
        os.utime(tmp_path / name, (now - days * 86400, now - days * 86400))
    plan = logs.LogPlan(tmp_path, {"compress_after": 7, "delete_compressed_after": 30}, now=now)
    assert len(plan) == 2
    assert [(a["action"], Path(a["path"]).name, a["reason"]) for a in plan.actions] == [
        ("compress", "old.log", "-name '*.log' -mtime +7"),
        ("delete", "older.log.gz", "-name '*.gz' -mtime +30"),
    ]
    assert (tmp_path / "old.log").exists(), "planning touches nothing"
    done = plan.apply()
    assert [d["done"] for d in done] == [True, True]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.log", "old.log.gz"]
    assert abs((tmp_path / "old.log.gz").stat().st_mtime - (now - 10 * 86400)) < 1, "gzip keeps the time"
    with pytest.raises(opsbook.InvalidValueError, match="rules.compress_afterr"):
        logs.LogPlan(tmp_path, {"compress_afterr": 7})
