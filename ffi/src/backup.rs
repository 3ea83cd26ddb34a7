//! Backups (`opsbook::backup`): PostgreSQL backup manifests (an opaque handle), sha256sum
//! text, verification and retention (JSON text in and out, as their shapes vary).

use std::ffi::c_char;

use opsbook::backup::checksum::to_hex;
use opsbook::backup::{Algorithm, BuildOptions, Manifest, VerifyOptions};

use crate::error::{fail, guard, null_argument, opsbook_result};
use crate::handles::{c_str, json_or_empty as json, json_required, put_string};

/// A backup manifest.
pub struct opsbook_manifest {
    inner: Manifest,
}

fn bad(field: &str, value: &str, reason: impl Into<String>) -> opsbook_result {
    fail(opsbook::Error::InvalidValue { field: field.into(), value: value.into(), reason: reason.into() })
}

fn put_manifest(out: *mut *mut opsbook_manifest, inner: Manifest) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    unsafe { *out = Box::into_raw(Box::new(opsbook_manifest { inner })) };
    Ok(())
}

fn manifest<'a>(m: *const opsbook_manifest) -> Result<&'a Manifest, opsbook_result> {
    unsafe { m.as_ref() }.map(|m| &m.inner).ok_or_else(|| null_argument("manifest"))
}

/// Bytes that cannot hold a NUL (manifest paths never do) as a C string.
fn put_bytes(out: *mut *mut c_char, bytes: Vec<u8>) -> Result<(), opsbook_result> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    let c = std::ffi::CString::new(bytes).map_err(|_| bad("output", "", "holds a NUL byte"))?;
    unsafe { *out = c.into_raw() };
    Ok(())
}

/// Reads a `backup_manifest` of `len` bytes (its Manifest-Checksum is checked).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_manifest_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut opsbook_manifest,
) -> opsbook_result {
    guard(|| {
        if data.is_null() && len > 0 {
            return Err(null_argument("data"));
        }
        let bytes = if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(data, len) } };
        put_manifest(out, Manifest::parse(bytes).map_err(fail)?)
    })
}

/// Builds a manifest of `dir`, hashing files on every core. `options_json` (NULL for the
/// defaults): `{"algorithm": "SHA256", "version": 1, "system_identifier": 7, "ignore": [...]}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_manifest_build(
    dir: *const c_char,
    options_json: *const c_char,
    out: *mut *mut opsbook_manifest,
) -> opsbook_result {
    guard(|| {
        let dir = unsafe { c_str(dir, "dir") }?;
        let o = json(options_json, "options_json")?;
        let mut options = BuildOptions::default();
        for (k, v) in o.as_object().ok_or_else(|| bad("options_json", "", "expected an object"))? {
            let field = format!("options_json.{k}");
            match k.as_str() {
                "algorithm" => {
                    let name = v.as_str().unwrap_or_default();
                    options.algorithm = Algorithm::from_name(name)
                        .ok_or_else(|| bad(&field, name, "expected CRC32C, SHA224, SHA256, SHA384, SHA512 or NONE"))?;
                }
                "version" => {
                    options.version = v.as_u64().ok_or_else(|| bad(&field, &v.to_string(), "expected 1 or 2"))? as u32
                }
                "system_identifier" => {
                    options.system_identifier =
                        Some(v.as_u64().ok_or_else(|| bad(&field, &v.to_string(), "expected an integer"))?)
                }
                "ignore" => {
                    options.ignore = v
                        .as_array()
                        .ok_or_else(|| bad(&field, &v.to_string(), "expected a list of paths"))?
                        .iter()
                        .map(|p| {
                            p.as_str()
                                .map(|s| s.as_bytes().to_vec())
                                .ok_or_else(|| bad(&field, &p.to_string(), "expected text"))
                        })
                        .collect::<Result<_, _>>()?
                }
                _ => return Err(bad(&field, "", "unknown option (algorithm, version, system_identifier, ignore)")),
            }
        }
        let built = opsbook::backup::build(std::path::Path::new(dir), &options, None).map_err(fail)?;
        put_manifest(out, built.manifest)
    })
}

/// The manifest as PostgreSQL writes it (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_manifest_text(m: *const opsbook_manifest, out: *mut *mut c_char) -> opsbook_result {
    guard(|| put_bytes(out, manifest(m)?.to_bytes()))
}

/// sha256sum-style lines for the files; names are written as they are, so the text may hold
/// bytes that are not UTF-8 (free with `opsbook_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_manifest_sums(m: *const opsbook_manifest, out: *mut *mut c_char) -> opsbook_result {
    guard(|| put_bytes(out, manifest(m)?.to_sums()))
}

/// The files as `{"version", "files": [{"path" (other bytes as \xNN), "path_hex", "size",
/// "last_modified", "algorithm", "checksum"}]}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_manifest_json(m: *const opsbook_manifest, out: *mut *mut c_char) -> opsbook_result {
    guard(|| {
        let m = manifest(m)?;
        let files: Vec<serde_json::Value> = m
            .files
            .iter()
            .map(|f| {
                serde_json::json!({
                    "path": f.path_text(), "path_hex": to_hex(&f.path), "size": f.size,
                    "last_modified": f.last_modified, "algorithm": f.algorithm.name(), "checksum": to_hex(&f.checksum),
                })
            })
            .collect();
        put_string(out, serde_json::json!({"version": m.version, "files": files}).to_string())
    })
}

