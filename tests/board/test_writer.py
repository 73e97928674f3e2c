"""The board workbook, tested by reading it back (values, formats, colour rules) and rendering it.

Run as a script to re-render the documentation images:
    PYTHONPATH=. python tests/test_writer.py docs/images
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kpi_excel.board.data import DATA_COLUMNS
from kpi_excel.board.workbook import sheet_names, write_board_workbook
from kpi_excel.core.models import (
    RAG,
    ArrowStyle,
    Basis,
    Direction,
    HistoryPoint,
    Indicator,
    Polarity,
    Rating,
    Report,
    ReportRow,
    ResolvedTarget,
    ReturnLogEntry,
    ReturnOutcome,
    ReturnRecord,
    Settings,
    Source,
    Status,
    Target,
    TargetKind,
    Tolerance,
    ToleranceKind,
    Trend,
    Unit,
)
from kpi_excel.core.problems import OutputError, problem
from kpi_excel.xlsx.styles import dark_shade, number_format
from kpi_excel.xlsx.write import Book

PERIOD = "2017/18 Q1"
CRIME = "Crime/Disorder: Police [ASB]"  # needs sanitising for a sheet name

# --- building a report by hand ------------------------------------------------------------------


def _trend(spec: tuple | None, period: str) -> Trend:
    """spec: (direction or None, value or None, token, label, period override)."""
    if spec is None:
        return Trend(direction=None, compared_with=None, reason="No earlier figure")
    direction, value, token, label, *rest = spec
    point = HistoryPoint(
        indicator_id="x",
        period=rest[0] if rest else period,
        value=value,
        token=token,
        label=label,
    )
    reason = f"compared with {value}" if direction else "no arrow"
    return Trend(direction=direction, compared_with=point, reason=reason)


def make_row(
    id: str,
    section: str,
    name: str,
    *,
    polarity: Polarity = Polarity.BIGGER,
    unit: Unit = Unit.PERCENT,
    decimals: int = 0,
    suffix: str = "",
    target: float | TargetKind | None = None,
    annual: float | None = None,
    value: float | None = None,
    status: Status = Status.AVAILABLE,
    rag: RAG | None = None,
    not_rated: str | None = None,
    short: tuple | None = None,
    long: tuple | None = None,
    comment: str = "",
    action: str = "",
    provisional: bool = False,
    average: bool = False,
    history: tuple[float | None, ...] = (),
    basis: Basis = Basis.SNAPSHOT,
) -> ReportRow:
    if isinstance(target, TargetKind):
        period_target = Target(kind=target)
    elif target is None:
        period_target = Target(kind=TargetKind.NONE)
    else:
        period_target = Target(kind=TargetKind.VALUE, value=target)
    annual_target = (
        Target(kind=TargetKind.VALUE, value=annual) if annual is not None else period_target
    )
    indicator = Indicator(
        id=id,
        section=section,
        service_area="Service " + section[:5],
        name=name,
        description=f"Description of {id}" if id.endswith("1") else "",
        polarity=polarity,
        unit=unit,
        decimals=decimals,
        suffix=suffix,
        basis=basis,
        annual_target=annual_target,
    )
    record = ReturnRecord(
        indicator_id=id,
        period=PERIOD,
        status=status,
        value=value,
        provisional=provisional,
        average=average,
        comment=comment,
        corrective_action=action,
        source=Source(
            file=f"returns/{id}.xlsx",
            sha256="ab" * 32,
            sheet="Return",
            cell="E7",
            template_version="1.0",
            read_at="2017-07-20T09:00:00",
        ),
    )
    rating = Rating(
        rag=rag,
        reason=f"{value} against {target}: {rag or not_rated}",
        not_rated=None if rag else (not_rated or "Not rated"),
    )
    quarters = ["2015/16 Q3", "2015/16 Q4", "2016/17 Q1", "2016/17 Q2", "2016/17 Q3"]
    quarters += ["2016/17 Q4", "2017/18 Q1", "2017/18 Q2", "2017/18 Q3", "2017/18 Q4"]
    points = [
        HistoryPoint(indicator_id=id, period=quarters[i], value=v) for i, v in enumerate(history)
    ]
    return ReportRow(
        indicator=indicator,
        period_target=ResolvedTarget(target=period_target, how="annual target applies"),
        record=record,
        rating=rating,
        short_term=_trend(short, "2016/17 Q4"),
        long_term=_trend(long, "2016/17 Q1"),
        history=points,
    )


B, S, W = Direction.BETTER, Direction.SAME, Direction.WORSE
NEW = (None, None, "NEW", "")
LONG_COMMENT = (
    "Performance fluctuated between 39% and 41% throughout the quarter, partly linked to "
    "extremely high call volumes and staff being abstracted to assist following critical "
    "incidents elsewhere in London. An improvement plan is in place."
)


def sample_rows() -> list[ReportRow]:
    T, E, C = "Towns and Communities", "Environment", "Children and Learning"
    return [
        make_row("TC01", T, "% of Stage 1 complaints closed within 15 days", target=95,
                 value=83, rag=RAG.RED, short=NEW, long=NEW,
                 comment='=HYPERLINK("http://x")'),
        make_row("TC02", T, "% of housing repairs completed within target", decimals=1,
                 target=96, value=99, rag=RAG.GREEN, short=(B, 90.6, None, ""),
                 long=(B, 89.42, None, ""), history=(88.0, 89.42, 91.0, 90.0, 90.6, 99.0),
                 comment="@x http://example.org - see note"),
        make_row("TC03", T, "Contractor liaison with residents", target=TargetKind.TBC,
                 status=Status.NOT_AVAILABLE, not_rated="Data not available",
                 short=NEW, long=NEW, comment="-"),
        make_row("TC04", T, "No. of Stage 1 complaints received", polarity=Polarity.NONE,
                 unit=Unit.NUMBER, value=210, not_rated="Data only",
                 short=(Direction.INCREASE, 190, None, ""),
                 long=(Direction.DECREASE, 230, None, ""), comment="+44 1234",
                 history=(230.0, 200.0, 190.0)),
        make_row("CD01", CRIME, '% of "I" calls responded to within target', target=90,
                 value=51, average=True, rag=RAG.RED, short=(W, 72.4, None, "(16-17)"),
                 long=NEW, comment=LONG_COMMENT, action="An improvement plan is in place.",
                 history=(72.4, 51.0)),
        make_row("CD02", CRIME, '% of "S" calls responded to within target', target=90,
                 value=88, rag=RAG.AMBER, short=(S, 88, None, ""), long=(B, 80, None, "")),
        make_row("EN01", E, "Average no. of days taken to remove fly-tips",
                 polarity=Polarity.SMALLER, unit=Unit.NUMBER, decimals=1, suffix="days",
                 target=1, value=0.8, rag=RAG.GREEN, short=(B, 0.9, None, ""),
                 long=(B, 1.5, None, ""),
                 history=(1.6, 1.5, 1.4, 1.2, 1.1, 1.0, 0.9, 0.9, 0.85, 0.8)),
        make_row("EN02", E, "Waste per head presented to ELWA", polarity=Polarity.SMALLER,
                 unit=Unit.NUMBER, decimals=2, suffix="kg per head", target=110.25,
                 annual=441.01, value=118.4, provisional=True, rag=RAG.RED,
                 short=NEW, long=(W, 112.0, None, ""), basis=Basis.CUMULATIVE,
                 action="Waste prevention campaigns."),
        make_row("EN03", E, "% of 16 to 19 year olds NEET or not known",
                 polarity=Polarity.SMALLER, decimals=1, target=4.3, status=Status.NOT_DUE,
                 not_rated="Not due: reported biannually",
                 short=(None, 3.3, None, "", "2016/17 Q4"), long=(None, None, "N/A", "")),
        make_row("CL01", C, "% of young people leaving care in EET at 18-21", decimals=1,
                 target=80, value=60.9, rag=RAG.RED, short=(W, 67.2, None, ""),
                 long=(W, 62.3, None, ""), action="The Leaving Care Service is being reviewed.",
                 history=(62.3, 64.0, 67.2)),
        make_row("CL02", C, "Total no. of in-house foster carers", unit=Unit.NUMBER,
                 target=90, value=78, rag=RAG.RED, short=(B, 77, None, ""),
                 long=(W, 81, None, "")),
        make_row("CL03", C, "% of schools judged Good or Outstanding", target=80, value=84,
                 rag=RAG.GREEN, provisional=True, short=(S, 84, None, ""), long=(B, 76, None, "")),
        make_row("CL04", C, "No. of apprentices (aged 19+) recruited", unit=Unit.NUMBER,
                 target=TargetKind.NONE, annual=1330, status=Status.NOT_AVAILABLE,
                 not_rated="Data not available", short=NEW, long=NEW),
        make_row("CL05", C, "% of care proceedings completed in under 26 weeks", target=80,
                 value=33.3, decimals=1, rag=RAG.RED,
                 short=(None, 48.9, None, "", "2016/17"), long=(None, None, "N/A", ""),
                 action="=cmd|' /C calc'!A0"),
    ]  # fmt: skip


def sample_report(**settings: object) -> Report:
    base = {
        "organisation": "London Borough of Example",
        "report_title": "O&S Board Performance Report",
        "default_tolerance": Tolerance(kind=ToleranceKind.ABSOLUTE, amount=5),
    }
    return Report(
        period=PERIOD,
        settings=Settings(**{**base, **settings}),
        rows=sample_rows(),
        problems=[
            problem("value-text-number", file="returns/TC02.xlsx", sheet="Return",
                    cell="E8", indicator_id="TC02", value="99 %", detail="99"),
            problem("return-missing", detail="Housing"),
        ],
        return_log=[
            ReturnLogEntry(service_area="Service Towns", outcome=ReturnOutcome.RECEIVED,
                           file="returns/TC01.xlsx", sha256="ab" * 32, template_version="1.0"),
            ReturnLogEntry(service_area="Housing", outcome=ReturnOutcome.MISSING),
        ],
        register_fingerprint="f" * 64,
    )  # fmt: skip


def write(report: Report, path: Path) -> Path:
    """Write with every warning an error, as the adapter promises none get through."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return write_board_workbook(report, path)


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        # openpyxl drops the sparkline extension it does not read, and says so.
        warnings.filterwarnings(
            "ignore", message=".*extension is not supported", category=UserWarning
        )
        return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(sample_report(), tmp_path_factory.mktemp("board") / "board.xlsx")


