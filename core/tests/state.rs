//! StateStore: memory, a file shared by processes, and the real Redis of the test command;
//! deliveries happen once across replicas, and after a lease holder dies, by another one.

use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use opsbook::state::{Delivery, DeliveryLog, FileStore, MemoryStore, StateStore};

fn exercise(store: &dyn StateStore) {
    store.put("k", "v1", None).unwrap();
    assert_eq!(store.get("k").unwrap().as_deref(), Some("v1"));
    store.put("short", "x", Some(Duration::from_millis(50))).unwrap();
    assert_eq!(store.get("short").unwrap().as_deref(), Some("x"));
    std::thread::sleep(Duration::from_millis(80));
    assert_eq!(store.get("short").unwrap(), None, "expired");
    assert!(store.acquire("lease", "a", Duration::from_millis(200)).unwrap());
    assert!(!store.acquire("lease", "b", Duration::from_millis(200)).unwrap(), "held by a");
    store.release("lease", "b").unwrap();
    assert!(!store.acquire("lease", "b", Duration::from_millis(200)).unwrap(), "b cannot release a's lease");
    store.release("lease", "a").unwrap();
    assert!(store.acquire("lease", "b", Duration::from_millis(100)).unwrap());
    std::thread::sleep(Duration::from_millis(150));
    assert!(store.acquire("lease", "c", Duration::from_millis(100)).unwrap(), "an expired lease is free");
    store.delete("k").unwrap();
    assert_eq!(store.get("k").unwrap(), None);
}

