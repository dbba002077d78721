"""DocVec shards in memory: DocArray's ``DocVec.from_protobuf``, a column at a time, and gathers of rows.

A DocVec shard (``protobuf-array``) holds each tensor field as one buffer, but every other field (``id``, text,
integer labels) as one ``NodeProto`` per document. DocArray decodes those through its generic per-node dispatch
(a few microseconds a value); here a column whose nodes are all plain values of one kind (text, integer, float,
boolean, bytes; an ``id``) is read with one C-level pass over the repeated field, and any other column with
DocArray's own per-node decoding, so the result is what ``DocVec[T].from_protobuf`` gives. Gathering rows of
the result (a batch, a shuffled batch) goes through numpy and ``itemgetter``, not per-element indexing.
"""
from __future__ import annotations

from itertools import chain, repeat
from operator import attrgetter, methodcaller
from typing import Any, List, Optional, Tuple

import numpy as np

_PLAIN = ("text", "integer", "float", "boolean", "blob")
_content = methodcaller("WhichOneof", "content")
_type = attrgetter("type")

# NodeProto's wire tags (docarray.proto): text=1 (string), integer=2 (int32), float=3 (double), boolean=4,
# blob=5 (bytes), type=13 (string, DocArray's type name: "id" for ids)
_TEXT, _INTEGER, _FLOAT, _BOOLEAN, _BLOB = 0x0A, 0x10, 0x19, 0x20, 0x2A
_ID_SUFFIX = np.frombuffer(bytes([0x6A, 2]) + b"id", dtype=np.uint8)
_RAW_LIST: Any = None


def _raw_list_class() -> Any:
    """A message wire-compatible with ``ListOfAnyProto`` whose ``data`` is ``repeated bytes``: the nodes as byte
    strings, without a Python message object per node."""
    global _RAW_LIST
    if _RAW_LIST is None:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

        f = descriptor_pb2.FileDescriptorProto(name="docarray_spark_raw_nodes.proto", package="docarray_spark_raw",
                                               syntax="proto3")
        m = f.message_type.add(name="RawListOfAny")
        m.field.add(name="data", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
                    label=descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED)
        pool = descriptor_pool.DescriptorPool()
        pool.Add(f)
        _RAW_LIST = message_factory.GetMessageClass(pool.FindMessageTypeByName("docarray_spark_raw.RawListOfAny"))
    return _RAW_LIST


def _varints(buf: np.ndarray, at: np.ndarray) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """The unsigned varints starting at positions ``at`` (vectorised) and their sizes in bytes; None past 10 bytes.
    ``buf`` carries 10 bytes of padding, so reading past a truncated last varint stays in bounds."""
    value = np.zeros(len(at), dtype=np.uint64)
    size = np.zeros(len(at), dtype=np.int64)
    active = np.ones(len(at), dtype=bool)
    for k in range(10):
        byte = buf[at[active] + k]
        value[active] |= (byte & 0x7F).astype(np.uint64) << np.uint64(7 * k)
        size[active] += 1
        active[active] = byte >= 0x80
        if not active.any():
            return value, size
    return None


def _plain_nodes(column: Any) -> Optional[List[Any]]:
    """The values of a ListOfAnyProto whose nodes are all one plain kind (text, int, float, bool, bytes), with no
    type name or all ``id``, decoded from the wire a column at a time; None for any other column."""
    raw = list(_raw_list_class().FromString(column.SerializeToString()).data)
    n = len(raw)
    if n == 0:
        return []
    lens = np.fromiter(map(len, raw), dtype=np.int64, count=n)
    if lens.min() < 2:
        return None  # a None (empty node) or a malformed one: DocArray's decoding
    total = int(lens.sum())
    buf = np.frombuffer(b"".join(raw) + bytes(10), dtype=np.uint8)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    tag = int(buf[0])
    if not np.all(buf[starts] == tag):
        return None
    if tag in (_TEXT, _BLOB):
        decoded = _varints(buf, starts + 1)
        if decoded is None:
            return None
        size, head = decoded[0].astype(np.int64), decoded[1] + 1
        rest = lens - head - size
        is_id = False
        if np.all(rest == len(_ID_SUFFIX)):
            tail = starts + head + size
            if not all(np.all(buf[tail + j] == _ID_SUFFIX[j]) for j in range(len(_ID_SUFFIX))):
                return None
            is_id = tag == _TEXT
        elif not np.all(rest == 0):
            return None
        import pyarrow as pa

        keep = np.ones(len(buf), dtype=bool)  # every byte but the nodes' headers, type names and the padding
        keep[total:] = False
        for k in range(int(head.max())):
            keep[starts[head > k] + k] = False
        if is_id:
            for j in range(len(_ID_SUFFIX)):
                keep[starts + head + size + j] = False
        payload = pa.py_buffer(buf[keep].tobytes())
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(size, out=offsets[1:])
        kind = pa.large_binary() if tag == _BLOB else pa.large_string()
        arr = pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets), payload])
        if tag == _TEXT:
            arr.validate(full=True)  # UTF-8, as protobuf checks a string field
        values = arr.to_numpy(zero_copy_only=False).tolist()  # to_pylist builds a scalar per value
        if is_id:
            from docarray.typing import ID

            return list(map(ID, values))
        return values
    if tag == _FLOAT:
        if not np.all(lens == 9):
            return None
        index = (starts + 1)[:, None] + np.arange(8)
        return buf[index].copy().view("<f8").reshape(-1).tolist()
    if tag in (_INTEGER, _BOOLEAN):
        decoded = _varints(buf, starts + 1)
        if decoded is None or not np.all(decoded[1] == lens - 1):
            return None
        if tag == _BOOLEAN:
            return (decoded[0] != 0).tolist()
        return decoded[0].astype(np.uint32).view(np.int32).astype(np.int64).tolist()  # int32 on the wire
    return None


