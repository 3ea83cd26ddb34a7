//! The `opsbook` command: a thin shell over the `opsbook` crate.
//!
//! Exit codes follow the Nagios plugin API: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
//! Usage errors and invalid input also exit 3, with the message on stderr.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use opsbook::check::parse_value;
use opsbook::probe::system::{SystemThresholds, system_runner};
use opsbook::spec::{runner_from_json, runner_from_toml};
use opsbook::{
    HealthDetail, Range, Status, Threshold, fmt_number, json_number, to_health_json, to_json, to_nagios, to_prometheus,
    to_table,
};

const UNKNOWN: u8 = 3;

#[derive(Parser)]
#[command(name = "opsbook", version, about = "The ops runbook as a library: checks, thresholds and health reports")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate values against warn/crit thresholds; exit with the Nagios code of the worst.
    Eval {
        /// Warning range: Nagios syntax (`30`, `10:`, `~:10`, `@10:20`) or a plain form (`above 70`).
        #[arg(long, allow_hyphen_values = true)]
        warn: Option<String>,
        /// Critical range, in the same syntax as --warn.
        #[arg(long, allow_hyphen_values = true)]
        crit: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
        /// The values to evaluate (`NaN` means no value and is UNKNOWN).
        #[arg(required = true, allow_negative_numbers = true)]
        values: Vec<String>,
    },
    /// Run checks: by default this host (CPU, memory, swap, load, every mounted disk) against
    /// the manuals' thresholds (CPU warn > 70 % crit > 90 %, memory > 80 % / > 95 %, disk > 80 % / > 90 %);
    /// with --policy, the [[checks]] the policy file declares. Exits with the worst status.
    Check {
        /// A policy file (`version = 1` and `[[checks]]`): TOML, or JSON when it ends in .json.
        #[arg(long)]
        policy: Option<std::path::PathBuf>,
        /// Run only the checks carrying this tag (e.g. liveness, readiness).
        #[arg(long)]
        tag: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// How long the default host check samples CPU usage, in milliseconds (at least 200).
        #[arg(long, default_value_t = 500)]
        cpu_sample_ms: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum EvalFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// An aligned table for people.
    Text,
    /// opsbook's JSON: every check, measurement, threshold, error and duration.
    Json,
    /// IETF application/health+json (detailed).
    #[value(name = "health+json")]
    HealthJson,
    /// Nagios plugin output with perfdata.
    Nagios,
    /// Prometheus text exposition.
    Prometheus,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            // Help and version are answers, not errors; every real usage error is UNKNOWN.
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
                _ => UNKNOWN,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("opsbook: {e}");
            ExitCode::from(UNKNOWN)
        }
    }
}

fn run(command: Command) -> opsbook::Result<u8> {
    match command {
        Command::Eval { warn, crit, format, values } => eval(warn.as_deref(), crit.as_deref(), format, &values),
        Command::Check { policy, tag, format, cpu_sample_ms } => {
            let runner = match policy {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| opsbook::Error::Io { path: path.display().to_string(), reason: e.to_string() })?;
                    let parsed = if path.extension().is_some_and(|e| e == "json") {
                        runner_from_json(&text)
                    } else {
                        runner_from_toml(&text)
                    };
                    parsed.map_err(|e| in_file(&path, e))?
                }
                None => system_runner(&SystemThresholds::default(), Duration::from_millis(cpu_sample_ms)),
            };
            // One short run: a single-threaded runtime starts faster than the shared pool.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| opsbook::Error::Io { path: "tokio runtime".into(), reason: e.to_string() })?;
            let report = rt.block_on(runner.run(tag.as_deref()));
            let nagios = to_nagios(&report);
            let text = match format {
                ReportFormat::Text => to_table(&report),
                ReportFormat::Json => format!("{}\n", to_json(&report)),
                ReportFormat::HealthJson => format!("{}\n", to_health_json(&report, HealthDetail::Detailed)),
                ReportFormat::Nagios => format!("{}\n", nagios.text),
                ReportFormat::Prometheus => to_prometheus(&report),
            };
            print!("{text}");
            Ok(nagios.exit_code)
        }
    }
}

/// Names the policy file in an error about its contents.
fn in_file(path: &std::path::Path, e: opsbook::Error) -> opsbook::Error {
    opsbook::Error::InvalidValue { field: format!("{}", path.display()), value: String::new(), reason: e.to_string() }
}

fn eval(warn: Option<&str>, crit: Option<&str>, format: EvalFormat, values: &[String]) -> opsbook::Result<u8> {
    let threshold = Threshold::new(
        warn.map(|w| Range::parse("--warn", w)).transpose()?,
        crit.map(|c| Range::parse("--crit", c)).transpose()?,
    );
    let values: Vec<f64> = values.iter().map(|v| parse_value("VALUE", v)).collect::<Result<_, _>>()?;
    let statuses: Vec<Status> = values.iter().map(|&v| threshold.evaluate(v)).collect();
    let worst = Status::worst(statuses.iter().copied());
    match format {
        EvalFormat::Text => {
            for s in &statuses {
                println!("{s}");
            }
        }
        EvalFormat::Json => {
            let results: Vec<serde_json::Value> = values
                .iter()
                .zip(&statuses)
                .map(|(v, s)| {
                    let value = json_number(*v).unwrap_or_else(|| fmt_number(*v).into());
                    serde_json::json!({"value": value, "status": s.as_str(), "exit_code": s.nagios_code()})
                })
                .collect();
            let doc = serde_json::json!({
                "warn": threshold.warn.map(|r| r.to_string()),
                "crit": threshold.crit.map(|r| r.to_string()),
                "results": results,
                "status": worst.as_str(),
                "exit_code": worst.nagios_code(),
            });
            println!("{doc}");
        }
    }
    Ok(worst.nagios_code())
}
