"""The Spark type of Python values that documents hold, for the columns preprocessing produces.

A column keeps its input type (and metadata) when the new values still fit it; a column whose values
changed kind (text -> tensor, a new field, a float32 tensor now float64) gets the type the reader would
give such values: the same mapping as reading a DocArray file (tensors ``struct<shape, data>`` with
``docarray.kind/tag/dtype`` metadata, documents structs, DocLists arrays of structs).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from pyspark.sql import types as T

from . import _classes as C
from ._codec import DTYPE, KIND, TAG, is_tensor_struct, is_tensor_value, spark_element, to_numpy, typed_tensor_type
from .errors import PreprocessingError


def _meta(kind: str, tag: Optional[str] = None, dtype: Optional[str] = None) -> Dict[str, str]:
    md = {KIND: kind}
    if tag:
        md[TAG] = tag
    if dtype:
        md[DTYPE] = dtype
    return md


def _same_shape(a: T.DataType, b: T.DataType) -> bool:
    """Equal types, ignoring nullability and metadata."""
    if isinstance(a, T.StructType) and isinstance(b, T.StructType):
        return [f.name for f in a.fields] == [f.name for f in b.fields] and all(
            _same_shape(x.dataType, y.dataType) for x, y in zip(a.fields, b.fields))
    if isinstance(a, T.ArrayType) and isinstance(b, T.ArrayType):
        return _same_shape(a.elementType, b.elementType)
    if isinstance(a, T.MapType) and isinstance(b, T.MapType):
        return _same_shape(a.keyType, b.keyType) and _same_shape(a.valueType, b.valueType)
    return type(a) == type(b) and a == b


def infer_field(name: str, values: Sequence[Any], base: Optional[T.StructField], declared: C.Declared,
                path: str) -> T.StructField:
    """The Spark field for ``values`` of a column (``base``: the input column of that name, if any)."""
    present = [v for v in values if v is not None]
    if not present:
        return base if base is not None else default_field(name, declared)
    new = _infer(name, present, base, declared, path)
    if base is not None and _same_shape(base.dataType, new.dataType):
        md = dict(base.metadata or {})
        for k in (TAG, DTYPE):
            if k in (new.metadata or {}):
                md[k] = new.metadata[k]
        if md.get(KIND) == "tensor" and "comment" in md:
            md["comment"] = f"docarray tensor tag={md.get(TAG)} dtype={md.get(DTYPE)}"
        return T.StructField(name, base.dataType if not isinstance(base.dataType, T.StructType) else new.dataType,
                             True, md)
    return new


def _infer(name: str, present: List[Any], base: Optional[T.StructField], declared: C.Declared,
           path: str) -> T.StructField:
    from docarray import BaseDoc
    from docarray.array.any_array import AnyDocArray

    first = present[0]
    if all(is_tensor_value(v) for v in present):
        dtypes = {to_numpy(v).dtype for v in present}
        common = np.result_type(*dtypes)
        tags = {C.proto_tag(v) or ("torch_tensor" if hasattr(v, "detach") else "ndarray") for v in present}
        tag = tags.pop() if len(tags) == 1 else "ndarray"
        if base is not None and is_tensor_struct(base.dataType) and "buffer" in base.dataType.names:
            return T.StructField(name, base.dataType, True, dict(base.metadata or {}, **_meta("tensor", tag)))
        return T.StructField(name, typed_tensor_type(spark_element(common)), True,
                             _meta("tensor", tag, common.str if len(dtypes) == 1 else None))
    if all(isinstance(v, BaseDoc) for v in present):
        return T.StructField(name, _doc_struct(present, base.dataType if base is not None and isinstance(
            base.dataType, T.StructType) else None, path), True, _meta("doc"))
    if all(isinstance(v, AnyDocArray) for v in present):
        docs = [d for v in present for d in v]
        base_el = base.dataType.elementType if base is not None and isinstance(base.dataType, T.ArrayType) and \
            isinstance(base.dataType.elementType, T.StructType) else None
        if not docs:
            el = base_el if base_el is not None else _class_struct(getattr(present[0], "doc_type", None))
        else:
            el = _doc_struct(docs, base_el, path + "[]")
        return T.StructField(name, T.ArrayType(el, False), True, _meta("doc_array"))
    scalar = _scalar_type(present)
    if scalar is not None:
        dt, kind = scalar
        tags = {C.proto_tag(v) for v in present}
        tag = tags.pop() if len(tags) == 1 else None
        return T.StructField(name, dt, True, _meta(kind, tag))
    if all(isinstance(v, (list, tuple, set, frozenset)) for v in present):
        kind = "tuple" if isinstance(first, tuple) else "set" if isinstance(first, (set, frozenset)) else "list"
        items = [x for v in present for x in v]
        el = _scalar_type(items) if items and all(x is not None for x in items) else None
        if el is not None:
            return T.StructField(name, T.ArrayType(el[0], False), True, _meta(kind))
        if items and all(isinstance(x, BaseDoc) for x in items):
            return T.StructField(name, T.ArrayType(_doc_struct(items, None, path + "[]"), False), True, _meta(kind))
        if not items and base is not None and isinstance(base.dataType, T.ArrayType):
            return base
        return T.StructField(name, T.StringType(), True, _meta("json"))
    if all(isinstance(v, dict) for v in present):
        keys_ok = all(isinstance(k, str) for v in present for k in v)
        items = [x for v in present for x in v.values()]
        el = _scalar_type(items) if items and all(x is not None for x in items) else None
        if keys_ok and el is not None:
            return T.StructField(name, T.MapType(T.StringType(), el[0], False), True, _meta("dict"))
        return T.StructField(name, T.StringType(), True, _meta("json"))
    kinds = sorted({type(v).__name__ for v in present})
    raise PreprocessingError(f"'{path}' holds values of types {', '.join(kinds)}, which no one Spark column can hold")


def _scalar_type(values: Sequence[Any]):
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return T.BooleanType(), "boolean"
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in values):
        fits = all(-2 ** 31 <= int(v) < 2 ** 31 for v in values)
        return (T.IntegerType() if fits else T.LongType()), "integer"
    if all(isinstance(v, (float, np.floating)) for v in values):
        return T.DoubleType(), "float"
    if all(isinstance(v, str) for v in values):
        return T.StringType(), "text"
    if all(isinstance(v, (bytes, bytearray)) for v in values):
        return T.BinaryType(), "blob"
    return None


def _order(names: List[str]) -> List[str]:
    """The reader's column order for new structs: ``id`` first, then by name."""
    return sorted(names, key=lambda n: (n != "id", n))


