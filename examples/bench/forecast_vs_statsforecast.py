#!/usr/bin/env python3
"""omo against statsforecast, in one run, on the same data.

M4 weekly: holds out the last 13 weeks of each of the 359 training series (../shared/data), runs
omo's `m4_bench` (release build, one thread) and statsforecast's AutoETS and AutoTheta
(season_length=1, as M4 uses for weekly data, one process), and prints sMAPE (M4, percent), MASE
(scaled by the in-sample one-step naive error), seconds, and the ratios; then the coverage of
the 80 % and 95 % prediction intervals and the MSIS of the 95 % one. The same series summed to
4-week periods (season 13, those with 4+ years, the last 13 periods held out): statsforecast's
AutoETS(season_length=13) against omo's AutoETS and auto with season 13.
Car parts: holds out the last 12 months of each of the 2,674 monthly series and runs
statsforecast's CrostonClassic, ADIDA and IMAPA against omo's; prints the mean RMSE and MAE per
series (forecasts clipped at zero, as demand) and the seconds.
statsforecast is timed warm: one series is fitted first so its compiled code is loaded.

Usage: python3 examples/bench/forecast_vs_statsforecast.py [m4_weekly_train.csv [carparts_train.csv]]
Installs statsforecast into .venv-bench (at the repository root) when run outside it.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-bench"
H = 13


def ensure_venv():
    if Path(sys.prefix) == VENV:
        return
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "statsforecast", "pandas"], check=True)
    os.execv(str(VENV / "bin" / "python"), [str(VENV / "bin" / "python"), *sys.argv])


def main():
    ensure_venv()
    import numpy as np
    import pandas as pd
    from statsforecast.models import AutoETS, AutoTheta

    data = ROOT.parent / "shared/data"
    path = sys.argv[1] if len(sys.argv) > 1 else str(data / "m4_weekly_train.csv")
    carparts = sys.argv[2] if len(sys.argv) > 2 else str(data / "carparts_train.csv")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "omo-examples", "--bin", "m4_bench"], cwd=ROOT, check=True)
    # The Online Retail table is skipped (an empty second argument): bench_python.py compares it.
    omo = subprocess.run([str(ROOT / "target/release/m4_bench"), path, "", carparts],
                         check=True, capture_output=True, text=True).stdout
    print("omo\n" + omo)
    tables = tables_by_title(omo)
    rows, parts = tables["M4 weekly, 359"], tables["Car parts, 2674"]

    df = pd.read_csv(path)
    series = {k: g["y"].to_numpy(float) for k, g in df.groupby("unique_id", sort=True)}

    def smape(a, f):
        d = np.abs(a) + np.abs(f)
        return np.mean(np.where(d == 0, 0.0, 200 * np.abs(a - f) / np.where(d == 0, 1, d)))

    def mase(a, f, insample):
        scale = np.mean(np.abs(np.diff(insample)))
        return np.mean(np.abs(a - f)) / scale if scale > 0 else np.nan

    print("statsforecast")
    print(f"{'model':<18} {'sMAPE':>8} {'MASE':>8} {'seconds':>10}")
    results = {}
    for name, make in [("AutoETS", lambda: AutoETS(season_length=1)), ("AutoTheta", lambda: AutoTheta(season_length=1))]:
        make().fit(next(iter(series.values()))[:-H]).predict(H)  # warm-up
        start = time.perf_counter()
        s, m = [], []
        for y in series.values():
            train, test = y[:-H], y[-H:]
            f = make().fit(train).predict(H)["mean"]
            s.append(smape(test, f))
            value = mase(test, f, train)
            if np.isfinite(value):
                m.append(value)
        results[name] = (float(np.mean(s)), float(np.mean(m)), time.perf_counter() - start)
        print(f"{name:<18} {results[name][0]:>8.3f} {results[name][1]:>8.3f} {results[name][2]:>10.3f}")

    sf = results["AutoETS"]
    ours = rows["AutoETS"]
    print(f"\nomo AutoETS vs statsforecast AutoETS: sMAPE {ours[0]:.3f} vs {sf[0]:.3f} ({(ours[0] / sf[0] - 1) * 100:+.1f} %), "
          f"MASE {ours[1]:.3f} vs {sf[1]:.3f}, {sf[2] / ours[2]:.1f}x faster")
    theta = results["AutoTheta"]
    print(f"omo Theta vs statsforecast AutoTheta: sMAPE {rows['Theta'][0]:.3f} vs {theta[0]:.3f}, {theta[2] / rows['Theta'][2]:.0f}x faster")
    auto = rows["auto"]
    print(f"omo auto vs statsforecast AutoETS: sMAPE {auto[0]:.3f} vs {sf[0]:.3f} ({(auto[0] / sf[0] - 1) * 100:+.1f} %), "
          f"MASE {auto[1]:.3f} vs {sf[1]:.3f} ({(auto[1] / sf[1] - 1) * 100:+.1f} %), {sf[2] / auto[2]:.1f}x faster")
    print_intervals(series, tables["M4 weekly prediction"])
    print_four_weekly(series, tables["M4 weekly summed"])
    compare_car_parts(carparts, parts)


def tables_by_title(output):
    """m4_bench's tables by the first words of their titles: {title: {model: [numbers]}}."""
    tables = {}
    for block in output.strip().split("\n\n"):
        lines = block.splitlines()
        tables[" ".join(lines[0].split()[:3])] = {l.split()[0]: [float(x) for x in l.split()[1:]] for l in lines[2:]}
    return tables


