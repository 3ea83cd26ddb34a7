//! Backups: manifests of backup directories (PostgreSQL's `backup_manifest`, `sha256sum`
//! files), verification against them, and retention.

pub mod build;
pub mod checksum;
pub mod manifest;
pub mod metadata;
#[cfg(feature = "spec")]
pub mod policy;
pub mod retention;
pub mod sums;
pub mod verify;
pub mod walk;

pub use build::{BuildOptions, Built, Progress, build};
pub use checksum::Algorithm;
pub use manifest::{FileEntry, Manifest, WalRange};
pub use verify::{
    Problem, ProblemKind, Verification, VerifyOptions, checksum_file_lines, verify, verify_against, verify_any,
};