/// Three replicas deliver the same 30 transitions at once: each is sent exactly once.
fn replicas_send_once(make: &dyn Fn() -> Box<dyn StateStore>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let barrier = Arc::new(Barrier::new(3));
    std::thread::scope(|scope| {
        for r in 0..3 {
            let store = make();
            let (sent, barrier) = (sent.clone(), barrier.clone());
            scope.spawn(move || {
                let log = DeliveryLog {
                    store: store.as_ref(),
                    owner: format!("replica-{r}"),
                    lease: Duration::from_secs(5),
                    keep: Duration::from_secs(60),
                };
                barrier.wait();
                for i in 0..30 {
                    let id = format!("HighCPU:{i:016x}:firing:0");
                    loop {
                        match log.deliver(&id, || {
                            sent.lock().unwrap().push(id.clone());
                            Ok(())
                        }) {
                            Ok(Delivery::Busy) => std::thread::sleep(Duration::from_millis(5)),
                            Ok(_) => break,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            });
        }
    });
    let mut ids = sent.lock().unwrap().clone();
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!((n, ids.len()), (30, 30), "each transition sent exactly once");
}

/// A replica takes the lease and dies before sending: another sends once the lease expires.
fn a_dead_holder_is_taken_over(store: &dyn StateStore) {
    assert!(store.acquire("lease:Down:x:resolved:0", "dead-replica", Duration::from_millis(300)).unwrap());
    let log =
        DeliveryLog { store, owner: "alive".into(), lease: Duration::from_secs(5), keep: Duration::from_secs(60) };
    let sends = std::cell::Cell::new(0);
    let send = || {
        sends.set(sends.get() + 1);
        Ok(())
    };
    assert_eq!(log.deliver("Down:x:resolved:0", send).unwrap(), Delivery::Busy);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(log.deliver("Down:x:resolved:0", send).unwrap(), Delivery::Sent);
    assert_eq!(log.deliver("Down:x:resolved:0", send).unwrap(), Delivery::AlreadySent);
    // A failed send is not recorded: it is tried again.
    let failing =
        DeliveryLog { store, owner: "flaky".into(), lease: Duration::from_secs(5), keep: Duration::from_secs(60) };
    assert!(
        failing
            .deliver("X:y:firing:0", || Err(opsbook::Error::Io { path: "sink".into(), reason: "down".into() }))
            .is_err()
    );
    assert_eq!(failing.deliver("X:y:firing:0", send).unwrap(), Delivery::Sent);
    assert_eq!(sends.get(), 2);
}

#[test]
fn memory_store() {
    exercise(&MemoryStore::new());
    let shared = Arc::new(MemoryStore::new());
    struct Shared(Arc<MemoryStore>);
    impl StateStore for Shared {
        fn get(&self, k: &str) -> opsbook::Result<Option<String>> {
            self.0.get(k)
        }
        fn put(&self, k: &str, v: &str, t: Option<Duration>) -> opsbook::Result<()> {
            self.0.put(k, v, t)
        }
        fn delete(&self, k: &str) -> opsbook::Result<()> {
            self.0.delete(k)
        }
        fn acquire(&self, k: &str, o: &str, t: Duration) -> opsbook::Result<bool> {
            self.0.acquire(k, o, t)
        }
        fn release(&self, k: &str, o: &str) -> opsbook::Result<()> {
            self.0.release(k, o)
        }
    }
    replicas_send_once(&|| Box::new(Shared(shared.clone())));
    a_dead_holder_is_taken_over(&MemoryStore::new());
}

#[test]
fn file_store_shared_by_instances() {
    let dir = std::env::temp_dir().join(format!("opsbook-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    exercise(&FileStore::new(&path));
    // Separate FileStore instances (as separate processes would be) share the file.
    let p = path.clone();
    replicas_send_once(&move || Box::new(FileStore::new(&p)));
    a_dead_holder_is_taken_over(&FileStore::new(&path));
    std::fs::write(&path, "garbage").unwrap();
    let err = FileStore::new(&path).get("k").unwrap_err().to_string();
    assert!(err.contains("not opsbook state") && err.contains("state.json"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redis_store() {
    let url = match std::env::var("OPSBOOK_TEST_REDIS_URL") {
        Ok(u) => u,
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("OPSBOOK_TEST_REDIS_URL is not set"),
        Err(_) => return eprintln!("skipped: OPSBOOK_TEST_REDIS_URL is not set"),
    };
    let prefix = format!("opsbook-test-{}:", std::process::id());
    let store = opsbook::state::RedisStore::new(&url, &prefix).unwrap();
    exercise(&store);
    let (u, p) = (url.clone(), prefix.clone());
    replicas_send_once(&move || Box::new(opsbook::state::RedisStore::new(&u, &p).unwrap()));
    a_dead_holder_is_taken_over(&store);
    let err = opsbook::state::RedisStore::new("redis://:secret@127.0.0.1:1/0", "x:")
        .unwrap()
        .get("k")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("secret"), "{err}");
}

/// A policy whose `[state]` names Redis through `url_env`: two pipelines (two replicas, or
/// two cron runs) continue the same incidents, and the URL with its password never shows.
#[test]
fn pipeline_state_in_redis_named_by_the_policy() {
    let url = match std::env::var("OPSBOOK_TEST_REDIS_URL") {
        Ok(u) => u,
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => panic!("OPSBOOK_TEST_REDIS_URL is not set"),
        Err(_) => return eprintln!("skipped: OPSBOOK_TEST_REDIS_URL is not set"),
    };
    let policy = format!(
        "version = 1\n[[rules]]\nname = \"Down\"\nmetric = \"up\"\nalert_when = \"below 1\"\nseverity = \"critical\"\n\
         [escalation]\nseverities = {{ critical = \"P1\" }}\n\
         [[escalation.levels]]\nname = \"P0\"\nresponse = \"5m\"\n[[escalation.levels]]\nname = \"P1\"\nresponse = \"15m\"\n\
         [state]\nbackend = \"redis\"\nurl_env = \"OPSBOOK_TEST_REDIS_URL\"\nprefix = \"opsbook-pipeline-{}:\"\n",
        std::process::id()
    );
    let policy = opsbook::policy::Policy::from_toml(&policy).unwrap();
    let store = policy.state.as_ref().unwrap().open().unwrap();
    let mut first = policy.alert_pipeline().unwrap();
    let up = |v: f64| vec![opsbook::rules::Sample { metric: "up".into(), labels: Default::default(), value: v }];
    let out = first.evaluate(0, &up(0.0)).unwrap();
    assert_eq!(out.opened, [(0, "INC-0001".to_owned())]);
    first.save(store.as_ref(), "").unwrap();
    let mut second = policy.alert_pipeline().unwrap();
    second.load(store.as_ref(), "").unwrap();
    // The alert is still firing in the restored engine: no new incident, and P1 runs out at 15 min.
    assert!(second.evaluate(60_000, &up(0.0)).unwrap().opened.is_empty());
    let out = second.advance(900_000);
    assert_eq!(out.escalations.len(), 1);
    assert_eq!(out.escalations[0].level, "P0");
    for key in ["rules", "incidents"] {
        store.delete(key).unwrap();
    }
    let summary = policy.summary();
    assert!(summary.contains("redis from $OPSBOOK_TEST_REDIS_URL") && !summary.contains(&url), "{summary}");
}
