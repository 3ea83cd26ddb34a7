//! Which backups to keep: restic's `forget` policy (`internal/data/snapshot_policy.go`),
//! exactly — keep-last/-hourly/-daily/-weekly/-monthly/-yearly counts (or unlimited),
//! keep-within and keep-within-<bucket> windows measured back from the newest backup that is
//! not in the future (not from now), keep-tag, the rule that keeps the oldest backup while a
//! bucket still has room, buckets taken in each backup's own time zone, grouping by host and
//! paths — with every kept backup listing why. Also the manuals' own rules: `find -mtime +N
//! -delete` (relative to now; it keeps N+1 days) under its own name, and tiers where an
//! incremental or log backup is never kept without the full backup it depends on.
//!
//! The result is a keep list and a forget list; deleting is the caller's separate call.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::Zoned;
use jiff::civil::Date;

use crate::duration::{CalendarSpan, format_duration, parse_calendar_span};
use crate::error::{Error, Result};

/// One backup (restic: a snapshot).
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    pub id: String,
    /// The time with the backup's own offset or zone: buckets are that zone's days and hours.
    pub time: Zoned,
    pub host: String,
    pub paths: Vec<String>,
    pub tags: Vec<String>,
    /// "full", "incremental", "log" (or anything else, e.g. empty).
    pub kind: String,
    /// For an incremental or log backup: the id of the full backup it depends on.
    pub base: Option<String>,
}

/// How many of a bucket to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Count {
    #[default]
    Off,
    N(u32),
    Unlimited,
}

impl Count {
    fn active(self) -> bool {
        !matches!(self, Count::Off | Count::N(0))
    }

    /// restic's counter: -1 for unlimited.
    fn value(self) -> i64 {
        match self {
            Count::Off => 0,
            Count::N(n) => n as i64,
            Count::Unlimited => -1,
        }
    }
}

/// restic's `ExpirePolicy` (without `Unique`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub last: Count,
    pub hourly: Count,
    pub daily: Count,
    pub weekly: Count,
    pub monthly: Count,
    pub yearly: Count,
    pub within: Option<CalendarSpan>,
    pub within_hourly: Option<CalendarSpan>,
    pub within_daily: Option<CalendarSpan>,
    pub within_weekly: Option<CalendarSpan>,
    pub within_monthly: Option<CalendarSpan>,
    pub within_yearly: Option<CalendarSpan>,
    /// Keep backups having every tag of at least one of these lists.
    pub tags: Vec<Vec<String>>,
}

impl Policy {
    /// True when nothing is to be kept by policy (restic then refuses to forget everything).
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }
}

/// The counters left after a kept backup (restic's `KeepReason.Counters`; -1 is unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    pub last: i64,
    pub hourly: i64,
    pub daily: i64,
    pub weekly: i64,
    pub monthly: i64,
    pub yearly: i64,
}

/// A kept backup and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub backup: Backup,
    pub reasons: Vec<String>,
    pub counters: Counters,
}

/// The outcome for one group, newest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    pub keep: Vec<Kept>,
    pub forget: Vec<Backup>,
}

/// A calendar span as the reasons print it (`1y2mo3d3h`; restic writes months as `m`).
pub fn span_text(span: &CalendarSpan) -> String {
    let mut s = String::new();
    if span.years != 0 {
        s.push_str(&format!("{}y", span.years));
    }
    if span.months != 0 {
        s.push_str(&format!("{}mo", span.months));
    }
    if span.days != 0 {
        s.push_str(&format!("{}d", span.days));
    }
    if !span.fixed.is_zero() {
        s.push_str(&format_duration(span.fixed));
    }
    s
}

/// `t` moved back by `span` as Go's `t.AddDate(-y, -m, -d).Add(-fixed)`: the calendar part in
/// t's own zone with Go's normalisation (31 March less a month is 3 March, not 28 February),
/// the rest as elapsed time.
pub fn back_by(t: &Zoned, span: &CalendarSpan) -> Result<Timestamp> {
    let d = t.date();
    let total_months = d.year() as i64 * 12 + (d.month() as i64 - 1) - span.years as i64 * 12 - span.months as i64;
    let (year, month) = (total_months.div_euclid(12), total_months.rem_euclid(12) + 1);
    let too_far = || Error::invalid_value("within", &span_text(span), "reaches outside the calendar");
    let overflow = |_: jiff::Error| too_far();
    let first = Date::new(year as i16, month as i8, 1).map_err(overflow)?;
    let day = first.checked_add(jiff::Span::new().days(d.day() as i64 - 1 - span.days as i64)).map_err(overflow)?;
    let shifted = day.to_datetime(t.time()).to_zoned(t.time_zone().clone()).map_err(overflow)?;
    let fixed = jiff::SignedDuration::try_from(span.fixed).map_err(|_| too_far())?;
    shifted.timestamp().checked_sub(fixed).map_err(|_| too_far())
}

