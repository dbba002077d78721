"""preprocess(): the same dict MultiModalDataset takes, run on the executors, equal float for float."""
import numpy as np
import pytest
from docarray import BaseDoc, DocList
from docarray.data import MultiModalDataset
from docarray.documents import TextDoc
from docarray.typing import NdArray

import docarray_spark as ds
from docarray_spark._pydantic import IS_V2
from conftest import assert_same, fixture
from doc_classes import Book, Page, Student, Thesis

DIM = 8


def hash_embedding(text):
    v = np.zeros(DIM, np.float32)
    for i, ch in enumerate(text or ""):
        v[(ord(ch) * 31 + i) % DIM] += 1.0
    return v


def embed_title(title: TextDoc):  # text -> tensor, returns None: the mutated title is kept
    title.embedding = hash_embedding(title.text)


def normalize(thesis: Thesis):  # tensor -> tensor, in place
    e = thesis.title.embedding
    n = float(np.linalg.norm(e.astype(np.float64)))
    if n > 0:
        thesis.title.embedding = (e.astype(np.float64) / n).astype(np.float32)


def scale(embedding):  # tensor path, in place (MultiModalDataset cannot take a returned array: `array or value`)
    embedding *= np.float32(2.0)


def shout(text):  # returns the new value ('' stays '': DocArray's `or`)
    return text.upper() if text else text


def link(doc):  # the whole document
    if doc.thesis.title.url is None:
        doc.thesis.title.url = f"https://example.org/{doc.id}"


PREPROCESSING = {"thesis.title": embed_title, "thesis": normalize, "thesis.title.embedding": scale,
                 "thesis.title.text": shout, "": link}


@pytest.fixture(scope="module")
def students_file(tmp_path_factory):
    """60 generated students (some embeddings None, some urls None) plus the fixture's three."""
    rnd = np.random.default_rng(7)
    words = ["graph", "Spark", "Ünïcødé", "多模态", "📚", "straße", "vector", "", "DATA"]
    docs = []
    for i in range(60):
        text = " ".join(rnd.choice(words) for _ in range(int(rnd.integers(0, 6))))
        emb = rnd.uniform(-1, 1, DIM).astype(np.float32) if i % 4 == 0 else None
        docs.append(Student(id=f"gen-{i}", thesis=Thesis(id=f"gen-{i}.thesis", title=TextDoc(
            id=f"gen-{i}.title", text=text, url=f"https://example.org/t/{i}" if i % 3 == 0 else None, embedding=emb))))
    path = str(tmp_path_factory.mktemp("students") / "gen.protobuf.lz4")
    DocList[Student](docs).save_binary(path)
    return path


def mmd(files, cls, preprocessing):
    docs = DocList[cls]([d for f in files for d in DocList[cls].load_binary(f)])
    data = MultiModalDataset[cls](docs, preprocessing=preprocessing)
    return sorted((data[i] for i in range(len(data))), key=lambda d: d.id)


def test_equal_to_multimodal_dataset_float_for_float(spark, students_file):
    files = [students_file, fixture("students.protobuf")]
    df = spark.read.format("docarray").load(files).repartition(3)
    out = ds.preprocess(df, Student, PREPROCESSING)
    got = sorted(ds.to_doclist(out, Student), key=lambda d: d.id)
    want = mmd(files, Student, PREPROCESSING)
    assert len(got) == len(want) == 63
    for a, b in zip(got, want):
        assert_same(a, b, b.id)
    # the values really changed: text upper-cased, embeddings from the text, normalised then doubled
    one = next(d for d in got if d.id == "stu-1")
    assert one.thesis.title.text == "ÜNÏCØDÉ — 多模态文档 📚"
    np.testing.assert_allclose(np.linalg.norm(np.asarray(one.thesis.title.embedding)), 2.0, rtol=1e-6)
    assert str(next(d for d in got if d.id == "stu-0").thesis.title.url) == "https://example.org/stu-0"


