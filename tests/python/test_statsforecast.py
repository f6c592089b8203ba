"""omo.statsforecast against statsforecast itself, installed in the same environment: its
getting-started code (the quick start, the intermittent-demand tutorial, cross-validation) run
unchanged but for the import and the data source, and the same numbers, to a tolerance stated per
model. AirPassengers comes with statsforecast; the tutorials' downloads are replaced by the series
of ../shared/data (car parts for intermittent demand, M4 weekly for cross-validation).

Outside CI a machine without statsforecast or ../shared skips these tests, saying why; under
CI=true they must run."""
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import omo
from omo.statsforecast import StatsForecast
from omo.statsforecast import models as omo_models

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def need(module: str):
    """The peer module, or a skip outside CI (under CI=true a missing peer fails)."""
    if os.environ.get("CI") == "true":
        return __import__(module)
    return pytest.importorskip(module, reason=f"{module} is not installed (pip install {module})")


def shared_csv(name: str) -> pd.DataFrame:
    path = SHARED / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            raise FileNotFoundError(f"{path}: CI must have ../shared")
        pytest.skip(f"{path} is not here (a fresh clone without ../shared)")
    return pd.read_csv(path, parse_dates=["ds"])


@pytest.fixture(scope="module")
def sf():
    """statsforecast's StatsForecast and models, quiet."""
    need("statsforecast")
    warnings.filterwarnings("ignore", module="statsforecast")
    from statsforecast import StatsForecast as PeerStatsForecast
    from statsforecast import models as peer_models

    return PeerStatsForecast, peer_models


@pytest.fixture(scope="module")
def air():
    need("statsforecast")
    from statsforecast.utils import AirPassengersDF

    return AirPassengersDF


def both(sf, models, freq, **call):
    """statsforecast's forecast and omo's of the same models (a function of the models module)."""
    peer_class, peer_models = sf
    peer = peer_class(models=models(peer_models), freq=freq).forecast(**call)
    ours = StatsForecast(models=models(omo_models), freq=freq).forecast(**call)
    return peer, ours


def assert_same_frame_shape(peer, ours):
    assert list(ours.columns) == list(peer.columns)
    assert len(ours) == len(peer)
    for column in peer.columns[:2]:
        assert ours[column].tolist() == peer[column].tolist(), column
        assert ours[column].dtype == peer[column].dtype, column


# Models that compute what statsforecast's compute: forecasts and intervals to rounding.
EXACT = {
    "Naive": lambda m: m.Naive(),
    "SeasonalNaive": lambda m: m.SeasonalNaive(season_length=12),
    "HistoricAverage": lambda m: m.HistoricAverage(),
}


def test_the_quick_start_runs_unchanged_and_gives_statsforecast_s_frame(sf, air):
    # statsforecast's README: fit, then predict with a level.
    peer_class, peer_models = sf
    peer = peer_class(models=[peer_models.AutoETS(season_length=12)], freq="MS")
    peer.fit(air)
    expected = peer.predict(h=12, level=[95])
    ours = StatsForecast(models=[omo_models.AutoETS(season_length=12)], freq="MS")
    ours.fit(air)
    got = ours.predict(h=12, level=[95])
    assert_same_frame_shape(expected, got)
    # AirPassengers ends on month ends; with "MS" the forecasts start at 1961-01-01, as statsforecast's.
    assert got["ds"].iloc[0] == pd.Timestamp("1961-01-01")
    assert (got["AutoETS-lo-95"] < got["AutoETS"]).all() and (got["AutoETS"] < got["AutoETS-hi-95"]).all()


