"""The bad-input catalogue of the Python door: one table, one row per bad input, each a test.

Every row names an input, the door it goes through, the exception class it must raise (``None``:
the input is valid and must be accepted) and a piece of text the message must contain, naming the
culprit. Calls on an existing ``Dataset`` or ``CreditBook`` must leave it as it was. Messages stay
short (under 500 characters) whatever the input's size.

``python tests/python/test_bad_input.py`` prints the table as Markdown (Input | door | error),
the form the README shows.
"""
import copy
import json
import time
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import omo

# A small, valid company: every row below breaks one thing in a copy of it.
BASE = {
    "company": "Acme Fertilizer", "currency": "CNY", "as_of": "2025-03-31",
    "categories": [{"id": "ALL", "name": "All products", "parent": None}],
    "products": [{"id": "P1", "name": "Urea 50 kg", "category": "ALL", "brand": "Acme", "unit": "bag",
                  "pack_size": "1", "minimum_order": "1", "standard_cost": "100.00", "list_price": "130.00",
                  "status": "active"}],
    "regions": [{"id": "CN", "name": "China", "parent": None}, {"id": "EAST", "name": "East", "parent": "CN"}],
    "business_units": [{"id": "BU", "name": "Field", "parent": None}],
    "salespeople": [{"id": "S-1", "name": "Wang", "manager": None, "region": "EAST", "business_unit": "BU"}],
    "customers": [{"id": "D-01", "name": "Distributor 01", "kind": "distributor", "region": "EAST",
                   "business_unit": "BU", "salesperson": "S-1", "parent": None, "node": "DN-01",
                   "since": "2020-01-01"}],
    "nodes": [{"id": "PLANT", "name": "Plant", "kind": "manufacturer", "parent": None, "region": None,
               "ownership": "owned", "customer": None},
              {"id": "DN-01", "name": "Distributor 01 warehouse", "kind": "distributor", "parent": "PLANT",
               "region": "EAST", "ownership": "owned", "customer": "D-01"}],
    "orders": [{"id": "SO-1", "customer": "D-01", "order_date": "2025-03-01", "requested_date": "2025-03-05",
                "ship_from": "PLANT", "status": "open",
                "lines": [{"product": "P1", "quantity": "10", "unit_price": "130.00", "discount": "0"}]}],
    "invoices": [{"id": "INV-1", "kind": "invoice", "customer": "D-01", "date": "2025-03-02",
                  "due_date": "2025-04-01", "currency": "CNY", "order": "SO-1", "against": None,
                  "lines": [{"product": "P1", "quantity": "10", "unit_price": "130.00", "discount": "0"}]}],
    "payments": [{"id": "PAY-1", "customer": "D-01", "date": "2025-03-10", "amount": "500.00", "currency": "CNY",
                  "allocations": [{"invoice": "INV-1", "amount": "500.00"}]}],
    "credit_accounts": [{"customer": "D-01", "group": None, "limit": "100000", "terms_days": 30, "currency": "CNY",
                         "risk_class": "A", "temporary_increases": [], "blocked": None, "history": []}],
}

MB = 1_000_000


def json_with(change) -> str:
    """The JSON of a copy of ``BASE`` after ``change(document)``."""
    document = copy.deepcopy(BASE)
    change(document)
    return json.dumps(document)


def set_at(path: str, value):
    """A change setting ``document[a][i][b]...`` (path ``"a.i.b"``) to ``value``."""
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]

    def change(document):
        target = document
        for key in parents:
            target = target[key]
        target[last] = value
    return change


def deep_regions(document, depth=100_000):
    """A region hierarchy ``depth`` levels deep, the customer's region at its bottom."""
    chain = [{"id": "R0", "name": "R0", "parent": None}]
    chain += [{"id": f"R{i}", "name": f"R{i}", "parent": f"R{i - 1}"} for i in range(1, depth)]
    document["regions"] = chain + [{"id": "EAST", "name": "East", "parent": f"R{depth - 1}"}]


def load(change=lambda d: None, **options):
    return lambda ctx: omo.Dataset.from_json(json_with(change), **options)


