"""docarray_spark: DocArray documents in Apache Spark, from Python.

>>> from pyspark.sql import SparkSession
>>> import docarray_spark as ds
>>> spark = ds.configure(SparkSession.builder.master("local[2]")).getOrCreate()
>>> df = spark.read.format("docarray").load("students.protobuf.lz4")
>>> out = ds.preprocess(df, doc_type=Student, preprocessing={"thesis.title": embed_title})
>>> manifest = ds.write_shards(out, "/data/train", num_shards=8, compression="lz4")

Public API: :func:`configure`, :func:`jar_path`, :func:`read`, :mod:`docarray_spark.functions`
(:func:`register_sql_functions`), :func:`preprocess`, :func:`to_doclist`, :func:`to_docvec`,
:func:`from_docs`, :func:`write_shards`, :func:`read_manifest`; errors in :mod:`docarray_spark.errors`.
"""
from . import _pickling
from ._version import JAR_VERSION, __version__
from .convert import from_docs, to_doclist, to_docvec
from .errors import (DocArraySparkError, InvalidOptionError, MissingJarError, NotOverSparkConnectError, PreprocessingError,
                     SchemaMismatchError)
from .functions import register_sql_functions
from .options import READ_OPTIONS, WRITE_OPTIONS, read
from .preprocess import preprocess
from .session import EXTENSIONS, configure, is_connect, jar_path, spark_line
from .shards import Shard, ShardManifest, read_manifest, write_shards

__all__ = [
    "__version__", "JAR_VERSION", "configure", "jar_path", "spark_line", "is_connect", "EXTENSIONS", "read",
    "READ_OPTIONS", "WRITE_OPTIONS", "register_sql_functions", "preprocess", "to_doclist", "to_docvec", "from_docs",
    "write_shards", "read_manifest", "Shard", "ShardManifest", "DocArraySparkError", "InvalidOptionError", "MissingJarError",
    "NotOverSparkConnectError", "PreprocessingError", "SchemaMismatchError",
]

_pickling.install()  # document classes made at run time travel to Python workers
