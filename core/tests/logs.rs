//! Log analysis over files written here with known contents: an access log and its rotated,
//! gzipped predecessor, an application log with errors inside and outside the window,
//! malformed and overlong lines, invalid UTF-8. Every count is known in advance.

mod common;

use std::io::Write;

use common::TempDir;
use opsbook::logs::{Analysis, Level, LineFormat, Options};

const NOW: i64 = 1_714_550_400_000; // 2024-05-01T08:00:00Z

fn clf(ms: i64) -> String {
    let t = jiff::Timestamp::from_millisecond(ms).unwrap().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    t.strftime("%d/%b/%Y:%H:%M:%S %z").to_string()
}

#[test]
fn access_logs_plain_and_gzipped() {
    let dir = TempDir::new("logs-access");
    // Current log: 1,200 requests from 10.0.0.1 (busy), 30 from 10.0.0.2, each to three endpoints.
    let mut current = String::new();
    let mut expected_errors = 0;
    for i in 0..1230 {
        let ip = if i < 1200 { "10.0.0.1" } else { "10.0.0.2" };
        let (path, status) = match i % 3 {
            0 => (format!("/api/courses/{i}?page=2"), if i % 30 == 0 { 500 } else { 200 }),
            1 => ("/api/login".to_owned(), if i % 4 == 1 { 401 } else { 200 }),
            _ => ("/static/app.js".to_owned(), 304),
        };
        if status >= 400 {
            expected_errors += 1;
        }
        let duration = (i % 100) as f64 / 1000.0 + 0.001;
        current.push_str(&format!(
            "{ip} - - [{}] \"GET {path} HTTP/1.1\" {status} 512 \"-\" \"curl/8\" {duration:.3}\n",
            clf(NOW - 60_000)
        ));
    }
    current.push_str("this line is not an access log line\n");
    std::fs::write(dir.0.join("access.log"), &current).unwrap();
    // Rotated: 100 POSTs from 10.0.0.3, all 503, written gzip-compressed.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..100 {
        writeln!(
            gz,
            "10.0.0.3 - bob [{}] \"POST /api/orders HTTP/1.1\" 503 0 \"-\" \"app\" 1.500",
            clf(NOW - 3_600_000)
        )
        .unwrap();
    }
    std::fs::write(dir.0.join("access.log.1.gz"), gz.finish().unwrap()).unwrap();

    let mut a = Analysis::new(Options { top: 5, ..Options::default() });
    a.add_file(&dir.0.join("access.log"), &LineFormat::Combined).unwrap();
    a.add_file(&dir.0.join("access.log.1.gz"), &LineFormat::Combined).unwrap();
    let r = a.finish();
    assert_eq!((r.lines, r.parsed, r.unparsed), (1331, 1330, 1));
    assert_eq!(r.requests, 1330);
    // 2xx: 369 course pages (410 less 41 errors) and 307 logins (410 less 103 refusals).
    assert_eq!(r.status_classes, [0, 676, 410, 103, 141]);
    let courses = r.endpoints.iter().find(|e| e.endpoint == "GET /api/courses/{id}").unwrap();
    assert_eq!((courses.requests, courses.errors, courses.server_errors), (410, 41, 41));
    assert!((courses.error_rate - 41.0 / 410.0 * 100.0).abs() < 1e-9);
    let orders = &r.endpoints[r.endpoints.iter().position(|e| e.endpoint == "POST /api/orders").unwrap()];
    assert_eq!((orders.requests, orders.errors, orders.p95_ms), (100, 100, Some(1500.0)));
    let login = r.endpoints.iter().find(|e| e.endpoint == "GET /api/login").unwrap();
    assert_eq!((login.requests, login.errors), (410, 103));
    assert_eq!(courses.errors + login.errors + orders.errors, expected_errors + 100);
    // Durations of the course requests: i % 100 for i ≡ 0 (mod 3), plus 1 ms.
    let mut d: Vec<f64> =
        (0..1230).filter(|i| i % 3 == 0).map(|i| ((i % 100) as f64 / 1000.0 + 0.001) * 1000.0).collect();
    d.sort_by(f64::total_cmp);
    let rank = |q: f64| d[((q * d.len() as f64).ceil() as usize).max(1) - 1];
    assert_eq!(courses.p50_ms.map(|v| (v * 1000.0).round() / 1000.0), Some((rank(0.5) * 1000.0).round() / 1000.0));
    assert_eq!(courses.p99_ms.map(|v| (v * 1000.0).round() / 1000.0), Some((rank(0.99) * 1000.0).round() / 1000.0));
    assert_eq!(r.busy_ips, vec![("10.0.0.1".to_owned(), 1200)]);
    // The manuals' table: top endpoints by calls.
    let md = r.to_markdown(true);
    assert!(md.contains("| 接口 | 调用次数 | 错误次数 | 错误率 | P95(ms) |"), "{md}");
    assert!(md.contains("| GET /api/courses/{id} | 410 | 41 | 10.0% |"), "{md}");
}

