//! ARIMA and AutoARIMA: ARIMA(p,d,q)(P,D,Q)_m with an optional mean or drift and regressors
//! (regression with ARIMA errors), estimated by exact Gaussian maximum likelihood through the
//! Kalman filter on the state-space form (Gardner, Harvey & Phillips 1980; Durbin & Koopman
//! 2012), from conditional-sum-of-squares starting values, AR parts kept stationary by the
//! partial-autocorrelation transform of Jones (1980), as R's `arima` (`method = "CSS-ML"`,
//! `transform.pars = TRUE`); the automatic choice of orders is Hyndman & Khandakar's (2008)
//! stepwise algorithm with the defaults of statsforecast's `AutoARIMA` (see `search`).
//!
//! Forecasts and their standard deviations come from the Kalman filter run on from the last
//! state (the differencing is in the state, so the h-step variance includes it); in-sample
//! fitted values are the series less the filter's standardised innovations, as R and
//! statsforecast report them; sigma2 is the residual sum of squares over n - d - Dm - k.
//!
//! Where this differs from statsforecast 2.1.1: the optimiser is this module's BFGS with
//! forward-difference gradients (scipy's BFGS with its line search in statsforecast), so
//! coefficients agree to the optimiser's tolerance, not to the last digit; the initial state
//! covariance is computed from the ARMA autocovariances (the same matrix Gardner et al.'s
//! algorithm approximates); the search never uses the CSS approximation, as statsforecast's
//! `AutoARIMA` class (its `approximation=False` default; R's `auto.arima` uses CSS during the
//! search for series longer than 150 or m above 12); regressors constant over the sample are
//! left out (coefficient 0) rather than making the regression singular.

mod bfgs;
mod fit;
mod model;
mod search;
mod stl;
#[cfg(test)]
mod tests;

use self::fit::Estimation;
use self::model::Orders;
use self::search::{Scored, SearchSpec, Term, design, is_constant};
use super::models::Fit;
use super::{Forecast, ForecastOptions, Intervals, normal_intervals};
use crate::error::{OmoError, Result};

/// The name statsforecast gives a model, e.g. `ARIMA(0,1,1)(0,1,1)[12]`, `ARIMA(2,1,3) with
/// drift`, `Regression with ARIMA(1,0,0) errors`.
fn model_name(s: &Scored, regressors: usize) -> String {
    let o = s.fitted.orders;
    let mut name = format!("ARIMA({},{},{})", o.p, o.d, o.q);
    if o.m > 1 && o.sp + o.sd + o.sq > 0 {
        name += &format!("({},{},{})[{}]", o.sp, o.sd, o.sq, o.m);
    }
    if regressors > 0 {
        return format!("Regression with {name} errors");
    }
    match s.term {
        Term::Drift => name + " with drift",
        Term::Intercept => name + " with non-zero mean",
        Term::None if o.d + o.sd == 0 => name + " with zero mean",
        Term::None => name,
    }
}

/// The coefficients' names: ar1.., ma1.., sar1.., sma1.., intercept or drift, ex_1...
fn coefficient_names(o: &Orders, term: Term, regressors: usize) -> Vec<String> {
    let mut names = Vec::new();
    for (prefix, count) in [("ar", o.p), ("ma", o.q), ("sar", o.sp), ("sma", o.sq)] {
        names.extend((1..=count).map(|i| format!("{prefix}{i}")));
    }
    match term {
        Term::Intercept => names.push("intercept".into()),
        Term::Drift => names.push("drift".into()),
        Term::None => {}
    }
    names.extend((1..=regressors).map(|i| format!("ex_{i}")));
    names
}

