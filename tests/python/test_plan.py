"""omo.plan.mrp_record: the textbook MRP record of one item, each rule of API.md checked on a case
worked by hand (the working is in each test's comments)."""
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import omo

COLUMNS = ["period", "gross_requirements", "scheduled_receipts", "projected_on_hand", "net_requirements",
           "planned_order_receipts", "planned_order_releases"]


def column(frame, name):
    """A float64 column as exact decimals (its floats at their shortest text)."""
    return [Decimal(str(v)) for v in frame[name]]


def check(frame, poh, net, receipts, releases, past_due=0):
    """Every computed column against the hand-worked numbers, exactly."""
    d = lambda values: [Decimal(str(v)) for v in values]  # noqa: E731
    assert list(frame.columns) == COLUMNS
    assert frame["period"].tolist() == list(range(1, len(poh) + 1))
    assert column(frame, "projected_on_hand") == d(poh)
    assert column(frame, "net_requirements") == d(net)
    assert column(frame, "planned_order_receipts") == d(receipts)
    assert column(frame, "planned_order_releases") == d(releases)
    assert Decimal(str(frame.attrs["past_due"])) == Decimal(str(past_due))


def test_plan_is_an_attribute_of_omo_and_returns_a_pandas_frame():
    assert "plan" in omo.__all__
    frame = omo.plan.mrp_record([1, 2])
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == COLUMNS
    assert all(frame[c].dtype == "float64" for c in COLUMNS[1:]) and isinstance(frame.attrs["past_due"], float)
    assert frame["gross_requirements"].tolist() == [1, 2]
    assert frame["scheduled_receipts"].tolist() == [0, 0]


def test_lot_for_lot():
    # GR 10 0 25 5, on hand 15, lead time 0.
    # t1: net max(0, 10-15) = 0, POH 5;  t2: 0, POH 5
    # t3: net 25-5 = 20 -> receive 20, POH 0;  t4: net 5 -> 5, POH 0.
    frame = omo.plan.mrp_record([10, 0, 25, 5], on_hand=15)
    check(frame, poh=[5, 5, 0, 0], net=[0, 0, 20, 5], receipts=[0, 0, 20, 5], releases=[0, 0, 20, 5])


def test_safety_stock():
    # GR 10 10 10, on hand 12, safety stock 5.
    # t1: net 10+5-12 = 3 -> POH 12+3-10 = 5;  t2: net 10+5-5 = 10, POH 5;  t3: the same.
    frame = omo.plan.mrp_record([10, 10, 10], on_hand=12, safety_stock=5)
    check(frame, poh=[5, 5, 5], net=[3, 10, 10], receipts=[3, 10, 10], releases=[3, 10, 10])


def test_scheduled_receipts():
    # GR 30 20 20 15, SR 40 in period 2, on hand 35.
    # t1: net 30-35 < 0, POH 5;  t2: net 20-5-40 < 0, POH 5+40-20 = 25
    # t3: net 20-25 < 0, POH 5;  t4: net 15-5 = 10 -> 10, POH 0.
    frame = omo.plan.mrp_record([30, 20, 20, 15], scheduled_receipts=[0, 40, 0, 0], on_hand=35)
    assert frame["scheduled_receipts"].tolist() == [0, 40, 0, 0]
    check(frame, poh=[5, 25, 5, 0], net=[0, 0, 0, 10], receipts=[0, 0, 0, 10], releases=[0, 0, 0, 10])


def test_lead_time_offsets_releases():
    # GR 0 0 40 0 30, nothing on hand, lead time 2: receipts 40 in t3 and 30 in t5 are released
    # two periods earlier, in t1 and t3.
    frame = omo.plan.mrp_record([0, 0, 40, 0, 30], lead_time=2)
    check(frame, poh=[0] * 5, net=[0, 0, 40, 0, 30], receipts=[0, 0, 40, 0, 30], releases=[40, 0, 30, 0, 0])


