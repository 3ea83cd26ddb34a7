"""Writes tests/vectors/logs.json: small logs whose analysis is worked out by hand here
(counts, nearest-rank percentiles, error types and masked messages per the rules in
opsbook's logs::analyze docs); floats are computed with the same IEEE arithmetic the rules
name (errors / requests * 100, seconds * 1000). Run: python3 logs.py"""
import json


def num(x):
    return int(x) if float(x).is_integer() else x


def report(lines, parsed, unparsed, before_window=0, levels=None, error_types=(), top_messages=(), endpoints=(),
           classes=(0, 0, 0, 0, 0), busy=(), failed=0, failed_ips=(), failed_users=()):
    levels = levels or {}
    return {
        "lines": lines, "parsed": parsed, "unparsed": unparsed, "overlong": 0, "invalid_utf8": 0, "before_window": before_window,
        "levels": levels, "errors": sum(c for l, c in levels.items() if l in ("ERROR", "CRITICAL", "ALERT", "EMERGENCY")),
        "error_types": [list(x) for x in error_types], "top_messages": [list(x) for x in top_messages],
        "endpoints": list(endpoints),
        "status_classes": dict(zip(["1xx", "2xx", "3xx", "4xx", "5xx"], classes)), "requests": sum(classes),
        "busy_ips": [list(x) for x in busy], "failed_logins": failed,
        "failed_login_ips": [list(x) for x in failed_ips], "failed_login_users": [list(x) for x in failed_users],
    }


def endpoint(name, requests, errors, server_errors, durations_s):
    ms = sorted(d * 1000 for d in durations_s)

    def rank(q):
        import math
        return num(ms[max(math.ceil(q * len(ms)), 1) - 1]) if ms else None

    return {"endpoint": name, "requests": requests, "errors": errors, "server_errors": server_errors,
            "error_rate": num(errors / requests * 100), "p50_ms": rank(0.50), "p95_ms": rank(0.95), "p99_ms": rank(0.99)}


cases = []
nginx = [
    '192.0.2.1 - - [01/May/2024:16:00:00 +0800] "GET /api/courses/1 HTTP/1.1" 200 100 "-" "ua" 0.010',
    '192.0.2.1 - - [01/May/2024:16:00:01 +0800] "GET /api/courses/2?x=1 HTTP/1.1" 200 100 "-" "ua" 0.030',
    '192.0.2.1 - - [01/May/2024:16:00:02 +0800] "GET /api/courses/3 HTTP/1.1" 503 0 "-" "ua" 1.000',
    '192.0.2.2 - alice [01/May/2024:16:00:03 +0800] "POST /api/login HTTP/1.1" 401 12 "-" "ua" 0.020',
    '192.0.2.2 - alice [01/May/2024:16:00:04 +0800] "POST /api/login HTTP/1.1" 200 12 "-" "ua" 0.040',
    '192.0.2.3 - - [01/May/2024:16:00:05 +0800] "GET /healthz HTTP/1.1" 301 0 "-" "ua"',
    'garbage line',
]
cases.append({"name": "nginx combined: endpoints (ids and query strings folded), errors ≥ 400, p50/p95/p99, busy IPs",
              "format": "nginx", "options": {"ip_limit": 2}, "lines": nginx,
              "want": report(7, 6, 1, endpoints=[endpoint("GET /api/courses/{id}", 3, 1, 1, [0.010, 0.030, 1.000]),
                                                  endpoint("POST /api/login", 2, 1, 0, [0.020, 0.040]),
                                                  endpoint("GET /healthz", 1, 0, 0, [])],
                             classes=(0, 3, 1, 1, 1), busy=[("192.0.2.1", 3)])})
