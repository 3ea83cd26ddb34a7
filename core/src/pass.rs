//! A whole maintenance pass over one policy (`opsbook run`): the `[[checks]]` run once, the
//! rules evaluated on their results with the state kept between passes, the notifications
//! rendered (and, when asked, delivered to their `[[channels]]`), the capacity plan, the
//! backups verified (the `backup` checks) and each location's retention planned, the log
//! analyses and lifecycle planned, and the daily (or monthly) report written. Nothing is
//! deleted, compressed or restarted: retention and lifecycle are plans, restarts and
//! `VACUUM` are the policy's hooks and manual steps.
//!
//! Safe from cron: one pass at a time per state (a `flock` on `<state>.run.lock` for a state
//! file, which the kernel drops if the process dies; a lease in Redis or memory otherwise),
//! and a second pass started meanwhile does nothing and says so.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::check::HealthReport;
use crate::error::{Error, Result};
use crate::policy::Policy;
use crate::report::{NotificationState, NotificationSummary, Report, ReportKind};
use crate::rules::pipeline::Outcome;
use crate::state::{StateBackend, StateConfig, StateStore};
use crate::status::Status;

/// What a pass does besides reading and planning.
#[derive(Debug, Clone, Copy)]
pub struct PassOptions {
    /// The pass's time (ms since the epoch): rules, windows, retention and the report use it.
    pub now_ms: i64,
    pub kind: ReportKind,
    /// Deliver the notifications (otherwise they are rendered only).
    pub send: bool,
}

/// One notification of the pass: what it was and the requests it became (secrets masked).
#[derive(Debug, Clone)]
pub struct PassNotification {
    pub summary: NotificationSummary,
    /// The rendered requests as shown (`Request::to_json`), empty when rendering failed.
    pub requests: Vec<Value>,
}

/// What a location's retention keeps (how many) and would forget (which), or why it could
/// not be planned.
pub type RetentionPlan = (usize, Vec<String>);

/// Everything one pass found and did.
#[derive(Debug)]
pub struct PassOutcome {
    pub now_ms: i64,
    /// Where the rules' state is kept (`file /var/lib/...`, `redis from $VAR`, `memory`).
    pub state: String,
    pub health: HealthReport,
    pub rules: Outcome,
    pub notifications: Vec<PassNotification>,
    /// Per backup location: its name and plan.
    pub retention: Vec<(String, Result<RetentionPlan>)>,
    /// Per `[[logs.lifecycle]]` directory: the plan, or why it could not be made.
    #[cfg(feature = "logs")]
    pub log_lifecycle: Vec<(PathBuf, Result<Vec<crate::logs::lifecycle::Planned>>)>,
    /// The report with every part of the pass in it.
    pub report: Report,
}

impl PassOutcome {
    /// The worst item of the report: checks, backups, alerts, failed deliveries, plans that
    /// could not be made.
    pub fn status(&self) -> Status {
        self.report.status()
    }

    /// The pass as `format` shows it: the report (text or markdown), or everything as JSON
    /// ([`PassOutcome::to_json`]) — what the command prints and the C ABI returns.
    pub fn render(&self, format: crate::report::ReportFormat) -> String {
        match format {
            crate::report::ReportFormat::Json => self.to_json().to_string(),
            other => self.report.render(other),
        }
    }

