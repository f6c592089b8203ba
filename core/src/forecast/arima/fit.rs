//! Fitting one ARIMA model of given orders, with regressors (an intercept, a drift, the
//! caller's): R's `arima` with `method = "CSS-ML"` and `transform.pars = TRUE`, as statsforecast
//! ports it. The conditional sum of squares gives the starting values; the exact likelihood of
//! the Kalman filter is then maximised over the AR coefficients mapped to partial
//! autocorrelations (so every AR polynomial tried is stationary), the MA coefficients as they
//! are (a non-invertible result is rejected by the caller's root check, as in R), and the
//! regression coefficients (started from least squares on the differenced data).
//!
//! statsforecast 2.1.1 departs from R here: for a differenced model its likelihood search
//! returns the CSS starting values unchanged (its optimiser gives up at once, code 2, as the
//! state the filter leaves behind changes the objective between calls: checked on the airline
//! model and on ARIMA(1,1,1), whose statsforecast coefficients are exactly the CSS ones).
//! [`Estimation::Statsforecast`] reproduces that; [`Estimation::CssMl`] is R's.

use super::bfgs::bfgs;
use super::model::{Orders, StateSpace, css, expand, partial_autocorrelations, to_stationary};

/// How a model is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Estimation {
    /// Conditional sum of squares only (the search's approximation).
    Css,
    /// CSS starting values, then the exact likelihood.
    CssMl,
    /// As statsforecast 2.1.1 computes "CSS-ML": the exact likelihood is maximised only for
    /// undifferenced models; with d + D > 0 its likelihood search stops where it starts, so the
    /// coefficients are the CSS estimates, scored by their exact likelihood.
    Statsforecast,
}

/// One fitted model.
#[derive(Debug, Clone)]
pub(super) struct Fitted {
    pub orders: Orders,
    /// ARMA coefficients `[ar, ma, sar, sma]` then one per regressor column.
    pub coef: Vec<f64>,
    /// The innovation variance: the sum of squared residuals over n - d - Dm - k (statsforecast's
    /// `myarima`, k the number of coefficients).
    pub sigma2: f64,
    /// Gaussian log-likelihood (NaN for CSS).
    pub loglik: f64,
    /// AIC (for CSS: n log(sigma2) + 2 (k + 1) plus the search's offset).
    pub aic: f64,
    /// Residuals: standardised innovations of the filter (CSS residuals for CSS).
    pub residuals: Vec<f64>,
    /// The filter's state after the last observation, for forecasting.
    pub state: StateSpace,
}

