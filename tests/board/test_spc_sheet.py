"""The SPC sheet: icons as symbols with words, the key, and one XmR chart per indicator."""

import re
import zipfile

import pytest
from openpyxl import load_workbook

from kpi_excel.board.spc import SPC, SPC_DATA, value_axis_range
from kpi_excel.board.workbook import write_board_workbook
from kpi_excel.core.models import (
    HistoryPoint,
    Indicator,
    Register,
    ReturnRecord,
    Status,
    Target,
    TargetKind,
)
from kpi_excel.core.periods import Period
from kpi_excel.history.files import History
from kpi_excel.report.build import build_report
from kpi_excel.returns.collect import Collected

PERIOD = Period.parse("2019/20 M06")
BASE = [60.0, 62.0] * 10


def _indicator(ident, polarity, target=None):
    annual = (
        Target(kind=TargetKind.VALUE, value=target)
        if target is not None
        else Target(kind=TargetKind.NONE)
    )
    return Indicator(
        id=ident,
        section="Place",
        service_area="A",
        name=f"Indicator {ident}",
        polarity=polarity,
        frequency="monthly",
        annual_target=annual,
    )


CASES = {
    # id: (indicator, earlier figures, this month's figure)
    "UP": (_indicator("UP", "bigger", 50), BASE, 90.0),
    "DOWN": (_indicator("DOWN", "bigger", 70), BASE, 30.0),
    "FLAT": (_indicator("FLAT", "smaller", 61), BASE, 61.0),
    "NONE": (_indicator("NONE", "none"), BASE, 90.0),
    "NEW": (_indicator("NEW", "bigger", 50), BASE[:5], 61.0),
}


def _report():
    points, records = [], {}
    for ident, (_, earlier, figure) in CASES.items():
        months = PERIOD.recent(len(earlier) + 1)
        points += [
            HistoryPoint(indicator_id=ident, period=str(m), value=v)
            for m, v in zip(months, earlier, strict=False)
        ]
        records[ident] = ReturnRecord(
            indicator_id=ident, period=str(PERIOD), status=Status.AVAILABLE, value=figure
        )
    register = Register(indicators=[case[0] for case in CASES.values()])
    return build_report(register, PERIOD, Collected([], records, set(), [], []), History(points))


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    return write_board_workbook(_report(), tmp_path_factory.mktemp("spc") / "board.xlsx")


def _table(sheet):
    rows = {}
    for row in sheet.iter_rows():
        if row[0].value in CASES and row[8].value:
            rows[row[0].value] = row
    return rows


def test_spc_sheets_follow_the_others_and_the_data_is_hidden(board):
    book = load_workbook(board)
    assert book.sheetnames[-2:] == [SPC, SPC_DATA]
    assert book[SPC_DATA].sheet_state == "hidden"
    assert book[SPC].sheet_state == "visible"


@pytest.mark.parametrize(
    ("ident", "variation", "assurance"),
    [
        ("UP", "H Improvement (high)", "P Target consistently met"),
        ("DOWN", "L Concern (low)", "F Target consistently missed"),
        ("FLAT", "● Common cause", "? Hit and miss"),
        ("NONE", "H Neither (high)", "None: no target to assure"),
        ("NEW", "Run chart: 6 of 13 points", "None: too few points"),
    ],
)
def test_icons_are_symbols_with_words(board, ident, variation, assurance):
    row = _table(load_workbook(board)[SPC])[ident]
    assert (row[8].value, row[9].value) == (variation, assurance)


def test_icons_carry_making_data_counts_colours(board):
    rows = _table(load_workbook(board)[SPC])
    fill = {ident: row[8].fill.fgColor.rgb[-6:] for ident, row in rows.items()}
    assert fill["UP"] == "289DE0"  # improvement blue
    assert fill["DOWN"] == "FAB428"  # concern orange
    assert fill["NONE"] == "361475"  # neither purple
    assert rows["UP"][10].value == "A point beyond a process limit"
    assert (rows["UP"][7].value, rows["DOWN"][7].value, rows["NONE"][7].value) == (
        "GREEN",
        "RED",
        "Not rated",
    )


def test_the_key_explains_every_icon(board):
    texts = {c.value for row in load_workbook(board)[SPC].iter_rows() for c in row if c.value}
    for word in ("● Common cause", "H / L Improvement", "H / L Concern", "H / L Neither"):
        assert word in texts
    for word in ("P Target consistently met", "F Target consistently missed", "? Hit and miss"):
        assert word in texts


def test_the_data_sheet_holds_points_limits_and_flags(board):
    sheet = load_workbook(board)[SPC_DATA]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] == "UP"]
    assert len(rows) == 21
    assert rows[-1][1] == "Sep 2019"
    last = rows[-1]
    assert last[2] == 90.0 and last[4] < 90.0  # beyond the upper limit
    assert last[7] == 90.0 and last[8] is None  # marked as improvement
    assert rows[0][7] is None


def test_one_chart_per_indicator_with_alternative_text(board):
    with zipfile.ZipFile(board) as package:
        charts = [n for n in package.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
        drawings = "".join(
            package.read(n).decode() for n in package.namelist() if "drawings/drawing" in n
        )
        chart_xml = [package.read(n).decode() for n in charts]
    spc_charts = [x for x in chart_xml if "Process limits" in x or "NEW: Indicator NEW" in x]
    assert len(spc_charts) == len(CASES)  # the Summary's and the Trends' charts besides
    assert "SPC chart of Indicator UP, 21 points. Variation: H Improvement (high)." in drawings
    run_chart = next(x for x in chart_xml if "NEW: Indicator NEW" in x)
    assert "Mean" not in run_chart and "Process limits" not in run_chart


def test_no_spc_sheet_while_no_indicator_has_13_points(tmp_path):
    report = _report()
    report = report.model_copy(update={"rows": [r for r in report.rows if r.indicator.id == "NEW"]})
    book = load_workbook(write_board_workbook(report, tmp_path / "b.xlsx"))
    assert SPC not in book.sheetnames


def test_value_axis_is_fitted_to_the_data():
    [row] = [r for r in _report().rows if r.indicator.id == "UP"]
    low, high = value_axis_range(row)
    assert 0 < low <= min(50.0, row.spc.lower_limit)
    assert high >= 90.0


def test_latest_names_its_period_when_this_periods_figure_is_missing(tmp_path):
    report = _report()
    rows = [
        r.model_copy(
            update={"record": None, "spc": r.spc.model_copy(update={"points": r.spc.points[:-1]})}
        )
        if r.indicator.id == "FLAT"
        else r
        for r in report.rows
    ]
    book = load_workbook(
        write_board_workbook(report.model_copy(update={"rows": rows}), tmp_path / "b.xlsx")
    )
    flat = _table(book[SPC])["FLAT"]
    assert flat[3].value == "62 (2019/20 M05)"
    assert flat[2].value == 20
