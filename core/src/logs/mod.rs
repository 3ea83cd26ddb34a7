//! Log analysis: line formats (`format`), streaming over plain and gzip files (`read`), and
//! the manuals' analyses in one pass (`analyze`), the lifecycle plan (`lifecycle`) and the
//! policy's `[logs]` table (`policy`).

pub mod analyze;
pub mod format;
pub mod lifecycle;
pub mod policy;
pub mod read;

pub use analyze::{Analysis, EndpointStats, LogReport, Options, analyze_lines};
pub use format::{Level, LineFormat, Record};
