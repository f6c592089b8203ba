"""Accuracy metrics with the M4 competition's definitions (sMAPE in percent, 0 to 200)."""
from . import _native
from ._convert import as_array, whole


def _metric(name, actual, forecast, insample=None, season_length=1):
    insample = None if insample is None else as_array(insample, "insample")
    value = _native.metric(name, as_array(actual, "actual"), as_array(forecast, "forecast"), insample, whole(season_length, "season_length"))
    return float("nan") if value is None else value


def mae(actual, forecast):
    """Mean absolute error."""
    return _metric("mae", actual, forecast)


def rmse(actual, forecast):
    """Root mean squared error."""
    return _metric("rmse", actual, forecast)


def smape(actual, forecast):
    """Symmetric MAPE in percent (0 to 200), as M4 defines it."""
    return _metric("smape", actual, forecast)


def mape(actual, forecast):
    """Mean absolute percentage error in percent, zero actuals left out (NaN if all are zero)."""
    return _metric("mape", actual, forecast)


def wape(actual, forecast):
    """Sum of absolute errors over sum of absolute actuals (NaN if all actuals are zero)."""
    return _metric("wape", actual, forecast)


def bias(actual, forecast):
    """Mean of forecast minus actual."""
    return _metric("bias", actual, forecast)


def mase(actual, forecast, insample, season_length):
    """Mean absolute scaled error: MAE over the in-sample seasonal-naive MAE."""
    return _metric("mase", actual, forecast, insample, season_length)


def _interval_metric(name, actual, lower, upper, insample=None, season_length=1, level=95.0):
    insample = None if insample is None else as_array(insample, "insample")
    value = _native.interval_metric(name, as_array(actual, "actual"), as_array(lower, "lower"), as_array(upper, "upper"),
                                    insample, whole(season_length, "season_length"), float(level))
    return float("nan") if value is None else value


def coverage(actual, lower, upper):
    """The share of actuals inside their prediction intervals (bounds included).

    >>> coverage([10, 0, 5], [9, 0, 6], [11, 2, 8])
    0.6666666666666666
    """
    return _interval_metric("coverage", actual, lower, upper)


def msis(actual, lower, upper, insample, season_length, level=95.0):
    """M4's mean scaled interval score of the intervals at `level` percent: width plus
    2 / (1 - level / 100) times the miss, averaged, over the in-sample seasonal-naive MAE.

    >>> round(msis([5.0, 8.0], [4.0, 5.0], [6.0, 7.0], insample=[1.0, 2.0, 3.0], season_length=1), 9)
    22.0
    """
    return _interval_metric("msis", actual, lower, upper, insample, season_length, level)
