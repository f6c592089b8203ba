//! Seasonal adjustment by classical decomposition, as the M4 competition's benchmarks and
//! statsforecast's Theta family use it: a series is tested for seasonality at its season length
//! (the autocorrelation at lag `m` against its 90 % two-sided bound under the null of no
//! autocorrelation beyond it); a seasonal series is divided by (or, when it is not positive or a
//! seasonal index comes out below 0.01, reduced by) the seasonal indices of a classical
//! decomposition; a model forecasts what is left, and the forecast, its intervals and its fitted
//! values get the indices back.

use super::models::Fit;

/// The seasonal indices of a series and how they combine with it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seasonal {
    /// One index per observation.
    indices: Vec<f64>,
    /// The season length.
    m: usize,
    /// Indices multiply (else they add).
    multiplicative: bool,
}

/// The critical value of the seasonality test: the standard normal's 95th percentile.
const SEASONALITY_Z: f64 = 1.644_853_626_951_472_2;

/// Whether `y` is seasonal at lag `m` (at least 4, with two full seasons): `|r_m|` above
/// `1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n)`, with `r_k` the sample autocorrelations.
pub(crate) fn is_seasonal(y: &[f64], m: usize) -> bool {
    let n = y.len();
    if m < 4 || n < 2 * m {
        return false;
    }
    let mean = y.iter().sum::<f64>() / n as f64;
    let denominator: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    if denominator == 0.0 {
        return false;
    }
    let acf = |k: usize| y.iter().zip(&y[k..]).map(|(a, b)| (a - mean) * (b - mean)).sum::<f64>() / denominator;
    let spread: f64 = (1..m).map(|k| acf(k).powi(2)).sum();
    let bound = ((1.0 + 2.0 * spread) / n as f64).sqrt();
    acf(m).abs() / bound > SEASONALITY_Z
}

/// The seasonal indices of a classical decomposition: the trend a centred moving average over one
/// season (2 x m when `m` is even), each phase's index the mean of the detrended values in that
/// phase, the indices scaled to a mean of 1 (multiplicative) or 0 (additive).
pub(crate) fn classical_indices(y: &[f64], m: usize, multiplicative: bool) -> Vec<f64> {
    let n = y.len();
    let trend = centred_moving_average(y, m);
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for (t, (v, tr)) in y.iter().zip(&trend).enumerate() {
        if let Some(tr) = tr {
            sums[t % m] += if multiplicative { v / tr } else { v - tr };
            counts[t % m] += 1;
        }
    }
    let phases: Vec<f64> = sums.iter().zip(&counts).map(|(s, c)| s / (*c).max(1) as f64).collect();
    let centre = phases.iter().sum::<f64>() / m as f64;
    let phases: Vec<f64> = phases.iter().map(|p| if multiplicative { p / centre } else { p - centre }).collect();
    (0..n).map(|t| phases[t % m]).collect()
}

/// The centred moving average over one season: `None` for the first and last half season.
fn centred_moving_average(y: &[f64], m: usize) -> Vec<Option<f64>> {
    let n = y.len();
    let half = m / 2;
    // Weights of the centred filter: m equal weights, or for even m the 2 x m filter's m + 1
    // weights with halves at both ends.
    let weights: Vec<f64> = if m % 2 == 1 {
        vec![1.0 / m as f64; m]
    } else {
        (0..=m).map(|i| if i == 0 || i == m { 0.5 / m as f64 } else { 1.0 / m as f64 }).collect()
    };
    (0..n)
        .map(|t| {
            (t >= half && t + half < n).then(|| weights.iter().zip(&y[t - half..]).map(|(w, v)| w * v).sum::<f64>())
        })
        .collect()
}

