//! Probes (wrap `opsbook::probe`), run on napi's Tokio runtime, off the JS thread and off
//! libuv's small thread pool.

use napi_derive::napi;

use crate::check::HealthReport;

/// Checks this host (CPU sampled for `cpuSampleMs`, default 500; memory, swap, load, every
/// mounted disk) against the manuals' default thresholds.
#[napi]
pub async fn check_system(cpu_sample_ms: Option<u32>) -> napi::Result<HealthReport> {
    // A u32 of milliseconds is always a valid duration, so nothing here can be bad input.
    let sample = std::time::Duration::from_millis(u64::from(cpu_sample_ms.unwrap_or(500)));
    let runner = opsbook::probe::system::system_runner(&opsbook::probe::system::SystemThresholds::default(), sample);
    // The probes' blocking reads go to Tokio's blocking pool, not libuv's.
    Ok(HealthReport { inner: runner.run(None).await })
}
