//! ETS: exponential smoothing state-space models (Hyndman, Koehler, Ord & Snyder, 2008) with
//! additive or multiplicative errors, no, additive or damped trend, and no, additive or
//! multiplicative seasonality, fitted by maximum likelihood, and AutoETS choosing among them by
//! AICc as R's `forecast::ets` and statsforecast's AutoETS do.
//!
//! Conventions (FORECASTING.md): parameters within the "usual" bounds alpha, beta, gamma in
//! [1e-4, 0.9999], phi in [0.8, 0.98], beta <= alpha, gamma <= 1 - alpha, and on seasonal data
//! the narrower box of beta statsforecast uses in effect ([`beta_ceiling`]); the likelihood is
//! `n log(SSE)` (plus `2 sum log|mu|` for multiplicative errors); initial level and trend are
//! estimated with the smoothing parameters from a heuristic start, the initial seasonal indices
//! come from a decomposition of the first seasons; AICc counts the smoothing parameters, the
//! estimated initial states and the error variance. Multiplicative components need strictly
//! positive data; "restricted" models (additive errors with multiplicative seasonality) are left
//! out; seasonal models need a season of at most 24 and at least two full seasons.

use super::models::Fit;
use super::optimize::minimise;

/// Error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ErrorType {
    /// Additive.
    A,
    /// Multiplicative.
    M,
}

/// Trend type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TrendType {
    /// None.
    N,
    /// Additive.
    A,
    /// Additive damped.
    Ad,
}

/// Season type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SeasonType {
    /// None.
    N,
    /// Additive.
    A,
    /// Multiplicative.
    M,
}

/// One ETS model form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct EtsSpec {
    /// Errors.
    pub error: ErrorType,
    /// Trend.
    pub trend: TrendType,
    /// Season.
    pub season: SeasonType,
}

impl EtsSpec {
    /// The model's name as R prints it: `ETS(M,Ad,M)`.
    pub fn name(&self) -> String {
        let e = match self.error {
            ErrorType::A => "A",
            ErrorType::M => "M",
        };
        let t = match self.trend {
            TrendType::N => "N",
            TrendType::A => "A",
            TrendType::Ad => "Ad",
        };
        let s = match self.season {
            SeasonType::N => "N",
            SeasonType::A => "A",
            SeasonType::M => "M",
        };
        format!("ETS({e},{t},{s})")
    }

    fn has_trend(&self) -> bool {
        self.trend != TrendType::N
    }

    fn seasonal(&self) -> bool {
        self.season != SeasonType::N
    }
}

/// Which ETS forms an AutoETS search may choose, each component fixed or left free: the
/// three-letter `model` of R's `ets` and statsforecast's `AutoETS` (`"ZZZ"`: all free; `"AAN"`:
/// additive errors and trend, no season; `"ZZN"`: any non-seasonal form) with their `damped`
/// (`None`: both).
///
/// ```
/// use omo_core::forecast::{ErrorType, EtsPattern, SeasonType};
/// let holt = EtsPattern::parse("AAN", None)?;
/// assert_eq!(holt.error, Some(ErrorType::A));
/// assert_eq!(holt.season, Some(SeasonType::N));
/// assert!(EtsPattern::parse("AMN", None).is_err()); // multiplicative trends are not offered
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "PatternText", into = "PatternText")]
pub struct EtsPattern {
    /// The error type, or `None` for either.
    pub error: Option<ErrorType>,
    /// Whether there is a trend, or `None` for either.
    pub trend: Option<bool>,
    /// The season type, or `None` for any.
    pub season: Option<SeasonType>,
    /// Whether a trend is damped, or `None` for either.
    pub damped: Option<bool>,
}

impl EtsPattern {
    /// The pattern of a three-letter model (`Z` free, `N` none, `A` additive, `M`
    /// multiplicative; a trend can be `Z`, `N` or `A`) and `damped`. Errors name the letter, or
    /// a damped trend asked of a model without one.
    pub fn parse(model: &str, damped: Option<bool>) -> crate::Result<EtsPattern> {
        let invalid = |message: String| crate::OmoError::InvalidArgument { name: "model", message };
        let letters: Vec<char> = model.chars().collect();
        let [e, t, s] = letters[..] else {
            return Err(invalid(format!("{model:?} is not three letters (error, trend, season), e.g. \"ZZZ\"")));
        };
        let error = match e {
            'Z' => None,
            'A' => Some(ErrorType::A),
            'M' => Some(ErrorType::M),
            other => return Err(invalid(format!("error type {other:?} of {model:?} is not Z, A or M"))),
        };
        let trend = match t {
            'Z' => None,
            'N' => Some(false),
            'A' => Some(true),
            'M' => return Err(invalid(format!("{model:?}: multiplicative trends are not offered (use Z, N or A)"))),
            other => return Err(invalid(format!("trend type {other:?} of {model:?} is not Z, N or A"))),
        };
        let season = match s {
            'Z' => None,
            'N' => Some(SeasonType::N),
            'A' => Some(SeasonType::A),
            'M' => Some(SeasonType::M),
            other => return Err(invalid(format!("season type {other:?} of {model:?} is not Z, N, A or M"))),
        };
        if damped == Some(true) && trend == Some(false) {
            return Err(invalid(format!("{model:?} has no trend to damp")));
        }
        Ok(EtsPattern { error, trend, season, damped })
    }

