"""A Python port of omo's AutoETS (core/src/forecast/ets.rs fit_ets / candidates / auto_ets and
optimize.rs minimise, as read on the day of this study), using statsforecast's C++ `ets.calc`
only as the state-space filter (the same recursions; omo's likelihood is statsforecast's minus the
constant n ln n). Toggles move one convention at a time towards statsforecast's.

usage: python emulate_omo.py VARIANT[,VARIANT...] [max_series]
flags:
  omo        omo as is
  sfseas     seasonal start values from statsforecast's initstate (classical decomposition)
  sflt       level/trend start values from statsforecast's initstate (regression on 1st 2m pts)
  optseas    also optimise the m-1 free seasonal initial states (sum constraint as statsforecast)
             inside omo's logistic-box Nelder-Mead; box: start +- scale (additive) or
             [start/20?..] see code
  betacap    beta <= 0.2/m (statsforecast's effective upper bound for seasonal trend models)
  sfbeta     beta capped as statsforecast effectively does (0.20006 for AAdN/AAN, 0.016763 for
             every other trended form when seasonal forms are tried)
  sfstart    statsforecast's starting alpha/gamma/phi (0.0168 or 0.2, 0.049, 0.978) in omo's search
  n1m        seasonal forms allowed when n > m (statsforecast) instead of n >= 2m
  sfnm       replace omo's optimiser by statsforecast's C++ Nelder-Mead with statsforecast's start
             values and box (this is then statsforecast's estimation with omo's initial states)
Writes emu_<variant>_<set>.csv and appends to emu_summary.txt.
"""
from study import DATA, M, OUT, SETS  # noqa: I001 (first: it sets the thread counts)

import math
import sys
import time

import numpy as np
import pandas as pd

import statsforecast.ets as sfets
from statsforecast._lib import ets as _ets

C = {"N": _ets.Component.Nothing, "A": _ets.Component.Additive, "M": _ets.Component.Multiplicative}


def minimise(f, start, low, high, max_iterations):
    """omo optimize.rs minimise(): Nelder-Mead on logit-mapped box coordinates."""
    low = np.asarray(low, float)
    high = np.asarray(high, float)
    n = len(start)

    def to_box(u):
        return low + (high - low) / (1.0 + np.exp(-u))

    def from_box(p):
        t = np.clip((np.asarray(p) - low) / (high - low), 1e-6, 1 - 1e-6)
        return np.log(t / (1 - t))

    def cost(u):
        v = f(to_box(u))
        return v if math.isfinite(v) else math.inf

    origin = from_box(start)
    simplex = [(origin.copy(), cost(origin))]
    for i in range(n):
        v = origin.copy()
        v[i] += 1.0
        simplex.append((v, cost(v)))
    for _ in range(max_iterations):
        simplex.sort(key=lambda a: a[1])
        best, worst = simplex[0][1], simplex[n][1]
        if abs(worst - best) <= 1e-6 * (abs(best) + 1e-6):
            break
        centroid = sum(v for v, _ in simplex[:n]) / n
        w = simplex[n][0]
        towards = lambda t: centroid + t * (w - centroid)
        r = towards(-1.0)
        rc = cost(r)
        if rc < simplex[0][1]:
            e = towards(-2.0)
            ec = cost(e)
            simplex[n] = (e, ec) if ec < rc else (r, rc)
        elif rc < simplex[n - 1][1]:
            simplex[n] = (r, rc)
        else:
            c = towards(0.5)
            cc = cost(c)
            if cc < worst:
                simplex[n] = (c, cc)
            else:
                bp = simplex[0][0]
                for j in range(1, n + 1):
                    s = bp + 0.5 * (simplex[j][0] - bp)
                    simplex[j] = (s, cost(s))
    simplex.sort(key=lambda a: a[1])
    return to_box(simplex[0][0]), simplex[0][1]


def omo_initial_states(y, e, t, s, m):
    seasonal = s != "N"
    period = m if seasonal else 1
    first = y[:period].sum() / max(min(period, len(y)), 1)
    second = y[period:2 * period]
    trend = (second.mean() - first) / period if (t != "N" and len(second)) else 0.0
    seas = []
    if seasonal:
        raw = np.array([(y[i::m][:2].mean() / max(first, 1e-9)) if s == "M" else (y[i::m][:2].mean() - first)
                        for i in range(m)])
        c = raw.mean()
        seas = raw / c if s == "M" else raw - c
    return first - trend * (period + 1.0) / 2.0 + trend, trend, np.asarray(seas, float)


