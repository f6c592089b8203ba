"""One computation, several formats: for one engine state, the Python package, the mobile bindings
and the main job's report show the same numbers, view by view.

The state is the snapshot bindings-mobile/tests/engine.rs writes to target/mobile-fixture/ (with
the report the main job renders of it, report.txt); the mobile bindings are the uniffi-generated
Python module tests/mobile.sh leaves in test-output/mobile/python. Both come before this suite in
tests/run.sh; run alone without them, these tests skip (under CI=true they fail instead).
"""
import datetime as dt
import os
import pathlib
import re
import sys
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

import omo

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "target" / "mobile-fixture"
BINDINGS = ROOT / "test-output" / "mobile" / "python"


def _missing():
    wanted = [FIXTURE / "snapshot.json", FIXTURE / "report.txt", BINDINGS / "omo_mobile.py"]
    return [str(p) for p in wanted if not p.exists()]


@pytest.fixture(scope="module")
def doors():
    """The same state through the Python package (an engine) and the mobile bindings, and the
    report's text."""
    missing = _missing()
    if missing:
        why = f"the mobile fixture and bindings are not built ({', '.join(missing)}): run tests/run.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    sys.path.insert(0, str(BINDINGS))
    import omo_core
    import omo_mobile

    snapshot = (FIXTURE / "snapshot.json").read_text()
    python = omo.Engine(omo.Dataset.from_json(snapshot))
    mobile = omo_mobile.Engine.from_json(snapshot)
    return python, mobile, omo_core, (FIXTURE / "report.txt").read_text()


def _money(amount: Decimal) -> str:
    """An amount as the report prints it: whole units, thousands grouped."""
    return f"{amount.quantize(Decimal(1), ROUND_HALF_EVEN):,f}"


def _quantity(amount: Decimal) -> str:
    """A quantity as the report prints it: up to two decimals, thousands grouped."""
    return f"{amount.quantize(Decimal('0.01'), ROUND_HALF_EVEN).normalize():,f}"


