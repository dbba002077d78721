"""docarray_spark's Python paths against DocArray itself, on the same documents in one run.

    python benchmarks/python_benchmark.py [--docs 200000] [--out benchmarks/results/python-pyspark-<v>]

The documents have the benchmark shape (LoaderBenchmark's: id, text, label, a float32[128] embedding),
written by DocArray (``save_binary``, protocol protobuf, no compression). Three ratios, each measured in
this one run (best of ``--runs``):

1. per-document preprocessing: ``docarray_spark.preprocess`` on local[2] (read the file, Arrow to the Python
   workers, build the documents, run the functions, Arrow back, Spark's noop sink) against iterating
   ``MultiModalDataset[LargeDoc]`` over the already loaded documents on one core, same functions;
2. batched preprocessing (``batched=True``, vectorised twins of the functions) against the same
   ``MultiModalDataset`` pass;
3. ``docarray_spark.to_docvec`` of all the documents (Spark read + Arrow collect + DocVec columns) against
   ``DocList[LargeDoc].load_binary`` of the same file.
"""
import argparse
import json
import os
import platform
import sys
import time
from typing import Any

import numpy as np
from docarray import BaseDoc, DocList
from docarray.data import MultiModalDataset
from docarray.typing import NdArray

import docarray_spark as ds

DIM = 128


class LargeDoc(BaseDoc):
    text: str
    label: int
    embedding: NdArray[DIM]


def generate(path: str, n: int) -> None:
    rnd = np.random.default_rng(11)
    words = ["graph", "spark", "vector", "learning", "data", "model", "tensor", "doc", "array", "train"]
    emb = rnd.standard_normal((n, DIM), dtype=np.float32)
    docs = DocList[LargeDoc]([LargeDoc(id=f"doc-{i}", text=" ".join(words[(i * 7 + k) % 10] for k in range(8)),
                                       label=i % 10, embedding=emb[i]) for i in range(n)])
    docs.save_binary(path, protocol="protobuf", compress=None)


# the per-document functions (MultiModalDataset's contract: return None after changing in place, or a value)
def shout(text):
    return text.upper()


def normalize(embedding):
    embedding /= np.float32(np.linalg.norm(embedding))


PER_DOC = {"text": shout, "embedding": normalize}


# their vectorised twins for batched=True: a list of texts, a stacked [n, 128] tensor
def shout_all(texts):
    return [t.upper() for t in texts]


def normalize_all(embeddings):
    return embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True).astype(np.float32)


BATCHED = {"text": shout_all, "embedding": normalize_all}


def best(runs, f):
    times = []
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return min(times), result


