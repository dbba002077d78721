"""The few places where pydantic v1 and v2 differ for DocArray's document classes, in one module.

DocArray 0.40 runs on both pydantic lines (``docarray.utils._internal.pydantic.is_pydantic_v2``); pip installs
v2 today, managed runtimes often still carry v1. Everything in this package that looks inside a document class
(its fields, their defaults, whether they take None, how a value assigned to one is validated, how the class is
rebuilt on a worker) asks here, never ``cls.__fields__`` directly.
"""
from __future__ import annotations

import typing
from functools import lru_cache
from typing import Any, Callable, Dict, Optional, Tuple

import pydantic

#: True under pydantic 2 (DocArray's own test of the installed line)
IS_V2: bool = pydantic.VERSION.startswith("2.")

#: What a document class's own namespace holds that pydantic made, not the class's author (left out when a class
#: is rebuilt from its source parts on a worker)
GENERATED_KEYS = frozenset({
    # pydantic 1
    "__config__", "__fields__", "__exclude_fields__", "__include_fields__", "__validators__",
    "__pre_root_validators__", "__post_root_validators__", "__schema_cache__", "__json_encoder__",
    "__custom_root_type__", "__private_attributes__", "__class_vars__", "Config",
    # pydantic 2
    "model_config", "model_fields", "model_computed_fields", "__class_vars__", "__private_attributes__",
    "__signature__", "__pydantic_complete__", "__pydantic_core_schema__", "__pydantic_custom_init__",
    "__pydantic_decorators__", "__pydantic_generic_metadata__", "__pydantic_parent_namespace__",
    "__pydantic_post_init__", "__pydantic_root_model__", "__pydantic_serializer__", "__pydantic_validator__",
    "__pydantic_fields__", "__pydantic_computed_fields__", "__pydantic_setattr_handlers__",
    "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__", "__pydantic_fields_complete__",
    # Python's own
    "__slots__", "__hash__", "__module__", "__annotations__", "__doc__", "__parameters__", "__abstractmethods__",
    "_abc_impl", "__dict__", "__weakref__", "__qualname__", "__orig_bases__", "__firstlineno__",
    "__static_attributes__", "__annotate__", "__annotate_func__", "__annotations_cache__",
})


def model_fields(cls: Any) -> Dict[str, Any]:
    """The class's fields by name, in declaration order (``model_fields`` / ``__fields__``)."""
    return dict(cls.model_fields if IS_V2 else cls.__fields__)


def field_names(cls: Any) -> Tuple[str, ...]:
    """The names of a document class's (or document's) fields, in declaration order."""
    klass = cls if isinstance(cls, type) else type(cls)
    return tuple(model_fields(klass))


def _annotation_allows_none(annotation: Any) -> bool:
    if annotation is Any or annotation is None or annotation is type(None):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return any(a is type(None) or _annotation_allows_none(a) for a in typing.get_args(annotation))
    return False


def allows_none(cls: Any, name: str) -> bool:
    """Whether the field's validation accepts None: declared ``Optional[...]`` (or ``Any``); under pydantic 1 also
    a field defaulting to None (``title: str = None``), which pydantic 2 only leaves at None when it is not given."""
    info = model_fields(cls)[name]
    if not IS_V2:
        return bool(info.allow_none)
    return _annotation_allows_none(info.annotation)


def default_of(cls: Any, name: str) -> Any:
    """The value a document built without the field holds (its default, or a fresh one from its factory)."""
    info = model_fields(cls)[name]
    if IS_V2:
        if info.default_factory is not None:
            return info.default_factory()
        return None if info.is_required() else info.default
    return info.get_default()


def rebuild_parts(cls: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """What a class statement that makes ``cls`` again needs beyond its name and bases: ``(annotations,
    namespace)``, the namespace holding the fields' declarations (``Field(...)`` / defaults) and the class's
    configuration, as its author wrote them."""
    own = dict(cls.__dict__.get("__annotations__", {}))
    try:  # annotations written as strings (``from __future__ import annotations``) resolved where the class lives
        hints = typing.get_type_hints(cls, include_extras=True)
        own = {n: hints.get(n, a) for n, a in own.items()}
    except Exception:  # noqa: BLE001 - a name that no longer resolves: the annotations as written
        pass
    fields = model_fields(cls)
    namespace: Dict[str, Any] = {}
    for name in own:
        if name in fields:
            namespace[name] = fields[name] if IS_V2 else fields[name].field_info
        elif name in cls.__dict__:
            namespace[name] = cls.__dict__[name]  # a ClassVar's value
    if IS_V2:  # the class's own settings: the rest comes from its bases again (BaseDoc's holds lambdas)
        inherited: Dict[str, Any] = {}
        for base in reversed(cls.__mro__[1:]):
            inherited.update(getattr(base, "model_config", None) or {})
        own_config = {k: v for k, v in cls.model_config.items() if k not in inherited or inherited[k] is not v}
        if own_config:
            namespace["model_config"] = own_config
    elif "Config" in cls.__dict__:
        namespace["Config"] = cls.__dict__["Config"]
    return own, namespace


def has_cross_field_validators(cls: Any) -> bool:
    """Whether validating one field's assignment may depend on the others (root/model validators), or cannot be
    done field by field here at all (pydantic 2, whose assignment validation needs the whole model)."""
    if IS_V2:
        return True
    return bool(getattr(cls, "__validators__", None) or getattr(cls, "__pre_root_validators__", None)
                or getattr(cls, "__post_root_validators__", None))


@lru_cache(maxsize=1024)
def _v2_adapter(annotation: Any) -> Any:
    return pydantic.TypeAdapter(annotation)


def field_validator(cls: Any, name: str) -> Callable[[Any], Any]:
    """A function that validates one value for the field as assigning it to a document would, raising
    ``ValueError`` (pydantic's ``ValidationError``) with pydantic's explanation when the value does not fit."""
    if IS_V2:
        annotation = model_fields(cls)[name].annotation
        try:
            adapter = _v2_adapter(annotation)
        except TypeError:  # an unhashable annotation: not cached
            adapter = pydantic.TypeAdapter(annotation)
        return adapter.validate_python
    field = cls.__fields__[name]

    def validate(value: Any) -> Any:
        out, error = field.validate(value, {}, loc=name, cls=cls)
        if error:
            raise pydantic.ValidationError([error], cls)
        return out

    return validate


def outer_type(cls: Any, name: str) -> Optional[type]:
    """The field's declared class without ``Optional`` (``NdArray[8]``, ``TextDoc``), None for other annotations."""
    t = cls._get_field_annotation(name)
    return t if isinstance(t, type) else None


__all__ = ["IS_V2", "GENERATED_KEYS", "model_fields", "field_names", "allows_none", "default_of", "rebuild_parts",
           "has_cross_field_validators", "field_validator", "outer_type"]