def test_past_due_releases_are_reported_not_dropped():
    # GR 15 10 20, on hand 5, lead time 1.
    # t1: net 10 -> release in period 0: past due 10;  t2: net 10 -> released in t1;
    # t3: net 20 -> released in t2.
    frame = omo.plan.mrp_record([15, 10, 20], on_hand=5, lead_time=1)
    check(frame, poh=[0, 0, 0], net=[10, 10, 20], receipts=[10, 10, 20], releases=[10, 20, 0], past_due=10)
    # Lot for lot with safety stock, a scheduled receipt and a 2-period lead time: GR 20 30 40 10 50 30,
    # SR 25 in t2, on hand 25, safety stock 10.
    # t1: net 20+10-25 = 5 (POH 10);  t2: net 30+10-10-25 = 5 (POH 10);  t3..t6: net = GR (POH 10).
    # The receipts of t1 and t2 would be released in periods -1 and 0: past due 5 + 5 = 10.
    frame = omo.plan.mrp_record([20, 30, 40, 10, 50, 30], scheduled_receipts=[0, 25, 0, 0, 0, 0], on_hand=25,
                                safety_stock=10, lead_time=2)
    check(frame, poh=[10] * 6, net=[5, 5, 40, 10, 50, 30], receipts=[5, 5, 40, 10, 50, 30],
          releases=[40, 10, 50, 30, 0, 0], past_due=10)


def test_past_due_is_zero_when_none():
    frame = omo.plan.mrp_record([0, 5], lead_time=1)
    assert frame.attrs["past_due"] == 0
    assert column(frame, "planned_order_releases") == [5, 0]


def test_fixed_order_quantity():
    # GR 35 20 0 60 10, on hand 10, lot 30, lead time 1.
    # t1: net 35-10 = 25 -> one lot 30, POH 10+30-35 = 5
    # t2: net 20-5 = 15 -> 30, POH 15;  t3: 0, POH 15
    # t4: net 60-15 = 45 -> two lots 60, POH 15;  t5: net 10-15 < 0, POH 5.
    # Releases one period earlier; t1's lot is past due.
    frame = omo.plan.mrp_record([35, 20, 0, 60, 10], on_hand=10, lead_time=1, lot_sizing="fixed_order_quantity",
                                lot_size=30)
    check(frame, poh=[5, 15, 15, 15, 5], net=[25, 15, 0, 45, 0], receipts=[30, 30, 0, 60, 0],
          releases=[30, 0, 60, 0, 0], past_due=30)


def test_periods_of_supply():
    # P = 2, GR 10 20 30 40 50, nothing on hand, no safety stock.
    # t1: net 10; covers t1..t2: 10+20 = 30 -> 30, POH 20;  t2: net 20-20 = 0, POH 0
    # t3: net 30; covers t3..t4: 30+40 = 70 -> POH 40;  t4: net 0, POH 0
    # t5: net 50; covers t5 only (the record ends): 50 -> POH 0.
    frame = omo.plan.mrp_record([10, 20, 30, 40, 50], lot_sizing="periods_of_supply", periods_of_supply=2)
    check(frame, poh=[20, 0, 40, 0, 0], net=[10, 0, 30, 0, 50], receipts=[30, 0, 70, 0, 50],
          releases=[30, 0, 70, 0, 50])


def test_periods_of_supply_with_safety_stock_and_scheduled_receipts():
    # P = 3, GR 20 10 15 25, SR 5 in t2, on hand 30, safety stock 10, lead time 1.
    # t1: net 20+10-30 = 0, POH 10
    # t2: net 10+10-10-5 = 5; covers t2..t4: (10-5)+(15-0)+(25-0) = 45, +10 -10 = 45 -> 45,
    #     POH 10+5+45-10 = 50
    # t3: net 15+10-50 < 0, POH 35;  t4: net 25+10-35 = 0, POH 10 (exactly the safety stock).
    frame = omo.plan.mrp_record([20, 10, 15, 25], scheduled_receipts=[0, 5, 0, 0], on_hand=30, safety_stock=10,
                                lead_time=1, lot_sizing="periods_of_supply", periods_of_supply=3)
    check(frame, poh=[10, 50, 35, 10], net=[0, 5, 0, 0], receipts=[0, 45, 0, 0], releases=[45, 0, 0, 0])


def test_eoq():
    # GR 40 0 60 20 30 30: mean 180 / 6 = 30; ordering 135, holding 2:
    # sqrt(2 x 30 x 135 / 2) = sqrt(4050) = 63.64 -> 64. On hand 10, lead time 1.
    # t1: net 40-10 = 30 -> 64, POH 34;  t2: 0, POH 34
    # t3: net 60-34 = 26 -> 64, POH 38;  t4: net 20-38 < 0, POH 18
    # t5: net 30-18 = 12 -> 64, POH 52;  t6: net 30-52 < 0, POH 22.
    # Releases one period earlier; t1's order is past due.
    frame = omo.plan.mrp_record([40, 0, 60, 20, 30, 30], on_hand=10, lead_time=1, lot_sizing="eoq",
                                ordering_cost=135, holding_cost=2)
    check(frame, poh=[34, 34, 38, 18, 52, 22], net=[30, 0, 26, 0, 12, 0], receipts=[64, 0, 64, 0, 64, 0],
          releases=[0, 64, 0, 64, 0, 0], past_due=64)


