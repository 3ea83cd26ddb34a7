//! `opsbook run --policy F`: one whole maintenance pass (see `opsbook::pass`).

use opsbook::pass::PassOptions;
use opsbook::report::ReportKind;

#[derive(clap::Args)]
pub struct RunArgs {
    /// The policy file (TOML, YAML or JSON); without one, this host with the manuals'
    /// default thresholds (`opsbook run --print-default-policy` shows it).
    #[arg(long)]
    policy: Option<std::path::PathBuf>,
    /// Print the policy used without --policy and exit.
    #[arg(long)]
    print_default_policy: bool,
    /// The rules' state file (default: the policy's [state], else a file under
    /// $OPSBOOK_STATE_DIR, $XDG_STATE_HOME/opsbook or ~/.local/state/opsbook named after the
    /// policy).
    #[arg(long)]
    state: Option<std::path::PathBuf>,
    /// The clock (RFC 3339 or Unix seconds; default now).
    #[arg(long)]
    now: Option<String>,
    /// Deliver the notifications to their [[channels]] (otherwise they are rendered only).
    #[arg(long)]
    send: bool,
    /// The report the pass writes.
    #[arg(long, value_enum, default_value_t = Kind::Daily)]
    report: Kind,
    /// text or markdown: the report (with the pass's notifications and plans in it);
    /// json: everything the pass found and did.
    #[arg(long, value_enum, default_value_t = crate::report::Format::Text)]
    format: crate::report::Format,
    /// Also write the output to this file (replaced atomically).
    #[arg(long)]
    output: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    Daily,
    Monthly,
}

/// Exit 0/1/2 as the worst item of the pass (Nagios' meanings); 3 when it could not run
/// (a bad policy, or another run holding the lock).
pub fn run(args: RunArgs) -> opsbook::Result<u8> {
    if args.print_default_policy {
        return crate::write_stdout(opsbook::pass::DEFAULT_POLICY.as_bytes());
    }
    let now_ms = crate::flag_time_or_now("--now", &args.now)?;
    let kind = match args.report {
        Kind::Daily => ReportKind::Daily,
        Kind::Monthly => ReportKind::Monthly,
    };
    let options = PassOptions { now_ms, kind, send: args.send };
    let outcome = match &args.policy {
        Some(path) => opsbook::pass::run_path(path, args.state.as_deref(), options)?,
        None => opsbook::pass::run_default(args.state.as_deref(), options)?,
    };
    let mut out = outcome.render(args.format.core());
    if matches!(args.format, crate::report::Format::Json) {
        out.push('\n');
    }
    if let Some(path) = &args.output {
        opsbook::report::write_report(path, &out)?;
    }
    crate::write_stdout(out.as_bytes())?;
    Ok(outcome.status().nagios_code())
}
