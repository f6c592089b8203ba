//! The ARIMA model's numerics: the Jones (1980) transform to stationary AR coefficients, the
//! expansion of the seasonal polynomials, the initial covariance of the ARMA state (the
//! stationary solution of the state equation, from the ARMA autocovariances: the quantity
//! Gardner, Harvey & Phillips (1980) compute), the Kalman filter that gives the exact Gaussian
//! likelihood with the differences as diffuse states (a large initial variance, `KAPPA`, as R's
//! `arima`), the conditional sum of squares, and the Kalman forecasts.
//!
//! The state-space form is Harvey's: the ARMA part has `r = max(p, q + 1)` states with the AR
//! coefficients in the first column of the transition and ones above the diagonal, the MA
//! coefficients in the disturbance loading `(1, theta_1, ..., theta_{r-1})`; the `d + D m` last
//! observations of the undifferenced series follow as states, and the observation is the first
//! ARMA state plus the differencing polynomial applied to those.

/// The variance given to the states of the differences before any observation (diffuse).
pub(super) const KAPPA: f64 = 1e6;

/// Orders of an ARIMA(p,d,q)(P,D,Q)_m model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Orders {
    pub p: usize,
    pub d: usize,
    pub q: usize,
    pub sp: usize,
    pub sd: usize,
    pub sq: usize,
    pub m: usize,
}

impl Orders {
    /// How many ARMA coefficients: p + q + P + Q.
    pub fn arma_count(&self) -> usize {
        self.p + self.q + self.sp + self.sq
    }

    /// The length of the expanded AR polynomial, p + m P.
    pub fn ar_len(&self) -> usize {
        self.p + self.m * self.sp
    }

    /// The length of the expanded MA polynomial, q + m Q.
    pub fn ma_len(&self) -> usize {
        self.q + self.m * self.sq
    }

    /// The coefficients of the differencing: y_t = sum delta_i y_{t-i} + w_t.
    pub fn delta(&self) -> Vec<f64> {
        let mut poly = vec![1.0];
        let mut times = |factor: &[f64]| {
            let mut out = vec![0.0; poly.len() + factor.len() - 1];
            for (i, a) in poly.iter().enumerate() {
                for (j, b) in factor.iter().enumerate() {
                    out[i + j] += a * b;
                }
            }
            poly = out;
        };
        for _ in 0..self.d {
            times(&[1.0, -1.0]);
        }
        let mut seasonal = vec![0.0; self.m + 1];
        seasonal[0] = 1.0;
        seasonal[self.m] = -1.0;
        for _ in 0..self.sd {
            times(&seasonal);
        }
        poly.iter().skip(1).map(|c| -c).collect()
    }
}

/// Jones's (1980) map of unconstrained values to the coefficients of a stationary AR
/// polynomial: each value's tanh is a partial autocorrelation, and the Durbin-Levinson
/// recursion turns them into coefficients.
pub(super) fn to_stationary(raw: &[f64], out: &mut [f64]) {
    let k = raw.len();
    for (o, r) in out.iter_mut().zip(raw) {
        *o = r.tanh();
    }
    let mut work = [0.0; 64];
    let mut heap;
    let work: &mut [f64] = if k <= 64 {
        &mut work[..k]
    } else {
        heap = vec![0.0; k];
        &mut heap
    };
    work.copy_from_slice(&out[..k]);
    for j in 1..k {
        let a = out[j];
        for i in 0..j {
            work[i] -= a * out[j - i - 1];
        }
        out[..j].copy_from_slice(&work[..j]);
    }
}

