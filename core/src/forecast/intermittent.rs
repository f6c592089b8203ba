//! Intermittent demand: Croston, SBA and TSB, which smooth the sizes of demands and how often
//! they come, and ADIDA and IMAPA, which smooth the demand of buckets of several periods (temporal
//! aggregation) so that the zeros between demands disappear.
//!
//! ADIDA (Nikolopoulos, Syntetos, Boylan, Petropoulos & Assimakopoulos, 2011) sums the series in
//! buckets as long as the mean interval between demands, forecasts the bucket sums with simple
//! exponential smoothing and spreads the forecast evenly over a bucket's periods. IMAPA
//! (Petropoulos & Kourentzes, 2015) does so at every bucket length from one period to the mean
//! interval and averages the forecasts. Both follow statsforecast's conventions, so that their
//! forecasts can be compared: the mean interval counts from the start of the series to each
//! demand (the position of the last demand over the number of demands) and is rounded half to
//! even; the oldest periods that do not fill a bucket are dropped; the smoothing starts from the
//! first bucket and its parameter is chosen in [0.1, 0.3] by least squares.

use super::models::{Fit, residual_sd, sse};
use super::optimize::{golden_section, minimise};

/// Croston's method (and SBA, with the Syntetos-Boylan correction `1 - alpha / 2`): demand
/// sizes and inter-demand intervals smoothed separately with alpha 0.1, each from its first
/// value; the forecast is size over interval. A series without any demand forecasts zero.
pub(crate) fn croston(y: &[f64], h: usize, sba: bool) -> Fit {
    const ALPHA: f64 = 0.1;
    let correction = if sba { 1.0 - ALPHA / 2.0 } else { 1.0 };
    // (size, interval) smoothed over the demands seen so far.
    let mut state: Option<(f64, f64)> = None;
    let mut since = 0.0;
    let mut fitted = Vec::with_capacity(y.len());
    for &v in y {
        fitted.push(state.map_or(f64::NAN, |(size, interval)| correction * size / interval));
        since += 1.0;
        if v != 0.0 {
            state = Some(match state {
                None => (v, since),
                Some((size, interval)) => (size + ALPHA * (v - size), interval + ALPHA * (since - interval)),
            });
            since = 0.0;
        }
    }
    let sd = residual_sd(y, &fitted);
    Fit {
        name: if sba { "SBA".into() } else { "Croston".into() },
        mean: vec![state.map_or(0.0, |(size, interval)| correction * size / interval); h],
        fitted,
        sd: vec![sd; h],
        params: vec![("alpha".into(), ALPHA)],
    }
}

/// TSB (Teunter, Syntetos & Babai, 2011): the demand probability is updated every period
/// (`alpha_p`), the demand size only when there is demand (`alpha_d`); the forecast is their
/// product. Both smoothing parameters are fitted by least squares in [0.01, 0.5].
pub(crate) fn tsb(y: &[f64], h: usize) -> Fit {
    let Some(first) = y.iter().position(|v| *v != 0.0) else {
        return no_demand("TSB", y, h);
    };
    let run = |alpha_d: f64, alpha_p: f64| -> (Vec<f64>, f64) {
        let (mut size, mut probability) = (y[first], 1.0 / (first + 1) as f64);
        let mut fitted = Vec::with_capacity(y.len());
        for &v in y {
            fitted.push(size * probability);
            let demand = if v != 0.0 { 1.0 } else { 0.0 };
            probability += alpha_p * (demand - probability);
            if v != 0.0 {
                size += alpha_d * (v - size);
            }
        }
        (fitted, size * probability)
    };
    let (p, _) = minimise(|p| sse(y, &run(p[0], p[1]).0), &[0.1, 0.1], &[0.01, 0.01], &[0.5, 0.5], 300);
    let (fitted, rate) = run(p[0], p[1]);
    let sd = residual_sd(y, &fitted);
    Fit {
        name: "TSB".into(),
        mean: vec![rate; h],
        fitted,
        sd: vec![sd; h],
        params: vec![("alpha_d".into(), p[0]), ("alpha_p".into(), p[1])],
    }
}

