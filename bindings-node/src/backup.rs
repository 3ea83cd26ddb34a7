//! Backups (wraps `opsbook::backup`): PostgreSQL backup manifests, sha256sum files,
//! verification and retention. Building and verifying read whole trees, so they run on a
//! blocking thread and return Promises.

use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;

use opsbook::backup::checksum::to_hex;
use opsbook::backup::{Algorithm, BuildOptions, Manifest as CoreManifest, VerifyOptions};

use crate::errors::{IntoJsResult, to_js_err};

fn algorithm(name: &str) -> napi::Result<Algorithm, String> {
    Algorithm::from_name(name).ok_or_else(|| {
        to_js_err(opsbook::Error::InvalidValue {
            field: "algorithm".into(),
            value: name.into(),
            reason: "expected CRC32C, SHA224, SHA256, SHA384, SHA512 or NONE".into(),
        })
    })
}

/// One file of a manifest (`pathBytes` holds names that are not UTF-8 exactly).
#[napi(object)]
pub struct ManifestFile {
    pub path: String,
    pub path_bytes: Uint8Array,
    pub size: f64,
    pub last_modified: String,
    pub algorithm: String,
    pub checksum: String,
}

/// Options of `buildManifest`.
#[napi(object)]
pub struct BuildManifestOptions {
    /// "CRC32C" (default), "SHA224", "SHA256", "SHA384", "SHA512" or "NONE".
    pub algorithm: Option<String>,
    /// 1 (default) or 2.
    pub version: Option<u32>,
    /// Version 2 only, as a decimal string (it does not fit a JS number).
    pub system_identifier: Option<String>,
    /// Paths left out (default: backup_manifest and pg_wal).
    pub ignore: Option<Vec<String>>,
}

/// A backup manifest: PostgreSQL's `backup_manifest`, read and written byte for byte.
#[napi]
pub struct Manifest {
    inner: CoreManifest,
}

#[napi]
impl Manifest {
    /// Reads a `backup_manifest` (and checks its Manifest-Checksum).
    #[napi(factory)]
    pub fn parse(data: Uint8Array) -> napi::Result<Manifest, String> {
        Ok(Manifest { inner: CoreManifest::parse(&data).js_err()? })
    }

    #[napi(getter)]
    pub fn version(&self) -> u32 {
        self.inner.version
    }

    /// The system identifier (version 2) as a decimal string.
    #[napi(getter)]
    pub fn system_identifier(&self) -> Option<String> {
        self.inner.system_identifier.map(|s| s.to_string())
    }

    #[napi(getter)]
    pub fn files(&self) -> Vec<ManifestFile> {
        self.inner
            .files
            .iter()
            .map(|f| ManifestFile {
                path: f.path_text(),
                path_bytes: f.path.clone().into(),
                size: f.size as f64,
                last_modified: f.last_modified.clone(),
                algorithm: f.algorithm.name().to_owned(),
                checksum: to_hex(&f.checksum),
            })
            .collect()
    }

    /// The manifest as PostgreSQL writes it.
    #[napi]
    pub fn to_bytes(&self) -> Uint8Array {
        self.inner.to_bytes().into()
    }

    /// sha256sum-style lines for the files (SHA-224/256/384/512 checksums).
    #[napi]
    pub fn to_sums(&self) -> Uint8Array {
        self.inner.to_sums().into()
    }
}

/// Hashes a tree on the libuv pool.
pub struct BuildTask {
    failure: crate::errors::Failure,
    dir: String,
    options: BuildOptions,
}

impl napi::Task for BuildTask {
    type Output = CoreManifest;
    type JsValue = Manifest;

    fn compute(&mut self) -> napi::Result<CoreManifest> {
        // Options were checked before the task started, so what fails here is reading the
        // tree; the message names the file.
        let built = opsbook::backup::build(std::path::Path::new(&self.dir), &self.options, None);
        self.failure.keep(built.map(|b| b.manifest))
    }

    fn resolve(&mut self, _env: napi::Env, output: CoreManifest) -> napi::Result<Manifest> {
        Ok(Manifest { inner: output })
    }

    fn reject(&mut self, env: napi::Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.reject(env, err))
    }
}

/// Builds a manifest of a directory off the JS thread, hashing files on every core. Bad
/// options throw at once (with their OPSBOOK_ code); the Promise rejects when the tree
/// cannot be read.
#[napi(ts_return_type = "Promise<Manifest>")]
pub fn build_manifest(
    dir: String,
    options: Option<BuildManifestOptions>,
) -> napi::Result<napi::bindgen_prelude::AsyncTask<BuildTask>, String> {
    let mut build = BuildOptions::default();
    if let Some(o) = options {
        if let Some(a) = o.algorithm {
            build.algorithm = algorithm(&a)?;
        }
        if let Some(v) = o.version {
            build.version = v;
        }
        if let Some(s) = o.system_identifier {
            build.system_identifier = Some(s.parse().map_err(|_| {
                to_js_err(opsbook::Error::InvalidValue {
                    field: "systemIdentifier".into(),
                    value: s.clone(),
                    reason: "expected a decimal integer".into(),
                })
            })?);
        }
        if let Some(i) = o.ignore {
            build.ignore = i.into_iter().map(String::into_bytes).collect();
        }
    }
    opsbook::backup::build::check_options(&build).js_err()?;
    Ok(napi::bindgen_prelude::AsyncTask::new(BuildTask { dir, options: build, failure: Default::default() }))
}