/// The partial autocorrelations of the AR polynomial `phi` (the inverse of the Levinson
/// recursion); `None` unless every one is inside (-1, 1), i.e. unless the polynomial is
/// stationary (Schur-Cohn).
pub(super) fn partial_autocorrelations(phi: &[f64]) -> Option<Vec<f64>> {
    let mut a = phi.to_vec();
    let mut work = a.clone();
    for j in (1..a.len()).rev() {
        let c = a[j];
        let denominator = 1.0 - c * c;
        if c.is_nan() || c.abs() >= 1.0 || denominator <= 0.0 {
            return None;
        }
        for i in 0..j {
            work[i] = (a[i] + c * a[j - i - 1]) / denominator;
        }
        a[..j].copy_from_slice(&work[..j]);
    }
    if a.first().is_some_and(|c| c.is_nan() || c.abs() >= 1.0) {
        return None;
    }
    Some(a)
}

/// Whether every root of 1 - sum phi_i z^i lies outside the circle of radius `radius`.
pub(super) fn roots_outside(phi: &[f64], radius: f64) -> bool {
    let last = phi.iter().rposition(|c| c.abs() > 1e-8);
    let Some(last) = last else { return true };
    let scaled: Vec<f64> = phi[..=last].iter().enumerate().map(|(i, c)| c * radius.powi(i as i32 + 1)).collect();
    partial_autocorrelations(&scaled).is_some()
}

/// The AR and MA polynomials of the product of the non-seasonal and seasonal parts, from the
/// coefficients `[ar (p), ma (q), sar (P), sma (Q)]` (AR with the sign of y_t = sum phi y_{t-i},
/// MA with the sign of e_t + sum theta e_{t-i}).
pub(super) fn expand(coef: &[f64], o: &Orders, phi: &mut [f64], theta: &mut [f64]) {
    let (p, q, sp, sq, m) = (o.p, o.q, o.sp, o.sq, o.m);
    phi.iter_mut().for_each(|v| *v = 0.0);
    theta.iter_mut().for_each(|v| *v = 0.0);
    phi[..p].copy_from_slice(&coef[..p]);
    theta[..q].copy_from_slice(&coef[p..p + q]);
    for j in 0..sp {
        let big = coef[p + q + j];
        phi[(j + 1) * m - 1] += big;
        for i in 0..p {
            phi[(j + 1) * m + i] -= coef[i] * big;
        }
    }
    for j in 0..sq {
        let big = coef[p + q + sp + j];
        theta[(j + 1) * m - 1] += big;
        for i in 0..q {
            theta[(j + 1) * m + i] += coef[p + i] * big;
        }
    }
}

/// Solves `a x = b` (n x n, row-major) in place by Gaussian elimination with partial pivoting;
/// false when singular.
fn solve(a: &mut [f64], b: &mut [f64], n: usize) -> bool {
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs())).unwrap_or(col);
        if a[pivot * n + col].abs() < 1e-300 || !a[pivot * n + col].is_finite() {
            return false;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(pivot * n + k, col * n + k);
            }
            b.swap(pivot, col);
        }
        let d = a[col * n + col];
        for row in col + 1..n {
            let f = a[row * n + col] / d;
            if f != 0.0 {
                for k in col..n {
                    a[row * n + k] -= f * a[col * n + k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row * n + k] * b[k]).sum();
        b[row] = (b[row] - s) / a[row * n + row];
    }
    true
}