/// ADIDA: the demand of buckets as long as the mean interval between demands, smoothed, per
/// period. Fitted values: each bucket's one-bucket-ahead forecast spread over its periods (NaN
/// before the second bucket).
pub(crate) fn adida(y: &[f64], h: usize) -> Fit {
    let Some(level) = aggregation_level(y) else {
        return no_demand("ADIDA", y, h);
    };
    let bucketed = Bucketed::fit(y, level);
    let sd = residual_sd(y, &bucketed.fitted);
    Fit {
        name: "ADIDA".into(),
        mean: vec![bucketed.rate; h],
        fitted: bucketed.fitted,
        sd: vec![sd; h],
        params: vec![("aggregation_level".into(), level as f64), ("alpha".into(), bucketed.alpha)],
    }
}

/// IMAPA: the mean of the ADIDA forecasts at every bucket length from one period to the mean
/// interval between demands. Fitted values: the mean of the levels' (NaN until every level has
/// one).
pub(crate) fn imapa(y: &[f64], h: usize) -> Fit {
    let Some(levels) = aggregation_level(y) else {
        return no_demand("IMAPA", y, h);
    };
    let fits: Vec<Bucketed> = (1..=levels).map(|level| Bucketed::fit(y, level)).collect();
    let k = levels as f64;
    let rate = fits.iter().map(|f| f.rate).sum::<f64>() / k;
    let fitted: Vec<f64> = (0..y.len()).map(|t| fits.iter().map(|f| f.fitted[t]).sum::<f64>() / k).collect();
    let sd = residual_sd(y, &fitted);
    let mut params = vec![("aggregation_levels".into(), k)];
    params.extend(fits.iter().enumerate().map(|(i, f)| (format!("alpha_{}", i + 1), f.alpha)));
    Fit { name: "IMAPA".into(), mean: vec![rate; h], fitted, sd: vec![sd; h], params }
}

/// The forecast of a series without any demand: zero, exactly.
fn no_demand(name: &str, y: &[f64], h: usize) -> Fit {
    Fit { name: name.into(), mean: vec![0.0; h], fitted: vec![0.0; y.len()], sd: vec![0.0; h], params: vec![] }
}

/// The mean interval between demands, counted from the start of the series (the position of
/// the last demand over the number of demands), rounded half to even and at least 1; `None`
/// without demand.
fn aggregation_level(y: &[f64]) -> Option<usize> {
    let last = y.iter().rposition(|v| *v != 0.0)?;
    let demands = y.iter().filter(|v| **v != 0.0).count();
    let mean_interval = (last + 1) as f64 / demands as f64;
    // At most `last + 1`, so the conversion is exact.
    Some((mean_interval.round_ties_even() as usize).max(1))
}

/// One temporal-aggregation fit: the series summed in buckets of `level` periods (the oldest
/// `n % level` periods dropped), the sums smoothed, the result per period.
struct Bucketed {
    /// The forecast per period.
    rate: f64,
    /// Per period: its bucket's one-bucket-ahead forecast over `level`.
    fitted: Vec<f64>,
    alpha: f64,
}

impl Bucketed {
    fn fit(y: &[f64], level: usize) -> Bucketed {
        let dropped = y.len() % level;
        let sums: Vec<f64> = y[dropped..].chunks_exact(level).map(|bucket| bucket.iter().sum()).collect();
        let alpha = golden_section(|a| smooth_from_first(&sums, a, None).1, 0.1, 0.3);
        let mut bucket_fitted = Vec::with_capacity(sums.len());
        let (forecast, _) = smooth_from_first(&sums, alpha, Some(&mut bucket_fitted));
        let per_period = level as f64;
        let mut fitted = vec![f64::NAN; dropped];
        for f in bucket_fitted {
            fitted.extend(std::iter::repeat_n(f / per_period, level));
        }
        Bucketed { rate: forecast / per_period, fitted, alpha }
    }
}

/// Simple exponential smoothing of `x` from the level `x[0]`: the forecast after the last value
/// and the sum of squared one-step errors from the second value on. With `fitted`, pushes the
/// one-step forecasts onto it (NaN for the first value).
fn smooth_from_first(x: &[f64], alpha: f64, mut fitted: Option<&mut Vec<f64>>) -> (f64, f64) {
    let Some((&first, rest)) = x.split_first() else { return (0.0, 0.0) };
    if let Some(out) = fitted.as_deref_mut() {
        out.push(f64::NAN);
    }
    let (mut level, mut sse) = (first, 0.0);
    for &v in rest {
        if let Some(out) = fitted.as_deref_mut() {
            out.push(level);
        }
        sse += (v - level) * (v - level);
        level += alpha * (v - level);
    }
    (level, sse)
}