@pytest.fixture(scope="module")
def book(written: Path) -> openpyxl.Workbook:
    return load(written)


def table_rows(ws) -> dict[str, dict[str, object]]:
    """Board table rows keyed by the indicator's reference, values by column heading."""
    # Column headings are on row 5, or on row 4 where merged down over both heading rows.
    headers = [ws.cell(5, c).value or ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    rows = {}
    for r in range(6, ws.max_row + 1):
        indicator = ws.cell(r, 2).value
        if not indicator:
            continue
        ref = re.search(r"Ref (\S+)$", indicator).group(1)
        rows[ref] = {
            "_row": r,
            **{h: ws.cell(r, c + 1) for c, h in enumerate(headers)},
        }
    return rows


# --- sheets and names -------------------------------------------------------------------------


def test_sheet_names_and_order(book):
    crime = "Crime-Disorder- Police -ASB-"
    assert book.sheetnames == [
        "Summary", "Towns and Communities", crime, "Environment", "Children and Learning",
        "All", "Exceptions", "Key", "Data", "Data quality", "Trend data",
    ]  # fmt: skip
    assert book["Trend data"].sheet_state == "hidden"


def test_sheet_names_are_sanitised_and_unique_ignoring_case():
    names = sheet_names(
        ["A very long sub-committee name that goes on", "a very long sub-committee name that",
         "Summary", "Data", "Q1: [x]/y*z?\\", "'quoted'", "", "Health", "HEALTH"]
    )  # fmt: skip
    values = list(names.values())
    assert all(len(v) <= 31 for v in values)
    assert not any(set(v) & set("[]:*?/\\") for v in values)
    assert len({v.casefold() for v in values}) == len(values)
    assert names["Summary"] == "Summary (2)"
    assert names["Data"] == "Data (2)"
    assert names["Q1: [x]/y*z?\\"] == "Q1- -x--y-z--"
    assert names["'quoted'"] == "quoted"
    assert names[""] == "Section"
    assert names["HEALTH"] == "HEALTH (2)"


# --- what the board reads ---------------------------------------------------------------------

EXPECTED = {  # id: (RAG cell, short-term arrow, short-term word, long-term arrow, long-term word)
    "TC01": ("RED", None, "NEW", None, "NEW"),
    "TC02": ("GREEN", "▲", "better", "▲", "better"),
    "TC03": ("Data not available", None, "NEW", None, "NEW"),
    "TC04": ("Data only", "↑", "increase", "↓", "decrease"),
    "CD01": ("RED", "▼", "worse", None, "NEW"),
    "CD02": ("AMBER", "►", "same", "▲", "better"),
    "EN01": ("GREEN", "▲", "better", "▲", "better"),
    "EN02": ("RED", None, "NEW", "▼", "worse"),
    "EN03": ("Not due: reported biannually", None, "N/A", None, "N/A"),
    "CL01": ("RED", "▼", "worse", "▼", "worse"),
    "CL02": ("RED", "▲", "better", "▼", "worse"),
    "CL03": ("GREEN", "►", "same", "▲", "better"),
    "CL04": ("Data not available", None, "NEW", None, "NEW"),
    "CL05": ("RED", None, "Not compared", None, "N/A"),
}


def _words(rows):
    return {
        ref: (
            cells["RAG"].value,
            cells["st_arrow"].value,
            cells["st_word"].value,
            cells["lt_arrow"].value,
            cells["lt_word"].value,
        )
        for ref, cells in rows.items()
    }


def board_rows(ws):
    rows = table_rows(ws)
    for cells in rows.values():
        r = cells["_row"]
        cells["st_arrow"], cells["st_word"] = ws.cell(r, 8), ws.cell(r, 9)
        cells["lt_arrow"], cells["lt_word"] = ws.cell(r, 11), ws.cell(r, 12)
    return rows


def test_every_rag_word_and_arrow_performance_style(book):
    assert _words(board_rows(book["All"])) == EXPECTED


def test_movement_style_arrows_follow_the_figure(tmp_path):
    report = sample_report(arrow_style=ArrowStyle.MOVEMENT)
    rows = board_rows(load(write(report, tmp_path / "m.xlsx"))["All"])
    words = _words(rows)
    # Smaller is better: fly-tip days fell from 0.9 to 0.8, so the arrow points down, "better".
    assert words["EN01"] == ("GREEN", "▼", "better", "▼", "better")
    assert words["EN02"] == ("RED", None, "NEW", "▲", "worse")
    assert words["CL02"] == ("RED", "▲", "better", "▼", "worse")
    assert words["TC04"] == ("Data only", "▲", "increase", "▼", "decrease")
    assert words["CD02"][1:3] == ("►", "same")


def test_headings_follow_the_period(book):
    ws = book["All"]
    # Group headings on row 4; every column's own heading on row 5.
    assert ws["F4"].value == "2017/18 Q1 performance"
    assert ws["H4"].value == "Short-term DOT against 2016/17 Q4"
    assert ws["K4"].value == "Long-term DOT against 2016/17 Q1"
    assert ws["A5"].value == "Sub-committee"
    assert ws["D5"].value == "2017/18 annual target"
    assert ws["E5"].value == "2017/18 Q1 target"
    assert [ws.cell(5, c).value for c in range(6, 14)] == [
        "Figure", "RAG", "Direction", None, "Compared with", "Direction", None, "Last year",
    ]  # fmt: skip
    assert {"F4:G4", "H4:J4", "K4:M4", "H5:I5", "K5:L5"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws["O5"].value == "Comments" and ws["P5"].value == "Corrective action"
    # Above a heading with no group: a blank heading cell, one block with it (no border
    # between), and the heading row tall enough for the longest heading.
    assert ws["A4"].value is None and ws["A4"].fill.fgColor.rgb == ws["A5"].fill.fgColor.rgb
    assert ws["A4"].border.bottom.style is None and ws["A5"].border.top.style is None
    assert ws.row_dimensions[5].height >= 3 * 12


def test_the_board_is_written_row_by_row_with_inline_strings(written):
    """constant_memory mode: strings inline, no sharedStrings entry for the comments."""
    with zipfile.ZipFile(written) as archive:
        sheet = archive.read("xl/worksheets/sheet2.xml").decode()
        shared = (
            archive.read("xl/sharedStrings.xml").decode()
            if ("xl/sharedStrings.xml" in archive.namelist())
            else ""
        )
    assert 't="inlineStr"' in sheet
    assert "Stage 1 complaints" not in shared


def test_figures_are_numbers_with_the_indicators_formats(book):
    rows = table_rows(book["All"])
    perf = rows["TC01"]["Figure"]
    assert (perf.value, perf.number_format) == (0.83, "0%")
    days = rows["EN01"]["Figure"]
    assert (days.value, days.number_format) == (0.8, '#,##0.0" days"')
    schools = rows["CL03"]["Figure"]
    assert (schools.value, schools.number_format) == (0.84, '0%" (Provisional)"')
    target = rows["EN02"]["2017/18 Q1 target"]
    assert (target.value, target.number_format) == (110.25, '#,##0.00"kg per head"')
    # Too long to fit a column as a number (Excel would show ###): written as wrapping text.
    waste = rows["EN02"]["Figure"]
    assert (waste.value, waste.data_type) == ("118.40kg per head (Provisional)", "s")
    assert rows["CD01"]["Figure"].number_format == '0%" (avg.)"'
    prev = rows["CD01"]["Compared with"]
    assert (prev.value, prev.number_format) == (0.72, '0%" (16-17)"')
    # The compared period is named when it is not the heading's.
    assert rows["EN03"]["Compared with"].value == 0.033
    assert rows["CL05"]["Compared with"].number_format == '0.0%" (2016/17)"'
    assert rows["EN02"]["2017/18 annual target"].value == 441.01
    assert rows["TC03"]["2017/18 Q1 target"].value == "TBC"
    assert rows["TC03"]["Figure"].value == "N/A"
    assert rows["EN03"]["Figure"].value == "Not due"
    assert rows["TC04"]["Polarity"].value == "Data only (no polarity)"


def test_free_text_stays_text(book):
    rows = table_rows(book["All"])
    checks = {
        ("TC01", "Comments"): '=HYPERLINK("http://x")',
        ("TC04", "Comments"): "+44 1234",
        ("TC03", "Comments"): "-",
        ("TC02", "Comments"): "@x http://example.org - see note",
        ("CL05", "Corrective action"): "=cmd|' /C calc'!A0",
    }
    for (ref, column), text in checks.items():
        cell = rows[ref][column]
        assert (cell.value, cell.data_type) == (text, "s"), (ref, column)
        assert cell.hyperlink is None
    assert rows["CL02"]["Corrective action"].value == "No corrective action given"


def test_names_and_descriptions_stay_text(tmp_path):
    row = make_row("X1", "S", "=1+1", value=50, target=40, rag=RAG.GREEN)
    indicator = row.indicator.model_copy(update={"description": "@SUM(A1)"})
    report = sample_report().model_copy(
        update={"rows": [row.model_copy(update={"indicator": indicator})]}
    )
    wb = load(write(report, tmp_path / "n.xlsx"))
    cell = wb["All"]["B6"]
    assert (cell.value, cell.data_type) == ("=1+1\n@SUM(A1)\nRef X1", "s")
    assert wb["Data"]["D2"].value == "=1+1" and wb["Data"]["D2"].data_type == "s"


def test_rows_grow_with_their_text_and_long_text_is_cut_at_excels_limit(tmp_path):
    rows = table_rows(load(write(sample_report(), tmp_path / "h.xlsx"))["All"])
    heights = {ref: cells["Figure"].parent.row_dimensions[cells["_row"]].height
               for ref, cells in rows.items()}  # fmt: skip
    assert heights["CD01"] > heights["CD02"] >= 15
    long = " ".join(f"word{n}" for n in range(1500))  # about 10,000 characters
    report = sample_report()
    first = report.rows[0]
    record = first.record.model_copy(update={"comment": long})
    report.rows[0] = first.model_copy(update={"record": record})
    wb = load(write(report, tmp_path / "long.xlsx"))
    ws = wb["All"]
    shown = ws["O6"].value
    assert shown.endswith(" … (continued in the Data sheet)") and shown.startswith("word0 word1")
    assert len(shown) < len(long)
    assert ws.row_dimensions[6].height <= 409
    assert 36 < ws.column_dimensions["O"].width <= 61  # widened to fit more first
    data = wb["Data"]
    column = list(DATA_COLUMNS).index("comment") + 1
    assert data.cell(2, column).value == long


def test_rag_and_trend_colours_are_conditional_rules(book):
    settings = sample_report().settings
    # Sheet: (figure, RAG, short arrow, short word, long arrow, long word) columns.
    layouts = {"All": "FGHIKL", "Towns and Communities": "FGHIKL", "Exceptions": "EFGHJK"}
    for name, (fig, rag, sa, sw, la, lw) in layouts.items():
        ws = book[name]
        last = max(cells["_row"] for cells in table_rows(ws).values())
        rules = {}
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                rules[rule.formula[0]] = (str(cf.sqref), rule)
        assert set(rules) == {
            f'${rag}6="RED"', f'${rag}6="AMBER"', f'${rag}6="GREEN"',
            f'${sw}6="better"', f'${sw}6="worse"', f'OR(${sw}6="increase",${sw}6="decrease")',
            f'${lw}6="better"', f'${lw}6="worse"', f'OR(${lw}6="increase",${lw}6="decrease")',
        }, name  # fmt: skip
        assert rules[f'${rag}6="RED"'][0] == f"{fig}6:{rag}{last}"
        assert rules[f'${sw}6="worse"'][0] == f"{sa}6:{sw}{last}"
        assert rules[f'${lw}6="better"'][0] == f"{la}6:{lw}{last}"
        fill = rules[f'${rag}6="RED"'][1].dxf.fill
        assert fill.bgColor.rgb.endswith(settings.red_colour[1:])
        green = rules[f'${rag}6="GREEN"'][1].dxf.fill
        assert green.bgColor.rgb.endswith(settings.green_colour[1:])
        assert rules[f'${sw}6="better"'][1].dxf.font.color.rgb.endswith(
            dark_shade(settings.green_colour)[1:]
        )
    # No static RAG fill: the RED cell's own style has no fill; the rule gives it.
    red = table_rows(book["All"])["TC01"]["RAG"]
    assert red.fill.fgColor.rgb in (None, "00000000")


def test_exceptions_red_and_worsening_first(book):
    order = list(table_rows(book["Exceptions"]))
    # RED worsening on both terms, then short term, then long term; then the rest in order.
    assert order == ["CL01", "CD01", "EN02", "CL02", "TC01", "CL05"]
    rows = table_rows(book["Exceptions"])
    assert rows["CD01"]["Corrective action"].value == "An improvement plan is in place."


def test_exceptions_can_include_amber(tmp_path):
    wb = load(write(sample_report(exceptions_include_amber=True), tmp_path / "a.xlsx"))
    assert list(table_rows(wb["Exceptions"]))[-1] == "CD02"


def test_summary_counts(book):
    ws = book["Summary"]
    assert ws["A1"].value == "London Borough of Example: O&S Board Performance Report"
    assert ws["A2"].value.startswith("2017/18 Q1 (1 April 2017 to 30 June 2017)")
    assert ws["A3"].value == (
        "Of 10 rated indicators, 3 are GREEN, 1 AMBER and 6 RED; "
        "4 of the 14 indicators are not rated."
    )
    table = {}
    for r in range(8, 13):
        table[ws.cell(r, 1).value] = [ws.cell(r, c).value for c in range(2, 16)]
    assert table == {
        # indicators, rated, G, A, R, not rated, short b/s/w/other, long b/s/w/other
        "Towns and Communities": [4, 2, 1, 0, 1, 2, 1, 0, 0, 3, 1, 0, 0, 3],
        CRIME: [2, 2, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1],
        "Environment": [3, 2, 1, 0, 1, 1, 1, 0, 0, 2, 1, 0, 1, 1],
        "Children and Learning": [5, 4, 1, 0, 3, 1, 1, 1, 1, 2, 1, 0, 2, 2],
        "All sections": [14, 10, 3, 1, 6, 4, 3, 2, 2, 7, 4, 0, 3, 7],
    }
    links = {ws.cell(r, 1).value: ws.cell(r, 1).hyperlink.location for r in range(8, 13)}
    assert links[CRIME] == "'Crime-Disorder- Police -ASB-'!A1"
    assert links["All sections"] == "All!A1"


def test_summary_chart_is_a_stacked_bar_of_rag_counts(written):
    with zipfile.ZipFile(written) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert '<c:barDir val="bar"/>' in chart and '<c:grouping val="stacked"/>' in chart
    # Three series (GREEN, AMBER, RED counts: columns D, E, F) over the section names in A.
    assert re.findall(r"<c:f>Summary!\$([A-Z])\$8:", chart) == ["A", "D", "A", "E", "A", "F"]
    assert re.findall(r"<c:tx><c:v>(\w+)</c:v>", chart) == ["GREEN", "AMBER", "RED"]
    assert '<a:srgbClr val="C6EFCE"/>' in chart  # the settings' green


def test_data_table_has_every_field(book):
    ws = book["Data"]
    table = ws.tables["KpiData"]
    assert [c.name for c in table.tableColumns] == list(DATA_COLUMNS)
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(DATA_COLUMNS))}15"
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[3]], strict=True))  # TC02
    assert row["id"] == "TC02" and row["value"] == 99 and row["rag"] == "GREEN"
    assert row["short_term_direction"] == "better" and row["short_term_compared_value"] == 90.6
    assert row["source_sha256"] == "ab" * 32 and row["source_cell"] == "E7"
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in DATA_COLUMNS)