    /// The pass as data: its time, status and state, the health report (opsbook's JSON), the
    /// rules' events, notifications with their requests, the plans and the report.
    pub fn to_json(&self) -> Value {
        let health: Value = serde_json::from_str(&crate::export::to_json(&self.health)).unwrap_or(Value::Null);
        let notifications: Vec<Value> = self
            .notifications
            .iter()
            .map(|n| {
                let (state, error) = match &n.summary.state {
                    NotificationState::Delivered => ("delivered", Value::Null),
                    NotificationState::Failed(why) => ("failed", Value::String(why.clone())),
                    NotificationState::Rendered => ("rendered", Value::Null),
                };
                json!({
                    "receiver": n.summary.receiver,
                    "channel": n.summary.channel,
                    "type": n.summary.channel_kind,
                    "status": n.summary.status,
                    "alertnames": n.summary.alertnames,
                    "state": state,
                    "error": error,
                    "requests": n.requests,
                })
            })
            .collect();
        let retention: Vec<Value> = self
            .retention
            .iter()
            .map(|(name, plan)| match plan {
                Ok((keep, forget)) => json!({"location": name, "keep": keep, "forget": forget, "error": null}),
                Err(e) => json!({"location": name, "keep": null, "forget": [], "error": redacted(e)}),
            })
            .collect();
        #[cfg(feature = "logs")]
        let lifecycle: Vec<Value> = self
            .log_lifecycle
            .iter()
            .map(|(dir, plan)| match plan {
                Ok(list) => json!({
                    "dir": dir.display().to_string(),
                    "actions": list.iter().map(|p| p.to_json()).collect::<Vec<_>>(),
                    "error": null,
                }),
                Err(e) => json!({"dir": dir.display().to_string(), "actions": [], "error": redacted(e)}),
            })
            .collect();
        #[cfg(not(feature = "logs"))]
        let lifecycle: Vec<Value> = Vec::new();
        let rules = self.rules.to_json();
        json!({
            "time": crate::format::timestamp_ms_rfc3339(self.now_ms),
            "status": self.status().as_str(),
            "state": self.state,
            "health": health,
            "events": rules["events"],
            "escalations": rules["escalations"],
            "opened": rules["opened"],
            "notifications": notifications,
            "retention": retention,
            "log_lifecycle": lifecycle,
            "report": self.report.to_json(),
        })
    }
}

fn redacted(e: &Error) -> String {
    crate::redact::redact(&e.to_string()).into_owned()
}

/// Runs one pass of `policy` with the rules' state in `store` (loaded, evaluated at
/// `options.now_ms` on this pass's results, saved), delivering through `sender` when
/// `options.send`. The caller holds the run lock ([`run_path`] takes it).
#[cfg(feature = "alert")]
pub fn run(
    policy: &Policy,
    store: &dyn StateStore,
    state: &str,
    options: PassOptions,
    sender: &crate::alert::deliver::Sender,
    secrets: &dyn crate::alert::channel::Secrets,
) -> Result<PassOutcome> {
    let runner = policy.runner()?;
    // Failures in a row (`failures_before_critical`) count passes, so they live in the state.
    if let Some(text) = store.get(FAILURES_KEY)? {
        let counts: std::collections::BTreeMap<String, u32> = serde_json::from_str(&text)
            .map_err(|e| Error::invalid_value("state", FAILURES_KEY, format!("not opsbook state: {e}")))?;
        runner.restore_failure_counts(&counts);
    }
    let health = runner.run_blocking(None);
    let counts = runner.failure_counts();
    store.put(FAILURES_KEY, &serde_json::to_string(&counts).unwrap_or_else(|_| "{}".into()), None)?;
    let mut pipeline = policy.alert_pipeline()?;
    let rules = crate::state::with_lease(store, STATE_LEASE, LEASE_WAIT, LEASE_HOLD, || {
        pipeline.load(store, "")?;
        let outcome = pipeline.evaluate(options.now_ms, &crate::rules::pipeline::samples_from_report(&health))?;
        pipeline.save(store, "")?;
        Ok(outcome)
    })?;
    let notifications = notify(policy, &rules.notifications, options.send, sender, secrets);
    let mut report = crate::report::assemble(
        policy,
        options.kind,
        options.now_ms,
        &health,
        (!policy.rules.is_empty()).then_some(&pipeline),
    )?;
    if !notifications.is_empty() {
        report.add_notifications(&notifications.iter().map(|n| n.summary.clone()).collect::<Vec<_>>());
    }
    let mut retention = Vec::new();
    #[cfg(feature = "backup")]
    {
        let now = jiff::Timestamp::from_millisecond(options.now_ms)
            .map_err(|e| Error::invalid_value("now", &options.now_ms.to_string(), e.to_string()))?;
        for location in &policy.backups {
            let plan = location.decide(now).map(|groups| {
                let keep = groups.iter().map(|(_, d)| d.keep.len()).sum();
                let forget = groups.iter().flat_map(|(_, d)| d.forget.iter().map(|b| b.id.clone())).collect();
                (keep, forget)
            });
            report.add_retention(&location.name, &plan);
            retention.push((location.name.clone(), plan));
        }
    }
    #[cfg(feature = "logs")]
    let log_lifecycle = {
        let mut out = Vec::new();
        for l in policy.logs.iter().flat_map(|l| &l.lifecycle) {
            let plan = crate::logs::lifecycle::plan(&l.dir, &l.rules, options.now_ms);
            report.add_log_lifecycle(&l.dir.display().to_string(), &plan);
            out.push((l.dir.clone(), plan));
        }
        out
    };
    Ok(PassOutcome {
        now_ms: options.now_ms,
        state: state.to_owned(),
        health,
        rules,
        notifications,
        retention,
        #[cfg(feature = "logs")]
        log_lifecycle,
        report,
    })
}