type Bucker = fn(&Zoned, usize) -> i64;

fn ymdh(t: &Zoned, _: usize) -> i64 {
    t.year() as i64 * 1_000_000 + t.month() as i64 * 10_000 + t.day() as i64 * 100 + t.hour() as i64
}
fn ymd(t: &Zoned, _: usize) -> i64 {
    t.year() as i64 * 10_000 + t.month() as i64 * 100 + t.day() as i64
}
fn yw(t: &Zoned, _: usize) -> i64 {
    let w = t.date().iso_week_date();
    w.year() as i64 * 100 + w.week() as i64
}
fn ym(t: &Zoned, _: usize) -> i64 {
    t.year() as i64 * 100 + t.month() as i64
}
fn y(t: &Zoned, _: usize) -> i64 {
    t.year() as i64
}
fn always(_: &Zoned, nr: usize) -> i64 {
    nr as i64
}

/// The newest backup time that is not in the future (restic's `findLatestTimestamp`).
fn latest(list: &[Backup], now: Timestamp) -> Timestamp {
    list.iter().map(|b| b.time.timestamp()).filter(|t| *t < now).max().unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Applies a policy to one group of backups as restic's `ApplyPolicy` does; `now` decides
/// which backups are in the future.
pub fn apply(backups: &[Backup], policy: &Policy, now: Timestamp) -> Result<Decision> {
    let mut list: Vec<Backup> = backups.to_vec();
    // Newest first; equal times keep their order (Go's sort.Stable).
    list.sort_by_key(|b| std::cmp::Reverse(b.time.timestamp()));
    let mut out = Decision::default();
    if list.is_empty() {
        return Ok(out);
    }
    struct Bucket {
        count: i64,
        bucker: Bucker,
        last: i64,
        reason: &'static str,
    }
    let counted = [
        (policy.last, always as Bucker, "last snapshot"),
        (policy.hourly, ymdh, "hourly snapshot"),
        (policy.daily, ymd, "daily snapshot"),
        (policy.weekly, yw, "weekly snapshot"),
        (policy.monthly, ym, "monthly snapshot"),
        (policy.yearly, y, "yearly snapshot"),
    ];
    let mut buckets: Vec<Bucket> = counted
        .iter()
        .map(|(c, bucker, reason)| Bucket {
            count: if c.active() { c.value() } else { 0 },
            bucker: *bucker,
            last: -1,
            reason,
        })
        .collect();
    let latest_time = latest(&list, now);
    let latest_zoned = latest_time.to_zoned(list[0].time.time_zone().clone());
    let windows = [
        (&policy.within_hourly, ymdh as Bucker, "hourly within"),
        (&policy.within_daily, ymd, "daily within"),
        (&policy.within_weekly, yw, "weekly within"),
        (&policy.within_monthly, ym, "monthly within"),
        (&policy.within_yearly, y, "yearly within"),
    ];
    // (limit and its text, bucket function, last bucket value, reason)
    type Window<'a> = (Option<(Timestamp, String)>, Bucker, i64, &'a str);
    let mut within_buckets: Vec<Window> = Vec::new();
    for (span, bucker, reason) in windows {
        let limit = match span {
            Some(s) if *s != CalendarSpan::default() => Some((back_by(&latest_zoned, s)?, span_text(s))),
            _ => None,
        };
        within_buckets.push((limit, bucker, -1, reason));
    }
    let within = match &policy.within {
        Some(s) if *s != CalendarSpan::default() => Some((back_by(&latest_zoned, s)?, span_text(s))),
        _ => None,
    };
    let n = list.len();
    for (nr, cur) in list.into_iter().enumerate() {
        let mut keep = false;
        let mut reasons = Vec::new();
        for tags in &policy.tags {
            if tags.iter().all(|t| cur.tags.contains(t)) {
                keep = true;
                reasons.push(format!("has tags [{}]", tags.join(", ")));
            }
        }
        if let Some((limit, text)) = &within
            && cur.time.timestamp() > *limit
        {
            keep = true;
            reasons.push(format!("within {text}"));
        }
        for b in &mut buckets {
            if b.count > 0 || b.count == -1 {
                let val = (b.bucker)(&cur.time, nr);
                if val != b.last || nr == n - 1 {
                    keep = true;
                    let reason =
                        if val == b.last && nr == n - 1 { format!("oldest {}", b.reason) } else { b.reason.to_owned() };
                    b.last = val;
                    if b.count > 0 {
                        b.count -= 1;
                    }
                    reasons.push(reason);
                }
            }
        }
        for (limit, bucker, last, reason) in &mut within_buckets {
            if let Some((limit, text)) = limit
                && cur.time.timestamp() > *limit
            {
                let val = bucker(&cur.time, nr);
                if val != *last || nr == n - 1 {
                    keep = true;
                    let r = if val == *last && nr == n - 1 { format!("oldest {reason}") } else { (*reason).to_owned() };
                    *last = val;
                    reasons.push(format!("{r} {text}"));
                }
            }
        }
        if keep {
            let counters = Counters {
                last: buckets[0].count,
                hourly: buckets[1].count,
                daily: buckets[2].count,
                weekly: buckets[3].count,
                monthly: buckets[4].count,
                yearly: buckets[5].count,
            };
            out.keep.push(Kept { backup: cur, reasons, counters });
        } else {
            out.forget.push(cur);
        }
    }
    Ok(out)
}