def any_column(cls: Any, name: str, column: Any) -> List[Any]:
    """The values of one any-column (a ``ListOfAnyProto``) as DocArray's ``_get_content_from_node_proto`` gives
    them, for every node."""
    fast = _plain_nodes(column)
    if fast is not None:
        return fast
    nodes = column.data
    if len(nodes):
        keys = set(map(_content, nodes))
        if len(keys) == 1:
            key = keys.pop()
            if key in _PLAIN:
                types = set(map(_type, nodes))
                if types == {""}:
                    return list(map(attrgetter(key), nodes))
                if types == {"id"} and key == "text":
                    from docarray.typing import ID

                    return list(map(ID, map(attrgetter("text"), nodes)))
    get = cls._get_content_from_node_proto
    return [get(node, name) for node in nodes]


def docvec_from_proto(cls: Any, pb: Any, tensor_type: Any) -> Any:
    """``DocVec[cls].from_protobuf(pb, tensor_type)``, with the any-columns decoded by :func:`any_column`."""
    from docarray import DocVec
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.doc_vec.io import (_is_none_docvec_proto, _is_none_list_of_docvec_proto,
                                           _is_none_ndarray_proto)
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    tensors = {k: None if _is_none_ndarray_proto(v) else tensor_type.from_protobuf(v)
               for k, v in pb.tensor_columns.items()}
    docs = {k: None if _is_none_docvec_proto(v) else
            docvec_from_proto(cls._get_field_annotation(k), v, tensor_type) for k, v in pb.doc_columns.items()}
    doc_lists = {}
    for k, v in pb.docs_vec_columns.items():
        if _is_none_list_of_docvec_proto(v):
            doc_lists[k] = None
        else:
            inner = cls._get_field_annotation(k).doc_type
            doc_lists[k] = ListAdvancedIndexing([docvec_from_proto(inner, x, tensor_type) for x in v.data])
    anys = {k: ListAdvancedIndexing(any_column(cls, k, v)) for k, v in pb.any_columns.items()}
    dv = DocVec.__class_getitem__(cls).from_columns_storage(ColumnStorage(tensors, docs, doc_lists, anys, tensor_type))
    dv._is_unusable = False
    return dv


def _gather(values: List[Any], rows: List[int]) -> List[Any]:
    """``[values[i] for i in rows]`` in C: ``list.__getitem__`` itself, past ListAdvancedIndexing's override."""
    return list(map(list.__getitem__, repeat(values, len(rows)), rows))


def take(storage: Any, idx: np.ndarray) -> Any:
    """The rows ``idx`` of a ``ColumnStorage`` (what ``storage[idx]`` gives), gathered column by column."""
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    rows = idx.tolist()

    def sub(dv: Any) -> Any:
        out = type(dv).from_columns_storage(take(dv._storage, idx))
        out._is_unusable = False
        return out

    tensors = {k: None if v is None else v[idx] for k, v in storage.tensor_columns.items()}
    docs = {k: None if v is None else sub(v) for k, v in storage.doc_columns.items()}
    doc_lists = {k: None if v is None else ListAdvancedIndexing(_gather(v, rows))
                 for k, v in storage.docs_vec_columns.items()}
    anys = {k: None if v is None else ListAdvancedIndexing(_gather(v, rows)) for k, v in storage.any_columns.items()}
    return ColumnStorage(tensors, docs, doc_lists, anys, storage.tensor_type)


def concat(parts: List[Any]) -> Any:
    """One ColumnStorage from several of the same class (rows of several shards in one batch)."""
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    tensors = {k: None if v is None else type(v)._docarray_from_native(
        np.concatenate([np.asarray(p.tensor_columns[k]) for p in parts])) for k, v in first.tensor_columns.items()}
    docs = {}
    for k, v in first.doc_columns.items():
        if v is None:
            docs[k] = None
        else:
            docs[k] = type(v).from_columns_storage(concat([p.doc_columns[k]._storage for p in parts]))
            docs[k]._is_unusable = False
    doc_lists = {k: None if v is None else ListAdvancedIndexing(list(chain.from_iterable(
        p.docs_vec_columns[k] for p in parts))) for k, v in first.docs_vec_columns.items()}
    anys = {k: None if v is None else ListAdvancedIndexing(list(chain.from_iterable(p.any_columns[k] for p in parts)))
            for k, v in first.any_columns.items()}
    return ColumnStorage(tensors, docs, doc_lists, anys, first.tensor_type)


__all__ = ["any_column", "concat", "docvec_from_proto", "take"]
