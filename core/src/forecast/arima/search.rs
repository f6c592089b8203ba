//! The automatic choice of an ARIMA model (Hyndman & Khandakar 2008), with the defaults of
//! statsforecast's `AutoARIMA` (a port of R forecast's `auto.arima`):
//!
//! - d: KPSS tests (level stationarity, lag truncation floor(3 sqrt(n) / 13), 5 % level: a
//!   statistic above 0.463) repeated on the differences, at most 2 (`ndiffs`). As statsforecast
//!   does, each difference after the first test also drops its first value.
//! - D (m > 1, more than 2 m values): one seasonal difference when the seasonal strength of an
//!   STL decomposition exceeds 0.64 (`nsdiffs` with `test="seas"`), at most 1.
//! - Orders: p, q at most 5 and a third of the series (and below m when seasonal), P, Q at most 2
//!   and a third of the number of seasons; the stepwise search from (2,d,2)(1,D,1) ((1,d,1)(0,D,0)
//!   below 10 values), (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1) and, with a constant, the
//!   same without, then moves of P, Q, p, q by one (and both together), and the constant
//!   switched, until no neighbour improves or 94 models were fitted.
//! - The criterion: AICc (AIC at 3 values or fewer), with a model's AICc made infinite when a
//!   root of its AR or MA polynomial (of two or more terms) lies within 1.01 of the unit circle.
//! - A constant (a mean with d + D = 0, a drift with d + D = 1) is allowed; none with d + D = 2.
//! - A constant series gets its mean; a series whose differences are constant gets the model
//!   that reproduces them exactly (statsforecast's special cases).
//! - With regressors, d and D are chosen on the residuals of their least-squares fit.

use super::fit::{Estimation, Fitted, difference, fit, least_squares};
use super::model::{Orders, roots_outside};
use super::stl::seasonal_strength;

/// The constant term of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Term {
    None,
    Intercept,
    Drift,
}

/// A model fitted and scored.
#[derive(Debug, Clone)]
pub(super) struct Scored {
    pub fitted: Fitted,
    pub term: Term,
    pub aicc: f64,
    pub ic: f64,
}

/// The search's limits and criterion (statsforecast's `AutoARIMA` defaults).
#[derive(Debug, Clone, Copy)]
pub(super) struct SearchSpec {
    pub max_p: usize,
    pub max_q: usize,
    pub max_sp: usize,
    pub max_sq: usize,
    pub start_p: usize,
    pub start_q: usize,
    pub start_sp: usize,
    pub start_sq: usize,
    pub max_models: usize,
    /// How each candidate is estimated.
    pub estimation: Estimation,
}

impl Default for SearchSpec {
    fn default() -> Self {
        SearchSpec {
            max_p: 5,
            max_q: 5,
            max_sp: 2,
            max_sq: 2,
            start_p: 2,
            start_q: 2,
            start_sp: 1,
            start_sq: 1,
            max_models: 94,
            estimation: Estimation::Statsforecast,
        }
    }
}

/// Whether every value equals the first.
pub(super) fn is_constant(x: &[f64]) -> bool {
    x.iter().all(|v| *v == x[0])
}

/// The KPSS statistic for level stationarity with `lags` Bartlett-weighted autocovariances.
pub(super) fn kpss_statistic(x: &[f64], lags: usize) -> f64 {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let e: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let mut cumulative = 0.0;
    let eta = e
        .iter()
        .map(|v| {
            cumulative += v;
            cumulative * cumulative
        })
        .sum::<f64>()
        / (n * n) as f64;
    let mut s = e.iter().map(|v| v * v).sum::<f64>();
    for lag in 1..=lags.min(n.saturating_sub(1)) {
        let product: f64 = e[lag..].iter().zip(&e[..n - lag]).map(|(a, b)| a * b).sum();
        s += 2.0 * product * (1.0 - lag as f64 / (lags as f64 + 1.0));
    }
    eta / (s / n as f64)
}

/// Whether the KPSS test rejects level stationarity at 5 % (statsmodels' p-value below 0.05:
/// a statistic above the 5 % critical value 0.463).
fn kpss_rejects(x: &[f64]) -> bool {
    if x.len() < 2 {
        return false;
    }
    let lags = (3.0 * (x.len() as f64).sqrt() / 13.0).floor() as usize;
    kpss_statistic(x, lags) > 0.463
}

/// The number of first differences (at most `max_d`) by repeated KPSS tests.
pub(super) fn ndiffs(x: &[f64], max_d: usize) -> usize {
    let mut x: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if x.is_empty() || is_constant(&x) {
        return 0;
    }
    let mut d = 0;
    let mut reject = kpss_rejects(&x);
    while reject && d < max_d {
        d += 1;
        // statsforecast's ndiffs drops one more value after each difference.
        x = difference(&x, 1, 0, 1).into_iter().skip(1).collect();
        if x.is_empty() || is_constant(&x) {
            return d;
        }
        reject = kpss_rejects(&x);
    }
    d
}

