//! The Node addon of opsbook. Thin: converts types, maps errors, runs probes off the JS
//! thread. One file per core module.

#![deny(clippy::all)]

mod alert;
mod backup;
mod check;
mod errors;
mod forecast;
mod logs;
mod pass;
mod probe;
mod report;
mod rules;
mod runner;
mod state;
mod status;
mod threshold;

/// The opsbook version, e.g. "0.1.0".
#[napi_derive::napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
