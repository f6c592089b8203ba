//! Accuracy metrics, as the M4 competition and Hyndman & Athanasopoulos (FPP3, 5.8) define them.
//!
//! Every function checks that `actual` and `forecast` have the same, non-zero length and are
//! finite; a failure names the argument.

use crate::error::{OmoError, Result};

fn pairs<'a>(actual: &'a [f64], forecast: &'a [f64]) -> Result<impl Iterator<Item = (f64, f64)> + 'a> {
    named_pairs(actual, forecast, "forecast")
}

/// [`pairs`] of the actuals with another argument, named `name` in errors.
fn named_pairs<'a>(
    actual: &'a [f64],
    forecast: &'a [f64],
    name: &'static str,
) -> Result<impl Iterator<Item = (f64, f64)> + 'a> {
    if actual.is_empty() {
        return Err(OmoError::InvalidArgument { name: "actual", message: "is empty".into() });
    }
    if actual.len() != forecast.len() {
        return Err(OmoError::InvalidArgument {
            name,
            message: format!("has {} values for {} actuals", forecast.len(), actual.len()),
        });
    }
    finite("actual", actual)?;
    finite(name, forecast)?;
    Ok(actual.iter().copied().zip(forecast.iter().copied()))
}

/// Every value must be finite.
pub(crate) fn finite(name: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((i, v)) => Err(OmoError::InvalidArgument {
            name,
            message: format!("the value at position {i} (counting from 0) is {v}"),
        }),
        None => Ok(()),
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// Mean absolute error.
///
/// ```
/// assert_eq!(omo_core::forecast::mae(&[1.0, 2.0, 4.0], &[2.0, 2.0, 1.0])?, 4.0 / 3.0);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn mae(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    Ok(mean(pairs(actual, forecast)?.map(|(a, f)| (a - f).abs())))
}

/// Root mean squared error.
pub fn rmse(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    Ok(mean(pairs(actual, forecast)?.map(|(a, f)| (a - f) * (a - f))).sqrt())
}

/// Mean absolute percentage error, in percent; periods with a zero actual are left out (`None`
/// when every actual is zero).
pub fn mape(actual: &[f64], forecast: &[f64]) -> Result<Option<f64>> {
    let terms: Vec<f64> =
        pairs(actual, forecast)?.filter(|(a, _)| *a != 0.0).map(|(a, f)| ((a - f) / a).abs() * 100.0).collect();
    Ok((!terms.is_empty()).then(|| mean(terms.into_iter())))
}

/// Symmetric MAPE as the M4 competition defines it: `200 |a - f| / (|a| + |f|)` averaged, in
/// percent (0 to 200); a period where both are zero counts as 0.
pub fn smape(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    Ok(mean(pairs(actual, forecast)?.map(|(a, f)| {
        let scale = a.abs() + f.abs();
        if scale == 0.0 { 0.0 } else { 200.0 * (a - f).abs() / scale }
    })))
}

/// Weighted absolute percentage error: `sum |a - f| / sum |a|` (`None` when every actual is 0).
pub fn wape(actual: &[f64], forecast: &[f64]) -> Result<Option<f64>> {
    let (error, scale) = pairs(actual, forecast)?.fold((0.0, 0.0), |(e, s), (a, f)| (e + (a - f).abs(), s + a.abs()));
    Ok((scale > 0.0).then(|| error / scale))
}

/// Mean error `f - a`: positive when the forecast is too high.
pub fn bias(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    Ok(mean(pairs(actual, forecast)?.map(|(a, f)| f - a)))
}

/// Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive forecast with
/// season `season_length` (1: the one-step naive forecast, as M4 uses for weekly data). `None`
/// when the in-sample naive error is zero.
pub fn mase(actual: &[f64], forecast: &[f64], insample: &[f64], season_length: usize) -> Result<Option<f64>> {
    let scale = naive_scale(insample, season_length)?;
    let error = mae(actual, forecast)?;
    Ok((scale > 0.0).then(|| error / scale))
}

/// Mean scaled interval score of the M4 competition for the prediction interval at `level`
/// percent: per period the interval's width plus `2 / (1 - level / 100)` times how far the actual
/// falls outside it, averaged and scaled as [`mase`] is. Lower is better: narrow intervals that
/// hold the actuals. `None` when the in-sample naive error is zero.
///
/// ```
/// use omo_core::forecast::msis;
/// // Widths 2 and 2; the second actual is 1 above its interval: (2 + 2 + 40 x 1) / 2 = 22,
/// // scaled by the in-sample naive error 1.
/// let score = msis(&[5.0, 8.0], &[4.0, 5.0], &[6.0, 7.0], &[1.0, 2.0, 3.0], 1, 95.0)?;
/// assert!((score.unwrap() - 22.0).abs() < 1e-9);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn msis(
    actual: &[f64],
    lower: &[f64],
    upper: &[f64],
    insample: &[f64],
    season_length: usize,
    level: f64,
) -> Result<Option<f64>> {
    if !(level.is_finite() && level > 0.0 && level < 100.0) {
        return Err(OmoError::InvalidArgument {
            name: "level",
            message: format!("{level} is not strictly between 0 and 100"),
        });
    }
    let penalty = 2.0 / (1.0 - level / 100.0);
    let lows: Vec<(f64, f64)> = named_pairs(actual, lower, "lower")?.collect();
    let score = mean(
        lows.iter()
            .zip(named_pairs(actual, upper, "upper")?)
            .map(|((a, l), (_, u))| (u - l) + penalty * (l - a).max(0.0) + penalty * (a - u).max(0.0)),
    );
    let scale = naive_scale(insample, season_length)?;
    Ok((scale > 0.0).then(|| score / scale))
}