/// The number of seasonal differences (0 or 1) by the seasonal-strength rule.
pub(super) fn nsdiffs(x: &[f64], m: usize) -> usize {
    if is_constant(x) || m < 2 || m >= x.len() || x.len() < 2 * m + 1 {
        return 0;
    }
    usize::from(seasonal_strength(x, m) > 0.64)
}

/// The regressor columns of a model: the constant term, then the caller's.
pub(super) fn design(n: usize, term: Term, user: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut columns = Vec::with_capacity(user.len() + 1);
    match term {
        Term::Intercept => columns.push(vec![1.0; n]),
        Term::Drift => columns.push((1..=n).map(|t| t as f64).collect()),
        Term::None => {}
    }
    columns.extend(user.iter().cloned());
    columns
}

/// The constant term a model with `constant` gets at these orders.
fn term_of(o: &Orders, constant: bool) -> Term {
    match (constant, o.d + o.sd) {
        (true, 0) => Term::Intercept,
        (true, 1) => Term::Drift,
        _ => Term::None,
    }
}

/// Fits and scores one candidate, as statsforecast's `myarima`: AICc (or AIC), sigma2 over
/// n - d - Dm - k, and an infinite criterion when a root is near the unit circle or when the
/// candidate has so many parameters that sigma2 is not a finite positive number (statsforecast
/// divides by zero there and forecasts with infinite intervals).
pub(super) fn score(
    y: &[f64],
    o: Orders,
    constant: bool,
    user: &[Vec<f64>],
    use_aic: bool,
    estimation: Estimation,
) -> Option<Scored> {
    let term = term_of(&o, constant);
    let xreg = design(y.len(), term, user);
    let mut fitted = fit(y, o, &xreg, estimation, None)?;
    let n = y.iter().filter(|v| v.is_finite()).count() as f64;
    let nstar = n - (o.d + o.sd * o.m) as f64;
    let npar = (fitted.coef.len() + 1) as f64;
    if !fitted.aic.is_finite() {
        return None;
    }
    let aicc = if nstar - npar - 1.0 != 0.0 {
        fitted.aic + 2.0 * npar * (npar + 1.0) / (nstar - npar - 1.0)
    } else {
        f64::INFINITY
    };
    let mut ic = if use_aic { fitted.aic } else { aicc };
    let ssr: f64 = fitted.residuals.iter().filter(|r| r.is_finite()).map(|r| r * r).sum();
    fitted.sigma2 = ssr / (nstar - npar + 1.0);
    if !(nstar - npar + 1.0 > 0.0 && fitted.sigma2.is_finite()) {
        // More parameters than values: no variance, so no intervals; not a candidate.
        ic = f64::INFINITY;
    }
    // Roots within 1.01 of the unit circle (polynomials of two or more terms, as statsforecast).
    let long = |c: &[f64]| c.iter().rposition(|v| v.abs() > 1e-8).is_some_and(|i| i > 0);
    let ar_bad = o.p + o.sp > 0 && long(&fitted.state.phi) && !roots_outside(&fitted.state.phi, 1.01);
    let ma: Vec<f64> = fitted.state.theta.iter().map(|t| -t).collect();
    let ma_bad = o.q + o.sq > 0 && ic.is_finite() && long(&ma) && !roots_outside(&ma, 1.01);
    if ar_bad || ma_bad {
        ic = f64::INFINITY;
    }
    Some(Scored { fitted, term, aicc, ic })
}