class Flat(BaseDoc):
    text: str
    label: int = 0
    embedding: NdArray[DIM]
    note: str = "none"


def test_field_by_field_paths_equal_multimodal_dataset(spark, tmp_path):
    """Without a whole-document step the functions run on the fields they name, not on built documents:
    the values must still be MultiModalDataset's, validation and all (an int becomes a str, as setattr does)."""
    rnd = np.random.default_rng(3)
    docs = DocList[Flat]([Flat(id=f"f-{i}", text=f"row {i} ünï", label=i % 3, note=f"n{i}",
                               embedding=rnd.standard_normal(DIM).astype(np.float32)) for i in range(40)])
    path = str(tmp_path / "flat.protobuf")
    docs.save_binary(path, protocol="protobuf", compress=None)
    # pydantic 1 turns an int assigned to a str field into a str; pydantic 2 refuses it (MultiModalDataset too)
    steps = {"text": shout, "embedding": scale, "label": lambda v: v * 10,
             "note": (lambda v: str(len(v))) if IS_V2 else (lambda v: len(v))}
    df = spark.read.format("docarray").load(path).repartition(2)
    out = ds.preprocess(df, Flat, steps)
    got = sorted(ds.to_doclist(out, Flat), key=lambda d: d.id)
    want = mmd([path], Flat, steps)
    assert len(got) == len(want) == 40
    for a, b in zip(got, want):
        assert_same(a, b, b.id)
    by_id = {d.id: d for d in got}
    assert by_id["f-1"].text == "ROW 1 ÜNÏ" and by_id["f-1"].label == 10 and by_id["f-1"].note == "2"
    assert by_id["f-3"].label == 0  # 0 * 10 is falsy: DocArray's `or` keeps the input
    np.testing.assert_array_equal(np.asarray(by_id["f-5"].embedding), np.asarray(docs[5].embedding) * np.float32(2))
    # nested paths from a top-level field, without a whole-document step
    files = [fixture("students.protobuf")]
    nested = {"thesis.title": embed_title, "thesis": normalize, "thesis.title.text": shout}
    sdf = spark.read.format("docarray").load(files)
    got = sorted(ds.to_doclist(ds.preprocess(sdf, Student, nested), Student), key=lambda d: d.id)
    for a, b in zip(got, mmd(files, Student, nested)):
        assert_same(a, b, b.id)
    # a result the field cannot hold: the path and the document
    with pytest.raises(Exception) as e:
        ds.preprocess(df, Flat, {"label": lambda v: "many"}, schema=df.schema).collect()
    assert "preprocessing 'label' returned a str that Flat.label cannot hold, on document id='f-" in str(e.value), \
        str(e.value)[-1500:]


def test_the_output_schema_follows_the_returned_types(spark):
    df = spark.read.format("docarray").load(fixture("students.protobuf"))
    assert df.schema["thesis"].dataType["title"].dataType["bytes_"].dataType.simpleString() == "string"
    out = ds.preprocess(df, Student, {"thesis.title": lambda t: t.__setattr__("bytes_", (t.text or "").encode())})
    title = out.schema["thesis"].dataType["title"].dataType
    assert title["bytes_"].dataType.simpleString() == "binary"  # a null-only column became binary
    assert title["embedding"].metadata["docarray.dtype"] == "<f4"  # an unchanged column keeps its metadata
    rows = {r["id"]: r for r in out.collect()}
    assert rows["stu-1"]["thesis"]["title"]["bytes_"] == "Ünïcødé — 多模态文档 📚".encode()
    # float64 embeddings: the column becomes double, with the dtype in its metadata
    out64 = ds.preprocess(df, Student, {"thesis.title": lambda t: t.__setattr__("embedding", np.ones(3))})
    emb = out64.schema["thesis"].dataType["title"].dataType["embedding"]
    assert emb.dataType["data"].dataType.elementType.simpleString() == "double"
    assert emb.metadata["docarray.dtype"] == "<f8"
    assert [r["thesis"]["title"]["embedding"]["data"] for r in out64.collect()] == [[1.0, 1.0, 1.0]] * 3


