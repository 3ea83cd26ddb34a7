//! Flap detection as Nagios does it (`base/flapping.c`): the last 21 states, each change
//! between neighbours weighted from 0.75 (oldest) to 1.25 (newest), the weighted changes as a
//! percentage of the 20 possible, and hysteresis between a low (5 %) and a high (20 %)
//! threshold: at or above high the alert starts flapping, at or below low it stops, in
//! between nothing changes.

/// Nagios' MAX_STATE_HISTORY_ENTRIES.
pub const HISTORY: usize = 21;
/// Nagios' default low_service_flap_threshold and high_service_flap_threshold.
pub const DEFAULT_LOW: f64 = 5.0;
pub const DEFAULT_HIGH: f64 = 20.0;

/// What an observation did to the flapping state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlapChange {
    Started,
    Stopped,
    Unchanged,
}

/// The state history of one alert (or check) and whether it is flapping.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FlapDetector {
    history: [u8; HISTORY],
    next: usize,
    pub low: f64,
    pub high: f64,
    pub flapping: bool,
    pub percent_state_change: f64,
}

impl Default for FlapDetector {
    fn default() -> FlapDetector {
        FlapDetector::new(DEFAULT_LOW, DEFAULT_HIGH)
    }
}

impl FlapDetector {
    /// A history of 21 OK states (as Nagios starts), with the given thresholds in percent.
    pub fn new(low: f64, high: f64) -> FlapDetector {
        FlapDetector { history: [0; HISTORY], next: 0, low, high, flapping: false, percent_state_change: 0.0 }
    }

    /// Records a state (any small integer: 0 OK / inactive, 1 firing, or Nagios' 0-3) and
    /// says whether flapping started or stopped.
    pub fn record(&mut self, state: u8) -> FlapChange {
        self.history[self.next] = state;
        self.next = (self.next + 1) % HISTORY;
        let (low_curve, high_curve) = (0.75, 1.25);
        let mut changes = 0.0;
        let mut last = self.history[self.next];
        for x in 1..HISTORY {
            let current = self.history[(self.next + x) % HISTORY];
            if current != last {
                changes += ((x - 1) as f64 * (high_curve - low_curve)) / (HISTORY - 2) as f64 + low_curve;
            }
            last = current;
        }
        self.percent_state_change = changes * 100.0 / (HISTORY - 1) as f64;
        let p = self.percent_state_change;
        let now = if p > self.low && p < self.high { self.flapping } else { p >= self.high };
        let change = match (self.flapping, now) {
            (false, true) => FlapChange::Started,
            (true, false) => FlapChange::Stopped,
            _ => FlapChange::Unchanged,
        };
        self.flapping = now;
        change
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_and_hysteresis() {
        let mut d = FlapDetector::default();
        // One change as the newest transition weighs 1.25: 1.25 × 100 / 20 = 6.25 %.
        assert_eq!(d.record(1), FlapChange::Unchanged);
        assert_eq!(d.percent_state_change, 6.25);
        // Back to OK: the first change is now second newest (x = 19): 0.75 + 18·0.5/19, plus 1.25.
        d.record(0);
        let want = (0.75 + 18.0 * 0.5 / 19.0 + 1.25) * 5.0;
        assert!((d.percent_state_change - want).abs() < 1e-12, "{}", d.percent_state_change);
        // Alternate until the weighted changes pass 20 %: flapping starts exactly once.
        let mut started = 0;
        for i in 0..6 {
            if d.record((i % 2 == 0) as u8) == FlapChange::Started {
                started += 1;
            }
        }
        assert!(d.flapping && started == 1, "{}", d.percent_state_change);
        // A steady state: the changes age out; flapping stops only at or below 5 %.
        let mut stopped_at = None;
        for i in 0..HISTORY {
            if d.record(1) == FlapChange::Stopped {
                stopped_at = Some((i, d.percent_state_change));
                break;
            }
            assert!(d.flapping, "stopped early at {i} with {} %", d.percent_state_change);
        }
        let (_, p) = stopped_at.expect("flapping stops once the history is steady");
        assert!(p <= DEFAULT_LOW, "{p}");
        // Every one of the 20 transitions changing: the weights sum to 20 → 100 %.
        let mut all = FlapDetector::default();
        for i in 0..HISTORY {
            all.record((i % 2 == 1) as u8);
        }
        assert!((all.percent_state_change - 100.0).abs() < 1e-9, "{}", all.percent_state_change);
    }
}