/// Each notification rendered for every channel of its receiver, and delivered when `send`.
#[cfg(feature = "alert")]
fn notify(
    policy: &Policy,
    notifications: &[crate::rules::notify::Notification],
    send: bool,
    sender: &crate::alert::deliver::Sender,
    secrets: &dyn crate::alert::channel::Secrets,
) -> Vec<PassNotification> {
    let mut out = Vec::with_capacity(notifications.len());
    for n in notifications {
        // Each alert name once, in the group's order.
        let mut alertnames: Vec<String> = Vec::new();
        for name in n.alerts.iter().filter_map(|a| a.labels.get("alertname")) {
            if !alertnames.contains(name) {
                alertnames.push(name.clone());
            }
        }
        let summary = |channel: String, channel_kind: String, state: NotificationState| NotificationSummary {
            receiver: n.receiver.clone(),
            channel,
            channel_kind,
            status: n.status().to_owned(),
            alertnames: alertnames.clone(),
            state,
        };
        let channels = match policy.channels_for(&n.receiver) {
            Ok(list) => list,
            Err(e) => {
                out.push(PassNotification {
                    summary: summary(String::new(), String::new(), NotificationState::Failed(redacted(&e))),
                    requests: Vec::new(),
                });
                continue;
            }
        };
        for channel in channels {
            let preview = Preview(secrets);
            let secrets: &dyn crate::alert::channel::Secrets = if send { secrets } else { &preview };
            let rendered = channel.render(&crate::alert::model::AlertGroup::from(n), n.at_ms, secrets);
            let shown: Vec<Value> = rendered.iter().flatten().map(crate::alert::channel::Request::to_json).collect();
            let state = match rendered {
                Err(e) => NotificationState::Failed(redacted(&e)),
                Ok(_) if !send => NotificationState::Rendered,
                Ok(requests) => match sender.send_blocking(&channel, &requests) {
                    Err(e) => NotificationState::Failed(redacted(&e)),
                    Ok(list) if list.iter().all(|d| d.delivered) => NotificationState::Delivered,
                    Ok(list) => NotificationState::Failed(
                        list.iter().filter_map(crate::alert::deliver::Delivery::failure).collect::<Vec<_>>().join("; "),
                    ),
                },
            };
            out.push(PassNotification {
                summary: summary(channel.spec.name.clone(), channel.kind.name().to_owned(), state),
                requests: shown,
            });
        }
    }
    out
}

/// Secrets for a preview: the environment's where set, a placeholder where not, so a pass
/// without `--send` shows every message even before the tokens are configured (the shown
/// requests mask both alike).
#[cfg(feature = "alert")]
struct Preview<'a>(&'a dyn crate::alert::channel::Secrets);

#[cfg(feature = "alert")]
impl crate::alert::channel::Secrets for Preview<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).or_else(|| Some(format!("unset-{name}")))
    }
}

/// Where the checks' failures in a row are kept between passes.
const FAILURES_KEY: &str = "pass:failures";

/// The rules' state lease (the same one `rules eval` and `rules advance` take).
const STATE_LEASE: &str = "lock:state";
const LEASE_WAIT: Duration = Duration::from_secs(30);
const LEASE_HOLD: Duration = Duration::from_secs(120);
/// The run lease in a shared store: a pass that dies holding it blocks others this long.
const RUN_HOLD: Duration = Duration::from_secs(15 * 60);

/// Where a pass keeps state when neither a state file nor `[state]` is given:
/// `$OPSBOOK_STATE_DIR`, else `$XDG_STATE_HOME/opsbook`, else `~/.local/state/opsbook`, a file
/// named after the policy (its stem and a hash of its full path, so two policies never
/// share one).
pub fn default_state_path(policy_path: &Path) -> PathBuf {
    let dir = std::env::var_os("OPSBOOK_STATE_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()).map(|d| PathBuf::from(d).join("opsbook"))
        })
        .or_else(|| {
            std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join(".local/state/opsbook"))
        })
        .unwrap_or_else(|| PathBuf::from("/var/lib/opsbook"));
    let full = std::fs::canonicalize(policy_path).unwrap_or_else(|_| policy_path.to_path_buf());
    let mut hash = fnv::FnvHasher::default();
    std::hash::Hasher::write(&mut hash, full.as_os_str().as_encoded_bytes());
    let stem = policy_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "policy".into());
    dir.join(format!("{stem}-{:08x}.state.json", std::hash::Hasher::finish(&hash) as u32))
}

