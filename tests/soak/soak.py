"""Soak: a Runner of 50 checks (real PostgreSQL, Redis, an HTTP server, a TLS server and a
certificate file, files, commands, this host) evaluated every second, with faults injected on a schedule —
Redis hung (SIGSTOP), PostgreSQL stopped and restarted, PostgreSQL's postmaster and its
children hung — while the rules engine turns the results into notifications.

It checks that every report arrives on time (a run takes at most the check timeout plus
3 s), that resident memory, open file descriptors and threads stay flat (growth from the
end of the warm-up to the end), and that the notifications are exactly the faults
injected: each fault fires its rule once and resolves it once. The servers are its own
(never a shared instance) on free loopback ports, and are stopped at the end.

Usage: python tests/soak/soak.py [--seconds 60] [--json FILE]
  (CI runs a short soak; `--seconds 600` is the long one whose figures the README gives)
"""

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings-python" / "python"))
import opsbook  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TIMEOUT_S = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def quarters(values: list[int]) -> list[list[int]]:
    n = len(values)
    return [values[i * n // 4:(i + 1) * n // 4] or values[-1:] for i in range(4)]


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: 16 checks connecting at once overflow it
    # and the kernel drops SYNs, which the client retries after a second.
    request_queue_size = 128


class Servers:
    """Its own Redis and PostgreSQL (fault tests never touch a shared instance)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.redis_port = free_port()
        self.pg_port = free_port()
        self.pg_data = work / "pg"
        self.pg_run = work / "pgrun"
        self.redis: subprocess.Popen[bytes] | None = None

    def su(self, command: str) -> None:
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], check=True, capture_output=True)

    def start(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "postgres"], check=True)
        for d in (self.pg_data, self.pg_run):
            d.mkdir()
            shutil.chown(d, "postgres")
        os.chmod(self.work, 0o755)
        self.su(f"{PG_BIN}/initdb -D {self.pg_data} -U postgres --auth=trust")
        self.start_pg()
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True).stdout.strip() == b"PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def start_pg(self) -> None:
        self.su(f"{PG_BIN}/pg_ctl -D {self.pg_data} -l {self.pg_run}/pg.log -w -o "
                f"\"-c listen_addresses=127.0.0.1 -p {self.pg_port} -k {self.pg_run} -c fsync=off\" start")

    def stop_pg(self) -> None:
        self.su(f"{PG_BIN}/pg_ctl -D {self.pg_data} -m fast -w stop")

    def pg_pids(self) -> list[int]:
        postmaster = int((self.pg_data / "postmaster.pid").read_text().split()[0])
        children = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(entry))
        return [postmaster, *children]

    def signal_pg(self, sig: int) -> None:
        for pid in self.pg_pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        if self.redis:
            self.redis.send_signal(signal.SIGCONT)
            self.redis.terminate()
            self.redis.wait(10)
        if (self.pg_data / "postmaster.pid").exists():
            try:
                self.signal_pg(signal.SIGCONT)
            except (OSError, ValueError):
                pass
            subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", f"{PG_BIN}/pg_ctl -D {self.pg_data} -m immediate stop"],
                           capture_output=True)


def policy(work: Path, servers: Servers, http_port: int, tls_port: int) -> str:
    checks = []

    def check(name: str, kind: str, **keys: object) -> None:
        checks.append({"name": name, "type": kind, "timeout": f"{TIMEOUT_S:g}s", **keys})

    for i in range(8):
        check(f"tcp-{i}", "tcp", host="127.0.0.1", port=http_port)
    for i in range(8):
        check(f"http-{i}", "http", url=f"http://127.0.0.1:{http_port}/ok/{i}")
    for i in range(2):
        check(f"tls-file-{i}", "tls", pem_file=str(work / "cert.pem"))
    for i in range(2):
        check(f"tls-served-{i}", "tls", host="127.0.0.1", port=tls_port)
    for i in range(8):
        (work / f"file-{i}.log").write_text("x\n")
        check(f"file-{i}", "file", pattern=str(work / f"file-{i}.log"))
    for i in range(6):
        check(f"pg-{i}", "postgres", dsn_env="OPSBOOK_SOAK_PG")
    for i in range(6):
        check(f"redis-{i}", "redis", url_env="OPSBOOK_SOAK_REDIS")
    check("cpu", "cpu", sample="200ms")
    for kind in ["memory", "disk", "load"]:
        check(kind, kind)
    for i in range(6):
        check(f"command-{i}", "command", argv=["true"])
    doc = {
        "version": 1,
        "checks": checks,
        "rules": [
            {"name": "PgDown", "metric": "opsbook_check_status", "match": {"check": "pg-0"}, "alert_when": "at_or_above 2",
             "severity": "critical"},
            {"name": "RedisDown", "metric": "opsbook_check_status", "match": {"check": "redis-0"},
             "alert_when": "at_or_above 2", "severity": "critical"},
        ],
        "escalation": {"route": {"receiver": "ops", "group_by": ["alertname"], "group_wait": "0s",
                                 "group_interval": "1s", "repeat_interval": "24h"}},
    }
    return json.dumps(doc)


def main() -> int:
    args = argparse.ArgumentParser()
    args.add_argument("--seconds", type=int, default=60)
    args.add_argument("--json")
    opts = args.parse_args()
    total = opts.seconds
    work = Path(tempfile.mkdtemp(prefix="opsbook-soak-"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=soak",
                    "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")], check=True, capture_output=True)
    http = Server(("127.0.0.1", 0), Ok)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    # The same answers over TLS, with the generated certificate (the tls checks read it).
    https = Server(("127.0.0.1", 0), Ok)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(work / "cert.pem", work / "key.pem")
    https.socket = tls.wrap_socket(https.socket, server_side=True)
    threading.Thread(target=https.serve_forever, daemon=True).start()
    servers = Servers(work)
    servers.start()
    os.environ["OPSBOOK_SOAK_PG"] = f"postgresql://postgres@127.0.0.1:{servers.pg_port}/postgres?connect_timeout=2"
    os.environ["OPSBOOK_SOAK_REDIS"] = f"redis://127.0.0.1:{servers.redis_port}/0"
    text = policy(work, servers, http.server_address[1], https.server_address[1])
    runner = opsbook.Runner.from_json(text)
    pipeline = opsbook.rules.AlertPipeline.from_json(text)
    assert len(runner.check_names) == 50

    # The schedule, as fractions of the run: (start, end, what).
    faults = [(0.20, 0.30, "redis hung"), (0.42, 0.55, "postgres stopped"), (0.68, 0.78, "postgres hung")]
    expected = [("RedisDown", "firing"), ("RedisDown", "resolved"), ("PgDown", "firing"), ("PgDown", "resolved"),
                ("PgDown", "firing"), ("PgDown", "resolved")]
    active: set[str] = set()
    notified: list[tuple[str, str, float]] = []
    samples_rss, samples_fd, samples_threads, durations = [], [], [], []
    warm = None
    start = time.monotonic()
    tick = 0
    try:
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= total:
                break
            frac = elapsed / total
            for begin, end, what in faults:
                if begin <= frac < end and what not in active:
                    active.add(what)
                    if what == "redis hung":
                        servers.redis.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
                    elif what == "postgres stopped":
                        servers.stop_pg()
                    else:
                        servers.signal_pg(signal.SIGSTOP)
                elif frac >= end and what in active:
                    active.discard(what)
                    if what == "redis hung":
                        servers.redis.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
                    elif what == "postgres stopped":
                        servers.start_pg()
                    else:
                        servers.signal_pg(signal.SIGCONT)
            t0 = time.monotonic()
            report = runner.run_sync()
            took = time.monotonic() - t0
            durations.append(took)
            now = time.time()
            samples = report.samples()
            outcome = pipeline.evaluate(now, samples)
            for n in outcome["notifications"]:
                for a in n["alerts"]:
                    notified.append((a["labels"]["alertname"], a["status"], elapsed))
            if warm is None and frac >= 0.10:
                warm = (proc_status("VmRSS"), fds(), proc_status("Threads"))
            samples_rss.append(proc_status("VmRSS"))
            samples_fd.append(fds())
            samples_threads.append(proc_status("Threads"))
            tick += 1
            time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))
    finally:
        servers.stop()
        http.shutdown()
        https.shutdown()
    end_state = (proc_status("VmRSS"), fds(), proc_status("Threads"))
    assert warm is not None
    on_time = max(durations) <= TIMEOUT_S + 3
    got = [(name, status) for name, status, _ in notified]
    result = {
        "seconds": total, "checks": 50, "evaluations": tick,
        "report_seconds_max": round(max(durations), 3), "report_seconds_median": round(sorted(durations)[len(durations) // 2], 3),
        "rss_kib_after_warmup": warm[0], "rss_kib_end": end_state[0], "rss_kib_max": max(samples_rss),
        # Mean resident memory of each quarter of the run: a leak climbs quarter by quarter.
        "rss_kib_quarters": [round(sum(q) / len(q)) for q in quarters(samples_rss)],
        "fds_after_warmup": warm[1], "fds_end": end_state[1], "fds_max": max(samples_fd),
        "threads_after_warmup": warm[2], "threads_end": end_state[2], "threads_max": max(samples_threads),
        "faults": [w for _, _, w in faults], "notifications": [[n, s, round(t, 1)] for n, s, t in notified],
        "notifications_match_faults": got == expected, "every_report_on_time": on_time,
    }
    print(json.dumps(result))
    if opts.json:
        Path(opts.json).write_text(json.dumps(result, indent=1) + "\n")
    problems = []
    if not on_time:
        problems.append(f"a report took {max(durations):.1f} s (timeout {TIMEOUT_S} s + 3 s)")
    if got != expected:
        problems.append(f"notifications {got} != the faults injected {expected}")
    if end_state[1] - warm[1] > 2:
        problems.append(f"open descriptors grew from {warm[1]} to {end_state[1]}")
    if end_state[2] - warm[2] > 2:
        problems.append(f"threads grew from {warm[2]} to {end_state[2]}")
    # Memory: generous, as allocators keep pages; a leak per evaluation would pass this fast.
    if end_state[0] - warm[0] > 32 * 1024:
        problems.append(f"resident memory grew from {warm[0]} KiB to {end_state[0]} KiB")
    for p in problems:
        print("soak:", p, file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