/// Forecasts, fitted values and parameters of a scored model: `future` holds the caller's
/// regressors over the horizon (columns `h` long).
fn to_fit(y: &[f64], s: &Scored, h: usize, future: &[Vec<f64>], regressors: usize) -> Fit {
    let o = s.fitted.orders;
    let n = y.len();
    let mut state = s.fitted.state.clone();
    let (mut mean, var) = state.forecast(h);
    let narma = o.arma_count();
    let mut future_design = design(h, s.term, future);
    if s.term == Term::Drift {
        future_design[0] = (1..=h).map(|k| (n + k) as f64).collect();
    }
    for (column, b) in future_design.iter().zip(&s.fitted.coef[narma..]) {
        for (m, x) in mean.iter_mut().zip(column) {
            *m += b * x;
        }
    }
    let sigma2 = s.fitted.sigma2.max(0.0);
    let mut sd: Vec<f64> = var.iter().map(|v| (v.max(0.0) * sigma2).sqrt()).collect();
    if is_constant(y) {
        mean = vec![y[0]; h];
        sd = vec![0.0; h];
    }
    let fitted = y.iter().zip(&s.fitted.residuals).map(|(y, r)| y - r).collect();
    let mut params: Vec<(String, f64)> =
        [("p", o.p), ("d", o.d), ("q", o.q), ("P", o.sp), ("D", o.sd), ("Q", o.sq), ("m", o.m)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v as f64))
            .collect();
    params.extend(coefficient_names(&o, s.term, regressors).into_iter().zip(s.fitted.coef.iter().copied()));
    params.push(("sigma2".into(), sigma2));
    // A constant series has no likelihood to speak of: its criteria are left out, not NaN.
    params.extend(
        [("aicc", s.aicc), ("loglik", s.fitted.loglik)]
            .into_iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(k, v)| (k.to_owned(), v)),
    );
    Fit { name: model_name(s, regressors), mean, fitted, sd, params }
}

/// AutoARIMA of `y` with season `m` (1: none), `h` steps ahead; when no ARIMA model can be
/// fitted (a series too short), the random walk (naive, ARIMA(0,1,0)), named so.
pub(crate) fn auto_arima_or_fallback(y: &[f64], h: usize, m: usize) -> Fit {
    auto_arima_with(y, h, m, SearchSpec::default())
}

/// AutoARIMA with the search's settings `spec`, or the naive fallback.
fn auto_arima_with(y: &[f64], h: usize, m: usize, spec: SearchSpec) -> Fit {
    match search::auto_arima(y, m, &[], spec) {
        Some(s) => to_fit(y, &s, h, &[], 0),
        None => {
            let mut fallback = super::models::naive(y, h);
            fallback.name = "Naive (no ARIMA model fits the data)".into();
            fallback
        }
    }
}

/// ARIMA of given orders `(p, d, q)`, `(P, D, Q)` at season `m`, with a constant (a mean when
/// undifferenced, a drift with one difference) when `constant`: statsforecast's
/// `ARIMA(order, seasonal_order, season_length, include_constant)`. `None` when it cannot be
/// fitted.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn fixed_arima(
    y: &[f64],
    h: usize,
    order: [usize; 3],
    seasonal: [usize; 3],
    m: usize,
    constant: bool,
    estimation: Estimation,
) -> Option<Fit> {
    let o = Orders {
        p: order[0],
        d: order[1],
        q: order[2],
        sp: seasonal[0],
        sd: seasonal[1],
        sq: seasonal[2],
        m: m.max(1),
    };
    let s = search::score(y, o, constant, &[], false, estimation)?;
    Some(to_fit(y, &s, h, &[], 0))
}

/// Checks one set of regressor columns: `expected` columns, each `len` long and finite.
fn check_columns(name: &'static str, columns: &[Vec<f64>], expected: usize, len: usize) -> Result<()> {
    if columns.len() != expected {
        return Err(OmoError::InvalidArgument {
            name,
            message: format!("{} columns given, {expected} expected (one per regressor)", columns.len()),
        });
    }
    for (j, column) in columns.iter().enumerate() {
        if column.len() != len {
            return Err(OmoError::InvalidArgument {
                name,
                message: format!("column {j} has {} values, {len} expected", column.len()),
            });
        }
        if let Some(t) = column.iter().position(|v| !v.is_finite()) {
            return Err(OmoError::InvalidArgument {
                name,
                message: format!("column {j} has a value that is not finite ({}) at index {t}", column[t]),
            });
        }
    }
    Ok(())
}

