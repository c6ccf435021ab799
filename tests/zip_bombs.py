"""Zip bombs built in the tests: a small archive that unpacks big, and one whose
declared sizes were faked small. Nothing big is ever held in memory to build them."""

import io
import struct
import zipfile

ZEROS = bytes(1024 * 1024)


def expanding_zip(members: dict[str, int], extra: dict[str, bytes] | None = None) -> bytes:
    """A deflated zip whose members are `size` bytes of zeros each (a thousandfold
    smaller packed), plus `extra` members written as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=size >= 2**31) as handle:
                left = size
                while left > 0:
                    handle.write(ZEROS[: min(left, len(ZEROS))])
                    left -= len(ZEROS)
    return buffer.getvalue()


def faked_sizes(content: bytes, declared: int = 100) -> bytes:
    """The same zip with every member's uncompressed size rewritten to `declared` in
    both its local header and the central directory (the CRC is left as it was)."""
    data = bytearray(content)
    position = 0
    while (position := data.find(b"PK\x03\x04", position)) != -1:
        struct.pack_into("<I", data, position + 22, declared)
        position += 4
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        struct.pack_into("<I", data, position + 24, declared)
        position += 4
    return bytes(data)
