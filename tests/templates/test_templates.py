"""The officers' return template: read it back with openpyxl (and LibreOffice) and check it
says what return_spec says it should."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import kpi_excel
from kpi_excel.core import return_spec as spec
from kpi_excel.core.models import (
    Basis,
    Frequency,
    HistoryPoint,
    Indicator,
    Polarity,
    Register,
    ResolvedTarget,
    ReturnRecord,
    Settings,
    Status,
    Target,
    TargetKind,
    Tolerance,
    ToleranceKind,
    Unit,
)
from kpi_excel.core.periods import Period
from kpi_excel.core.problems import OutputError, RegisterError, UsageError
from kpi_excel.core.return_spec import FIELDS, FieldKind, column_of
from kpi_excel.core.rules import rate
from kpi_excel.register.loader import fingerprint as register_fingerprint
from kpi_excel.templates.build import (
    fingerprint_register,
    template_file_name,
    write_return_template,
    write_return_templates,
)
from kpi_excel.templates.formulas import STATUS_WORDS, literal, rating_bands
from kpi_excel.templates.sheets import status_meanings

Q1 = Period(2017, 1)
ADULTS = "Adults' Services"
ENVIRONMENT = "Environment"
WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


def value_target(value: float) -> Target:
    return Target(kind=TargetKind.VALUE, value=value)


def make_register(**changes) -> Register:
    indicators = [
        Indicator(
            id="AS1",
            section="Individuals",
            service_area=ADULTS,
            name="% of service users receiving direct payments",
            description="Users receiving direct payments as a share of all users",
            polarity=Polarity.BIGGER,
            unit=Unit.PERCENT,
            decimals=1,
            annual_target=value_target(36),
            uses_fraction=True,
            tolerance=Tolerance(kind=ToleranceKind.ABSOLUTE, amount=2),
        ),
        Indicator(
            id="ENV1",
            section="Environment",
            service_area=ENVIRONMENT,
            name="Average no. of days taken to remove fly-tips",
            polarity=Polarity.SMALLER,
            suffix="days",
            decimals=1,
            annual_target=value_target(1),
        ),
        Indicator(
            id="ENV2",
            section="Environment",
            service_area=ENVIRONMENT,
            name="Waste per head presented to ELWA",
            polarity=Polarity.SMALLER,
            suffix="kg per head",
            decimals=2,
            basis=Basis.CUMULATIVE,
            annual_target=value_target(441.0),
        ),
        Indicator(
            id="AS2",
            section="Individuals",
            service_area=ADULTS,
            name="Carers assessed in the half year",
            polarity=Polarity.BIGGER,
            frequency=Frequency.BIANNUAL,
            annual_target=value_target(500),
        ),
        Indicator(
            id="AS3",
            section="Individuals",
            service_area=ADULTS,
            name="Contractor liaison with residents",
            polarity=Polarity.BIGGER,
            annual_target=Target(kind=TargetKind.TBC),
        ),
        Indicator(
            id="ENV3",
            section="Health",
            service_area=ENVIRONMENT,
            name="Deaths linked to air quality per 100,000",
            polarity=Polarity.SMALLER,
            annual_target=Target(
                kind=TargetKind.COMPARATOR, value=184, label="Better than England"
            ),
        ),
    ]
    settings = Settings(organisation="Example Council", return_deadline="2017-07-14")
    return Register(indicators=indicators, settings=settings, **changes)


PREVIOUS = {
    "AS1": HistoryPoint(indicator_id="AS1", period="2016/17 Q4", value=33.3),
    "ENV1": HistoryPoint(indicator_id="ENV1", period="2016/17 Q4", value=0.9),
    "ENV2": HistoryPoint(indicator_id="ENV2", period="2016/17 Q4", token="NEW"),
}
LAST_YEAR = {"AS1": HistoryPoint(indicator_id="AS1", period="2016/17 Q1", value=33.8)}


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("templates")
    paths = write_return_templates(
        make_register(fingerprint="abc123"), Q1, out, previous=PREVIOUS, last_year=LAST_YEAR
    )
    return dict(zip(make_register().service_areas(), paths, strict=True))


@pytest.fixture(scope="module")
def adults(templates) -> openpyxl.Workbook:
    return openpyxl.load_workbook(templates[ADULTS])


def data_row(sheet, indicator_id: str) -> int:
    for row in range(spec.FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet[f"{column_of('id')}{row}"].value == indicator_id:
            return row
    raise AssertionError(f"{indicator_id} not on the return sheet")


def at(sheet, key: str, indicator_id: str):
    return sheet[f"{column_of(key)}{data_row(sheet, indicator_id)}"]


def meta_of(workbook) -> dict[str, str]:
    sheet = workbook[spec.META_SHEET]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}


# --- files and names ----------------------------------------------------------------------


def test_one_template_per_service_area_with_safe_names(templates):
    assert [path.name for path in templates.values()] == [
        "2017-18-Q1-adults-services.xlsx",
        "2017-18-Q1-environment.xlsx",
    ]
    assert not [p for p in next(iter(templates.values())).parent.iterdir() if ".tmp" in p.name]


@pytest.mark.parametrize(
    ("service_area", "expected"),
    [
        ("Children's Services / Learning: A&B?", "2017-18-Q1-childrens-services-learning-a-and-b"),
        ("  Trailing dots... ", "2017-18-Q1-trailing-dots"),
        ('Pipes | "quotes" <angles> *stars*', "2017-18-Q1-pipes-quotes-angles-stars"),
        ("Santé publique", "2017-18-Q1-sante-publique"),
        ("CON", "2017-18-Q1-con"),
    ],
)
def test_file_names_are_windows_safe(service_area, expected):
    name = template_file_name(service_area, Q1)
    assert name == expected + ".xlsx"
    assert not WINDOWS_FORBIDDEN & set(name)
    assert not name.endswith((".", " "))
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-Q[1-4]-[a-z0-9-]+\.xlsx", name)


def test_file_name_for_a_name_without_latin_letters_is_distinct():
    first, second = template_file_name("保健", Q1), template_file_name("教育", Q1)
    assert first != second
    assert re.fullmatch(r"2017-18-Q1-service-area-[0-9a-f]{8}\.xlsx", first)


def test_service_areas_that_slug_alike_get_distinct_files(tmp_path):
    base = make_register().indicators[1]
    twins = [
        base.model_copy(update={"service_area": "A&B", "id": "X1"}),
        base.model_copy(update={"service_area": "A and B", "id": "X2"}),
    ]
    paths = write_return_templates(Register(indicators=twins), Q1, tmp_path)
    assert len({path.name for path in paths}) == 2


def test_regenerating_gives_an_identical_file(tmp_path):
    first = write_return_template(make_register(), ADULTS, Q1, tmp_path / "a.xlsx")
    second = write_return_template(make_register(), ADULTS, Q1, tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()


def test_overwrites_an_existing_template(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"old")
    write_return_template(make_register(), ADULTS, Q1, path)
    assert openpyxl.load_workbook(path).sheetnames[0] == spec.RETURN_SHEET


def test_unwritable_destination_is_an_output_error_and_leaves_no_temp_file(tmp_path):
    with pytest.raises(OutputError, match="missing"):
        write_return_template(make_register(), ADULTS, Q1, tmp_path / "missing" / "t.xlsx")
    (tmp_path / "taken.xlsx").mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(OutputError, match="taken.xlsx"):
        write_return_template(make_register(), ADULTS, Q1, tmp_path / "taken.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["taken.xlsx"]


def test_unknown_service_area_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="Childrens"):
        write_return_template(make_register(), "Childrens", Q1, tmp_path / "t.xlsx")


def test_ids_that_cannot_go_in_the_metadata_are_a_register_error(tmp_path):
    register = make_register()
    bad = register.indicators[0].model_copy(update={"id": "AS1,AS2", "row": 7})
    with pytest.raises(RegisterError, match="row 7"):
        write_return_template(Register(indicators=[bad]), ADULTS, Q1, tmp_path / "t.xlsx")


def test_fingerprint_uses_the_loaders_value_or_the_content():
    assert fingerprint_register(make_register(fingerprint="abc123")) == "abc123"
    base = fingerprint_register(make_register())
    assert base == register_fingerprint(make_register())
    assert fingerprint_register(make_register(source="elsewhere.xlsx")) == base
    changed = make_register()
    changed.indicators[0] = changed.indicators[0].model_copy(update={"name": "Renamed"})
    assert fingerprint_register(changed) != base


# --- workbook structure -------------------------------------------------------------------


def test_sheets_order_and_visibility(adults):
    assert adults.sheetnames == [
        spec.RETURN_SHEET,
        spec.INSTRUCTIONS_SHEET,
        spec.META_SHEET,
        spec.LISTS_SHEET,
    ]
    states = {sheet.title: sheet.sheet_state for sheet in adults.worksheets}
    assert states == {
        spec.RETURN_SHEET: "visible",
        spec.INSTRUCTIONS_SHEET: "visible",
        spec.META_SHEET: "veryHidden",
        spec.LISTS_SHEET: "hidden",
    }
    assert adults.active.title == spec.RETURN_SHEET


def test_metadata(adults):
    assert list(meta_of(adults)) == list(spec.META_KEYS)
    assert meta_of(adults) == {
        "template_version": spec.TEMPLATE_VERSION,
        "period": "2017/18 Q1",
        "service_area": ADULTS,
        "register_fingerprint": "abc123",
        "indicator_ids": "AS1,AS2,AS3",
        "generated_by": meta_of(adults)["generated_by"],
    }
    assert meta_of(adults)["generated_by"] == f"kpi-excel {kpi_excel.__version__}"
    assert adults[spec.META_SHEET].protection.sheet


def test_heading_block_and_header_row(adults):
    sheet = adults[spec.RETURN_SHEET]
    heading = [sheet.cell(row, 1).value for row in range(1, spec.HEADER_ROW)]
    assert heading[0] == "Example Council: Performance return"
    assert f"Service area: {ADULTS}" in heading
    assert any("2017/18 Q1" in text for text in heading)
    assert "Return by: Friday 14 July 2017" in heading
    headers = [sheet.cell(spec.HEADER_ROW, i + 1).value for i in range(len(FIELDS))]
    assert headers == [field.header for field in FIELDS]
    assert sheet.cell(spec.HEADER_ROW, 1).font.b


def test_ids_in_register_order(templates):
    sheet = openpyxl.load_workbook(templates[ENVIRONMENT])[spec.RETURN_SHEET]
    ids = [sheet[f"A{row}"].value for row in range(spec.FIRST_DATA_ROW, sheet.max_row + 1)]
    assert ids == ["ENV1", "ENV2", "ENV3"]
    assert column_of("id") == "A"


def test_prefilled_descriptions(adults):
    sheet = adults[spec.RETURN_SHEET]
    assert at(sheet, "name", "AS1").value == (
        "% of service users receiving direct payments\n"
        "Users receiving direct payments as a share of all users"
    )
    assert at(sheet, "polarity", "AS1").value == "Bigger"
    assert at(sheet, "unit", "AS1").value == "%"
    assert at(sheet, "unit", "AS2").value == "number"


def test_targets(templates, adults):
    env = openpyxl.load_workbook(templates[ENVIRONMENT])[spec.RETURN_SHEET]
    assert at(env, "target", "ENV2").value == pytest.approx(441.0 / 4)  # cumulative, profiled
    assert at(env, "target", "ENV2").number_format == "#,##0.00"
    assert at(env, "target", "ENV1").value == 1
    assert at(env, "unit", "ENV1").value == "days"
    assert at(env, "target", "ENV3").value == "Better than England (184)"
    sheet = adults[spec.RETURN_SHEET]
    assert at(sheet, "target", "AS1").value == 36
    assert at(sheet, "target", "AS3").value == "TBC"


def test_previous_and_last_year(templates, adults):
    sheet = adults[spec.RETURN_SHEET]
    assert at(sheet, "previous", "AS1").value == 33.3
    assert at(sheet, "last_year", "AS1").value == 33.8
    assert at(sheet, "previous", "AS2").value is None
    env = openpyxl.load_workbook(templates[ENVIRONMENT])[spec.RETURN_SHEET]
    assert at(env, "previous", "ENV2").value == "NEW"


def test_percent_cells_show_a_literal_percent_sign(adults):
    sheet = adults[spec.RETURN_SHEET]
    for key in ("target", "previous", "last_year", "value"):
        assert at(sheet, key, "AS1").number_format == '#,##0.0"%"', key


def test_prefilled_choices_and_not_due(adults):
    sheet = adults[spec.RETURN_SHEET]
    assert at(sheet, "status", "AS1").value == "available"
    assert at(sheet, "status", "AS2").value == "not due"  # biannual: due in Q2 and Q4
    for indicator_id in ("AS1", "AS2", "AS3"):
        assert at(sheet, "provisional", indicator_id).value == spec.NO
        assert at(sheet, "average", indicator_id).value == spec.NO
        assert at(sheet, "value", indicator_id).value is None


def test_locked_and_unlocked_cells(adults):
    sheet = adults[spec.RETURN_SHEET]
    for field in FIELDS:
        locked = at(sheet, field.key, "AS3").protection.locked
        expected = field.kind in (FieldKind.LOCKED, FieldKind.LIVE) or field.key in (
            "numerator",
            "denominator",
        )
        assert locked == expected, field.key
    # Numerator and denominator open only where the indicator is given as a fraction.
    assert not at(sheet, "numerator", "AS1").protection.locked
    assert not at(sheet, "denominator", "AS1").protection.locked
    assert (
        at(sheet, "numerator", "AS3").fill.fgColor.rgb
        != at(sheet, "numerator", "AS1").fill.fgColor.rgb
    )


def test_sheet_protection_and_view(adults):
    sheet = adults[spec.RETURN_SHEET]
    assert sheet.protection.sheet
    assert sheet.protection.password is None
    # openpyxl's flags are "protected": False means the action is allowed.
    assert sheet.protection.formatColumns is False
    assert sheet.protection.formatRows is False
    assert sheet.protection.selectUnlockedCells is False
    assert sheet.freeze_panes == f"{column_of('polarity')}{spec.FIRST_DATA_ROW}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToHeight == 0  # as many pages down as needed, one across
    assert sheet.print_title_rows == f"${spec.HEADER_ROW}:${spec.HEADER_ROW}"
    # Adjacent columns of one width are stored as one <col min max> entry.
    widths = {
        column: dimension.width
        for dimension in sheet.column_dimensions.values()
        for column in range(dimension.min, dimension.max + 1)
    }
    for index, field in enumerate(FIELDS, start=1):
        assert widths[index] == pytest.approx(field.width, abs=0.72), field.key


def validations_by_column(sheet) -> dict[str, list]:
    found: dict[str, list] = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            column = re.match(r"[A-Z]+", cell_range.coord).group()
            found.setdefault(column, []).append(validation)
    return found


def test_data_validation_on_every_input_column(adults):
    sheet = adults[spec.RETURN_SHEET]
    found = validations_by_column(sheet)
    for field in FIELDS:
        column = column_of(field.key)
        if field.kind in (FieldKind.LOCKED, FieldKind.LIVE):
            assert column not in found, field.key
            continue
        validation = found[column][0]
        assert validation.promptTitle == field.header
        assert validation.prompt == field.help
        assert validation.showInputMessage
        if field.kind is FieldKind.NUMBER:
            assert validation.type == "decimal"
            assert validation.errorStyle == "warning"  # "N/A" is questioned, not refused
        elif field.kind is FieldKind.CHOICE:
            assert validation.type == "list"
            assert validation.formula1.startswith(f"{spec.LISTS_SHEET}!$"), validation.formula1
            assert '"' not in validation.formula1  # never an inline list
        else:
            assert validation.type == "textLength"
            assert validation.formula1 == str(spec.MAX_COMMENT_CHARS)
    # Status: only due rows choose, and not "not due"; a not-due row is locked at "not due".
    status = column_of("status")
    assert {str(v.sqref) for v in found[status]} == {
        f"{status}{data_row(sheet, 'AS1')}",
        f"{status}{data_row(sheet, 'AS3')}",
    }
    assert at(sheet, "status", "AS2").value == "not due"
    assert at(sheet, "status", "AS2").protection.locked
    # Numerator/denominator validation covers only the row that uses a fraction.
    (numerator,) = found[column_of("numerator")]
    assert str(numerator.sqref) == f"{column_of('numerator')}{data_row(sheet, 'AS1')}"


def test_list_sources_hold_the_choices(adults):
    sheet = adults[spec.RETURN_SHEET]
    found = validations_by_column(sheet)
    lists = adults[spec.LISTS_SHEET]
    for field in FIELDS:
        if field.kind is FieldKind.CHOICE:
            validation = found[column_of(field.key)][0]
            cells = lists[validation.formula1.split("!")[1].replace("$", "")]
            choices = tuple(row[0].value for row in cells)
            if field.key == "status":  # a due row's choices
                assert choices == tuple(c for c in field.choices if c != "not due")
            else:
                assert choices == field.choices
    names = {name: defined.attr_text for name, defined in adults.defined_names.items()}
    assert names["kpi_yes_no"] == f"{spec.LISTS_SHEET}!$B$2:$B$3"
    assert names["kpi_status_choices"] == f"{spec.LISTS_SHEET}!$A$2:$A$4"


def test_live_cells_are_formulas_with_colour_rules(adults):
    sheet = adults[spec.RETURN_SHEET]
    rating = at(sheet, "live_rating", "AS1").value
    assert rating.startswith("=IF(") and '"AMBER"' in rating  # AS1 has a 2-point band
    assert at(sheet, "live_rating", "AS3").value == '=""'  # TBC: never rated
    assert at(sheet, "live_check", "AS3").value.startswith("=IF(")
    letter = column_of("live_rating")
    rules = {
        rule.formula[0]: rule.dxf.fill.bgColor.rgb
        for cf in sheet.conditional_formatting
        for rule in cf.rules
        if str(cf.sqref).startswith(letter)
    }
    # the board's fills, from the register's colours (the default ones here)
    first = spec.FIRST_DATA_ROW
    assert rules == {
        f'{letter}{first}="GREEN"': "FFC6EFCE",
        f'{letter}{first}="AMBER"': "FFFFEB9C",
        f'{letter}{first}="RED"': "FFFFC7CE",
    }


def test_instructions_cover_every_field_status_and_word(adults):
    sheet = adults[spec.INSTRUCTIONS_SHEET]
    text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    for field in FIELDS:
        assert field.header in text
        if field.kind in (FieldKind.NUMBER, FieldKind.CHOICE, FieldKind.TEXT):
            assert field.help in text
            assert ", ".join(field.choices) in text
    for token in spec.NOT_AVAILABLE_TOKENS | spec.NOT_DUE_TOKENS:
        assert f'"{token}"' in text
    for status, meaning in status_meanings().items():
        assert status in text and meaning in text


def test_status_meanings_come_from_the_status_help():
    meanings = status_meanings()
    assert list(meanings) == list(spec.STATUS_CHOICES)
    assert "see the Status column's help" not in meanings.values()


# --- live formulas ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"), [(36, "36"), (0.5, "0.5"), (1e-05, "0.00001"), (110.25, "110.25")]
)
def test_formula_literals_never_use_exponents(number, text):
    assert literal(number) == text


TOLERANCES = [
    Tolerance(),
    Tolerance(kind=ToleranceKind.RELATIVE, amount=10),
    Tolerance(kind=ToleranceKind.RELATIVE, amount=-7.5),
    Tolerance(kind=ToleranceKind.ABSOLUTE, amount=2),
    Tolerance(kind=ToleranceKind.LIMIT, amount=30),
    Tolerance(kind=ToleranceKind.LIMIT, amount=45),
]


@pytest.mark.parametrize("tolerance", TOLERANCES, ids=lambda t: f"{t.kind}-{t.amount}")
@pytest.mark.parametrize("polarity", [Polarity.BIGGER, Polarity.SMALLER, Polarity.RANGE])
@pytest.mark.parametrize(
    "goal",
    [
        value_target(36),
        value_target(0),
        value_target(0.25),  # shown as 0.3: half rounds up, as the board rounds
        value_target(36.05),
        Target(kind=TargetKind.RANGE, value=40, high=33.5),
    ],
)
def test_rating_bands_are_where_the_rules_change_their_rating(tolerance, polarity, goal):
    """The guide's edges, found by asking rules.rate, give its rating for every shown figure."""
    register = make_register()
    indicator = register.by_id()["AS1"].model_copy(
        update={"polarity": polarity, "tolerance": tolerance}
    )
    period = Period.parse("2017/18 Q1")
    target = ResolvedTarget(target=goal, how="test")
    bands = rating_bands(indicator, target, register.settings, period)
    step = Decimal(1).scaleb(-indicator.decimals)
    edges = set(bands.edges) if bands else set()
    figures = {Decimal(v) for v in range(-5, 60)} | {
        e + d * step for e in edges for d in (-1, 0, 1)
    }
    for shown in sorted(figures):
        record = ReturnRecord(
            indicator_id="AS1", period=str(period), status=Status.AVAILABLE, value=float(shown)
        )
        rag = rate(indicator, target, record, register.settings, period).rag
        expected = rag.value if rag else None
        assert (bands.rating(shown) or None if bands else None) == expected, shown