impl Seasonal {
    /// The seasonal indices of `y` when it is seasonal at `m` ([`is_seasonal`]), multiplicative
    /// unless `y` is not positive or an index would be below 0.01; `None` when not seasonal.
    pub(crate) fn of(y: &[f64], m: usize) -> Option<Seasonal> {
        if !is_seasonal(y, m) {
            return None;
        }
        if y.iter().all(|v| *v > 0.0) {
            let indices = classical_indices(y, m, true);
            if indices.iter().all(|i| *i >= 0.01) {
                return Some(Seasonal { indices, m, multiplicative: true });
            }
        }
        Some(Seasonal { indices: classical_indices(y, m, false), m, multiplicative: false })
    }

    /// `y` with the seasonal indices taken out.
    pub(crate) fn adjust(&self, y: &[f64]) -> Vec<f64> {
        y.iter().zip(&self.indices).map(|(v, s)| if self.multiplicative { v / s } else { v - s }).collect()
    }

    /// The index of step `k` (from 1) after the series: the last season's indices, repeated.
    fn ahead(&self, k: usize) -> f64 {
        let n = self.indices.len();
        self.indices[n - self.m + (k - 1) % self.m]
    }

    fn restore(&self, value: f64, index: f64) -> f64 {
        if self.multiplicative { value * index } else { value + index }
    }

    /// The fit of the adjusted series with the indices put back: forecasts and fitted values, and
    /// the error spread scaled by the indices ahead when they multiply.
    pub(crate) fn restore_fit(&self, mut fit: Fit) -> Fit {
        for (k, (mean, sd)) in fit.mean.iter_mut().zip(fit.sd.iter_mut()).enumerate() {
            let index = self.ahead(k + 1);
            *mean = self.restore(*mean, index);
            if self.multiplicative {
                *sd *= index;
            }
        }
        for (value, index) in fit.fitted.iter_mut().zip(&self.indices) {
            *value = self.restore(*value, *index);
        }
        fit.params.push(("season_length".into(), self.m as f64));
        fit.name = format!(
            "{} (seasonally adjusted, {})",
            fit.name,
            if self.multiplicative { "multiplicative" } else { "additive" }
        );
        fit
    }
}

/// `model` fitted to `y` seasonally adjusted when `y` is seasonal at `m` ([`Seasonal::of`]), else
/// to `y` itself.
pub(crate) fn seasonally_adjusted(y: &[f64], m: usize, model: impl Fn(&[f64]) -> Fit) -> Fit {
    match Seasonal::of(y, m) {
        Some(seasonal) => seasonal.restore_fit(model(&seasonal.adjust(y))),
        None => model(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use omo_test_support::AIR_PASSENGERS as AIR;

    #[test]
    fn air_passengers_is_seasonal_and_a_straight_line_is_not() {
        assert!(is_seasonal(&AIR, 12));
        let line: Vec<f64> = (0..48).map(f64::from).collect();
        assert!(!is_seasonal(&line, 12));
        assert!(!is_seasonal(&AIR, 3), "seasons shorter than 4 are not tested");
    }

    #[test]
    fn the_indices_of_air_passengers_are_statsmodels_classical_ones() {
        // statsmodels.tsa.seasonal.seasonal_decompose(AIR, model="multiplicative", period=12)
        // .seasonal[:12], rounded to 6 places.
        let expected = [
            0.910230, 0.883625, 1.007366, 0.975906, 0.981378, 1.112776, 1.226556, 1.219911, 1.060492, 0.921757,
            0.801178, 0.898824,
        ];
        let seasonal = Seasonal::of(&AIR, 12).expect("seasonal");
        assert!(seasonal.multiplicative);
        for (got, want) in seasonal.indices.iter().zip(expected) {
            assert!((got - want).abs() < 5e-6, "{got} vs {want}");
        }
    }

    #[test]
    fn adjusting_and_restoring_gives_the_series_back() {
        let seasonal = Seasonal::of(&AIR, 12).expect("seasonal");
        let adjusted = seasonal.adjust(&AIR);
        let fit = Fit { name: "x".into(), mean: vec![], fitted: adjusted, sd: vec![], params: vec![] };
        for (got, want) in seasonal.restore_fit(fit).fitted.iter().zip(AIR) {
            assert!((got - want).abs() < 1e-9);
        }
    }
}
