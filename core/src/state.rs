//! The one place opsbook keeps state between evaluations and between processes (DESIGN's
//! Contract): a local file (atomic write-and-rename under a file lock) is the embedded
//! default, Redis is the shared one for replicas, memory is for tests and short-lived use.
//! Values expire when given a time to live; leases (`SET NX PX` in Redis) let replicas agree
//! on who does something once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// Where state lives.
pub trait StateStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>>;
    /// Stores `value`, expiring after `ttl` when given.
    fn put(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<()>;
    fn delete(&self, key: &str) -> Result<()>;
    /// Takes the lease `key` for `owner` unless someone holds it; true when taken.
    fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool>;
    /// Gives the lease back if `owner` still holds it.
    fn release(&self, key: &str, owner: &str) -> Result<()>;
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn expiry(ttl: Option<Duration>) -> Option<i64> {
    ttl.map(|t| now_ms() + t.as_millis() as i64)
}

/// Entries with their expiry (ms since the epoch).
type Entries = BTreeMap<String, (String, Option<i64>)>;

fn live(entries: &mut Entries) {
    let now = now_ms();
    entries.retain(|_, (_, exp)| exp.is_none_or(|e| e > now));
}

fn acquire_in(entries: &mut Entries, key: &str, owner: &str, ttl: Duration) -> bool {
    live(entries);
    if entries.contains_key(key) {
        return false;
    }
    entries.insert(key.to_owned(), (owner.to_owned(), expiry(Some(ttl))));
    true
}

fn release_in(entries: &mut Entries, key: &str, owner: &str) {
    if entries.get(key).is_some_and(|(v, _)| v == owner) {
        entries.remove(key);
    }
}

/// State in this process only.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<Entries>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Entries) -> T) -> T {
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        live(&mut guard);
        f(&mut guard)
    }
}

impl StateStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.with(|e| e.get(key).map(|(v, _)| v.clone())))
    }
    fn put(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<()> {
        self.with(|e| e.insert(key.to_owned(), (value.to_owned(), expiry(ttl))));
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.with(|e| e.remove(key));
        Ok(())
    }
    fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool> {
        Ok(self.with(|e| acquire_in(e, key, owner, ttl)))
    }
    fn release(&self, key: &str, owner: &str) -> Result<()> {
        self.with(|e| release_in(e, key, owner));
        Ok(())
    }
}

