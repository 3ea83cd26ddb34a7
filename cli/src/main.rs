//! The `opsbook` command: a thin shell over the `opsbook` crate.
//!
//! Exit codes follow the Nagios plugin API: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
//! Usage errors and invalid input also exit 3, with the message on stderr.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

#[macro_use]
mod output;
mod alert;
mod logs;
mod maintenance;
mod pass;
mod report;
use opsbook::check::{parse_time, parse_value};
use opsbook::duration::parse_duration;
use opsbook::forecast::RangeMode;
use opsbook::forecast::capacity::{Language, PlanInput};
use opsbook::forecast::crossing::Breach;
use opsbook::forecast::holt_winters::{InitialState, Initialization, Params};
use opsbook::forecast::input::{InputFormat, Series, parse_series};
use opsbook::forecast::report::{Method, Request, forecast_series, forecasts_to_json};
use opsbook::policy::Policy;
use opsbook::probe::system::{SystemThresholds, system_runner};
use opsbook::state::with_lease;
use opsbook::{
    HealthDetail, Range, Status, Threshold, fmt_number, json_number, to_health_json, to_json, to_nagios, to_prometheus,
    to_table,
};

const UNKNOWN: u8 = 3;

#[derive(Parser)]
#[command(
    name = "opsbook",
    version,
    about = "The ops runbook as a library: checks, thresholds, health reports and forecasts"
)]
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
    /// Forecast every series of a file (CSV: time,series...; JSON: a Prometheus query_range
    /// answer, {"timestamps","values"} or [[seconds, value], ...]). With --limit, say when the
    /// limit is reached and exit 2 when that is within the horizon (or already), else 0.
    Forecast {
        /// The series file; `-` reads standard input.
        #[arg(long)]
        input: String,
        /// csv or json (default: from the file name; JSON unless it ends in .csv).
        #[arg(long)]
        input_format: Option<String>,
        /// linear = predict_linear; smoothing = double_exponential_smoothing (needs --sf, --tf);
        /// holt-winters = additive Holt-Winters fitted to the samples (evenly spaced).
        #[arg(long, value_enum, default_value_t = ForecastMethod::Linear)]
        method: ForecastMethod,
        /// How far ahead, e.g. 24h, 7d.
        #[arg(long, default_value = "24h")]
        horizon: String,
        /// The limit to reach (e.g. 100 for percent used, 0 for bytes available).
        #[arg(long, allow_hyphen_values = true)]
        limit: Option<String>,
        /// Which side of the limit is trouble.
        #[arg(long, value_enum, default_value_t = Side::Above)]
        breach: Side,
        /// Use only the samples of this range before --at, e.g. 6h (as `x[6h]`); default: every sample.
        #[arg(long)]
        window: Option<String>,
        /// Range selection of Prometheus 2 ([t-range, t], both ends) instead of 3 ((t-range, t]).
        #[arg(long)]
        closed_range: bool,
        /// Evaluation time (RFC 3339 or Unix seconds; default: the last sample).
        #[arg(long)]
        at: Option<String>,
        /// Smoothing factor (0 < sf < 1) for --method smoothing.
        #[arg(long)]
        sf: Option<f64>,
        /// Trend factor (0 < tf < 1) for --method smoothing.
        #[arg(long)]
        tf: Option<f64>,
        /// Season length in samples for Holt-Winters (e.g. 24 for hourly data, daily season).
        #[arg(long)]
        season: Option<usize>,
        /// Damp the Holt-Winters trend.
        #[arg(long)]
        damped: bool,
        /// Estimate the Holt-Winters initial state by least squares (default: statsmodels' heuristic).
        #[arg(long)]
        estimated: bool,
        /// Holt-Winters smoothing parameters instead of fitting them: alpha,beta[,gamma][,phi]
        /// (gamma with --season, phi with --damped), e.g. 0.3,0.1,0.2.
        #[arg(long)]
        params: Option<String>,
        /// A known Holt-Winters initial state: level,trend[,season_1,...,season_m].
        #[arg(long, allow_hyphen_values = true)]
        initial: Option<String>,
        /// Prediction interval coverage for Holt-Winters.
        #[arg(long, default_value_t = 0.95)]
        coverage: f64,
        /// Only the series with this name.
        #[arg(long)]
        series: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
    },
    /// The capacity plan: each resource in N months at its monthly growth (given, or measured
    /// from its history), flagged above the growth limit, with the time to reach its limit.
    Capacity {
        /// The plan file (TOML, JSON or CSV name,current,monthly_growth,limit); `-` reads standard input.
        #[arg(long)]
        input: String,
        /// toml, json or csv (default: from the file name; TOML unless it ends in .json or .csv).
        #[arg(long)]
        input_format: Option<String>,
        /// Months ahead (overrides the file; default 6).
        #[arg(long)]
        months: Option<u32>,
        /// Growth over the horizon, in percent, above which expansion is needed (default 70).
        #[arg(long)]
        growth_limit: Option<f64>,
        /// The report's date (default: today, UTC).
        #[arg(long)]
        date: Option<String>,
        /// Language of the markdown report.
        #[arg(long, value_enum, default_value_t = Lang::ZhCn)]
        lang: Lang,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CapacityFormat::Markdown)]
        format: CapacityFormat,
    },
    /// Alert rules: replay recorded samples through a policy's [[rules]], or export them.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Incidents opened by `rules eval` (kept in the policy's [state] or --state): list,
    /// show, acknowledge, resolve, escalate what is due.
    #[command(subcommand)]
    Incidents(IncidentsCommand),
    /// Policy files: validate.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Backups: manifests (PostgreSQL backup_manifest, sha256sum), verification, retention.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Alert messages: render a channel's request(s), send them, expand templates.
    #[command(subcommand)]
    Alert(alert::AlertCommand),
    /// Log analysis: errors, endpoints, busy IPs, failed logins; the lifecycle plan.
    #[command(subcommand)]
    Logs(logs::LogsCommand),
    /// The maintenance plan: what is due, records kept.
    #[command(subcommand)]
    Maintenance(maintenance::MaintenanceCommand),
    /// Reports: the daily check (✓ / ⚠ / ✗ per item) and the monthly maintenance report.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// One whole maintenance pass from cron: checks, rules (state kept between runs, under a
    /// lock so runs never overlap), notifications (sent with --send), capacity, backups and
    /// their retention plan, logs and their lifecycle plan, and the report.
    Run(pass::RunArgs),
    /// Print a shell completion script (e.g. `opsbook completions bash > /etc/bash_completion.d/opsbook`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `opsbook man > /usr/local/share/man/man1/opsbook.1`.
    Man,
}

