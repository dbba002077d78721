"""The PySpark quickstart: read DocArray files, a tensor function, preprocess with Python functions by dotted
path on the executors, write training shards, and train on them with DocArray + a PyTorch DataLoader.

    pip install pyspark python/dist/docarray_spark-*.whl   # the wheel: bin/build-wheel (both Spark lines' jars)
    python examples/python/quickstart.py [SAMPLE_DIR]

The training step needs PyTorch (``pip install torch``, or your platform's build); without it the shards are
loaded with DocArray alone and the step says it was skipped.
"""
import hashlib
import os
import sys
import tempfile
from typing import Optional

import numpy as np
from docarray import BaseDoc, DocList
from docarray.documents import TextDoc
from pyspark.sql import SparkSession

import docarray_spark as ds
from docarray_spark import functions as DF

SAMPLE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src", "main",
                                                              "resources", "sample")

# 1. a session with the connector jar of the installed PySpark line (on Databricks: `spark` is there already)
spark = ds.configure(SparkSession.builder.master("local[2]").appName("docarray quickstart")).getOrCreate()
spark.sparkContext.setLogLevel("ERROR")

# 2. read: nested documents are structs, tensors struct<shape, data>
students = spark.read.format("docarray").load(SAMPLE)
students.select("id", "thesis.title.text", DF.l2_norm("thesis.title.embedding").alias("norm")).show(5, truncate=40)


# 3. preprocess with the same dict MultiModalDataset takes, on the executors
class Thesis(BaseDoc):
    title: TextDoc
    year: Optional[int] = None


class Student(BaseDoc):
    name: str
    thesis: Thesis


def embed_title(title: TextDoc):
    v = np.zeros(8, np.float32)
    for word in (title.text or "").split():
        v[int(hashlib.md5(word.encode()).hexdigest(), 16) % 8] += 1.0
    title.embedding = v


def normalize(thesis: Thesis):
    n = np.linalg.norm(thesis.title.embedding)
    if n > 0:
        thesis.title.embedding = thesis.title.embedding / n


prepared = ds.preprocess(students, doc_type=Student, preprocessing={"thesis.title": embed_title, "thesis": normalize})

# DataFrame <-> DocArray in memory: documents collected through Arrow, and back (DocArray serialises them)
some = ds.to_doclist(prepared.limit(2), Student)
print(f"to_doclist: {type(some).__name__} of {len(some)}, from_docs: {ds.from_docs(spark, some).count()} rows")

# 4. balanced shards + a manifest, files the real DocArray loads
out = tempfile.mkdtemp() + "/shards"
manifest = ds.write_shards(prepared, out, num_shards=3, compression="lz4")
print(f"{manifest.num_documents} documents in {len(manifest.shards)} shards")


# 5. train: DocArray loads the shards; collate_fn stacks TorchTensor[8] fields into a batch
docs = [d for path in manifest.paths() for d in DocList[Student].load_binary(path)]
print(f"DocArray loaded {len(docs)} documents from the shards")
try:
    import torch
except ImportError:
    torch = None
    print("training skipped: PyTorch is not installed (pip install torch)")
if torch is not None:
    from docarray.data import MultiModalDataset
    from docarray.typing import TorchTensor
    from torch.utils.data import DataLoader

    class Example(BaseDoc):
        title: str
        embedding: TorchTensor[8]

    train = DocList[Example]([Example(title=d.thesis.title.text, embedding=torch.from_numpy(
        np.asarray(d.thesis.title.embedding, dtype=np.float32))) for d in docs])
    loader = DataLoader(MultiModalDataset[Example](docs=train, preprocessing={}), batch_size=4,
                        collate_fn=MultiModalDataset[Example].collate_fn)
    model = torch.nn.Linear(8, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for step, batch in enumerate(loader):
        loss = ((model(batch.embedding) - 1.0) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f"step {step}: loss {loss.item():.4f}")
spark.stop()
