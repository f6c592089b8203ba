"""A company's data and the core's views of it, from Python: values checked against independent
computations with pandas on the dataset's own records, and bad input raising the right class."""
import datetime as dt
import json
from decimal import Decimal

import pytest

import omo


@pytest.fixture(scope="module")
def company():
    return omo.sample_company(seed=5, distributors=4, retailers_per_distributor=3, farmers=150, years=2)


@pytest.fixture(scope="module")
def book(company):
    return omo.CreditBook(company)


def test_dataset_round_trips_and_its_collections_are_exact(company):
    assert company.as_of == dt.date(2024, 12, 31)
    again = omo.Dataset.from_json(company.to_json())
    assert again.counts() == company.counts()
    movements = company.frame("movements")
    assert len(movements) == company.counts()["movements"]
    assert all(isinstance(q, Decimal) for q in movements["quantity"].head(50))
    assert all(isinstance(d, dt.date) for d in movements["date"].head(50))
    assert set(company.frame("customers")["kind"]) >= {"distributor", "retailer"}


def test_a_broken_dataset_names_every_broken_reference(company):
    data = json.loads(company.to_json())
    data["customers"][0]["region"] = "ATLANTIS"
    data["movements"][0]["node"] = "NOWHERE"
    with pytest.raises(omo.ValidationError) as error:
        omo.Dataset.from_json(json.dumps(data))
    assert "ATLANTIS" in str(error.value) and "NOWHERE" in str(error.value)
    with pytest.raises(omo.ValidationError, match="line 1"):
        omo.Dataset.from_json('{"company": ')
    with pytest.raises(omo.ValidationError, match="collection 'nope'"):
        company.frame("nope")


def test_spi_rollup_per_node_and_product_matches_the_movements(company):
    rows = omo.spi_rollup(company, period="month", nodes="node", products="product")
    movements = company.frame("movements")
    sales = movements[movements["kind"] == "sale"].groupby(["node", "product"])["quantity"].sum()
    rolled = rows.groupby(["nodes", "products"])["sales"].sum()
    for key, expected in sales.items():
        assert rolled[key] == expected, key
    sign = {"receipt": 1, "customer_return": 1, "transfer_in": 1, "adjustment": 1, "sale": -1,
            "supplier_return": -1, "transfer_out": -1}
    movements["change"] = [q * sign[k] for q, k in zip(movements["quantity"], movements["kind"])]
    on_hand = movements.groupby(["node", "product"])["change"].sum()
    last = rows.sort_values("period").groupby(["nodes", "products"]).last()["closing"]
    for key, expected in on_hand.items():
        assert last[key] == expected, key
    with pytest.raises(omo.ValidationError, match="nodes"):
        omo.spi_rollup(company, nodes="planet")


def test_inventory_health_totals_are_the_sum_of_its_rows(company):
    health = omo.inventory_health(company)
    assert health.attrs["total_value"] == sum(health["value"], Decimal(0))
    dead = sum(health.loc[health["status"] == "dead", "value"], Decimal(0))
    slow = sum(health.loc[health["status"] == "slow", "value"], Decimal(0))
    # The core's share (rust_decimal: 28 decimal places) against Python's (28 significant digits).
    assert abs(health.attrs["ineffective_share"] - (dead + slow) / health.attrs["total_value"]) < Decimal("1e-26")
    assert set(health.attrs["abc"].values()) <= {"A", "B", "C"}
    orders = omo.suggest_orders(company)
    assert (orders["quantity"] >= 0).all()
    # Ordering brings the position up to at least the order-up-to level.
    ordered = orders[orders["quantity"] > 0]
    position = ordered["position_on_hand"] + ordered["position_on_order"] - ordered["position_reserved"]
    assert ((position + ordered["quantity"]) >= ordered["order_up_to"] - 1).all()
    # Each line's value is its quantity at standard cost; the largest order comes first.
    cost = company.frame("products").set_index("id")["standard_cost"]
    assert all(v == q * cost[p] for v, q, p in zip(orders["value"], orders["quantity"], orders["product"]))
    assert list(orders["value"]) == sorted(orders["value"], reverse=True)
    assert orders.equals(omo.suggest_orders(company, service_level=0.95, lead_time_days=7, review_days=7,
                                            demand="forecast"))


