"""Arrow columns of Spark rows <-> the Python values DocArray documents hold, one converter per field.

A converter is compiled once per (Spark field, declared field) on the driver, shipped to the executors
with the job, and then converts whole Arrow columns: tensor payloads move as one numpy buffer per
column, never element by element. The Spark shapes are the connector's (the project's
``docs/docarray-format.md``, §10): nested documents are structs, DocLists arrays of structs, tensors
``struct<shape, data>`` (typed; ``struct<dtype, shape, data>`` when documents disagree on dtype) or
``struct<dtype, shape, buffer>`` (binary), untyped containers JSON strings of DocArray's node form.
"""
from __future__ import annotations

import base64
import gc
import json
import math
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import numpy as np
import pyarrow as pa
from pyspark.sql import types as T

from . import _classes as C
from . import _pydantic as P
from .errors import PreprocessingError, SchemaMismatchError

KIND = "docarray.kind"
TAG = "docarray.tag"
DTYPE = "docarray.dtype"

# ------------------------------------------------------------------------------------------ Spark types


def arrow_type(dt: T.DataType) -> pa.DataType:
    """The Arrow type Spark uses for a Spark type (what ``mapInArrow`` hands and expects)."""
    if isinstance(dt, T.StringType):
        return pa.string()
    if isinstance(dt, T.BinaryType):
        return pa.binary()
    if isinstance(dt, T.BooleanType):
        return pa.bool_()
    if isinstance(dt, T.ByteType):
        return pa.int8()
    if isinstance(dt, T.ShortType):
        return pa.int16()
    if isinstance(dt, T.IntegerType):
        return pa.int32()
    if isinstance(dt, T.LongType):
        return pa.int64()
    if isinstance(dt, T.FloatType):
        return pa.float32()
    if isinstance(dt, T.DoubleType):
        return pa.float64()
    if isinstance(dt, T.DecimalType):
        return pa.decimal128(dt.precision, dt.scale)
    if isinstance(dt, T.DateType):
        return pa.date32()
    if isinstance(dt, T.TimestampType):
        return pa.timestamp("us", tz="UTC")
    if isinstance(dt, T.ArrayType):
        return pa.list_(pa.field("element", arrow_type(dt.elementType), nullable=dt.containsNull))
    if isinstance(dt, T.MapType):
        return pa.map_(arrow_type(dt.keyType), arrow_type(dt.valueType))
    if isinstance(dt, T.StructType):
        return pa.struct([pa.field(f.name, arrow_type(f.dataType), nullable=f.nullable) for f in dt.fields])
    if isinstance(dt, T.UserDefinedType):
        return arrow_type(dt.sqlType())
    raise SchemaMismatchError(f"docarray_spark cannot convert Spark type {dt.simpleString()}")


def is_tensor_struct(dt: T.DataType) -> bool:
    """A typed ``struct<shape, data>`` (``struct<dtype, shape, data>`` when documents disagree on dtype) or binary
    ``struct<dtype, shape, buffer>`` tensor (or a subset)."""
    if not isinstance(dt, T.StructType) or not dt.fields:
        return False
    names = {f.name for f in dt.fields}
    return (names <= {"dtype", "shape", "data"} and "data" in names) or \
        (names <= {"dtype", "shape", "buffer"} and "buffer" in names)


_NP_OF_SPARK = {T.FloatType: np.float32, T.DoubleType: np.float64, T.ByteType: np.int8, T.ShortType: np.int16,
                T.IntegerType: np.int32, T.LongType: np.int64, T.BooleanType: np.bool_}


def numpy_element(dt: T.DataType) -> np.dtype:
    """The numpy dtype of a typed tensor's Spark element type."""
    for k, v in _NP_OF_SPARK.items():
        if isinstance(dt, k):
            return np.dtype(v)
    if isinstance(dt, T.DecimalType):
        return np.dtype(np.uint64)
    raise SchemaMismatchError(f"not a tensor element type: {dt.simpleString()}")


