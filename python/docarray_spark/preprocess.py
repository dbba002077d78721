"""DocArray's ``MultiModalDataset`` preprocessing, run on the executors by dotted field path.

``preprocess(df, doc_type=Student, preprocessing={'thesis.title': embed_title, 'thesis': normalize})``
hands every function exactly what ``MultiModalDataset[Student](docs, preprocessing)`` hands it for the
same documents (a ``TextDoc`` for ``thesis.title``, an ``NdArray``/``TorchTensor`` for a tensor path, the
whole document for ``''``), in the dict's order, and writes back the return value, or the input when the
function returns None or a falsy value (DocArray's ``preprocess(value) or value``; a tensor result, which
DocArray cannot test for truth, is kept). It runs as Arrow batches through ``mapInArrow``: the documents
of a batch are built from Arrow columns on the executor, not pickled row by row.

A path through a DocList field (``chunks.text``) hands the function the list of the elements' values and sets
the returned list back element by element, as DocArray does; ``elementwise=True`` calls it once per element
instead. Where it differs from ``MultiModalDataset``, on purpose: a returned list of another length than the
DocList is an error (DocArray would set a prefix), and a tensor result is kept (DocArray's ``or`` cannot test a
tensor of several elements for truth).
"""
from __future__ import annotations

import traceback
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa
from pyspark.sql import types as T

from . import _classes as C
from . import _pydantic as P
from ._codec import Owners, arrow_type, compile_doc, no_gc_pauses, to_numpy
from ._docvec import docvec_from_arrow, docvec_to_arrow
from ._shardio import tensor_of
from ._infer import default_field, infer_field
from .convert import collect_arrow
from .errors import DocArraySparkError, PreprocessingError

Step = Tuple[Tuple[str, ...], str, Callable[[Any], Any]]


def _keep(result: Any, value: Any) -> Any:
    """DocArray's ``preprocess(value) or value``, with results that cannot be tested for truth kept."""
    if result is None:
        return value
    try:
        return result if result else value
    except (ValueError, RuntimeError, TypeError):  # numpy/torch tensors of more than one element
        return result


def _call(fn: Callable[[Any], Any], value: Any, label: str, doc_id: Any) -> Any:
    try:
        return fn(value)
    except PreprocessingError:
        raise
    except Exception as e:  # noqa: BLE001 - the user's function: any error, named and with its traceback
        raise PreprocessingError(
            f"preprocessing '{label}' failed on document id={doc_id!r}: {type(e).__name__}: {e}\n"
            f"Original Python traceback:\n{traceback.format_exc()}") from e


def _assign(obj: Any, attr: str, value: Any, label: str, doc_id: Any) -> None:
    try:
        setattr(obj, attr, value)
    except Exception as e:  # noqa: BLE001 - pydantic's validation of the assignment
        raise PreprocessingError(
            f"preprocessing '{label}' returned a {type(value).__name__} that {type(obj).__name__}.{attr} cannot hold, "
            f"on document id={doc_id!r}: {e}") from e


def _apply_at(obj: Any, segs: Tuple[str, ...], fn: Callable, label: str, doc_id: Any) -> None:
    """``elementwise``: the function at ``segs`` below ``obj``, once per element of every DocList on the way."""
    head, rest = segs[0], segs[1:]
    here = f"{label}{head}"
    value = getattr(obj, head)
    if not rest:
        _assign(obj, head, _keep(_call(fn, value, here, doc_id), value), here, doc_id)
    else:
        _descend(value, rest, fn, here, doc_id)


def _descend(child: Any, rest: Tuple[str, ...], fn: Callable, here: str, doc_id: Any) -> None:
    """``elementwise``: the rest of a path below the value at ``here``: a document, or each element of a DocList."""
    from docarray.array.any_array import AnyDocArray

    _not_none(child, here, rest, doc_id)
    if isinstance(child, AnyDocArray):
        for k, element in enumerate(child):
            _apply_at(element, rest, fn, f"{here}[{k}].", doc_id)
    else:
        _apply_at(child, rest, fn, f"{here}.", doc_id)


def _not_none(value: Any, here: str, rest: Tuple[str, ...], doc_id: Any) -> None:
    if value is None:
        raise PreprocessingError(f"preprocessing path '{here}.{'.'.join(rest)}': '{here}' is None in document "
                                 f"id={doc_id!r}, so there is nothing to apply it to")


