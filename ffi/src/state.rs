//! Where state lives (`opsbook_store`: memory, a file, Redis) and sending each alert
//! transition once across replicas (`opsbook_deliver`). The events JSON that
//! `opsbook_rule_engine_evaluate` returns carries each event's `delivery_id`.

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;
use std::time::Duration;

use opsbook::state::{Delivery, DeliveryLog, FileStore, MemoryStore, StateStore};

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, put_string};

/// A state store.
pub struct opsbook_store {
    inner: Arc<dyn StateStore>,
}

/// What `opsbook_deliver` did. Passed as `uint32_t`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum opsbook_delivery {
    /// `send` ran and succeeded; the delivery is recorded.
    OPSBOOK_DELIVERY_SENT = 0,
    /// Another replica sent it already.
    OPSBOOK_DELIVERY_ALREADY_SENT = 1,
    /// Another replica holds its lease now: try again later.
    OPSBOOK_DELIVERY_BUSY = 2,
}

/// Sends a notification; returns 0 on success. `ctx` is the caller's.
pub type opsbook_send_fn = Option<unsafe extern "C" fn(ctx: *mut c_void) -> c_int>;

fn put_store(out: *mut *mut opsbook_store, inner: Arc<dyn StateStore>) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = Box::into_raw(Box::new(opsbook_store { inner })) };
    Ok(())
}

fn secs(field: &str, s: f64) -> Result<Duration, opsbook_result> {
    opsbook::check::duration_from_secs(field, s).map_err(fail)
}

pub(crate) fn store<'a>(p: *const opsbook_store) -> Result<&'a Arc<dyn StateStore>, opsbook_result> {
    unsafe { p.as_ref() }.map(|s| &s.inner).ok_or_else(|| null_argument("store"))
}

/// The store a policy's `[state]` table names, as JSON (`{"backend": "file", "path": ...}`
/// or `{"backend": "redis", "url_env": "OPSBOOK_REDIS_URL"}`; the URL is read from the
/// environment).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_from_config(
    config_json: *const c_char,
    out: *mut *mut opsbook_store,
) -> opsbook_result {
    guard(|| {
        let text = unsafe { c_str(config_json, "config_json") }?;
        let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            fail(opsbook::Error::InvalidValue {
                field: "config_json".into(),
                value: String::new(),
                reason: e.to_string(),
            })
        })?;
        let config = opsbook::state::StateConfig::from_value(&doc).map_err(fail)?;
        put_store(out, Arc::from(config.open().map_err(fail)?))
    })
}

/// A store in this process.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_memory(out: *mut *mut opsbook_store) -> opsbook_result {
    guard(|| put_store(out, Arc::new(MemoryStore::new())))
}

/// A store in one JSON file shared by the processes of a host (flock, write-and-rename).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_file(path: *const c_char, out: *mut *mut opsbook_store) -> opsbook_result {
    guard(|| put_store(out, Arc::new(FileStore::new(unsafe { c_str(path, "path") }?))))
}

/// A store in Redis shared by replicas; keys start with `prefix` ("opsbook:" when NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_redis(
    url: *const c_char,
    prefix: *const c_char,
    out: *mut *mut opsbook_store,
) -> opsbook_result {
    guard(|| {
        let url = unsafe { c_str(url, "url") }?;
        let prefix = if prefix.is_null() { "opsbook:" } else { unsafe { c_str(prefix, "prefix") }? };
        put_store(out, Arc::new(opsbook::state::RedisStore::new(url, prefix).map_err(fail)?))
    })
}

/// The value of `key` into `*out` (free with `opsbook_string_free`), or NULL when absent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_get(
    s: *const opsbook_store,
    key: *const c_char,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let value = store(s)?.get(unsafe { c_str(key, "key") }?).map_err(fail)?;
        match value {
            Some(v) => put_string(out, v),
            None if out.is_null() => Err(null_argument("out")),
            None => {
                unsafe { *out = std::ptr::null_mut() };
                Ok(())
            }
        }
    })
}

/// Stores `value`, expiring after `ttl_seconds` (a negative value: never).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_put(
    s: *const opsbook_store,
    key: *const c_char,
    value: *const c_char,
    ttl_seconds: f64,
) -> opsbook_result {
    guard(|| {
        let ttl = if ttl_seconds < 0.0 { None } else { Some(secs("ttl_seconds", ttl_seconds)?) };
        store(s)?.put(unsafe { c_str(key, "key") }?, unsafe { c_str(value, "value") }?, ttl).map_err(fail)
    })
}

/// Takes the lease `key` for `owner` for `ttl_seconds` unless someone holds it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_acquire(
    s: *const opsbook_store,
    key: *const c_char,
    owner: *const c_char,
    ttl_seconds: f64,
    taken: *mut bool,
) -> opsbook_result {
    guard(|| {
        let got = store(s)?
            .acquire(
                unsafe { c_str(key, "key") }?,
                unsafe { c_str(owner, "owner") }?,
                secs("ttl_seconds", ttl_seconds)?,
            )
            .map_err(fail)?;
        if taken.is_null() {
            return Err(null_argument("taken"));
        }
        unsafe { *taken = got };
        Ok(())
    })
}

/// Gives a lease back if `owner` holds it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_release(
    s: *const opsbook_store,
    key: *const c_char,
    owner: *const c_char,
) -> opsbook_result {
    guard(|| store(s)?.release(unsafe { c_str(key, "key") }?, unsafe { c_str(owner, "owner") }?).map_err(fail))
}

/// Frees a store. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_store_free(s: *mut opsbook_store) {
    if !s.is_null() {
        drop(unsafe { Box::from_raw(s) });
    }
}

/// Calls `send(ctx)` unless delivery `id` was sent or another replica holds its lease;
/// `*outcome` is an `opsbook_delivery`. A non-zero return from `send` leaves the delivery
/// unsent and answers `OPSBOOK_RESULT_IO`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_deliver(
    s: *const opsbook_store,
    owner: *const c_char,
    lease_seconds: f64,
    keep_seconds: f64,
    id: *const c_char,
    send: opsbook_send_fn,
    ctx: *mut c_void,
    outcome: *mut u32,
) -> opsbook_result {
    guard(|| {
        let store = store(s)?;
        let send = send.ok_or_else(|| null_argument("send"))?;
        if outcome.is_null() {
            return Err(null_argument("outcome"));
        }
        let log = DeliveryLog {
            store: store.as_ref(),
            owner: unsafe { c_str(owner, "owner") }?.to_owned(),
            lease: secs("lease_seconds", lease_seconds)?,
            keep: secs("keep_seconds", keep_seconds)?,
        };
        let id = unsafe { c_str(id, "id") }?;
        let done = log
            .deliver(id, || match unsafe { send(ctx) } {
                0 => Ok(()),
                code => Err(opsbook::Error::Io { path: "send".into(), reason: format!("send returned {code}") }),
            })
            .map_err(fail)?;
        let code = match done {
            Delivery::Sent => opsbook_delivery::OPSBOOK_DELIVERY_SENT,
            Delivery::AlreadySent => opsbook_delivery::OPSBOOK_DELIVERY_ALREADY_SENT,
            Delivery::Busy => opsbook_delivery::OPSBOOK_DELIVERY_BUSY,
        };
        unsafe { *outcome = code as u32 };
        Ok(())
    })
}
