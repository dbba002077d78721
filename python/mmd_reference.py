"""DocArray's own MultiModalDataset preprocessing, the reference the JVM DocArrayPreprocessor is tested against.

    mmd_reference.py generate OUT_FILE N     N Student -> Thesis -> TextDoc documents written by DocArray
    mmd_reference.py apply OUT_JSON FILE...  the files loaded by DocArray, preprocessed by
                                             MultiModalDataset[Student] with PREPROCESSING below, and
                                             written as JSON ({id, text, url, embedding} per document)

The JVM side (PreprocessorTest) applies the same functions, written in Java, with
DocArrayPreprocessor and compares document by document.
"""
import json
import random
import sys

import numpy as np
from docarray import BaseDoc, DocList
from docarray.data import MultiModalDataset
from docarray.documents import TextDoc

DIM = 8


class Thesis(BaseDoc):
    title: TextDoc


class Student(BaseDoc):
    thesis: Thesis


def hash_embedding(text):
    """A deterministic bag-of-code-points embedding: code point c at position i adds 1 to (31c + i) mod 8."""
    v = np.zeros(DIM, np.float32)
    for i, ch in enumerate(text or ''):
        v[(ord(ch) * 31 + i) % DIM] += 1.0
    return v


def embed_title(title: TextDoc):
    title.embedding = hash_embedding(title.text)  # returns None: MultiModalDataset keeps the mutated title


def normalize(thesis: Thesis):
    e = thesis.title.embedding
    n = float(np.linalg.norm(e.astype(np.float64)))
    if n > 0:
        thesis.title.embedding = (e.astype(np.float64) / n).astype(np.float32)


def shout(text):
    return text.upper() if text else text


def link(doc: Student):
    if doc.thesis.title.url is None:
        doc.thesis.title.url = f'https://example.org/{doc.id}'


# the order matters: the embedding is computed from the title before it is upper-cased
PREPROCESSING = {'thesis.title': embed_title, 'thesis': normalize, 'thesis.title.text': shout, '': link}

WORDS = ['graph', 'Spark', 'Ünïcødé', '多模态', '📚', 'straße', 'vector', 'learning', 'Émile', 'DATA', 'ragged']


def generate(out, n):
    rnd = random.Random(7)
    docs = []
    for i in range(n):
        text = ' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(0, 6)))
        emb = np.array([rnd.uniform(-1, 1) for _ in range(4)], np.float32) if i % 4 == 0 else None
        url = f'https://example.org/t/{i}' if i % 3 == 0 else None
        docs.append(Student(id=f'gen-{i}', thesis=Thesis(id=f'gen-{i}.thesis', title=TextDoc(
            id=f'gen-{i}.title', text=text, url=url, embedding=emb))))
    DocList[Student](docs).save_binary(out)


def apply(out, files):
    docs = DocList[Student]([d for f in files for d in DocList[Student].load_binary(f)])
    ds = MultiModalDataset[Student](docs, preprocessing=PREPROCESSING)
    rows = []
    for i in range(len(ds)):
        d = ds[i]
        t = d.thesis.title
        rows.append({'id': d.id, 'text': t.text, 'url': None if t.url is None else str(t.url),
                     'embedding': None if t.embedding is None else [float(x) for x in np.asarray(t.embedding)]})
    with open(out, 'w') as f:
        json.dump(rows, f)
    print(f'MultiModalDataset[Student]: {len(rows)} documents preprocessed')


if __name__ == '__main__':
    if sys.argv[1] == 'generate':
        generate(sys.argv[2], int(sys.argv[3]))
    else:
        apply(sys.argv[2], sys.argv[3:])