#[test]
fn application_logs_with_a_window_and_damage() {
    let dir = TempDir::new("logs-app");
    let mut text = Vec::new();
    let line = |ms: i64, level: &str, msg: &str| {
        let t = jiff::Timestamp::from_millisecond(ms).unwrap().to_zoned(jiff::tz::TimeZone::UTC);
        format!("{} {level} {msg}\n", t.strftime("%Y-%m-%d %H:%M:%S,%3f"))
    };
    // Outside the last 24 h: 5 errors that must not count.
    for i in 0..5 {
        text.extend(line(NOW - 30 * 3_600_000 - i, "ERROR", "OperationalError: connection lost").into_bytes());
    }
    // Inside: 7 database timeouts with varying numbers, 3 LLM API errors, 20 INFO, 2 WARN.
    for i in 0..7 {
        text.extend(
            line(NOW - 60_000 * i, "ERROR", &format!("Database timeout after {}s on query {}", 30 + i, 1000 + i))
                .into_bytes(),
        );
    }
    for _ in 0..3 {
        text.extend(line(NOW - 1000, "ERROR", "LLM API Error: upstream returned 502").into_bytes());
    }
    for i in 0..20 {
        text.extend(line(NOW - 1000 * i, "INFO", "request served").into_bytes());
    }
    text.extend(line(NOW, "WARNING", "disk 91% full").into_bytes());
    text.extend(line(NOW, "warn", "memory 86%").into_bytes());
    text.extend(b"not a log line at all\n");
    text.extend(b"2024-05-01 07:59:00 ERROR bad \xff\xfe bytes\n");
    text.extend(vec![b'A'; 100_000]);
    text.extend(b"\n");
    std::fs::write(dir.0.join("app.log"), &text).unwrap();

    let mut a = Analysis::new(Options { since_ms: Some(NOW - 24 * 3_600_000), ..Options::default() });
    a.add_file(&dir.0.join("app.log"), &LineFormat::IsoLevel).unwrap();
    let r = a.finish();
    assert_eq!(r.lines, 5 + 7 + 3 + 20 + 2 + 3);
    assert_eq!((r.before_window, r.unparsed, r.overlong, r.invalid_utf8), (5, 1, 1, 1));
    assert_eq!(r.levels.get(&Level::Error), Some(&(7 + 3 + 1)));
    assert_eq!(r.levels.get(&Level::Info), Some(&20));
    assert_eq!(r.levels.get(&Level::Warning), Some(&2));
    assert_eq!(r.errors(), 11);
    // Error types: the timeouts count together whatever their numbers.
    assert_eq!(r.top_messages[0], ("Database timeout after <n>s on query <n>".to_owned(), 7));
    assert_eq!(
        r.error_types,
        vec![
            ("Database timeout after <n>s on query".to_owned(), 7),
            ("LLM API Error: upstream returned <n>".to_owned(), 3),
            ("bad \u{fffd}\u{fffd} bytes".to_owned(), 1),
        ]
    );
    let m = r.measurements().unwrap();
    assert!(m.iter().any(|m| m.name == "log_errors" && m.value == 11.0));
}

#[test]
fn failed_logins_per_ip_and_user() {
    let dir = TempDir::new("logs-sec");
    let mut text = String::new();
    for i in 0..60 {
        let ip = if i < 45 { "198.51.100.7" } else { "198.51.100.8" };
        text.push_str(&format!("{ip} login failed for user{}\n", i % 2));
    }
    text.push_str("198.51.100.9 login ok for user1\n");
    std::fs::write(dir.0.join("security.log"), &text).unwrap();
    let format = LineFormat::parse(r"^(?P<ip>\S+) login (?P<message>\w+) for (?P<user>\S+)$").unwrap();
    let mut a = Analysis::new(Options::default());
    a.add_file(&dir.0.join("security.log"), &format).unwrap();
    let r = a.finish();
    assert_eq!(r.failed_logins, 60);
    assert_eq!(r.failed_login_ips, vec![("198.51.100.7".to_owned(), 45), ("198.51.100.8".to_owned(), 15)]);
    assert_eq!(r.failed_login_users, vec![("user0".to_owned(), 30), ("user1".to_owned(), 30)]);
}