def reverse(text):
    return text[::-1]


def bump(emb):
    return emb + np.float32(1)


def reverse_all(texts):  # what MultiModalDataset hands a path through a DocList: the list of the values
    assert isinstance(texts, list) and all(isinstance(t, str) for t in texts), texts
    return [reverse(t) for t in texts]


def bump_all(embs):
    assert isinstance(embs, list), embs
    return [bump(e) for e in embs]


def count_words(titles):  # a DocList of nested documents, changed in place (returns None)
    for t in titles:
        t.text = f"{len(t.text.split())} words"


def test_doclist_paths_get_the_list_as_in_multimodal_dataset(spark):
    """The same dict as MultiModalDataset: 'chunks.text' receives the list of the chunks' texts, once per page, and
    the returned list is set back chunk by chunk."""
    steps = {"chunks.text": reverse_all, "chunks.emb": bump_all}
    pages = spark.read.format("docarray").load(fixture("pages.protobuf"))
    got = sorted(ds.to_doclist(ds.preprocess(pages, Page, steps), Page), key=lambda d: d.id)
    want = mmd([fixture("pages.protobuf")], Page, steps)
    assert len(got) == len(want) == 3
    for a, b in zip(got, want):
        assert_same(a, b, b.id)
    original = sorted(DocList[Page].load_binary(fixture("pages.protobuf")), key=lambda d: d.id)
    assert [c.text for c in got[2].chunks] == [c.text[::-1] for c in original[2].chunks] != [c.text for c in
                                                                                           original[2].chunks]
    np.testing.assert_array_equal(got[2].chunks[1].emb, original[2].chunks[1].emb + 1)
    # a function written for single values fails as it would in MultiModalDataset, naming the path and document
    with pytest.raises(Exception, match=r"preprocessing 'chunks.text' failed on document id='page-\d'"):
        ds.preprocess(pages, Page, {"chunks.text": lambda t: t.upper()}).collect()


def test_doclist_paths_through_nested_documents_and_wrong_lengths(spark, tmp_path):
    from doc_classes import Library

    path = str(tmp_path / "lib.protobuf")
    books = DocList[Library]([Library(id=f"lib-{i}", books=[Book(title=TextDoc(text=" ".join(["w"] * (k + i))))
                                                            for k in range(3)]) for i in range(4)])
    books.save_binary(path, protocol="protobuf", compress=None)
    df = spark.read.format("docarray").load(path)
    steps = {"books.title": count_words}
    got = sorted(ds.to_doclist(ds.preprocess(df, Library, steps), Library), key=lambda d: d.id)
    want = mmd([path], Library, steps)
    for a, b in zip(got, want):
        assert_same(a, b, b.id)
    assert [b.title.text for b in got[1].books] == ["1 words", "2 words", "3 words"]
    # MultiModalDataset would set a prefix of a shorter list and drop the rest silently: here it is an error
    with pytest.raises(Exception, match=r"preprocessing 'books.title.text' was given the 3 values of the DocList "
                                        r"'books.title' and returned 2 values, on document id='lib-0'"):
        ds.preprocess(df.where("id = 'lib-0'"), Library, {"books.title.text": lambda ts: ts[:2]}).collect()


def test_elementwise_calls_once_per_element(spark):
    def per_chunk(chunks):  # the DocArray reference: one function over the whole DocList
        for c in chunks:
            c.text = reverse(c.text)
            c.emb = bump(c.emb)

    pages = spark.read.format("docarray").load(fixture("pages.protobuf"))
    got = sorted(ds.to_doclist(ds.preprocess(pages, Page, {"chunks.text": reverse, "chunks.emb": bump},
                                             elementwise=True), Page), key=lambda d: d.id)
    want = mmd([fixture("pages.protobuf")], Page, {"chunks": per_chunk})
    assert len(got) == len(want) == 3
    for a, b in zip(got, want):
        assert_same(a, b, b.id)
    with pytest.raises(ds.DocArraySparkError, match="elementwise=True calls a function per document"):
        ds.preprocess(pages, Page, {"chunks.text": reverse}, elementwise=True, batched=True)