/// What restic groups snapshots by before applying a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupBy {
    pub host: bool,
    pub paths: bool,
    pub tags: bool,
}

impl Default for GroupBy {
    /// restic's default: host and paths.
    fn default() -> GroupBy {
        GroupBy { host: true, paths: true, tags: false }
    }
}

impl GroupBy {
    /// From names (`host`, `paths`, `tags`); none at all is one group. `field` names the
    /// setting in errors.
    pub fn from_names<S: AsRef<str>>(field: &str, names: &[S]) -> Result<GroupBy> {
        let mut by = GroupBy { host: false, paths: false, tags: false };
        for name in names {
            match name.as_ref().trim() {
                "host" => by.host = true,
                "paths" => by.paths = true,
                "tags" => by.tags = true,
                "" => {}
                other => return Err(Error::invalid_value(field, other, "expected host, paths and/or tags")),
            }
        }
        Ok(by)
    }
}

/// A group's key: the host, paths and tags it was grouped by (sorted).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct GroupKey {
    pub host: Option<String>,
    pub paths: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
}

/// Groups backups, then applies the policy to each group.
pub fn apply_grouped(
    backups: &[Backup],
    policy: &Policy,
    group_by: GroupBy,
    now: Timestamp,
) -> Result<Vec<(GroupKey, Decision)>> {
    let mut groups: BTreeMap<GroupKey, Vec<Backup>> = BTreeMap::new();
    for b in backups {
        let sorted = |v: &Vec<String>| {
            let mut v = v.clone();
            v.sort();
            v
        };
        let key = GroupKey {
            host: group_by.host.then(|| b.host.clone()),
            paths: group_by.paths.then(|| sorted(&b.paths)),
            tags: group_by.tags.then(|| sorted(&b.tags)),
        };
        groups.entry(key).or_default().push(b.clone());
    }
    groups.into_iter().map(|(k, list)| Ok((k, with_bases(apply(&list, policy, now)?)))).collect()
}

/// An incremental or log backup is never kept without the full backup it depends on: such a
/// full backup moves from forget to keep, saying which backup needs it.
pub fn with_bases(mut d: Decision) -> Decision {
    loop {
        let needed: Vec<(String, String)> = d
            .keep
            .iter()
            .filter_map(|k| k.backup.base.as_ref().map(|base| (base.clone(), k.backup.id.clone())))
            .filter(|(base, _)| d.forget.iter().any(|f| &f.id == base))
            .collect();
        if needed.is_empty() {
            return d;
        }
        for (base, by) in needed {
            if let Some(i) = d.forget.iter().position(|f| f.id == base) {
                let backup = d.forget.remove(i);
                let at = d
                    .keep
                    .iter()
                    .position(|k| k.backup.time.timestamp() < backup.time.timestamp())
                    .unwrap_or(d.keep.len());
                d.keep
                    .insert(at, Kept { backup, reasons: vec![format!("base of {by}")], counters: Counters::default() });
            }
        }
    }
}