def test_eoq_rounds_halves_up_and_never_orders_below_the_net():
    # GR 2 0: mean 1; ordering 169, holding 8: sqrt(2 x 1 x 169 / 8) = sqrt(42.25) = 6.5 -> 7.
    frame = omo.plan.mrp_record([2, 0], lot_sizing="eoq", ordering_cost=169, holding_cost=8)
    check(frame, poh=[5, 5], net=[2, 0], receipts=[7, 0], releases=[7, 0])
    # The same with exact decimal costs: ordering 21.125, holding 1 -> sqrt(42.25) -> 7.
    frame = omo.plan.mrp_record([2, 0], lot_sizing="eoq", ordering_cost=Decimal("21.125"), holding_cost="1")
    assert column(frame, "planned_order_receipts") == [7, 0]
    # GR 5 95: mean 50; ordering 4, holding 4: sqrt(100) = 10. t1: net 5 -> 10, POH 5;
    # t2: net 95-5 = 90 > 10 -> 90, POH 0.
    frame = omo.plan.mrp_record([5, 95], lot_sizing="eoq", ordering_cost=4, holding_cost=4)
    check(frame, poh=[5, 0], net=[5, 90], receipts=[10, 90], releases=[10, 90])


def test_quantities_are_exact_whatever_their_type():
    # Floats at their shortest text: 0.1 + 0.2 stay 0.1 and 0.2; Decimal and str exact.
    frame = omo.plan.mrp_record([0.1, Decimal("0.2"), "0.3"], on_hand=np.float64(0.05))
    check(frame, poh=[0, 0, 0], net=["0.05", "0.2", "0.3"], receipts=["0.05", "0.2", "0.3"],
          releases=["0.05", "0.2", "0.3"])
    # numpy arrays and pandas Series are sequences too; a fractional lot size works exactly.
    frame = omo.plan.mrp_record(np.array([1.2]), lot_sizing="fixed_order_quantity", lot_size="0.5")
    check(frame, poh=["0.3"], net=["1.2"], receipts=["1.5"], releases=["1.5"])
    frame = omo.plan.mrp_record(pd.Series([3, 4]), scheduled_receipts=pd.Series([0, 4]), on_hand=np.int64(3))
    check(frame, poh=[0, 0], net=[0, 0], receipts=[0, 0], releases=[0, 0])


def test_rules_ignore_the_parameters_of_other_rules():
    frame = omo.plan.mrp_record([10, 20], lot_sizing="lot_for_lot", lot_size=50, periods_of_supply=2,
                                ordering_cost=1, holding_cost=1)
    assert column(frame, "planned_order_receipts") == [10, 20]


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(gross_requirements=[10, -1, 5]), "gross_requirements"),
        (dict(gross_requirements=[], lead_time=0), "gross_requirements"),
        (dict(scheduled_receipts=[0, -5, 0]), "scheduled_receipts"),
        (dict(scheduled_receipts=[0, 5]), "scheduled_receipts"),
        (dict(on_hand=-1), "on_hand"),
        (dict(safety_stock=Decimal("-0.5")), "safety_stock"),
        (dict(lead_time=3), "lead_time"),
        (dict(lead_time=10), "lead_time"),
        (dict(lead_time=-1), "lead_time"),
        (dict(lead_time=1.0), "lead_time"),
        (dict(lot_sizing="silver_meal"), "lot_sizing"),
        (dict(lot_sizing=None), "lot_sizing"),
        (dict(lot_sizing="fixed_order_quantity"), "lot_size"),
        (dict(lot_sizing="fixed_order_quantity", lot_size=0), "lot_size"),
        (dict(lot_sizing="fixed_order_quantity", lot_size=-10), "lot_size"),
        (dict(lot_sizing="periods_of_supply"), "periods_of_supply"),
        (dict(lot_sizing="periods_of_supply", periods_of_supply=0), "periods_of_supply"),
        (dict(lot_sizing="periods_of_supply", periods_of_supply=1.5), "periods_of_supply"),
        (dict(lot_sizing="eoq", holding_cost=1), "ordering_cost"),
        (dict(lot_sizing="eoq", ordering_cost=1), "holding_cost"),
        (dict(lot_sizing="eoq", ordering_cost=0, holding_cost=1), "ordering_cost"),
        (dict(lot_sizing="eoq", ordering_cost=1, holding_cost=-2), "holding_cost"),
        (dict(gross_requirements=[1, float("nan"), 3]), "gross_requirements"),
        (dict(gross_requirements=[1, True, 3]), "gross_requirements"),
        (dict(gross_requirements=[1, "ten", 3]), "gross_requirements"),
        (dict(gross_requirements="123"), "gross_requirements"),
        (dict(gross_requirements=5), "gross_requirements"),
        (dict(on_hand=None), "on_hand"),
    ],
)
def test_bad_input_is_a_validation_error_naming_the_argument(kwargs, name):
    arguments = dict(gross_requirements=[10, 20, 30])
    arguments.update(kwargs)
    with pytest.raises(omo.ValidationError, match=name):
        omo.plan.mrp_record(**arguments)


