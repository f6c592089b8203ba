#!/usr/bin/env python3
"""omo's Python package against the Python tools data scientists use, in one run, on the same data.

1. M4 weekly (359 series, the last 13 weeks held out): omo.forecast(models=["ets"]) against
   statsforecast's AutoETS (season_length 1, as M4 does for weekly data); sMAPE, MASE and seconds.
2. Intermittent demand, the 500 SKUs of the Online Retail ledger with most sales lines (weekly
   units, last 13 weeks held out): omo "croston" against statsforecast's CrostonClassic; WAPE, MASE.
   Each is timed cold (a fresh process: import and first call) and warm (the call again), on one
   thread each: omo's batch runs with RAYON_NUM_THREADS=1, statsforecast with n_jobs=1.
3. The S-P-I ledger of 1M movements (monthly, per node and product) against pandas and polars.
4. Call overhead: a trivial call, and a metric over 100,000 values.

Usage: python3 bindings-python/bench/bench_python.py [--m4 PATH] [--retail PATH] [--here]
Installs what it needs into .venv-bench (at the repository root) when run outside it.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_venv import ROOT, ensure_venv
H = 13


def m4_frames(path):
    import pandas as pd

    data = pd.read_csv(path, parse_dates=["ds"]).sort_values(["unique_id", "ds"])
    position = data.groupby("unique_id").cumcount(ascending=False)
    train = data[position >= H].reset_index(drop=True)
    test = {uid: g["y"].to_numpy() for uid, g in data[position < H].groupby("unique_id")}
    return train, test


def retail_frames(path):
    import pandas as pd

    ledger = pd.read_csv(path, encoding="latin-1", dtype={"StockCode": str, "InvoiceNo": str})
    ledger = ledger[(ledger["Quantity"] > 0) & ~ledger["InvoiceNo"].str.startswith("C")]
    top = ledger["StockCode"].value_counts().head(500).index
    ledger = ledger[ledger["StockCode"].isin(top)].copy()
    ledger["ds"] = pd.to_datetime(ledger["InvoiceDate"]).dt.to_period("W-SUN").dt.start_time
    weekly = ledger.groupby(["StockCode", "ds"])["Quantity"].sum()
    weeks = pd.date_range(weekly.index.get_level_values(1).min(), weekly.index.get_level_values(1).max(), freq="W-MON")
    full = weekly.unstack(fill_value=0).reindex(columns=weeks, fill_value=0).astype(float)
    train, test = [], {}
    for uid, row in full.iterrows():
        values = row.to_numpy()
        train.append(pd.DataFrame({"unique_id": uid, "ds": weeks[:-H], "y": values[:-H]}))
        test[uid] = values[-H:]
    return pd.concat(train, ignore_index=True), test


def scores(train, test, forecasts, column):
    import numpy as np

    smape, mase, abs_err, actual_sum = [], [], 0.0, 0.0
    insample = {uid: g["y"].to_numpy() for uid, g in train.groupby("unique_id")}
    for uid, g in forecasts.groupby("unique_id"):
        a, f = np.asarray(test[uid]), g[column].to_numpy()
        denom = np.abs(a) + np.abs(f)
        smape.append(np.mean(np.where(denom > 0, 200 * np.abs(a - f) / np.where(denom > 0, denom, 1), 0)))
        y = insample[uid]
        scale = np.mean(np.abs(np.diff(y))) if len(y) > 1 else 0
        if scale > 0:
            mase.append(np.mean(np.abs(a - f)) / scale)
        abs_err += np.abs(a - f).sum()
        actual_sum += np.abs(a).sum()
    return float(np.mean(smape)), float(np.mean(mase)), abs_err / actual_sum if actual_sum else float("nan")


CHILD = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
train = pd.read_pickle(sys.argv[2])
tool = sys.argv[1]
if tool.startswith("omo"):
    import omo
    model = tool.split(":")[1]
    run = lambda: omo.forecast(train, h=13, freq="W-MON", season_length=1, models=[model]).rename(columns={model: "f"})
else:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, CrostonClassic
    model = {"AutoETS": AutoETS(season_length=1), "CrostonClassic": CrostonClassic()}[tool.split(":")[1]]
    sf = StatsForecast(models=[model], freq="W-MON", n_jobs=1)
    run = lambda: sf.forecast(df=train, h=13).reset_index().rename(columns={str(model): "f"})
t1 = time.perf_counter()
first = run()
t2 = time.perf_counter()
run()
t3 = time.perf_counter()
first[["unique_id", "ds", "f"]].to_pickle(sys.argv[3])
print(json.dumps({"cold": t2 - t0, "first_call": t2 - t1, "warm": t3 - t2}))
"""