def _table_rows(report: str, heading: str) -> dict:
    """The rows of the table under the line starting with ``heading``, by their first cell."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("  "):
            break
        cells = line.split()
        rows[cells[0]] = cells
    return rows


def _day(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def test_credit_positions(doors):
    python, mobile, _, report = doors
    frame = python.credit_book().positions()
    rows = _table_rows(report, "Exposure against limits")
    assert len(frame) == len(rows) > 0
    for row in frame.itertuples():
        position = mobile.credit_position(row.customer)
        assert (position.check.exposure_before, position.check.limit) == (row.exposure, row.limit)
        assert (position.used, position.status.name.lower()) == (row.used, row.status)
        printed = rows[row.customer]
        assert (printed[2], printed[8]) == (_money(row.limit), _money(row.exposure))


def test_credit_decisions(doors):
    python, _, _, report = doors
    trail = python.credit_book().audit_trail()
    match = re.search(r"Credit decisions \(audit trail, latest (\d+) of (\d+)\)", report)
    assert match and int(match[2]) == len(trail) > 0
    printed = report[match.end():].splitlines()[2:2 + int(match[1])]
    assert [line.split()[:2] for line in printed] == [
        [_day(d), c] for d, c in zip(trail["date"][:len(printed)], trail["customer"][:len(printed)])]


def test_rfm_and_top_customers(doors):
    python, mobile, _, report = doors
    frame = python.rfm()
    scores = {s.customer: s for s in mobile.rfm(None, None)}
    assert len(frame) == len(scores) > 0
    rows = _table_rows(report, "Top customers by revenue")
    for row in frame.itertuples():
        s = scores[row.customer]
        assert (s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m) == (
            row.recency_days, row.frequency, row.monetary, row.r, row.f, row.m)
        assert s.segment.name.lower() == row.segment
        if row.customer in rows:
            assert rows[row.customer][1:4] + rows[row.customer][-1:] == [str(row.r), str(row.f), str(row.m),
                                                                         _money(row.monetary)]
    assert set(rows) <= set(scores)
    # A window given by its end only: both doors take the trailing year before it, as the core does.
    june = dt.date(2025, 6, 30)
    assert [(s.customer, s.monetary) for s in mobile.rfm(None, june.isoformat())] == list(
        zip(python.rfm(end=june)["customer"], python.rfm(end=june)["monetary"]))


def test_suggested_orders(doors):
    python, mobile, _, report = doors
    frame = python.suggest_orders()
    rows = mobile.replenishment(None)
    assert [(r.order.node, r.order.product, r.order.quantity, r.value) for r in rows] == list(
        zip(frame["node"], frame["product"], frame["quantity"], frame["value"]))
    due = [r for r in rows if r.order.quantity > 0]
    match = re.search(r"(\d+) of (\d+) node x SKU lines need an order now", report)
    assert match and (int(match[1]), int(match[2])) == (len(due), len(rows))
    lines = [line.split() for line in report.splitlines() if line.startswith("  DN-")]
    printed = {(cells[0], cells[1]): cells for cells in lines if len(cells) == 8}
    for r in due[:8]:
        cells = printed[(r.order.node, r.order.product)]
        assert cells[6:] == [_quantity(r.order.quantity), _money(r.value)]


def test_channel(doors):
    python, mobile, omo_core, report = doors
    frame = python.channel_view()
    rows = mobile.channel(omo_core.Period.MONTH, None, None, None)
    columns = ("sell_in", "sell_through", "sell_out", "distributor_stock", "retailer_stock")
    assert [(_day(r.period),) + tuple(getattr(r, c) for c in columns) for r in rows] == [
        (_day(p),) + tuple(v) for p, *v in zip(frame["period"], *(frame[c] for c in columns))]
    printed = _table_rows(report, "Channel per month")
    shown = [r for r in rows if r.period[:7] in printed]
    assert shown
    for r in shown:
        assert printed[r.period[:7]][1:] == [_quantity(getattr(r, c)) for c in columns]


def test_scorecard_and_alerts(doors):
    python, mobile, omo_core, _ = doors
    card = python.scorecard(axis="region")
    cells = {(r.member, c.kpi): (c.light.name.lower(), c.value)
             for r in mobile.scorecard(omo_core.ScorecardAxis.REGION, None).rows for c in r.cells}
    assert len(card.frame) == len(cells) > 0
    for row in card.frame.itertuples():
        value = None if row.value is None or row.value != row.value else row.value
        assert cells[(row.member, row.kpi)] == (row.light, value)
    alerts = python.alerts()
    events = mobile.alerts(12)
    assert [(e.member, e.kpi, e.period, e.kind.name.lower(), e.value) for e in events] == [
        (r.member, r.kpi, _day(r.period), r.kind, r.value) for r in alerts.itertuples()]


def test_inventory_health(doors):
    python, mobile, _, report = doors
    frame = python.inventory_health()
    health = mobile.inventory_health(None)
    assert (health.total_value, health.ineffective_share) == (frame.attrs["total_value"],
                                                               frame.attrs["ineffective_share"])
    assert len(health.stock) == len(frame)
    share = (health.ineffective_share * 100).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
    assert f"{share}% of {_money(health.total_value)} stock value" in report


def test_team_performance(doors):
    python, mobile, omo_core, report = doors
    frame = python.team_performance(team="salesperson")
    rows = {t.member: t for t in mobile.team_performance(omo_core.Team.SALESPERSON, None, None)}
    printed = _table_rows(report, "Salespeople,")
    assert len(frame) == len(rows) == len(printed) > 0
    for row in frame.itertuples():
        t = rows[row.member]
        assert (t.revenue, t.margin, t.plan) == (row.revenue, row.margin, row.plan)
        plan = "-" if t.plan is None else _money(t.plan)
        assert printed[row.member][1:4] == [_money(t.revenue), _money(t.margin), plan]
    quarter = mobile.team_performance(omo_core.Team.SALESPERSON, "2025-10-01", None)
    assert [(t.member, t.revenue) for t in quarter] == list(
        zip(*(python.team_performance(team="salesperson", start=dt.date(2025, 10, 1))[c] for c in ("member", "revenue"))))


def test_spi_and_customers(doors):
    python, mobile, omo_core, _ = doors
    frame = python.spi_rollup(nodes="region", products="all")
    rows = mobile.spi_rollup(omo_core.NodeLevel.REGION(), omo_core.ProductLevel.ALL(), omo_core.Period.MONTH,
                             None, None)
    assert [(r.nodes, _day(r.period), r.flows.sales, r.flows.closing) for r in rows] == [
        (n, _day(p), s, c) for n, p, s, c in zip(frame["nodes"], frame["period"], frame["sales"], frame["closing"])]
    summaries = python.customer_summaries()
    for row in summaries.itertuples():
        profile = mobile.customer_summary(row.customer).summary
        assert (profile.revenue, profile.deals, profile.activity.name.lower()) == (row.revenue, row.deals,
                                                                                  row.activity)
