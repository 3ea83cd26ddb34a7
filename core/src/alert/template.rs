//! Templates in the syntax ops already write for Prometheus annotations and Alertmanager
//! receivers (`{{ $labels.instance }}`, `{{ $value | humanizePercentage }}`,
//! `{{ range .Alerts.Firing }}`, `{{ .StartsAt | tz "Asia/Shanghai" | date "15:04" }}`),
//! run by MiniJinja after `gotmpl` translates them.
//!
//! Values print as Go prints them (`{{ $value }}` of 1234567 is `1.234567e+06`); a missing
//! label prints empty; every printed value is escaped for the markup of the message it goes
//! into (see `escape`), while the template's own text is kept as written. A broken template
//! is an error naming the template, line and column; a runaway one (a loop over a huge
//! range, endless recursion) is stopped.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use minijinja::value::{Enumerator, Object, ObjectRepr, Rest, Value};
use minijinja::{Environment, ErrorKind, State, UndefinedBehavior};

use crate::alert::escape::{Markup, escape_into};
use crate::alert::gofmt::{FmtArg, go_sprintf, go_v};
use crate::alert::gotime::{GoTime, time_zone};
use crate::alert::gotmpl::{macro_name, translate};
use crate::alert::humanize::{self, Arg};
use crate::alert::model::{Alert, AlertGroup};
use crate::error::{Error, Result};
use crate::rules::Labels;

/// Instructions one render may run: enough for a message about thousands of alerts, not
/// for an endless loop.
const FUEL: u64 = 20_000_000;
/// Nesting of `{{ template }}` calls: Go stops at 100,000, but each level here is a render on the stack, and messages nest a few levels at most.
const MAX_DEPTH: usize = 20;

/// The largest integer `range` counts to.
const MAX_RANGE: i64 = 100_000;

