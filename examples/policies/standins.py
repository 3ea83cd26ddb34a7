#!/usr/bin/env python3
"""Loopback stand-ins for the services the example policies watch that are not on this
machine: a platform's HTTP API (``/health`` answering ``{"status": "healthy"}``, every other
path ``200``) and plain TCP listeners standing in for MongoDB, Memgraph or a frontend.
PostgreSQL, Redis and nginx are never stood in for: the examples use the real servers.

    python3 examples/policies/standins.py http:127.0.0.1:8000 tcp:127.0.0.1:3000

Each argument is ``http:HOST:PORT`` or ``tcp:HOST:PORT``; ``http:HOST:PORT:503`` answers
``/health`` with that status instead. The script prints ``ready`` once every listener is up
and serves until it is stopped. The test suite imports it and starts the same servers on free
ports (``start``).
"""

from __future__ import annotations

import http.server
import json
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


class _Health(http.server.BaseHTTPRequestHandler):
    health_status = 200

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.split("?")[0] == "/health":
            status = self.health_status
            body = json.dumps({"status": "healthy" if status == 200 else "unhealthy"}).encode()
        else:
            status, body = 200, b"{}"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class StandIn:
    kind: str
    host: str
    port: int
    _stop: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        for f in self._stop:
            f()
        self._stop.clear()


def start(kind: str, host: str = "127.0.0.1", port: int = 0, health_status: int = 200) -> StandIn:
    """Starts one stand-in (port 0: a free one) in a daemon thread."""
    if kind == "http":
        handler = type("Handler", (_Health,), {"health_status": health_status})
        server = _Server((host, port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()

        def stop_http() -> None:
            server.shutdown()
            server.server_close()

        return StandIn("http", host, server.server_address[1], [stop_http])
    if kind == "tcp":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(16)
        stopping = threading.Event()

        def accept() -> None:
            while not stopping.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                conn.close()

        threading.Thread(target=accept, daemon=True).start()

        def stop_tcp() -> None:
            stopping.set()
            # shutdown wakes the thread blocked in accept(); close alone would leave the
            # port listening until that accept returned.
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()

        return StandIn("tcp", host, listener.getsockname()[1], [stop_tcp])
    raise ValueError(f"stand-in kind {kind!r}: expected http or tcp")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 3
    running = []
    for spec in argv:
        parts = spec.split(":")
        if len(parts) not in (3, 4) or parts[0] not in ("http", "tcp") or not parts[2].isdigit():
            print(f"standins: {spec!r}: expected http:HOST:PORT[:STATUS] or tcp:HOST:PORT", file=sys.stderr)
            return 3
        status = int(parts[3]) if len(parts) == 4 else 200
        running.append(start(parts[0], parts[1], int(parts[2]), status))
        print(f"{parts[0]} stand-in on {parts[1]}:{running[-1].port}", flush=True)
    print("ready", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    for s in running:
        s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