/// The manuals' `find DIR -mtime +N -delete`: a file goes when its age in whole days
/// (rounded down, as find counts) is more than N — so N+1 days are kept. Relative to `now`,
/// unlike restic's windows.
pub fn find_mtime(backups: &[Backup], days: u32, now: Timestamp) -> Decision {
    let mut list: Vec<Backup> = backups.to_vec();
    list.sort_by_key(|b| std::cmp::Reverse(b.time.timestamp()));
    let mut out = Decision::default();
    for b in list {
        let age = now.duration_since(b.time.timestamp()).as_secs().div_euclid(86_400);
        if age > days as i64 {
            out.forget.push(b);
        } else {
            out.keep.push(Kept {
                backup: b,
                reasons: vec![format!("-mtime {age} (not +{days})")],
                counters: Counters::default(),
            });
        }
    }
    out
}

/// Parses a count: a number, or "unlimited" (restic's -1, also accepted).
pub fn parse_count(field: &str, text: &str) -> Result<Count> {
    match text.trim() {
        "unlimited" | "-1" => Ok(Count::Unlimited),
        t => t
            .parse::<u32>()
            .map(|n| if n == 0 { Count::Off } else { Count::N(n) })
            .map_err(|_| Error::invalid_value(field, text, "expected a count of backups or \"unlimited\"")),
    }
}

/// Parses a window in the duration grammar (`7d`, `1y2mo3d`).
pub fn parse_window(field: &str, text: &str) -> Result<CalendarSpan> {
    parse_calendar_span(field, text)
}

/// A policy from JSON values (the CLI's flags and the policy file's keys): `keep_last`,
/// `keep_hourly`, `keep_daily`, `keep_weekly`, `keep_monthly`, `keep_yearly` (a count or
/// "unlimited"), `keep_within`, `keep_within_hourly` ... `keep_within_yearly` (windows in the
/// duration grammar), `keep_tags` (lists of tags).
pub fn policy_from_value(doc: &serde_json::Value) -> Result<Policy> {
    use serde_json::Value;
    let map = doc.as_object().ok_or_else(|| Error::invalid_value("retention", &doc.to_string(), "expected a table"))?;
    let mut p = Policy::default();
    for (key, v) in map {
        let field = format!("retention.{key}");
        let count = || match v {
            Value::Number(n) if n.as_i64() == Some(-1) => Ok(Count::Unlimited),
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(|n| if n == 0 { Count::Off } else { Count::N(n) })
                .ok_or_else(|| Error::invalid_value(&field, &n.to_string(), "expected a count or \"unlimited\"")),
            Value::String(s) => parse_count(&field, s),
            other => Err(Error::invalid_value(&field, &other.to_string(), "expected a count or \"unlimited\"")),
        };
        let window = || match v {
            Value::String(s) => parse_window(&field, s).map(Some),
            other => {
                Err(Error::invalid_value(&field, &other.to_string(), "expected a window such as \"7d\" or \"1y2mo\""))
            }
        };
        match key.as_str() {
            "keep_last" => p.last = count()?,
            "keep_hourly" => p.hourly = count()?,
            "keep_daily" => p.daily = count()?,
            "keep_weekly" => p.weekly = count()?,
            "keep_monthly" => p.monthly = count()?,
            "keep_yearly" => p.yearly = count()?,
            "keep_within" => p.within = window()?,
            "keep_within_hourly" => p.within_hourly = window()?,
            "keep_within_daily" => p.within_daily = window()?,
            "keep_within_weekly" => p.within_weekly = window()?,
            "keep_within_monthly" => p.within_monthly = window()?,
            "keep_within_yearly" => p.within_yearly = window()?,
            "keep_tags" => {
                let bad =
                    || Error::invalid_value(&field, &v.to_string(), "expected lists of tags, e.g. [[\"monthly\"]]");
                let lists = v.as_array().ok_or_else(bad)?;
                for l in lists {
                    let tags = l.as_array().ok_or_else(bad)?;
                    p.tags.push(
                        tags.iter().map(|t| t.as_str().map(str::to_owned).ok_or_else(bad)).collect::<Result<_>>()?,
                    );
                }
            }
            other => {
                return Err(Error::invalid_value(
                    &format!("retention.{other}"),
                    "",
                    "unknown key (keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly, keep_within, keep_within_hourly .. keep_within_yearly, keep_tags)",
                ));
            }
        }
    }
    Ok(p)
}

