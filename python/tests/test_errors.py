"""Every entry point's bad input as a Python exception a user can catch: PySpark's own classes for the connector's
JVM errors (with the connector's message as the first line, its error class and SQLSTATE), the package's own
classes for what Python checks first. The same cases run over Spark Connect in test_connect.py."""
import os

import numpy as np
import pytest
from pyspark.sql import functions as F

import docarray_spark as ds
from docarray_spark import functions as DF
from conftest import fixture
from doc_classes import Student


def first_line(e):
    return str(e.value).splitlines()[0]


def spark_error_cases(spark, tmp_path):
    """(name, action, PySpark class name, error class, SQLSTATE, regex the first line matches) for each JVM error
    a user meets through the public API; runs against a classic or a Connect session."""
    csv = tmp_path / "people.csv"
    csv.write_text("name,age\nada,36\n")
    raw = open(fixture("students.protobuf"), "rb").read()
    cut = tmp_path / "cut.protobuf"
    cut.write_bytes(raw[: len(raw) // 2])
    students = spark.read.format("docarray").load(fixture("students.protobuf"))
    emb = "thesis.title.embedding"
    return [
        ("a CSV file read as DocArray (driver)", lambda: spark.read.format("docarray").load(str(csv)).schema,
         "SparkRuntimeException", "DOCARRAY_MALFORMED_FILE", "22000",
         r"^Malformed DocArray file \S*people\.csv, document 0, byte offset 0: not a DocArray file: it looks like text"),
        ("a cut file read with a schema (task)",
         lambda: spark.read.format("docarray").schema(students.schema).load(str(cut)).collect(),
         "SparkRuntimeException", "DOCARRAY_MALFORMED_FILE", "22000",
         r"^Malformed DocArray file \S*cut\.protobuf, document 1, byte offset 216: length prefix \d+ runs past"),
        ("docarray_reshape of a shape that does not fit (task)",
         lambda: students.select(DF.reshape(emb, [3, 3])).collect(),
         "IllegalArgumentException", "DOCARRAY_INVALID_ARGUMENT", "22023",
         r"^docarray_reshape: 4 elements do not fit shape \[3, 3\]$"),
        ("an option value the reader does not take",
         lambda: spark.read.format("docarray").option("mode", "sometimes").load(fixture("students.protobuf")).collect(),
         "IllegalArgumentException", "DOCARRAY_INVALID_OPTION", "42K06",
         r"^Option 'mode' must be one of failfast, permissive, dropmalformed, not 'sometimes'"),
        ("a path that does not exist", lambda: spark.read.format("docarray").load(str(tmp_path / "nowhere")).schema,
         "AnalysisException", "PATH_NOT_FOUND", "42K03", r"Path does not exist: \S*nowhere"),
        ("a DocVec shard layout refused (write task)",
         lambda: ds.write_shards(students, str(tmp_path / "dv"), num_shards=1, layout="docvec"),
         "SparkRuntimeException", "DOCARRAY_UNWRITABLE_VALUE", "22000",
         r"^Column 'thesis.title.embedding' is null in some rows but not in others \(null in document "
         r"id='stu-\d'\); .*write_shards\(layout='doclist'\)"),
        ("a tensor function given a string column (analysis)", lambda: students.select(DF.l2_norm("id")).schema,
         "AnalysisException", "DATATYPE_MISMATCH.TYPE_CHECK_FAILURE_WITH_HINT", "42K09",
         r"docarray_l2_norm: the first argument .*id must be a typed tensor"),
    ]


def check_spark_errors(spark, tmp_path):
    import pyspark.errors as errors

    for name, action, cls, error_class, sql_state, line in spark_error_cases(spark, tmp_path):
        with pytest.raises(getattr(errors, cls)) as e:
            action()
        assert e.value.getErrorClass() == error_class, (name, e.value.getErrorClass())
        assert e.value.getSqlState() == sql_state, (name, e.value.getSqlState())
        assert __import__("re").search(line, first_line(e)), (name, first_line(e))


def test_connector_errors_are_pyspark_exceptions_with_the_message_first(spark, tmp_path):
    check_spark_errors(spark, tmp_path)


def test_python_entry_points_check_their_options_alike(spark, tmp_path):
    df = spark.read.format("docarray").load(fixture("students.protobuf"))
    with pytest.raises(ds.InvalidOptionError) as e:
        ds.read(spark, fixture("students.protobuf"), compresion="lz4")
    assert first_line(e).startswith("read: unknown option 'compresion' (did you mean 'compression'?); known: ")
    with pytest.raises(ds.InvalidOptionError) as e:
        ds.write_shards(df, str(tmp_path / "s"), num_shards=1, compresion="lz4")
    assert first_line(e).startswith("write_shards: unknown option 'compresion' (did you mean 'compression'?)")
    assert not os.path.exists(tmp_path / "s")  # refused before anything was written
    assert isinstance(e.value, ValueError) and isinstance(e.value, ds.DocArraySparkError)
    for bad, says in [({"num_shards": 0}, "num_shards must be a positive int, not 0"),
                      ({"num_shards": 2.5}, "num_shards must be a positive int, not 2.5"),
                      ({"num_shards": 1, "layout": "rows"}, "layout must be 'doclist' or 'docvec', not 'rows'"),
                      ({"num_shards": 1, "maxRecordsPerFile": 2}, "the option 'maxRecordsPerFile' is not taken here"),
                      ({"num_shards": 1, "layout": "docvec", "protocol": "protobuf"},
                       "layout='docvec' writes protocol 'protobuf-array', not 'protobuf'")]:
        with pytest.raises(ds.InvalidOptionError) as e:
            ds.write_shards(df, str(tmp_path / "t"), **bad)
        assert first_line(e) == "write_shards: " + says or first_line(e).startswith("write_shards: " + says), \
            first_line(e)
    with pytest.raises(ValueError, match=r"^Cannot cast a tensor to 'complex64'"):
        DF.cast("thesis.title.embedding", "complex64")


def test_preprocess_and_conversions_refuse_on_the_driver(spark):
    df = spark.read.format("docarray").load(fixture("students.protobuf"))
    with pytest.raises(ds.DocArraySparkError) as e:
        ds.preprocess(df, Student, {"thesis.subtitle": lambda v: v})
    assert first_line(e).startswith("preprocessing path 'thesis.subtitle': Thesis has no field 'subtitle'")
    with pytest.raises(ds.DocArraySparkError) as e:
        ds.preprocess(df, Student, {"thesis": "not a function"})
    assert first_line(e) == "preprocessing['thesis'] is a str, not a function"
    with pytest.raises(ds.SchemaMismatchError) as e:
        ds.to_doclist(df.withColumn("thesis", F.lit("text")), Student)
    assert "thesis" in first_line(e)
    with pytest.raises(ds.DocArraySparkError) as e:
        ds.to_doclist(df, int)
    assert first_line(e).startswith("doc_type must be a BaseDoc subclass or DocList[...]/DocVec[...], not")


def test_write_shards_balances_exactly_and_refuses_too_few_documents(spark, tmp_path):
    rows = spark.range(12).selectExpr("CAST(id AS STRING) AS id", "CAST(id AS INT) AS n").repartition(5)
    m = ds.write_shards(rows, str(tmp_path / "eight"), num_shards=8)
    counts = [s.num_documents for s in m.shards]
    assert len(m.shards) == 8 and sorted(counts) == [1, 1, 1, 1, 2, 2, 2, 2], counts
    ids = sorted(int(r["id"]) for r in spark.read.format("docarray").load(str(tmp_path / "eight")).collect())
    assert ids == list(range(12))  # every document once
    with pytest.raises(ds.DocArraySparkError) as e:
        ds.write_shards(rows, str(tmp_path / "twenty"), num_shards=20)
    assert first_line(e) == ("write_shards: 12 documents cannot fill 20 shards (every shard needs at least one "
                             "document): ask for fewer shards")


@pytest.mark.parametrize("n,shards,partitions", [(1000, 7, 3), (64, 64, 1), (100, 3, 40), (5, 5, 5)])
def test_write_shards_sizes_differ_by_at_most_one(spark, tmp_path, n, shards, partitions):
    rows = spark.range(n).selectExpr("CAST(id AS STRING) AS id").repartition(partitions)
    m = ds.write_shards(rows, str(tmp_path / "s"), num_shards=shards)
    counts = [s.num_documents for s in m.shards]
    assert len(counts) == shards and sum(counts) == n and max(counts) - min(counts) <= 1, counts
    got = np.sort(np.array([int(r[0]) for r in spark.read.format("docarray").load(str(tmp_path / "s")).collect()]))
    np.testing.assert_array_equal(got, np.arange(n))
