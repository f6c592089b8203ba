"""Long batches: results independent of chunking, a progress bar, Ctrl-C honoured, and the same
forecasts per partition on a Dask cluster as in one process."""
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

import omo


def _panel(n_series: int, length: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        season = 10 + 5 * np.sin(np.arange(length) * 2 * np.pi / 12)
        y = np.maximum(0, season + rng.normal(0, 2, length) + i % 7)
        frames.append(pd.DataFrame({"unique_id": f"S{i:04d}", "ds": pd.date_range("2020-01-01", periods=length, freq="MS"), "y": y}))
    return pd.concat(frames, ignore_index=True)


def test_chunked_batches_give_the_same_numbers_as_one_call(monkeypatch):
    rng = np.random.default_rng(1)
    series = [rng.gamma(2.0, 3.0, 40) for _ in range(600)]
    whole = omo._native.forecast_batch(series, 6, 12, "auto", [80.0], False)
    monkeypatch.setattr(omo, "BATCH_CHUNK", 97)
    chunked = omo.forecast_many(series, h=6, season_length=12, level=[80], progress=True)
    for one, other in zip(whole, chunked):
        assert np.array_equal(one["mean"], other.mean) and one["model"] == other.model
        assert np.array_equal(one["lower"][80.0], other.lower[80.0])


def test_the_batch_functions_pickle():
    assert pickle.loads(pickle.dumps(omo.forecast)) is omo.forecast
    assert pickle.loads(pickle.dumps(omo.forecast_many)) is omo.forecast_many


def test_ctrl_c_stops_a_long_batch():
    script = textwrap.dedent("""
        import sys, numpy as np, omo
        rng = np.random.default_rng(0)
        series = [rng.gamma(2.0, 3.0, 300) for _ in range(40000)]
        print("started", flush=True)
        omo.forecast_many(series, h=12, season_length=52, model="ets")
        print("finished", flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "started"
    time.sleep(1.0)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert "finished" not in out
    assert "KeyboardInterrupt" in err
    assert time.monotonic() - sent < 20


def test_dask_partitions_give_the_single_process_forecasts():
    distributed = pytest.importorskip("distributed", reason="dask is not installed (pip install 'dask[distributed]')")
    panel = _panel(60, 48)
    expected = omo.forecast(panel, h=6, freq="MS", season_length=12, level=[90])
    # Four partitions, each holding whole series, forecast by two worker processes.
    ids = sorted(panel["unique_id"].unique())
    parts = [panel[panel["unique_id"].isin(ids[k::4])] for k in range(4)]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        futures = client.map(omo.forecast, parts, h=6, freq="MS", season_length=12, level=[90])
        result = pd.concat(client.gather(futures))
    result = result.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected, check_exact=True)


def _need(module: str):
    """The scale-out framework, or a skip outside CI (under CI=true a missing one fails)."""
    if os.environ.get("CI") == "true":
        return __import__(module)
    return pytest.importorskip(module, reason=f"{module} is not installed (pip install {module})")


def _workers_import_this_module():
    """Spark's and Ray's worker processes start afresh: they find this module's functions (the
    ones sent to them by reference) on PYTHONPATH, and omo in this environment."""
    here = os.path.dirname(os.path.abspath(__file__))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
    os.environ["PYSPARK_PYTHON"] = sys.executable


def _class_api_forecast(pdf: pd.DataFrame) -> pd.DataFrame:
    """One partition's forecasts through omo.statsforecast, as a statsforecast user writes it."""
    from omo.statsforecast import StatsForecast
    from omo.statsforecast.models import AutoETS, Naive

    return StatsForecast(models=[AutoETS(season_length=12), Naive()], freq="MS").forecast(df=pdf, h=6, level=[90])


def test_spark_apply_in_pandas_gives_the_single_process_forecasts():
    _need("pyspark")
    from pyspark.sql import SparkSession

    panel = _panel(40, 48)
    expected = _class_api_forecast(panel)
    _workers_import_this_module()
    spark = (SparkSession.builder.master("local[2]").appName("omo-test").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").config("spark.sql.session.timeZone", "UTC").getOrCreate())
    try:
        schema = ("unique_id string, ds timestamp, AutoETS double, `AutoETS-lo-90` double, `AutoETS-hi-90` double, "
                  "Naive double, `Naive-lo-90` double, `Naive-hi-90` double")
        result = spark.createDataFrame(panel).groupBy("unique_id").applyInPandas(_class_api_forecast, schema).toPandas()
    finally:
        spark.stop()
    result = result.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    result["ds"] = result["ds"].astype(expected["ds"].dtype)
    pd.testing.assert_frame_equal(result, expected, check_exact=True)


def _partitions(panel: pd.DataFrame, count: int = 4) -> list:
    """The panel in ``count`` partitions, each holding whole series."""
    ids = sorted(panel["unique_id"].unique())
    return [panel[panel["unique_id"].isin(ids[k::count])] for k in range(count)]


def _assert_as_in_one_process(parts_forecasts: list, expected: pd.DataFrame):
    result = pd.concat(parts_forecasts).sort_values(["unique_id", "ds"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected, check_exact=True)


def test_ray_tasks_give_the_single_process_forecasts():
    ray = _need("ray")
    panel = _panel(40, 48)
    _workers_import_this_module()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        remote = ray.remote(_class_api_forecast)
        forecasts = ray.get([remote.remote(part) for part in _partitions(panel)])
    finally:
        ray.shutdown()
    _assert_as_in_one_process(forecasts, _class_api_forecast(panel))


def test_dask_runs_the_class_api_per_partition_as_in_one_process():
    distributed = _need("distributed")
    panel = _panel(40, 48)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        forecasts = client.gather(client.map(_class_api_forecast, _partitions(panel)))
    _assert_as_in_one_process(forecasts, _class_api_forecast(panel))
