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
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

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
    return _plain_nodes_wire(column.SerializeToString())


def _plain_nodes_wire(data: bytes) -> Optional[List[Any]]:
    """:func:`_plain_nodes` of a serialized ListOfAnyProto."""
    raw = list(_raw_list_class().FromString(data).data)
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
    """The values of one any-column (a ``ListOfAnyProto``, or its bytes) as DocArray's
    ``_get_content_from_node_proto`` gives them, for every node."""
    wire = column if isinstance(column, (bytes, bytearray, memoryview)) else column.SerializeToString()
    fast = _plain_nodes_wire(bytes(wire))
    if fast is not None:
        return fast
    if isinstance(column, (bytes, bytearray, memoryview)):
        from docarray.proto import ListOfAnyProto

        column = ListOfAnyProto.FromString(bytes(column))
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


def _nested_columns(cls: Any, doc_columns: Iterable[Tuple[str, Any]], docs_vec_columns: Iterable[Tuple[str, Any]],
                    tensor_type: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """The nested-document and DocList columns of a DocVec (``DocVecProto`` / ``ListOfDocVecProto`` messages),
    None markers included, as DocArray's ``from_protobuf`` builds them."""
    from docarray.array.doc_vec.io import _is_none_docvec_proto, _is_none_list_of_docvec_proto
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    docs = {k: None if _is_none_docvec_proto(v) else docvec_from_proto(cls._get_field_annotation(k), v, tensor_type)
            for k, v in doc_columns}
    doc_lists = {}
    for k, v in docs_vec_columns:
        inner = cls._get_field_annotation(k).doc_type
        doc_lists[k] = None if _is_none_list_of_docvec_proto(v) else \
            ListAdvancedIndexing([docvec_from_proto(inner, x, tensor_type) for x in v.data])
    return docs, doc_lists


def docvec_from_proto(cls: Any, pb: Any, tensor_type: Any) -> Any:
    """``DocVec[cls].from_protobuf(pb, tensor_type)``, with the any-columns decoded by :func:`any_column`."""
    from docarray import DocVec
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.doc_vec.io import _is_none_ndarray_proto
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    tensors = {k: None if _is_none_ndarray_proto(v) else tensor_type.from_protobuf(v)
               for k, v in pb.tensor_columns.items()}
    docs, doc_lists = _nested_columns(cls, pb.doc_columns.items(), pb.docs_vec_columns.items(), tensor_type)
    anys = {k: ListAdvancedIndexing(any_column(cls, k, v)) for k, v in pb.any_columns.items()}
    dv = DocVec.__class_getitem__(cls).from_columns_storage(ColumnStorage(tensors, docs, doc_lists, anys, tensor_type))
    dv._is_unusable = False
    return dv


def _varint(buf: memoryview, pos: int) -> Tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")


def _fields(buf: memoryview, start: int, end: int) -> Iterator[Tuple[int, int, int, int]]:
    """The fields of the message in ``buf[start:end]``: (number, wire type, value start, value end or varint)."""
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, wire, value, value
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > end:
                raise ValueError(f"field {number} runs past its message at byte {pos} ({size} bytes)")
            yield number, wire, pos, pos + size
            pos += size
        elif wire == 1 or wire == 5:
            width = 8 if wire == 1 else 4
            yield number, wire, pos, pos + width
            pos += width
        else:
            raise ValueError(f"wire type {wire} of field {number} at byte {pos}")
    if pos != end:
        raise ValueError(f"message ends at byte {pos}, past {end}")


def _map_entries(buf: memoryview, start: int, end: int) -> Tuple[str, int, int]:
    key, vs, ve = "", end, end  # an entry without a value holds the value's default (an empty message)
    for number, wire, a, b in _fields(buf, start, end):
        if number == 1 and wire == 2:
            key = bytes(buf[a:b]).decode("utf-8")
        elif number == 2 and wire == 2:
            vs, ve = a, b
    return key, vs, ve


def _tensor_from_wire(buf: memoryview, start: int, end: int, tensor_type: Any) -> Any:
    """``tensor_type.from_protobuf`` of an NdArrayProto, its buffer a view of the shard's bytes (no copy)."""
    from docarray.array.doc_vec.io import NONE_NDARRAY_PROTO_DTYPE, NONE_NDARRAY_PROTO_SHAPE
    from docarray.typing import NdArray

    dense = None
    for number, wire, a, b in _fields(buf, start, end):
        if number == 1 and wire == 2:
            dense = (a, b)
        elif number == 2:  # parameters: DocArray's own decoding
            dense = None
            break
    else:
        data, shape, dtype = (0, 0), [], ""
        for number, wire, a, b in _fields(buf, *(dense or (0, 0))):
            if number == 1 and wire == 2:
                data = (a, b)
            elif number == 2 and wire == 2:  # packed
                pos = a
                while pos < b:
                    v, pos = _varint(buf, pos)
                    shape.append(v)
            elif number == 2 and wire == 0:
                shape.append(a)
            elif number == 3 and wire == 2:
                dtype = bytes(buf[a:b]).decode("utf-8")
        if shape == list(NONE_NDARRAY_PROTO_SHAPE) and dtype == NONE_NDARRAY_PROTO_DTYPE:
            return None
        if tensor_type is NdArray and data[1] > data[0]:
            d = np.dtype(dtype)
            if (data[1] - data[0]) % d.itemsize == 0 and (data[1] - data[0]) // d.itemsize == int(np.prod(shape)):
                x = np.frombuffer(buf, dtype=d, count=(data[1] - data[0]) // d.itemsize, offset=data[0])
                return NdArray._docarray_from_native(x.reshape(shape))
    from docarray.proto import NdArrayProto

    pb = NdArrayProto.FromString(bytes(buf[start:end]))
    from docarray.array.doc_vec.io import _is_none_ndarray_proto

    return None if _is_none_ndarray_proto(pb) else tensor_type.from_protobuf(pb)


def docvec_from_wire(cls: Any, raw: bytearray, tensor_type: Any) -> Any:
    """``DocVec[cls].from_protobuf`` of a serialized DocVecProto, read from the wire: tensor columns are views of
    ``raw`` (keep it writable: a ``bytearray``), plain any-columns decoded a column at a time, nested columns by
    protobuf. Only the shard's bytes and one column's decoding are in memory at a time."""
    from docarray import DocVec
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing
    from docarray.proto import DocVecProto, ListOfDocVecProto

    buf = memoryview(raw)
    entries: Dict[int, Dict[str, Tuple[int, int]]] = {1: {}, 2: {}, 3: {}, 4: {}}
    for number, wire, a, b in _fields(buf, 0, len(buf)):
        if number in entries and wire == 2:
            key, vs, ve = _map_entries(buf, a, b)
            entries[number][key] = (vs, ve)
    tensors = {k: _tensor_from_wire(buf, a, b, tensor_type) for k, (a, b) in entries[1].items()}
    docs, doc_lists = _nested_columns(
        cls, ((k, DocVecProto.FromString(bytes(buf[a:b]))) for k, (a, b) in entries[2].items()),
        ((k, ListOfDocVecProto.FromString(bytes(buf[a:b]))) for k, (a, b) in entries[3].items()), tensor_type)
    anys = {k: ListAdvancedIndexing(any_column(cls, k, buf[a:b])) for k, (a, b) in entries[4].items()}
    dv = DocVec.__class_getitem__(cls).from_columns_storage(ColumnStorage(tensors, docs, doc_lists, anys, tensor_type))
    dv._is_unusable = False
    return dv


def _copy_tensor(t: Any) -> Any:
    """A copy of a tensor column (or a slice of one) in its own class and framework: an ``NdArray`` stays numpy, a
    ``TorchTensor`` stays torch, a ``TensorFlowTensor`` TensorFlow (DocArray's backend copies it)."""
    backend = getattr(type(t), "get_comp_backend", None)
    if backend is None:
        return np.array(t)
    copy = backend().copy(t)  # numpy's backend gives a plain ndarray back: wrapped again as the column's class
    return copy if type(copy) is type(t) else type(t)._docarray_from_native(copy)


def tensor_of(cls: Any, array: np.ndarray) -> Any:
    """A numpy array as a tensor of ``cls`` (``NdArray``, ``TorchTensor``, ``TensorFlowTensor``...; a plain numpy
    column stays numpy)."""
    make = getattr(cls, "_docarray_from_ndarray", None)
    return make(array) if make is not None else array


def _gather(values: List[Any], rows: List[int]) -> List[Any]:
    """``[values[i] for i in rows]`` in C: ``list.__getitem__`` itself, past ListAdvancedIndexing's override."""
    return list(map(list.__getitem__, repeat(values, len(rows)), rows))


def copy_rows(storage: Any, a: int, b: int) -> Any:
    """Rows ``[a, b)`` of a ``ColumnStorage``, copied (tensors and lists own their memory)."""
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    def sub(dv: Any) -> Any:
        out = type(dv).from_columns_storage(copy_rows(dv._storage, a, b))
        out._is_unusable = False
        return out

    window = slice(a, b)
    tensors = {k: None if v is None else _copy_tensor(v[window]) for k, v in storage.tensor_columns.items()}
    docs = {k: None if v is None else sub(v) for k, v in storage.doc_columns.items()}
    doc_lists = {k: None if v is None else ListAdvancedIndexing(list.__getitem__(v, window))
                 for k, v in storage.docs_vec_columns.items()}
    anys = {k: None if v is None else ListAdvancedIndexing(list.__getitem__(v, window))
            for k, v in storage.any_columns.items()}
    return ColumnStorage(tensors, docs, doc_lists, anys, storage.tensor_type)


class _Gathered:
    """Columns of ``n`` rows filled from several storages of one class, a storage at a time."""

    def __init__(self, like: Any, n: int):
        self.n = n
        self.tensor_type = like.tensor_type
        self.tensors: Dict[str, Any] = {k: None for k in like.tensor_columns}
        self.tensor_cls = {k: type(v) for k, v in like.tensor_columns.items()}
        self.docs: Dict[str, Any] = {k: None if v is None else (type(v), _Gathered(v._storage, n))
                                     for k, v in like.doc_columns.items()}
        self.lists = {k: None if v is None else np.empty(n, dtype=object) for k, v in like.docs_vec_columns.items()}
        self.anys = {k: None if v is None else np.empty(n, dtype=object) for k, v in like.any_columns.items()}

    def put(self, storage: Any, rows: np.ndarray, positions: np.ndarray) -> None:
        for k, v in storage.tensor_columns.items():
            if v is None:
                continue
            col = np.asarray(v)
            out = self.tensors[k]
            if out is None or out.dtype != np.result_type(out.dtype, col.dtype):
                grown = np.empty((self.n,) + col.shape[1:], dtype=col.dtype if out is None else
                                 np.result_type(out.dtype, col.dtype))
                if out is not None:
                    grown[...] = out
                self.tensors[k] = out = grown
            out[positions] = col[rows]
        for k, entry in self.docs.items():
            if entry is not None:
                entry[1].put(storage.doc_columns[k]._storage, rows, positions)
        picks = rows.tolist()
        for mine, theirs in ((self.lists, storage.docs_vec_columns), (self.anys, storage.any_columns)):
            for k, out in mine.items():
                if out is not None:
                    values = np.empty(len(picks), dtype=object)
                    values[:] = _gather(theirs[k], picks)
                    out[positions] = values

    def storage(self) -> Any:
        from docarray.array.doc_vec.column_storage import ColumnStorage
        from docarray.array.list_advance_indexing import ListAdvancedIndexing

        tensors = {k: None if v is None else tensor_of(self.tensor_cls[k], v) for k, v in self.tensors.items()}
        docs = {}
        for k, entry in self.docs.items():
            if entry is None:
                docs[k] = None
            else:
                docs[k] = entry[0].from_columns_storage(entry[1].storage())
                docs[k]._is_unusable = False
        lists = {k: None if v is None else ListAdvancedIndexing(v.tolist()) for k, v in self.lists.items()}
        anys = {k: None if v is None else ListAdvancedIndexing(v.tolist()) for k, v in self.anys.items()}
        return ColumnStorage(tensors, docs, lists, anys, self.tensor_type)


def take_from(parts: Iterable[Tuple[Any, np.ndarray, np.ndarray]], n: int) -> Any:
    """One ColumnStorage of ``n`` rows gathered from several of the same class: ``(storage, rows, positions)``
    puts ``storage``'s ``rows`` at ``positions`` of the result (a shuffled window drawing from several shards).
    ``parts`` may be a generator: each storage is let go once its rows are gathered."""
    gathered = None
    for storage, rows, positions in parts:
        if gathered is None:
            gathered = _Gathered(storage, n)
        gathered.put(storage, rows, positions)
        del storage
    if gathered is None:
        raise ValueError("take_from needs at least one part")
    return gathered.storage()


def concat(parts: List[Any]) -> Any:
    """One ColumnStorage from several of the same class (rows of several shards in one batch)."""
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    tensors = {k: None if v is None else tensor_of(type(v), np.concatenate([np.asarray(p.tensor_columns[k])
                                                                             for p in parts]))
               for k, v in first.tensor_columns.items()}
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


__all__ = ["any_column", "concat", "copy_rows", "docvec_from_proto", "docvec_from_wire", "take_from", "tensor_of"]
