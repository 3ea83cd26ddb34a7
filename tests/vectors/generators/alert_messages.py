"""Writes tests/vectors/alert_messages.json: channel requests built here, independently of
opsbook, from the channels' documented formats and the manuals' message block — DingTalk's
signature with Python's hmac/base64/quote_plus (as DingTalk's own example does), Feishu's
with hmac over an empty message, the Alertmanager webhook payload field by field, the
email subject by default.tmpl's __subject rules. Run: python3 alert_messages.py"""
import base64, hashlib, hmac, json, urllib.parse
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

NOW = 1714550400123
TOKEN, SECRET, ROUTING = "tok123abc", "SECxyz789", "R0UTINGKEY"
SECRETS = {"ROBOT_TOKEN": TOKEN, "ROBOT_SECRET": SECRET, "PD_KEY": ROUTING}

def alert(name, instance, severity, summary, description, starts, ends=None, extra=None):
    a = {"status": "resolved" if ends else "firing",
         "labels": dict({"alertname": name, "instance": instance, "severity": severity}, **(extra or {})),
         "annotations": {"summary": summary, "description": description},
         "startsAt": starts, "endsAt": ends or "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": ""}
    return a

def fnv(labels):
    h = 0xcbf29ce484222325
    for k in sorted(labels):
        for b in k.encode() + b"\xff" + labels[k].encode() + b"\xff":
            h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h

def with_fp(a):
    a = dict(a); a["fingerprint"] = fnv(a["labels"]); return a

DOWN = alert("ServiceDown", "api:8000", "critical", "服务 api:8000 已停止", "教育AI服务已经停止超过2分钟", "2024-05-01T08:00:00Z")
BACK = alert("ServiceDown", "api:8001", "critical", "服务 api:8001 已停止", "教育AI服务已经停止超过2分钟", "2024-05-01T07:00:00Z", "2024-05-01T07:30:00Z")
CPU = alert("HighCPUUsage", "web-1:9100", "warning", "CPU使用率过高", "CPU使用率超过80%已持续5分钟，当前值: 85.5%", "2024-05-01T08:00:00Z")
EVIL = alert("Injected", "x*y_`z`\n## fake [click](http://evil) <@all> a|b", "critical", "*bold* <b>&</b> [link](http://evil)", "line1\n> 级别: info", "2024-05-01T08:00:00Z")

WORDS = {
    "zh-CN": dict(notification="告警通知", resolved_notification="恢复通知", summary="摘要", details="详情", severity="级别",
                  time="时间", resolved_at="恢复时间", labels="标签", resolved="已恢复", title="监控告警"),
    "en": dict(notification="Alert notification", resolved_notification="Resolved notification", summary="Summary", details="Details",
               severity="Severity", time="Time", resolved_at="Resolved at", labels="Labels", resolved="resolved", title="Monitoring alert"),
}

def parse(t):
    return datetime.fromisoformat(t.replace("Z", "+00:00"))