def _doc_struct(docs: Sequence[Any], base: Optional[T.StructType], path: str) -> T.StructType:
    names: List[str] = []
    declared: Dict[str, C.Declared] = {}
    for d in docs:
        for n, decl in C.fields(type(d)).items():
            if n not in declared:
                declared[n] = decl
                names.append(n)
    base_fields = {f.name: f for f in base.fields} if base is not None else {}
    ordered = [f.name for f in base.fields if f.name in declared] if base is not None else []
    ordered += _order([n for n in names if n not in base_fields])
    out = []
    for n in ordered:
        values = [getattr(d, n, None) for d in docs]
        out.append(infer_field(n, values, base_fields.get(n), declared[n], f"{path}.{n}"))
    return T.StructType(out)


def _class_struct(cls: Any) -> T.StructType:
    if cls is None:
        return T.StructType([T.StructField("id", T.StringType(), True, _meta("text", "id"))])
    decl = C.fields(cls)
    return T.StructType([default_field(n, decl[n]) for n in _order(list(decl))])


def default_field(name: str, declared: C.Declared) -> T.StructField:
    """The column of a field no value has told the type of: what its declaration says."""
    k = declared.kind
    if k == C.TENSOR:
        return T.StructField(name, typed_tensor_type(T.FloatType()), True, _meta("tensor", "ndarray", "<f4"))
    if k == C.DOC:
        return T.StructField(name, _class_struct(declared.cls), True, _meta("doc"))
    if k == C.DOCLIST:
        return T.StructField(name, T.ArrayType(_class_struct(declared.element.cls), False), True, _meta("doc_array"))
    simple = {C.STR: (T.StringType(), "text"), C.INT: (T.IntegerType(), "integer"), C.FLOAT: (T.DoubleType(), "float"),
              C.BOOL: (T.BooleanType(), "boolean"), C.BYTES: (T.BinaryType(), "blob")}
    if k in simple:
        dt, kind = simple[k]
        tag = getattr(declared.cls, "_proto_type_name", None)
        return T.StructField(name, dt, True, _meta(kind, tag if isinstance(tag, str) else None))
    return T.StructField(name, T.StringType(), True, _meta("json"))
