//! `opsbook.backup` (wraps `opsbook::backup`): PostgreSQL backup manifests, sha256sum files,
//! verification and retention. Building and verifying read whole trees, so they run with
//! the GIL released.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use opsbook::backup::checksum::to_hex;
use opsbook::backup::{Algorithm, BuildOptions, Manifest as CoreManifest, VerifyOptions};

use crate::errors::IntoPyResult;
use crate::json::{from_py, to_py};

fn algorithm(name: &str) -> PyResult<Algorithm> {
    Algorithm::from_name(name).ok_or_else(|| {
        crate::errors::to_py_err(opsbook::Error::InvalidValue {
            field: "algorithm".into(),
            value: name.into(),
            reason: "expected CRC32C, SHA224, SHA256, SHA384, SHA512 or NONE".into(),
        })
    })
}

/// A path as Python's os functions take it: str, undecodable bytes as surrogates.
fn fs_str(py: Python<'_>, bytes: &[u8]) -> PyResult<Py<PyAny>> {
    Ok(PyBytes::new(py, bytes).call_method1("decode", ("utf-8", "surrogateescape"))?.unbind())
}

fn fs_bytes(path: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let os = path.py().import("os")?;
    os.call_method1("fsencode", (path,))?.extract()
}

/// A backup manifest: PostgreSQL's `backup_manifest`, read and written byte for byte.
#[pyclass(frozen, module = "opsbook")]
pub struct Manifest {
    inner: CoreManifest,
}

#[pymethods]
impl Manifest {
    /// Reads a `backup_manifest` (and checks its Manifest-Checksum).
    #[staticmethod]
    fn parse(data: &[u8]) -> PyResult<Manifest> {
        Ok(Manifest { inner: CoreManifest::parse(data).py_err()? })
    }

    /// Builds a manifest of a directory, hashing files on every core.
    #[staticmethod]
    #[pyo3(signature = (dir, algorithm = "CRC32C", version = 1, system_identifier = None, ignore = None))]
    fn build(
        py: Python<'_>,
        dir: PathBuf,
        algorithm: &str,
        version: u32,
        system_identifier: Option<u64>,
        ignore: Option<Vec<Bound<'_, PyAny>>>,
    ) -> PyResult<Manifest> {
        let mut options = BuildOptions {
            algorithm: self::algorithm(algorithm)?,
            version,
            system_identifier,
            ..BuildOptions::default()
        };
        if let Some(list) = ignore {
            options.ignore = list.iter().map(fs_bytes).collect::<PyResult<_>>()?;
        }
        let built = py.detach(|| opsbook::backup::build(&dir, &options, None)).py_err()?;
        Ok(Manifest { inner: built.manifest })
    }

    #[getter]
    fn version(&self) -> u32 {
        self.inner.version
    }

    #[getter]
    fn system_identifier(&self) -> Option<u64> {
        self.inner.system_identifier
    }

    /// Every file: `{"path": str, "path_bytes": bytes, "size", "last_modified", "algorithm",
    /// "checksum": hex}`.
    #[getter]
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .files
            .iter()
            .map(|f| {
                let d = PyDict::new(py);
                d.set_item("path", fs_str(py, &f.path)?)?;
                d.set_item("path_bytes", PyBytes::new(py, &f.path))?;
                d.set_item("size", f.size)?;
                d.set_item("last_modified", &f.last_modified)?;
                d.set_item("algorithm", f.algorithm.name())?;
                d.set_item("checksum", to_hex(&f.checksum))?;
                Ok(d)
            })
            .collect()
    }

    /// `[{"timeline", "start_lsn", "end_lsn"}]`, or None without `WAL-Ranges`.
    #[getter]
    fn wal_ranges<'py>(&self, py: Python<'py>) -> PyResult<Option<Vec<Bound<'py, PyDict>>>> {
        self.inner
            .wal_ranges
            .as_ref()
            .map(|ranges| {
                ranges
                    .iter()
                    .map(|r| {
                        let d = PyDict::new(py);
                        d.set_item("timeline", r.timeline)?;
                        d.set_item("start_lsn", &r.start_lsn)?;
                        d.set_item("end_lsn", &r.end_lsn)?;
                        Ok(d)
                    })
                    .collect()
            })
            .transpose()
    }

    /// The manifest as PostgreSQL writes it.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// sha256sum-style lines for the files (their checksums must be SHA-224/256/384/512).
    fn to_sums<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_sums())
    }

    fn __len__(&self) -> usize {
        self.inner.files.len()
    }
}

/// One problem: `path`, `kind` ("missing", "extra", "size_mismatch", "checksum_mismatch",
/// "unreadable", ...), `message` (pg_verifybackup's wording).
#[pyclass(frozen, module = "opsbook")]
pub struct Problem {
    #[pyo3(get)]
    path: String,
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    message: String,
}

