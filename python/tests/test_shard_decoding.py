"""DocVec shards decoded a column at a time must give exactly what DocArray's DocVec.from_protobuf gives."""
import math
from typing import Any, List, Optional

import numpy as np
import pytest
from docarray import BaseDoc, DocList, DocVec
from docarray.typing import ID, AnyUrl, NdArray

from docarray_spark._shardio import _plain_nodes, any_column, docvec_from_proto, docvec_from_wire, take_from


class Inner(BaseDoc):
    note: str
    score: float


class Mixed(BaseDoc):
    text: str
    label: int
    ratio: float
    flag: bool
    blob: bytes
    url: AnyUrl
    maybe: Optional[str] = None
    anything: Any = None
    tags: List[str] = []
    inner: Inner
    vec: NdArray[3]
    chunks: DocList[Inner]
    absent: Optional[NdArray[2]] = None


def make(i: int) -> Mixed:
    texts = ["", "plain", "Ünïcødé 多模态 📚", "x" * 127, "y" * 128, "z" * 3000]
    return Mixed(id=f"id-{i}" if i % 7 else f"{'é' * 70}-{i}", text=texts[i % len(texts)],
                 label=[0, 1, -1, 2 ** 31 - 1, -2 ** 31, 127, 128, 300][i % 8],
                 ratio=[0.0, -0.5, math.nan, math.inf, -math.inf, 1e-300, 5e300][i % 7], flag=bool(i % 2),
                 blob=bytes(range(i % 256)) * (i % 3), url=f"https://example.org/{i}", maybe=None if i % 2 else f"m{i}",
                 anything=[1, "two", 3.0][i % 3], tags=[f"t{i}"] * (i % 3),
                 inner=Inner(note=f"n{i}", score=i / 3), vec=np.arange(3, dtype=np.float32) + i,
                 chunks=DocList[Inner]([Inner(note=f"c{i}.{k}", score=k) for k in range(1 + i % 2)]))


def same(a, b, where):
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


@pytest.mark.parametrize("n", [1, 2, 9, 300])
@pytest.mark.parametrize("decode", ["message", "wire"])
def test_every_column_equals_docarray_from_protobuf(n, decode):
    dv = DocVec[Mixed]([make(i) for i in range(n)])
    pb = dv.to_protobuf()
    want = DocVec[Mixed].from_protobuf(pb, tensor_type=NdArray)
    got = docvec_from_proto(Mixed, pb, NdArray) if decode == "message" else \
        docvec_from_wire(Mixed, bytearray(pb.SerializeToString()), NdArray)
    assert len(got) == len(want) == n
    for name in ["id", "text", "label", "ratio", "flag", "blob", "url", "maybe", "anything", "tags"]:
        for i in range(n):
            same(got._storage.any_columns[name][i], want._storage.any_columns[name][i], f"{name}[{i}]")
    for i in range(n):
        same(got.inner.note[i], want.inner.note[i], f"inner.note[{i}]")
        same(got.inner.score[i], want.inner.score[i], f"inner.score[{i}]")
    assert np.asarray(got.vec).tobytes() == np.asarray(want.vec).tobytes()
    assert type(got.vec) is type(want.vec) and np.asarray(got.vec).dtype == np.asarray(want.vec).dtype
    assert got._storage.tensor_columns["absent"] is None and want._storage.tensor_columns["absent"] is None
    for i in range(n):
        assert [c.note for c in got.chunks[i]] == [c.note for c in want.chunks[i]]
        assert [c.score for c in got.chunks[i]] == [c.score for c in want.chunks[i]]
    # the plain columns really took the column-at-a-time decoding (long texts and ids included)
    for name in ["id", "text", "label", "ratio", "flag", "blob", "maybe" if n == 1 else "text"]:
        assert _plain_nodes(pb.any_columns[name]) is not None, name
    assert _plain_nodes(pb.any_columns["url"]) is None  # a typed url: DocArray's own decoding
    # ids come back as DocArray's ID, texts as str, labels as int
    assert isinstance(got.id[0], ID) and isinstance(got.label[0], int) and not isinstance(got.label[0], bool)


def test_columns_of_mixed_or_missing_values_fall_back_to_docarray():
    from docarray.proto import ListOfAnyProto, NodeProto

    col = ListOfAnyProto(data=[NodeProto(text="a"), NodeProto(integer=3), NodeProto()])
    assert any_column(Mixed, "anything", col) == ["a", 3, None]
    col = ListOfAnyProto(data=[NodeProto(text="a", type="id"), NodeProto(text="b")])
    got = any_column(Mixed, "id", col)
    assert got == ["a", "b"] and type(got[0]) is ID and type(got[1]) is str
    assert any_column(Mixed, "label", ListOfAnyProto()) == []


def test_take_gathers_rows_of_every_column():
    dv = DocVec[Mixed]([make(i) for i in range(12)])
    got = docvec_from_proto(Mixed, dv.to_protobuf(), NdArray)
    idx = np.array([11, 0, 5, 5, 3])
    part = take_from([(got._storage, idx, np.arange(len(idx)))], len(idx))
    assert list(part.any_columns["text"]) == [got.text[i] for i in idx]
    assert list(part.any_columns["id"]) == [got.id[i] for i in idx]
    assert np.asarray(part.tensor_columns["vec"]).tolist() == np.asarray(got.vec)[idx].tolist()
    assert list(part.doc_columns["inner"].note) == [got.inner.note[i] for i in idx]


def test_a_corrupt_shard_is_an_error_not_wrong_rows():
    pb = DocVec[Mixed]([make(i) for i in range(5)]).to_protobuf().SerializeToString()
    with pytest.raises(Exception):
        docvec_from_wire(Mixed, bytearray(pb[:-7]), NdArray)