thread_local! {
    static MARKUP: std::cell::Cell<Markup> = const { std::cell::Cell::new(Markup::Raw) };
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A set of named Go templates, compiled once and rendered many times.
pub struct Templates {
    env: Environment<'static>,
    /// Defined template name → the MiniJinja template holding its macro.
    defined: Arc<RwLock<HashMap<String, String>>>,
    sources: HashMap<String, String>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("names", &self.sources.keys().collect::<Vec<_>>()).finish()
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

impl Templates {
    pub fn new() -> Templates {
        let defined: Arc<RwLock<HashMap<String, String>>> = Arc::default();
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_fuel(Some(FUEL));
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .keep_trailing_newline(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        env.set_formatter(|out, _state, value| {
            if value.is_safe() {
                return out.write_str(value.as_str().unwrap_or_default()).map_err(minijinja::Error::from);
            }
            let text = go_print(value);
            let mut escaped = String::with_capacity(text.len());
            escape_into(&mut escaped, &text, MARKUP.with(|m| m.get()));
            out.write_str(&escaped).map_err(minijinja::Error::from)
        });
        register_functions(&mut env, Arc::clone(&defined));
        Templates { env, defined, sources: HashMap::new() }
    }

    /// Adds (or replaces) the template `name`. Its `define`d templates become usable from
    /// every template in the set.
    pub fn add(&mut self, name: &str, source: &str) -> Result<()> {
        let t = translate(name, source)?;
        let defines_name = format!("{name}#defines");
        self.env.add_template_owned(name.to_owned(), t.main).map_err(|e| template_error(name, &e))?;
        if !t.defined.is_empty() {
            self.env.add_template_owned(defines_name.clone(), t.defines).map_err(|e| template_error(name, &e))?;
            let mut map = self.defined.write().unwrap_or_else(|p| p.into_inner());
            for d in t.defined {
                map.insert(d, defines_name.clone());
            }
        }
        self.sources.insert(name.to_owned(), source.to_owned());
        Ok(())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Renders `name` with `data` as its dot (and `$`), values escaped for `markup`. `vars`
    /// are the `$name` variables (`labels`, `value`, ...).
    pub fn render(&self, name: &str, data: Value, vars: &[(&str, Value)], markup: Markup) -> Result<String> {
        let template = self
            .env
            .get_template(name)
            .map_err(|_| Error::invalid_value("template", name, "no template of this name"))?;
        let mut ctx: BTreeMap<String, Value> = BTreeMap::new();
        ctx.insert("__root".into(), data);
        for (k, v) in vars {
            ctx.insert(format!("v_{k}"), v.clone());
        }
        let previous = MARKUP.with(|m| m.replace(markup));
        let result = template.render(Value::from(ctx));
        MARKUP.with(|m| m.set(previous));
        result.map_err(|e| template_error(name, &e))
    }

    /// Expands a Prometheus annotation template for one alert: `$labels`, `$value`,
    /// `$externalLabels`, `$externalURL`, and `.Labels`, `.Value`, ... as the dot.
    pub fn expand_alert(&self, name: &str, alert: &Alert, zone: &jiff::tz::TimeZone, markup: Markup) -> Result<String> {
        let data = alert_data(alert, zone);
        let vars = [
            ("labels", kv(&alert.labels)),
            ("annotations", kv(&alert.annotations)),
            ("value", alert.value.map(Value::from).unwrap_or_else(|| Value::from(""))),
            ("externalLabels", kv(&Labels::new())),
            ("externalURL", Value::from("")),
        ];
        self.render(name, data, &vars, markup)
    }

    /// Renders an Alertmanager notification template over a group: `.Alerts`,
    /// `.Alerts.Firing`, `.CommonLabels`, `.GroupLabels`, `.Status`, `.Receiver`, ...
    pub fn render_group(
        &self,
        name: &str,
        group: &AlertGroup,
        zone: &jiff::tz::TimeZone,
        markup: Markup,
    ) -> Result<String> {
        self.render(name, group_data(group, zone), &[], markup)
    }
}

/// What a template runs over.
#[derive(Debug, Clone, Copy)]
pub enum TemplateData<'a> {
    /// Any JSON value as the dot (`.`, `$`).
    Json(&'a serde_json::Value),
    /// One alert: `.Labels`, `.Value`, ..., and `$labels`, `$value`, `$annotations`.
    Alert(&'a Alert),
    /// A notification group: `.Alerts`, `.CommonLabels`, `.Status`, ...
    Group(&'a AlertGroup),
}

/// Compiles and renders one template: for a template used once (a check, a test, the CLI).
pub fn render_template(source: &str, data: TemplateData, zone: &jiff::tz::TimeZone, markup: Markup) -> Result<String> {
    let mut t = Templates::new();
    t.add("template", source)?;
    match data {
        TemplateData::Json(v) => t.render("template", Value::from(minijinja::value::Serde(v)), &[], markup),
        TemplateData::Alert(a) => t.expand_alert("template", a, zone, markup),
        TemplateData::Group(g) => t.render_group("template", g, zone, markup),
    }
}

/// `render_template` over what a front door is handed as JSON: exactly one of `data` (the
/// dot), `alert` (its first alert, with `$labels`, `$value`, ...) or `group` (a notification
/// group); none is `null` data. `tz` is an IANA name.
pub fn render_template_json(
    source: &str,
    data: Option<&serde_json::Value>,
    alert: Option<&serde_json::Value>,
    group: Option<&serde_json::Value>,
    tz: &str,
    markup: Markup,
) -> Result<String> {
    let zone = time_zone(tz)?;
    match (data, alert, group) {
        (data, None, None) => {
            render_template(source, TemplateData::Json(data.unwrap_or(&serde_json::Value::Null)), &zone, markup)
        }
        (None, Some(a), None) => {
            let g = AlertGroup::from_value(a)?;
            let first = g.alerts.first().ok_or_else(|| Error::invalid_value("alert", "[]", "expected one alert"))?;
            render_template(source, TemplateData::Alert(first), &zone, markup)
        }
        (None, None, Some(g)) => {
            render_template(source, TemplateData::Group(&AlertGroup::from_value(g)?), &zone, markup)
        }
        _ => Err(Error::invalid_value("data", "", "give one of data, alert or group")),
    }
}

/// Expands one Go template once (compiling it each time: for a template used once).
pub fn expand_once(source: &str, alert: &Alert, zone: &jiff::tz::TimeZone) -> Result<String> {
    let mut t = Templates::new();
    t.add("template", source)?;
    t.expand_alert("template", alert, zone, Markup::Raw)
}

fn template_error(name: &str, e: &minijinja::Error) -> Error {
    // Lines of the translation are the lines of the Go source (see `gotmpl`).
    let line = e.line().unwrap_or(1);
    let reason = match e.kind() {
        ErrorKind::OutOfFuel => "the template ran too long (a loop over a huge range?)".to_owned(),
        _ => e.detail().map(str::to_owned).unwrap_or_else(|| e.kind().to_string()),
    };
    Error::invalid_value("template", &format!("{name}:{line}"), reason)
}

fn fail(reason: impl Into<String>) -> minijinja::Error {
    minijinja::Error::new(ErrorKind::InvalidOperation, reason.into())
}

fn from_opsbook(e: Error) -> minijinja::Error {
    fail(e.to_string())
}

/// Alertmanager's `KV.SortedPairs` order: `alertname` first, then by name.
fn sorted_pairs(labels: &Labels) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(labels.len());
    if let Some(v) = labels.get("alertname") {
        pairs.push(("alertname", v));
    }
    pairs.extend(labels.iter().filter(|(k, _)| *k != "alertname").map(|(k, v)| (k.as_str(), v.as_str())));
    pairs
}

/// Labels as Go's `template.KV`: a map with `SortedPairs`, `Names`, `Values`, `Remove`.
#[derive(Debug)]
struct Kv(Labels);

fn kv(labels: &Labels) -> Value {
    Value::from_object(Kv(labels.clone()))
}

impl Object for Kv {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        match key {
            "SortedPairs" => Some(Value::from_object(Pairs(self.0.clone()))),
            "Names" => {
                Some(Value::from(sorted_pairs(&self.0).into_iter().map(|(k, _)| Value::from(k)).collect::<Vec<_>>()))
            }
            "Values" => {
                Some(Value::from(sorted_pairs(&self.0).into_iter().map(|(_, v)| Value::from(v)).collect::<Vec<_>>()))
            }
            // A missing label is Go's zero value for a map[string]string: "".
            _ => Some(Value::from(self.0.get(key).map_or("", String::as_str))),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.0.keys().map(|k| Value::from(k.as_str())).collect())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.0.is_empty()
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State,
        method: &str,
        args: &[Value],
    ) -> std::result::Result<Value, minijinja::Error> {
        self.method(method, args)
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("map[")?;
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{k}:{v}")?;
        }
        f.write_str("]")
    }
}

impl Kv {
    fn method(&self, method: &str, args: &[Value]) -> std::result::Result<Value, minijinja::Error> {
        match method {
            "Remove" => {
                let mut out = self.0.clone();
                for arg in args {
                    for name in arg.try_iter()? {
                        if let Some(n) = name.as_str() {
                            out.remove(n);
                        }
                    }
                }
                Ok(Value::from_object(Kv(out)))
            }
            _ => Err(minijinja::Error::new(ErrorKind::UnknownMethod, format!("KV has no method {method}"))),
        }
    }
}

impl TimeValue {
    fn method(&self, method: &str, args: &[Value]) -> std::result::Result<Value, minijinja::Error> {
        match (method, args) {
            ("Format", [layout]) => Ok(Value::from(self.0.format(layout.as_str().unwrap_or_default()))),
            _ => Err(minijinja::Error::new(ErrorKind::UnknownMethod, format!("time.Time has no method {method} here"))),
        }
    }
}

/// `KV.SortedPairs`: a list of `{Name, Value}` that also answers `.Names` and `.Values`.
#[derive(Debug)]
struct Pairs(Labels);

impl Object for Pairs {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(i) = key.as_usize() {
            let (k, v) = *sorted_pairs(&self.0).get(i)?;
            let mut pair = BTreeMap::new();
            pair.insert("Name", Value::from(k));
            pair.insert("Value", Value::from(v));
            return Some(Value::from(pair));
        }
        match key.as_str()? {
            "Names" => {
                Some(Value::from(sorted_pairs(&self.0).into_iter().map(|(k, _)| Value::from(k)).collect::<Vec<_>>()))
            }
            "Values" => {
                Some(Value::from(sorted_pairs(&self.0).into_iter().map(|(_, v)| Value::from(v)).collect::<Vec<_>>()))
            }
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

/// A time, printed as Go's `time.Time`.
#[derive(Debug)]
struct TimeValue(GoTime);

fn time_value(ms: Option<i64>, zone: &jiff::tz::TimeZone) -> Value {
    // Go's zero time for an alert still firing.
    let ms = ms.unwrap_or(-62_135_596_800_000);
    match GoTime::from_millis(ms, zone.clone()) {
        Ok(t) => Value::from_object(TimeValue(if ms == -62_135_596_800_000 {
            t.in_zone(jiff::tz::TimeZone::UTC)
        } else {
            t
        })),
        Err(_) => Value::from(""),
    }
}

impl Object for TimeValue {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "Unix" => Some(Value::from(self.0.timestamp.as_second())),
            "UnixMilli" => Some(Value::from(self.0.millis())),
            "IsZero" => Some(Value::from(self.0.is_zero())),
            "UTC" => Some(Value::from_object(TimeValue(self.0.in_zone(jiff::tz::TimeZone::UTC)))),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State,
        method: &str,
        args: &[Value],
    ) -> std::result::Result<Value, minijinja::Error> {
        self.method(method, args)
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// `.Alerts`: a list that also answers `.Firing` and `.Resolved`.
#[derive(Debug)]
struct AlertList(Vec<Value>, Vec<bool>);

impl Object for AlertList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(i) = key.as_usize() {
            return self.0.get(i).cloned();
        }
        let want_firing = match key.as_str()? {
            "Firing" => true,
            "Resolved" => false,
            _ => return None,
        };
        let (items, flags): (Vec<Value>, Vec<bool>) =
            self.0.iter().zip(&self.1).filter(|(_, f)| **f == want_firing).map(|(v, f)| (v.clone(), *f)).unzip();
        Some(Value::from_object(AlertList(items, flags)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

/// An alert as Alertmanager's templates see it (`.Status`, `.Labels`, `.StartsAt`, ...).
pub fn alert_data(alert: &Alert, zone: &jiff::tz::TimeZone) -> Value {
    let mut m: BTreeMap<&str, Value> = BTreeMap::new();
    m.insert("Status", Value::from(alert.status.as_str()));
    m.insert("Labels", kv(&alert.labels));
    m.insert("Annotations", kv(&alert.annotations));
    m.insert("StartsAt", time_value(Some(alert.starts_at_ms), zone));
    m.insert("EndsAt", time_value(alert.ends_at_ms, zone));
    m.insert("GeneratorURL", Value::from(alert.generator_url.as_str()));
    m.insert("Fingerprint", Value::from(alert.fingerprint.as_str()));
    m.insert("Value", alert.value.map(Value::from).unwrap_or_else(|| Value::from("")));
    Value::from(m)
}

/// A group as Alertmanager's notification templates see it.
pub fn group_data(group: &AlertGroup, zone: &jiff::tz::TimeZone) -> Value {
    let alerts: Vec<Value> = group.alerts.iter().map(|a| alert_data(a, zone)).collect();
    let flags = group.alerts.iter().map(Alert::is_firing).collect();
    let mut m: BTreeMap<&str, Value> = BTreeMap::new();
    m.insert("Receiver", Value::from(group.receiver.as_str()));
    m.insert("Status", Value::from(group.status().as_str()));
    m.insert("Alerts", Value::from_object(AlertList(alerts, flags)));
    m.insert("GroupLabels", kv(&group.group_labels));
    m.insert("CommonLabels", kv(&group.common_labels));
    m.insert("CommonAnnotations", kv(&group.common_annotations));
    m.insert("ExternalURL", Value::from(group.external_url.as_str()));
    m.insert("GroupKey", Value::from(group.group_key.as_str()));
    m.insert("TruncatedAlerts", Value::from(group.truncated_alerts));
    Value::from(m)
}

/// How Go's `fmt` prints a value with `%v`.
pub fn go_print(value: &Value) -> String {
    if value.is_undefined() || value.is_none() {
        return String::new();
    }
    if value.kind() == minijinja::value::ValueKind::Bool {
        return if value.is_true() { "true" } else { "false" }.to_owned();
    }
    if let Some(s) = value.as_str() {
        return s.to_owned();
    }
    if value.is_number() {
        if value.is_integer() {
            return value.to_string();
        }
        return go_v(f64::try_from(value.clone()).unwrap_or(f64::NAN));
    }
    if value.as_object().is_some_and(|o| matches!(o.repr(), ObjectRepr::Plain) || o.downcast_ref::<Kv>().is_some()) {
        return value.to_string();
    }
    match value.kind() {
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Iterable => {
            let items: Vec<String> = value.try_iter().map(|it| it.map(|v| go_print(&v)).collect()).unwrap_or_default();
            format!("[{}]", items.join(" "))
        }
        minijinja::value::ValueKind::Map => {
            let mut parts = Vec::new();
            if let Ok(keys) = value.try_iter() {
                for k in keys {
                    let v = value.get_item(&k).unwrap_or_default();
                    parts.push(format!("{}:{}", go_print(&k), go_print(&v)));
                }
            }
            format!("map[{}]", parts.join(" "))
        }
        _ => value.to_string(),
    }
}

fn fmt_arg(value: &Value) -> FmtArg {
    if let Some(s) = value.as_str() {
        return FmtArg::Str(s.to_owned());
    }
    if value.kind() == minijinja::value::ValueKind::Bool {
        return FmtArg::Bool(value.is_true());
    }
    if value.is_number() {
        if value.is_integer() {
            if let Some(i) = value.as_i64() {
                return FmtArg::Int(i);
            }
        }
        return FmtArg::Float(f64::try_from(value.clone()).unwrap_or(f64::NAN));
    }
    FmtArg::Other(go_print(value))
}

/// A humanize argument: a number, or text holding one.
fn number_arg(value: &Value) -> std::result::Result<f64, String> {
    if value.is_number() {
        return Ok(f64::try_from(value.clone()).unwrap_or(f64::NAN));
    }
    Err(go_print(value))
}

fn humanize_with(value: &Value, f: fn(Arg) -> Result<String>) -> std::result::Result<Value, minijinja::Error> {
    let out = match number_arg(value) {
        Ok(v) => f(Arg::Number(v)),
        Err(text) => f(Arg::Text(&text)),
    };
    out.map(Value::from).map_err(from_opsbook)
}

fn time_arg(value: &Value) -> std::result::Result<GoTime, minijinja::Error> {
    if let Some(t) = value.downcast_object_ref::<TimeValue>() {
        return Ok(t.0.clone());
    }
    let seconds = match number_arg(value) {
        Ok(v) => v,
        Err(text) => crate::alert::humanize::parse_go_float(&text)
            .ok_or_else(|| fail(format!("strconv.ParseFloat: parsing {text:?}: invalid syntax")))?,
    };
    // Prometheus' floatToTime: seconds to nanoseconds must fit an int64.
    let limit = 2f64.powi(63);
    if !(seconds * 1e9).is_finite() || !(-limit..limit).contains(&(seconds * 1e9)) {
        return Err(fail(format!(
            "{} cannot be represented as a nanoseconds timestamp since it overflows int64",
            go_v(seconds)
        )));
    }
    GoTime::from_millis((seconds * 1000.0).round() as i64, jiff::tz::TimeZone::UTC).map_err(from_opsbook)
}

fn cmp_values(a: &Value, b: &Value) -> std::result::Result<std::cmp::Ordering, minijinja::Error> {
    if a.is_number() && b.is_number() {
        let (x, y) = (f64::try_from(a.clone()).unwrap_or(f64::NAN), f64::try_from(b.clone()).unwrap_or(f64::NAN));
        return x.partial_cmp(&y).ok_or_else(|| fail("cannot compare NaN"));
    }
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => Ok(x.cmp(y)),
        _ => Err(fail(format!("incompatible types for comparison: {} and {}", go_print(a), go_print(b)))),
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    if a.is_number() && b.is_number() {
        return f64::try_from(a.clone()).ok() == f64::try_from(b.clone()).ok();
    }
    if (a.is_undefined() || a.is_none()) && b.as_str() == Some("")
        || (b.is_undefined() || b.is_none()) && a.as_str() == Some("")
    {
        return true;
    }
    a == b
}

fn str_arg(value: &Value) -> String {
    go_print(value)
}

/// Go's `strings.Title`: the first letter of each word upper-cased.
fn go_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_letter = false;
    for c in s.chars() {
        let is_word = c.is_alphanumeric() || c == '_' || c == '\'';
        if is_word && !prev_letter {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = is_word;
    }
    out
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn regex(pattern: &str) -> std::result::Result<regex::Regex, minijinja::Error> {
    regex::Regex::new(pattern).map_err(|e| fail(format!("invalid regular expression {pattern:?}: {e}")))
}

fn iterate(value: &Value) -> std::result::Result<Vec<Value>, minijinja::Error> {
    if value.is_undefined() || value.is_none() {
        return Ok(Vec::new());
    }
    if value.is_integer() {
        // Go 1.22 ranges over an integer; the list is built first, so it is bounded.
        let n = value.as_i64().unwrap_or(0).max(0);
        if n > MAX_RANGE {
            return Err(fail(format!("range over {n}: more than {MAX_RANGE} iterations")));
        }
        return Ok((0..n).map(Value::from).collect());
    }
    if value.kind() == minijinja::value::ValueKind::Map {
        let mut keys: Vec<Value> = value.try_iter()?.collect();
        keys.sort_by_key(go_print);
        return keys.iter().map(|k| value.get_item(k)).collect();
    }
    if value.as_str().is_some() {
        return Err(fail(format!("range can't iterate over {}", go_print(value))));
    }
    Ok(value.try_iter()?.collect())
}

fn register_functions(env: &mut Environment<'static>, defined: Arc<RwLock<HashMap<String, String>>>) {
    env.add_function("go_field", |base: Value, name: String| -> std::result::Result<Value, minijinja::Error> {
        if base.is_undefined() || base.is_none() {
            return Ok(Value::UNDEFINED);
        }
        Ok(base.get_attr(&name).unwrap_or(Value::UNDEFINED))
    });
    env.add_function(
        "go_call",
        |receiver: Value, method: String, args: Vec<Value>| -> std::result::Result<Value, minijinja::Error> {
            if let Some(kv) = receiver.downcast_object_ref::<Kv>() {
                return kv.method(&method, &args);
            }
            if let Some(t) = receiver.downcast_object_ref::<TimeValue>() {
                return t.method(&method, &args);
            }
            Err(minijinja::Error::new(
                ErrorKind::UnknownMethod,
                format!("can't call method {method} on {}", go_print(&receiver)),
            ))
        },
    );
    env.add_function("go_iter", |v: Value| iterate(&v));
    env.add_function("go_pairs", |v: Value| -> std::result::Result<Vec<Value>, minijinja::Error> {
        if v.kind() == minijinja::value::ValueKind::Map {
            let mut keys: Vec<Value> = v.try_iter()?.collect();
            keys.sort_by_key(go_print);
            return keys.into_iter().map(|k| Ok(Value::from(vec![k.clone(), v.get_item(&k)?]))).collect();
        }
        Ok(iterate(&v)?.into_iter().enumerate().map(|(i, e)| Value::from(vec![Value::from(i), e])).collect())
    });
    let call_defined =
        move |state: &State, name: String, data: Value| -> std::result::Result<Value, minijinja::Error> {
            let holder = defined
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(&name)
                .cloned()
                .ok_or_else(|| fail(format!("no such template {name:?}")))?;
            let depth = DEPTH.with(|d| d.get());
            if depth >= MAX_DEPTH {
                return Err(fail(format!("exceeded maximum template depth ({MAX_DEPTH})")));
            }
            DEPTH.with(|d| d.set(depth + 1));
            let result = (|| {
                let template = state.env().get_template(&holder)?;
                let captured = template.render_captured(())?;
                let mut captured = captured;
                captured.with_state_mut(|s| s.call_macro(&macro_name(&name), &[data]))
            })();
            DEPTH.with(|d| d.set(depth));
            result.map(Value::from_safe_string)
        };
    env.add_function("go_template", call_defined.clone());
    env.add_function("go_tmpl", call_defined);
    env.add_function("go_eq", |a: Value, rest: Rest<Value>| -> std::result::Result<bool, minijinja::Error> {
        if rest.is_empty() {
            return Err(fail("missing argument for comparison"));
        }
        Ok(rest.iter().any(|b| values_equal(&a, b)))
    });
    env.add_function("go_ne", |a: Value, b: Value| !values_equal(&a, &b));
    env.add_function("go_lt", |a: Value, b: Value| cmp_values(&a, &b).map(|o| o.is_lt()));
    env.add_function("go_le", |a: Value, b: Value| cmp_values(&a, &b).map(|o| o.is_le()));
    env.add_function("go_gt", |a: Value, b: Value| cmp_values(&a, &b).map(|o| o.is_gt()));
    env.add_function("go_ge", |a: Value, b: Value| cmp_values(&a, &b).map(|o| o.is_ge()));
    env.add_function("go_len", |v: Value| -> std::result::Result<usize, minijinja::Error> {
        if let Some(s) = v.as_str() {
            return Ok(s.len());
        }
        v.len().ok_or_else(|| fail(format!("len of {}", go_print(&v))))
    });
    env.add_function("go_index", |v: Value, keys: Rest<Value>| -> std::result::Result<Value, minijinja::Error> {
        let mut cur = v;
        for k in keys.iter() {
            let next = cur.get_item(k)?;
            if next.is_undefined() && cur.kind() == minijinja::value::ValueKind::Seq {
                return Err(fail(format!("error calling index: index out of range: {}", go_print(k))));
            }
            cur = next;
        }
        Ok(cur)
    });
    env.add_function("go_print", |args: Rest<Value>| {
        // fmt.Sprint: a space between operands when neither is a string.
        let mut out = String::new();
        for (i, a) in args.iter().enumerate() {
            if i > 0 && a.as_str().is_none() && args[i - 1].as_str().is_none() {
                out.push(' ');
            }
            out.push_str(&go_print(a));
        }
        out
    });
    env.add_function("go_println", |args: Rest<Value>| {
        let parts: Vec<String> = args.iter().map(go_print).collect();
        format!("{}\n", parts.join(" "))
    });
    env.add_function("go_printf", |format: String, args: Rest<Value>| {
        let args: Vec<FmtArg> = args.iter().map(fmt_arg).collect();
        go_sprintf(&format, &args)
    });
    env.add_function("go_html", |args: Rest<Value>| html_escape(&args.iter().map(go_print).collect::<String>()));
    env.add_function("go_urlquery", |args: Rest<Value>| query_escape(&args.iter().map(go_print).collect::<String>()));
    env.add_function("go_humanize", |v: Value| humanize_with(&v, humanize::humanize));
    env.add_function("go_humanize1024", |v: Value| humanize_with(&v, humanize::humanize1024));
    env.add_function("go_humanizeDuration", |v: Value| humanize_with(&v, humanize::humanize_duration));
    env.add_function("go_humanizePercentage", |v: Value| humanize_with(&v, humanize::humanize_percentage));
    env.add_function("go_humanizeTimestamp", |v: Value| -> std::result::Result<Value, minijinja::Error> {
        if let Some(t) = v.downcast_object_ref::<TimeValue>() {
            return humanize_with(&Value::from(t.0.millis() as f64 / 1000.0), humanize::humanize_timestamp);
        }
        humanize_with(&v, humanize::humanize_timestamp)
    });
    env.add_function("go_title", |v: Value| go_title(&str_arg(&v)));
    env.add_function("go_toUpper", |v: Value| str_arg(&v).to_uppercase());
    env.add_function("go_toLower", |v: Value| str_arg(&v).to_lowercase());
    env.add_function("go_trimSpace", |v: Value| str_arg(&v).trim().to_owned());
    env.add_function("go_join", |sep: String, list: Value| -> std::result::Result<String, minijinja::Error> {
        Ok(iterate(&list)?.iter().map(go_print).collect::<Vec<_>>().join(&sep))
    });
    env.add_function("go_match", |pattern: String, text: Value| regex(&pattern).map(|r| r.is_match(&str_arg(&text))));
    env.add_function("go_reReplaceAll", |pattern: String, repl: String, text: Value| {
        regex(&pattern).map(|r| r.replace_all(&str_arg(&text), repl.as_str()).into_owned())
    });
    env.add_function("go_safeHtml", |v: Value| Value::from_safe_string(str_arg(&v)));
    env.add_function("go_stripPort", |v: Value| {
        let s = str_arg(&v);
        // net.SplitHostPort: [v6]:port, host:port; anything else as it is.
        if let Some(rest) = s.strip_prefix('[') {
            if let Some((host, port)) = rest.split_once("]:") {
                if !port.contains(':') {
                    return host.to_owned();
                }
            }
            return s;
        }
        match s.rsplit_once(':') {
            Some((host, _)) if !host.contains(':') => host.to_owned(),
            _ => s,
        }
    });
    env.add_function("go_stripDomain", |v: Value| {
        // Prometheus: the first label of a host name, port kept; IP addresses as they are.
        let s = str_arg(&v);
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') && !h.contains(']') => (h.to_owned(), format!(":{p}")),
            _ => (s.clone(), String::new()),
        };
        if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
            return s;
        }
        format!("{}{port}", host.split('.').next().unwrap_or(""))
    });
    env.add_function("go_date", |layout: String, t: Value| time_arg(&t).map(|t| t.format(&layout)));
    env.add_function("go_tz", |name: String, t: Value| -> std::result::Result<Value, minijinja::Error> {
        let zone = time_zone(&name).map_err(from_opsbook)?;
        Ok(Value::from_object(TimeValue(time_arg(&t)?.in_zone(zone))))
    });
    env.add_function("go_toTime", |t: Value| time_arg(&t).map(|t| Value::from_object(TimeValue(t))));
    env.add_function("go_args", |args: Rest<Value>| {
        // Prometheus: {{ template "x" (args 1 "2") }} gives .arg0, .arg1.
        let mut m: BTreeMap<String, Value> = BTreeMap::new();
        for (i, a) in args.iter().enumerate() {
            m.insert(format!("arg{i}"), a.clone());
        }
        Value::from(m)
    });
    env.add_function("go_graphLink", |expr: String| format!("/graph?g0.expr={}&g0.tab=0", query_escape(&expr)));
    env.add_function("go_tableLink", |expr: String| format!("/graph?g0.expr={}&g0.tab=1", query_escape(&expr)));
    env.add_function("go_parseDuration", |text: String| -> std::result::Result<f64, minijinja::Error> {
        crate::duration::parse_duration("parseDuration", &text).map(|d| d.as_secs_f64()).map_err(from_opsbook)
    });
    env.add_function("go_stringSlice", |args: Rest<Value>| {
        args.iter().map(|a| Value::from(go_print(a))).collect::<Vec<_>>()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(value: f64) -> Alert {
        let labels: Labels = [("alertname", "HighCPU"), ("instance", "web-1:9100"), ("severity", "warning")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let mut a = Alert::firing(labels, Labels::new(), 1_714_550_400_000);
        a.value = Some(value);
        a
    }

    fn expand(src: &str, value: f64) -> String {
        expand_once(src, &alert(value), &jiff::tz::TimeZone::UTC).unwrap()
    }

    #[test]
    fn prometheus_annotations() {
        assert_eq!(expand("服务 {{ $labels.instance }} 已停止", 0.0), "服务 web-1:9100 已停止");
        assert_eq!(expand("当前值: {{ $value }}%", 1234567.0), "当前值: 1.234567e+06%");
        assert_eq!(expand("{{ $value | humanizePercentage }}", 0.0523), "5.23%");
        assert_eq!(expand("{{ humanize $value }}", 1234567.0), "1.235M");
        assert_eq!(expand("{{ $labels.missing }}|{{ .Labels.alertname }}", 0.0), "|HighCPU");
        assert_eq!(expand("{{ printf \"%.1f\" $value }}", 85.25), "85.2");
        assert_eq!(expand("{{ if gt $value 80.0 }}hot{{ else }}ok{{ end }}", 85.0), "hot");
        assert_eq!(expand("{{ $labels.instance | stripPort | toUpper }}", 0.0), "WEB-1");
        assert_eq!(
            expand("{{ .StartsAt | tz \"Asia/Shanghai\" | date \"2006-01-02 15:04\" }}", 0.0),
            "2024-05-01 16:00"
        );
        assert_eq!(
            expand("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", 0.0),
            "alertname=HighCPU;instance=web-1:9100;severity=warning;"
        );
        assert_eq!(expand("{{ with $labels.severity }}[{{ . }}]{{ end }}", 0.0), "[warning]");
        assert_eq!(
            expand("{{ define \"x\" }}<{{ .Labels.severity }}>{{ end }}{{ template \"x\" . }}", 0.0),
            "<warning>"
        );
        assert_eq!(
            expand(
                "{{ template \"y\" . }}{{ define \"y\" }}{{ template \"z\" }}{{ end }}{{ define \"z\" }}Z{{ end }}",
                0.0
            ),
            "Z"
        );
        assert_eq!(expand("a {%b%} {#c#}", 0.0), "a {%b%} {#c#}");
        assert_eq!(expand("{{- /* note */ -}}  x", 0.0), "x");
    }

    #[test]
    fn errors_and_runaways() {
        let e = expand_once(
            "line1\n{{ $value | humanize }}",
            &Alert::firing(Labels::new(), Labels::new(), 0),
            &jiff::tz::TimeZone::UTC,
        );
        // $value is "" when unknown: humanize of text that is not a number.
        assert!(e.unwrap_err().to_string().contains("template:2"));
        let e = expand_once("{{ range 100000000 }}x{{ end }}", &alert(1.0), &jiff::tz::TimeZone::UTC).unwrap_err();
        assert!(e.to_string().contains("100000 iterations"), "{e}");
        let e =
            expand_once("{{ range 50000 }}{{ range 50000 }}x{{ end }}{{ end }}", &alert(1.0), &jiff::tz::TimeZone::UTC)
                .unwrap_err();
        assert!(e.to_string().contains("too long"), "{e}");
        let e = expand_once(
            "{{ define \"a\" }}{{ template \"a\" . }}{{ end }}{{ template \"a\" . }}",
            &alert(1.0),
            &jiff::tz::TimeZone::UTC,
        )
        .unwrap_err();
        assert!(e.to_string().contains("depth"), "{e}");
    }

    #[test]
    fn every_function_the_translator_accepts_is_registered() {
        let t = Templates::new();
        for name in crate::alert::gotmpl::FUNCTIONS {
            if matches!(*name, "and" | "or" | "not") {
                continue; // translated into operators
            }
            let defined = t.env.render_str(&format!("{{{{ go_{name} is defined }}}}"), ()).unwrap();
            assert_eq!(defined, "true", "{name}");
        }
    }

    #[test]
    fn values_are_escaped_for_the_markup() {
        let mut a = alert(1.0);
        a.labels.insert("instance".into(), "*bold* [x](http://evil)".into());
        let mut t = Templates::new();
        t.add("m", "**{{ $labels.instance }}**").unwrap();
        let out = t.expand_alert("m", &a, &jiff::tz::TimeZone::UTC, Markup::Markdown).unwrap();
        assert_eq!(out, "**\\*bold\\* \\[x\\](http://evil)**");
    }
}
