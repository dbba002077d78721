"""A standalone cluster (a master and two worker JVMs, Python workers in separate processes): document classes
made at run time, and DocList[...] parametrised at run time, work as doc_type."""
import os

import numpy as np
import pytest
from docarray import BaseDoc, DocList
from docarray.typing import NdArray

import docarray_spark as ds
from conftest import fixture
from servers import standalone_cluster


@pytest.fixture(scope="module")
def cluster():
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()  # one SparkContext per process: the local session is made again by later tests
    with standalone_cluster(2) as url:
        builder = SparkSession.builder.master(url).appName("docarray-cluster-test") \
            .config("spark.executor.memory", "512m").config("spark.executor.cores", "1") \
            .config("spark.cores.max", "2").config("spark.ui.enabled", "false")
        session = ds.configure(builder).getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


def make_classes(dim):
    """Document classes made inside a function: not importable by any worker."""
    class Title(BaseDoc):
        text: str = None
        embedding: NdArray[dim] = None

    class Thesis(BaseDoc):
        title: Title

    class Student(BaseDoc):
        thesis: Thesis

        def shout(self):
            return (self.thesis.title.text or "").upper()

    return Student, Title


def test_runtime_classes_on_a_real_cluster(cluster):
    Student, Title = make_classes(4)

    def embed(title):
        title.embedding = np.full(4, len(title.text or ""), dtype=np.float32)

    def whole(doc):
        doc.thesis.title.text = doc.shout()  # a method of the runtime class, on the executor

    df = cluster.read.format("docarray").load([fixture("students.protobuf")] * 4).repartition(4)
    out = ds.preprocess(df, DocList[Student], {"thesis.title": embed, "": whole})
    rows = out.collect()
    assert len(rows) == 12
    by_id = {r["id"]: r for r in rows}
    assert by_id["stu-0"]["thesis"]["title"]["text"] == "ON THE SPECTRAL RADIUS OF SPARSE RANDOM GRAPHS"
    assert by_id["stu-0"]["thesis"]["title"]["embedding"]["data"] == [46.0] * 4
    assert by_id["stu-2"]["thesis"]["title"]["embedding"]["data"] == [0.0] * 4
    # the work really ran in more than one executor process
    pids = cluster.sparkContext.parallelize(range(8), 8).map(lambda _: os.getpid()).distinct().count()
    assert pids >= 2, pids
    executors = cluster.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1
    assert executors == 2, executors
    back = ds.to_doclist(out, DocList[Student])
    assert type(back[0]).__name__ == "Student" and back[0].thesis.title.embedding.shape == (4,)
