"""The data scientist's door: statsforecast's API on omo's core.

Code written for Nixtla's statsforecast runs on omo by changing its imports::

    from omo.statsforecast import StatsForecast
    from omo.statsforecast.models import AutoETS, Naive

    sf = StatsForecast(models=[AutoETS(season_length=12), Naive()], freq="MS")
    forecasts = sf.forecast(df=df, h=12, level=[80, 95])

Same frames in and out (``unique_id``, ``ds``, ``y``; one column per model alias; ``-lo-`` /
``-hi-`` interval columns; ``cutoff`` in cross-validation), pandas or polars. Where omo differs
from statsforecast by design, the model's or method's docstring says so.
"""
from . import models, utils
from .core import StatsForecast

__all__ = ["StatsForecast", "models", "utils"]
