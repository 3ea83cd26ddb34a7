//! A predictive condition for alert rules: "the value predicted `predict_s` seconds ahead
//! from the last `window` of samples is past a limit" — `predict_linear(x[6h], 86400) < 0`,
//! the second half of node-exporter's NodeFilesystemSpaceFillingUp alert:
//!
//! ```text
//! node_filesystem_avail_bytes / node_filesystem_size_bytes * 100 < 40
//!   and predict_linear(node_filesystem_avail_bytes[6h], 24*60*60) < 0     for: 1h
//! ```
//!
//! The first half is an ordinary threshold and `for` belongs to the rule; the rules engine
//! combines them. Evaluated as Prometheus evaluates it: fewer than two samples in the window
//! means no result, so the condition is false (the alert does not fire on missing data).

use crate::forecast::crossing::Breach;
use crate::forecast::linear::predict_linear;
use crate::forecast::{RangeMode, Sample, select};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictiveCondition {
    /// The range selector's length, e.g. 6 h.
    pub window_ms: i64,
    /// Prometheus 3 (left-open) or 2 (closed) range selection.
    pub mode: RangeMode,
    /// How far ahead to predict, in seconds (e.g. 86400).
    pub predict_s: f64,
    /// Which side of `limit` is trouble: `Below` for "< 0".
    pub breach: Breach,
    pub limit: f64,
}

impl PredictiveCondition {
    /// The predicted value at `eval_ms`, or None when the window holds fewer than 2 samples.
    pub fn predicted(&self, samples: &[Sample], eval_ms: i64) -> Option<f64> {
        predict_linear(select(samples, eval_ms, self.window_ms, self.mode), eval_ms, self.predict_s).ok()
    }

    /// Whether the condition holds at `eval_ms` (strictly past the limit, as `<`/`>` compare;
    /// a NaN prediction does not hold).
    pub fn holds(&self, samples: &[Sample], eval_ms: i64) -> bool {
        match (self.predicted(samples, eval_ms), self.breach) {
            (Some(v), Breach::Below) => v < self.limit,
            (Some(v), Breach::Above) => v > self.limit,
            (None, _) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_exporter_filling_up() {
        const H: i64 = 3_600_000;
        let cond = PredictiveCondition {
            window_ms: 6 * H,
            mode: RangeMode::LeftOpen,
            predict_s: 86_400.0,
            breach: Breach::Below,
            limit: 0.0,
        };
        // 100 GB available, losing 5 GB an hour: in 24 h, 100 − 120 = −20 GB → holds.
        let losing: Vec<Sample> = (0..=6).map(|h| Sample::new(h * H, 130e9 - 5e9 * h as f64)).collect();
        assert!((cond.predicted(&losing, 6 * H).unwrap() - (100e9 - 120e9)).abs() < 1e-3);
        assert!(cond.holds(&losing, 6 * H));
        // Losing 4 GB an hour leaves 100 − 96 = 4 GB: does not hold.
        let slower: Vec<Sample> = (0..=6).map(|h| Sample::new(h * H, 124e9 - 4e9 * h as f64)).collect();
        assert!(!cond.holds(&slower, 6 * H));
        // One sample in the window: no result, condition false.
        assert!(!cond.holds(&losing[..1], 0));
    }
}
