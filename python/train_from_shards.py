"""Trains a tiny torch model on shards written by Spark (examples/.../StudentPipeline.java).

    python train_from_shards.py SHARD_DIR [--rank R --world-size W] [--epochs E]

Reads the shard manifest (_docarray_manifest.json), takes this rank's shards (shard i goes to rank
i % world_size), loads them with the real DocArray, builds a MultiModalDataset[Student] and a PyTorch
DataLoader(batch_size=4, collate_fn=MultiModalDataset[Student].collate_fn), and trains a linear
model on the Spark-computed title embeddings for a few steps, printing the loss.
"""
import argparse
import json
import os
from typing import Optional

import torch
from docarray import BaseDoc, DocList
from docarray.data import MultiModalDataset
from docarray.typing import TorchTensor
from torch.utils.data import DataLoader


# The sample's classes, with the title embedding declared as an 8-d torch tensor so that collate_fn
# can stack it (a TextDoc's AnyEmbedding field cannot be stacked into a DocVec by DocArray 0.40).
class Title(BaseDoc):
    text: Optional[str] = None
    url: Optional[str] = None
    embedding: Optional[TorchTensor[8]] = None


class Thesis(BaseDoc):
    title: Title
    year: Optional[int] = None


class Student(BaseDoc):
    name: str
    thesis: Thesis


def load_shards(shard_dir, rank=0, world_size=1):
    with open(os.path.join(shard_dir, '_docarray_manifest.json')) as f:
        manifest = json.load(f)
    assert manifest['format'] == 'docarray-shards', manifest.get('format')
    mine = manifest['shards'][rank::world_size]
    docs = DocList[Student]()
    for shard in mine:
        part = DocList[Student].load_binary(os.path.join(shard_dir, shard['path']))
        assert len(part) == shard['num_documents'], (shard, len(part))
        docs.extend(part)
    return manifest, mine, docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('shard_dir')
    ap.add_argument('--rank', type=int, default=0)
    ap.add_argument('--world-size', type=int, default=1)
    ap.add_argument('--epochs', type=int, default=2)
    a = ap.parse_args()
    manifest, mine, docs = load_shards(a.shard_dir, a.rank, a.world_size)
    print(f'rank {a.rank}/{a.world_size}: {len(docs)} documents from {len(mine)} of {manifest["num_shards"]} shards')

    # python-side preprocessing still composes with what Spark did: year None -> 0
    ds = MultiModalDataset[Student](docs, preprocessing={'thesis.year': lambda y: y if y is not None else 0})
    loader = DataLoader(ds, batch_size=4, collate_fn=MultiModalDataset[Student].collate_fn,
                        shuffle=True, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    steps = 0
    for epoch in range(a.epochs):
        for batch in loader:
            x = batch.thesis.title.embedding                       # a [B, 8] torch tensor, stacked by collate_fn
            norms = x.norm(dim=1)
            # Spark normalised every embedding (an empty title has the zero embedding)
            assert torch.all(((norms - 1).abs() < 1e-5) | (norms == 0)), norms
            y = torch.tensor([float(t.count(' ') + 1) / 10 for t in batch.thesis.title.text])
            loss = ((model(x).squeeze(1) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
            print(f'epoch {epoch} step {steps}: batch {x.shape[0]} loss {loss.item():.4f}')
    print(f'trained {steps} steps on {len(docs)} documents')


if __name__ == '__main__':
    main()
