"""Outputs never touch inputs: every command, every output option, pointed at every input.

Each case must be refused before any work (exit 2 with a message naming both paths) and leave
every file in the folder byte-identical, with nothing new beside them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from kpi_excel.cli.app import main
from kpi_excel.core.problems import UsageError
from kpi_excel.xlsx.outputs import Place, check_outputs, pdf_beside

Q1 = "2017/18 Q1"
RETURN = "2017-18-Q1-environment.xlsx"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """register, returns/, history.csv, published.csv and a history store made from them."""
    root = tmp_path_factory.mktemp("inputs")
    shutil.copy(SAMPLES / "register.xlsx", root / "register.xlsx")
    shutil.copytree(SAMPLES / "returns", root / "returns")
    shutil.copy(SAMPLES / "history.csv", root / "history.csv")
    shutil.copy(SAMPLES / "published-arrows-2017-18-q1.csv", root / "published.csv")
    result = CliRunner().invoke(
        main,
        ["import-history", str(root / "history.csv"), "--register", str(root / "register.xlsx"),
         "--store", str(root / "history.sqlite")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def work(prepared: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w"
    shutil.copytree(prepared, target)
    return target


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


INPUTS = {
    "register": "register.xlsx",
    "returns folder": "returns",
    "a return": f"returns/{RETURN}",
    "history file": "history.csv",
    "store": "history.sqlite",
    "published": "published.csv",
}


def _consolidate(option: str, source: str) -> list[str]:
    past = ["--store", "{store}"] if source == "store" else ["--history", "{history file}"]
    base = ["consolidate", "{register}", "{returns folder}", "-p", Q1, *past,
            "--published", "{published}", "--out", "out/board.xlsx"]  # fmt: skip
    return [*base, option, "{target}"]


def _validate(option: str, source: str) -> list[str]:
    return ["validate", "{register}", "{returns folder}", "-p", Q1, "--store", "{store}",
            option, "{target}"]  # fmt: skip


COMMANDS = {
    ("consolidate", "--out"): (_consolidate, list(INPUTS)),
    ("consolidate", "--json"): (_consolidate, list(INPUTS)),
    **{
        ("validate", option): (_validate, ["register", "returns folder", "a return", "store"])
        for option in ("--json", "--log", "--chase", "--feedback")
    },
    ("templates", "--out"): (
        lambda option, source: [
            "templates",
            "{register}",
            "-p",
            Q1,
            "--store",
            "{store}",
            option,
            "{target}",
        ],  # fmt: skip
        ["register", "store"],
    ),
    ("export-history", "OUT"): (
        lambda option, source: [
            "export-history",
            "{target}",
            "--store",
            "{store}",
            "--register",
            "{register}",
        ],  # fmt: skip
        ["register", "store", "history file", "a return"],
    ),
    ("import-history", "--store"): (
        lambda option, source: [
            "import-history",
            "{history file}",
            "--register",
            "{register}",
            option,
            "{target}",
        ],  # fmt: skip
        ["register", "history file", "returns folder"],
    ),
    ("close", "--store"): (
        lambda option, source: [
            "close",
            "{register}",
            "{returns folder}",
            "-p",
            Q1,
            option,
            "{target}",
        ],  # fmt: skip
        ["register", "returns folder", "a return"],
    ),
    ("correct", "--store"): (
        lambda option, source: [
            "correct",
            "-p",
            "2016/17 Q4",
            "--id",
            "CL02",
            "--value",
            "1",
            "--why",
            "test",
            "--register",
            "{register}",
            option,
            "{target}",
        ],  # fmt: skip
        ["register"],
    ),
    ("new-register", "PATH"): (
        lambda option, source: ["new-register", "{target}"],
        ["register", "history file", "store", "a return"],
    ),
}

CASES = [
    pytest.param(command, option, source, id=f"{command} {option} -> {source}")
    for (command, option), (_, sources) in COMMANDS.items()
    for source in sources
]


def _refused(work: Path, args: list[str]) -> str:
    before = snapshot(work)
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert snapshot(work) == before
    assert not (work / "out").exists()
    return result.output


@pytest.mark.parametrize(("command", "option", "source"), CASES)
def test_an_output_pointed_at_an_input_is_refused_with_nothing_changed(
    work: Path, command: str, option: str, source: str
) -> None:
    build, _ = COMMANDS[(command, option)]
    paths = {name: str(work / relative) for name, relative in INPUTS.items()}
    paths["target"] = paths[source]
    args = [part.format(**paths) for part in build(option, source)]
    output = _refused(work, args)
    # ours, or click's own refusals (a folder option given a file), or the export's
    reasons = (
        "Nothing was written",
        "already exists",
        "is a folder",
        "Invalid value",
        "Export to a",
        "folder of its own",
    )
    assert any(reason in output for reason in reasons), output


@pytest.mark.parametrize("link", ["symbolic", "hard"])
def test_a_link_to_an_input_is_the_input(work: Path, link: str) -> None:
    alias = work / "alias.sqlite"
    (os.symlink if link == "symbolic" else os.link)(work / "history.sqlite", alias)
    output = _refused(
        work,
        ["consolidate", str(work / "register.xlsx"), str(work / "returns"), "-p", Q1,
         "--store", str(work / "history.sqlite"), "--out", str(work / "out/board.xlsx"),
         "--json", str(alias)],
    )  # fmt: skip
    assert "same file as the history store" in output


def test_two_outputs_of_one_name_are_refused(work: Path) -> None:
    output = _refused(
        work,
        ["consolidate", str(work / "register.xlsx"), str(work / "returns"), "-p", Q1,
         "--out", str(work / "out/board.xlsx"), "--json", str(work / "out/board.xlsx")],
    )  # fmt: skip
    assert "--json" in output and "same file as --out" in output


def test_the_pdf_goes_beside_the_workbook_under_its_own_name() -> None:
    assert pdf_beside(Path("out/board.xlsx")) == Path("out/board.pdf")
    assert pdf_beside(Path("out/board.pdf")) == Path("out/board.pdf.pdf")


def test_a_pdf_that_would_replace_an_input_is_refused(tmp_path: Path) -> None:
    (tmp_path / "board.pdf").write_bytes(b"%PDF")
    with pytest.raises(UsageError, match="the PDF"):
        check_outputs(
            [Place("the published report", tmp_path / "board.pdf")],
            [Place("--out", tmp_path / "board.xlsx"), Place("the PDF", tmp_path / "board.pdf")],
        )


def test_outputs_elsewhere_pass(tmp_path: Path) -> None:
    (tmp_path / "returns").mkdir()
    check_outputs(
        [Place("the returns folder", tmp_path / "returns", folder=True)],
        [Place("--out", tmp_path / "out" / "board.xlsx"), Place("--json", tmp_path / "b.json")],
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_an_output_that_is_a_pipe_or_a_device_is_refused(work: Path) -> None:
    pipe = work / "pipe.sqlite"
    os.mkfifo(pipe)
    for args in (
        ["close", str(work / "register.xlsx"), str(work / "returns"), "-p", Q1,
         "--store", str(pipe)],
        ["consolidate", str(work / "register.xlsx"), str(work / "returns"), "-p", Q1,
         "--out", str(work / "out/board.xlsx"), "--json", "/dev/null"],
    ):  # fmt: skip
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "not a file" in result.output and "Nothing was written" in result.output
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (["validate", "{register}", "{returns}", "-p", Q1, "--log", "{target}"], "register"),
        (["validate", "{register}", "{returns}", "-p", Q1, "--chase", "{target}"], "history"),
        (["validate", "{register}", "{returns}", "-p", Q1, "--json", "{target}"], "store"),
        (["consolidate", "{register}", "{returns}", "-p", Q1, "--out", "{target}"], "return"),
        (["consolidate", "{register}", "{returns}", "-p", Q1, "--out", "out/b.xlsx",
          "--json", "{target}"], "published"),
        (["export-history", "{target}", "--store", "{store}"], "return"),
    ],
)  # fmt: skip
def test_an_output_never_replaces_a_file_kpi_excel_reads_even_when_not_named_as_input(
    work: Path, command: list[str], kind: str
) -> None:
    """validate is not given the history file, yet --chase history.csv must not replace it."""
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    sources = {"register": "register.xlsx", "history": "history.csv", "store": "history.sqlite",
               "return": f"returns/{RETURN}", "published": "published.csv"}  # fmt: skip
    target = elsewhere / Path(sources[kind]).name
    shutil.copy(work / sources[kind], target)
    shutil.copytree(work / "returns", work / "returns2")
    (work / "returns2" / RETURN).unlink()  # the copy elsewhere is not one of the inputs
    paths = {"register": str(work / "register.xlsx"), "returns": str(work / "returns2"),
             "store": str(work / "history.sqlite"), "target": str(target)}  # fmt: skip
    args = [part.format(**paths) for part in command]
    output = _refused(work, args)
    assert "which kpi-excel reads" in output or "not an earlier export" in output, output


def test_the_literal_input_marks_match_the_stages_that_own_them() -> None:
    from kpi_excel.history.files import HISTORY_COLUMNS
    from kpi_excel.register.loader import INDICATORS_SHEET
    from kpi_excel.xlsx.outputs import HISTORY_HEADER, REGISTER_SHEET

    assert REGISTER_SHEET == INDICATORS_SHEET
    assert HISTORY_HEADER == HISTORY_COLUMNS[:3]


def test_repeated_runs_replace_their_own_outputs(work: Path) -> None:
    args = ["consolidate", str(work / "register.xlsx"), str(work / "returns"), "-p", Q1,
            "--store", str(work / "history.sqlite"), "--out", str(work / "out/board.xlsx"),
            "--json", str(work / "out/board.json")]  # fmt: skip
    for _ in range(2):
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1) and "Nothing was written" not in result.output


def test_telling_what_an_existing_output_is_reads_a_bounded_part(tmp_path: Path) -> None:
    """A workbook part of 200 MB of zeros is not unpacked to learn what the file is."""
    import time
    import zipfile

    import fixtures_hostile as hostile

    from kpi_excel.xlsx.outputs import reads_as_input

    parts = hostile.minimal_parts()
    path = hostile.write_zip(tmp_path / "bomb.xlsx", {k: v for k, v in parts.items()
                                                      if k != "xl/workbook.xml"})  # fmt: skip
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/workbook.xml", "w", force_zip64=True) as out:
            for _ in range(200):
                out.write(bytes(1024 * 1024))
    start = time.perf_counter()
    assert reads_as_input(path) is None
    assert time.perf_counter() - start < 1.0
