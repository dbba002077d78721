#!/usr/bin/env python3
"""The connector from PySpark, on Spark local mode and on a standalone cluster of separate JVMs.

Usage: test_pyspark.py CONNECTOR_JAR FIXTURES_DIR
Prints one line per check and 'N passed, N failed'; exits 1 on any failure.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

import docarray_spark

JAR, FIX = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix='docarray-pyspark-')
RESULTS = []


def check(name):
    def wrap(fn):
        try:
            fn()
            RESULTS.append(True)
            print(f'PASS {name}', flush=True)
        except Exception:  # noqa: BLE001
            RESULTS.append(False)
            print(f'FAIL {name}\n{traceback.format_exc()}', flush=True)
        return fn
    return wrap


def sidecar(name):
    with open(os.path.join(FIX, name + '.expected.json')) as f:
        return json.load(f)


def session(master, **conf):
    b = SparkSession.builder.master(master).appName('docarray-pyspark-test').config('spark.jars', JAR) \
        .config('spark.ui.enabled', 'false').config('spark.sql.shuffle.partitions', '2') \
        .config('spark.ui.showConsoleProgress', 'false')
    for k, v in conf.items():
        b = b.config(k, v)
    return b.getOrCreate()


def part_files(d):
    return sorted(p for p in glob.glob(os.path.join(d, '**', 'part-*'), recursive=True))


@check('the connector jar: protobuf, commons-compress and xz relocated, nothing unrelocated left')
def _():
    import zipfile
    names = zipfile.ZipFile(JAR).namelist()
    for prefix in ('com/google/protobuf/', 'org/apache/commons/compress/', 'org/tukaani/', 'org/apache/commons/lang3/',
                   'org/apache/commons/io/', 'org/apache/commons/codec/', 'com/fasterxml/'):
        leaked = [n for n in names if n.startswith(prefix)]
        assert not leaked, f'unrelocated classes in the jar: {leaked[:3]}'
    assert any(n.startswith('org/docarray/spark/shaded/protobuf/') for n in names)
    assert 'META-INF/services/org.apache.spark.sql.sources.DataSourceRegister' in names
    assert not any(n.startswith('org/apache/spark/') or n.startswith('scala/') for n in names), 'Spark/Scala are provided'


@check('the command-line tool runs from the jar alone, without Spark')
def _():
    java = os.path.join(os.environ['JAVA_HOME'], 'bin', 'java') if os.environ.get('JAVA_HOME') else 'java'
    out = subprocess.run([java, '-jar', JAR, 'validate', os.path.join(FIX, 'students.protobuf.lz4')],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith('OK') and '3 documents' in out.stdout, (out.stdout, out.stderr)
    out = subprocess.run([java, '-jar', JAR, 'head', '-n', '1', os.path.join(FIX, 'students.json-array.lz4')],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and json.loads(out.stdout.splitlines()[0])['id'] == {'text': 'stu-0'}, (out.stdout, out.stderr)


spark = session('local[2]', **{'spark.sql.extensions': 'org.docarray.spark.DocArraySparkSessionExtensions'})
spark.sparkContext.setLogLevel('WARN')


@check('read every codec of the students fixture and compare with the sidecar')
def _():
    for name in ['students.protobuf', 'students.protobuf.lz4', 'students.protobuf-array.gzip', 'students.json-array.bz2']:
        docs = sidecar(name)['docs']
        rows = spark.read.format('docarray').load(os.path.join(FIX, name)).orderBy('id').collect()
        assert len(rows) == len(docs), name
        for row, doc in zip(rows, sorted(docs, key=lambda d: d['id']['text'])):
            assert row['id'] == doc['id']['text']
            title = doc['thesis']['doc']['title']['doc']
            assert row['thesis']['title']['text'] == title['text']['text']
            emb = title['embedding']
            if emb is None:
                assert row['thesis']['title']['embedding'] is None
            else:
                import numpy as np
                got = np.array(row['thesis']['title']['embedding']['data'], dtype=np.float32)
                want = np.array(emb['ndarray']['values'], dtype=np.float32)
                assert (got == want).all(), (got, want)


@check('write from PySpark, load the files with the real DocArray')
def _():
    out = os.path.join(TMP, 'out')
    df = spark.read.format('docarray').load(os.path.join(FIX, 'pages.protobuf'))
    df.coalesce(1).write.format('docarray').option('protocol', 'protobuf-array').option('compression', 'gzip').save(out)
    from docarray import DocList
    from doc_classes import Page

    files = part_files(out)
    assert len(files) == 1 and files[0].endswith('.protobuf-array.gzip'), files
    pages = DocList[Page].load_binary(files[0])
    by_no = {p.page_no: p for p in pages}
    assert sorted(by_no) == [0, 1, 2]
    assert len(by_no[2].chunks) == 3 and by_no[1].chunks[1].emb.tolist() == [1.0, 1.0, 1.25, -1.0]
    assert by_no[1].title is None and by_no[0].title == 'cover'


@check('SQL: CREATE TABLE USING docarray, nested SELECT, tensor functions')
def _():
    spark.sql('DROP TABLE IF EXISTS students')
    spark.sql(f"CREATE TABLE students USING docarray OPTIONS (path '{os.path.join(FIX, 'students.protobuf')}')")
    docarray_spark.register_sql_functions(spark)
    r = spark.sql("SELECT id, docarray_l2_norm(thesis.title.embedding) AS n FROM students WHERE id = 'stu-1'").first()
    assert abs(r['n'] - (0.25 ** 2 + 1.5 ** 2 + 9 + 0.001 ** 2) ** 0.5) < 1e-5, r
    spark.sql('DROP TABLE students')


@check('PySpark preprocessing: SQL tensor functions in withField, balanced shards with a manifest')
def _():
    import json
    import tempfile
    from pyspark.sql import functions as F
    docarray_spark.register_sql_functions(spark)
    df = spark.read.format('docarray').load(os.path.join(FIX, 'students.protobuf'))
    emb = F.expr("docarray_normalize(docarray_tensor(transform(sequence(0, 3), j -> CAST(length(thesis.title.text) + j AS FLOAT))))")
    prepared = df.withColumn('thesis', F.col('thesis').withField('title.embedding', emb))
    out = tempfile.mkdtemp() + '/shards'
    m = docarray_spark.write_shards(prepared, out, 2, mode='overwrite', compression='lz4')
    assert m.num_documents == 3, m
    manifest = json.load(open(os.path.join(out, '_docarray_manifest.json')))
    assert manifest['num_shards'] == 2 and sum(s['num_documents'] for s in manifest['shards']) == 3, manifest
    rows = {r['id']: r for r in spark.read.format('docarray').load(out).select('id', 'thesis.title.embedding.data').collect()}
    n = (46 ** 2 + 47 ** 2 + 48 ** 2 + 49 ** 2) ** 0.5
    assert abs(rows['stu-0']['data'][0] - 46 / n) < 1e-6, rows['stu-0']


@check('spark.sql.extensions=DocArraySparkSessionExtensions: count(*) from headers is a driver-local LocalTableScan')
def _():
    df = spark.read.format('docarray').load(os.path.join(FIX, 'students.protobuf'))
    counted = df.groupBy().count()
    plan = counted._jdf.queryExecution().executedPlan()
    assert plan.getClass().getSimpleName() == 'LocalTableScanExec', plan.toString()
    assert counted.first()[0] == 3 and df.count() == 3
    assert spark.sql(f"SELECT count(*) FROM docarray.`{os.path.join(FIX, 'students.protobuf')}`").first()[0] == 3
    # anything the headers cannot answer is Spark's usual plan
    assert df.where('id = "stu-1"').count() == 1


@check('bad input names the file, pickles are refused')
def _():
    try:
        spark.read.format('docarray').load(os.path.join(FIX, 'students.pickle')).collect()
        raise AssertionError('pickle was read')
    except AssertionError:
        raise
    except Exception as e:  # noqa: BLE001
        assert 'pickle' in str(e) and 'protobuf' in str(e), str(e)[:500]


spark.stop()


@check('standalone cluster: a master and two workers (separate JVMs) read, preprocess with a Python UDF and write')
def _():
    from servers import standalone_cluster

    with standalone_cluster(2) as url:
        cs = session(url, **{'spark.executor.memory': '512m', 'spark.executor.cores': '1', 'spark.cores.max': '2'})
        deadline = time.time() + 90
        while cs.sparkContext._jsc.sc().getExecutorMemoryStatus().size() < 3 and time.time() < deadline:
            time.sleep(1)
        executors = cs.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1
        assert executors == 2, f'{executors} executors registered'
        docarray_spark.register_sql_functions(cs)
        shout = F.udf(lambda s: None if s is None else s.upper(), StringType())
        df = cs.read.format('docarray').load([os.path.join(FIX, 'pages.protobuf'), os.path.join(FIX, 'students.protobuf')])
        out = os.path.join(TMP, 'cluster-out')
        students = cs.read.format('docarray').load(os.path.join(FIX, 'students.protobuf')).repartition(4)
        done = students.withColumn('thesis', F.col('thesis').withField('title.text', shout(F.col('thesis.title.text')))) \
            .withColumn('norm', F.expr('docarray_l2_norm(thesis.title.embedding)'))
        done.write.format('docarray').option('compression', 'lz4').save(out)
        back = cs.read.format('docarray').load(out).orderBy('id').collect()
        assert [r['id'] for r in back] == ['stu-0', 'stu-1', 'stu-2']
        assert back[0]['thesis']['title']['text'] == 'ON THE SPECTRAL RADIUS OF SPARSE RANDOM GRAPHS'
        assert back[1]['norm'] is not None and back[0]['norm'] is None
        hosts = cs.sparkContext.parallelize(range(8), 8).map(lambda _: os.getpid()).distinct().count()
        assert hosts >= 2, f'tasks ran in {hosts} executor processes'
        assert df.count() == 6
        cs.stop()


shutil.rmtree(TMP, ignore_errors=True)
passed, failed = RESULTS.count(True), RESULTS.count(False)
print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
