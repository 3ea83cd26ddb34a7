"""Secrets never appear in anything opsbook emits.

Plants known secret strings in DSNs, Redis and HTTP URLs, webhook URLs, robot tokens,
signing secrets and an SMTP password (all given by environment variable, as policies must),
points every one of them at a closed loopback port so every failure path runs, and drives
the command, the Python API, the Node API and the C API through checks, reports, rendered
messages, sends, rule notifications and policy errors. Everything they print, return or
raise is collected and scanned for every secret (as written, URL-encoded and base64):
zero occurrences. A control run of a command that does print the secret proves the scan
finds one.

Usage: python tests/secrets/scan.py OPSBOOK_BIN FFI_ARCHIVE   (run by scripts/test.sh)
"""

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = closed_port()
SECRETS = {
    "OPSBOOK_T_PG_DSN": ("PgPw-7f3a9c", f"postgresql://opsbook:PgPw-7f3a9c@127.0.0.1:{PORT}/db?connect_timeout=2"),
    "OPSBOOK_T_REDIS_URL": ("RdPw-51be02", f"redis://:RdPw-51be02@127.0.0.1:{PORT}/0"),
    "OPSBOOK_T_HTTP_URL": ("HtPw-0c77d1", f"http://ops:HtPw-0c77d1@127.0.0.1:{PORT}/health"),
    "OPSBOOK_T_DING_TOKEN": ("DtTok-9e41aa", "DtTok-9e41aa"),
    "OPSBOOK_T_DING_SECRET": ("SEC-DtSig-3b8f20", "SEC-DtSig-3b8f20"),
    "OPSBOOK_T_WECOM_KEY": ("WcKey-6d2e19", "WcKey-6d2e19"),
    "OPSBOOK_T_FEISHU_TOKEN": ("FsTok-a1c5e7", "FsTok-a1c5e7"),
    "OPSBOOK_T_FEISHU_SECRET": ("FsSig-22f0b4", "FsSig-22f0b4"),
    "OPSBOOK_T_SLACK_TOKEN": ("SlTok-0f9b55", "SlTok-0f9b55"),
    "OPSBOOK_T_WEBHOOK_URL": ("WhTok-8d8d31", f"http://127.0.0.1:{PORT}/hook?token=WhTok-8d8d31"),
    "OPSBOOK_T_SMTP_PASSWORD": ("SmPw-44aa19", "SmPw-44aa19"),
}
LITERALS = ["LitTok-55c0de", "LitPw-19aa07"]  # written into policies that must be refused


def forms(secret: str) -> set[str]:
    return {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
            base64.b64encode(secret.encode()).decode().rstrip("=")}


NEEDLES = {f for s, _ in SECRETS.values() for f in forms(s)} | {f for s in LITERALS for f in forms(s)}

POLICY = f"""version = 1

[[checks]]
name = "db"
type = "postgres"
dsn_env = "OPSBOOK_T_PG_DSN"
timeout = "3s"

[[checks]]
name = "cache"
type = "redis"
url_env = "OPSBOOK_T_REDIS_URL"
timeout = "3s"

[[checks]]
name = "api"
type = "http"
url_env = "OPSBOOK_T_HTTP_URL"
timeout = "3s"

[[rules]]
name = "DbDown"
metric = "opsbook_check_status"
match = {{ check = "db" }}
alert_when = "at_or_above 2"
severity = "critical"
annotations = {{ summary = "database down" }}

[escalation.route]
receiver = "ding"
group_wait = "0s"

[[channels]]
name = "ding"
type = "dingtalk"
url = "http://127.0.0.1:{PORT}/robot/send"
token_env = "OPSBOOK_T_DING_TOKEN"
secret_env = "OPSBOOK_T_DING_SECRET"

[[channels]]
name = "wecom"
type = "wecom"
url = "http://127.0.0.1:{PORT}/cgi-bin/webhook/send"
token_env = "OPSBOOK_T_WECOM_KEY"

[[channels]]
name = "feishu"
type = "feishu"
url = "http://127.0.0.1:{PORT}/open-apis/bot/v2/hook"
token_env = "OPSBOOK_T_FEISHU_TOKEN"
secret_env = "OPSBOOK_T_FEISHU_SECRET"

[[channels]]
name = "slack"
type = "slack"
url = "http://127.0.0.1:{PORT}/services"
token_env = "OPSBOOK_T_SLACK_TOKEN"

[[channels]]
name = "hook"
type = "webhook"
url_env = "OPSBOOK_T_WEBHOOK_URL"

[[channels]]
name = "mail"
type = "email"
from = "ops@example.com"
to = ["oncall@example.com"]
smtp = "127.0.0.1:{PORT}"
smtp_tls = "none"
username = "ops"
password_env = "OPSBOOK_T_SMTP_PASSWORD"

[maintenance]
title = "secrets"
[[maintenance.checklists]]
name = "daily"
items = [{{ text = "db up", check = "db" }}]
"""