#[derive(Clone, Copy, ValueEnum)]
enum ManifestFormat {
    Postgres,
    Sha256sum,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChecksumAlgorithm {
    Crc32c,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    None,
}

#[derive(clap::Args)]
struct RetentionFlags {
    #[arg(long)]
    keep_last: Option<String>,
    #[arg(long)]
    keep_hourly: Option<String>,
    #[arg(long)]
    keep_daily: Option<String>,
    #[arg(long)]
    keep_weekly: Option<String>,
    #[arg(long)]
    keep_monthly: Option<String>,
    #[arg(long)]
    keep_yearly: Option<String>,
    /// Keep everything within this window of the newest backup (e.g. 7d, 1y2mo).
    #[arg(long)]
    keep_within: Option<String>,
    #[arg(long)]
    keep_within_hourly: Option<String>,
    #[arg(long)]
    keep_within_daily: Option<String>,
    #[arg(long)]
    keep_within_weekly: Option<String>,
    #[arg(long)]
    keep_within_monthly: Option<String>,
    #[arg(long)]
    keep_within_yearly: Option<String>,
    /// Keep backups with all these tags (comma-separated); repeatable.
    #[arg(long)]
    keep_tag: Vec<String>,
    /// The manuals' `find -mtime +N -delete` instead of restic's rules: keep N+1 days from now.
    #[arg(long, conflicts_with_all = [
        "keep_last", "keep_hourly", "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly", "keep_within",
        "keep_within_hourly", "keep_within_daily", "keep_within_weekly", "keep_within_monthly", "keep_within_yearly",
        "keep_tag",
    ])]
    find_mtime: Option<u32>,
    /// Group by (comma-separated: host, paths, tags; empty for one group).
    #[arg(long, default_value = "host,paths")]
    group_by: String,
    /// The clock (RFC 3339 or Unix seconds; default now).
    #[arg(long)]
    now: Option<String>,
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Write a manifest of DIR to standard output (or --output): every file's path, size,
    /// modification time and checksum, hashed on every core.
    Manifest {
        dir: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = ChecksumAlgorithm::Crc32c)]
        algorithm: ChecksumAlgorithm,
        #[arg(long, value_enum, default_value_t = ManifestFormat::Postgres)]
        manifest_format: ManifestFormat,
        /// Where to write it (written whole, then renamed into place).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Paths left out (default: backup_manifest and pg_wal); repeatable.
        #[arg(long)]
        ignore: Vec<String>,
        /// No progress bar on standard error.
        #[arg(long)]
        quiet: bool,
    },
    /// Verify DIR against its backup_manifest (or a sha256sum file given with --manifest);
    /// exits 2 on any problem.
    Verify {
        dir: std::path::PathBuf,
        #[arg(long)]
        manifest: Option<std::path::PathBuf>,
        #[arg(long)]
        skip_checksums: bool,
        #[arg(long)]
        ignore: Vec<String>,
        #[arg(long)]
        exit_on_error: bool,
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
        #[arg(long)]
        quiet: bool,
    },
    /// Which backups to keep and which to forget: backups as JSON (--input, or standard input;
    /// `restic snapshots --json` works) or the entries of --dir. Nothing is deleted.
    Retention {
        #[arg(long, conflicts_with = "dir")]
        input: Option<std::path::PathBuf>,
        /// A directory whose entries are the backups (their modification times).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        #[command(flatten)]
        flags: RetentionFlags,
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
    },
    /// Delete the backups in DIR that a retention policy forgets. Prints what it would
    /// delete unless --yes is given.
    Forget {
        /// The directory (or give --policy to use its [[backups.locations]]).
        #[arg(required_unless_present = "policy")]
        dir: Option<std::path::PathBuf>,
        /// A policy whose [[backups.locations]] say where and how long.
        #[arg(long, conflicts_with = "dir")]
        policy: Option<std::path::PathBuf>,
        /// Only this location of the policy.
        #[arg(long, requires = "policy")]
        location: Option<String>,
        #[command(flatten)]
        flags: RetentionFlags,
        /// Really delete.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Check a policy file as a whole; print what it declares.
    Check {
        /// The policy (TOML, or JSON when it ends in .json).
        file: std::path::PathBuf,
    },
}