    /// The three letters of the pattern (`"ZZZ"`, `"AAN"`).
    pub fn model(&self) -> String {
        let error = match self.error {
            None => 'Z',
            Some(ErrorType::A) => 'A',
            Some(ErrorType::M) => 'M',
        };
        let trend = match self.trend {
            None => 'Z',
            Some(false) => 'N',
            Some(true) => 'A',
        };
        let season = match self.season {
            None => 'Z',
            Some(SeasonType::N) => 'N',
            Some(SeasonType::A) => 'A',
            Some(SeasonType::M) => 'M',
        };
        [error, trend, season].iter().collect()
    }

    /// Whether the pattern asks for a season (additive or multiplicative).
    pub fn is_seasonal(&self) -> bool {
        matches!(self.season, Some(SeasonType::A | SeasonType::M))
    }

    /// Whether `spec` is one of the pattern's forms.
    pub fn allows(&self, spec: &EtsSpec) -> bool {
        let damped = spec.trend == TrendType::Ad;
        self.error.is_none_or(|e| e == spec.error)
            && self.trend.is_none_or(|t| t == spec.has_trend())
            && self.season.is_none_or(|s| s == spec.season)
            // A damped pattern asks for a trend to damp, as in R's search.
            && self.damped.is_none_or(|d| if spec.has_trend() { d == damped } else { !d })
    }
}

/// The JSON form of an [`EtsPattern`]: `{"model": "ZZZ", "damped": null}`, read through
/// [`EtsPattern::parse`] so that a bad letter is refused by name.
#[derive(serde::Serialize, serde::Deserialize)]
struct PatternText {
    model: String,
    #[serde(default)]
    damped: Option<bool>,
}

impl TryFrom<PatternText> for EtsPattern {
    type Error = crate::OmoError;

    fn try_from(text: PatternText) -> crate::Result<EtsPattern> {
        EtsPattern::parse(&text.model, text.damped)
    }
}

impl From<EtsPattern> for PatternText {
    fn from(pattern: EtsPattern) -> PatternText {
        PatternText { model: pattern.model(), damped: pattern.damped }
    }
}

/// Smoothing parameters and initial states.
#[derive(Debug, Clone, PartialEq)]
struct Params {
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
    level: f64,
    trend: f64,
    season: Vec<f64>,
}

/// Runs the model over `y`: the one-step forecasts (collected only when `fitted` is given, so the
/// optimiser's many runs allocate nothing), the likelihood term, and the final states. The form
/// is dispatched once to a copy of the loop compiled for it, so the loop itself never branches
/// on the model form.
fn filter(y: &[f64], spec: EtsSpec, p: &Params, m: usize, fitted: Option<&mut Vec<f64>>) -> Option<(f64, Params)> {
    const N: u8 = 0;
    const A: u8 = 1;
    const M: u8 = 2;
    let season = match spec.season {
        SeasonType::N => N,
        SeasonType::A => A,
        SeasonType::M => M,
    };
    match (spec.error, season) {
        (ErrorType::A, N) => filter_form::<false, N>(y, spec, p, m, fitted),
        (ErrorType::A, A) => filter_form::<false, A>(y, spec, p, m, fitted),
        (ErrorType::A, _) => filter_form::<false, M>(y, spec, p, m, fitted),
        (ErrorType::M, N) => filter_form::<true, N>(y, spec, p, m, fitted),
        (ErrorType::M, A) => filter_form::<true, A>(y, spec, p, m, fitted),
        (ErrorType::M, _) => filter_form::<true, M>(y, spec, p, m, fitted),
    }
}