def _apply_below(ref: Any, segs: Tuple[str, ...], fn: Callable, here: str, doc_id: Any) -> None:
    """``MultiModalDataset.__getitem__``'s step at ``segs`` below ``ref`` (reached by the path ``here``): follow the
    path's attributes, hand the function the value at its end and set what it returns there (``fn(value) or
    value``). Through a DocList an attribute is the list of its documents' values, as DocArray gives it (a
    ``DocList`` of documents, a list of texts), and a list returned is set back element by element."""
    from docarray.array.any_array import AnyDocArray

    for k, seg in enumerate(segs[:-1]):
        _not_none(ref, here, segs[k:], doc_id)
        ref = getattr(ref, seg)
        here = f"{here}.{seg}" if here else seg
    _not_none(ref, here, segs[-1:], doc_id)
    last = segs[-1]
    label = f"{here}.{last}" if here else last
    value = getattr(ref, last)
    result = _keep(_call(fn, value, label, doc_id), value)
    if isinstance(ref, AnyDocArray) and result is not value:
        size = len(result) if hasattr(result, "__len__") and not isinstance(result, (str, bytes)) else None
        if size != len(ref):
            got = f"{size} values" if size is not None else f"a {type(result).__name__}"
            raise PreprocessingError(
                f"preprocessing '{label}' was given the {len(ref)} values of the DocList '{here}' and returned {got}, "
                f"on document id={doc_id!r}: return one value per document (as MultiModalDataset sets them back), "
                "or pass elementwise=True to call the function once per document of the list")
    _assign(ref, last, result, label, doc_id)


def _form(value: Any) -> Any:
    """What validating a value looks at beyond its contents: a tensor's shape and dtype (None for other values).
    A value changed in place with its form unchanged validates to itself, so it need not be validated again."""
    shape = getattr(value, "shape", None)
    return None if shape is None else (tuple(shape), getattr(value, "dtype", None))


def _validated(validate: Callable[[Any], Any], value: Any, cls: Any, name: str, doc_id: Any) -> Any:
    """``value`` as the document's ``setattr`` stores it (``validate`` is the field's validation of an assignment)."""
    try:
        return validate(value)
    except ValueError as error:  # pydantic's ValidationError
        raise PreprocessingError(
            f"preprocessing '{name}' returned a {type(value).__name__} that {cls.__name__}.{name} cannot hold, "
            f"on document id={doc_id!r}: {error}") from error


def _hold(validate: Callable[[Any], Any], values: List[Any], cls: Any, name: str, ids: Sequence[Any]) -> List[Any]:
    """The values a field's column gives, as the documents built from them would hold them: validated, except
    tensors already of the field's class and shape (validating those gives the same tensor back)."""
    from docarray.typing.tensor.abstract_tensor import AbstractTensor

    target = P.outer_type(cls, name)
    shape = getattr(target, "__docarray_target_shape__", None)
    plain = getattr(target, "__unparametrizedcls__", None) or target
    out = []
    for i, v in enumerate(values):
        if v is None or (plain is not None and issubclass(plain, AbstractTensor) and type(v) is plain
                         and (shape is None or tuple(v.shape) == tuple(shape))):
            out.append(v)
        else:
            out.append(_validated(validate, v, cls, name, ids[i]))
    return out


def apply_to_document(doc: Any, steps: Sequence[Step], elementwise: bool = False) -> Any:
    """One document through the steps, as ``MultiModalDataset.__getitem__`` does it (``elementwise``: a path
    through a DocList calls the function once per element instead of once with the list of values)."""
    doc_id = getattr(doc, "id", None)
    for segs, path, fn in steps:
        if not segs:
            doc = _keep(_call(fn, doc, "", doc_id), doc)
        elif elementwise:
            _apply_at(doc, segs, fn, "", doc_id)
        else:
            _apply_below(doc, segs, fn, "", doc_id)
    return doc


def _run_on_columns(columns: Dict[str, List[Any]], steps: Sequence[Step], cls: Any, ids: Sequence[Any],
                    elementwise: bool = False) -> None:
    """The steps, document by document in ``MultiModalDataset``'s order, on columns of top-level field values
    (changed in place): a single-segment path's result is validated as the document's ``setattr`` validates it
    (unless the value itself was changed in place with its form unchanged); a longer path descends into the
    value (a document or DocList), whose own ``setattr`` validates."""
    plan = [(segs, fn, columns[segs[0]], P.field_validator(cls, segs[0])) for segs, _, fn in steps]
    for i in range(len(ids)):
        doc_id = ids[i]
        for segs, fn, column, validate in plan:
            value = column[i]
            if len(segs) > 1:
                if elementwise:
                    _descend(value, segs[1:], fn, segs[0], doc_id)
                else:
                    _apply_below(value, segs[1:], fn, segs[0], doc_id)
                continue
            form = _form(value)
            result = _keep(_call(fn, value, segs[0], doc_id), value)
            if result is not value or _form(value) != form:  # unless changed in place, contents only
                column[i] = _validated(validate, result, cls, segs[0], doc_id)


