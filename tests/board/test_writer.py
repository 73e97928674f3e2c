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
from kpi_excel.report.commentary import missing_commentary
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
    row = ReportRow(
        indicator=indicator,
        period_target=ResolvedTarget(target=period_target, how="annual target applies"),
        record=record,
        rating=rating,
        short_term=_trend(short, "2016/17 Q4"),
        long_term=_trend(long, "2016/17 Q1"),
        history=points,
    )
    # as build_report fills it in: what the rated figure lacks
    return row.model_copy(update={"missing_commentary": missing_commentary(row)})


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
    """Board table rows keyed by the indicator's reference, values by column heading; section
    heading rows and the footnote (no reference) left out."""
    headers = [ws.cell(5, c).value for c in range(1, ws.max_column + 1)]
    rows = {}
    for r in range(6, ws.max_row + 1):
        match = re.search(r"Ref (\S+)$", str(ws.cell(r, 1).value or ""))
        if not match:
            continue
        ref = match.group(1)
        rows[ref] = {
            "_row": r,
            **{h: ws.cell(r, c + 1) for c, h in enumerate(headers)},
        }
    return rows


# --- sheets and names -------------------------------------------------------------------------


def test_sheet_names_and_order(book):
    crime = "Crime-Disorder- Police -ASB-"
    assert book.sheetnames == [
        "Summary", "Report", "Exceptions", "Trends",
        "Towns and Communities", crime, "Environment", "Children and Learning",
        "Key", "Data", "Returns data", "Data quality", "Trend data",
    ]  # fmt: skip
    assert all(ws.sheet_state == "visible" for ws in book)


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
            cells["Rating"].value,
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
        cells["st_arrow"], cells["st_word"] = ws.cell(r, 6), ws.cell(r, 7)
        cells["lt_arrow"], cells["lt_word"] = ws.cell(r, 9), ws.cell(r, 10)
    return rows


def test_every_rag_word_and_arrow_performance_style(book):
    assert _words(board_rows(book["Report"])) == EXPECTED
    assert _words(board_rows(book["Environment"])) == {
        ref: words for ref, words in EXPECTED.items() if ref.startswith("EN")
    }


def test_movement_style_arrows_follow_the_figure(tmp_path):
    report = sample_report(arrow_style=ArrowStyle.MOVEMENT)
    rows = board_rows(load(write(report, tmp_path / "m.xlsx"))["Report"])
    words = _words(rows)
    # Smaller is better: fly-tip days fell from 0.9 to 0.8, so the arrow points down, "better".
    assert words["EN01"] == ("GREEN", "▼", "better", "▼", "better")
    assert words["EN02"] == ("RED", None, "NEW", "▲", "worse")
    assert words["CL02"] == ("RED", "▲", "better", "▼", "worse")
    assert words["TC04"] == ("Data only", "▲", "increase", "▼", "decrease")
    assert words["CD02"][1:3] == ("►", "same")


def test_headings_follow_the_period(book):
    ws = book["Report"]
    # Group headings on row 4; every column's own heading on row 5, in board members' words.
    assert ws["D4"].value == "2017/18 Q1 performance"
    assert ws["F4"].value == "Compared with last quarter"
    assert ws["I4"].value == "Compared with a year ago"
    assert [ws.cell(5, c).value for c in range(1, 13)] == [
        "Indicator", "2017/18 target", "Q1 target", "Figure", "Rating",
        "Change", None, "2016/17 Q4", "Change", None, "2016/17 Q1",
        "Comments and corrective action",
    ]  # fmt: skip
    assert {"D4:E4", "F4:H4", "I4:K4", "F5:G5", "I5:J5"} <= {str(r) for r in ws.merged_cells.ranges}
    # Above a heading with no group: a blank heading cell, one block with it (no border
    # between), and the heading row tall enough for the longest heading.
    assert ws["A4"].value is None and ws["A4"].fill.fgColor.rgb == ws["A5"].fill.fgColor.rgb
    assert ws["A4"].border.bottom.style is None and ws["A5"].border.top.style is None
    assert ws.row_dimensions[5].height >= 2 * 12
    words = {ws.cell(r, c).value for r in range(1, 6) for c in range(1, 13)}
    assert not {"Polarity", "RAG", "DOT", "No arrow"} & words


