"""Shared fixtures of the docarray_spark tests: a local Spark session with the connector, the fixture files,
and a value-by-value comparison of DocArray documents."""
import math
import os
import sys

import numpy as np
import pytest

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# the tests' own modules (doc_classes) on the Python workers' path too, as a user ships theirs with --py-files
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [os.path.dirname(os.path.abspath(__file__)),
                                                       os.environ.get("PYTHONPATH")] if p)
FIXTURES = os.path.join(ROOT, "connector", "src", "test", "resources", "fixtures")


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


def local_session():
    from pyspark.sql import SparkSession

    import docarray_spark as ds

    builder = SparkSession.builder.master("local[2]").appName("docarray-spark-pytest") \
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2") \
        .config("spark.ui.showConsoleProgress", "false")
    session = ds.configure(builder).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@pytest.fixture
def spark():
    """The local[2] session with the connector (made once; made again after a test that needed another)."""
    return local_session()


def assert_same(a, b, path="doc"):
    """Deep, exact equality of DocArray values: documents field by field, tensors by class, dtype, shape and
    bits (NaN equal to NaN), lists and dicts element by element."""
    from docarray import BaseDoc
    from docarray.array.any_array import AnyDocArray

    from docarray_spark._codec import is_tensor_value, to_numpy

    if a is None or b is None:
        assert a is None and b is None, f"{path}: {a!r} vs {b!r}"
        return
    if isinstance(a, BaseDoc):
        assert isinstance(b, BaseDoc), f"{path}: document vs {type(b).__name__}"
        assert type(a).__name__ == type(b).__name__, f"{path}: {type(a).__name__} vs {type(b).__name__}"
        assert set(a.__fields__) == set(b.__fields__), path
        for k in a.__fields__:
            assert_same(getattr(a, k), getattr(b, k), f"{path}.{k}")
        return
    if isinstance(a, AnyDocArray):
        assert isinstance(b, AnyDocArray) and len(a) == len(b), f"{path}: {a!r} vs {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
        return
    if is_tensor_value(a):
        assert is_tensor_value(b), f"{path}: tensor vs {type(b).__name__}"
        assert type(a).__name__ == type(b).__name__, f"{path}: {type(a).__name__} vs {type(b).__name__}"
        x, y = to_numpy(a), to_numpy(b)
        assert x.dtype == y.dtype and x.shape == y.shape, f"{path}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}"
        assert x.tobytes() == y.tobytes() or np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f"{path}: {x} vs {y}"
        return
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{path}: {a!r} vs {b!r}"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
        return
    if isinstance(a, (list, tuple)):
        assert type(a) == type(b) and len(a) == len(b), f"{path}: {a!r} vs {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
        return
    if isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), f"{path}: {a!r} vs {b!r}"
        return
    assert type(a) == type(b) and a == b, f"{path}: {a!r} ({type(a).__name__}) vs {b!r} ({type(b).__name__})"
