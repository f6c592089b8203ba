"""Planning from the forecast, computed by the Rust core (``omo_core::plan``).

- :func:`supply_chain_plan`: the channel plan (DRP) from each shop's sell-out forecast up to the
  plant, and the supply plan meeting it (lines, building ahead, the OEM supplier, materials);
- :func:`mrp_record`: the textbook material requirements planning (MRP) record of one item.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

import json

from . import _native
from ._convert import optional_whole, whole
from .errors import ArgumentError

__all__ = ["mrp_record", "supply_chain_plan", "SupplyChainPlan", "supplier_scorecard", "LOT_SIZING", "MRP_COLUMNS"]

#: The lot-sizing rules :func:`mrp_record` knows.
LOT_SIZING = ("lot_for_lot", "fixed_order_quantity", "periods_of_supply", "eoq")

#: The columns of an MRP record, in order.
MRP_COLUMNS = ("period", "gross_requirements", "scheduled_receipts", "projected_on_hand", "net_requirements",
               "planned_order_receipts", "planned_order_releases")


def _quantity(value, name: str) -> str:
    """The exact decimal text of one quantity: a ``decimal.Decimal``, ``int`` or ``str`` as it is,
    a ``float`` at its shortest decimal text (0.1 is 0.1). A bool, NaN, infinity or anything else
    raises ``omo.ArgumentError`` naming ``name``; the core reads the text and judges the value."""
    if isinstance(value, (bool, np.bool_)):
        raise ArgumentError(f"{name}: expected a number, got bool {value!r}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ArgumentError(f"{name}: {value} is not a finite number")
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ArgumentError(f"{name}: {float(value)} is not a finite number")
        return repr(float(value))
    if isinstance(value, str):
        return value
    raise ArgumentError(f"{name}: expected a number (decimal.Decimal, int, str or float), got {type(value).__name__}")


def _quantities(values, name: str) -> list:
    """The exact texts of a sequence of quantities, one per period (a list, tuple, numpy array or
    pandas Series); each bad element is named by its position (``gross_requirements[2]``)."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise ArgumentError(f"{name}: expected a sequence of quantities, one per period, got {type(values).__name__}")
    items = values.tolist() if isinstance(values, np.ndarray) and values.dtype != object else list(values)
    return [_quantity(v, f"{name}[{i}]") for i, v in enumerate(items)]


def _optional_quantity(value, name: str):
    return None if value is None else _quantity(value, name)


def mrp_record(gross_requirements, scheduled_receipts=None, on_hand=0, safety_stock=0,
               lead_time=0, lot_sizing="lot_for_lot", lot_size=None, periods_of_supply=None,
               ordering_cost=None, holding_cost=None):
    """The textbook MRP record of one item over periods 1..n, as a pandas frame.

    ``gross_requirements`` and ``scheduled_receipts`` (``None``: none) are sequences of length n;
    quantities may be ``decimal.Decimal``, ``int``, ``str`` (all exact) or ``float`` (taken at its
    shortest decimal text). One row per period with the columns of :data:`MRP_COLUMNS`;
    the core plans in exact decimals and the quantities come back as float64 columns (plain
    numbers for pandas and numpy). In each period t:

    - net = max(0, gross_t + safety_stock - projected_on_hand_{t-1} - scheduled_receipts_t)
      (projected_on_hand_0 is ``on_hand``);
    - where net > 0 a planned receipt arrives in t, sized by ``lot_sizing``:
      ``"lot_for_lot"`` the net; ``"fixed_order_quantity"`` the smallest multiple of ``lot_size``
      not below the net; ``"periods_of_supply"`` (P = ``periods_of_supply``) the larger of the net
      and the quantity that leaves exactly ``safety_stock`` at the end of period t+P-1 (or of
      period n, if sooner) when nothing else is ordered; ``"eoq"`` the larger of the net and
      sqrt(2 x mean gross requirement (over all n periods) x ``ordering_cost`` / ``holding_cost``)
      rounded to the nearest integer, halves up; parameters of the other rules are ignored;
    - ``projected_on_hand`` is the stock at the period's end, after planned receipts;
    - a planned release is the receipt moved ``lead_time`` periods earlier; releases that would
      fall before period 1 are totalled in ``frame.attrs["past_due"]`` (a float, 0.0 when none).

    >>> r = mrp_record([20, 30, 40], scheduled_receipts=[0, 10, 0], on_hand=25, safety_stock=5, lead_time=1)
    >>> [int(v) for v in r["planned_order_releases"]], r.attrs["past_due"]
    ([20, 40, 0], 0.0)

    Bad input raises ``omo.ValidationError`` (``omo.ArgumentError``) naming the argument: a
    negative quantity, scheduled receipts of another length, a lead time of n periods or more, an
    unknown rule, a missing or non-positive ``lot_size``, ``periods_of_supply`` missing or 0,
    costs missing or not positive, no periods at all.
    """
    import pandas as pd

    if not isinstance(lot_sizing, str):
        raise ArgumentError(f"lot_sizing: expected one of {', '.join(LOT_SIZING)}, got {type(lot_sizing).__name__}")
    columns = _native.mrp_record(
        gross_requirements=_quantities(gross_requirements, "gross_requirements"),
        scheduled_receipts=None if scheduled_receipts is None else _quantities(scheduled_receipts, "scheduled_receipts"),
        on_hand=_quantity(on_hand, "on_hand"),
        safety_stock=_quantity(safety_stock, "safety_stock"),
        lead_time=whole(lead_time, "lead_time"),
        lot_sizing=lot_sizing,
        lot_size=_optional_quantity(lot_size, "lot_size"),
        periods_of_supply=optional_whole(periods_of_supply, "periods_of_supply"),
        ordering_cost=_optional_quantity(ordering_cost, "ordering_cost"),
        holding_cost=_optional_quantity(holding_cost, "holding_cost"),
    )
    frame = pd.DataFrame({name: columns[name] for name in MRP_COLUMNS})
    frame["period"] = frame["period"].astype("int64")
    for name in MRP_COLUMNS[1:]:
        frame[name] = frame[name].astype("float64")
    frame.attrs["past_due"] = float(columns["past_due"])
    return frame


