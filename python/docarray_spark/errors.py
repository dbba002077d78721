"""The exceptions the package raises, all subclasses of :class:`DocArraySparkError`."""


class DocArraySparkError(Exception):
    """Base class of every error this package raises on purpose."""


class InvalidOptionError(DocArraySparkError, ValueError):
    """An option or argument of a Python entry point that does not exist or has a value it cannot take (a
    misspelled name suggests the nearest known one)."""


class MissingJarError(DocArraySparkError):
    """The connector jar for the installed PySpark line is not available (or not on the cluster)."""


class SchemaMismatchError(DocArraySparkError, TypeError):
    """A document class does not match a DataFrame's schema (raised on the driver, before any task)."""


class PreprocessingError(DocArraySparkError):
    """A preprocessing function failed or returned a value of the wrong type.

    The message names the dotted path (with DocList indices), the document ``id`` and carries the
    function's original Python traceback.
    """


class NotOverSparkConnectError(DocArraySparkError):
    """A feature that needs the driver's JVM was called on a Spark Connect session."""