def test_batched_functions_get_whole_columns(spark, tmp_path):
    docs = DocList[Student]([Student(id=f"b-{i}", thesis=Thesis(title=TextDoc(
        id=f"b-{i}.t", text=f"doc {i}", embedding=np.arange(DIM, dtype=np.float32) + i))) for i in range(40)])
    path = str(tmp_path / "b.protobuf")
    docs.save_binary(path, compress=None)

    def normalize_all(e):  # a stacked [n, 8] tensor
        assert e.ndim == 2 and e.shape[1] == DIM
        return e / np.linalg.norm(e, axis=1, keepdims=True)

    def shout_all(texts):  # a list of strings
        return [t.upper() for t in texts]

    df = spark.read.format("docarray").load(path).repartition(2)
    out = ds.preprocess(df, Student, {"thesis.title.embedding": normalize_all, "thesis.title.text": shout_all},
                        batched=True)
    got = sorted(ds.to_doclist(out, Student), key=lambda d: d.id)

    def normalize_one(e):  # in place: MultiModalDataset cannot take a returned array
        e /= np.linalg.norm(e)

    want = mmd([path], Student, {"thesis.title.embedding": normalize_one, "thesis.title.text": str.upper})
    for a, b in zip(got, want):
        assert_same(a, b, b.id)
    assert got[0].thesis.title.text == "DOC 0"