_CHANNEL_COLUMNS = ("node", "product", "kind", "supplied_from", "period", "forecast", "confirmed", "dependent", "gross",
                    "scheduled_receipts", "planned_receipts", "planned_releases", "closing", "days_of_cover",
                    "stockout", "overstock", "on_hand", "safety_stock", "lead_time", "past_due", "model")
_CHANNEL_DECIMALS = ("on_hand", "safety_stock", "past_due", "forecast", "confirmed", "dependent", "gross",
                     "scheduled_receipts", "planned_receipts", "planned_releases", "closing")


class SupplyChainPlan:
    """A plan from the shops' forecasts to the plant (see :func:`supply_chain_plan`). Every
    number is the core's; the frames only lay its records out.

    - ``channel``: one row per node, product and period (``node``, ``product``, ``kind``,
      ``supplied_from``, ``on_hand``, ``safety_stock``, ``lead_time`` in periods, ``model``,
      ``past_due``, ``period``, ``forecast``, ``confirmed``, ``dependent``, ``gross``,
      ``scheduled_receipts``, ``planned_receipts``, ``planned_releases``, ``closing``,
      ``days_of_cover``, ``stockout``, ``overstock``), quantities exact;
    - ``line_loads``: capacity, required and planned hours per line and period, with the
      ``over_capacity`` (搶產能) and ``idle`` (等訂單) flags;
    - ``production``: per product and period, required, made, built ahead, from the OEM, unmet;
    - ``oem_orders``: the planned orders on OEM suppliers (``late`` when already past due);
    - ``materials``: each component's MRP record, one row per item and period;
    - ``carrying_cost``: the cost of building ahead, a ``decimal.Decimal``;
    - ``sop``: the S&OP table, per period and product family (category) the demand, required,
      supply, unmet, inventory, inventory target and inventory gap, each in units and in value
      (``demand_units``, ``demand_value``, ...);
    - ``signals``: the plan's lights (``projected_stockouts`` per node, ``capacity_load`` per line
      and period, ``oem_on_time`` per OEM supplier, ``production_attainment`` per line) with
      ``value``, ``light``, ``threshold`` and, where not green, ``action`` and ``message``.

    The supply frames are empty for a company that gave no production lines and no suppliers.
    """

    def __init__(self, raw: dict, backend: str):
        from .company import _frame

        periods = raw["channel"]["periods"]
        rows = []
        for record in raw["channel"]["nodes"]:
            head = {k: v for k, v in record.items() if k not in ("rows", "first_stockout", "overstock")}
            rows.extend({**head, **row} for row in record["rows"])
        self.periods = [_dt_date(p) for p in periods]
        self.channel = _frame(rows, _CHANNEL_DECIMALS, ("period",), backend=backend)[list(_CHANNEL_COLUMNS)] \
            if rows else _frame(rows, backend=backend)
        supply = raw["supply"] or {"loads": [], "products": [], "oem_orders": [], "components": [],
                                   "carrying_cost": "0"}
        for table in (supply["loads"], supply["products"]):
            for row in table:
                row["period"] = periods[row["period"]]
        self.line_loads = _frame(supply["loads"], ("capacity_hours", "required_hours", "planned_hours"), ("period",),
                                 backend=backend)
        self.production = _frame(supply["products"], ("required", "made", "built_ahead", "from_oem", "unmet"),
                                 ("period",), backend=backend)
        for order in supply["oem_orders"]:
            order["receipt_period"] = periods[order["receipt_period"]]
            order["release_period"] = periods[order["release_period"]]
        self.oem_orders = _frame(supply["oem_orders"], ("quantity",), ("receipt_period", "release_period"),
                                 backend=backend)
        materials = []
        for component in supply["components"]:
            item = " ".join(f"{k} {v}" for k, v in component["item"].items())
            for row in component["record"]["rows"]:
                materials.append({"item": item, "level": component["level"], "supplier": component["supplier"],
                                  **row, "period": periods[row["period"] - 1],
                                  "past_due": component["record"]["past_due"]})
        self.materials = _frame(materials, MRP_COLUMNS[1:] + ("past_due",), ("period",), backend=backend)
        self.carrying_cost = Decimal(supply["carrying_cost"])
        self.signals = self._signals(raw["signals"], backend)
        sop = [{"period": row["period"], "category": row["category"],
                **{f"{k}_{part}": v[part] for k, v in row.items() if isinstance(v, dict) for part in ("units", "value")}}
               for row in raw["sop"]]
        self.sop = _frame(sop, [c for c in (sop[0] if sop else {}) if c.endswith(("_units", "_value"))], ("period",),
                          backend=backend)

    def _signals(self, raw: list, backend: str):
        from .company import _frame

        rows = [{"kpi": r["kpi"], "member": r["member"], "period": r["period"], "value": r["evaluation"]["value"],
                 "light": r["evaluation"]["light"], "threshold": r["evaluation"]["threshold"], "action": r["action"],
                 "message": r["message"]} for r in raw]
        return _frame(rows, ("value", "threshold"), ("period",), backend=backend)

    def __repr__(self) -> str:
        return (f"SupplyChainPlan({len(self.periods)} periods from {self.periods[0]}, "
                f"{len(self.channel)} channel rows, carrying cost {self.carrying_cost})")


