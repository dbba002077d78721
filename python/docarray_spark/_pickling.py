"""Document classes made at run time travel to Python workers in other processes.

PySpark ships functions and the classes they use with cloudpickle. A class that workers cannot import
(defined in a notebook cell, in ``__main__``, inside a function, or made by ``DocList[Student]`` /
``NdArray[4]``) is pickled by value, and cloudpickle's copy of a pydantic model's internals fails (its
compiled validators are not picklable: ``Can't pickle <cyfunction AbstractType.validate>``). Here such
classes are pickled the way they were written instead: a document class as its name, bases, own
annotations, field declarations, configuration (pydantic 1's ``Config`` or 2's ``model_config``)
and methods, rebuilt by its metaclass on the worker; a
``DocList[T]`` / ``DocVec[T]`` as its parametrisation of ``T``; ``NdArray[4]`` as its shape. Classes
workers can import are still pickled by reference, as before.
"""
from __future__ import annotations

import types
from typing import Any, Dict, Tuple

from . import _pydantic as P



def _parametrize_tensor(base: Any, shape: Tuple[Any, ...]) -> Any:
    return base._docarray_create_parametrized_type(shape)


def _parametrize_array(base: Any, doc_type: Any) -> Any:
    return base.__class_getitem__(doc_type)


def _rebuild_doc_class(name: str, qualname: str, module: str, bases: Tuple[Any, ...], annotations: Dict[str, Any],
                       declared: Dict[str, Any], doc: Any) -> Any:
    namespace: Dict[str, Any] = {"__module__": module, "__qualname__": qualname, "__annotations__": annotations,
                                 "__doc__": doc}
    namespace.update(declared)
    return type(bases[0])(name, bases, namespace)


def _set_class_attributes(cls: Any, attributes: Dict[str, Any]) -> None:
    for k, v in attributes.items():
        setattr(cls, k, v)


def reduce_docarray_class(cls: Any, by_reference: Any) -> Any:
    """The pickle reduction of a DocArray class workers cannot import, or NotImplemented."""
    from docarray import BaseDoc
    from docarray.array.any_array import AnyDocArray
    from docarray.typing.tensor.abstract_tensor import AbstractTensor
    from docarray.utils._internal._typing import safe_issubclass

    if not isinstance(cls, type):
        return NotImplemented
    # parametrisations first: DocArray registers DocList[T] in its module on the driver only, so they look
    # importable here and are not on a worker
    if safe_issubclass(cls, AbstractTensor) and cls.__dict__.get("__docarray_target_shape__") is not None:
        base = cls.__dict__.get("__unparametrizedcls__") or cls.__mro__[1]
        return _parametrize_tensor, (base, cls.__docarray_target_shape__)
    if safe_issubclass(cls, AnyDocArray) and "doc_type" in cls.__dict__ and "[" in cls.__name__:
        return _parametrize_array, (cls.__mro__[1], cls.__dict__["doc_type"])
    if not safe_issubclass(cls, BaseDoc) or by_reference(cls):
        return NotImplemented
    own, declared = P.rebuild_parts(cls)
    attributes = {k: v for k, v in cls.__dict__.items()
                  if k not in P.GENERATED_KEYS and k not in own and not k.startswith("__pydantic") and isinstance(
                      v, (types.FunctionType, property, classmethod, staticmethod))}
    args = (cls.__name__, cls.__qualname__, cls.__module__, cls.__bases__, own, declared, cls.__doc__)
    # methods come as state, after the class exists, so that a method using its own class pickles
    return _rebuild_doc_class, args, attributes, None, None, _set_class_attributes


def _patch(module: Any) -> None:
    original = getattr(module, "_class_reduce", None)
    by_reference = getattr(module, "_should_pickle_by_reference", None) or getattr(module, "_is_importable", None)
    if original is None or by_reference is None or getattr(original, "_docarray_spark", False):
        return

    def _class_reduce(obj: Any) -> Any:
        reduced = reduce_docarray_class(obj, by_reference)
        return reduced if reduced is not NotImplemented else original(obj)

    _class_reduce._docarray_spark = True  # type: ignore[attr-defined]
    module._class_reduce = _class_reduce


def install() -> None:
    """Teaches every cloudpickle in this process (PySpark's own, and a standalone one) the reductions above."""
    import importlib

    for name in ("pyspark.cloudpickle.cloudpickle_fast", "pyspark.cloudpickle.cloudpickle", "cloudpickle.cloudpickle_fast",
                 "cloudpickle.cloudpickle"):
        try:
            _patch(importlib.import_module(name))
        except ImportError:
            continue