def series_frame(bad_value=None):
    """Two monthly series A and B of 6 values; ``bad_value`` replaces B's value at 2024-03-01."""
    frame = pd.DataFrame({"unique_id": ["A"] * 6 + ["B"] * 6,
                          "ds": list(pd.date_range("2024-01-01", periods=6, freq="MS")) * 2,
                          "y": [3.0, 5.0, 4.0, 6.0, 5.0, 7.0] * 2})
    if bad_value is not None:
        frame.loc[8, "y"] = bad_value
    return frame


def movements(**replace):
    """A movements frame for ``omo.spi_ledger``: a receipt, an adjustment and a sale; ``replace``
    sets columns of row 2 (the sale) or, with a ``row`` key, of that row."""
    frame = pd.DataFrame({"node": ["N"] * 3, "product": ["P"] * 3,
                          "date": ["2025-01-01", "2025-01-15", "2025-02-01"],
                          "kind": ["receipt", "adjustment", "sale"], "quantity": [10, 2, 3]})
    row = replace.pop("row", 2)
    for column, value in replace.items():
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
    return frame


def products_frame(ctx, **values):
    """The base company's products frame with ``values`` set in its first row."""
    frame = ctx.dataset.frame("products")
    for column, value in values.items():
        frame[column] = frame[column].astype(object)
        frame.at[0, column] = value
    return frame


def from_frames(ctx, **collections):
    return omo.from_frames("Acme Fertilizer", "CNY", "2025-03-31", **collections)


E = omo  # the exception classes: omo.JsonError, omo.ArgumentError, ...

