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
    /// The log lifecycle as the manuals' find rules: what to compress, move to a tier, or
    /// delete under DIR. Prints the plan; --apply carries it out.
    Plan {
        /// The directory (or give --policy for its [[logs.lifecycle]] entries).
        #[arg(required_unless_present = "policy")]
        dir: Option<std::path::PathBuf>,
        /// Plan every [[logs.lifecycle]] directory of this policy.
        #[arg(long, conflicts_with_all = ["dir", "compress_after", "delete_compressed_after", "delete_after", "tier"])]
        policy: Option<std::path::PathBuf>,
        /// gzip *.log files older than N days (find -mtime +N), e.g. 7.
        #[arg(long)]
        compress_after: Option<u32>,
        /// Delete compressed logs older than N days, e.g. 30.
        #[arg(long)]
        delete_compressed_after: Option<u32>,
        /// Delete any log older than N days.
        #[arg(long)]
        delete_after: Option<u32>,
        /// A tier NAME:DAYS:DIR (logs older than DAYS move into DIR); repeatable.
        #[arg(long)]
        tier: Vec<String>,
        /// The clock (RFC 3339 or Unix seconds; default now).
        #[arg(long)]
        now: Option<String>,
        /// Carry the plan out (files changed since the plan are left alone).
        #[arg(long)]
        apply: bool,
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
    },
}

fn plan(
    targets: Vec<(std::path::PathBuf, opsbook::logs::lifecycle::Rules)>,
    now: Option<String>,
    apply: bool,
    format: PlanFormat,
) -> opsbook::Result<u8> {
    let now = crate::flag_time_or_now("--now", &now)?;
    let mut planned = Vec::new();
    for (dir, rules) in &targets {
        planned.extend(opsbook::logs::lifecycle::plan(dir, rules, now)?);
    }
    let mut code = 0;
    let rows: Vec<(serde_json::Value, Option<String>)> = if apply {
        opsbook::logs::lifecycle::apply(&planned).into_iter().map(|d| (d.to_json(), d.error)).collect()
    } else {
        planned.iter().map(|p| (p.to_json(), None)).collect()
    };
    let mut out = String::new();
    match format {
        PlanFormat::Json => {
            let list: Vec<serde_json::Value> = rows.into_iter().map(|(v, _)| v).collect();
            out = serde_json::to_string_pretty(&list).expect("JSON values serialise") + "\n";
        }
        PlanFormat::Text => {
            for (v, e) in rows {
                let to = v["to"].as_str().map(|t| format!(" -> {t}")).unwrap_or_default();
                let status = match (&e, apply) {
                    (Some(err), _) => format!("  FAILED: {err}"),
                    (None, true) => "  done".to_owned(),
                    (None, false) => String::new(),
                };
                out.push_str(&format!(
                    "{} {}{to} ({} days, {}){status}\n",
                    v["action"].as_str().unwrap_or(""),
                    v["path"].as_str().unwrap_or(""),
                    v["days_old"],
                    v["reason"].as_str().unwrap_or("")
                ));
            }
            if out.is_empty() {
                out.push_str("nothing to do\n");
            }
        }
    }
    if out.contains("FAILED") || out.contains("\"done\": false") {
        code = 2;
    }
    crate::write_stdout(out.as_bytes())?;
    Ok(code)
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LogsFormat {
    Markdown,
    Json,
}

pub fn run(command: LogsCommand) -> opsbook::Result<u8> {
    if let LogsCommand::Plan {
        dir,
        policy,
        compress_after,
        delete_compressed_after,
        delete_after,
        tier,
        now,
        apply,
        format,
    } = command
    {
        if let Some(policy) = policy {
            let spec = opsbook::policy::Policy::from_path(&policy)?.logs.unwrap_or_default();
            if spec.lifecycle.is_empty() {
                return Err(opsbook::Error::InvalidValue {
                    field: "--policy".into(),
                    value: policy.display().to_string(),
                    reason: "the policy has no [[logs.lifecycle]] entry".into(),
                });
            }
            return plan(spec.lifecycle.into_iter().map(|l| (l.dir, l.rules)).collect(), now, apply, format);
        }
        let tiers = tier
            .iter()
            .map(|t| {
                let mut parts = t.splitn(3, ':');
                match (parts.next(), parts.next().and_then(|d| d.parse().ok()), parts.next()) {
                    (Some(name), Some(after_days), Some(dir)) if !name.is_empty() && !dir.is_empty() => {
                        Ok(opsbook::logs::lifecycle::Tier { name: name.to_owned(), after_days, dir: dir.into() })
                    }
                    _ => Err(opsbook::Error::InvalidValue {
                        field: "--tier".into(),
                        value: t.clone(),
                        reason: "expected NAME:DAYS:DIR, e.g. cold:30:/archive/logs".into(),
                    }),
                }
            })
            .collect::<opsbook::Result<Vec<_>>>()?;
        let rules = opsbook::logs::lifecycle::Rules { compress_after, delete_compressed_after, delete_after, tiers };
        let dir = dir.expect("clap requires DIR without --policy");
        return plan(vec![(dir, rules)], now, apply, format);
    }
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
    } = command
    else {
        unreachable!("a plan returned above")
    };
    let format_spec = LineFormat::parse(&input_format)?;
    let zh = opsbook::alert::message::Lang::parse("--lang", &lang)? == opsbook::alert::message::Lang::ZhCn;
    let now_ms = crate::flag_time_or_now("--now", &now)?;
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