#[derive(clap::Args)]
struct IncidentState {
    /// The policy with [escalation] levels.
    #[arg(long)]
    policy: std::path::PathBuf,
    /// The state file (default: the policy's [state]).
    #[arg(long)]
    state: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum IncidentsCommand {
    /// Every incident kept in the state.
    List {
        #[command(flatten)]
        at: IncidentState,
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
    },
    /// One incident with its timeline.
    Show {
        id: String,
        #[command(flatten)]
        at: IncidentState,
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
    },
    /// Someone took the incident: escalation stops.
    Ack {
        id: String,
        #[command(flatten)]
        at: IncidentState,
        /// Who acknowledges.
        #[arg(long)]
        by: String,
        /// When (RFC 3339 or Unix seconds; default now).
        #[arg(long)]
        time: Option<String>,
    },
    /// Close the incident with what was done.
    Resolve {
        id: String,
        #[command(flatten)]
        at: IncidentState,
        #[arg(long)]
        by: String,
        #[arg(long)]
        note: String,
        #[arg(long)]
        time: Option<String>,
    },
    /// Add a line to the timeline (a recovery step taken by hand).
    Record {
        id: String,
        #[command(flatten)]
        at: IncidentState,
        /// What happened.
        what: String,
        #[arg(long)]
        time: Option<String>,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Replay samples (JSON lines: time, metric, labels, value) and print every transition.
    Eval {
        /// The policy file with [[rules]] (TOML, or JSON when it ends in .json).
        #[arg(long)]
        policy: std::path::PathBuf,
        /// The samples, one JSON object a line; `-` reads standard input.
        #[arg(long)]
        samples: String,
        /// Evaluate every interval (e.g. 1m) instead of at each sample's time.
        #[arg(long)]
        interval: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
        /// After the replay, push the firing and resolved alerts to this Alertmanager
        /// (API v2, e.g. http://127.0.0.1:9093), as Prometheus would.
        #[arg(long)]
        alertmanager: Option<String>,
        /// Notify as this route says (JSON: {"route": {...}, "silences": [...],
        /// "inhibit_rules": [...]}) instead of the policy's [escalation] route.
        #[arg(long)]
        notify: Option<std::path::PathBuf>,
        /// Keep rule, notification and incident state in this file between runs (default:
        /// the policy's [state]; neither: nothing is kept).
        #[arg(long)]
        state: Option<std::path::PathBuf>,
        /// Send each notification to the [[channels]] entry its receiver names (after the
        /// state is saved); exit 2 if one was not delivered.
        #[arg(long)]
        send: bool,
    },
    /// Export the rules: a Prometheus rule file, or (with --samples) a promtool unit test
    /// whose expected alerts are the ones opsbook's evaluator produces.
    Export {
        #[arg(long)]
        policy: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = ExportTarget::Prometheus)]
        target: ExportTarget,
        /// The rule group's name.
        #[arg(long, default_value = "opsbook")]
        group: String,
        /// Samples for the promtool test (times on the --interval grid from 0).
        #[arg(long)]
        samples: Option<String>,
        /// The evaluation interval (promtool test; the group's interval for prometheus).
        #[arg(long)]
        interval: Option<String>,
        /// The rule file the promtool test loads.
        #[arg(long, default_value = "rules.yml")]
        rule_file: String,
    },
    /// Send the notifications and escalate the incidents that are due by now (or --time)
    /// without new samples: run it from cron between evaluations. Needs kept state.
    Advance {
        #[arg(long)]
        policy: std::path::PathBuf,
        /// The state file (default: the policy's [state]).
        #[arg(long)]
        state: Option<std::path::PathBuf>,
        /// RFC 3339 or Unix seconds (default: now).
        #[arg(long)]
        time: Option<String>,
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
        /// Send each notification to the [[channels]] entry its receiver names.
        #[arg(long)]
        send: bool,
    },
    /// The Alertmanager fingerprint (16 hex digits) of a label set given as a JSON object.
    Fingerprint {
        /// e.g. '{"alertname": "HighCPU", "instance": "web-1"}'
        labels: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportTarget {
    Prometheus,
    PromtoolTest,
}

#[derive(Clone, Copy, ValueEnum)]
enum ForecastMethod {
    Linear,
    Smoothing,
    HoltWinters,
}

#[derive(Clone, Copy, ValueEnum)]
enum Side {
    Above,
    Below,
}

#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    #[value(name = "zh-CN", alias = "zh-cn")]
    ZhCn,
    En,
}

#[derive(Clone, Copy, ValueEnum)]
enum CapacityFormat {
    Markdown,
    Text,
    Json,
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
    let code = match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("opsbook: {e}");
            UNKNOWN
        }
    };
    match output::finish() {
        Some(e) => {
            eprintln!("opsbook: writing standard output: {e}");
            ExitCode::from(UNKNOWN)
        }
        None => ExitCode::from(code),
    }
}