/// [`filter`] for one error type (`MULTIPLICATIVE`) and season type (`SEASON`: 0 none, 1
/// additive, 2 multiplicative).
fn filter_form<const MULTIPLICATIVE: bool, const SEASON: u8>(
    y: &[f64],
    spec: EtsSpec,
    p: &Params,
    m: usize,
    mut fitted: Option<&mut Vec<f64>>,
) -> Option<(f64, Params)> {
    let (mut l, mut b) = (p.level, if spec.has_trend() { p.trend } else { 0.0 });
    let phi = match spec.trend {
        TrendType::Ad => p.phi,
        _ => 1.0,
    };
    let mut s = p.season.clone();
    // Sum of log|mu| for multiplicative errors, taken as the log of running products of 16
    // values at a time (one logarithm per 16 steps).
    let (mut sse, mut log_mu, mut product, mut in_product) = (0.0, 0.0, 1.0f64, 0u32);
    let seasonal = SEASON != 0 && m > 0;
    // The seasonal slot of the current period, advanced without a division per step.
    let mut k = 0usize;
    for &value in y {
        let a = l + phi * b;
        let old = if seasonal { s.get(k).copied().unwrap_or(0.0) } else { 0.0 };
        let mu = match SEASON {
            0 => a,
            1 => a + old,
            _ => a * old,
        };
        // A multiplicative error needs a positive forecast; anything non-finite shows in the
        // likelihood, checked once at the end.
        if MULTIPLICATIVE && mu <= 0.0 {
            return None;
        }
        if let Some(out) = fitted.as_mut() {
            out.push(mu);
        }
        let e = if MULTIPLICATIVE { (value - mu) / mu } else { value - mu };
        // The error-correction forms of Hyndman et al. (2008), table 2.3.
        let (level_step, trend_step, season_step) = match (MULTIPLICATIVE, SEASON) {
            (false, 0 | 1) => (e, e, e),
            (false, _) => (e / old, e / old, e / a),
            (true, 0) => (a * e, a * e, 0.0),
            (true, 1) => (mu * e, mu * e, mu * e),
            (true, _) => (a * e, a * e, old * e),
        };
        l = a + p.alpha * level_step;
        b = phi * b + p.beta * trend_step;
        if seasonal {
            if let Some(slot) = s.get_mut(k) {
                *slot = old + p.gamma * season_step;
            }
            k += 1;
            if k == m {
                k = 0;
            }
        }
        sse += e * e;
        if MULTIPLICATIVE {
            product *= mu.abs();
            in_product += 1;
            if in_product == 16 || !(1e-200..1e200).contains(&product) {
                log_mu += product.ln();
                (product, in_product) = (1.0, 0);
            }
        }
    }
    log_mu += product.ln();
    let n = y.len() as f64;
    let lik = n * (sse / n).max(1e-300).ln() + 2.0 * log_mu;
    if !(lik.is_finite() && l.is_finite() && b.is_finite()) {
        return None;
    }
    Some((lik, Params { level: l, trend: b, season: s, ..p.clone() }))
}

/// Heuristic initial states: level and trend from the first seasons' means, seasonal indices
/// from the first seasons detrended (Hyndman et al. 2008, section 2.6.1, simplified).
fn initial_states(y: &[f64], spec: EtsSpec, m: usize) -> (f64, f64, Vec<f64>) {
    let period = if spec.seasonal() { m } else { 1 };
    let first: f64 = y.iter().take(period).sum::<f64>() / period.min(y.len()).max(1) as f64;
    let second_slice: Vec<f64> = y.iter().skip(period).take(period).copied().collect();
    let trend = if spec.has_trend() && !second_slice.is_empty() {
        (second_slice.iter().sum::<f64>() / second_slice.len() as f64 - first) / period as f64
    } else {
        0.0
    };
    let season: Vec<f64> = if spec.seasonal() {
        let raw: Vec<f64> = (0..m)
            .map(|i| {
                let values: Vec<f64> = y.iter().skip(i).step_by(m).take(2).copied().collect();
                let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
                match spec.season {
                    SeasonType::M => mean / first.max(1e-9),
                    _ => mean - first,
                }
            })
            .collect();
        let centre = raw.iter().sum::<f64>() / m as f64;
        raw.iter().map(|v| if spec.season == SeasonType::M { v / centre } else { v - centre }).collect()
    } else {
        Vec::new()
    };
    // The state before the first observation.
    (first - trend * (period as f64 + 1.0) / 2.0 + trend, trend, season)
}

