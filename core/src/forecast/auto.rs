//! `auto`: omo's per-series choice, documented and deterministic.
//!
//! 1. The demand is classed by ADI (average interval between demands) and CV² (squared
//!    coefficient of variation of the non-zero sizes) with the cut-offs 1.32 and 0.49 of Syntetos,
//!    Boylan & Croston (2005). A series with no demand at all forecasts zero.
//! 2. Intermittent and lumpy demand (ADI >= 1.32) has two candidates: the mean of TSB, which lets
//!    demand die out, and simple exponential smoothing, which hedges it; and IMAPA, which smooths
//!    the demand of buckets of several periods. Each is fitted without the last `min(h, n / 4)`
//!    periods and the one with the least absolute error over them (forecasts clipped at zero) is
//!    refitted on the whole series; a series too short to hold any out takes the first. Neither
//!    wins everywhere: TSB with SES is ahead on the Online Retail SKUs (weekly; WAPE 0.632 against
//!    IMAPA's 0.643, the choice 0.633), IMAPA on the car parts (monthly, 76 % zeros; RMSE 0.842
//!    against 0.868, the choice 0.857).
//! 3. Smooth and erratic demand with a season (season length 2 to 24 and at least two full
//!    seasons) is forecast with every ETS form AutoETS considers, weighted by its Akaike weight
//!    (Kolassa, 2011): forms almost as likely as AutoETS's choice share the forecast instead of
//!    losing it on a small difference in AICc.
//! 4. Otherwise the forecast is, per step, the median of simple exponential smoothing, Holt's
//!    linear trend and non-seasonal AutoETS: the middle of a flat, a trending and a chosen
//!    forecast, so that a lone wrong trend (or a lone missed one) is outvoted.
//!
//! Measured by `m4_bench` (forecasts of the held-out last periods):
//!
//! | data | metric | auto | AutoETS | best single method |
//! |---|---|---|---|---|
//! | M4 weekly, 359 series, 13 weeks | sMAPE / MASE | 7.954 / 2.448 | 8.388 / 2.531 | SES 8.065 / AutoETS 2.531 |
//! | Online Retail, 500 SKUs, 13 weeks | WAPE / MASE | 0.629 / 3.501 | 0.633 / 3.696 | SES 0.622 / 3.408 |
//! | car parts, 2,674 series, 12 months | RMSE / MAE | 0.858 / 0.631 | 0.912 / 0.691 | IMAPA 0.840 / 0.605 |
//! | M4 weekly in 4-week periods (season 13), 294 series, 13 periods | sMAPE / MASE | 9.175 / 3.318 | 9.386 / 3.402 | AutoETS 9.386 / 3.402 |
//!
//! On M4 the median was chosen over the mean of SES, Theta, damped trend and AutoETS (8.201 /
//! 2.589) and the other means and medians of two to four of SES, Theta, optimised Theta, damped
//! trend, Holt and AutoETS (85 in all), each scored at four forecast origins (the last 13, 26, 39
//! and 52 weeks held out): over the four, its mean sMAPE is 9.33 and mean MASE 2.683 (the best of
//! the 85: 9.21 and 2.674, not the same combination), AutoETS's 9.58 and 2.778. It beats AutoETS's sMAPE at three origins and
//! its MASE at two; no combination beats AutoETS at every origin.
//!
//! The declared study (`cargo run --release -p omo-examples --bin forecast_study --
//! ../shared/data`, protocol in `omo_examples::study`: twelve rules from the literature, five
//! training sets, three origins each) chooses SCUM, the median of AutoETS, AutoCES, AutoARIMA and
//! DOTM (0.964 of AutoETS's error on the geometric mean; at or below AutoETS on every set: M4
//! weekly 9.01 vs 9.61 sMAPE, tourism 23.09 vs 23.87, M1 14.06 vs 15.10), ahead of this rule
//! everywhere. It is not adopted yet: on the sample company's two years of monthly history it
//! flattens the spring peak (the plan's heaviest line-month falls from above 1.15 to 1.04 of
//! capacity), because with fewer than 2m + 1 values AutoARIMA takes no seasonal difference; the
//! study's sets hold no history that short. Next: short seasonal histories in the study.
//!
//! The h-step standard deviation of a mean is the mean of its members' (a conservative choice:
//! it ignores the gain from averaging); that of a median is the deviation of the member that
//! gives it.

use serde::{Deserialize, Serialize};

