"""A company's data and the core's views of it as data frames: the dataset, the sample company,
S-P-I roll-ups, inventory health, suggested orders, credit books and checks, scorecards, alerts and
customer analytics.

Every view returns a pandas frame, or a polars one with ``backend="polars"``. Money and
quantities come back exact: ``decimal.Decimal`` objects in pandas, ``Decimal(38, scale)`` columns
in polars; dates as ``datetime.date`` (polars ``Date``).
"""
from __future__ import annotations

import datetime as _dt
import html
import json
from collections import Counter
from decimal import Decimal
from typing import Iterable, List, Optional, Sequence

from . import _native
from ._convert import U32_MAX, money_text, optional_whole, whole
from .errors import ArgumentError, ValidationError

_FLOWS = ("opening", "receipts", "sales", "customer_returns", "supplier_returns", "transfers_in",
          "transfers_out", "adjustments", "closing")


#: The frame libraries every view of a dataset can return.
BACKENDS = ("pandas", "polars")


def _frame(records: list, decimals: Iterable[str] = (), dates: Iterable[str] = (), backend: str = "pandas"):
    """A frame of ``records`` with the named columns as exact decimals and dates: pandas (Decimal
    and date objects), or polars (``Decimal(38, scale)`` and ``Date`` columns)."""
    import pandas as pd

    if backend not in BACKENDS:
        raise ArgumentError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    frame = pd.DataFrame.from_records(records)
    decimals = [c for c in decimals if c in frame]
    for column in decimals:
        frame[column] = [Decimal(v) if isinstance(v, str) else None for v in frame[column]]
    for column in dates:
        if column in frame:
            frame[column] = [_dt.date.fromisoformat(v) if isinstance(v, str) else None for v in frame[column]]
    if backend == "pandas":
        return frame
    import polars as pl

    out = pl.from_pandas(frame)
    # Money keeps every digit it may gain in sums: the widest precision, the data's own scale.
    return out.with_columns(pl.col(c).cast(pl.Decimal(38, out.schema[c].scale)) for c in decimals
                            if isinstance(out.schema[c], pl.Decimal))


def _date(value, name: str) -> Optional[_dt.date]:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise ArgumentError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None
    raise ArgumentError(f"{name}: expected a date, got {type(value).__name__}")


