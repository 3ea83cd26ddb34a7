//! Channel limits with many alerts and with one huge one: every message stays within its
//! channel's limit as the channel counts it, whole alerts are kept while they fit, the
//! message says how many were left out, and a cut never splits a character, an escape or an
//! entity.

use std::collections::HashMap;

use opsbook::alert::channel::Channel;
use opsbook::alert::model::AlertGroup;

fn alerts(n: usize, description: &str) -> AlertGroup {
    let list: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "labels": {"alertname": "DiskSpaceLow", "instance": format!("db-{i}:9100"), "severity": "critical",
                           "mount_point": format!("/data/{i}")},
                "annotations": {"summary": format!("磁盘 /data/{i} 空间不足"), "description": description},
                "startsAt": "2024-05-01T08:00:00Z",
            })
        })
        .collect();
    AlertGroup::from_value(&serde_json::Value::Array(list)).unwrap()
}

fn render(spec: serde_json::Value, group: &AlertGroup) -> Vec<serde_json::Value> {
    let channel = Channel::from_value(&spec, "channel").unwrap();
    let secrets: HashMap<String, String> = [("T".to_owned(), "token".to_owned())].into();
    channel
        .render(group, 1_714_550_400_000, &secrets)
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

/// The number in "…另有 N 条告警未显示".
fn left_out(text: &str) -> Option<usize> {
    let rest = text.split("另有 ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

#[test]
fn dingtalk_keeps_whole_alerts_within_20000_bytes() {
    let group = alerts(300, "磁盘使用率超过90%，当前值: 93.2%");
    let body = &render(
        serde_json::json!({"name": "d", "type": "dingtalk", "token_env": "T", "at_mobiles": ["13800000000"]}),
        &group,
    )[0];
    let bytes = body.to_string().len();
    assert!(bytes <= 20_000, "{bytes} bytes");
    let text = body["markdown"]["text"].as_str().unwrap();
    let shown = text.matches("## 磁盘").count();
    assert!(shown > 10 && shown < 300, "{shown}");
    assert_eq!(left_out(text), Some(300 - shown), "{}", &text[text.len() - 200..]);
    // The mention survives the cut: DingTalk notifies only when @mobile is in the text.
    assert!(text.ends_with("\n@13800000000\n"));
    // Close to the limit, not far below it.
    assert!(bytes > 19_000, "{bytes} bytes");
}

#[test]
fn one_huge_alert_is_cut_safely() {
    let huge = "*重要* [链接](http://x) <b>&".repeat(2_000);
    let group = alerts(1, &huge);
    let body = &render(serde_json::json!({"name": "d", "type": "dingtalk", "token_env": "T", "at_all": []}), &group)[0];
    assert!(body.to_string().len() <= 20_000);
    let text = body["markdown"]["text"].as_str().unwrap();
    assert!(text.ends_with('…'), "{}", &text[text.len() - 40..]);
    let before = text.trim_end_matches('…');
    // No dangling escape, no half entity, bold pairs closed.
    assert_eq!((before.len() - before.trim_end_matches('\\').len()) % 2, 0);
    let last_amp = before.rfind('&').unwrap();
    let after_amp = &before[last_amp + 1..];
    assert!(!after_amp.chars().all(|c| c.is_ascii_alphanumeric() || c == '#'), "half an entity: {after_amp}");
    let last_line = before.rsplit('\n').next().unwrap();
    assert_eq!(last_line.replace("\\*", "").matches("**").count() % 2, 0, "{last_line}");

    let wecom = &render(serde_json::json!({"name": "w", "type": "wecom", "token_env": "T"}), &group)[0];
    assert!(wecom["markdown"]["content"].as_str().unwrap().len() <= 4_096);
}

#[test]
fn wecom_slack_feishu_and_pagerduty_limits() {
    let group = alerts(120, "磁盘使用率超过90%");
    let wecom = render(serde_json::json!({"name": "w", "type": "wecom", "token_env": "T", "at_all": []}), &group);
    let content = wecom[0]["markdown"]["content"].as_str().unwrap();
    assert!(content.len() <= 4_096, "{}", content.len());
    assert_eq!(left_out(content), Some(120 - content.matches("## <font").count()));

    let slack = &render(serde_json::json!({"name": "s", "type": "slack", "token_env": "T", "lang": "en"}), &group)[0];
    let blocks = slack["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 50);
    assert_eq!(blocks[49]["elements"][0]["text"], "…72 more alerts not shown");
    assert!(blocks.iter().all(|b| b["text"]["text"].as_str().is_none_or(|t| t.chars().count() <= 3_000)));

    let feishu = &render(serde_json::json!({"name": "f", "type": "feishu", "token_env": "T"}), &alerts(600, "x"))[0];
    assert!(feishu.to_string().len() <= 20_000, "{}", feishu.to_string().len());

    // A summary built from very long group labels is cut to 1,024 characters.
    let long = "很长的标签值".repeat(300);
    let payload = serde_json::json!({"alerts": [{"labels": {"alertname": long.clone(), "severity": "critical"}}], "groupLabels": {"alertname": long}});
    let group = AlertGroup::from_value(&payload).unwrap();
    let pd = &render(serde_json::json!({"name": "p", "type": "pagerduty", "token_env": "T"}), &group)[0];
    let summary = pd["payload"]["summary"].as_str().unwrap();
    assert_eq!(summary.chars().count(), 1_024);
    assert!(summary.ends_with('…'));
}
