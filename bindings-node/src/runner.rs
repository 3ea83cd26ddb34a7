//! `Runner` (wraps `opsbook::runner` and `opsbook::spec`): checks declared in TOML or
//! JSON, run as a Promise on Tokio (napi's runtime), off libuv's thread pool.

use std::sync::Arc;

use napi_derive::napi;

use crate::check::HealthReport;
use crate::errors::IntoJsResult;

/// Checks with their options (timeouts, caching, failure tolerance, tags). One Runner may
/// serve every request; they share its result cache.
#[napi]
pub struct Runner {
    inner: Arc<opsbook::runner::Runner>,
}

#[napi]
impl Runner {
    /// A runner from a TOML policy (`version = 1` and `[[checks]]`).
    #[napi(factory)]
    pub fn from_toml(text: String) -> napi::Result<Runner, String> {
        Ok(Runner { inner: Arc::new(opsbook::spec::runner_from_toml(&text).js_err()?) })
    }

    /// A runner from JSON of the same shape (`{"version": 1, "checks": [...]}`).
    #[napi(factory)]
    pub fn from_json(text: String) -> napi::Result<Runner, String> {
        Ok(Runner { inner: Arc::new(opsbook::spec::runner_from_json(&text).js_err()?) })
    }

    /// A runner from a YAML policy (`version: 1` and `checks:`).
    #[napi(factory)]
    pub fn from_yaml(text: String) -> napi::Result<Runner, String> {
        Ok(Runner { inner: Arc::new(opsbook::spec::runner_from_yaml(&text).js_err()?) })
    }

    /// A runner from a policy file: TOML, YAML (`.yaml`, `.yml`) or JSON (`.json`); an error
    /// names the file, the line and the key.
    #[napi(factory)]
    pub fn from_file(path: String) -> napi::Result<Runner, String> {
        Ok(Runner { inner: Arc::new(opsbook::spec::runner_from_path(std::path::Path::new(&path)).js_err()?) })
    }

    /// The names of the checks, in order.
    #[napi(getter)]
    pub fn check_names(&self) -> Vec<String> {
        self.inner.checks().iter().map(|c| c.name.clone()).collect()
    }

    /// Runs the checks (those tagged `tag`, if given) concurrently.
    #[napi]
    pub async fn run(&self, tag: Option<String>) -> HealthReport {
        HealthReport { inner: self.inner.run(tag.as_deref()).await }
    }
}