class Dataset:
    """A company's data: master data of the three axes and its transactions, validated.

    >>> d = sample_company(seed=7, distributors=2, retailers_per_distributor=2, farmers=20, years=1)
    >>> int(d.frame("customers")["kind"].value_counts()["distributor"])
    2
    """

    COLLECTIONS = ("categories", "products", "bundles", "regions", "business_units", "salespeople", "customers",
                   "nodes", "movements", "counts", "pos_sales", "orders", "shipments", "invoices", "payments",
                   "prepaid_orders", "credit_accounts", "sales_targets")
    _DECIMALS = ("quantity", "counted", "revenue", "amount", "unit_price", "standard_cost", "list_price", "limit",
                 "price", "pack_size", "minimum_order", "deposit", "discount")
    _DATES = ("date", "as_of", "order_date", "requested_date", "due_date", "shipped_date", "promised_date",
              "delivered_date", "month", "since", "first_purchase")

    def __init__(self, native):
        self._native = native

    @classmethod
    def from_json(cls, text, max_string_bytes: Optional[int] = None) -> "Dataset":
        """Reads and validates a dataset exported as JSON (``str``, or ``bytes`` of UTF-8 text).

        Numbers are read exactly (money and quantities as written, never through a float), a
        UTF-8 byte-order mark is accepted, an unknown field is refused. A JSON string longer than
        ``max_string_bytes`` bytes (the core's default, 64 KiB, when ``None``) raises
        ``omo.LimitError`` naming where it is. JSON that does not read raises ``omo.JsonError``
        naming the collection, the record's id and the field; a broken dataset
        ``omo.InvalidDataError`` naming every broken reference (both ``ValidationError``).
        """
        if not isinstance(text, (str, bytes, bytearray, memoryview)):
            raise ArgumentError(f"text: expected str or bytes of JSON, got {type(text).__name__}")
        if isinstance(text, (bytearray, memoryview)):
            text = bytes(text)
        return cls(_native.Dataset.from_json(text, optional_whole(max_string_bytes, "max_string_bytes")))

    def until(self, date) -> "Dataset":
        """The same company as it stood at the end of ``date`` (``as_of == date``): records dated
        later left out, orders, shipments, prepaid orders and credit accounts as they were then.
        The cut is validated as ``from_json`` validates: a payment that names an invoice of a later
        day raises ``ValidationError``."""
        return Dataset(self._native.until(_date(date, "date")))

    def to_json(self) -> str:
        """The dataset as JSON (Decimals as exact strings)."""
        return self._native.to_json()

    @property
    def company(self) -> str:
        return self._native.company

    @property
    def currency(self) -> str:
        return self._native.currency

    @property
    def as_of(self) -> _dt.date:
        return self._native.as_of

    def counts(self) -> dict:
        """How many records the main collections hold."""
        return dict(self._native.counts())

    def frame(self, collection: str, backend: str = "pandas"):
        """One collection (``"customers"``, ``"movements"``, ``"invoices"``, ...) as a frame
        (``backend``: ``"pandas"`` or ``"polars"``)."""
        if collection not in self.COLLECTIONS:
            raise ValidationError(f"collection {collection!r} is not one of {', '.join(self.COLLECTIONS)}")
        return _frame(json.loads(self._native.records_json(collection)), self._DECIMALS, self._DATES, backend)

    def __repr__(self) -> str:
        c = self.counts()
        return (f"<omo.Dataset {self.company!r} as of {self.as_of}: {c['customers']} customers, "
                f"{c['products']} products, {c['movements']} movements>")


def sample_company(seed: int = 42, distributors: int = 8, retailers_per_distributor: int = 10, farmers: int = 3000,
                   years: int = 3) -> Dataset:
    """The seeded sample company (a fertilizer maker); the same seed gives the same company."""
    return Dataset(_native.sample_company(whole(seed, "seed"), whole(distributors, "distributors"),
                                          whole(retailers_per_distributor, "retailers_per_distributor"),
                                          whole(farmers, "farmers"), whole(years, "years", U32_MAX)))


def spi_rollup(dataset: Dataset, period: str = "month", nodes: str = "region", products: str = "all",
               backend: str = "pandas"):
    """The S-P-I ledger rolled up: ``nodes`` by ``"node"``, ``"region"``, ``"kind"`` or
    ``"company"``; ``products`` by ``"product"``, ``"category"`` or ``"all"``. Internal transfers
    within a group cancel. Columns ``nodes``, ``products``, ``period`` and the flows."""
    rows = json.loads(_native.spi_rollup_json(dataset._native, period, nodes, products))
    return _frame(rows, _FLOWS, ("period",), backend)


def inventory_health(dataset: Dataset, as_of=None, backend: str = "pandas"):
    """Stock health per node and product (status, days of cover, value, age buckets), with the
    report's totals in ``frame.attrs`` (``total_value``, ``dead_value``, ``slow_value``,
    ``ineffective_share``) and the ABC / XYZ classes in ``frame.attrs["abc"]`` / ``["xyz"]`` (a
    polars frame carries the same ``attrs``)."""
    report = json.loads(_native.inventory_health_json(dataset._native, _date(as_of, "as_of")))
    frame = _frame(report["stock"], ("on_hand", "value"), ("last_issue",), backend)
    total, dead, slow, share = (Decimal(report[k]) for k in ("total_value", "dead_value", "slow_value",
                                                            "ineffective_share"))
    if backend == "polars":
        frame.attrs = {}
    frame.attrs.update(total_value=total, dead_value=dead, slow_value=slow, ineffective_share=share,
                       abc={a["product"]: a["class"] for a in report["abc"]},
                       xyz={x["product"]: x["class"] for x in report["xyz"]})
    return frame


