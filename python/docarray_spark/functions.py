"""The connector's tensor functions as PySpark Columns, like ``pyspark.sql.avro.functions``.

Each function is a call of the ``docarray_*`` SQL function of the same name, so it works over classic
PySpark and over Spark Connect alike, provided the functions are registered in the session: by the
session extensions (:func:`docarray_spark.configure` adds them; on a Connect server or a Databricks
cluster set ``spark.sql.extensions=org.docarray.spark.DocArraySparkSessionExtensions``) or, on classic
PySpark, by :func:`register_sql_functions`.

Tensor columns are the connector's typed tensors, ``struct<shape: array<int>, data: array<numeric>>``.
Argument types are checked when the query is analysed: a string column given to :func:`l2_norm` fails
right away naming the function, the argument and both types. Null in, null out.

>>> from docarray_spark import functions as DF
>>> df.select(DF.l2_norm("thesis.title.embedding"), DF.l2_normalize("thesis.title.embedding"))
"""
from __future__ import annotations

from typing import Any, List, Sequence, Union

from pyspark.sql import Column
from pyspark.sql import functions as F

from .errors import MissingJarError
from .session import EXTENSIONS, is_connect, jvm_session

ColumnOrName = Union[Column, str]

#: Every SQL function the connector registers (``docarray_to_vector``/``from_vector`` need spark-mllib).
SQL_FUNCTIONS = (
    "docarray_tensor", "docarray_flatten", "docarray_reshape", "docarray_l2_norm", "docarray_l2_normalize",
    "docarray_normalize", "docarray_cosine_similarity", "docarray_stack", "docarray_to_float16",
    "docarray_to_float32", "docarray_to_float64", "docarray_to_int32", "docarray_to_int64",
    "docarray_schema_of", "docarray_from_protobuf",
)

_CASTS = ("float16", "float32", "float64", "int32", "int64")


def _call(name: str, *cols: ColumnOrName) -> Column:
    return F.call_function(name, *[F.col(c) if isinstance(c, str) else c for c in cols])


def register_sql_functions(spark: Any) -> None:
    """Makes the ``docarray_*`` SQL functions callable in ``spark`` (idempotent).

    Classic PySpark: registers them in this session through the driver's JVM. Spark Connect: a client
    cannot register JVM functions, so this checks that the server's session extensions did, and raises
    :class:`~docarray_spark.errors.MissingJarError` saying how to configure the server if not.
    """
    if not is_connect(spark):
        jsession = jvm_session(spark, "register_sql_functions")
        spark.sparkContext._jvm.org.docarray.spark.functions.DocArrayFunctions.register(jsession)
        return
    if not spark.catalog.functionExists("docarray_l2_norm"):
        raise MissingJarError(
            "The docarray_* SQL functions are not registered on this Spark Connect server. A Connect client "
            "cannot register JVM functions: start the server (or the cluster) with the connector jar and "
            f"spark.sql.extensions={EXTENSIONS} (Databricks: install the jar as a cluster library and add that "
            "Spark config)."
        )


def tensor(flat: ColumnOrName) -> Column:
    """A 1-D float32 tensor of a flat numeric array."""
    return _call("docarray_tensor", flat)


def flatten(t: ColumnOrName) -> Column:
    """The tensor's elements as ``array<float>``."""
    return _call("docarray_flatten", t)


def reshape(t: ColumnOrName, shape: Union[Sequence[int], ColumnOrName]) -> Column:
    """The same elements in a new shape (the element count is checked)."""
    if isinstance(shape, (list, tuple)):
        shape = F.array(*[F.lit(int(s)) for s in shape])
    return _call("docarray_reshape", t, shape)


def l2_norm(t: ColumnOrName) -> Column:
    """The Euclidean norm of the tensor's elements (double)."""
    return _call("docarray_l2_norm", t)


def l2_normalize(t: ColumnOrName) -> Column:
    """The tensor divided by its L2 norm, shape kept (a zero tensor comes back unchanged)."""
    return _call("docarray_l2_normalize", t)


def normalize(t: ColumnOrName) -> Column:
    """The same as :func:`l2_normalize`."""
    return _call("docarray_normalize", t)


def cosine_similarity(a: ColumnOrName, b: ColumnOrName) -> Column:
    """The cosine similarity of two equally long tensors (double; null when either is all zeros)."""
    return _call("docarray_cosine_similarity", a, b)


def stack(tensors: ColumnOrName) -> Column:
    """A DocList's equally shaped tensors (``array<tensor>``) stacked into one ``[N, ...]`` tensor."""
    return _call("docarray_stack", tensors)


def cast(t: ColumnOrName, dtype: str) -> Column:
    """The tensor with its elements cast to ``dtype`` (float16, float32, float64, int32, int64), shape kept.

    float16 is held as float (Spark's smallest floating type).
    """
    if dtype not in _CASTS:
        raise ValueError(f"Cannot cast a tensor to {dtype!r}: use one of {', '.join(_CASTS)}")
    return _call("docarray_to_" + dtype, t)


def to_vector(t: ColumnOrName) -> Column:
    """A Spark ML dense vector of the tensor's elements (the server needs spark-mllib)."""
    return _call("docarray_to_vector", t)


def from_vector(v: ColumnOrName) -> Column:
    """A 1-D float32 tensor of a Spark ML vector's values (the server needs spark-mllib)."""
    return _call("docarray_from_vector", v)


def schema_of_protobuf(messages: ColumnOrName) -> Column:
    """The schema (JSON) a read infers from a file of these serialized ``DocProto`` messages
    (``array<binary>``, e.g. ``F.collect_list("proto")``)."""
    return _call("docarray_schema_of", messages)


def from_protobuf(message: ColumnOrName, schema: str) -> Column:
    """One serialized ``DocProto`` (``doc.to_protobuf().SerializeToString()``) decoded into a struct of
    ``schema`` (a Spark schema in JSON), as a read of a file decodes a document; like ``from_avro``."""
    return _call("docarray_from_protobuf", message, F.lit(schema))


__all__: List[str] = [
    "register_sql_functions", "tensor", "flatten", "reshape", "l2_norm", "l2_normalize", "normalize",
    "cosine_similarity", "stack", "cast", "to_vector", "from_vector", "schema_of_protobuf", "from_protobuf",
    "SQL_FUNCTIONS",
]