/// State in one JSON file, shared by the processes of one host: every change takes an
/// exclusive `flock` on `<file>.lock`, reads the file, and writes a temporary file that is
/// renamed over it, so a crash never leaves half a file.
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: impl Into<PathBuf>) -> FileStore {
        FileStore { path: path.into() }
    }

    fn io(&self, e: impl std::fmt::Display) -> Error {
        Error::Io { path: self.path.display().to_string(), reason: e.to_string() }
    }

    fn with<T>(&self, write: bool, f: impl FnOnce(&mut Entries) -> T) -> Result<T> {
        let lock_path = self.path.with_extension("lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| self.io(e))?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive).map_err(|e| self.io(e))?;
        let mut entries: Entries = match std::fs::read_to_string(&self.path) {
            Ok(text) => {
                let doc: Value = serde_json::from_str(&text).map_err(|e| self.io(format!("not opsbook state: {e}")))?;
                doc.as_object()
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| {
                                Some((
                                    k.clone(),
                                    (v.get("value")?.as_str()?.to_owned(), v.get("expires").and_then(Value::as_i64)),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Entries::new(),
            Err(e) => return Err(self.io(e)),
        };
        live(&mut entries);
        let out = f(&mut entries);
        if write {
            let doc: serde_json::Map<String, Value> =
                entries.iter().map(|(k, (v, exp))| (k.clone(), json!({"value": v, "expires": exp}))).collect();
            let tmp = self.path.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, Value::Object(doc).to_string()).map_err(|e| self.io(e))?;
            std::fs::rename(&tmp, &self.path).map_err(|e| self.io(e))?;
        }
        // The lock is released when `lock` closes.
        Ok(out)
    }
}

impl StateStore for FileStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        self.with(false, |e| e.get(key).map(|(v, _)| v.clone()))
    }
    fn put(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<()> {
        self.with(true, |e| {
            e.insert(key.to_owned(), (value.to_owned(), expiry(ttl)));
        })
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.with(true, |e| {
            e.remove(key);
        })
    }
    fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool> {
        self.with(true, |e| acquire_in(e, key, owner, ttl))
    }
    fn release(&self, key: &str, owner: &str) -> Result<()> {
        self.with(true, |e| release_in(e, key, owner))
    }
}

/// State in Redis, shared by replicas: values with `SET ... PX`, leases with `SET NX PX`,
/// release by a compare-and-delete script. Keys are prefixed (default `opsbook:`).
#[cfg(feature = "redis")]
pub struct RedisStore {
    client: redis::Client,
    shown: String,
    prefix: String,
}

#[cfg(feature = "redis")]
impl RedisStore {
    pub fn new(url: &str, prefix: &str) -> Result<RedisStore> {
        let shown = crate::redact::redact(url).into_owned();
        let client = redis::Client::open(url).map_err(|e| Error::Io { path: shown.clone(), reason: e.to_string() })?;
        Ok(RedisStore { client, shown, prefix: prefix.to_owned() })
    }

    fn run<T: redis::FromRedisValue + Send + 'static>(&self, cmd: redis::Cmd) -> Result<T> {
        let client = self.client.clone();
        let shown = self.shown.clone();
        crate::runtime::block_on(async move {
            let mut conn = client
                .get_multiplexed_async_connection()
                .await
                .map_err(|e| Error::Io { path: shown.clone(), reason: e.to_string() })?;
            cmd.query_async(&mut conn).await.map_err(|e| Error::Io { path: shown, reason: e.to_string() })
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

#[cfg(feature = "redis")]
impl StateStore for RedisStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        self.run(redis::cmd("GET").arg(self.key(key)).clone())
    }
    fn put(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<()> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(key)).arg(value);
        if let Some(t) = ttl {
            cmd.arg("PX").arg(t.as_millis().max(1) as u64);
        }
        self.run::<()>(cmd)
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.run::<()>(redis::cmd("DEL").arg(self.key(key)).clone())
    }
    fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool> {
        let reply: Option<String> = self.run(
            redis::cmd("SET")
                .arg(self.key(key))
                .arg(owner)
                .arg("NX")
                .arg("PX")
                .arg(ttl.as_millis().max(1) as u64)
                .clone(),
        )?;
        Ok(reply.is_some())
    }
    fn release(&self, key: &str, owner: &str) -> Result<()> {
        const SCRIPT: &str =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
        self.run::<i64>(redis::cmd("EVAL").arg(SCRIPT).arg(1).arg(self.key(key)).arg(owner).clone()).map(|_| ())
    }
}

/// Saves a snapshot's text under `key` (kept until replaced).
pub fn save_snapshot(store: &dyn StateStore, key: &str, snapshot: String) -> Result<()> {
    store.put(key, &snapshot, None)
}

/// Restores what `key` holds through `restore`; false when nothing was saved there.
pub fn load_snapshot(store: &dyn StateStore, key: &str, restore: impl FnOnce(&str) -> Result<()>) -> Result<bool> {
    match store.get(key)? {
        Some(text) => restore(&text).map(|_| true),
        None => Ok(false),
    }
}

/// Runs `f` while holding the lease `key`, waiting up to `wait` for another holder to let
/// go: a load-change-save of shared state (an operator acknowledging from one shell while
/// cron evaluates in another) then never overwrites the other's change. The lease expires
/// after `hold` should this process die inside `f`.
pub fn with_lease<T>(
    store: &dyn StateStore,
    key: &str,
    wait: Duration,
    hold: Duration,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let owner = format!("{}:{}", std::process::id(), now_ms());
    let deadline = std::time::Instant::now() + wait;
    while !store.acquire(key, &owner, hold)? {
        if std::time::Instant::now() >= deadline {
            return Err(Error::invalid_value(
                "state",
                key,
                format!("held by another process for more than {} ms", wait.as_millis()),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = f();
    store.release(key, &owner)?;
    out
}

/// Sends each notification once across replicas sharing a store: a delivery is identified
/// by a key (rule, alert fingerprint, transition and its time); a replica sends only while it
/// holds the delivery's lease and records it as done afterwards, so a firing notification
/// goes out at most once per transition while leases hold, and a resolved one is retried by
/// another replica when the sender died before recording it (at least once).
pub struct DeliveryLog<'a> {
    pub store: &'a dyn StateStore,
    pub owner: String,
    pub lease: Duration,
    /// How long a done mark is kept (longer than any replay of the same transition).
    pub keep: Duration,
}

/// What `deliver` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    AlreadySent,
    /// Another replica holds the lease now; try again later (its lease may expire).
    Busy,
}

impl DeliveryLog<'_> {
    /// Runs `send` unless the delivery `id` is done or leased by someone else.
    pub fn deliver(&self, id: &str, send: impl FnOnce() -> Result<()>) -> Result<Delivery> {
        let done = format!("sent:{id}");
        if self.store.get(&done)?.is_some() {
            return Ok(Delivery::AlreadySent);
        }
        let lease = format!("lease:{id}");
        if !self.store.acquire(&lease, &self.owner, self.lease)? {
            return Ok(Delivery::Busy);
        }
        // Checked again under the lease: another replica may have finished meanwhile.
        if self.store.get(&done)?.is_some() {
            self.store.release(&lease, &self.owner)?;
            return Ok(Delivery::AlreadySent);
        }
        let sent = send();
        if sent.is_ok() {
            self.store.put(&done, &self.owner, Some(self.keep))?;
        }
        self.store.release(&lease, &self.owner)?;
        sent.map(|_| Delivery::Sent)
    }
}

/// The delivery id of an alert event: rule, fingerprint, kind and the time the alert became
/// active (the same transition replayed by every replica gives the same id).
pub fn delivery_id(event: &crate::rules::Event) -> String {
    format!("{}:{}:{}:{}", event.rule, event.fingerprint, event.kind.as_str(), event.active_at_ms)
}

/// The `[state]` table of a policy: where the state of its rules, notifications and
/// incidents lives between runs.
///
/// ```toml
/// [state]
/// backend = "file"                  # the default
/// path = "/var/lib/opsbook/state.json"
///
/// # or, shared by replicas:
/// # backend = "redis"
/// # url_env = "OPSBOOK_REDIS_URL"   # the URL (with its password) from the environment
/// # prefix = "edu:"                 # key prefix, default "opsbook:"
/// ```
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateConfig {
    #[serde(default)]
    pub backend: StateBackend,
    pub path: Option<PathBuf>,
    pub url_env: Option<String>,
    pub prefix: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateBackend {
    #[default]
    File,
    Redis,
    Memory,
}

impl StateConfig {
    /// A local state file.
    pub fn file(path: impl Into<PathBuf>) -> StateConfig {
        StateConfig { backend: StateBackend::File, path: Some(path.into()), url_env: None, prefix: None }
    }

    /// Reads a `[state]` table (TOML turned into JSON values, or JSON) and checks it.
    pub fn from_value(doc: &Value) -> Result<StateConfig> {
        let config: StateConfig = serde_path_to_error::deserialize(doc).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { "state".to_owned() } else { format!("state.{path}") };
            Error::invalid_value(&field, "", e.into_inner().to_string())
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        let refuse = |key: &str, why: &str| Err(Error::invalid_value(&format!("state.{key}"), "", why));
        match self.backend {
            StateBackend::File => {
                if self.path.is_none() {
                    return refuse("path", "missing: the file backend needs a path");
                }
                if self.url_env.is_some() || self.prefix.is_some() {
                    return refuse("url_env", "only the redis backend takes url_env and prefix");
                }
            }
            StateBackend::Redis => {
                if self.url_env.is_none() {
                    return refuse("url_env", "missing: name the environment variable holding the Redis URL");
                }
                if self.path.is_some() {
                    return refuse("path", "only the file backend takes a path");
                }
            }
            StateBackend::Memory => {
                if self.path.is_some() || self.url_env.is_some() {
                    return refuse("backend", "the memory backend takes no path or url_env");
                }
            }
        }
        Ok(())
    }

    /// Opens the store (a Redis URL is read from the environment now and never printed).
    pub fn open(&self) -> Result<Box<dyn StateStore>> {
        self.validate()?;
        match self.backend {
            StateBackend::File => Ok(Box::new(FileStore::new(self.path.clone().unwrap_or_default()))),
            StateBackend::Memory => Ok(Box::new(MemoryStore::new())),
            #[cfg(feature = "redis")]
            StateBackend::Redis => {
                let var = self.url_env.as_deref().unwrap_or_default();
                let url = std::env::var(var)
                    .map_err(|_| Error::invalid_value("state.url_env", var, "this environment variable is not set"))?;
                Ok(Box::new(RedisStore::new(&url, self.prefix.as_deref().unwrap_or("opsbook:"))?))
            }
            #[cfg(not(feature = "redis"))]
            StateBackend::Redis => {
                Err(Error::invalid_value("state.backend", "redis", "this build of opsbook has no Redis support"))
            }
        }
    }
}