def test_exact_models_equal_statsforecast_s_forecasts_intervals_and_fitted_values(sf, air):
    models = lambda m: [make(m) for make in EXACT.values()]
    peer, ours = both(sf, models, "MS", df=air, h=18, level=[80, 95], fitted=True)
    assert_same_frame_shape(peer, ours)
    for column in peer.columns[2:]:
        np.testing.assert_allclose(ours[column], peer[column], rtol=1e-12, err_msg=column)
    peer_class, peer_models = sf
    p = peer_class(models=models(peer_models), freq="MS")
    p.forecast(df=air, h=2, level=[80], fitted=True)
    o = StatsForecast(models=models(omo_models), freq="MS")
    o.forecast(df=air, h=2, level=[80], fitted=True)
    peer_fitted, our_fitted = p.forecast_fitted_values(), o.forecast_fitted_values()
    assert list(our_fitted.columns) == list(peer_fitted.columns)
    for column in peer_fitted.columns[2:]:
        np.testing.assert_allclose(our_fitted[column], peer_fitted[column], rtol=1e-12, equal_nan=True, err_msg=column)


@pytest.mark.parametrize("name, make, tolerance", [
    # Non-seasonal ETS: the same likelihood surface, optimisers that stop nearby.
    ("Holt", lambda m: m.Holt(), 0.01),
    ("AutoETS ZZN", lambda m: m.AutoETS(model="ZZN"), 0.01),
    # The state-space Theta models: the same model and decomposition; the optimiser stops a
    # little apart (Theta without a season is equal to rounding, in the Rust tests).
    ("Theta", lambda m: m.Theta(season_length=12), 0.01),
    ("OptimizedTheta", lambda m: m.OptimizedTheta(season_length=12), 0.01),
    ("DynamicTheta", lambda m: m.DynamicTheta(season_length=12), 0.01),
    ("DynamicOptimizedTheta", lambda m: m.DynamicOptimizedTheta(season_length=12), 0.01),
    ("AutoTheta", lambda m: m.AutoTheta(season_length=12), 0.01),
    ("HoltWinters", lambda m: m.HoltWinters(season_length=12), 0.02),
    # AutoCES chooses the full form on AirPassengers in both; the optimisers stop 0.1 % apart
    # (the Rust golden test compares each form).
    ("AutoCES", lambda m: m.AutoCES(season_length=12), 0.01),
    ("CES simple seasonal", lambda m: m.AutoCES(season_length=12, model="S"), 0.01),
    # MSTL: statsmodels' STL and AutoETS ZZN on the rest; both choose ETS(M,A,N) here.
    ("MSTL", lambda m: m.MSTL(season_length=12), 0.01),
    # AutoARIMA: both choose ARIMA(1,1,0)(0,1,0)[12] here (the Rust golden test: to 1e-4).
    ("AutoARIMA", lambda m: m.AutoARIMA(season_length=12), 0.01),
])
def test_fitted_models_stay_within_their_stated_tolerance_of_statsforecast(sf, air, name, make, tolerance):
    peer, ours = both(sf, lambda m: [make(m)], "MS", df=air, h=12)
    assert_same_frame_shape(peer, ours)
    column = peer.columns[2]
    worst = np.max(np.abs(ours[column].to_numpy() / peer[column].to_numpy() - 1))
    assert worst <= tolerance, f"{name}: {worst:.4f} from statsforecast's"


def test_mstl_with_two_seasons_is_statsforecast_s(sf):
    # Hourly data with a day and a week (four weeks of it): the MSTL of statsforecast's docs.
    t = np.arange(24 * 7 * 4, dtype=float)
    y = 10 + 0.01 * t + 2 * np.sin(2 * np.pi * t / 24) + 1.5 * np.cos(2 * np.pi * t / 168) + 0.3 * np.sin(0.7 * t ** 1.1)
    hourly = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2026-01-05", periods=len(t), freq="h"), "y": y})
    peer, ours = both(sf, lambda m: [m.MSTL(season_length=[24, 168])], "h", df=hourly, h=48, level=[80])
    assert_same_frame_shape(peer, ours)
    # The decomposition is statsforecast's to 9 places (the Rust test); AutoETS on the rest stops
    # a little apart, as in the one-season case above: within 1 %.
    for column in peer.columns[2:]:
        np.testing.assert_allclose(ours[column], peer[column], rtol=0.01, err_msg=column)
    # The week matters: with the day alone the forecast is another one.
    day_only = StatsForecast(models=[omo_models.MSTL(season_length=24)], freq="h").forecast(df=hourly, h=48)
    assert np.max(np.abs(day_only["MSTL"].to_numpy() - ours["MSTL"].to_numpy())) > 0.5


