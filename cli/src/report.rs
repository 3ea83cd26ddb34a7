//! `opsbook report daily|monthly|render`: the daily check and the monthly maintenance report.

use clap::{Subcommand, ValueEnum};
use opsbook::report::{Report, ReportFormat, ReportKind};

#[derive(Subcommand)]
pub enum ReportCommand {
    /// The daily check: the policy's checks, alerts, logs, capacity, maintenance plan and
    /// checklists, ✓ / ⚠ / ✗ per item. Exit 0/1/2 as the worst item (Nagios' meanings).
    Daily(FromPolicy),
    /// The monthly maintenance report (the month's records, the monthly checklists).
    Monthly(FromPolicy),
    /// A report from its parts (a JSON or TOML document: time, checks, backups, alerts,
    /// logs, capacity, maintenance, checklists), as every front door's render_report takes.
    Render {
        /// The parts ("-" for standard input).
        input: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(clap::Args)]
pub struct FromPolicy {
    #[arg(long)]
    policy: std::path::PathBuf,
    /// The clock (RFC 3339 or Unix seconds; default now).
    #[arg(long)]
    now: Option<String>,
    /// The rules' state to read alerts from (default: the policy's [state]; neither: the
    /// rules are evaluated once on this run's results).
    #[arg(long)]
    state: Option<std::path::PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write the report to this file (replaced atomically).
    #[arg(long)]
    output: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

impl Format {
    pub fn core(self) -> ReportFormat {
        match self {
            Format::Text => ReportFormat::Text,
            Format::Markdown => ReportFormat::Markdown,
            Format::Json => ReportFormat::Json,
        }
    }
}

fn exit_code(report: &Report) -> u8 {
    report.status().nagios_code()
}

pub fn run(command: ReportCommand) -> opsbook::Result<u8> {
    let (kind, args) = match command {
        ReportCommand::Daily(a) => (ReportKind::Daily, a),
        ReportCommand::Monthly(a) => (ReportKind::Monthly, a),
        ReportCommand::Render { input, format } => {
            let text = crate::read_input(&input.to_string_lossy())?;
            let toml = input.extension().is_some_and(|e| e == "toml");
            let report = opsbook::report::report_from_document(&text, toml)?;
            crate::write_stdout(report.render(format.core()).as_bytes())?;
            return Ok(exit_code(&report));
        }
    };
    let now = crate::flag_time_or_now("--now", &args.now)?;
    let report = opsbook::report::from_policy_path(&args.policy, kind, now, args.state.as_deref())?;
    let out = report.render(args.format.core());
    if let Some(path) = &args.output {
        opsbook::report::write_report(path, &out)?;
    }
    crate::write_stdout(out.as_bytes())?;
    Ok(exit_code(&report))
}
