"""docarray_spark.torch: DocVec training shards into a PyTorch DataLoader."""
import os
import shutil

import numpy as np
import pytest
import torch
from docarray import BaseDoc, DocList, DocVec
from docarray.data import MultiModalDataset
from docarray.typing import NdArray, TorchTensor
from torch.utils.data import DataLoader

import docarray_spark as ds
from docarray_spark.torch import ShardDataset, from_dataframe

DIM = 8
N = 103  # not a multiple of any batch size or world size below


class Item(BaseDoc):
    text: str
    label: int
    embedding: NdArray[DIM]


class TrainItem(BaseDoc):  # what MultiModalDataset.collate_fn can stack
    text: str
    label: int
    embedding: TorchTensor[DIM]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    rnd = np.random.default_rng(3)
    docs = DocList[Item]([Item(id=f"it-{i:03d}", text=f"item {i}", label=i % 5,
                               embedding=rnd.standard_normal(DIM).astype(np.float32)) for i in range(N)])
    path = str(tmp_path_factory.mktemp("items") / "items.protobuf")
    docs.save_binary(path, protocol="protobuf", compress=None)
    return path, docs


@pytest.fixture(scope="module")
def shards(source, tmp_path_factory):
    from conftest import local_session

    spark = local_session()
    out = str(tmp_path_factory.mktemp("train") / "shards")
    m = ds.write_shards(spark.read.format("docarray").load(source[0]), out, 5, layout="docvec", compression="lz4")
    return out, m


def ids_of(loader):
    return [i for batch in loader for i in batch.id]


def test_docvec_shards_load_in_docarray_equal_to_the_rows(shards, source):
    out, m = shards
    assert m.container == "docvec" and m.protocol == "protobuf-array" and m.num_documents == N
    want = {d.id: d for d in source[1]}
    seen = 0
    for path, s in zip(m.paths(), m.shards):
        dv = DocVec[Item].load_binary(path, protocol="protobuf-array", compress="lz4")
        assert len(dv) == s.num_documents
        for i in range(len(dv)):
            d = want[dv.id[i]]
            assert dv.text[i] == d.text and dv.label[i] == d.label
            np.testing.assert_array_equal(np.asarray(dv.embedding[i]), d.embedding)
        seen += len(dv)
    assert seen == N


def test_batches_equal_multimodal_dataset_with_collate_fn(shards):
    out, m = shards

    def shout(text):
        return text.upper()

    def scale(embedding):
        embedding *= 2

    pre = {"text": shout, "embedding": scale}
    data = ShardDataset(out, Item, batch_size=4, preprocessing=pre)
    got = list(DataLoader(data, batch_size=None))
    # the reference: the same documents in the same (unshuffled) order through MultiModalDataset + collate_fn
    order = [i for b in got for i in b.id]
    loaded = {}
    for p in m.paths():
        dv = DocVec[Item].load_binary(p, protocol="protobuf-array", compress="lz4")
        for i in range(len(dv)):
            loaded[dv.id[i]] = TrainItem(id=dv.id[i], text=dv.text[i], label=dv.label[i],
                                         embedding=torch.from_numpy(np.array(dv.embedding[i])))
    ref_docs = DocList[TrainItem]([loaded[i] for i in order])
    mmd = MultiModalDataset[TrainItem](ref_docs, preprocessing=pre)
    ref = list(DataLoader(mmd, batch_size=4, collate_fn=MultiModalDataset[TrainItem].collate_fn))
    assert len(got) == len(ref) == (N + 3) // 4
    for a, b in zip(got, ref):
        assert isinstance(a, DocVec) and a.doc_type is Item
        assert list(a.id) == list(b.id) and list(a.text) == list(b.text) and list(a.label) == list(b.label)
        assert isinstance(a.embedding, torch.Tensor) and a.embedding.dtype == torch.float32
        assert torch.equal(a.embedding.as_subclass(torch.Tensor), b.embedding.as_subclass(torch.Tensor))
    # a whole-document step builds the documents (the other path), with the same result
    whole = {"": lambda d: setattr(d, "label", d.label + 10), "text": shout}
    got = list(DataLoader(ShardDataset(out, Item, batch_size=4, preprocessing=whole), batch_size=None))
    ref = list(DataLoader(MultiModalDataset[TrainItem](ref_docs, preprocessing=whole), batch_size=4,
                          collate_fn=MultiModalDataset[TrainItem].collate_fn))
    for a, b in zip(got, ref):
        assert list(a.id) == list(b.id) and list(a.text) == list(b.text) and list(a.label) == list(b.label)
        assert min(a.label) >= 10 and torch.equal(a.embedding.as_subclass(torch.Tensor),
                                                  b.embedding.as_subclass(torch.Tensor))


def make_class():
    class Runtime(BaseDoc):  # made at run time: spawned workers rebuild it from its declaration
        text: str
        label: int
        embedding: NdArray[DIM]

    return Runtime


