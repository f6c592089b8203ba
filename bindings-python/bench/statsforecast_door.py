#!/usr/bin/env python3
"""omo.statsforecast against statsforecast, through the same class API, in one run on one thread
each (omo with RAYON_NUM_THREADS=1 and n_jobs=1, statsforecast with n_jobs=1).

1. Hold-outs of the training parts (the last h values of each series held out; the test parts are
   not touched): M4 weekly (h=13, season 1 as M4 does for weekly data), tourism monthly (h=24)
   and M1 monthly (h=18), season 12. For every model both libraries have, and omo's Auto: sMAPE,
   MASE, seconds warm (the call again in the same process) and cold (a fresh process: import,
   read, first call), and the peak resident memory of that process.
2. The cost of the class API over the core: omo.statsforecast's forecast against the native panel
   call it makes, on the same frame.
3. The first call: a fresh process that imports omo.statsforecast and forecasts one series.
4. Memory at scale: SeasonalNaive on 10 million rows (and AutoETS on 1 million), peak resident
   memory of each process against the input frame's own size, omo against statsforecast.

Usage: python3 bindings-python/bench/statsforecast_door.py [--data DIR] [--skip-scale] [--skip-autoets-scale] [--here]
Installs what it needs into .venv-bench (at the repository root) when run outside it, unless
--here says this interpreter has statsforecast and omo already.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_venv import ROOT, ensure_venv

# (display name, constructor call): the models both libraries have, then omo's own.
MODELS = [
    ("AutoETS", "AutoETS(season_length=m)"),
    ("Theta", "Theta(season_length=m)"),
    ("OptimizedTheta", "OptimizedTheta(season_length=m)"),
    ("DynamicTheta", "DynamicTheta(season_length=m)"),
    ("DynamicOptTheta", "DynamicOptimizedTheta(season_length=m)"),
    ("AutoTheta", "AutoTheta(season_length=m)"),
    ("Holt", "Holt()"),
    ("HoltWinters", "HoltWinters(season_length=m)"),
    ("Naive", "Naive()"),
    ("SeasonalNaive", "SeasonalNaive(season_length=m)"),
    ("HistoricAverage", "HistoricAverage()"),
    ("WindowAverage", "WindowAverage(window_size=6)"),
    ("SES", "SimpleExponentialSmoothing(alpha=0.3)"),
    ("SESOpt", "SimpleExponentialSmoothingOptimized()"),
    ("CrostonClassic", "CrostonClassic()"),
    ("CrostonOptimized", "CrostonOptimized()"),
    ("CrostonSBA", "CrostonSBA()"),
    ("TSB", "TSB(alpha_d=0.2, alpha_p=0.2)"),
    ("ADIDA", "ADIDA()"),
    ("IMAPA", "IMAPA()"),
    ("Auto", "Auto(season_length=m)"),
]

SETS = [("M4 weekly", "m4_weekly_train.csv", 13, 1, "W"), ("tourism monthly", "tourism_monthly_train.csv", 24, 12, "MS"),
        ("M1 monthly", "m1_monthly_train.csv", 18, 12, "MS")]


# One model of one library on one frame: cold (from the interpreter's start), warm, peak memory.
CHILD = """
import json, resource, sys, time, warnings
t0 = time.perf_counter()
warnings.filterwarnings("ignore")
import pandas as pd
tool, call, train_path, out_path, h, m, freq = sys.argv[1:8]
h, m = int(h), int(m)
if tool == "omo":
    from omo.statsforecast import StatsForecast
    from omo.statsforecast.models import *
else:
    from statsforecast import StatsForecast
    from statsforecast.models import *
