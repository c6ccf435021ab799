"""The lock file pins every dependency pyproject.toml names, so installs are the same everywhere."""

import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if match:
            pins[_normal(match.group(1))] = match.group(2)
    return pins


def test_every_dependency_of_pyproject_is_pinned_in_the_lock_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    names = {_normal(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]) for spec in wanted}
    missing = sorted(names - set(_pinned()))
    assert not missing, f"not in requirements.lock (run the command on its first lines): {missing}"


def test_the_lock_pins_exact_versions_only():
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert "==" in line, f"requirements.lock: {line!r} is not an exact pin"