def suggest_orders(dataset: Dataset, service_level: Optional[float] = None, lead_time_days: Optional[int] = None,
                   review_days: Optional[int] = None, backend: str = "pandas", demand: Optional[str] = None):
    """Suggested orders for every distributor and product on the snapshot date, each with its
    ``reason`` in words and its ``value`` at standard cost, the largest order first. Settings not
    given are the core's defaults (95 % service, 7 days' lead time, weekly review, ``demand=
    "forecast"``: the demand over lead time and review from each pair's monthly forecast and the
    safety stock from the forecast's own error; ``"trailing_mean"`` takes it from the last 90 days
    of sales, the older rule, for comparison)."""
    rows = json.loads(_native.suggest_orders_json(
        dataset._native, None if service_level is None else float(service_level),
        optional_whole(lead_time_days, "lead_time_days", U32_MAX),
        optional_whole(review_days, "review_days", U32_MAX),
        None if demand is None else str(demand)))
    for row in rows:
        row.update({f"position_{k}": v for k, v in row.pop("position").items()})
    return _frame(rows, ("safety_stock", "reorder_point", "order_up_to", "quantity", "value", "position_on_hand",
                         "position_on_order", "position_requested", "position_planned", "position_backorders",
                         "position_reserved"), backend=backend)


_LIGHT_COLOURS = {"green": "#2ca02c", "yellow": "#f2c80f", "red": "#d62728", "grey": "#b0b7bf"}


def _dot(light: str, title: str = "") -> str:
    colour = _LIGHT_COLOURS.get(light, "#b0b7bf")
    return (f'<span title="{html.escape(title)}" style="display:inline-block;width:12px;height:12px;'
            f'border-radius:50%;background:{colour}"></span>')


class CreditCheck:
    """The outcome of a credit check: ``decision`` (``"approved"``, ``"approved_with_warning"``,
    ``"blocked"``), ``findings`` (dicts with ``blocks``, ``code``, ``message``), the exposure
    before and after, the limit and what is available, all exact."""

    def __init__(self, check: dict, messages: list):
        self.customer: str = check["customer"]
        self.date: _dt.date = _dt.date.fromisoformat(check["date"])
        self.order_amount = Decimal(check["order_amount"])
        self.decision: str = check["decision"]
        self.findings = [{"blocks": f["blocks"], "code": code, "message": message}
                         for f, (message, code) in zip(check["findings"], messages)]
        self.limit = Decimal(check["limit"])
        self.exposure_before = Decimal(check["exposure_before"])
        self.exposure_after = Decimal(check["exposure_after"])
        self.available = Decimal(check["available"])
        self.breakdown = {k: Decimal(v) for k, v in check["breakdown"].items()}

    def __repr__(self) -> str:
        return (f"<omo.CreditCheck {self.customer} {self.order_amount}: {self.decision}, "
                f"exposure {self.exposure_before} -> {self.exposure_after} of {self.limit}>")

    def _repr_html_(self) -> str:
        light = {"approved": "green", "approved_with_warning": "yellow", "blocked": "red"}[self.decision]
        reasons = "".join(f"<li>{'⛔' if f['blocks'] else '⚠'} {html.escape(f['message'])}</li>" for f in self.findings)
        return (f"<div>{_dot(light)} <b>{html.escape(self.decision.replace('_', ' '))}</b>: order of "
                f"{self.order_amount} for {html.escape(self.customer)} on {self.date}<br>exposure "
                f"{self.exposure_before} &rarr; {self.exposure_after} of limit {self.limit}; available "
                f"{self.available}<ul>{reasons}</ul></div>")