/// The largest trend smoothing `beta` may take (besides `beta <= alpha`) on a series long enough
/// for seasonal forms: 0.2 of its range for the additive-error non-seasonal trends, and a season's
/// share of that (0.2 / m) for every other trended form; no box of its own without a season.
/// With a season this is the box statsforecast's AutoETS ends up using (its starting-value rule
/// narrows a bound shared by all the forms it tries, in its loop order;
/// docs/research/ets-vs-statsforecast.md), and the slow trend it imposes is most of its accuracy
/// on monthly data. Chosen on the training parts only (sMAPE, last h held out, then the h before
/// them): M1 monthly 19.33 -> 18.01 and 17.86 -> 17.74, tourism monthly 24.72 -> 24.53 and 24.05
/// -> 23.92, M4 weekly summed to 4-week periods (m = 13) 9.39 -> 9.24; on M4 weekly without a
/// season (m = 1) the same 0.2 box cost 8.39 -> 8.48, hence none there.
fn beta_ceiling(spec: EtsSpec, m: usize, n: usize) -> f64 {
    const LOW: f64 = 1e-4;
    const WIDTH: f64 = 0.9999 - LOW;
    let seasonal_candidates = (2..=24).contains(&m) && n >= 2 * m;
    if !seasonal_candidates {
        1.0
    } else if spec.error == ErrorType::A && !spec.seasonal() {
        LOW + 0.2 * WIDTH
    } else {
        LOW + 0.2 * WIDTH / m as f64
    }
}

/// A fitted ETS model.
#[derive(Debug, Clone)]
pub(crate) struct EtsFit {
    pub aicc: f64,
    pub fit: Fit,
}

/// Fits one ETS form by maximum likelihood; `None` when the form does not suit the data.
pub(crate) fn fit_ets(y: &[f64], spec: EtsSpec, m: usize, h: usize) -> Option<EtsFit> {
    let positive = y.iter().all(|v| *v > 0.0);
    if (spec.error == ErrorType::M || spec.season == SeasonType::M) && !positive {
        return None;
    }
    if spec.seasonal() && (!(2..=24).contains(&m) || y.len() < 2 * m) {
        return None;
    }
    let (l0, b0, s0) = initial_states(y, spec, m);
    let beta_ceiling = beta_ceiling(spec, m, y.len());
    let scale = y.iter().map(|v| v.abs()).fold(0.0, f64::max).max(1.0);
    // Free parameters: alpha, beta share of alpha, gamma share of 1 - alpha, phi, l0, b0.
    let mut start = vec![0.3];
    let mut low = vec![1e-4];
    let mut high = vec![0.9999];
    if spec.has_trend() {
        start.push(0.1);
        low.push(1e-4);
        high.push(0.9999);
    }
    if spec.seasonal() {
        start.push(0.1);
        low.push(1e-4);
        high.push(0.9999);
    }
    if spec.trend == TrendType::Ad {
        start.push(0.95);
        low.push(0.8);
        high.push(0.98);
    }
    start.push(l0);
    low.push(l0 - scale);
    high.push(l0 + scale);
    if spec.has_trend() {
        start.push(b0);
        low.push(b0 - scale / 10.0);
        high.push(b0 + scale / 10.0);
    }
    let unpack = |x: &[f64]| -> Params {
        let mut i = 0;
        let mut next = || {
            let v = x.get(i).copied().unwrap_or(0.0);
            i += 1;
            v
        };
        let alpha = next();
        let beta = if spec.has_trend() { alpha.min(beta_ceiling) * next() } else { 0.0 };
        let gamma = if spec.seasonal() { (1.0 - alpha) * next() } else { 0.0 };
        let phi = if spec.trend == TrendType::Ad { next() } else { 1.0 };
        let level = next();
        let trend = if spec.has_trend() { next() } else { 0.0 };
        Params { alpha, beta, gamma, phi, level, trend, season: s0.clone() }
    };
    let objective = |x: &[f64]| filter(y, spec, &unpack(x), m, None).map_or(f64::INFINITY, |(lik, _)| lik);
    let (best, lik) = minimise(objective, &start, &low, &high, 2000);
    if !lik.is_finite() {
        return None;
    }
    let params = unpack(&best);
    let mut fitted = Vec::with_capacity(y.len());
    let (_, last) = filter(y, spec, &params, m, Some(&mut fitted))?;
    let n = y.len() as f64;
    let k = (best.len() + if spec.seasonal() { m - 1 } else { 0 } + 1) as f64;
    let aic = lik + 2.0 * k;
    let aicc = if n - k - 1.0 > 0.0 { aic + 2.0 * k * (k + 1.0) / (n - k - 1.0) } else { f64::INFINITY };
    let mean = point_forecasts(spec, &last, m, y.len(), h);
    let sigma = residual_scale(y, &fitted, spec.error);
    let sd = error_sd(spec, &params, m, &mean, sigma, h);
    let mut named = vec![("alpha".to_owned(), params.alpha)];
    if spec.has_trend() {
        named.push(("beta".into(), params.beta));
    }
    if spec.seasonal() {
        named.push(("gamma".into(), params.gamma));
    }
    if spec.trend == TrendType::Ad {
        named.push(("phi".into(), params.phi));
    }
    named.push(("aicc".into(), aicc));
    Some(EtsFit { aicc, fit: Fit { name: spec.name(), mean, fitted, sd, params: named } })
}

