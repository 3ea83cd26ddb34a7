//! opsbook's notifications against a real Alertmanager 0.25 (Debian's prometheus-alertmanager)
//! with a webhook receiver pointed at an HTTP server in this test and an email receiver
//! pointed at a real local SMTP server (aiosmtpd, `require_tls: false`): for every group
//! Alertmanager notifies, the webhook payload it sends is what opsbook writes for that group
//! (same fields, same order), and the email subject it sends is the one opsbook renders.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::http_sink::{HttpSink, Reply};
use opsbook::alert::channel::Channel;
use opsbook::alert::model::AlertGroup;
use opsbook::rules::Labels;
use opsbook::rules::alertmanager::{fetch, push};
use opsbook::rules::notify::AmAlert;

const BINARY: &str = "/usr/bin/prometheus-alertmanager";

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn python() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    root.join(".venv/bin/python")
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// RFC 2047 encoded words (`=?utf-8?q?...?=`, `=?utf-8?b?...?=`) decoded, folding undone.
fn decode_header(value: &str) -> String {
    let unfolded = value.replace("\r\n ", " ").replace("\r\n\t", " ");
    let mut out = String::new();
    let mut last_was_word = false;
    let mut pending_space = String::new();
    for token in unfolded.split(' ') {
        if let Some(inner) = token.strip_prefix("=?").and_then(|t| t.strip_suffix("?=")) {
            let mut parts = inner.splitn(3, '?');
            let (_charset, enc, text) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            let bytes = if enc.eq_ignore_ascii_case("b") {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(text).unwrap()
            } else {
                let mut b = Vec::new();
                let raw = text.as_bytes();
                let mut i = 0;
                while i < raw.len() {
                    match raw[i] {
                        b'_' => b.push(b' '),
                        b'=' => {
                            b.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                            i += 2;
                        }
                        c => b.push(c),
                    }
                    i += 1;
                }
                b
            };
            // Space between two encoded words is not part of the text.
            if !last_was_word {
                out.push_str(&pending_space);
            }
            out.push_str(&String::from_utf8(bytes).unwrap());
            last_was_word = true;
        } else {
            if !out.is_empty() || !pending_space.is_empty() {
                out.push_str(&pending_space);
            }
            out.push_str(token);
            last_was_word = false;
        }
        pending_space = " ".into();
    }
    out
}

fn subject_of(message: &str) -> String {
    let head = message.split("\n\n").next().unwrap().replace("\r\n", "\n");
    let mut subject = String::new();
    let mut in_subject = false;
    for line in head.lines() {
        if let Some(v) = line.strip_prefix("Subject: ") {
            subject = v.to_owned();
            in_subject = true;
        } else if in_subject && (line.starts_with(' ') || line.starts_with('\t')) {
            subject.push_str("\r\n");
            subject.push_str(line);
        } else {
            in_subject = false;
        }
    }
    decode_header(&subject)
}

#[test]
fn alertmanager_sends_what_opsbook_renders() {
    if !Path::new(BINARY).exists() || !python().exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{BINARY} or .venv is missing: scripts/test.sh installs them"
        );
        return eprintln!("skipped: alertmanager or the test venv is not installed");
    }
    let dir = std::env::temp_dir().join(format!("opsbook-am-oracle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let maildir = dir.join("mail");

    let sink = HttpSink::start(Reply::new(200, "{}"));
    let smtp_port = free_port();
    let _smtp = Proc(
        Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{smtp_port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd"),
    );
    let am_port = free_port();
    let config = format!(
        "global:\n  smtp_smarthost: 127.0.0.1:{smtp_port}\n  smtp_from: alertmanager@example.com\n  smtp_require_tls: false\n\
         route:\n  receiver: ops\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1m\n  repeat_interval: 1h\n\
         receivers:\n  - name: ops\n    webhook_configs:\n      - url: {}/hook\n        send_resolved: true\n    \
         email_configs:\n      - to: ops@example.com\n        send_resolved: true\n",
        sink.url
    );
    std::fs::write(dir.join("am.yml"), config).unwrap();
    let _am = Proc(
        Command::new(BINARY)
            .arg(format!("--config.file={}", dir.join("am.yml").display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{am_port}"))
            .arg(format!("--web.external-url=http://127.0.0.1:{am_port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start alertmanager"),
    );
    let am_url = format!("http://127.0.0.1:{am_port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while opsbook::runtime::block_on(fetch(&am_url)).is_err() {
        assert!(Instant::now() < deadline, "alertmanager did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }

    let now = jiff::Timestamp::now().as_millisecond();
    let alert = |l: &[(&str, &str)], a: &[(&str, &str)], starts: i64| AmAlert {
        labels: labels(l),
        annotations: labels(a),
        starts_at_ms: starts,
        ends_at_ms: None,
        fingerprint: String::new(),
    };
    let alerts = vec![
        alert(
            &[("alertname", "HighCPU"), ("instance", "web-1:9100"), ("severity", "warning")],
            &[("summary", "CPU使用率过高")],
            now - 60_000,
        ),
        alert(
            &[("alertname", "HighCPU"), ("instance", "web-2:9100"), ("severity", "warning")],
            &[("summary", "CPU使用率过高")],
            now - 30_000,
        ),
        alert(
            &[
                ("alertname", "ServiceDown"),
                ("instance", "api:8000"),
                ("service", "教育平台"),
                ("severity", "critical"),
            ],
            &[("summary", "服务 api:8000 已停止"), ("description", "教育AI服务已经停止超过2分钟 <b>&</b>")],
            now - 120_000,
        ),
    ];
    opsbook::runtime::block_on(push(&am_url, &alerts, "http://prometheus:9090/graph")).unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    let mails = loop {
        let files: Vec<PathBuf> =
            std::fs::read_dir(maildir.join("new")).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        if sink.requests().len() >= 2 && files.len() >= 2 {
            break files;
        }
        assert!(
            Instant::now() < deadline,
            "Alertmanager did not notify both groups: {} webhooks, {} mails",
            sink.requests().len(),
            files.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let subjects: Vec<String> = mails.iter().map(|m| subject_of(&std::fs::read_to_string(m).unwrap())).collect();

    let email = Channel::from_value(
        &serde_json::json!({"name": "mail", "type": "email", "from": "alertmanager@example.com", "to": ["ops@example.com"], "smtp": format!("127.0.0.1:{smtp_port}")}),
        "channel",
    )
    .unwrap();
    let mut checked = 0;
    for request in sink.requests() {
        let sent: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        let group = AlertGroup::from_json(&request.body).unwrap();
        let ours = group.to_webhook_json();
        assert_eq!(ours, sent, "the webhook payload differs");
        // Same order of fields, at the top and in each alert.
        let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&ours), keys(&sent));
        assert_eq!(keys(&ours["alerts"][0]), keys(&sent["alerts"][0]));
        let subject = email.subject(&group).unwrap();
        assert!(subjects.contains(&subject), "opsbook's subject {subject:?} is not among Alertmanager's {subjects:?}");
        checked += 1;
    }
    assert_eq!(checked, 2);
    // Independent of opsbook: what the subjects must be by default.tmpl's definition.
    assert!(subjects.contains(&"[FIRING:2] HighCPU (warning)".to_owned()), "{subjects:?}");
    assert!(subjects.contains(&"[FIRING:1] ServiceDown (api:8000 教育平台 critical)".to_owned()), "{subjects:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