def apply_to_docvec_fields(dv: Any, cls: Any, steps: Sequence[Step]) -> Optional[Any]:
    """Per-document steps on top-level tensor and value fields of a ``DocVec``, run on its columns: each function
    gets a row of the column (an ``NdArray`` row, a str, an int: what the document holds), its result is validated
    as ``setattr`` validates it, and a tensor column is stacked again from the results (as ``collate_fn``
    stacks them). None when a step needs documents (a nested path); check :func:`fieldwise_names` first."""
    storage = dv._storage
    if any(len(segs) != 1 for segs, _, _ in steps):
        return None
    names = list(dict.fromkeys(segs[0] for segs, _, _ in steps))
    tensors, anys = storage.tensor_columns, storage.any_columns
    if any(not (tensors.get(n) is not None or n in anys) for n in names):
        return None
    n = len(dv)
    ids = list(anys["id"]) if "id" in anys else [None] * n
    columns = {name: [tensors[name][i] for i in range(n)] if tensors.get(name) is not None else list(anys[name])
               for name in names}
    _run_on_columns(columns, steps, cls, ids)
    from docarray.array.doc_vec.column_storage import ColumnStorage
    from docarray.array.list_advance_indexing import ListAdvancedIndexing

    new_tensors, new_anys = dict(tensors), dict(anys)
    for name in names:
        if name in anys:
            new_anys[name] = ListAdvancedIndexing(columns[name])
            continue
        values = [to_numpy(v) for v in columns[name]]
        shapes = {v.shape for v in values}
        if len(shapes) > 1:
            first = values[0].shape
            bad = next(i for i, v in enumerate(values) if v.shape != first)
            raise PreprocessingError(
                f"preprocessing '{name}' gave shape {list(values[bad].shape)} for document id={ids[bad]!r} but "
                f"{list(first)} for document id={ids[0]!r}: a batch stacks equally shaped tensors")
        new_tensors[name] = tensor_of(type(tensors[name]), np.stack(values)) if values else tensors[name]
    out = type(dv).from_columns_storage(ColumnStorage(new_tensors, dict(storage.doc_columns),
                                                      dict(storage.docs_vec_columns), new_anys, storage.tensor_type))
    out._is_unusable = False
    return out


def apply_to_batch(dv: Any, steps: Sequence[Step]) -> Any:
    """A ``DocVec`` through the steps (``batched=True``): a function gets the whole column at its path."""
    label_id = f"{len(dv)} documents from id={dv.id[0]!r}" if len(dv) else "an empty batch"
    for segs, path, fn in steps:
        if not segs:
            dv = _keep(_call(fn, dv, "", label_id), dv)
            continue
        targets = [dv]
        for seg in segs[:-1]:
            nxt = []
            for t in targets:
                child = getattr(t, seg)
                if isinstance(child, (list, tuple)) or type(child).__name__ == "ListAdvancedIndexing":
                    nxt.extend(c for c in child if c is not None)
                elif child is not None:
                    nxt.append(child)
            targets = nxt
        for t in targets:
            value = getattr(t, segs[-1])
            _assign(t, segs[-1], _keep(_call(fn, value, path, label_id), value), path, label_id)
    return dv


def check_paths(cls: Any, preprocessing: Mapping[str, Callable]) -> List[Step]:
    """The steps of a preprocessing dict, each path checked against the class on the driver."""
    steps: List[Step] = []
    for path, fn in preprocessing.items():
        if not callable(fn):
            raise DocArraySparkError(f"preprocessing['{path}'] is a {type(fn).__name__}, not a function")
        segs = C.split_path(path)
        current = cls
        for i, seg in enumerate(segs):
            fields = C.fields(current)
            if seg not in fields:
                raise DocArraySparkError(
                    f"preprocessing path '{path}': {current.__name__} has no field '{seg}' "
                    f"(its fields: {', '.join(fields)})")
            d = fields[seg]
            if i < len(segs) - 1:
                if d.kind == C.DOC:
                    current = d.cls
                elif d.kind == C.DOCLIST:
                    current = d.element.cls
                else:
                    raise DocArraySparkError(
                        f"preprocessing path '{path}': '{'.'.join(segs[:i + 1])}' is {C.describe(d)}, not a document "
                        "or DocList, so the path cannot go on")
        steps.append((segs, path, fn))
    return steps


