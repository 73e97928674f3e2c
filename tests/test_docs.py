"""Documentation generated from the code must match the code; the blank register must load."""

import importlib.util
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from kpi_excel.register.loader import COLUMNS, load_register


def _generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "docs" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "name",
    ["register-format.md", "problems.md", "return-fields.md", "cli.md", "officer-messages.md"],
)
def test_generated_page_is_up_to_date(name):
    page = _generator().PAGES[name]()
    assert (ROOT / "docs" / name).read_text(encoding="utf-8") == page, (
        f"docs/{name} is out of date: run python docs/generate.py"
    )


def test_blank_register_loads_with_every_column():
    register = load_register(ROOT / "workbook_templates" / "register-template.xlsx")
    assert register.indicators == []
    from openpyxl import load_workbook

    workbook = load_workbook(ROOT / "workbook_templates" / "register-template.xlsx")
    headers = [c.value for c in workbook["Indicators"][1]]
    assert headers == [c.header for c in COLUMNS]
    assert workbook["Indicators"].data_validations.dataValidation


def test_readme_quick_start_has_exactly_two_commands():
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "readme_command.py"), "test"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pytest" in result.stdout


def test_code_is_ruff_clean():
    if importlib.util.find_spec("ruff") is not None:
        command = [sys.executable, "-m", "ruff"]  # the ruff installed with the test extras
    elif shutil.which("ruff"):
        command = [shutil.which("ruff")]
    else:
        pytest.skip("ruff not installed: pip install -e '.[test]'")
    result = subprocess.run([*command, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    result = subprocess.run(
        [*command, "format", "--check", str(ROOT)], capture_output=True, text=True
    )
    assert result.returncode == 0, f"run ruff format:\n{result.stdout}"


def test_officers_guide_agrees_with_the_return_spec():
    """The hand-written guide's table names every column an officer fills in, and only those;
    its status words are the drop-down's; it links the generated page of messages."""
    from kpi_excel.core.return_spec import FIELDS, INPUT_KEYS, STATUS_CHOICES

    guide = (ROOT / "docs" / "officers.md").read_text(encoding="utf-8")
    table = guide.split("## What to fill in", 1)[1].split("\n\n")[1]
    named = {
        name.strip() for line in table.splitlines()[2:] for name in line.split("|")[1].split(",")
    }
    assert named == {f.header for f in FIELDS if f.key in INPUT_KEYS}
    status_row = next(line for line in table.splitlines() if line.startswith("| Status"))
    assert all(f"`{choice}`" in status_row for choice in STATUS_CHOICES)
    assert "(officer-messages.md)" in guide


def test_readme_python_example_runs_as_written(tmp_path):
    """The README's Python API example, run as a newcomer would from a clone: its public
    names import and it prints the counts its comment shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    promised = code.split("# ", 1)[1].split("\n", 1)[0]
    assert done.stdout.splitlines()[0] == promised