def test_credit_positions_checks_and_aging_agree(company, book):
    ranked = omo.CreditBook(company).positions()
    used = [u for u in ranked["used"] if u is not None]
    assert used == sorted(used, reverse=True) and len(used) > 0, "most of the limit used first"
    for row in ranked.itertuples():
        if row.limit:
            # The core's share (28 decimal places) against Python's (28 significant digits).
            assert abs(row.used - row.exposure / row.limit) < Decimal("1e-25")
            assert (row.status == "over") == (row.exposure > row.limit)
    assert set(ranked["status"]) <= {"over", "near", "within"}
    positions = ranked.set_index("customer")
    assert ((positions["limit"] - positions["exposure"]) == positions["available"]).all()
    worst = positions["exposure"].idxmax()
    over = max(positions.loc[worst, "available"], Decimal(0)) + Decimal("0.01")
    check = book.check_order(worst, over)
    assert check.decision == "blocked"
    assert "limit_exceeded" in [f["code"] for f in check.findings if f["blocks"]]
    assert check.exposure_after - check.exposure_before == over
    assert "limit exceeded" in check._repr_html_()
    aging = book.aging().set_index("customer")
    buckets = [c for c in aging.columns if c != "unapplied"]
    for customer, row in aging.iterrows():
        open_items = positions.loc[customer, "receivables_not_due"] + positions.loc[customer, "receivables_overdue"]
        assert sum(row[buckets], Decimal(0)) == open_items, customer


def test_money_never_comes_from_a_float(book):
    with pytest.raises(omo.ValidationError, match="floats are not exact"):
        book.check_order("D-01", 0.1 + 0.2)
    with pytest.raises(omo.ValidationError, match="amount"):
        book.check_order("D-01", "12,50")
    with pytest.raises(omo.CreditError, match="NO-SUCH"):
        book.check_order("NO-SUCH", Decimal("1"))
    assert book.check_order("D-01", 100).order_amount == Decimal(100)


def test_scorecard_lights_alerts_and_customers(company, book):
    card = omo.scorecard(company, axis="region")
    assert card.month == dt.date(2024, 12, 1)
    lights = card.lights()
    assert set(lights.values.ravel()) <= {"green", "yellow", "red", "grey"}
    assert lights.shape[1] == len(card.kpis) == 12
    root = card.frame[card.frame["parent"].isna()]["member"].unique()
    assert list(root) == ["CN"]
    names = dict(zip(card.frame["member"], card.frame["name"]))
    regions = company.frame("regions").set_index("id")["name"]
    distributors = company.frame("customers").query("kind == 'distributor'").set_index("id")["name"]
    assert {m: names[m] for m in regions.index} == dict(regions)
    assert {m: names[m] for m in distributors.index} == dict(distributors)
    assert "#d62728" in card._repr_html_() or "red" not in set(lights.values.ravel())
    with pytest.raises(omo.ValidationError, match="axis"):
        omo.scorecard(company, axis="planet")
    events = omo.alerts(company, months=12)
    assert set(events["kind"]) <= {"raised", "escalated", "resolved"}
    summaries = omo.customer_summaries(company).set_index("customer")
    aging = book.aging().set_index("customer")
    buckets = [c for c in aging.columns if c != "unapplied"]
    for customer, row in aging.iterrows():
        assert summaries.loc[customer, "open_receivables"] == sum(row[buckets], Decimal(0))
    scores = omo.rfm(company)
    assert scores[["r", "f", "m"]].isin([1, 2, 3, 4, 5]).all().all()
    assert scores["monetary"].map(lambda v: isinstance(v, Decimal)).all()


def test_frames_make_the_same_dataset_again(company):
    parts = {name: company.frame(name) for name in omo.Dataset.COLLECTIONS}
    again = omo.from_frames(company.company, company.currency, company.as_of, **parts)
    assert again.counts() == company.counts()
    assert again.frame("invoices").equals(company.frame("invoices"))
    broken = dict(parts, customers=parts["customers"].assign(region="ATLANTIS"))
    with pytest.raises(omo.ValidationError, match="ATLANTIS"):
        omo.from_frames(company.company, company.currency, company.as_of, **broken)
    with pytest.raises(omo.ValidationError, match="unknown collection"):
        omo.from_frames("x", "CNY", company.as_of, planets=parts["customers"])


def test_channel_sell_out_is_what_shops_sold_to_end_users(company):
    channel = omo.channel_view(company, period="month").set_index("period")
    nodes = company.frame("nodes").set_index("id")["kind"]
    moves = company.frame("movements")
    shops = moves[moves["node"].map(nodes) == "retailer"].copy()
    shops["month"] = [d.replace(day=1) for d in shops["date"]]
    signed = shops.apply(lambda r: r["quantity"] if r["kind"] == "sale" else (-r["quantity"] if r["kind"] == "customer_return" else Decimal(0)), axis=1)
    expected = signed.groupby(shops["month"]).sum()
    for month, units in expected.items():
        assert channel.loc[month, "sell_out"] == units, month


def test_team_performance_and_cross_validation(company):
    reps = omo.team_performance(company, team="salesperson")
    with_plan = reps[reps["plan"].notna() & (reps["plan"] > 0)]
    for _, r in with_plan.iterrows():
        # rust_decimal keeps 28 decimal places, Python's context 28 significant digits.
        assert abs(r["attainment"] - r["revenue"] / r["plan"]) < Decimal("1e-24")
    with pytest.raises(omo.ValidationError, match="team"):
        omo.team_performance(company, team="planet")
    # Naive one step ahead over 1, 2, 4, 8, 16: errors 2, 4, 8 in the last three windows.
    cv = omo.cross_validation([1.0, 2.0, 4.0, 8.0, 16.0], h=1, windows=3, model="naive")
    assert cv["mae"].tolist() == [2.0, 4.0, 8.0]
    assert cv["train_len"].tolist() == [2, 3, 4]