def show(t, tz):
    d = parse(t).astimezone(ZoneInfo(tz) if tz != "UTC" else timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M:%S ") + ("UTC" if tz == "UTC" else d.tzname())

def plain(v):
    return v.replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ")

def md(v, wecom=False):
    out = []
    for i, c in enumerate(v):
        if c in "\\`*_[]|~" or (i == 0 and c in "#-+"):
            out.append("\\" + c)
        elif c == "<": out.append("&lt;")
        elif c == ">": out.append("&gt;")
        elif c == "@" and wecom: out.append("&#64;")
        elif c in "\n\r\t": out.append(" ")
        else: out.append(c)
    return "".join(out)

def slack(v):
    out = []
    for c in v:
        if c == "&": out.append("&amp;")
        elif c == "<": out.append("&lt;")
        elif c == ">": out.append("&gt;")
        elif c in "*_~`": out.append(c + "\u200b")
        elif c in "\n\r\t": out.append(" ")
        else: out.append(c)
    return "".join(out)

def html(v):
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")

def labels_line(a):
    return ", ".join(f"{k}={v}" for k, v in sorted(a["labels"].items()))

def firing(a):
    return a["status"] == "firing"

def text_block(a, lang, tz):
    w = WORDS[lang]
    head = w["notification"] if firing(a) else w["resolved_notification"]
    under = "=" * (8 if lang == "zh-CN" else len(head))
    lines = [head, under, f"{w['summary']}: {plain(a['annotations']['summary'])}", f"{w['details']}: {plain(a['annotations']['description'])}",
             f"{w['severity']}: {plain(a['labels']['severity'])}", f"{w['time']}: {show(a['startsAt'], tz)}"]
    if not firing(a):
        lines.append(f"{w['resolved_at']}: {show(a['endsAt'], tz)}")
    lines.append(f"{w['labels']}: {plain(labels_line(a))}")
    return "\n".join(lines) + "\n"

def text_message(alerts, lang, tz):
    return "\n".join(text_block(a, lang, tz) for a in alerts)

def md_section(a, lang, tz, esc=md):
    w = WORDS[lang]
    mark = "" if firing(a) else f"[{w['resolved']}] "
    s = (f"## {mark}{esc(a['annotations']['summary'])}\n\n> **{w['details']}**: {esc(a['annotations']['description'])}\n\n"
         f"> **{w['time']}**: {show(a['startsAt'], tz)}\n\n> **{w['severity']}**: {esc(a['labels']['severity'])}\n")
    if not firing(a):
        s += f"\n> **{w['resolved_at']}**: {show(a['endsAt'], tz)}\n"
    return s

RANK = {"critical": 0, "error": 1, "warning": 2, "info": 3}

def severity(alerts):
    pool = [a for a in alerts if firing(a)] or alerts
    return min((a["labels"]["severity"] for a in pool), key=lambda s: RANK.get(s, 4))

def title(alerts, lang):
    w = WORDS[lang]
    label = w["title"] if any(firing(a) for a in alerts) else w["resolved_notification"]
    return f"【{severity(alerts)}】{label}" if lang == "zh-CN" else f"[{severity(alerts)}] {label}"

def dingtalk_url(base):
    sign = urllib.parse.quote_plus(base64.b64encode(hmac.new(SECRET.encode(), f"{NOW}\n{SECRET}".encode(), hashlib.sha256).digest()))
    return f"{base}?access_token=***&timestamp={NOW}&sign={sign}"

def feishu_sign():
    ts = NOW // 1000
    return str(ts), base64.b64encode(hmac.new(f"{ts}\n{SECRET}".encode(), b"", hashlib.sha256).digest()).decode()

JSON = [["Content-Type", "application/json"]]

def req(channel, kind, url, body):
    return {"channel": channel, "type": kind, "method": "POST", "url": url, "headers": JSON, "body": body}

cases = []
def case(name, channel, alerts, want=None, error=None):
    c = {"name": name, "channel": channel, "alerts": alerts, "now_ms": NOW, "secrets": SECRETS}
    if error is not None: c["error"] = error
    else: c["want"] = want
    cases.append(c)

# text / markdown: the manual's block.
case("text: the manual's block in zh-CN, Asia/Shanghai", {"name": "t", "type": "text", "tz": "Asia/Shanghai"}, [DOWN, BACK],
     [{"channel": "t", "type": "text", "method": "", "url": "", "headers": [], "body": text_message([DOWN, BACK], "zh-CN", "Asia/Shanghai")}])
case("text: en, values cannot add lines", {"name": "t", "type": "text", "lang": "en"}, [EVIL],
     [{"channel": "t", "type": "text", "method": "", "url": "", "headers": [], "body": text_message([EVIL], "en", "UTC")}])
case("markdown: sections", {"name": "m", "type": "markdown"}, [DOWN, BACK],
     [{"channel": "m", "type": "markdown", "method": "", "url": "", "headers": [], "body": "\n---\n\n".join(md_section(a, "zh-CN", "UTC") for a in [DOWN, BACK])}])

# DingTalk.
dt = {"name": "ding", "type": "dingtalk", "token_env": "ROBOT_TOKEN", "secret_env": "ROBOT_SECRET", "at_mobiles": ["13800000000", "13900000000"], "tz": "Asia/Shanghai"}
text = md_section(DOWN, "zh-CN", "Asia/Shanghai") + "\n@13800000000 @13900000000\n"
case("dingtalk: critical, signed, @ the contacts and @all (as the manual)", dt, [DOWN],
     [req("ding", "dingtalk", dingtalk_url("https://oapi.dingtalk.com/robot/send"),
          {"msgtype": "markdown", "markdown": {"title": "【critical】监控告警", "text": text},
           "at": {"atMobiles": ["13800000000", "13900000000"], "atUserIds": [], "isAtAll": True}})])
case("dingtalk: warning mentions nobody; en; base URL overridden", dict(dt, lang="en", tz="UTC", url="http://127.0.0.1:9/robot/send"), [CPU],
     [req("ding", "dingtalk", dingtalk_url("http://127.0.0.1:9/robot/send"),
          {"msgtype": "markdown", "markdown": {"title": "[warning] Monitoring alert", "text": md_section(CPU, "en", "UTC")},
           "at": {"atMobiles": [], "atUserIds": [], "isAtAll": False}})])
case("dingtalk: @all turned off, values escaped", dict(dt, at_all=[], at_mobiles=[], tz="UTC", secret_env=None), [EVIL],
     [req("ding", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=***",
          {"msgtype": "markdown", "markdown": {"title": "【critical】监控告警", "text": md_section(EVIL, "zh-CN", "UTC")},
           "at": {"atMobiles": [], "atUserIds": [], "isAtAll": False}})])
case("dingtalk: resolved groups mention nobody", dt, [BACK],
     [req("ding", "dingtalk", dingtalk_url("https://oapi.dingtalk.com/robot/send"),
          {"msgtype": "markdown", "markdown": {"title": "【critical】恢复通知", "text": md_section(BACK, "zh-CN", "Asia/Shanghai")},
           "at": {"atMobiles": [], "atUserIds": [], "isAtAll": False}})])
case("dingtalk: custom title and text templates", dict(dt, secret_env=None, at_mobiles=[], at_all=[], tz="UTC",
     title="[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
     text="{{ range .Alerts }}- {{ .Labels.instance }}: {{ .Annotations.summary }} since {{ .StartsAt | date \"15:04\" }}\n{{ end }}"), [DOWN, CPU],
     [req("ding", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=***",
          {"msgtype": "markdown", "markdown": {"title": "[FIRING] ", "text": "- api:8000: 服务 api:8000 已停止 since 08:00\n- web-1:9100: CPU使用率过高 since 08:00\n"},
           "at": {"atMobiles": [], "atUserIds": [], "isAtAll": False}})])

# WeCom.
def wecom_section(a, lang, tz):
    w = WORDS[lang]
    color = "info" if not firing(a) else {"critical": "warning", "error": "warning", "info": "info"}.get(a["labels"]["severity"], "comment")
    mark = "" if firing(a) else f"[{w['resolved']}] "
    s = (f"## <font color=\"{color}\">{mark}{md(a['annotations']['summary'], True)}</font>\n> {w['details']}: {md(a['annotations']['description'], True)}\n"
         f"> {w['severity']}: <font color=\"{color}\">{md(a['labels']['severity'], True)}</font>\n> {w['time']}: {show(a['startsAt'], tz)}\n")
    if not firing(a):
        s += f"> {w['resolved_at']}: {show(a['endsAt'], tz)}\n"
    return s
wc = {"name": "wx", "type": "wecom", "token_env": "ROBOT_TOKEN", "at_mobiles": ["13800000000"], "at_user_ids": ["zhangsan"]}
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
case("wecom: markdown with <@userid>, then a text message for mobiles and @all", wc, [DOWN, CPU],
     [req("wx", "wecom", url, {"msgtype": "markdown", "markdown": {"content": wecom_section(DOWN, "zh-CN", "UTC") + "\n" + wecom_section(CPU, "zh-CN", "UTC") + "\n<@zhangsan>"}}),
      req("wx", "wecom", url, {"msgtype": "text", "text": {"content": "【critical】监控告警", "mentioned_list": ["@all"], "mentioned_mobile_list": ["13800000000"]}})])
case("wecom: a warning sends one markdown message; values escaped", wc, [dict(EVIL, labels=dict(EVIL["labels"], severity="warning"))],
     [req("wx", "wecom", url, {"msgtype": "markdown", "markdown": {"content": wecom_section(dict(EVIL, labels=dict(EVIL["labels"], severity="warning")), "zh-CN", "UTC")}})])

# Feishu / Lark.
def post_lines(alerts, lang, tz):
    out = []
    for a in alerts:
        for l in text_block(a, lang, tz).splitlines():
            if not l.startswith("===="):
                out.append([{"tag": "text", "text": l}])
        out.append([{"tag": "text", "text": ""}])
    return out[:-1]
ts, sign = feishu_sign()
fs = {"name": "fs", "type": "feishu", "token_env": "ROBOT_TOKEN", "secret_env": "ROBOT_SECRET", "lang": "en", "at_user_ids": ["ou_abc"]}
case("feishu: signed post in en, @all and users for critical", fs, [DOWN, BACK],
     [req("fs", "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/***",
          {"timestamp": ts, "sign": sign, "msg_type": "post", "content": {"post": {"en_us": {"title": "[critical] Monitoring alert",
           "content": post_lines([DOWN, BACK], "en", "UTC") + [[{"tag": "at", "user_id": "all"}, {"tag": "at", "user_id": "ou_abc"}]]}}}})])
case("lark: interactive card on Lark's domain, markdown escaped", {"name": "lk", "type": "lark", "token_env": "ROBOT_TOKEN", "format": "card", "at_all": []}, [EVIL],
     [req("lk", "lark", "https://open.larksuite.com/open-apis/bot/v2/hook/***",
          {"msg_type": "interactive", "card": {"header": {"title": {"tag": "plain_text", "content": "【critical】监控告警"}, "template": "red"},
           "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": md_section(EVIL, "zh-CN", "UTC")}}]}})])