def test_errors_name_the_period_of_a_bad_quantity():
    with pytest.raises(omo.ArgumentError, match=r"gross_requirements.*period 2"):
        omo.plan.mrp_record([10, -1, 5])
    with pytest.raises(omo.ArgumentError, match=r"scheduled_receipts\[1\]"):
        omo.plan.mrp_record([10, 1, 5], scheduled_receipts=[0, float("inf"), 0])


# ---- omo.plan.supply_chain_plan: the core's channel and supply plans laid out as frames.

@pytest.fixture(scope="module")
def small_company():
    return omo.sample_company(distributors=2, retailers_per_distributor=2, farmers=40, years=2)


def test_the_channel_plan_balances_every_period_from_shop_to_plant(small_company):
    plan = omo.plan.supply_chain_plan(small_company, horizon=4)
    frame = plan.channel
    assert plan.periods[0].isoformat() == "2025-01-01" and len(plan.periods) == 4
    assert sorted(frame["kind"].unique()) == ["distributor", "plant", "retailer"]
    for _, record in frame.groupby(["node", "product"]):
        stock = record["on_hand"].iloc[0]
        for row in record.itertuples():
            stock += row.scheduled_receipts + row.planned_receipts - row.gross
            assert row.closing == stock and row.gross == max(row.forecast, row.confirmed) + row.dependent
    # What a distributor plans to order from the plant is the plant's dependent demand.
    releases = frame[frame["supplied_from"] == "PLANT-1"].groupby("period")["planned_releases"].sum()
    dependent = frame[frame["node"] == "PLANT-1"].groupby("period")["dependent"].sum()
    assert (releases <= dependent).all() and releases.sum() > 0
    # The sample plant's lines are short of the spring peak: it builds ahead.
    assert set(plan.line_loads["line"]) == {"GRAN-1", "BAG-1", "BLEND-1"}


def test_a_weekly_plan_and_polars(small_company):
    plan = omo.plan.supply_chain_plan(small_company, as_of="2025-06-30", horizon=8, period="week", backend="polars")
    assert plan.periods[0].isoformat() == "2025-06-30" and plan.channel.height > 0


@pytest.mark.parametrize("kwargs, named", [({"period": "day"}, "period"), ({"horizon": 0}, "horizon"),
                                           ({"method": "nonsense"}, "model"), ({"as_of": "2025-13-01"}, "as_of")])
def test_bad_plan_settings_name_the_argument(small_company, kwargs, named):
    with pytest.raises(omo.ArgumentError, match=named):
        omo.plan.supply_chain_plan(small_company, **kwargs)


def test_the_sop_table_and_the_supplier_scorecard(small_company):
    plan = omo.plan.supply_chain_plan(small_company, horizon=4)
    sop = plan.sop
    assert list(sop.columns[:4]) == ["period", "category", "demand_units", "demand_value"]
    # The supply plan makes or buys what the plant must deliver in time (building ahead: earlier),
    # or reports it unmet: cumulatively, per product family.
    for _, family in sop.groupby("category"):
        supplied = (family["supply_units"] + family["unmet_units"]).cumsum()
        assert (supplied >= family["required_units"].cumsum() - Decimal("0.01")).all()
    assert (sop["inventory_gap_units"] == sop["inventory_units"] - sop["inventory_target_units"]).all()
    assert not plan.line_loads.empty and plan.line_loads["over_capacity"].any()
    signals = plan.signals
    assert set(signals["kpi"]) >= {"capacity_load", "oem_on_time", "production_attainment", "projected_stockouts"}
    red = signals[signals["light"] == "red"]
    assert (red["action"] != "").all() and (signals.loc[signals["light"] == "green", "action"] == "").all()
    scores = omo.plan.supplier_scorecard(small_company).set_index("supplier")
    assert scores.loc["SUP-OEM", "kind"] == "oem" and 0.4 < scores.loc["SUP-OEM", "on_time_rate"] < 0.8
    assert isinstance(scores.loc["SUP-CHEM", "price_variance"], Decimal)