def test_data_quality_lists_problems_and_returns(book):
    ws = book["Data quality"]
    problems = ws.tables["Problems"]
    log = ws.tables["ReturnLog"]
    assert [c.name for c in problems.tableColumns][:3] == ["severity", "code", "file"]
    first = ws[problems.ref.split(":")[0]].row + 1
    assert [ws.cell(first, c).value for c in range(1, 6)] == [
        "warning", "value-text-number", "returns/TC02.xlsx", "Return", "E8",
    ]  # fmt: skip
    assert ws.cell(first + 1, 2).value == "return-missing"
    start = ws[log.ref.split(":")[0]].row
    assert ws.cell(start + 2, 1).value == "Housing" and ws.cell(start + 2, 2).value == "missing"


def test_key_uses_the_settings_words(tmp_path):
    report = sample_report(green_label="On track", red_label="Off track")
    ws = load(write(report, tmp_path / "k.xlsx"))["Key"]
    text = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "On track" in text and "Off track" in text
    assert any("performance (up = better)" in t for t in text)
    assert any("within 5 of the target" in t for t in text)


def test_print_settings(book):
    for name in ("Towns and Communities", "All", "Exceptions", "Summary"):
        ws = book[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.page_setup.paperSize == 9
        # fitToWidth is left out of the XML when it is 1, Excel's default.
        assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "page &P of &N" in ws.oddFooter.right.text
        assert "O&&S Board Performance Report: 2017/18 Q1" in ws.oddFooter.left.text
    ws = book["All"]
    assert ws.print_title_rows == "$4:$5"
    assert ws.freeze_panes == "C6"


def test_sparklines_one_group_per_sheet(written):
    with zipfile.ZipFile(written) as z:
        names = {n for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
        workbook = z.read("xl/workbook.xml").decode()
        order = re.findall(r'<sheet name="([^"]+)"', workbook)
        sheet = {name: z.read(f"xl/worksheets/sheet{i + 1}.xml").decode()
                 for i, name in enumerate(order)}  # fmt: skip
    assert len(names) == len(order)
    groups = re.findall(r"<x14:sparklineGroup .*?</x14:sparklineGroup>", sheet["All"], re.S)
    assert len(groups) == 1
    drawn = dict(
        (where, what)
        for what, where in re.findall(r"<xm:f>(.*?)</xm:f><xm:sqref>(\w+)</xm:sqref>", groups[0])
    )
    rows = table_rows(load(written)["All"])
    assert sorted(drawn) == sorted(f"N{row['_row']}" for row in rows.values())
    # TC02 (row 7) has six points, EN01 (row 12) the last eight of ten; rows with fewer than
    # two points draw an empty cell, which shows nothing.
    assert drawn["N7"] == "'Trend data'!C3:H3"
    assert drawn["N12"] == "'Trend data'!C8:J8"
    assert drawn["N6"] == "'Trend data'!S1"
    assert sum(1 for what in drawn.values() if what == "'Trend data'!S1") == len(drawn) - 5
    trend = load(written)["Trend data"]
    assert all(trend.cell(r, 19).value is None for r in range(1, trend.max_row + 1))


# --- the file as a whole ----------------------------------------------------------------------


def test_document_properties(book):
    props = book.properties
    assert props.title == "London Borough of Example O&S Board Performance Report: 2017/18 Q1"
    assert props.created.isoformat() == "2017-06-30T00:00:00"


def test_writing_twice_gives_identical_files(tmp_path):
    first = write(sample_report(), tmp_path / "one.xlsx")
    second = write(sample_report(), tmp_path / "two.xlsx")
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
    assert first.read_bytes() == second.read_bytes()


def test_replaces_an_existing_file(tmp_path):
    target = tmp_path / "board.xlsx"
    target.write_bytes(b"old")
    write(sample_report(), target)
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board.xlsx"]


def test_target_is_a_folder(tmp_path):
    target = tmp_path / "board.xlsx"
    target.mkdir()
    with pytest.raises(OutputError, match="it is a folder"):
        write(sample_report(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board.xlsx"]
    assert list(target.iterdir()) == []


def test_rename_refused_as_when_open_in_excel(tmp_path, monkeypatch):
    target = tmp_path / "board.xlsx"
    target.write_bytes(b"the last good report")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match="close it"):
        write(sample_report(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board.xlsx"]
    assert target.read_bytes() == b"the last good report"


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root ignores folder permissions")  # fmt: skip
def test_read_only_folder(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            write(sample_report(), folder / "board.xlsx")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_missing_folder(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        write(sample_report(), tmp_path / "nowhere" / "board.xlsx")


def test_adapter_raises_on_xlsxwriter_return_codes(tmp_path):
    book = Book(io.BytesIO(), {"plain": {}})
    sheet = book.sheet("S")
    with pytest.raises(OutputError, match="outside the worksheet"):
        sheet.string(2_000_000, 0, "x", "plain")
    sheet.string(0, 0, "x" * 40_000, "plain")  # over Excel's limit: cut with a marker, written
    assert book.cut == ["'S'!A1"]
    with pytest.raises(OutputError, match="same number of location and range"):
        sheet.sparklines(["A1", "A2"], ["B1:C1"])
    with pytest.raises(OutputError, match="no style named"):
        sheet.string(0, 0, "x", "nope")


def test_a_book_written_to_a_file_refuses_cells_above_the_current_row(tmp_path):
    """constant_memory: a row is on disk once a later one is started, so writing into it
    would lose the cell silently; the adapter raises instead."""
    book = Book(tmp_path / "rows.xlsx", {"plain": {}})
    sheet = book.sheet("S")
    sheet.string(0, 0, "first", "plain")
    sheet.string(1, 0, "second", "plain")
    with pytest.raises(OutputError, match="row 1 was already written"):
        sheet.string(0, 1, "late", "plain")
    with pytest.raises(OutputError, match="must be added before row 1 is passed"):
        sheet.table(0, 0, 1, ["a"], "T", "plain")
    sheet.table(2, 0, 3, ["a", "b"], "T", "plain")  # a table whose heading row is still open
    sheet.values(3, ["x", 1.5, None, True], "plain", "plain")
    book.close()
    ws = load(tmp_path / "rows.xlsx")["S"]
    assert ws.tables["T"].ref == "A3:B4"
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=4)] == [
        ["first", None, None, None],
        ["second", None, None, None],
        ["a", "b", None, None],
        ["x", 1.5, None, True],
    ]


def test_the_progress_bar_counts_every_row_written_once(tmp_path):
    report = sample_report()
    bars = []

    class Bar:
        def __init__(self, total):
            self.total, self.done, self.closed = total, 0, 0
            bars.append(self)

        def update(self, n):
            self.done += n

        def close(self):
            self.closed += 1

    write_board_workbook(report, tmp_path / "board.xlsx", progress=Bar)
    [bar] = bars
    exceptions = sum(1 for row in report.rows if row.rating.rag is RAG.RED)
    assert exceptions > 0
    # sections + All + Data + Trend data, and the Exceptions rows
    assert bar.total == 4 * len(report.rows) + exceptions
    assert (bar.done, bar.closed) == (bar.total, 1)


def test_the_all_sheets_widths_from_its_sections_are_the_widths_of_all_its_rows():
    """The All sheet takes the widest of its sections' widths instead of measuring every row
    again; that must be what measuring every row gives."""
    from kpi_excel.board.sections import BOARD_COLUMNS, Context, column_widths, widest
    from kpi_excel.core.periods import Period

    report = sample_report()
    long_words = "Housing " + "x" * 70 + " repairs"  # a word wider than a line
    rows = list(enumerate(report.rows))
    rows[0][1].record.comment = (" ".join(["comments run on"] * 200)) + long_words
    ctx = Context(report=report, period=Period.parse(report.period), section_sheets={})
    sections: dict[str, list] = {}
    for index, row in rows:
        sections.setdefault(row.indicator.section, []).append((index, row))
    assert len(sections) > 1
    parts = [column_widths(ctx, part, BOARD_COLUMNS) for part in sections.values()]
    assert widest(parts) == column_widths(ctx, rows, BOARD_COLUMNS)
    assert widest(parts) != [c.width for c in BOARD_COLUMNS]  # some column did widen


def test_number_formats():
    def indicator(**kw):
        return Indicator(id="X", section="S", service_area="A", name="N",
                         polarity=Polarity.BIGGER, **kw)  # fmt: skip

    assert number_format(indicator(unit=Unit.PERCENT, decimals=1)) == "0.0%"
    assert number_format(indicator(unit=Unit.NUMBER)) == "#,##0"
    assert number_format(indicator(unit=Unit.MONEY, decimals=2)) == '"£"#,##0.00'
    assert number_format(indicator(suffix='per 100,000 "pop"')) == "#,##0\" per 100,000 'pop'\""


def test_bad_colour_setting_is_a_register_error(tmp_path):
    from kpi_excel.core.problems import RegisterError

    with pytest.raises(RegisterError, match="red_colour"):
        write(sample_report(red_colour="red"), tmp_path / "x.xlsx")


def test_empty_report(tmp_path):
    report = sample_report().model_copy(update={"rows": [], "problems": [], "return_log": []})
    wb = load(write(report, tmp_path / "empty.xlsx"))
    assert wb.sheetnames[:3] == ["Summary", "All", "Exceptions"]
    assert wb["Exceptions"]["A6"].value == "No indicator is RED this period."


# --- LibreOffice: the file opens, prints and survives a re-save --------------------------------


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, fmt: str, outdir: Path) -> Path:
    soffice = _soffice()
    assert soffice
    home = outdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    outdir.mkdir(exist_ok=True)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={home.as_uri()}",
         "--convert-to", fmt, "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(home)},
    )  # fmt: skip
    return outdir / f"{path.stem}.{fmt.split(':')[0]}"


@pytest.fixture(scope="module")
def libreoffice():
    if _soffice() is None:
        print("LibreOffice (soffice) is not installed: skipping the render tests")
        pytest.skip("LibreOffice (soffice) is not installed")


def test_libreoffice_prints_it(libreoffice, written, tmp_path):
    pdf = convert(written, "pdf", tmp_path / "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 8  # Summary, four sections, All, Exceptions, Key, Data, Data quality


def test_libreoffice_resave_keeps_the_words(libreoffice, written, tmp_path):
    resaved = convert(written, "xlsx", tmp_path / "resaved")
    words = _words(board_rows(load(resaved)["All"]))
    assert {k: v[0] for k, v in words.items()} == {k: v[0] for k, v in EXPECTED.items()}
    assert {k: v[2] for k, v in words.items()} == {k: v[2] for k, v in EXPECTED.items()}


# --- documentation images ----------------------------------------------------------------------


def render_images(outdir: Path) -> None:
    """Render the board workbook and keep the Summary and the first section page as PNGs.

    Uses the shipped samples (the example council's Q1 2017/18 returns) when they are there,
    otherwise the hand-built report above.
    """
    import glob
    import tempfile

    root = Path(__file__).resolve().parent.parent.parent
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        xlsx = work / "board.xlsx"
        if (root / "samples" / "register.xlsx").exists():
            from kpi_excel.api.run import consolidate_returns
            from kpi_excel.core.periods import Period

            consolidate_returns(
                root / "samples" / "register.xlsx",
                sorted(glob.glob(str(root / "samples" / "returns" / "*.xlsx"))),
                Period.parse(PERIOD),
                xlsx,
                history=root / "samples" / "history.csv",
            )
        else:
            write(sample_report(), xlsx)
        pdf = convert(xlsx, "pdf", work / "pdf")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf), str(work / "page")],
            check=True,
        )
        pages = sorted(work.glob("page-*.png"))
        outdir.mkdir(parents=True, exist_ok=True)
        shutil.copy(pages[0], outdir / "summary.png")
        shutil.copy(pages[1], outdir / "section.png")


def test_a_quiet_xlsxwriter_failure_becomes_an_output_error():
    """XlsxWriter only warns about a mistyped conditional-format option and drops the rule;
    inside warnings_as_errors the adapter turns that into an OutputError naming the call."""
    import io

    import xlsxwriter

    from kpi_excel.xlsx.write import checked, warnings_as_errors

    workbook = xlsxwriter.Workbook(io.BytesIO())
    sheet = workbook.add_worksheet()
    with warnings_as_errors(), pytest.raises(OutputError, match="colour the cells"):
        checked("colour the cells", sheet.conditional_format, "A1", {"type": "no such type"})
    workbook.close()


if __name__ == "__main__":
    render_images(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
