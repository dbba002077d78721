"""The package's surface: configure and the jar of the PySpark line, SQL functions as Columns, shards, options."""
import json
import os

import numpy as np
import pytest
from docarray import DocList
from pyspark.sql import functions as F

import docarray_spark as ds
from docarray_spark import functions as DF
from conftest import fixture


def test_the_jar_of_each_spark_line_and_clear_errors(monkeypatch, tmp_path):
    assert ds.spark_line("3.5.9") == "3.5" and ds.spark_line("4.0.4") == "4.0" and ds.spark_line("4.3.0") == "4.0"
    path = ds.jar_path()
    assert os.path.isfile(path) and f"docarray-spark-{ds.spark_line()}_" in os.path.basename(path)
    with pytest.raises(ds.MissingJarError, match=r"Spark 3.5 and Spark 4, not for PySpark 3.4.1"):
        ds.spark_line("3.4.1")
    monkeypatch.setenv("DOCARRAY_SPARK_JAR", str(tmp_path / "nope.jar"))
    with pytest.raises(ds.MissingJarError, match="is not a file"):
        ds.jar_path()
    monkeypatch.delenv("DOCARRAY_SPARK_JAR")
    import docarray_spark.session as session
    monkeypatch.setattr(session, "_jar_dirs", lambda: [str(tmp_path)])
    with pytest.raises(ds.MissingJarError) as e:
        ds.jar_path("4.0.4")
    assert "needs docarray-spark-4.0_2.13-" in str(e.value) and "bin/build-wheel" in str(e.value)


def test_configure_keeps_what_the_builder_has(monkeypatch):
    from pyspark.sql import SparkSession

    if "_options" in vars(SparkSession.Builder):  # PySpark 3.5's builders share one class-level options dict
        monkeypatch.setattr(SparkSession.Builder, "_options", {})
    b = SparkSession.builder.config("spark.jars", "/x/other.jar").config("spark.sql.extensions", "a.B")
    b = ds.configure(b)
    assert b._options["spark.jars"] == "/x/other.jar," + ds.jar_path()
    assert b._options["spark.sql.extensions"] == "a.B," + ds.EXTENSIONS
    assert ds.configure(b)._options["spark.jars"].count(ds.jar_path()) == 1  # idempotent


def test_tensor_functions_as_columns(spark):
    df = spark.read.format("docarray").load(fixture("students.protobuf")).where("id = 'stu-1'")
    emb = "thesis.title.embedding"
    r = df.select(DF.l2_norm(emb).alias("n"), DF.l2_normalize(emb).alias("u"), DF.normalize(F.col(emb)).alias("u2"),
                  DF.cosine_similarity(emb, emb).alias("c"), DF.flatten(emb).alias("f"),
                  DF.reshape(emb, [2, 2]).alias("r"), DF.tensor(F.col(emb + ".data")).alias("t"),
                  DF.cast(emb, "float64").alias("d"), DF.cast(emb, "int64").alias("i")).first()
    x = np.array([0.25, -1.5, 3.0, 0.001], dtype=np.float32)
    n = float(np.sqrt((x.astype(np.float64) ** 2).sum()))
    assert abs(r["n"] - n) < 1e-12
    assert r["u"]["shape"] == [4] and np.allclose(r["u"]["data"], x / n, atol=1e-7) and r["u2"] == r["u"]
    assert abs(r["c"] - 1.0) < 1e-9
    assert r["f"]["shape"] == [4] and r["f"]["data"] == [float(v) for v in x]
    assert r["r"]["shape"] == [2, 2] and r["t"]["shape"] == [4]
    assert r["d"]["data"] == [float(v) for v in x] and r["i"]["data"] == [0, -1, 3, 0]
    pages = spark.read.format("docarray").load(fixture("pages.protobuf")).where("page_no = 2")
    s = pages.select(DF.stack(F.transform("chunks", lambda c: c["emb"])).alias("s")).first()["s"]
    assert s["shape"] == [3, 4] and len(s["data"]) == 12
    with pytest.raises(ValueError, match="Cannot cast a tensor to 'complex64'"):
        DF.cast(emb, "complex64")


def _element(df, column):
    return df.schema[column].dataType["data"].dataType.elementType.simpleString()


def test_every_tensor_function_keeps_or_states_its_element_type(spark):
    """A uint8 image stays integral through reshape/flatten/stack/tensor, and every result is a tensor struct
    (``.shape`` works); normalising keeps float32/float64 and gives float64 otherwise; casts give what they name."""
    images = spark.read.format("docarray").load(fixture("images.protobuf"))
    img = next(f.name for f in images.schema.fields if f.name == "tensor")
    stored = _element(images, img)
    assert stored in ("tinyint", "smallint", "int", "bigint", "float", "double"), stored
    one = images.where(F.col(img).isNotNull()).limit(1)
    n = one.select(F.aggregate(F.col(img + ".shape"), F.lit(1), lambda a, x: a * x).alias("n")).first()["n"]
    out = one.select(
        DF.reshape(img, [n]).alias("reshaped"), DF.flatten(img).alias("flat"),
        DF.stack(F.array(F.col(img), F.col(img))).alias("stacked"), DF.tensor(F.col(img + ".data")).alias("made"),
        DF.l2_normalize(img).alias("unit"), DF.cast(img, "float64").alias("f64"), DF.cast(img, "int32").alias("i32"))
    for column in ("reshaped", "flat", "stacked", "made"):
        assert _element(out, column) == stored, column
    assert _element(out, "unit") == ("float" if stored == "float" else "double")
    assert _element(out, "f64") == "double" and _element(out, "i32") == "int"
    row, src = out.first(), one.first()[img]
    assert row["flat"]["shape"] == [n] and row["flat"].shape == [n] and row["reshaped"]["shape"] == [n]
    assert row["flat"]["data"] == row["reshaped"]["data"] == src["data"] == row["made"]["data"]
    assert row["stacked"]["shape"] == [2] + list(src["shape"]) and row["stacked"]["data"] == src["data"] * 2
    norm = float(np.sqrt(np.sum(np.square(np.asarray(src["data"], dtype=np.float64)))))
    np.testing.assert_allclose(row["unit"]["data"], np.asarray(src["data"], dtype=np.float64) / norm, rtol=1e-6)
    # float64 tensors keep float64 precision through normalisation
    f64 = spark.range(1).select(DF.l2_normalize(DF.tensor(F.array(F.lit(1e-150), F.lit(3e-150)))).alias("u"))
    assert _element(f64, "u") == "double"
    np.testing.assert_allclose(f64.first()["u"]["data"], [1 / np.sqrt(10), 3 / np.sqrt(10)], rtol=1e-12)