def test_the_report_has_a_heading_row_for_each_section(book):
    ws = book["Report"]
    headings = {
        ws.cell(r, 1).value: r
        for r in range(6, ws.max_row + 1)
        if ws.cell(r, 1).value and "Ref " not in str(ws.cell(r, 1).value)
    }
    sections = ["Towns and Communities", CRIME, "Environment", "Children and Learning"]
    assert [h for h in headings if h in sections] == sections
    assert f"A{headings[CRIME]}:L{headings[CRIME]}" in {str(r) for r in ws.merged_cells.ranges}
    rows = table_rows(ws)
    assert headings[CRIME] == rows["CD01"]["_row"] - 1


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
    rows = table_rows(book["Report"])
    perf = rows["TC01"]["Figure"]
    assert (perf.value, perf.number_format) == (0.83, "0%")
    days = rows["EN01"]["Figure"]
    assert (days.value, days.number_format) == (0.8, '#,##0.0" days"')
    # Too long for the column as a number (Excel would show ###): text, which wraps.
    schools = rows["CL03"]["Figure"]
    assert (schools.value, schools.data_type) == ("84% (Provisional)", "s")
    target = rows["TC02"]["Q1 target"]
    assert (target.value, target.number_format) == (0.96, "0.0%")
    # Too long to fit a column as a number (Excel would show ###): written as wrapping text.
    waste = rows["EN02"]["Figure"]
    assert (waste.value, waste.data_type) == ("118.40kg per head (Provisional)", "s")
    assert rows["CD01"]["Figure"].number_format == '0%" (avg.)"'
    prev = rows["CL02"]["2016/17 Q4"]
    assert (prev.value, prev.number_format) == (77, "#,##0")
    # The compared period is named when it is not the heading's (here as text, which wraps
    # in the narrow column).
    assert rows["CD01"]["2016/17 Q4"].value == "72% (16-17)"
    assert rows["EN03"]["2016/17 Q4"].value == 0.033
    assert rows["CL05"]["2016/17 Q4"].value == "48.9% (2016/17)"
    assert rows["EN02"]["2017/18 target"].value == "441.01kg per head"
    assert rows["TC03"]["Q1 target"].value == "TBC"
    assert rows["TC03"]["Figure"].value == "N/A"
    assert rows["EN03"]["Figure"].value == "Not due"
    # Which way is better, in plain words, in the indicator's cell.
    better = {ref: rows[ref]["Indicator"].value.split("\n")[-1] for ref in ("TC01", "EN01", "TC04")}
    assert better == {
        "TC01": "Better if higher. Ref TC01",
        "EN01": "Better if lower. Ref EN01",
        "TC04": "For information, not rated. Ref TC04",
    }


COMMENTS = "Comments and corrective action"
ACTION = "Corrective action (the whole of it in the Report)"


def test_free_text_stays_text(book):
    rows = table_rows(book["Report"])
    checks = {
        ("TC01", COMMENTS): '=HYPERLINK("http://x")\nNo corrective action given',
        ("TC04", COMMENTS): "+44 1234",
        ("TC03", COMMENTS): "-",
        ("TC02", COMMENTS): "@x http://example.org - see note",
    }
    for (ref, column), text in checks.items():
        cell = rows[ref][column]
        assert (cell.value, cell.data_type) == (text, "s"), (ref, column)
        assert cell.hyperlink is None
    exceptions = table_rows(book["Exceptions"])
    action = exceptions["CL05"][ACTION]
    assert (action.value, action.data_type) == ("=cmd|' /C calc'!A0", "s")
    assert exceptions["CL02"][ACTION].value == "No corrective action given"


def test_the_comment_and_the_corrective_action_share_a_cell(book):
    rows = table_rows(book["Report"])
    assert rows["CD01"][COMMENTS].value == (
        LONG_COMMENT + "\nCorrective action: An improvement plan is in place."
    )
    # Off target with neither: both said, in their row.
    assert rows["CL02"][COMMENTS].value == "No comment given\nNo corrective action given"
    assert rows["EN02"][COMMENTS].value == (
        "No comment given\nCorrective action: Waste prevention campaigns."
    )
    # On target with no comment: nothing is missing.
    assert rows["EN01"][COMMENTS].value is None


