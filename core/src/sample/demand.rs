//! Demand rates of the sample company and the random draws behind it.
//!
//! Every transcendental function comes from the pure-Rust `libm` and every random number from a
//! seeded ChaCha stream, so the same seed gives the same data on every machine.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::Season;

/// A seeded, portable stream of random numbers.
pub(crate) struct Draws(ChaCha8Rng);

impl Draws {
    pub fn new(seed: u64) -> Self {
        Draws(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A uniform number in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A whole number in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low { low } else { self.0.random_range(low..=high) }
    }

    /// A Poisson count with mean `mean` (inversion; means here stay small).
    pub fn poisson(&mut self, mean: f64) -> u32 {
        if mean <= 0.0 || !mean.is_finite() {
            return 0;
        }
        let u = self.uniform();
        let mut probability = libm::exp(-mean);
        let mut cumulative = probability;
        let mut k = 0u32;
        while u > cumulative && k < 10_000 {
            k += 1;
            probability *= mean / f64::from(k);
            cumulative += probability;
        }
        k
    }
}

/// The seasonal factor of `season` on day-of-year `day` (0 = 1 January): 1.0 at the main peak,
/// about 0.12 in winter.
pub(crate) fn seasonal_factor(season: Season, day: u32) -> f64 {
    let bump = |centre: f64, width: f64| {
        // Distance on the circle of the year, so late December is near early January.
        let raw = (f64::from(day) - centre).abs();
        let distance = raw.min(365.0 - raw);
        libm::exp(-0.5 * (distance / width) * (distance / width))
    };
    match season {
        Season::FieldCrops => 0.12 + 0.88 * bump(95.0, 22.0) + 0.55 * bump(268.0, 16.0),
        Season::CashCrops => 0.15 + 0.85 * bump(105.0, 25.0) + 0.6 * bump(190.0, 20.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_mean_and_variance_match() {
        let mut draws = Draws::new(1);
        let n = 200_000;
        let samples: Vec<f64> = (0..n).map(|_| f64::from(draws.poisson(2.5))).collect();
        let mean = samples.iter().sum::<f64>() / n as f64;
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 2.5).abs() < 0.02, "mean {mean}");
        assert!((var - 2.5).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn spring_outweighs_winter() {
        for season in [Season::FieldCrops, Season::CashCrops] {
            let april = seasonal_factor(season, 100);
            let january = seasonal_factor(season, 15);
            assert!(april > 4.0 * january, "{season:?}: {april} vs {january}");
        }
    }

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<u32> = {
            let mut d = Draws::new(9);
            (0..50).map(|_| d.poisson(1.3)).collect()
        };
        let b: Vec<u32> = {
            let mut d = Draws::new(9);
            (0..50).map(|_| d.poisson(1.3)).collect()
        };
        assert_eq!(a, b);
    }
}