/// The run lock: held while the value lives.
enum RunLock<'a> {
    /// `flock` on a file: the kernel releases it when the file closes or the process ends,
    /// however it ends.
    File(#[allow(dead_code)] std::fs::File),
    Lease {
        store: &'a dyn StateStore,
        owner: String,
    },
}

impl Drop for RunLock<'_> {
    fn drop(&mut self) {
        if let RunLock::Lease { store, owner } = self {
            let _ = store.release(RUN_LEASE, owner);
        }
    }
}

const RUN_LEASE: &str = "lock:run";

fn lock_file(path: &Path) -> Result<RunLock<'static>> {
    let io = |e: &dyn std::fmt::Display| Error::Io { path: path.display().to_string(), reason: e.to_string() };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io(&e))?;
    }
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).map_err(|e| io(&e))?;
    match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(RunLock::File(file)),
        Err(rustix::io::Errno::WOULDBLOCK) => {
            Err(io(&"another opsbook run holds this lock; this run did nothing (runs never overlap)"))
        }
        Err(e) => Err(io(&e)),
    }
}

fn lock_store(store: &dyn StateStore) -> Result<RunLock<'_>> {
    let owner = format!("{}:{}", std::process::id(), jiff::Timestamp::now().as_millisecond());
    if store.acquire(RUN_LEASE, &owner, RUN_HOLD)? {
        Ok(RunLock::Lease { store, owner })
    } else {
        Err(Error::Io {
            path: format!("state {RUN_LEASE}"),
            reason: "another opsbook run holds this lease; this run did nothing (runs never overlap)".into(),
        })
    }
}

/// The policy a pass uses when none is given: this host's CPU, memory, swap, load and disks
/// with the engineering manual's thresholds, rules at its critical levels, no channels.
pub const DEFAULT_POLICY: &str = include_str!("pass_default.toml");

/// One pass of [`DEFAULT_POLICY`]: state in `state_file` when given, else a file named
/// `default-…` in [`default_state_path`]'s directory.
#[cfg(feature = "alert")]
pub fn run_default(state_file: Option<&Path>, options: PassOptions) -> Result<PassOutcome> {
    let policy = Policy::from_toml(DEFAULT_POLICY)?;
    let file = state_file.map(Path::to_path_buf).unwrap_or_else(|| default_state_path(Path::new("default")));
    run_with_state(&policy, StateConfig::file(file), options)
}

/// One pass of the policy file at `path`, state in `state_file` when given, else the
/// policy's `[state]`, else [`default_state_path`]: what every front door's "run" calls.
/// The run lock is held for the whole pass; secrets come from the environment.
#[cfg(feature = "alert")]
pub fn run_path(path: &Path, state_file: Option<&Path>, options: PassOptions) -> Result<PassOutcome> {
    let policy = Policy::from_path(path)?;
    let config = match (state_file, &policy.state) {
        (Some(file), _) => StateConfig::file(file),
        (None, Some(config)) => config.clone(),
        (None, None) => StateConfig::file(default_state_path(path)),
    };
    run_with_state(&policy, config, options)
}

/// A pass with its state opened from `config` and the run lock held.
#[cfg(feature = "alert")]
fn run_with_state(policy: &Policy, config: StateConfig, options: PassOptions) -> Result<PassOutcome> {
    let store = config.open()?;
    let (shown, _lock) = match config.backend {
        StateBackend::File => {
            let file = config.path.clone().unwrap_or_default();
            // Beside the state file: taking it also creates the state's directory.
            let lock = lock_file(&PathBuf::from(format!("{}.run.lock", file.display())))?;
            (format!("file {}", file.display()), lock)
        }
        StateBackend::Redis => {
            (format!("redis from ${}", config.url_env.as_deref().unwrap_or_default()), lock_store(store.as_ref())?)
        }
        StateBackend::Memory => ("memory".to_owned(), lock_store(store.as_ref())?),
    };
    run(
        policy,
        store.as_ref(),
        &shown,
        options,
        &crate::alert::deliver::Sender::new(),
        &crate::alert::channel::EnvSecrets,
    )
}
