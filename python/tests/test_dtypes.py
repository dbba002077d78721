"""Tensor columns whose documents disagree on dtype: each document keeps its dtype, read and written back."""
import glob
import os

import numpy as np
import pytest
from docarray import BaseDoc, DocList
from docarray.documents import ImageDoc
from docarray.typing import AnyTensor, NdArray

import docarray_spark as ds


class Masks(BaseDoc):
    tensor: AnyTensor
    score: NdArray = None


def masks():
    rnd = np.random.default_rng(9)
    return DocList[Masks]([
        Masks(id="m-bool", tensor=np.array([True, False, True])),
        Masks(id="m-int32", tensor=np.array([[1, -2], [3, 2 ** 31 - 1]], dtype=np.int32)),
        Masks(id="m-uint8", tensor=np.array([0, 255, 7], dtype=np.uint8), score=np.array([0.5], dtype=np.float32)),
        Masks(id="m-float64", tensor=rnd.standard_normal((2, 2, 2)), score=np.array([1.25, -3.0])),
        Masks(id="m-int64", tensor=np.array([2 ** 53, -(2 ** 53)], dtype=np.int64)),
    ])


CODECS = ("lz4", "bz2", "lzma", "zlib", "gzip")


def load_written(path, cls):
    """Every part file of a write, loaded by DocArray itself (protocol and codec from the name, as DocArray does)."""
    docs = []
    for f in sorted(glob.glob(os.path.join(path, "part-*"))):
        kw = {"protocol": "protobuf-array"} if ".protobuf-array" in f else {"protocol": "protobuf"}
        compress = next((c for c in CODECS if f.endswith("." + c)), None)
        docs.extend(DocList[cls].load_binary(f, compress=compress, **kw))
    return {d.id: d for d in docs}


@pytest.mark.parametrize("protocol, compression", [
    ("protobuf", "none"), ("protobuf", "gzip"), ("protobuf", "zlib"), ("protobuf", "lzma"),
    ("protobuf-array", "none"), ("protobuf-array", "lz4"), ("protobuf-array", "bz2")])
def test_every_document_keeps_its_dtype_through_read_and_write(spark, tmp_path, protocol, compression):
    docs = masks()
    src = str(tmp_path / "masks.protobuf")
    docs.save_binary(src, protocol="protobuf", compress=None)
    df = spark.read.format("docarray").load(src)
    t = df.schema["tensor"].dataType
    assert t.names == ["dtype", "shape", "data"] and t["data"].dataType.elementType.simpleString() == "double", t
    rows = {r["id"]: r for r in df.collect()}
    for d in docs:
        a = np.asarray(d.tensor)
        r = rows[d.id]["tensor"]
        assert r["dtype"] == a.dtype.str and list(r["shape"]) == list(a.shape), d.id
        assert r["data"] == [float(x) for x in a.reshape(-1)], d.id
    # written back: real DocArray loads every document in its own dtype, bit for bit
    out = str(tmp_path / f"out-{protocol}")
    df.write.format("docarray").option("protocol", protocol).option("compression", compression).save(out)
    back = load_written(out, Masks)
    assert set(back) == {d.id for d in docs}
    for d in docs:
        a, b = np.asarray(d.tensor), np.asarray(back[d.id].tensor)
        assert b.dtype == a.dtype and b.shape == a.shape and b.tobytes() == a.tobytes(), d.id
        if d.score is not None:
            assert np.asarray(back[d.id].score).dtype == np.asarray(d.score).dtype, d.id
    # and in Python, through the package: the documents as DocArray holds them
    got = {d.id: d for d in ds.to_doclist(df, Masks)}
    for d in docs:
        a, b = np.asarray(d.tensor), np.asarray(got[d.id].tensor)
        assert b.dtype == a.dtype and b.tobytes() == a.tobytes(), d.id


def test_images_in_uint8_and_float32(spark, tmp_path):
    imgs = DocList[ImageDoc]([ImageDoc(id="raw", tensor=np.arange(12, dtype=np.uint8).reshape(2, 2, 3)),
                              ImageDoc(id="norm", tensor=(np.arange(12, dtype=np.float32) / 11).reshape(2, 2, 3))])
    src = str(tmp_path / "images.protobuf")
    imgs.save_binary(src, protocol="protobuf", compress=None)
    df = spark.read.format("docarray").load(src)
    assert df.schema["tensor"].dataType["data"].dataType.elementType.simpleString() == "float"  # uint8 and f4 fit f4
    out = str(tmp_path / "out")
    df.write.format("docarray").save(out)
    back = load_written(out, ImageDoc)
    for d in imgs:
        a, b = np.asarray(d.tensor), np.asarray(back[d.id].tensor)
        assert b.dtype == a.dtype and b.tobytes() == a.tobytes(), d.id


def test_an_integer_a_float_column_cannot_hold_exactly_is_an_error_not_a_rounding(spark, tmp_path):
    docs = DocList[Masks]([Masks(id="f", tensor=np.array([0.5])), Masks(id="big", tensor=np.array([2 ** 53 + 1]))])
    src = str(tmp_path / "big.protobuf")
    docs.save_binary(src, protocol="protobuf", compress=None)
    with pytest.raises(Exception) as e:
        spark.read.format("docarray").load(src).collect()
    assert "big.protobuf" in str(e.value) and "9007199254740993" in str(e.value) and "tensorMode=binary" in str(e.value)
    # the binary form holds it exactly
    row = spark.read.format("docarray").option("tensorMode", "binary").load(src).where("id = 'big'").collect()[0]
    assert np.frombuffer(row["tensor"]["buffer"], dtype=row["tensor"]["dtype"])[0] == 2 ** 53 + 1


def _key_sets(path):
    """{id: the keys of its DocProto} of a 'protobuf' stream file, parsed with DocArray's own messages."""
    from docarray.proto import DocProto
    from docarray.utils._internal.compress import _decompress_bytes

    compress = next((c for c in CODECS if path.endswith("." + c)), None)
    b = open(path, "rb").read()
    n, pos, out = int.from_bytes(b[1:9], "big"), 9, {}
    for _ in range(n):
        size = int.from_bytes(b[pos:pos + 4], "big")
        payload = b[pos + 4:pos + 4 + size]
        doc = DocProto.FromString(_decompress_bytes(payload, algorithm=compress) if compress else payload)
        out[doc.data["id"].text] = set(doc.data.keys())
        pos += 4 + size
    return out


@pytest.mark.parametrize("compression", ["none", "lz4", "gzip"])
def test_documents_of_different_classes_keep_their_own_keys(spark, tmp_path, compression):
    from conftest import fixture

    src = fixture("hetero.protobuf")
    want = _key_sets(src)
    assert len({frozenset(k) for k in want.values()}) > 1  # really documents of different classes
    df = spark.read.format("docarray").load(src)
    out = str(tmp_path / "hetero")
    df.select("*", "_metadata.absent_fields").write.format("docarray").option("compression", compression) \
        .option("absentFieldsColumn", "absent_fields").save(out)
    got = {}
    for f in sorted(glob.glob(os.path.join(out, "part-*"))):
        got.update(_key_sets(f))
    assert got == want
    # without the option every document gets every column (None where it had nothing)
    plain = str(tmp_path / "plain")
    df.write.format("docarray").save(plain)
    every = {}
    for f in sorted(glob.glob(os.path.join(plain, "part-*"))):
        every.update(_key_sets(f))
    assert all(k == set(df.columns) for k in every.values())
