"""Arrow columns <-> ``DocVec`` column storage, without a Python object per document.

A ``DocVec`` keeps one stacked tensor per tensor field, a nested ``DocVec`` per document field, a list of
``DocVec`` per DocList field and plain lists for the rest (``ColumnStorage``). Built from Arrow, a tensor
column is one reshape of the column's data buffer; written back, one concatenation.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import pyarrow as pa
from pyspark.sql import types as T

from . import _classes as C
from . import _pydantic as P
from ._codec import DocConv, ListConv, Owners, TensorConv, _valid, arrow_type, to_numpy
from .errors import DocArraySparkError


def _ids(columns: Dict[str, pa.Array], n: int) -> List[Any]:
    col = columns.get("id")
    return col.to_pylist() if col is not None and pa.types.is_string(col.type) else list(range(n))


class _LazyIds:
    """Document ids for error messages, converted from Arrow only when a message needs one."""

    def __init__(self, columns: Dict[str, pa.Array], n: int):
        self._columns, self._n, self._ids = columns, n, None

    def __getitem__(self, item: Any) -> Any:
        if self._ids is None:
            self._ids = _ids(self._columns, self._n)
        return self._ids[item]


def _none_error(cls: Any, name: str, path: str, ids: Sequence[Any], valid: np.ndarray) -> DocArraySparkError:
    bad = int(np.flatnonzero(~valid)[0])
    good = int(np.flatnonzero(valid)[0]) if valid.any() else None
    return DocArraySparkError(
        f"'{path}' is None for document id={ids[bad]!r}"
        + (f" but not for document id={ids[good]!r}" if good is not None else "")
        + f": a DocVec[{cls.__name__}] column is all None or none None. Filter those rows, fill the field, or "
        "declare a DocList instead of a DocVec")


def docvec_from_arrow(columns: Dict[str, pa.Array], schema: T.StructType, cls: Any, tensor_type: Any,
                      path: str = "", ids: Optional[Sequence[Any]] = None, n: Optional[int] = None):
    """A ``DocVec[cls]`` over Arrow columns (name -> array) of a Spark struct schema."""
    from docarray import DocVec
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    if n is None:
        n = len(next(iter(columns.values()))) if columns else 0
    if ids is None:
        ids = _LazyIds(columns, n)  # only error messages read them
    fields = {f.name: f for f in schema.fields}
    tensors: Dict[str, Any] = {}
    docs: Dict[str, Any] = {}
    doc_lists: Dict[str, Any] = {}
    anys: Dict[str, Any] = {}
    declared = C.fields(cls)
    for name, d in declared.items():
        p = f"{path}.{name}" if path else name
        arr = columns.get(name)
        if arr is None:
            anys_or = [P.default_of(cls, name) for _ in range(n)]
            if d.kind == C.TENSOR:
                tensors[name] = None
            elif d.kind == C.DOC:
                docs[name] = None
            elif d.kind == C.DOCLIST:
                doc_lists[name] = None
            else:
                anys[name] = ListAdvancedIndexing(anys_or)
            continue
        f = fields[name]
        valid = _valid(arr)
        if d.kind == C.TENSOR:
            if not valid.any():
                tensors[name] = None
                continue
            if not valid.all():
                raise _none_error(cls, name, p, ids, valid)
            conv = TensorConv(f, d)
            stacked = conv.stacked(arr)
            if stacked is None:  # ragged, binary or byte-less tensors: row by row, then stacked
                arrays = conv.arrays(arr)
                shape = arrays[0].shape
                for i, a in enumerate(arrays):
                    if a.shape != shape:
                        raise DocArraySparkError(
                            f"'{p}' has shape {list(a.shape)} in document id={ids[i]!r} but {list(shape)} in "
                            f"document id={ids[0]!r}: a DocVec stacks equally shaped tensors (use a DocList for "
                            "ragged ones)")
                stacked = np.stack(arrays)
            # as DocArray's DocVec: a union takes the DocVec's tensor type, and so does a subclass of it
            # (ImageNdArray in an NdArray DocVec); another declared class is kept
            col_cls = tensor_type if d.union or d.cls is None or C.safe_issubclass(d.cls, tensor_type) else d.cls
            tensors[name] = col_cls._docarray_from_ndarray(stacked)
        elif d.kind == C.DOC:
            if not valid.any():
                docs[name] = None
                continue
            if not valid.all():
                raise _none_error(cls, name, p, ids, valid)
            st = f.dataType
            docs[name] = docvec_from_arrow(dict(zip(st.names, arr.flatten())), st, d.cls, tensor_type, p, ids, n)
        elif d.kind == C.DOCLIST:
            if not valid.any():
                doc_lists[name] = None
                continue
            if not valid.all():
                raise _none_error(cls, name, p, ids, valid)
            st = f.dataType.elementType
            flat = arr.flatten()
            offsets = np.asarray(arr.offsets)
            offsets = offsets - offsets[0]
            children = dict(zip(st.names, flat.flatten()))
            inner_ids = _LazyIds(children, len(flat))
            rows = []
            for i in range(n):
                a, b = int(offsets[i]), int(offsets[i + 1])
                rows.append(docvec_from_arrow({k: v.slice(a, b - a) for k, v in children.items()}, st,
                                              d.element.cls, tensor_type, f"{p}[{i}]", inner_ids[a:b], b - a))
            doc_lists[name] = ListAdvancedIndexing(rows)
        else:
            from ._codec import compile_field

            values = compile_field(f, d, p).to_py(arr)
            anys[name] = ListAdvancedIndexing(_validated(cls, name, d, values))
    storage = ColumnStorage(tensors, docs, doc_lists, anys, tensor_type)
    dv = DocVec.__class_getitem__(cls).from_columns_storage(storage)
    dv._is_unusable = False
    return dv


def _validated(cls: Any, name: str, d: C.Declared, values: List[Any]) -> List[Any]:
    """Values as the document class would hold them (``ID``, URL types): what a DocVec of documents holds."""
    if d.kind not in (C.STR, C.BYTES) or d.cls in (str, bytes):
        return values
    from docarray.typing import ID

    if d.cls is ID:  # ID's validation is str(value) made an ID: do that without pydantic's per-value machinery
        return [None if v is None else ID(v) for v in values]
    validate = P.field_validator(cls, name)
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        try:
            out.append(validate(v))
        except ValueError as error:  # pydantic's ValidationError
            raise DocArraySparkError(f"'{name}': {v!r} is not a valid {d.cls.__name__}: {error}") from error
    return out


def docvec_to_arrow(dv: Any, conv: DocConv, path: str = "", owners: Optional[Owners] = None) -> pa.StructArray:
    """The Arrow struct column of a ``DocVec`` for a compiled document converter (the output schema)."""
    storage = dv._storage
    n = len(storage)
    if owners is None:
        owners = Owners(list(storage.any_columns["id"]) if "id" in storage.any_columns else list(range(n)))
    children = []
    for f in conv.spark_type.fields:
        child = conv.children[f.name]
        p = f"{path}.{f.name}" if path else f.name
        name = f.name
        if name in storage.tensor_columns:
            col = storage.tensor_columns[name]
            if col is not None and isinstance(child, TensorConv) and n:
                children.append(child.stacked_to_arrow(to_numpy(col), p, owners))
            else:
                children.append(child.to_arrow([None] * n if col is None else list(to_numpy(col)), p, owners))
        elif name in storage.doc_columns and isinstance(child, DocConv):
            col = storage.doc_columns[name]
            if col is None:
                children.append(pa.nulls(n, type=arrow_type(f.dataType)))
            else:
                children.append(docvec_to_arrow(col, child, p, owners))
        elif name in storage.docs_vec_columns and isinstance(child, ListConv) and isinstance(child.element, DocConv):
            col = storage.docs_vec_columns[name]
            if col is None:
                children.append(pa.nulls(n, type=arrow_type(f.dataType)))
                continue
            parts, counts = [], []
            for i, inner in enumerate(col):
                if inner is None:
                    counts.append(0)
                    continue
                counts.append(len(inner))
                parts.append(docvec_to_arrow(inner, child.element, f"{p}[{i}]", owners))
            el_type = arrow_type(f.dataType.elementType)
            flat = pa.concat_arrays(parts) if parts else pa.array([], type=el_type)
            offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
            children.append(pa.ListArray.from_arrays(offsets, flat, mask=pa.array([v is None for v in col])).cast(
                arrow_type(f.dataType)))
        elif name in storage.any_columns:
            children.append(child.to_arrow(list(storage.any_columns[name]), p, owners))
        else:
            children.append(pa.nulls(n, type=arrow_type(f.dataType)))
    fields = [pa.field(f.name, arrow_type(f.dataType), f.nullable) for f in conv.spark_type.fields]
    return pa.StructArray.from_arrays(children, fields=fields)


__all__ = ["docvec_from_arrow", "docvec_to_arrow"]
