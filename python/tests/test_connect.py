"""Everything over Spark Connect (the PySpark 4 line): a local Connect server started by the test, with the
connector jar and the session extensions, as a Databricks serverless or shared cluster runs PySpark."""
import os

import numpy as np
import pytest

pyspark = pytest.importorskip("pyspark")
if int(pyspark.__version__.split(".")[0]) < 4:
    pytest.skip("Spark Connect is tested on the PySpark 4 line", allow_module_level=True)
pytest.importorskip("grpc")

from docarray import DocList  # noqa: E402

import docarray_spark as ds  # noqa: E402
from docarray_spark import functions as DF  # noqa: E402
from conftest import assert_same, fixture  # noqa: E402
from doc_classes import Page, Student, VecDoc  # noqa: E402
from servers import connect_server  # noqa: E402
from test_preprocess import PREPROCESSING, mmd  # noqa: E402


@pytest.fixture(scope="module")
def remote():
    from pyspark.sql import SparkSession

    env = dict(os.environ)
    with connect_server() as url:
        session = SparkSession.builder.remote(url).getOrCreate()
        yield session
        session.stop()
    # PySpark marks the whole process as "Connect mode" in its environment: undo it for the classic tests
    for k in set(os.environ) - set(env):
        del os.environ[k]


def test_a_connect_session_has_no_jvm_and_the_package_knows(remote):
    assert ds.is_connect(remote)
    assert not hasattr(remote, "_jvm") or remote.__dict__.get("_jvm") is None


def test_sql_functions_and_their_type_checks(remote):
    from pyspark.errors import AnalysisException

    ds.register_sql_functions(remote)  # checks the server's extensions registered them
    df = remote.read.format("docarray").load(fixture("students.protobuf"))
    n = df.where("id = 'stu-1'").select(DF.l2_norm("thesis.title.embedding")).first()[0]
    x = np.array([0.25, -1.5, 3.0, 0.001], dtype=np.float32).astype(np.float64)
    assert abs(n - np.sqrt((x ** 2).sum())) < 1e-12
    assert remote.sql("SELECT docarray_l2_norm(docarray_tensor(array(3.0D, 4.0D)))").first()[0] == 5.0
    with pytest.raises(AnalysisException, match="docarray_l2_norm: the first argument"):
        df.select(DF.l2_norm("id")).schema  # analysed on the server


def test_register_says_how_to_configure_a_server_without_the_extensions(remote, monkeypatch):
    monkeypatch.setattr(remote.catalog, "functionExists", lambda name: False)
    with pytest.raises(ds.MissingJarError, match="spark.sql.extensions=org.docarray.spark.DocArraySparkSessionExtensions"):
        ds.register_sql_functions(remote)


def test_preprocess_equal_to_multimodal_dataset(remote):
    files = [fixture("students.protobuf")]
    out = ds.preprocess(remote.read.format("docarray").load(files), Student, PREPROCESSING)
    got = sorted(ds.to_doclist(out, Student), key=lambda d: d.id)
    want = mmd(files, Student, PREPROCESSING)
    assert len(got) == 3
    for a, b in zip(got, want):
        assert_same(a, b, b.id)


def test_to_doclist_to_docvec_and_from_docs(remote, tmp_path):
    pages = remote.read.format("docarray").load(fixture("pages.protobuf"))
    got = sorted(ds.to_doclist(pages, Page), key=lambda d: d.id)
    want = sorted(DocList[Page].load_binary(fixture("pages.protobuf")), key=lambda d: d.id)
    for a, b in zip(got, want):
        assert_same(a, b, b.id)
    vec = ds.to_docvec(remote.read.format("docarray").load(fixture("docvec_rows.protobuf")).orderBy("id"), VecDoc)
    assert vec.emb.shape == (3, 8)
    written = str(tmp_path / "pages.protobuf")
    DocList[Page](want).save_binary(written, protocol="protobuf", compress=None)
    made = ds.from_docs(remote, want)
    read = remote.read.format("docarray").load(written)
    assert made.schema.json() == read.schema.json() and repr(made.collect()) == repr(read.collect())


def test_write_shards_and_read_the_manifest_through_spark(remote, tmp_path):
    df = remote.read.format("docarray").load(fixture("students.protobuf"))
    out = str(tmp_path / "shards")
    m = ds.write_shards(df, out, 2, compression="lz4")
    assert m.num_documents == 3 and len(m.shards) == 2
    assert ds.read_manifest("file://" + out, remote).shards == m.shards  # a non-local path: read by the server
    for p in m.paths():
        assert os.path.getsize(p) > 9


def test_connector_errors_are_pyspark_exceptions_over_connect(remote, tmp_path):
    """The same cases as the classic session's (test_errors.py): PySpark's Connect exception classes, the
    connector's message first, its error class and SQLSTATE."""
    from test_errors import check_spark_errors

    check_spark_errors(remote, tmp_path)
