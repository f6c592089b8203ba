"""statsforecast's models under their statsforecast names and constructor arguments, each
computed by omo's core: ``from omo.statsforecast.models import AutoETS, Naive, ...``.

Each class only names a core method and its arguments; :class:`omo.statsforecast.StatsForecast`
runs them. A model can also forecast one array on its own, as statsforecast's can
(``AutoETS(season_length=12).forecast(y, h=12, level=[80])``).

Where omo's numbers differ from statsforecast's by design, the class says so. Common to all:

- every model gives prediction intervals at any ``level``: normal ones (from its one-step
  residuals and the model's error growth) by default, conformal ones when built with
  ``prediction_intervals=ConformalIntervals(...)`` (:mod:`omo.statsforecast.utils`);
  statsforecast gives native intervals for some models only and raises for the others unless
  they were built with conformal ones;
- a model statsforecast has and omo does not yet (AutoARIMA, AutoCES, AutoTheta, MSTL...) is
  importable, and raises ``NotImplementedError`` naming itself when built: never a substitute.
"""
from __future__ import annotations

import json
from typing import Optional

import numpy as np

from .._convert import finite_array, whole
from .. import _native
from ..errors import ArgumentError
from .utils import ConformalIntervals

__all__ = [
    "ADIDA", "IMAPA", "TSB", "AutoARIMA", "AutoCES", "AutoETS", "AutoTheta", "Auto", "MSTL", "CrostonClassic", "CrostonOptimized", "CrostonSBA",
    "DynamicOptimizedTheta", "DynamicTheta",
    "HistoricAverage", "Holt", "HoltWinters", "Naive", "OptimizedTheta", "SeasonalNaive",
    "SimpleExponentialSmoothing", "SimpleExponentialSmoothingOptimized", "Theta", "WindowAverage",
]


def _label(level: float):
    """A level as statsforecast writes it in column names: 80, not 80.0."""
    return int(level) if float(level).is_integer() else level


class _Model:
    """A model: its alias (the output column's name), the core method, its season length."""

    def __init__(self, alias: str, method, season_length: int = 1, prediction_intervals=None):
        if prediction_intervals is not None and not isinstance(prediction_intervals, ConformalIntervals):
            raise ArgumentError(f"{alias}: prediction_intervals must be omo.statsforecast.utils.ConformalIntervals")
        self.prediction_intervals = prediction_intervals
        self.alias = alias
        self.season_length = whole(season_length, "season_length")
        self._method = json.dumps(method)

    def __repr__(self) -> str:
        return self.alias

    def _intervals(self, h: int, default: Optional[ConformalIntervals] = None) -> Optional[str]:
        """The core's interval setting: the model's own conformal intervals, else ``default``'s,
        else normal (``None``)."""
        chosen = self.prediction_intervals or default
        return chosen._for(h) if chosen is not None else None

    def forecast(self, y, h: int, X=None, X_future=None, level=None, fitted: bool = False) -> dict:
        """Forecasts one series ``y``: ``{"mean": ..., "lo-80": ..., "hi-80": ..., "fitted": ...}``
        as statsforecast's models return it."""
        if X is not None or X_future is not None:
            raise NotImplementedError(f"{self.alias}: exogenous regressors are not in omo yet")
        values = finite_array(y, "y")
        levels = [float(l) for l in (level or [])]
        h = whole(h, "h")
        out = _native.forecast_panel(values, np.array([0, len(values)], dtype=np.int64), ["y"], h, self._method,
                                     self.season_length, levels, bool(fitted), None, None, self._intervals(h))
        result = {"mean": out["mean"]}
        for l, lower, upper in out["intervals"]:
            result[f"lo-{_label(l)}"], result[f"hi-{_label(l)}"] = lower, upper
        if fitted:
            result["fitted"] = out["fitted"]
            for l, lower, upper in out["fitted_intervals"]:
                result[f"fitted-lo-{_label(l)}"], result[f"fitted-hi-{_label(l)}"] = lower, upper
        return result


