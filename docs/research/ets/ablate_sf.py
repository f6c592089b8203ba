"""Ablations inside statsforecast 2.1.1's own ETS engine (its C++ Nelder-Mead and likelihood):
switch ONE convention at a time to omo's and measure the validation sMAPE (last h of train held out).

usage: python ablate_sf.py VARIANT[,VARIANT...]   (flags combined with ',')
flags:
  sf          statsforecast unchanged (must reproduce sf_ets_<set>.csv)
  fixseas     seasonal initial states NOT optimised (kept at the heuristic start), as omo does
  omoseas     seasonal start values by omo's heuristic (means of the first two seasons, centred,
              no detrending) instead of classical decomposition
  omolt       level/trend start values by omo's heuristic (season means) instead of regression
  betafree    no in-place mutation of the shared `upper` array: beta, gamma boxes [1e-4, 0.9999]
              (statsforecast: beta <= alpha_start = 0.0168 for seasonal models, see CONVENTIONS.md)
  omostart    omo's starting parameters alpha 0.3, beta 0.03, gamma 0.07, phi 0.95 (needs betafree)
  n2m         seasonal forms only when n >= 2m (omo), not n > m (statsforecast)
Writes ablation_<variant>_<set>.csv (unique_id, form, smape) and appends to ablation_summary.txt.
"""
from study import DATA, M, OUT, SETS  # noqa: I001 (first: it sets the thread counts)

import sys
import time

import numpy as np
import pandas as pd

import statsforecast.ets as sfets


flags = set(sys.argv[1].split(","))
variant = sys.argv[1].replace(",", "+")

_orig_initstate = sfets.initstate
_orig_initparam = sfets.initparam
_orig_opt = sfets.optimize_ets_target_fn


def omo_states(y, m, trendtype, seasontype):
    """omo ets.rs initial_states(), returned in statsforecast's state layout."""
    seasonal = seasontype != "N"
    period = m if seasonal else 1
    first = y[:period].sum() / max(min(period, len(y)), 1)
    second = y[period:2 * period]
    trend = (second.mean() - first) / period if (trendtype != "N" and len(second)) else 0.0
    l0 = first - trend * (period + 1.0) / 2.0 + trend
    out = [l0] + ([trend] if trendtype != "N" else [])
    if seasonal:
        raw = []
        for i in range(m):
            vals = y[i::m][:2]
            mean = vals.mean()
            raw.append(mean / max(first, 1e-9) if seasontype == "M" else mean - first)
        raw = np.array(raw)
        c = raw.mean()
        s = raw / c if seasontype == "M" else raw - c
        # omo: s[i] is the index of period i (used for y[i]); statsforecast's free states are
        # x[j] = index used m-1-j steps after the first (j = 0..m-2), the last one implied.
        out += list(s[::-1][: m - 1])
    return np.array(out, dtype=float)


def my_initstate(y, m, trendtype, seasontype):
    st = _orig_initstate(y, m, trendtype, seasontype)
    if "omoseas" in flags or "omolt" in flags:
        o = omo_states(y, m, trendtype, seasontype) if seasontype != "N" or "omolt" in flags else None
        if o is not None and len(o) == len(st):
            k = 1 + (trendtype != "N")
            if "omolt" in flags:
                st[:k] = o[:k]
            if "omoseas" in flags and seasontype != "N":
                st[k:] = o[k:]
    return st


def my_initparam(alpha, beta, gamma, phi, trendtype, seasontype, damped, lower, upper, m, bounds):
    if "betafree" in flags:
        upper = upper.copy()
    par = _orig_initparam(alpha, beta, gamma, phi, trendtype, seasontype, damped, lower, upper, m,
                          bounds)
    if "omostart" in flags:
        par["alpha"] = 0.3
        if trendtype != "N":
            par["beta"] = 0.03
        if seasontype != "N":
            par["gamma"] = 0.07
        if damped:
            par["phi"] = 0.95
    return par


def my_opt(**kw):
    if "fixseas" in flags and kw["seasontype"] != "N":
        x0 = kw["x0"]
        lo, up = kw["lowerb"].copy(), kw["upperb"].copy()
        start = len(x0) - kw["nstate"] + 1 + (kw["trendtype"] != "N")
        lo[start:] = x0[start:]
        up[start:] = x0[start:]
        kw["lowerb"], kw["upperb"] = lo, up
    return _orig_opt(**kw)


sfets.initstate = my_initstate
sfets.initparam = my_initparam
sfets.optimize_ets_target_fn = my_opt


def smape(y, f):
    den = np.abs(y) + np.abs(f)
    return float(np.mean(np.where(den == 0, 0.0, 200 * np.abs(y - f) / np.where(den == 0, 1, den))))


lines = []
for name, h in SETS.items():
    df = pd.read_csv(f"{DATA}/{name}_train.csv").sort_values(["unique_id", "ds"])
    rows = []
    t0 = time.perf_counter()
    for uid, g in df.groupby("unique_id", sort=False):
        y = g["y"].to_numpy(float)
        tr, va = y[:-h], y[-h:]
        model = "ZZN" if ("n2m" in flags and len(tr) < 2 * M) else "ZZZ"
        mo = sfets.ets_f(tr, M, model=model)
        fc = sfets.forecast_ets(mo, h)["mean"]
        e, t, s, d = mo["components"]
        rows.append(dict(unique_id=uid, n=len(tr), form=f"{e}{t}{'d' if d == 'D' else ''}{s}",
                         aicc=mo["aicc"], alpha=mo["par"][0], beta=mo["par"][1],
                         gamma=mo["par"][2], phi=mo["par"][3], smape=smape(va, fc)))
    r = pd.DataFrame(rows)
    r.to_csv(f"{OUT}/ablation_{variant}_{name}.csv", index=False)
    seas = r.form.str[-1] != "N"
    lines.append(f"{variant:40s} {name:16s} sMAPE {r.smape.mean():7.3f}  seasonal-chosen {seas.sum():4d}"
                 f"  ({time.perf_counter() - t0:.0f} s)")
    print(lines[-1], flush=True)
with open(f"{OUT}/ablation_summary.txt", "a") as fh:
    fh.write("\n".join(lines) + "\n")