def smape(actual, forecast):
    return float(np.mean(200 * np.abs(forecast - actual) / (np.abs(actual) + np.abs(forecast))))


def test_seasonal_autoets_is_as_accurate_as_statsforecast_s_on_held_out_years(sf, air):
    # Seasonal ETS fits differ in form (omo ETS(M,A,M), statsforecast ETS(M,N,M) on
    # AirPassengers): held to accuracy, not to equal numbers, over three held-out years.
    ours_total, peer_total = 0.0, 0.0
    for cut in (len(air) - 36, len(air) - 24, len(air) - 12):
        train, test = air.iloc[:cut], air["y"].to_numpy()[cut:cut + 12]
        peer, ours = both(sf, lambda m: [m.AutoETS(season_length=12)], "MS", df=train, h=12)
        peer_total += smape(test, peer["AutoETS"].to_numpy())
        ours_total += smape(test, ours["AutoETS"].to_numpy())
    assert ours_total <= peer_total * 1.05, (ours_total, peer_total)


@pytest.mark.parametrize("what, series, h, models", [
    # The intermittent-demand tutorial forecasts M5 sales 28 days ahead with these models; here
    # the first 200 car parts series (monthly) 12 months ahead.
    ("the intermittent-demand tutorial", 200, 12,
     lambda m: [m.ADIDA(), m.CrostonClassic(), m.CrostonOptimized(), m.CrostonSBA(), m.IMAPA(),
                m.TSB(alpha_d=0.2, alpha_p=0.2)]),
    ("smoothing and window models", 100, 3,
     lambda m: [m.SimpleExponentialSmoothing(alpha=0.3), m.SimpleExponentialSmoothingOptimized(),
                m.WindowAverage(window_size=6)]),
])
def test_intermittent_and_smoothing_models_give_statsforecast_s_numbers(sf, what, series, h, models):
    parts = shared_csv("carparts_train.csv")
    parts = parts[parts["unique_id"].isin(parts["unique_id"].unique()[:series])]
    peer, ours = both(sf, models, "MS", df=parts, h=h)
    assert_same_frame_shape(peer, ours)
    # The same arithmetic as statsforecast's (its golden section included): equal to rounding.
    for column in peer.columns[2:]:
        np.testing.assert_allclose(ours[column], peer[column], rtol=1e-12, atol=1e-15, err_msg=f"{what}: {column}")


def test_cross_validation_as_the_tutorial_runs_it(sf):
    # The tutorial cross-validates hourly M4 series (h=24, step_size=24, n_windows=2); here weekly
    # M4 series, h=13, three windows 13 weeks apart, with the seasonal naive and naive models.
    weekly = shared_csv("m4_weekly_train.csv")
    weekly = weekly[weekly["unique_id"].isin(weekly["unique_id"].unique()[:20])]
    models = lambda m: [m.SeasonalNaive(season_length=52), m.Naive()]
    peer_class, peer_models = sf
    peer = peer_class(models=models(peer_models), freq="W").cross_validation(df=weekly, h=13, step_size=13,
                                                                             n_windows=3, level=[90])
    ours = StatsForecast(models=models(omo_models), freq="W").cross_validation(df=weekly, h=13, step_size=13,
                                                                              n_windows=3, level=[90])
    assert list(ours.columns) == list(peer.columns)
    for column in ("unique_id", "ds", "cutoff", "y"):
        assert ours[column].tolist() == peer[column].tolist(), column
    for column in peer.columns[4:]:
        np.testing.assert_allclose(ours[column], peer[column], rtol=1e-12, err_msg=column)
    # test_size gives the same windows as n_windows.
    again = StatsForecast(models=models(omo_models), freq="W").cross_validation(df=weekly, h=13, step_size=13,
                                                                               test_size=39, level=[90])
    pd.testing.assert_frame_equal(again, ours)


