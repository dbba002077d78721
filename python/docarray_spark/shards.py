"""Balanced shard files plus a manifest, the input of training loaders."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .errors import DocArraySparkError

MANIFEST = "_docarray_manifest.json"


@dataclass(frozen=True)
class Shard:
    """One shard file: its path relative to the manifest's directory, document count and size in bytes."""

    path: str
    num_documents: int
    bytes: int


@dataclass(frozen=True)
class ShardManifest:
    """What a sharded write produced (``_docarray_manifest.json``)."""

    directory: str
    protocol: str
    compression: str
    shards: List[Shard]
    spark_schema: Dict[str, Any] = field(repr=False)
    #: ``doclist`` (each shard a DocList file) or ``docvec`` (each shard one columnar DocVecProto)
    container: str = "doclist"

    @property
    def num_documents(self) -> int:
        return sum(s.num_documents for s in self.shards)

    def paths(self) -> List[str]:
        """Each shard's full path (the directory joined with the shard's relative path)."""
        return [self.directory.rstrip("/") + "/" + s.path for s in self.shards]

    @staticmethod
    def from_json(directory: str, text: str) -> "ShardManifest":
        m = json.loads(text)
        if m.get("format") != "docarray-shards":
            raise DocArraySparkError(f"{directory}/{MANIFEST} is not a docarray shard manifest")
        return ShardManifest(directory, m["protocol"], m["compression"],
                             [Shard(s["path"], int(s["num_documents"]), int(s["bytes"])) for s in m["shards"]],
                             m.get("spark_schema", {}), m.get("container", "doclist"))


def read_manifest(path: str, spark: Optional[Any] = None) -> ShardManifest:
    """The manifest of a shard directory: read directly when ``path`` is local, else through ``spark``
    (any Hadoop file system the session reaches: s3a://, hdfs://, dbfs:/; works over Spark Connect)."""
    local = path[len("file:"):] if path.startswith("file:") else path
    if "://" not in local and os.path.isfile(os.path.join(local, MANIFEST)):
        with open(os.path.join(local, MANIFEST)) as f:
            return ShardManifest.from_json(path, f.read())
    if spark is None:
        raise DocArraySparkError(f"{path}/{MANIFEST} is not a local file: pass spark= to read it through Spark")
    rows = spark.read.text(path.rstrip("/") + "/" + MANIFEST, wholetext=True).collect()
    if not rows:
        raise DocArraySparkError(f"no {MANIFEST} in {path}")
    return ShardManifest.from_json(path, rows[0][0])


def write_shards(df: Any, path: str, num_shards: int, mode: Optional[str] = None, layout: str = "doclist",
                 **options: Any) -> ShardManifest:
    """Writes ``df`` as ``num_shards`` balanced DocArray files plus ``_docarray_manifest.json``; returns the manifest.

    Documents are dealt round-robin (``df.repartition(num_shards)``), so shard document counts differ by at most
    the number of input partitions. ``options`` are the docarray write options (``compression="lz4"``,
    ``protocol="protobuf-array"``...); ``mode`` is Spark's save mode. ``layout="docvec"`` writes each shard as
    one columnar ``DocVec`` (``protocol="protobuf-array"``, each tensor field one buffer for the shard), the layout
    :class:`docarray_spark.torch.ShardDataset` loads fastest; every document then needs the same tensor shapes
    and no None in a column that holds values elsewhere (refused at write time naming the column). The manifest is written by the write job's commit
    (option ``manifest=true``), so this works over Spark Connect as well as on classic PySpark.
    """
    if num_shards < 1:
        raise DocArraySparkError(f"num_shards must be at least 1, not {num_shards}")
    if any(k.lower() == "maxrecordsperfile" for k in options):
        raise DocArraySparkError("maxRecordsPerFile would split shards: choose num_shards instead")
    if layout not in ("doclist", "docvec"):
        raise DocArraySparkError(f"layout must be 'doclist' or 'docvec', not {layout!r}")
    if layout == "docvec":
        options = dict(options, container="docvec", protocol="protobuf-array")
    writer = df.repartition(num_shards).write.format("docarray").option("manifest", "true")
    if mode is not None:  # Spark's save modes: error (default), overwrite, append, ignore
        writer = writer.mode(mode)
    for k, v in options.items():
        writer = writer.option(k, str(v).lower() if isinstance(v, bool) else str(v))
    writer.save(path)
    spark = df.sparkSession if hasattr(df, "sparkSession") else None
    return read_manifest(path, spark)
