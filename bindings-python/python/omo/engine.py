"""The live engine: a company kept current event by event (see ``omo_core::engine``).

An event is a plain JSON value ``{"type": T, "id": I, "record": R}``: ``R`` is a record exactly as
:meth:`omo.Dataset.to_json` writes it in its collection (money and dates as strings), ``I`` the
sender's id for the event. The same ``(T, I)`` twice is refused as a duplicate. A Python ``float``
anywhere in an event is refused (money is exact: use ``Decimal``, ``int`` or ``str``).

>>> import omo
>>> history = omo.sample_company(seed=3, distributors=2, retailers_per_distributor=2, farmers=20, years=1)
>>> cut = history.as_of.replace(day=1)
>>> eng = omo.Engine(history.until(cut))
>>> changes = eng.apply_many(omo.events_of(history, after=cut))
>>> eng.as_of <= history.as_of, eng.seq == len(omo.events_of(history, after=cut))
(True, True)
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from decimal import Decimal
from typing import Callable, Iterable, List, Optional

from . import _native, company
from .errors import ArgumentError

__all__ = ["Engine", "events_of"]

_TYPES = ("movement", "count", "pos_sale", "order", "shipment", "invoice", "payment", "prepaid_order",
          "order_status", "shipment_delivered", "shipment_tracked", "prepaid_pickup", "payment_allocation",
          "customer", "product", "node", "credit_account", "credit_limit", "temporary_increase",
          "credit_block", "credit_unblock", "credit_risk_class", "credit_override", "sales_target",
          "purchase_order", "production_order")


def _plain(value, path: str):
    """``value`` as JSON-ready data: Decimals as exact text, dates as ISO text; a float refused."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        raise ArgumentError(f"{path}: {value!r} is a float; money and quantities must be exact "
                            "(decimal.Decimal, int or str)")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ArgumentError(f"{path}: {value} is not a finite number")
        return str(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _plain(value.item(), path)
    raise ArgumentError(f"{path}: cannot send a {type(value).__name__} in an event")


def _path(path) -> str:
    """A store's path as text: ``str`` or ``os.PathLike`` (``bytes`` decoded as the file system does)."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise ArgumentError(f"path: expected a str or os.PathLike, got {type(path).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise ArgumentError("path: empty")
    return path


def _dataset(dataset):
    if not isinstance(dataset, company.Dataset):
        raise ArgumentError(f"dataset: expected an omo.Dataset, got {type(dataset).__name__}")
    return dataset


def _event_text(event) -> str:
    if isinstance(event, (str, bytes)):
        return event.decode() if isinstance(event, bytes) else event
    if not isinstance(event, dict):
        raise ArgumentError(f"event: expected a dict {{'type', 'id', 'record'}}, got {type(event).__name__}")
    name = f"event {event.get('type')!s} {event.get('id')!s}"
    return json.dumps(_plain(event, name))


class Engine:
    """A live engine on a dataset's history (or an empty company when ``dataset`` is ``None``):
    in memory, or durable in a new SQLite file at ``path`` (a path that exists raises
    ``omo.StoreError``, a ``ValidationError``: reopen it with :meth:`Engine.open`). Use it as a
    context manager or call :meth:`close` when done (for a durable engine: to release its file).

    The clock :attr:`as_of` is the latest of the history's ``as_of``, the latest applied event's
    date and the last :meth:`advance_to`; it never goes back. Months before the one preceding
    the clock's month are closed: an event dated there raises ``omo.ClosedPeriodError``.

    Durable: :meth:`apply` returns only once its event is committed to the file (synced to the
    device); :meth:`apply_many` commits its events together (group commit, much faster per event)
    and :meth:`apply_remote` in one transaction; :meth:`advance_to` is recorded too. A process
    killed at any moment loses nothing that was acknowledged: :meth:`Engine.open` brings back the
    state after the last committed event. One engine at a time has a file open (another, in this
    process or another, gets ``omo.StoreError``); a failing disk raises ``omo.StorageError`` (an
    ``OSError``).

    With ``plan_alerts=True`` each month close also plans the company (the plan of
    :func:`omo.plan.supply_chain_plan` with its defaults) and steps the plan's alerts: a line
    overloaded in the months ahead (``build_ahead``), a node whose orders are past due
    (``reorder_now``), a late OEM supplier (``chase_oem``), production short of plan
    (``review_production``). Off by default: planning forecasts every shop and product.

    An event dated more than ``max_days_ahead`` days after the engine's clock (five years by
    default; ``None``: no limit) raises ``omo.DateAheadError`` as a likely mistyped year: accepted,
    it would move the clock there for good. :meth:`advance_to` moves the clock any distance.

    In memory the engine keeps the latest ``log_capacity`` events for :meth:`events_since` (the
    core's default, a million, when ``None``), as a replication backlog does: a replica further
    behind gets ``omo.ArgumentError`` and starts again from a snapshot. A durable engine reads
    them all from its file.

    >>> import os, tempfile, omo
    >>> history = omo.sample_company(seed=3, distributors=2, retailers_per_distributor=2, farmers=20, years=1)
    >>> cut = history.as_of.replace(day=1)
    >>> events = omo.events_of(history, after=cut)
    >>> path = os.path.join(tempfile.mkdtemp(), "company.omo")
    >>> with omo.Engine(history.until(cut), path=path) as eng:
    ...     changes = eng.apply_many(events[:-1])
    >>> with omo.Engine.open(path) as eng:
    ...     changes = eng.apply(events[-1])
    ...     eng.seq == len(events), len(eng.events_since(0)) == len(events)
    (True, True)
    >>> import shutil; shutil.rmtree(os.path.dirname(path))
    """

    def __init__(
        self,
        dataset: Optional["company.Dataset"] = None,
        path=None,
        *,
        plan_alerts: bool = False,
        log_capacity: Optional[int] = None,
        max_days_ahead: Optional[int] = _native.DEFAULT_MAX_DAYS_AHEAD,
    ):
        native_dataset = None if dataset is None else _dataset(dataset)._native
        native_path = None if path is None else _path(path)
        self._start(_native.Engine(native_dataset, native_path, bool(plan_alerts), log_capacity, max_days_ahead))

    def _start(self, native) -> None:
        self._native = native
        self._callbacks: List[Callable[[dict], None]] = []
        self._closed = False

    @classmethod
    def load(
        cls,
        master: "company.Dataset",
        records: Iterable,
        *,
        keep_open_records: bool = True,
        log_capacity: Optional[int] = None,
        path=None,
        max_days_ahead: Optional[int] = _native.DEFAULT_MAX_DAYS_AHEAD,
    ) -> "Engine":
        """A bulk load of a history too long to hold as records: ``master`` holds
        every record but the movements and POS sales (master data, orders, invoices, payments,
        counts, ...) and ``records`` gives those, in date order, as movement and POS-sale events
        (dicts or JSON text, the form :func:`omo.events_of` writes), read one at a time (a
        generator over a file works). Each is checked as a dataset's validation checks it and
        folded into the engine's aggregates; the views equal those of ``omo.Engine`` on the whole
        history. With ``keep_open_records=False`` it keeps no movement or POS sale as a record,
        and the views that read records themselves (customer summaries, a node's daily ledger)
        raise, naming the option.

        In memory by default; with ``path``, durable in a new store file there: each record is
        written to it as it is folded, and :meth:`open` folds them again before replaying the
        events applied since. A load that fails on a record raises and leaves no file.

        >>> import json, omo
        >>> history = omo.sample_company(seed=3, distributors=2, retailers_per_distributor=2, farmers=20, years=1)
        >>> whole = json.loads(history.to_json())
        >>> stock = [{"type": kind, "id": f"{kind}-{i}", "record": record}
        ...          for kind, collection in (("movement", "movements"), ("pos_sale", "pos_sales"))
        ...          for i, record in enumerate(whole[collection])]
        >>> stock.sort(key=lambda event: event["record"]["date"])
        >>> whole["movements"], whole["pos_sales"] = [], []
        >>> with omo.Engine.load(omo.Dataset.from_json(json.dumps(whole)), iter(stock)) as eng:
        ...     eng.spi_rollup().equals(omo.Engine(history).spi_rollup())
        True
        """
        eng = cls.__new__(cls)
        texts = (_event_text(record) for record in records)
        native = _native.Engine.load(
            _dataset(master)._native,
            texts,
            bool(keep_open_records),
            log_capacity,
            None if path is None else _path(path),
            max_days_ahead,
        )
        eng._start(native)
        return eng

    @classmethod
    def open(cls, path) -> "Engine":
        """Reopens the durable engine in the file at ``path`` — also after a crash — with every
        event committed before. No file there, a file that is not an omo store, a corrupt one or
        one open elsewhere: ``omo.StoreError``."""
        eng = cls.__new__(cls)
        eng._start(_native.Engine.open(_path(path)))
        return eng

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Releases the engine and, when durable, its file (everything acknowledged is already
        committed); any later call raises ``omo.ArgumentError``. Closing twice does nothing."""
        if self._closed:
            return
        self._closed = True
        self._native.close()

    def _engine(self):
        if self._closed:
            raise ArgumentError("engine: closed")
        return self._native

    def _deliver(self, text: str) -> list:
        changes = json.loads(text)
        for change in changes:
            for callback in self._callbacks:
                callback(change)
        return changes

    def on_change(self, callback: Callable[[dict], None]) -> None:
        """Calls ``callback(change)`` for every change from now on, in order, on the calling
        thread, before ``apply`` / ``apply_many`` / ``apply_remote`` / ``advance_to`` return."""
        if not callable(callback):
            raise ArgumentError("callback: must be callable")
        self._callbacks.append(callback)

    def apply(self, event) -> list:
        """Applies one event; returns the changes it caused (dicts with ``seq``, ``type``,
        ``date``, ``action``...), once committed when durable. A refused event raises and changes
        nothing."""
        return self._deliver(self._engine().apply_json(_event_text(event)))

    def apply_many(self, events: Iterable) -> list:
        """Applies events one by one, in order; stops at the first refused one, raising, with
        everything before it applied (and its changes delivered). Durable: one commit for all of
        them (group commit), before the changes are delivered or the refusal raised."""
        return self._apply_texts(events, batch=False)

    def apply_batch(self, events: Iterable) -> list:
        """``apply_many`` for a feed that arrives in batches: the lights are settled once a day of
        the events, not once an event. A light's move is reported after the last event of its day
        in the batch, netted over that day's events (a light that turned red and back within it is
        not reported); every other change comes at its own event. The engine ends where
        ``apply_many`` leaves it, at about a third fewer instructions an event."""
        return self._apply_texts(events, batch=True)

    def _apply_texts(self, events: Iterable, batch: bool) -> list:
        texts = [_event_text(e) for e in events]
        changes, error = self._engine().apply_many_json(texts, batch)
        delivered = self._deliver(changes)
        if error is not None:
            raise error
        return delivered

    def apply_remote(self, events: Iterable) -> list:
        """Sync: one result per event, ``{"seq": n, "changes": [...]}`` or ``{"id", "error",
        "field"}``; a refusal does not stop the events after it. The changes of the accepted
        events reach the ``on_change`` callbacks, in order. Durable: the accepted events are
        committed in one transaction (before any change is delivered); should that fail,
        ``omo.StorageError`` is raised and none of them is."""
        results: list = []
        texts, slots = [], []
        for event in events:
            try:
                texts.append(_event_text(event))
                slots.append(len(results))
                results.append(None)
            except ArgumentError as error:  # reported like any other refusal, in its place
                event_id = event.get("id") if isinstance(event, dict) else None
                results.append({"id": event_id, "error": str(error), "field": None})
        for slot, result in zip(slots, json.loads(self._engine().apply_remote_json(texts))):
            results[slot] = result
        for result in results:
            for change in result.get("changes", ()):
                for callback in self._callbacks:
                    callback(change)
        return results

    def advance_to(self, date) -> list:
        """Lets time pass to the end of ``date`` (day and month close); returns the changes. Durable:
        recorded in the file before it returns."""
        return self._deliver(self._engine().advance_to(company._date(date, "date")))

    @property
    def as_of(self) -> _dt.date:
        """The engine's clock."""
        return self._engine().as_of

    @property
    def seq(self) -> int:
        """The sequence number of the last applied event (0: none)."""
        return self._engine().seq

    def events_since(self, seq: int) -> list:
        """The events applied after ``seq``, in order, in the event form (durable: read from the
        file, so also the events of earlier sessions; in memory: the latest ``log_capacity``,
        an earlier ``seq`` raises ``omo.ArgumentError``)."""
        return json.loads(self._engine().events_since_json(int(seq)))

    def to_dataset(self) -> "company.Dataset":
        """The history plus every applied event, as a dataset whose ``as_of`` is the clock."""
        return company.Dataset(self._engine().to_dataset())

    def credit_book(self) -> "company.CreditBook":
        """The credit book of the current state (a copy of the engine's own: later events do not
        change it)."""
        return company.CreditBook(self)

    def spi_rollup(self, *args, **kwargs):
        """:func:`omo.spi_rollup` of the current state, read from the engine itself."""
        return company.spi_rollup(self, *args, **kwargs)

    def channel_view(self, *args, **kwargs):
        """:func:`omo.channel_view` of the current state, read from the engine itself."""
        return company.channel_view(self, *args, **kwargs)

    def inventory_health(self, *args, **kwargs):
        """:func:`omo.inventory_health` of the current state, read from the engine itself."""
        return company.inventory_health(self, *args, **kwargs)

    def suggest_orders(self, *args, **kwargs):
        """:func:`omo.suggest_orders` of the current state, read from the engine itself."""
        return company.suggest_orders(self, *args, **kwargs)

    def scorecard(self, *args, **kwargs):
        """:func:`omo.scorecard` of the current state, read from the engine itself."""
        return company.scorecard(self, *args, **kwargs)

    def alerts(self, *args, **kwargs):
        """:func:`omo.alerts` of the current state, read from the engine itself."""
        return company.alerts(self, *args, **kwargs)

    def customer_summaries(self, *args, **kwargs):
        """:func:`omo.customer_summaries` of the current state, read from the engine itself."""
        return company.customer_summaries(self, *args, **kwargs)

    def rfm(self, *args, **kwargs):
        """:func:`omo.rfm` of the current state, read from the engine itself."""
        return company.rfm(self, *args, **kwargs)

    def team_performance(self, *args, **kwargs):
        """:func:`omo.team_performance` of the current state, read from the engine itself."""
        return company.team_performance(self, *args, **kwargs)

    def live_scorecard(self, backend: str = "pandas") -> "company.Scorecard":
        """The scorecard the engine keeps current event by event: every member's month-to-date
        light of each standard KPI along the regions, the lights its ``light`` changes report
        (laid out as :func:`omo.scorecard` lays out a month)."""
        return company._scorecard_of(self._engine().live_scorecard_json(), backend)

    def alert_states(self, backend: str = "pandas"):
        """Where every distributor's alert on each standard KPI stands now, Grafana's way:
        ``state`` is ``normal``, ``pending``, ``firing``, ``recovering`` or ``no_data``;
        ``raised`` is the light it was raised at, while raised (else None)."""
        return company._frame(json.loads(self._engine().alert_states_json()), backend=backend)

    def __repr__(self) -> str:
        if self._closed:
            return "<omo.Engine closed>"
        path = self._native.path
        where = "" if path is None else f" path={str(path)!r}"
        return f"<omo.Engine seq={self.seq} as_of={self.as_of}{where}>"

    def _repr_html_(self) -> str:
        """The clock, the month-to-date lights by colour, the distributors' red lights and the
        alerts firing, as a notebook shows the engine."""
        if self._closed:
            return "<b>omo.Engine</b> closed"
        card = self.live_scorecard().frame
        counts = card["light"].value_counts()
        lights = ", ".join(f"{counts[light]} {light}" for light in ("green", "yellow", "red", "grey") if light in counts)
        red = card[(card["light"] == "red") & card["value"].notna()][["member", "kpi", "value", "threshold"]].copy()
        red["value"] = [round(v, 4) for v in red["value"]]  # shown to 4 places; the frame keeps every digit
        states = self.alert_states()
        firing = states[states["state"] == "firing"][["member", "kpi", "raised"]] if len(states) else states
        parts = [
            f"<b>omo.Engine</b> seq {self.seq}, as of {self.as_of}",
            f"<p>Lights of the month to date: {lights or 'none'}</p>",
            f"<p>Distributors' red lights: {len(red)}</p>" + (red.to_html(index=False) if len(red) else ""),
            f"<p>Alerts firing: {len(firing)}</p>" + (firing.to_html(index=False) if len(firing) else ""),
        ]
        return "\n".join(parts)


def events_of(dataset: "company.Dataset", after) -> list:
    """What happened in ``dataset`` after ``after`` — new records and the changes to records that
    existed then — as events sorted by date and, within a day, in an order the engine accepts."""
    return json.loads(_native.events_of_json(dataset._native, company._date(after, "after")))