@pytest.mark.parametrize("freq, dates", [
    ("MS", pd.date_range("2021-01-31", periods=12, freq="ME")),   # month ends, "MS" asked
    ("W-MON", pd.date_range("2022-01-02", periods=20, freq="W-SUN")),  # Sundays, Mondays asked
    ("D", pd.date_range("2022-01-01 06:00", periods=30, freq="D")),
    ("QS", pd.date_range("2020-03-31", periods=8, freq="QE")),
])
def test_dates_off_the_frequency_s_anchor_go_on_as_statsforecast_s(sf, freq, dates):
    df = pd.DataFrame({"unique_id": "s", "ds": dates, "y": np.arange(len(dates), dtype=float)})
    peer, ours = both(sf, lambda m: [m.Naive()], freq, df=df, h=4)
    assert ours["ds"].tolist() == peer["ds"].tolist()
    # And omo.forecast, the package's own long-frame function, dates them the same way.
    assert omo.forecast(df, h=4, freq=freq, models="naive")["ds"].tolist() == peer["ds"].tolist()


def test_integer_times_count_on_by_the_integer_step(sf):
    df = pd.DataFrame({"unique_id": "s", "ds": np.arange(1, 25), "y": np.arange(24, dtype=float)})
    peer, ours = both(sf, lambda m: [m.Naive()], 1, df=df, h=3)
    assert ours["ds"].tolist() == peer["ds"].tolist() == [25, 26, 27]
    assert omo.forecast(df, h=3, freq=1, models="naive")["ds"].tolist() == [25, 26, 27]


def test_the_caller_s_column_names_come_back(sf, air):
    renamed = air.rename(columns={"unique_id": "sku", "ds": "date", "y": "sales"})
    call = dict(df=renamed, h=3, id_col="sku", time_col="date", target_col="sales")
    peer, ours = both(sf, lambda m: [m.Naive()], "MS", **call)
    assert list(ours.columns) == list(peer.columns) == ["sku", "date", "Naive"]
    assert list(omo.forecast(renamed, h=3, freq="MS", models="naive", id_col="sku", time_col="date",
                             target_col="sales").columns) == ["sku", "date", "naive"]


def test_polars_in_polars_out_with_its_own_intervals_and_date_type(sf, air):
    pl = need("polars")
    frame = pl.from_pandas(air).with_columns(pl.col("ds").cast(pl.Date))
    peer, ours = both(sf, lambda m: [m.Naive(), m.SeasonalNaive(season_length=12)], "1mo", df=frame, h=14, level=[80])
    assert isinstance(ours, pl.DataFrame)
    assert ours.schema == peer.schema
    assert ours["ds"].to_list() == peer["ds"].to_list()  # month ends stay month ends
    for column in peer.columns[2:]:
        np.testing.assert_allclose(ours[column].to_numpy(), peer[column].to_numpy(), rtol=1e-12, err_msg=column)
    polars_out = omo.forecast(frame, h=2, freq="1mo", models="naive")
    assert polars_out.schema["ds"] == pl.Date and polars_out["ds"].to_list() == peer["ds"].to_list()[:2]


def test_a_model_omo_does_not_have_yet_refuses_by_name():
    with pytest.raises(NotImplementedError, match="ARIMA"):
        omo_models.ARIMA(order=(1, 1, 1))
    with pytest.raises(NotImplementedError, match="AutoARIMA: max_p=3"):
        omo_models.AutoARIMA(max_p=3)
    with pytest.raises(omo.ArgumentError, match="season_length"):
        omo_models.MSTL(season_length=[])
    with pytest.raises(omo.ArgumentError, match="model must be one of"):
        omo_models.AutoCES(model="Q")
    with pytest.raises(omo.ArgumentError, match="prediction_intervals"):
        omo_models.Naive(prediction_intervals=object())


