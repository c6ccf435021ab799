"""Every example in the matching package's docstrings runs and prints what it says."""

import ast
import doctest
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import medmentor.matching as matching

MODULES = sorted(
    name for _, name, _ in pkgutil.iter_modules(matching.__path__, prefix="medmentor.matching.")
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_print_what_they_say(module_name):
    module = importlib.import_module(module_name)
    globs = {name: getattr(matching, name) for name in matching.__all__}
    globs["np"] = np
    result = doctest.testmod(module, extraglobs=globs, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_package_imports_nothing_from_django_or_the_rest_of_medmentor():
    for name in MODULES:
        tree = ast.parse(Path(importlib.import_module(name).__file__).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                targets = [node.module or ""]
            else:
                continue
            for target in targets:
                assert not target.startswith("django"), (name, target)
                assert not target.startswith("medmentor") or target.startswith(
                    "medmentor.matching"
                ), (name, target)


@pytest.mark.slow  # a new Python process
def test_importing_the_package_loads_no_django():
    code = "import sys, medmentor.matching; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
