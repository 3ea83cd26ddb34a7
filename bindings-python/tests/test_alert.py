"""opsbook.alert: tests/vectors/templates.json and alert_messages.json replayed; messages
delivered to a real HTTP server in this process and to a real SMTP server (aiosmtpd)."""

import base64
import email.parser
import email.policy
from email.message import EmailMessage
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

import opsbook
from opsbook import alert

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
TEMPLATES = json.loads((VECTORS / "templates.json").read_text(encoding="utf-8"))["cases"]
MESSAGES = json.loads((VECTORS / "alert_messages.json").read_text(encoding="utf-8"))["cases"]
DOWN = [
    {
        "labels": {"alertname": "ServiceDown", "instance": "api:8000", "severity": "critical"},
        "annotations": {"summary": "服务 api:8000 已停止", "description": "教育AI服务已经停止超过2分钟"},
        "startsAt": "2024-05-01T08:00:00Z",
    }
]


def test_every_vector_is_replayed() -> None:
    assert len(TEMPLATES) == 88
    assert len(MESSAGES) == 29


@pytest.mark.parametrize("case", TEMPLATES, ids=[c["name"] for c in TEMPLATES])
def test_templates(case: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {"markup": case.get("markup", "plain")}
    for key in ("data", "alert", "group"):
        if key in case:
            kwargs[key] = case[key]
    if "error" in case:
        with pytest.raises(opsbook.InvalidValueError) as info:
            alert.render_template(case["template"], **kwargs)
        for part in case["error"]:
            assert part in str(info.value)
    else:
        assert alert.render_template(case["template"], **kwargs) == case["want"]


@pytest.mark.parametrize("case", MESSAGES, ids=[c["name"] for c in MESSAGES])
def test_messages(case: dict[str, Any]) -> None:
    def render() -> list[dict[str, Any]]:
        channel = alert.Channel(case["channel"])
        return channel.render(case["alerts"], now=case["now_ms"] / 1000, secrets=case["secrets"])

    if "error" in case:
        with pytest.raises(opsbook.OpsbookError) as info:
            render()
        for part in case["error"]:
            assert part in str(info.value)
        for secret in case["secrets"].values():
            assert secret not in str(info.value)
        return
    got = render()
    for request in got:
        request.pop("mime", None)
    assert got == case["want"]


def test_one_alert_cases_render_the_same_bodies_each() -> None:
    compared = 0
    for case in MESSAGES:
        alerts = case["alerts"]
        if "want" not in case or not isinstance(alerts, list) or len(alerts) != 1 or case["channel"]["type"] == "email":
            continue
        channel = alert.Channel(case["channel"])
        payload = json.dumps(alerts, ensure_ascii=False).encode()
        bodies = channel.render_bodies(payload, now=case["now_ms"] / 1000, secrets=case["secrets"])

        def parsed(text: str) -> Any:
            try:
                return json.loads(text)
            except ValueError:
                return text

        assert [parsed(b) for b in bodies] == [r["body"] for r in case["want"]], case["name"]
        compared += 1
    assert compared == 7


def test_signatures_match_pythons_hmac() -> None:
    secret, now = "SEC-python", 1714550400123
    channel = alert.Channel({"name": "d", "type": "dingtalk", "token_env": "T", "secret_env": "S"})
    [request] = channel.render(DOWN, now=now / 1000, secrets={"T": "tok", "S": secret})
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["url"]).query)
    digest = hmac.new(secret.encode(), f"{now}\n{secret}".encode(), hashlib.sha256).digest()
    assert query["timestamp"] == [str(now)]
    assert query["sign"] == [base64.b64encode(digest).decode()]
    feishu = alert.Channel({"name": "f", "type": "feishu", "token_env": "T", "secret_env": "S"})
    [request] = feishu.render(DOWN, now=now / 1000, secrets={"T": "tok", "S": secret})
    key = f"{now // 1000}\n{secret}".encode()
    assert request["body"]["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert secret not in json.dumps(request)


class Sink:
    """A real HTTP server: records requests, answers with the scripted bodies."""

    def __init__(self, answers: list[tuple[int, str]]) -> None:
        self.received: list[tuple[str, bytes]] = []
        answers_left = list(answers)
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sink.received.append((self.path, body))
                status, text = answers_left.pop(0) if len(answers_left) > 1 else answers_left[0]
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink() -> Iterator[Sink]:
    s = Sink([(503, "busy"), (200, '{"errcode":0,"errmsg":"ok"}')])
    yield s
    s.close()


def test_send_retries_and_decides_from_the_body(sink: Sink) -> None:
    channel = alert.Channel(
        {"name": "d", "type": "dingtalk", "url": sink.url + "/robot/send", "token_env": "T", "backoff": "10ms"}
    )
    [delivery] = channel.send(DOWN, secrets={"T": "t0ken"})
    assert delivery["delivered"]
    assert [a["outcome"] for a in delivery["attempts"]] == ["http_error", "delivered"]
    assert "t0ken" not in json.dumps(delivery)
    path, body = sink.received[-1]
    assert path == "/robot/send?access_token=t0ken"
    assert json.loads(body)["markdown"]["title"] == "【critical】监控告警"


def test_refusal_in_a_200_answer() -> None:
    s = Sink([(200, '{"errcode":310000,"errmsg":"sign not match"}')])
    try:
        channel = alert.Channel({"name": "d", "type": "dingtalk", "url": s.url + "/robot/send", "token_env": "T"})
        [delivery] = channel.send(DOWN, secrets={"T": "x"})
        assert not delivery["delivered"]
        assert delivery["attempts"][0]["outcome"] == "api_error"
        assert len(s.received) == 1
    finally:
        s.close()


def test_email_through_a_real_smtp_server(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Mailbox(tmp_path / "mail"), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        channel = alert.Channel(
            {"name": "m", "type": "email", "from": "opsbook@example.com", "to": ["ops@example.com"],
             "smtp": f"127.0.0.1:{port}", "smtp_tls": "none"}
        )
        [delivery] = channel.send(DOWN)
        assert delivery["delivered"], delivery
        [stored] = list((tmp_path / "mail" / "new").iterdir())
        message = email.parser.BytesParser(EmailMessage, policy=email.policy.default).parsebytes(stored.read_bytes())
        # default.tmpl: no group labels, then the common ones, alertname first.
        assert message["Subject"] == "[FIRING:1]  (ServiceDown api:8000 critical)"
        text = message.get_body(("plain",))
        assert text is not None and "摘要: 服务 api:8000 已停止" in text.get_content()
    finally:
        controller.stop()


def test_errors_name_the_field_and_never_the_secret() -> None:
    with pytest.raises(opsbook.InvalidValueError, match="tz"):
        alert.Channel({"name": "x", "type": "text", "tz": "Mars/Olympus"})
    channel = alert.Channel({"name": "x", "type": "wecom", "token_env": "OPSBOOK_TEST_UNSET"})
    with pytest.raises(opsbook.InvalidValueError, match="OPSBOOK_TEST_UNSET"):
        channel.render(DOWN)
    with pytest.raises(opsbook.InvalidValueError, match="startsAt"):
        channel.render([{"labels": {}, "startsAt": "soon"}], secrets={"OPSBOOK_TEST_UNSET": "k"})
    with pytest.raises(opsbook.InvalidValueError, match="url"):
        alert.Channel({"name": "x", "type": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=abc"})