/// A backup time: RFC 3339 with its offset (`2026-11-22T02:00:00+08:00`, `...Z`), a zoned
/// time (`2026-11-22T02:00:00+08:00[Asia/Shanghai]`), or Unix seconds (UTC).
pub fn parse_backup_time(field: &str, v: &serde_json::Value) -> Result<Zoned> {
    use jiff::fmt::temporal::{Pieces, PiecesOffset};
    use jiff::tz::TimeZone;
    match v {
        serde_json::Value::Number(n) => {
            let ms = crate::forecast::input::time_ms(field, n.as_f64().unwrap_or(f64::NAN))?;
            let t = Timestamp::from_millisecond(ms)
                .map_err(|e| Error::invalid_value(field, &n.to_string(), e.to_string()))?;
            Ok(t.to_zoned(TimeZone::UTC))
        }
        serde_json::Value::String(s) => {
            let bad = |e: String| Error::invalid_value(field, s, format!("not an RFC 3339 time with an offset: {e}"));
            if s.contains('[') {
                return s.parse::<Zoned>().map_err(|e| bad(e.to_string()));
            }
            let t: Timestamp = s.parse().map_err(|e: jiff::Error| bad(e.to_string()))?;
            let pieces = Pieces::parse(s.as_str()).map_err(|e| bad(e.to_string()))?;
            let tz = match pieces.offset() {
                Some(PiecesOffset::Numeric(o)) => TimeZone::fixed(o.offset()),
                _ => TimeZone::UTC,
            };
            Ok(t.to_zoned(tz))
        }
        other => Err(Error::invalid_value(field, &other.to_string(), "expected RFC 3339 text or Unix seconds")),
    }
}

/// Backups from JSON: opsbook's `[{"id", "time", "host", "paths", "tags", "kind", "base"}]`
/// or what `restic snapshots --json` prints (`hostname`, `short_id`).
pub fn backups_from_value(doc: &serde_json::Value) -> Result<Vec<Backup>> {
    let list = doc.as_array().ok_or_else(|| Error::invalid_value("backups", "", "expected a list of backups"))?;
    list.iter()
        .enumerate()
        .map(|(i, b)| {
            let f = |k: &str| format!("backups[{i}].{k}");
            let text = |k: &str| b.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
            let strings = |k: &str| -> Result<Vec<String>> {
                match b.get(k) {
                    None | Some(serde_json::Value::Null) => Ok(Vec::new()),
                    Some(serde_json::Value::Array(a)) => a
                        .iter()
                        .map(|s| {
                            s.as_str()
                                .map(str::to_owned)
                                .ok_or_else(|| Error::invalid_value(&f(k), &s.to_string(), "expected text"))
                        })
                        .collect(),
                    Some(other) => Err(Error::invalid_value(&f(k), &other.to_string(), "expected a list of text")),
                }
            };
            let time = b.get("time").ok_or_else(|| Error::invalid_value(&f("time"), "", "missing"))?;
            Ok(Backup {
                id: text("id").or_else(|| text("short_id")).unwrap_or_else(|| format!("#{i}")),
                time: parse_backup_time(&f("time"), time)?,
                host: text("host").or_else(|| text("hostname")).unwrap_or_default(),
                paths: strings("paths")?,
                tags: strings("tags")?,
                kind: text("kind").unwrap_or_default(),
                base: text("base"),
            })
        })
        .collect()
}