def test_never_rated_indicators_have_no_bands():
    register = make_register()
    by_id = register.by_id()
    period = Period.parse("2017/18 Q1")
    tbc = ResolvedTarget(target=by_id["AS3"].annual_target, how="test")
    assert rating_bands(by_id["AS3"], tbc, register.settings, period) is None
    data_only = by_id["AS2"].model_copy(update={"polarity": Polarity.NONE})
    one = ResolvedTarget(target=value_target(1), how="test")
    assert rating_bands(data_only, one, register.settings, period) is None


# --- LibreOffice ---------------------------------------------------------------------------


def soffice_convert(source: Path, out_dir: Path, target: str) -> Path:
    """Convert with a private profile, so parallel runs and the user's LibreOffice never clash."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check round-tripping")
    home = out_dir / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home)}
    command = [
        soffice,
        f"-env:UserInstallation={home.as_uri()}/profile",
        "--headless",
        "--convert-to",
        target,
        "--outdir",
        str(out_dir),
        str(source),
    ]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=240)
    converted = out_dir / f"{source.stem}.{target.split(':')[0]}"
    assert converted.exists(), f"LibreOffice did not write {converted}"
    return converted


def test_metadata_and_ids_survive_a_libreoffice_round_trip(templates, tmp_path):
    converted = soffice_convert(templates[ENVIRONMENT], tmp_path, "xlsx")
    workbook = openpyxl.load_workbook(converted)
    assert meta_of(workbook)["indicator_ids"] == "ENV1,ENV2,ENV3"
    assert meta_of(workbook)["template_version"] == spec.TEMPLATE_VERSION
    # LibreOffice saves "very hidden" as plain hidden: the reader must accept both.
    assert workbook[spec.META_SHEET].sheet_state in ("hidden", "veryHidden")
    sheet = workbook[spec.RETURN_SHEET]
    ids = [sheet[f"A{row}"].value for row in range(spec.FIRST_DATA_ROW, sheet.max_row + 1)]
    assert ids == ["ENV1", "ENV2", "ENV3"]


def test_live_formulas_work_out_the_guide(templates, tmp_path):
    """Fill in figures, let LibreOffice calculate, and read the guide columns."""
    workbook = openpyxl.load_workbook(templates[ADULTS])
    sheet = workbook[spec.RETURN_SHEET]
    filled = tmp_path / "filled.xlsx"
    row = data_row(sheet, "AS1")
    sheet[f"{column_of('value')}{row}"] = 35  # 1 point short, inside the 2-point band
    workbook.save(filled)
    (tmp_path / "out").mkdir()
    converted = soffice_convert(filled, tmp_path / "out", "xlsx")
    workbook = openpyxl.load_workbook(converted, data_only=True)
    sheet = workbook[spec.RETURN_SHEET]
    assert at(sheet, "live_rating", "AS1").value == "AMBER"
    assert at(sheet, "live_check", "AS1").value == "Check: Comment missing"
    assert at(sheet, "live_check", "AS2").value == "OK"  # not due
    assert at(sheet, "live_check", "AS3").value == "Error: Figure missing"


def test_a_year_period_template(tmp_path):
    path = write_return_template(make_register(), ADULTS, Period(2017), tmp_path / "y.xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[spec.RETURN_SHEET]
    assert meta_of(workbook)["period"] == "2017/18"
    assert at(sheet, "status", "AS2").value == "available"  # a year covers every quarter
    assert template_file_name(ADULTS, Period(2017)) == "2017-18-adults-services.xlsx"


def test_templates_never_replace_a_filled_in_return_unless_forced(tmp_path):
    from click.testing import CliRunner
    from conftest import SAMPLES

    from kpi_excel.cli.app import main

    folder = tmp_path / "returns"
    folder.mkdir()
    filled = SAMPLES / "returns" / "2017-18-Q1-environment.xlsx"
    (folder / filled.name).write_bytes(filled.read_bytes())
    args = [
        "templates",
        str(SAMPLES / "register.xlsx"),
        "--period",
        "2017/18 Q1",
        "--out",
        str(folder),
    ]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert (folder / filled.name).read_bytes() == filled.read_bytes()
    assert len(list(folder.iterdir())) == 1
    forced = CliRunner().invoke(main, [*args, "--force"])
    assert forced.exit_code == 0 and len(list(folder.iterdir())) == 6


def test_the_workbook_structure_is_protected(templates):
    """Sheets cannot be renamed, deleted or unhidden; regenerating still gives the same bytes."""
    workbook = openpyxl.load_workbook(templates[ADULTS])
    assert workbook.security is not None and workbook.security.lockStructure


@pytest.mark.parametrize(
    ("typed", "meant"),
    [*STATUS_WORDS.items(), ("NOT DUE", "not due"), ("  Not   available ", "not available")],
)
def test_the_guides_status_words_are_the_readers(tmp_path, typed, meant):
    """The guide's formulas take a status word as the reader does (returns/reader.py)."""
    from kpi_excel.returns.reader import read_return

    register = make_register()
    path = write_return_template(register, ADULTS, Q1, tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[spec.RETURN_SHEET]
    row = data_row(sheet, "AS3")
    sheet[f"{column_of('status')}{row}"] = typed
    sheet[f"{column_of('comment')}{row}"] = "Why."
    workbook.save(path)
    codes = {p.code for p in read_return(path, register, Q1).problems if p.indicator_id == "AS3"}
    assert "status-unknown" not in codes
    expected = {"available": {"value-blank"}, "not available": set(), "not due": {"status-due"}}
    assert codes == expected[meant]


def test_guide_formulas_stay_inside_excels_limits(tmp_path):
    """8,192 characters and 64 nested functions a formula, for the longest row there is."""
    register = make_register()
    worst = register.by_id()["AS1"].model_copy(
        update={"unit": Unit.PERCENT, "uses_fraction": True, "min_value": -5, "max_value": 90}
    )
    indicators = [worst if i.id == "AS1" else i for i in register.indicators]
    register = register.model_copy(update={"indicators": indicators})
    path = write_return_template(register, ADULTS, Q1, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)[spec.RETURN_SHEET]
    formulas = [c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert formulas
    for formula in formulas:
        depth = deepest = 0
        for part in re.sub(r'"[^"]*"', "", formula):
            depth += {"(": 1, ")": -1}.get(part, 0)
            deepest = max(deepest, depth)
        assert len(formula) < 8192 and deepest < 64


def test_templates_from_a_store_know_last_periods_comments(tmp_path):
    """templates --store gives the guide last period's comments, as validate --store reads
    them, so a comment copied unchanged is queried before the return is sent."""
    from conftest import SAMPLES

    from kpi_excel.api.history import close_period, import_history
    from kpi_excel.api.run import make_templates
    from kpi_excel.templates.formulas import WORK_COLUMN
    from kpi_excel.templates.sheets import PREVIOUS_COMMENTS_COLUMN

    register, store = SAMPLES / "register.xlsx", tmp_path / "history.sqlite"
    import_history(SAMPLES / "history.csv", register, store=store, by="test")
    close_period(register, [SAMPLES / "returns"], Q1, store=store, by="test")
    q2 = Period(2017, 2)
    paths = make_templates(register, q2, tmp_path / "out", store=store)
    [path] = [p for p in paths if "childrens" in p.name]
    workbook = openpyxl.load_workbook(path)
    lists = workbook[spec.LISTS_SHEET]
    kept = [c.value for c in lists[spec.column_letter(PREVIOUS_COMMENTS_COLUMN)][1:] if c.value]
    assert kept and all(text == " ".join(text.split()).casefold() for text in kept)
    sheet = workbook[spec.RETURN_SHEET]
    codes_column = spec.column_letter(WORK_COLUMN["codes"])
    codes = sheet[f"{codes_column}{data_row(sheet, 'CL02')}"].value
    assert "comment-repeated" in codes and spec.LISTS_SHEET in codes


def test_a_composite_key_gives_no_provisional_rating():
    """A key that asks whether the figure beat last year's cannot be decided as the officer
    types: the guide gives no rating rather than a wrong one."""
    from conftest import SAMPLES

    from kpi_excel.core.models import ResolvedTarget
    from kpi_excel.core.periods import Period
    from kpi_excel.register.keys import parse_rag_key
    from kpi_excel.register.loader import load_register
    from kpi_excel.templates.formulas import rating_bands

    register = load_register(SAMPLES / "register.xlsx")
    indicator = next(i for i in register.indicators if i.annual_target.value)
    target = ResolvedTarget(target=indicator.annual_target, how="annual target applies")
    period = Period.parse("2017/18 Q1")
    plain = register.settings
    composite = plain.model_copy(
        update={
            "rag_key": parse_rag_key(
                "GREEN: within 10%; AMBER: otherwise, if improved; RED: otherwise"
            )
        }
    )
    assert rating_bands(indicator, target, plain, period) is not None
    assert rating_bands(indicator, target, composite, period) is None
