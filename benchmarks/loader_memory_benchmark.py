"""Peak memory of a ShardDataset epoch over about 2 GB of DocVec shards, against the process's baseline.

    python benchmarks/loader_memory_benchmark.py [--shard-docs 220000] [--shards 16] [--shuffle]

One DocVec shard of ``--shard-docs`` documents of the benchmark shape (float32[128], text, label; ~128 MB) is
written by DocArray itself, and hard-linked ``--shards`` times (disk holds one copy; the loader reads and
decodes every shard separately). The epoch runs in this process with num_workers=0; the peak RSS above the RSS
measured just before the epoch is compared with the largest shard's size (target: under 3 shards' worth).
"""
import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_benchmark import DIM, LargeDoc  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shard-docs", type=int, default=220_000)
    ap.add_argument("--shards", type=int, default=16)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--shuffle", action="store_true")
    ap.add_argument("--dir", default=None)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "loader-memory"))
    a = ap.parse_args()
    from docarray import DocVec
    from torch.utils.data import DataLoader

    from docarray_spark.shards import Shard, ShardManifest
    from docarray_spark.torch import ShardDataset

    d = a.dir or tempfile.mkdtemp(prefix="docarray-loader-memory-")
    os.makedirs(d, exist_ok=True)
    first = os.path.join(d, "part-00000.protobuf-array")
    if not os.path.exists(first):
        rnd = np.random.default_rng(5)
        emb = rnd.standard_normal((a.shard_docs, DIM), dtype=np.float32)
        dv = DocVec[LargeDoc]([LargeDoc(id=f"doc-{i}", text=f"text of document {i}", label=i % 10, embedding=emb[i])
                               for i in range(a.shard_docs)])
        dv.save_binary(first, protocol="protobuf-array", compress=None)
        del dv, emb
    size = os.path.getsize(first)
    paths = [first]
    for k in range(1, a.shards):
        p = os.path.join(d, f"part-{k:05d}.protobuf-array")
        if not os.path.exists(p):
            os.link(first, p)
        paths.append(p)
    manifest = ShardManifest(d, "protobuf-array", "none", [Shard(os.path.basename(p), a.shard_docs, size)
                                                          for p in paths], {}, container="docvec")
    data = ShardDataset(d, LargeDoc, batch_size=a.batch_size, shuffle=a.shuffle, seed=3, manifest=manifest)
    import gc

    gc.collect()
    base = rss_mb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    n = 0
    peak_seen = base
    for i, batch in enumerate(DataLoader(data, batch_size=None, num_workers=0)):
        n += len(batch.label)
        if i % 50 == 0:
            peak_seen = max(peak_seen, rss_mb())
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    growth = (peak - base) if peak > peak_before else (peak_seen - base)
    res = {"documents": n, "shards": a.shards, "shard_mb": size / 1e6, "total_gb": size * a.shards / 1e9,
           "shuffle": a.shuffle, "baseline_rss_mb": base, "peak_rss_mb": max(peak, peak_seen),
           "peak_growth_mb": growth, "growth_in_shards": growth / (size / 2 ** 20), "seconds": seconds,
           "docs_per_s": n / seconds, "python": platform.python_version(), "cores": os.cpu_count()}
    print(json.dumps(res, indent=1))
    with open(a.out + ".json", "w") as f:
        json.dump(res, f, indent=1)
    with open(a.out + ".md", "w") as f:
        f.write(f"# ShardDataset memory over an epoch\n\n{a.shards} DocVec shards of {size / 1e6:.0f} MB "
                f"({res['total_gb']:.1f} GB, {n:,} documents), batch size {a.batch_size}, shuffle={a.shuffle}, "
                f"num_workers=0, {res['cores']} cores, Python {res['python']}\n\n"
                "| measure | value | target |\n|---|---:|---:|\n"
                f"| RSS before the epoch | {base:,.0f} MB | |\n"
                f"| peak RSS growth over the epoch | {growth:,.0f} MB | |\n"
                f"| growth in shards' worth | {res['growth_in_shards']:.2f} | < 3 |\n"
                f"| throughput | {res['docs_per_s']:,.0f} docs/s | |\n")
    print("wrote", a.out + ".md")


if __name__ == "__main__":
    main()
