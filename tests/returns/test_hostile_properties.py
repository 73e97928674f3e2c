"""Tests that hunt: hypothesis builds hostile returns and history files, and every run must end
with a plain message (no exit 3, no traceback), every input byte-identical, and (for returns)
the other returns' figures all on the board, exactly as they are without the hostile one."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_excel.cli.app import main

Q1 = "2017/18 Q1"
VICTIM = "2017-18-Q1-environment.xlsx"
QUICK = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _consolidate(folder: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["consolidate", str(SAMPLES / "register.xlsx"), str(folder), "-p", Q1, "--out",
         str(out / "board.xlsx"), "--json", str(out / "board.json"), "-q", *extra],
    )  # fmt: skip
    return result.exit_code, result.output


def _figures(out: Path, skip_area: str = "Environment") -> dict[str, tuple]:
    report = json.loads((out / "board.json").read_text())
    return {
        row["id"]: (row["value"], row["status"], row["rag"])
        for row in report["indicators"]
        if row["service_area"] != skip_area
    }


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    out = tmp_path_factory.mktemp("baseline")
    code, output = _consolidate(SAMPLES / "returns", out)
    assert code in (0, 1), output
    return _figures(out)


def _xml_text(text: str) -> str:
    """text as Excel writes it in XML: markup escaped, characters XML forbids as _xHHHH_."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]",
        lambda m: f"_x{ord(m.group()):04X}_",
        text,
    )


def _with_cell(xml: str, ref: str, inner: str, kind: str | None) -> str:
    kind_attr = f' t="{kind}"' if kind else ""
    pattern = rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)'
    found = re.search(pattern, xml)
    cell = f'<c r="{ref}"{kind_attr}>{inner}</c>'
    if found:
        return xml[: found.start()] + cell + xml[found.end() :]
    return xml


TEXTS = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
        st.sampled_from(["\x0b", "\x1b[31m", "=", "+", "@", "\t", "\r", "%", ",", "1e3", "NaN"]),
    ),
    max_size=8,
).map("".join)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["NaN", "INF", "-INF", "1E+400", "1E+28", "1e15", "-0", "abc", ""]),
)
ROWS = st.integers(min_value=1, max_value=3_000_000_000)
COLUMNS = st.sampled_from(["A", "H", "N", "XFD", "XFE", "ZZZZ"])


def _edit(xml: str, edit: tuple) -> str:
    kind, *args = edit
    if kind == "text":
        return _with_cell(xml, "H9", f"<is><t>{_xml_text(args[0])}</t></is>", "inlineStr")
    if kind == "number":
        return _with_cell(xml, "H10", f"<v>{args[0]}</v>", None)
    if kind == "comment":
        text = _xml_text(args[0] * args[1])
        return _with_cell(xml, "N9", f"<is><t>{text}</t></is>", "inlineStr")
    if kind == "cell":
        row, col = args
        extra = f'<row r="{row}"><c r="{col}{row}"><v>1</v></c></row>'
        return xml.replace("</sheetData>", f"{extra}</sheetData>")
    first, last = args
    merge = f'<mergeCells count="1"><mergeCell ref="{first}:{last}"/></mergeCells>'
    return re.sub(r"<mergeCells.*?</mergeCells>", "", xml).replace(
        "</sheetData>", f"</sheetData>{merge}"
    )


EDITS = st.one_of(
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("number"), NUMBERS),
    st.tuples(st.just("comment"), TEXTS, st.integers(min_value=0, max_value=3_000)),
    st.tuples(st.just("cell"), ROWS, COLUMNS),
    st.tuples(
        st.just("merge"),
        st.builds(lambda c, r: f"{c}{r}", COLUMNS, ROWS),
        st.builds(lambda c, r: f"{c}{r}", COLUMNS, ROWS),
    ),
)
DAMAGE = st.one_of(
    st.none(),
    st.tuples(st.just("truncate"), st.floats(min_value=0.0, max_value=1.0)),
    st.tuples(st.just("flip"), st.floats(min_value=0.0, max_value=1.0), st.integers(1, 255)),
)


