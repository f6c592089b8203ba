"""The Python names of API.md, called with good data (values checked against textbooks, hand
computations or the Rust core's own tests) and with bad data (the right exception, a useful
message)."""
import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import omo


def test_version_and_exceptions():
    assert omo.__version__
    assert issubclass(omo.ValidationError, omo.OmoError) and issubclass(omo.ValidationError, ValueError)


def test_inventory_formulas_match_the_textbook():
    # Snyder & Shen, Examples 3.1, 4.3, 4.4, 4.7 (as stockpyl computes them).
    assert omo.inventory.eoq(fixed_cost=8, holding_cost=0.225, demand_rate=1300) == pytest.approx(304.0467800264368, rel=1e-12)
    assert omo.inventory.newsvendor_normal(holding_cost=0.18, stockout_cost=0.7, mean=50, sd=8) == pytest.approx(56.60395592743389, rel=1e-9)
    assert omo.inventory.base_stock_normal(holding_cost=0.18, stockout_cost=0.7, mean=50, sd=8, lead_time=4) == pytest.approx(264.76689437415484, rel=1e-9)
    assert omo.inventory.newsvendor_poisson(holding_cost=1, stockout_cost=4, mean=6) == 8
    assert omo.inventory.safety_stock(service_level=0.9, demand_sd=5, lead_time=6) == pytest.approx(15.695737073246107, rel=1e-9)
    assert omo.inventory.reorder_point(service_level=0.9, demand_mean=50, demand_sd=5, lead_time=6, lead_time_sd=2) == pytest.approx(429.1127426467683, rel=1e-9)


@pytest.mark.parametrize(
    "call",
    [
        lambda: omo.inventory.eoq(fixed_cost=-1, holding_cost=1, demand_rate=1),
        lambda: omo.inventory.safety_stock(service_level=1.0, demand_sd=1, lead_time=1),
        lambda: omo.inventory.newsvendor_normal(holding_cost=float("nan"), stockout_cost=1, mean=1, sd=1),
    ],
)
def test_inventory_refuses_bad_arguments(call):
    with pytest.raises(omo.ValidationError) as error:
        call()
    assert "invalid argument" in str(error.value)


def test_metrics_by_hand():
    actual, forecast = [10.0, 0.0, 5.0, 20.0], [12.0, 1.0, 5.0, 14.0]
    assert omo.metrics.mae(actual, forecast) == 9 / 4
    assert omo.metrics.rmse(actual, forecast) == pytest.approx((41 / 4) ** 0.5)
    assert omo.metrics.wape(actual, forecast) == pytest.approx(9 / 35)
    assert omo.metrics.bias(actual, forecast) == -3 / 4
    assert omo.metrics.smape(actual, forecast) == pytest.approx((200 * 2 / 22 + 200 + 0 + 200 * 6 / 34) / 4)
    assert omo.metrics.mape(actual, forecast) == pytest.approx(50 / 3)
    assert omo.metrics.mase(actual, forecast, [1.0, 3.0, 2.0, 6.0], 1) == pytest.approx(2.25 / (7 / 3))
    with pytest.raises(omo.ValidationError, match="forecast"):
        omo.metrics.mae([1.0], [1.0, 2.0])
    with pytest.raises(omo.ValidationError, match="NaN"):
        omo.metrics.rmse([float("nan")], [1.0])
    # 80 % intervals [9, 11], [0, 2], [6, 8], [15, 19]: two of four hold their actual; the misses
    # of 1 cost 2 / 0.2 = 10 each on top of the widths: (2 + 2 + 12 + 14) / 4 over 7 / 3.
    lower, upper = [9.0, 0.0, 6.0, 15.0], [11.0, 2.0, 8.0, 19.0]
    assert omo.metrics.coverage(actual, lower, upper) == 0.5
    assert omo.metrics.msis(actual, lower, upper, [1.0, 3.0, 2.0, 6.0], 1, level=80) == pytest.approx(7.5 / (7 / 3))
    with pytest.raises(omo.ValidationError, match="lower"):
        omo.metrics.coverage(actual, lower[:2], upper)