def _dt_date(text: str):
    import datetime

    return datetime.date.fromisoformat(text)


def supply_chain_plan(dataset, as_of=None, horizon: int = 6, period: str = "month", method=None,
                      backend: str = "pandas") -> SupplyChainPlan:
    """The whole plan of ``dataset`` made at the end of ``as_of`` (default: the dataset's date),
    by ``period`` (``"month"`` or ``"week"``) over ``horizon`` periods: each shop's sell-out
    forecast (by ``method``, default ``"auto"``, a year's season) drives its planned orders on its
    distributor, theirs on the plant, and the plant's requirements meet its lines' capacity
    (building ahead of peaks), the OEM supplier and the materials. The rules are the core's
    (``omo_core::plan``); bad settings raise ``omo.ArgumentError`` naming them.

    >>> import omo
    >>> company = omo.sample_company(distributors=2, retailers_per_distributor=2, farmers=40, years=2)
    >>> plan = omo.plan.supply_chain_plan(company, horizon=3)
    >>> sorted(plan.channel["kind"].unique())
    ['distributor', 'plant', 'retailer']
    >>> bool((plan.channel["closing"] >= 0).all())
    True
    """
    from .company import _date

    day = _date(as_of, "as_of") or dataset.as_of
    raw = json.loads(_native.supply_chain_plan_json(dataset._native, day, str(period),
                                                     whole(horizon, "horizon", 10_000),
                                                     None if method is None else str(method)))
    return SupplyChainPlan(raw, backend)


def supplier_scorecard(dataset, as_of=None, backend: str = "pandas"):
    """Delivery time, cost and quality of every supplier and OEM supplier up to ``as_of`` (default:
    the dataset's date): ``on_time_rate``, ``lead_time_mean_days``, ``lead_time_sd_days``,
    ``days_late_mean``, ``price_variance`` (paid above the agreed prices, exact) and its
    ``price_variance_share``, ``rejected_share``, ``open_lines`` and ``open_lines_overdue``, and
    ``consignment``: our stock held at the supplier's node per product (book, and the latest count
    against the book that day). The rules are the core's (``omo_core::plan::supplier_scorecard``).
    """
    from .company import _date, _frame

    day = _date(as_of, "as_of") or dataset.as_of
    rows = json.loads(_native.supplier_scorecard_json(dataset._native, day))
    return _frame(rows, ("price_variance",), backend=backend)
