"""Documents/s into a PyTorch DataLoader: docarray_spark.torch.ShardDataset over DocVec shards, against the same
documents as Parquet through pyarrow -> torch (the baseline) and DocList shards through DocArray's
MultiModalDataset + collate_fn (today's DocArray path), in one run on the same data.

    python benchmarks/loader_shards_benchmark.py [--docs 200000] [--runs 2]

Data: the benchmark shape of python_benchmark.py (text, label, float32[128]), written by Spark once as 4 DocVec
shards, 4 DocList shards and Parquet (snappy). One training process; batch size 64.
"""
import json
import os
import platform
import resource
import sys

import numpy as np
import torch
from torch.utils.data import DataLoader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loader_benchmark import best, docarray_pass, parquet_pass  # noqa: E402
from python_benchmark import DIM, LargeDoc, arguments, source_file  # noqa: E402

import docarray_spark as ds  # noqa: E402
from docarray_spark.torch import ShardDataset  # noqa: E402


def heavy(embedding):
    """A per-document function about as costly as producing the document: a small projection, in place."""
    embedding[:] = np.tanh(embedding @ PROJECTION)


PROJECTION = np.random.default_rng(0).standard_normal((DIM, DIM)).astype(np.float32) / np.sqrt(DIM)


def shard_pass(path, batch_size, shuffle=False, workers=0, preprocessing=None, epoch=0):
    data = ShardDataset(path, LargeDoc, batch_size=batch_size, shuffle=shuffle, seed=1, preprocessing=preprocessing)
    data.set_epoch(epoch)
    n, checksum = 0, 0.0
    for batch in DataLoader(data, batch_size=None, num_workers=workers):
        x = batch.embedding
        y = torch.as_tensor(batch.label)
        n += x.shape[0]
        checksum += float(y.sum())
    return n, checksum


def main():
    a = arguments(batch_size=64)
    src = source_file(a.data, a.docs)
    dirs = {k: os.path.join(a.data, f"{k}-{a.docs}") for k in ("shards-docvec", "shards-doclist", "parquet")}
    if not all(os.path.exists(d) for d in dirs.values()):
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F

        spark = ds.configure(SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                             .config("spark.driver.memory", "4g")).getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        df = spark.read.format("docarray").load(src)
        ds.write_shards(df, dirs["shards-docvec"], 4, mode="overwrite", layout="docvec")
        ds.write_shards(df, dirs["shards-doclist"], 4, mode="overwrite")
        df.select("id", "text", "label", F.col("embedding.data").alias("embedding")).repartition(4) \
            .write.mode("overwrite").parquet(dirs["parquet"])
        spark.stop()
    torch.set_num_threads(1)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = {"documents": a.docs, "batch_size": a.batch_size, "cores": os.cpu_count(), "python": platform.python_version(),
           "torch": torch.__version__}
    res["parquet"] = best(lambda: parquet_pass(dirs["parquet"], a.batch_size), a.runs)
    res["shards"] = best(lambda: shard_pass(dirs["shards-docvec"], a.batch_size), a.runs)
    res["shards_shuffled"] = best(lambda: shard_pass(dirs["shards-docvec"], a.batch_size, shuffle=True), a.runs)
    res["peak_rss_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss) / 1024
    res["shard_mb"] = max(os.path.getsize(os.path.join(dirs["shards-docvec"], f)) for f in os.listdir(
        dirs["shards-docvec"]) if f.startswith("part-")) / 1e6
    res["multimodaldataset"] = best(lambda: docarray_pass(dirs["shards-doclist"], a.batch_size), 1)
    pre = {"embedding": heavy}
    res["preprocessed_workers0"] = best(lambda: shard_pass(dirs["shards-docvec"], a.batch_size,
                                                                   preprocessing=pre), a.runs)
    res["preprocessed_workers2"] = best(lambda: shard_pass(dirs["shards-docvec"], a.batch_size,
                                                                   preprocessing=pre, workers=2), a.runs)
    checks = {res[k]["label_checksum"] for k in ("parquet", "shards", "shards_shuffled", "multimodaldataset")}
    assert len(checks) == 1, res
    r = {
        "shards_vs_parquet": res["shards"]["docs_per_s"] / res["parquet"]["docs_per_s"],
        "shuffled_shards_vs_parquet": res["shards_shuffled"]["docs_per_s"] / res["parquet"]["docs_per_s"],
        "shards_vs_multimodaldataset": res["shards"]["docs_per_s"] / res["multimodaldataset"]["docs_per_s"],
        "preprocessed_workers2_vs_workers0": res["preprocessed_workers2"]["docs_per_s"]
        / res["preprocessed_workers0"]["docs_per_s"],
    }
    res["ratios"] = r
    print(json.dumps(res, indent=1))
    out = a.out or os.path.join(os.path.dirname(__file__), "results", "loader-shards")
    with open(out + ".json", "w") as f:
        json.dump(res, f, indent=1)
    rows = [("Parquet (Spark, snappy) -> pyarrow iter_batches -> torch -> DataLoader", "parquet"),
            ("ShardDataset, DocVec shards, num_workers=0", "shards"),
            ("ShardDataset, DocVec shards, shuffle=True, num_workers=0", "shards_shuffled"),
            ("DocList shards -> load_binary -> MultiModalDataset -> DataLoader(collate_fn)", "multimodaldataset"),
            ("ShardDataset + per-document preprocessing (128x128 projection), num_workers=0", "preprocessed_workers0"),
            ("ShardDataset + per-document preprocessing (128x128 projection), num_workers=2", "preprocessed_workers2")]
    with open(out + ".md", "w") as f:
        f.write(f"# Training feed: ShardDataset vs Parquet + pyarrow\n\n{a.docs:,} documents of the benchmark shape, "
                f"batch size {a.batch_size}, one training process, {res['cores']} cores, torch {res['torch']} "
                f"(1 intra-op thread), Python {res['python']}; best of {a.runs}\n\n| loader | seconds | docs/s |\n"
                "|---|---:|---:|\n")
        for label, k in rows:
            f.write(f"| {label} | {res[k]['seconds']:.2f} | {res[k]['docs_per_s']:,.0f} |\n")
        f.write("\n| ratio | value | target |\n|---|---:|---:|\n"
                f"| ShardDataset / Parquet loader | {r['shards_vs_parquet']:.2f}x | 1.0x (aim 2x) |\n"
                f"| ShardDataset shuffled / Parquet loader | {r['shuffled_shards_vs_parquet']:.2f}x | 1.0x |\n"
                f"| ShardDataset / MultiModalDataset path | {r['shards_vs_multimodaldataset']:.2f}x | 20x |\n"
                f"| num_workers=2 / num_workers=0, with per-document preprocessing | "
                f"{r['preprocessed_workers2_vs_workers0']:.2f}x | 1.6x |\n\n"
                f"Peak RSS growth over the epochs without workers: {res['peak_rss_growth_mb']:.0f} MB; largest shard "
                f"{res['shard_mb']:.0f} MB (the cache holds one shard in order, shuffle_window = 2 shuffled; the 2 GB epoch: loader-memory.md).\n")
    print("wrote", out + ".md")


if __name__ == "__main__":
    main()