# (input, door, call on the context, exception class or None, text the message must contain)
CATALOGUE = [
    # -- numbers that are not numbers ---------------------------------------------------------
    ("NaN in a forecast frame", "omo.forecast", lambda ctx: omo.forecast(series_frame(np.nan), h=2, freq="MS"),
     E.ValidationError, "'B': y at ds 2024-03-01 is nan"),
    ("+inf in a forecast frame", "omo.forecast", lambda ctx: omo.forecast(series_frame(np.inf), h=2, freq="MS"),
     E.ValidationError, "'B': y at ds 2024-03-01 is inf"),
    ("-inf in a forecast frame", "omo.forecast", lambda ctx: omo.forecast(series_frame(-np.inf), h=2, freq="MS"),
     E.ValidationError, "'B': y at ds 2024-03-01 is -inf"),
    ("NaN in a series", "omo.forecast_array", lambda ctx: omo.forecast_array([3.0, 5.0, np.nan, 6.0], h=2),
     E.ValidationError, "y[2]: nan"),
    ("+inf in a series", "omo.forecast_array", lambda ctx: omo.forecast_array([3.0, np.inf, 4.0], h=2),
     E.ValidationError, "y[1]: inf"),
    ("-inf in a series", "omo.forecast_array", lambda ctx: omo.forecast_array([-np.inf, 5.0, 4.0], h=2),
     E.ValidationError, "y[0]: -inf"),
    ("NaN in one series of a batch", "omo.forecast_many",
     lambda ctx: omo.forecast_many([[1.0, 2.0], [1.0, np.nan]], h=1), E.ValidationError, "series[1][1]: nan"),
    # -- empty and tiny inputs ----------------------------------------------------------------
    ("empty forecast frame", "omo.forecast", lambda ctx: omo.forecast(series_frame().iloc[:0], h=2, freq="MS"),
     E.ValidationError, "empty"),
    ("one-row forecast frame (valid)", "omo.forecast",
     lambda ctx: omo.forecast(series_frame().iloc[:1], h=2, freq="MS"), None, ""),
    ("empty series", "omo.forecast_array", lambda ctx: omo.forecast_array([], h=2), E.ArgumentError, "empty"),
    ("one-value series (valid)", "omo.forecast_array", lambda ctx: omo.forecast_array([4.0], h=2), None, ""),
    # -- whole numbers ------------------------------------------------------------------------
    ("negative horizon h=-1", "omo.forecast_array", lambda ctx: omo.forecast_array([1.0, 2.0], -1),
     E.ArgumentError, "h: -1 is negative"),
    ("fractional horizon h=2.7", "omo.forecast_array", lambda ctx: omo.forecast_array([1.0, 2.0], 2.7),
     E.ArgumentError, "h: expected a whole number, got float 2.7"),
    ("season_length=-12", "omo.forecast", lambda ctx: omo.forecast(series_frame(), h=2, freq="MS", season_length=-12),
     E.ArgumentError, "season_length: -12 is negative"),
    ("h=-1 on a frame", "omo.forecast", lambda ctx: omo.forecast(series_frame(), h=-1, freq="MS"),
     E.ArgumentError, "h: -1 is negative"),
    ("months=-3", "omo.alerts", lambda ctx: omo.alerts(ctx.dataset, months=-3), E.ArgumentError, "months: -3"),
    ("months=10**6 (clamped to the data)", "omo.alerts", lambda ctx: omo.alerts(ctx.dataset, months=10**6),
     None, ""),
    ("months=10**5 (clamped to the data)", "omo.customer_summaries",
     lambda ctx: omo.customer_summaries(ctx.dataset, months=10**5), None, ""),
    ("months=2**32", "omo.alerts", lambda ctx: omo.alerts(ctx.dataset, months=2**32), E.ArgumentError, "months"),
    ("horizon_days=-5", "CreditBook.check_order",
     lambda ctx: ctx.book.check_order("D-01", 1000, horizon_days=-5), E.ArgumentError, "horizon_days: -5"),
    ("an unknown model name", "omo.forecast", lambda ctx: omo.forecast(series_frame(), h=2, freq="MS", models="etz"),
     E.ArgumentError, "model 'etz'"),
    # -- money --------------------------------------------------------------------------------
    ("10**30 as an amount", "CreditBook.check_order", lambda ctx: ctx.book.check_order("D-01", 10**30),
     E.ArgumentError, "too large"),
    ("10**30 as an amount", "Dataset.from_json", load(set_at("payments.0.amount", 10**30)),
     E.JsonError, "payments[0] PAY-1: amount: 1000000000000000000000000000000: too large"),
    ("10**30 as an amount", "omo.from_frames",
     lambda ctx: from_frames(ctx, products=products_frame(ctx, list_price=10**30)), E.JsonError, "too large"),
    ("a float as money", "CreditBook.check_order", lambda ctx: ctx.book.check_order("D-01", 1000.5),
     E.ArgumentError, "not float 1000.5"),
    ("a numpy float as money", "CreditBook.check_order", lambda ctx: ctx.book.check_order("D-01", np.float64(7)),
     E.ArgumentError, "not float 7.0"),
    ("a float as money", "omo.from_frames",
     lambda ctx: from_frames(ctx, products=products_frame(ctx, list_price=130.5)),
     E.ArgumentError, "products[0].list_price: pass a decimal.Decimal, int or str, not float 130.5"),
    ("True as money", "CreditBook.check_order", lambda ctx: ctx.book.check_order("D-01", True),
     E.ArgumentError, "got bool True"),
    ("text that is not a number as money", "CreditBook.check_order",
     lambda ctx: ctx.book.check_order("D-01", "12,50"), E.ArgumentError, '"12,50" is not a decimal number'),
    ("Decimal NaN as money", "CreditBook.check_order", lambda ctx: ctx.book.check_order("D-01", Decimal("NaN")),
     E.ArgumentError, "NaN is not a finite number"),
    # -- ids and references -------------------------------------------------------------------
    ("duplicated product id", "Dataset.from_json",
     load(lambda d: d["products"].append(dict(d["products"][0]))), E.InvalidDataError, "product P1: id: duplicate"),
    ("duplicated product rows", "omo.from_frames",
     lambda ctx: from_frames(ctx, categories=ctx.dataset.frame("categories"),
                             products=pd.concat([ctx.dataset.frame("products")] * 2, ignore_index=True)),
     E.InvalidDataError, "product P1: id: duplicate"),
    ("an order for an unknown customer", "Dataset.from_json", load(set_at("orders.0.customer", "NOBODY")),
     E.InvalidDataError, 'sales_order SO-1: customer: unknown customer "NOBODY"'),
    ("an unknown customer", "CreditBook.check_order", lambda ctx: ctx.book.check_order("NOBODY", 10),
     E.UnknownAccountError, "NOBODY"),
    ("a region hierarchy cycle", "Dataset.from_json", load(set_at("regions.0.parent", "EAST")),
     E.InvalidDataError, "cycle CN -> EAST -> CN"),
    ("a series hierarchy cycle", "omo.reconcile",
     lambda ctx: omo.reconcile(pd.DataFrame({"unique_id": ["A", "B"], "ds": pd.Timestamp("2026-01-01"),
                                             "ets": [1.0, 2.0]}), {"A": "B", "B": "A"}, method="bottom_up"),
     E.HierarchyError, "cycle A -> B -> A"),
    ("a region hierarchy 100,000 levels deep (valid)", "Dataset.from_json", load(deep_regions), None, ""),
    ("a 1 MB product id", "Dataset.from_json", load(set_at("products.0.id", "P" * MB)),
     E.LimitError, "products[0].id: string bytes: 1000000 is more than the limit of 65536"),
    ("a 1 MB product id under a 2 MB string limit", "Dataset.from_json",
     load(set_at("products.0.id", "P" * MB), max_string_bytes=2 * MB), E.JsonError, "is longer than 128 characters"),
    ("a 1 MB customer id", "CreditBook.check_order", lambda ctx: ctx.book.check_order("C" * MB, 10),
     E.InvalidIdError, "(1000000 bytes)"),
    # -- quantities ---------------------------------------------------------------------------
    ("a negative quantity on an order line", "Dataset.from_json", load(set_at("orders.0.lines.0.quantity", "-5")),
     E.InvalidDataError, "sales_order SO-1: lines[0].quantity: must be positive, got -5"),
    ("a negative sale", "omo.spi_ledger", lambda ctx: omo.spi_ledger(movements(quantity=-3)),
     E.InvalidDataError, "sale of P at N on 2025-02-01: quantity -3"),
    ("a zero-quantity adjustment (valid)", "omo.spi_ledger", lambda ctx: omo.spi_ledger(movements(row=1, quantity=0)),
     None, ""),
    ("True as a quantity", "omo.spi_ledger", lambda ctx: omo.spi_ledger(movements(quantity=True)),
     E.ValidationError, "quantity of row 2"),
    # -- dates --------------------------------------------------------------------------------
    ("date out of range 2025-13-45", "Dataset.from_json", load(set_at("payments.0.date", "2025-13-45")),
     E.JsonError, 'payments[0] PAY-1: date: "2025-13-45" is not a date'),
    ("malformed date 'yesterday'", "Dataset.from_json", load(set_at("invoices.0.date", "yesterday")),
     E.JsonError, 'invoices[0] INV-1: date: "yesterday" is not a date'),
    ("malformed date 'yesterday'", "omo.spi_ledger", lambda ctx: omo.spi_ledger(movements(date="yesterday")),
     E.ValidationError, "date of row 2: 'yesterday' is not a date"),
    ("malformed date 'yesterday'", "CreditBook.check_order",
     lambda ctx: ctx.book.check_order("D-01", 10, date="yesterday"), E.ArgumentError, "date: 'yesterday'"),
    ("an ISO date-time in a date field (valid)", "Dataset.from_json",
     load(set_at("invoices.0.date", "2025-03-02T08:30:00+08:00")), None, ""),
    # -- JSON documents -----------------------------------------------------------------------
    ("truncated JSON", "Dataset.from_json", lambda ctx: omo.Dataset.from_json(json.dumps(BASE)[:500]),
     E.JsonError, "EOF while parsing"),
    ("non-UTF-8 bytes", "Dataset.from_json",
     lambda ctx: omo.Dataset.from_json(json.dumps(BASE).encode().replace(b"Urea", b"Ur\xffa")),
     E.JsonError, "is not valid UTF-8"),
    ("a UTF-8 byte-order mark (valid)", "Dataset.from_json",
     lambda ctx: omo.Dataset.from_json("\ufeff" + json.dumps(BASE)), None, ""),
    ("a string one byte over max_string_bytes=23", "Dataset.from_json", load(max_string_bytes=23),
     E.LimitError, "nodes[1].name: string bytes: 24 is more than the limit of 23"),
    ("an unknown field 'blockd' in a credit account", "Dataset.from_json",
     load(set_at("credit_accounts.0.blockd", "fraud")), E.JsonError, "credit_accounts[0] D-01: blockd: unknown field"),
    ("a USD invoice in a CNY company", "Dataset.from_json", load(set_at("invoices.0.currency", "USD")),
     E.InvalidDataError, "invoice INV-1: currency: USD is not the company's currency CNY"),
    ("a JSON number with more digits than a decimal holds", "Dataset.from_json",
     lambda ctx: omo.Dataset.from_json(json.dumps(BASE).replace('"amount": "500.00", "currency"',
                                                                '"amount": 0.123456789012345678901234567890123, "currency"')),
     E.JsonError, "payments[0] PAY-1: amount: 0.123456789012345678901234567890123: more digits"),
]

