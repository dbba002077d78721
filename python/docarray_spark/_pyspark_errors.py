"""The connector's JVM errors as PySpark's own exception classes, on every PySpark line.

The connector's errors carry Spark error classes (``DOCARRAY_MALFORMED_FILE``...) and SQLSTATEs and extend the
Spark exceptions PySpark converts (``SparkRuntimeException``, ``IllegalArgumentException``, ``AnalysisException``).
Spark 4 hands an error raised in a task to the driver as it is; Spark 3.5 wraps it in a ``SparkException`` ("Job
aborted due to stage failure"), which classic PySpark 3.5 leaves as a ``Py4JJavaError``. :func:`install` teaches
PySpark's converter to look inside such a job failure for the connector's error, as PySpark itself does for
errors of Python UDFs.
"""
from __future__ import annotations

import re
from typing import Any, Optional

_INSTALLED = False


def _connector_cause(gateway: Any, error: Any) -> Any:
    """The first exception in ``error``'s cause chain that is one of the connector's (its error class starts with
    ``DOCARRAY_``), or None."""
    from py4j.protocol import Py4JError
    from py4j.java_gateway import is_instance_of

    seen = 0
    e = error
    while e is not None and seen < 16:
        try:
            if is_instance_of(gateway, e, "org.apache.spark.SparkThrowable"):
                name = e.getErrorClass()
                if name is not None and str(name).startswith("DOCARRAY_"):
                    return e
            e = e.getCause()
        except Py4JError:
            return None
        seen += 1
    return None


def install() -> None:
    """Makes a job failure caused by a connector error raise that error's PySpark class (idempotent; needed on
    classic PySpark 3.5 only, harmless elsewhere)."""
    global _INSTALLED
    if _INSTALLED:
        return
    try:
        from pyspark.errors.exceptions import captured
    except ImportError:  # a PySpark without the module: nothing to teach
        return
    original = captured.convert_exception

    def convert_exception(e: Any) -> Any:
        converted = original(e)
        if isinstance(converted, captured.UnknownException):
            from pyspark import SparkContext

            gateway = SparkContext._gateway
            if gateway is not None:
                cause = _connector_cause(gateway, e)
                if cause is not None and cause is not e:
                    return original(cause)
        return converted

    convert_exception._docarray_spark = True  # type: ignore[attr-defined]
    if not getattr(original, "_docarray_spark", False):
        captured.convert_exception = convert_exception
    _INSTALLED = True


_CAUSE = re.compile(r"Caused by: org\.docarray\.spark\.errors\.(DocArrayRuntimeException|DocArrayIllegalArgumentException): "
                    r"(.*)")


def write_error(error: BaseException, error_class: str, sql_state: str) -> Optional[BaseException]:
    """Over Spark Connect, a connector error raised by a write task arrives inside Spark's own
    ``TASK_WRITE_FAILED`` (Spark's file writer wraps every task error, Parquet's too), with the connector's error
    in the server's stack trace only: the connector's error as PySpark's Connect class, with the connector's
    message first (``error_class``/``sql_state``: what the writer raises), or None for any other error."""
    trace = getattr(error, "_stacktrace", None) or ""
    found = _CAUSE.search(trace) if type(error).__module__.startswith("pyspark.errors.exceptions.connect") else None
    if found is None:
        return None
    from pyspark.errors.exceptions import connect

    cls = connect.SparkRuntimeException if found.group(1) == "DocArrayRuntimeException" else \
        connect.IllegalArgumentException
    return cls(message=found.group(2), errorClass=error_class, messageParameters={"message": found.group(2)},
               sql_state=sql_state, server_stacktrace=trace)


__all__ = ["install", "write_error"]