class AutoETS(_Model):
    """AutoETS: the ETS form of lowest AICc among those ``model`` allows (``"ZZZ"``: all; each
    letter error, trend, season: ``Z`` any, ``N`` none, ``A`` additive, ``M`` multiplicative),
    damped or not as ``damped`` says (``None``: both). Multiplicative trends are not offered (nor
    are they by statsforecast's default). omo's ETS follows statsforecast's conventions; its fit
    can differ where the optimiser stops elsewhere (see the README's accuracy tables)."""

    def __init__(self, season_length: int = 1, model: str = "ZZZ", damped: Optional[bool] = None,
                 phi: Optional[float] = None, alias: str = "AutoETS", prediction_intervals=None,
                 distribution: str = "normal"):
        if phi is not None:
            raise NotImplementedError(f"{alias}: a fixed phi is not in omo yet")
        if distribution != "normal":
            raise NotImplementedError(f"{alias}: distribution={distribution!r} is not in omo yet (normal errors only)")
        self.model, self.damped = model, damped
        super().__init__(alias, {"auto_ets_of": {"model": model, "damped": damped}}, season_length,
                         prediction_intervals)


class Holt(_Model):
    """Holt's linear trend as statsforecast's: AutoETS among ``error_type`` + ``"AN"``, damped or
    not (the lower AICc)."""

    def __init__(self, season_length: int = 1, error_type: str = "A", alias: str = "Holt", prediction_intervals=None):
        self.error_type = error_type
        super().__init__(alias, {"auto_ets_of": {"model": f"{error_type}AN", "damped": None}}, season_length,
                         prediction_intervals)


class HoltWinters(_Model):
    """Holt-Winters as statsforecast's: AutoETS among ``error_type`` + ``"A"`` + ``error_type``
    (``"AAA"`` or ``"MAM"``), damped or not. A series shorter than two seasons raises
    ``omo.ValidationError`` naming it, as statsforecast raises: give ``StatsForecast`` a
    ``fallback_model`` for such series."""

    def __init__(self, season_length: int = 1, error_type: str = "A", alias: str = "HoltWinters",
                 prediction_intervals=None):
        self.error_type = error_type
        super().__init__(alias, {"auto_ets_of": {"model": f"{error_type}A{error_type}", "damped": None}},
                         season_length, prediction_intervals)


class _Theta(_Model):
    """The state-space Theta models as statsforecast's (Fiorucci et al., 2016): the series
    seasonally adjusted as statsforecast does (with a season of 4 or more, when the 90 %
    autocorrelation test finds it seasonal, by a classical multiplicative decomposition, additive
    where the data is not positive), the level, alpha and theta fitted on the mean squared error 1
    to 3 steps ahead. omo's intervals are normal, from the one-step residuals after the first
    three; statsforecast draws its own by simulation, so their bounds differ a little."""

    def __init__(self, alias: str, method, season_length: int, decomposition_type: str, prediction_intervals):
        if decomposition_type != "multiplicative":
            raise NotImplementedError(f"{alias}: decomposition_type={decomposition_type!r} is not in omo yet; omo "
                                      "decomposes multiplicatively, additively when the data is not positive")
        self.decomposition_type = decomposition_type
        super().__init__(alias, method, season_length, prediction_intervals)


class Theta(_Theta):
    """The standard Theta model (STM: theta 2, the whole series' trend line)."""

    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative", alias: str = "Theta",
                 prediction_intervals=None):
        super().__init__(alias, {"state_space_theta": "STM"}, season_length, decomposition_type, prediction_intervals)


class OptimizedTheta(_Theta):
    """The optimised Theta model (OTM: theta fitted, the whole series' trend line)."""

    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative",
                 alias: str = "OptimizedTheta", prediction_intervals=None):
        super().__init__(alias, {"state_space_theta": "OTM"}, season_length, decomposition_type, prediction_intervals)


