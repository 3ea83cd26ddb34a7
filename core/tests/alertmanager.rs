//! Against a real Alertmanager (Debian's prometheus-alertmanager, started here on a free
//! loopback port with clustering off): alerts pushed with API v2 come back as sent, resolved
//! ones are gone, and Alertmanager's silences mute exactly the alerts opsbook's matchers say.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use opsbook::Range;
use opsbook::rules::alertmanager::{alerts_to_send, create_silence, fetch, push};
use opsbook::rules::notify::{AmAlert, Matcher, Silence};
use opsbook::rules::{Condition, Labels, Rule, RuleEngine, Sample, Selector};

const BINARY: &str = "/usr/bin/prometheus-alertmanager";

struct Alertmanager {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start() -> Option<Alertmanager> {
    if !std::path::Path::new(BINARY).exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{BINARY} is missing: scripts/test.sh installs it");
        eprintln!("skipped: {BINARY} is not installed");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = std::env::temp_dir().join(format!("opsbook-am-{}-{port}", std::process::id()));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let config = dir.join("alertmanager.yml");
    std::fs::write(&config, "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n").unwrap();
    let child = Command::new(BINARY)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start alertmanager");
    let am = Alertmanager { child, dir, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if opsbook::runtime::block_on(fetch(&am.url)).is_ok() {
            return Some(am);
        }
        assert!(Instant::now() < deadline, "alertmanager did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[test]
fn pushed_alerts_come_back_and_silences_agree() {
    let Some(am) = start() else { return };
    // A rule over two hosts: a fires and stays firing, b fires then resolves.
    let mut rule = Rule::new(
        "HighCPU",
        Condition::Threshold { selector: Selector::new("cpu"), range: Range::parse("r", "above 80").unwrap() },
    );
    rule.severity = Some("warning".into());
    rule.annotations = labels(&[("summary", "CPU above 80 %")]);
    let mut engine = RuleEngine::new(vec![rule]);
    let t0 = now_ms() - 180_000;
    let cpu = |host: &str, v: f64| Sample { metric: "cpu".into(), labels: labels(&[("host", host)]), value: v };
    engine.evaluate(t0, &[cpu("a", 90.0), cpu("b", 95.0)]).unwrap();
    engine.evaluate(t0 + 60_000, &[cpu("a", 91.0), cpu("b", 20.0)]).unwrap();
    let now = t0 + 120_000;
    engine.evaluate(now, &[cpu("a", 92.0), cpu("b", 20.0)]).unwrap();
    let sent = alerts_to_send(&engine, now, 4 * 60_000);
    assert_eq!(sent.len(), 2, "a firing and b resolved are sent");
    opsbook::runtime::block_on(push(&am.url, &sent, "http://opsbook.test/rules")).unwrap();

    let got = opsbook::runtime::block_on(fetch(&am.url)).unwrap();
    assert_eq!(got.len(), 1, "the resolved alert is not active: {got:?}");
    let a = &got[0];
    assert_eq!(a["labels"]["host"], "a");
    assert_eq!(a["labels"]["alertname"], "HighCPU");
    assert_eq!(a["labels"]["severity"], "warning");
    assert_eq!(a["annotations"]["summary"], "CPU above 80 %");
    assert_eq!(a["status"]["state"], "active");
    assert_eq!(a["generatorURL"], "http://opsbook.test/rules");
    let starts: jiff::Timestamp = a["startsAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(starts.as_millisecond(), t0, "startsAt is when the alert fired");
    let fp =
        opsbook::rules::fingerprint::fingerprint_hex(&sent.iter().find(|s| s.labels["host"] == "a").unwrap().labels);
    assert_eq!(a["fingerprint"], fp, "Alertmanager computes the same fingerprint");

    // Silences: Alertmanager decides which alerts they mute; opsbook's matchers must agree.
    let start = now_ms() - 1000;
    let end = start + 3_600_000;
    let hosts = ["web-1", "web-2", "db-1", "cache", "web-10", ""];
    let teams = ["ops", "", "dev", "ops", "", "ops"];
    let alerts: Vec<AmAlert> = hosts
        .iter()
        .zip(teams)
        .enumerate()
        .map(|(i, (h, t))| {
            let mut l = labels(&[("alertname", "Probe"), ("n", &i.to_string())]);
            if !h.is_empty() {
                l.insert("instance".into(), h.to_string());
            }
            if !t.is_empty() {
                l.insert("team".into(), t.to_string());
            }
            AmAlert {
                fingerprint: opsbook::rules::fingerprint::fingerprint_hex(&l),
                labels: l,
                annotations: Labels::new(),
                starts_at_ms: start,
                ends_at_ms: Some(end),
            }
        })
        .collect();
    opsbook::runtime::block_on(push(&am.url, &alerts, "")).unwrap();
    let silences = [
        vec!["instance=~\"web-[0-9]\""],
        vec!["team=\"\"", "alertname=\"Probe\""],
        vec!["instance!~\"(web|db).*\"", "team!=dev"],
    ];
    let mut ours: Vec<Silence> = Vec::new();
    for (i, texts) in silences.iter().enumerate() {
        let matchers: Vec<Matcher> = texts.iter().map(|t| Matcher::parse(t).unwrap()).collect();
        opsbook::runtime::block_on(create_silence(&am.url, &matchers, start, end, "opsbook-test", "conformance"))
            .unwrap();
        ours.push(Silence {
            id: i.to_string(),
            matchers,
            starts_at_ms: start,
            ends_at_ms: end,
            created_by: "opsbook-test".into(),
            comment: String::new(),
        });
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = opsbook::runtime::block_on(fetch(&am.url)).unwrap();
        let mut theirs: Vec<(String, bool)> = got
            .iter()
            .filter(|a| a["labels"]["alertname"] == "Probe")
            .map(|a| (a["labels"]["n"].as_str().unwrap().to_owned(), a["status"]["state"] == "suppressed"))
            .collect();
        theirs.sort();
        let mut mine: Vec<(String, bool)> =
            alerts.iter().map(|a| (a.labels["n"].clone(), ours.iter().any(|s| s.mutes(&a.labels, now_ms())))).collect();
        mine.sort();
        if theirs == mine {
            // Not a trivial agreement: some are muted and some are not.
            assert!(mine.iter().any(|m| m.1) && mine.iter().any(|m| !m.1), "{mine:?}");
            break;
        }
        assert!(Instant::now() < deadline, "Alertmanager says {theirs:?}, opsbook says {mine:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
