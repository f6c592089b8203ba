"""Input conversions shared by the package's modules: each kind of argument is checked by one
helper here, so every entry point refuses the same bad input with the same message."""
import operator
from decimal import Decimal

import numpy as np

from .errors import ArgumentError, ValidationError

#: The largest value of a native ``u32`` argument (months, days, horizons in days).
U32_MAX = 2**32 - 1
#: The largest value of a native ``usize`` / ``u64`` argument on a 64-bit machine.
U64_MAX = 2**64 - 1


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


def first_not_finite(values: np.ndarray):
    """The index of the first NaN or infinite value of a float array, or ``None``."""
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if len(bad) else None


def finite_array(values, name: str) -> np.ndarray:
    """:func:`as_array`, refusing NaN and infinities with ``ValidationError`` naming ``name`` and
    the position (``y[10]: nan is not a finite number``)."""
    array = as_array(values, name)
    at = first_not_finite(array)
    if at is not None:
        raise ValidationError(f"{name}[{at}]: {array[at]} is not a finite number")
    return array


def whole(value, name: str, maximum: int = U64_MAX) -> int:
    """A whole number argument (``int``, ``numpy`` integer) in ``0..=maximum``, as a Python int.

    A float (``2.7``, even ``3.0``), a bool, a negative number or one too large for the native
    argument raises ``omo.ArgumentError`` naming ``name`` (never Python's ``OverflowError``, and
    never a silent truncation). The core decides what values in that range mean (``h=0``...).
    """
    if isinstance(value, (bool, np.bool_)):
        raise ArgumentError(f"{name}: expected a whole number, got bool {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise ArgumentError(f"{name}: expected a whole number, got {type(value).__name__} {value!r}") from None
    if number < 0:
        raise ArgumentError(f"{name}: {number} is negative; expected a whole number of at least 0")
    if number > maximum:
        raise ArgumentError(f"{name}: {number} is too large (at most {maximum})")
    return number


def optional_whole(value, name: str, maximum: int = U64_MAX):
    """:func:`whole`, or ``None`` for ``None``."""
    return None if value is None else whole(value, name, maximum)


#: The message of a float passed as money, the same in every entry point.
FLOAT_MONEY = "{name}: pass a decimal.Decimal, int or str, not float {value!r} (floats are not exact)"


def money_text(value, name: str) -> str:
    """The exact decimal text of a money amount: a ``decimal.Decimal``, an ``int`` (numpy integers
    included) or a ``str``; the core reads it by its one rule for exact numbers (scientific
    notation accepted; too large or too many digits refused naming ``name``).

    A ``float`` (numpy floats included) is refused with one message everywhere
    (:data:`FLOAT_MONEY`), a ``bool`` is not money, and a NaN or infinite ``Decimal`` is not a
    number: each raises ``omo.ArgumentError`` naming ``name``.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ArgumentError(f"{name}: expected a decimal.Decimal, int or str, got bool {value!r}")
    if isinstance(value, (float, np.floating)):
        raise ArgumentError(FLOAT_MONEY.format(name=name, value=float(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ArgumentError(f"{name}: {value} is not a finite number")
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, str):
        return value
    raise ArgumentError(f"{name}: expected a decimal.Decimal, int or str, got {type(value).__name__}")
