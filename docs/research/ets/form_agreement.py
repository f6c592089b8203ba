#!/usr/bin/env python3
"""Issue #18 item 1's report: on the training parts of tourism and M1 monthly (each series' last h
values held out; the test parts are not read), how often omo's AutoETS and statsforecast's choose
the same form, and how their fits' AICc compare (on the same form the AICc difference is the
difference of -2 log-likelihood: the same data, the same parameter count). omo writes the
likelihood term `n log(SSE / n)`, statsforecast (as R) `n log(SSE)`: omo's AICc is put on
statsforecast's scale by adding `n log n`, a constant per series that changes no choice.

Needs statsforecast 2.1.1 and omo installed in one environment (the test venv has both).
Usage: python docs/research/ets/form_agreement.py [DATA_DIR]
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import omo

warnings.filterwarnings("ignore")
from statsforecast.models import AutoETS  # noqa: E402

DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3].parent / "shared" / "data"
SETS = [("tourism monthly", "tourism_monthly_train.csv", 24), ("M1 monthly", "m1_monthly_train.csv", 18)]


def main():
    for name, file, h in SETS:
        data = pd.read_csv(DATA / file).sort_values(["unique_id", "ds"])
        rows = []
        for uid, group in data.groupby("unique_id", sort=True):
            y = group["y"].to_numpy(dtype=float)[:-h]
            ours = omo.forecast_array(y, h=h, season_length=12, model="ets")
            theirs = AutoETS(season_length=12).fit(y).model_
            on_their_scale = ours.params.get("aicc", np.nan) + len(y) * np.log(len(y))
            rows.append((uid, ours.model, theirs["method"], on_their_scale, theirs["aicc"]))
        table = pd.DataFrame(rows, columns=["unique_id", "omo", "statsforecast", "omo_aicc", "sf_aicc"])
        same = table["omo"] == table["statsforecast"]
        delta = (table["omo_aicc"] - table["sf_aicc"]).replace([np.inf, -np.inf], np.nan)
        print(f"\n== {name}: {len(table)} series ==")
        print(f"same form: {same.mean():.1%} ({same.sum()} series)")
        for label, part in (("same form", delta[same]), ("all series (each one's chosen form)", delta)):
            q = part.dropna().quantile([0.05, 0.25, 0.5, 0.75, 0.95])
            print(f"AICc omo - statsforecast, {label}: 5% {q[0.05]:.2f}, 25% {q[0.25]:.2f}, median {q[0.5]:.2f}, "
                  f"75% {q[0.75]:.2f}, 95% {q[0.95]:.2f}; omo lower on {(part < -1e-6).mean():.1%}, "
                  f"within 0.01 on {(part.abs() <= 0.01).mean():.1%}")
        pairs = table[~same].groupby(["statsforecast", "omo"]).size().sort_values(ascending=False).head(5)
        print("most frequent different choices (statsforecast -> omo):")
        for (sf, ours), count in pairs.items():
            print(f"  {sf} -> {ours}: {count}")


if __name__ == "__main__":
    main()
