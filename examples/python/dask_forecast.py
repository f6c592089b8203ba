"""Forecasting many series on a Dask cluster with omo, one partition of whole series per task.

    pip install ./bindings-python "dask[distributed]" pandas
    python examples/python/dask_forecast.py

The same function runs per partition on Spark and Ray (see the README, "Python").
"""
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

import omo


def panel(n_series: int = 2000, length: int = 60) -> pd.DataFrame:
    """Monthly demand of many SKUs: a planting-season peak, noise, some intermittent."""
    rng = np.random.default_rng(7)
    months = pd.date_range("2021-01-01", periods=length, freq="MS")
    season = 20 + 15 * np.sin(np.arange(length) * 2 * np.pi / 12)
    frames = [pd.DataFrame({"unique_id": f"SKU{i:05d}", "ds": months,
                            "y": np.maximum(0, season * rng.uniform(0.2, 2) + rng.normal(0, 4, length))})
              for i in range(n_series)]
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    data = panel()
    ids = sorted(data["unique_id"].unique())
    partitions = [data[data["unique_id"].isin(ids[k::8])] for k in range(8)]
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        futures = client.map(omo.forecast, partitions, h=3, freq="MS", season_length=12, level=[80])
        distributed = pd.concat(client.gather(futures)).sort_values(["unique_id", "ds"]).reset_index(drop=True)
    local = omo.forecast(data, h=3, freq="MS", season_length=12, level=[80])
    pd.testing.assert_frame_equal(distributed, local, check_exact=True)
    print(distributed.head(6))
    print(f"{len(ids)} series forecast on the cluster: identical to the single-process call")


if __name__ == "__main__":
    main()