# Slack.
def slack_section(a, lang, tz):
    w = WORDS[lang]
    mark = "" if firing(a) else f"[{w['resolved']}] "
    s = (f"*{mark}{slack(a['annotations']['summary'])}*\n*{w['details']}*: {slack(a['annotations']['description'])}\n"
         f"*{w['severity']}*: {slack(a['labels']['severity'])}\n*{w['time']}*: {show(a['startsAt'], tz)}")
    if not firing(a):
        s += f"\n*{w['resolved_at']}*: {show(a['endsAt'], tz)}"
    return s + f"\n*{w['labels']}*: {slack(labels_line(a))}"
sl = {"name": "sl", "type": "slack", "token_env": "ROBOT_TOKEN", "lang": "en"}
case("slack: header and one section per alert, mrkdwn escaped", sl, [EVIL, BACK],
     [req("sl", "slack", "https://hooks.slack.com/services/***",
          {"text": "[critical] Monitoring alert", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "[critical] Monitoring alert"}}] +
           [{"type": "section", "text": {"type": "mrkdwn", "text": slack_section(a, "en", "UTC"), "verbatim": True}} for a in [EVIL, BACK]]})])

# PagerDuty.
def subject(alerts, group_labels):
    status = "firing" if any(firing(a) for a in alerts) else "resolved"
    common = {k: v for k, v in alerts[0]["labels"].items() if all(a["labels"].get(k) == v for a in alerts)}
    order = lambda d: ([d["alertname"]] if "alertname" in d else []) + [d[k] for k in sorted(d) if k != "alertname"]
    s = f"[{status.upper()}" + (f":{sum(firing(a) for a in alerts)}" if status == "firing" else "") + "] " + " ".join(order(group_labels)) + " "
    if len(common) > len(group_labels):
        rest = {k: v for k, v in common.items() if k not in group_labels}
        s += "(" + " ".join(order(rest)) + ")"
    return s