#[test]
fn a_file_read_on_every_core_gives_the_serial_answer() {
    let dir = TempDir::new("logs-large");
    let path = dir.0.join("big.log");
    let mut text = String::with_capacity(2 << 20);
    let mut i = 0u64;
    while text.len() < 2 << 20 {
        let status = if i % 97 == 0 {
            500
        } else if i % 13 == 0 {
            404
        } else {
            200
        };
        text.push_str(&format!(
            "10.0.{}.{} - - [01/May/2024:16:00:00 +0800] \"GET /api/items/{} HTTP/1.1\" {status} 10 \"-\" \"ua\" 0.{:03}\n",
            i % 3,
            i % 251,
            i % 977,
            i % 1000
        ));
        i += 1;
    }
    std::fs::write(&path, &text).unwrap();
    // Read on every core from 64 KiB up (32 MiB by default).
    let mut parallel = Analysis::new(Options { parallel_from_bytes: 64 << 10, ..Options::default() });
    parallel.add_file(&path, &LineFormat::Combined).unwrap();
    let parallel = parallel.finish();
    let serial = opsbook::logs::analyze_lines(text.lines(), &LineFormat::Combined, Options::default());
    assert_eq!(parallel, serial);
    assert_eq!(parallel.lines, i);
}

mod lifecycle {
    use std::time::{Duration, SystemTime};

    use super::common::TempDir;
    use opsbook::logs::lifecycle::{Action, Rules, Tier, apply, plan};

    const DAY: u64 = 86_400;

    fn file(dir: &std::path::Path, name: &str, days: u64, text: &str, now: SystemTime) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        // An hour short of the whole days, as find rounds down.
        f.set_modified(now - Duration::from_secs((days * DAY).saturating_sub(3600))).unwrap();
    }

    #[test]
    fn the_manuals_find_rules_then_acting_on_them() {
        let tmp = TempDir::new("logs-lifecycle");
        let dir = tmp.0.join("logs");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_550_400);
        let now_ms = 1_714_550_400_000;
        file(&dir, "app.log", 0, "today\n", now);
        file(&dir, "app.log.1", 8, "eight days\n", now); // 7 whole days: not +7
        file(&dir, "app.log.2", 9, "nine days\n", now); // 8 whole days: compress
        file(&dir, "old/app.log.3.gz", 31, "x", now); // 30 whole days: not +30
        file(&dir, "old/app.log.4.gz", 32, "x", now); // 31: delete
        file(&dir, "notes.txt", 100, "not a log", now);
        let rules = Rules { compress_after: Some(7), delete_compressed_after: Some(30), ..Rules::default() };
        let p = plan(&dir, &rules, now_ms).unwrap();
        let got: Vec<(String, Action, i64)> = p
            .iter()
            .map(|x| (x.path.strip_prefix(&dir).unwrap().display().to_string(), x.action.clone(), x.days_old))
            .collect();
        assert_eq!(
            got,
            vec![("app.log.2".to_owned(), Action::Compress, 8), ("old/app.log.4.gz".to_owned(), Action::Delete, 31)]
        );
        // The plan touched nothing.
        assert!(dir.join("app.log.2").exists() && dir.join("old/app.log.4.gz").exists());

        let done = apply(&p);
        assert!(done.iter().all(|d| d.error.is_none()), "{done:?}");
        assert!(!dir.join("app.log.2").exists() && !dir.join("old/app.log.4.gz").exists());
        let gz = dir.join("app.log.2.gz");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()), &mut text)
            .unwrap();
        assert_eq!(text, "nine days\n");
        // The compressed file keeps the log's time, so the delete rule counts from it.
        let kept = std::fs::metadata(&gz).unwrap().modified().unwrap();
        assert_eq!(kept, now - Duration::from_secs(9 * DAY - 3600));
        assert!(dir.join("notes.txt").exists() && dir.join("app.log").exists() && dir.join("app.log.1").exists());
    }

    #[test]
    fn tiers_and_changed_files() {
        let tmp = TempDir::new("logs-tiers");
        let dir = tmp.0.join("hot");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_550_400);
        file(&dir, "a.log", 10, "warm\n", now);
        file(&dir, "b.log", 40, "cold\n", now);
        file(&dir, "c.log", 100, "gone\n", now);
        let rules = Rules {
            delete_after: Some(90),
            tiers: vec![
                Tier { name: "warm".into(), after_days: 7, dir: tmp.0.join("warm") },
                Tier { name: "cold".into(), after_days: 30, dir: tmp.0.join("cold") },
            ],
            ..Rules::default()
        };
        let p = plan(&dir, &rules, 1_714_550_400_000).unwrap();
        let actions: Vec<Action> = p.iter().map(|x| x.action.clone()).collect();
        assert_eq!(
            actions,
            vec![Action::Move(tmp.0.join("warm/a.log")), Action::Move(tmp.0.join("cold/b.log")), Action::Delete]
        );
        // b.log grows after the plan: it is left alone, the others go ahead.
        std::fs::write(dir.join("b.log"), "cold and more\n").unwrap();
        let done = apply(&p);
        assert!(done[0].error.is_none() && done[2].error.is_none());
        assert!(done[1].error.as_deref().unwrap().contains("changed since the plan"));
        assert_eq!(std::fs::read_to_string(tmp.0.join("warm/a.log")).unwrap(), "warm\n");
        assert!(dir.join("b.log").exists() && !dir.join("c.log").exists());
    }
}
