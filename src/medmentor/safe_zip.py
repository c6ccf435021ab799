"""Reading uploaded zip archives (.qdpx, curriculum packages, .xlsx) with bounded memory.

One way for every zip import. A zip's sizes are written by whoever made it: a member
can declare 1 KB and inflate to gigabytes, and a small archive can hold members that
each expand a thousandfold. So nothing here trusts a declared size. Each member is
decompressed in chunks with a running count of the real bytes; reading stops one
chunk after a cap is passed, per member and for the archive as a whole, and the
caller gets a refusal in plain words instead of the bytes. The declared sizes are
only used to refuse early an archive that admits to being too large.

zipfile itself stops a member at its declared size and then fails the CRC check, so
a member whose declared size was faked small would be reported as "damaged" after
reading its declared bytes. We read with the declared size lifted to the cap, so that
the count of real bytes decides and the refusal names the real reason (too large).

Callers give their own `Limits`, sized to real use, and turn `ZipRefusal` into their
own error type (the message is already written for the person who uploaded the file).
"""

import copy
import io
import zipfile
import zlib
from dataclasses import dataclass

CHUNK = 64 * 1024  # decompressed bytes per read: the most a read holds beyond a cap

# What zipfile raises on a damaged or unsupported member (bad CRC, broken deflate data,
# encryption, a compression method Python lacks, offsets that point nowhere).
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    OSError,
    EOFError,
    ValueError,
)


@dataclass(frozen=True)
class Limits:
    """Caps of one kind of archive: bytes of one member once unpacked, bytes of all the
    members read once unpacked, and the number of members."""

    member_bytes: int
    archive_bytes: int
    members: int


class ZipRefusal(ValueError):
    """The archive (or one member) is refused; the message says which and why."""


def _megabytes(count: int) -> str:
    return f"{count / 2**20:,.0f} MB" if count >= 2**20 else f"{count / 1024:,.0f} KB"


class SafeZip:
    """An opened archive whose members are read with running size counts.

    `what` names the file in messages ("The .qdpx", "The package").
    """

    def __init__(self, content: bytes, *, limits: Limits, what: str) -> None:
        self.limits = limits
        self.what = what
        self.read_total = 0  # real bytes decompressed so far, all members
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(content))
            self.infos = self.archive.infolist()
        except DAMAGED:
            raise ZipRefusal(f"{what} is not a zip archive (or it is damaged).") from None
        if len(self.infos) > limits.members:
            raise ZipRefusal(
                f"{what} holds {len(self.infos)} files; the limit is {limits.members}."
            )

    def __enter__(self) -> "SafeZip":
        return self

    def __exit__(self, *exc) -> None:
        self.archive.close()

    def refuse_declared_total(self, infos: list[zipfile.ZipInfo] | None = None) -> None:
        """Refuse at once an archive whose declared sizes already pass the cap (the
        real bytes are counted again when read: a declared size can lie)."""
        declared = sum(info.file_size for info in (self.infos if infos is None else infos))
        if declared > self.limits.archive_bytes:
            raise ZipRefusal(
                f"{self.what} unpacks to {_megabytes(declared)}; the limit is "
                f"{_megabytes(self.limits.archive_bytes)}."
            )

    def read(self, info: zipfile.ZipInfo, *, limit: int | None = None) -> bytes:
        """The member's bytes, or ZipRefusal once its real size passes `limit` (default
        the per-member cap) or the archive's running total passes the archive cap."""
        chunks = list(self._chunks(info, limit=limit))
        return b"".join(chunks)

    def drain(self, info: zipfile.ZipInfo, *, limit: int | None = None) -> int:
        """Decompress the member and throw the bytes away; returns its real size. For
        archives another library reads afterwards (openpyxl): the caps are proven first."""
        return sum(len(chunk) for chunk in self._chunks(info, limit=limit))

    def drain_all(self) -> None:
        for info in self.infos:
            if not info.is_dir():
                self.drain(info)

    def _chunks(self, info: zipfile.ZipInfo, *, limit: int | None):
        limit = self.limits.member_bytes if limit is None else min(limit, self.limits.member_bytes)
        if info.flag_bits & 0x1:
            raise ZipRefusal(f"{info.filename}: the file is encrypted; it cannot be read.")
        # Lift the declared size so zipfile does not cut the member there: our own
        # count of the real bytes decides (see the module's docstring). Two chunks past
        # the cap, so the read that crosses it is not zipfile's end of the member.
        lifted = copy.copy(info)
        lifted.file_size = max(info.file_size, limit + 2 * CHUNK)
        size = 0
        try:
            with self.archive.open(lifted) as handle:
                while chunk := handle.read(CHUNK):
                    size += len(chunk)
                    self.read_total += len(chunk)
                    if size > limit:
                        raise ZipRefusal(
                            f"{info.filename}: the file unpacks to more than "
                            f"{_megabytes(limit)}, the limit for one file."
                        )
                    if self.read_total > self.limits.archive_bytes:
                        raise ZipRefusal(
                            f"{self.what} unpacks to more than "
                            f"{_megabytes(self.limits.archive_bytes)}, its limit; refused."
                        )
                    yield chunk
        except ZipRefusal:
            raise
        except DAMAGED as error:
            raise ZipRefusal(
                f"{info.filename}: the archive is damaged and this file cannot be read ({error})."
            ) from None
