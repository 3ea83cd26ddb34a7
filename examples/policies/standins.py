#!/usr/bin/env python3
"""Loopback stand-ins for the services the example policies watch that are not on this
machine: a platform's HTTP API (``/health`` answering ``{"status": "healthy"}``, every other
path ``200``) and plain TCP listeners standing in for MongoDB, Memgraph or a frontend; and a
receiver for notifications (a webhook that answers as the DingTalk and WeCom robots do and
shows what it got). PostgreSQL, Redis and nginx are never stood in for: the examples use the
real servers.

    python3 examples/policies/standins.py http:127.0.0.1:8000 tcp:127.0.0.1:3000 receiver:127.0.0.1:9000

Each argument is ``http:HOST:PORT``, ``tcp:HOST:PORT`` or ``receiver:HOST:PORT``;
``http:HOST:PORT:503`` answers ``/health`` with that status instead. A receiver prints each
body it is sent (point a channel's ``url`` at it). The script prints ``ready`` once every
listener is up and serves until it is stopped. The test suites import it and start the same
servers on free ports (``start``).
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
from typing import Any


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
    # A receiver's requests: (path, body), in the order they came.
    received: list[tuple[str, bytes]] = field(default_factory=list)

    def stop(self) -> None:
        for f in self._stop:
            f()
        self._stop.clear()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bodies(self, path_prefix: str = "") -> list[Any]:
        """A receiver's JSON bodies sent to paths starting with `path_prefix`."""
        return [json.loads(b) for p, b in list(self.received) if p.startswith(path_prefix)]


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []
    echo = False

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.path, body))
        if self.echo:
            print(f"POST {self.path}: {body.decode('utf-8', 'replace')}", flush=True)
        # What DingTalk and WeCom answer on success (others read the status only).
        reply = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:
        pass


def start(kind: str, host: str = "127.0.0.1", port: int = 0, health_status: int = 200, echo: bool = False) -> StandIn:
    """Starts one stand-in (port 0: a free one) in a daemon thread."""
    if kind == "receiver":
        received: list[tuple[str, bytes]] = []
        handler = type("Receiver", (_Receiver,), {"received": received, "echo": echo})
        server = _Server((host, port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()

        def stop_receiver() -> None:
            server.shutdown()
            server.server_close()

        return StandIn("receiver", host, server.server_address[1], [stop_receiver], received)
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
    raise ValueError(f"stand-in kind {kind!r}: expected http, tcp or receiver")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 3
    running = []
    for spec in argv:
        parts = spec.split(":")
        if len(parts) not in (3, 4) or parts[0] not in ("http", "tcp", "receiver") or not parts[2].isdigit():
            print(f"standins: {spec!r}: expected http:HOST:PORT[:STATUS], tcp:HOST:PORT or receiver:HOST:PORT",
                  file=sys.stderr)
            return 3
        status = int(parts[3]) if len(parts) == 4 else 200
        running.append(start(parts[0], parts[1], int(parts[2]), status, echo=True))
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
