//! Complex exponential smoothing (CES; Svetunkov & Kourentzes, "Complex exponential smoothing",
//! Lancaster University working paper 2015 / Naval Research Logistics 63(8), 2016; Svetunkov,
//! Kourentzes & Ord, "Complex exponential smoothing", Naval Research Logistics 69(8), 2022) in
//! the four seasonal forms statsforecast's `AutoCES` names `N`, `S`, `P` and `F`, and AutoCES
//! choosing among them by AICc.
//!
//! The model. The level `l` and an "information potential" `c` form one complex state `l + ic`,
//! smoothed with the complex parameter `a0 + i a1`. With the error `e_t = y_t - yhat_t`:
//!
//! ```text
//! l_t = l_{t-k} - (1 - a1) c_{t-k} + (a0 - a1) e_t
//! c_t = l_{t-k} + (1 - a0) c_{t-k} + (a0 + a1) e_t
//! ```
//!
//! where `k` is 1, except in the simple seasonal form `S`, whose complex level is a seasonal one
//! (`k = m`). The partial form `P` adds a real seasonal index `s_t = s_{t-m} + b0 e_t`; the full
//! form `F` a complex one, `s + iq`, smoothed with `b0 + i b1` exactly as the level is but at lag
//! `m`. The one-step forecast is `l_{t-k}`, plus `s_{t-m}` in `P` and `F`; forecasts further ahead
//! run the same recursion with zero errors.
//!
//! Conventions, as statsforecast 2.1.1's `AutoCES` (its `ces.py`; the numerics are its compiled
//! library, whose results these match to rounding for given parameters):
//! - initial states: `N` the mean of the first 10 values and that over 1.1; `S` the first season's
//!   values and those over 1.1; `P` and `F` the first season's mean (and over 1.1) with the first
//!   season of a classical additive decomposition (statsmodels' `seasonal_decompose`) as `s`, and
//!   `s / 1.1` as `q` in `F`;
//! - the initial states are then refined by backcasting on every evaluation of the likelihood: a
//!   pass forward, a pass over the reversed series from the states it ends in, and the final pass
//!   forward from the states the backward pass ends in;
//! - the likelihood minimised is `n log(SSE)` of the final pass (floored at -1e10, for exact fits);
//!   the parameters start at `a0 = 1.3, a1 = 1` (`b0 = 0.1` in `P`; `b0 = 1.3, b1 = 1` in `F`) and
//!   stay in the box `a0` in [0.01, 1.8], `a1` in [0.01, 1.9], `b0`, `b1` in [0.01, 1.5];
//! - AICc counts the state components plus one as parameters (3 for `N` and `S`, 4 for `P`, 5 for
//!   `F`), and `sigma^2 = SSE / (n - parameters - 1)`;
//! - AutoCES tries `N`, `S`, `P`, `F` in that order and keeps the lowest AICc (the first of equals);
//!   a season of 1, or a series shorter than two seasons, gets `N` whatever form was asked.
//!
//! Differences from statsforecast:
//! - the search is the project's Nelder-Mead ([`minimise`], on logistic-mapped parameters), not
//!   statsforecast's own, so the optimum found can differ slightly where the likelihood is flat;
//! - a series with no more values than parameters (statsforecast raises "tiny datasets") gets simple
//!   exponential smoothing, named so; an AICc whose denominator `n - parameters - 1` is not positive
//!   is infinite (statsforecast lets it turn negative), and `sigma^2` then divides by 1;
//! - intervals: statsforecast simulates 5,000 forecasts from the final states perturbed by normal
//!   noise of variance `sigma^2` (every state, not the future errors), which gives a spread that
//!   does not grow with the horizon. Here the `h`-step standard deviation is the linear
//!   state-space model's (Hyndman et al. 2008, ch. 6; as Svetunkov's `smooth::ces` parametric
//!   intervals): `sigma sqrt(1 + c_1^2 + ... + c_{h-1}^2)`, `c_j` the model's response `j` steps
//!   after a unit error. One step ahead the two agree for `N` and `S` (`sigma`); further ahead
//!   these intervals widen as errors accumulate.

use std::cell::RefCell;

use super::models::{self, Fit};
use super::optimize::minimise;

/// The seasonal form of a complex exponential smoothing model (in JSON by its letter, as
/// statsforecast's `AutoCES(model=...)` takes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CesForm {
    /// No seasonality.
    N,
    /// Simple seasonality: the complex level itself is seasonal (lag m).
    S,
    /// Partial seasonality: a real additive seasonal index.
    P,
    /// Full seasonality: a complex seasonal index smoothed with its own complex parameter.
    F,
}

impl CesForm {
    /// Every form, in the order AutoCES tries them.
    pub const ALL: [CesForm; 4] = [CesForm::N, CesForm::S, CesForm::P, CesForm::F];