def test_missing_commentary_from_the_rules_is_shown_and_counted(tmp_path):
    report = sample_report()
    # CD02 is AMBER with no comment: the rules' list says so; TC02 (GREEN) lacks a comment
    # the rules asked for.
    for index, missing in ((5, ["comment", "corrective action"]), (1, ["comment"])):
        row = report.rows[index]
        record = row.record.model_copy(update={"comment": ""})
        report.rows[index] = row.model_copy(
            update={"missing_commentary": missing, "record": record}
        )
    wb = load(write(report, tmp_path / "missing.xlsx"))
    rows = table_rows(wb["Report"])
    assert rows["CD02"][COMMENTS].value == "No comment given\nNo corrective action given"
    assert rows["TC02"][COMMENTS].value == "No comment given"
    assert rows["CD02"][COMMENTS].font.i is not True  # the cell's pieces carry the italics
    quality = wb["Data quality"]
    table = quality.tables["MissingCommentary"]
    first, last = (quality[ref].row for ref in table.ref.split(":"))
    listed = {
        quality.cell(r, 1).value: quality.cell(r, 4).value for r in range(first + 1, last + 1)
    }
    assert listed == {
        '% of housing repairs completed within target (TC02)': "No comment given",
        '% of "S" calls responded to within target (CD02)':
            "No comment given; No corrective action given",
        '% of Stage 1 complaints closed within 15 days (TC01)': "No corrective action given",
        "Waste per head presented to ELWA (EN02)": "No comment given",
        "% of young people leaving care in EET at 18-21 (CL01)": "No comment given",
        "Total no. of in-house foster carers (CL02)":
            "No comment given; No corrective action given",
        "% of care proceedings completed in under 26 weeks (CL05)": "No comment given",
    }  # fmt: skip
    assert "7 off-target indicators came without a comment" in quality["A2"].value


def test_names_and_descriptions_stay_text(tmp_path):
    row = make_row("X1", "S", "=1+1", value=50, target=40, rag=RAG.GREEN)
    indicator = row.indicator.model_copy(update={"description": "@SUM(A1)"})
    report = sample_report().model_copy(
        update={"rows": [row.model_copy(update={"indicator": indicator})]}
    )
    wb = load(write(report, tmp_path / "n.xlsx"))
    cell = wb["Report"]["A7"]
    assert (cell.value, cell.data_type) == ("=1+1\n@SUM(A1)\nBetter if higher. Ref X1", "s")
    assert wb["Data"]["D2"].value == "=1+1" and wb["Data"]["D2"].data_type == "s"


def test_rows_grow_with_their_text_and_long_text_is_cut_at_a_screens_height(tmp_path):
    rows = table_rows(load(write(sample_report(), tmp_path / "h.xlsx"))["Report"])
    heights = {ref: cells["Figure"].parent.row_dimensions[cells["_row"]].height
               for ref, cells in rows.items()}  # fmt: skip
    assert heights["CD01"] > heights["CD02"] >= 15
    long = " ".join(f"word{n}" for n in range(1500))  # about 10,000 characters
    report = sample_report()
    first = report.rows[0]
    record = first.record.model_copy(update={"comment": long})
    report.rows[0] = first.model_copy(update={"record": record})
    wb = load(write(report, tmp_path / "long.xlsx"))
    from kpi_excel.board.sections import PACK_LINES

    printed = PACK_LINES * 12.75 + 3
    for name, at, limit in (("Report", 7, printed), ("Towns and Communities", 6, 290)):
        ws = wb[name]
        shown = ws[f"L{at}"].value
        assert shown.startswith("word0 word1"), name
        assert "… (continued in the Data sheet)" in shown and len(shown) < len(long)
        # no taller than a laptop's screen (768 pixels less Excel's bars), less in print
        assert 150 < ws.row_dimensions[at].height <= limit, name
    data = wb["Data"]
    column = list(DATA_COLUMNS).index("comment") + 1
    assert data.cell(2, column).value == long