/// Frees a manifest. NULL is fine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_manifest_free(m: *mut opsbook_manifest) {
    if !m.is_null() {
        drop(unsafe { Box::from_raw(m) });
    }
}

/// Verifies `dir` as pg_verifybackup does. `options_json` (NULL for the defaults):
/// `{"manifest": path, "ignore": [...], "skip_checksums": false, "exit_on_error": false}`; a
/// manifest that is a sha256sum-style file is checked as one. `*out` gets `{"ok",
/// "files_checked", "problems": [{"path", "kind", "message"}]}`; `*ok` (may be NULL) whether
/// nothing was found.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_backup_verify(
    dir: *const c_char,
    options_json: *const c_char,
    out: *mut *mut c_char,
    ok: *mut bool,
) -> opsbook_result {
    guard(|| {
        let dir = std::path::PathBuf::from(unsafe { c_str(dir, "dir") }?);
        let o = json(options_json, "options_json")?;
        let mut options = VerifyOptions::default();
        for (k, v) in o.as_object().ok_or_else(|| bad("options_json", "", "expected an object"))? {
            let field = format!("options_json.{k}");
            let flag = || v.as_bool().ok_or_else(|| bad(&field, &v.to_string(), "expected true or false"));
            match k.as_str() {
                "manifest" => {
                    options.manifest =
                        Some(v.as_str().ok_or_else(|| bad(&field, &v.to_string(), "expected a path"))?.into())
                }
                "ignore" => {
                    options.ignore = v
                        .as_array()
                        .ok_or_else(|| bad(&field, &v.to_string(), "expected a list of paths"))?
                        .iter()
                        .map(|p| {
                            p.as_str().map(str::to_owned).ok_or_else(|| bad(&field, &p.to_string(), "expected text"))
                        })
                        .collect::<Result<_, _>>()?
                }
                "skip_checksums" => options.skip_checksums = flag()?,
                "exit_on_error" => options.exit_on_error = flag()?,
                _ => return Err(bad(&field, "", "unknown option (manifest, ignore, skip_checksums, exit_on_error)")),
            }
        }
        let result = opsbook::backup::verify_any(&dir, &options, None).map_err(fail)?;
        if let Some(ok) = unsafe { ok.as_mut() } {
            *ok = result.ok();
        }
        put_string(out, result.to_json().to_string())
    })
}

fn clock(now: f64) -> Result<jiff::Timestamp, opsbook_result> {
    if now.is_nan() {
        return Ok(jiff::Timestamp::now());
    }
    let ms = opsbook::forecast::input::time_ms("now", now).map_err(fail)?;
    jiff::Timestamp::from_millisecond(ms).map_err(|e| bad("now", &now.to_string(), e.to_string()))
}

/// Applies a retention policy (restic's forget rules) to backups. `backups_json`: a list of
/// `{"id", "time", "host", "paths", "tags", "kind", "base"}` (or `restic snapshots --json`);
/// `policy_json`: `{"keep_daily": 7, "keep_within": "30d", ...}`; `group_by`: e.g.
/// "host,paths" ("" for one group, NULL for the default host,paths); `now`: Unix seconds,
/// NaN for the clock. `*out`: `{"groups": [{"key", "keep", "forget"}]}`. Nothing is deleted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_backup_retention(
    backups_json: *const c_char,
    policy_json: *const c_char,
    group_by: *const c_char,
    now: f64,
    out: *mut *mut c_char,
) -> opsbook_result {
    use opsbook::backup::retention::{GroupBy, apply_grouped, backups_from_value, policy_from_value};
    guard(|| {
        let backups = backups_from_value(&json_required(backups_json, "backups_json")?).map_err(fail)?;
        let policy = policy_from_value(&json_required(policy_json, "policy_json")?).map_err(fail)?;
        let by = if group_by.is_null() {
            GroupBy::default()
        } else {
            let text = unsafe { c_str(group_by, "group_by") }?;
            let names: Vec<&str> = text.split(',').collect();
            GroupBy::from_names("group_by", &names).map_err(fail)?
        };
        let groups: Vec<serde_json::Value> = apply_grouped(&backups, &policy, by, clock(now)?)
            .map_err(fail)?
            .iter()
            .map(|(k, d)| {
                let mut v = d.to_json();
                v["key"] = k.to_json();
                v
            })
            .collect();
        put_string(out, serde_json::json!({ "groups": groups }).to_string())
    })
}

/// The manuals' `find -mtime +N -delete` rule over backups: `{"keep", "forget"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opsbook_backup_find_mtime(
    backups_json: *const c_char,
    days: u32,
    now: f64,
    out: *mut *mut c_char,
) -> opsbook_result {
    guard(|| {
        let backups = opsbook::backup::retention::backups_from_value(&json_required(backups_json, "backups_json")?)
            .map_err(fail)?;
        put_string(out, opsbook::backup::retention::find_mtime(&backups, days, clock(now)?).to_json().to_string())
    })
}