def test_the_credit_audit_trail_lists_every_change_with_who_and_why():
    import omo

    d = omo.sample_company(seed=7, distributors=2, retailers_per_distributor=2, farmers=50, years=2)
    trail = omo.CreditBook(d).audit_trail()
    assert list(trail.columns) == ["customer", "date", "action", "change", "by", "reason"]
    limits = trail[trail["action"] == "limit"]
    assert len(limits) == len(d.frame("credit_accounts"))
    assert set(limits["by"]) == {"credit committee"}
    # The spring increase ended by itself the day after its last day (May 31), written by omo.
    ended = trail[trail["action"] == "increase_expired"]
    assert len(ended) >= 1 and set(ended["by"]) == {"omo"}
    assert all(day.month == 6 and day.day == 1 for day in ended["date"])
    # Before the end of May the increase has not ended yet.
    import datetime as dt
    spring = omo.CreditBook(d).audit_trail(as_of=dt.date(d.as_of.year, 5, 31))
    assert (spring["action"] == "increase_expired").sum() == 0
    assert (spring["action"] == "temporary_increase").sum() == len(ended)


def test_a_credit_book_and_a_scorecard_print_what_they_hold():
    data = omo.sample_company(seed=7, distributors=2, retailers_per_distributor=2, farmers=50, years=2)
    book = omo.CreditBook(data)
    positions = book.positions()
    text = repr(book)
    assert text.startswith(f"<CreditBook: {len(positions)} accounts (") and "object at" not in text
    for decision, n in positions["decision"].value_counts().items():
        assert f"{n} {decision}" in text
    card = omo.scorecard(data)
    text = repr(card)
    assert text.startswith(f"<Scorecard {card.month:%B %Y}: {card.frame['member'].nunique()} members x {len(card.kpis)} KPIs (")
    for light, n in card.frame["light"].value_counts().items():
        assert f"{n} {light}" in text


def _cells(rows):
    """Rows with NaN as None (NaN equals nothing, not even itself)."""
    return [tuple(None if isinstance(v, float) and v != v else v for v in row) for row in rows]


VIEWS = {
    "spi_rollup": lambda d, b: omo.spi_rollup(d, backend=b),
    "inventory_health": lambda d, b: omo.inventory_health(d, backend=b),
    "suggest_orders": lambda d, b: omo.suggest_orders(d, backend=b),
    "alerts": lambda d, b: omo.alerts(d, backend=b),
    "customer_summaries": lambda d, b: omo.customer_summaries(d, backend=b),
    "rfm": lambda d, b: omo.rfm(d, backend=b),
    "channel_view": lambda d, b: omo.channel_view(d, backend=b),
    "team_performance": lambda d, b: omo.team_performance(d, backend=b),
    "scorecard": lambda d, b: omo.scorecard(d, backend=b).frame,
    "positions": lambda d, b: omo.CreditBook(d).positions(backend=b),
    "aging": lambda d, b: omo.CreditBook(d).aging(backend=b),
    "audit_trail": lambda d, b: omo.CreditBook(d).audit_trail(backend=b),
    "invoices": lambda d, b: d.frame("invoices", backend=b),
}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_every_view_comes_as_polars_with_the_same_rows_and_exact_money(view):
    import os

    if os.environ.get("CI") == "true":
        import polars as pl
    else:
        pl = pytest.importorskip("polars", reason="polars is not installed (pip install polars)")
    data = omo.sample_company(seed=7, distributors=2, retailers_per_distributor=2, farmers=50, years=2)
    pandas_frame, polars_frame = VIEWS[view](data, "pandas"), VIEWS[view](data, "polars")
    assert isinstance(polars_frame, pl.DataFrame)
    assert polars_frame.columns == [str(c) for c in pandas_frame.columns]
    assert _cells(polars_frame.rows()) == _cells(pandas_frame.itertuples(index=False, name=None))
    for column, dtype in polars_frame.schema.items():
        if isinstance(dtype, pl.Decimal):
            assert dtype.precision == 38 and isinstance(pandas_frame[column].dropna().iloc[0], Decimal), column
    if view == "inventory_health":
        assert polars_frame.attrs == pandas_frame.attrs


def test_an_unknown_backend_is_refused_by_name():
    data = omo.sample_company(seed=7, distributors=2, retailers_per_distributor=2, farmers=50, years=2)
    with pytest.raises(omo.ArgumentError, match="backend 'spark'"):
        omo.rfm(data, backend="spark")