    /// The form's letter (`"F"`).
    pub fn letter(self) -> &'static str {
        match self {
            CesForm::N => "N",
            CesForm::S => "S",
            CesForm::P => "P",
            CesForm::F => "F",
        }
    }

    /// How many state components: the complex level's two, plus the seasonal ones.
    fn components(self) -> usize {
        match self {
            CesForm::N | CesForm::S => 2,
            CesForm::P => 3,
            CesForm::F => 4,
        }
    }

    /// How many smoothing parameters are fitted.
    fn smoothing_parameters(self) -> usize {
        self.components()
    }

    /// Whether the form needs a season.
    fn is_seasonal(self) -> bool {
        self != CesForm::N
    }

    /// The starting point and box of the smoothing parameters, in the order a0, a1, b0, b1.
    fn search_box(self) -> (&'static [f64], &'static [f64], &'static [f64]) {
        const LOW: [f64; 4] = [0.01; 4];
        const HIGH: [f64; 4] = [1.8, 1.9, 1.5, 1.5];
        let k = self.smoothing_parameters();
        let start: &'static [f64] = match self {
            CesForm::N | CesForm::S => &[1.3, 1.0],
            CesForm::P => &[1.3, 1.0, 0.1],
            CesForm::F => &[1.3, 1.0, 1.3, 1.0],
        };
        (start, &LOW[..k], &HIGH[..k])
    }
}

/// The states at one time: level `l`, its imaginary part `c`, seasonal `s` and its imaginary part
/// `q` (unused components stay 0).
type Row = [f64; 4];

/// The complex smoothing parameters `a0 + i a1` (level) and `b0 + i b1` (season; `b0` alone in
/// `P`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Smoothing {
    a0: f64,
    a1: f64,
    b0: f64,
    b1: f64,
}

impl Smoothing {
    /// The parameters from the searched values (a0, a1, then b0, b1 where the form has them).
    fn from_values(p: &[f64]) -> Smoothing {
        let at = |i: usize| p.get(i).copied().unwrap_or(0.0);
        Smoothing { a0: at(0), a1: at(1), b0: at(2), b1: at(3) }
    }
}

/// A CES model ready to run over a series.
#[derive(Debug, Clone, Copy)]
struct Ces {
    form: CesForm,
    /// The seasonal lag `m` (1 for `N`).
    lag: usize,
    p: Smoothing,
}

impl Ces {
    /// One step of the recursion from the rows one step back (`previous`) and `lag` steps back
    /// (`season_ago`): the one-step forecast and the next row, updated with the observation
    /// (`None`: the forecast itself, a zero error).
    #[inline]
    fn next(&self, previous: Row, season_ago: Row, observed: Option<f64>) -> (f64, Row) {
        let level = if self.form == CesForm::S { season_ago } else { previous };
        let seasonal = matches!(self.form, CesForm::P | CesForm::F);
        let forecast = level[0] + if seasonal { season_ago[2] } else { 0.0 };
        let e = observed.map_or(0.0, |y| y - forecast);
        let Smoothing { a0, a1, b0, b1 } = self.p;
        let mut next = [0.0; 4];
        next[0] = level[0] - (1.0 - a1) * level[1] + (a0 - a1) * e;
        next[1] = level[0] + (1.0 - a0) * level[1] + (a0 + a1) * e;
        match self.form {
            CesForm::P => next[2] = season_ago[2] + b0 * e,
            CesForm::F => {
                next[2] = season_ago[2] - (1.0 - b1) * season_ago[3] + (b0 - b1) * e;
                next[3] = season_ago[2] + (1.0 - b0) * season_ago[3] + (b0 + b1) * e;
            }
            CesForm::N | CesForm::S => {}
        }
        (forecast, next)
    }

    /// Runs the recursion over `values` (`None`: no observation, a zero error) from `rows`, the
    /// last `lag` rows of states oldest first, and leaves the last `lag` rows in it, oldest first:
    /// only the rows a step reads are kept, in a ring. Calls `each` with every value and its
    /// one-step forecast.
    fn pass(
        &self,
        values: impl Iterator<Item = Option<f64>>,
        rows: &mut [Row],
        mut each: impl FnMut(Option<f64>, f64),
    ) {
        let lag = rows.len();
        if lag == 1 {
            // One row read and written: kept in registers rather than a round trip through memory
            // per step.
            let mut row = rows[0];
            for observed in values {
                let (forecast, next) = self.next(row, row, observed);
                each(observed, forecast);
                row = next;
            }
            rows[0] = row;
            return;
        }
        if lag == 0 {
            return;
        }
        // The row one step back stays in registers; the one `lag` steps back is read from the ring.
        let (mut slot, mut previous) = (0, rows[lag - 1]);
        for observed in values {
            let (forecast, next) = self.next(previous, rows[slot], observed);
            each(observed, forecast);
            rows[slot] = next;
            previous = next;
            slot = if slot + 1 == lag { 0 } else { slot + 1 };
        }
        rows.rotate_left(slot);
    }