/// The backups in a directory as the manuals keep them: every entry directly inside (a dump
/// file, or a dated directory), its name the id and its modification time the time (in this
/// machine's time zone, as `find -mtime` and the manuals' dates see it).
pub fn backups_in_dir(dir: &std::path::Path) -> Result<Vec<Backup>> {
    let io = |e: std::io::Error| Error::Io { path: dir.display().to_string(), reason: e.to_string() };
    let tz = jiff::tz::TimeZone::system();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = entry.metadata().map_err(io)?;
        let mtime = meta.modified().map_err(io)?;
        let t = Timestamp::try_from(mtime).map_err(|e| Error::Io { path: name.clone(), reason: e.to_string() })?;
        out.push(Backup {
            id: name,
            time: t.to_zoned(tz.clone()),
            host: String::new(),
            paths: Vec::new(),
            tags: Vec::new(),
            kind: String::new(),
            base: None,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// What deleting one forgotten backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub id: String,
    /// "deleted", "would delete" (dry run) or the error.
    pub outcome: String,
}

/// Deletes the forgotten backups of a directory (entries directly inside it, by id): the one
/// call in opsbook that removes anything, and only when `dry_run` is false. An id that is not
/// a plain name (a slash, `.`, `..`) is refused, never followed.
pub fn delete(dir: &std::path::Path, forget: &[Backup], dry_run: bool) -> Vec<Deletion> {
    forget
        .iter()
        .map(|b| {
            let id = b.id.clone();
            if id.is_empty() || id == "." || id == ".." || id.contains('/') || id.contains('\0') {
                return Deletion { id, outcome: "refused: not a plain name in the directory".into() };
            }
            let path = dir.join(&id);
            let outcome = match std::fs::symlink_metadata(&path) {
                Err(e) => format!("error: {e}"),
                Ok(_) if dry_run => "would delete".into(),
                Ok(m) => {
                    let r = if m.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                    match r {
                        Ok(()) => "deleted".into(),
                        Err(e) => format!("error: {e}"),
                    }
                }
            };
            Deletion { id, outcome }
        })
        .collect()
}

impl Decision {
    /// `keep <time> <id>  <reasons>` and `forget <time> <id>` lines, newest first.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for k in &self.keep {
            out.push_str(&format!(
                "keep   {} {}  ({})\n",
                k.backup.time.timestamp(),
                k.backup.id,
                k.reasons.join(", ")
            ));
        }
        for f in &self.forget {
            out.push_str(&format!("forget {} {}\n", f.time.timestamp(), f.id));
        }
        out
    }

    pub fn to_json(&self) -> serde_json::Value {
        let counters = |c: &Counters| {
            let mut m = serde_json::Map::new();
            for (k, v) in [
                ("last", c.last),
                ("hourly", c.hourly),
                ("daily", c.daily),
                ("weekly", c.weekly),
                ("monthly", c.monthly),
                ("yearly", c.yearly),
            ] {
                if v != 0 {
                    m.insert(k.into(), serde_json::json!(v));
                }
            }
            serde_json::Value::Object(m)
        };
        serde_json::json!({
            "keep": self.keep.iter().map(|k| serde_json::json!({
                "id": k.backup.id, "time": k.backup.time.timestamp().to_string(), "matches": k.reasons, "counters": counters(&k.counters),
            })).collect::<Vec<_>>(),
            "forget": self.forget.iter().map(|b| serde_json::json!({"id": b.id, "time": b.time.timestamp().to_string()})).collect::<Vec<_>>(),
        })
    }
}

impl GroupKey {
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        if let Some(h) = &self.host {
            m.insert("host".into(), serde_json::json!(h));
        }
        if let Some(p) = &self.paths {
            m.insert("paths".into(), serde_json::json!(p));
        }
        if let Some(t) = &self.tags {
            m.insert("tags".into(), serde_json::json!(t));
        }
        serde_json::Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Zoned {
        text.parse().unwrap()
    }

    #[test]
    fn back_by_follows_go_add_date() {
        // Go: time.Date(2016, 3, 31, ...).AddDate(0, -1, 0) is 2 March 2016 (31 Feb normalised).
        let span = parse_calendar_span("w", "1mo").unwrap();
        assert_eq!(back_by(&at("2016-03-31T12:00:00+00:00[UTC]"), &span).unwrap().to_string(), "2016-03-02T12:00:00Z");
        let span = parse_calendar_span("w", "1y2mo3d3h").unwrap();
        assert_eq!(back_by(&at("2016-01-18T12:02:03+00:00[UTC]"), &span).unwrap().to_string(), "2014-11-15T09:02:03Z");
        assert_eq!(span_text(&span), "1y2mo3d3h");
    }
}