def test_forecast_array():
    f = omo.forecast_array([3.0, 5.0, 4.0, 6.0, 5.0, 7.0], h=2, model="naive", level=[80])
    assert f.mean.tolist() == [7.0, 7.0]
    assert f.model == "Naive"
    assert f.lower[80.0][1] < f.lower[80.0][0] < 7.0 < f.upper[80.0][0]
    # Croston on the hand-worked series: 3.28 / 2.99 (statsforecast's CrostonClassic agrees).
    croston = omo.forecast_array([0, 0, 3, 0, 0, 0, 5, 0, 4, 0], h=1, model="croston")
    assert croston.mean[0] == pytest.approx(3.28 / 2.99, rel=1e-12)
    # ADIDA: mean interval 2, bucket sums 2, 4, 6 smoothed with alpha 0.3 (the bound): 3.62 / 2.
    adida = omo.forecast_array([0, 2, 0, 4, 0, 6], h=2, model="adida")
    assert adida.mean.tolist() == pytest.approx([1.81, 1.81], rel=1e-8) and adida.model == "ADIDA"
    assert omo.forecast_array([0, 2, 0, 4, 0, 6], h=1, model="imapa").model == "IMAPA"
    # The fitted parameters come along: ADIDA's bucket length, and what AutoETS chose by.
    assert adida.params["aggregation_level"] == 2.0 and adida.params["alpha"] == pytest.approx(0.3)
    ets = omo.forecast_array([100.0 + 10 * (t % 4) + t for t in range(24)], h=4, season_length=4, model="ets")
    assert 0 < ets.params["alpha"] < 1 and np.isfinite(ets.params["aicc"])
    # A non-contiguous view works, and bad input is named.
    assert omo.forecast_array(np.arange(20.0)[::2], h=1, model="naive").mean[0] == 18.0
    with pytest.raises(omo.ValidationError, match=r"y\[1\]: nan is not a finite number"):
        omo.forecast_array([1.0, float("nan")], h=1)
    with pytest.raises(omo.ValidationError, match="horizon"):
        omo.forecast_array([1.0], h=0)
    with pytest.raises(omo.ValidationError, match="prophet"):
        omo.forecast_array([1.0], h=1, model="prophet")


def test_forecast_long_frame_like_statsforecast():
    rows = []
    for uid, n in [("b", 30), ("a", 24)]:
        for t in range(n):
            rows.append({"unique_id": uid, "ds": pd.Timestamp("2024-01-01") + pd.DateOffset(months=t), "y": 100.0 + t + (10.0 if t % 12 in (2, 3, 4) else 0.0)})
    df = pd.DataFrame(rows).sample(frac=1.0, random_state=1)  # any row order
    out = omo.forecast(df, h=3, freq="MS", season_length=12, models=("auto", "naive"), level=[80])
    assert list(out.columns) == ["unique_id", "ds", "auto", "auto-lo-80", "auto-hi-80", "naive", "naive-lo-80", "naive-hi-80"]
    assert out["unique_id"].tolist() == ["a"] * 3 + ["b"] * 3
    assert out.loc[0, "ds"] == pd.Timestamp("2026-01-01")
    # The same numbers as the single-series call.
    a = df[df.unique_id == "a"].sort_values("ds")["y"].to_numpy()
    assert np.allclose(out["auto"][:3], omo.forecast_array(a, h=3, season_length=12).mean)
    assert np.allclose(out["naive"][:3], a[-1])
    with pytest.raises(omo.ValidationError, match="column 'y' is missing"):
        omo.forecast(df.drop(columns="y"), h=1, freq="MS")
    with pytest.raises(omo.ValidationError, match="duplicated"):
        omo.forecast(pd.concat([df, df.head(1)]), h=1, freq="MS")
    with pytest.raises(omo.ValidationError, match="empty"):
        omo.forecast(df.head(0), h=1, freq="MS")


