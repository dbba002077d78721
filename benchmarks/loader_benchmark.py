"""Documents/s from shards into a PyTorch DataLoader: DocArray shards written by the connector
(DocList.load_binary -> MultiModalDataset -> DataLoader(collate_fn)) against the same documents as
Parquet written by Spark (pyarrow ParquetFile.iter_batches -> torch tensors -> DataLoader).

    loader_benchmark.py SHARD_DIR PARQUET_DIR OUT_JSON [--batch-size 64] [--runs 2]

Both single-process (num_workers=0), both yield [B, 128] float32 embeddings, [B] labels and the texts.
Prints and writes {"docarray": {...}, "parquet": {...}} with documents, seconds, docs/s (best of runs).
"""
import argparse
import glob
import json
import os
import time

import pyarrow.parquet as pq
import torch
from docarray import BaseDoc, DocList
from docarray.data import MultiModalDataset
from docarray.typing import TorchTensor
from torch.utils.data import DataLoader, IterableDataset


class LargeDoc(BaseDoc):
    text: str
    label: int
    embedding: TorchTensor[128]


def shard_paths(shard_dir):
    with open(os.path.join(shard_dir, '_docarray_manifest.json')) as f:
        manifest = json.load(f)
    return [os.path.join(shard_dir, shard['path']) for shard in manifest['shards']]


def docarray_pass(shard_dir, batch_size):
    n = 0
    checksum = 0.0
    for path in shard_paths(shard_dir):
        docs = DocList[LargeDoc].load_binary(path)
        ds = MultiModalDataset[LargeDoc](docs, preprocessing={})
        for batch in DataLoader(ds, batch_size=batch_size, collate_fn=MultiModalDataset[LargeDoc].collate_fn):
            x = batch.embedding
            y = torch.as_tensor(batch.label)
            n += x.shape[0]
            checksum += float(y.sum())
    return n, checksum


def docarray_load_only(shard_dir):
    n = 0
    checksum = 0.0
    for path in shard_paths(shard_dir):
        docs = DocList[LargeDoc].load_binary(path)
        n += len(docs)
        checksum += float(sum(docs.label))
    return n, checksum


class ParquetBatches(IterableDataset):
    def __init__(self, parquet_dir, batch_size):
        self.files = sorted(glob.glob(os.path.join(parquet_dir, '*.parquet')))
        self.batch_size = batch_size

    def __iter__(self):
        for f in self.files:
            for rb in pq.ParquetFile(f).iter_batches(batch_size=self.batch_size,
                                                     columns=['id', 'text', 'label', 'embedding']):
                emb = rb.column('embedding').flatten().to_numpy()
                x = torch.from_numpy(emb.reshape(rb.num_rows, 128).copy())
                y = torch.from_numpy(rb.column('label').to_numpy().copy())
                yield x, y, rb.column('text').to_pylist()


def parquet_pass(parquet_dir, batch_size):
    n = 0
    checksum = 0.0
    for x, y, texts in DataLoader(ParquetBatches(parquet_dir, batch_size), batch_size=None):
        n += x.shape[0]
        checksum += float(y.sum())
    return n, checksum


def best(fn, runs):
    out = None
    for _ in range(runs):
        t = time.perf_counter()
        n, checksum = fn()
        s = time.perf_counter() - t
        if out is None or s < out['seconds']:
            out = {'documents': n, 'seconds': s, 'docs_per_s': n / s, 'label_checksum': checksum}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('shards')
    ap.add_argument('parquet')
    ap.add_argument('out')
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--runs', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(1)
    res = {'batch_size': a.batch_size,
           'docarray': best(lambda: docarray_pass(a.shards, a.batch_size), a.runs),
           'docarray_load_binary_only': best(lambda: docarray_load_only(a.shards), a.runs),
           'parquet': best(lambda: parquet_pass(a.parquet, a.batch_size), a.runs)}
    assert res['docarray']['documents'] == res['parquet']['documents'], res
    assert res['docarray']['label_checksum'] == res['parquet']['label_checksum'], res
    res['ratio_docarray_over_parquet'] = res['docarray']['docs_per_s'] / res['parquet']['docs_per_s']
    with open(a.out, 'w') as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))


if __name__ == '__main__':
    main()