class DynamicTheta(_Theta):
    """The dynamic standard Theta model (DSTM: theta 2, the trend line updated with each value)."""

    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative", alias: str = "DynamicTheta",
                 prediction_intervals=None):
        super().__init__(alias, {"state_space_theta": "DSTM"}, season_length, decomposition_type, prediction_intervals)


class DynamicOptimizedTheta(_Theta):
    """The dynamic optimised Theta model (DOTM: theta fitted, the trend line updated with each
    value), one of the models the M4 competition's best entries combined."""

    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative",
                 alias: str = "DynamicOptimizedTheta", prediction_intervals=None):
        super().__init__(alias, {"state_space_theta": "DOTM"}, season_length, decomposition_type, prediction_intervals)


class AutoTheta(_Theta):
    """AutoTheta: the four Theta models (or the one ``model`` names: ``"STM"``, ``"OTM"``,
    ``"DSTM"``, ``"DOTM"``), the lowest in-sample mean squared error kept."""

    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative", model: Optional[str] = None,
                 alias: str = "AutoTheta", prediction_intervals=None, distribution: str = "normal"):
        if distribution != "normal":
            raise NotImplementedError(f"{alias}: distribution={distribution!r} is not in omo yet (normal errors only)")
        self.model = model
        super().__init__(alias, "auto_theta" if model is None else {"state_space_theta": model}, season_length,
                         decomposition_type, prediction_intervals)


class CrostonClassic(_Model):
    """Croston's method, both smoothing parameters 0.1."""

    def __init__(self, alias: str = "CrostonClassic", prediction_intervals=None):
        super().__init__(alias, "croston", 1, prediction_intervals)


class CrostonOptimized(_Model):
    """Croston's method, each smoothing parameter fitted in [0.1, 0.3]. Its fitted values use the
    parameters fitted on the whole series (statsforecast refits at every demand)."""

    def __init__(self, alias: str = "CrostonOptimized", prediction_intervals=None):
        super().__init__(alias, "croston_optimized", 1, prediction_intervals)


class CrostonSBA(_Model):
    """Croston's method with the Syntetos-Boylan correction ``1 - alpha / 2``."""

    def __init__(self, alias: str = "CrostonSBA", prediction_intervals=None):
        super().__init__(alias, "sba", 1, prediction_intervals)


class TSB(_Model):
    """Teunter-Syntetos-Babai with the given smoothing parameters of demand size and probability."""

    def __init__(self, alpha_d: float, alpha_p: float, alias: str = "TSB", prediction_intervals=None):
        self.alpha_d, self.alpha_p = alpha_d, alpha_p
        super().__init__(alias, {"tsb_with": {"alpha_d": float(alpha_d), "alpha_p": float(alpha_p)}}, 1,
                         prediction_intervals)


class ADIDA(_Model):
    """ADIDA: the demand summed in buckets as long as the mean interval between demands, smoothed."""

    def __init__(self, alias: str = "ADIDA", prediction_intervals=None):
        super().__init__(alias, "adida", 1, prediction_intervals)


class IMAPA(_Model):
    """IMAPA: the mean of ADIDA's forecasts at every bucket length up to the mean interval."""

    def __init__(self, alias: str = "IMAPA", prediction_intervals=None):
        super().__init__(alias, "imapa", 1, prediction_intervals)


class Naive(_Model):
    """The last value."""

    def __init__(self, alias: str = "Naive", prediction_intervals=None):
        super().__init__(alias, "naive", 1, prediction_intervals)


class SeasonalNaive(_Model):
    """The value one season earlier."""

    def __init__(self, season_length: int, alias: str = "SeasonalNaive", prediction_intervals=None):
        super().__init__(alias, "seasonal_naive", season_length, prediction_intervals)


