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

use super::models::{Fit, residual_sd, smooth_from_first, sse};
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

/// Croston's method with each smoothing parameter chosen by least squares in [0.1, 0.3]
/// (golden section, as statsforecast's CrostonOptimized): the demand sizes and the intervals
/// between demands are smoothed separately, each from its first value. Fitted values: the
/// one-step forecast of the sizes and intervals seen before each period, the parameters fitted
/// once on the whole series (statsforecast refits at every demand, which is why it warns that its
/// fitted values are expensive). A series without any demand forecasts zero.
pub(crate) fn croston_optimized(y: &[f64], h: usize) -> Fit {
    let sizes: Vec<f64> = y.iter().copied().filter(|v| *v != 0.0).collect();
    if sizes.is_empty() {
        return no_demand("CrostonOptimized", y, h);
    }
    let intervals = demand_intervals(y);
    let fitted_alpha = |x: &[f64]| golden_section(|a| smooth_from_first(x, a, None).1, 0.1, 0.3);
    let (alpha_size, alpha_interval) = (fitted_alpha(&sizes), fitted_alpha(&intervals));
    let (size, _) = smooth_from_first(&sizes, alpha_size, None);
    let (interval, _) = smooth_from_first(&intervals, alpha_interval, None);
    let rate = if interval != 0.0 { size / interval } else { size };
    let fitted = per_period_rates(y, alpha_size, alpha_interval);
    let sd = residual_sd(y, &fitted);
    Fit {
        name: "CrostonOptimized".into(),
        mean: vec![rate; h],
        fitted,
        sd: vec![sd; h],
        params: vec![("alpha_size".into(), alpha_size), ("alpha_interval".into(), alpha_interval)],
    }
}

/// The number of periods from the previous demand (or the start) to each demand.
fn demand_intervals(y: &[f64]) -> Vec<f64> {
    let mut since = 0.0;
    let mut out = Vec::new();
    for &v in y {
        since += 1.0;
        if v != 0.0 {
            out.push(since);
            since = 0.0;
        }
    }
    out
}

/// Croston's one-step forecast before each period: sizes and intervals smoothed from their first
/// values with their own parameters (NaN until the first demand).
fn per_period_rates(y: &[f64], alpha_size: f64, alpha_interval: f64) -> Vec<f64> {
    let mut state: Option<(f64, f64)> = None;
    let mut since = 0.0;
    let mut fitted = Vec::with_capacity(y.len());
    for &v in y {
        fitted.push(state.map_or(f64::NAN, |(size, interval)| size / interval));
        since += 1.0;
        if v != 0.0 {
            state = Some(match state {
                None => (v, since),
                Some((size, interval)) => {
                    (size + alpha_size * (v - size), interval + alpha_interval * (since - interval))
                }
            });
            since = 0.0;
        }
    }
    fitted
}

/// TSB with given smoothing parameters, as statsforecast's `TSB(alpha_d, alpha_p)`: the demand
/// probability (1 in a period with demand, else 0) smoothed from its first value with `alpha_p`,
/// the demand sizes from theirs with `alpha_d`; the forecast is their product. Fitted values:
/// the product of the two one-step forecasts before each period (NaN for the first). A series
/// without any demand forecasts zero.
pub(crate) fn tsb_with(y: &[f64], h: usize, alpha_d: f64, alpha_p: f64) -> Fit {
    let sizes: Vec<f64> = y.iter().copied().filter(|v| *v != 0.0).collect();
    if sizes.is_empty() {
        let mut fit = no_demand("TSB", y, h);
        if let Some(first) = fit.fitted.first_mut() {
            *first = f64::NAN;
        }
        return fit;
    }
    let occurs: Vec<f64> = y.iter().map(|v| if *v != 0.0 { 1.0 } else { 0.0 }).collect();
    let mut probability_fitted = Vec::with_capacity(y.len());
    let (probability, _) = smooth_from_first(&occurs, alpha_p, Some(&mut probability_fitted));
    let mut size_fitted = Vec::with_capacity(sizes.len());
    let (size, _) = smooth_from_first(&sizes, alpha_d, Some(&mut size_fitted));
    size_fitted.push(size);
    // Each period sees the size forecast made after the demands before it.
    let mut demands_seen = 0;
    let fitted: Vec<f64> = y
        .iter()
        .zip(&probability_fitted)
        .map(|(v, p)| {
            // Before the first demand the size forecast is zero (statsforecast's convention).
            let size = if demands_seen == 0 { 0.0 } else { size_fitted[demands_seen] };
            if *v != 0.0 {
                demands_seen += 1;
            }
            p * size
        })
        .collect();
    let sd = residual_sd(y, &fitted);
    Fit {
        name: "TSB".into(),
        mean: vec![probability * size; h],
        fitted,
        sd: vec![sd; h],
        params: vec![("alpha_d".into(), alpha_d), ("alpha_p".into(), alpha_p)],
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
