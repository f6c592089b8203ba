//! The state-space Theta models of Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016,
//! "Models for optimising the theta method and their relationship to state space models", IJF
//! 32): the standard (STM) and optimised (OTM) Theta models, whose trend line is the least-squares
//! line of the whole series, and their dynamic forms (DSTM, DOTM), whose line is updated with each
//! observation as a recursive least-squares fit. AutoTheta fits all four and keeps the one of the
//! lowest in-sample mean squared error.
//!
//! With `A_t`, `B_t` the line's intercept and slope after `t` observations, the one-step forecast
//! from the state after observation `t` (`t` counted from 0) is
//! `mu = l_t + (1 - 1/theta) (A_t (1 - alpha)^(t+1) + B_t (1 - (1 - alpha)^(t+2)) / alpha)`, the level
//! is smoothed as in SES, `l = alpha y + (1 - alpha) l`, and the dynamic line follows the running
//! mean `Ybar`: `B = ((t - 1) B + 6 (y - Ybar_prev) / (t + 1)) / (t + 2)`, `A = Ybar - B (t + 2) / 2`.
//! Forecasts run the same recursion on their own values. Conventions as statsforecast's (and R's
//! forecTheta): the level starts one SES step from `l0` on the first value, the running mean and
//! the dynamic intercept at the first value, the dynamic slope at 0; `l0` (from `y_0 / 2`), alpha
//! (from 0.5, in [0.1, 0.99]) and, for the optimised models, theta (from 2, at least 1) minimise
//! the mean of the in-sample mean squared errors 1, 2 and 3 steps ahead. Theta is 2 in the
//! standard models. Intervals: normal, from the standard deviation of the one-step residuals
//! after the first three (statsforecast simulates its own), growing as SES's.

use super::models::{Fit, residual_sd};
use super::optimize::minimise;

/// One of the four Theta models (in JSON by its short name, `"DOTM"`, as statsforecast's
/// `AutoTheta(model=...)` takes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ThetaModel {
    /// Standard: theta 2, the whole series' line.
    Stm,
    /// Optimised: theta fitted, the whole series' line.
    Otm,
    /// Dynamic standard: theta 2, the line updated with each observation.
    Dstm,
    /// Dynamic optimised: theta fitted, the line updated with each observation.
    Dotm,
}

impl ThetaModel {
    /// Every model, as AutoTheta tries them.
    pub const ALL: [ThetaModel; 4] = [ThetaModel::Stm, ThetaModel::Otm, ThetaModel::Dstm, ThetaModel::Dotm];

    /// The model's short name (`"DOTM"`).
    pub fn name(self) -> &'static str {
        match self {
            ThetaModel::Stm => "STM",
            ThetaModel::Otm => "OTM",
            ThetaModel::Dstm => "DSTM",
            ThetaModel::Dotm => "DOTM",
        }
    }

    fn dynamic(self) -> bool {
        matches!(self, ThetaModel::Dstm | ThetaModel::Dotm)
    }

    fn optimised(self) -> bool {
        matches!(self, ThetaModel::Otm | ThetaModel::Dotm)
    }
}

/// The steps ahead whose mean squared errors the fit averages.
const STEPS: usize = 3;

/// The state after an observation.
#[derive(Debug, Clone, Copy)]
struct State {
    level: f64,
    mean: f64,
    a: f64,
    b: f64,
}

/// A model with its parameters, ready to run over a series.
#[derive(Debug, Clone, Copy)]
struct Theta {
    model: ThetaModel,
    alpha: f64,
    theta: f64,
    /// The whole series' line, for the static models.
    line: (f64, f64),
}

impl Theta {
    /// The state after the first observation `y0`, from the initial level `l0`.
    fn start(&self, y0: f64, l0: f64) -> State {
        let (a, b) = if self.model.dynamic() { (y0, 0.0) } else { self.line };
        State { level: self.alpha * y0 + (1.0 - self.alpha) * l0, mean: y0, a, b }
    }

    /// The one-step forecast from the state after observation `t`.
    fn next(&self, s: &State, t: usize) -> f64 {
        let decay = (1.0 - self.alpha).powi(t as i32 + 1);
        s.level + (1.0 - 1.0 / self.theta) * (s.a * decay + s.b * (1.0 - decay * (1.0 - self.alpha)) / self.alpha)
    }

    /// The state after observation `t + 1` of value `y`.
    fn update(&self, s: &State, t: usize, y: f64) -> State {
        let i = (t + 1) as f64;
        let mean = (i * s.mean + y) / (i + 1.0);
        let (a, b) = if self.model.dynamic() {
            let b = ((i - 1.0) * s.b + 6.0 * (y - s.mean) / (i + 1.0)) / (i + 2.0);
            (mean - b * (i + 2.0) / 2.0, b)
        } else {
            (s.a, s.b)
        };
        State { level: self.alpha * y + (1.0 - self.alpha) * s.level, mean, a, b }
    }

    /// `h` forecasts from the state after observation `t`, each fed back as the next value.
    fn forecasts(&self, mut s: State, t: usize, h: usize) -> Vec<f64> {
        (0..h)
            .map(|k| {
                let f = self.next(&s, t + k);
                s = self.update(&s, t + k, f);
                f
            })
            .collect()
    }