fn run(command: Command) -> opsbook::Result<u8> {
    match command {
        Command::Eval { warn, crit, format, values } => eval(warn.as_deref(), crit.as_deref(), format, &values),
        Command::Check { policy, tag, format, cpu_sample_ms } => {
            let runner = match policy {
                Some(path) => Policy::from_path(&path)?.runner()?,
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
            out!("{text}");
            Ok(nagios.exit_code)
        }
        Command::Forecast {
            input,
            input_format,
            method,
            horizon,
            limit,
            breach,
            window,
            closed_range,
            at,
            sf,
            tf,
            season,
            damped,
            estimated,
            params,
            initial,
            coverage,
            series,
            format,
        } => {
            let text = read_input(&input)?;
            let fmt = match input_format {
                Some(name) => InputFormat::from_name(&name)?,
                None => InputFormat::from_path(&input),
            };
            let all = parse_series(&text, fmt).map_err(|e| in_file(std::path::Path::new(&input), e))?;
            let method = match method {
                ForecastMethod::Linear => Method::Linear,
                ForecastMethod::Smoothing => Method::Smoothing {
                    sf: sf.ok_or_else(|| missing("--sf", "--method smoothing"))?,
                    tf: tf.ok_or_else(|| missing("--tf", "--method smoothing"))?,
                },
                ForecastMethod::HoltWinters => {
                    let init = match initial {
                        Some(text) => {
                            let v = number_list("--initial", &text)?;
                            if v.len() < 2 {
                                return Err(missing("--initial", "level and trend"));
                            }
                            Initialization::Known(InitialState { level: v[0], trend: v[1], seasonal: v[2..].to_vec() })
                        }
                        None if estimated => Initialization::Estimated,
                        None => Initialization::Heuristic,
                    };
                    let params = params
                        .map(|text| -> opsbook::Result<Params> {
                            let v = number_list("--params", &text)?;
                            let want = 2 + usize::from(season.is_some()) + usize::from(damped);
                            if v.len() != want {
                                return Err(opsbook::Error::InvalidValue {
                                    field: "--params".into(),
                                    value: text.clone(),
                                    reason: format!(
                                        "expected {want} numbers: alpha,beta{}{}",
                                        if season.is_some() { ",gamma" } else { "" },
                                        if damped { ",phi" } else { "" }
                                    ),
                                });
                            }
                            let gamma = if season.is_some() { v[2] } else { 0.0 };
                            let phi = if damped { v[want - 1] } else { 1.0 };
                            Ok(Params { alpha: v[0], beta: v[1], gamma, phi })
                        })
                        .transpose()?;
                    Method::HoltWinters { season_length: season, damped, init, params }
                }
            };
            let mut request = Request::new(method, parse_duration("--horizon", &horizon)?.as_secs_f64());
            request.window_ms =
                window.map(|w| parse_duration("--window", &w).map(|d| d.as_millis() as i64)).transpose()?;
            request.mode = if closed_range { RangeMode::Closed } else { RangeMode::LeftOpen };
            request.at_ms = at.map(|a| cli_time("--at", &a)).transpose()?;
            request.limit = limit.map(|l| parse_value("--limit", &l)).transpose()?;
            request.breach = match breach {
                Side::Above => Breach::Above,
                Side::Below => Breach::Below,
            };
            request.coverage = coverage;
            let chosen: Vec<&Series> = all.iter().filter(|s| series.as_deref().is_none_or(|n| s.name == n)).collect();
            if chosen.is_empty() {
                return Err(opsbook::Error::InvalidValue {
                    field: "--series".into(),
                    value: series.unwrap_or_default(),
                    reason: format!(
                        "no such series; the input has {}",
                        all.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
            let forecasts = chosen
                .iter()
                .map(|s| forecast_series(s, &request).map_err(|e| in_series(&s.name, e)))
                .collect::<opsbook::Result<Vec<_>>>()?;
            match format {
                EvalFormat::Text => forecasts.iter().for_each(|f| outln!("{}", f.to_text())),
                EvalFormat::Json => outln!("{}", forecasts_to_json(&forecasts)),
            }
            Ok(if forecasts.iter().any(|f| f.limit_reached()) { 2 } else { 0 })
        }
        Command::Rules(command) => rules_command(command),
        Command::Incidents(command) => incidents_command(command),
        Command::Backup(command) => backup_command(command),
        Command::Alert(command) => alert::run(command),
        Command::Logs(command) => logs::run(command),
        Command::Maintenance(command) => maintenance::run(command),
        Command::Report(command) => report::run(command),
        Command::Run(args) => pass::run(args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "opsbook", &mut script);
            write_stdout(&script)
        }
        Command::Man => {
            use clap::CommandFactory;
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| opsbook::Error::Io { path: "man page".into(), reason: e.to_string() })?;
            write_stdout(&page)
        }
        Command::Policy(PolicyCommand::Check { file }) => {
            let policy = Policy::from_path(&file)?;
            out!("{}", policy.summary());
            Ok(0)
        }
        Command::Capacity { input, input_format, months, growth_limit, date, lang, format } => {
            let text = read_input(&input)?;
            let fmt = input_format.unwrap_or_else(|| {
                let lower = input.to_ascii_lowercase();
                if lower.ends_with(".json") {
                    "json".into()
                } else if lower.ends_with(".csv") {
                    "csv".into()
                } else {
                    "toml".into()
                }
            });
            let mut plan_input = PlanInput::parse(&text, &fmt).map_err(|e| in_file(std::path::Path::new(&input), e))?;
            if let Some(m) = months {
                plan_input.months = m;
            }
            if let Some(g) = growth_limit {
                plan_input.growth_limit_percent = g;
            }
            let plan = plan_input.plan()?;
            let sizing = plan_input.sizing()?;
            let date = date.unwrap_or_else(|| jiff::Timestamp::now().strftime("%Y-%m-%d").to_string());
            let language = match lang {
                Lang::ZhCn => Language::ZhCn,
                Lang::En => Language::En,
            };
            match format {
                CapacityFormat::Markdown => {
                    let extra = sizing.map(|s| s.to_markdown(plan.months, language)).unwrap_or_default();
                    outln!("{}{extra}", plan.to_markdown(&date, language));
                }
                CapacityFormat::Text => {
                    out!("{}", plan.to_text());
                    if let Some(s) = sizing {
                        outln!("{}", s.to_markdown(plan.months, Language::En).trim_start());
                    }
                }
                CapacityFormat::Json => {
                    let mut doc: serde_json::Value =
                        serde_json::from_str(&plan.to_json()).expect("the plan's own JSON");
                    if let Some(s) = sizing {
                        doc["sizing"] = s.to_json();
                    }
                    outln!("{doc}");
                }
            }
            Ok(0)
        }
    }
}

fn load_rules(path: &std::path::Path) -> opsbook::Result<Vec<opsbook::rules::Rule>> {
    Ok(Policy::from_path(path)?.rules)
}

/// The state lease: one load-change-save at a time across processes.
const LOCK: &str = "lock:state";
const LOCK_WAIT: Duration = Duration::from_secs(30);
const LOCK_HOLD: Duration = Duration::from_secs(120);

/// The state store: `--state FILE`, else the policy's [state], else none.
fn open_state(
    policy: &Policy,
    file: Option<std::path::PathBuf>,
) -> opsbook::Result<Option<Box<dyn opsbook::state::StateStore>>> {
    policy.open_state(file.as_deref())
}

fn algorithm_of(a: ChecksumAlgorithm) -> opsbook::backup::Algorithm {
    use opsbook::backup::Algorithm;
    match a {
        ChecksumAlgorithm::Crc32c => Algorithm::Crc32c,
        ChecksumAlgorithm::Sha224 => Algorithm::Sha224,
        ChecksumAlgorithm::Sha256 => Algorithm::Sha256,
        ChecksumAlgorithm::Sha384 => Algorithm::Sha384,
        ChecksumAlgorithm::Sha512 => Algorithm::Sha512,
        ChecksumAlgorithm::None => Algorithm::None,
    }
}

/// A progress bar on standard error when it is a terminal.
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

impl RetentionFlags {
    /// restic's rules as given, each with its flag: the one list that building the policy
    /// and telling whether any rule was given both read.
    fn restic_rules(&self) -> [(&'static str, &Option<String>); 12] {
        [
            ("--keep-last", &self.keep_last),
            ("--keep-hourly", &self.keep_hourly),
            ("--keep-daily", &self.keep_daily),
            ("--keep-weekly", &self.keep_weekly),
            ("--keep-monthly", &self.keep_monthly),
            ("--keep-yearly", &self.keep_yearly),
            ("--keep-within", &self.keep_within),
            ("--keep-within-hourly", &self.keep_within_hourly),
            ("--keep-within-daily", &self.keep_within_daily),
            ("--keep-within-weekly", &self.keep_within_weekly),
            ("--keep-within-monthly", &self.keep_within_monthly),
            ("--keep-within-yearly", &self.keep_within_yearly),
        ]
    }

    /// Whether any retention rule (restic's or `--find-mtime`) was given.
    fn any_rule_given(&self) -> bool {
        self.restic_rules().iter().any(|(_, v)| v.is_some()) || !self.keep_tag.is_empty() || self.find_mtime.is_some()
    }

    /// restic's policy from the flags.
    fn policy(&self) -> opsbook::Result<opsbook::backup::retention::Policy> {
        use opsbook::backup::retention::{Policy, parse_count, parse_window};
        let mut policy = Policy::default();
        for (flag, value) in self.restic_rules() {
            let Some(text) = value else { continue };
            let (count, window) = match flag {
                "--keep-last" => (Some(&mut policy.last), None),
                "--keep-hourly" => (Some(&mut policy.hourly), None),
                "--keep-daily" => (Some(&mut policy.daily), None),
                "--keep-weekly" => (Some(&mut policy.weekly), None),
                "--keep-monthly" => (Some(&mut policy.monthly), None),
                "--keep-yearly" => (Some(&mut policy.yearly), None),
                "--keep-within" => (None, Some(&mut policy.within)),
                "--keep-within-hourly" => (None, Some(&mut policy.within_hourly)),
                "--keep-within-daily" => (None, Some(&mut policy.within_daily)),
                "--keep-within-weekly" => (None, Some(&mut policy.within_weekly)),
                "--keep-within-monthly" => (None, Some(&mut policy.within_monthly)),
                _ => (None, Some(&mut policy.within_yearly)),
            };
            if let Some(count) = count {
                *count = parse_count(flag, text)?;
            }
            if let Some(window) = window {
                *window = Some(parse_window(flag, text)?);
            }
        }
        policy.tags = self.keep_tag.iter().map(|t| t.split(',').map(|s| s.trim().to_owned()).collect()).collect();
        if policy.is_empty() && self.find_mtime.is_none() {
            // restic refuses too: an empty policy would forget every backup.
            return Err(opsbook::Error::InvalidValue {
                field: "--keep-*".into(),
                value: String::new(),
                reason: "no retention rule given: it would forget every backup".into(),
            });
        }
        Ok(policy)
    }
}

/// Applies the flags to backups: one decision per group.
fn retention_decisions(
    backups: &[opsbook::backup::retention::Backup],
    flags: &RetentionFlags,
) -> opsbook::Result<Vec<(opsbook::backup::retention::GroupKey, opsbook::backup::retention::Decision)>> {
    use opsbook::backup::retention::{GroupBy, GroupKey, apply_grouped, find_mtime};
    let now = jiff::Timestamp::from_millisecond(time_or_now(&flags.now)?).map_err(|e| {
        opsbook::Error::InvalidValue { field: "--now".into(), value: String::new(), reason: e.to_string() }
    })?;
    let policy = flags.policy()?;
    if let Some(days) = flags.find_mtime {
        return Ok(vec![(GroupKey::default(), find_mtime(backups, days, now))]);
    }
    let names: Vec<&str> = flags.group_by.split(',').collect();
    let by = GroupBy::from_names("--group-by", &names)?;
    apply_grouped(backups, &policy, by, now)
}

fn backup_command(command: BackupCommand) -> opsbook::Result<u8> {
    use opsbook::backup::build::build_each;
    use opsbook::backup::{BuildOptions, VerifyOptions};
    match command {
        BackupCommand::Manifest { dir, algorithm, manifest_format, output, ignore, quiet } => {
            let algorithm = algorithm_of(algorithm);
            let mut options = BuildOptions { algorithm, ..BuildOptions::default() };
            if matches!(manifest_format, ManifestFormat::Sha256sum) {
                if algorithm == opsbook::backup::Algorithm::Crc32c {
                    options.algorithm = opsbook::backup::Algorithm::Sha256;
                }
                options.ignore.clear();
            }
            options.ignore.extend(ignore.iter().map(|i| i.trim_end_matches('/').as_bytes().to_vec()));
            // The manifest (and the temporary file it is written to) never lists itself.
            if let Some(out) = &output
                && let (Some(parent), Some(name)) = (out.parent(), out.file_name())
                && let (Ok(a), Ok(b)) = (
                    (if parent.as_os_str().is_empty() { std::path::Path::new(".") } else { parent }).canonicalize(),
                    dir.canonicalize(),
                )
                && let Ok(rel) = a.strip_prefix(&b)
            {
                let rel = rel.join(name);
                let tmp = rel.with_extension("opsbook-tmp");
                options.ignore.push(rel.as_os_str().as_encoded_bytes().to_vec());
                options.ignore.push(tmp.as_os_str().as_encoded_bytes().to_vec());
            }
            let bar = progress_bar(quiet);
            let report = |p: opsbook::backup::Progress| {
                if let Some(bar) = &bar {
                    bar.set_length(p.bytes_total);
                    bar.set_position(p.bytes_done);
                    bar.set_message(format!("{}/{} files", p.files_done, p.files_total));
                }
            };
            // Streamed: each file's line is written as soon as its batch is hashed.
            let io =
                |path: &str, e: std::io::Error| opsbook::Error::Io { path: path.to_owned(), reason: e.to_string() };
            let (shown, tmp) = match &output {
                Some(path) => (path.display().to_string(), Some(path.with_extension("opsbook-tmp"))),
                None => ("stdout".to_owned(), None),
            };
            let sink: Box<dyn std::io::Write> = match &tmp {
                Some(t) => Box::new(std::fs::File::create(t).map_err(|e| io(&shown, e))?),
                None => Box::new(output::Stdout),
            };
            let out = std::io::BufWriter::with_capacity(1 << 20, sink);
            let written = match manifest_format {
                ManifestFormat::Postgres => {
                    let mut w =
                        opsbook::backup::manifest::ManifestWriter::new(out, options.version, options.system_identifier)
                            .map_err(|e| io(&shown, e))?;
                    let summary =
                        build_each(&dir, &options, Some(&report), &mut |f| w.add(&f).map_err(|e| io(&shown, e)));
                    summary.and_then(|s| w.finish(options.wal_ranges.as_deref()).map(|_| s).map_err(|e| io(&shown, e)))
                }
                ManifestFormat::Sha256sum => {
                    let mut out = out;
                    let summary = build_each(&dir, &options, Some(&report), &mut |f| {
                        let line =
                            opsbook::backup::sums::SumLine { path: f.path, algorithm: f.algorithm, digest: f.checksum };
                        std::io::Write::write_all(&mut out, &opsbook::backup::sums::write_sums(&[line]))
                            .map_err(|e| io(&shown, e))
                    });
                    summary.and_then(|s| std::io::Write::flush(&mut out).map(|_| s).map_err(|e| io(&shown, e)))
                }
            };
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            let summary = match written {
                Ok(s) => s,
                Err(e) => {
                    // Nothing half-written is left behind.
                    if let Some(t) = &tmp {
                        let _ = std::fs::remove_file(t);
                    }
                    return Err(e);
                }
            };
            for s in &summary.skipped {
                eprintln!("opsbook: not followed (a symbolic link outside pg_tblspc/): {s}");
            }
            if let (Some(t), Some(path)) = (&tmp, &output) {
                std::fs::rename(t, path).map_err(|e| io(&shown, e))?;
            }
            Ok(0)
        }
        BackupCommand::Verify { dir, manifest, skip_checksums, ignore, exit_on_error, format, quiet } => {
            let bar = progress_bar(quiet);
            let report = |p: opsbook::backup::Progress| {
                if let Some(bar) = &bar {
                    bar.set_length(p.bytes_total);
                    bar.set_position(p.bytes_done);
                }
            };
            let result = opsbook::backup::verify_any(
                &dir,
                &VerifyOptions { manifest, ignore, skip_checksums, exit_on_error },
                Some(&report),
            )?;
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            match format {
                EvalFormat::Text => out!("{}", result.to_text()),
                EvalFormat::Json => outln!("{}", result.to_json()),
            }
            Ok(if result.ok() { 0 } else { 2 })
        }
        BackupCommand::Retention { input, dir, flags, format } => {
            let backups = match (&input, &dir) {
                (_, Some(d)) => opsbook::backup::retention::backups_in_dir(d)?,
                (path, None) => {
                    let text = read_input(
                        path.as_deref().map_or(std::borrow::Cow::Borrowed("-"), |p| p.to_string_lossy()).as_ref(),
                    )?;
                    let doc: serde_json::Value =
                        serde_json::from_str(&text).map_err(|e| opsbook::Error::InvalidValue {
                            field: "backups".into(),
                            value: String::new(),
                            reason: format!("not JSON: {e}"),
                        })?;
                    opsbook::backup::retention::backups_from_value(&doc)?
                }
            };
            let groups = retention_decisions(&backups, &flags)?;
            match format {
                EvalFormat::Text => {
                    for (key, d) in &groups {
                        if key != &opsbook::backup::retention::GroupKey::default() {
                            outln!("group {}", key.to_json());
                        }
                        out!("{}", d.to_text());
                    }
                }
                EvalFormat::Json => {
                    let list: Vec<serde_json::Value> = groups
                        .iter()
                        .map(|(k, d)| {
                            let mut v = d.to_json();
                            v["key"] = k.to_json();
                            v
                        })
                        .collect();
                    outln!("{}", serde_json::json!({ "groups": list }));
                }
            }
            Ok(0)
        }
        BackupCommand::Forget { dir, policy, location, flags, yes } => {
            let mut jobs = Vec::new();
            match (dir, policy) {
                (Some(dir), _) => {
                    let backups = opsbook::backup::retention::backups_in_dir(&dir)?;
                    jobs.push((dir.clone(), retention_decisions(&backups, &flags)?));
                }
                (None, Some(path)) => {
                    let given = flags.any_rule_given();
                    if given {
                        return Err(opsbook::Error::InvalidValue {
                            field: "--keep-*".into(),
                            value: String::new(),
                            reason: "with --policy the retention comes from its [[backups.locations]]".into(),
                        });
                    }
                    let policy = Policy::from_path(&path)?;
                    let now = jiff::Timestamp::from_millisecond(time_or_now(&flags.now)?).map_err(|e| {
                        opsbook::Error::InvalidValue {
                            field: "--now".into(),
                            value: String::new(),
                            reason: e.to_string(),
                        }
                    })?;
                    let chosen: Vec<_> =
                        policy.backups.iter().filter(|l| location.as_ref().is_none_or(|n| &l.name == n)).collect();
                    if chosen.is_empty() {
                        return Err(opsbook::Error::InvalidValue {
                            field: format!("{}: backups.locations", path.display()),
                            value: location.unwrap_or_default(),
                            reason: "no such location".into(),
                        });
                    }
                    for l in chosen {
                        outln!("location {} ({})", l.name, l.dir.display());
                        jobs.push((l.dir.clone(), l.decide(now)?));
                    }
                }
                (None, None) => unreachable!("clap requires DIR or --policy"),
            }
            let mut failed = false;
            for (dir, groups) in jobs {
                for (_, d) in &groups {
                    for k in &d.keep {
                        outln!("keep   {}  ({})", k.backup.id, k.reasons.join(", "));
                    }
                    for r in opsbook::backup::retention::delete(&dir, &d.forget, !yes) {
                        failed |= r.outcome.starts_with("error") || r.outcome.starts_with("refused");
                        outln!("{:<6} {}  ({})", "forget", r.id, r.outcome);
                    }
                }
            }
            Ok(if failed { 2 } else { 0 })
        }
    }
}

/// Writes to standard output; a reader that stopped early (`| head`, `| grep -q`) is not an
/// error, as for any Unix filter.
fn write_stdout(bytes: &[u8]) -> opsbook::Result<u8> {
    output::write_bytes(bytes);
    Ok(0)
}

/// `--time` as ms since the epoch (RFC 3339 or Unix seconds), or now.
fn time_or_now(t: &Option<String>) -> opsbook::Result<i64> {
    flag_time_or_now("--time", t)
}

/// A time flag (RFC 3339 or Unix seconds) as ms since the epoch, or now; errors name `flag`.
fn flag_time_or_now(flag: &str, t: &Option<String>) -> opsbook::Result<i64> {
    match t {
        Some(t) => match t.parse::<f64>() {
            Ok(seconds) => opsbook::forecast::input::time_ms(flag, seconds),
            Err(_) => Ok(parse_time(flag, t)?.as_millisecond()),
        },
        None => Ok(jiff::Timestamp::now().as_millisecond()),
    }
}

fn incidents_command(command: IncidentsCommand) -> opsbook::Result<u8> {
    use opsbook::rules::incident::incidents_to_text;
    let at = match &command {
        IncidentsCommand::List { at, .. }
        | IncidentsCommand::Show { at, .. }
        | IncidentsCommand::Ack { at, .. }
        | IncidentsCommand::Resolve { at, .. }
        | IncidentsCommand::Record { at, .. } => at,
    };
    let policy = Policy::from_path(&at.policy)?;
    let mut pipeline = policy.alert_pipeline()?;
    if pipeline.incidents.is_none() {
        return Err(opsbook::Error::InvalidValue {
            field: format!("{}: escalation.levels", at.policy.display()),
            value: String::new(),
            reason: "the policy declares no escalation levels, so it keeps no incidents".into(),
        });
    }
    let store = open_state(&policy, at.state.clone())?.ok_or_else(|| opsbook::Error::InvalidValue {
        field: "--state".into(),
        value: String::new(),
        reason: "incidents live in a state store: give --state FILE or a [state] table in the policy".into(),
    })?;
    let time = time_or_now;
    let store = store.as_ref();
    with_lease(store, LOCK, LOCK_WAIT, LOCK_HOLD, || {
        pipeline.load(store, "")?;
        let manager = pipeline.incidents.as_mut().expect("checked above");
        match &command {
            IncidentsCommand::List { format, .. } => match format {
                EvalFormat::Text => out!("{}", incidents_to_text(manager.incidents())),
                EvalFormat::Json => {
                    let list: Vec<serde_json::Value> = manager.incidents().map(|i| i.to_json()).collect();
                    outln!("{}", serde_json::json!({ "incidents": list }))
                }
            },
            IncidentsCommand::Show { id, format, .. } => {
                let incident = manager.incident(id).ok_or_else(|| opsbook::Error::InvalidValue {
                    field: "incident".into(),
                    value: id.clone(),
                    reason: "no such incident".into(),
                })?;
                match format {
                    EvalFormat::Text => out!("{}", incident.to_text()),
                    EvalFormat::Json => outln!("{}", incident.to_json()),
                }
            }
            IncidentsCommand::Ack { id, by, time: t, .. } => {
                manager.acknowledge(id, by, time(t)?)?;
                out!("{}", manager.incident(id).expect("just acknowledged").to_text());
            }
            IncidentsCommand::Resolve { id, by, note, time: t, .. } => {
                manager.resolve(id, by, note, time(t)?)?;
                out!("{}", manager.incident(id).expect("just resolved").to_text());
            }
            IncidentsCommand::Record { id, what, time: t, .. } => {
                manager.record(id, what, time(t)?)?;
                out!("{}", manager.incident(id).expect("just recorded").to_text());
            }
        }
        pipeline.save(store, "")
    })?;
    Ok(0)
}

fn rules_command(command: RulesCommand) -> opsbook::Result<u8> {
    use opsbook::rules::replay::{parse_samples_jsonl, regrid};
    match command {
        RulesCommand::Eval { policy, samples, interval, format, alertmanager, notify, state, send } => {
            let policy = Policy::from_path(&policy)?;
            let mut recorded =
                parse_samples_jsonl(&read_input(&samples)?).map_err(|e| in_file(std::path::Path::new(&samples), e))?;
            if let Some(i) = &interval {
                recorded = regrid(&recorded, parse_duration("--interval", i)?.as_millis() as i64)?;
            }
            let mut pipeline = policy.alert_pipeline()?;
            if let Some(path) = notify {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| opsbook::Error::Io { path: path.display().to_string(), reason: e.to_string() })?;
                let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    in_file(
                        &path,
                        opsbook::Error::InvalidValue {
                            field: "notify".into(),
                            value: String::new(),
                            reason: e.to_string(),
                        },
                    )
                })?;
                pipeline.dispatcher =
                    Some(opsbook::rules::notify::dispatcher_from_value(&doc).map_err(|e| in_file(&path, e))?);
            }
            let store = open_state(&policy, state)?;
            let outcome = match &store {
                None => pipeline.replay(&recorded)?,
                Some(store) => with_lease(store.as_ref(), LOCK, LOCK_WAIT, LOCK_HOLD, || {
                    pipeline.load(store.as_ref(), "")?;
                    let outcome = pipeline.replay(&recorded)?;
                    pipeline.save(store.as_ref(), "")?;
                    Ok(outcome)
                })?,
            };
            match format {
                EvalFormat::Text => out!("{}", outcome.to_text(pipeline.incidents.as_ref())),
                EvalFormat::Json => outln!("{}", outcome.to_json()),
            }
            let engine = &pipeline.engine;
            if let Some(url) = alertmanager {
                let last = recorded.keys().next_back().copied().unwrap_or(0);
                // Valid for four evaluation intervals, as Prometheus sends them (1m by default).
                let interval_ms = interval
                    .as_deref()
                    .map(|i| parse_duration("--interval", i))
                    .transpose()?
                    .map_or(60_000, |d| d.as_millis() as i64);
                let alerts = opsbook::rules::alertmanager::alerts_to_send(engine, last, 4 * interval_ms);
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| opsbook::Error::Io { path: "tokio runtime".into(), reason: e.to_string() })?;
                rt.block_on(opsbook::rules::alertmanager::push(&url, &alerts, ""))?;
                eprintln!("pushed {} alerts to {}", alerts.len(), opsbook::redact::redact(&url));
            }
            if send {
                return alert::send_notifications(&policy, &outcome.notifications);
            }
            Ok(0)
        }
        RulesCommand::Advance { policy, state, time, format, send } => {
            let policy = Policy::from_path(&policy)?;
            let mut pipeline = policy.alert_pipeline()?;
            let store = open_state(&policy, state)?.ok_or_else(|| opsbook::Error::InvalidValue {
                field: "--state".into(),
                value: String::new(),
                reason: "advancing needs kept state: give --state FILE or a [state] table in the policy".into(),
            })?;
            let now = time_or_now(&time)?;
            let outcome = with_lease(store.as_ref(), LOCK, LOCK_WAIT, LOCK_HOLD, || {
                pipeline.load(store.as_ref(), "")?;
                let outcome = pipeline.advance(now);
                pipeline.save(store.as_ref(), "")?;
                Ok(outcome)
            })?;
            match format {
                EvalFormat::Text => out!("{}", outcome.to_text(pipeline.incidents.as_ref())),
                EvalFormat::Json => outln!("{}", outcome.to_json()),
            }
            if send {
                return alert::send_notifications(&policy, &outcome.notifications);
            }
            Ok(0)
        }
        RulesCommand::Fingerprint { labels } => {
            let parsed: std::collections::BTreeMap<String, String> =
                serde_json::from_str(&labels).map_err(|e| opsbook::Error::InvalidValue {
                    field: "LABELS".into(),
                    value: labels.clone(),
                    reason: format!("expected a JSON object of strings: {e}"),
                })?;
            outln!("{}", opsbook::rules::fingerprint::fingerprint_hex(&parsed));
            Ok(0)
        }
        RulesCommand::Export { policy, target, group, samples, interval, rule_file } => {
            let rules = load_rules(&policy)?;
            let interval_ms =
                interval.map(|i| parse_duration("--interval", &i).map(|d| d.as_millis() as i64)).transpose()?;
            match target {
                ExportTarget::Prometheus => {
                    out!("{}", opsbook::rules::export::prometheus_rules(&rules, &group, interval_ms))
                }
                ExportTarget::PromtoolTest => {
                    let samples = samples.ok_or_else(|| missing("--samples", "--target promtool-test"))?;
                    let recorded = parse_samples_jsonl(&read_input(&samples)?)
                        .map_err(|e| in_file(std::path::Path::new(&samples), e))?;
                    let interval_ms = interval_ms.ok_or_else(|| missing("--interval", "--target promtool-test"))?;
                    out!("{}", opsbook::rules::export::promtool_test(&rules, &rule_file, &recorded, interval_ms)?);
                }
            }
            Ok(0)
        }
    }
}