def spark_element(dtype: np.dtype) -> T.DataType:
    """The Spark element type that holds a numpy dtype exactly (the reader's mapping)."""
    d = np.dtype(dtype)
    if d.kind == "b":
        return T.BooleanType()
    if d.kind == "f":
        return T.DoubleType() if d.itemsize == 8 else T.FloatType()
    if d.kind == "i":
        return {1: T.ByteType(), 2: T.ShortType(), 4: T.IntegerType()}.get(d.itemsize, T.LongType())
    if d.kind == "u":
        return {1: T.ShortType(), 2: T.IntegerType(), 4: T.LongType()}.get(d.itemsize, T.DecimalType(20, 0))
    raise SchemaMismatchError(f"a {d} tensor has no typed Spark column: read and write it with tensorMode=binary")


def typed_tensor_type(element: T.DataType) -> T.StructType:
    return T.StructType([T.StructField("shape", T.ArrayType(T.IntegerType(), False)),
                         T.StructField("data", T.ArrayType(element, False))])


# ------------------------------------------------------------------------------------------ values


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Python's cyclic collector paused while a batch's values are built: tens of thousands of young objects
    that survive the batch make the collector walk them again and again (measured: 2.5x the cost of building
    documents). Nothing is leaked: the collector runs again as soon as the batch is out."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()



def to_numpy(v: Any) -> np.ndarray:
    """A tensor-like value (NdArray, TorchTensor, numpy, torch, TF, JAX, nested lists) as a numpy array."""
    if isinstance(v, np.ndarray):
        return np.asarray(v)
    mod = type(v).__module__
    if hasattr(v, "detach") and hasattr(v, "cpu"):  # torch
        return v.detach().cpu().numpy()
    if hasattr(v, "_docarray_to_ndarray"):
        return v._docarray_to_ndarray()
    if mod.startswith(("tensorflow", "jax")) and hasattr(v, "numpy"):
        return np.asarray(v.numpy() if callable(v.numpy) else v)
    return np.asarray(v)


def is_tensor_value(v: Any) -> bool:
    from docarray.typing.tensor.abstract_tensor import AbstractTensor

    return isinstance(v, (np.ndarray, AbstractTensor)) or (hasattr(v, "detach") and hasattr(v, "shape"))


class Owners:
    """Which document (its id) each value of a column belongs to, for error messages."""

    def __init__(self, ids: Sequence[Any], index: Optional[Sequence[int]] = None, paths: Optional[Sequence[str]] = None):
        self.ids = ids
        self.index = index
        self.paths = paths

    def id_of(self, i: int) -> Any:
        return self.ids[self.index[i] if self.index is not None else i]

    def path_of(self, i: int, path: str) -> str:
        return self.paths[i] if self.paths is not None else path

    def expand(self, counts: Sequence[int], path: str) -> "Owners":
        index, paths = [], []
        for i, n in enumerate(counts):
            base = self.index[i] if self.index is not None else i
            p = self.path_of(i, path)
            index.extend([base] * n)
            paths.extend(f"{p}[{k}]" for k in range(n))
        return Owners(self.ids, index, paths)


def _wrong(path: str, owners: Owners, i: int, message: str) -> PreprocessingError:
    where = owners.path_of(i, path)
    return PreprocessingError((f"'{where}' of document" if where else "document") + f" id={owners.id_of(i)!r}: {message}")


# ------------------------------------------------------------------------------------------ converters


class Conv:
    """Converts one Spark field's Arrow column to Python values and back."""

    spark_type: T.DataType

    @property
    def arrow(self) -> pa.DataType:
        return arrow_type(self.spark_type)

    def to_py(self, arr: pa.Array) -> List[Any]:
        raise NotImplementedError

    def to_arrow(self, values: Sequence[Any], path: str, owners: Owners) -> pa.Array:
        raise NotImplementedError


class ScalarConv(Conv):
    def __init__(self, spark_type: T.DataType, declared: C.Declared):
        self.spark_type = spark_type
        self.declared = declared
        self._kind = _scalar_kind(spark_type)

    def to_py(self, arr):
        return arr.to_pylist()

    def to_arrow(self, values, path, owners):
        kind = self._kind
        for i, v in enumerate(values):
            if v is None:
                continue
            ok = (kind == "str" and isinstance(v, str)) or (kind == "bytes" and isinstance(v, (bytes, bytearray))) or \
                 (kind == "bool" and isinstance(v, (bool, np.bool_))) or \
                 (kind == "int" and isinstance(v, (int, np.integer)) and not isinstance(v, bool)) or \
                 (kind == "float" and isinstance(v, (float, int, np.floating, np.integer)) and not isinstance(v, bool)) or \
                 kind == "other"
            if not ok:
                raise _wrong(path, owners, i, f"a {type(v).__name__} where the column holds "
                             f"{self.spark_type.simpleString()} ({_want(kind)})")
        try:
            return pa.array(values, type=self.arrow)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            for i, v in enumerate(values):
                try:
                    pa.array([v], type=self.arrow)
                except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as e1:
                    raise _wrong(path, owners, i, f"{v!r} does not fit {self.spark_type.simpleString()}: {e1}") from e1
            raise