train = pd.read_pickle(train_path)
model = eval(call)
sf = StatsForecast(models=[model], freq=freq, n_jobs=1)
t1 = time.perf_counter()
first = sf.forecast(df=train, h=h)
t2 = time.perf_counter()
sf.forecast(df=train, h=h)
t3 = time.perf_counter()
first.rename(columns={model.alias: "f"})[["unique_id", "ds", "f"]].to_pickle(out_path)
print(json.dumps({"cold": t2 - t0, "warm": t3 - t2, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def split(path, h):
    import pandas as pd

    data = pd.read_csv(path, parse_dates=["ds"]).sort_values(["unique_id", "ds"])
    position = data.groupby("unique_id").cumcount(ascending=False)
    train = data[position >= h].reset_index(drop=True)
    test = {uid: g["y"].to_numpy() for uid, g in data[position < h].groupby("unique_id")}
    return train, test


def scores(train, test, forecasts, m):
    import numpy as np

    insample = {uid: g["y"].to_numpy() for uid, g in train.groupby("unique_id")}
    smape, mase = [], []
    for uid, g in forecasts.groupby("unique_id"):
        a, f = np.asarray(test[uid]), g["f"].to_numpy()
        if not np.all(np.isfinite(f)):
            return float("nan"), float("nan")
        denom = np.abs(a) + np.abs(f)
        smape.append(np.mean(np.where(denom > 0, 200 * np.abs(a - f) / np.where(denom > 0, denom, 1), 0)))
        y = insample[uid]
        lag = m if len(y) > m else 1
        scale = np.mean(np.abs(y[lag:] - y[:-lag])) if len(y) > lag else 0
        if scale > 0:
            mase.append(np.mean(np.abs(a - f)) / scale)
    return float(np.mean(smape)), float(np.mean(mase))


def run_child(tool, call, train_path, out, h, m, freq):
    env = {**os.environ, "RAYON_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", CHILD, tool, call, str(train_path), str(out), str(h), str(m), freq],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def hold_outs(data_dir, sets, models):
    for name, file, h, m, freq in SETS:
        if sets and name not in sets:
            continue
        train, test = split(data_dir / file, h)
        compare(f"{name}: {train['unique_id'].nunique()} series, last {h} of the training part held out, season {m}",
                train, test, h, m, freq, [(label, call) for label, call in MODELS if not models or label in models])


def compare(title, train, test, h, m, freq, models):
    """Prints, per model, both libraries' sMAPE, MASE, warm and cold seconds and peak memory on
    one split (``test``: the actual values by series id), and statsforecast's warm time over omo's."""
    import pandas as pd

    print(f"\n== {title} ==")
    print(f"{'model':18s} | {'omo sMAPE':>9s} {'MASE':>6s} {'warm s':>7s} {'cold s':>7s} {'MB':>5s} | "
          f"{'sf sMAPE':>9s} {'MASE':>6s} {'warm s':>7s} {'cold s':>7s} {'MB':>5s} | {'warm x':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        train_path = Path(tmp) / "train.pkl"
        train.to_pickle(train_path)
        for label, call in models:
            cells, warm = [], {}
            for tool in ("omo", "statsforecast"):
                if tool == "statsforecast" and label == "Auto":
                    cells.append(f"{'(omo only)':>39s}")
                    continue
                out = Path(tmp) / f"{tool}.pkl"
                timing = run_child(tool, call, train_path, out, h, m, freq)
                if "error" in timing:
                    cells.append(f"{timing['error'][:39]:>39s}")
                    continue
                smape, mase = scores(train, test, pd.read_pickle(out), m)
                warm[tool] = timing["warm"]
                cells.append(f"{smape:9.3f} {mase:6.3f} {timing['warm']:7.3f} {timing['cold']:7.2f} {timing['rss_mb']:5.0f}")
            ratio = warm["statsforecast"] / warm["omo"] if len(warm) == 2 else float("nan")
            print(f"{label:18s} | {cells[0]} | {cells[1]} | {ratio:6.1f}")


API_COST = """
import json, time, sys
import numpy as np, pandas as pd
from omo import _native
from omo._frames import read_panel
from omo.statsforecast import StatsForecast
from omo.statsforecast.models import AutoETS, Naive
train = pd.read_pickle(sys.argv[1])
out = {}
for model in (AutoETS(season_length=12), Naive()):
    sf = StatsForecast(models=[model], freq="MS", n_jobs=1)
    sf.forecast(df=train, h=18)
    best_api, best_core = float("inf"), float("inf")
    for _ in range(5):
        t = time.perf_counter(); sf.forecast(df=train, h=18); best_api = min(best_api, time.perf_counter() - t)
        panel = read_panel(train)
        t = time.perf_counter()
        _native.forecast_panel(panel.values, panel.offsets, panel.labels, 18, model._method, model.season_length, [], False, None, 1)
        best_core = min(best_core, time.perf_counter() - t)
    out[model.alias] = (best_api, best_core)
print(json.dumps(out))
"""

FIRST_CALL = """
import time
t0 = time.perf_counter()
import pandas as pd
from omo.statsforecast import StatsForecast
from omo.statsforecast.models import AutoETS
df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=48, freq="MS"),
                   "y": [float(100 + (i % 12) * 3 + i) for i in range(48)]})
StatsForecast(models=[AutoETS(season_length=12)], freq="MS").forecast(df=df, h=12)
print(time.perf_counter() - t0)
"""


def api_cost(data_dir):
    train, _ = split(data_dir / "m1_monthly_train.csv", 18)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.pkl"
        train.to_pickle(path)
        env = {**os.environ, "RAYON_NUM_THREADS": "1"}
        result = json.loads(subprocess.run([sys.executable, "-c", API_COST, str(path)], env=env, check=True,
                                           capture_output=True, text=True).stdout.strip().splitlines()[-1])
    print("\n== The class API over the core (M1 monthly training parts, best of 5, one thread) ==")
    for model, (api, core) in result.items():
        print(f"{model:10s} class API {api:7.3f} s, native panel call {core:7.3f} s: the API adds {100 * (api / core - 1):5.1f} %")
    first = float(subprocess.run([sys.executable, "-c", FIRST_CALL], check=True, capture_output=True, text=True).stdout)
    print(f"First call (fresh process: import omo.statsforecast, AutoETS of one 48-month series): {first:.2f} s")


SCALE = """
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
tool, rows, model_name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
length = 100
series = rows // length
rng = np.random.default_rng(0)
df = pd.DataFrame({"unique_id": np.repeat(np.arange(series, dtype=np.int64), length),
                   "ds": np.tile(pd.date_range("2010-01-01", periods=length, freq="MS").to_numpy(), series),
                   "y": rng.gamma(2.0, 50.0, rows)})
size = df.memory_usage(deep=True).sum() / 2**20
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if tool == "omo":
    from omo.statsforecast import StatsForecast
    from omo.statsforecast import models
else:
    from statsforecast import StatsForecast
    from statsforecast import models
model = models.SeasonalNaive(season_length=12) if model_name == "SeasonalNaive" else models.AutoETS(season_length=12)
t = time.perf_counter()
StatsForecast(models=[model], freq="MS", n_jobs=1).forecast(df=df, h=12)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"input_mb": size, "before_mb": base, "peak_mb": peak, "seconds": seconds}))
"""


def scale(with_autoets: bool):
    print("\n== Memory at scale (series of 100 months, one thread; peak resident memory of the process) ==")
    runs = ((10_000_000, "SeasonalNaive"), (1_000_000, "AutoETS")) if with_autoets else ((10_000_000, "SeasonalNaive"),)
    for rows, model in runs:
        for tool in ("omo", "statsforecast"):
            env = {**os.environ, "RAYON_NUM_THREADS": "1"}
            done = subprocess.run([sys.executable, "-c", SCALE, tool, str(rows), model], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{model:14s} {rows:>11,} rows {tool:14s} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{model:14s} {rows:>11,} rows {tool:14s} input {r['input_mb']:6.0f} MB, peak {r['peak_mb']:6.0f} MB "
                  f"(+{r['peak_mb'] - r['before_mb']:5.0f} MB over the loaded input), {r['seconds']:7.2f} s")


def main():
    ensure_venv(["statsforecast==2.1.1", "pandas", "polars"])
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data"))
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-autoets-scale", action="store_true",
                        help="leave out AutoETS on a million rows (statsforecast takes about 15 minutes there)")
    parser.add_argument("--here", action="store_true", help="run in this interpreter (statsforecast and omo installed)")
    parser.add_argument("--sets", nargs="*", help="only these hold-out sets (e.g. 'M1 monthly')")
    parser.add_argument("--models", nargs="*", help="only these models (the table's names)")
    parser.add_argument("--skip-api", action="store_true", help="leave out the class API's cost and the first call")
    args = parser.parse_args()
    data_dir = Path(args.data)
    if not args.skip_api:
        api_cost(data_dir)
    hold_outs(data_dir, args.sets, args.models)
    if not args.skip_scale:
        scale(not args.skip_autoets_scale)


if __name__ == "__main__":
    main()
