"""statsforecast's utilities that its API takes: ``ConformalIntervals``."""
from __future__ import annotations

import json

from .._convert import whole
from ..errors import ArgumentError

METHODS = ("conformal_distribution", "conformal_error")


class ConformalIntervals:
    """Conformal prediction intervals, as statsforecast's: the model forecasts the last
    ``n_windows`` stretches of ``h`` steps from the data before each, and the absolute errors
    of those forecasts make the intervals (``method``: ``"conformal_distribution"``, the forecast
    -/+ each error as a distribution, or ``"conformal_error"``, -/+ the errors' quantile).
    Give it to a model (``Naive(prediction_intervals=...)``) or to ``StatsForecast.forecast``;
    ``h`` must be the forecast's."""

    def __init__(self, n_windows: int = 2, h: int = 1, method: str = "conformal_distribution"):
        if whole(n_windows, "n_windows") < 2:
            raise ArgumentError("n_windows: conformal intervals need at least two windows")
        if method not in METHODS:
            raise ArgumentError(f"method {method!r} is not one of {', '.join(METHODS)}")
        self.n_windows, self.h, self.method = int(n_windows), whole(h, "h"), method

    def __repr__(self) -> str:
        return f"ConformalIntervals(n_windows={self.n_windows}, h={self.h}, method={self.method!r})"

    def _for(self, h: int) -> str:
        """The core's interval setting for a forecast of ``h`` steps."""
        if h != self.h:
            raise ArgumentError(f"prediction_intervals: made for h={self.h}, the forecast asks h={h}")
        return json.dumps({"conformal": {"windows": self.n_windows, "method": self.method}})