/// The automatic choice for `y` at season `m` with the caller's regressors `user` (columns as
/// long as `y`, none constant, not collinear); `None` when nothing can be fitted.
pub(super) fn auto_arima(y: &[f64], m: usize, user: &[Vec<f64>], spec: SearchSpec) -> Option<Scored> {
    let n = y.len();
    if n == 0 {
        return None;
    }
    let seasonal_m = m.max(1);
    if is_constant(y) && user.is_empty() {
        return constant_model(y, seasonal_m);
    }
    let mut max_p = spec.max_p.min(n / 3);
    let mut max_q = spec.max_q.min(n / 3);
    let mut max_sp = spec.max_sp.min(n / 3 / seasonal_m);
    let mut max_sq = spec.max_sq.min(n / 3 / seasonal_m);
    let use_aic = n <= 3;
    // d and D from the series, or from the residuals of the regression on the regressors.
    let xx = if user.is_empty() {
        y.to_vec()
    } else {
        let mut columns = vec![vec![1.0; n]];
        columns.extend(user.iter().cloned());
        let beta = least_squares(y, &columns)?;
        (0..n).map(|t| y[t] - columns.iter().zip(&beta).map(|(c, b)| c[t] * b).sum::<f64>()).collect()
    };
    let mut sd = 0;
    if seasonal_m == 1 {
        max_sp = 0;
        max_sq = 0;
    } else if xx.len() > 2 * seasonal_m {
        sd = nsdiffs(&xx, seasonal_m);
    }
    let dx = if sd > 0 { difference(&xx, 0, sd, seasonal_m) } else { xx.clone() };
    let mut d = ndiffs(&dx, 2);
    if d > 0 && !user.is_empty() {
        let constant_after = user.iter().any(|c| is_constant(&difference(c, d, sd, seasonal_m)));
        if constant_after {
            d -= 1;
        }
    }
    if d > 0 && difference(&dx, d, 0, 1).is_empty() {
        d -= 1;
    }
    let dx = difference(&dx, d, 0, 1);
    if dx.is_empty() {
        return None;
    }
    if is_constant(&dx) {
        return exact_model(y, d, sd, seasonal_m, &dx, user);
    }
    if seasonal_m > 1 {
        if max_p > 0 {
            max_p = max_p.min(seasonal_m - 1);
        }
        if max_q > 0 {
            max_q = max_q.min(seasonal_m - 1);
        }
    }
    let constant = (d + sd) <= 1;
    let limits = Limits { max_p, max_q, max_sp, max_sq };
    stepwise(y, d, sd, seasonal_m, constant, user, use_aic, limits, spec)
}

/// The largest orders the search may try.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_p: usize,
    max_q: usize,
    max_sp: usize,
    max_sq: usize,
}

/// A constant series: its mean, exactly, with no error.
fn constant_model(y: &[f64], m: usize) -> Option<Scored> {
    let o = Orders { p: 0, d: 0, q: 0, sp: 0, sd: 0, sq: 0, m };
    let xreg = design(y.len(), Term::Intercept, &[]);
    let mut fitted = fit(y, o, &xreg, Estimation::CssMl, Some(&[y[0]]))?;
    fitted.sigma2 = 0.0;
    Some(Scored { fitted, term: Term::Intercept, aicc: f64::NAN, ic: f64::NAN })
}

/// Differences that are constant: the model that reproduces them (statsforecast's special
/// cases: a drift or mean fixed at the differences' mean, or pure differencing).
fn exact_model(y: &[f64], d: usize, sd: usize, m: usize, dx: &[f64], user: &[Vec<f64>]) -> Option<Scored> {
    let o = Orders { p: 0, d, q: 0, sp: 0, sd, sq: 0, m };
    let mean = dx.iter().sum::<f64>() / dx.len() as f64;
    let (term, fixed) = if !user.is_empty() {
        (if d + sd == 0 { Term::Intercept } else { Term::None }, None)
    } else if d + sd >= 2 {
        (Term::None, None)
    } else if sd > 0 {
        (Term::Drift, Some(mean / m as f64))
    } else {
        (if d == 0 { Term::Intercept } else { Term::Drift }, Some(mean))
    };
    let xreg = design(y.len(), term, user);
    let mut fitted = match fixed {
        Some(c) => fit(y, o, &xreg, Estimation::CssMl, Some(&[c]))?,
        None => fit(y, o, &xreg, Estimation::CssMl, if xreg.is_empty() { Some(&[]) } else { None })?,
    };
    let nstar = (y.len() - (d + sd * m)) as f64;
    let npar = if fixed.is_some() || xreg.is_empty() { 1.0 } else { (xreg.len() + 1) as f64 };
    let ssr: f64 = fitted.residuals.iter().filter(|r| r.is_finite()).map(|r| r * r).sum();
    fitted.sigma2 = ssr / (nstar - npar + 1.0).max(1.0);
    Some(Scored { fitted, term, aicc: f64::NAN, ic: f64::NAN })
}

/// One row of the search's record: the orders, the constant, the criterion.
type Tried = (usize, usize, usize, usize, bool, f64);