#[pymethods]
impl Problem {
    fn __repr__(&self) -> String {
        format!("Problem({:?}, {:?})", self.kind, self.path)
    }
}

/// What a verification found.
#[pyclass(frozen, module = "opsbook")]
pub struct Verification {
    inner: opsbook::backup::Verification,
}

#[pymethods]
impl Verification {
    #[getter]
    fn ok(&self) -> bool {
        self.inner.ok()
    }

    #[getter]
    fn problems(&self) -> Vec<Problem> {
        self.inner
            .problems
            .iter()
            .map(|p| Problem { path: p.path.clone(), kind: p.kind.as_str(), message: p.message.clone() })
            .collect()
    }

    #[getter]
    fn files_checked(&self) -> u64 {
        self.inner.files_checked
    }

    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    fn __bool__(&self) -> bool {
        self.inner.ok()
    }
}

/// Verifies a directory against its `backup_manifest` (or `manifest`), as pg_verifybackup
/// does; a checksum file (sha256sum format) is checked when `manifest` names one.
#[pyfunction]
#[pyo3(signature = (dir, manifest = None, ignore = None, skip_checksums = false, exit_on_error = false))]
pub fn verify(
    py: Python<'_>,
    dir: PathBuf,
    manifest: Option<PathBuf>,
    ignore: Option<Vec<String>>,
    skip_checksums: bool,
    exit_on_error: bool,
) -> PyResult<Verification> {
    let options = VerifyOptions { manifest, ignore: ignore.unwrap_or_default(), skip_checksums, exit_on_error };
    Ok(Verification { inner: py.detach(|| opsbook::backup::verify_any(&dir, &options, None)).py_err()? })
}

fn now_or(now: Option<f64>) -> PyResult<jiff::Timestamp> {
    match now {
        None => Ok(jiff::Timestamp::now()),
        Some(s) => {
            let ms = opsbook::forecast::input::time_ms("now", s).py_err()?;
            jiff::Timestamp::from_millisecond(ms)
                .map_err(|e| crate::errors::invalid_value("now", &s.to_string(), e.to_string()))
        }
    }
}

/// Applies a retention policy (restic's forget rules) to backups (dicts with `id`, `time`
/// (RFC 3339 or Unix seconds), `host`, `paths`, `tags`, `kind`, `base`; `restic snapshots
/// --json` works too): a list of groups `{"key", "keep": [{"id", "time", "matches",
/// "counters"}], "forget": [{"id", "time"}]}`. Nothing is deleted.
#[pyfunction]
#[pyo3(signature = (backups, policy, group_by = None, now = None))]
pub fn retention(
    py: Python<'_>,
    backups: &Bound<'_, PyAny>,
    policy: &Bound<'_, PyAny>,
    group_by: Option<Vec<String>>,
    now: Option<f64>,
) -> PyResult<Vec<Py<PyAny>>> {
    let list = opsbook::backup::retention::backups_from_value(&from_py(backups)?).py_err()?;
    let policy = opsbook::backup::retention::policy_from_value(&from_py(policy)?).py_err()?;
    let by = match group_by {
        None => opsbook::backup::retention::GroupBy::default(),
        Some(names) => opsbook::backup::retention::GroupBy::from_names("group_by", &names).py_err()?,
    };
    let groups = opsbook::backup::retention::apply_grouped(&list, &policy, by, now_or(now)?).py_err()?;
    groups
        .iter()
        .map(|(k, d)| {
            let mut v = d.to_json();
            v["key"] = k.to_json();
            to_py(py, &v)
        })
        .collect()
}

/// The manuals' `find -mtime +N -delete` rule: `{"keep": [...], "forget": [...]}`.
#[pyfunction]
#[pyo3(signature = (backups, days, now = None))]
pub fn find_mtime(py: Python<'_>, backups: &Bound<'_, PyAny>, days: u32, now: Option<f64>) -> PyResult<Py<PyAny>> {
    let list = opsbook::backup::retention::backups_from_value(&from_py(backups)?).py_err()?;
    to_py(py, &opsbook::backup::retention::find_mtime(&list, days, now_or(now)?).to_json())
}

/// Reads a sha256sum-style checksum file: `[(path_bytes, algorithm, hex)]`.
#[pyfunction]
pub fn parse_sums(data: &[u8]) -> PyResult<Vec<(Vec<u8>, &'static str, String)>> {
    Ok(opsbook::backup::sums::parse_sums(data)
        .py_err()?
        .into_iter()
        .map(|l| (l.path, l.algorithm.name(), to_hex(&l.digest)))
        .collect())
}