class HistoricAverage(_Model):
    """The mean of every value."""

    def __init__(self, alias: str = "HistoricAverage", prediction_intervals=None):
        super().__init__(alias, "historic_average", 1, prediction_intervals)


class WindowAverage(_Model):
    """The mean of the last ``window_size`` values (of all of them when the series is shorter,
    where statsforecast forecasts NaN)."""

    def __init__(self, window_size: int, alias: str = "WindowAverage", prediction_intervals=None):
        self.window_size = whole(window_size, "window_size")
        super().__init__(alias, {"moving_average": {"window": self.window_size}}, 1, prediction_intervals)


class SimpleExponentialSmoothing(_Model):
    """Simple exponential smoothing with the given ``alpha``, from the first value."""

    def __init__(self, alpha: float, alias: str = "SES", prediction_intervals=None):
        self.alpha = alpha
        super().__init__(alias, {"ses_from_first": {"alpha": float(alpha)}}, 1, prediction_intervals)


class SimpleExponentialSmoothingOptimized(_Model):
    """Simple exponential smoothing from the first value, alpha fitted in [0.01, 0.99]."""

    def __init__(self, alias: str = "SESOpt", prediction_intervals=None):
        super().__init__(alias, {"ses_from_first": {"alpha": None}}, 1, prediction_intervals)


class AutoARIMA(_Model):
    """AutoARIMA: the ARIMA(p,d,q)(P,D,Q) of lowest AICc by Hyndman & Khandakar's stepwise
    search, d by the KPSS test and D by the seasonal strength, with statsforecast's defaults
    (the core's ``forecast::arima``). The search's settings are statsforecast's defaults; other
    values raise ``NotImplementedError`` naming the argument, as do regressors."""

    def __init__(self, d: Optional[int] = None, D: Optional[int] = None, max_p: int = 5, max_q: int = 5,
                 max_P: int = 2, max_Q: int = 2, max_order: int = 5, max_d: int = 2, max_D: int = 1,
                 start_p: int = 2, start_q: int = 2, start_P: int = 1, start_Q: int = 1, stationary: bool = False,
                 seasonal: bool = True, ic: str = "aicc", stepwise: bool = True, nmodels: int = 94,
                 trace: bool = False, approximation: Optional[bool] = False, method: Optional[str] = None,
                 truncate: Optional[bool] = None, test: str = "kpss", test_kwargs: Optional[str] = None,
                 seasonal_test: str = "seas", seasonal_test_kwargs=None, allowdrift: bool = True,
                 allowmean: bool = True, blambda: Optional[float] = None, biasadj: bool = False,
                 season_length: int = 1, distribution: str = "normal", alias: str = "AutoARIMA",
                 prediction_intervals=None):
        given = dict(d=d, D=D, max_p=max_p, max_q=max_q, max_P=max_P, max_Q=max_Q, max_order=max_order,
                     max_d=max_d, max_D=max_D, start_p=start_p, start_q=start_q, start_P=start_P, start_Q=start_Q,
                     stationary=stationary, seasonal=seasonal, ic=ic, stepwise=stepwise, nmodels=nmodels,
                     approximation=approximation, method=method, truncate=truncate, test=test,
                     test_kwargs=test_kwargs, seasonal_test=seasonal_test,
                     seasonal_test_kwargs=seasonal_test_kwargs, allowdrift=allowdrift, allowmean=allowmean,
                     blambda=blambda, biasadj=biasadj, distribution=distribution)
        defaults = dict(d=None, D=None, max_p=5, max_q=5, max_P=2, max_Q=2, max_order=5, max_d=2, max_D=1,
                        start_p=2, start_q=2, start_P=1, start_Q=1, stationary=False, seasonal=True, ic="aicc",
                        stepwise=True, nmodels=94, approximation=False, method=None, truncate=None, test="kpss",
                        test_kwargs=None, seasonal_test="seas", seasonal_test_kwargs=None, allowdrift=True,
                        allowmean=True, blambda=None, biasadj=False, distribution="normal")
        for name, value in given.items():
            if value != defaults[name]:
                raise NotImplementedError(f"{alias}: {name}={value!r} is not in omo yet (statsforecast's default only)")
        self.trace = trace
        super().__init__(alias, "auto_arima", season_length, prediction_intervals)


