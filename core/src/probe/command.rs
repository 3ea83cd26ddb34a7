//! A command's exit status (`systemctl is-active nginx`), run from an argv list — never a
//! shell string — with its output captured.

use std::process::Stdio;
use std::time::Instant;

use tokio::process::Command;

use crate::check::Measurement;
use crate::probe::{elapsed_ms, probe_error};
use crate::runner::{Probe, ProbeFuture, Reading};
use crate::threshold::{Range, Threshold};

/// How much of the output a summary quotes.
const OUTPUT_LIMIT: usize = 200;

/// Runs `argv[0]` with `argv[1..]`; exit code 0 is OK, anything else CRITICAL (unless the
/// check sets other thresholds on `exit_code`). The runner's timeout kills a hung command.
#[derive(Debug, Clone)]
pub struct CommandProbe {
    pub argv: Vec<String>,
}

impl Probe for CommandProbe {
    fn kind(&self) -> &'static str {
        "command"
    }
    fn default_thresholds(&self) -> std::collections::BTreeMap<String, Threshold> {
        let zero = Range::parse("crit", "0:0").ok();
        [("exit_code".to_owned(), Threshold::new(None, zero))].into()
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            let Some((program, args)) = self.argv.split_first() else {
                return Err(probe_error("command", "argv is empty"));
            };
            let start = Instant::now();
            let output = Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .kill_on_drop(true) // a timed-out command dies with its future
                .output()
                .await
                .map_err(|e| probe_error("command", format!("cannot run {program}: {e}")))?;
            let ms = elapsed_ms(start);
            // A command killed by a signal has no exit code: report it as -1.
            let code = output.status.code().map(f64::from).unwrap_or(-1.0);
            let text = String::from_utf8_lossy(if output.stdout.is_empty() { &output.stderr } else { &output.stdout });
            let mut quoted: String = text.trim().chars().take(OUTPUT_LIMIT).collect();
            if text.trim().chars().count() > OUTPUT_LIMIT {
                quoted.push('…');
            }
            let mut reading = Reading::new(vec![
                Measurement::new("exit_code", code)?,
                Measurement::new("duration", ms)?.with_unit("ms"),
            ]);
            reading.summary = Some(format!("{program} exited {code}: {quoted}"));
            Ok(reading)
        })
    }
}
