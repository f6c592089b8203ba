"""Long data frames in and out of the core, as forecasting users lay them out: one row per series
and time (``unique_id``, ``ds``, ``y`` or the columns named), pandas or polars.

A frame is read once into a panel: every value in one contiguous float64 array (numeric columns
are taken without a copy), cut where the series change, with each series' label and times, the
series in the order of their ids (as statsforecast returns them). Each series' rows must be
together with times rising (as statsforecast's examples lay them out); anything else raises
``omo.ValidationError`` naming the series and the column. Frames come back in
the backend they came in, with the caller's column names and time type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .errors import ValidationError


def is_polars(df) -> bool:
    """Whether ``df`` is a polars frame (polars is not imported otherwise)."""
    return type(df).__module__.startswith("polars")


def is_arrow(df) -> bool:
    """Whether ``df`` is a pyarrow table (pyarrow is not imported otherwise)."""
    return type(df).__module__.startswith("pyarrow")


def _from_arrow(table):
    """A pyarrow table as a polars frame over the same buffers (no copy), or as pandas when
    polars is not installed."""
    try:
        import polars as pl
    except ImportError:
        return table.to_pandas()
    return pl.from_arrow(table)


@dataclass
class Panel:
    """The series of a long frame laid end to end."""

    backend: str
    id_col: str
    time_col: str
    target_col: str
    #: One id per series, in the id column's own type.
    ids: Any
    #: ``offsets[i]:offsets[i + 1]`` are series ``i``'s rows.
    offsets: np.ndarray
    values: np.ndarray
    #: The time column as it came: a pandas Index (dates keep their time zone) or a polars Series.
    times: Any
    #: The frame came as a pyarrow table (read through polars or pandas): results go back as one.
    arrow: bool = False

    @cached_property
    def labels(self) -> list:
        """Each series' id as text, made once however many models read it."""
        return [str(i) for i in self.ids]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def last_times(self):
        """Each series' last time."""
        return self.times[self.offsets[1:] - 1] if self.backend == "pandas" else self.times.gather(self.offsets[1:] - 1)


def _column(df, name: str, backend: str):
    if name not in df.columns:
        raise ValidationError(f"column {name!r} is missing (columns: {', '.join(map(str, df.columns))})")
    return df[name]


def _times(column, backend: str, time_col: str):
    """The time column (dates or integers; text is parsed as dates) and int64 keys that order as
    the times do."""
    if backend == "polars":
        import polars as pl

        if not (column.dtype.is_temporal() or column.dtype.is_integer()):
            raise ValidationError(f"column {time_col!r} is {column.dtype}, not a date, time or integer")
        return column, column.to_physical().cast(pl.Int64).to_numpy()
    import pandas as pd

    if pd.api.types.is_integer_dtype(column.dtype):
        times = pd.Index(column)
        return times, times.to_numpy().astype(np.int64, copy=False)
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        times = pd.DatetimeIndex(column)
    else:
        times = pd.DatetimeIndex(pd.to_datetime(column, errors="coerce"))
        if times.hasnans:
            row = int(np.flatnonzero(times.isna())[0])
            raise ValidationError(f"{time_col} of row {row}: {column.iloc[row]!r} is not a date")
    return times, times.asi8


