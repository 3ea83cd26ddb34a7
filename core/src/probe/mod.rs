//! Probes: readings of the real world, as `Measurement`s. Probing does I/O; evaluation
//! (thresholds) stays pure in the runner, so every result can be replayed offline.

#[cfg(feature = "backup")]
pub mod backup;
#[cfg(feature = "system")]
pub mod cgroup;
#[cfg(feature = "command")]
pub mod command;
#[cfg(feature = "files")]
pub mod files;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "system")]
pub mod io;
#[cfg(all(feature = "logs", feature = "runtime"))]
pub mod loganalysis;
#[cfg(feature = "logscan")]
pub mod logscan;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "system")]
pub mod process;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "system")]
pub mod system;
#[cfg(feature = "net")]
pub mod tcp;
#[cfg(feature = "tls")]
pub mod tls;

use crate::error::Error;

#[allow(dead_code)] // used by the feature-gated probes above
pub(crate) fn probe_error(probe: &str, reason: impl std::fmt::Display) -> Error {
    Error::Probe { probe: probe.to_owned(), reason: crate::redact::redact(&reason.to_string()).into_owned() }
}

/// The rustls crypto provider (ring), installed as the process default once; another part
/// of the process may have installed one already, and either serves.
#[cfg(any(feature = "http", feature = "tls"))]
pub(crate) fn crypto_provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| std::sync::Arc::new(rustls::crypto::ring::default_provider()))
}

/// Milliseconds elapsed since `start`, as a measurement value.
#[allow(dead_code)]
pub(crate) fn elapsed_ms(start: std::time::Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}
