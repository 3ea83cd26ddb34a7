"""Alert messages: a channel renders a notification as the exact request(s) it sends —
DingTalk, WeCom, Feishu/Lark, Slack, PagerDuty, email, webhooks, text and markdown, in
zh-CN or en — and sends them; Go templates run as Prometheus and Alertmanager run them.

    ding = Channel({"name": "ops", "type": "dingtalk", "token_env": "DINGTALK_TOKEN",
                    "secret_env": "DINGTALK_SECRET", "at_mobiles": ["13800000000"],
                    "tz": "Asia/Shanghai"})
    for request in ding.render(alertmanager_payload):
        print(request["url"], request["body"])          # tokens shown as ***
    for delivery in ding.send(alertmanager_payload):
        assert delivery["delivered"], delivery["attempts"]
    render_template("服务 {{ $labels.instance }} 已停止", alert={"labels": {"instance": "api:8000"}})
"""

from ._opsbook import Channel, render_template

__all__ = ["Channel", "render_template"]
