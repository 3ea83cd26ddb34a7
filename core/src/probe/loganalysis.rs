//! A log analysis as a check: files (plain or gzip) analysed over a window at each run, the
//! report's Measurements (`log_errors`, `busy_ips`, `failed_logins`, `failed_login_ips`,
//! `http_status{class}`, `endpoint_error_rate{endpoint}`, ...) judged by thresholds and
//! rules — the AI tutoring manual's "ERROR > 10" and "an IP with more than 1000 requests".

use crate::logs::policy::AnalysisSpec;
use crate::probe::probe_error;
use crate::runner::{Probe, ProbeFuture, Reading};

#[derive(Debug, Clone)]
pub struct LogAnalysisProbe {
    pub spec: AnalysisSpec,
}

impl Probe for LogAnalysisProbe {
    fn kind(&self) -> &'static str {
        "log_analysis"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        let spec = self.spec.clone();
        Box::pin(async move {
            // Reading gigabytes is blocking work: off the async workers.
            tokio::task::spawn_blocking(move || {
                let report = spec.run(jiff::Timestamp::now().as_millisecond())?;
                Ok(Reading::new(report.measurements()?))
            })
            .await
            .map_err(|e| probe_error("log_analysis", e))?
        })
    }
}