fn read_input(path: &str) -> opsbook::Result<String> {
    let read = if path == "-" { std::io::read_to_string(std::io::stdin()) } else { std::fs::read_to_string(path) };
    read.map_err(|e| opsbook::Error::Io { path: path.to_owned(), reason: e.to_string() })
}

fn number_list(field: &str, text: &str) -> opsbook::Result<Vec<f64>> {
    text.split(',').enumerate().map(|(i, v)| parse_value(&format!("{field}[{i}]"), v.trim())).collect()
}

fn missing(flag: &str, with: &str) -> opsbook::Error {
    opsbook::Error::InvalidValue {
        field: flag.into(),
        value: String::new(),
        reason: format!("is required with {with}"),
    }
}

fn in_series(name: &str, e: opsbook::Error) -> opsbook::Error {
    match e {
        opsbook::Error::InvalidValue { field, value, reason } => {
            opsbook::Error::InvalidValue { field: format!("{name}: {field}"), value, reason }
        }
        other => other,
    }
}

fn cli_time(field: &str, text: &str) -> opsbook::Result<i64> {
    match text.parse::<f64>() {
        Ok(seconds) => opsbook::forecast::input::time_ms(field, seconds),
        Err(_) => Ok(parse_time(field, text)?.as_millisecond()),
    }
}

/// Names the policy file in an error about its contents.
fn in_file(path: &std::path::Path, e: opsbook::Error) -> opsbook::Error {
    match e {
        opsbook::Error::InvalidValue { field, value, reason } => {
            opsbook::Error::InvalidValue { field: format!("{}: {field}", path.display()), value, reason }
        }
        other => opsbook::Error::InvalidValue {
            field: format!("{}", path.display()),
            value: String::new(),
            reason: other.to_string(),
        },
    }
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
                outln!("{s}");
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
            outln!("{doc}");
        }
    }
    Ok(worst.nagios_code())
}
