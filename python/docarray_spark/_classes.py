"""What a DocArray document class declares, in the few kinds the conversions need.

Shared by everything that maps a class onto a Spark schema: conversions, preprocessing, checks.
"""
from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple, Type

from docarray import BaseDoc
from docarray.array.any_array import AnyDocArray
from docarray.typing.tensor.abstract_tensor import AbstractTensor
from docarray.utils._internal._typing import is_tensor_union, safe_issubclass

from . import _pydantic as P
from .errors import DocArraySparkError

# kinds of a declared field
TENSOR, DOC, DOCLIST, STR, INT, FLOAT, BOOL, BYTES, LIST, TUPLE, SET, DICT, ANY = (
    "tensor", "doc", "doclist", "str", "int", "float", "bool", "bytes", "list", "tuple", "set", "dict", "any")


@dataclass(frozen=True)
class Declared:
    """One field's declaration: its kind, the class behind it, and its element declaration if any."""

    kind: str
    cls: Any = None            # tensor class, document class, or the scalar type
    element: Optional["Declared"] = None   # list/tuple/set elements, dict values
    optional: bool = True      # may hold None
    union: bool = False        # a tensor union (AnyTensor, AnyEmbedding): the class comes from the data


ANY_DECL = Declared(ANY)


def doc_class(doc_type: Any) -> Type[BaseDoc]:
    """The document class of ``doc_type``: a BaseDoc subclass, or ``DocList[T]`` / ``DocVec[T]`` (gives T)."""
    if safe_issubclass(doc_type, AnyDocArray):
        inner = getattr(doc_type, "doc_type", None)
        if inner is None or not safe_issubclass(inner, BaseDoc) or inner is BaseDoc:
            raise DocArraySparkError(f"{doc_type} does not name a document class: use DocList[MyDoc]")
        return inner
    if not safe_issubclass(doc_type, BaseDoc):
        raise DocArraySparkError(f"doc_type must be a BaseDoc subclass or DocList[...]/DocVec[...], not {doc_type!r}")
    return doc_type


def fields(cls: Type[BaseDoc]) -> Dict[str, Declared]:
    """The declared fields of a document class, in the class's order."""
    out = {}
    for name in P.field_names(cls):
        d = declare(cls._get_field_annotation(name))
        out[name] = Declared(d.kind, d.cls, d.element, P.allows_none(cls, name), d.union)
    return out


def declare(annotation: Any) -> Declared:
    """The kind of a type annotation (Optional[X] is X)."""
    if annotation is Any or annotation is None or annotation is type(None):
        return ANY_DECL
    if is_tensor_union(annotation):
        return Declared(TENSOR, AbstractTensor, union=True)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union:
        rest = [a for a in args if a is not type(None)]
        return declare(rest[0]) if len(rest) == 1 else ANY_DECL
    if isinstance(annotation, type):
        if safe_issubclass(annotation, AbstractTensor):
            # AnyTensor / AnyEmbedding and friends are classes whose concrete type comes from the data
            union = annotation.__name__.startswith("Any") or annotation is AbstractTensor
            return Declared(TENSOR, annotation, union=union)
        if safe_issubclass(annotation, AnyDocArray):
            return Declared(DOCLIST, annotation, Declared(DOC, annotation.doc_type))
        if safe_issubclass(annotation, BaseDoc):
            return Declared(DOC, annotation)
        if safe_issubclass(annotation, bool):
            return Declared(BOOL, annotation)
        if safe_issubclass(annotation, int):
            return Declared(INT, annotation)
        if safe_issubclass(annotation, float):
            return Declared(FLOAT, annotation)
        if safe_issubclass(annotation, str):
            return Declared(STR, annotation)
        if safe_issubclass(annotation, bytes):
            return Declared(BYTES, annotation)
        if annotation in (list, tuple, set, frozenset, dict):
            kind = {list: LIST, tuple: TUPLE, set: SET, frozenset: SET, dict: DICT}[annotation]
            return Declared(kind, annotation, ANY_DECL)
        return ANY_DECL
    if origin in (list, typing.List, typing.Sequence) or origin is getattr(__import__("collections.abc").abc, "Sequence"):
        return Declared(LIST, list, declare(args[0]) if args else ANY_DECL)
    if origin is tuple:
        elems = [a for a in args if a is not Ellipsis]
        same = len(set(elems)) == 1
        return Declared(TUPLE, tuple, declare(elems[0]) if elems and same else ANY_DECL)
    if origin in (set, frozenset):
        return Declared(SET, set, declare(args[0]) if args else ANY_DECL)
    if origin is dict:
        return Declared(DICT, dict, declare(args[1]) if len(args) == 2 else ANY_DECL)
    return ANY_DECL


def describe(d: Declared) -> str:
    """A declaration in words, for error messages."""
    if d.kind in (TENSOR, DOC, DOCLIST) and d.cls is not None:
        return getattr(d.cls, "__name__", str(d.cls))
    if d.kind in (LIST, TUPLE, SET) and d.element is not None:
        return f"{d.kind}[{describe(d.element)}]"
    if d.kind == DICT and d.element is not None:
        return f"dict[str, {describe(d.element)}]"
    if d.kind in (STR, INT, FLOAT, BOOL, BYTES) and d.cls is not None:
        return d.cls.__name__
    return "Any"


def tensor_tag_classes() -> Dict[str, Type[AbstractTensor]]:
    """DocArray's registry of tensor classes by the tag it writes on the wire (``ndarray``, ``torch_tensor``...)."""
    from docarray.base_doc.mixins.io import _PROTO_TYPE_NAME_TO_CLASS

    return {k: v for k, v in _PROTO_TYPE_NAME_TO_CLASS.items() if safe_issubclass(v, AbstractTensor)}


def proto_tag(value: Any) -> Optional[str]:
    """The tag DocArray writes for a value's class (``id``, ``image_url``, ``ndarray_embedding``), if any."""
    tag = getattr(type(value), "_proto_type_name", None)
    return tag if isinstance(tag, str) else None


def split_path(path: str) -> Tuple[str, ...]:
    """``'thesis.title'`` -> ``('thesis', 'title')``; ``''`` (the whole document) -> ``()``."""
    return tuple(path.split(".")) if path else ()
