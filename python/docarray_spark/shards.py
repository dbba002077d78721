"""Balanced shard files plus a manifest, the input of training loaders."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from . import _pyspark_errors
from .errors import DocArraySparkError, InvalidOptionError

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


_ROW_BITS = 33  # monotonically_increasing_id(): the partition index above bit 33, the row within it below


def _shard_keys(spark: Any, num_shards: int) -> List[int]:
    """For each shard ``s``, a long whose Spark hash puts it in partition ``s`` of ``repartition(num_shards, key)``
    (``pmod(hash(key), n)``, the expression Spark's hash partitioning evaluates), so that a key per shard gives one
    partition per shard, none shared and none empty."""
    from pyspark.sql import functions as F

    keys: Dict[int, int] = {}
    span = 64 * num_shards
    start = 0
    while len(keys) < num_shards:
        rows = spark.range(start, start + span).select(
            F.expr(f"pmod(hash(id), {num_shards})").alias("s"), "id").groupBy("s").agg(F.min("id")).collect()
        for s, key in rows:
            keys.setdefault(int(s), int(key))
        start += span
    return [keys[s] for s in range(num_shards)]


def balanced_shards(df: Any, num_shards: int) -> Any:
    """``df`` in ``num_shards`` partitions of consecutive documents whose sizes differ by at most one, in the input's
    order: each document's global position is its partition's offset plus its row in the partition (a first job
    counts the partitions' rows), shard ``s`` takes positions ``[s * N // n, (s + 1) * N // n)``. Raises when there
    are fewer documents than shards (a shard would be empty)."""
    from pyspark.sql import functions as F

    spark = df.sparkSession
    counts = {int(p): int(c) for p, c in df.select(F.spark_partition_id().alias("p")).groupBy("p").count().collect()}
    total = sum(counts.values())
    if total < num_shards:
        raise DocArraySparkError(
            f"write_shards: {total} document{'s' if total != 1 else ''} cannot fill {num_shards} shards (every shard "
            "needs at least one document): ask for fewer shards")
    offsets, acc = [], 0
    for p in range(max(counts) + 1):
        offsets.append(acc)
        acc += counts.get(p, 0)
    keys = _shard_keys(spark, num_shards)
    mid = F.monotonically_increasing_id()
    position = F.element_at(F.array(*[F.lit(o) for o in offsets]), F.shiftright(mid, _ROW_BITS).cast("int") + 1) + \
        mid.bitwiseAND(F.lit((1 << _ROW_BITS) - 1))
    shard = F.floor(position * F.lit(num_shards) / F.lit(total)).cast("int")
    key = F.element_at(F.array(*[F.lit(k).cast("long") for k in keys]), shard + 1)  # the type the keys were hashed as
    tagged = df.withColumns({"__docarray_position": position, "__docarray_shard_key": key})
    return tagged.repartition(num_shards, "__docarray_shard_key").sortWithinPartitions("__docarray_position") \
        .drop("__docarray_position", "__docarray_shard_key")


#: what write_shards decides itself
_MANAGED = {"manifest": "write_shards always writes the manifest", "maxRecordsPerFile": "it would split shards: "
            "choose num_shards instead", "container": "use layout='docvec'"}


def write_shards(df: Any, path: str, num_shards: int, mode: Optional[str] = None, layout: str = "doclist",
                 **options: Any) -> ShardManifest:
    """Writes ``df`` as exactly ``num_shards`` DocArray files plus ``_docarray_manifest.json``; returns the manifest.

    Shard ``i`` holds consecutive documents of ``df`` (in its order) and shard sizes differ by at most one document;
    fewer documents than shards is an error. The input is counted per partition first, so it is cached for the
    write (``MEMORY_AND_DISK``, released after; an input already cached is used as it is): its rows, a
    preprocessing step's included, are computed once. ``options`` are the docarray write options
    (``compression="lz4"``, ``protocol="protobuf-array"``...), checked by name as :func:`docarray_spark.read` checks
    read options; ``mode`` is Spark's save mode. ``layout="docvec"`` writes each shard as
    one columnar ``DocVec`` (``protocol="protobuf-array"``, each tensor field one buffer for the shard), the layout
    :class:`docarray_spark.torch.ShardDataset` loads fastest; every document then needs the same tensor shapes
    and no None in a column that holds values elsewhere (refused at write time naming the column). The manifest is
    written by the write job's commit (option ``manifest=true``), so this works over Spark Connect as well as on
    classic PySpark.
    """
    from .options import WRITE_OPTIONS, check_options

    if isinstance(num_shards, bool) or not isinstance(num_shards, int) or num_shards < 1:
        raise InvalidOptionError(f"write_shards: num_shards must be a positive int, not {num_shards!r}")
    for k in options:
        for name, why in _MANAGED.items():
            if k.lower() == name.lower():
                raise InvalidOptionError(f"write_shards: the option {k!r} is not taken here: {why}")
    check_options(options, {k: v for k, v in WRITE_OPTIONS.items() if k not in _MANAGED}, "write_shards")
    _pyspark_errors.install()
    if layout not in ("doclist", "docvec"):
        raise InvalidOptionError(f"write_shards: layout must be 'doclist' or 'docvec', not {layout!r}")
    if layout == "docvec":
        protocol = next((v for k, v in options.items() if k.lower() == "protocol"), "protobuf-array")
        if str(protocol) != "protobuf-array":
            raise InvalidOptionError(f"write_shards: layout='docvec' writes protocol 'protobuf-array', not {protocol!r}")
        options = dict({k: v for k, v in options.items() if k.lower() != "protocol"}, container="docvec",
                       protocol="protobuf-array")
    # counting the partitions and writing read the input twice: cached (as Spark's own cache() keeps it), its
    # rows are computed once (a preprocessing step runs once) and both passes see the same rows
    from pyspark import StorageLevel

    cached = df if df.is_cached else df.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        writer = balanced_shards(cached, num_shards).write.format("docarray").option("manifest", "true")
        if mode is not None:  # Spark's save modes: error (default), overwrite, append, ignore
            writer = writer.mode(mode)
        for k, v in options.items():
            writer = writer.option(k, str(v).lower() if isinstance(v, bool) else str(v))
        try:
            writer.save(path)
        except Exception as e:  # noqa: BLE001 - Spark Connect's wrapped write errors, as PySpark's own classes
            unwrapped = _pyspark_errors.write_error(e, "DOCARRAY_UNWRITABLE_VALUE", "22000")
            if unwrapped is None:
                raise
            raise unwrapped from None
    finally:
        if cached is not df:
            cached.unpersist()
    return read_manifest(path, df.sparkSession)
