"""``StatsForecast``: statsforecast's class, with omo's core doing the work."""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .. import _native
from .._convert import whole
from .._frames import Panel, frame, future_times, read_panel, repeat_ids
from ..errors import ArgumentError
from .models import _label, _Model


def _bands(alias: str, bands, widest_first: bool = False) -> dict:
    """The interval columns of a model in statsforecast's order: every ``-lo-`` then every
    ``-hi-``, levels rising (in-sample and conformal intervals: the lower bounds from the widest
    level in)."""
    bands = sorted(bands, key=lambda band: band[0])
    lows = reversed(bands) if widest_first else bands
    columns = {f"{alias}-lo-{_label(l)}": lower for l, lower, _ in lows}
    columns.update({f"{alias}-hi-{_label(l)}": upper for l, _, upper in bands})
    return columns


def _levels(level) -> list:
    if level is None:
        return []
    levels = [level] if np.isscalar(level) else list(level)
    return [float(l) for l in levels]


class StatsForecast:
    """Forecasts every series of a long frame with each of ``models``, as statsforecast's class
    does and with its arguments, on omo's core: ``unique_id``, ``ds`` and ``y`` columns (or those
    named by ``id_col``, ``time_col``, ``target_col``) in; one column per model alias out (plus
    ``<alias>-lo-<level>`` and ``-hi-``); pandas in, pandas out; polars in, polars out; a pyarrow
    table in, a pyarrow table out (read through polars over the same buffers, so its dates step by
    polars intervals); always with the caller's column names and time type.

    ``freq``: a pandas frequency (``"D"``, ``"W-MON"``, ``"MS"``...) for pandas dates, a polars
    interval (``"1d"``, ``"1mo"``) for polars dates, an integer step for integer times. Forecasts
    start one step after each series' last time.

    ``n_jobs``: threads (``-1``: every core; the results do not depend on it). ``fallback_model``:
    forecasts a series a model cannot. The rows of each series must be together with times
    rising (statsforecast sorts them for you; omo refuses, naming the series, so that nothing is
    reordered without you knowing). Extra columns are ignored: no omo model takes exogenous
    regressors yet, and ``X_df`` raises ``NotImplementedError``.

    >>> import pandas as pd
    >>> from omo.statsforecast.models import Naive
    >>> df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=3, freq="MS"),
    ...                    "y": [1.0, 2.0, 3.0]})
    >>> StatsForecast(models=[Naive()], freq="MS").forecast(df=df, h=2)
      unique_id         ds  Naive
    0         a 2024-04-01    3.0
    1         a 2024-05-01    3.0
    """

    def __init__(self, models: Sequence[_Model], freq, n_jobs: int = 1, fallback_model: Optional[_Model] = None,
                 verbose: bool = False):
        models = list(models)
        if not models:
            raise ArgumentError("models: give at least one model")
        for model in [*models, *([fallback_model] if fallback_model is not None else [])]:
            if not isinstance(model, _Model):
                raise ArgumentError(f"models: {model!r} is not a model of omo.statsforecast.models")
        aliases = [m.alias for m in models]
        if len(set(aliases)) != len(aliases):
            raise ArgumentError(f"models: aliases {aliases} repeat; give each model its own alias")
        self.models, self.freq, self.fallback_model, self.verbose = models, freq, fallback_model, verbose
        self.n_jobs = None if n_jobs == -1 else whole(n_jobs, "n_jobs")
        self._panel: Optional[Panel] = None
        self._fitted = None
        #: Conformal intervals for the models without their own (given to fit or forecast).
        self._intervals = None

    def __repr__(self) -> str:
        return f"StatsForecast(models=[{','.join(m.alias for m in self.models)}])"

    def _run(self, model: _Model, panel: Panel, h: int, levels: list, fitted: bool) -> dict:
        fallback = self.fallback_model._method if self.fallback_model is not None else None
        return _native.forecast_panel(panel.values, panel.offsets, panel.labels, h, model._method, model.season_length,
                                      levels, fitted, fallback, self.n_jobs, model._intervals(h, self._intervals))

    def fit(self, df=None, prediction_intervals=None, id_col: str = "unique_id", time_col: str = "ds",
            target_col: str = "y"):
        """Reads and validates ``df`` for :meth:`predict` (omo's models fit in microseconds, so
        they fit when asked to predict: the numbers are the same)."""
        self._intervals = prediction_intervals
        self._panel = read_panel(df, id_col, time_col, target_col)
        return self

    def predict(self, h: int, X_df=None, level=None):
        """Forecasts ``h`` steps after the frame given to :meth:`fit`."""
        if self._panel is None:
            raise ArgumentError("predict: call fit(df) first")
        return self._forecast(self._panel, h, X_df, level, fitted=False)

    def fit_predict(self, h: int, df=None, X_df=None, level=None, prediction_intervals=None, id_col: str = "unique_id",
                    time_col: str = "ds", target_col: str = "y"):
        """:meth:`fit` then :meth:`predict`."""
        return self.fit(df, prediction_intervals, id_col, time_col, target_col).predict(h, X_df, level)

    def forecast(self, h: int, df=None, X_df=None, level=None, fitted: bool = False, prediction_intervals=None,
                 id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y"):
        """Forecasts ``h`` steps after every series of ``df``; with ``fitted=True`` keeps the
        in-sample fitted values for :meth:`forecast_fitted_values`."""
        self._intervals = prediction_intervals
        panel = read_panel(df, id_col, time_col, target_col) if df is not None else self._panel
        if panel is None:
            raise ArgumentError("forecast: give df")
        self._panel = panel
        return self._forecast(panel, h, X_df, level, fitted)

    def _forecast(self, panel: Panel, h, X_df, level, fitted: bool):
        if X_df is not None:
            raise NotImplementedError("X_df: exogenous regressors are not in omo yet")
        h, levels = whole(h, "h"), _levels(level)
        times = future_times(panel, h, self.freq) if h > 0 else None
        columns = {panel.id_col: repeat_ids(panel, h), panel.time_col: times}
        insample = {panel.id_col: repeat_ids(panel, panel.lengths), panel.time_col: panel.times,
                    panel.target_col: panel.values} if fitted else {}
        for model in self.models:
            out = self._run(model, panel, h, levels, fitted)
            columns[model.alias] = out["mean"]
            conformal = model._intervals(h, self._intervals) is not None
            columns.update(_bands(model.alias, out["intervals"], widest_first=conformal))
            if fitted:
                insample[model.alias] = out["fitted"]
                insample.update(_bands(model.alias, out["fitted_intervals"], widest_first=True))
        self._fitted = frame(panel, insample) if fitted else None
        return frame(panel, columns)

    def forecast_fitted_values(self):
        """The in-sample fitted values of the last ``forecast(..., fitted=True)``: the input's
        id, time and target columns and one column per model (and its in-sample intervals at the
        levels asked: the fitted value -/+ the one-step error's quantile)."""
        if self._fitted is None:
            raise ArgumentError("forecast_fitted_values: call forecast(..., fitted=True) first")
        return self._fitted

    def cross_validation(self, h: int, df=None, n_windows: int = 1, step_size: int = 1, test_size: Optional[int] = None,
                         input_size: Optional[int] = None, level=None, fitted: bool = False, refit=True,
                         prediction_intervals=None, id_col: str = "unique_id", time_col: str = "ds",
                         target_col: str = "y"):
        """Rolling-origin cross-validation as statsforecast's: per series, ``n_windows`` forecasts
        of ``h`` steps with origins ``step_size`` apart, the last ending with the series (or as
        many as ``test_size`` holds), each model refitted at every origin. Returns the id and
        time columns, ``cutoff`` (the last time of each training part), the target and one column
        per model."""
        for name, value in (("input_size", input_size),):
            if value is not None:
                raise NotImplementedError(f"cross_validation: {name} is not in omo yet")
        if refit is not True:
            raise NotImplementedError("cross_validation: refit other than True is not in omo yet (omo refits at every window)")
        if fitted:
            raise NotImplementedError("cross_validation: fitted=True is not in omo yet")
        panel = read_panel(df, id_col, time_col, target_col) if df is not None else self._panel
        if panel is None:
            raise ArgumentError("cross_validation: give df")
        h, step_size = whole(h, "h"), whole(step_size, "step_size")
        if test_size is not None:
            test_size = whole(test_size, "test_size")
            if test_size < h or (test_size - h) % max(step_size, 1):
                raise ArgumentError(f"test_size {test_size}: must be h ({h}) plus a whole number of step_size ({step_size})")
            n_windows = (test_size - h) // step_size + 1
        n_windows, levels = whole(n_windows, "n_windows"), _levels(level)
        columns = None
        fallback = self.fallback_model._method if self.fallback_model is not None else None
        for model in self.models:
            out = _native.cross_validate_panel(panel.values, panel.offsets, panel.labels, h, model._method, n_windows,
                                               step_size, model.season_length, levels, fallback, self.n_jobs,
                                               model._intervals(h, prediction_intervals))
            if columns is None:
                columns = self._cv_frame_columns(panel, h, n_windows, np.asarray(out["train_lengths"], dtype=np.int64))
            columns[model.alias] = out["mean"]
            conformal = model._intervals(h, prediction_intervals) is not None
            columns.update(_bands(model.alias, out["intervals"], widest_first=conformal))
        return frame(panel, columns)

    @staticmethod
    def _cv_frame_columns(panel: Panel, h: int, n_windows: int, train_lengths: np.ndarray) -> dict:
        """The id, time, cutoff and target columns of a cross-validation: per series and window,
        the ``h`` rows after its training part."""
        starts = np.repeat(panel.offsets[:-1], n_windows) + train_lengths
        rows = (starts[:, None] + np.arange(h)[None, :]).ravel()
        cutoffs = np.repeat(starts - 1, h)
        if panel.backend == "polars":
            times, cutoff = panel.times.gather(rows), panel.times.gather(cutoffs).alias("cutoff")
        else:
            times, cutoff = panel.times[rows], panel.times[cutoffs]
        return {panel.id_col: repeat_ids(panel, n_windows * h), panel.time_col: times, "cutoff": cutoff,
                panel.target_col: panel.values[rows]}
