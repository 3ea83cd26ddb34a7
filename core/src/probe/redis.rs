//! Redis: PING latency, memory used against maxmemory (or a limit the check sets),
//! connected clients and evicted keys.

use std::time::Instant;

use crate::check::Measurement;
use crate::probe::{elapsed_ms, probe_error};
use crate::redact::redact;
use crate::runner::{Probe, ProbeFuture, Reading};

/// Connects to `url` (`redis://[:password@]host:port/db`), sends PING and reads INFO.
#[derive(Debug, Clone)]
pub struct RedisProbe {
    pub url: String,
}

/// One field of INFO's `key:value` lines.
fn info_field(info: &str, key: &str) -> Option<f64> {
    info.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(':')?.trim().parse().ok())
}

impl Probe for RedisProbe {
    fn kind(&self) -> &'static str {
        "redis"
    }
    fn component_type(&self) -> &'static str {
        "datastore"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            let shown = redact(&self.url);
            let fail = |what: &str, e: redis::RedisError| probe_error("redis", format!("{what} {shown}: {e}"));
            let client = redis::Client::open(self.url.as_str()).map_err(|e| fail("invalid URL", e))?;
            let start = Instant::now();
            let mut conn = client.get_multiplexed_async_connection().await.map_err(|e| fail("connect to", e))?;
            let pong: String = redis::cmd("PING").query_async(&mut conn).await.map_err(|e| fail("PING", e))?;
            let ping_ms = elapsed_ms(start);
            if pong != "PONG" {
                return Err(probe_error("redis", format!("PING answered {pong:?}")));
            }
            let info: String = redis::cmd("INFO").query_async(&mut conn).await.map_err(|e| fail("INFO", e))?;
            let used = info_field(&info, "used_memory").unwrap_or(f64::NAN);
            let max = info_field(&info, "maxmemory").unwrap_or(0.0);
            let mut ms = vec![
                Measurement::new("ping_time", ping_ms)?.with_unit("ms"),
                Measurement::new("used_memory", used)?
                    .with_unit("B")
                    .with_bounds(Some(0.0), (max > 0.0).then_some(max)),
                Measurement::new("connected_clients", info_field(&info, "connected_clients").unwrap_or(f64::NAN))?,
                Measurement::new("evicted_keys", info_field(&info, "evicted_keys").unwrap_or(f64::NAN))?.with_unit("c"),
            ];
            // With maxmemory set, usage against it is what the manuals alert on.
            if max > 0.0 {
                ms.push(
                    Measurement::new("used_memory_ratio", used * 100.0 / max)?
                        .with_unit("%")
                        .with_bounds(Some(0.0), Some(100.0)),
                );
            }
            let mut reading = Reading::new(ms);
            reading.summary = Some(format!("{shown}: PONG in {ping_ms:.1} ms, used_memory {used} B"));
            Ok(reading)
        })
    }
}