payload = {"receiver": "ops", "status": "firing", "alerts": [with_fp(DOWN), with_fp(BACK)], "groupLabels": {"alertname": "ServiceDown"},
           "commonLabels": {"alertname": "ServiceDown", "severity": "critical"}, "commonAnnotations": {"description": "教育AI服务已经停止超过2分钟"},
           "externalURL": "http://alertmanager:9093", "version": "4", "groupKey": "{}:{alertname=\"ServiceDown\"}", "truncatedAlerts": 0}
dedup = hashlib.sha256(payload["groupKey"].encode()).hexdigest()
pd = {"name": "pd", "type": "pagerduty", "token_env": "PD_KEY", "source": "edu-platform"}
case("pagerduty: trigger with Alertmanager's dedup key and summary", pd, payload,
     [req("pd", "pagerduty", "https://events.pagerduty.com/v2/enqueue",
          {"routing_key": "***", "event_action": "trigger", "dedup_key": dedup,
           "payload": {"summary": subject([DOWN, BACK], {"alertname": "ServiceDown"}), "source": "edu-platform", "severity": "critical",
                       "custom_details": {"firing": text_block(DOWN, "zh-CN", "UTC"), "resolved": text_block(BACK, "zh-CN", "UTC"), "num_firing": 1, "num_resolved": 1}},
           "client": "opsbook", "client_url": "http://alertmanager:9093"})])
resolved_payload = dict(payload, status="resolved", alerts=[with_fp(BACK)])
case("pagerduty: resolve", pd, resolved_payload,
     [req("pd", "pagerduty", "https://events.pagerduty.com/v2/enqueue", {"routing_key": "***", "event_action": "resolve", "dedup_key": dedup})])

# Webhooks.
case("webhook: Alertmanager's payload (version 4) as it came", {"name": "wh", "type": "webhook", "url": "http://127.0.0.1:9/hook"}, payload,
     [req("wh", "webhook", "http://127.0.0.1:9/hook", payload)])
def manual_alert(a, tz):
    return {"severity": a["labels"]["severity"], "summary": a["annotations"]["summary"], "description": a["annotations"]["description"],
            "timestamp": show(a["startsAt"], tz), "status": a["status"], "labels": a["labels"]}
