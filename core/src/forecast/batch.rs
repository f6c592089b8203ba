//! Many series at once, in parallel across cores; rolling-origin cross-validation; revenue from
//! volume forecasts and prices.

use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::{Deserialize, Serialize};

use super::metrics::{mae, rmse, smape};
use super::{Forecast, ForecastOptions, Method, forecast};
use crate::error::{OmoError, Result};

/// Forecasts every series with `method`, in parallel (rayon). Each series' result stands alone:
/// a bad series gives its own error and the others go on. Results come in input order and do
/// not depend on the number of threads (every model is deterministic).
///
/// ```
/// use omo_core::forecast::{ForecastOptions, Method, forecast_many};
/// let series = vec![("a", vec![1.0, 2.0, 3.0]), ("b", vec![])];
/// let results = forecast_many(&series, Method::Naive, &ForecastOptions::new(2));
/// assert_eq!(results[0].as_ref().unwrap().mean, vec![3.0, 3.0]);
/// assert!(results[1].is_err());
/// ```
pub fn forecast_many<K: Sync, S: AsRef<[f64]> + Sync>(
    series: &[(K, S)],
    method: Method,
    options: &ForecastOptions,
) -> Vec<Result<Forecast>> {
    series.par_iter().map(|(_, y)| forecast(y.as_ref(), method, options)).collect()
}

/// One window of a rolling-origin evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvWindow {
    /// Number of observations the model was fitted on.
    pub train_len: usize,
    /// The forecast.
    pub forecast: Vec<f64>,
    /// What happened.
    pub actual: Vec<f64>,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// sMAPE in percent.
    pub smape: f64,
}

/// Rolling-origin cross-validation: `windows` forecasts of `options.horizon` steps, origins
/// `step` apart, the last ending with the series. Fails when the series is too short for the
/// first window to keep at least one training observation.
pub fn cross_validate(
    y: &[f64],
    method: Method,
    options: &ForecastOptions,
    windows: usize,
    step: usize,
) -> Result<Vec<CvWindow>> {
    let h = options.horizon;
    super::train_lengths(y.len(), h, windows, step)?
        .into_iter()
        .map(|train_len| {
            let (train, rest) = y.split_at(train_len);
            let actual = rest.get(..h).unwrap_or(rest).to_vec();
            let f = forecast(train, method, options)?;
            Ok(CvWindow {
                train_len,
                mae: mae(&actual, &f.mean)?,
                rmse: rmse(&actual, &f.mean)?,
                smape: smape(&actual, &f.mean)?,
                forecast: f.mean,
                actual,
            })
        })
        .collect()
}

/// Revenue per step: forecast volume times price (one price for every step, or one per step),
/// rounded to cents. A negative or non-finite volume is an error naming the step.
pub fn revenue_forecast(volume: &[f64], prices: &[Decimal]) -> Result<Vec<Decimal>> {
    if prices.is_empty() || (prices.len() != 1 && prices.len() != volume.len()) {
        return Err(OmoError::InvalidArgument {
            name: "prices",
            message: format!("need 1 or {} prices, got {}", volume.len(), prices.len()),
        });
    }
    volume
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let units = Decimal::from_f64(*v)
                .filter(|_| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| OmoError::InvalidArgument { name: "volume", message: format!("step {i} is {v}") })?;
            let price = prices.get(i).or(prices.first()).copied().unwrap_or_default();
            let revenue = units.checked_mul(price).ok_or_else(|| OmoError::InvalidArgument {
                name: "prices",
                message: format!("step {i}: {units} units at {price} is more than a Decimal holds"),
            })?;
            Ok(revenue.round_dp(2))
        })
        .collect()
}