def fieldwise_names(cls: Any, steps: Sequence[Step], present: Optional[Sequence[str]] = None) -> Optional[List[str]]:
    """The top-level fields the steps touch, when the steps can run on those fields alone: no whole-document
    step, every declared field ``present`` in the input, and a pydantic-v1 class without validators that look at
    other fields (so validating one field's assignment is exactly what ``setattr`` on the document does).
    None when the documents must be built whole."""
    if any(not segs for segs, _, _ in steps):
        return None
    if P.has_cross_field_validators(cls):
        return None  # pydantic 2 too: documents are built whole
    if present is not None and not set(C.fields(cls)) <= set(present):
        return None  # defaults of absent fields come from building the documents
    names: List[str] = []
    for segs, _, _ in steps:
        if segs[0] not in names:
            names.append(segs[0])
    return names


class _Plan:
    """Everything an executor needs, compiled on the driver and shipped with the job."""

    def __init__(self, cls: Any, steps: List[Step], in_schema: T.StructType, out_schema: T.StructType,
                 batched: bool, tensor_type: Any, elementwise: bool = False):
        self.cls = cls
        self.elementwise = elementwise
        self.steps = steps
        self.in_schema = in_schema
        self.out_schema = out_schema
        self.batched = batched
        self.tensor_type = tensor_type
        declared = C.fields(cls)
        self.declared_in = T.StructType([f for f in in_schema.fields if f.name in declared])
        self.in_conv = compile_doc(self.declared_in, cls, "")
        self.out_declared = T.StructType([f for f in out_schema.fields if f.name in declared])
        self.out_conv = compile_doc(self.out_declared, cls, "")
        self.out_arrow = pa.schema([pa.field(f.name, arrow_type(f.dataType), f.nullable) for f in out_schema.fields])
        self.fieldwise = None if batched else fieldwise_names(cls, steps, in_schema.names)
        declared_fields = C.fields(cls)
        self.required = [n for n in self.declared_in.names if not declared_fields[n].optional]

    def _fieldwise(self, batch: pa.RecordBatch) -> Optional[Dict[str, pa.Array]]:
        """The steps run on the fields they touch, without building documents (``fieldwise``): each function
        gets the value the document would hold, its result is validated as the document's ``setattr`` validates
        it. Returns the new Arrow columns of the touched fields; None when this batch needs whole documents
        (a None in a field that does not allow it: building the document puts the default there)."""
        names = self.fieldwise
        index = batch.schema.get_field_index
        if any(batch.column(index(n)).null_count for n in self.required):
            return None
        n = batch.num_rows
        ids = batch.column(index("id")).to_pylist() if "id" in batch.schema.names else [None] * n
        conv = self.in_conv.children
        columns = {name: _hold(P.field_validator(self.cls, name), conv[name].to_py(batch.column(index(name))),
                               self.cls, name, ids) for name in names}
        _run_on_columns(columns, self.steps, self.cls, ids, self.elementwise)
        owners = Owners(ids)
        out = self.out_conv.children
        return {name: out[name].to_arrow(columns[name], name, owners) for name in names}

    def documents_out(self, batch: pa.RecordBatch) -> Tuple[Any, pa.StructArray]:
        names = self.declared_in.names
        columns = {n: batch.column(batch.schema.get_field_index(n)) for n in names}
        if self.batched:
            if batch.num_rows == 0:
                return None, pa.nulls(0, type=self.out_conv.arrow)
            dv = docvec_from_arrow(columns, self.declared_in, self.cls, self.tensor_type, n=batch.num_rows)
            dv = apply_to_batch(dv, self.steps)
            return dv, docvec_to_arrow(dv, self.out_conv)
        struct = pa.StructArray.from_arrays([columns[n] for n in names], names=names) if names else None
        docs = self.in_conv.to_py(struct) if struct is not None else [self.cls() for _ in range(batch.num_rows)]
        docs = [apply_to_document(d, self.steps, self.elementwise) for d in docs]
        owners = Owners([getattr(d, "id", None) for d in docs])
        return docs, self.out_conv.to_arrow(docs, "", owners)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            with no_gc_pauses():
                produced = self._fieldwise(batch) if self.fieldwise is not None else None
                if produced is None:
                    _, out = self.documents_out(batch)
                    produced = dict(zip(self.out_declared.names, out.flatten())) if len(self.out_declared.names) else {}
            arrays = []
            for f in self.out_arrow:
                a = produced[f.name] if f.name in produced else batch.column(batch.schema.get_field_index(f.name))
                arrays.append(a if a.type == f.type else a.cast(f.type))
            yield pa.RecordBatch.from_arrays(arrays, schema=self.out_arrow)


