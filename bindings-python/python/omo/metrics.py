"""Accuracy metrics with the M4 competition's definitions (sMAPE in percent, 0 to 200)."""
from . import _native
from ._convert import as_array


def _metric(name, actual, forecast, insample=None, season_length=1):
    insample = None if insample is None else as_array(insample, "insample")
    value = _native.metric(name, as_array(actual, "actual"), as_array(forecast, "forecast"), insample, int(season_length))
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
