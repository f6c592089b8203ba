//! Conformal prediction intervals for any model, as statsforecast's `ConformalIntervals` makes
//! them: the model forecasts the last `windows` stretches of the horizon's length from the data
//! before each; the absolute errors of those forecasts, step by step, are the conformity scores.
//! No assumption about the errors' distribution, so they suit intermittent demand, whose normal
//! intervals go below zero.

use serde::{Deserialize, Serialize};

use super::{ForecastOptions, Interval, Intervals, Method, forecast, train_lengths};
use crate::error::{OmoError, Result};

/// How the conformity scores become an interval at a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConformalMethod {
    /// The forecast plus and minus each score make a distribution; its quantiles at
    /// `(100 - level) / 200` and `1 - (100 - level) / 200` are the bounds (statsforecast's
    /// `"conformal_distribution"`, its default).
    #[default]
    ConformalDistribution,
    /// The forecast plus and minus the scores' quantile at `level / 100`
    /// (`"conformal_error"`).
    ConformalError,
}

/// The conformal intervals of `method`'s forecast `mean` of `y` at `options.levels`, from
/// `windows` windows of `options.horizon` steps (fewer when the series is short, at least 2).
/// Errors: a series too short for two windows and a training value, naming how many it needs.
pub(crate) fn intervals(
    y: &[f64],
    method: Method,
    options: &ForecastOptions,
    mean: &[f64],
    windows: usize,
    how: ConformalMethod,
) -> Result<Vec<Interval>> {
    let h = options.horizon;
    let windows = windows.min((y.len().saturating_sub(1)) / h);
    if windows < 2 {
        return Err(OmoError::InvalidArgument {
            name: "y",
            message: format!("conformal intervals of {h} steps need at least {} values, got {}", 2 * h + 1, y.len()),
        });
    }
    let plain =
        ForecastOptions { levels: Vec::new(), intervals: Intervals::Normal, non_negative: false, ..options.clone() };
    // scores[k]: the absolute errors k + 1 steps ahead, one per window.
    let mut scores = vec![Vec::with_capacity(windows); h];
    for train in train_lengths(y.len(), h, windows, h)? {
        let window = forecast(&y[..train], method, &plain)?;
        for (k, (f, actual)) in window.mean.iter().zip(&y[train..train + h]).enumerate() {
            scores[k].push((f - actual).abs());
        }
    }
    Ok(options
        .levels
        .iter()
        .map(|&level| {
            let (lower, upper) = mean.iter().zip(&scores).map(|(m, s)| bounds(*m, s, level, how)).unzip();
            Interval { level, lower, upper }
        })
        .collect())
}

/// The bounds at `level` around the forecast `m` from one step's scores.
fn bounds(m: f64, scores: &[f64], level: f64, how: ConformalMethod) -> (f64, f64) {
    match how {
        ConformalMethod::ConformalDistribution => {
            let mut paths: Vec<f64> = scores.iter().flat_map(|s| [m - s, m + s]).collect();
            paths.sort_by(f64::total_cmp);
            let tail = (100.0 - level) / 200.0;
            (quantile(&paths, tail), quantile(&paths, 1.0 - tail))
        }
        ConformalMethod::ConformalError => {
            let mut sorted = scores.to_vec();
            sorted.sort_by(f64::total_cmp);
            let margin = quantile(&sorted, level / 100.0);
            (m - margin, m + margin)
        }
    }
}

/// The `q` quantile of sorted values, interpolated linearly between the two nearest (numpy's
/// default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else { return f64::NAN };
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(last);
    sorted[below] + (position - below as f64) * (sorted[above] - sorted[below])
}
