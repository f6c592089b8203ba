"""Input conversions shared by the package's modules."""
import numpy as np

from .errors import ValidationError


def as_array(values, name: str) -> np.ndarray:
    """A contiguous one-dimensional float64 array of ``values``, or ``ValidationError`` naming
    ``name``."""
    try:
        array = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"{name}: not numbers ({error})") from None
    if array.ndim != 1:
        raise ValidationError(f"{name}: expected one dimension, got {array.ndim}")
    return array
