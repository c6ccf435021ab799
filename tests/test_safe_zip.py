"""medmentor.safe_zip: members are read with a running count of the real bytes."""

import io
import zipfile

import pytest

from medmentor import safe_zip
from tests.zip_bombs import expanding_zip, faked_sizes

MB = 2**20
LIMITS = safe_zip.Limits(member_bytes=4 * MB, archive_bytes=6 * MB, members=10)


def test_a_member_within_the_caps_is_read_back_exactly():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", "é" * 100_000)
    with safe_zip.SafeZip(buffer.getvalue(), limits=LIMITS, what="The file") as archive:
        assert archive.read(archive.infos[0]) == ("é" * 100_000).encode()


def test_a_member_that_unpacks_past_its_cap_is_refused_after_reading_at_most_one_chunk_more():
    content = expanding_zip({"big.txt": 50 * MB})
    assert len(content) < 100_000  # a small file that expands five hundredfold
    with safe_zip.SafeZip(content, limits=LIMITS, what="The file") as archive:
        with pytest.raises(
            safe_zip.ZipRefusal, match="big.txt: the file unpacks to more than 4 MB"
        ):
            archive.read(archive.infos[0])
        assert archive.read_total <= 4 * MB + safe_zip.CHUNK


def test_a_member_whose_declared_size_was_faked_small_is_refused_on_its_real_bytes():
    content = faked_sizes(expanding_zip({"big.txt": 50 * MB}), declared=100)
    with safe_zip.SafeZip(content, limits=LIMITS, what="The file") as archive:
        assert archive.infos[0].file_size == 100
        archive.refuse_declared_total()  # the declared sizes pass...
        with pytest.raises(safe_zip.ZipRefusal, match="unpacks to more than 4 MB"):
            archive.read(archive.infos[0])  # ...the real bytes do not
        assert archive.read_total <= 4 * MB + safe_zip.CHUNK


def test_members_each_under_the_member_cap_are_refused_together_past_the_archive_cap():
    content = faked_sizes(expanding_zip({f"part{n}.txt": 3 * MB for n in range(3)}))
    with safe_zip.SafeZip(content, limits=LIMITS, what="The file") as archive:
        with pytest.raises(safe_zip.ZipRefusal, match="The file unpacks to more than 6 MB"):
            archive.drain_all()
        assert archive.read_total <= 6 * MB + safe_zip.CHUNK


def test_declared_sizes_over_the_archive_cap_are_refused_before_reading():
    content = expanding_zip({"big.txt": 7 * MB})
    with safe_zip.SafeZip(content, limits=LIMITS, what="The file") as archive:
        with pytest.raises(
            safe_zip.ZipRefusal, match="The file unpacks to 7 MB; the limit is 6 MB"
        ):
            archive.refuse_declared_total()
        assert archive.read_total == 0


def test_a_member_with_a_wrong_checksum_is_refused_as_damaged():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", b"hello world")
    damaged = buffer.getvalue().replace(b"hello world", b"jello world")
    archive = safe_zip.SafeZip(damaged, limits=LIMITS, what="The file")
    with archive, pytest.raises(safe_zip.ZipRefusal, match="a.txt: the archive is damaged"):
        archive.read(archive.infos[0])


def test_too_many_members_and_non_zips_are_refused_in_words():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(11):
            archive.writestr(f"{n}.txt", b"")
    with pytest.raises(safe_zip.ZipRefusal, match="holds 11 files; the limit is 10"):
        safe_zip.SafeZip(buffer.getvalue(), limits=LIMITS, what="The file")
    with pytest.raises(safe_zip.ZipRefusal, match="not a zip archive"):
        safe_zip.SafeZip(b"plain text", limits=LIMITS, what="The file")
