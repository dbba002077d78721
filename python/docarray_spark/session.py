"""Putting the connector on a Spark session: the jar of the installed PySpark line, the extensions.

The wheel carries one connector jar per Spark line (Spark 3.5 / Scala 2.12 and Spark 4 / Scala 2.13);
:func:`configure` adds the one that matches the installed PySpark to a ``SparkSession.Builder``, the
way delta-spark's ``configure_spark_with_delta_pip`` does. On a cluster where the jar is already a
library (Databricks), nothing here is needed: ``spark.read.format("docarray")`` works as it is.
"""
from __future__ import annotations

import glob
import os
import sys
from typing import Any, List, Optional

from ._version import JAR_VERSION
from .errors import MissingJarError, NotOverSparkConnectError

#: The class name to put in ``spark.sql.extensions``: the ``docarray_*`` SQL functions in every session
#: (the only way to have them over Spark Connect), ``count(*)`` answered on the driver, and the reader's rows
#: handed to Spark without the copy Spark's planner adds above every row-based V2 scan.
EXTENSIONS = "org.docarray.spark.DocArraySparkSessionExtensions"

_LINES = {"3.5": "2.12", "4.0": "2.13"}


def spark_line(pyspark_version: Optional[str] = None) -> str:
    """The connector line (``"3.5"`` or ``"4.0"``) for a PySpark version (default: the installed one)."""
    if pyspark_version is None:
        import pyspark

        pyspark_version = pyspark.__version__
    major, minor = (int(x) for x in pyspark_version.split(".")[:2])
    if (major, minor) == (3, 5):
        return "3.5"
    if major == 4:
        return "4.0"
    raise MissingJarError(
        f"docarray-spark has connector jars for Spark 3.5 and Spark 4, not for PySpark {pyspark_version}: "
        "install pyspark 3.5.x or 4.x"
    )


def _jar_dirs() -> List[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = [os.path.join(here, "jars")]
    # a source checkout: the jars that `mvn -Pspark-<line> package` builds
    dirs.append(os.path.join(here, "..", "..", "connector", "target"))
    return dirs


def jar_path(pyspark_version: Optional[str] = None) -> str:
    """The path of the connector jar for the installed PySpark line.

    Looked up in ``$DOCARRAY_SPARK_JAR`` (a file), then in the jars the wheel carries, then in a source
    checkout's ``connector/target``. Raises :class:`MissingJarError` naming the jar that is needed.
    """
    env = os.environ.get("DOCARRAY_SPARK_JAR")
    if env:
        if not os.path.isfile(env):
            raise MissingJarError(f"DOCARRAY_SPARK_JAR={env} is not a file")
        return os.path.abspath(env)
    line = spark_line(pyspark_version)
    name = f"docarray-spark-{line}_{_LINES[line]}-{JAR_VERSION}.jar"
    for d in _jar_dirs():
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return os.path.abspath(p)
    found = sorted(os.path.basename(p) for d in _jar_dirs() for p in glob.glob(os.path.join(d, "docarray-spark-*.jar")))
    raise MissingJarError(
        f"docarray-spark needs {name} for PySpark's Spark {line} line, and it is not installed "
        f"(found: {', '.join(found) or 'no connector jar'}). Install the wheel built by bin/build-wheel "
        "(it carries both lines' jars), set DOCARRAY_SPARK_JAR to the jar, or add it with "
        "spark.jars / --jars yourself (on Databricks: install it as a cluster library)."
    )


def configure(builder: Any, *, extensions: bool = True, jar: Optional[str] = None) -> Any:
    """Adds the connector jar (and by default the session extensions) to a ``SparkSession.Builder``.

    >>> from pyspark.sql import SparkSession
    >>> import docarray_spark
    >>> spark = docarray_spark.configure(SparkSession.builder.master("local[2]")).getOrCreate()

    Settings already on the builder are kept: the jar is appended to ``spark.jars`` and the extensions
    class to ``spark.sql.extensions``. ``extensions=True`` registers the ``docarray_*`` SQL functions in
    every session, plans a bare ``count(*)`` on the driver and hands the reader's rows (already in Spark's
    ``UnsafeRow`` format) to Spark without the copy Spark's planner adds above every row-based V2 scan. For a
    local master, when ``PYSPARK_PYTHON``
    is not set, the Python workers run this interpreter (where docarray_spark is installed) rather than
    whatever ``python3`` is first on the PATH. It also teaches classic PySpark 3.5 to raise a connector error
    from a failed job as PySpark's own class (Spark 4 does that itself). Returns the builder.
    """
    from . import _pyspark_errors

    _pyspark_errors.install()
    jar = os.path.abspath(jar) if jar else jar_path()
    options = getattr(builder, "_options", {})
    master = str(options.get("spark.master", os.environ.get("MASTER", "local")))
    if master.startswith("local") and not os.environ.get("PYSPARK_PYTHON"):
        os.environ["PYSPARK_PYTHON"] = sys.executable
    jars = [j for j in str(options.get("spark.jars", "")).split(",") if j]
    if jar not in jars:
        jars.append(jar)
    builder = builder.config("spark.jars", ",".join(jars))
    if extensions:
        ext = [e.strip() for e in str(options.get("spark.sql.extensions", "")).split(",") if e.strip()]
        if EXTENSIONS not in ext:
            ext.append(EXTENSIONS)
        builder = builder.config("spark.sql.extensions", ",".join(ext))
    return builder


def is_connect(spark: Any) -> bool:
    """Whether ``spark`` (a SparkSession or DataFrame) is a Spark Connect one (no JVM on this side)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def jvm_session(spark: Any, feature: str) -> Any:
    """The JVM SparkSession behind a classic session; a clear error over Spark Connect."""
    if is_connect(spark):
        raise NotOverSparkConnectError(
            f"{feature} needs the driver's JVM, which a Spark Connect session does not expose"
        )
    jvm = spark.sparkContext._jvm
    cls = jvm.org.docarray.spark.functions.DocArrayFunctions
    if type(cls).__name__ == "JavaPackage":
        raise MissingJarError(
            f"{feature}: the docarray-spark connector jar is not on this session's class path; build the session "
            "with docarray_spark.configure(SparkSession.builder) or add the jar "
            f"({os.path.basename(_safe_jar_name())}) with spark.jars"
        )
    return spark._jsparkSession


def _safe_jar_name() -> str:
    try:
        return jar_path()
    except MissingJarError:
        line = spark_line()
        return f"docarray-spark-{line}_{_LINES[line]}-{JAR_VERSION}.jar"