def sf_initial_states(y, t, s, m):
    st = sfets.initstate(y, m if s != "N" else 1, "A" if t != "N" else "N", s)
    k = 1 + (t != "N")
    l0 = st[0]
    b0 = st[1] if t != "N" else 0.0
    seas = np.array([])
    if s != "N":
        free = np.asarray(st[k:], float)
        last = (m if s == "M" else 0.0) - free.sum()
        sf_order = np.concatenate([free, [last]])  # sf_order[j] used m-1-j steps after start
        seas = sf_order[::-1]  # omo order: seas[i] used for y[i]
    return l0, b0, seas


class Filter:
    def __init__(self, y, e, t, s, m):
        self.y, self.e, self.t, self.s = y, e, t, s
        self.m = m if s != "N" else 1
        self.p = 1 + (t != "N") + (self.m if s != "N" else 0)
        self.n = len(y)
        self.x = np.zeros(self.p * (self.n + 1))
        self.err = np.zeros(self.n)
        self.amse = np.zeros(30)
        self.nlogn = self.n * math.log(self.n)

    def run(self, alpha, beta, gamma, phi, l0, b0, seas_omo):
        x = self.x
        x[:] = 0.0
        x[0] = l0
        k = 1
        if self.t != "N":
            x[1] = b0
            k = 2
        if self.s != "N":
            x[k:k + self.m] = seas_omo[::-1]
        lik = _ets.calc(x, self.err, self.amse, 1, self.y, C[self.e], C[self.t], C[self.s], alpha,
                        beta if self.t != "N" else 0.0, gamma if self.s != "N" else 0.0,
                        phi if self.t == "d" else phi, self.m)
        if not math.isfinite(lik) or abs(lik - _ets.NA) < 1e-7:
            return None
        if self.e == "M" and np.any(self.err <= -1.0):
            return None  # omo: a multiplicative error needs a positive one-step forecast
        last = x[self.p * self.n: self.p * (self.n + 1)]
        if not (math.isfinite(last[0]) and (self.t == "N" or math.isfinite(last[1]))):
            return None
        return lik - self.nlogn


