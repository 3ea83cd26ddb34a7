"""Log analysis: the manuals' analyses in one pass over files (plain or gzip) or lines —
counts by level and error type, per-endpoint calls, errors, error rate and p50/p95/p99,
busy IPs, failed logins.

    report = analyze(files=["/var/log/nginx/access.log", "/var/log/nginx/access.log.1.gz"],
                     format="nginx", options={"ip_limit": 1000})
    for e in report["endpoints"]:
        print(e["endpoint"], e["requests"], e["errors"], e["error_rate"], e["p95_ms"])

The lifecycle as the manuals' find rules, planned first and applied on request:

    plan = LogPlan("/var/log/app", {"compress_after": 7, "delete_compressed_after": 30})
    for action in plan.actions:
        print(action["action"], action["path"], action["reason"])
    plan.apply()
"""

from ._opsbook import LogPlan, analyze

__all__ = ["LogPlan", "analyze"]
