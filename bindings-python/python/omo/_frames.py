"""Long data frames in and out of the core, as forecasting users lay them out: one row per series
and time (``unique_id``, ``ds``, ``y`` or the columns named), pandas or polars.

A frame is read once into a panel: every value in one contiguous float64 array (numeric columns
are taken without a copy), cut where the series change, with each series' label and times. Its
rows must be grouped by series with times rising (as statsforecast's examples lay them out);
anything else raises ``omo.ValidationError`` naming the series and the column. Frames come back in
the backend they came in, with the caller's column names and time type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ValidationError


def is_polars(df) -> bool:
    """Whether ``df`` is a polars frame (polars is not imported otherwise)."""
    return type(df).__module__.startswith("polars")


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
    #: The time column as it came (a pandas Series or a polars Series).
    times: Any

    @property
    def labels(self) -> list:
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
    return df[name] if backend == "polars" else df[name].reset_index(drop=True)


def _time_keys(times, backend: str, time_col: str) -> np.ndarray:
    """The times as int64 keys that order as the times do."""
    if backend == "polars":
        import polars as pl

        if not (times.dtype.is_temporal() or times.dtype.is_integer()):
            raise ValidationError(f"column {time_col!r} is {times.dtype}, not a date, time or integer")
        return times.to_physical().cast(pl.Int64).to_numpy()
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(times.dtype):
        return times.to_numpy().astype("datetime64[ns]").view(np.int64)
    if pd.api.types.is_integer_dtype(times.dtype):
        return times.to_numpy().astype(np.int64)
    parsed = pd.to_datetime(times, errors="coerce")
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise ValidationError(f"{time_col} of row {row}: {times.iloc[row]!r} is not a date")
    return parsed.to_numpy().astype("datetime64[ns]").view(np.int64)


def read_panel(df, id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y") -> Panel:
    """The panel of a long frame, validated: raises ``omo.ValidationError`` naming the column (and
    the series, and its time, where there is one) for a missing column, an empty frame, a value
    that is not a finite number, a duplicated (series, time), or rows not grouped by series with
    times rising."""
    backend = "polars" if is_polars(df) else "pandas"
    ids_col, times, target = (_column(df, c, backend) for c in (id_col, time_col, target_col))
    if len(df) == 0:
        raise ValidationError("the frame is empty")
    if backend == "pandas":
        import pandas as pd

        if not pd.api.types.is_datetime64_any_dtype(times.dtype) and not pd.api.types.is_integer_dtype(times.dtype):
            times = pd.Series(pd.to_datetime(times, errors="coerce"), name=time_col)
        codes, _ = pd.factorize(ids_col)
        raw_ids = ids_col.to_numpy()
    else:
        codes = ids_col.rle_id().to_numpy()
        raw_ids = ids_col
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    offsets = np.r_[starts, len(codes)].astype(np.int64)
    ids = raw_ids[starts] if backend == "pandas" else raw_ids.gather(starts)
    label = lambda series: ids[series] if backend == "pandas" else ids[int(series)]
    if backend == "pandas" and len(np.unique(codes[starts])) != len(starts):
        seen = {}
        for series, code in enumerate(codes[starts]):
            if code in seen:
                raise ValidationError(f"series {label(series)!r}: its rows are not together ({id_col} interleaved); "
                                      f"sort the frame by {id_col!r} and {time_col!r}")
            seen[code] = series
    if backend == "polars" and ids.n_unique() != len(starts):
        first_repeat = int(np.flatnonzero(ids.is_duplicated().to_numpy())[0])
        raise ValidationError(f"series {label(first_repeat)!r}: its rows are not together ({id_col} interleaved); "
                              f"sort the frame by {id_col!r} and {time_col!r}")
    keys = _time_keys(times, backend, time_col)
    same = codes[1:] == codes[:-1]
    steps = np.diff(keys)
    bad = np.flatnonzero(same & (steps <= 0))
    if len(bad):
        row = int(bad[0]) + 1
        series = int(np.searchsorted(offsets, row, side="right") - 1)
        what = "is duplicated" if steps[row - 1] == 0 else f"comes after a later {time_col}"
        raise ValidationError(f"series {label(series)!r}: {time_col} {_shown(times[row])} {what} (row {row}); "
                              f"each series needs its {time_col} rising once")
    values = _values(target, backend, target_col, offsets, label, times, time_col)
    return Panel(backend, id_col, time_col, target_col, ids, offsets, values, times)


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
        raise ValidationError(f"series {label(series)!r}: {target_col} at {time_col} {_shown(times[row])} is {target[row]!r}, "
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
        return pd.Series((last.to_numpy()[:, None] + steps[None, :]).ravel(), dtype=last.dtype)
    offset = _offset(freq)
    stamps = pd.DatetimeIndex(last)
    columns = [(stamps + offset * k).to_numpy() for k in range(1, h + 1)]
    return pd.Series(np.column_stack(columns).ravel(), dtype=last.dtype) if columns else pd.Series([], dtype=last.dtype)


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
    """A frame of ``columns`` (name to values, in order) in the panel's backend."""
    if panel.backend == "polars":
        import polars as pl

        return pl.DataFrame([pl.Series(name, values) for name, values in columns.items()])
    import pandas as pd

    return pd.DataFrame({name: (values.to_numpy() if isinstance(values, pd.Series) else values)
                         for name, values in columns.items()})
