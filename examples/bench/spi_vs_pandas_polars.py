#!/usr/bin/env python3
"""Monthly S-P-I ledger: omo against pandas and polars, in one run, on the same data.

Builds omo's `spi_bench` (release), which generates N movements over 10,000 node x product pairs,
writes them as CSV and times omo's ledger (single-threaded, best of 3). Then loads the CSV into
pandas and polars (loading is not timed) and times the same computation with each (best of 3):
sum every kind of movement per node, product and month; fill the months without movements between
a pair's first and last month; chain opening and closing stock. Polars runs single-threaded
(POLARS_MAX_THREADS=1) and, for reference, with all cores. Checks that all three agree on the
number of rows and the total closing stock, and prints the ratios.

Usage: python3 examples/bench/spi_vs_pandas_polars.py [--movements 10000000]
Installs pandas and polars into .venv-bench (at the repository root) when run outside it.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-bench"
KINDS = ["receipt", "sale", "customer_return", "supplier_return", "transfer_in", "transfer_out", "adjustment"]
SIGN = {"receipt": 1, "sale": -1, "customer_return": 1, "supplier_return": -1, "transfer_in": 1, "transfer_out": -1, "adjustment": 1}


def ensure_venv():
    """Re-runs this script inside a venv that has pandas and polars."""
    if Path(sys.prefix) == VENV:
        return
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "pandas", "polars", "pyarrow"], check=True)
    os.execv(str(VENV / "bin" / "python"), [str(VENV / "bin" / "python"), *sys.argv])


def best_of(runs, fn):
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def pandas_ledger(pd, df):
    import numpy as np

    month = df["date"].dt.year * 12 + df["date"].dt.month - 1
    sums = df.assign(month=month).pivot_table(index=["node", "product", "month"], columns="kind", values="quantity", aggfunc="sum", fill_value=0.0)
    sums = sums.reindex(columns=KINDS, fill_value=0.0)
    # Fill the months between each pair's first and last month, vectorised.
    months = sums.index.get_level_values("month").to_numpy()
    pairs = sums.index.droplevel("month")
    bounds = pd.DataFrame({"first": months, "last": months}, index=pairs).groupby(level=[0, 1], sort=True).agg({"first": "min", "last": "max"})
    spans = (bounds["last"] - bounds["first"] + 1).to_numpy()
    starts = np.repeat(bounds["first"].to_numpy(), spans)
    offsets = np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans)
    grid = pd.MultiIndex.from_arrays(
        [np.repeat(bounds.index.get_level_values(0), spans), np.repeat(bounds.index.get_level_values(1), spans), starts + offsets],
        names=["node", "product", "month"],
    )
    full = sums.reindex(grid, fill_value=0.0)
    net = sum(full[k] * SIGN[k] for k in KINDS)
    full["closing"] = net.groupby(level=[0, 1]).cumsum()
    full["opening"] = full["closing"] - net
    return full


def polars_ledger(pl, df):
    sums = df.with_columns(pl.col("date").dt.truncate("1mo").alias("month")).group_by(["node", "product", "month"]).agg(
        [pl.col("quantity").filter(pl.col("kind") == k).sum().alias(k) for k in KINDS]
    )
    ranges = sums.group_by(["node", "product"]).agg(pl.col("month").min().alias("first"), pl.col("month").max().alias("last"))
    grid = ranges.with_columns(pl.date_ranges("first", "last", interval="1mo").alias("month")).explode("month").select(["node", "product", "month"])
    full = grid.join(sums, on=["node", "product", "month"], how="left").fill_null(0.0).sort(["node", "product", "month"])
    net = sum(pl.col(k) * SIGN[k] for k in KINDS)
    full = full.with_columns(net.cum_sum().over(["node", "product"]).alias("closing"))
    return full.with_columns((pl.col("closing") - net).alias("opening"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--movements", type=int, default=10_000_000)
    parser.add_argument("--csv", default="/tmp/omo_spi_movements.csv")
    args = parser.parse_args()
    ensure_venv()

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "omo-examples", "--bin", "spi_bench"], cwd=ROOT, check=True)
    out = subprocess.run([str(ROOT / "target/release/spi_bench"), "--movements", str(args.movements), "--csv", args.csv], check=True, capture_output=True, text=True)
    omo = json.loads(out.stdout)

    import pandas as pd

    df = pd.read_csv(args.csv, parse_dates=["date"])
    pandas_s, pandas_rows = best_of(3, lambda: pandas_ledger(pd, df))

    results = {}
    for threads in ["1", str(os.cpu_count())]:
        code = (
            "import os, sys, json, time; sys.path.insert(0, %r); import spi_vs_pandas_polars as b; import polars as pl;"
            "df = pl.read_csv(%r, try_parse_dates=True);"
            "s, r = b.best_of(3, lambda: b.polars_ledger(pl, df));"
            "print(json.dumps({'seconds': s, 'rows': r.height, 'closing': float(r['closing'].sum())}))"
        ) % (str(Path(__file__).parent), args.csv)
        env = dict(os.environ, POLARS_MAX_THREADS=threads)
        run = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
        results[threads] = json.loads(run.stdout)

    closing_pandas = float(pandas_rows["closing"].sum())
    print(f"Monthly S-P-I ledger of {args.movements:,} movements over 10,000 node x product pairs")
    print(f"  rows: omo {omo['rows']:,}, pandas {len(pandas_rows):,}, polars {results['1']['rows']:,}")
    print(f"  total closing: omo {float(omo['closing_sum']):,.1f}, pandas {closing_pandas:,.1f}, polars {results['1']['closing']:,.1f}")
    assert omo["rows"] == len(pandas_rows) == results["1"]["rows"], "row counts differ"
    assert abs(float(omo["closing_sum"]) - closing_pandas) < 1e-6 * max(1.0, abs(closing_pandas)), "closing stock differs"
    print(f"  omo (1 thread, exact decimals) {omo['omo_seconds']:.3f} s")
    print(f"  pandas                         {pandas_s:.3f} s   -> omo is {pandas_s / omo['omo_seconds']:.1f}x faster")
    p1, pn = results["1"]["seconds"], results[str(os.cpu_count())]["seconds"]
    print(f"  polars, 1 thread               {p1:.3f} s   -> omo is {p1 / omo['omo_seconds']:.2f}x faster")
    print(f"  polars, {os.cpu_count()} threads              {pn:.3f} s   -> omo is {pn / omo['omo_seconds']:.2f}x faster")


if __name__ == "__main__":
    main()