def frame_of(y, ds=None, ids=None):
    n = len(y)
    return pd.DataFrame({"unique_id": ids if ids is not None else ["a"] * n,
                         "ds": ds if ds is not None else pd.date_range("2024-01-01", periods=n, freq="MS"), "y": y})


@pytest.mark.parametrize("what, df, h, freq, message", [
    ("NaN", frame_of([1.0, np.nan, 3.0]), 1, "MS", "series 'a': y at ds 2024-02-01 is nan"),
    ("a duplicated row", frame_of([1.0, 2.0, 3.0], ds=pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01"])), 1,
     "MS", "series 'a': ds 2024-02-01 is duplicated"),
    ("unsorted times", frame_of([1.0, 2.0, 3.0], ds=pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"])), 1,
     "MS", "series 'a': ds 2024-02-01 comes after a later ds"),
    ("interleaved series", frame_of([1.0, 2.0, 3.0], ids=["a", "b", "a"]), 1, "MS", "series 'a'.*not together"),
    ("a string y", frame_of([1.0, "lots", 3.0]), 1, "MS", "series 'a': y at ds 2024-02-01 is 'lots', not a number"),
    ("h=0", frame_of([1.0, 2.0, 3.0]), 0, "MS", "horizon"),
    ("an unknown freq", frame_of([1.0, 2.0, 3.0]), 1, "fortnightly", "freq 'fortnightly'"),
    ("a missing column", frame_of([1.0, 2.0]).drop(columns="y"), 1, "MS", "column 'y' is missing"),
])
def test_bad_input_is_a_validation_error_naming_series_and_column(what, df, h, freq, message):
    with pytest.raises(omo.ValidationError, match=message):
        StatsForecast(models=[omo_models.Naive()], freq=freq).forecast(df=df, h=h)


def test_fallback_and_threads_give_the_same_numbers_as_one_thread(air):
    twice = pd.concat([air, air.assign(unique_id=2.0)])
    one = StatsForecast(models=[omo_models.AutoETS(season_length=12)], freq="MS", n_jobs=1).forecast(df=twice, h=6)
    every = StatsForecast(models=[omo_models.AutoETS(season_length=12)], freq="MS", n_jobs=-1,
                          fallback_model=omo_models.Naive()).forecast(df=twice, h=6)
    pd.testing.assert_frame_equal(one, every)
    assert repr(StatsForecast(models=[omo_models.Naive(), omo_models.Theta()], freq="MS")) == \
        "StatsForecast(models=[Naive,Theta])"


def test_a_model_forecasts_one_array_as_statsforecast_s_models_do(sf, air):
    _, peer_models = sf
    y = air["y"].to_numpy()
    peer = peer_models.SeasonalNaive(season_length=12).forecast(y=y, h=3, level=[80], fitted=True)
    ours = omo_models.SeasonalNaive(season_length=12).forecast(y=y, h=3, level=[80], fitted=True)
    for key in ("mean", "lo-80", "hi-80", "fitted"):
        np.testing.assert_allclose(ours[key], peer[key], rtol=1e-12, equal_nan=True, err_msg=key)


def test_a_pyarrow_table_comes_back_as_one_with_the_same_numbers(air):
    pa = need("pyarrow")
    need("polars")
    table = pa.Table.from_pandas(air.assign(ds=air["ds"].dt.date, unique_id=air["unique_id"].astype(str)),
                                 preserve_index=False)
    models = [omo_models.Naive(), omo_models.AutoETS(season_length=12)]
    ours = StatsForecast(models=models, freq="1mo").forecast(df=table, h=6, level=[80])
    assert isinstance(ours, pa.Table)
    assert ours.schema.field("ds").type == pa.date32()
    expected = StatsForecast(models=models, freq="MS").forecast(df=air, h=6, level=[80])
    for column in expected.columns[2:]:
        np.testing.assert_allclose(ours.column(column).to_numpy(), expected[column], rtol=1e-12, err_msg=column)


@pytest.mark.parametrize("dates", [
    pd.date_range("2024-03-01", periods=10, freq="D", tz="Asia/Shanghai"),          # a time zone
    pd.date_range("2024-03-01", periods=10, freq="D").astype("datetime64[us]"),    # another unit
])
def test_time_zones_and_units_come_back_as_they_came(sf, dates):
    df = pd.DataFrame({"unique_id": "s", "ds": dates, "y": np.arange(10.0)})
    peer, ours = both(sf, lambda m: [m.Naive()], "D", df=df, h=2)
    assert ours["ds"].dtype == peer["ds"].dtype == df["ds"].dtype
    assert ours["ds"].tolist() == peer["ds"].tolist()


def test_holt_winters_on_a_series_too_short_for_two_seasons_raises_or_falls_back(air):
    short = pd.concat([air, air.head(20).assign(unique_id=2.0)])
    with pytest.raises(omo.ValidationError, match="series 2.0: .*two full seasons"):
        StatsForecast(models=[omo_models.HoltWinters(season_length=12)], freq="MS").forecast(df=short, h=3)
    rescued = StatsForecast(models=[omo_models.HoltWinters(season_length=12)], freq="MS",
                            fallback_model=omo_models.SeasonalNaive(season_length=12)).forecast(df=short, h=3)
    assert rescued["HoltWinters"].tolist()[3:] == air["y"].tolist()[8:11]  # the season before, from 20 months
    with pytest.raises(omo.ValidationError, match="season_length"):
        StatsForecast(models=[omo_models.HoltWinters()], freq="MS").forecast(df=air, h=3)


def test_the_class_api_takes_statsforecast_s_arguments_in_its_order(sf):
    import inspect

    peer_class, _ = sf
    for method in ("__init__", "forecast", "fit", "predict", "fit_predict", "cross_validation", "forecast_fitted_values"):
        ours = list(inspect.signature(getattr(StatsForecast, method)).parameters)
        theirs = list(inspect.signature(getattr(peer_class, method)).parameters)
        assert ours == theirs, method


def test_every_model_takes_statsforecast_s_constructor_arguments_in_its_order(sf):
    import inspect

    _, peer_models = sf
    for name in omo_models.__all__:
        if name == "Auto":  # omo's own
            continue
        ours = list(inspect.signature(getattr(omo_models, name).__init__).parameters)
        theirs = list(inspect.signature(getattr(peer_models, name).__init__).parameters)
        assert ours == theirs, name


@pytest.mark.parametrize("method", ["conformal_distribution", "conformal_error"])
def test_conformal_intervals_are_statsforecast_s(sf, method):
    # statsforecast's intermittent-demand tutorial gives its models conformal intervals: the same
    # here on 50 car parts series, by model and through StatsForecast.forecast.
    from omo.statsforecast.utils import ConformalIntervals

    _, peer_models = sf
    from statsforecast.utils import ConformalIntervals as PeerIntervals

    parts = shared_csv("carparts_train.csv")
    parts = parts[parts["unique_id"].isin(parts["unique_id"].unique()[:50])]
    models = lambda m, pi: [m.CrostonClassic(prediction_intervals=pi(h=6, n_windows=3, method=method)),
                            m.Naive(), m.ADIDA()]
    peer = sf[0](models=models(peer_models, PeerIntervals), freq="MS").forecast(
        df=parts, h=6, level=[80, 95], prediction_intervals=PeerIntervals(h=6, n_windows=4, method=method))
    ours = StatsForecast(models=models(omo_models, ConformalIntervals), freq="MS").forecast(
        df=parts, h=6, level=[80, 95], prediction_intervals=ConformalIntervals(h=6, n_windows=4, method=method))
    assert_same_frame_shape(peer, ours)
    for column in peer.columns[2:]:
        np.testing.assert_allclose(ours[column], peer[column], rtol=1e-9, atol=1e-9, err_msg=column)
    with pytest.raises(omo.ArgumentError, match="h=6"):
        StatsForecast(models=[omo_models.Naive()], freq="MS").forecast(
            df=parts, h=3, level=[80], prediction_intervals=ConformalIntervals(h=6, n_windows=2))
