"""A .qdpx is read with caps on the real unpacked bytes (medmentor.safe_zip): zip bombs,
with true or faked sizes, are refused with bounded memory."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from medmentor.qualitative import refi_qda
from medmentor.qualitative.refi_qda import RefiQdaError
from tests.zip_bombs import expanding_zip, faked_sizes

MB = 2**20
ROOT = Path(__file__).resolve().parents[2]
GUIDS = [f"11e0d4d7-4de8-4501-a82f-653d3e5d1c1{n}" for n in range(6)]


def project_qde(sources: int) -> str:
    listed = "".join(
        f'<TextSource guid="{GUIDS[n]}" name="Interview {n}" '
        f'plainTextPath="internal://{GUIDS[n]}.txt"/>'
        for n in range(sources)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Interviews" origin="test">'
        f"<Sources>{listed}</Sources></Project>"
    )


def test_a_source_text_that_unpacks_past_32_mb_is_refused_though_it_declares_100_bytes():
    content = faked_sizes(
        expanding_zip({f"sources/{GUIDS[0]}.txt": 40 * MB}, extra={"project.qde": project_qde(1)})
    )
    with pytest.raises(RefiQdaError) as refused:
        refi_qda.qdpx_unpack(content)
    assert refused.value.problems == [
        f"sources/{GUIDS[0]}.txt: the file unpacks to more than 32 MB, the limit for one file."
    ]


@pytest.mark.slow
def test_sources_each_under_the_file_cap_are_refused_together_past_128_mb():
    members = {f"sources/{GUIDS[n]}.txt": 30 * MB for n in range(5)}
    content = faked_sizes(expanding_zip(members, extra={"project.qde": project_qde(5)}))
    with pytest.raises(RefiQdaError) as refused:
        refi_qda.qdpx_unpack(content)
    assert refused.value.problems == ["The .qdpx unpacks to more than 128 MB, its limit; refused."]


@pytest.mark.slow
def test_a_qdpx_declaring_more_than_128_mb_of_text_is_refused_before_reading():
    members = {f"sources/{GUIDS[n]}.txt": 30 * MB for n in range(5)}
    content = expanding_zip(members, extra={"project.qde": project_qde(5)})
    with pytest.raises(RefiQdaError, match=r"The \.qdpx unpacks to 150 MB; the limit is 128 MB"):
        refi_qda.qdpx_unpack(content)


MEMORY_BOUND_MB = 80  # the cap of one member (32 MB) plus room for the interpreter

PROBE = textwrap.dedent(
    """
    import re, sys
    from pathlib import Path
    from medmentor.qualitative import refi_qda

    def peak_kb():
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))

    bomb = Path(sys.argv[1]).read_bytes()
    # Reset the peak (ru_maxrss would keep the forking test process's peak).
    Path("/proc/self/clear_refs").write_text("5")
    before = peak_kb()
    try:
        refi_qda.qdpx_unpack(bomb)
    except refi_qda.RefiQdaError as refused:
        print(refused.problems[0])
    print((peak_kb() - before) // 1024)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("sizes", ["true", "faked"])
def test_a_200_mb_bomb_is_refused_with_peak_memory_under_80_mb(sizes, tmp_path):
    # Built here, read by a fresh interpreter: its peak memory is the import's alone.
    bomb = expanding_zip(
        {f"sources/{GUIDS[0]}.txt": 200 * MB}, extra={"project.qde": project_qde(1)}
    )
    assert len(bomb) < 1 * MB  # a small file
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(faked_sizes(bomb) if sizes == "faked" else bomb)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    finished = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    problem, grown_mb = finished.stdout.strip().splitlines()
    assert "unpacks to" in problem  # refused for what it unpacks to
    assert int(grown_mb) < MEMORY_BOUND_MB, f"peak memory grew by {grown_mb} MB"