/// The stationary covariance of the `r` ARMA states (unit innovation variance), row-major into
/// `out` (r x r): the first row from the autocovariances and psi weights, the rest by the
/// state equation P = T P T' + R R' run from the last row up. False when the AR part is not
/// stationary enough to have one.
pub(super) fn initial_covariance(
    phi: &[f64],
    theta: &[f64],
    r: usize,
    out: &mut [f64],
    scratch: &mut Vec<f64>,
) -> bool {
    let p = phi.len();
    let q = theta.len();
    let ph = |k: usize| if k >= 1 && k <= p { phi[k - 1] } else { 0.0 };
    let th = |k: usize| {
        if k == 0 {
            1.0
        } else if k <= q {
            theta[k - 1]
        } else {
            0.0
        }
    };
    // psi weights up to max(q, r) and autocovariances up to r.
    let len = q.max(r) + 1;
    scratch.clear();
    scratch.resize(len + (r + 1) + (p + 1) * (p + 1) + (p + 1), 0.0);
    let (psi, rest) = scratch.split_at_mut(len);
    let (gamma, rest) = rest.split_at_mut(r + 1);
    let (a, b) = rest.split_at_mut((p + 1) * (p + 1));
    for j in 0..len {
        let mut v = th(j);
        for i in 1..=p.min(j) {
            v += phi[i - 1] * psi[j - i];
        }
        psi[j] = v;
    }
    let c = |k: usize| -> f64 { (k..=q).map(|j| th(j) * psi[j - k]).sum() };
    for k in 0..=p {
        a[k * (p + 1) + k] += 1.0;
        for i in 1..=p {
            let h = k.abs_diff(i);
            a[k * (p + 1) + h] -= phi[i - 1];
        }
        b[k] = c(k);
    }
    if !solve(a, b, p + 1) {
        return false;
    }
    for k in 0..=r {
        gamma[k] = if k <= p {
            b[k]
        } else {
            (1..=p).map(|i| phi[i - 1] * gamma[k - i]).sum::<f64>() + if k <= q { c(k) } else { 0.0 }
        };
    }
    if !(gamma[0] > 0.0 && gamma[0].is_finite()) {
        return false;
    }
    out[..r * r].iter_mut().for_each(|v| *v = 0.0);
    for l in 0..r {
        let v: f64 = (0..r - l).map(|j| ph(l + j + 1) * gamma[j + 1] + th(l + j) * psi[j]).sum();
        out[l] = v;
        out[l * r] = v;
    }
    out[0] = gamma[0];
    for i in (1..r).rev() {
        for l in (i..r).rev() {
            let next = |a: usize, b: usize| if a < r && b < r { out[a * r + b] } else { 0.0 };
            let v = ph(i + 1) * ph(l + 1) * out[0]
                + ph(i + 1) * next(0, l + 1)
                + ph(l + 1) * next(i + 1, 0)
                + next(i + 1, l + 1)
                + th(i) * th(l);
            out[i * r + l] = v;
            out[l * r + i] = v;
        }
    }
    true
}

/// The state-space form of one ARIMA model and the workspace of its filter.
#[derive(Debug, Clone)]
pub(super) struct StateSpace {
    pub phi: Vec<f64>,
    pub theta: Vec<f64>,
    /// Nonzero differencing coefficients: (index into the difference states, value).
    delta: Vec<(usize, f64)>,
    /// ARMA states.
    pub r: usize,
    /// All states: r + d + D m.
    pub rd: usize,
    /// The state and its covariance after the last observation filtered.
    pub a: Vec<f64>,
    pub p: Vec<f64>,
    /// The covariance before the first observation.
    pub p0: Vec<f64>,
    anew: Vec<f64>,
    pnew: Vec<f64>,
    m: Vec<f64>,
    mm: Vec<f64>,
    scratch: Vec<f64>,
}

/// What the filter returns: the sum of squared standardised innovations, the sum of the logs of
/// their variances, and how many observations counted (those not diffuse).
#[derive(Debug, Clone, Copy)]
pub(super) struct Likelihood {
    pub ssq: f64,
    pub sumlog: f64,
    pub count: usize,
}

impl StateSpace {
    /// A workspace for models of `orders`.
    pub fn new(o: &Orders) -> StateSpace {
        let (pl, ql) = (o.ar_len(), o.ma_len());
        let r = pl.max(ql + 1);
        let delta: Vec<(usize, f64)> = o.delta().into_iter().enumerate().filter(|(_, c)| *c != 0.0).collect();
        let nd = o.d + o.sd * o.m;
        let rd = r + nd;
        StateSpace {
            phi: vec![0.0; pl],
            theta: vec![0.0; ql],
            delta,
            r,
            rd,
            a: vec![0.0; rd],
            p: vec![0.0; rd * rd],
            p0: vec![0.0; rd * rd],
            anew: vec![0.0; rd],
            pnew: vec![0.0; rd * rd],
            m: vec![0.0; rd],
            mm: vec![0.0; rd * rd],
            scratch: Vec::new(),
        }
    }

