//! PostgreSQL: connect + `SELECT 1` latency, connections used against max_connections,
//! long-running queries, idle-in-transaction sessions, replication lag on a replica.

use std::time::{Duration, Instant};

use tokio_postgres::NoTls;

use crate::check::Measurement;
use crate::probe::{elapsed_ms, probe_error};
use crate::redact::redact;
use crate::runner::{Probe, ProbeFuture, Reading};

/// Connects with a libpq-style DSN or URL (`postgresql://user:pw@host:port/db`). Queries
/// longer than `long_query` count as long-running (the manuals use 5 minutes).
#[derive(Debug, Clone)]
pub struct PostgresProbe {
    pub dsn: String,
    pub long_query: Duration,
}

impl PostgresProbe {
    pub fn new(dsn: impl Into<String>) -> PostgresProbe {
        PostgresProbe { dsn: dsn.into(), long_query: Duration::from_secs(300) }
    }
}

const STATS: &str = "SELECT \
    (SELECT count(*) FROM pg_stat_activity)::float8, \
    current_setting('max_connections')::float8, \
    (SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND now() - query_start > make_interval(secs => $1))::float8, \
    (SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%')::float8, \
    pg_is_in_recovery(), \
    CASE WHEN pg_is_in_recovery() THEN COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8 END";

impl Probe for PostgresProbe {
    fn kind(&self) -> &'static str {
        "postgres"
    }
    fn component_type(&self) -> &'static str {
        "datastore"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            let shown = redact(&self.dsn);
            let fail = |what: &str, e: tokio_postgres::Error| probe_error("postgres", format!("{what} {shown}: {e}"));
            let start = Instant::now();
            let (client, connection) =
                tokio_postgres::connect(&self.dsn, NoTls).await.map_err(|e| fail("connect to", e))?;
            // The connection future does the I/O; it ends when the client is dropped.
            let driver = tokio::spawn(connection);
            let one: i32 = client.query_one("SELECT 1", &[]).await.map_err(|e| fail("SELECT 1 on", e))?.get(0);
            let select_ms = elapsed_ms(start);
            if one != 1 {
                return Err(probe_error("postgres", format!("SELECT 1 answered {one}")));
            }
            let row = client
                .query_one(STATS, &[&self.long_query.as_secs_f64()])
                .await
                .map_err(|e| fail("reading pg_stat_activity on", e))?;
            let (used, max, long, idle_tx): (f64, f64, f64, f64) = (row.get(0), row.get(1), row.get(2), row.get(3));
            let replica: bool = row.get(4);
            let lag: Option<f64> = row.get(5);
            drop(client);
            let _ = driver.await;
            let mut ms = vec![
                Measurement::new("select_time", select_ms)?.with_unit("ms"),
                Measurement::new("connections", used)?.with_bounds(Some(0.0), Some(max)),
                Measurement::new("connections_used", used * 100.0 / max)?
                    .with_unit("%")
                    .with_bounds(Some(0.0), Some(100.0)),
                Measurement::new("long_queries", long)?,
                Measurement::new("idle_in_transaction", idle_tx)?,
            ];
            if replica {
                ms.push(Measurement::new("replication_lag", lag.unwrap_or(f64::NAN))?.with_unit("s"));
            }
            let mut reading = Reading::new(ms);
            reading.summary = Some(format!("{shown}: SELECT 1 in {select_ms:.1} ms, {used}/{max} connections"));
            Ok(reading)
        })
    }
}
