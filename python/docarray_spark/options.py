"""The reading options of ``spark.read.format("docarray")``, documented in one place, and :func:`read`."""
from __future__ import annotations

import difflib
from typing import Any, Dict, Mapping, Optional, Union

from . import _pyspark_errors
from .errors import InvalidOptionError

#: Every read option, with what it does. ``spark.read.format("docarray").option(name, value)``.
READ_OPTIONS: Dict[str, str] = {
    "protocol": "protobuf, protobuf-array or json-array; default: from the file name, as DocArray decides",
    "compression": "none, lz4, bz2, lzma, zlib or gzip; default: from the file name",
    "container": "doclist, docvec or auto (default: a DocVecProto is told from a DocListProto by its first bytes)",
    "tensorMode": "typed (default): struct<shape, data: array<E>>; binary: struct<dtype, shape, buffer>, bit-exact",
    "recursiveFileLookup": "true: read files in all subdirectories, no partition columns (default false)",
    "pathGlobFilter": "only files whose name matches the glob, e.g. *.protobuf.lz4",
    "ignoreCorruptFiles": "skip unreadable files (default: spark.sql.files.ignoreCorruptFiles)",
    "ignoreMissingFiles": "skip files deleted after listing (default: spark.sql.files.ignoreMissingFiles)",
    "mode": "FAILFAST (default), DROPMALFORMED or PERMISSIVE (with columnNameOfCorruptRecord)",
    "columnNameOfCorruptRecord": "PERMISSIVE: the string column of the user schema that receives the error",
    "docarraySchema": "a DocArray class spec or the JSON schema Doc.schema() prints, inline or a path",
    "embeddings": "struct (default), array or vector: how fixed-length 1-D tensors are read",
    "failOnUndeclaredFields": "with a user schema: a key the schema does not declare is a malformed document",
    "splitFiles": "cut big files at document boundaries across tasks (default true)",
    "maxPartitionBytes": "split size (bytes or 128m-style; default spark.sql.files.maxPartitionBytes)",
    "columnar": "hand Spark Arrow columnar batches (default false)",
    "columnarBatchSize": "documents per columnar batch (default 4096)",
    "filterPushdown": "evaluate filters on top-level scalar columns while decoding (default true)",
    "inferSchemaMaxFiles": "files sampled for schema inference (default 1000)",
    "inferSchemaMaxDocuments": "documents sampled per file for schema inference (default 10000)",
    "maxDocumentBytes": "largest document accepted (default 64m)",
    "maxTensorElements": "largest tensor accepted (default 2^28)",
    "maxNestingDepth": "deepest nesting accepted (default 64)",
    "maxDecompressedFileBytes": "largest decompressed whole-file stream (default 64g)",
}

#: Every write option of ``df.write.format("docarray")``.
WRITE_OPTIONS: Dict[str, str] = {
    "protocol": "protobuf (default) or protobuf-array",
    "compression": "none (default), lz4, bz2, lzma, zlib or gzip",
    "container": "doclist (default) or docvec (a DocVecProto; needs protocol=protobuf-array)",
    "keepFrameworkTags": "keep torch/TensorFlow/JAX tensor tags (the reader then needs that framework)",
    "ignoreNullFields": "leave null fields out of the documents (DocArray then uses the field default)",
    "unsupportedTypes": "fail (default) or text: Spark values DocArray cannot hold",
    "manifest": "true: write _docarray_manifest.json (shards, counts, sizes, schema) when the job commits",
    "absentFieldsColumn": "a column (array<string>, e.g. _metadata.absent_fields selected when reading) naming "
                          "the fields each document did not have: left out, not written as None",
}


def check_options(options: Mapping[str, Any], known: Mapping[str, str], entry: str) -> None:
    """Every name in ``options`` one of ``known`` (case-insensitive, as Spark's options), else
    :class:`~docarray_spark.errors.InvalidOptionError` naming the entry point, the option and the nearest known one
    (Spark itself ignores an option it does not know, so a misspelled one would silently do nothing)."""
    lower = {k.lower(): k for k in known}
    for k in options:
        if k.lower() not in lower:
            near = difflib.get_close_matches(k.lower(), list(lower), n=1)
            hint = f" (did you mean {lower[near[0]]!r}?)" if near else ""
            raise InvalidOptionError(f"{entry}: unknown option {k!r}{hint}; known: {', '.join(known)}")


def read(spark: Any, *paths: str, schema: Optional[Union[str, Any]] = None, **options: Any) -> Any:
    """``spark.read.format("docarray")`` with options checked by name first (a misspelled option is an error
    that suggests the nearest one, where Spark would ignore it). See :data:`READ_OPTIONS`."""
    check_options(options, READ_OPTIONS, "read")
    _pyspark_errors.install()
    reader = spark.read.format("docarray")
    if schema is not None:
        reader = reader.schema(schema)
    for k, v in options.items():
        reader = reader.option(k, str(v).lower() if isinstance(v, bool) else str(v))
    return reader.load(list(paths) if len(paths) != 1 else paths[0])