def test_a_failing_function_names_path_document_and_traceback(spark):
    def broken(title):
        if title.text == "":
            raise ValueError("empty title")

    df = spark.read.format("docarray").load(fixture("students.protobuf"))
    with pytest.raises(Exception) as e:
        ds.preprocess(df, Student, {"thesis.title": broken}, schema=df.schema).collect()
    text = str(e.value)
    assert "preprocessing 'thesis.title' failed on document id='stu-2'" in text, text[-2000:]
    assert "ValueError: empty title" in text and "Original Python traceback" in text and "in broken" in text

    pages = spark.read.format("docarray").load(fixture("pages.protobuf"))
    with pytest.raises(Exception) as e:
        ds.preprocess(pages, Page, {"chunks.pos": lambda p: 1 // (p - 1)}, schema=pages.schema,
                      elementwise=True).collect()
    assert "preprocessing 'chunks[1].pos' failed on document id='page-1'" in str(e.value) or \
        "preprocessing 'chunks[1].pos' failed on document id='page-2'" in str(e.value), str(e.value)[-1500:]


def test_a_value_of_the_wrong_type_names_path_and_document(spark):
    df = spark.read.format("docarray").load(fixture("students.protobuf"))
    with pytest.raises(Exception) as e:
        ds.preprocess(df, Student, {"thesis.title.embedding": lambda e: {"not": "a tensor"}}).collect()
    assert "thesis.title.embedding" in str(e.value) and "document id='stu-" in str(e.value), str(e.value)[-1500:]
    # a dtype that does not fit the column decided from the first documents
    flip = {"thesis.title": lambda t: t.__setattr__("embedding", np.ones(2, np.float64 if t.id == "stu-2.thesis.title"
                                                                          else np.float32))}
    with pytest.raises(Exception) as e:
        ds.preprocess(df.where("id != 'stu-2'"), Student, flip).union(
            ds.preprocess(df.where("id = 'stu-2'"), Student, flip, schema=ds.preprocess(
                df.where("id != 'stu-2'"), Student, flip).schema)).collect()
    assert "'thesis.title.embedding' of document id='stu-2': a float64 tensor where the column holds float32" in \
        str(e.value), str(e.value)[-1500:]


def test_bad_paths_and_classes_are_refused_on_the_driver(spark):
    df = spark.read.format("docarray").load(fixture("students.protobuf"))
    with pytest.raises(ds.DocArraySparkError, match=r"'thesis.titel': Thesis has no field 'titel'"):
        ds.preprocess(df, Student, {"thesis.titel": shout})
    with pytest.raises(ds.DocArraySparkError, match=r"'thesis.title.text' is str, not a document"):
        ds.preprocess(df, Student, {"thesis.title.text.x": shout})

    class NotStudent(BaseDoc):
        thesis: NdArray

    with pytest.raises(ds.SchemaMismatchError, match=r"Field 'thesis' is declared NdArray"):
        ds.preprocess(df, NotStudent, {"thesis": scale})


def test_runtime_made_classes_and_parametrised_doc_types(spark):
    def make_classes(dim):  # classes made inside a function, at run time
        class Para(BaseDoc):
            text: str
            emb: NdArray[dim]
            pos: int

        class Doc(BaseDoc):
            page_no: int
            title: str = None
            chunks: DocList[Para]

            def summary(self):
                return f"{self.page_no}:{len(self.chunks)}"

        return Doc, Para

    Doc, Para = make_classes(4)

    def tag(doc):  # uses the runtime class's method and constructor on the executor
        doc.title = doc.summary()
        doc.chunks.append(Para(text="added", emb=np.zeros(4, np.float32), pos=-1))

    pages = spark.read.format("docarray").load(fixture("pages.protobuf"))
    out = ds.preprocess(pages, DocList[Doc], {"": tag})
    rows = {r["id"]: r for r in out.collect()}
    assert rows["page-2"]["title"] == "2:3" and rows["page-0"]["title"] == "0:0"
    assert [c["text"] for c in rows["page-2"]["chunks"]][-1] == "added"
    assert ds.to_doclist(out, DocList[Doc])[0].chunks[-1].pos == -1


def test_batched_tensor_columns_in_both_tensor_modes(spark, tmp_path):
    """A batched function's stacked result goes back as one buffer, in the column's own form: typed
    struct<shape, data> or binary struct<dtype, shape, buffer>."""
    rnd = np.random.default_rng(5)
    docs = DocList[Flat]([Flat(id=f"b-{i}", text=f"t{i}", embedding=rnd.standard_normal(DIM).astype(np.float32))
                          for i in range(30)])
    path = str(tmp_path / "flat.protobuf")
    docs.save_binary(path, protocol="protobuf", compress=None)
    steps = {"embedding": lambda e: e * 2, "text": lambda ts: [t.upper() for t in ts]}
    for mode in ("typed", "binary"):
        df = ds.read(spark, path, tensorMode=mode).repartition(2)
        out = ds.preprocess(df, Flat, steps, batched=True)
        names = out.schema["embedding"].dataType.names
        assert names == (["dtype", "shape", "buffer"] if mode == "binary" else ["shape", "data"]), names
        got = {d.id: d for d in ds.to_doclist(out, Flat)}
        assert len(got) == 30
        for d in docs:
            assert got[d.id].text == d.text.upper(), mode
            e = np.asarray(got[d.id].embedding)
            assert e.dtype == np.float32 and e.shape == (DIM,), mode
            assert e.tobytes() == (np.asarray(d.embedding) * 2).tobytes(), (mode, d.id)
    # a result whose dtype the typed column cannot hold names the path (a binary column holds any dtype)
    df = ds.read(spark, path)
    with pytest.raises(Exception) as e:
        ds.preprocess(df, Flat, {"embedding": lambda e: np.asarray(e).astype(np.complex64)}, batched=True,
                      schema=df.schema).collect()
    assert "'embedding' of document id='b-0': a complex64 tensor where the column holds float32" in str(e.value), \
        str(e.value)[-1500:]