@pytest.mark.parametrize("world_size", [1, 2, 3])
@pytest.mark.parametrize("workers,context", [(0, None), (2, "fork"), (2, "spawn")])
def test_every_document_exactly_once_per_epoch(shards, world_size, workers, context):
    if context == "spawn" and world_size != 2:
        pytest.skip("spawn is slow to start: one world size shows it")
    out, m = shards
    cls = make_class()
    seen = []
    lengths = []
    for rank in range(world_size):
        data = ShardDataset(out, cls, batch_size=8, shuffle=True, seed=5, rank=rank, world_size=world_size)
        data.set_epoch(1)
        kw = {"num_workers": workers}
        if workers:
            kw.update(multiprocessing_context=context, persistent_workers=False)
        batches = list(DataLoader(data, batch_size=None, **kw))
        assert all(type(b).__name__ == f"DocVec[{cls.__name__}]" and b.doc_type.__name__ == "Runtime" for b in batches)
        assert all(isinstance(b.embedding, torch.Tensor) and b.embedding.shape[1:] == (DIM,) for b in batches)
        rank_ids = [i for b in batches for i in b.id]
        seen += rank_ids
        lengths.append(len(rank_ids))
        # the same order whatever the number of workers
        if workers:
            single = ShardDataset(out, cls, batch_size=8, shuffle=True, seed=5, rank=rank, world_size=world_size)
            single.set_epoch(1)
            assert rank_ids == ids_of(DataLoader(single, batch_size=None))
    assert sorted(seen) == sorted(f"it-{i:03d}" for i in range(N))
    assert max(lengths) - min(lengths) <= 1


def test_order_is_a_function_of_seed_and_epoch_not_of_workers(shards):
    out, _ = shards

    def order(epoch, workers=0, seed=5):
        data = ShardDataset(out, Item, batch_size=8, shuffle=True, seed=seed)
        data.set_epoch(epoch)
        return ids_of(DataLoader(data, batch_size=None, num_workers=workers))

    a = order(0)
    assert a == order(0) == order(0, workers=2)
    assert a != order(1) and sorted(a) == sorted(order(1))
    assert a != order(0, seed=6)
    unshuffled = ids_of(DataLoader(ShardDataset(out, Item, batch_size=8), batch_size=None))
    assert a != unshuffled and sorted(a) == sorted(unshuffled)


def test_resume_in_the_middle_of_an_epoch(shards):
    out, _ = shards
    data = ShardDataset(out, Item, batch_size=8, shuffle=True, seed=9)
    data.set_epoch(2)
    full = [list(b.id) for b in DataLoader(data, batch_size=None)]
    it = iter(data)
    first = [list(next(it).id) for _ in range(5)]
    state = data.state_dict()
    assert state == {"epoch": 2, "seed": 9, "next_batch": 5}
    resumed = ShardDataset(out, Item, batch_size=8, shuffle=True, seed=9)
    resumed.load_state_dict(state)
    rest = [list(b.id) for b in DataLoader(resumed, batch_size=None)]
    assert first + rest == full
    resumed.load_state_dict(state)  # with workers too: they skip the consumed batches
    assert [list(b.id) for b in DataLoader(resumed, batch_size=None, num_workers=2)] == full[5:]