BAD_POLICIES = [
    # A robot token written into a URL, a password written into a DSN: refused, not echoed.
    f'version = 1\n[[channels]]\nname = "d"\ntype = "dingtalk"\nurl = "https://oapi.dingtalk.com/robot/send?access_token={LITERALS[0]}"\n',
    f'version = 1\n[[checks]]\nname = "db"\ntype = "postgres"\ndsn = "postgresql://u:{LITERALS[1]}@127.0.0.1:{PORT}/db"\n',
    f'version = 1\n[[channels]]\nname = "f"\ntype = "feishu"\nurl = "https://open.feishu.cn/open-apis/bot/v2/hook/{LITERALS[0]}"\n',
    f'version = 1\n[[channels]]\nname = "w"\ntype = "wecom"\nurl = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={LITERALS[0]}"\n',
    f'version = 1\n[[checks]]\nname = "c"\ntype = "redis"\nurl = "redis://:{LITERALS[1]}@127.0.0.1:{PORT}/0"\n',
    f'version = 1\n[[checks]]\nname = "h"\ntype = "http"\nurl = "http://u:{LITERALS[1]}@127.0.0.1:{PORT}/"\n',
]

ALERT = {"labels": {"alertname": "DbDown", "severity": "critical"}, "annotations": {"summary": "database down"},
         "startsAt": "2024-07-05T00:00:00Z"}


