//! Running checks: the `Probe` trait every probe implements, `CheckDefinition` (a probe
//! plus its thresholds and options), and the `Runner` that runs definitions concurrently
//! with per-check timeouts, result caching, failure tolerance and tags.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::check::{CheckResult, HealthReport, Measurement};
use crate::duration::format_duration;
use crate::error::{Error, Result};
use crate::redact::redact;
use crate::status::Status;
use crate::threshold::Threshold;

/// What a probe read: its measurements, and optionally a summary of its own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub measurements: Vec<Measurement>,
    /// Replaces the generated summary (e.g. "HTTP 200 OK").
    pub summary: Option<String>,
}

impl Reading {
    pub fn new(measurements: Vec<Measurement>) -> Reading {
        Reading { measurements, summary: None }
    }
}

pub type ProbeFuture<'a> = Pin<Box<dyn Future<Output = Result<Reading>> + Send + 'a>>;

/// A source of measurements. A probe that cannot take its reading returns an error; the
/// runner turns it into a CRITICAL result carrying that error.
pub trait Probe: Send + Sync {
    /// The kind of probe ("tcp", "http", "postgres", ...).
    fn kind(&self) -> &'static str;
    /// health+json `componentType`: "system", "datastore" or "component".
    fn component_type(&self) -> &'static str {
        "component"
    }
    /// Thresholds that hold unless the check overrides them (an HTTP status other than the
    /// expected one is CRITICAL; a command's non-zero exit code is CRITICAL).
    fn default_thresholds(&self) -> BTreeMap<String, Threshold> {
        BTreeMap::new()
    }
    /// Takes the readings. Blocking work belongs in `tokio::task::spawn_blocking`.
    fn measure(&self) -> ProbeFuture<'_>;
}

/// A probe with its name, thresholds (by measurement name) and run options.
#[derive(Clone)]
pub struct CheckDefinition {
    pub name: String,
    pub probe: Arc<dyn Probe>,
    /// Thresholds by measurement name; they override the probe's defaults.
    pub thresholds: BTreeMap<String, Threshold>,
    /// A probe still running after this is abandoned and the check is CRITICAL.
    pub timeout: Duration,
    /// A result younger than this is reused instead of probing again.
    pub cache_ttl: Option<Duration>,
    /// Consecutive failed runs before the check reports CRITICAL; earlier failures
    /// report WARNING ("failure 1 of 3 tolerated"). 1 = no tolerance.
    pub failures_before_critical: u32,
    /// Groups this check belongs to ("liveness", "readiness", ...).
    pub tags: BTreeSet<String>,
}

impl std::fmt::Debug for CheckDefinition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckDefinition")
            .field("name", &self.name)
            .field("probe", &self.probe.kind())
            .field("timeout", &self.timeout)
            .field("tags", &self.tags)
            .finish()
    }
}

/// The timeout a check gets when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

impl CheckDefinition {
    pub fn new(name: impl Into<String>, probe: Arc<dyn Probe>) -> Result<CheckDefinition> {
        let name = name.into();
        crate::check::validate_name("check name", &name)?;
        Ok(CheckDefinition {
            name,
            probe,
            thresholds: BTreeMap::new(),
            timeout: DEFAULT_TIMEOUT,
            cache_ttl: None,
            failures_before_critical: 1,
            tags: BTreeSet::new(),
        })
    }

    pub fn with_threshold(mut self, measurement: impl Into<String>, threshold: Threshold) -> Self {
        self.thresholds.insert(measurement.into(), threshold);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.insert(tag.into());
        self
    }

    /// Runs the probe once (with the timeout) and evaluates its readings, without the
    /// runner's caching and failure tolerance.
    pub async fn run_once(&self) -> CheckResult {
        let time = Timestamp::now();
        let started = Instant::now();
        let outcome = tokio::time::timeout(self.timeout, self.probe.measure()).await;
        let duration = started.elapsed();
        let mut result = match outcome {
            Ok(Ok(reading)) => self.evaluate(reading),
            Ok(Err(e)) => self.failed(redact(&e.to_string()).into_owned()),
            Err(_) => self.failed(format!("timed out after {}", format_duration(self.timeout))),
        };
        result.time = Some(time);
        result.duration = Some(duration);
        result.component_type = Some(self.probe.component_type().to_owned());
        result
    }

    fn evaluate(&self, reading: Reading) -> CheckResult {
        let defaults = self.probe.default_thresholds();
        let measurements: Vec<Measurement> = reading
            .measurements
            .into_iter()
            .map(|m| {
                let t = self.thresholds.get(&m.name).or_else(|| defaults.get(&m.name));
                match t {
                    Some(t) => m.with_thresholds(t.warn, t.crit),
                    None => m,
                }
            })
            .collect();
        // The name was validated when the definition was made.
        let mut result = CheckResult::from_valid_measurements(self.name.clone(), measurements);
        if let Some(summary) = reading.summary {
            let marks = result.summary.clone();
            result.summary = if result.status == Status::Ok { summary } else { format!("{summary}; {marks}") };
        }
        if let std::borrow::Cow::Owned(clean) = redact(&result.summary) {
            result.summary = clean;
        }
        result
    }

    fn failed(&self, message: String) -> CheckResult {
        CheckResult {
            name: self.name.clone(),
            status: Status::Critical,
            summary: message.clone(),
            measurements: Vec::new(),
            duration: None,
            time: None,
            error: Some(message),
            component_type: None,
        }
    }
}

