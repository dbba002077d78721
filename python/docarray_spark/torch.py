"""Training shards into PyTorch: ``ShardDataset`` yields ``DocVec`` batches of torch tensors.

>>> from torch.utils.data import DataLoader
>>> from docarray_spark.torch import ShardDataset
>>> data = ShardDataset("/data/train", Student, batch_size=256, shuffle=True, seed=7)
>>> for epoch in range(3):
...     data.set_epoch(epoch)
...     for batch in DataLoader(data, batch_size=None, num_workers=2, pin_memory=True):
...         train(batch.thesis.title.embedding)      # a torch tensor [256, 8]

The order of an epoch is a function of ``(seed, epoch)`` alone: shards are permuted, documents are shuffled
within windows of ``shuffle_window`` consecutive shards (memory: that many shards), the sequence is cut into
one contiguous slice per rank and the slice into batches. A DataLoader's workers each produce every
``num_workers``-th batch of their rank (counted from where the iteration starts), so the batches arrive in the same order for any ``num_workers``,
and every document is seen exactly once per epoch across ranks and workers. ``state_dict()`` /
``load_state_dict()`` resume in the middle of an epoch (the protocol of torchdata's ``StatefulDataLoader``).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from multiprocessing.reduction import ForkingPickler
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from . import _classes as C
from . import _pickling
from ._codec import compile_doc, no_gc_pauses
from ._shardio import concat, copy_rows, docvec_from_wire, take_from
from .errors import DocArraySparkError
from .shards import ShardManifest, read_manifest, write_shards

# ------------------------------------------------------------------ batches that cross process boundaries


def _plain(t: Any) -> Any:
    return t.as_subclass(torch.Tensor) if isinstance(t, torch.Tensor) else t


_BATCH_TYPES: Dict[Any, Any] = {}


class _Whole:
    """What a batch hands PyTorch's rebuilders (``default_convert``, ``pin_memory``) instead of its documents: one
    marker for the whole batch, so that rebuilding it costs nothing per row."""

    __slots__ = ("batch",)

    def __init__(self, batch: Any):
        self.batch = batch


def _rebuilder() -> Optional[str]:
    """``"convert"`` / ``"pin"`` when PyTorch's ``default_convert`` / ``pin_memory`` is iterating the batch (the
    generator's caller, or the comprehension's caller), else None."""
    import sys

    from torch.utils.data._utils import collate, pin_memory

    codes = {collate.default_convert.__code__: "convert", pin_memory.pin_memory.__code__: "pin"}
    f = sys._getframe(1)  # the frame that resumed this generator
    for _ in range(3):
        if f is None:
            return None
        if f.f_code in codes:
            return codes[f.f_code]
        f = f.f_back
    return None


def batch_type(cls: Any) -> Any:
    """``DocVec[cls]`` as ShardDataset yields it. A DataLoader with ``batch_size=None`` passes each batch through
    PyTorch's ``default_convert`` (and ``pin_memory`` with ``pin_memory=True``), which rebuild any Sequence as
    ``type(batch)([element, ...])``: iterated by them, this DocVec yields one marker standing for itself instead of
    a document view per row, and rebuilt from that marker it takes its column storage back (pinned, for
    ``pin_memory``); iterated by anyone else it yields documents as any DocVec does."""
    from docarray import DocVec

    if cls not in _BATCH_TYPES:
        base = DocVec.__class_getitem__(cls)

        def __iter__(self) -> Iterator[Any]:
            if _rebuilder() is None:
                yield from base.__iter__(self)
            else:
                yield _Whole(self)

        def __init__(self, docs: Any, tensor_type: Any = None) -> None:
            docs = list(docs)
            if len(docs) == 1 and isinstance(docs[0], _Whole):
                storage = docs[0].batch._storage
                if _rebuilder() == "pin":
                    storage = _pinned(storage)
                self.tensor_type = storage.tensor_type
                self._storage = storage
                self._is_unusable = False
                return
            base.__init__(self, docs, tensor_type) if tensor_type is not None else base.__init__(self, docs)

        def pin_memory(self) -> Any:
            """The batch with its tensor columns in pinned (page-locked) memory."""
            out = type(self).from_columns_storage(_pinned(self._storage))
            out._is_unusable = False
            return out

        _BATCH_TYPES[cls] = type(f"DocVec[{cls.__name__}]", (base,), {
            "__init__": __init__, "__iter__": __iter__, "pin_memory": pin_memory, "__module__": base.__module__})
        ForkingPickler.register(_BATCH_TYPES[cls], _reduce_docvec)
    return _BATCH_TYPES[cls]


def _pinned(storage: Any) -> Any:
    from docarray.array.doc_vec.column_storage import ColumnStorage

    tensors = {k: None if v is None or not torch.cuda.is_available() else
               storage.tensor_type._docarray_from_native(_plain(v).pin_memory())
               for k, v in storage.tensor_columns.items()}
    tensors = {k: storage.tensor_columns[k] if tensors[k] is None else tensors[k] for k in tensors}
    return ColumnStorage(tensors, dict(storage.doc_columns), dict(storage.docs_vec_columns),
                         dict(storage.any_columns), storage.tensor_type)


def _rebuild_docvec(cls: Any, tensor_type: Any, tensors: Dict[str, Any], docs: Dict[str, Any],
                    doc_lists: Dict[str, Any], anys: Dict[str, Any]) -> Any:
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    tensors = {k: None if v is None else tensor_type._docarray_from_native(
        torch.from_numpy(v) if isinstance(v, np.ndarray) else v) for k, v in tensors.items()}
    storage = ColumnStorage(tensors, docs, {k: None if v is None else ListAdvancedIndexing(v) for k, v in
                                            doc_lists.items()}, {k: ListAdvancedIndexing(v) for k, v in anys.items()},
                            tensor_type)
    dv = batch_type(cls).from_columns_storage(storage)
    dv._is_unusable = False
    return dv


#: tensors smaller than this cross from a DataLoader worker as bytes in the pickle; larger ones through shared
#: memory (torch's way: a segment and a file descriptor per tensor, which costs more than copying a small one)
SHARED_MEMORY_MIN_BYTES = 1 << 20


def _wire(t: Any) -> Any:
    t = _plain(t)
    if isinstance(t, torch.Tensor) and t.device.type == "cpu" and t.element_size() * t.nelement() < \
            SHARED_MEMORY_MIN_BYTES and not t.is_shared():
        return t.numpy()
    return t


def _reduce_docvec(dv: Any) -> Tuple[Any, Tuple[Any, ...]]:
    """A DocVec as plain tensors (or numpy arrays, for small ones) and lists: DocArray's TorchTensor subclass does
    not survive torch's shared-memory pickling between a DataLoader worker and the main process; plain tensors
    do (and move through shared memory)."""
    s = dv._storage
    return _rebuild_docvec, (dv.doc_type, s.tensor_type, {k: _wire(v) for k, v in s.tensor_columns.items()},
                             dict(s.doc_columns), {k: None if v is None else list(v) for k, v in
                                                   s.docs_vec_columns.items()},
                             {k: list(v) for k, v in s.any_columns.items()})


def _reduce_class(cls: Any) -> Any:
    """Document classes (and DocList[T], NdArray[4]) made at run time, for spawned workers."""
    reduced = _pickling.reduce_docarray_class(cls, _importable)
    return cls.__qualname__ if reduced is NotImplemented else reduced


def _importable(cls: Any) -> bool:
    import sys

    obj = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        obj = getattr(obj, part, None)
    return obj is cls


def _register_pickling(doc_type: Any) -> None:
    """Teaches multiprocessing's pickler (what DataLoader workers use, fork and spawn) the DocVec batches and the
    classes a batch or a dataset carries: document classes made at run time, DocList[T], NdArray[4]."""
    from docarray import DocVec

    seen = set()
    metaclasses = set()

    def walk(cls: Any) -> None:
        if cls in seen:
            return
        seen.add(cls)
        metaclasses.add(type(cls))
        ForkingPickler.register(DocVec.__class_getitem__(cls), _reduce_docvec)
        metaclasses.add(type(DocVec.__class_getitem__(cls)))
        for d in C.fields(cls).values():
            for c in (d.cls, getattr(d.element, "cls", None)):
                if isinstance(c, type):
                    metaclasses.add(type(c))
            if d.kind == C.DOC:
                walk(d.cls)
            elif d.kind == C.DOCLIST:
                walk(d.element.cls)

    walk(doc_type)
    for meta in metaclasses - {type}:
        ForkingPickler.register(meta, _reduce_class)


# ------------------------------------------------------------------ loading shards


def _torch_storage(storage: Any) -> Any:
    """The storage with every tensor column a TorchTensor over the same memory (torch.from_numpy)."""
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing
    from docarray.typing import TorchTensor

    def conv(t: Any) -> Any:
        if t is None or isinstance(t, torch.Tensor):
            return t if t is None else TorchTensor._docarray_from_native(_plain(t))
        return TorchTensor._docarray_from_native(torch.from_numpy(np.ascontiguousarray(np.asarray(t))))

    def inner(dv: Any) -> Any:
        out = type(dv).from_columns_storage(_torch_storage(dv._storage))
        out._is_unusable = False
        return out

    tensors = {k: conv(v) for k, v in storage.tensor_columns.items()}
    docs = {k: None if v is None else inner(v) for k, v in storage.doc_columns.items()}
    doc_lists = {k: None if v is None else ListAdvancedIndexing([None if x is None else inner(x) for x in v])
                 for k, v in storage.docs_vec_columns.items()}
    return ColumnStorage(tensors, docs, doc_lists, dict(storage.any_columns), TorchTensor)


def _release_free_memory() -> None:
    """Hands the heap's free pages back to the system after a shard's decoding transients (glibc keeps them
    otherwise, and the process's footprint grows by a shard's parse buffers)."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            import ctypes

            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM: Any = None


