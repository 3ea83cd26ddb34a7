//! The one error type of opsbook. Every front door maps each variant to its own idiom
//! (a Python exception class, a Node error code, a C result code), so a variant is a
//! stable contract: add new ones, never repurpose old ones.

/// Everything that can go wrong in opsbook. Messages name the field and the offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A Nagios range (or a plain threshold form) that cannot be read.
    #[error("invalid range for {field}: {value:?}: {reason}")]
    InvalidRange { field: String, value: String, reason: String },
    /// A value that is not acceptable where it was given (not a number, unknown name, ...).
    #[error("invalid value for {field}: {value:?}: {reason}")]
    InvalidValue { field: String, value: String, reason: String },
    /// A probe could not take its reading.
    #[error("probe {probe} failed: {reason}")]
    Probe { probe: String, reason: String },
    /// Input/output failure, with the path or resource involved.
    #[error("I/O error on {path}: {reason}")]
    Io { path: String, reason: String },
}

impl Error {
    /// A stable, language-neutral code for this kind of error (used by Node's `code`,
    /// the C result enum and the CLI's JSON output).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidRange { .. } => "OPSBOOK_INVALID_RANGE",
            Error::InvalidValue { .. } => "OPSBOOK_INVALID_VALUE",
            Error::Probe { .. } => "OPSBOOK_PROBE",
            Error::Io { .. } => "OPSBOOK_IO",
        }
    }

    /// An [`Error::InvalidRange`] for `field`.
    pub fn invalid_range(field: &str, value: &str, reason: impl Into<String>) -> Self {
        Error::InvalidRange { field: field.to_owned(), value: value.to_owned(), reason: reason.into() }
    }

    /// An [`Error::InvalidValue`] for `field` (front doors use it for input they refuse
    /// before it reaches core, so every refusal is worded alike).
    pub fn invalid_value(field: &str, value: &str, reason: impl Into<String>) -> Self {
        Error::InvalidValue { field: field.to_owned(), value: value.to_owned(), reason: reason.into() }
    }
}

/// Reads `v` as `T`; an error names the key under `at` (`logs.analyses[0].since`,
/// `checklists[1].items`).
pub(crate) fn deserialize_at<T: serde::de::DeserializeOwned>(v: &serde_json::Value, at: &str) -> Result<T> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let field = match path.as_str() {
            "." | "" => at.to_owned(),
            p if p.starts_with('[') => format!("{at}{p}"),
            p => format!("{at}.{p}"),
        };
        Error::invalid_value(&field, "", e.inner().to_string())
    })
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
