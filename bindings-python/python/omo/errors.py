"""The exceptions omo raises: every one is an ``OmoError``."""


class OmoError(Exception):
    """Base class of every omo error."""


class ValidationError(OmoError, ValueError):
    """Bad input: the message names the row, column or argument at fault."""


class CreditError(OmoError):
    """A credit operation that cannot be carried out (another currency, an unknown account)."""
