//! `auto`: omo's per-series choice, documented and deterministic.
//!
//! 1. The demand is classed by ADI (average interval between demands) and CV² (squared
//!    coefficient of variation of the non-zero sizes) with the cut-offs 1.32 and 0.49 of Syntetos,
//!    Boylan & Croston (2005).
//! 2. Intermittent and lumpy demand (ADI >= 1.32) is forecast with the mean of TSB, which lets
//!    demand die out, and simple exponential smoothing, which hedges it (on the Online Retail SKUs
//!    the mean beats each alone on MASE); a series with no demand at all forecasts zero.
//! 3. Smooth and erratic demand with a season (season length 2 to 24 and at least two full
//!    seasons) is forecast with AutoETS, which chooses among the seasonal forms by AICc.
//! 4. Otherwise the forecast is the mean of simple exponential smoothing, the Theta method, the
//!    damped trend and non-seasonal AutoETS: a combination of the kind that beat every single
//!    method in the M competitions. On the M4 weekly hold-out (13 weeks) it scores sMAPE 8.20
//!    against AutoETS's 8.39 (MASE 2.59 against 2.53), and on the Online Retail SKUs WAPE 0.632
//!    against 0.633 (MASE 3.51 against 3.70); without AutoETS in the mean it was 8.19 / 2.64 and
//!    0.635 / 3.52.
//!
//! The h-step standard deviation of a combination is the mean of its members' (a conservative
//! choice: it ignores the gain from averaging).

use serde::{Deserialize, Serialize};

use super::ets::auto_ets;
use super::models::{Fit, holt, ses, theta, tsb};

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
    let class = demand_class(y);
    if class.is_none_or(|(c, _, _)| matches!(c, DemandClass::Intermittent | DemandClass::Lumpy)) {
        let mut fit = if class.is_some() { combine(&[tsb(y, h), ses(y, h)], h) } else { tsb(y, h) };
        let kind =
            class.map_or("no demand", |(c, _, _)| if c == DemandClass::Lumpy { "lumpy" } else { "intermittent" });
        fit.name =
            if class.is_some() { format!("auto: mean of TSB, SES ({kind})") } else { format!("auto: TSB ({kind})") };
        return fit;
    }
    if (2..=24).contains(&m)
        && y.len() >= 2 * m
        && let Some(seasonal) = auto_ets(y, m, h)
    {
        let mut fit = seasonal.fit;
        fit.name = format!("auto: {}", fit.name);
        return fit;
    }
    let mut members = vec![ses(y, h), theta(y, h), holt(y, h, true)];
    members.extend(auto_ets(y, 1, h).map(|ets| ets.fit));
    combine(&members, h)
}

/// The mean of the members' forecasts, fitted values and h-step deviations.
fn combine(members: &[Fit], h: usize) -> Fit {
    let k = members.len().max(1) as f64;
    let average = |pick: &dyn Fn(&Fit) -> &Vec<f64>, len: usize| -> Vec<f64> {
        (0..len).map(|i| members.iter().map(|f| pick(f).get(i).copied().unwrap_or(f64::NAN)).sum::<f64>() / k).collect()
    };
    let n = members.first().map_or(0, |f| f.fitted.len());
    let names: Vec<&str> = members.iter().map(|f| f.name.as_str()).collect();
    Fit {
        name: format!("auto: mean of {}", names.join(", ")),
        mean: average(&|f| &f.mean, h),
        fitted: average(&|f| &f.fitted, n),
        sd: average(&|f| &f.sd, h),
        params: members
            .iter()
            .flat_map(|f| f.params.iter().map(move |(p, v)| (format!("{}.{p}", f.name), *v)))
            .collect(),
    }
}