/// The ordinary least squares coefficients of `y` on the columns `x`; `None` when singular.
pub(super) fn least_squares(y: &[f64], x: &[Vec<f64>]) -> Option<Vec<f64>> {
    let k = x.len();
    let rows: Vec<usize> = (0..y.len()).filter(|&t| y[t].is_finite() && x.iter().all(|c| c[t].is_finite())).collect();
    let mut a = vec![0.0; k * k];
    let mut b = vec![0.0; k];
    for i in 0..k {
        for j in 0..=i {
            let v: f64 = rows.iter().map(|&t| x[i][t] * x[j][t]).sum();
            a[i * k + j] = v;
            a[j * k + i] = v;
        }
        b[i] = rows.iter().map(|&t| x[i][t] * y[t]).sum();
    }
    // Cholesky with a relative tolerance: a rank-deficient design is refused.
    let scale = (0..k).map(|i| a[i * k + i]).fold(0.0f64, f64::max);
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = a[i * k + j] - (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= 1e-10 * scale {
                    return None;
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    let mut z = vec![0.0; k];
    for i in 0..k {
        z[i] = (b[i] - (0..i).map(|m| l[i * k + m] * z[m]).sum::<f64>()) / l[i * k + i];
    }
    let mut beta = vec![0.0; k];
    for i in (0..k).rev() {
        beta[i] = (z[i] - (i + 1..k).map(|m| l[m * k + i] * beta[m]).sum::<f64>()) / l[i * k + i];
    }
    Some(beta)
}

/// `x` differenced `d` times at lag 1 and `sd` times at lag `m` (shorter by d + sd m).
pub(super) fn difference(x: &[f64], d: usize, sd: usize, m: usize) -> Vec<f64> {
    let mut out = x.to_vec();
    for _ in 0..d {
        out = out.windows(2).map(|w| w[1] - w[0]).collect();
    }
    for _ in 0..sd {
        if out.len() <= m {
            return Vec::new();
        }
        out = (m..out.len()).map(|t| out[t] - out[t - m]).collect();
    }
    out
}

/// The series less the regression on `xreg` with coefficients `beta`, into `out`.
fn regression_residual(y: &[f64], xreg: &[Vec<f64>], beta: &[f64], out: &mut [f64]) {
    out.copy_from_slice(y);
    for (column, b) in xreg.iter().zip(beta) {
        for (o, x) in out.iter_mut().zip(column) {
            *o -= b * x;
        }
    }
}

/// Maps the optimiser's parameters to model coefficients: the AR blocks through the Jones
/// transform when `transform`.
fn untransform(o: &Orders, params: &[f64], transform: bool, out: &mut [f64]) {
    out.copy_from_slice(params);
    if transform {
        to_stationary(&params[..o.p], &mut out[..o.p]);
        let s = o.p + o.q;
        to_stationary(&params[s..s + o.sp], &mut out[s..s + o.sp]);
    }
}

/// Fits `orders` to `y` with regressors `xreg` (columns as long as `y`); `fixed`: every
/// coefficient given (none estimated). `None` when the model cannot be fitted (too few
/// observations, a singular regression, a non-stationary CSS start).
pub(super) fn fit(
    y: &[f64],
    o: Orders,
    xreg: &[Vec<f64>],
    estimation: Estimation,
    fixed: Option<&[f64]>,
) -> Option<Fitted> {
    let n = y.len();
    let narma = o.arma_count();
    let k = xreg.len();
    let nd = o.d + o.sd * o.m;
    let observed = y.iter().filter(|v| v.is_finite()).count();
    if observed <= nd {
        return None;
    }
    let n_used = (observed - nd) as f64;
    let mut init = vec![0.0; narma + k];
    if let Some(given) = fixed {
        init.copy_from_slice(given);
    } else if k > 0 {
        let dy = difference(y, o.d, o.sd, o.m);
        let dx: Vec<Vec<f64>> = xreg.iter().map(|c| difference(c, o.d, o.sd, o.m)).collect();
        init[narma..].copy_from_slice(&least_squares(&dy, &dx)?);
    }
    let free = fixed.is_none();
    let mut phi = vec![0.0; o.ar_len()];
    let mut theta = vec![0.0; o.ma_len()];
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut res = vec![0.0; n];
    let mut css_objective = |params: &[f64]| -> f64 {
        expand(params, &o, &mut phi, &mut theta);
        regression_residual(y, xreg, &params[narma..], &mut x);
        let s = css(&x, &o, &phi, &theta, &mut w, &mut res);
        if s > 0.0 { 0.5 * s.ln() } else { f64::INFINITY }
    };
    if free {
        // As statsforecast: the CSS estimates start the likelihood search only when their search
        // converged within 100 iterations; otherwise it starts from zero (and least squares for
        // the regression). The exact estimation starts from them in any case.
        // statsforecast's scipy BFGS runs until its line search fails (gtol 1e-8 is out of
        // reach of finite differences); R's optim stops at a relative change of 1e-8.
        let ftol = if estimation == Estimation::Statsforecast { 0.0 } else { 1e-8 };
        let start = init.clone();
        let m = bfgs(&mut css_objective, &start, 100, 1e-8, ftol);
        if m.value.is_finite() && (m.converged || estimation != Estimation::Statsforecast) {
            init = m.x;
        }
    }
    let mut state = StateSpace::new(&o);
    if estimation == Estimation::Css {
        expand(&init, &o, &mut state.phi, &mut state.theta);
        regression_residual(y, xreg, &init[narma..], &mut x);
        let sigma2 = css(&x, &o, &state.phi, &state.theta, &mut w, &mut res);
        if !sigma2.is_finite() {
            return None;
        }
        return Some(Fitted { orders: o, coef: init, sigma2, loglik: f64::NAN, aic: f64::NAN, residuals: res, state });
    }
    // Start the likelihood search from the CSS estimates, the AR blocks as partial
    // autocorrelations (a non-stationary CSS start fails, as R's "non-stationary AR part").
    let mut start = init.clone();
    if free {
        let s = o.p + o.q;
        for (from, len) in [(0, o.p), (s, o.sp)] {
            let pacf = partial_autocorrelations(&init[from..from + len])?;
            for (t, v) in start[from..from + len].iter_mut().zip(pacf) {
                *t = v.atanh();
            }
        }
    }
    let mut coef = vec![0.0; narma + k];
    let mut objective = |params: &[f64]| -> f64 {
        untransform(&o, params, free, &mut coef);
        expand(&coef, &o, &mut state.phi, &mut state.theta);
        if !state.reset() {
            return f64::INFINITY;
        }
        regression_residual(y, xreg, &coef[narma..], &mut x);
        let l = state.filter(&x, None);
        if l.count == 0 {
            return f64::INFINITY;
        }
        let s2 = l.ssq / l.count as f64;
        if s2 > 0.0 { 0.5 * (s2.ln() + l.sumlog / l.count as f64) } else { f64::NAN }
    };
    let search = free && !(estimation == Estimation::Statsforecast && o.d + o.sd > 0);
    let best = if search {
        bfgs(&mut objective, &start, 100, 1e-8, 1e-10)
    } else {
        let value = objective(&start);
        super::bfgs::Minimum { x: start.clone(), value, converged: true }
    };
    // Every coefficient given: the model stands even when its likelihood is degenerate (a
    // series the model reproduces exactly, with no error at all).
    if free && !best.value.is_finite() {
        return None;
    }
    let mut final_coef = vec![0.0; narma + k];
    untransform(&o, &best.x, free, &mut final_coef);
    expand(&final_coef, &o, &mut state.phi, &mut state.theta);
    if !state.reset() {
        return None;
    }
    regression_residual(y, xreg, &final_coef[narma..], &mut x);
    let mut residuals = vec![0.0; n];
    let l = state.filter(&x, Some(&mut residuals));
    let value = 2.0 * n_used * best.value + n_used + n_used * (2.0 * std::f64::consts::PI).ln();
    let estimated = if free { narma + k } else { 0 };
    Some(Fitted {
        orders: o,
        coef: final_coef,
        sigma2: l.ssq / n_used,
        loglik: -0.5 * value,
        aic: value + 2.0 * (estimated as f64 + 1.0),
        residuals,
        state,
    })
}