fn point_forecasts(spec: EtsSpec, last: &Params, m: usize, n: usize, h: usize) -> Vec<f64> {
    let phi = if spec.trend == TrendType::Ad { last.phi } else { 1.0 };
    let mut phi_sum = 0.0;
    (1..=h)
        .map(|k| {
            phi_sum += if spec.has_trend() { phi.powi(k as i32) } else { 0.0 };
            let a = last.level + phi_sum * last.trend;
            let s = if m > 0 { last.season.get((n + k - 1) % m).copied().unwrap_or(0.0) } else { 0.0 };
            match spec.season {
                SeasonType::N => a,
                SeasonType::A => a + s,
                SeasonType::M => a * s,
            }
        })
        .collect()
}

/// The residual scale: sd of additive errors, or of relative errors for multiplicative ones.
fn residual_scale(y: &[f64], fitted: &[f64], error: ErrorType) -> f64 {
    let errors: Vec<f64> = y
        .iter()
        .zip(fitted)
        .map(|(v, f)| match error {
            ErrorType::A => v - f,
            ErrorType::M => (v - f) / f,
        })
        .collect();
    (errors.iter().map(|e| e * e).sum::<f64>() / errors.len().max(1) as f64).sqrt()
}

/// h-step standard deviations: the class-1 (linear) variance `sigma^2 (1 + sum c_j^2)` with
/// `c_j = alpha + beta phi_j + gamma [j mod m = 0]`; for multiplicative errors, applied to
/// relative errors and scaled by the point forecast (an approximation).
fn error_sd(spec: EtsSpec, p: &Params, m: usize, mean: &[f64], sigma: f64, h: usize) -> Vec<f64> {
    let mut sum = 0.0;
    let mut phi_j = 0.0;
    (1..=h)
        .map(|k| {
            if k > 1 {
                let j = k - 1;
                phi_j += if spec.trend == TrendType::Ad { p.phi.powi(j as i32) } else { 1.0 };
                let seasonal = if spec.seasonal() && m > 0 && j % m == 0 { p.gamma } else { 0.0 };
                let c = p.alpha + if spec.has_trend() { p.beta * phi_j } else { 0.0 } + seasonal;
                sum += c * c;
            }
            let base = sigma * (1.0 + sum).sqrt();
            match spec.error {
                ErrorType::A => base,
                ErrorType::M => base * mean.get(k - 1).copied().unwrap_or(0.0).abs(),
            }
        })
        .collect()
}

/// Every form AutoETS considers for the data (see the module documentation).
pub(crate) fn candidates(y: &[f64], m: usize) -> Vec<EtsSpec> {
    let positive = y.iter().all(|v| *v > 0.0);
    let errors: &[ErrorType] = if positive { &[ErrorType::A, ErrorType::M] } else { &[ErrorType::A] };
    let seasons: Vec<SeasonType> = match ((2..=24).contains(&m) && y.len() >= 2 * m, positive) {
        (true, true) => vec![SeasonType::N, SeasonType::A, SeasonType::M],
        (true, false) => vec![SeasonType::N, SeasonType::A],
        _ => vec![SeasonType::N],
    };
    let mut out = Vec::new();
    for &error in errors {
        for trend in [TrendType::N, TrendType::A, TrendType::Ad] {
            for &season in &seasons {
                if error == ErrorType::A && season == SeasonType::M {
                    continue;
                }
                out.push(EtsSpec { error, trend, season });
            }
        }
    }
    out
}

/// AutoETS: the candidate with the lowest AICc; `None` when none fits (the caller falls back).
pub(crate) fn auto_ets(y: &[f64], m: usize, h: usize) -> Option<EtsFit> {
    auto_ets_of(y, m, h, EtsPattern::default())
}

/// AutoETS among the candidates `pattern` allows: the lowest AICc; `None` when none fits.
pub(crate) fn auto_ets_of(y: &[f64], m: usize, h: usize, pattern: EtsPattern) -> Option<EtsFit> {
    candidates(y, m)
        .into_iter()
        .filter(|spec| pattern.allows(spec))
        .filter_map(|spec| fit_ets(y, spec, m, h))
        .min_by(|a, b| a.aicc.total_cmp(&b.aicc))
}