class AutoCES(_Model):
    """Complex exponential smoothing (Svetunkov & Kourentzes) in its seasonal forms ``"N"``,
    ``"S"``, ``"P"``, ``"F"``, or ``"Z"``: the lowest AICc of the four. Intervals are normal from the
    model's linear error variance, where statsforecast simulates them."""

    def __init__(self, season_length: int = 1, model: str = "Z", alias: str = "CES", prediction_intervals=None,
                 distribution: str = "normal"):
        if model not in ("Z", "N", "S", "P", "F"):
            raise ArgumentError(f"{alias}: model must be one of 'Z', 'N', 'S', 'P', 'F', got {model!r}")
        if distribution != "normal":
            raise NotImplementedError(f"{alias}: distribution={distribution!r} is not in omo yet (normal errors only)")
        self.model = model
        super().__init__(alias, "auto_ces" if model == "Z" else {"ces": model}, season_length, prediction_intervals)


class MSTL(_Model):
    """MSTL: a seasonal component per season length (one, or several such as ``[24, 168]`` for
    hourly data) by STL (statsmodels' defaults), each forecast by repeating its last cycle, and the
    rest by AutoETS ``"ZZN"`` (the core's ``forecast::mstl``)."""

    def __init__(self, season_length, trend_forecaster=None, stl_kwargs=None, alias: str = "MSTL",
                 prediction_intervals=None):
        several = isinstance(season_length, (list, tuple))
        seasons = [whole(s, "season_length") for s in (season_length if several else [season_length])]
        if not seasons:
            raise ArgumentError(f"{alias}: season_length must name at least one season")
        if trend_forecaster is not None and not (isinstance(trend_forecaster, AutoETS)
                                                 and trend_forecaster.model == "ZZN"):
            raise NotImplementedError(f"{alias}: omo's MSTL forecasts the trend with AutoETS(model='ZZN') only")
        if stl_kwargs:
            raise NotImplementedError(f"{alias}: stl_kwargs are not in omo yet (statsmodels' STL defaults)")
        self.trend_forecaster, self.stl_kwargs = trend_forecaster, stl_kwargs
        super().__init__(alias, "mstl", seasons[0], prediction_intervals)
        self.season_length = seasons if several else seasons[0]


class Auto(_Model):
    """omo's own automatic choice per series (``omo.forecast``'s ``"auto"``: its rules and measured
    accuracy are in the core's ``forecast::auto``)."""

    def __init__(self, season_length: int = 1, alias: str = "Auto", prediction_intervals=None):
        super().__init__(alias, "auto", season_length, prediction_intervals)


def _not_in_omo(name: str):
    """A class for a statsforecast model omo does not have yet: building one raises."""

    def refuse(self, *args, **kwargs):
        raise NotImplementedError(f"{name} is not in omo yet: choose another of omo.statsforecast.models.__all__")

    return type(name, (), {"__init__": refuse, "__doc__": f"statsforecast's {name}: not in omo yet (raises)."})


# statsforecast's other models: importable, so that code naming them fails where it builds them.
for _name in ("ARIMA", "AutoRegressive", "AutoTBATS", "TBATS", "AutoMFLES", "MFLES", "GARCH", "ARCH", "RandomWalkWithDrift",
              "SeasonalExponentialSmoothing", "SeasonalExponentialSmoothingOptimized", "SeasonalWindowAverage",
              "ConformalSeasonalPool", "SklearnModel", "ConstantModel", "ZeroModel", "NaNModel"):
    globals()[_name] = _not_in_omo(_name)
del _name
