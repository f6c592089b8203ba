"""The exceptions omo raises: every one is an ``OmoError``, and every class below it subclasses
either ``ValidationError`` (bad input; also a ``ValueError``) or ``CreditError``.

Each error kind of the Rust core maps to exactly one class (by a ``match`` in the native module,
never by reading the message):

====================  ====================  =====================================================
class                 base                  raised for
====================  ====================  =====================================================
InvalidDataError      ValidationError       records that break rules (every issue, named)
JsonError             ValidationError       JSON that does not read (names collection, id, field)
InvalidIdError        ValidationError       an empty, too long or otherwise unusable id
DuplicateIdError      ValidationError       the same id twice where ids must be unique
HierarchyError        ValidationError       unknown parents or a cycle in a hierarchy
UnknownIdError        ValidationError       an id that is not in the data
ArgumentError         ValidationError       an argument out of its domain (names the argument)
NegativeStockError    ValidationError       a movement taking stock below zero
LimitError            ValidationError       an input over a documented size limit
ClosedPeriodError     ValidationError       an event dated before the live engine's open period
DateAheadError        ValidationError       an event dated further after the live engine's clock
                                            than its ``max_days_ahead`` allows (five years by
                                            default): most likely a mistyped year
CurrencyError         CreditError           an amount in another currency than the account's
UnknownAccountError   CreditError           a customer without a credit account
CreditBlockedError    CreditError           a replica's order the credit check now blocks (sync)
StoreError            ValidationError       a durable engine's file that cannot be used as asked:
                                            ``omo.Engine(path=...)`` on a path that exists (use
                                            ``omo.Engine.open``), ``open`` where there is no
                                            file, a file that is not an omo store, of a newer
                                            format or corrupt, a store open elsewhere (one
                                            writer at a time)
StorageError          ValidationError,      the disk or SQLite failing under a durable engine (a
                      OSError               full disk, an I/O error); nothing unacknowledged is
                                            durable, and the engine holds what the file holds
====================  ====================  =====================================================

An event the live engine refuses raises the class of its reason (a duplicate event:
``DuplicateIdError``), with a message that starts with the event's type and id.

A core error kind added later and not yet mapped arrives as a plain ``OmoError``.

>>> import omo
>>> issubclass(omo.HierarchyError, omo.ValidationError) and issubclass(omo.ValidationError, ValueError)
True
>>> issubclass(omo.CurrencyError, omo.CreditError)
True
>>> issubclass(omo.StoreError, omo.ValidationError), issubclass(omo.StorageError, OSError)
(True, True)
"""


class OmoError(Exception):
    """Base class of every omo error."""


class ValidationError(OmoError, ValueError):
    """Bad input: the message names the row, column, record, field or argument at fault."""


class CreditError(OmoError):
    """A credit operation that cannot be carried out (another currency, an unknown account)."""


class InvalidDataError(ValidationError):
    """Records that break the dataset's rules; the message names every issue (entity, id, field)."""


class JsonError(ValidationError):
    """A JSON document that cannot be read: malformed, truncated, not UTF-8, an unknown field, a
    value of the wrong type or out of range; the message names the collection, record and field."""


class InvalidIdError(ValidationError):
    """An id that is empty, too long or otherwise unusable (shown shortened in the message)."""


class DuplicateIdError(ValidationError):
    """The same id appears twice where ids must be unique."""


class HierarchyError(ValidationError):
    """A hierarchy with unknown parents or a cycle; the message names the links or the cycle."""


class UnknownIdError(ValidationError):
    """An id that is not known (a region, a customer, a product...)."""


class ArgumentError(ValidationError):
    """A function argument out of its domain (a negative horizon, an unknown model name, a float
    where money is expected); the message starts with the argument's name."""


class NegativeStockError(ValidationError):
    """A movement would take stock below zero; the message names node, product and date."""


class LimitError(ValidationError):
    """An input larger than a documented limit (a JSON string over ``max_string_bytes``...)."""


class ClosedPeriodError(ValidationError):
    """An event dated before the live engine's open period: those months' books are closed."""


class DateAheadError(ValidationError):
    """An event dated further after the live engine's clock than it allows (five years by
    default): most likely a mistyped year, which would move the clock there for good.
    ``eng.advance_to(date)`` first lets it in when the date is right."""


class CreditBlockedError(CreditError):
    """An order from a replica (a phone that synced late) that the credit check now blocks."""


class CurrencyError(CreditError):
    """An amount in another currency than the one its account is kept in."""


class UnknownAccountError(CreditError):
    """A customer has no credit account (or its group's account is missing)."""


class StoreError(ValidationError):
    """A durable engine's file that cannot be used as asked: creating where a file exists (use
    ``omo.Engine.open``), opening where there is none, a file that is not an omo store or is of a
    newer format, a corrupt store (the message names the seq at fault), or a store another engine
    (in this process or another) has open. The message names the path."""


class StorageError(ValidationError, OSError):
    """The disk (or SQLite) failed under a durable engine: a full disk, an I/O error. What was not
    acknowledged is not durable; the engine holds what its file holds (reopen it if it says so).
    The message names the path. It is an ``OSError``; it is also a ``ValidationError`` only so that
    every omo error stays in one of the two families (catch it before ``ValidationError`` where a
    refused event and a failing disk must be told apart)."""


__all__ = ["OmoError", "ValidationError", "CreditError", "InvalidDataError", "JsonError", "InvalidIdError",
           "DuplicateIdError", "HierarchyError", "UnknownIdError", "ArgumentError", "NegativeStockError",
           "LimitError", "ClosedPeriodError", "DateAheadError", "CurrencyError", "UnknownAccountError", "CreditBlockedError",
           "StoreError", "StorageError"]
