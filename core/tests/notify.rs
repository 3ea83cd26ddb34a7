//! Notification grouping, deduplication, repeats, silences and inhibition, traced by hand
//! from Alertmanager's rules (dispatch.go aggregation groups, notify.go DedupStage.needsUpdate,
//! silences and inhibit rules).

use opsbook::rules::notify::{Dispatcher, InhibitRule, Matcher, Notification, Route, Silence};
use opsbook::rules::{Event, EventKind, Labels};

const S: i64 = 1000;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn event(kind: EventKind, at_s: i64, l: &Labels) -> Event {
    Event {
        kind,
        rule: l["alertname"].clone(),
        labels: l.clone(),
        fingerprint: opsbook::rules::fingerprint::fingerprint_hex(l),
        at_ms: at_s * S,
        value: 1.0,
        active_at_ms: at_s * S,
        notify: true,
    }
}

/// What each notification held: (time s, [(instance, status)]).
fn summary(n: &[Notification]) -> Vec<(i64, Vec<(String, &'static str)>)> {
    n.iter()
        .map(|n| {
            (
                n.at_ms / S,
                n.alerts
                    .iter()
                    .map(|a| (a.labels["instance"].clone(), if a.resolved() { "resolved" } else { "firing" }))
                    .collect(),
            )
        })
        .collect()
}

fn ticks(d: &mut Dispatcher, times_s: &[i64]) -> Vec<Notification> {
    times_s.iter().flat_map(|t| d.tick(t * S)).collect()
}

#[test]
fn grouping_waits_intervals_resolved_and_repeats() {
    let mut d = Dispatcher::new(Route::default()); // by alertname; 30s, 5m, 4h
    let a = labels(&[("alertname", "HighCPU"), ("instance", "a")]);
    let b = labels(&[("alertname", "HighCPU"), ("instance", "b")]);
    let none = Labels::new();
    d.receive(&event(EventKind::Firing, 0, &a), &none);
    assert!(d.tick(29 * S).is_empty(), "group_wait is 30 s");
    let first = d.tick(30 * S);
    assert_eq!(summary(&first), [(30, vec![("a".into(), "firing")])]);
    assert_eq!(first[0].group_key, "{}:{alertname=\"HighCPU\"}");
    d.receive(&event(EventKind::Firing, 60, &b), &none);
    // b waits for the group's next interval, 30 + 300.
    assert!(d.tick(329 * S).is_empty());
    assert_eq!(summary(&d.tick(330 * S)), [(330, vec![("a".into(), "firing"), ("b".into(), "firing")])]);
    d.receive(&event(EventKind::Resolved, 400, &a), &none);
    // A resolved alert is new with send_resolved: notified at 630, then leaves the group.
    assert_eq!(summary(&d.tick(630 * S)), [(630, vec![("a".into(), "resolved"), ("b".into(), "firing")])]);
    // Nothing changed: silent until repeat_interval (4 h after 630 s) has passed.
    let quiet: Vec<i64> = (1..=48).map(|k| 630 + 300 * k).collect(); // up to 15030 = 630 + 4 h exactly
    assert!(ticks(&mut d, &quiet).is_empty(), "the repeat needs strictly more than 4 h");
    assert_eq!(summary(&d.tick(15330 * S)), [(15330, vec![("b".into(), "firing")])]);
    // b resolves: everything that was notified as firing is resolved → one last notification.
    d.receive(&event(EventKind::Resolved, 15400, &b), &none);
    assert_eq!(summary(&d.tick(15630 * S)), [(15630, vec![("b".into(), "resolved")])]);
    assert_eq!(d.next_due(), None, "an empty group is gone");
}

#[test]
fn fired_and_resolved_within_group_wait_is_never_sent() {
    let mut d = Dispatcher::new(Route::default());
    let a = labels(&[("alertname", "Blip"), ("instance", "a")]);
    d.receive(&event(EventKind::Firing, 0, &a), &Labels::new());
    d.receive(&event(EventKind::Resolved, 10, &a), &Labels::new());
    assert!(d.tick(30 * S).is_empty(), "no firing alert was ever notified");
}

#[test]
fn silences_mute_without_resetting_the_log() {
    let mut d = Dispatcher::new(Route::default());
    let b = labels(&[("alertname", "HighCPU"), ("instance", "b")]);
    d.receive(&event(EventKind::Firing, 0, &b), &Labels::new());
    assert_eq!(d.tick(30 * S).len(), 1);
    d.silences.push(Silence {
        id: "s1".into(),
        matchers: vec![Matcher::parse("instance=~\"b|c\"").unwrap()],
        starts_at_ms: 100 * S,
        ends_at_ms: 1000 * S,
        created_by: "ops".into(),
        comment: "maintenance".into(),
    });
    assert!(d.tick(330 * S).is_empty() && d.tick(630 * S).is_empty() && d.tick(930 * S).is_empty());
    // The silence ended at 1000 s: b was already notified as firing, so nothing new is sent
    // until the repeat interval (Alertmanager's log was not touched while muted).
    assert!(d.tick(1230 * S).is_empty());
    let repeat_due = 30 + 4 * 3600 + 300;
    assert_eq!(d.tick(repeat_due * S).len(), 1);
}

#[test]
fn inhibition_by_a_firing_source_with_equal_labels() {
    let route = Route { group_by: None, ..Route::default() };
    let mut d = Dispatcher::new(route);
    d.inhibit_rules.push(InhibitRule {
        source: vec![Matcher::parse("alertname=NodeDown").unwrap()],
        target: vec![Matcher::parse("severity=warning").unwrap()],
        equal: vec!["instance".into()],
    });
    let down = labels(&[("alertname", "NodeDown"), ("instance", "a"), ("severity", "critical")]);
    let cpu_a = labels(&[("alertname", "HighCPU"), ("instance", "a"), ("severity", "warning")]);
    let cpu_b = labels(&[("alertname", "HighCPU"), ("instance", "b"), ("severity", "warning")]);
    for l in [&down, &cpu_a, &cpu_b] {
        d.receive(&event(EventKind::Firing, 0, l), &Labels::new());
    }
    let sent = d.tick(30 * S);
    let mut names: Vec<String> = sent
        .iter()
        .flat_map(|n| n.alerts.iter().map(|a| format!("{}/{}", a.labels["alertname"], a.labels["instance"])))
        .collect();
    names.sort();
    assert_eq!(names, ["HighCPU/b", "NodeDown/a"], "HighCPU on a is inhibited by NodeDown on a");
    // The source resolves: the target is no longer inhibited and is new to its group.
    d.receive(&event(EventKind::Resolved, 100, &down), &Labels::new());
    let sent = d.tick(330 * S);
    let statuses: Vec<(String, String)> = sent
        .iter()
        .flat_map(|n| {
            n.alerts
                .iter()
                .map(|a| (format!("{}/{}", a.labels["alertname"], a.labels["instance"]), n.status().to_owned()))
        })
        .collect();
    assert!(statuses.contains(&("HighCPU/a".into(), "firing".into())), "{statuses:?}");
    assert!(statuses.contains(&("NodeDown/a".into(), "resolved".into())), "{statuses:?}");
    let webhook = sent[0].to_webhook_json("http://opsbook");
    assert_eq!(webhook["version"], "4");
}