def test_drop_last_and_a_training_loop(shards):
    out, _ = shards
    data = ShardDataset(out, Item, batch_size=16, shuffle=True, drop_last=True)
    assert len(data) == N // 16
    model = torch.nn.Linear(DIM, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    losses = []
    for epoch in range(3):
        data.set_epoch(epoch)
        for batch in DataLoader(data, batch_size=None, num_workers=2, pin_memory=False):
            assert len(batch) == 16
            y = torch.tensor(list(batch.label), dtype=torch.float32)[:, None]
            loss = ((model(batch.embedding.as_subclass(torch.Tensor)) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    assert len(losses) == 3 * (N // 16) and all(np.isfinite(losses)) and np.mean(losses[-6:]) < np.mean(losses[:6])


def test_from_dataframe_writes_once_and_reuses(source, tmp_path):
    from conftest import local_session

    spark = local_session()
    df = spark.read.format("docarray").load(source[0])
    cache = str(tmp_path / "cache")
    a = from_dataframe(df, Item, cache, batch_size=10)
    assert a.manifest.num_documents == N and a.manifest.container == "docvec"
    mtime = os.path.getmtime(os.path.join(a.manifest.directory, "_docarray_manifest.json"))
    b = from_dataframe(df, Item, cache, batch_size=10)
    assert b.manifest.directory == a.manifest.directory
    assert os.path.getmtime(os.path.join(b.manifest.directory, "_docarray_manifest.json")) == mtime
    c = from_dataframe(df.where("label < 3"), Item, cache, batch_size=10)
    assert c.manifest.directory != a.manifest.directory and c.manifest.num_documents == sum(
        1 for i in range(N) if i % 5 < 3)
    assert sorted(ids_of(DataLoader(c, batch_size=None))) == sorted(
        f"it-{i:03d}" for i in range(N) if i % 5 < 3)


def test_bad_input_is_refused_naming_what(shards, tmp_path):
    out, m = shards
    with pytest.raises(ds.DocArraySparkError, match=r"rank 3 is out of range for world_size 3"):
        ShardDataset(out, Item, batch_size=4, rank=3, world_size=3)

    class Wrong(BaseDoc):
        label: str

    with pytest.raises(ds.SchemaMismatchError, match=r"Field 'label' is declared str"):
        ShardDataset(out, Wrong, batch_size=4)
    broken = str(tmp_path / "broken")
    shutil.copytree(out, broken)
    victim = os.path.join(broken, m.shards[1].path)
    with open(victim, "r+b") as f:
        f.truncate(m.shards[1].bytes // 2)
    with pytest.raises(ds.DocArraySparkError, match=rf"shard .*{m.shards[1].path} has {m.shards[1].bytes // 2} bytes, "
                                                   rf"the manifest says {m.shards[1].bytes}"):
        ShardDataset(broken, Item, batch_size=4)
    os.remove(victim)
    with pytest.raises(ds.DocArraySparkError, match=rf"shard .*{m.shards[1].path} listed in the manifest is missing"):
        ShardDataset(broken, Item, batch_size=4)


def test_none_in_a_docvec_column_is_refused_when_writing(tmp_path):
    from conftest import fixture, local_session

    spark = local_session()
    df = spark.read.format("docarray").load(fixture("students.protobuf"))
    with pytest.raises(Exception, match=r"embedding.*null in some rows but not in others"):
        ds.write_shards(df, str(tmp_path / "s"), 1, layout="docvec")


def test_pytorch_rebuilders_keep_the_batch_and_iteration_still_gives_documents(shards):
    from torch.utils.data._utils.collate import default_convert
    from torch.utils.data._utils.pin_memory import pin_memory

    out, _ = shards
    batch = next(iter(ShardDataset(out, Item, batch_size=8)))
    converted = default_convert(batch)
    assert type(converted) is type(batch) and converted._storage is batch._storage  # no copy, no re-stacking
    pinned = pin_memory(batch)
    assert type(pinned) is type(batch) and list(pinned.id) == list(batch.id)
    assert torch.equal(pinned.embedding.as_subclass(torch.Tensor), batch.embedding.as_subclass(torch.Tensor))
    docs = list(batch)
    assert len(docs) == 8 and all(isinstance(d, Item) for d in docs) and [d.id for d in docs] == list(batch.id)
    assert [d.id for d in batch.pin_memory()] == list(batch.id)


class TorchItem(BaseDoc):  # what the README's training classes look like
    text: str
    label: int
    embedding: TorchTensor[DIM]


@pytest.fixture(scope="module")
def both_layouts(source, tmp_path_factory):
    """The same documents as shards of the default layout (DocList protobuf, 4 shards) and of layout='docvec'."""
    from conftest import local_session

    spark = local_session()
    df = spark.read.format("docarray").load(source[0])
    root = tmp_path_factory.mktemp("layouts")
    return {"doclist": ds.write_shards(df, str(root / "doclist"), num_shards=4),
            "docvec": ds.write_shards(df, str(root / "docvec"), num_shards=4, layout="docvec")}


@pytest.mark.parametrize("layout", ["doclist", "docvec"])
@pytest.mark.parametrize("doc_type", [Item, TorchItem], ids=["NdArray", "TorchTensor"])
@pytest.mark.parametrize("shuffle", [False, True], ids=["ordered", "shuffled"])
@pytest.mark.parametrize("workers", [0, 2])
def test_every_layout_and_tensor_type_feeds_the_loader(both_layouts, source, layout, doc_type, shuffle, workers):
    """Shards of either layout into a class declaring its embedding as NdArray or TorchTensor: every document once,
    its values exact, each batch's embedding one [n, DIM] torch tensor."""
    m = both_layouts[layout]
    assert m.container == layout and m.num_documents == N and len(m.shards) == 4
    data = ShardDataset(m.directory, doc_type, batch_size=16, shuffle=shuffle, seed=11)
    want = {d.id: d for d in source[1]}
    seen = []
    kwargs = {"num_workers": workers, "multiprocessing_context": "fork"} if workers else {}
    for batch in DataLoader(data, batch_size=None, **kwargs):
        emb = batch.embedding
        assert isinstance(emb, torch.Tensor) and emb.dtype == torch.float32 and emb.shape == (len(batch), DIM)
        for i, doc_id in enumerate(batch.id):
            d = want[doc_id]
            assert batch.text[i] == d.text and batch.label[i] == d.label
            np.testing.assert_array_equal(emb[i].numpy(), d.embedding)
        seen.extend(batch.id)
    assert sorted(seen) == sorted(want)
    if shuffle:
        assert seen != [d.id for d in source[1]]  # the order really changed
    else:  # write_shards keeps the input's order, shard after shard
        assert seen == [d.id for d in source[1]]
