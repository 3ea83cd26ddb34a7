//! Probes: readings of the real world, turned into `CheckResult`s. Probing does I/O;
//! evaluation (thresholds) stays pure, so every result can be replayed offline.

pub mod system;