use super::ets::{EtsFit, auto_ets, fit_candidates};
use super::intermittent::{imapa, tsb};
use super::models::{Fit, holt, ses};

/// The four demand classes of Syntetos, Boylan & Croston (2005).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandClass {
    /// Frequent, steady sizes (ADI < 1.32, CV² < 0.49).
    Smooth,
    /// Frequent, varying sizes (ADI < 1.32, CV² >= 0.49).
    Erratic,
    /// Rare, steady sizes (ADI >= 1.32, CV² < 0.49).
    Intermittent,
    /// Rare, varying sizes (ADI >= 1.32, CV² >= 0.49).
    Lumpy,
}

/// The demand class of a series with its ADI and CV²; `None` when it has no demand at all.
///
/// ```
/// use omo_core::forecast::{DemandClass, demand_class};
/// let (class, adi, _) = demand_class(&[0.0, 3.0, 0.0, 0.0, 3.0, 0.0, 3.0]).unwrap();
/// assert_eq!(class, DemandClass::Intermittent);
/// assert!((adi - 7.0 / 3.0).abs() < 1e-12);
/// ```
pub fn demand_class(y: &[f64]) -> Option<(DemandClass, f64, f64)> {
    let sizes: Vec<f64> = y.iter().copied().filter(|v| *v != 0.0).collect();
    if sizes.is_empty() {
        return None;
    }
    let adi = y.len() as f64 / sizes.len() as f64;
    let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
    let variance = sizes.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / sizes.len() as f64;
    let cv2 = if mean != 0.0 { variance / (mean * mean) } else { 0.0 };
    let class = match (adi >= 1.32, cv2 >= 0.49) {
        (false, false) => DemandClass::Smooth,
        (false, true) => DemandClass::Erratic,
        (true, false) => DemandClass::Intermittent,
        (true, true) => DemandClass::Lumpy,
    };
    Some((class, adi, cv2))
}

pub(crate) fn auto(y: &[f64], h: usize, m: usize) -> Fit {
    let Some((class, _, _)) = demand_class(y) else {
        return named(tsb(y, h), "auto: TSB (no demand)".into());
    };
    if matches!(class, DemandClass::Intermittent | DemandClass::Lumpy) {
        let kind = if class == DemandClass::Lumpy { "lumpy" } else { "intermittent" };
        return intermittent_choice(y, h, kind);
    }
    if (2..=24).contains(&m)
        && y.len() >= 2 * m
        && let Some(seasonal) = akaike_weighted(fit_candidates(y, m, h), h)
    {
        return seasonal;
    }
    let mut members = vec![ses(y, h), holt(y, h, false)];
    members.extend(auto_ets(y, 1, h).map(|ets| ets.fit));
    median(&members, h)
}

/// `fit` under another name.
fn named(fit: Fit, name: String) -> Fit {
    Fit { name, ..fit }
}

/// The intermittent-demand candidates of `auto`, in order of preference on a tie.
const INTERMITTENT_CANDIDATES: [fn(&[f64], usize) -> Fit; 2] = [tsb_and_ses, imapa];

fn tsb_and_ses(y: &[f64], h: usize) -> Fit {
    combine(&[tsb(y, h), ses(y, h)], h)
}

/// Of the intermittent-demand candidates, the one with the least absolute error over the last
/// `min(h, n / 4)` periods when fitted on the periods before them, refitted on the whole series;
/// the first candidate when the series is too short to hold any out.
fn intermittent_choice(y: &[f64], h: usize, kind: &str) -> Fit {
    let n = y.len();
    let held_out = h.min(n / 4);
    let mut chosen = INTERMITTENT_CANDIDATES[0];
    let compared = held_out >= 1 && n - held_out >= 3;
    if compared {
        let (fit_on, actual) = y.split_at(n - held_out);
        let error = |candidate: &fn(&[f64], usize) -> Fit| -> f64 {
            let forecast = candidate(fit_on, held_out).mean;
            actual.iter().zip(&forecast).map(|(a, f)| (a - f.max(0.0)).abs()).sum()
        };
        let mut least = f64::INFINITY;
        for candidate in INTERMITTENT_CANDIDATES {
            let e = error(&candidate);
            if e < least {
                (least, chosen) = (e, candidate);
            }
        }
    }
    let fit = chosen(y, h);
    let why = if compared {
        format!("least error over the last {held_out} periods")
    } else {
        "too short to compare candidates".to_owned()
    };
    let name = format!("auto: {} ({kind}; {why})", fit.name);
    named(fit, name)
}

