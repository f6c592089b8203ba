//! The seasonal strength that decides a seasonal difference (statsforecast's `seas_heuristic`),
//! from the STL decomposition of [`crate::forecast::stl`] with the spans statsforecast gives it:
//! `STL(x, period, seasonal=11, seasonal_deg=0)`, five inner passes, no robustness.

use crate::forecast::{LoessDegree, StlOptions, stl};

/// The strength of the seasonality of `y` at `period`, in [0, 1]: 1 - var(remainder) /
/// var(remainder + seasonal) of its STL decomposition (Wang, Smith & Hyndman 2006), as
/// statsforecast's `seas_heuristic`; 0 for a series STL cannot decompose (shorter than two
/// periods).
pub(super) fn seasonal_strength(y: &[f64], period: usize) -> f64 {
    let options = StlOptions { seasonal: 11, seasonal_deg: LoessDegree::Constant, ..StlOptions::new(period) };
    let Ok(parts) = stl(y, &options) else {
        return 0.0;
    };
    let detrended: Vec<f64> = parts.remainder.iter().zip(&parts.seasonal).map(|(r, s)| r + s).collect();
    let total = sample_variance(&detrended);
    if total <= 0.0 {
        return 0.0;
    }
    (1.0 - sample_variance(&parts.remainder) / total).clamp(0.0, 1.0)
}

/// The sample variance (divisor n - 1; 0 for fewer than two values).
fn sample_variance(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::seasonal_strength;
    use omo_test_support::AIR_PASSENGERS as AIR;

    #[test]
    fn the_strength_is_statsforecast_s_seas_heuristic() {
        // statsforecast 2.1.1: `statsforecast.arima.seas_heuristic(x, 12)` of AirPassengers,
        // of the differenced log series, and of its first 30 months.
        let log_diff: Vec<f64> = AIR.windows(2).map(|w| w[1].ln() - w[0].ln()).collect();
        for (y, expected) in
            [(&AIR[..], 0.9410288793899182), (&log_diff[..], 0.9147007043183089), (&AIR[..30], 0.9453297008084481)]
        {
            let got = seasonal_strength(y, 12);
            assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
        }
        assert_eq!(seasonal_strength(&AIR[..20], 12), 0.0);
    }
}