    /// Runs over `y` from `l0`: the one-step fitted values (the first is the start's own
    /// forecast), the final state, and the mean of the in-sample mean squared errors 1 to
    /// [`STEPS`] steps ahead.
    fn run(&self, y: &[f64], l0: f64) -> (Vec<f64>, State, f64) {
        let n = y.len();
        let mut s = self.start(y[0], l0);
        let mut fitted = Vec::with_capacity(n);
        // The first value's own forecast: the start's line (the first value itself when dynamic).
        fitted.push(if self.model.dynamic() { y[0] } else { l0 + (1.0 - 1.0 / self.theta) * (s.a + s.b) });
        let (mut sums, mut counts) = ([0.0; STEPS], [0usize; STEPS]);
        for t in 0..n - 1 {
            // The forecasts 1 to STEPS ahead from here, each fed back (no allocation: this runs
            // for every value at every step of the optimiser).
            let mut ahead = s;
            for k in 0..STEPS.min(n - 1 - t) {
                let f = self.next(&ahead, t + k);
                sums[k] += (y[t + 1 + k] - f) * (y[t + 1 + k] - f);
                counts[k] += 1;
                ahead = self.update(&ahead, t + k, f);
            }
            fitted.push(self.next(&s, t));
            s = self.update(&s, t, y[t + 1]);
        }
        let steps = counts.iter().filter(|c| **c > 0).count().max(1);
        let amse =
            sums.iter().zip(&counts).filter(|(_, c)| **c > 0).map(|(s, c)| s / *c as f64).sum::<f64>() / steps as f64;
        (fitted, s, amse)
    }
}

/// The intercept and slope of the least-squares line through `(t, y_t)`, `t = 1..n`.
fn whole_line(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    if y.len() < 2 {
        return (mean, 0.0);
    }
    let weighted = y.iter().enumerate().map(|(i, v)| (i as f64 + 1.0) * v).sum::<f64>() / n;
    let slope = 6.0 * (2.0 * weighted - (n + 1.0) * mean) / (n * n - 1.0);
    (mean - (n + 1.0) * slope / 2.0, slope)
}

/// A fitted Theta model and its in-sample criterion.
pub(crate) struct ThetaFit {
    pub fit: Fit,
    /// The mean of the in-sample mean squared errors 1 to 3 steps ahead.
    pub amse: f64,
}

/// Fits `model` to `y` and forecasts `h` steps. The caller gives at least 4 values (the first
/// three residuals are a burn-in); fewer give forecasts of the first value.
pub(crate) fn fit_theta(y: &[f64], model: ThetaModel, h: usize) -> ThetaFit {
    let n = y.len();
    if n < 4 {
        let first = y.first().copied().unwrap_or(0.0);
        let fit = Fit {
            name: model.name().into(),
            mean: vec![first; h],
            fitted: vec![first; n],
            sd: vec![0.0; h],
            params: vec![],
        };
        return ThetaFit { fit, amse: f64::INFINITY };
    }
    let line = whole_line(y);
    let spread = y.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1.0);
    let make = |p: &[f64]| Theta { model, alpha: p[1], theta: if model.optimised() { p[2] } else { 2.0 }, line };
    let objective = |p: &[f64]| make(p).run(y, p[0]).2;
    let (start, low, high): (Vec<f64>, Vec<f64>, Vec<f64>) = if model.optimised() {
        (vec![y[0] / 2.0, 0.5, 2.0], vec![-10.0 * spread, 0.1, 1.0], vec![10.0 * spread, 0.99, 1000.0])
    } else {
        (vec![y[0] / 2.0, 0.5], vec![-10.0 * spread, 0.1], vec![10.0 * spread, 0.99])
    };
    let (p, amse) = minimise(objective, &start, &low, &high, 1000);
    let theta = make(&p);
    let (fitted, last, _) = theta.run(y, p[0]);
    let mean = theta.forecasts(last, n - 1, h);
    // The spread of the one-step residuals after the first three, as statsforecast's.
    let sd = residual_sd(&y[3..], &fitted[3..]) * ((n - 3) as f64 / (n - 4).max(1) as f64).sqrt();
    let mut params = vec![("l0".into(), p[0]), ("alpha".into(), theta.alpha)];
    if model.optimised() {
        params.push(("theta".into(), theta.theta));
    }
    let sd_h = (0..h).map(|k| sd * (1.0 + theta.alpha * theta.alpha * k as f64).sqrt()).collect();
    ThetaFit { fit: Fit { name: model.name().into(), mean, fitted, sd: sd_h, params }, amse }
}

/// AutoTheta: the four models fitted, the lowest in-sample criterion kept (the first of equals).
pub(crate) fn auto_theta(y: &[f64], h: usize) -> ThetaFit {
    let mut best = fit_theta(y, ThetaModel::Stm, h);
    for model in &ThetaModel::ALL[1..] {
        let fit = fit_theta(y, *model, h);
        if fit.amse < best.amse {
            best = fit;
        }
    }
    best
}
