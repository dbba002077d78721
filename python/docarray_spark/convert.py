"""DataFrames <-> DocArray documents in memory: :func:`to_doclist`, :func:`to_docvec`, :func:`from_docs`."""
from __future__ import annotations

import warnings
from typing import Any, Iterable, Optional

import pyarrow as pa

from . import _classes as C
from ._codec import arrow_type, compile_doc
from ._docvec import docvec_from_arrow
from .errors import DocArraySparkError


def collect_arrow(df: Any) -> pa.Table:
    """The DataFrame's rows as one Arrow table, through Spark's Arrow collection (no Row objects)."""
    if hasattr(df, "toArrow"):  # PySpark 4, classic and Connect
        table = df.toArrow()
    else:  # PySpark 3.5 classic
        batches = df._collect_as_arrow()
        schema = pa.schema([pa.field(f.name, arrow_type(f.dataType), f.nullable) for f in df.schema.fields])
        table = pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()
    return table.combine_chunks()


def _one_array(column: Any) -> pa.Array:
    """A table column as one Arrow array (collect_arrow combined the chunks already)."""
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks == 0:
            return pa.array([], type=column.type)
        return column.chunk(0) if column.num_chunks == 1 else pa.concat_arrays(column.chunks)
    return column


def _struct(table: pa.Table) -> pa.StructArray:
    columns = [_one_array(c) for c in table.columns]
    if not columns:
        return pa.StructArray.from_arrays([], names=[])
    return pa.StructArray.from_arrays(columns, names=table.column_names)


def _warn_unused(df: Any, cls: Any) -> None:
    unused = [n for n in df.columns if n not in C.fields(cls)]
    if unused:
        warnings.warn(f"{cls.__name__} does not declare the columns {unused}: they are not in the documents",
                      stacklevel=3)


def to_doclist(df: Any, doc_type: Any):
    """The DataFrame's rows as a ``DocList[doc_type]``, collected to the driver through Arrow.

    Every column is checked against the class first (a mismatch names the field and both types);
    tensors come back as the class declares them (``NdArray``, ``TorchTensor``, or by the tag the file
    carried for ``AnyTensor``/``AnyEmbedding``) with the file's dtype. Columns the class does not declare
    are left out, with a warning.
    """
    from docarray import DocList

    cls = C.doc_class(doc_type)
    conv = compile_doc(df.schema, cls, "")
    _warn_unused(df, cls)
    docs = conv.to_py(_struct(collect_arrow(df)))
    return DocList.__class_getitem__(cls)(docs)


def to_docvec(df: Any, doc_type: Any, tensor_type: Optional[Any] = None):
    """The DataFrame's rows as a ``DocVec[doc_type]``: each tensor column stacked straight from Arrow
    (one buffer per column, no document objects), nested documents as nested ``DocVec`` columns.

    ``tensor_type`` is the DocVec's tensor type (default ``NdArray``; ``TorchTensor`` for torch). A
    tensor column where some documents hold None or shapes differ cannot be stacked: the error names
    the field and the documents.
    """
    from docarray.typing import NdArray

    cls = C.doc_class(doc_type)
    compile_doc(df.schema, cls, "")  # checks the class against the schema on the driver
    _warn_unused(df, cls)
    table = collect_arrow(df)
    columns = {name: _one_array(table.column(name)) for name in table.column_names}
    if table.num_rows == 0:
        raise DocArraySparkError("to_docvec: the DataFrame has no rows, and a DocVec cannot be empty")
    return docvec_from_arrow(columns, df.schema, cls, tensor_type or NdArray, n=table.num_rows)


def from_docs(spark: Any, docs: Iterable[Any], num_partitions: Optional[int] = None) -> Any:
    """A DataFrame of in-memory documents: exactly the DataFrame that writing ``docs`` to a DocArray file and
    reading it with ``spark.read.format("docarray")`` gives, schema (column order, tensor metadata) and values.

    The documents are serialized by DocArray itself (``to_protobuf``), and decoded and typed on the JVM by the
    reader's own schema inference and decoder (the ``docarray_schema_of`` / ``docarray_from_protobuf`` SQL
    functions), so it works over Spark Connect too (the server needs the session extensions).
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from .functions import from_protobuf, schema_of_protobuf

    rows = [(i, d.to_protobuf().SerializeToString()) for i, d in enumerate(docs)]
    if not rows:
        raise DocArraySparkError("from_docs: no documents (a DataFrame needs a schema, and an empty file has none)")
    raw = spark.createDataFrame(rows, T.StructType([T.StructField("_i", T.LongType(), False),
                                                    T.StructField("_proto", T.BinaryType(), False)]))
    if num_partitions:
        raw = raw.repartition(num_partitions)
    schema = raw.agg(schema_of_protobuf(F.collect_list("_proto"))).first()[0]
    decoded = raw.orderBy("_i") if not num_partitions else raw
    return decoded.select(from_protobuf(F.col("_proto"), schema).alias("_doc")).select("_doc.*")