def _output_schema(df: Any, cls: Any, steps: List[Step], batched: bool, tensor_type: Any,
                   sample_size: int, elementwise: bool = False) -> T.StructType:
    """The output columns, from the functions' results on the first ``sample_size`` documents."""
    declared = C.fields(cls)
    probe = _Plan(cls, steps, df.schema, df.schema, batched, tensor_type, elementwise)
    table = collect_arrow(df.limit(sample_size))
    batch = table.to_batches()[0] if table.num_rows else None
    docs: List[Any] = []
    if batch is not None:
        if batched:
            dv = docvec_from_arrow({n: batch.column(batch.schema.get_field_index(n)) for n in probe.declared_in.names},
                                   probe.declared_in, cls, tensor_type, n=batch.num_rows)
            docs = list(apply_to_batch(dv, steps).to_doc_list())
        else:
            struct = pa.StructArray.from_arrays(
                [batch.column(batch.schema.get_field_index(n)) for n in probe.declared_in.names],
                names=probe.declared_in.names)
            docs = [apply_to_document(d, steps, elementwise) for d in probe.in_conv.to_py(struct)]
    fields = []
    by_name = {f.name: f for f in df.schema.fields}
    for f in df.schema.fields:
        if f.name in declared:
            fields.append(infer_field(f.name, [getattr(d, f.name, None) for d in docs], f, declared[f.name], f.name))
        else:
            fields.append(f)
    for name, d in declared.items():
        if name not in by_name:
            values = [getattr(doc, name, None) for doc in docs]
            fields.append(infer_field(name, values, None, d, name) if any(v is not None for v in values)
                          else default_field(name, d))
    return T.StructType(fields)


def preprocess(df: Any, doc_type: Any, preprocessing: Mapping[str, Callable[[Any], Any]], *, batched: bool = False,
               schema: Optional[T.StructType] = None, sample_size: int = 64, tensor_type: Optional[Any] = None,
               elementwise: bool = False) -> Any:
    """Applies ``MultiModalDataset``-style preprocessing functions, keyed by dotted field path, on the executors.

    :param df: a DataFrame of documents (``spark.read.format("docarray")``, or any DataFrame whose columns
        match ``doc_type``; columns the class does not declare pass through unchanged).
    :param doc_type: the document class (``Student``, or ``DocList[Student]``); it may be defined at run time
        (in a notebook cell or a function): it travels to the executors with the functions.
    :param preprocessing: ``{dotted path: function}`` applied in order, as ``MultiModalDataset`` does; ``''`` is
        the whole document. A path through a DocList field hands the function the list of the elements' values
        (``'reviews.text'`` gets ``['good', 'bad']``) and sets the list it returns back element by element, as
        ``MultiModalDataset`` does.
    :param batched: hand each function a whole batch instead of one value: a ``DocVec`` for a document path,
        a stacked tensor for a tensor path, a list for other fields; the function returns the new column (or
        None after changing it in place). For vectorised code: a tokenizer, a model.
    :param schema: the output schema; by default it is decided from the functions' results on the first
        ``sample_size`` documents (a column keeps its type while its values fit it).
    :param tensor_type: with ``batched``, the DocVec's tensor type (``NdArray`` by default, or ``TorchTensor``).
    :param elementwise: a path through a DocList field calls the function once per element, with that element's
        value (``'reviews.text'`` gets ``'good'``, then ``'bad'``), instead of once with the list.
    :returns: a DataFrame with the preprocessed columns; nothing runs until an action.

    Errors: a path the class does not have, or a class that does not match the DataFrame's columns, is refused
    here on the driver. A function that raises fails the task with :class:`PreprocessingError` naming the path
    (with DocList indices), the document ``id`` and the function's own traceback; one that returns a value its
    column cannot hold fails naming the path and the document.
    """
    from docarray.typing import NdArray

    cls = C.doc_class(doc_type)
    steps = check_paths(cls, preprocessing)
    tensor_type = tensor_type or NdArray
    compile_doc(df.schema, cls, "")  # the class against the columns, on the driver
    if batched and elementwise:
        raise DocArraySparkError("preprocess: elementwise=True calls a function per document of a DocList; "
                                 "batched=True hands it whole columns: choose one")
    out = schema if schema is not None else _output_schema(df, cls, steps, batched, tensor_type, sample_size,
                                                           elementwise)
    plan = _Plan(cls, steps, df.schema, out, batched, tensor_type, elementwise)
    return df.mapInArrow(plan, out)
