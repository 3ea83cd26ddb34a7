"""Reports as the manuals write them: the daily check (daily_check.sh's numbered sections,
``✓`` / ``⚠`` / ``✗`` per item) and the monthly maintenance report, from a policy or from
parts, as text, markdown or JSON, in zh-CN or en.

    report = Report.from_policy("/etc/opsbook/policy.toml")
    print(report.to_text())
    report.write(f"/var/log/education/daily_{date.today():%Y%m%d}.md", format="markdown")
    sys.exit(report.status.exit_code)
"""

from ._opsbook import Report

__all__ = ["Report"]