def test_spi_ledger():
    movements = pd.DataFrame(
        {
            "node": ["DC", "DC", "DC", "DC"],
            "product": ["UREA"] * 4,
            "date": [dt.date(2025, 1, 3), dt.date(2025, 1, 10), dt.date(2025, 3, 9), dt.date(2025, 3, 1)],
            "kind": ["receipt", "sale", "sale", "adjustment"],
            "quantity": [Decimal("100"), 30, "40.5", -5.0],
        }
    )
    opening = pd.DataFrame({"node": ["DC"], "product": ["UREA"], "quantity": ["8"]})
    ledger = omo.spi_ledger(movements, period="month", opening=opening)
    assert list(ledger.columns) == ["node", "product", "period", "opening", "receipts", "sales", "customer_returns", "supplier_returns", "transfers_in", "transfers_out", "adjustments", "closing"]
    assert ledger["period"].tolist() == [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    # 8 + 100 - 30 = 78; February carries it; 78 - 5 - 40.5 = 32.5, exactly.
    assert ledger["closing"].tolist() == [Decimal("78"), Decimal("78"), Decimal("32.5")]
    assert isinstance(ledger.loc[2, "closing"], Decimal)
    assert ledger.loc[1, "opening"] == ledger.loc[0, "closing"]
    short = movements.copy()
    short.loc[2, "quantity"] = 500
    with pytest.raises(omo.ValidationError, match="UREA at DC would go negative on 2025-03-09"):
        omo.spi_ledger(short)
    # Allowed, the same stream books the dip: 100 - 30 - 5 - 500.
    assert omo.spi_ledger(short, allow_negative=True)["closing"].tolist()[-1] == Decimal("-435")
    bad = movements.copy()
    bad.loc[0, "kind"] = "theft"
    with pytest.raises(omo.ValidationError, match="row 0: unknown kind"):
        omo.spi_ledger(bad)
    with pytest.raises(omo.ValidationError, match="column 'kind' is missing"):
        omo.spi_ledger(movements.drop(columns="kind"))


def test_spi_ledger_takes_numeric_columns_as_arrays_exactly():
    n = 100_000
    movements = pd.DataFrame({
        "node": ["DC"] * n,
        "product": ["UREA"] * n,
        "date": pd.date_range("2020-01-01", periods=n, freq="h"),
        "kind": ["receipt", "sale"] * (n // 2),
        "quantity": [0.3, 0.1] * (n // 2),
    })
    ledger = omo.spi_ledger(movements, period="year")
    # 50,000 receipts of 0.3 and 50,000 sales of 0.1, exact: 15000 - 5000 = 10000, not 9999.999...
    assert ledger["closing"].iloc[-1] == Decimal("10000.0")
    assert sum(ledger["receipts"], Decimal(0)) == Decimal("15000.0")
    bad = movements.head(3).copy()
    bad.loc[1, "quantity"] = float("nan")
    with pytest.raises(omo.ValidationError, match="row 1"):
        omo.spi_ledger(bad)


@pytest.mark.parametrize("freq", ["D", "W-MON", "MS", "QS", "YS", "h"])
def test_future_dates_are_those_pandas_date_range_gives(freq):
    on = pd.date_range("2024-01-01", periods=5, freq=freq)
    off = on + pd.Timedelta(hours=7) if freq != "h" else on + pd.Timedelta(minutes=7)
    df = pd.concat([pd.DataFrame({"unique_id": "on", "ds": on, "y": np.arange(5.0)}),
                    pd.DataFrame({"unique_id": "off", "ds": off, "y": np.arange(5.0)})])
    out = omo.forecast(df, h=3, freq=freq, models=["naive"])
    for uid, dates in (("on", on), ("off", off)):
        expected = pd.date_range(dates[-1], periods=4, freq=freq)[1:]
        assert list(out[out["unique_id"] == uid]["ds"]) == list(expected), uid


def test_a_value_that_is_not_a_number_is_named_with_its_series():
    df = pd.DataFrame({"unique_id": ["a", "a", "b"], "ds": pd.date_range("2024-01-01", periods=3), "y": [1.0, "lots", 2.0]})
    with pytest.raises(omo.ValidationError, match="'a'.*'lots'"):
        omo.forecast(df, h=1, freq="D")


def test_reconcile_like_hierarchicalforecast():
    tree = {"Total": None, "AB": "Total", "A": "AB", "B": "AB", "C": "Total"}
    dates = pd.to_datetime(["2026-01-01", "2026-02-01"])
    base = {"Total": [100.0, 104.0], "AB": [60.0, 61.0], "A": [35.0, 36.0], "B": [24.0, 26.0], "C": [42.0, 41.0]}
    frame = pd.DataFrame([{"unique_id": k, "ds": d, "ets": v[i], "ets-lo-80": 0.0} for k, v in base.items() for i, d in enumerate(dates)])
    residuals = {"Total": [3.0, 1.0, 0.5, 0.8, 2.0, -1.0, 1.5, 0.2], "AB": [1.0, 0.4, 0.9, -0.3, 1.2, -0.5, 0.7, 0.1],
                 "A": [0.6, 0.1, 0.4, -0.5, 0.8, -0.2, 0.3, 0.4], "B": [0.3, 0.5, 0.2, 0.1, 0.5, -0.4, 0.2, -0.2],
                 "C": [1.8, 0.5, -0.6, 1.0, 0.9, -0.3, 0.9, 0.3]}
    past = pd.DataFrame([{"unique_id": k, "ds": pd.Timestamp("2025-01-01") + pd.DateOffset(months=t), "y": r}
                         for k, v in residuals.items() for t, r in enumerate(v)]).sample(frac=1.0, random_state=2)
    out = omo.reconcile(frame.sample(frac=1.0, random_state=1), tree, method="mint_shrink", residuals=past)
    assert list(out.columns) == ["unique_id", "ds", "ets"]  # intervals are not reconciled
    assert out["unique_id"].tolist() == ["A", "A", "AB", "AB", "B", "B", "C", "C", "Total", "Total"]
    # hierarchicalforecast's MinTrace(method="mint_shrink") on the same numbers.
    peer = {"Total": [101.119175992326, 102.880824007674], "AB": [59.389594122529, 61.610405877471],
            "A": [35.210735226664, 35.789264773336], "B": [24.178858895865, 25.821141104135],
            "C": [41.729581869798, 41.270418130202]}
    for key, values in peer.items():
        assert out[out.unique_id == key]["ets"].tolist() == pytest.approx(values, abs=1e-7)
    # OLS by hand for a two-level tree: bottom = (S'S)^-1 S'y = (66.67, 36.67), top their sum.
    flat = pd.DataFrame({"unique_id": ["CN", "East", "West"], "ds": dates[0], "m": [100.0, 70.0, 40.0]})
    ols = omo.reconcile(flat, {"CN": None, "East": "CN", "West": "CN"}, method="ols")
    assert ols["m"].tolist() == pytest.approx([310 / 3, 200 / 3, 110 / 3])
    # Bottom-up from the leaves alone gives their parents.
    leaves = flat[flat.unique_id != "CN"]
    assert omo.reconcile(leaves, {"CN": None, "East": "CN", "West": "CN"}, method="bottom_up")["m"].tolist() == [110.0, 70.0, 40.0]
    with pytest.raises(omo.ValidationError, match="depth"):
        omo.reconcile(flat, {"CN": None, "East": "CN", "West": "CN"}, method="middle_out")
    with pytest.raises(omo.ValidationError, match="Mars"):
        omo.reconcile(flat.assign(unique_id=["CN", "East", "Mars"]), {"CN": None, "East": "CN", "West": "CN"})
    with pytest.raises(omo.ValidationError, match="'note' is not numeric"):
        omo.reconcile(flat.assign(note="x"), {"CN": None, "East": "CN", "West": "CN"})
    with pytest.raises(omo.ValidationError, match="cycle"):
        omo.reconcile(flat, {"CN": "West", "East": "CN", "West": "CN"})
    with pytest.raises(omo.ValidationError, match="finite"):
        omo.reconcile(flat.assign(m=[1.0, float("nan"), 2.0]), {"CN": None, "East": "CN", "West": "CN"})
    with pytest.raises(omo.ValidationError, match="median"):
        omo.reconcile(flat, {"CN": None, "East": "CN", "West": "CN"}, method="median")
