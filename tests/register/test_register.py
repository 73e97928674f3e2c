import zipfile

import pytest
from conftest import ROOT

from kpi_excel.core.models import Basis, Polarity, TargetKind, ToleranceKind, Unit
from kpi_excel.core.problems import RegisterError
from kpi_excel.register.book import write_register
from kpi_excel.register.loader import load_register, parse_target, parse_tolerance


def test_the_sample_register(register):
    assert len(register.indicators) == 34
    assert register.sections() == [
        "Towns and Communities",
        "Crime and Disorder",
        "Health",
        "Individuals",
        "Environment",
        "Children and Learning",
    ]
    assert len(register.service_areas()) == 6
    by_id = register.by_id()
    assert by_id["HE01"].quarter_targets[0].kind is TargetKind.COMPARATOR
    assert by_id["HE01"].quarter_targets[0].value == 184
    assert by_id["EN02"].basis is Basis.CUMULATIVE and by_id["EN02"].suffix == "kg per head"
    assert by_id["TC02"].unit is Unit.PERCENT and by_id["TC02"].polarity is Polarity.BIGGER
    assert by_id["CD04"].polarity is Polarity.NONE
    assert register.settings.organisation.startswith("London Borough of Havering")
    assert len(register.fingerprint) == 16


@pytest.mark.parametrize(
    ("raw", "kind", "value", "high", "label"),
    [
        (95, TargetKind.VALUE, 95, None, None),
        ("95%", TargetKind.VALUE, 95, None, None),
        ("1,330", TargetKind.VALUE, 1330, None, None),
        ("TBC", TargetKind.TBC, None, None, None),
        ("n/a", TargetKind.NONE, None, None, None),
        ("40 to 60", TargetKind.RANGE, 40, 60, None),
        ("Better than England (184)", TargetKind.COMPARATOR, 184, None, "Better than England"),
        (None, TargetKind.DERIVE, None, None, None),
    ],
)
def test_targets(raw, kind, value, high, label):
    target = parse_target(raw, blank=TargetKind.DERIVE)
    assert (target.kind, target.value, target.high, target.label) == (kind, value, high, label)


@pytest.mark.parametrize("raw", ["soon", "60 to 40", True])
def test_bad_targets_say_what_to_write(raw):
    with pytest.raises(ValueError):
        parse_target(raw, blank=TargetKind.DERIVE)


def test_tolerance_from_one_cell_or_two():
    assert parse_tolerance("relative 5", None).kind is ToleranceKind.RELATIVE
    assert parse_tolerance("absolute", 2).amount == 2
    assert parse_tolerance(None, None) is None
    with pytest.raises(ValueError, match="needs an amount"):
        parse_tolerance("relative", None)


ROOT_IMAGES = ROOT / "docs" / "images"
ROW = {
    "id": "A1",
    "section": "S",
    "service_area": "X",
    "name": "N",
    "polarity": "bigger",
    "unit": "percent",
    "annual_target": 80,
}


def test_every_register_problem_is_listed_with_its_cell(tmp_path):
    rows = [
        ROW,
        {**ROW, "id": "A2", "polarity": "biggest"},
        {**ROW, "annual_target": "soon"},
        {**ROW, "id": "A3", "section": ""},
    ]
    path = write_register(tmp_path / "register.xlsx", rows)
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    found = sorted((p.code, p.sheet, p.cell) for p in caught.value.problems)
    assert found == [
        ("register-duplicate-id", "Indicators", "A4"),
        ("register-invalid", "Indicators", "B5"),
        ("register-invalid", "Indicators", "F3"),
        ("register-invalid", "Indicators", "M4"),
    ]
    messages = " ".join(p.message for p in caught.value.problems)
    assert "'biggest' is not one of: bigger, smaller, range, none" in messages
    assert "Traceback" not in messages


def test_bad_settings_name_their_cell(tmp_path):
    path = write_register(
        tmp_path / "register.xlsx", [ROW], {"same_threshold": "a bit", "green_colour": "green"}
    )
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    assert {(p.sheet, p.code) for p in caught.value.problems} == {("Settings", "settings-invalid")}
    assert len(caught.value.problems) == 2


def test_a_missing_register_and_a_non_workbook(tmp_path):
    with pytest.raises(RegisterError, match="does not exist"):
        load_register(tmp_path / "nope.xlsx")
    fake = tmp_path / "register.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(RegisterError, match="cannot be opened"):
        load_register(fake)


def test_a_logo_is_found_beside_the_register_and_reaches_the_workbook(tmp_path):

    from kpi_excel.board.workbook import write_board_workbook
    from kpi_excel.core.periods import Period
    from kpi_excel.history.files import History
    from kpi_excel.report.build import build_report
    from kpi_excel.returns.collect import Collected

    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.png").write_bytes((ROOT_IMAGES / "summary.png").read_bytes())
    path = write_register(tmp_path / "register.xlsx", [ROW], {"logo": "assets/logo.png"})
    register = load_register(path)
    assert register.settings.logo == str(tmp_path / "assets" / "logo.png")
    report = build_report(
        register, Period.parse("2017/18 Q1"), Collected([], {}, set(), [], []), History()
    )
    out = write_board_workbook(report, tmp_path / "board.xlsx")
    with zipfile.ZipFile(out) as package:  # openpyxl drops images unless Pillow is installed
        assert [n for n in package.namelist() if n.startswith("xl/media/")] == [
            "xl/media/image1.png"
        ]