def fit_omo(y, e, t, damped, s, m, h, flags):
    positive = bool(np.all(y > 0))
    if (e == "M" or s == "M") and not positive:
        return None
    seasonal = s != "N"
    min_len = m + 1 if "n1m" in flags else 2 * m
    if seasonal and (not (2 <= m <= 24) or len(y) < min_len):
        return None
    l0, b0, s0 = omo_initial_states(y, e, t, s, m)
    if "sfseas" in flags or "sflt" in flags:
        L, B, S = sf_initial_states(y, t, s, m)
        if "sflt" in flags:
            l0, b0 = L, B
        if "sfseas" in flags and seasonal:
            s0 = S
    scale = max(np.abs(y).max(), 1.0)
    flt = Filter(y, e, t, s, m)
    phi_fixed = 1.0
    if "sfnm" in flags:
        return fit_sfnm(y, e, t, damped, s, m, h, flags, l0, b0, s0, flt)
    a0, g0, p0 = 0.3, 0.1, 0.95
    if "sfstart" in flags:  # statsforecast's initparam starting values, in omo's parameterisation
        a0 = 1e-4 + 0.2 * (0.9999 - 1e-4) / (m if seasonal else 1)
        g0 = (1e-4 + 0.05 * ((1 - a0) - 1e-4)) / (1 - a0)
        p0 = 0.8 + 0.99 * 0.18
    start, low, high = [a0], [1e-4], [0.9999]
    if t != "N":
        start.append(0.1); low.append(1e-4); high.append(0.9999)
    if seasonal:
        start.append(g0); low.append(1e-4); high.append(0.9999)
    if damped:
        start.append(p0); low.append(0.8); high.append(0.98)
    start.append(l0); low.append(l0 - scale); high.append(l0 + scale)
    if t != "N":
        start.append(b0); low.append(b0 - scale / 10); high.append(b0 + scale / 10)
    nseas_free = 0
    if seasonal and "optseas" in flags:
        nseas_free = m - 1
        for v in s0[1:]:  # seas[0] implied by the sum constraint
            start.append(v)
            if s == "M":
                low.append(max(v * 0.2, 1e-3)); high.append(v * 5 + 1e-3)
            else:
                sd = max(np.std(y), 1e-9)
                low.append(v - 3 * sd); high.append(v + 3 * sd)
    betacap = 0.2 / m if ("betacap" in flags and seasonal) else None
    if "sfbeta" in flags and t != "N":
        # statsforecast's effective beta box (CONVENTIONS.md section 4): 0.20006 for AAdN/AAN, and
        # for every later trended form 0.016763 once the seasonal forms have been tried.
        seasonal_tried = len(y) > m and 2 <= m <= 24
        if (e == "A" and s == "N") or not seasonal_tried:
            betacap = 1e-4 + 0.2 * (0.9999 - 1e-4)
        else:
            betacap = 1e-4 + 0.2 * (0.9999 - 1e-4) / m

    def unpack(xv):
        i = 0
        alpha = xv[i]; i += 1
        beta = 0.0
        if t != "N":
            beta = alpha * xv[i]; i += 1
            if betacap is not None:
                beta = min(beta, betacap)
        gamma = 0.0
        if seasonal:
            gamma = (1 - alpha) * xv[i]; i += 1
        phi = 1.0
        if damped:
            phi = xv[i]; i += 1
        lv = xv[i]; i += 1
        bv = 0.0
        if t != "N":
            bv = xv[i]; i += 1
        sv = s0
        if nseas_free:
            free = np.asarray(xv[i:i + nseas_free])
            first_ = (m if s == "M" else 0.0) - free.sum()
            sv = np.concatenate([[first_], free])
            if s == "M" and sv.min() < 0:
                return None
        return alpha, beta, gamma, phi, lv, bv, sv

    def objective(xv):
        p = unpack(xv)
        if p is None:
            return math.inf
        r = flt.run(*p)
        return math.inf if r is None else r

    best, lik = minimise(objective, start, low, high, 2000)
    if not math.isfinite(lik):
        return None
    p = unpack(best)
    flt.run(*p)
    n = len(y)
    k = len(best) - nseas_free + (m - 1 if seasonal else 0) + 1
    aic = lik + 2 * k
    aicc = aic + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf
    return finish(flt, p, aicc, lik, e, t, damped, s, m, h)


def finish(flt, p, aicc, lik, e, t, damped, s, m, h):
    alpha, beta, gamma, phi, lv, bv, sv = p
    last = flt.x[flt.p * flt.n: flt.p * (flt.n + 1)].copy()
    f = np.zeros(h)
    sfets.etsforecast(last, flt.m, C[t], C[s], phi if damped else 1.0, h, f)
    return dict(aicc=aicc, lik=lik, alpha=alpha, beta=beta, gamma=gamma,
                phi=phi if damped else np.nan, forecast=f,
                form=f"{e}{t}{'d' if damped else ''}{s}")