def test_rag_and_trend_colours_are_conditional_rules(book):
    settings = sample_report().settings
    # Sheet: (figure, RAG, short arrow, short word, long arrow, long word) columns.
    layouts = {"Report": "DEFGIJ", "Towns and Communities": "DEFGIJ", "Exceptions": "DEFG"}
    for name, (fig, rag, sa, sw, *long_term) in layouts.items():
        ws = book[name]
        last = max(cells["_row"] for cells in table_rows(ws).values())
        rules = {}
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                rules[rule.formula[0]] = (str(cf.sqref), rule)
        expected = {
            f'${rag}6="RED"', f'${rag}6="AMBER"', f'${rag}6="GREEN"',
            f'${sw}6="better"', f'${sw}6="worse"', f'OR(${sw}6="increase",${sw}6="decrease")',
        }  # fmt: skip
        if long_term:  # the Exceptions leave the long term to the Report
            la, lw = long_term
            expected |= {
                f'${lw}6="better"',
                f'${lw}6="worse"',
                f'OR(${lw}6="increase",${lw}6="decrease")',
            }
            assert rules[f'${lw}6="better"'][0] == f"{la}6:{lw}{last}"
        assert set(rules) == expected, name
        assert rules[f'${rag}6="RED"'][0] == f"{fig}6:{rag}{last}"
        assert rules[f'${sw}6="worse"'][0] == f"{sa}6:{sw}{last}"
        fill = rules[f'${rag}6="RED"'][1].dxf.fill
        assert fill.bgColor.rgb.endswith(settings.red_colour[1:])
        # Told apart in black and white too: a heavy border for RED, dashed for AMBER.
        assert rules[f'${rag}6="RED"'][1].dxf.border.left.style == "medium"
        assert rules[f'${rag}6="AMBER"'][1].dxf.border.left.style == "dashed"
        green = rules[f'${rag}6="GREEN"'][1].dxf.fill
        assert green.bgColor.rgb.endswith(settings.green_colour[1:])
        assert rules[f'${sw}6="better"'][1].dxf.font.color.rgb.endswith(
            dark_shade(settings.green_colour)[1:]
        )
    # No static RAG fill: the RED cell's own style has no fill; the rule gives it.
    red = table_rows(book["Report"])["TC01"]["Rating"]
    assert red.fill.fgColor.rgb in (None, "00000000")


def test_exceptions_red_and_worsening_first(book):
    order = list(table_rows(book["Exceptions"]))
    # RED worsening on both terms, then short term, then long term; then the rest in order.
    assert order == ["CL01", "CD01", "EN02", "CL02", "TC01", "CL05"]
    rows = table_rows(book["Exceptions"])
    assert rows["CD01"][ACTION].value == "An improvement plan is in place."
    assert rows["CD01"]["Sub-committee"].value == CRIME


def test_exceptions_can_include_amber(tmp_path):
    wb = load(write(sample_report(exceptions_include_amber=True), tmp_path / "a.xlsx"))
    assert list(table_rows(wb["Exceptions"]))[-1] == "CD02"


def summary_table(ws) -> dict[str, list]:
    """The Summary's counts by sub-committee: the rows from the heading to the total."""
    start = next(r for r in range(1, 40) if ws.cell(r, 1).value == "Sub-committee")
    table = {}
    for r in range(start + 2, start + 20):
        label = ws.cell(r, 1).value
        table[label] = [ws.cell(r, c).value for c in range(2, 16)]
        if label == "All sub-committees":
            return table
    raise AssertionError("no total row")


def test_summary_counts(book):
    ws = book["Summary"]
    assert ws["A1"].value == "London Borough of Example: O&S Board Performance Report"
    assert ws["A2"].value.startswith("2017/18 Q1 (1 April 2017 to 30 June 2017)")
    assert ws["A3"].value == (
        "Of 10 rated indicators, 3 are GREEN, 1 AMBER and 6 RED; "
        "4 of the 14 indicators are not rated."
    )
    assert ws["A4"].value.startswith("Compared with 2016/17 Q4: 3 better, 2 the same, 2 worse;")
    assert summary_table(ws) == {
        # indicators, rated, G, A, R, not rated, short b/s/w/other, long b/s/w/other
        "Towns and Communities": [4, 2, 1, 0, 1, 2, 1, 0, 0, 3, 1, 0, 0, 3],
        CRIME: [2, 2, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1],
        "Environment": [3, 2, 1, 0, 1, 1, 1, 0, 0, 2, 1, 0, 1, 1],
        "Children and Learning": [5, 4, 1, 0, 3, 1, 1, 1, 1, 2, 1, 0, 2, 2],
        "All sub-committees": [14, 10, 3, 1, 6, 4, 3, 2, 2, 7, 4, 0, 3, 7],
    }
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    report = table_rows(book["Report"])
    # Each sub-committee links to its heading in the Report, the row above its first indicator
    assert links[CRIME] == f"Report!A{report['CD01']['_row'] - 1}"
    assert links["All sub-committees"] == "Report!A1"
    assert links["Data quality: problems found in the returns"] == "'Data quality'!A1"