/// AutoARIMA with exogenous regressors (regression with ARIMA errors, as statsforecast's
/// `AutoARIMA` with `X_df`): `x` holds one column per regressor, as long as `y`; `x_future`
/// the same columns over the horizon (`options.horizon` values each). The orders are chosen
/// as without regressors, d and D on the residuals of the least-squares regression; the
/// regression coefficients are estimated jointly with the ARMA ones by maximum likelihood.
/// A regressor constant over `y` is left out (its coefficient reported as 0).
///
/// Errors name what is wrong: `x` or `x_future` with the wrong number of columns, a column of
/// the wrong length or with a value that is not finite (its index), regressors that are
/// collinear, conformal intervals (not supported with regressors), no ARIMA model that fits,
/// and whatever [`super::forecast`] refuses in `y` and `options`.
///
/// ```
/// use omo_core::forecast::{ForecastOptions, auto_arima_with_regressors};
/// let price: Vec<f64> = (0..48).map(|t| 10.0 + (t % 5) as f64).collect();
/// let y: Vec<f64> = price.iter().enumerate().map(|(t, p)| 100.0 - 3.0 * p + (t % 3) as f64).collect();
/// let options = ForecastOptions { levels: vec![80.0], ..ForecastOptions::new(3) };
/// let f = auto_arima_with_regressors(&y, &[price], &[vec![10.0, 11.0, 12.0]], &options)?;
/// assert!(f.mean[0] > f.mean[2]); // a higher price, a lower demand
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn auto_arima_with_regressors(
    y: &[f64],
    x: &[Vec<f64>],
    x_future: &[Vec<f64>],
    options: &ForecastOptions,
) -> Result<Forecast> {
    super::check_request(y, options)?;
    if !matches!(options.intervals, Intervals::Normal) {
        return Err(OmoError::InvalidArgument {
            name: "intervals",
            message: "conformal intervals are not available with regressors; use normal intervals".into(),
        });
    }
    let h = options.horizon;
    check_columns("x", x, x.len(), y.len())?;
    check_columns("x_future", x_future, x.len(), h)?;
    let kept: Vec<usize> = (0..x.len()).filter(|&j| !is_constant(&x[j])).collect();
    let user: Vec<Vec<f64>> = kept.iter().map(|&j| x[j].clone()).collect();
    let future: Vec<Vec<f64>> = kept.iter().map(|&j| x_future[j].clone()).collect();
    if !user.is_empty() {
        let mut columns = vec![vec![1.0; y.len()]];
        columns.extend(user.iter().cloned());
        if fit::least_squares(y, &columns).is_none() {
            return Err(OmoError::InvalidArgument {
                name: "x",
                message: "the regressors are collinear (with each other or with a constant)".into(),
            });
        }
    }
    let scored = search::auto_arima(y, options.season_length, &user, SearchSpec::default()).ok_or_else(|| {
        OmoError::InvalidArgument {
            name: "y",
            message: format!("no ARIMA model with these regressors fits {} values", y.len()),
        }
    })?;
    let mut fit = to_fit(y, &scored, h, &future, user.len());
    // Report every regressor, the constant ones left out with a coefficient of 0.
    let names: Vec<String> = (1..=user.len()).map(|i| format!("ex_{i}")).collect();
    let estimated: Vec<(String, f64)> = fit.params.iter().filter(|(k, _)| names.contains(k)).cloned().collect();
    fit.params.retain(|(k, _)| !names.contains(k));
    let at = fit.params.len().saturating_sub(3);
    let mut regression: Vec<(String, f64)> = (0..x.len()).map(|j| (format!("ex_{}", j + 1), 0.0)).collect();
    for (slot, &j) in kept.iter().enumerate() {
        if let Some((_, v)) = estimated.get(slot) {
            regression[j].1 = *v;
        }
    }
    fit.params.splice(at..at, regression);
    let intervals = normal_intervals(&fit, &options.levels)?;
    Ok(super::finish(fit, options, intervals))
}
