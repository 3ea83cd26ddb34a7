//! `opsbook.state` (wraps `opsbook::state`): where state lives between evaluations and
//! processes, and sending each alert transition once across replicas (gunicorn/uvicorn
//! workers evaluating the same rules).

use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;

use opsbook::state::{Delivery, DeliveryLog as CoreLog, FileStore, MemoryStore, StateStore};

use crate::errors::IntoPyResult;
use crate::rules::AlertEvent;

fn duration(field: &str, seconds: f64) -> PyResult<Duration> {
    opsbook::check::duration_from_secs(field, seconds).py_err()
}

/// A state store: `Store.memory()`, `Store.file(path)` (shared by the processes of one
/// host) or `Store.redis(url)` (shared by replicas; `url_env`-style secrets stay yours).
#[pyclass(frozen, module = "opsbook")]
pub struct Store {
    inner: Arc<dyn StateStore>,
}

impl Store {
    pub(crate) fn store(&self) -> &dyn StateStore {
        self.inner.as_ref()
    }
}

#[pymethods]
impl Store {
    #[staticmethod]
    fn memory() -> Store {
        Store { inner: Arc::new(MemoryStore::new()) }
    }

    #[staticmethod]
    fn file(path: std::path::PathBuf) -> Store {
        Store { inner: Arc::new(FileStore::new(path)) }
    }

    #[staticmethod]
    #[pyo3(signature = (url, prefix = "opsbook:"))]
    fn redis(url: &str, prefix: &str) -> PyResult<Store> {
        Ok(Store { inner: Arc::new(opsbook::state::RedisStore::new(url, prefix).py_err()?) })
    }

    /// The store a policy's `[state]` table names (`{"backend": "file", "path": ...}` or
    /// `{"backend": "redis", "url_env": "OPSBOOK_REDIS_URL"}`; the URL is read from the
    /// environment).
    #[staticmethod]
    fn from_config(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<Store> {
        let text: String = py.import("json")?.call_method1("dumps", (config,))?.extract()?;
        let doc: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| crate::errors::invalid_value("config", "", format!("not JSON: {e}")))?;
        let config = opsbook::state::StateConfig::from_value(&doc).py_err()?;
        Ok(Store { inner: Arc::from(config.open().py_err()?) })
    }

    fn get(&self, py: Python<'_>, key: &str) -> PyResult<Option<String>> {
        let s = self.inner.clone();
        py.detach(|| s.get(key)).py_err()
    }

    /// Stores `value`, expiring after `ttl` seconds when given.
    #[pyo3(signature = (key, value, ttl = None))]
    fn put(&self, py: Python<'_>, key: &str, value: &str, ttl: Option<f64>) -> PyResult<()> {
        let ttl = ttl.map(|t| duration("ttl", t)).transpose()?;
        let s = self.inner.clone();
        py.detach(|| s.put(key, value, ttl)).py_err()
    }

    fn delete(&self, py: Python<'_>, key: &str) -> PyResult<()> {
        let s = self.inner.clone();
        py.detach(|| s.delete(key)).py_err()
    }

    /// Takes the lease `key` for `owner` for `ttl` seconds unless someone holds it.
    fn acquire(&self, py: Python<'_>, key: &str, owner: &str, ttl: f64) -> PyResult<bool> {
        let ttl = duration("ttl", ttl)?;
        let s = self.inner.clone();
        py.detach(|| s.acquire(key, owner, ttl)).py_err()
    }

    fn release(&self, py: Python<'_>, key: &str, owner: &str) -> PyResult<()> {
        let s = self.inner.clone();
        py.detach(|| s.release(key, owner)).py_err()
    }
}

/// Sends each notification once across replicas sharing a store.
#[pyclass(frozen, module = "opsbook")]
pub struct DeliveryLog {
    store: Arc<dyn StateStore>,
    owner: String,
    lease: Duration,
    keep: Duration,
}

#[pymethods]
impl DeliveryLog {
    /// `owner` names this replica (e.g. hostname:pid); `lease` bounds how long a dead
    /// sender blocks the others; `keep` how long a sent mark is remembered (seconds).
    #[new]
    #[pyo3(signature = (store, owner, lease = 30.0, keep = 86_400.0))]
    fn new(store: &Store, owner: String, lease: f64, keep: f64) -> PyResult<DeliveryLog> {
        Ok(DeliveryLog {
            store: store.inner.clone(),
            owner,
            lease: duration("lease", lease)?,
            keep: duration("keep", keep)?,
        })
    }

    /// Calls `send()` unless delivery `id` was sent or another replica holds it; returns
    /// "sent", "already_sent" or "busy" (try again later). An exception from `send` is
    /// raised again and the delivery stays unsent.
    fn deliver(&self, py: Python<'_>, id: &str, send: Py<PyAny>) -> PyResult<&'static str> {
        let log = CoreLog { store: self.store.as_ref(), owner: self.owner.clone(), lease: self.lease, keep: self.keep };
        let mut raised: Option<PyErr> = None;
        let outcome = log.deliver(id, || match send.call0(py) {
            Ok(_) => Ok(()),
            Err(e) => {
                let reason = e.to_string();
                raised = Some(e);
                Err(opsbook::Error::Io { path: "send".into(), reason })
            }
        });
        if let Some(e) = raised {
            return Err(e);
        }
        Ok(match outcome.py_err()? {
            Delivery::Sent => "sent",
            Delivery::AlreadySent => "already_sent",
            Delivery::Busy => "busy",
        })
    }
}

/// The delivery id of an event: the same transition gives the same id on every replica.
#[pyfunction]
pub fn delivery_id(event: &AlertEvent) -> PyResult<String> {
    Ok(opsbook::state::delivery_id(&crate::rules::core_event(event)?))
}