def test_a_missing_logo_is_a_settings_problem(tmp_path):
    path = write_register(tmp_path / "register.xlsx", [ROW], {"logo": "nope.png"})
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    assert [(p.code, p.sheet) for p in caught.value.problems] == [("settings-invalid", "Settings")]


def test_a_target_typed_as_95_percent_in_excel_means_95(tmp_path):
    """Excel stores "95%" as 0.95 under a percent format; the register means 95 points."""
    from openpyxl import load_workbook as open_book

    path = write_register(tmp_path / "register.xlsx", [ROW])
    book = open_book(path)
    cell = book["Indicators"]["M2"]
    cell.value, cell.number_format = 0.95, "0%"
    book.save(path)
    [indicator] = load_register(path).indicators
    assert indicator.annual_target.value == 95


def test_a_key_and_a_named_key_are_read_from_the_settings_sheet(tmp_path):
    settings = {
        "rag_key": 'GREEN "Target met": on target; AMBER: within 10%; RED: otherwise',
        "RAG key Lenient": "GREEN: within 5%; RED: otherwise",
    }
    rows = [ROW, {**ROW, "id": "A2", "rag_key": "lenient"}]
    register = load_register(write_register(tmp_path / "register.xlsx", rows, settings))
    assert [b.name for b in register.settings.rag_key.bands] == ["Target met", "AMBER", "RED"]
    assert register.settings.key_for(register.indicators[1]).name == "lenient"
    assert register.settings.key_for(register.indicators[0]) == register.settings.rag_key


def test_an_unknown_named_key_and_a_bad_key_are_register_problems(tmp_path):
    settings = {"rag_key": "GREEN: on target", "RAG key odd": "GREEN: sometimes; RED: otherwise"}
    rows = [{**ROW, "rag_key": "strict"}]
    with pytest.raises(RegisterError) as caught:
        load_register(write_register(tmp_path / "register.xlsx", rows, settings))
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 3
    joined = " ".join(messages)
    assert "end it with a band such as RED: otherwise" in joined
    assert "'sometimes' is not an edge" in joined
    assert "no row 'RAG key strict'" in joined


def test_common_spellings_of_polarity_and_basis_and_a_blank_annual_target(tmp_path):
    from kpi_excel.core.display import format_target
    from kpi_excel.core.periods import Period
    from kpi_excel.core.targets import resolve_target

    rows = [
        {**ROW, "polarity": "Higher is better", "basis": "year to date"},
        {**ROW, "id": "A2", "polarity": "lower is better", "basis": "YTD"},
        {**ROW, "id": "A3", "annual_target": None},
        {**ROW, "id": "A4", "annual_target": "N/A"},
    ]
    first, second, blank, typed = load_register(
        write_register(tmp_path / "register.xlsx", rows)
    ).indicators
    assert (first.polarity, first.basis) == (Polarity.BIGGER, Basis.CUMULATIVE)
    assert (second.polarity, second.basis) == (Polarity.SMALLER, Basis.CUMULATIVE)
    assert format_target(blank, blank.annual_target) == "No annual target"
    assert format_target(typed, typed.annual_target) == "N/A"
    quarter = resolve_target(blank, Period.parse("Q3 2024/25")).target
    assert format_target(blank, quarter) == "N/A"


def test_direction_words_and_counting_from_the_settings_sheet(tmp_path):
    settings = {"direction_word_better": "improved", "count_data_only_moves": "yes"}
    register = load_register(write_register(tmp_path / "register.xlsx", [ROW], settings))
    assert register.settings.direction_words["better"] == "improved"
    assert register.settings.direction_words["worse"] == "worse"
    assert register.settings.count_data_only_moves is True


def test_blank_decimals_mean_as_recorded(tmp_path):
    rows = [ROW, {**ROW, "id": "A2", "decimals": 1}, {**ROW, "id": "A3", "decimals": 0}]
    blank, one, none = load_register(write_register(tmp_path / "register.xlsx", rows)).indicators
    assert not blank.decimals_given
    assert (one.decimals_given, one.decimals) == (True, 1)
    assert (none.decimals_given, none.decimals) == (True, 0)


def test_new_settings_left_at_their_defaults_keep_the_fingerprint(register):
    from kpi_excel.register.keys import parse_rag_key
    from kpi_excel.register.loader import fingerprint

    # the sample returns were stamped with this before keys and words existed
    assert register.fingerprint == "6807adf737819f30"
    keyed = register.model_copy(
        update={"settings": register.settings.model_copy(
            update={"rag_key": parse_rag_key("GREEN: within 5%; RED: otherwise")}
        )}
    )  # fmt: skip
    assert fingerprint(keyed) != register.fingerprint
    noted = register.model_copy(
        update={"indicators": [i.model_copy(update={"target_review": "x"}) for i in register.indicators]}
    )  # fmt: skip
    assert fingerprint(noted) == register.fingerprint