case("webhook: the manual's {text, alert}, one request per alert; URL from the environment", {"name": "wh", "type": "webhook", "url_env": "ROBOT_TOKEN", "format": "manual"}, [DOWN, BACK],
     [{"channel": "wh", "type": "webhook", "method": "POST", "url": "***", "headers": JSON, "body": {"text": text_block(a, "zh-CN", "UTC"), "alert": manual_alert(a, "UTC")}} for a in [DOWN, BACK]])

# Email (MIME bytes are checked by the SMTP test; here the envelope, subject and bodies).
def html_body(alerts, lang, tz):
    w = WORDS[lang]
    out = "<!DOCTYPE html>\n<html><body>\n"
    for a in alerts:
        out += f"<h2>{w['notification'] if firing(a) else w['resolved_notification']}</h2>\n<table>\n"
        rows = [(w["summary"], html(a["annotations"]["summary"])), (w["details"], html(a["annotations"]["description"])),
                (w["severity"], html(a["labels"]["severity"])), (w["time"], show(a["startsAt"], tz))]
        if not firing(a):
            rows.append((w["resolved_at"], show(a["endsAt"], tz)))
        rows.append((w["labels"], html(labels_line(a))))
        out += "".join(f"<tr><th align=\"left\">{k}</th><td>{v}</td></tr>\n" for k, v in rows) + "</table>\n"
    return out + "</body></html>\n"
em = {"name": "mail", "type": "email", "from": "opsbook@example.com", "to": ["ops@example.com"], "smtp": "smtp.example.com:587"}
case("email: Alertmanager's [FIRING:n] subject, text and HTML bodies", em, payload,
     [{"channel": "mail", "type": "email", "smtp": "smtp.example.com:587", "from": "opsbook@example.com", "to": ["ops@example.com"],
       "subject": subject([DOWN, BACK], {"alertname": "ServiceDown"}), "text": text_message([DOWN, BACK], "zh-CN", "UTC"), "html": html_body([DOWN, BACK], "zh-CN", "UTC")}])
case("email: the manual's [severity] summary; HTML escaped", dict(em, format="severity", lang="en"), [EVIL],
     [{"channel": "mail", "type": "email", "smtp": "smtp.example.com:587", "from": "opsbook@example.com", "to": ["ops@example.com"],
       "subject": "[critical] *bold* <b>&</b> [link](http://evil)", "text": text_message([EVIL], "en", "UTC"), "html": html_body([EVIL], "en", "UTC")}])

# Bad declarations and inputs: the error names the field and the value, never a secret.
case("bad: unknown type", {"name": "x", "type": "telegram"}, [DOWN], error=["type", "telegram", "dingtalk"])
case("bad: unknown language", {"name": "x", "type": "text", "lang": "fr"}, [DOWN], error=["lang", "fr"])
case("bad: unknown time zone", {"name": "x", "type": "text", "tz": "Asia/Beijing"}, [DOWN], error=["tz", "Asia/Beijing"])
case("bad: unknown key", {"name": "x", "type": "text", "colour": "red"}, [DOWN], error=["colour"])
case("bad: email without recipients", {"name": "x", "type": "email", "from": "a@example.com"}, [DOWN], error=["to"])
case("bad: webhook without a URL", {"name": "x", "type": "webhook"}, [DOWN], error=["url"])
case("bad: secret variable not set (named, not shown)", {"name": "x", "type": "dingtalk", "token_env": "NO_SUCH_VAR"}, [DOWN], error=["NO_SUCH_VAR", "not set"])
case("bad: template that does not compile", {"name": "x", "type": "dingtalk", "token_env": "ROBOT_TOKEN", "text": "{{ if .Status }}"}, [DOWN], error=["text", "{{ end }}"])
case("bad: format of another channel", {"name": "x", "type": "slack", "format": "card"}, [DOWN], error=["format", "card"])
case("bad: alert time", {"name": "x", "type": "text"}, [{"labels": {"a": "b"}, "startsAt": "yesterday"}], error=["alerts[0].startsAt", "yesterday"])

json.dump({"source": "Built independently of opsbook by tests/vectors/generators/alert_messages.py from the channels' documented request formats (DingTalk robot markdown + at + signing, WeCom group robot markdown/text, Feishu/Lark custom bot post/interactive + signing, Slack blocks, PagerDuty Events v2 with Alertmanager's dedup key, Alertmanager webhook v4, the education manual's {text, alert} and text block, Alertmanager default.tmpl's __subject). Secrets show as ***. Requests are compared as JSON (bodies parsed).",
           "cases": cases}, open(__file__.replace("generators/alert_messages.py", "alert_messages.json"), "w"), ensure_ascii=False, indent=1)
print(len(cases))
