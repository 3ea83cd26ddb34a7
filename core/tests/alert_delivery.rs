//! Delivery to real servers: an HTTP server in this test process (scripted answers) and a
//! real local SMTP server (aiosmtpd). Retries, backoff, body-decided success, rate limits,
//! timeouts, and secrets kept out of every outcome.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use common::http_sink::{HttpSink, Reply};
use opsbook::alert::channel::Channel;
use opsbook::alert::deliver::{AttemptOutcome, Sender};
use opsbook::alert::model::AlertGroup;

const TOKEN: &str = "t0ken5ecret";
const SECRET: &str = "SECsigning5ecret";
const NOW: i64 = 1_714_550_400_123;

fn secrets() -> HashMap<String, String> {
    [("ROBOT_TOKEN".to_owned(), TOKEN.to_owned()), ("ROBOT_SECRET".to_owned(), SECRET.to_owned())].into_iter().collect()
}

fn group() -> AlertGroup {
    AlertGroup::from_json(
        r#"[{"labels":{"alertname":"ServiceDown","instance":"api:8000","severity":"critical"},
             "annotations":{"summary":"服务 api:8000 已停止","description":"教育AI服务已经停止超过2分钟"},
             "startsAt":"2024-05-01T08:00:00Z"}]"#,
    )
    .unwrap()
}

fn channel(extra: serde_json::Value) -> Channel {
    let mut spec = serde_json::json!({"name": "ops", "type": "dingtalk", "token_env": "ROBOT_TOKEN", "secret_env": "ROBOT_SECRET", "backoff": "10ms"});
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    Channel::from_value(&spec, "channel").unwrap()
}

fn no_secret_in(text: &str) {
    assert!(!text.contains(TOKEN) && !text.contains(SECRET), "a secret leaked: {text}");
}

