"""Writes the quickstart's sample data with the real Python DocArray (0.40.x).

Run with the oracle environment (shared/oracle/setup.sh or the test venv):
    python examples/make_sample.py examples/src/main/resources/sample
The output is committed; this script documents how it was made.
"""
import sys
from pathlib import Path
from typing import Optional

import numpy as np
from docarray import BaseDoc, DocList
from docarray.documents import TextDoc


class Thesis(BaseDoc):
    title: TextDoc
    year: Optional[int] = None


class Student(BaseDoc):
    name: str
    thesis: Thesis


TITLES = [
    "On the Spectral Radius of Sparse Random Graphs",
    "Ünïcødé — 多模态文档 📚",
    "Contrastive Pretraining for Tabular Data",
    "A Survey of Vector Databases",
    "",
    "Learning to Rank with Sparse Embeddings",
    "Graph Neural Networks for Molecules",
    "Federated Learning at the Edge",
    "Speech Recognition in Noisy Rooms",
    "Protein Folding, Briefly",
    "Why Spark? A Study of Data Engines",
    "Zero-shot Image Classification",
]


def student(i: int) -> Student:
    rng = np.random.default_rng(i)
    emb = rng.standard_normal(8).astype(np.float32) if i % 3 != 2 else None
    title = TextDoc(id=f"stu-{i}.thesis.title", text=TITLES[i],
                    url=f"https://example.org/theses/{i}.txt" if i % 2 == 0 else None,
                    embedding=emb)
    return Student(id=f"stu-{i}", name=f"Student {i}",
                   thesis=Thesis(id=f"stu-{i}.thesis", title=title, year=2020 + i % 5 if i != 4 else None))


def main(out: str) -> None:
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    docs = [student(i) for i in range(len(TITLES))]
    DocList[Student](docs[:6]).save_binary(str(d / "students-part1.protobuf.lz4"))
    DocList[Student](docs[6:]).save_binary(str(d / "students-part2.protobuf-array.gzip"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/src/main/resources/sample")