def test_the_front_page_has_the_key_and_the_top_exceptions(book):
    ws = book["Summary"]
    text = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert {"GREEN", "AMBER", "RED", "Not rated", "worse*"} <= set(text)
    start = text.index("Top exceptions (6 in all: see Exceptions)")
    names = [t for t in text[start:] if t in {r.indicator.name for r in sample_rows()}]
    assert names[:5] == [
        "% of young people leaving care in EET at 18-21",
        '% of "I" calls responded to within target',
        "Waste per head presented to ELWA",
        "Total no. of in-house foster carers",
        "% of Stage 1 complaints closed within 15 days",
    ]
    assert "▼ worse (67.2%)" in text and "NEW" in text


def test_summary_chart_is_a_stacked_bar_of_rag_counts_with_alt_text(written):
    with zipfile.ZipFile(written) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert '<c:barDir val="bar"/>' in chart and '<c:grouping val="stacked"/>' in chart
    # Four series (GREEN, AMBER, RED and not rated: columns D to G) over the names in A.
    columns = re.findall(r"<c:f>Summary!\$([A-Z])\$\d+:", chart)
    assert columns == ["A", "D", "A", "E", "A", "F", "A", "G"]
    assert re.findall(r"<c:tx><c:v>([\w ]+)</c:v>", chart) == ["GREEN", "AMBER", "RED", "Not rated"]
    assert '<a:srgbClr val="C6EFCE"/>' in chart  # the settings' green
    # A different pattern for each rating but GREEN, so they differ without colour.
    patterns = re.findall(r'<a:pattFill prst="(\w+)">', chart)
    assert len(patterns) == 3 and len(set(patterns)) == 3
    alt = re.search(r'<xdr:cNvPr id="\d+" name="[^"]*" descr="([^"]*)"', drawing).group(1)
    assert alt.startswith("Bar chart of ratings by sub-committee, 2017/18 Q1.")
    assert "Children and Learning: 1 GREEN, 0 AMBER, 3 RED, 1 not rated" in alt


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


