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
    /// The one-step forecast for row `i` of `states`, then the states of row `i` updated with the
    /// observation (`None`: the forecast itself, a zero error). Needs `lag <= i < states.len()`.
    fn step(&self, states: &mut [Row], i: usize, observed: Option<f64>) -> f64 {
        let previous = states[i - 1];
        let season_ago = states[i - self.lag];
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
        states[i] = next;
        forecast
    }

    /// One pass over `y` from the initial states in `states[..lag]`: the states after each value
    /// fill the rows that follow, and the last `lag` rows are projected on with zero errors (the
    /// start of a backward pass). `states` holds `y`'s length plus `2 lag` rows. Pushes the
    /// one-step forecasts into `fitted` when given; returns the sum of squared errors.
    fn pass(&self, y: impl Iterator<Item = f64>, states: &mut [Row], mut fitted: Option<&mut Vec<f64>>) -> f64 {
        let lag = self.lag;
        let end = states.len().saturating_sub(lag);
        let mut sse = 0.0;
        for (i, v) in (lag..end).zip(y) {
            let forecast = self.step(states, i, Some(v));
            sse += (v - forecast) * (v - forecast);
            if let Some(out) = fitted.as_deref_mut() {
                out.push(forecast);
            }
        }
        for i in end.max(lag)..states.len() {
            self.step(states, i, None);
        }
        sse
    }

    /// Runs over `y` from `initial` (one row per lag) with backcasting: forward, backward over the
    /// reversed series, and forward again from the states the backward pass ended in. Leaves the
    /// final pass's states in `states` and returns its sum of squared errors.
    fn run(&self, y: &[f64], initial: &[Row], states: &mut Vec<Row>, fitted: Option<&mut Vec<f64>>) -> f64 {
        states.clear();
        states.resize(y.len() + 2 * self.lag, [0.0; 4]);
        for (row, start) in states.iter_mut().zip(initial) {
            *row = *start;
        }
        self.pass(y.iter().copied(), states, None);
        states.reverse();
        self.pass(y.iter().rev().copied(), states, None);
        states.reverse();
        self.pass(y.iter().copied(), states, fitted)
    }

    /// `h` forecasts from the last `lag` rows of states after the values (`states` as `run` leaves
    /// them for `n` values).
    fn forecasts(&self, states: &[Row], n: usize, h: usize) -> Vec<f64> {
        let mut ahead: Vec<Row> = states.iter().skip(n).take(self.lag).copied().collect();
        ahead.resize(self.lag + h, [0.0; 4]);
        (self.lag..self.lag + h).map(|i| self.step(&mut ahead, i, None)).collect()
    }

    /// The model's response to one unit error: `c_1 .. c_{h-1}`, the change in the forecasts 1 to
    /// `h - 1` steps after it (the model is linear, so from zero states).
    fn impulse_response(&self, h: usize) -> Vec<f64> {
        let mut states = vec![[0.0; 4]; self.lag + h.max(1)];
        self.step(&mut states, self.lag, Some(1.0));
        (self.lag + 1..self.lag + h).map(|i| self.step(&mut states, i, None)).collect()
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
    let scratch = RefCell::new(Vec::with_capacity(n + 2 * lag));
    let objective = |p: &[f64]| {
        let model = Ces { form, lag, p: Smoothing::from_values(p) };
        likelihood(n, model.run(y, &initial, &mut scratch.borrow_mut(), None))
    };
    let (start, low, high) = form.search_box();
    let (best, _) = minimise(objective, start, low, high, 1000);
    let model = Ces { form, lag, p: Smoothing::from_values(&best) };
    let mut states = Vec::with_capacity(n + 2 * lag);
    let mut fitted = Vec::with_capacity(n);
    let sse = model.run(y, &initial, &mut states, Some(&mut fitted));
    if !sse.is_finite() {
        return None;
    }
    let parameters = form.components() + 1;
    let aicc = criterion(likelihood(n, sse), n, parameters);
    let sigma = (sse / n.saturating_sub(parameters + 1).max(1) as f64).sqrt();
    let mean = model.forecasts(&states, n, h);
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
mod tests {
    use super::*;

    // AirPassengers (Box & Jenkins), as `AIR` in core/tests/forecast.rs.
    const AIR: [f64; 144] = [
        112., 118., 132., 129., 121., 135., 148., 148., 136., 119., 104., 118., 115., 126., 141., 135., 125., 149.,
        170., 170., 158., 133., 114., 140., 145., 150., 178., 163., 172., 178., 199., 199., 184., 162., 146., 166.,
        171., 180., 193., 181., 183., 218., 230., 242., 209., 191., 172., 194., 196., 196., 236., 235., 229., 243.,
        264., 272., 237., 211., 180., 201., 204., 188., 235., 227., 234., 264., 302., 293., 259., 229., 203., 229.,
        242., 233., 267., 269., 270., 315., 364., 347., 312., 274., 237., 278., 284., 277., 317., 313., 318., 374.,
        413., 405., 355., 306., 271., 306., 315., 301., 356., 348., 355., 422., 465., 467., 404., 347., 305., 336.,
        340., 318., 362., 348., 363., 435., 491., 505., 404., 359., 310., 337., 360., 342., 406., 396., 420., 472.,
        548., 559., 463., 407., 362., 405., 417., 391., 419., 461., 472., 535., 622., 606., 508., 461., 390., 432.,
    ];

    fn close(a: f64, b: f64, relative: f64) -> bool {
        (a - b).abs() <= relative * b.abs().max(1e-12)
    }

    #[test]
    fn the_recursion_and_backcasting_match_statsforecast_for_given_parameters() {
        // statsforecast 2.1.1 at fixed parameters on AirPassengers (season 12; 1 for N):
        // `pegelsresid_ces(y, m, initstate(y, m, form), ...)` gives the likelihood n log(SSE) and
        // the residuals (fitted = y - e), then `cesforecast(states, 144, m, ...)` the forecasts;
        // steps 1, 6 and 12 here. Same arithmetic, so to 1e-9 (rounding only).
        // The form, its parameters, the likelihood, the first fitted value, forecasts 1, 6, 12.
        type Case = (CesForm, [f64; 4], f64, f64, [f64; 3]);
        let cases: [Case; 4] = [
            (
                CesForm::N,
                [1.7, 0.98, 0.0, 0.0],
                1760.8885752087265,
                111.8103280813315,
                [424.0840312109822, 397.37153846647857, 370.2014550182855],
            ),
            (
                CesForm::S,
                [1.5, 1.1, 0.0, 0.0],
                1725.3651716156191,
                144.84476696088038,
                [419.6548424655136, 545.049470033566, 450.68211586657566],
            ),
            (
                CesForm::P,
                [1.6, 1.0, 0.7, 0.0],
                1468.3202549701073,
                113.548442255789,
                [445.2677519618728, 564.7173919303907, 431.19190749018287],
            ),
            (
                CesForm::F,
                [1.27, 1.0, 1.4, 1.13],
                1461.7487491898457,
                126.76498231310298,
                [449.24974421956887, 579.1394515754066, 457.71587856506915],
            ),
        ];
        for (form, p, lik, first_fitted, steps) in cases {
            let lag = if form.is_seasonal() { 12 } else { 1 };
            let model = Ces { form, lag, p: Smoothing::from_values(&p) };
            let (mut states, mut fitted) = (Vec::new(), Vec::new());
            let sse = model.run(&AIR, &initial_states(&AIR, form, lag), &mut states, Some(&mut fitted));
            assert!(close(likelihood(AIR.len(), sse), lik, 1e-9), "{form:?} {} {lik}", likelihood(AIR.len(), sse));
            assert!(close(fitted[0], first_fitted, 1e-9), "{form:?} {} {first_fitted}", fitted[0]);
            let mean = model.forecasts(&states, AIR.len(), 12);
            for (got, want) in [mean[0], mean[5], mean[11]].iter().zip(steps) {
                assert!(close(*got, want, 1e-9), "{form:?} {got} {want}");
            }
        }
    }

    /// The fit of `form` on AirPassengers at season `m`, through the public entry point.
    fn air(method: super::super::Method, m: usize) -> super::super::Forecast {
        let options = super::super::ForecastOptions { season_length: m, ..super::super::ForecastOptions::new(12) };
        super::super::forecast(&AIR, method, &options).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn param(f: &super::super::Forecast, name: &str) -> f64 {
        f.params.iter().find(|(n, _)| n == name).map_or(f64::NAN, |(_, v)| *v)
    }

    /// Asserts the forecasts agree with statsforecast's to `relative`.
    fn assert_forecasts(f: &super::super::Forecast, want: &[f64], relative: f64) {
        for (step, (got, want)) in f.mean.iter().zip(want).enumerate() {
            assert!(close(*got, *want, relative), "{}: step {}: {got} vs statsforecast {want}", f.model, step + 1);
        }
    }

    // statsforecast 2.1.1, `auto_ces(AIR, m, model=form)` then `forecast_ces(fit, 12)["mean"]`
    // (as `AutoCES(season_length=m, model=form).fit(AIR).predict(12)`).
    const SF_N: [f64; 12] = [
        425.4909760014,
        418.2376632986,
        417.2021931631,
        411.3090178967,
        409.318647909,
        404.3007436773,
        401.7368543333,
        397.2903964647,
        394.3911980117,
        390.3256516235,
        387.2397769754,
        383.4355028551,
    ];
    const SF_S: [f64; 12] = [
        445.9959190536,
        422.5180963964,
        480.0863150402,
        501.8883868553,
        523.1925198957,
        582.5258965219,
        680.0173396825,
        674.3641352307,
        568.9664146564,
        506.7554732616,
        441.774577389,
        494.7745368905,
    ];
    const SF_P: [f64; 12] = [
        452.3481792126,
        445.4566536468,
        493.0679798555,
        544.5513956038,
        531.8830132033,
        590.8364035761,
        668.3814380249,
        642.8337473793,
        539.4133752898,
        473.5585798212,
        396.972216268,
        454.5886143852,
    ];
    const SF_F: [f64; 12] = [
        453.018220471,
        429.3229176503,
        488.6276696006,
        500.2763761581,
        519.7828275456,
        586.4556074966,
        677.020785865,
        676.1678993109,
        563.6383163707,
        501.2504049122,
        435.9471987402,
        481.609156633,
    ];

    #[test]
    fn auto_ces_chooses_and_forecasts_as_statsforecast_on_air_passengers() {
        // AutoCES(season_length=12): statsforecast chooses F (AICc 1433.3607, alpha 1.27342 +
        // 1.00940i, beta 1.49967 + 1.13188i, sigma^2 141.7658). The optimisers stop at slightly
        // different points of a flat likelihood (ours 1.27641 + 1.00949i, 1.49998 + 1.13196i), which
        // moves the forecasts by under 0.11 %: asserted to 0.5 %, the AICc to 0.1, the
        // parameters to 1 %.
        let f = air(super::super::Method::AutoCes, 12);
        assert_eq!(f.model, "CES(F)");
        assert_forecasts(&f, &SF_F, 0.005);
        assert!((param(&f, "aicc") - 1433.3606881613962).abs() < 0.1, "{:?}", f.params);
        for (name, want) in [
            ("alpha_0", 1.27342365872632),
            ("alpha_1", 1.0094040578540509),
            ("beta_0", 1.4996704014704592),
            ("beta_1", 1.1318820823256803),
        ] {
            assert!(close(param(&f, name), want, 0.01), "{name}: {:?}", f.params);
        }
        // One step ahead the error's spread is sigma, sqrt(141.7657736703082).
        assert!(close(f.sd[0], 141.7657736703082f64.sqrt(), 0.005), "{:?}", f.sd);
        assert_eq!(f, air(super::super::Method::Ces(CesForm::F), 12));
    }

    #[test]
    fn each_form_forecasts_as_statsforecast_on_air_passengers() {
        // AutoCES(season_length=12, model="N"/"S"): alpha 1.8 (the bound) + 0.98393i, AICc
        // 1753.4377, sigma^2 1328.9589; alpha 1.8 + 1.19390i, AICc 1589.5174, sigma^2 425.7345. Ours
        // stop at 1.79999 + 0.98424i and 1.79999 + 1.19406i: the forecasts within 0.3 % (N) and
        // 0.02 % (S), asserted to 0.5 %.
        let n = air(super::super::Method::Ces(CesForm::N), 12);
        assert_eq!(n.model, "CES(N)");
        assert_forecasts(&n, &SF_N, 0.005);
        assert!((param(&n, "aicc") - 1753.437695197514).abs() < 0.1, "{:?}", n.params);
        assert!(close(n.sd[0], 1328.9588506959699f64.sqrt(), 0.005), "{:?}", n.sd);
        let s = air(super::super::Method::Ces(CesForm::S), 12);
        assert_eq!(s.model, "CES(S)");
        assert_forecasts(&s, &SF_S, 0.005);
        assert!((param(&s, "aicc") - 1589.5174439283535).abs() < 0.1, "{:?}", s.params);
        assert!(close(s.sd[0], 425.73454463018396f64.sqrt(), 0.005), "{:?}", s.sd);
        // Season 1: every form, and AutoCES, is N (statsforecast: the same fit as above).
        for method in [super::super::Method::AutoCes, super::super::Method::Ces(CesForm::F)] {
            let one = air(method, 1);
            assert_eq!(one.model, "CES(N)");
            assert_forecasts(&one, &SF_N, 0.005);
        }
    }

    #[test]
    fn partial_form_finds_a_better_optimum_than_statsforecast_on_air_passengers() {
        // AutoCES(season_length=12, model="P"): statsforecast stops after 65 iterations at alpha
        // 1.8 (the bound) + 1.00787i, beta 0.72582, AICc 1490.6441, whose likelihood n log(SSE) is
        // 1482.3563 (its own `pegelsresid_ces` at those parameters); our search goes on to
        // 1.35500 + 1.00887i, beta 0.89458, of likelihood 1427.1207 by statsforecast's own
        // arithmetic (AICc 1435.41). Its forecasts then differ by up to 7 %; at statsforecast's
        // parameters ours reproduce its forecasts to rounding.
        let p = air(super::super::Method::Ces(CesForm::P), 12);
        assert_eq!(p.model, "CES(P)");
        assert!(param(&p, "aicc") < 1490.64405598954 - 50.0, "{:?}", p.params);
        let theirs = Ces {
            form: CesForm::P,
            lag: 12,
            p: Smoothing::from_values(&[1.8, 1.0078683310352061, 0.7258207103754214]),
        };
        let mut states = Vec::new();
        let sse = theirs.run(&AIR, &initial_states(&AIR, CesForm::P, 12), &mut states, None);
        assert!(close(likelihood(AIR.len(), sse), 1482.3562862053673, 1e-9));
        let mean = theirs.forecasts(&states, AIR.len(), 12);
        for (got, want) in mean.iter().zip(&SF_P) {
            assert!(close(*got, *want, 1e-6), "{got} {want}");
        }
    }

    #[test]
    fn names_and_forms_read_as_statsforecast_writes_them() -> Result<(), serde_json::Error> {
        assert_eq!(super::super::Method::from_name("auto_ces").ok(), Some(super::super::Method::AutoCes));
        assert_eq!(serde_json::to_string(&CesForm::P)?, "\"P\"");
        let method: super::super::Method = serde_json::from_str(r#"{"ces":"F"}"#)?;
        assert_eq!(method, super::super::Method::Ces(CesForm::F));
        Ok(())
    }

    #[test]
    fn short_constant_and_zero_series_give_finite_forecasts() {
        let options = |m| super::super::ForecastOptions {
            season_length: m,
            levels: vec![80.0, 95.0],
            ..super::super::ForecastOptions::new(14)
        };
        let series: [&[f64]; 7] = [
            &[5.0],
            &[1.0, 2.0],
            &[3.0, 3.0, 3.0],
            &[0.0; 30],
            &[7.0; 40],
            &[1.0, 2.0, 3.0, 4.0],
            &[1.0, 2.0, 3.0, 4.0, 5.0],
        ];
        for y in series {
            for m in [1, 2, 12] {
                for method in [
                    super::super::Method::AutoCes,
                    super::super::Method::Ces(CesForm::F),
                    super::super::Method::Ces(CesForm::S),
                ] {
                    let f = super::super::forecast(y, method, &options(m)).unwrap_or_else(|e| unreachable!("{e}"));
                    assert!(f.mean.iter().chain(&f.sd).chain(&f.fitted).all(|v| v.is_finite()), "{y:?} {m} {f:?}");
                }
            }
        }
        // A constant series is forecast as itself.
        let f = super::super::forecast(&[7.0; 40], super::super::Method::AutoCes, &options(12))
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(f.mean.iter().all(|v| (v - 7.0).abs() < 1e-6), "{f:?}");
    }

    /// The series of a long `unique_id,ds,y` file, in order of appearance.
    fn read_panel(path: &str) -> Vec<(String, Vec<f64>)> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut series: Vec<(String, Vec<f64>)> = Vec::new();
        for line in text.lines().skip(1) {
            let mut fields = line.split(',');
            let (Some(id), Some(_), Some(value)) = (fields.next(), fields.next(), fields.next()) else { continue };
            let Ok(value) = value.parse::<f64>() else { continue };
            match series.last_mut() {
                Some((last, values)) if last == id => values.push(value),
                _ => series.push((id.to_owned(), vec![value])),
            }
        }
        series
    }

    #[test]
    #[ignore = "measures accuracy and time on the tourism monthly training data: run by hand"]
    fn tourism_monthly_accuracy_and_time() {
        // The last 24 values of each series of the training part held out, AutoCES at season 12 on
        // the rest; sMAPE (percent) averaged over the series, and the time of the fits. Measured
        // (debug profile, one thread): sMAPE 25.45 in 1.2 s; statsforecast 2.1.1's
        // `StatsForecast([AutoCES(season_length=12)], freq="MS", n_jobs=1).forecast(h=24)` 25.30
        // in 6.3 s.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/tourism_monthly_train.csv");
        let panel = read_panel(path);
        assert!(!panel.is_empty(), "no data at {path}");
        let started = std::time::Instant::now();
        let mut total = 0.0;
        let mut chosen = [0usize; 5];
        let mut criteria = 0.0;
        for (_, y) in &panel {
            let (train, test) = y.split_at(y.len().saturating_sub(24));
            let fit = ces(train, None, 12, 24);
            let form = fit.params.iter().find(|(n, _)| n == "form").map_or(4, |(_, v)| *v as usize);
            chosen[form.min(4)] += 1;
            criteria += fit.params.iter().find(|(n, _)| n == "aicc").map_or(f64::NAN, |(_, v)| *v);
            total += super::super::smape(test, &fit.mean).unwrap_or(f64::NAN);
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "AutoCES on {} series: sMAPE {:.3}, {seconds:.2} s; forms chosen N/S/P/F/other {chosen:?}, mean AICc {:.3}",
            panel.len(),
            total / panel.len() as f64,
            criteria / panel.len() as f64
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..proptest::prelude::ProptestConfig::default() })]

        #[test]
        fn forecasts_are_finite_and_intervals_nested(
            y in proptest::collection::vec(-1e4f64..1e4, 1..60),
            m in proptest::sample::select(vec![1usize, 2, 4, 12]),
            which in 0usize..5,
        ) {
            let method = CesForm::ALL.get(which).map_or(super::super::Method::AutoCes, |f| super::super::Method::Ces(*f));
            let options = super::super::ForecastOptions { season_length: m, levels: vec![80.0, 95.0], ..super::super::ForecastOptions::new(24) };
            let f = super::super::forecast(&y, method, &options).unwrap_or_else(|e| unreachable!("{e}"));
            proptest::prop_assert!(f.mean.iter().chain(&f.sd).chain(&f.fitted).all(|v| v.is_finite()), "{:?}", f);
            let (eighty, ninety_five) = (&f.intervals[0], &f.intervals[1]);
            for k in 0..24 {
                proptest::prop_assert!(ninety_five.lower[k] <= eighty.lower[k] && eighty.upper[k] <= ninety_five.upper[k]);
            }
        }
    }
}
