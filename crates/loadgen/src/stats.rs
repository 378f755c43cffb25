//! Latency samples and their summary (exact percentiles over every sample: runs are short
//! enough to keep them all).

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Latency samples in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    us: Vec<u64>,
}

/// Percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub count: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Samples {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn record(&mut self, d: Duration) {
        self.us.push(d.as_micros() as u64);
    }

    pub fn record_us(&mut self, us: u64) {
        self.us.push(us);
    }

    pub fn merge(&mut self, other: Samples) {
        self.us.extend(other.us);
    }

    pub fn len(&self) -> usize {
        self.us.len()
    }

    pub fn is_empty(&self) -> bool {
        self.us.is_empty()
    }

    /// Nearest-rank percentiles.
    pub fn summary(&mut self) -> Summary {
        if self.us.is_empty() {
            return Summary::default();
        }
        self.us.sort_unstable();
        let n = self.us.len();
        let at = |q: f64| {
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            self.us[rank - 1] as f64 / 1000.0
        };
        Summary {
            count: n as u64,
            mean_ms: self.us.iter().sum::<u64>() as f64 / n as f64 / 1000.0,
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            max_ms: self.us[n - 1] as f64 / 1000.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::new();
        for i in 1..=100 {
            s.record_us(i * 1000);
        }
        let m = s.summary();
        assert_eq!(m.count, 100);
        assert_eq!(m.p50_ms, 50.0);
        assert_eq!(m.p90_ms, 90.0);
        assert_eq!(m.p99_ms, 99.0);
        assert_eq!(m.max_ms, 100.0);
        assert_eq!(Samples::new().summary(), Summary::default());
    }
}