IDS = [f"{door}: {name}" for name, door, *_ in CATALOGUE]


class Context:
    """The existing objects a row may call: the base company and its credit book."""

    def __init__(self):
        self.dataset = omo.Dataset.from_json(json.dumps(BASE))
        self.book = omo.CreditBook(self.dataset)

    def state(self):
        return self.dataset.to_json(), self.book._native.positions_json(), self.book._native.aging_json()


@pytest.fixture(scope="module")
def ctx():
    return Context()


@pytest.mark.parametrize("name, door, call, expected, text", CATALOGUE, ids=IDS)
def test_bad_input(ctx, name, door, call, expected, text):
    before = ctx.state()
    started = time.perf_counter()
    if expected is None:
        call(ctx)
    else:
        with pytest.raises(expected) as error:
            call(ctx)
        assert type(error.value) is expected, f"{type(error.value).__name__}: {error.value}"
        message = str(error.value)
        assert text in message, message
        assert len(message) < 500, f"{len(message)} characters"
    assert time.perf_counter() - started < 30, "took more than 30 s"
    assert ctx.state() == before, "the call changed the dataset or the credit book"


def test_every_class_is_a_validation_or_a_credit_error():
    for name in omo.errors.__all__:
        cls = getattr(omo, name)
        assert cls is getattr(omo.errors, name) and issubclass(cls, omo.OmoError)
        if cls is not omo.OmoError:
            assert issubclass(cls, (omo.ValidationError, omo.CreditError)), name
        assert cls.__doc__, name
    assert issubclass(omo.ValidationError, ValueError)