/// The share of actuals inside their prediction intervals (bounds included).
pub fn coverage(actual: &[f64], lower: &[f64], upper: &[f64]) -> Result<f64> {
    let lows: Vec<(f64, f64)> = named_pairs(actual, lower, "lower")?.collect();
    Ok(mean(
        lows.iter()
            .zip(named_pairs(actual, upper, "upper")?)
            .map(|((a, l), (_, u))| if *l <= *a && *a <= u { 1.0 } else { 0.0 }),
    ))
}

/// The in-sample MAE of the seasonal naive forecast with season `season_length`.
fn naive_scale(insample: &[f64], season_length: usize) -> Result<f64> {
    let m = season_length.max(1);
    if insample.len() <= m {
        return Err(OmoError::InvalidArgument {
            name: "insample",
            message: format!("needs more than {m} values, has {}", insample.len()),
        });
    }
    finite("insample", insample)?;
    Ok(mean(insample.windows(m + 1).filter_map(|w| Some((w.last()? - w.first()?).abs()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_metrics() {
        let actual = [10.0, 0.0, 5.0, 20.0];
        let forecast = [12.0, 1.0, 5.0, 14.0];
        assert_eq!(mae(&actual, &forecast).unwrap(), 9.0 / 4.0);
        assert_eq!(rmse(&actual, &forecast).unwrap(), (41.0f64 / 4.0).sqrt());
        // MAPE skips the zero actual: (20 % + 0 % + 30 %) / 3.
        assert!((mape(&actual, &forecast).unwrap().unwrap() - 50.0 / 3.0).abs() < 1e-12);
        let expected_smape = (200.0 * 2.0 / 22.0 + 200.0 * 1.0 / 1.0 + 0.0 + 200.0 * 6.0 / 34.0) / 4.0;
        assert!((smape(&actual, &forecast).unwrap() - expected_smape).abs() < 1e-12);
        assert_eq!(wape(&actual, &forecast).unwrap(), Some(9.0 / 35.0));
        assert_eq!(bias(&actual, &forecast).unwrap(), -3.0 / 4.0);
        // In-sample one-step naive MAE of [1, 3, 2, 6] = (2 + 1 + 4) / 3.
        assert!(
            (mase(&actual, &forecast, &[1.0, 3.0, 2.0, 6.0], 1).unwrap().unwrap() - 2.25 / (7.0 / 3.0)).abs() < 1e-12
        );
        assert_eq!(smape(&[0.0], &[0.0]).unwrap(), 0.0);
        // 80 % intervals [9, 11], [0, 2], [6, 8], [15, 19]: the third misses 5 by 1, the fourth 20
        // by 1, each costing 2 / 0.2 = 10 on top of the widths: (2 + 2 + 12 + 14) / 4 over 7 / 3.
        let (lower, upper) = ([9.0, 0.0, 6.0, 15.0], [11.0, 2.0, 8.0, 19.0]);
        assert_eq!(coverage(&actual, &lower, &upper).unwrap(), 0.5);
        let score = msis(&actual, &lower, &upper, &[1.0, 3.0, 2.0, 6.0], 1, 80.0).unwrap().unwrap();
        assert!((score - 7.5 / (7.0 / 3.0)).abs() < 1e-12, "{score}");
    }

    #[test]
    fn bad_input_is_named() {
        assert!(matches!(mae(&[1.0], &[1.0, 2.0]), Err(OmoError::InvalidArgument { name: "forecast", .. })));
        assert!(matches!(rmse(&[f64::NAN], &[1.0]), Err(OmoError::InvalidArgument { name: "actual", .. })));
        assert!(mae(&[], &[]).is_err());
        assert!(mase(&[1.0], &[1.0], &[1.0], 1).is_err());
        assert_eq!(wape(&[0.0, 0.0], &[1.0, 1.0]).unwrap(), None);
        assert!(matches!(
            msis(&[1.0], &[0.0], &[2.0], &[1.0, 2.0], 1, 100.0),
            Err(OmoError::InvalidArgument { name: "level", .. })
        ));
        assert!(matches!(coverage(&[1.0], &[0.0, 1.0], &[2.0]), Err(OmoError::InvalidArgument { name: "lower", .. })));
    }
}
