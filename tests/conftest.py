"""Shared fixtures: the shipped samples, fresh templates, and a way to fill them in."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kpi_excel.core.periods import Period
from kpi_excel.core.return_spec import FIELDS, HEADER_ROW, RETURN_SHEET
from kpi_excel.register.loader import load_register

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
Q1 = Period.parse("2017/18 Q1")
COLUMN = {field.key: index + 1 for index, field in enumerate(FIELDS)}


@pytest.fixture(scope="session")
def register():
    return load_register(SAMPLES / "register.xlsx")


@pytest.fixture(scope="session")
def blank_templates(tmp_path_factory) -> dict[str, Path]:
    """One fresh template per service area, by service area."""
    from kpi_excel.api.run import make_templates

    out = tmp_path_factory.mktemp("templates")
    paths = make_templates(SAMPLES / "register.xlsx", Q1, out, history=SAMPLES / "history.csv")
    result = {}
    for path in paths:
        workbook = load_workbook(path, read_only=True)
        meta = {row[0]: row[1] for row in workbook["kpi_meta"].iter_rows(values_only=True)}
        result[meta["service_area"]] = path
        workbook.close()
    return result


def row_of(sheet: Any, indicator_id: str) -> int:
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        if sheet.cell(row, COLUMN["id"]).value == indicator_id:
            return row
    raise KeyError(indicator_id)


Filler = Callable[..., Path]


@pytest.fixture
def fill(tmp_path, blank_templates) -> Filler:
    """fill(service_area, {id: {field: value}}, name=..., edit=callable(workbook)) -> path.

    Copies the sample return for the service area (already filled with the example's figures),
    then types the given values over it with openpyxl, as an officer would.
    """

    def _fill(
        service_area: str,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        name: str | None = None,
        edit: Callable[[Any], None] | None = None,
        start_blank: bool = False,
    ) -> Path:
        source = (
            blank_templates[service_area]
            if start_blank
            else (SAMPLES / "returns" / blank_templates[service_area].name)
        )
        target = tmp_path / (name or source.name)
        workbook = load_workbook(source)
        sheet = workbook[RETURN_SHEET]
        for indicator_id, fields in (values or {}).items():
            row = row_of(sheet, indicator_id)
            for key, value in fields.items():
                sheet.cell(row, COLUMN[key]).value = value
        if edit is not None:
            edit(workbook)
        workbook.save(target)
        return target

    return _fill


def consolidate_samples(
    out: Path, *extra: str, returns: Path | None = None, history: bool = True
) -> Any:
    """`kpi-excel consolidate` for 2017/18 Q1 on the sample register, and the sample returns
    (or `returns`), with the sample history unless history=False; the click Result."""
    from click.testing import CliRunner

    from kpi_excel.cli.app import main

    args = [
        "consolidate",
        str(SAMPLES / "register.xlsx"),
        str(returns or SAMPLES / "returns"),
        "--period",
        "2017/18 Q1",
        "--out",
        str(out),
    ]
    if history:
        args += ["--history", str(SAMPLES / "history.csv")]
    return CliRunner().invoke(main, [*args, *extra])


def copy_of_sample_returns(folder: Path) -> Path:
    """A folder holding copies of the six sample returns, to add to or spoil."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in (SAMPLES / "returns").iterdir():
        shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def bad_input_files(tmp_path_factory, blank_templates) -> dict[str, Path]:
    """Every case of the bad-input catalogue (fixtures_bad.CASES), built once for the session,
    each in a folder of its own (two cases' files share a name). Tests only read them; a test
    that moves or renames one works on a copy."""
    from fixtures_bad import CASES, Returns

    root = tmp_path_factory.mktemp("bad-inputs")
    built = {}
    for case in CASES:
        folder = root / case.name
        folder.mkdir()
        built[case.name] = case.build(Returns(folder, blank_templates))
    return built


def collect_and_rate(sources: list[Path], register: Any, period: Period, **options: Any) -> Any:
    """Returns collected and their figures rated, as validate and consolidate do: the problems
    include the missing comments and corrective actions the ratings call for."""
    from kpi_excel.history.files import History
    from kpi_excel.report.build import build_report
    from kpi_excel.returns.collect import collect_returns

    collected = collect_returns(sources, register, period, **options)
    build_report(register, period, collected, History())
    return collected


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(source: Path, out_dir: Path, to: str = "xlsx") -> Path:
    """Open and re-save a file with LibreOffice headless; skip the test when it is absent."""
    binary = soffice()
    if binary is None:
        pytest.skip("LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui")
    out_dir.mkdir(parents=True, exist_ok=True)
    home = out_dir / ".lo-home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(home))
    filter_name = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "pdf": "pdf"}[to]
    subprocess.run(
        [binary, "--headless", "--convert-to", filter_name, "--outdir", str(out_dir), str(source)],
        check=True,
        capture_output=True,
        timeout=240,
        env=env,
    )
    produced = out_dir / f"{source.stem}.{to}"
    assert produced.exists(), f"LibreOffice wrote no {to} for {source.name}"
    return produced


_LIBREOFFICE_WORDS = ("convert_with_libreoffice", "soffice", "libreoffice_fill", "LIBREOFFICE")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "libreoffice: needs LibreOffice (deselect with -m 'not libreoffice')"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test that calls LibreOffice, directly or through the helpers above, is marked by what
    # its source names, so the marker cannot be forgotten on a new test.
    import inspect

    for item in items:
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function else ""
        except (OSError, TypeError):
            continue
        if any(word in source for word in _LIBREOFFICE_WORDS):
            item.add_marker(pytest.mark.libreoffice)


_MISSING_TOOL = ("not installed", "not found")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Locally a test skips when LibreOffice, the browser or axe-core is missing; under CI
    (CI set, as .ci/run runs) that skip is a failure, so a broken install cannot pass unseen."""
    outcome = yield
    report = outcome.get_result()
    if not os.environ.get("CI") or not report.skipped or call.excinfo is None:
        return
    reason = str(call.excinfo.value)
    if any(words in reason for words in _MISSING_TOOL):
        report.outcome = "failed"
        report.longrepr = f"CI must have every tool the tests use: {reason}"
