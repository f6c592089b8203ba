#!/usr/bin/env python3
"""Issue #18's report, in one command: omo's AutoETS, AutoARIMA, AutoCES, DOTM, AutoTheta and
`auto` beside statsforecast 2.1.1's same models, in one run, one thread each (sMAPE, MASE scaled
as the sets' README scales it, seconds warm and cold, peak memory).

1. The hold-outs of the training parts (each series' last h values): M4 weekly (h=13, season 1),
   tourism monthly (h=24) and M1 monthly (h=18), season 12. Rules and parameters were chosen on
   these (and on more origins, by `cargo run --release -p omo-examples --bin forecast_study`).
2. The test parts of tourism and M1 monthly, scored once, to report: each model fitted on the
   whole training part and scored on the test file.

Usage: python3 bindings-python/bench/accuracy_report.py [--data DIR] [--here] [--models NAME ...]
       [--skip-hold-outs] [--skip-test-parts]
Installs what it needs into .venv-bench (at the repository root), as the other benchmarks do.
"""
import argparse
from pathlib import Path

from bench_venv import ROOT, ensure_venv

MODELS = [
    ("AutoETS", "AutoETS(season_length=m)"),
    ("AutoARIMA", "AutoARIMA(season_length=m)"),
    ("AutoCES", "AutoCES(season_length=m)"),
    ("DynamicOptTheta", "DynamicOptimizedTheta(season_length=m)"),
    ("AutoTheta", "AutoTheta(season_length=m)"),
    ("Auto", "Auto(season_length=m)"),
]

TEST_PARTS = [("tourism monthly", "tourism_monthly", 24, 12, "MS"), ("M1 monthly", "m1_monthly", 18, 12, "MS")]


def test_part(data_dir, stem):
    """The whole training part, and the test part's values by series id."""
    import pandas as pd

    train = pd.read_csv(data_dir / f"{stem}_train.csv", parse_dates=["ds"]).sort_values(["unique_id", "ds"])
    test = pd.read_csv(data_dir / f"{stem}_test.csv", parse_dates=["ds"]).sort_values(["unique_id", "ds"])
    return train.reset_index(drop=True), {uid: g["y"].to_numpy() for uid, g in test.groupby("unique_id")}


def main():
    ensure_venv(["statsforecast==2.1.1", "pandas", "polars"])
    from statsforecast_door import SETS, compare, split

    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data"))
    parser.add_argument("--here", action="store_true", help="run in this interpreter (statsforecast and omo installed)")
    parser.add_argument("--models", nargs="*", help="only these models (the table's names)")
    parser.add_argument("--skip-hold-outs", action="store_true")
    parser.add_argument("--skip-test-parts", action="store_true")
    args = parser.parse_args()
    data_dir = Path(args.data)
    models = [(label, call) for label, call in MODELS if not args.models or label in args.models]
    if not args.skip_hold_outs:
        for name, file, h, m, freq in SETS:
            train, test = split(data_dir / file, h)
            compare(f"{name}, hold-out of the training part: {len(test)} series, last {h} held out, season {m}",
                    train, test, h, m, freq, models)
    if not args.skip_test_parts:
        for name, stem, h, m, freq in TEST_PARTS:
            train, test = test_part(data_dir, stem)
            compare(f"{name}, TEST PART (scored once): {len(test)} series, h {h}, season {m}", train, test, h, m, freq,
                    models)


if __name__ == "__main__":
    main()