class ShardDataset(IterableDataset):
    """Batches of ``DocVec[doc_type]`` (tensor fields as torch tensors) from shards written by
    :func:`docarray_spark.write_shards` (best with ``layout="docvec"``), for
    ``DataLoader(dataset, batch_size=None, num_workers=N, pin_memory=...)``.

    :param path: the shard directory (its ``_docarray_manifest.json`` lists the shards).
    :param doc_type: the document class; checked against the manifest's schema before the first batch.
    :param batch_size: documents per batch; ``drop_last`` drops a rank's last, shorter batch.
    :param shuffle: shuffle shards and documents (within ``shuffle_window`` shards) by ``(seed, epoch)``.
    :param rank, world_size: this process's share; default ``torch.distributed``'s when initialised, else 0 of 1.
    :param preprocessing: the ``MultiModalDataset`` dict, applied to each batch; ``batched=True`` hands functions
        whole columns, otherwise each document is handed to them.
    """

    def __init__(self, path: str, doc_type: Any, batch_size: int, shuffle: bool = False, seed: int = 0,
                 rank: Optional[int] = None, world_size: Optional[int] = None, drop_last: bool = False,
                 preprocessing: Optional[Mapping[str, Callable[[Any], Any]]] = None, batched: bool = False,
                 shuffle_window: int = 2, manifest: Optional[ShardManifest] = None):
        super().__init__()
        from pyspark.sql.types import StructType

        from .preprocess import check_paths, fieldwise_names

        self.cls = C.doc_class(doc_type)
        self.manifest = manifest or read_manifest(path)
        if batch_size < 1:
            raise DocArraySparkError(f"batch_size must be at least 1, not {batch_size}")
        if world_size is None or rank is None:
            dist = torch.distributed.is_available() and torch.distributed.is_initialized()
            world_size = world_size if world_size is not None else (torch.distributed.get_world_size() if dist else 1)
            rank = rank if rank is not None else (torch.distributed.get_rank() if dist else 0)
        if world_size < 1 or not 0 <= rank < world_size:
            raise DocArraySparkError(f"rank {rank} is out of range for world_size {world_size} "
                                     "(0 <= rank < world_size)")
        self.rank, self.world_size = rank, world_size
        self.batch_size, self.shuffle, self.seed, self.drop_last = batch_size, shuffle, seed, drop_last
        self.shuffle_window = max(1, shuffle_window)
        self.steps = check_paths(self.cls, preprocessing or {})
        self.fieldwise = not batched and bool(self.steps) and fieldwise_names(self.cls, self.steps) is not None
        self.batched = batched
        if self.manifest.spark_schema:  # the class against the schema the shards were written with
            compile_doc(StructType.fromJson(self.manifest.spark_schema), self.cls, "")
        self.paths = self.manifest.paths()
        self.counts = [s.num_documents for s in self.manifest.shards]
        for p, s in zip(self.paths, self.manifest.shards):
            if not os.path.isfile(p):
                raise DocArraySparkError(f"shard {p} listed in the manifest is missing")
            size = os.path.getsize(p)
            if size != s.bytes:
                raise DocArraySparkError(f"shard {p} has {size} bytes, the manifest says {s.bytes}: truncated or "
                                         "rewritten since the shards were written")
        self.epoch = 0
        self._next = 0
        _register_pickling(self.cls)

    # ---------------------------------------------------------------- the order of an epoch

    def set_epoch(self, epoch: int) -> None:
        """The epoch whose order the next iteration follows (call it before each epoch, as with DistributedSampler)."""
        self.epoch = epoch
        self._next = 0

    def _windows(self) -> List[np.ndarray]:
        """The epoch's global document order, as windows of (shard, index) rows: each window is the documents of
        ``shuffle_window`` shards (shuffled) or of one shard (in order), and the epoch is the windows in turn."""
        rng = np.random.default_rng([self.seed, self.epoch])
        order = rng.permutation(len(self.paths)) if self.shuffle else np.arange(len(self.paths))
        size = self.shuffle_window if self.shuffle else 1
        windows = []
        for w in range(0, len(order), size):
            window = np.concatenate([np.stack([np.full(self.counts[s], s), np.arange(self.counts[s])], axis=1)
                                     for s in order[w:w + size]] or [np.zeros((0, 2), np.int64)])
            windows.append(window[rng.permutation(len(window))] if self.shuffle else window)
        return windows

    def _sequence(self) -> np.ndarray:
        """The epoch's global document order as (shard, index) rows."""
        windows = self._windows()
        return np.concatenate(windows) if windows else np.zeros((0, 2), np.int64)

    def _span(self, n: int) -> Tuple[int, int]:
        """This rank's contiguous share of the epoch's ``n`` documents, as global positions."""
        return self.rank * n // self.world_size, (self.rank + 1) * n // self.world_size

    def batches(self) -> List[np.ndarray]:
        """This rank's batches of the current epoch, each an array of (shard, index) rows."""
        seq = self._sequence()
        lo, hi = self._span(len(seq))
        mine = seq[lo:hi]
        out = [mine[i:i + self.batch_size] for i in range(0, len(mine), self.batch_size)]
        if self.drop_last and out and len(out[-1]) < self.batch_size:
            out.pop()
        return out

    def _batch_spans(self, total: int) -> List[Tuple[int, int]]:
        """This rank's batches as ranges of global positions (what :meth:`batches` lists as rows)."""
        lo, hi = self._span(total)
        out = [(a, min(a + self.batch_size, hi)) for a in range(lo, hi, self.batch_size)]
        if self.drop_last and out and out[-1][1] - out[-1][0] < self.batch_size:
            out.pop()
        return out

    def __len__(self) -> int:
        return len(self.batches())

    # ---------------------------------------------------------------- resuming

    def state_dict(self) -> Dict[str, Any]:
        """Where this iterator stands: the epoch and the next batch of this rank's sequence."""
        return {"epoch": self.epoch, "seed": self.seed, "next_batch": self._next}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Resume: the next iteration starts at ``state["next_batch"]`` of epoch ``state["epoch"]``."""
        if state.get("seed", self.seed) != self.seed:
            raise DocArraySparkError(f"the state was saved with seed {state['seed']}, this dataset has {self.seed}")
        self.epoch = int(state["epoch"])
        self._next = int(state.get("next_batch", 0))

    # ---------------------------------------------------------------- iterating

    def _load(self, shard: int) -> Any:
        dv = self._read(self.paths[shard])
        if len(dv) != self.counts[shard]:
            raise DocArraySparkError(f"shard {self.paths[shard]} holds {len(dv)} documents, the manifest says "
                                     f"{self.counts[shard]}")
        return dv

    def _window(self, rows: np.ndarray) -> Any:
        """A window's documents in the epoch's order, as one ColumnStorage: the shard itself in order, the rows
        of its shards gathered once when shuffled (the shards are let go as soon as they are gathered)."""
        shards = list(dict.fromkeys(rows[:, 0].tolist()))
        if len(shards) == 1 and np.array_equal(rows[:, 1], np.arange(self.counts[shards[0]])):
            return self._load(shards[0])._storage
        def parts() -> Iterator[Tuple[Any, np.ndarray, np.ndarray]]:  # one decoded shard alive at a time
            for shard in shards:
                positions = np.flatnonzero(rows[:, 0] == shard)
                yield self._load(shard)._storage, rows[positions, 1], positions

        return take_from(parts(), len(rows))

    def _read(self, path: str) -> Any:
        m = self.manifest
        try:
            with no_gc_pauses():
                dv = self._decode(path)
            _release_free_memory()
            return dv
        except DocArraySparkError:
            raise
        except Exception as e:  # noqa: BLE001 - DocArray's errors, named with the file
            raise DocArraySparkError(f"cannot load shard {path} ({m.container}, {m.protocol}, {m.compression}): "
                                     f"{type(e).__name__}: {e}") from e

    def _decode(self, path: str) -> Any:
        """One shard as a DocVec of numpy columns: a DocVec shard column by column, a DocList shard by DocArray."""
        from docarray import DocList
        from docarray.typing import NdArray
        from docarray.utils._internal.compress import _decompress_bytes

        m = self.manifest
        codec = None if m.compression in ("none", "") else m.compression
        if m.container == "docvec":
            with open(path, "rb") as f:
                raw = bytearray(os.fstat(f.fileno()).st_size)
                if f.readinto(raw) != len(raw):
                    raise DocArraySparkError(f"shard {path} changed size while it was read")
            if codec:
                raw = bytearray(_decompress_bytes(bytes(raw), algorithm=codec))
            return docvec_from_wire(self.cls, raw, NdArray)
        docs = DocList.__class_getitem__(self.cls).load_binary(path, protocol=m.protocol, compress=codec)
        return docs.to_doc_vec(tensor_type=NdArray)

    def _materialize(self, a: int, b: int, windows: List[np.ndarray], starts: np.ndarray,
                     cache: Dict[int, Any]) -> Any:
        """The batch of global positions ``[a, b)``: copies of slices of the windows it spans (a batch owns its
        memory: nothing of a window travels with it to another process)."""
        from docarray import DocVec

        pieces = []
        w = int(np.searchsorted(starts, a, side="right")) - 1
        while a < b:
            if w not in cache:
                cache.clear()  # one window at a time: the previous one's pieces are already copied
                cache[w] = self._window(windows[w])
            end = min(b, int(starts[w + 1]))
            pieces.append(copy_rows(cache[w], a - int(starts[w]), end - int(starts[w])))
            a, w = end, w + 1
        storage = pieces[0] if len(pieces) == 1 else concat(pieces)
        if self.steps:  # on numpy columns, as DocArray holds NdArray fields; torch last, without copying
            dv = DocVec.__class_getitem__(self.cls).from_columns_storage(storage)
            dv._is_unusable = False
            storage = self._preprocess(dv)._storage
        dv = batch_type(self.cls).from_columns_storage(_torch_storage(storage))
        dv._is_unusable = False
        return dv

    def _preprocess(self, dv: Any) -> Any:
        from docarray import DocList

        from .preprocess import apply_to_batch, apply_to_docvec_fields, apply_to_document

        if self.batched:
            return apply_to_batch(dv, self.steps)
        if self.fieldwise:
            with no_gc_pauses():
                out = apply_to_docvec_fields(dv, self.cls, self.steps)
            if out is not None:
                return out
        from docarray.typing import NdArray

        docs = [apply_to_document(dv[i], self.steps) for i in range(len(dv))]
        return DocList.__class_getitem__(self.cls)(docs).to_doc_vec(tensor_type=NdArray)

    def __setstate__(self, state: Dict[str, Any]) -> None:
        # a spawned DataLoader worker is a fresh interpreter: teach its pickler the batches before any is sent
        self.__dict__.update(state)
        _register_pickling(self.cls)

    def __iter__(self) -> Iterator[Any]:
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        windows = self._windows()
        starts = np.concatenate([[0], np.cumsum([len(w) for w in windows], dtype=np.int64)])
        spans = self._batch_spans(int(starts[-1]))
        cache: Dict[int, Any] = {}
        start = self._next
        for j in range(start, len(spans)):
            if (j - start) % workers != worker:  # DataLoader asks its workers in turn: batch start+k from worker k
                continue
            batch = self._materialize(spans[j][0], spans[j][1], windows, starts, cache)
            self._next = j + 1
            yield batch
        self._next = 0


# ------------------------------------------------------------------ straight from a DataFrame


def _cache_key(df: Any, doc_type: Any, options: Mapping[str, Any]) -> str:
    """Changes with the DataFrame's plan, its input files (and their sizes/mtimes where local), the class, options."""
    parts = [str(df.semanticHash()), df.schema.json(), C.doc_class(doc_type).__name__,
             json.dumps({k: str(v) for k, v in sorted(options.items())})]
    try:
        files = sorted(df.inputFiles())
    except Exception:  # noqa: BLE001 - not every plan has input files
        files = []
    for f in files:
        local = f[len("file:"):] if f.startswith("file:") else f
        try:
            st = os.stat(local)
            parts.append(f"{f}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(f)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def from_dataframe(df: Any, doc_type: Any, cache_dir: str, batch_size: int, num_shards: Optional[int] = None,
                   target_shard_bytes: int = 128 << 20, **dataset_options: Any) -> ShardDataset:
    """Writes ``df`` once as DocVec training shards under ``cache_dir`` and returns a :class:`ShardDataset` over
    them; a later call with an unchanged DataFrame (same plan, same input files) reuses the shards, as
    Petastorm's converter cache does. ``num_shards`` defaults to the data size over ``target_shard_bytes``
    (128 MB: far from protobuf's 2 GB message limit), estimated from a sample of rows."""
    from .convert import collect_arrow

    key = _cache_key(df, doc_type, {"num_shards": num_shards, "target": target_shard_bytes})
    path = os.path.join(cache_dir, key)
    manifest_path = os.path.join(path, "_docarray_manifest.json")
    if not os.path.exists(manifest_path):
        if num_shards is None:
            count = df.count()
            sample = collect_arrow(df.limit(256))
            per_doc = sample.nbytes / max(1, sample.num_rows)
            num_shards = max(1, math.ceil(count * per_doc / target_shard_bytes))
        write_shards(df, path, num_shards, mode="overwrite", layout="docvec")
    return ShardDataset(path, doc_type, batch_size, **dataset_options)


__all__ = ["ShardDataset", "from_dataframe"]