/// Polls every future in one pinned slice until all are done, and returns their outputs
/// in order. A health report has tens of checks, not thousands, so polling all of them on
/// each wake-up costs less than the per-future task bookkeeping of `join_all`'s large mode.
async fn join_in_place<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    use futures_util::future::{MaybeDone, maybe_done};
    let mut slots: Pin<Box<[MaybeDone<F>]>> = Box::into_pin(futures.into_iter().map(maybe_done).collect());
    std::future::poll_fn(move |cx| {
        let mut done = true;
        // SAFETY: the slice is pinned in its box and never moved; each element is pinned
        // in place for polling and only taken out once every one is finished.
        for slot in unsafe { slots.as_mut().get_unchecked_mut() } {
            if unsafe { Pin::new_unchecked(slot) }.poll(cx).is_pending() {
                done = false;
            }
        }
        if !done {
            return std::task::Poll::Pending;
        }
        let outputs = unsafe { slots.as_mut().get_unchecked_mut() }
            .iter_mut()
            .map(|slot| unsafe { Pin::new_unchecked(slot) }.take_output().expect("every slot is done"))
            .collect();
        std::task::Poll::Ready(outputs)
    })
    .await
}

#[derive(Default)]
struct CheckState {
    cached: Option<(Instant, CheckResult)>,
    consecutive_failures: u32,
}

/// Runs check definitions concurrently. Safe to share between threads and tasks; one
/// Runner shared by several workers shares its cache, so N callers do not probe N times.
#[derive(Default)]
pub struct Runner {
    checks: Vec<CheckDefinition>,
    state: Mutex<HashMap<String, CheckState>>,
}

impl Runner {
    pub fn new() -> Runner {
        Runner::default()
    }

    /// Adds a check; names must be unique.
    pub fn add(&mut self, check: CheckDefinition) -> Result<()> {
        if self.checks.iter().any(|c| c.name == check.name) {
            return Err(Error::InvalidValue {
                field: "check name".into(),
                value: check.name,
                reason: "a check of that name already exists".into(),
            });
        }
        self.checks.push(check);
        Ok(())
    }

    pub fn checks(&self) -> &[CheckDefinition] {
        &self.checks
    }

    /// Runs every check, or those carrying `tag`, concurrently, and gathers their results
    /// in definition order. Each check is bounded by its timeout, so the report always
    /// comes back.
    pub async fn run(&self, tag: Option<&str>) -> HealthReport {
        // The checks run as futures of this one task: probes wait on I/O (blocking reads go
        // to the blocking pool), so polling them together is concurrent without the cost of
        // a spawned task per check.
        let runs = self.checks.iter().filter(|c| tag.is_none_or(|t| c.tags.contains(t))).map(|def| async move {
            match self.cached(def) {
                Some(hit) => hit,
                None => self.record(def, def.run_once().await),
            }
        });
        HealthReport::new(join_in_place(runs).await)
    }

    /// Runs on opsbook's shared runtime, blocking the calling thread (which must not be
    /// inside a Tokio runtime itself).
    pub fn run_blocking(&self, tag: Option<&str>) -> HealthReport {
        crate::runtime::block_on(self.run(tag))
    }

    /// The consecutive failures each check has had (checks with `failures_before_critical`
    /// above 1 or a cache), to keep across processes: a pass from cron is a new process
    /// each time, and "3 failures in a row" must count the runs, not the process.
    pub fn failure_counts(&self) -> std::collections::BTreeMap<String, u32> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.iter().map(|(name, s)| (name.clone(), s.consecutive_failures)).collect()
    }

    /// Restores counts kept by [`Runner::failure_counts`] (names of no check are ignored).
    pub fn restore_failure_counts(&self, counts: &std::collections::BTreeMap<String, u32>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        for def in &self.checks {
            if let Some(n) = counts.get(&def.name) {
                state.entry(def.name.clone()).or_default().consecutive_failures = *n;
            }
        }
    }

    fn cached(&self, def: &CheckDefinition) -> Option<CheckResult> {
        let ttl = def.cache_ttl?;
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (at, result) = state.get(&def.name)?.cached.as_ref()?;
        (at.elapsed() < ttl).then(|| result.clone())
    }

    /// Applies failure tolerance and remembers the result for the cache.
    fn record(&self, def: &CheckDefinition, mut result: CheckResult) -> CheckResult {
        if def.cache_ttl.is_none() && def.failures_before_critical <= 1 {
            return result; // nothing to remember
        }
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if !state.contains_key(&def.name) {
            state.insert(def.name.clone(), CheckState::default());
        }
        let entry = state.get_mut(&def.name).expect("inserted above");
        if result.status == Status::Critical {
            entry.consecutive_failures = entry.consecutive_failures.saturating_add(1);
            let needed = def.failures_before_critical.max(1);
            if entry.consecutive_failures < needed {
                result.status = Status::Warning;
                result.summary =
                    format!("failure {} of {needed} tolerated: {}", entry.consecutive_failures, result.summary);
            }
        } else {
            entry.consecutive_failures = 0;
        }
        if def.cache_ttl.is_some() {
            entry.cached = Some((Instant::now(), result.clone()));
        }
        result
    }
}
