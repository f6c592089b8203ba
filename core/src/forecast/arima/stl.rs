//! STL, the seasonal-trend decomposition by loess (Cleveland, Cleveland, McRae & Terpenning
//! 1990), without robustness weights, as statsmodels' `STL` computes it (the netlib Fortran's
//! windows and weights): used only for the seasonal strength that decides a seasonal
//! difference (statsforecast's `seas_heuristic`: `STL(x, period, seasonal=11, seasonal_deg=0)`,
//! five inner passes).

/// The loess estimate at `xs` (1-based position) from `y[left - 1..right]` with a tricube
/// window of `span` points and a local polynomial of degree 0 or 1; `None` when every weight
/// is zero.
fn loess_at(y: &[f64], span: usize, degree: usize, xs: f64, left: usize, right: usize, w: &mut [f64]) -> Option<f64> {
    let n = y.len();
    let range = n as f64 - 1.0;
    let mut h = (xs - left as f64).max(right as f64 - xs);
    if span > n {
        h += ((span - n) / 2) as f64;
    }
    let (h9, h1) = (0.999 * h, 0.001 * h);
    let mut total = 0.0;
    for (j, wj) in w.iter_mut().enumerate().take(right).skip(left - 1) {
        let r = (j as f64 + 1.0 - xs).abs();
        *wj = if r <= h9 { if r <= h1 { 1.0 } else { (1.0 - (r / h).powi(3)).powi(3) } } else { 0.0 };
        total += *wj;
    }
    if total <= 0.0 {
        return None;
    }
    w[left - 1..right].iter_mut().for_each(|v| *v /= total);
    if h > 0.0 && degree > 0 {
        let a: f64 = (left - 1..right).map(|j| w[j] * (j as f64 + 1.0)).sum();
        let c: f64 = (left - 1..right).map(|j| w[j] * (j as f64 + 1.0 - a).powi(2)).sum();
        if c.sqrt() > 0.001 * range {
            let b = (xs - a) / c;
            for (j, wj) in w.iter_mut().enumerate().take(right).skip(left - 1) {
                *wj *= b * (j as f64 + 1.0 - a) + 1.0;
            }
        }
    }
    Some((left - 1..right).map(|j| w[j] * y[j]).sum())
}

/// Loess smoothing of `y` with a window of `span` points at every position (jump 1).
fn smooth(y: &[f64], span: usize, degree: usize, out: &mut [f64], w: &mut [f64]) {
    let n = y.len();
    if n < 2 {
        out[..n].copy_from_slice(y);
        return;
    }
    let (mut left, mut right) = if span >= n { (1, n) } else { (1, span) };
    let half = (span + 2) / 2;
    for i in 0..n {
        if span < n && i + 1 > half && right != n {
            left += 1;
            right += 1;
        }
        out[i] = loess_at(y, span, degree, i as f64 + 1.0, left, right, w).unwrap_or(y[i]);
    }
}

/// Moving average of `len` points: `x.len() - len + 1` values.
fn moving_average(x: &[f64], len: usize, out: &mut Vec<f64>) {
    out.clear();
    let mut sum: f64 = x[..len].iter().sum();
    out.push(sum / len as f64);
    for j in len..x.len() {
        sum += x[j] - x[j - len];
        out.push(sum / len as f64);
    }
}

/// The seasonal and trend components of `y` at `period` (at least 2, shorter than `y`), with a
/// seasonal window of `seasonal` points of degree `seasonal_degree` and `inner` passes.
pub(super) fn stl(
    y: &[f64],
    period: usize,
    seasonal: usize,
    seasonal_degree: usize,
    inner: usize,
) -> (Vec<f64>, Vec<f64>) {
    let n = y.len();
    let np = period;
    let trend_span = {
        let t = (1.5 * np as f64 / (1.0 - 1.5 / seasonal as f64)).ceil() as usize;
        t + usize::from(t % 2 == 0)
    };
    let low_pass = np + 1 + usize::from((np + 1) % 2 == 0);
    let mut trend = vec![0.0; n];
    let mut season = vec![0.0; n];
    let mut detrended = vec![0.0; n];
    let mut cycle = vec![0.0; n + 2 * np];
    let mut w = vec![0.0; n + 2 * np];
    let mut sub = Vec::with_capacity(n / np + 1);
    let mut sub_smooth = vec![0.0; n / np + 3];
    let (mut ma1, mut ma2, mut ma3) = (Vec::new(), Vec::new(), Vec::new());
    let mut low = vec![0.0; n];
    for _ in 0..inner {
        for i in 0..n {
            detrended[i] = y[i] - trend[i];
        }
        for j in 0..np {
            sub.clear();
            sub.extend((j..n).step_by(np).map(|i| detrended[i]));
            let k = sub.len();
            smooth(&sub, seasonal, seasonal_degree, &mut sub_smooth[1..=k], &mut w);
            let first = loess_at(&sub, seasonal, seasonal_degree, 0.0, 1, seasonal.min(k), &mut w);
            sub_smooth[0] = first.unwrap_or(sub_smooth[1]);
            let left = if k + 1 > seasonal { k + 1 - seasonal } else { 1 };
            let last = loess_at(&sub, seasonal, seasonal_degree, k as f64 + 1.0, left, k, &mut w);
            sub_smooth[k + 1] = last.unwrap_or(sub_smooth[k]);
            for (m, v) in sub_smooth[..k + 2].iter().enumerate() {
                cycle[m * np + j] = *v;
            }
        }
        moving_average(&cycle, np, &mut ma1);
        moving_average(&ma1, np, &mut ma2);
        moving_average(&ma2, 3, &mut ma3);
        smooth(&ma3, low_pass, 1, &mut low, &mut w);
        for i in 0..n {
            season[i] = cycle[np + i] - low[i];
            detrended[i] = y[i] - season[i];
        }
        smooth(&detrended, trend_span, 1, &mut trend, &mut w);
    }
    (season, trend)
}

/// The strength of the seasonality of `y` at `period`, in [0, 1]: 1 - var(remainder) /
/// var(remainder + seasonal) of its STL decomposition (Wang, Smith & Hyndman 2006), as
/// statsforecast's `seas_heuristic`.
pub(super) fn seasonal_strength(y: &[f64], period: usize) -> f64 {
    let (season, trend) = stl(y, period, 11, 0, 5);
    let remainder: Vec<f64> = y.iter().zip(&season).zip(&trend).map(|((y, s), t)| y - s - t).collect();
    let detrended: Vec<f64> = remainder.iter().zip(&season).map(|(r, s)| r + s).collect();
    let total = sample_variance(&detrended);
    if total <= 0.0 {
        return 0.0;
    }
    (1.0 - sample_variance(&remainder) / total).clamp(0.0, 1.0)
}

/// The sample variance (divisor n - 1; 0 for fewer than two values).
fn sample_variance(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}
