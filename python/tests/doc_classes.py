"""The document classes of the fixtures (as their sidecars' schema_text declares them)."""
from typing import Any, Dict, List, Optional, Tuple

from docarray import BaseDoc, DocList
from docarray.documents import AudioDoc, ImageDoc, Mesh3D, PointCloud3D, TextDoc, VideoDoc
from docarray.typing import (AnyEmbedding, AnyTensor, AnyUrl, AudioTensor, ImageNdArray, ImageTensor, NdArray,
                             TorchTensor, VideoTensor)


class Thesis(BaseDoc):
    title: TextDoc


class Student(BaseDoc):
    thesis: Thesis


class Chunk(BaseDoc):
    text: str
    emb: NdArray[4]
    pos: int


class Page(BaseDoc):
    page_no: int
    title: Optional[str] = None
    chunks: DocList[Chunk]


class OptionalFields(BaseDoc):
    title: Optional[str] = None
    count: Optional[int] = None
    score: Optional[float] = None
    flag: Optional[bool] = None
    data: Optional[bytes] = None
    emb: Optional[NdArray] = None
    sub: Optional[TextDoc] = None
    link: Optional[AnyUrl] = None
    items: Optional[DocList[TextDoc]] = None
    tags: Optional[List[str]] = None


class TorchDoc(BaseDoc):
    t_f16: TorchTensor
    t_f32: TorchTensor
    t_f64: TorchTensor
    t_i64: TorchTensor
    t_i32: TorchTensor
    t_bool: TorchTensor
    t_u8: TorchTensor
    t_fixed: TorchTensor[2, 2]
    img: ImageTensor
    emb: AnyEmbedding
    aud: AudioTensor
    vid: VideoTensor
    any_t: AnyTensor


class Scalars(BaseDoc):
    s: str
    i: int
    f: float
    b: bool
    by: bytes


class AnyBag(BaseDoc):
    l: list
    t: tuple
    s: set
    d: dict
    typed_list: List[int]
    typed_dict: Dict[str, float]
    nested: Dict[str, Any]
    strings: List[str]
    docs_in_list: List[TextDoc]
    pair: Tuple[int, str]


class MultiModal(BaseDoc):
    text: TextDoc
    image: ImageDoc
    audio: AudioDoc
    video: VideoDoc
    mesh: Mesh3D
    pc: PointCloud3D


class Dtypes(BaseDoc):
    f16: NdArray
    f32: NdArray
    f64: NdArray
    i8: NdArray
    i16: NdArray
    i32: NdArray
    i64: NdArray
    u8: NdArray
    u16: NdArray
    u32: NdArray
    u64: NdArray
    b: NdArray
    be_f4: NdArray
    be_i8: NdArray
    scalar0d: NdArray
    empty1d: NdArray
    empty2d: NdArray
    transposed: NdArray
    fortran: NdArray
    cube: NdArray


class VecDoc(BaseDoc):
    emb: NdArray[8]
    label: int
    text: str
    image: ImageNdArray
    inner: TextDoc
    chunks: Optional[DocList[Chunk]] = None  # a DocVec saved row-wise writes its DocList column as None
    maybe: Optional[NdArray] = None


#: fixture file -> its document class
CLASSES = {
    "students.protobuf": Student, "students.protobuf-array.gzip": Student, "students.json-array.lz4": Student,
    "pages.protobuf": Page, "images.protobuf": ImageDoc, "optional.protobuf": OptionalFields,
    "torch_tensors.protobuf": TorchDoc, "scalars.protobuf": Scalars, "anybag.protobuf": AnyBag,
    "multimodal.protobuf": MultiModal, "dtypes.protobuf": Dtypes, "docvec_rows.protobuf": VecDoc,
}


class Book(BaseDoc):
    title: TextDoc


class Library(BaseDoc):
    books: DocList[Book]
