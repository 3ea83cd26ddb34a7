//! `opsbook.alert` (wraps `opsbook::alert`): channels that render a notification as the
//! exact request(s) they send, and send them; Go templates as Prometheus and Alertmanager
//! run them. Sending waits on the network, so it runs with the GIL released.

use std::collections::HashMap;

use pyo3::prelude::*;

use opsbook::alert::channel::{Channel as CoreChannel, MapOrEnv};
use opsbook::alert::deliver::Sender;
use opsbook::alert::escape::Markup;
use opsbook::alert::model::AlertGroup;
use opsbook::alert::template::render_template_json;

use crate::errors::IntoPyResult;
use crate::json::{from_py, to_py};

pub(crate) fn now_ms(now: Option<f64>) -> PyResult<i64> {
    match now {
        None => Ok(jiff::Timestamp::now().as_millisecond()),
        Some(s) => opsbook::forecast::input::time_ms("now", s).py_err(),
    }
}

fn group(alerts: &Bound<'_, PyAny>) -> PyResult<AlertGroup> {
    AlertGroup::from_value(&from_py(alerts)?).py_err()
}

/// A notification channel declared as in a policy's `[[channels]]`.
#[pyclass(module = "opsbook")]
pub struct Channel {
    inner: CoreChannel,
    sender: Sender,
}

#[pymethods]
impl Channel {
    /// `spec`: `{"name", "type", "token_env", "secret_env", "lang", "tz", ...}`.
    #[new]
    fn new(spec: &Bound<'_, PyAny>) -> PyResult<Channel> {
        let inner = CoreChannel::from_value(&from_py(spec)?, "channel").py_err()?;
        Ok(Channel { inner, sender: Sender::new() })
    }

    /// The `[[channels]]` entry `name` of a policy file.
    #[staticmethod]
    fn from_policy(path: std::path::PathBuf, name: &str) -> PyResult<Channel> {
        let policy = opsbook::policy::Policy::from_path(&path).py_err()?;
        Ok(Channel { inner: policy.channel(name).py_err()?, sender: Sender::new() })
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.spec.name.clone()
    }

    #[getter]
    fn r#type(&self) -> &'static str {
        self.inner.kind.name()
    }

    /// The request(s) for `alerts` (a webhook payload, a list of alerts, one alert, or the
    /// manuals' dict), as dicts: method, url, headers, body — secrets shown as ***.
    #[pyo3(signature = (alerts, now = None, secrets = None))]
    fn render(
        &self,
        py: Python<'_>,
        alerts: &Bound<'_, PyAny>,
        now: Option<f64>,
        secrets: Option<HashMap<String, String>>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let group = group(alerts)?;
        let requests = self.inner.render(&group, now_ms(now)?, &MapOrEnv(secrets)).py_err()?;
        requests.iter().map(|r| to_py(py, &r.to_json())).collect()
    }

    /// Each alert as a notification of its own: the request bodies as sent (JSON text, or
    /// the message for text/markdown/email), secrets masked as ***, in alert order (an alert
    /// that becomes two requests, as WeCom mentions do, gives two bodies one after the
    /// other). `alerts` may be JSON text or bytes, read without building Python objects;
    /// rendering runs with the GIL released.
    #[pyo3(signature = (alerts, now = None, secrets = None))]
    fn render_bodies(
        &self,
        py: Python<'_>,
        alerts: &Bound<'_, PyAny>,
        now: Option<f64>,
        secrets: Option<HashMap<String, String>>,
    ) -> PyResult<Vec<String>> {
        let group = match alerts.extract::<&[u8]>() {
            Ok(bytes) => py.detach(|| AlertGroup::from_json_bytes(bytes)).py_err()?,
            Err(_) => match alerts.extract::<&str>() {
                Ok(text) => py.detach(|| AlertGroup::from_json(text)).py_err()?,
                Err(_) => group(alerts)?,
            },
        };
        let now = now_ms(now)?;
        let secrets = MapOrEnv(secrets);
        py.detach(|| self.inner.render_bodies(group, now, &secrets)).py_err()
    }

    /// Renders and sends, retrying as the channel says; one dict per request with every
    /// attempt's outcome.
    #[pyo3(signature = (alerts, now = None, secrets = None))]
    fn send(
        &self,
        py: Python<'_>,
        alerts: &Bound<'_, PyAny>,
        now: Option<f64>,
        secrets: Option<HashMap<String, String>>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let group = group(alerts)?;
        let now = now_ms(now)?;
        let secrets = MapOrEnv(secrets);
        let deliveries = py
            .detach(|| {
                let requests = self.inner.render(&group, now, &secrets)?;
                self.sender.send_blocking(&self.inner, &requests)
            })
            .py_err()?;
        deliveries.iter().map(|d| to_py(py, &d.to_json())).collect()
    }

    fn __repr__(&self) -> String {
        format!("Channel(name={:?}, type={:?})", self.inner.spec.name, self.inner.kind.name())
    }
}

/// Expands a Go template (Prometheus/Alertmanager syntax) over `data` (any JSON value),
/// one `alert` (`$labels`, `$value`, `.Labels`, ...) or a notification `group` (`.Alerts`,
/// `.CommonLabels`, ...), printed values escaped for `markup`.
#[pyfunction]
#[pyo3(signature = (template, data = None, alert = None, group = None, markup = "plain", tz = "UTC"))]
pub fn render_template(
    template: &str,
    data: Option<&Bound<'_, PyAny>>,
    alert: Option<&Bound<'_, PyAny>>,
    group: Option<&Bound<'_, PyAny>>,
    markup: &str,
    tz: &str,
) -> PyResult<String> {
    let markup = Markup::from_name("markup", markup).py_err()?;
    let (data, alert, group) =
        (data.map(from_py).transpose()?, alert.map(from_py).transpose()?, group.map(from_py).transpose()?);
    render_template_json(template, data.as_ref(), alert.as_ref(), group.as_ref(), tz, markup).py_err()
}
