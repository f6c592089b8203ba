"""Fit statsforecast 2.1.1 AutoETS (season_length=12, defaults) on the training parts of
tourism monthly and M1 monthly, with each series' last h points held out as validation.

Outputs (in $OMO_STUDY_OUT, default target/ets-study/):
  sf_ets_<set>.csv             one row per series: chosen model, params, initial states, forecasts, sMAPE
  sf_ets_<set>_candidates.csv  one row per (series, candidate model) tried by ets_f, in ets_f's order,
                               with the heuristic initial states, the box bounds actually used,
                               fitted params, NM iterations, loglik and AICc
  timing.txt                   wall-clock times
Uses only *_train.csv. One thread.
"""
from study import DATA, M, OUT, SETS  # noqa: I001 (first: it sets the thread counts)

import time

import numpy as np
import pandas as pd

import statsforecast.ets as sfets
from statsforecast.models import AutoETS


_orig_etsmodel = sfets.etsmodel
_orig_initstate = sfets.initstate
_records = []
_cur = {}


def _initstate_spy(y, m, trendtype, seasontype):
    st = _orig_initstate(y, m, trendtype, seasontype)
    _cur["init_state"] = np.array(st, dtype=float)
    return st


def _etsmodel_spy(y, m, errortype, trendtype, seasontype, damped, alpha, beta, gamma, phi,
                  lower, upper, *args, **kwargs):
    _cur.clear()
    fit = _orig_etsmodel(y, m, errortype, trendtype, seasontype, damped, alpha, beta, gamma,
                         phi, lower, upper, *args, **kwargs)
    # `upper` is the array shared by all candidates of one ets_f call; initparam mutated it
    rec = dict(
        model=f"{errortype}{trendtype}{'d' if damped else ''}{seasontype}",
        upper_beta_used=float(upper[1]) if trendtype != "N" else np.nan,
        upper_gamma_used=float(upper[2]) if seasontype != "N" else np.nan,
        aicc=fit["aicc"],
        aic=fit["aic"],
        loglik=fit.get("loglik", np.nan),
        n_params=fit.get("n_params", np.nan),
        nm_iter=getattr(fit["fit"], "nit", np.nan) if fit.get("fit") is not None else np.nan,
        nm_fn=getattr(fit["fit"], "fn", np.nan) if fit.get("fit") is not None else np.nan,
    )
    par = fit.get("par")
    if fit.get("fit") is not None:
        rec.update(alpha=par[0], beta=par[1], gamma=par[2], phi=par[3],
                   fitted_states=";".join(f"{v:.10g}" for v in par[4:]))
    init = _cur.get("init_state")
    rec["heuristic_states"] = ";".join(f"{v:.10g}" for v in init) if init is not None else ""
    _records.append(rec)
    return fit


sfets.initstate = _initstate_spy
sfets.etsmodel = _etsmodel_spy


def smape(y, f):
    y = np.asarray(y, float)
    f = np.asarray(f, float)
    den = np.abs(y) + np.abs(f)
    r = np.where(den == 0, 0.0, 200.0 * np.abs(y - f) / np.where(den == 0, 1, den))
    return float(np.mean(r))


def main():
    timing = []
    for name, h in SETS.items():
        df = pd.read_csv(f"{DATA}/{name}_train.csv")
        df = df.sort_values(["unique_id", "ds"])
        rows, cand_rows = [], []
        t0 = time.perf_counter()
        for uid, g in df.groupby("unique_id", sort=False):
            y = g["y"].to_numpy(float)
            tr, va = y[:-h], y[-h:]
            _records.clear()
            mdl = AutoETS(season_length=M)
            mdl.fit(tr)
            fc = mdl.predict(h)["mean"]
            mo = mdl.model_
            comp = mo["components"]  # e.g. "MAMD" / "ANAN"
            e, t, s, d = comp
            par = mo["par"]
            states = par[4:]
            l0 = states[0]
            b0 = states[1] if t != "N" else np.nan
            seas = states[1 + (t != "N"):] if s != "N" else []
            rows.append(dict(
                unique_id=uid, n=len(tr), n_full_train=len(y),
                form=f"{e}{t}{'d' if d == 'D' else ''}{s}", damped=(d == "D"),
                components=comp, aicc=mo["aicc"], aic=mo["aic"], loglik=mo["loglik"],
                n_params=mo["n_params"], sigma2=mo["sigma2"],
                alpha=par[0], beta=par[1], gamma=par[2], phi=par[3],
                level0=l0, trend0=b0,
                seasonals0=";".join(f"{v:.10g}" for v in seas),
                forecast=";".join(f"{v:.10g}" for v in fc),
                actual=";".join(f"{v:.10g}" for v in va),
                smape=smape(va, fc),
                min_y_positive=bool(tr.min() > 0),
                n_candidates=len(_records),
            ))
            for r in _records:
                cand_rows.append(dict(unique_id=uid, n=len(tr), **r))
        el = time.perf_counter() - t0
        res = pd.DataFrame(rows)
        res.to_csv(f"{OUT}/sf_ets_{name}.csv", index=False)
        pd.DataFrame(cand_rows).to_csv(f"{OUT}/sf_ets_{name}_candidates.csv", index=False)
        msg = (f"{name}: {len(res)} series, h={h}, fit+predict {el:.1f} s (1 process, 1 thread), "
               f"mean sMAPE {res.smape.mean():.3f}")
        print(msg, flush=True)
        timing.append(msg)
    with open(f"{OUT}/timing.txt", "w") as fh:
        fh.write("statsforecast 2.1.1 AutoETS(season_length=12), validation = last h of train\n")
        fh.write("\n".join(timing) + "\n")


if __name__ == "__main__":
    main()
