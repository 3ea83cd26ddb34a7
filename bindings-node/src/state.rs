//! Where state lives between evaluations and processes, and sending each alert transition
//! once across replicas (cluster workers evaluating the same rules). Redis calls block the
//! calling thread briefly.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{Function, Unknown};
use napi_derive::napi;

use opsbook::state::{Delivery, DeliveryLog as CoreLog, FileStore, MemoryStore, StateStore};

use crate::errors::IntoJsResult;
use crate::rules::AlertEvent;

fn duration(field: &str, seconds: f64) -> napi::Result<Duration, String> {
    opsbook::check::duration_from_secs(field, seconds).js_err()
}

/// A state store: `Store.memory()`, `Store.file(path)` or `Store.redis(url, prefix?)`.
#[napi]
pub struct Store {
    inner: Arc<dyn StateStore>,
}

impl Store {
    pub(crate) fn store(&self) -> &dyn StateStore {
        self.inner.as_ref()
    }
}

#[napi]
impl Store {
    #[napi(factory)]
    pub fn memory() -> Store {
        Store { inner: Arc::new(MemoryStore::new()) }
    }

    #[napi(factory)]
    pub fn file(path: String) -> Store {
        Store { inner: Arc::new(FileStore::new(path)) }
    }

    #[napi(factory)]
    pub fn redis(url: String, prefix: Option<String>) -> napi::Result<Store, String> {
        let store = opsbook::state::RedisStore::new(&url, prefix.as_deref().unwrap_or("opsbook:")).js_err()?;
        Ok(Store { inner: Arc::new(store) })
    }

    /// The store a policy's `[state]` table names (`{ backend: "file", path }` or
    /// `{ backend: "redis", url_env: "OPSBOOK_REDIS_URL" }`; the URL is read from the environment).
    #[napi(factory)]
    pub fn from_config(config: serde_json::Value) -> napi::Result<Store, String> {
        let config = opsbook::state::StateConfig::from_value(&config).js_err()?;
        Ok(Store { inner: Arc::from(config.open().js_err()?) })
    }

    #[napi]
    pub fn get(&self, key: String) -> napi::Result<Option<String>, String> {
        self.inner.get(&key).js_err()
    }

    /// Stores `value`, expiring after `ttl` seconds when given.
    #[napi]
    pub fn put(&self, key: String, value: String, ttl: Option<f64>) -> napi::Result<(), String> {
        let ttl = ttl.map(|t| duration("ttl", t)).transpose()?;
        self.inner.put(&key, &value, ttl).js_err()
    }

    #[napi]
    pub fn delete(&self, key: String) -> napi::Result<(), String> {
        self.inner.delete(&key).js_err()
    }

    /// Takes the lease `key` for `owner` for `ttl` seconds unless someone holds it.
    #[napi]
    pub fn acquire(&self, key: String, owner: String, ttl: f64) -> napi::Result<bool, String> {
        self.inner.acquire(&key, &owner, duration("ttl", ttl)?).js_err()
    }

    #[napi]
    pub fn release(&self, key: String, owner: String) -> napi::Result<(), String> {
        self.inner.release(&key, &owner).js_err()
    }
}

/// Sends each notification once across replicas sharing a store.
#[napi]
pub struct DeliveryLog {
    store: Arc<dyn StateStore>,
    owner: String,
    lease: Duration,
    keep: Duration,
}

#[napi]
impl DeliveryLog {
    /// `lease`: seconds a dead sender blocks the others (30); `keep`: seconds a sent mark is
    /// remembered (86400).
    #[napi(constructor)]
    pub fn new(
        store: &Store,
        owner: String,
        lease: Option<f64>,
        keep: Option<f64>,
    ) -> napi::Result<DeliveryLog, String> {
        Ok(DeliveryLog {
            store: store.inner.clone(),
            owner,
            lease: duration("lease", lease.unwrap_or(30.0))?,
            keep: duration("keep", keep.unwrap_or(86_400.0))?,
        })
    }

    /// Calls `send()` unless delivery `id` was sent or another replica holds it: "sent",
    /// "already_sent" or "busy". If `send` throws, the delivery stays unsent and an
    /// OPSBOOK_IO error carrying its message is thrown.
    #[napi]
    pub fn deliver(&self, id: String, send: Function<(), Unknown>) -> napi::Result<String, String> {
        let log = CoreLog { store: self.store.as_ref(), owner: self.owner.clone(), lease: self.lease, keep: self.keep };
        let outcome = log
            .deliver(&id, || {
                send.call(())
                    .map(|_| ())
                    .map_err(|e| opsbook::Error::Io { path: "send".into(), reason: e.reason.clone() })
            })
            .js_err()?;
        Ok(match outcome {
            Delivery::Sent => "sent",
            Delivery::AlreadySent => "already_sent",
            Delivery::Busy => "busy",
        }
        .to_owned())
    }
}

/// The delivery id of an event: the same transition gives the same id on every replica.
#[napi]
pub fn delivery_id(event: AlertEvent) -> napi::Result<String, String> {
    Ok(opsbook::state::delivery_id(&crate::rules::core_event(&event)?))
}