def test_function_arguments_are_checked_when_the_query_is_analysed(spark):
    from pyspark.errors import AnalysisException

    df = spark.read.format("docarray").load(fixture("students.protobuf"))
    with pytest.raises(AnalysisException, match=r"docarray_l2_norm: the first argument .*id must be a typed tensor.*"
                                                 r"but it is string"):
        df.select(DF.l2_norm("id"))  # no action: the analyser refuses it


def test_the_session_extensions_register_the_functions_by_name(spark):
    # the fixture session was configured with the extensions only: no register call was made
    assert spark.catalog.functionExists("docarray_l2_norm")
    assert spark.sql("SELECT docarray_l2_norm(docarray_tensor(array(3.0D, 4.0D))) AS n").first()["n"] == 5.0
    ds.register_sql_functions(spark)  # idempotent on classic PySpark
    assert spark.sql("SELECT docarray_l2_norm(docarray_tensor(array(3.0D, 4.0D))) AS n").first()["n"] == 5.0


def test_write_shards_returns_the_manifest_and_docarray_loads_every_shard(spark, tmp_path):
    df = spark.read.format("docarray").load([fixture("students.protobuf")] * 1 + [fixture("pages.protobuf")]) \
        .select("id").union(spark.range(40).selectExpr("concat('n-', id) AS id"))
    out = str(tmp_path / "shards")
    m = ds.write_shards(df, out, 4, compression="lz4")
    assert isinstance(m, ds.ShardManifest) and len(m.shards) == 4 and m.num_documents == 46
    assert m.protocol == "protobuf" and m.compression == "lz4"
    counts = [s.num_documents for s in m.shards]
    assert max(counts) - min(counts) <= 1, counts  # balanced to one document
    from docarray import BaseDoc

    seen = []
    for s, p in zip(m.shards, m.paths()):
        assert os.path.getsize(p) == s.bytes and p.endswith(".protobuf.lz4")
        docs = DocList[BaseDoc].load_binary(p)
        assert len(docs) == s.num_documents
        seen += [d.id for d in docs]
    assert sorted(seen) == sorted(r["id"] for r in df.collect())
    assert not [f for f in os.listdir(out) if f.startswith("_docarray_count")]  # the count files are gone
    assert json.load(open(os.path.join(out, "_docarray_manifest.json")))["num_documents"] == 46
    assert ds.read_manifest(out) == m
    with pytest.raises(ds.InvalidOptionError, match="the option .maxRecordsPerFile. is not taken here: it would split shards"):
        ds.write_shards(df, out, 2, maxRecordsPerFile=3)
    with pytest.raises(Exception, match="Option 'manifest' must be true or false, not 'yes'"):
        df.write.format("docarray").option("manifest", "yes").save(str(tmp_path / "x"))


def test_read_checks_option_names(spark):
    df = ds.read(spark, fixture("students.protobuf"), tensorMode="binary")
    assert df.schema["thesis"].dataType["title"].dataType["embedding"].dataType.names == ["dtype", "shape", "buffer"]
    with pytest.raises(ds.InvalidOptionError, match=r"read: unknown option 'compresion' \(did you mean 'compression'\?\)"):
        ds.read(spark, fixture("students.protobuf"), compresion="lz4")
    assert set(ds.READ_OPTIONS) >= {"protocol", "compression", "tensorMode", "mode", "maxDocumentBytes"}


def test_the_documented_options_are_the_ones_the_connector_takes(spark):
    # the connector warns about any other option name; the two lists must not drift apart
    check = spark._jvm.org.docarray.spark.config.OptionNames
    jvm_read = {str(k) for k in check.READ.toArray()}
    jvm_write = {str(k) for k in check.WRITE.toArray()}
    assert set(ds.READ_OPTIONS) == jvm_read - {"path", "paths", "codec"}
    assert set(ds.WRITE_OPTIONS) == jvm_write - {"path", "paths", "codec", "maxRecordsPerFile"}


def test_features_that_need_the_jvm_say_so_over_connect():
    class FakeConnect:
        pass

    FakeConnect.__module__ = "pyspark.sql.connect.session"
    assert ds.is_connect(FakeConnect())
    from docarray_spark.session import jvm_session

    with pytest.raises(ds.NotOverSparkConnectError, match="needs the driver's JVM"):
        jvm_session(FakeConnect(), "something")


def test_the_python_quickstart_runs_end_to_end():
    import subprocess
    import sys

    from conftest import ROOT

    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "python", "quickstart.py")],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "12 documents in 3 shards" in out.stdout, out.stdout
    losses = [float(line.split("loss ")[1]) for line in out.stdout.splitlines() if line.startswith("step ")]
    assert len(losses) == 3 and all(np.isfinite(losses)) and losses[-1] < losses[0], out.stdout