/// The stepwise search (Hyndman & Khandakar 2008, section 3.2) in statsforecast's order of
/// moves.
#[allow(clippy::too_many_arguments)]
fn stepwise(
    y: &[f64],
    d: usize,
    sd: usize,
    m: usize,
    allow_constant: bool,
    user: &[Vec<f64>],
    use_aic: bool,
    lim: Limits,
    spec: SearchSpec,
) -> Option<Scored> {
    let n = y.len();
    let (mut start_p, mut start_q, mut start_sp, mut start_sq) =
        (spec.start_p, spec.start_q, spec.start_sp, spec.start_sq);
    if n < 10 {
        start_p = start_p.min(1);
        start_q = start_q.min(1);
        start_sp = 0;
        start_sq = 0;
    }
    let mut p = start_p.min(lim.max_p);
    let mut q = start_q.min(lim.max_q);
    let mut sp = start_sp.min(lim.max_sp);
    let mut sq = start_sq.min(lim.max_sq);
    let mut constant = allow_constant;
    let mut tried: Vec<Tried> = Vec::with_capacity(spec.max_models);
    let mut best: Option<Scored> = None;
    let best_ic = |best: &Option<Scored>| best.as_ref().map_or(f64::INFINITY, |b| b.ic);
    let attempt = |p: usize,
                   q: usize,
                   sp: usize,
                   sq: usize,
                   constant: bool,
                   tried: &mut Vec<Tried>,
                   best: &mut Option<Scored>|
     -> bool {
        let o = Orders { p, d, q, sp, sd, sq, m };
        let scored = score(y, o, constant, user, use_aic, spec.estimation);
        let ic = scored.as_ref().map_or(f64::INFINITY, |s| s.ic);
        tried.push((p, q, sp, sq, constant, ic));
        let improved = ic < best_ic(best);
        // The first model fitted stands as the best so far even when it failed.
        if improved || (best.is_none() && scored.is_some()) {
            *best = scored;
        }
        improved
    };
    attempt(p, q, sp, sq, constant, &mut tried, &mut best);
    if attempt(0, 0, 0, 0, constant, &mut tried, &mut best) {
        (p, q, sp, sq) = (0, 0, 0, 0);
    }
    if lim.max_p > 0 || lim.max_sp > 0 {
        let (p1, sp1) = (usize::from(lim.max_p > 0), usize::from(m > 1 && lim.max_sp > 0));
        if attempt(p1, 0, sp1, 0, constant, &mut tried, &mut best) {
            (p, q, sp, sq) = (p1, 0, sp1, 0);
        }
    }
    if lim.max_q > 0 || lim.max_sq > 0 {
        let (q1, sq1) = (usize::from(lim.max_q > 0), usize::from(m > 1 && lim.max_sq > 0));
        if attempt(0, q1, 0, sq1, constant, &mut tried, &mut best) {
            (p, q, sp, sq) = (0, q1, 0, sq1);
        }
    }
    if constant && attempt(0, 0, 0, 0, false, &mut tried, &mut best) {
        (p, q, sp, sq) = (0, 0, 0, 0);
        // statsforecast keeps the constant flag here; the next moves keep it too.
    }
    let is_new =
        |tried: &[Tried], c: (usize, usize, usize, usize, bool)| !tried.iter().any(|t| (t.0, t.1, t.2, t.3, t.4) == c);
    let mut start_count = 0;
    while start_count < tried.len() && tried.len() < spec.max_models {
        start_count = tried.len();
        // (dp, dq, dP, dQ) moves in statsforecast's order; constant switch last.
        let seasonal_moves: [(i32, i32); 8] = [(-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)];
        let mut moved = false;
        for (dsp, dsq) in seasonal_moves {
            let (nsp, nsq) = (sp as i32 + dsp, sq as i32 + dsq);
            if nsp < 0 || nsq < 0 || nsp as usize > lim.max_sp || nsq as usize > lim.max_sq {
                continue;
            }
            let cand = (p, q, nsp as usize, nsq as usize, constant);
            if tried.len() >= spec.max_models || !is_new(&tried, cand) {
                continue;
            }
            if attempt(cand.0, cand.1, cand.2, cand.3, constant, &mut tried, &mut best) {
                (sp, sq) = (cand.2, cand.3);
                moved = true;
                break;
            }
        }
        if moved {
            continue;
        }
        for (dp, dq) in seasonal_moves {
            let (np_, nq) = (p as i32 + dp, q as i32 + dq);
            if np_ < 0 || nq < 0 || np_ as usize > lim.max_p || nq as usize > lim.max_q {
                continue;
            }
            let cand = (np_ as usize, nq as usize, sp, sq, constant);
            if tried.len() >= spec.max_models || !is_new(&tried, cand) {
                continue;
            }
            if attempt(cand.0, cand.1, cand.2, cand.3, constant, &mut tried, &mut best) {
                (p, q) = (cand.0, cand.1);
                moved = true;
                break;
            }
        }
        if moved {
            continue;
        }
        if allow_constant
            && tried.len() < spec.max_models
            && is_new(&tried, (p, q, sp, sq, !constant))
            && attempt(p, q, sp, sq, !constant, &mut tried, &mut best)
        {
            constant = !constant;
        }
    }
    best.filter(|b| b.ic.is_finite())
}
