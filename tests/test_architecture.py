"""The package's shape: stages import one way, through public names, in pieces a reader can hold.

docs/architecture.md draws the same order; change both together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "kpi_excel"
# Lower stages first. Stages of equal rank must not import each other.
STAGE_RANK = {
    "core": 0,
    "xlsx": 1,
    "register": 2,
    "templates": 3,
    "returns": 3,
    "history": 3,
    "report": 4,
    "board": 4,
    "web": 5,
    "api": 6,
    "cli": 7,
}
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _dotted(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(absolute module, names, line) for every `from ... import` in a module, lazy ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _dotted(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, [alias.name for alias in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
    return found


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_every_stage_folder_is_known():
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders <= set(STAGE_RANK), f"add {folders - set(STAGE_RANK)} to STAGE_RANK"
    assert len(folders) >= 6


def test_few_modules_at_the_top():
    assert len(list(PACKAGE.glob("*.py"))) <= 8


def test_stages_import_only_lower_stages():
    wrong = []
    for path in _modules():
        importer = _stage(_dotted(path))
        if importer not in STAGE_RANK:
            continue
        for module, _names, line in _imports(path):
            imported = _stage(module) if module.startswith("kpi_excel.") else None
            if imported is None or imported == importer:
                continue
            if STAGE_RANK.get(imported, 99) >= STAGE_RANK[importer]:
                wrong.append(f"{_where(path, line)}: {importer} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_no_private_name_crosses_a_module():
    wrong = []
    for path in _modules():
        for module, names, line in _imports(path):
            if not module.startswith("kpi_excel"):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                wrong.append(f"{_where(path, line)}: {', '.join(private)} from {module}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pieces_a_reader_can_hold(path: Path):
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES, f"{path.name} is over {MAX_MODULE_LINES} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"split into named pieces: {', '.join(long)}"


def test_every_command_is_the_api_function_of_its_name():
    """As in sqlite-utils: `kpi-excel import-history` is kpi_excel.api.import_history, and the
    command calls it (the CLI imports the api module and calls that name)."""
    from kpi_excel import api
    from kpi_excel.cli.app import main

    cli_source = "\n".join(p.read_text() for p in (PACKAGE / "cli").glob("*.py"))
    for command in main.commands:
        name = command.replace("-", "_")
        assert callable(getattr(api, name, None)), f"no kpi_excel.api.{name} for {command}"
        assert f"api.{name}(" in cli_source, f"the {command} command does not call api.{name}"
    # the first release's names still work, as the same functions
    assert api.consolidate_returns is api.consolidate
    assert api.make_templates is api.templates
    assert api.validate_returns is api.validate
    assert api.close_period is api.close
    assert api.correct_figure is api.correct
    assert api.list_runs is api.runs