def _hostile_return(source: Path, target: Path, edits: list[tuple], damage: tuple | None) -> None:
    with zipfile.ZipFile(source) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sheet = next(n for n, d in parts.items() if n.startswith("xl/worksheets/") and b"H9" in d)
    xml = parts[sheet].decode("utf-8")
    for edit in edits:
        xml = _edit(xml, edit)
    parts[sheet] = xml.encode("utf-8", "surrogatepass")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    if damage is not None:
        data = bytearray(target.read_bytes())
        at = min(len(data) - 1, int(damage[1] * len(data)))
        if damage[0] == "truncate":
            del data[at:]
        else:
            data[at] ^= damage[2]
        target.write_bytes(bytes(data))


@QUICK
@given(edits=st.lists(EDITS, min_size=1, max_size=3), damage=DAMAGE)
def test_a_hostile_return_never_stops_the_others(baseline, edits, damage) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "returns"
        shutil.copytree(SAMPLES / "returns", folder)
        _hostile_return(SAMPLES / "returns" / VICTIM, folder / VICTIM, edits, damage)
        before = _snapshot(folder)
        out = Path(temp) / "out"
        code, output = _consolidate(folder, out)
        assert code in (0, 1), output
        assert "Traceback" not in output and "Internal error" not in output
        assert _snapshot(folder) == before
        assert _figures(out) == baseline


HISTORY_VALUES = st.one_of(TEXTS, NUMBERS)
PERIODS = st.one_of(st.sampled_from(["2016/17 Q4", "2016/17 Q1", "2016/17"]), TEXTS)


@QUICK
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["TC05", "CL02", "EN01", "NOPE", ""]), PERIODS, HISTORY_VALUES),
        min_size=1,
        max_size=6,
    ),
    raw=st.binary(max_size=40),
)
def test_a_hostile_history_file_is_refused_or_read_never_a_fault(rows, raw) -> None:
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "history.csv"
        lines = ["indicator_id,period,value,label"]
        for indicator, period, value in rows:
            cells = (indicator, period, value, "")
            lines.append(",".join('"' + c.replace('"', '""') + '"' for c in cells))
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n" + raw)
        before = path.read_bytes()
        out = Path(temp) / "out"
        code, output = _consolidate(SAMPLES / "returns", out, "--history", str(path))
        assert code in (0, 1), output
        assert "Traceback" not in output and "Internal error" not in output
        store = Path(temp) / "history.sqlite"
        result = CliRunner().invoke(
            main,
            ["import-history", str(path), "--register", str(SAMPLES / "register.xlsx"),
             "--store", str(store)],
        )  # fmt: skip
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output and "Internal error" not in result.output
        assert path.read_bytes() == before


REGISTER_CELLS = st.one_of(TEXTS, NUMBERS, st.floats(allow_nan=True, allow_infinity=True))


@QUICK
@given(
    cells=st.dictionaries(
        st.sampled_from(["annual_target", "q1_target", "tolerance", "tolerance_amount",
                         "decimals", "min_value", "max_value", "profile", "due_quarters",
                         "polarity", "unit", "name", "section"]),
        REGISTER_CELLS,
        min_size=1,
        max_size=4,
    ),
    setting=st.tuples(st.sampled_from(["reporting_year", "return_deadline", "same_threshold",
                                       "organisation", "default_tolerance"]), REGISTER_CELLS),
)  # fmt: skip
def test_a_hostile_register_is_refused_or_read_never_a_fault(cells, setting) -> None:
    from kpi_excel.register.book import write_register

    row = {"id": "A1", "section": "S", "service_area": "X", "name": "N", "polarity": "bigger",
           "unit": "percent", "annual_target": 80}  # fmt: skip
    with tempfile.TemporaryDirectory() as temp:
        clean_cells = {
            k: (
                v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                if isinstance(v, str)
                else v
            )
            for k, v in cells.items()
        }
        safe = {k: re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", v) if isinstance(v, str) else v
                for k, v in clean_cells.items()}  # fmt: skip
        try:
            path = write_register(
                Path(temp) / "register.xlsx", [{**row, **safe}], {setting[0]: setting[1]}
            )
        except Exception:  # noqa: BLE001 - xlsxwriter refuses what it cannot write: not our input
            return
        before = path.read_bytes()
        result = CliRunner().invoke(
            main,
            ["validate", str(path), str(SAMPLES / "returns"), "-p", Q1, "-q"],
        )
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output and "Internal error" not in result.output
        assert path.read_bytes() == before