    /// Runs over `y` from `initial` (one row per lag) with backcasting: forward and on `lag`
    /// steps with zero errors, backward over the reversed series from the rows that ends in, and
    /// forward again from the rows the backward pass ends in. Leaves the last `lag` rows of the
    /// final pass in `rows` (oldest first) and returns its sum of squared errors.
    fn run(&self, y: &[f64], initial: &[Row], rows: &mut Vec<Row>, mut fitted: Option<&mut Vec<f64>>) -> f64 {
        let ahead = || std::iter::repeat_n(None, self.lag);
        rows.clear();
        rows.extend_from_slice(initial);
        rows.resize(self.lag, [0.0; 4]);
        self.pass(y.iter().map(|v| Some(*v)).chain(ahead()), rows, |_, _| {});
        rows.reverse();
        self.pass(y.iter().rev().map(|v| Some(*v)).chain(ahead()), rows, |_, _| {});
        rows.reverse();
        let mut sse = 0.0;
        self.pass(y.iter().map(|v| Some(*v)), rows, |observed, forecast| {
            let error = observed.map_or(0.0, |v| v - forecast);
            sse += error * error;
            if let Some(out) = fitted.as_deref_mut() {
                out.push(forecast);
            }
        });
        sse
    }

    /// `h` forecasts from `last`, the last `lag` rows of states after the values (as `run`
    /// leaves them).
    fn forecasts(&self, last: &[Row], h: usize) -> Vec<f64> {
        let mut rows = last.to_vec();
        let mut out = Vec::with_capacity(h);
        self.pass(std::iter::repeat_n(None, h), &mut rows, |_, forecast| out.push(forecast));
        out
    }

    /// The model's response to one unit error: `c_1 .. c_{h-1}`, the change in the forecasts 1 to
    /// `h - 1` steps after it (the model is linear, so from zero states).
    fn impulse_response(&self, h: usize) -> Vec<f64> {
        let mut rows = vec![[0.0; 4]; self.lag];
        let mut out = Vec::with_capacity(h);
        let shock = std::iter::once(Some(1.0)).chain(std::iter::repeat_n(None, h.saturating_sub(1)));
        self.pass(shock, &mut rows, |observed, forecast| {
            if observed.is_none() {
                out.push(forecast);
            }
        });
        out
    }
}

/// The initial states of `form` for `y` at lag `lag` (1 for `N`): one row per lag.
fn initial_states(y: &[f64], form: CesForm, lag: usize) -> Vec<Row> {
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len().max(1) as f64;
    let first_season = &y[..lag.min(y.len())];
    match form {
        CesForm::N => {
            let l = mean(&y[..y.len().min(10)]);
            vec![[l, l / 1.1, 0.0, 0.0]]
        }
        CesForm::S => first_season.iter().map(|v| [*v, v / 1.1, 0.0, 0.0]).collect(),
        CesForm::P | CesForm::F => {
            let l = mean(first_season);
            let indices = super::decompose::classical_indices(y, lag, false);
            let quadrature = if form == CesForm::F { 1.0 / 1.1 } else { 0.0 };
            indices.iter().take(lag).map(|s| [l, l / 1.1, *s, s * quadrature]).collect()
        }
    }
}

/// The negative log-likelihood statsforecast minimises, `n log(SSE)`, floored at -1e10 (an exact
/// fit) and infinite where the recursion overflowed.
fn likelihood(n: usize, sse: f64) -> f64 {
    let value = n as f64 * sse.ln();
    if value.is_nan() { f64::INFINITY } else { value.max(-1e10) }
}

/// A fitted CES model and its criterion.
pub(crate) struct CesFit {
    /// The forecasts and what produced them.
    pub fit: Fit,
    /// The AICc (infinite when there are too few values for it).
    pub aicc: f64,
}

/// The form actually fitted for `form` asked at season `m` on `n` values: `N` when the season is
/// 1 or the series shorter than two seasons.
fn effective_form(form: CesForm, m: usize, n: usize) -> CesForm {
    if m <= 1 || n < 2 * m { CesForm::N } else { form }
}