class CreditBook:
    """A credit book of a dataset on its snapshot date (default policy): checks never change it."""

    def __init__(self, dataset: Dataset):
        self._native = _native.CreditBook(dataset._native)

    def __repr__(self) -> str:
        """The accounts and their decisions at a glance: ``<CreditBook: 36 accounts (30 approve,
        4 warn, 2 block)>``."""
        decisions = Counter(p["check"]["decision"] for p in json.loads(self._native.positions_json()))
        counts = ", ".join(f"{n} {d}" for d, n in sorted(decisions.items()))
        return f"<CreditBook: {sum(decisions.values())} accounts ({counts})>"

    def check_order(self, customer: str, amount, date=None, horizon_days: Optional[int] = None) -> CreditCheck:
        """Checks an order of ``amount`` for ``customer``; the book does not change.

        ``amount`` is money: a ``decimal.Decimal`` (``Decimal("1E+3")`` too), an ``int`` (numpy
        integers too) or a ``str`` — never a float, which raises ``omo.ArgumentError``; an amount
        too large for an exact decimal (``10**30``) is refused as too large. ``horizon_days`` (a
        whole number of days) makes it a dynamic check.
        """
        amount = money_text(amount, "amount")
        horizon_days = optional_whole(horizon_days, "horizon_days", U32_MAX)
        check, messages = json.loads(self._native.check_order_json(str(customer), amount, _date(date, "date"),
                                                                   horizon_days))
        return CreditCheck(check, messages)

    def positions(self, backend: str = "pandas"):
        """Every account's exposure by category against its limit on the snapshot date, with its
        risk class, the share of the limit used and its status (``over``, ``near`` or ``within``),
        most of the limit used first."""
        rows = []
        for p in json.loads(self._native.positions_json()):
            c = p["check"]
            row = {"customer": c["customer"], "limit_holder": c["limit_holder"], "limit": c["limit"],
                   "exposure": c["exposure_before"], "available": c["available"], "decision": c["decision"],
                   "risk_class": p["risk_class"], "used": p["used"], "status": p["status"]}
            row.update(c["breakdown"])
            rows.append(row)
        return _frame(rows, ("limit", "exposure", "available", "used", "open_orders", "shipped_not_invoiced",
                             "receivables_not_due", "receivables_overdue", "prepayments"), backend=backend)

    def audit_trail(self, as_of=None, backend: str = "pandas"):
        """Every change to every credit account up to ``as_of`` (the snapshot date by default):
        limits, temporary increases and their end (by ``"omo"``, the day after the last), blocks
        and unblocks, risk classes, overridden orders — with when, by whom and why, newest first.

        >>> book = CreditBook(sample_company(seed=7, distributors=2, retailers_per_distributor=2, farmers=50, years=2))
        >>> trail = book.audit_trail()
        >>> sorted(set(trail["action"]))[:3]
        ['increase_expired', 'limit', 'risk_class']
        """
        rows = json.loads(self._native.audit_trail_json(_date(as_of, "as_of")))
        return _frame(rows, dates=("date",), backend=backend)

    def aging(self, as_of=None, buckets: Optional[Sequence[int]] = None, backend: str = "pandas"):
        """Open receivables per customer by days past due (columns named by bucket)."""
        if buckets is not None:
            buckets = [whole(b, "buckets", U32_MAX) for b in buckets]
        report = json.loads(self._native.aging_json(_date(as_of, "as_of"), buckets))
        rows = [dict(customer=r["customer"], **dict(zip(report["labels"], r["amounts"])), unapplied=r["unapplied"])
                for r in report["rows"]]
        return _frame(rows, list(report["labels"]) + ["unapplied"], backend=backend)