def arguments(**extra: Any) -> argparse.Namespace:
    """The benchmarks' common arguments (documents, runs, data folder, output prefix) and ``extra`` ones
    (name -> default)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "data"))
    ap.add_argument("--out", default=None)
    for name, default in extra.items():
        ap.add_argument("--" + name.replace("_", "-"), type=type(default), default=default)
    return ap.parse_args()


def source_file(data: str, n: int) -> str:
    """The benchmark file of ``n`` documents in ``data``, written by DocArray the first time."""
    os.makedirs(data, exist_ok=True)
    path = os.path.join(data, f"large-{n}.protobuf")
    if not os.path.exists(path):
        t = time.perf_counter()
        generate(path, n)
        print(f"generated {n} documents in {time.perf_counter() - t:.1f} s: {path}", flush=True)
    return path


def main() -> None:
    args = arguments()
    path = source_file(args.data, args.docs)

    from pyspark.sql import SparkSession
    import pyspark

    spark = ds.configure(SparkSession.builder.master("local[2]").appName("docarray python benchmark")
                         .config("spark.ui.enabled", "false").config("spark.driver.memory", "4g")).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.format("docarray").load(path)
    n = df.count()

    # DocArray: load once (timed separately), then MultiModalDataset on one core
    t_load, docs = best(args.runs, lambda: DocList[LargeDoc].load_binary(path))

    def mmd_pass():
        data = MultiModalDataset[LargeDoc](docs, preprocessing=PER_DOC)
        s = 0.0
        for i in range(len(data)):
            s += float(data[i].embedding[0])
        return s

    t_mmd, _ = best(args.runs, mmd_pass)
    print(f"MultiModalDataset (1 core): {n / t_mmd:,.0f} docs/s", flush=True)

    def noop(out):
        out.write.format("noop").mode("overwrite").save()

    # the ceiling of any mapInArrow path here: Spark's Arrow exchange with the Python workers, no Python work
    def identity(batches):
        yield from batches

    t_ident, _ = best(args.runs, lambda: noop(df.mapInArrow(identity, df.schema)))
    print(f"identity mapInArrow (local[2]): {n / t_ident:,.0f} docs/s", flush=True)

    per_doc = ds.preprocess(df, LargeDoc, PER_DOC)
    t_pre, _ = best(args.runs, lambda: noop(per_doc))
    print(f"preprocess per document (local[2]): {n / t_pre:,.0f} docs/s", flush=True)
    batched = ds.preprocess(df, LargeDoc, BATCHED, batched=True)
    t_bat, _ = best(args.runs, lambda: noop(batched))
    print(f"preprocess batched (local[2]): {n / t_bat:,.0f} docs/s", flush=True)

    # the two agree with MultiModalDataset (spot check of one document)
    one = ds.to_doclist(per_doc.where("id = 'doc-7'"), LargeDoc)[0]
    ref = MultiModalDataset[LargeDoc](DocList[LargeDoc]([d for d in docs if d.id == "doc-7"]), preprocessing=PER_DOC)[0]
    assert one.text == ref.text and np.array_equal(np.asarray(one.embedding), np.asarray(ref.embedding))

    t_vec, vec = best(args.runs, lambda: ds.to_docvec(df, LargeDoc))
    assert len(vec) == n and vec.embedding.shape == (n, DIM)
    print(f"to_docvec: {n / t_vec:,.0f} docs/s; load_binary: {n / t_load:,.0f} docs/s", flush=True)
    spark.stop()

    rows = {
        "documents": n, "file_bytes": os.path.getsize(path), "cores": os.cpu_count(), "python": platform.python_version(),
        "pyspark": pyspark.__version__, "numpy": np.__version__,
        "seconds": {"docarray_load_binary": t_load, "multimodaldataset_1core": t_mmd,
                    "preprocess_per_document_local2": t_pre, "preprocess_batched_local2": t_bat, "to_docvec": t_vec,
                    "identity_map_in_arrow_local2": t_ident},
        "ratios": {"preprocess_per_document_vs_mmd": t_mmd / t_pre,
                   "preprocess_per_document_vs_load_plus_mmd": (t_load + t_mmd) / t_pre,
                   "preprocess_batched_vs_mmd": t_mmd / t_bat, "to_docvec_vs_load_binary": t_load / t_vec,
                   "identity_map_in_arrow_vs_mmd": t_mmd / t_ident},
    }
    print(json.dumps(rows, indent=1))
    out = args.out or os.path.join(os.path.dirname(__file__), "results", f"python-pyspark-{pyspark.__version__}")
    with open(out + ".json", "w") as f:
        json.dump(rows, f, indent=1)
    r, s = rows["ratios"], rows["seconds"]
    with open(out + ".md", "w") as f:
        f.write(f"# docarray_spark Python benchmark\n\n{n:,} documents of the benchmark shape (text, label, "
                f"float32[{DIM}] embedding; {rows['file_bytes'] / 1e6:.0f} MB, protobuf), {rows['cores']} cores, "
                f"PySpark {rows['pyspark']}, Python {rows['python']}, numpy {rows['numpy']}; best of {args.runs}\n\n"
                "| path | seconds | docs/s |\n|---|---:|---:|\n"
                f"| DocArray `load_binary` (1 core) | {s['docarray_load_binary']:.2f} | {n / s['docarray_load_binary']:,.0f} |\n"
                f"| `MultiModalDataset` pass over loaded documents (1 core) | {s['multimodaldataset_1core']:.2f} | "
                f"{n / s['multimodaldataset_1core']:,.0f} |\n"
                f"| `ds.preprocess` per document, local[2], file to noop sink | {s['preprocess_per_document_local2']:.2f} | "
                f"{n / s['preprocess_per_document_local2']:,.0f} |\n"
                f"| `ds.preprocess` batched, local[2], file to noop sink | {s['preprocess_batched_local2']:.2f} | "
                f"{n / s['preprocess_batched_local2']:,.0f} |\n"
                f"| identity `mapInArrow` (no Python work: the ceiling of any Python path), local[2] | "
                f"{s['identity_map_in_arrow_local2']:.2f} | {n / s['identity_map_in_arrow_local2']:,.0f} |\n"
                f"| `ds.to_docvec` (read + Arrow collect + DocVec) | {s['to_docvec']:.2f} | {n / s['to_docvec']:,.0f} |\n\n"
                "| ratio | value | target |\n|---|---:|---:|\n"
                f"| per-document preprocess / MultiModalDataset | {r['preprocess_per_document_vs_mmd']:.2f}x | 1.8x |\n"
                f"| (per-document preprocess / load_binary + MultiModalDataset) | "
                f"{r['preprocess_per_document_vs_load_plus_mmd']:.2f}x | |\n"
                f"| batched preprocess / MultiModalDataset | {r['preprocess_batched_vs_mmd']:.2f}x | 10x |\n"
                f"| (ceiling: identity mapInArrow / MultiModalDataset) | {r['identity_map_in_arrow_vs_mmd']:.2f}x | |\n"
                f"| to_docvec / load_binary | {r['to_docvec_vs_load_binary']:.2f}x | 5x |\n")
    print("wrote", out + ".md")


if __name__ == "__main__":
    sys.exit(main())
