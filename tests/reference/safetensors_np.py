"""The safetensors format (8-byte little-endian header length, JSON header,
raw little-endian data), written and read with numpy alone. Keys are
sorted and the header is padded to 8 bytes, so equal tensors give equal bytes."""
import json
import struct

import numpy as np

_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "U8": np.uint8, "BOOL": np.bool_}


def bfloat16_bits(values):
    """float32 -> bfloat16 bit patterns (uint16), round to nearest even; what torch's .to(bfloat16) does."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounding = np.uint64(0x7FFF) + ((bits >> np.uint64(16)) & np.uint64(1))
    return ((bits + rounding) >> np.uint64(16)).astype(np.uint16)


def bfloat16_to_float32(bits):
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << np.uint32(16)).view(np.float32)


def write(path, tensors, metadata=None):
    """tensors: name -> (dtype name, numpy array of that dtype's values or, for BF16, uint16 bits)."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        dtype, array = tensors[name]
        array = np.ascontiguousarray(array)
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def read(path):
    """name -> float64 (floating types, BF16 included) or int64 array; and the metadata dict."""
    with open(path, "rb") as f:
        raw = f.read()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    metadata = header.pop("__metadata__", {})
    base = 8 + size
    out = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        data = raw[base + start:base + end]
        if entry["dtype"] == "BF16":
            array = bfloat16_to_float32(np.frombuffer(data, dtype="<u2")).astype(np.float64)
        else:
            array = np.frombuffer(data, dtype=np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<"))
            array = array.astype(np.float64 if array.dtype.kind == "f" else np.int64)
        out[name] = array.reshape(entry["shape"])
    return out, metadata
