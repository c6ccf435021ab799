"""The examples in the statistics docstrings run and print what they say."""

import doctest
import importlib

import pytest

MODULES = ["agreement", "describe", "paired", "scales", "unpaired", "warnings"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(f"medmentor.stats.{name}")
    result = doctest.testmod(
        module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_stats_package_imports_nothing_from_django_or_the_rest_of_medmentor():
    # DESIGN.md: "matching and stats import nothing of ours" and no Django.
    import ast
    import pathlib

    import medmentor.stats

    package = pathlib.Path(medmentor.stats.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for imported in names:
                assert not imported.startswith("django"), (path.name, imported)
                if imported.startswith("medmentor"):
                    assert imported.startswith("medmentor.stats"), (path.name, imported)