class Scorecard:
    """The standard scorecard of one month along one axis: ``frame`` has one row per member and
    KPI (``member``, ``parent``, ``depth``, ``kpi``, ``light``, ``value``, ``threshold``,
    ``red_members``); in a notebook it shows as a table of coloured lights."""

    def __init__(self, month: _dt.date, kpis: list, frame):
        self.month = month
        self.kpis = kpis
        self.frame = frame

    def _table(self):
        """The rows as a pandas frame, whichever backend ``frame`` is in."""
        return self.frame if type(self.frame).__module__.startswith("pandas") else self.frame.to_pandas()

    def __repr__(self) -> str:
        """The month, the size and the lights at a glance."""
        table = self._table()
        members = table["member"].nunique()
        lights = Counter(table["light"])
        counts = ", ".join(f"{n} {light}" for light, n in sorted(lights.items()))
        return f"<Scorecard {self.month:%B %Y}: {members} members x {len(self.kpis)} KPIs ({counts})>"

    def lights(self):
        """Members x KPIs of light names."""
        rows = self._table()
        table = rows.pivot(index="member", columns="kpi", values="light")
        return table.reindex(index=list(dict.fromkeys(rows["member"])), columns=[k["id"] for k in self.kpis])

    def _repr_html_(self) -> str:
        head = "".join(f'<th title="{html.escape(k["name"])}">{html.escape(k["id"])}</th>' for k in self.kpis)
        rows = []
        for member, group in self._table().groupby("member", sort=False):
            depth = int(group["depth"].iloc[0])
            cells = "".join(f"<td>{_dot(r.light, f'{r.kpi}: {r.value}')}</td>" for r in group.itertuples())
            name = html.escape(str(group["name"].iloc[0]))
            rows.append(f'<tr><td style="padding-left:{depth}em" title="{html.escape(member)}">{name}</td>{cells}</tr>')
        return (f"<div><b>Scorecard, {self.month:%B %Y}</b><table><tr><th>member</th>{head}</tr>"
                f"{''.join(rows)}</table></div>")


def scorecard(dataset: Dataset, axis: str = "region", month=None, backend: str = "pandas") -> Scorecard:
    """The standard scorecard (distributors under their regions, or business units) of a month:
    any day of it, or the last complete month before the snapshot by default."""
    return _scorecard_of(_native.scorecard_json(dataset._native, axis, _date(month, "month")), backend)


def _scorecard_of(text: str, backend: str) -> Scorecard:
    """A :class:`Scorecard` from the core's (month, KPIs, lines) JSON."""
    month_text, kpis, rows = json.loads(text)
    return Scorecard(_dt.date.fromisoformat(month_text), kpis, _frame(rows, ("value", "threshold"), backend=backend))


def alerts(dataset: Dataset, months: int = 12, backend: str = "pandas"):
    """Alert transitions of the distributors' standard KPIs over the last ``months`` months.

    ``months`` is a whole number; a window reaching back before the dataset's first transaction
    is clamped to it (``months=10**6`` costs what the data's span costs).
    """
    months = whole(months, "months", U32_MAX)
    return _frame(json.loads(_native.alerts_json(dataset._native, months)), ("value", "threshold"), ("period",), backend)


def customer_summaries(dataset: Dataset, months: Optional[int] = None, dormant_after_days: Optional[int] = None,
                       backend: str = "pandas"):
    """Each customer at a glance over the last ``months`` months (the core's trailing year, 12
    months, by default): activity (dormant after ``dormant_after_days`` without a purchase, 90 by
    default), deals, revenue, average order value, product mix, receivables.

    ``months`` and ``dormant_after_days`` are whole numbers; a window reaching back before the
    dataset's first transaction is clamped to it (``months=10**5`` is the whole history).
    """
    rows = json.loads(_native.customer_summaries_json(dataset._native, optional_whole(months, "months", U32_MAX),
                                                      optional_whole(dormant_after_days, "dormant_after_days", U32_MAX)))
    return _frame(rows, ("revenue", "average_order_value", "open_receivables", "overdue"), ("last_purchase",), backend)


def rfm(dataset: Dataset, start=None, end=None, backend: str = "pandas"):
    """RFM scores (1-5) and segments of the customers invoiced between ``start`` and ``end``
    (the year before the snapshot by default)."""
    rows = json.loads(_native.rfm_json(dataset._native, _date(start, "start"), _date(end, "end")))
    return _frame(rows, ("monetary",), backend=backend)