def print_intervals(series, omo_rows):
    """statsforecast's AutoETS 80 % and 95 % intervals on the M4 weekly hold-out (untimed)."""
    import numpy as np
    from statsforecast.models import AutoETS

    inside, total, msis = {80: 0, 95: 0}, 0, []
    for y in series.values():
        train, test = y[:-H], y[-H:]
        f = AutoETS(season_length=1).fit(train).predict(H, level=[80, 95])
        for level in (80, 95):
            inside[level] += int(np.sum((f[f"lo-{level}"] <= test) & (test <= f[f"hi-{level}"])))
        total += H
        lo, hi = f["lo-95"], f["hi-95"]
        score = np.mean((hi - lo) + 40 * np.maximum(lo - test, 0) + 40 * np.maximum(test - hi, 0))
        scale = np.mean(np.abs(np.diff(train)))
        if scale > 0:
            msis.append(score / scale)
    print(f"\nstatsforecast AutoETS intervals: cover80 {inside[80] / total:.3f}, cover95 {inside[95] / total:.3f}, "
          f"MSIS95 {np.mean(msis):.3f}")
    for name in ("AutoETS", "auto"):
        ours = omo_rows[name]
        print(f"omo {name}: cover80 {ours[0]:.3f}, cover95 {ours[1]:.3f}, MSIS95 {ours[2]:.3f}")


def print_four_weekly(weekly, omo_rows):
    """The M4 weekly series summed to 4-week periods (season 13), 4+ years, last 13 held out."""
    import numpy as np
    from statsforecast.models import AutoETS

    series = []
    for y in weekly.values():
        blocks = y[len(y) % 4:].reshape(-1, 4).sum(axis=1)
        if len(blocks) >= 52:
            series.append(blocks)
    print(f"\nstatsforecast, M4 weekly in 4-week periods, {len(series)} series, last 13 held out")
    AutoETS(season_length=13).fit(series[0][:-13]).predict(13)  # warm-up
    start = time.perf_counter()
    s, m = [], []
    for y in series:
        train, test = y[:-13], y[-13:]
        f = AutoETS(season_length=13).fit(train).predict(13)["mean"]
        s.append(np.mean(np.where(np.abs(test) + np.abs(f) == 0, 0.0, 200 * np.abs(test - f) / (np.abs(test) + np.abs(f)))))
        m.append(np.mean(np.abs(test - f)) / np.mean(np.abs(np.diff(train))))
    seconds = time.perf_counter() - start
    print(f"{'AutoETS(13)':<18} {np.mean(s):>8.3f} {np.mean(m):>8.3f} {seconds:>10.3f}")
    for name in ("AutoETS(13)", "auto(13)"):
        ours = omo_rows[name]
        print(f"omo {name}: sMAPE {ours[0]:.3f}, MASE {ours[1]:.3f}, {seconds / ours[2]:.1f}x faster")


def compare_car_parts(path, omo_rows):
    import numpy as np
    import pandas as pd
    from statsforecast.models import ADIDA, IMAPA, CrostonClassic

    months = 12
    df = pd.read_csv(path)
    series = [g["y"].to_numpy(float) for _, g in df.groupby("unique_id", sort=True)]
    print(f"\nstatsforecast, car parts, {len(series)} series, last {months} months held out")
    print(f"{'model':<18} {'RMSE':>8} {'MAE':>8} {'seconds':>10}")
    for name, omo_name, make in [("CrostonClassic", "Croston", CrostonClassic), ("ADIDA", "ADIDA", ADIDA), ("IMAPA", "IMAPA", IMAPA)]:
        make().forecast(series[0][:-months], h=months)  # warm-up
        start = time.perf_counter()
        rmses, maes = [], []
        for y in series:
            train, test = y[:-months], y[-months:]
            f = np.maximum(make().forecast(train, h=months)["mean"], 0.0)
            rmses.append(np.sqrt(np.mean((test - f) ** 2)))
            maes.append(np.mean(np.abs(test - f)))
        seconds = time.perf_counter() - start
        ours = omo_rows[omo_name]
        print(f"{name:<18} {np.mean(rmses):>8.3f} {np.mean(maes):>8.3f} {seconds:>10.3f}   "
              f"omo {omo_name}: {ours[0]:.3f} / {ours[1]:.3f}, {seconds / ours[2]:.1f}x faster")


if __name__ == "__main__":
    main()