#[test]
fn a_signed_dingtalk_message_arrives_as_rendered() {
    let sink = HttpSink::start(Reply::new(200, r#"{"errcode":0,"errmsg":"ok"}"#));
    let ch = channel(serde_json::json!({"url": format!("{}/robot/send", sink.url)}));
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    let out = Sender::new().send_blocking(&ch, &requests).unwrap();
    assert!(out[0].delivered, "{:?}", out[0]);
    let got = &sink.requests()[0];
    assert_eq!(got.method, "POST");
    assert!(
        got.target.starts_with(&format!("/robot/send?access_token={TOKEN}&timestamp={NOW}&sign=")),
        "{}",
        got.target
    );
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.body, requests[0].body);
    let shown = serde_json::to_string(&out[0].to_json()).unwrap() + &requests[0].to_json().to_string();
    no_secret_in(&shown);
    assert!(shown.contains("access_token=***"));
}

#[test]
fn server_errors_and_429_are_retried_with_backoff() {
    let sink = HttpSink::start(Reply::new(200, r#"{"errcode":0,"errmsg":"ok"}"#));
    sink.script([Reply::new(503, "busy"), Reply::new(429, "slow down").header("Retry-After", "0")]);
    let ch = channel(serde_json::json!({"url": format!("{}/robot/send", sink.url)}));
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    let out = Sender::new().send_blocking(&ch, &requests).unwrap();
    let outcomes: Vec<_> = out[0].attempts.iter().map(|a| (a.outcome, a.status)).collect();
    assert_eq!(
        outcomes,
        vec![
            (AttemptOutcome::HttpError, Some(503)),
            (AttemptOutcome::RateLimited, Some(429)),
            (AttemptOutcome::Delivered, Some(200))
        ]
    );
    assert_eq!(sink.requests().len(), 3);
    assert!(out[0].delivered);
}

#[test]
fn refusals_in_the_body_and_client_errors_are_not_retried() {
    let sink = HttpSink::start(Reply::new(200, r#"{"errcode":310000,"errmsg":"sign not match"}"#));
    let ch = channel(serde_json::json!({"url": format!("{}/robot/send", sink.url)}));
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    let out = Sender::new().send_blocking(&ch, &requests).unwrap();
    assert!(!out[0].delivered);
    assert_eq!(out[0].attempts.len(), 1);
    assert_eq!(out[0].attempts[0].outcome, AttemptOutcome::ApiError);
    assert!(out[0].attempts[0].detail.contains("310000"));

    let sink = HttpSink::start(Reply::new(400, "bad request"));
    let ch = channel(serde_json::json!({"url": format!("{}/robot/send", sink.url)}));
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    let out = Sender::new().send_blocking(&ch, &requests).unwrap();
    assert_eq!(out[0].attempts.len(), 1);
    assert_eq!(out[0].attempts[0].outcome, AttemptOutcome::HttpError);
    assert_eq!(sink.requests().len(), 1);
}

#[test]
fn rate_limits_hold_messages_back() {
    let clock = Arc::new(AtomicI64::new(NOW));
    let c = Arc::clone(&clock);
    let sender = Sender::with_clock(Arc::new(move || c.load(Ordering::SeqCst)));
    // DingTalk's own limit: 20 a minute.
    let sink = HttpSink::start(Reply::new(200, r#"{"errcode":0,"errmsg":"ok"}"#));
    let ch = channel(serde_json::json!({"url": format!("{}/robot/send", sink.url)}));
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    let mut delivered = 0;
    for _ in 0..21 {
        let out = sender.send_blocking(&ch, &requests).unwrap();
        if out[0].delivered {
            delivered += 1;
        } else {
            assert_eq!(out[0].attempts[0].outcome, AttemptOutcome::RateLimited);
        }
    }
    assert_eq!((delivered, sink.requests().len()), (20, 20));
    clock.fetch_add(60_000, Ordering::SeqCst);
    assert!(sender.send_blocking(&ch, &requests).unwrap()[0].delivered);

    // DingTalk says "send too fast" (130101): the robot is left alone for 10 minutes.
    let sink = HttpSink::start(Reply::new(200, r#"{"errcode":0,"errmsg":"ok"}"#));
    sink.script([Reply::new(200, r#"{"errcode":130101,"errmsg":"send too fast"}"#)]);
    let ch = channel(serde_json::json!({"name": "other", "url": format!("{}/robot/send", sink.url)}));
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    let out = sender.send_blocking(&ch, &requests).unwrap();
    assert_eq!(out[0].attempts[0].outcome, AttemptOutcome::RateLimited);
    clock.fetch_add(9 * 60_000, Ordering::SeqCst);
    let out = sender.send_blocking(&ch, &requests).unwrap();
    assert!(!out[0].delivered && out[0].attempts[0].detail.contains("throttled"));
    assert_eq!(sink.requests().len(), 1);
    clock.fetch_add(60_001, Ordering::SeqCst);
    assert!(sender.send_blocking(&ch, &requests).unwrap()[0].delivered);
    assert_eq!(sink.requests().len(), 2);
}

#[test]
fn timeouts_and_refused_connections() {
    let sink = HttpSink::start(Reply::new(200, r#"{"errcode":0}"#).delayed(Duration::from_secs(3)));
    let ch = channel(serde_json::json!({"url": format!("{}/robot/send", sink.url), "timeout": "300ms", "retries": 0}));
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    let start = Instant::now();
    let out = Sender::new().send_blocking(&ch, &requests).unwrap();
    assert!(start.elapsed() < Duration::from_millis(300) + Duration::from_secs(3));
    assert_eq!(out[0].attempts[0].outcome, AttemptOutcome::Timeout);

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let ch = channel(serde_json::json!({"url": format!("http://127.0.0.1:{port}/robot/send"), "retries": 1}));
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    let out = Sender::new().send_blocking(&ch, &requests).unwrap();
    assert_eq!(out[0].attempts.len(), 2);
    assert!(out[0].attempts.iter().all(|a| a.outcome == AttemptOutcome::ConnectError));
    no_secret_in(&out[0].to_json().to_string());
}

#[test]
fn every_chat_channel_decides_success_from_its_answer() {
    for (kind, ok, refused) in [
        ("wecom", r#"{"errcode":0,"errmsg":"ok"}"#, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#),
        ("feishu", r#"{"code":0,"msg":"success"}"#, r#"{"code":19021,"msg":"sign match fail"}"#),
        ("lark", r#"{"StatusCode":0,"StatusMessage":"success"}"#, r#"{"code":9499,"msg":"Bad Request"}"#),
        ("slack", "ok", "invalid_payload"),
        (
            "pagerduty",
            r#"{"status":"success","message":"Event processed","dedup_key":"x"}"#,
            r#"{"status":"invalid event"}"#,
        ),
    ] {
        let sink = HttpSink::start(Reply::new(200, ok));
        sink.script([Reply::new(200, refused)]);
        let mut spec = serde_json::json!({"name": kind, "type": kind, "url": format!("{}/hook", sink.url), "token_env": "ROBOT_TOKEN", "retries": 0, "rate_limit": "none"});
        if kind == "feishu" {
            spec["secret_env"] = "ROBOT_SECRET".into();
        }
        let ch = Channel::from_value(&spec, "channel").unwrap();
        let requests = ch.render(&group(), NOW, &secrets()).unwrap();
        let sender = Sender::new();
        let first = sender.send_blocking(&ch, &requests[..1]).unwrap();
        assert!(!first[0].delivered, "{kind}: {:?}", first[0]);
        let second = sender.send_blocking(&ch, &requests[..1]).unwrap();
        assert!(second[0].delivered, "{kind}: {:?}", second[0]);
        let got = &sink.requests()[0];
        assert_eq!(got.body, requests[0].body, "{kind}");
        no_secret_in(&(first[0].to_json().to_string() + &requests[0].to_json().to_string()));
    }
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn email_reaches_a_real_smtp_server() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join(".venv/bin/python");
    if !python.exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), ".venv is missing: scripts/test.sh makes it");
        return eprintln!("skipped: no .venv with aiosmtpd");
    }
    let dir = common::TempDir::new("smtp");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _smtp = Proc(
        Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.0.join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let ch = Channel::from_value(
        &serde_json::json!({"name": "mail", "type": "email", "from": "opsbook@example.com", "to": ["ops@example.com", "oncall@example.com"],
                            "smtp": format!("127.0.0.1:{port}"), "smtp_tls": "none", "format": "severity", "backoff": "200ms", "retries": 10}),
        "channel",
    )
    .unwrap();
    let requests = ch.render(&group(), NOW, &secrets()).unwrap();
    // aiosmtpd may still be starting: the retries wait for it.
    let out = Sender::new().send_blocking(&ch, &requests).unwrap();
    assert!(out[0].delivered, "{:?}", out[0]);
    let files: Vec<_> = std::fs::read_dir(dir.0.join("mail/new")).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let stored = std::fs::read_to_string(files[0].path()).unwrap().replace("\r\n", "\n");
    let email = requests[0].email.as_ref().unwrap();
    assert_eq!(email.subject, "[critical] 服务 api:8000 已停止");
    // What the server stored is the MIME message opsbook rendered (aiosmtpd appends its
    // X-Peer, X-MailFrom and X-RcptTo to the header).
    let mime = email.mime.replace("\r\n", "\n");
    let (head, body) = mime.split_once("\n\n").unwrap();
    assert!(stored.starts_with(&format!("{head}\nX-Peer: ")), "{stored}");
    assert!(stored.contains("X-RcptTo: ops@example.com, oncall@example.com\n"));
    assert!(stored.trim_end().ends_with(body.trim_end()), "{stored}");
}