def channel_view(dataset: Dataset, period: str = "month", region: Optional[str] = None, backend: str = "pandas"):
    """Sell-in (to distributors), sell-through (to shops), sell-out (to end users) and channel
    stock per period, for the whole market or one region and the regions below it."""
    rows = json.loads(_native.channel_view_json(dataset._native, period, region))
    return _frame(rows, ("sell_in", "sell_through", "sell_out", "distributor_stock", "retailer_stock"), ("period",),
                  backend)


def team_performance(dataset: Dataset, team: str = "salesperson", start=None, end=None, backend: str = "pandas"):
    """Revenue, margin, plan and attainment, last month and last year, customers won and lost, per
    salesperson or business unit over ``start``-``end`` (the last complete month by default)."""
    rows = json.loads(_native.team_performance_json(dataset._native, team, _date(start, "start"), _date(end, "end")))
    return _frame(rows, ("revenue", "margin", "plan", "attainment", "revenue_previous", "revenue_last_year"),
                  backend=backend)


#: The money fields of the dataset's records (at any depth: an order's ``lines[i].unit_price``,
#: a credit account's ``history[i].old``): a float there is refused, as everywhere money enters.
MONEY_FIELDS = frozenset({"unit_price", "list_price", "standard_cost", "price", "amount", "deposit", "limit",
                          "revenue", "old", "new"})


def _records(frame, collection: str) -> list:
    """A frame's rows as JSON-ready records: money exact (:func:`omo._convert.money_text`: a
    float is refused naming ``collection[row].field``), other Decimals as text, dates as ISO text,
    missing values as None; other floats (quantities) go as JSON numbers, which the core reads
    exactly from their shortest text (0.1 is 0.1)."""
    import math

    def plain(v, path: str, money: bool):
        if hasattr(v, "item") and not isinstance(v, (list, dict, str, Decimal)):
            v = v.item()
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, dict):
            return {k: plain(x, f"{path}.{k}", k in MONEY_FIELDS) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x, f"{path}[{i}]", money) for i, x in enumerate(v)]
        if money:
            return money_text(v, path)
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, _dt.datetime):
            return v.date().isoformat()
        if isinstance(v, _dt.date):
            return v.isoformat()
        return v

    return [{k: plain(v, f"{collection}[{row}].{k}", k in MONEY_FIELDS) for k, v in record.items()}
            for row, record in enumerate(frame.to_dict("records"))]


def from_frames(company: str, currency: str, as_of, **collections) -> Dataset:
    """A dataset from data frames, one per collection (``customers=``, ``products=``,
    ``movements=``, ...; the columns of :meth:`Dataset.frame`), validated like a JSON export:
    a broken reference raises ``ValidationError`` naming it.

    Money columns (:data:`MONEY_FIELDS`) take ``decimal.Decimal``, ``int`` or ``str``: a float
    raises ``omo.ArgumentError`` naming the collection, row and field. Quantities may also be
    floats, read at their shortest decimal text.

    >>> d = sample_company(seed=7, distributors=2, retailers_per_distributor=2, farmers=20, years=1)
    >>> masters = ("categories", "products", "regions", "business_units", "salespeople", "customers", "nodes")
    >>> parts = {name: d.frame(name) for name in masters}
    >>> from_frames(d.company, d.currency, d.as_of, **parts).counts()["customers"] == d.counts()["customers"]
    True
    """
    unknown = set(collections) - set(Dataset.COLLECTIONS)
    if unknown:
        raise ValidationError(f"unknown collection(s) {', '.join(sorted(unknown))}")
    document = {"company": company, "currency": currency, "as_of": _date(as_of, "as_of").isoformat()}
    for name, frame in collections.items():
        if type(frame).__module__.startswith("polars"):
            frame = frame.to_pandas()
        document[name] = _records(frame, name)
    return Dataset.from_json(json.dumps(document))


__all__: List[str] = ["from_frames", "channel_view", "team_performance", "Dataset", "sample_company", "spi_rollup", "inventory_health", "suggest_orders", "CreditBook",
                      "CreditCheck", "Scorecard", "scorecard", "alerts", "customer_summaries", "rfm"]