def test_the_catalogue_names_a_real_class_in_every_row():
    for name, door, _, expected, text in CATALOGUE:
        assert expected is None or expected.__name__ in omo.errors.__all__, name
        assert expected is None or text, name


def test_check_order_takes_exact_money_in_every_exact_form(ctx):
    for amount in (Decimal("1E+3"), np.int64(1000), 1000, "1000", "1000.00", Decimal("1000.000")):
        check = ctx.book.check_order("D-01", amount)
        assert check.order_amount == Decimal(1000), amount


def test_models_given_as_one_name_is_that_model():
    result = omo.forecast(series_frame(), h=2, freq="MS", models="ets")
    assert list(result.columns) == ["unique_id", "ds", "ets"]


def test_a_json_number_with_more_digits_than_a_float_keeps_every_digit():
    text = json_with(lambda d: None).replace('"amount": "500.00", "currency"', '"amount": 1234567890.123456789, "currency"')
    again = json.loads(omo.Dataset.from_json(text).to_json())
    assert again["payments"][0]["amount"] == "1234567890.123456789"


def test_from_frames_takes_exact_money_and_quantities_as_floats(ctx):
    products = products_frame(ctx, list_price=Decimal("130.25"), standard_cost=100, pack_size=0.5)
    dataset = from_frames(ctx, categories=ctx.dataset.frame("categories"), products=products)
    row = dataset.frame("products").iloc[0]
    assert (row["list_price"], row["standard_cost"], row["pack_size"]) == (Decimal("130.25"), Decimal(100),
                                                                         Decimal("0.5"))


def test_a_zero_adjustment_changes_no_stock():
    ledger = omo.spi_ledger(movements(row=1, quantity=0))
    assert ledger["closing"].tolist() == [Decimal(10), Decimal(7)]
    assert ledger["adjustments"].tolist() == [Decimal(0), Decimal(0)]


def test_a_deep_hierarchy_loads_in_seconds():
    started = time.perf_counter()
    omo.Dataset.from_json(json_with(deep_regions))
    assert time.perf_counter() - started < 10


def markdown() -> str:
    """The catalogue as the README's table: Input | door | error."""
    lines = ["| Input | door | error |", "|---|---|---|"]
    for name, door, _, expected, text in CATALOGUE:
        error = "accepted" if expected is None else f"`omo.{expected.__name__}`: …{text}…"
        lines.append(f"| {name} | `{door}` | {error.replace('|', '/')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