    /// Sets the ARMA coefficients (the expanded polynomials already in `phi` and `theta`) and the
    /// initial state; false when the AR part has no stationary covariance.
    pub fn reset(&mut self) -> bool {
        let (r, rd) = (self.r, self.rd);
        self.a.iter_mut().for_each(|v| *v = 0.0);
        self.p0.iter_mut().for_each(|v| *v = 0.0);
        let mut q0 = std::mem::take(&mut self.mm);
        q0.resize(rd * rd, 0.0);
        let ok = initial_covariance(&self.phi, &self.theta, r, &mut q0, &mut self.scratch);
        for i in 0..r {
            for j in 0..r {
                self.p0[i * rd + j] = q0[i * r + j];
            }
        }
        for i in r..rd {
            self.p0[i * rd + i] = KAPPA;
        }
        self.mm = q0;
        ok
    }

    /// The state prediction anew = T a.
    fn predict_state(&self, a: &[f64], out: &mut [f64]) {
        let (r, rd) = (self.r, self.rd);
        let a0 = a[0];
        for i in 0..r {
            let mut v = if i + 1 < r { a[i + 1] } else { 0.0 };
            if let Some(ph) = self.phi.get(i) {
                v += ph * a0;
            }
            out[i] = v;
        }
        if rd > r {
            for i in (r + 1..rd).rev() {
                out[i] = a[i - 1];
            }
            out[r] = a0 + self.delta.iter().map(|(k, c)| c * a[r + k]).sum::<f64>();
        }
    }

    /// pnew = T p T' + V (V = R R', the MA loading's outer product).
    fn predict_covariance(&mut self) {
        let (r, rd) = (self.r, self.rd);
        // mm = T p, row by row.
        for i in 0..rd {
            let row = &mut self.mm[i * rd..(i + 1) * rd];
            if i < r {
                let ph = self.phi.get(i).copied().unwrap_or(0.0);
                for (j, cell) in row.iter_mut().enumerate() {
                    let below = if i + 1 < r { self.p[(i + 1) * rd + j] } else { 0.0 };
                    *cell = ph * self.p[j] + below;
                }
            } else if i == r {
                for (j, cell) in row.iter_mut().enumerate() {
                    *cell = self.p[j] + self.delta.iter().map(|(k, c)| c * self.p[(r + k) * rd + j]).sum::<f64>();
                }
            } else {
                row.copy_from_slice(&self.p[(i - 1) * rd..i * rd]);
            }
        }
        // pnew = mm T', column by column of T' (row of T).
        for i in 0..rd {
            let mrow = &self.mm[i * rd..(i + 1) * rd];
            for j in 0..rd {
                let v = if j < r {
                    let ph = self.phi.get(j).copied().unwrap_or(0.0);
                    let right = if j + 1 < r { mrow[j + 1] } else { 0.0 };
                    ph * mrow[0] + right
                } else if j == r {
                    mrow[0] + self.delta.iter().map(|(k, c)| c * mrow[r + k]).sum::<f64>()
                } else {
                    mrow[j - 1]
                };
                self.pnew[i * rd + j] = v;
            }
        }
        let loading = |k: usize| if k == 0 { 1.0 } else { self.theta.get(k - 1).copied().unwrap_or(0.0) };
        for i in 0..r {
            let li = loading(i);
            if li != 0.0 {
                for j in 0..r {
                    self.pnew[i * rd + j] += li * loading(j);
                }
            }
        }
    }