/// Fits one form by maximum likelihood and forecasts `h` steps; `None` when the series has no
/// more values than the form has smoothing parameters, or the fit overflowed. The form should be
/// one `effective_form` allows.
fn fit_form(y: &[f64], form: CesForm, m: usize, h: usize) -> Option<CesFit> {
    let n = y.len();
    if n <= form.smoothing_parameters() {
        return None;
    }
    let lag = if form.is_seasonal() { m } else { 1 };
    let initial = initial_states(y, form, lag);
    let scratch = RefCell::new(Vec::with_capacity(lag));
    let objective = |p: &[f64]| {
        let model = Ces { form, lag, p: Smoothing::from_values(p) };
        likelihood(n, model.run(y, &initial, &mut scratch.borrow_mut(), None))
    };
    let (start, low, high) = form.search_box();
    let (best, _) = minimise(objective, start, low, high, 1000);
    let model = Ces { form, lag, p: Smoothing::from_values(&best) };
    let mut last = Vec::with_capacity(lag);
    let mut fitted = Vec::with_capacity(n);
    let sse = model.run(y, &initial, &mut last, Some(&mut fitted));
    if !sse.is_finite() {
        return None;
    }
    let parameters = form.components() + 1;
    let aicc = criterion(likelihood(n, sse), n, parameters);
    let sigma = (sse / n.saturating_sub(parameters + 1).max(1) as f64).sqrt();
    let mean = model.forecasts(&last, h);
    let sd = forecast_sd(sigma, &model.impulse_response(h), h);
    let params = named_params(&model, aicc);
    Some(CesFit { fit: Fit { name: format!("CES({})", form.letter()), mean, fitted, sd, params }, aicc })
}

/// AICc of a fit of `parameters` parameters and negative log-likelihood `likelihood` on `n`
/// values; infinite when `n - parameters - 1` is not positive.
fn criterion(likelihood: f64, n: usize, parameters: usize) -> f64 {
    let k = parameters as f64;
    let room = n as f64 - k - 1.0;
    if room <= 0.0 {
        return f64::INFINITY;
    }
    likelihood + 2.0 * k + 2.0 * k * (k + 1.0) / room
}

/// The standard deviation of the 1- to `h`-step forecast errors: `sigma sqrt(1 + c_1^2 + ...)`,
/// `response` holding `c_1, c_2, ...`.
fn forecast_sd(sigma: f64, response: &[f64], h: usize) -> Vec<f64> {
    let mut variance = 0.0;
    std::iter::once(1.0)
        .chain(response.iter().copied())
        .take(h)
        .map(|c| {
            variance += c * c;
            sigma * variance.sqrt()
        })
        .collect()
}

/// The fitted parameters: the complex smoothing parameters the form has, the form (0 to 3 for
/// `N`, `S`, `P`, `F`) and the AICc.
fn named_params(model: &Ces, aicc: f64) -> Vec<(String, f64)> {
    let Smoothing { a0, a1, b0, b1 } = model.p;
    let mut params = vec![("alpha_0".to_owned(), a0), ("alpha_1".to_owned(), a1)];
    if matches!(model.form, CesForm::P | CesForm::F) {
        params.push(("beta_0".into(), b0));
    }
    if model.form == CesForm::F {
        params.push(("beta_1".into(), b1));
    }
    let code = CesForm::ALL.iter().position(|f| *f == model.form).unwrap_or(0);
    params.push(("form".into(), code as f64));
    params.push(("aicc".into(), aicc));
    params
}

/// CES of the given form (`None`: AutoCES over all four) at season `m`, forecasting `h` steps.
/// A seasonal form on a season of 1 or fewer than two seasons is `N`, as in statsforecast; a
/// series too short for any fit gets simple exponential smoothing, named so.
pub(crate) fn ces(y: &[f64], form: Option<CesForm>, m: usize, h: usize) -> Fit {
    let n = y.len();
    let best = match form {
        Some(form) => fit_form(y, effective_form(form, m, n), m, h),
        None => auto_ces(y, m, h),
    };
    best.map(|b| b.fit).unwrap_or_else(|| {
        let mut fallback = models::ses(y, h);
        fallback.name = "SES (too short for CES)".into();
        fallback
    })
}

/// AutoCES: every form the series allows (only `N` without a season or two of them), the lowest
/// AICc kept, the first of equals; `None` when the series has too few values (as statsforecast
/// counts them: more than 4 with a season, more than 2 without).
pub(crate) fn auto_ces(y: &[f64], m: usize, h: usize) -> Option<CesFit> {
    let n = y.len();
    let seasonal = effective_form(CesForm::F, m, n) == CesForm::F;
    if n <= if seasonal { 4 } else { 2 } {
        return None;
    }
    let forms: &[CesForm] = if seasonal { &CesForm::ALL } else { &[CesForm::N] };
    let mut best: Option<CesFit> = None;
    for form in forms {
        if let Some(fit) = fit_form(y, *form, m, h) {
            // The first fit stands until a lower AICc: an infinite one is kept only when no form
            // has a finite one (where statsforecast raises).
            let better = match &best {
                None => true,
                Some(b) => fit.aicc < b.aicc,
            };
            if better {
                best = Some(fit);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests;
