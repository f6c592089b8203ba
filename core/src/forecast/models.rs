//! The models: naive, seasonal naive, moving average, simple exponential smoothing, Holt's linear
//! and damped trend, and the Theta method (the intermittent-demand methods are in
//! `intermittent`).

use super::optimize::{golden_section, minimise};

/// A fitted model: point forecasts, in-sample one-step fitted values, the h-step standard
/// deviation of the forecast errors, and the fitted parameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fit {
    pub name: String,
    pub mean: Vec<f64>,
    /// One-step in-sample forecasts (NaN where the model has none yet).
    pub fitted: Vec<f64>,
    /// Standard deviation of the h-step error, per step.
    pub sd: Vec<f64>,
    pub params: Vec<(String, f64)>,
}

/// Standard deviation of the one-step residuals (population, over the defined ones).
pub(crate) fn residual_sd(y: &[f64], fitted: &[f64]) -> f64 {
    let errors: Vec<f64> = y.iter().zip(fitted).filter(|(_, f)| f.is_finite()).map(|(a, f)| a - f).collect();
    if errors.is_empty() {
        return 0.0;
    }
    (errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt()
}

/// The last value, repeated; errors grow as a random walk's (`sd sqrt(h)`).
pub(crate) fn naive(y: &[f64], h: usize) -> Fit {
    let last = y.last().copied().unwrap_or(0.0);
    let fitted: Vec<f64> = std::iter::once(f64::NAN).chain(y.iter().copied()).take(y.len()).collect();
    let sd = residual_sd(y, &fitted);
    Fit {
        name: "Naive".into(),
        mean: vec![last; h],
        fitted,
        sd: (1..=h).map(|k| sd * (k as f64).sqrt()).collect(),
        params: vec![],
    }
}

/// The value of the same season last cycle; falls back to naive when the series is shorter than
/// one season.
pub(crate) fn seasonal_naive(y: &[f64], h: usize, m: usize) -> Fit {
    if m <= 1 || y.len() < m {
        let mut fit = naive(y, h);
        fit.name = if m <= 1 { "SeasonalNaive".into() } else { "Naive (series shorter than a season)".into() };
        return fit;
    }
    let n = y.len();
    let mean: Vec<f64> = (0..h).map(|k| y[n - m + (k % m)]).collect();
    let fitted: Vec<f64> = (0..n).map(|t| if t >= m { y[t - m] } else { f64::NAN }).collect();
    let sd = residual_sd(y, &fitted);
    Fit {
        name: "SeasonalNaive".into(),
        mean,
        fitted,
        sd: (0..h).map(|k| sd * ((k / m + 1) as f64).sqrt()).collect(),
        params: vec![("season_length".into(), m as f64)],
    }
}

/// The mean of the last `window` values.
pub(crate) fn moving_average(y: &[f64], h: usize, window: usize) -> Fit {
    let k = window.clamp(1, y.len().max(1));
    let average = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    let fitted: Vec<f64> = (0..y.len()).map(|t| if t >= k { average(&y[t - k..t]) } else { f64::NAN }).collect();
    let sd = residual_sd(y, &fitted);
    let level = average(&y[y.len() - k..]);
    Fit {
        name: format!("MovingAverage({k})"),
        mean: vec![level; h],
        fitted,
        sd: vec![sd * (1.0 + 1.0 / k as f64).sqrt(); h],
        params: vec![("window".into(), k as f64)],
    }
}

/// Simple exponential smoothing of `x` from the level `x[0]`: the forecast after the last value
/// and the sum of squared one-step errors from the second value on. With `fitted`, pushes the
/// one-step forecasts onto it (NaN for the first value).
///
/// The arithmetic is statsforecast's to the last bit: the first value is smoothed into the level
/// it starts (`alpha x0 + (1 - alpha) x0`, which rounds), and each update is written
/// `alpha x + (1 - alpha) level`. On a flat squared error (two values) that rounding is what
/// decides where a golden-section search stops, so only the same arithmetic gives the same
/// parameter and forecast.
pub(crate) fn smooth_from_first(x: &[f64], alpha: f64, mut fitted: Option<&mut Vec<f64>>) -> (f64, f64) {
    let Some((&first, rest)) = x.split_first() else { return (0.0, 0.0) };
    if let Some(out) = fitted.as_deref_mut() {
        out.push(f64::NAN);
    }
    let smooth = |level: f64, v: f64| alpha * v + (1.0 - alpha) * level;
    let (mut level, mut sse) = (smooth(first, first), 0.0);
    for &v in rest {
        if let Some(out) = fitted.as_deref_mut() {
            out.push(level);
        }
        sse += (v - level) * (v - level);
        level = smooth(level, v);
    }
    (level, sse)
}

/// The mean of every value (the "mean method" of FPP, statsforecast's HistoricAverage); errors
/// of a new draw around an estimated mean, `s sqrt(1 + 1/n)` with `s` the sample standard
/// deviation.
pub(crate) fn historic_average(y: &[f64], h: usize) -> Fit {
    let n = y.len().max(1) as f64;
    let mean = y.iter().sum::<f64>() / n;
    let fitted = vec![mean; y.len()];
    // The sample standard deviation: one degree of freedom went into the mean.
    let sd = residual_sd(y, &fitted) * (n / (n - 1.0).max(1.0)).sqrt();
    Fit {
        name: "HistoricAverage".into(),
        mean: vec![mean; h],
        fitted,
        sd: vec![sd * (1.0 + 1.0 / n).sqrt(); h],
        params: vec![],
    }
}

/// Simple exponential smoothing from the first value with a given `alpha`, or with alpha chosen
/// by least squares in [0.01, 0.99] (golden section) when `alpha` is `None`: statsforecast's
/// SimpleExponentialSmoothing and SimpleExponentialSmoothingOptimized. Fitted values: NaN for the
/// first value. Errors as ETS(A,N,N): `sd^2 (1 + alpha^2 (h - 1))`.
pub(crate) fn ses_from_first(y: &[f64], h: usize, alpha: Option<f64>) -> Fit {
    let alpha = alpha.unwrap_or_else(|| golden_section(|a| smooth_from_first(y, a, None).1, 0.01, 0.99));
    let mut fitted = Vec::with_capacity(y.len());
    let (level, _) = smooth_from_first(y, alpha, Some(&mut fitted));
    ses_fit(y, h, alpha, level, fitted, vec![("alpha".into(), alpha)])
}

/// A simple-exponential-smoothing fit: the last `level` for every step, the errors growing as
/// ETS(A,N,N)'s, variance `sd^2 (1 + alpha^2 (h - 1))`.
fn ses_fit(y: &[f64], h: usize, alpha: f64, level: f64, fitted: Vec<f64>, params: Vec<(String, f64)>) -> Fit {
    let sd = residual_sd(y, &fitted);
    Fit {
        name: "SES".into(),
        mean: vec![level; h],
        sd: (0..h).map(|k| sd * (1.0 + alpha * alpha * k as f64).sqrt()).collect(),
        fitted,
        params,
    }
}

/// One-step forecasts of Holt's (damped) linear method in its classic form, from level `l0` and
/// trend `b0`: `l = alpha y + (1 - alpha)(l + phi b)`, `b = beta (l_new - l) + (1 - beta) phi b`.
/// With `beta` and `b0` zero it is simple exponential smoothing. Returns the fitted values, the
/// final level and trend.
fn holt_run(y: &[f64], alpha: f64, beta: f64, phi: f64, l0: f64, b0: f64) -> (Vec<f64>, f64, f64) {
    let (mut level, mut trend) = (l0, b0);
    let mut fitted = Vec::with_capacity(y.len());
    for &value in y {
        let forecast = level + phi * trend;
        fitted.push(forecast);
        let new_level = forecast + alpha * (value - forecast);
        trend = phi * trend + beta * (new_level - level - phi * trend);
        level = new_level;
    }
    (fitted, level, trend)
}

pub(crate) fn sse(y: &[f64], fitted: &[f64]) -> f64 {
    y.iter().zip(fitted).map(|(a, f)| (a - f) * (a - f)).sum()
}

/// Simple exponential smoothing, `alpha` and the initial level fitted by least squares (alpha in
/// [0.0001, 0.9999]). Errors: ETS(A,N,N) variance `sd^2 (1 + alpha^2 (h - 1))`.
pub(crate) fn ses(y: &[f64], h: usize) -> Fit {
    let first = y.first().copied().unwrap_or(0.0);
    let spread = y.iter().map(|v| (v - first).abs()).fold(1.0, f64::max);
    let (p, _) = minimise(
        |p| sse(y, &holt_run(y, p[0], 0.0, 1.0, p[1], 0.0).0),
        &[0.3, first],
        &[1e-4, first - spread],
        &[0.9999, first + spread],
        400,
    );
    let (alpha, l0) = (p[0], p[1]);
    let (fitted, level, _) = holt_run(y, alpha, 0.0, 1.0, l0, 0.0);
    ses_fit(y, h, alpha, level, fitted, vec![("alpha".into(), alpha), ("l0".into(), l0)])
}

/// Holt's linear trend (or damped trend, phi in [0.8, 0.98]) with alpha, beta and phi fitted by
/// least squares from the first level y[0] and trend y[1] - y[0]. Errors: the ETS(A,A,N) / ETS(A,Ad,N) variance
/// `sd^2 (1 + sum_j (alpha (1 + beta phi_j))^2)`, `phi_j = phi + ... + phi^j`.
pub(crate) fn holt(y: &[f64], h: usize, damped: bool) -> Fit {
    if y.len() < 3 {
        let mut fit = naive(y, h);
        fit.name = "Naive (too short for a trend)".into();
        return fit;
    }
    // The state before the first observation, so that its one-step forecast is y[0] itself.
    let b0 = y[1] - y[0];
    let l0 = y[0] - b0;
    let run = |p: &[f64]| holt_run(y, p[0], p[1], if damped { p[2] } else { 1.0 }, l0, b0);
    let (start, low, high) = if damped {
        (vec![0.5, 0.1, 0.9], vec![1e-4, 1e-4, 0.8], vec![0.9999, 0.9999, 0.98])
    } else {
        (vec![0.5, 0.1], vec![1e-4, 1e-4], vec![0.9999, 0.9999])
    };
    let (p, _) = minimise(|p| sse(y, &run(p).0), &start, &low, &high, 600);
    let (alpha, beta) = (p[0], p[1]);
    let phi = if damped { p[2] } else { 1.0 };
    let (fitted, level, trend) = run(&p);
    let sd = residual_sd(y, &fitted);
    let mut cumulative_phi = 0.0;
    let mean: Vec<f64> = (1..=h)
        .map(|k| {
            cumulative_phi += phi.powi(k as i32);
            level + cumulative_phi * trend
        })
        .collect();
    let mut variance_sum = 0.0;
    let mut phi_sum = 0.0;
    let sd_h: Vec<f64> = (1..=h)
        .map(|k| {
            if k > 1 {
                phi_sum += phi.powi(k as i32 - 1);
                let c = alpha * (1.0 + beta * phi_sum);
                variance_sum += c * c;
            }
            sd * (1.0 + variance_sum).sqrt()
        })
        .collect();
    let mut params = vec![("alpha".into(), alpha), ("beta".into(), beta)];
    if damped {
        params.push(("phi".into(), phi));
    }
    Fit { name: if damped { "Holt(damped)".into() } else { "Holt".into() }, mean, fitted, sd: sd_h, params }
}

/// The standard Theta method (Assimakopoulos & Nikolopoulos, 2000) in the form of Hyndman &
/// Billah (2003): simple exponential smoothing plus a drift of half the slope `b` of a linear
/// trend fitted to the data, `b / 2 (h - 1 + 1/alpha - (1 - alpha)^n / alpha)`.
pub(crate) fn theta(y: &[f64], h: usize) -> Fit {
    let n = y.len();
    let mut fit = ses(y, h);
    if n < 3 {
        fit.name = "SES (too short for Theta)".into();
        return fit;
    }
    let (_, slope) = linear_trend(y);
    let alpha = fit.params.first().map_or(0.5, |p| p.1);
    let decay = (1.0 - alpha).powi(n as i32) / alpha;
    for (k, value) in fit.mean.iter_mut().enumerate() {
        *value += slope / 2.0 * (k as f64 + 1.0 / alpha - decay);
    }
    fit.name = "Theta".into();
    fit.params.push(("drift".into(), slope / 2.0));
    fit
}

/// The optimised Theta method (Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler, 2016): the
/// theta line's weight is a parameter. With `A`, `B` the intercept and slope of a linear trend
/// fitted to the data, the one-step forecast is
/// `l_{t-1} + (1 - 1/theta) ((1 - alpha)^(t-1) A + (1 - (1 - alpha)^t) / alpha B)` and the level
/// is smoothed as in SES; alpha in [0.01, 0.99], theta in [1, 10] and the initial level are fitted
/// by least squares. Theta 2 is the standard method.
pub(crate) fn optimized_theta(y: &[f64], h: usize) -> Fit {
    let n = y.len();
    if n < 3 {
        let mut fit = ses(y, h);
        fit.name = "SES (too short for Theta)".into();
        return fit;
    }
    let (intercept, slope) = linear_trend(y);
    let run = |alpha: f64, theta: f64, l0: f64| -> (Vec<f64>, f64) {
        let weight = 1.0 - 1.0 / theta;
        let mut level = l0;
        let mut decay = 1.0; // (1 - alpha)^(t-1)
        let mut fitted = Vec::with_capacity(n);
        for &value in y {
            let next_decay = decay * (1.0 - alpha);
            fitted.push(level + weight * (decay * intercept + (1.0 - next_decay) / alpha * slope));
            level = alpha * value + (1.0 - alpha) * level;
            decay = next_decay;
        }
        (fitted, level)
    };
    let first = y[0];
    let spread = y.iter().map(|v| (v - first).abs()).fold(1.0, f64::max);
    let objective = |p: &[f64]| sse(y, &run(p[0], p[1], p[2]).0);
    let (low, high) = ([0.01, 1.0, first - spread], [0.99, 10.0, first + spread]);
    // The squared error is nearly flat in theta when alpha is high, and a search that comes near
    // a bound of its box hardly leaves it: two starts, the better end kept (on AirPassengers the
    // start at theta 2 ends at theta 1, the one at 5 near the optimum, 6.3).
    let (p, _) = [2.0, 5.0]
        .iter()
        .map(|&theta| minimise(objective, &[0.5, theta, first], &low, &high, 600))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or_else(|| (vec![0.5, 2.0, first], f64::INFINITY));
    let (alpha, theta, l0) = (p[0], p[1], p[2]);
    let (fitted, level) = run(alpha, theta, l0);
    let weight = 1.0 - 1.0 / theta;
    let decay_n = (1.0 - alpha).powi(n as i32);
    let mean: Vec<f64> = (1..=h)
        .map(|k| {
            level
                + weight * (decay_n * intercept + ((k as f64 - 1.0) + (1.0 - decay_n * (1.0 - alpha)) / alpha) * slope)
        })
        .collect();
    let sd = residual_sd(y, &fitted);
    Fit {
        name: "OptimizedTheta".into(),
        mean,
        sd: (0..h).map(|k| sd * (1.0 + alpha * alpha * k as f64).sqrt()).collect(),
        fitted,
        params: vec![("alpha".into(), alpha), ("theta".into(), theta), ("l0".into(), l0)],
    }
}

/// Intercept and slope of the least-squares line through `(t, y_t)`, `t = 1..n`.
fn linear_trend(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let t_mean = (n + 1.0) / 2.0;
    let y_mean = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dt = i as f64 + 1.0 - t_mean;
        sxy += dt * (v - y_mean);
        sxx += dt * dt;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (y_mean - slope * t_mean, slope)
}