def main() -> int:
    opsbook, archive = sys.argv[1], sys.argv[2]
    env = dict(os.environ, **{k: v for k, (_, v) in SECRETS.items()})
    os.environ.update({k: v for k, (_, v) in SECRETS.items()})
    outputs: list[tuple[str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="opsbook-secrets-"))
    policy = work / "policy.toml"
    policy.write_text(POLICY, encoding="utf-8")
    alert = work / "alert.json"
    alert.write_text(json.dumps(ALERT), encoding="utf-8")
    samples = work / "samples.jsonl"
    samples.write_text(json.dumps({"time": 1720137600, "metric": "opsbook_check_status", "labels": {"check": "db"},
                                   "value": 2}) + "\n", encoding="utf-8")

    def run(name: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
        outputs.append((name, r.stdout + r.stderr))
        return r

    # The command.
    p = str(policy)
    run("policy check", [opsbook, "policy", "check", p])
    for fmt in ["table", "json", "nagios", "prometheus"]:
        run(f"check --format {fmt}", [opsbook, "check", "--policy", p, "--format", fmt])
    for fmt in ["text", "markdown", "json"]:
        run(f"report daily {fmt}", [opsbook, "report", "daily", "--policy", p, "--format", fmt])
    for channel in ["ding", "wecom", "feishu", "slack", "hook", "mail"]:
        run(f"alert render {channel}", [opsbook, "alert", "render", "--policy", p, "--channel", channel, "--input", str(alert)])
        r = run(f"alert send {channel}", [opsbook, "alert", "send", "--policy", p, "--channel", channel, "--input", str(alert)])
        assert r.returncode != 0, f"alert send {channel} to a closed port succeeded?"
    r = run("rules eval --send", [opsbook, "rules", "eval", "--policy", p, "--samples", str(samples), "--send"])
    # A whole pass: checks failing on every secret-bearing address, the rule firing, its
    # notification rendered, then sent to a closed port — text, JSON and the written report.
    state = work / "pass-state.json"
    for fmt in ["text", "json"]:
        run(f"run {fmt}", [opsbook, "run", "--policy", p, "--state", str(work / f"state-{fmt}.json"), "--format", fmt])
    r = run("run --send", [opsbook, "run", "--policy", p, "--state", str(state), "--send", "--format", "json",
                           "--output", str(work / "pass.json")])
    assert r.returncode == 2, f"a pass with every check failing exited {r.returncode}"
    outputs.append(("run --output file", (work / "pass.json").read_text(encoding="utf-8")))
    outputs.append(("run state file", state.read_text(encoding="utf-8")))
    for i, bad in enumerate(BAD_POLICIES):
        bad_path = work / f"bad{i}.toml"
        bad_path.write_text(bad, encoding="utf-8")
        r = run(f"bad policy {i}", [opsbook, "policy", "check", str(bad_path)])
        assert r.returncode == 3, f"bad policy {i} was accepted: {r.stdout}{r.stderr}"

    # Python.
    sys.path.insert(0, str(ROOT / "bindings-python" / "python"))
    import opsbook as ob  # noqa: E402
    from opsbook.alert import Channel  # noqa: E402
    from opsbook.report import Report  # noqa: E402

    health = ob.Runner.from_toml(POLICY).run_sync()
    outputs += [("python health json", health.to_health_json()), ("python nagios", str(health.to_nagios())),
                ("python prometheus", health.to_prometheus()), ("python table", health.to_table()),
                ("python json", health.to_json())]
    outputs.append(("python report", Report.from_policy(policy).to_text()))
    passed = ob.run_policy(policy, state=work / "py-pass.json", send=True)
    outputs += [("python run_policy json", json.dumps(passed.to_json(), ensure_ascii=False)),
                ("python run_policy report", passed.report.to_text())]
    for channel in ["ding", "wecom", "feishu", "slack", "hook", "mail"]:
        c = Channel.from_policy(policy, channel)
        outputs.append((f"python render {channel}", json.dumps(c.render(ALERT))))
        try:
            outputs.append((f"python send {channel}", json.dumps(c.send(ALERT))))
        except ob.OpsbookError as e:
            outputs.append((f"python send {channel} error", f"{type(e).__name__}: {e!r} {e}"))
    for i, _ in enumerate(BAD_POLICIES):
        # The policy file as a whole (a channel lookup loads and checks all of it).
        try:
            Channel.from_policy(work / f"bad{i}.toml", "d")
            raise AssertionError(f"python accepted bad policy {i}")
        except ob.OpsbookError as e:
            outputs.append((f"python bad {i}", f"{e!r} {e}"))

    # Node.
    run("node", ["node", str(HERE / "scan.js"), p, str(alert)])

    # C.
    cbin = work / "scan_c"
    subprocess.run(["gcc", "-std=c11", "-Wall", "-Werror", "-I", str(ROOT / "ffi" / "include"), str(HERE / "scan.c"), archive,
                    "-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-o", str(cbin)], check=True)
    run("c", [str(cbin), p, BAD_POLICIES[1]])

    # The scan can fail: a command that does print a secret is caught.
    control = subprocess.run(["printenv", "OPSBOOK_T_PG_DSN"], capture_output=True, text=True, env=env).stdout
    assert any(n in control for n in NEEDLES), "the scan would not find a printed secret"

    found = [(name, n) for name, text in outputs for n in NEEDLES if n in text]
    total = sum(len(t) for _, t in outputs)
    print(f"{len(outputs)} outputs ({total} bytes) from the command, Python, Node and C scanned for "
          f"{len(SECRETS) + len(LITERALS)} planted secrets: {len(found)} found")
    for name, n in found:
        print(f"  {n!r} in {name}")
        print("    " + next(t for nm, t in outputs if nm == name)[:2000].replace("\n", "\n    "))
    empty = [name for name, text in outputs if not text.strip()]
    assert not empty, f"outputs that said nothing (the scan would prove nothing): {empty}"
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