def test_data_quality_is_in_plain_words(book):
    ws = book["Data quality"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "returns/TC02.xlsx" not in text and "ab" * 32 not in text
    assert "value-text-number" not in text and "warning" not in text
    problems = ws.tables["Problems"]
    assert [c.name for c in problems.tableColumns] == [
        "Indicator or return", "From", "Figure used?", "What was found", "What to do",
    ]  # fmt: skip
    first = ws[problems.ref.split(":")[0]].row + 1
    assert [ws.cell(first, c).value for c in range(1, 4)] == [
        "% of housing repairs completed within target (TC02)", "Service Towns", "Yes",
    ]  # fmt: skip
    returns = ws.tables["ReturnsReceived"]
    start = ws[returns.ref.split(":")[0]].row
    assert [ws.cell(start + 2, c).value for c in range(1, 4)] == [
        "Housing", "Not received", "None",
    ]  # fmt: skip


def test_file_names_and_fingerprints_are_on_the_returns_data_sheet(book):
    ws = book["Returns data"]
    problems = ws.tables["ProblemsFound"]
    assert [c.name for c in problems.tableColumns][:3] == ["severity", "code", "file"]
    first = ws[problems.ref.split(":")[0]].row + 1
    assert [ws.cell(first, c).value for c in range(1, 6)] == [
        "warning", "value-text-number", "returns/TC02.xlsx", "Return", "E8",
    ]  # fmt: skip
    log = ws.tables["ReturnLog"]
    start = ws[log.ref.split(":")[0]].row
    assert ws.cell(start + 1, 7).value == "ab" * 32
    assert ws.cell(start + 2, 1).value == "Housing" and ws.cell(start + 2, 2).value == "missing"


def test_key_uses_the_settings_words(tmp_path):
    report = sample_report(green_label="On track", red_label="Off track")
    ws = load(write(report, tmp_path / "k.xlsx"))["Key"]
    text = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "On track" in text and "Off track" in text
    assert any("performance (up = better)" in t for t in text)
    assert any("within 5 of the target" in t for t in text)


PACK = ("Summary", "Report", "Exceptions", "Trends")


def test_the_pack_prints_at_one_scale_within_its_print_areas(book):
    for name in PACK:
        ws = book[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.page_setup.paperSize == 9
        # One scale for every page of the pack (fitting each sheet to the page would not be).
        assert ws.page_setup.scale == 90, name
        assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_area, name
        assert "page &P of &N" in ws.oddFooter.right.text
        assert "O&&S Board Performance Report: 2017/18 Q1" in ws.oddFooter.left.text
    report = book["Report"]
    last = max(cells["_row"] for cells in table_rows(report).values())
    assert report.print_area == [f"'Report'!$A$1:$L${last}"] or report.print_area == (
        f"'Report'!$A$1:$L${last}"
    )
    assert report.print_title_rows == "$4:$5"
    # Frozen: the indicator's name and the two heading rows.
    assert report.freeze_panes == "B6"
    assert book["Towns and Communities"].freeze_panes == "B6"
    # The sheets for the screen have no print area (and are left out of the printed pack).
    for name in ("Towns and Communities", "Key", "Data", "Data quality", "Trend data"):
        assert not book[name].print_area, name


def test_the_widths_fit_the_printed_page_and_the_first_screen():
    from kpi_excel.board.sections import (
        BOARD_COLUMNS,
        EXCEPTION_COLUMNS,
        PRINTABLE_UNITS,
        Context,
    )
    from kpi_excel.board.tables import column_widths
    from kpi_excel.core.periods import Period

    report = sample_report()
    ctx = Context(report=report, period=Period.parse(PERIOD), section_sheets={})
    rows = list(enumerate(report.rows))
    for columns in (BOARD_COLUMNS, EXCEPTION_COLUMNS):
        widths = column_widths(ctx, rows, columns)
        assert sum(widths) == pytest.approx(PRINTABLE_UNITS)
    widths = column_widths(ctx, rows, BOARD_COLUMNS)
    # Excel draws a unit as 7 pixels and 5 of padding a column; its row numbers and scroll
    # bar take about 60 of a 1366-pixel screen. The comments start well within it.
    before_comments = sum(7 * w + 5 for w in widths[:-1])
    assert before_comments + 60 + 200 < 1366
    assert widths[-1] >= 45  # about 58 characters a line


def test_trends_are_charts_for_every_indicator_with_an_earlier_figure(written, book):
    with zipfile.ZipFile(written) as z:
        order = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        rels = z.read(f"xl/worksheets/_rels/sheet{order.index('Trends') + 1}.xml.rels").decode()
        drawing = z.read("xl/drawings/" + re.search(r"drawings/(drawing\d+.xml)", rels).group(1))
        charts = {
            name: z.read(name).decode() for name in z.namelist() if name.startswith("xl/charts/")
        }
    drawing = drawing.decode()
    alts = re.findall(r'descr="([^"]*)"', drawing)
    with_history = [r for r in sample_rows() if sum(p.value is not None for p in r.history) >= 2]
    assert len(alts) == len(with_history) == 5
    for row, alt in zip(with_history, alts, strict=True):
        assert f"({row.indicator.id}) by period" in alt
    lines = [c for c in charts.values() if "<c:lineChart>" in c]
    # Empty cells are gaps (XlsxWriter leaves out the element for its default, a gap).
    assert len(lines) == 5 and not any("dispBlanksAs" in c for c in lines)
    trend = {row[0].value: [c.value for c in row] for row in book["Trend data"].iter_rows()}
    # TC02: six quarters from 2015/16 Q3, then the current one, on an axis of eight places.
    assert trend["TC02"][1] == 6 and trend["TC02"][2:8] == [88, 89.42, 91, 90, 90.6, 99]
    axis = trend["TC02"][18:26]
    assert axis == ["Q3 15/16", "Q4 15/16", "Q1 16/17", "Q2 16/17", "Q3 16/17", "Q4 16/17",
                    "Q1 17/18", None]  # fmt: skip
    assert trend["TC02"][26:33] == [0.88, 0.894, 0.91, 0.9, 0.906, 0.99, None]


def test_the_trend_axis_honours_missing_periods_and_draws_the_target():
    from kpi_excel.board.sections import Context
    from kpi_excel.board.trends import trend_axis
    from kpi_excel.core.periods import Period

    row = make_row("X1", "S", "Gaps", target=90, value=95, rag=RAG.GREEN)
    row.history = [
        HistoryPoint(indicator_id="X1", period="2016/17 Q1", value=80),
        HistoryPoint(indicator_id="X1", period="2016/17", value=85),  # the year's outturn
        HistoryPoint(indicator_id="X1", period="2017/18 Q1", value=95),
    ]
    report = sample_report().model_copy(update={"rows": [row]})
    ctx = Context(report=report, period=Period.parse(PERIOD), section_sheets={})
    axis = trend_axis(ctx, row)
    assert axis.periods == ["Q1 16/17", "Q2 16/17", "Q3 16/17", "Q4 16/17", "Q1 17/18"]
    assert axis.values == [80, None, None, 85, 95]
    assert axis.targets == [90] * 5
    cumulative = row.model_copy(
        update={"indicator": row.indicator.model_copy(update={"basis": Basis.CUMULATIVE})}
    )
    # A year-to-date target changes through the year: only this quarter's is drawn.
    assert trend_axis(ctx, cumulative).targets == [None, None, None, None, 90]


def test_the_pack_copy_shows_only_the_pack(written, tmp_path):
    from kpi_excel.board import write_pack_copy

    copy = tmp_path / "pack.xlsx"
    write_pack_copy(written, copy)
    wb = load(copy)
    shown = [ws.title for ws in wb if ws.sheet_state == "visible"]
    assert shown == list(PACK)
    assert wb.sheetnames == load(written).sheetnames


# --- year-to-date comparisons ------------------------------------------------------------------


def year_to_date_report() -> Report:
    """EN01's short-term arrow and CL01's both compare a year-to-date figure with a different
    length of year (as the rules mark them); CL01 would otherwise be first among the exceptions
    and EN01 counted as better."""
    report = sample_report()
    for index, terms in ((6, ("short_term",)), (9, ("short_term", "long_term"))):
        row = report.rows[index]
        update = {t: getattr(row, t).model_copy(update={"like_for_like": False}) for t in terms}
        report.rows[index] = row.model_copy(update=update)
    return report


def test_year_to_date_arrows_are_marked_and_not_counted(tmp_path):
    wb = load(write(year_to_date_report(), tmp_path / "ytd.xlsx"))
    rows = board_rows(wb["Report"])
    assert _words({"EN01": rows["EN01"]})["EN01"] == ("GREEN", "▲", "better*", "▲", "better")
    assert _words({"CL01": rows["CL01"]})["CL01"] == ("RED", "▼", "worse*", "▼", "worse*")
    # The footnote on the page: under the table, and at the foot of every printed page.
    text = [c.value for row in wb["Report"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("* A year-to-date figure compared with") for t in text)
    assert "A year-to-date figure compared with" in wb["Report"].oddFooter.left.text
    assert not board_rows(load(write(sample_report(), tmp_path / "plain.xlsx"))["Report"])["CL01"][
        "st_word"
    ].value.endswith("*")
    # Not counted as better or worse, and not "worsening first".
    table = summary_table(wb["Summary"])
    assert table["All sub-committees"][6:] == [2, 2, 1, 9, 4, 0, 2, 8]
    assert list(table_rows(wb["Exceptions"]))[:2] == ["CD01", "EN02"]
    assert "CL01" in table_rows(wb["Exceptions"])


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
    # sections + Report + Data + Trend data, and the Exceptions rows
    assert bar.total == 4 * len(report.rows) + exceptions
    assert (bar.done, bar.closed) == (bar.total, 1)


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
    assert wb.sheetnames[:4] == ["Summary", "Report", "Exceptions", "Trends"]
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


def test_libreoffice_resave_keeps_the_words(libreoffice, written, tmp_path):
    resaved = convert(written, "xlsx", tmp_path / "resaved")
    words = _words(board_rows(load(resaved)["Report"]))
    assert {k: v[0] for k, v in words.items()} == {k: v[0] for k, v in EXPECTED.items()}
    assert {k: v[2] for k, v in words.items()} == {k: v[2] for k, v in EXPECTED.items()}


# --- documentation images ----------------------------------------------------------------------


def render_images(outdir: Path) -> None:
    """Render the board pack's PDF, as consolidate --pdf writes it, and keep its front page
    and first Report page as PNGs.

    Uses the shipped samples (the example council's Q1 2017/18 returns) when they are there,
    otherwise the hand-built report above.
    """
    import glob
    import tempfile

    from kpi_excel.api.run import write_pdf

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
        pdf, _ = write_pdf(xlsx)
        assert pdf is not None
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(work / "page")],
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


def test_a_long_comment_and_corrective_action_share_a_rows_lines():
    from kpi_excel.board.sections import share_lines

    assert share_lines(4, 5, 14) == (4, 5)  # both fit
    assert share_lines(3, 30, 14) == (3, 11)  # a short comment leaves the rest to the action
    assert share_lines(30, 4, 14) == (10, 4)
    assert share_lines(30, 30, 14) == (7, 7)


def test_a_blank_decimals_shows_each_figure_as_recorded():
    """With no Decimals in the register the board's number cells show the places the figure
    was recorded with: 72.4% stays 72.4%, 660 gains no '.0'."""
    from kpi_excel.board.sections import performance_cell

    for value, shown, excel_format in ((72.4, "72.4%", "0.0%"), (66.0, "66%", "0%")):
        row = make_row("P1", "Place", "P", value=value, rag=RAG.GREEN)
        loose = row.indicator.model_copy(update={"decimals_given": False})
        figure = performance_cell(row.model_copy(update={"indicator": loose}))
        assert (figure.shown, figure.num_format) == (shown, excel_format)
    count = make_row("C1", "Place", "C", unit=Unit.NUMBER, value=660.0, rag=RAG.GREEN)
    loose = count.indicator.model_copy(update={"decimals_given": False})
    figure = performance_cell(count.model_copy(update={"indicator": loose}))
    assert (figure.shown, figure.num_format) == ("660", "#,##0")


def test_each_figure_cell_is_worked_out_once(monkeypatch, tmp_path):
    """The widths pass, the Report, the section sheets, the Exceptions and the Summary's top
    exceptions show the same figure cells: each is worked out once and read back the same."""
    from kpi_excel.board import sections
    from kpi_excel.board.sections import FIGURE_KEYS

    made: list[tuple[str, str]] = []
    real = sections.figure_for

    def counted(ctx, row, key):
        made.append((row.indicator.id, key))
        return real(ctx, row, key)

    monkeypatch.setattr(sections, "figure_for", counted)
    report = sample_report()
    path = write_board_workbook(report, tmp_path / "board.xlsx")
    assert len(made) == len(set(made)) == len(report.rows) * len(FIGURE_KEYS)
    book = openpyxl.load_workbook(path)
    row = next(r for r in book["Report"].iter_rows(values_only=True) if r[0] and "Ref TC02" in r[0])
    # TC02's figure, on the Report and on its section sheet: 99% written once as 0.99
    section = book[sheet_names(["Towns and Communities"])["Towns and Communities"]]
    again = next(r for r in section.iter_rows(values_only=True) if r[0] and "Ref TC02" in r[0])
    assert row[3] == again[3] == pytest.approx(0.99)


def test_a_board_with_more_charts_than_the_pages_hold_draws_the_exceptions_first(
    monkeypatch, tmp_path
):
    """Thousands of indicators would print hundreds of pages of charts: past MAX_CHARTS the
    Trends page draws every exception first, then the rest in Report order, and says so."""
    from kpi_excel.board import trends

    monkeypatch.setattr(trends, "MAX_CHARTS", 3)
    path = write_board_workbook(sample_report(), tmp_path / "board.xlsx")
    with zipfile.ZipFile(path) as z:
        order = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        rels = z.read(f"xl/worksheets/_rels/sheet{order.index('Trends') + 1}.xml.rels").decode()
        drawing = z.read("xl/drawings/" + re.search(r"drawings/(drawing\d+.xml)", rels).group(1))
    drawn = re.findall(r"\((\w+)\) by period", drawing.decode())
    # of the five with earlier figures (TC02, TC04, CD01, EN01, CL01): the two RED ones,
    # then the first other in Report order; drawn in Report order
    assert drawn == ["TC02", "CD01", "CL01"]
    note = openpyxl.load_workbook(path)["Trends"]["A2"].value
    assert "3 of the 5 indicators with earlier figures are drawn" in note
