"""
Minimal TensorBoard event-file writer (TFRecord framing + hand-encoded tensorflow.Event protos).

Used by scripts/gen-tfevents-fixture.py and examples/mnist/make-tfevents.py. It exists because
Debian's python3-torch ships torch.utils.tensorboard without the `tensorboard` package it imports,
so SummaryWriter is not usable here; the bytes written are the ones SummaryWriter writes
(scalar summaries as Summary.Value.simple_value) or tf.summary writes (a rank-0 TensorProto with
plugin "scalars" metadata). No dependencies beyond the standard library.
"""
import struct

_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (0x82F63B78 ^ (_c >> 1)) if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def record(payload: bytes) -> bytes:
    head = struct.pack("<Q", len(payload))
    return head + struct.pack("<I", masked_crc(head)) + payload + struct.pack("<I", masked_crc(payload))


def varint(v: int) -> bytes:
    v &= (1 << 64) - 1  # int64 two's complement
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(no: int, wire: int) -> bytes:
    return varint((no << 3) | wire)


def ld(no: int, payload: bytes) -> bytes:
    return key(no, 2) + varint(len(payload)) + payload


def event(step: int, wall_time: float, values: bytes = b"", file_version: str = "") -> bytes:
    out = key(1, 1) + struct.pack("<d", wall_time) + key(2, 0) + varint(step)
    if file_version:
        out += ld(3, file_version.encode())
    if values:
        out += ld(5, values)  # Summary
    return out


def simple_value(tag: str, v: float) -> bytes:
    """One Summary.value entry the way PyTorch SummaryWriter.add_scalar writes it."""
    return ld(1, ld(1, tag.encode()) + key(2, 5) + struct.pack("<f", v))


def tensor_value(tag: str, v: float, style: str = "float_val") -> bytes:
    """One Summary.value entry the way tf.summary.scalar (TF2) writes it: a rank-0 tensor."""
    if style == "float_val":  # DT_FLOAT with packed float_val
        tensor = key(1, 0) + varint(1) + ld(2, b"") + ld(5, struct.pack("<f", v))
    else:  # DT_DOUBLE with tensor_content
        tensor = key(1, 0) + varint(2) + ld(2, b"") + ld(4, struct.pack("<d", v))
    metadata = ld(1, ld(1, b"scalars"))  # SummaryMetadata.plugin_data.plugin_name
    return ld(1, ld(1, tag.encode()) + ld(9, metadata) + ld(8, tensor))


def write(path: str, events: list) -> None:
    with open(path, "wb") as f:
        for e in events:
            f.write(record(e))