def race(name, train, test, tools, score_names):
    import tempfile

    import pandas as pd

    print(f"\n== {name}: {train['unique_id'].nunique()} series, h={H} ==")
    print(f"{'tool':28s} {score_names[0]:>8s} {'MASE':>8s} {'cold s':>8s} {'warm s':>8s}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "train.pkl"
        train.to_pickle(data)
        results = {}
        for tool in tools:
            out = Path(tmp) / "out.pkl"
            # One thread each: omo's batches would otherwise use every core.
            env = {**os.environ, "RAYON_NUM_THREADS": "1"}
            timing = json.loads(subprocess.run([sys.executable, "-c", CHILD, tool, str(data), str(out)], check=True, env=env,
                                               capture_output=True, text=True).stdout.strip().splitlines()[-1])
            smape, mase, wape = scores(train, test, pd.read_pickle(out), "f")
            first = smape if score_names[0] == "sMAPE" else wape
            results[tool] = timing
            print(f"{tool:28s} {first:8.3f} {mase:8.3f} {timing['cold']:8.2f} {timing['warm']:8.3f}")
        ours, theirs = tools
        print(f"speed: omo {results[theirs]['warm'] / results[ours]['warm']:.1f}x faster warm, "
              f"{results[theirs]['cold'] / results[ours]['cold']:.1f}x cold (fresh process, import and first call)")


def spi_race(n=1_000_000):
    import numpy as np
    import pandas as pd

    import omo

    rng = np.random.default_rng(1)
    nodes = np.array([f"N{i:03d}" for i in range(100)])[rng.integers(0, 100, n)]
    products = np.array([f"P{i:03d}" for i in range(100)])[rng.integers(0, 100, n)]
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    kind = np.where(rng.random(n) < 0.5, "receipt", "sale")
    quantity = rng.integers(1, 50, n).astype(float)
    frame = pd.DataFrame({"node": nodes, "product": products, "date": dates, "kind": kind, "quantity": quantity})
    print(f"\n== S-P-I ledger, {n:,} movements, monthly per node x product ==")
    t = time.perf_counter()
    ledger = omo.spi_ledger(frame, period="month", allow_negative=True)
    t_omo = time.perf_counter() - t
    t = time.perf_counter()
    f = frame.assign(period=frame["date"].dt.to_period("M").dt.start_time,
                     signed=np.where(frame["kind"] == "receipt", frame["quantity"], -frame["quantity"]))
    flows = f.pivot_table(index=["node", "product", "period"], columns="kind", values="quantity", aggfunc="sum", fill_value=0)
    net = f.groupby(["node", "product", "period"])["signed"].sum()
    closing = net.groupby(level=[0, 1]).cumsum()
    t_pandas = time.perf_counter() - t
    print(f"omo (exact decimals, whole API incl. conversion) {t_omo:6.2f} s  ({len(ledger):,} rows)")
    print(f"pandas (floats, no empty months, no checks)      {t_pandas:6.2f} s  ({len(closing):,} rows; {t_pandas / t_omo:.1f}x omo)")
    try:
        import polars as pl

        t = time.perf_counter()
        p = pl.from_pandas(frame).with_columns(pl.col("date").dt.truncate("1mo").alias("period"),
                                               pl.when(pl.col("kind") == "receipt").then(pl.col("quantity")).otherwise(-pl.col("quantity")).alias("signed"))
        g = p.group_by(["node", "product", "period"]).agg(pl.col("signed").sum()).sort(["node", "product", "period"])
        g = g.with_columns(pl.col("signed").cum_sum().over(["node", "product"]).alias("closing"))
        t_polars = time.perf_counter() - t
        print(f"polars (floats, no empty months, no checks)      {t_polars:6.2f} s  ({len(g):,} rows; {t_polars / t_omo:.1f}x omo)")
    except ImportError:
        pass


def overhead():
    import numpy as np

    import omo

    print("\n== Call overhead ==")
    n = 200_000
    t = time.perf_counter()
    for _ in range(n):
        omo._native.eoq(fixed_cost=100.0, holding_cost=2.0, demand_rate=1200.0)
    native = (time.perf_counter() - t) / n
    t = time.perf_counter()
    for _ in range(n):
        omo.inventory.eoq(fixed_cost=100.0, holding_cost=2.0, demand_rate=1200.0)
    public = (time.perf_counter() - t) / n
    a, b = np.random.default_rng(0).random(100_000), np.random.default_rng(1).random(100_000)
    omo.metrics.mae(a, b)
    t = time.perf_counter()
    for _ in range(100):
        omo.metrics.mae(a, b)
    batch = (time.perf_counter() - t) / 100
    print(f"trivial native call (eoq): {native * 1e9:.0f} ns; through omo.inventory: {public * 1e9:.0f} ns")
    print(f"MAE of 100,000 values (no per-element Python loop): {batch * 1e6:.0f} us ({batch / 1e5 * 1e9:.2f} ns per value)")


def main():
    ensure_venv(["statsforecast", "pandas", "polars"])
    parser = argparse.ArgumentParser()
    parser.add_argument("--m4", default=str(ROOT.parent / "shared/data/m4_weekly_train.csv"))
    parser.add_argument("--retail", default=str(ROOT.parent / "shared/data/online_retail.csv.gz"))
    parser.add_argument("--here", action="store_true", help="run in this interpreter (statsforecast and omo installed)")
    args = parser.parse_args()
    train, test = m4_frames(args.m4)
    race("M4 weekly", train, test, ["omo:ets", "statsforecast:AutoETS"], ["sMAPE"])
    train, test = retail_frames(args.retail)
    race("Online Retail top-500 SKUs, weekly units", train, test, ["omo:croston", "statsforecast:CrostonClassic"], ["WAPE"])
    spi_race()
    overhead()


if __name__ == "__main__":
    main()
