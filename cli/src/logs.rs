//! `opsbook logs analyze`: the manuals' log analyses over files (plain or gzip).

use clap::{Subcommand, ValueEnum};
use opsbook::logs::{Analysis, LineFormat, Options};

#[derive(Subcommand)]
pub enum LogsCommand {
    /// Analyse log files: errors by level and type, endpoints (calls, errors, error rate,
    /// p95), busy IPs, failed logins. Rotated .gz files are read as they are.
    Analyze {
        /// The files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Line format: iso-level, nginx (combined), json, or a regex with named captures
        /// (time, level, message, ip, user, method, path, status, duration_ms, duration_s).
        #[arg(long, default_value = "iso-level")]
        input_format: String,
        /// Only lines of the last DURATION before --now (e.g. 24h), or since a time (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// What a failed login looks like (a regex; default: login failed, failed password,
        /// authentication failed, 登录失败).
        #[arg(long)]
        failed_login: Option<String>,
        /// The clock (RFC 3339 or Unix seconds; default now).
        #[arg(long)]
        now: Option<String>,
        /// How many error types and endpoints to list.
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// List IPs with more requests than this.
        #[arg(long, default_value_t = 1000)]
        ip_limit: u64,
        /// List IPs and users with more failed logins than this.
        #[arg(long, default_value_t = 10)]
        failed_login_limit: u64,
        #[arg(long, value_enum, default_value_t = LogsFormat::Markdown)]
        format: LogsFormat,
        /// zh-CN (default) or en headings.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LogsFormat {
    Markdown,
    Json,
}

pub fn run(command: LogsCommand) -> opsbook::Result<u8> {
    let LogsCommand::Analyze {
        files,
        input_format,
        since,
        failed_login,
        now,
        top,
        ip_limit,
        failed_login_limit,
        format,
        lang,
    } = command;
    let format_spec = LineFormat::parse(&input_format)?;
    let zh = opsbook::alert::message::Lang::parse("--lang", &lang)? == opsbook::alert::message::Lang::ZhCn;
    let now_ms = match &now {
        None => jiff::Timestamp::now().as_millisecond(),
        Some(t) => match t.parse::<f64>() {
            Ok(seconds) => opsbook::forecast::input::time_ms("--now", seconds)?,
            Err(_) => opsbook::check::parse_time("--now", t)?.as_millisecond(),
        },
    };
    let since_ms = match since.as_deref() {
        None => None,
        Some(s) => Some(match opsbook::duration::parse_duration("--since", s) {
            Ok(d) => now_ms - d.as_millis() as i64,
            Err(e) => opsbook::check::parse_time("--since", s).map_err(|_| e)?.as_millisecond(),
        }),
    };
    let mut options = Options { since_ms, top, ip_limit, failed_login_limit, ..Options::default() };
    if let Some(re) = failed_login {
        options.failed_login = regex::Regex::new(&re).map_err(|e| opsbook::Error::InvalidValue {
            field: "--failed-login".into(),
            value: re.clone(),
            reason: e.to_string(),
        })?;
    }
    let mut analysis = Analysis::new(options);
    for file in &files {
        analysis.add_file(file, &format_spec)?;
    }
    let report = analysis.finish();
    let out = match format {
        LogsFormat::Markdown => report.to_markdown(zh),
        LogsFormat::Json => {
            format!("{}\n", serde_json::to_string_pretty(&report.to_json()).expect("JSON values serialise"))
        }
    };
    crate::write_stdout(out.as_bytes())
}
