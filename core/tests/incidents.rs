//! Incidents and escalation with the manuals' P0-P3 response times.

use std::sync::{Arc, Mutex};

use opsbook::rules::incident::{EscalationPolicy, HookOutcome, IncidentManager, IncidentStatus};
use opsbook::rules::{Event, EventKind, Labels};

const MIN: i64 = 60_000;

fn event(kind: EventKind, rule: &str, severity: &str, at: i64) -> Event {
    let labels: Labels = [("alertname", rule), ("severity", severity), ("instance", "web-1")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Event {
        kind,
        rule: rule.into(),
        fingerprint: opsbook::rules::fingerprint::fingerprint_hex(&labels),
        labels,
        at_ms: at,
        value: 1.0,
        active_at_ms: at,
        notify: true,
    }
}

#[test]
fn unacknowledged_incidents_escalate_toward_p0() {
    let mut m = IncidentManager::new(EscalationPolicy::manual_p0_p3()).unwrap();
    // warning → P2 (30 min), then P1 (15 min), then P0 (5 min), then P0 is called again.
    let id = m.on_event(&event(EventKind::Firing, "HighMemory", "warning", 0)).unwrap();
    assert_eq!(m.incident(&id).unwrap().level, "P2");
    assert!(m.tick(30 * MIN - 1).is_empty());
    assert_eq!(m.tick(30 * MIN), [(id.clone(), "P1".to_owned())]);
    // A late tick catches up step by step: P0 at 45 min, P0 again at 50 and 55 min.
    let steps = m.tick(56 * MIN);
    assert_eq!(steps.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>(), ["P0", "P0", "P0"]);
    let timeline: Vec<(i64, String)> =
        m.incident(&id).unwrap().timeline.iter().map(|e| (e.at_ms / MIN, e.what.clone())).collect();
    assert_eq!(timeline[1], (30, "not acknowledged at P2: escalated to P1 (lead)".into()));
    assert_eq!(timeline[2], (45, "not acknowledged at P1: escalated to P0 (cto)".into()));
    assert_eq!(timeline[3].0, 50);
    // Acknowledged: escalation stops; the alert resolving auto-resolves it.
    m.acknowledge(&id, "alice", 57 * MIN).unwrap();
    assert!(m.tick(200 * MIN).is_empty());
    m.on_event(&event(EventKind::Resolved, "HighMemory", "warning", 60 * MIN));
    let inc = m.incident(&id).unwrap();
    assert_eq!(inc.status, IncidentStatus::AutoResolved);
    assert!(m.acknowledge(&id, "bob", 61 * MIN).unwrap_err().to_string().contains("auto_resolved"));
}

#[test]
fn hooks_run_once_and_their_outcome_is_recorded() {
    let mut m = IncidentManager::new(EscalationPolicy::manual_p0_p3()).unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    m.register_hook("ServiceDown", move |incident| {
        seen.lock().unwrap().push(incident.labels["instance"].clone());
        HookOutcome { succeeded: true, detail: "restarted edu-api".into() }
    });
    let id = m.on_event(&event(EventKind::Firing, "ServiceDown", "critical", 0)).unwrap();
    // The same alert firing again belongs to the same incident.
    assert_eq!(m.on_event(&event(EventKind::Firing, "ServiceDown", "critical", MIN)).unwrap(), id);
    assert_eq!(*calls.lock().unwrap(), ["web-1"]);
    let inc = m.incident(&id).unwrap();
    assert_eq!(inc.level, "P1");
    assert_eq!(inc.timeline[1].what, "auto-recovery succeeded: restarted edu-api");
    m.resolve(&id, "alice", "restarted by hook; root cause: OOM", 10 * MIN).unwrap();
    assert_eq!(m.incident(&id).unwrap().status, IncidentStatus::Resolved);
    // Unknown severities open at the least urgent level.
    let other = m.on_event(&event(EventKind::Firing, "Cosmetic", "whatever", 0)).unwrap();
    assert_eq!(m.incident(&other).unwrap().level, "P3");
    assert!(m.acknowledge("INC-9999", "x", 0).unwrap_err().to_string().contains("no such incident"));
}

#[test]
fn bad_policies_are_refused() {
    let mut p = EscalationPolicy::manual_p0_p3();
    p.severity_levels.insert("page".into(), "P9".into());
    assert!(IncidentManager::new(p).err().unwrap().to_string().contains("escalation.severities.page"));
    let mut p = EscalationPolicy::manual_p0_p3();
    p.levels[1].response_ms = 0;
    assert!(IncidentManager::new(p).err().unwrap().to_string().contains("levels[1].response"));
}

#[test]
fn closed_incidents_are_forgotten_after_keep_closed_open_ones_never() {
    let doc = serde_json::json!({
        "keep_closed": "1d",
        "levels": [{"name": "P0", "response": "5m"}, {"name": "P1", "response": "15m"}],
        "severities": {"critical": "P1"},
    });
    let mut m = IncidentManager::new(opsbook::rules::incident::escalation_from_value(&doc).unwrap()).unwrap();
    let closed = m.on_event(&event(EventKind::Firing, "ServiceDown", "critical", 0)).unwrap();
    m.resolve(&closed, "alice", "restarted", 10 * MIN).unwrap();
    let open = m.on_event(&event(EventKind::Firing, "DiskFull", "critical", 0)).unwrap();
    m.acknowledge(&open, "bob", MIN).unwrap();
    // Kept until a full day after its last entry (10 min), then gone; the open one stays.
    m.tick(10 * MIN + 1440 * MIN);
    assert!(m.incident(&closed).is_some());
    m.tick(10 * MIN + 1440 * MIN + 1);
    assert!(m.incident(&closed).is_none());
    assert!(m.incident(&open).is_some());
    // The default is 90 days; "forever" keeps everything; nonsense is refused by key.
    assert_eq!(EscalationPolicy::manual_p0_p3().keep_closed_ms, Some(90 * 1440 * MIN));
    let forever = serde_json::json!({"keep_closed": "forever", "levels": [{"name": "P0", "response": "5m"}]});
    assert_eq!(opsbook::rules::incident::escalation_from_value(&forever).unwrap().keep_closed_ms, None);
    let bad = serde_json::json!({"keep_closed": "a while", "levels": [{"name": "P0", "response": "5m"}]});
    let err = opsbook::rules::incident::escalation_from_value(&bad).unwrap_err().to_string();
    assert!(err.contains("escalation.keep_closed"), "{err}");
}

#[test]
fn snapshots_carry_incidents_into_a_new_manager() {
    let store = opsbook::state::MemoryStore::new();
    let mut m = IncidentManager::new(EscalationPolicy::manual_p0_p3()).unwrap();
    let id = m.on_event(&event(EventKind::Firing, "HighMemory", "warning", 0)).unwrap();
    m.save(&store, "incidents").unwrap();
    let mut again = IncidentManager::new(EscalationPolicy::manual_p0_p3()).unwrap();
    assert!(again.load(&store, "incidents").unwrap());
    assert_eq!(again.incident(&id), m.incident(&id));
    // The same alert firing again belongs to the restored incident; ids continue.
    assert_eq!(again.on_event(&event(EventKind::Firing, "HighMemory", "warning", MIN)).unwrap(), id);
    let next = again.on_event(&event(EventKind::Firing, "DiskFull", "critical", MIN)).unwrap();
    assert_eq!(next, "INC-0002");
    assert!(again.restore("{\"version\": 2}").unwrap_err().to_string().contains("state"));
    assert!(!IncidentManager::new(EscalationPolicy::manual_p0_p3()).unwrap().load(&store, "nothing").unwrap());
}
