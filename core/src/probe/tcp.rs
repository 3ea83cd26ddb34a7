//! TCP: how long a connect to host:port takes (and so whether the port listens).

use std::time::Instant;

use tokio::net::TcpStream;

use crate::check::Measurement;
use crate::probe::{elapsed_ms, probe_error};
use crate::runner::{Probe, ProbeFuture, Reading};

/// Connects to `host:port`; a refused or unreachable port is a failed probe.
#[derive(Debug, Clone)]
pub struct TcpProbe {
    pub host: String,
    pub port: u16,
}

impl Probe for TcpProbe {
    fn kind(&self) -> &'static str {
        "tcp"
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            let start = Instant::now();
            TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| probe_error("tcp", format!("connect to {}:{}: {e}", self.host, self.port)))?;
            let ms = elapsed_ms(start);
            let mut reading = Reading::new(vec![Measurement::new("connect_time", ms)?.with_unit("ms")]);
            reading.summary = Some(format!("{}:{} accepts connections ({ms:.1} ms)", self.host, self.port));
            Ok(reading)
        })
    }
}