def _scalar_kind(dt: T.DataType) -> str:
    if isinstance(dt, T.StringType):
        return "str"
    if isinstance(dt, T.BinaryType):
        return "bytes"
    if isinstance(dt, T.BooleanType):
        return "bool"
    if isinstance(dt, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return "int"
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        return "float"
    return "other"


def _want(kind: str) -> str:
    return {"str": "str", "bytes": "bytes", "bool": "bool", "int": "int", "float": "float"}.get(kind, "a value")


class NullOnlyConv(Conv):
    """A column the reader saw only None in (typed as string) for a field declared as something else."""

    def __init__(self, spark_type: T.DataType, declared: C.Declared, path: str):
        self.spark_type = spark_type
        self.declared = declared
        self.path = path

    def to_py(self, arr):
        if arr.null_count != len(arr):
            raise SchemaMismatchError(
                f"Field '{self.path}' is declared {C.describe(self.declared)} but the column is "
                f"{self.spark_type.simpleString()} with values in it")
        return [None] * len(arr)

    def to_arrow(self, values, path, owners):
        for i, v in enumerate(values):
            if v is not None:
                raise _wrong(path, owners, i, f"a {type(v).__name__} where the column is {self.spark_type.simpleString()}, "
                             "which held only None when its type was decided (pass schema=... to preprocess, or "
                             "let the first documents set it)")
        return pa.nulls(len(values), type=self.arrow)


class TensorConv(Conv):
    def __init__(self, field: T.StructField, declared: C.Declared):
        self.spark_type = field.dataType
        self.declared = declared
        names = [f.name for f in field.dataType.fields]
        self.binary = "buffer" in names
        #: typed values with each document's own dtype beside them (a column whose documents disagree on dtype)
        self.row_dtypes = not self.binary and "dtype" in names
        self.names = names
        md = field.metadata or {}
        self.tag = md.get(TAG)
        self.dtype = np.dtype(md[DTYPE]) if md.get(DTYPE) and not self.binary else None
        if not self.binary and "data" in names:
            self.element = numpy_element(field.dataType["data"].dataType.elementType)
            if self.dtype is None:
                self.dtype = self.element
        classes = C.tensor_tag_classes()
        if self.tag in classes:
            self.cls = classes[self.tag]
        elif declared.kind == C.TENSOR and declared.cls is not None and not declared.union:
            self.cls = declared.cls
        else:
            from docarray.typing import NdArray

            self.cls = NdArray

    def arrays(self, arr: pa.Array) -> List[Optional[np.ndarray]]:
        """The column's tensors as numpy arrays (views of one writable buffer), None for nulls."""
        n = len(arr)
        if n == 0:
            return []
        children = dict(zip(self.names, arr.flatten()))
        valid = _valid(arr)
        shapes = children["shape"].to_pylist() if "shape" in children else [None] * n
        out: List[Optional[np.ndarray]] = []
        if self.binary:
            dtypes = children["dtype"].to_pylist()
            bufs = children["buffer"].to_pylist()
            for i in range(n):
                if not valid[i] or bufs[i] is None:
                    out.append(None)
                    continue
                a = np.frombuffer(bufs[i], dtype=np.dtype(dtypes[i])).copy()
                out.append(a.reshape(shapes[i]) if shapes[i] is not None else a)
            return out
        stacked = self.stacked(arr)
        if stacked is not None and stacked.ndim > 1:  # every row present, one shape: views of one [n, ...] array
            return list(stacked)
        row_dtypes = children["dtype"].to_pylist() if self.row_dtypes else None
        data = children["data"]
        valid = valid & _valid(data)
        offsets = np.asarray(data.offsets)
        offsets = offsets - offsets[0]
        flat = self._flat(data)
        for i in range(n):
            if not valid[i]:
                out.append(None)
                continue
            a = flat[offsets[i]:offsets[i + 1]]
            if a.size == 0 and shapes[i]:
                # DocArray loads a tensor without bytes as np.zeros(shape): float64, whatever dtype was written
                out.append(np.zeros(shapes[i]))
                continue
            a = a.reshape(shapes[i]) if shapes[i] is not None else a
            if row_dtypes is not None and row_dtypes[i] is not None and np.dtype(row_dtypes[i]) != a.dtype:
                a = a.astype(np.dtype(row_dtypes[i]))  # exact: the column's type holds every row's values
            out.append(a)
        return out

    def _flat(self, data: pa.Array) -> np.ndarray:
        """The column's elements as one writable numpy array of the column's dtype."""
        flat = data.flatten().to_numpy(zero_copy_only=False)
        return flat.astype(self.dtype) if flat.dtype != self.dtype else np.array(flat, copy=True)

    def stacked(self, arr: pa.Array) -> Optional[np.ndarray]:
        """The whole column as one ``[n, *shape]`` array when every row holds a tensor of one shape (and bytes),
        without a Python step per row; None otherwise (nulls, ragged shapes, binary tensors)."""
        if self.binary or self.row_dtypes or "shape" not in self.names or len(arr) == 0 or arr.null_count:
            return None
        children = dict(zip(self.names, arr.flatten()))
        shape_arr, data = children["shape"], children["data"]
        if shape_arr.null_count or data.null_count:
            return None
        n = len(arr)
        s_off = np.asarray(shape_arr.offsets)
        rank = int(s_off[1] - s_off[0])
        if not np.all(np.diff(s_off) == rank):
            return None
        dims = shape_arr.flatten().to_numpy(zero_copy_only=False).reshape(n, rank)
        if n > 1 and not (dims == dims[0]).all():
            return None
        shape = tuple(int(x) for x in dims[0])
        size = int(np.prod(shape)) if shape else 1
        if size == 0:
            return None  # DocArray's float64 zeros for byte-less tensors: the per-row path
        d_off = np.asarray(data.offsets)
        if not np.all(np.diff(d_off) == size):
            return None
        return self._flat(data).reshape((n,) + shape)

    def to_py(self, arr):
        cls = self.cls
        return [None if a is None else cls._docarray_from_ndarray(a) for a in self.arrays(arr)]

    def to_arrow(self, values, path, owners):
        n = len(values)
        mask = np.zeros(n, dtype=bool)
        arrays: List[Optional[np.ndarray]] = []
        for i, v in enumerate(values):
            if v is None:
                mask[i] = True
                arrays.append(None)
                continue
            if not is_tensor_value(v):
                raise _wrong(path, owners, i, f"a {type(v).__name__} where the column holds tensors")
            arrays.append(to_numpy(v))
        shapes = [None if a is None else list(a.shape) for a in arrays]
        children = []
        for name in self.names:
            if name == "shape":
                children.append(pa.array(shapes, type=pa.list_(pa.field("element", pa.int32(), False))))
            elif name == "dtype":
                children.append(pa.array([None if a is None else a.dtype.str for a in arrays], type=pa.string()))
            elif name == "buffer":
                children.append(pa.array([None if a is None else np.ascontiguousarray(a).tobytes() for a in arrays],
                                         type=pa.binary()))
            else:
                children.append(self._data(arrays, path, owners))
        fields = [pa.field(f.name, arrow_type(f.dataType), f.nullable) for f in self.spark_type.fields]
        return pa.StructArray.from_arrays(children, fields=fields, mask=pa.array(mask))

    def stacked_to_arrow(self, stacked: np.ndarray, path: str, owners: Owners) -> pa.Array:
        """A ``[n, *shape]`` array (a DocVec's tensor column) as the column, without a Python step per row."""
        n = stacked.shape[0]
        shape = [int(x) for x in stacked.shape[1:]]
        size = int(np.prod(shape)) if shape else 1
        flat = np.ascontiguousarray(stacked).reshape(-1)
        if not self.binary and flat.dtype != self.element:
            if not np.can_cast(flat.dtype, self.element, "safe"):
                raise _wrong(path, owners, 0, f"a {flat.dtype} tensor where the column holds {self.element} tensors "
                             f"(decided from the first documents); return {self.element} or pass schema=...")
            flat = flat.astype(self.element)
        children = []
        for name in self.names:
            if name == "shape":
                dims = pa.array(np.tile(np.asarray(shape, dtype=np.int32), n))
                offsets = pa.array(np.arange(n + 1, dtype=np.int32) * len(shape))
                children.append(pa.ListArray.from_arrays(offsets, dims).cast(
                    pa.list_(pa.field("element", pa.int32(), False))))
            elif name == "dtype":
                children.append(pa.array([flat.dtype.str] * n, type=pa.string()))
            elif name == "buffer":
                offsets = np.arange(n + 1, dtype=np.int64) * size * flat.dtype.itemsize
                if offsets[-1] >= 2 ** 31:
                    return self.to_arrow(list(stacked), path, owners)
                children.append(pa.BinaryArray.from_buffers(pa.binary(), n, [
                    None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(flat.view(np.uint8))]))
            else:
                if self.element == np.uint64:
                    return self.to_arrow(list(stacked), path, owners)
                values = pa.array(flat)
                offsets = pa.array(np.arange(n + 1, dtype=np.int32) * size)
                children.append(pa.ListArray.from_arrays(offsets, values).cast(
                    pa.list_(pa.field("element", values.type, False))))
        fields = [pa.field(f.name, arrow_type(f.dataType), f.nullable) for f in self.spark_type.fields]
        return pa.StructArray.from_arrays(children, fields=fields)

    def _data(self, arrays, path, owners) -> pa.Array:
        target = self.element
        counts = np.zeros(len(arrays) + 1, dtype=np.int32)
        parts = []
        for i, a in enumerate(arrays):
            if a is None:
                continue
            if a.dtype != target and not np.can_cast(a.dtype, target, "safe"):
                raise _wrong(path, owners, i, f"a {a.dtype} tensor where the column holds {target} tensors "
                             f"(decided from the first documents); return {target} or pass schema=...")
            parts.append(a.reshape(-1))
            counts[i + 1] = a.size
        offsets = np.cumsum(counts, dtype=np.int32)
        flat = np.concatenate(parts).astype(target, copy=False) if parts else np.zeros(0, dtype=target)
        values = pa.array(flat) if target != np.uint64 else pa.array([int(x) for x in flat], type=pa.decimal128(20, 0))
        mask = pa.array([a is None for a in arrays])
        return pa.ListArray.from_arrays(pa.array(offsets), values, mask=mask).cast(
            pa.list_(pa.field("element", values.type, False)))


class DocConv(Conv):
    def __init__(self, spark_type: T.StructType, cls: Any, children: Dict[str, Conv], declared: Dict[str, C.Declared]):
        self.spark_type = spark_type
        self.cls = cls
        self.children = children
        self.declared = declared

    def to_py(self, arr):
        n = len(arr)
        valid = _valid(arr)
        columns = {}
        for f, child in zip(self.spark_type.fields, arr.flatten()):
            if f.name in self.children and f.name in self.declared:
                columns[f.name] = self.children[f.name].to_py(child)
        names = list(columns)
        optional = {k: self.declared[k].optional for k in names}
        cls = self.cls
        out = []
        for i in range(n):
            if not valid[i]:
                out.append(None)
                continue
            kw = {}
            for k in names:
                v = columns[k][i]
                if v is not None or optional[k]:
                    kw[k] = v
            out.append(cls(**kw))
        return out

    def to_arrow(self, values, path, owners):
        from docarray import BaseDoc

        untyped = self.cls is _dict_doc
        for i, v in enumerate(values):
            if v is not None and not isinstance(v, dict if untyped else BaseDoc):
                raise _wrong(path, owners, i, f"a {type(v).__name__} where the column holds documents")
        children = []
        for f in self.spark_type.fields:
            if untyped:
                column = [None if v is None else v.get(f.name) for v in values]
            else:
                column = [None if v is None else getattr(v, f.name, None) for v in values]
            children.append(self.children[f.name].to_arrow(column, f"{path}.{f.name}" if path else f.name, owners))
        fields = [pa.field(f.name, arrow_type(f.dataType), f.nullable) for f in self.spark_type.fields]
        return pa.StructArray.from_arrays(children, fields=fields, mask=pa.array([v is None for v in values], pa.bool_()))


class ListConv(Conv):
    """``array<X>``: a DocList (elements are documents) or a list/tuple/set of values."""

    def __init__(self, spark_type: T.ArrayType, element: Conv, container: Callable[[List[Any]], Any]):
        self.spark_type = spark_type
        self.element = element
        self.container = container

    def to_py(self, arr):
        valid = _valid(arr)
        offsets = np.asarray(arr.offsets)
        offsets = offsets - offsets[0]
        flat = self.element.to_py(arr.flatten())
        make = self.container
        return [make(flat[offsets[i]:offsets[i + 1]]) if valid[i] else None for i in range(len(arr))]

    def to_arrow(self, values, path, owners):
        flat, counts = [], []
        for i, v in enumerate(values):
            if v is None:
                counts.append(0)
                continue
            if isinstance(v, (str, bytes, dict)) or not hasattr(v, "__iter__"):
                raise _wrong(path, owners, i, f"a {type(v).__name__} where the column holds lists")
            items = list(v)
            flat.extend(items)
            counts.append(len(items))
        child = self.element.to_arrow(flat, path, owners.expand(counts, path))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        mask = pa.array([v is None for v in values], pa.bool_())
        out = pa.ListArray.from_arrays(pa.array(offsets), child, mask=mask)
        return out.cast(self.arrow) if out.type != self.arrow else out


class MapConv(Conv):
    def __init__(self, spark_type: T.MapType, key: Conv, value: Conv):
        self.spark_type = spark_type
        self.key = key
        self.value = value

    def to_py(self, arr):
        valid = _valid(arr)
        offsets = np.asarray(arr.offsets)
        offsets = offsets - offsets[0]
        keys = self.key.to_py(arr.keys)
        items = self.value.to_py(arr.items)
        return [dict(zip(keys[offsets[i]:offsets[i + 1]], items[offsets[i]:offsets[i + 1]])) if valid[i] else None
                for i in range(len(arr))]

    def to_arrow(self, values, path, owners):
        keys, items, counts = [], [], []
        for i, v in enumerate(values):
            if v is None:
                counts.append(0)
                continue
            if not isinstance(v, dict):
                raise _wrong(path, owners, i, f"a {type(v).__name__} where the column holds dicts")
            keys.extend(v.keys())
            items.extend(v.values())
            counts.append(len(v))
        inner = owners.expand(counts, path)
        k = self.key.to_arrow(keys, path, inner)
        it = self.value.to_arrow(items, path, inner)
        offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
        out = pa.MapArray.from_arrays(offsets, k, it)
        if any(v is None for v in values):
            # MapArray.from_arrays has no mask: rebuild with validity through Python for the rare null map
            py = out.to_pylist()
            out = pa.array([None if v is None else py[i] for i, v in enumerate(values)], type=out.type)
        return out


class JsonConv(Conv):
    """A string column holding DocArray's node form as JSON (untyped list/dict/tuple/set, Any)."""

    def __init__(self, spark_type: T.DataType):
        self.spark_type = spark_type

    def to_py(self, arr):
        return [None if s is None else node_to_py(json.loads(s)) for s in arr.to_pylist()]

    def to_arrow(self, values, path, owners):
        out = []
        for i, v in enumerate(values):
            if v is None:
                out.append(None)
                continue
            try:
                out.append(json.dumps(py_to_node(v), separators=(",", ":"), allow_nan=False))
            except (TypeError, ValueError) as e:
                raise _wrong(path, owners, i, str(e)) from e
        return pa.array(out, type=pa.string())


def _valid(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


# ------------------------------------------------------------------------------------------ node form


def _float_from_node(x: Any) -> float:
    return float(x) if not isinstance(x, str) else {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[x]


def node_to_py(node: Any) -> Any:
    """DocArray's node form (as the reader writes untyped values) to the Python value DocArray holds."""
    if node is None:
        return None
    if "text" in node:
        return node["text"]
    if "integer" in node:
        return int(node["integer"])
    if "float" in node:
        return _float_from_node(node["float"])
    if "boolean" in node:
        return bool(node["boolean"])
    if "blob_b64" in node:
        return base64.b64decode(node["blob_b64"])
    for key in ("ndarray", "torch", "tensorflow", "jax"):
        if key in node:
            t = node[key]
            values = [_float_from_node(x) if isinstance(x, str) else x for x in t["values"]]
            a = np.array(values, dtype=np.dtype(t["dtype"])).reshape(t["shape"])
            cls = C.tensor_tag_classes().get(node.get("type", "ndarray"))
            return cls._docarray_from_ndarray(a) if cls is not None else a
    if "doc" in node:
        return {k: node_to_py(v) for k, v in node["doc"].items()}
    if "doc_array" in node:
        return [node_to_py({"doc": d} if d is not None and "doc" not in d else d) for d in node["doc_array"]]
    if "list" in node:
        return [node_to_py(x) for x in node["list"]]
    if "tuple" in node:
        return tuple(node_to_py(x) for x in node["tuple"])
    if "set" in node:
        return set(node_to_py(x) for x in node["set"])
    if "dict" in node:
        return {k: node_to_py(v) for k, v in node["dict"].items()}
    raise ValueError(f"not a DocArray node: {node!r}")


def _float_to_node(x: float) -> Any:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def py_to_node(v: Any) -> Any:
    """A Python value to DocArray's node form (the inverse of :func:`node_to_py`)."""
    from docarray import BaseDoc
    from docarray.array.any_array import AnyDocArray

    if v is None:
        return None
    tag = C.proto_tag(v)
    if isinstance(v, (bool, np.bool_)):
        return {"boolean": bool(v)}
    if isinstance(v, (int, np.integer)):
        return {"integer": int(v)}
    if isinstance(v, (float, np.floating)):
        return {"float": _float_to_node(float(v))}
    if isinstance(v, str):
        return {"text": str(v), "type": tag} if tag else {"text": str(v)}
    if isinstance(v, (bytes, bytearray)):
        node = {"blob_b64": base64.b64encode(bytes(v)).decode("ascii")}
        return dict(node, type=tag) if tag else node
    if is_tensor_value(v):
        a = to_numpy(v)
        values = [_float_to_node(x) if isinstance(x, float) else x for x in a.reshape(-1).tolist()]
        return {"ndarray": {"dtype": a.dtype.str, "shape": list(a.shape), "values": values}, "type": tag or "ndarray"}
    if isinstance(v, BaseDoc):
        return {"doc": {k: py_to_node(getattr(v, k)) for k in P.field_names(v)}}
    if isinstance(v, AnyDocArray):
        return {"doc_array": [py_to_node(d)["doc"] for d in v]}
    if isinstance(v, dict):
        return {"dict": {str(k): py_to_node(x) for k, x in v.items()}}
    if isinstance(v, tuple):
        return {"tuple": [py_to_node(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {"set": [py_to_node(x) for x in v]}
    if isinstance(v, list):
        return {"list": [py_to_node(x) for x in v]}
    raise TypeError(f"a {type(v).__name__} cannot be stored in a DocArray document")


# ------------------------------------------------------------------------------------------ compiling


def _container(kind: Optional[str], declared: C.Declared) -> Callable[[List[Any]], Any]:
    k = declared.kind if declared.kind in (C.TUPLE, C.SET) else kind
    if k in ("tuple", C.TUPLE):
        return tuple
    if k in ("set", C.SET):
        return set
    return list


def compile_field(field: T.StructField, declared: C.Declared, path: str) -> Conv:
    """The converter of one Spark field for a declared field; refuses what cannot match, naming both types."""
    dt = field.dataType
    md = field.metadata or {}

    def mismatch() -> SchemaMismatchError:
        return SchemaMismatchError(
            f"Field '{path}' is declared {C.describe(declared)} in the document class but the DataFrame's column is "
            f"{dt.simpleString()}")

    if declared.kind == C.ANY:
        return compile_untyped(field, path)
    if isinstance(dt, T.StringType) and md.get(KIND) == "json":
        # DocArray's node form: the values are what DocArray decodes from the node (a list for a Mesh3D's
        # default embedding), and the document class validates them as it does when DocArray loads the file
        return JsonConv(dt)
    if isinstance(dt, T.StringType) and declared.kind != C.STR:
        if declared.kind in (C.LIST, C.TUPLE, C.SET, C.DICT):
            return JsonConv(dt)
        return NullOnlyConv(dt, declared, path)
    if declared.kind == C.TENSOR:
        if not is_tensor_struct(dt):
            raise mismatch()
        return TensorConv(field, declared)
    if declared.kind == C.DOC:
        if not isinstance(dt, T.StructType) or is_tensor_struct(dt):
            raise mismatch()
        return compile_doc(dt, declared.cls, path)
    if declared.kind == C.DOCLIST:
        if not isinstance(dt, T.ArrayType) or not isinstance(dt.elementType, T.StructType):
            raise mismatch()
        element = compile_doc(dt.elementType, declared.element.cls, path)
        doclist_cls = declared.cls if hasattr(declared.cls, "doc_type") else None
        from docarray import DocList

        make = DocList.__class_getitem__(declared.element.cls)
        return ListConv(dt, element, make if doclist_cls is None or "DocVec" not in doclist_cls.__name__
                        else lambda docs: make(docs).to_doc_vec() if len(docs) else make(docs))
    if declared.kind in (C.LIST, C.TUPLE, C.SET):
        if isinstance(dt, T.StringType):
            return JsonConv(dt)
        if not isinstance(dt, T.ArrayType):
            raise mismatch()
        element = compile_field(T.StructField("element", dt.elementType, True), declared.element or C.ANY_DECL,
                                path + "[]")
        return ListConv(dt, element, _container(md.get(KIND), declared))
    if declared.kind == C.DICT:
        if isinstance(dt, T.StringType):
            return JsonConv(dt)
        if not isinstance(dt, T.MapType):
            raise mismatch()
        return MapConv(dt, ScalarConv(dt.keyType, C.Declared(C.STR, str)),
                       compile_field(T.StructField("value", dt.valueType, True), declared.element or C.ANY_DECL,
                                     path + "[]"))
    want = {C.STR: (T.StringType,), C.BYTES: (T.BinaryType,), C.BOOL: (T.BooleanType,),
            C.INT: (T.ByteType, T.ShortType, T.IntegerType, T.LongType),
            C.FLOAT: (T.FloatType, T.DoubleType, T.IntegerType, T.LongType)}[declared.kind]
    if not isinstance(dt, want):
        raise mismatch()
    return ScalarConv(dt, declared)


def compile_untyped(field: T.StructField, path: str) -> Conv:
    """A converter from the Spark type alone (an ``Any`` field, or a column outside the class)."""
    dt = field.dataType
    md = field.metadata or {}
    if is_tensor_struct(dt):
        return TensorConv(field, C.Declared(C.TENSOR, None, union=True))
    if isinstance(dt, T.StringType) and md.get(KIND) == "json":
        return JsonConv(dt)
    if isinstance(dt, T.StructType):
        children = {f.name: compile_untyped(f, f"{path}.{f.name}") for f in dt.fields}
        return DocConv(dt, _dict_doc, children, {f.name: C.ANY_DECL for f in dt.fields})
    if isinstance(dt, T.ArrayType):
        return ListConv(dt, compile_untyped(T.StructField("element", dt.elementType, True), path + "[]"),
                        _container(md.get(KIND), C.ANY_DECL))
    if isinstance(dt, T.MapType):
        return MapConv(dt, compile_untyped(T.StructField("key", dt.keyType, False), path),
                       compile_untyped(T.StructField("value", dt.valueType, True), path + "[]"))
    return ScalarConv(dt, C.ANY_DECL)


def _dict_doc(**kw: Any) -> Dict[str, Any]:
    return kw


def compile_doc(st: T.StructType, cls: Any, path: str, *, strict: bool = False) -> DocConv:
    """The converter of a struct column for a document class. Columns the class does not declare are
    converted by their Spark types (and are not handed to the class); with ``strict`` they are refused."""
    declared = C.fields(cls)
    children: Dict[str, Conv] = {}
    for f in st.fields:
        p = f"{path}.{f.name}" if path else f.name
        if f.name in declared:
            children[f.name] = compile_field(f, declared[f.name], p)
        elif strict:
            raise SchemaMismatchError(
                f"Column '{p}' ({f.dataType.simpleString()}) is not a field of {cls.__name__}: declare it in the class "
                f"or drop the column first")
        else:
            children[f.name] = compile_untyped(f, p)
    return DocConv(st, cls, children, declared)