iso = [
    "2024-04-30 23:59:59,999 ERROR OperationalError: server closed the connection",
    "2024-05-01 08:00:00,000 ERROR OperationalError: server closed the connection unexpectedly",
    "2024-05-01 08:00:01,500 ERROR psycopg2.OperationalError: timeout after 30s",
    "2024-05-01 08:00:02 - edu.api - ERROR - LLM API Error: rate limited (429)",
    "2024-05-01 08:00:03 - edu.api - INFO - started worker 3",
    "2024-05-01T08:00:04Z [warn] disk 91% full",
    "2024-05-01 08:00:05 CRITICAL out of memory: killed process 4242",
    "Traceback (most recent call last):",
]
cases.append({"name": "iso-level (Logstash's TIMESTAMP_ISO8601 LOGLEVEL GREEDYDATA, Python logging's form too): a window, levels, error types, masked messages",
              "format": "iso-level", "options": {"since": "2024-05-01T00:00:00Z"}, "lines": iso,
              "want": report(8, 6, 1, before_window=1, levels={"INFO": 1, "WARNING": 1, "ERROR": 3, "CRITICAL": 1},
                             error_types=[("LLM API Error: rate limited (<n>)", 1), ("OperationalError", 1),
                                          ("out of memory: killed process <n>", 1), ("psycopg2.OperationalError", 1)],
                             top_messages=[("LLM API Error: rate limited (<n>)", 1),
                                           ("OperationalError: server closed the connection unexpectedly", 1),
                                           ("out of memory: killed process <n>", 1),
                                           ("psycopg<n>.OperationalError: timeout after <n>s", 1)])})
js = [
    '{"time":"2024-05-01T08:00:00Z","level":"error","msg":"payment failed","ip":"198.51.100.1","method":"POST","path":"/api/pay","status":502,"duration_ms":120.5}',
    '{"ts":1714550401,"level":"info","message":"ok","remote_addr":"198.51.100.1","method":"GET","uri":"/api/pay/7","status":"200","request_time":0.05}',
    'not json',
]
cases.append({"name": "JSON lines: field aliases (time/ts, msg/message, path/uri, duration_ms/request_time)", "format": "json", "options": {}, "lines": js,
              "want": report(3, 2, 1, levels={"INFO": 1, "ERROR": 1}, error_types=[("payment failed", 1)], top_messages=[("payment failed", 1)],
                             endpoints=[endpoint("GET /api/pay/{id}", 1, 0, 0, [0.05]), {**endpoint("POST /api/pay", 1, 1, 1, []), "p50_ms": 120.5, "p95_ms": 120.5, "p99_ms": 120.5}],
                             classes=(0, 1, 0, 0, 1))})
sec = ["203.0.113.5 login failed user=root"] * 3 + ["203.0.113.6 login failed user=admin", "203.0.113.5 login ok user=root", "no match"]
cases.append({"name": "a regex with named captures: failed logins per IP and user above a limit (the manual's > 10, here > 2)",
              "format": r"^(?P<ip>\S+) (?P<message>.+?) user=(?P<user>\S+)$", "options": {"failed_login_limit": 2}, "lines": sec,
              "want": report(6, 5, 1, failed=4, failed_ips=[("203.0.113.5", 3)], failed_users=[("root", 3)])})
for name, fmt, options, error in [
    ("bad: a capture opsbook does not know", r"(?P<when>\S+)", {}, ["input-format", "when"]),
    ("bad: not a regex", "(", {}, ["input-format"]),
    ("bad: option of the wrong type", "nginx", {"top": "many"}, ["options.top"]),
    ("bad: unknown option", "nginx", {"nope": 1}, ["options.nope"]),
]:
    cases.append({"name": name, "format": fmt, "options": options, "lines": [], "error": error})
json.dump({"source": "Hand-worked small logs (tests/vectors/generators/logs.py): the manuals' analyses (ERROR lines by type in a window, per-endpoint calls/errors/error rate with errors = status ≥ 400 as the education manual's log_analyzer counts them, IPs above a limit, failed logins per IP) over nginx combined, ISO-level, JSON and regex formats.",
           "cases": cases}, open(__file__.replace("generators/logs.py", "logs.json"), "w"), ensure_ascii=False, indent=1)
print(len(cases))
