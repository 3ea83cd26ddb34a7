"""Alert messages: opsbook vs Jinja2, the same work in one run.

10,000 alerts arrive as one Alertmanager webhook payload (JSON bytes, as a FastAPI app
receives it); each becomes its own DingTalk robot message: the manual's markdown (summary
heading, details, time in Asia/Shanghai, severity; values markdown-escaped), the
【severity】监控告警 title, @-mentions of the critical contacts and @all for critical, as JSON
text ready to POST.

- opsbook: Channel.render_bodies(payload) — parsing, rendering and JSON in Rust.
- Jinja2: json.loads(payload), then per alert an equivalent compiled Jinja2 template (with a
  markdown-escape filter and zoneinfo time formatting) and json.dumps of the body.

Both outputs are cross-checked (every body parsed and compared) before timing.

Run (release build): (cd bindings-python && ../.venv/bin/maturin develop --release) &&
  .venv/bin/python benches/compare/alert.py    # RAYON_NUM_THREADS=1 for one core
"""

import json
import os
import statistics
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import jinja2

from opsbook import alert

N = 10_000
SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTACTS = ["13800000000", "13900000000"]


def payload() -> bytes:
    alerts = []
    for i in range(N):
        sev = "critical" if i % 10 == 0 else "warning"
        alerts.append({
            "status": "firing",
            "labels": {"alertname": "HighCPUUsage", "instance": f"web-{i}:9100", "severity": sev},
            "annotations": {"summary": f"服务 web_{i} CPU使用率过高", "description": f"CPU使用率超过80%已持续5分钟，当前值: {80 + i % 20}%"},
            "startsAt": f"2024-05-01T08:{i // 60 % 60:02d}:{i % 60:02d}Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "",
            "fingerprint": f"{i:016x}",
        })
    return json.dumps({"receiver": "ops", "status": "firing", "alerts": alerts, "groupLabels": {}, "commonLabels": {},
                       "commonAnnotations": {}, "externalURL": "", "version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0},
                      ensure_ascii=False).encode()


def md(value: str) -> str:
    out = []
    for i, c in enumerate(value):
        if c in "\\`*_[]|~" or (i == 0 and c in "#-+"):
            out.append("\\" + c)
        elif c == "<":
            out.append("&lt;")
        elif c == ">":
            out.append("&gt;")
        elif c in "\n\r\t":
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


def shown(t: str) -> str:
    d = datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(SHANGHAI)
    return d.strftime("%Y-%m-%d %H:%M:%S ") + (d.tzname() or "")


ENV = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
ENV.filters["md"] = md
ENV.filters["shown"] = shown
TEXT = ENV.from_string(
    "## {{ a.annotations.summary | md }}\n\n> **详情**: {{ a.annotations.description | md }}\n\n"
    "> **时间**: {{ a.startsAt | shown }}\n\n> **级别**: {{ a.labels.severity | md }}\n"
    "{% if a.labels.severity == 'critical' %}\n{% for m in contacts %}@{{ m }}{% if not loop.last %} {% endif %}{% endfor %}\n{% endif %}"
)


def jinja_way(data: bytes) -> list[str]:
    doc = json.loads(data)
    out = []
    for a in doc["alerts"]:
        critical = a["labels"]["severity"] == "critical"
        body = {
            "msgtype": "markdown",
            "markdown": {"title": f"【{a['labels']['severity']}】监控告警", "text": TEXT.render(a=a, contacts=CONTACTS)},
            "at": {"atMobiles": CONTACTS if critical else [], "atUserIds": [], "isAtAll": critical},
        }
        out.append(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    return out


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    data = payload()
    channel = alert.Channel({"name": "ops", "type": "dingtalk", "at_mobiles": CONTACTS, "tz": "Asia/Shanghai"})
    ours_t, ours = timed(lambda: channel.render_bodies(data), 7)
    theirs_t, theirs = timed(lambda: jinja_way(data), 7)
    if len(ours) != N or [json.loads(b) for b in ours] != [json.loads(b) for b in theirs]:
        sys.exit("opsbook and Jinja2 rendered different messages")
    threads = os.environ.get("RAYON_NUM_THREADS", str(os.cpu_count()))
    print(
        f"{N} DingTalk messages from one payload: opsbook {ours_t * 1e3:.1f} ms ({threads} threads), "
        f"Jinja2 {theirs_t * 1e3:.1f} ms, opsbook {theirs_t / ours_t:.1f}x faster"
    )


if __name__ == "__main__":
    main()