/// Per step, the median of the members' forecasts with the h-step deviation of the member that
/// gives it (the mean of the middle two for an even count); per period, the median of the fitted
/// values.
fn median(members: &[Fit], h: usize) -> Fit {
    let middle = |values: &mut Vec<(f64, f64)>| -> (f64, f64) {
        values.sort_by(|a, b| a.0.total_cmp(&b.0));
        let k = values.len();
        match k {
            0 => (f64::NAN, f64::NAN),
            _ if k % 2 == 1 => values[k / 2],
            _ => ((values[k / 2 - 1].0 + values[k / 2].0) / 2.0, (values[k / 2 - 1].1 + values[k / 2].1) / 2.0),
        }
    };
    let mut mean = Vec::with_capacity(h);
    let mut sd = Vec::with_capacity(h);
    for step in 0..h {
        let mut values: Vec<(f64, f64)> = members.iter().map(|f| (f.mean[step], f.sd[step])).collect();
        let (m, s) = middle(&mut values);
        mean.push(m);
        sd.push(s);
    }
    let n = members.first().map_or(0, |f| f.fitted.len());
    let fitted = (0..n)
        .map(|t| {
            let mut values: Vec<(f64, f64)> =
                members.iter().map(|f| (f.fitted[t], 0.0)).filter(|v| v.0.is_finite()).collect();
            middle(&mut values).0
        })
        .collect();
    Fit { name: format!("auto: median of {}", member_names(members)), mean, fitted, sd, params: member_params(members) }
}

/// The mean of the members' forecasts, fitted values and h-step deviations.
fn combine(members: &[Fit], h: usize) -> Fit {
    let weights = vec![1.0 / members.len().max(1) as f64; members.len()];
    Fit { name: format!("mean of {}", member_names(members)), ..weighted_mean(members, &weights, h) }
}

/// The ETS forms weighted by their Akaike weights, `exp(-(AICc - least AICc) / 2)` normalised
/// (Kolassa, 2011), so that forms almost as likely as the best one share the forecast; `None`
/// without any form. Named with the forms of weight at least 0.01; the weights are among the
/// parameters.
fn akaike_weighted(fits: Vec<EtsFit>, h: usize) -> Option<Fit> {
    let least = fits.iter().map(|f| f.aicc).min_by(f64::total_cmp)?;
    let raw: Vec<f64> = fits.iter().map(|f| (-(f.aicc - least) / 2.0).exp()).collect();
    let total: f64 = raw.iter().sum();
    let weights: Vec<f64> = raw.iter().map(|w| w / total).collect();
    let members: Vec<Fit> = fits.into_iter().map(|f| f.fit).collect();
    let mut ranked: Vec<(&str, f64)> = members.iter().map(|f| f.name.as_str()).zip(weights.iter().copied()).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let shown: Vec<String> =
        ranked.iter().filter(|(_, w)| *w >= 0.01).map(|(name, w)| format!("{name} {w:.2}")).collect();
    let mut fit = weighted_mean(&members, &weights, h);
    fit.name = format!("auto: Akaike-weighted mean of {} ETS forms ({})", members.len(), shown.join(", "));
    fit.params.extend(ranked.iter().map(|(name, w)| (format!("weight.{name}"), *w)));
    Some(fit)
}

/// The weighted mean of the members' forecasts, fitted values and h-step deviations, with
/// every member's parameters.
fn weighted_mean(members: &[Fit], weights: &[f64], h: usize) -> Fit {
    let average = |pick: &dyn Fn(&Fit) -> &Vec<f64>, len: usize| -> Vec<f64> {
        (0..len)
            .map(|i| members.iter().zip(weights).map(|(f, w)| w * pick(f).get(i).copied().unwrap_or(f64::NAN)).sum())
            .collect()
    };
    let n = members.first().map_or(0, |f| f.fitted.len());
    Fit {
        name: String::new(),
        mean: average(&|f| &f.mean, h),
        fitted: average(&|f| &f.fitted, n),
        sd: average(&|f| &f.sd, h),
        params: member_params(members),
    }
}

fn member_names(members: &[Fit]) -> String {
    members.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// Every member's parameters, each named after its member.
fn member_params(members: &[Fit]) -> Vec<(String, f64)> {
    members.iter().flat_map(|f| f.params.iter().map(move |(p, v)| (format!("{}.{p}", f.name), *v))).collect()
}