/// One problem: `kind` ("missing", "extra", "size_mismatch", "checksum_mismatch",
/// "unreadable", ...), `path`, `message` (pg_verifybackup's wording).
#[napi(object)]
pub struct Problem {
    pub path: String,
    pub kind: String,
    pub message: String,
}

/// What a verification found.
#[napi(object)]
pub struct Verification {
    pub ok: bool,
    pub problems: Vec<Problem>,
    pub files_checked: f64,
}

/// Options of `verify`, as pg_verifybackup has them.
#[napi(object)]
pub struct VerifyBackupOptions {
    /// The manifest (default: DIR/backup_manifest); a sha256sum-style file is checked as such.
    pub manifest: Option<String>,
    pub ignore: Option<Vec<String>>,
    pub skip_checksums: Option<bool>,
    pub exit_on_error: Option<bool>,
}

/// Verifies a tree on the libuv pool (problems are data, so it never rejects).
pub struct VerifyTask {
    dir: String,
    lines: Option<Vec<opsbook::backup::sums::SumLine>>,
    options: VerifyOptions,
}

impl napi::Task for VerifyTask {
    type Output = opsbook::backup::Verification;
    type JsValue = Verification;

    fn compute(&mut self) -> napi::Result<opsbook::backup::Verification> {
        let dir = std::path::Path::new(&self.dir);
        Ok(match &self.lines {
            Some(lines) => opsbook::backup::sums::verify_sums(lines, dir),
            None => opsbook::backup::verify(dir, &self.options, None),
        })
    }

    fn resolve(&mut self, _env: napi::Env, result: opsbook::backup::Verification) -> napi::Result<Verification> {
        Ok(Verification {
            ok: result.ok(),
            files_checked: result.files_checked as f64,
            problems: result
                .problems
                .into_iter()
                .map(|p| Problem { path: p.path, kind: p.kind.as_str().to_owned(), message: p.message })
                .collect(),
        })
    }
}

/// Verifies a directory against its manifest (or a sha256sum-style file) off the JS thread.
#[napi(ts_return_type = "Promise<Verification>")]
pub fn verify_backup(
    dir: String,
    options: Option<VerifyBackupOptions>,
) -> napi::Result<napi::bindgen_prelude::AsyncTask<VerifyTask>, String> {
    let o = options.unwrap_or(VerifyBackupOptions {
        manifest: None,
        ignore: None,
        skip_checksums: None,
        exit_on_error: None,
    });
    let options = VerifyOptions {
        manifest: o.manifest.map(Into::into),
        ignore: o.ignore.unwrap_or_default(),
        skip_checksums: o.skip_checksums.unwrap_or(false),
        exit_on_error: o.exit_on_error.unwrap_or(false),
    };
    // A checksum file is read now, so a malformed one throws with its code.
    let lines = opsbook::backup::checksum_file_lines(&options).js_err()?;
    Ok(napi::bindgen_prelude::AsyncTask::new(VerifyTask { dir, lines, options }))
}

fn now_or(now: Option<f64>) -> napi::Result<jiff::Timestamp, String> {
    match now {
        None => Ok(jiff::Timestamp::now()),
        Some(s) => {
            let ms = opsbook::forecast::input::time_ms("now", s).js_err()?;
            jiff::Timestamp::from_millisecond(ms)
                .map_err(|e| napi::Error::new("OPSBOOK_INVALID_VALUE".to_owned(), e.to_string()))
        }
    }
}

/// Applies a retention policy (restic's forget rules; keys `keep_daily`, `keep_within`, ...)
/// to backups (`{ id, time, host, paths, tags, kind, base }`, or `restic snapshots --json`):
/// groups `{ key, keep: [{ id, time, matches, counters }], forget: [{ id, time }] }`.
/// `groupBy` defaults to ["host", "paths"]; `now` (Unix seconds) to the clock. Nothing is deleted.
#[napi]
pub fn retention(
    backups: serde_json::Value,
    policy: serde_json::Value,
    group_by: Option<Vec<String>>,
    now: Option<f64>,
) -> napi::Result<Vec<serde_json::Value>, String> {
    use opsbook::backup::retention::{GroupBy, apply_grouped, backups_from_value, policy_from_value};
    let list = backups_from_value(&backups).js_err()?;
    let policy = policy_from_value(&policy).js_err()?;
    let by = match group_by {
        None => GroupBy::default(),
        Some(names) => GroupBy::from_names("groupBy", &names).js_err()?,
    };
    Ok(apply_grouped(&list, &policy, by, now_or(now)?)
        .js_err()?
        .iter()
        .map(|(k, d)| {
            let mut v = d.to_json();
            v["key"] = k.to_json();
            v
        })
        .collect())
}

/// The manuals' `find -mtime +N -delete` rule: `{ keep, forget }`.
#[napi]
pub fn find_mtime(backups: serde_json::Value, days: u32, now: Option<f64>) -> napi::Result<serde_json::Value, String> {
    let list = opsbook::backup::retention::backups_from_value(&backups).js_err()?;
    Ok(opsbook::backup::retention::find_mtime(&list, days, now_or(now)?).to_json())
}