def read_panel(df, id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y") -> Panel:
    """The panel of a long frame, validated: raises ``omo.ValidationError`` naming the column (and
    the series, and its time, where there is one) for a missing column, an empty frame, a value
    that is not a finite number, a duplicated (series, time), or rows not grouped by series with
    times rising. A pyarrow table is read through polars (over its buffers) or pandas."""
    arrow = is_arrow(df)
    if arrow:
        df = _from_arrow(df)
    backend = "polars" if is_polars(df) else "pandas"
    ids_col, time_column, target = (_column(df, c, backend) for c in (id_col, time_col, target_col))
    if len(df) == 0:
        raise ValidationError("the frame is empty")
    times, keys = _times(time_column, backend, time_col)
    if backend == "pandas":
        import pandas as pd

        raw_ids = ids_col.to_numpy()
        # Where the id changes from one row to the next (a C loop, cheaper than hashing every id).
        changes = np.asarray(raw_ids[1:] != raw_ids[:-1], dtype=bool)
    else:
        raw_ids = ids_col
        changes = np.diff(ids_col.rle_id().to_numpy()) != 0
    starts = np.flatnonzero(np.r_[True, changes])
    offsets = np.r_[starts, len(raw_ids)].astype(np.int64)
    ids = raw_ids[starts] if backend == "pandas" else raw_ids.gather(starts)
    label = lambda series: ids[series] if backend == "pandas" else ids[int(series)]
    together = pd.Index(ids).is_unique if backend == "pandas" else ids.n_unique() == len(starts)
    if not together:
        duplicated = pd.Index(ids).duplicated() if backend == "pandas" else ids.is_duplicated().to_numpy()
        raise ValidationError(f"series {label(int(np.flatnonzero(duplicated)[0]))!r}: its rows are not together "
                              f"({id_col} interleaved); sort the frame by {id_col!r} and {time_col!r}")
    same = ~changes
    steps = np.diff(keys)
    bad = np.flatnonzero(same & (steps <= 0))
    if len(bad):
        row = int(bad[0]) + 1
        series = int(np.searchsorted(offsets, row, side="right") - 1)
        what = "is duplicated" if steps[row - 1] == 0 else f"comes after a later {time_col}"
        raise ValidationError(f"series {label(series)!r}: {time_col} {_shown(times[row])} {what} (row {row}); "
                              f"each series needs its {time_col} rising once")
    values = _values(target, backend, target_col, offsets, label, times, time_col)
    return _series_in_id_order(Panel(backend, id_col, time_col, target_col, ids, offsets, values, times, arrow))


def _series_in_id_order(panel: Panel) -> Panel:
    """The panel with its series in the order of their ids, as statsforecast returns them (each
    series' own rows keep their order); the same panel when they are in that order already."""
    ids = panel.ids
    if (ids.is_sorted() if panel.backend == "polars" else bool(np.all(ids[:-1] <= ids[1:]))):
        return panel
    order = ids.arg_sort().to_numpy() if panel.backend == "polars" else np.argsort(ids, kind="stable")
    if panel.backend == "pandas":
        ids = ids[order]
    else:
        ids = ids.gather(order)
    lengths = panel.lengths[order]
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    # Every row of the reordered series: each series' first row, then counting on within it.
    rows = np.repeat(panel.offsets[:-1][order] - offsets[:-1], lengths) + np.arange(offsets[-1])
    times = panel.times.gather(rows) if panel.backend == "polars" else panel.times[rows]
    return Panel(panel.backend, panel.id_col, panel.time_col, panel.target_col, ids, offsets, panel.values[rows], times,
                 panel.arrow)


def _shown(time) -> str:
    """A time as a person reads it: a date alone when it is midnight."""
    text = str(time)
    return text[:-9] if text.endswith(" 00:00:00") else text


def _values(target, backend: str, target_col: str, offsets, label, times, time_col: str) -> np.ndarray:
    """The target as contiguous float64, without a copy where it is one already."""
    try:
        if backend == "polars":
            if not target.dtype.is_numeric():
                raise TypeError
            values = target.to_numpy()
        else:
            import pandas as pd

            if not pd.api.types.is_numeric_dtype(target.dtype) or pd.api.types.is_bool_dtype(target.dtype):
                raise TypeError
            values = target.to_numpy()
        values = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        row = _first_non_number(target, backend)
        series = int(np.searchsorted(offsets, row, side="right") - 1)
        shown = target[row] if backend == "polars" else target.iloc[row]
        raise ValidationError(f"series {label(series)!r}: {target_col} at {time_col} {_shown(times[row])} is {shown!r}, "
                              f"not a number (column {target_col!r} is {target.dtype})") from None
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        row = int(bad[0])
        series = int(np.searchsorted(offsets, row, side="right") - 1)
        raise ValidationError(f"series {label(series)!r}: {target_col} at {time_col} {_shown(times[row])} is {values[row]}, "
                              f"not a finite number")
    return values


def _first_non_number(target, backend: str) -> int:
    import pandas as pd

    column = target.to_pandas() if backend == "polars" else target
    numbers = pd.to_numeric(column, errors="coerce")
    bad = numbers.isna().to_numpy() | column.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy()
    return int(np.flatnonzero(bad)[0]) if bad.any() else 0


def _polars_step(freq: str, k: int) -> str:
    match = re.fullmatch(r"(\d*)([a-z]+)", freq)
    if not match:
        raise ValidationError(f"freq {freq!r} is not a polars interval such as '1d', '1w' or '1mo'")
    return f"{int(match.group(1) or 1) * k}{match.group(2)}"


def future_times(panel: Panel, h: int, freq):
    """The ``h`` times after each series' last one, series after series: the last time plus one
    step of ``freq``, then two..., as statsforecast dates them (an integer ``freq`` counts
    integer times; a pandas frequency string or offset steps dates, and the first step starts
    from the last date itself, so month ends with ``"MS"`` go on at the next month's start; a
    polars frame takes polars intervals such as ``"1mo"``, and month ends stay month ends)."""
    last = panel.last_times()
    if panel.backend == "polars":
        return _polars_future(panel, last, h, freq)
    import pandas as pd

    if pd.api.types.is_integer_dtype(last.dtype):
        if not isinstance(freq, (int, np.integer)) or isinstance(freq, bool):
            raise ValidationError(f"freq {freq!r}: column {panel.time_col!r} holds integers, so freq must be an integer step")
        steps = np.arange(1, h + 1, dtype=np.int64) * int(freq)
        return pd.Index((last.to_numpy()[:, None] + steps[None, :]).ravel(), dtype=last.dtype)
    offset = _offset(freq)
    # Step k of every series at once, then series after series (as int64 ticks of the column's
    # unit since the epoch in UTC, which keeps a time zone through the stacking).
    columns = [(last + offset * k).asi8 for k in range(1, h + 1)]
    stacked = np.column_stack(columns).ravel() if columns else np.array([], dtype=np.int64)
    out = pd.DatetimeIndex(stacked.view(f"datetime64[{last.unit}]"))
    return out.tz_localize("UTC").tz_convert(last.tz) if last.tz is not None else out


def _offset(freq):
    import pandas as pd

    if isinstance(freq, (int, np.integer)) and not isinstance(freq, bool):
        raise ValidationError(f"freq {freq!r}: an integer step needs integer times")
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        raise ValidationError(f"freq {freq!r} is not a pandas frequency (such as 'D', 'W-MON', 'MS', 'M', 'QS')") from None


def _polars_future(panel: Panel, last, h: int, freq):
    import polars as pl

    if last.dtype.is_integer():
        if not isinstance(freq, (int, np.integer)) or isinstance(freq, bool):
            raise ValidationError(f"freq {freq!r}: column {panel.time_col!r} holds integers, so freq must be an integer step")
        steps = pl.Series(np.tile(np.arange(1, h + 1, dtype=np.int64) * int(freq), len(last)))
        return last.gather(np.repeat(np.arange(len(last)), h)) + steps
    if not isinstance(freq, str):
        raise ValidationError(f"freq {freq!r}: a polars frame's dates step by a polars interval such as '1mo'")
    month_ends = "mo" in freq and bool((last.dt.offset_by("1d").dt.month() != last.dt.month()).all())
    steps = [_polars_step(freq, k) for k in range(1, h + 1)]
    table = pl.DataFrame({"t": last.gather(np.repeat(np.arange(len(last)), h)), "by": steps * len(last)})
    try:
        ahead = table.select(pl.col("t").dt.offset_by(pl.col("by")))["t"]
    except Exception:
        raise ValidationError(f"freq {freq!r} is not a polars interval such as '1d', '1w' or '1mo'") from None
    return (ahead.dt.month_end() if month_ends else ahead).alias(panel.time_col)


def repeat_ids(panel: Panel, counts):
    """Each series' id repeated ``counts`` times (a number, or one per series)."""
    counts = np.broadcast_to(np.asarray(counts, dtype=np.int64), (len(panel.offsets) - 1,))
    if panel.backend == "polars":
        return panel.ids.gather(np.repeat(np.arange(len(counts)), counts))
    return np.repeat(panel.ids, counts)


def frame(panel: Panel, columns: dict):
    """A frame of ``columns`` (name to values, in order) in the panel's backend (a pyarrow
    table when the input was one)."""
    if panel.backend == "polars":
        import polars as pl

        out = pl.DataFrame([pl.Series(name, values) for name, values in columns.items()])
        return out.to_arrow() if panel.arrow else out
    import pandas as pd

    # Series would align on their index; Index objects and arrays are taken as they are.
    out = pd.DataFrame({name: (values.to_numpy() if isinstance(values, pd.Series) else values)
                        for name, values in columns.items()})
    if panel.arrow:
        import pyarrow as pa

        return pa.Table.from_pandas(out, preserve_index=False)
    return out