def fit_sfnm(y, e, t, damped, s, m, h, flags, l0, b0, s0, flt):
    """statsforecast's estimation (start values, box, C++ NM, 1000 its, tol 1e-4, seasonals
    optimised unless fixseas) from omo's (or the chosen) initial states."""
    mm = m if s != "N" else 1
    lower = np.array([1e-4, 1e-4, 1e-4, 0.8])
    upper = np.array([0.9999, 0.9999, 0.9999, 0.98])
    if "sfbeta" in flags and t != "N":
        seasonal_tried = len(y) > m and 2 <= m <= 24
        if not ((e == "A" and s == "N") or not seasonal_tried):
            upper[1] = 1e-4 + 0.2 * (0.9999 - 1e-4) / m
    par = sfets.initparam(np.nan, np.nan, np.nan, np.nan, t, s, damped, lower, upper, mm, "both")
    if "betafree" in flags:
        upper = np.array([0.9999, 0.9999, 0.9999, 0.98])
    names = [k for k in ("alpha", "beta", "gamma", "phi") if not np.isnan(par[k])]
    init = [l0] + ([b0] if t != "N" else []) + (list(s0[::-1][: m - 1]) if s != "N" else [])
    x0 = np.array([par[k] for k in names] + init, float)
    lo = np.full_like(x0, -np.inf); up = np.full_like(x0, np.inf)
    for j, k in enumerate(names):
        i = ("alpha", "beta", "gamma", "phi").index(k)
        lo[j], up[j] = lower[i], upper[i]
    nstate = len(init)
    if "fixseas" in flags and s != "N":
        st = len(names) + 1 + (t != "N")
        lo[st:] = x0[st:]; up[st:] = x0[st:]
    if len(x0) >= len(y) - 1:
        return None
    res = _ets.optimize(x0, y, nstate, C[e], C[t], C[s], _ets.Criterion.Likelihood, 3, mm,
                        True, t != "N", s != "N", damped, par["alpha"],
                        par["beta"] if t != "N" else 0.0, par["gamma"] if s != "N" else 0.0,
                        par["phi"] if damped else 1.0, lo, up, 1e-4, 1000, True)
    xb = res[0]
    vals = dict(zip(names, xb[: len(names)]))
    st = xb[len(names):]
    lv = st[0]; bv = st[1] if t != "N" else 0.0
    sv = np.array([])
    if s != "N":
        free = st[1 + (t != "N"):]
        sv = np.concatenate([free, [(m if s == "M" else 0.0) - free.sum()]])[::-1]
    p = (vals["alpha"], vals.get("beta", 0.0), vals.get("gamma", 0.0), vals.get("phi", 1.0), lv, bv, sv)
    lik = flt.run(*p)
    if lik is None:
        # statsforecast would keep it (abs() of forecasts); recompute with its convention
        return None
    n = len(y)
    k = len(x0) + 1
    aicc = lik + 2 * k + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf
    return finish(flt, p, aicc, lik, e, t, damped, s, m, h)


def candidates(y, m, flags):
    positive = bool(np.all(y > 0))
    errors = ["A", "M"] if positive else ["A"]
    min_len = m + 1 if "n1m" in flags else 2 * m
    if 2 <= m <= 24 and len(y) >= min_len:
        seasons = ["N", "A", "M"] if positive else ["N", "A"]
    else:
        seasons = ["N"]
    out = []
    for e in errors:
        for t, d in (("N", False), ("A", False), ("A", True)):
            for s in seasons:
                if e == "A" and s == "M":
                    continue
                out.append((e, t, d, s))
    return out


def smape(y, f):
    den = np.abs(y) + np.abs(f)
    return float(np.mean(np.where(den == 0, 0.0, 200 * np.abs(y - f) / np.where(den == 0, 1, den))))


def main():
    flags = set(sys.argv[1].split(","))
    variant = sys.argv[1].replace(",", "+")
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    lines = []
    for name, h in SETS.items():
        df = pd.read_csv(f"{DATA}/{name}_train.csv").sort_values(["unique_id", "ds"])
        rows = []
        t0 = time.perf_counter()
        for i, (uid, g) in enumerate(df.groupby("unique_id", sort=False)):
            if limit is not None and i >= limit:
                break
            y = g["y"].to_numpy(float)
            tr, va = y[:-h], y[-h:]
            fits = [f for f in (fit_omo(tr, e, t, d, s, M, h, flags) for e, t, d, s in candidates(tr, M, flags))
                    if f is not None]
            if fits:
                best = min(fits, key=lambda f: f["aicc"])
                fc, form = best["forecast"], best["form"]
            else:  # omo falls back to SES; approximate by the last value (rare)
                fc, form, best = np.full(h, tr[-1]), "fallback", {}
            rows.append(dict(unique_id=uid, n=len(tr), form=form, aicc=best.get("aicc"),
                             alpha=best.get("alpha"), beta=best.get("beta"), gamma=best.get("gamma"),
                             phi=best.get("phi"), smape=smape(va, fc),
                             forecast=";".join(f"{v:.8g}" for v in fc)))
        r = pd.DataFrame(rows)
        tag = f"{variant}" + (f"_first{limit}" if limit else "")
        r.to_csv(f"{OUT}/emu_{tag}_{name}.csv", index=False)
        seas = r.form.str[-1].isin(["A", "M"])
        lines.append(f"{tag:40s} {name:16s} sMAPE {r.smape.mean():7.3f}  seasonal-chosen {seas.sum():4d}/{len(r)}"
                     f"  ({time.perf_counter() - t0:.0f} s)")
        print(lines[-1], flush=True)
    with open(f"{OUT}/emu_summary.txt", "a") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
