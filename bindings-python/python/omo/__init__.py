"""omo: the computing core of an OMO business-visualization system.

Forecasts in the long format forecasting users know (``unique_id``, ``ds``, ``y``), inventory
formulas, accuracy metrics, the S-P-I ledger, and a company's data with the core's views of it
(S-P-I roll-ups, inventory health, suggested orders, credit checks, scorecards, alerts, customer
analytics) as data frames, computed by the Rust core ``omo-core``.

Errors are classes of :mod:`omo.errors`, all ``omo.OmoError``: each subclasses
``omo.ValidationError`` (bad input, also a ``ValueError``) or ``omo.CreditError``. Money is taken as
``decimal.Decimal``, ``int`` or ``str`` — never a float; whole-number arguments (``h``, ``months``...)
refuse negatives and fractions with ``omo.ArgumentError`` naming the argument.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence

import numpy as np

from . import company, engine, inventory, metrics, plan
from .company import (CreditBook, CreditCheck, Dataset, Scorecard, alerts, channel_view, customer_summaries,
                      from_frames, inventory_health, rfm, sample_company, scorecard, spi_rollup, suggest_orders,
                      team_performance)
from .engine import Engine, events_of
from ._native import DEFAULT_MAX_DAYS_AHEAD, __version__
from . import _native
from ._convert import finite_array, first_not_finite, optional_whole, whole
from .errors import (ArgumentError, ClosedPeriodError, CreditBlockedError, CreditError, CurrencyError, DateAheadError, DuplicateIdError, HierarchyError, InvalidDataError,
                     InvalidIdError, JsonError, LimitError, NegativeStockError, OmoError, StorageError, StoreError,
                     UnknownAccountError, UnknownIdError, ValidationError)
from . import errors

__all__ = [
    "DEFAULT_MAX_DAYS_AHEAD",
    "CreditBook",
    "Engine",
    "events_of",
    "ClosedPeriodError",
    "CreditBlockedError",
    "CreditCheck",
    "Dataset",
    "DateAheadError",
    "Scorecard",
    "alerts",
    "channel_view",
    "cross_validation",
    "customer_summaries",
    "from_frames",
    "team_performance",
    "inventory_health",
    "rfm",
    "sample_company",
    "scorecard",
    "spi_rollup",
    "suggest_orders",
    "Forecast",
    "OmoError",
    "ValidationError",
    "CreditError",
    "ArgumentError",
    "CurrencyError",
    "DuplicateIdError",
    "HierarchyError",
    "InvalidDataError",
    "InvalidIdError",
    "JsonError",
    "LimitError",
    "NegativeStockError",
    "StorageError",
    "StoreError",
    "UnknownAccountError",
    "UnknownIdError",
    "errors",
    "forecast",
    "forecast_array",
    "forecast_many",
    "inventory",
    "metrics",
    "plan",
    "reconcile",
    "spi_ledger",
    "__version__",
]

MODELS = ("auto", "ets", "auto_arima", "auto_ces", "mstl", "theta", "optimized_theta", "dynamic_optimized_theta", "auto_theta", "croston", "sba", "tsb", "adida", "imapa", "naive", "seasonal_naive", "ses", "holt", "holt_damped", "holt_winters", "moving_average")


def _model(model) -> str:
    """A model name out of :data:`MODELS`, or ``ArgumentError``."""
    if not isinstance(model, str) or model not in MODELS:
        raise ArgumentError(f"model {model!r} is not one of {', '.join(MODELS)}")
    return model


def _models(models) -> tuple:
    """Model names: one name (``"ets"`` means ``("ets",)``, never its letters) or a sequence."""
    names = (models,) if isinstance(models, str) else tuple(models)
    if not names:
        raise ArgumentError("models: name at least one model")
    return tuple(_model(m) for m in names)


def _levels(level) -> list:
    if level is None:
        return []
    levels = [level] if np.isscalar(level) else list(level)
    return [float(l) for l in levels]


@dataclass
class Forecast:
    """A forecast of one series: point forecasts, intervals by level, and the fitted model."""

    mean: np.ndarray
    lower: Dict[float, np.ndarray] = field(default_factory=dict)
    upper: Dict[float, np.ndarray] = field(default_factory=dict)
    model: str = ""
    fitted: Optional[np.ndarray] = None
    #: The fitted parameters by name (``alpha``, ``beta``..., and ``aicc`` for ETS).
    params: Dict[str, float] = field(default_factory=dict)


def _forecast_from(result: dict) -> Forecast:
    return Forecast(mean=result["mean"], lower=dict(result["lower"]), upper=dict(result["upper"]), model=result["model"],
                    fitted=result["fitted"], params=dict(result["params"]))


def forecast_array(y, h: int, season_length: int = 1, model: str = "auto", level=None) -> Forecast:
    """Forecasts one series ``y`` (a sequence or numpy array) ``h`` steps ahead.

    >>> f = forecast_array([3.0, 5.0, 4.0, 6.0, 5.0, 7.0], h=2, model="naive")
    >>> f.mean.tolist()
    [7.0, 7.0]

    ``h`` and ``season_length`` are whole numbers (a float, a negative number raise
    ``omo.ArgumentError`` naming the argument); a NaN or infinite value of ``y`` raises
    ``omo.ValidationError`` naming its position.
    """
    h, season_length = whole(h, "h"), whole(season_length, "season_length")
    return _forecast_from(_native.forecast_array(finite_array(y, "y"), h, season_length, _model(model), _levels(level)))


#: Series per native call of a batch: the GIL is released inside a call, and between calls a
#: progress bar moves and Ctrl-C is honoured.
BATCH_CHUNK = 256


@contextmanager
def _progress(on: bool, total: int, desc: str):
    """A function that advances a tqdm bar of ``total`` series when ``on`` (and tqdm is
    installed), else does nothing; the bar closes on leaving, Ctrl-C included."""
    bar = None
    if on:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, desc=desc, unit="series")
        except ImportError:
            bar = None
    try:
        yield (bar.update if bar is not None else (lambda n: None))
    finally:
        if bar is not None:
            bar.close()


def forecast_many(series: Sequence, h: int, season_length: int = 1, model: str = "auto", level=None,
                  progress: bool = False, non_negative: bool = False) -> list:
    """Forecasts many series (sequences or numpy arrays) in parallel on every core, without the
    GIL, in chunks of :data:`BATCH_CHUNK` series: a tqdm progress bar when ``progress`` is true
    (and tqdm is installed), and Ctrl-C stops it between chunks. Results do not depend on the
    chunking or the number of threads.

    >>> [f.mean.tolist() for f in forecast_many([[1.0, 2.0], [5.0, 4.0]], h=1, model="naive")]
    [[2.0], [4.0]]
    """
    model = _model(model)
    h, season_length = whole(h, "h"), whole(season_length, "season_length")
    arrays = [finite_array(s, f"series[{i}]") for i, s in enumerate(series)]
    levels = _levels(level)
    results = []
    with _progress(progress, len(arrays), f"omo {model}") as advance:
        for start in range(0, len(arrays), BATCH_CHUNK):
            chunk = arrays[start:start + BATCH_CHUNK]
            results.extend(_native.forecast_batch(chunk, h, season_length, model, levels, bool(non_negative)))
            advance(len(chunk))
    return [_forecast_from(r) for r in results]


def cross_validation(y, h: int, windows: int, step: int = 1, season_length: int = 1, model: str = "auto"):
    """Rolling-origin cross-validation of one series: a frame with one row per window
    (``train_len``, ``mae``, ``rmse``, ``smape``, and the window's ``forecast`` and ``actual``).

    >>> cv = cross_validation([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], h=1, windows=2, model="naive")
    >>> cv["mae"].tolist()
    [1.0, 1.0]
    """
    import pandas as pd

    counts = [whole(v, n) for v, n in ((h, "h"), (windows, "windows"), (step, "step"), (season_length, "season_length"))]
    return pd.DataFrame(_native.cross_validation(finite_array(y, "y"), *counts, _model(model)))


def forecast(df, h: int, freq, season_length: int = 1, models: Sequence[str] = ("auto",), level=None,
             id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y", progress: bool = False):
    """Forecasts every series of a long data frame (pandas, or polars when given one).

    Returns a frame of the same kind with the id and time columns (named as given), and one
    column per model (plus ``<model>-lo-L`` and ``<model>-hi-L`` per level), ``h`` rows per
    series, sorted by id then time. Forecasts start one step of ``freq`` after each series' last
    time, as statsforecast dates them (see :func:`omo._frames.future_times`): ``freq`` is a
    pandas frequency (``"D"``, ``"W-MON"``, ``"MS"``, ``"QS"``, ``"h"``...) for pandas dates, a
    polars interval (``"1d"``, ``"1w"``, ``"1mo"``) for polars dates, an integer step for integer
    times. Rows may come in any order.

    ``models`` is one name or a sequence of names out of :data:`MODELS`: ``"auto"`` (omo's
    choice per series), ``"ets"`` (AutoETS), ``"auto_arima"`` (AutoARIMA), ``"auto_ces"`` (AutoCES), ``"mstl"`` (MSTL with the
    one season ``season_length``), ``"theta"``, ``"optimized_theta"`` (the classic
    Theta methods), ``"dynamic_optimized_theta"``, ``"auto_theta"`` (the state-space Theta
    models), ``"croston"``,
    ``"sba"``, ``"tsb"``, ``"adida"``, ``"imapa"``, ``"naive"``, ``"seasonal_naive"``,
    ``"ses"``, ``"holt"``, ``"holt_damped"``, ``"holt_winters"``, ``"moving_average"``. For
    statsforecast's class API and model names, see :mod:`omo.statsforecast`.

    Series are forecast in parallel without the GIL, :data:`BATCH_CHUNK` series a call;
    ``progress=True`` shows a tqdm bar; Ctrl-C stops between chunks. The function is picklable
    and works on any partition holding whole series, so it runs per partition on Dask, Spark
    (``applyInPandas``) or Ray unchanged. Bad input raises ``omo.ValidationError`` naming the
    culprit: an empty frame, a missing column, a duplicated row, a NaN or infinite value (naming
    its series and time), a negative or fractional ``h``.
    """
    from . import _frames

    models = _models(models)
    h, season_length = whole(h, "h"), whole(season_length, "season_length")
    for column in (id_col, time_col, target_col):
        if column not in df.columns:
            raise ValidationError(f"column {column!r} is missing")
    df = df.sort([id_col, time_col], maintain_order=True) if _frames.is_polars(df) else \
        df.sort_values([id_col, time_col], kind="stable")
    panel = _frames.read_panel(df, id_col, time_col, target_col)
    levels = _levels(level)
    columns = {id_col: _frames.repeat_ids(panel, h), time_col: _frames.future_times(panel, h, freq)}
    for model in models:
        mean, bands = _forecast_chunks(panel, h, season_length, model, levels, progress)
        columns[model] = mean
        for l, (lower, upper) in bands.items():
            label = int(l) if float(l).is_integer() else l
            columns[f"{model}-lo-{label}"], columns[f"{model}-hi-{label}"] = lower, upper
    return _frames.frame(panel, columns)


def _forecast_chunks(panel, h: int, season_length: int, model: str, levels: list, progress: bool):
    """One model's forecasts of a panel, :data:`BATCH_CHUNK` series a native call: the means and
    the bands by level, each concatenated."""
    n = len(panel.offsets) - 1
    labels, means, bands = panel.labels, [], {l: ([], []) for l in levels}
    with _progress(progress, n, f"omo {model}") as advance:
        for start in range(0, n, BATCH_CHUNK):
            stop = min(start + BATCH_CHUNK, n)
            offsets = panel.offsets[start:stop + 1]
            out = _native.forecast_panel(panel.values[offsets[0]:offsets[-1]], offsets - offsets[0], labels[start:stop],
                                         h, model, season_length, levels)
            means.append(out["mean"])
            for l, lower, upper in out["intervals"]:
                bands[l][0].append(lower)
                bands[l][1].append(upper)
            advance(stop - start)
    return np.concatenate(means), {l: (np.concatenate(lo), np.concatenate(hi)) for l, (lo, hi) in bands.items()}


RECONCILIATIONS = ("bottom_up", "top_down_historical", "top_down_forecast_proportions", "middle_out", "ols",
                   "wls_struct", "mint_shrink")


def reconcile(forecasts, hierarchy, method: str = "ols", depth=None, history=None, residuals=None,
              id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y"):
    """Makes the forecasts of a hierarchy coherent: every parent's forecast the sum of its
    children's (FPP3 chapter 11; names as hierarchicalforecast's reconcilers).

    ``forecasts``: a long frame like :func:`forecast` returns (pandas, or polars when given one),
    one row per series and date, one column per model; every model column is reconciled,
    interval columns (``-lo-`` / ``-hi-``) are left out. ``hierarchy``: a dict from every series
    to its parent (``None`` for the top). ``method``: one of ``RECONCILIATIONS``; ``middle_out``
    keeps the forecasts at ``depth`` (0: the top); ``top_down_historical`` needs ``history`` (a
    long frame of the bottom series' past values, ``target_col``); ``mint_shrink`` needs
    ``residuals`` (a long frame of every series' in-sample residuals, ``target_col``, all of one
    length). A series of the hierarchy without forecasts counts as zero. Returns every series of
    the hierarchy with the reconciled columns, sorted by ``unique_id`` then ``ds``.

    >>> import pandas as pd
    >>> base = pd.DataFrame({"unique_id": ["CN", "East", "West"], "ds": pd.Timestamp("2026-01-01"),
    ...                      "ets": [100.0, 70.0, 40.0]})
    >>> tree = {"CN": None, "East": "CN", "West": "CN"}
    >>> reconcile(base, tree, method="bottom_up")["ets"].tolist()
    [110.0, 70.0, 40.0]
    """
    import pandas as pd

    polars = None
    if type(forecasts).__module__.startswith("polars"):
        import polars

        forecasts = forecasts.to_pandas()
    if method not in RECONCILIATIONS:
        raise ArgumentError(f"method {method!r} is not one of {', '.join(RECONCILIATIONS)}")
    depth = optional_whole(depth, "depth")
    for column in (id_col, time_col):
        if column not in forecasts.columns:
            raise ValidationError(f"column {column!r} is missing")
    data = forecasts.sort_values([id_col, time_col], kind="stable").reset_index(drop=True)
    dates = {k: tuple(g[time_col]) for k, g in data.groupby(id_col, sort=False)}
    first_id, first_dates = next(iter(dates.items()), (None, ()))
    for key, own in dates.items():
        if own != first_dates:
            raise ValidationError(f"series {key!r} has other dates than {first_id!r}")
    models = [c for c in data.columns if c not in (id_col, time_col) and "-lo-" not in str(c) and "-hi-" not in str(c)]
    for model in models:
        if not pd.api.types.is_numeric_dtype(data[model]):
            raise ValidationError(f"column {model!r} is not numeric: only forecast columns can be reconciled")
    if not isinstance(hierarchy, dict):
        raise ValidationError("hierarchy must be a dict from every series to its parent (None for the top)")
    members = list(hierarchy)
    parents = [None if hierarchy[m] is None else str(hierarchy[m]) for m in members]
    past = {"top_down_historical": history, "mint_shrink": residuals}.get(method)
    past_values = {}
    if past is not None:
        if type(past).__module__.startswith("polars"):
            past = past.to_pandas()
        past = past.sort_values([id_col, time_col], kind="stable")
        past_values = {str(k): g[target_col].astype(float).tolist() for k, g in past.groupby(id_col, sort=False)}
    # Every member of the hierarchy, the ones without a base forecast (zero) included, so that
    # bottom-up forecasts of the leaves alone give their parents'.
    names = sorted(str(m) for m in members)
    out = pd.DataFrame({id_col: np.repeat(names, len(first_dates)), time_col: list(first_dates) * len(names)})
    for model in models:
        base = {str(k): g[model].astype(float).tolist() for k, g in data.groupby(id_col, sort=False)}
        coherent = _native.reconcile([str(m) for m in members], parents, base, past_values, method, depth)
        out[model] = np.concatenate([coherent[name] for name in names]) if names else []
    if polars is not None:
        return polars.from_pandas(out)
    return out


def _decimals(values) -> list:
    from decimal import Decimal, InvalidOperation

    out = []
    for row, value in enumerate(values):
        if isinstance(value, (bool, np.bool_)):
            raise ValidationError(f"quantity of row {row}: {value!r} is not a number")
        elif isinstance(value, Decimal):
            out.append(value)
        elif isinstance(value, (int, np.integer)):
            out.append(Decimal(int(value)))
        elif isinstance(value, str):
            try:
                out.append(Decimal(value))
            except InvalidOperation:
                raise ValidationError(f"quantity of row {row}: {value!r} is not a number") from None
        elif isinstance(value, (float, np.floating)):
            if not np.isfinite(value):
                raise ValidationError(f"quantity of row {row}: {value} is not a finite number")
            # Floats are taken at their shortest decimal representation (0.1 stays 0.1).
            out.append(Decimal(repr(float(value))))
        else:
            raise ValidationError(f"quantity of row {row}: {value!r} is not a number")
    return out


def spi_ledger(movements, period: str = "month", opening=None, allow_negative: bool = False):
    """The S-P-I ledger of a movements frame (``node``, ``product``, ``date``, ``kind``,
    ``quantity``): one row per node x product x period, quantities as ``decimal.Decimal``."""
    import pandas as pd

    if type(movements).__module__.startswith("polars"):
        movements = movements.to_pandas()
    for column in ("node", "product", "date", "kind", "quantity"):
        if column not in movements.columns:
            raise ValidationError(f"movements: column {column!r} is missing")
    parsed = pd.to_datetime(movements["date"], errors="coerce")
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise ValidationError(f"date of row {row}: {movements['date'].iloc[row]!r} is not a date")
    quantity = movements["quantity"]
    numeric = pd.api.types.is_numeric_dtype(quantity.dtype) and not pd.api.types.is_bool_dtype(quantity.dtype)
    opening_rows = []
    if opening is not None:
        for node, product, on_hand in zip(opening["node"], opening["product"], _decimals(opening["quantity"])):
            opening_rows.append((str(node), str(product), on_hand))
    node_codes, node_labels = pd.factorize(movements["node"].astype(str))
    product_codes, product_labels = pd.factorize(movements["product"].astype(str))
    kind_codes, kind_labels = pd.factorize(movements["kind"].astype(str))
    days = parsed.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    columns = _native.spi_ledger(
        node_codes.astype(np.int64), list(node_labels),
        product_codes.astype(np.int64), list(product_labels),
        kind_codes.astype(np.int64), list(kind_labels),
        np.ascontiguousarray(days),
        [] if numeric else _decimals(quantity),
        period,
        opening_rows,
        bool(allow_negative),
        np.ascontiguousarray(quantity.to_numpy(), dtype=np.float64) if numeric else None,
    )
    order = ["node", "product", "period", "opening", "receipts", "sales", "customer_returns", "supplier_returns", "transfers_in", "transfers_out", "adjustments", "closing"]
    return pd.DataFrame({name: columns[name] for name in order})