    /// Runs the Kalman filter over `y` from the initial state (after [`StateSpace::reset`]); with
    /// `residuals`, stores each standardised innovation (v / sqrt(F)).
    pub fn filter(&mut self, y: &[f64], mut residuals: Option<&mut [f64]>) -> Likelihood {
        let (r, rd) = (self.r, self.rd);
        let mut out = Likelihood { ssq: 0.0, sumlog: 0.0, count: 0 };
        self.p.copy_from_slice(&self.p0);
        for (t, &yt) in y.iter().enumerate() {
            let mut anew = std::mem::take(&mut self.anew);
            self.predict_state(&self.a, &mut anew);
            self.anew = anew;
            if t > 0 {
                self.predict_covariance();
            } else {
                self.pnew.copy_from_slice(&self.p0);
            }
            if !yt.is_finite() {
                self.a.copy_from_slice(&self.anew);
                self.p.copy_from_slice(&self.pnew);
                if let Some(res) = residuals.as_deref_mut() {
                    res[t] = f64::NAN;
                }
                continue;
            }
            let mut v = yt - self.anew[0];
            for (k, c) in &self.delta {
                v -= c * self.anew[r + k];
            }
            for i in 0..rd {
                let row = &self.pnew[i * rd..(i + 1) * rd];
                self.m[i] = row[0] + self.delta.iter().map(|(k, c)| c * row[r + k]).sum::<f64>();
            }
            let f = self.m[0] + self.delta.iter().map(|(k, c)| c * self.m[r + k]).sum::<f64>();
            if f < 1e4 {
                out.count += 1;
                out.ssq += v * v / f;
                out.sumlog += f.ln();
            }
            if let Some(res) = residuals.as_deref_mut() {
                res[t] = v / f.sqrt();
            }
            for i in 0..rd {
                self.a[i] = self.anew[i] + self.m[i] * v / f;
            }
            for i in 0..rd {
                let mi = self.m[i] / f;
                for j in 0..rd {
                    self.p[i * rd + j] = self.pnew[i * rd + j] - mi * self.m[j];
                }
            }
        }
        out
    }

    /// Forecasts `h` steps from the filtered state: the means and the variances of the errors
    /// in units of the innovation variance.
    pub fn forecast(&mut self, h: usize) -> (Vec<f64>, Vec<f64>) {
        let (r, rd) = (self.r, self.rd);
        let mut mean = Vec::with_capacity(h);
        let mut var = Vec::with_capacity(h);
        for _ in 0..h {
            let mut anew = std::mem::take(&mut self.anew);
            self.predict_state(&self.a, &mut anew);
            self.anew = anew;
            self.a.copy_from_slice(&self.anew);
            self.predict_covariance();
            self.p.copy_from_slice(&self.pnew);
            let z = |v: &[f64]| v[0] + self.delta.iter().map(|(k, c)| c * v[r + k]).sum::<f64>();
            mean.push(z(&self.a));
            for i in 0..rd {
                self.m[i] = z(&self.p[i * rd..(i + 1) * rd]);
            }
            var.push(z(&self.m));
        }
        (mean, var)
    }
}

/// The conditional sum of squares of `x` under the model (the first `d + D m + p + P m`
/// observations condition): returns the mean squared residual and fills `residuals` (zero
/// where conditioned). `w` is a workspace as long as `x`.
pub(super) fn css(x: &[f64], o: &Orders, phi: &[f64], theta: &[f64], w: &mut [f64], residuals: &mut [f64]) -> f64 {
    let n = x.len();
    w.copy_from_slice(x);
    for _ in 0..o.d {
        for l in (1..n).rev() {
            w[l] -= w[l - 1];
        }
    }
    for _ in 0..o.sd {
        for l in (o.m..n).rev() {
            w[l] -= w[l - o.m];
        }
    }
    let ncond = (o.d + o.sd * o.m + o.ar_len()).min(n);
    residuals[..ncond].iter_mut().for_each(|v| *v = 0.0);
    let (mut ssq, mut count) = (0.0, 0usize);
    for l in ncond..n {
        let mut e = w[l];
        for (j, ph) in phi.iter().enumerate() {
            e -= ph * w[l - j - 1];
        }
        for (j, th) in theta.iter().enumerate().take(l - ncond) {
            e -= th * residuals[l - j - 1];
        }
        residuals[l] = e;
        if e.is_finite() {
            ssq += e * e;
            count += 1;
        }
    }
    if count == 0 { f64::NAN } else { ssq / count as f64 }
}
