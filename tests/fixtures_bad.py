"""Builders of bad returns: each makes one file showing one failure, and is named after it.

Most start from a shipped sample return (filled in as an officer would) made clean first, so
the only problems left are the one the builder adds; the builder types over it with openpyxl,
as an officer would in Excel, or edits the saved zip where openpyxl cannot (a formula's saved
result, Excel's extension lists). Files that are not returns at all come from
fixtures_hostile. Every builder takes a `Returns` and gives the path it wrote.

`python tests/fixtures_bad.py` measures how fast, and in how much memory, each hostile file is
refused.
"""

from __future__ import annotations

import re
import shutil
import sys
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import fixtures_hostile as hostile  # noqa: E402

from kpi_excel.core.models import Register, Tolerance, ToleranceKind  # noqa: E402
from kpi_excel.core.periods import Period  # noqa: E402
from kpi_excel.core.return_spec import FIELDS, HEADER_ROW, META_SHEET, RETURN_SHEET  # noqa: E402
from kpi_excel.register.loader import load_register  # noqa: E402

SAMPLES = HERE.parent / "samples"
Q1 = Period.parse("2017/18 Q1")
COLUMN = {f.key: index + 1 for index, f in enumerate(FIELDS)}
CHILDREN, ENVIRONMENT = "Children's Services", "Environment"

# The sample returns carry the example report's own gaps (RED figures with no corrective
# action); filling them makes a clean baseline, so each fixture shows only its own problem.
CLEAN: dict[str, dict[str, dict[str, Any]]] = {
    "Housing and Customer Services": {
        "TC02": {"comment": "Below target.", "corrective_action": "A plan is in place."},
        "TC04": {"comment": "Below target.", "corrective_action": "A plan is in place."},
    },
    "Community Safety": {
        "CD01": {"corrective_action": "A plan is in place."},
        "CD02": {"corrective_action": "A plan is in place."},
    },
    ENVIRONMENT: {"EN02": {"corrective_action": "A plan is in place."}},
    CHILDREN: {
        "CL07": {"corrective_action": "A plan is in place."},
        "CL16": {"corrective_action": "A plan is in place."},
    },
}


def bad_inputs_register() -> Register:
    """The sample register with a plausible range on EN01 and an amber band on CL02.

    The fingerprint is kept, so the sample templates still match it.
    """
    register = load_register(SAMPLES / "register.xlsx")
    tweaks: dict[str, dict[str, Any]] = {
        "EN01": {"min_value": 0.0, "max_value": 30.0},
        "CL02": {"tolerance": Tolerance(kind=ToleranceKind.ABSOLUTE, amount=5)},
    }
    indicators = [i.model_copy(update=tweaks.get(i.id, {})) for i in register.indicators]
    return register.model_copy(update={"indicators": indicators})


def row_of(sheet: Any, indicator_id: str) -> int:
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        if sheet.cell(row, COLUMN["id"]).value == indicator_id:
            return row
    raise KeyError(indicator_id)


def type_values(sheet: Any, values: Mapping[str, Mapping[str, Any]]) -> None:
    for indicator_id, fields in values.items():
        row = row_of(sheet, indicator_id)
        for key, value in fields.items():
            sheet.cell(row, COLUMN[key]).value = value


@dataclass
class Returns:
    """Where fixtures are written, and the blank templates they may start from."""

    folder: Path
    blank: Mapping[str, Path]  # service area -> blank template for Q1

    def filled(
        self,
        name: str,
        area: str = CHILDREN,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        edit: Callable[[Any], None] | None = None,
        blank: bool = False,
        source: Path | None = None,
    ) -> Path:
        """A return for `area`, cleaned, with `values` typed over it and `edit` applied."""
        if source is None:
            template = self.blank[area]
            source = template if blank else SAMPLES / "returns" / template.name
        workbook = load_workbook(source)
        sheet = workbook[RETURN_SHEET]
        if not blank:
            type_values(sheet, CLEAN.get(area, {}))
        type_values(sheet, values or {})
        if edit is not None:
            edit(workbook)
        path = self.folder / name
        workbook.save(path)
        return path

    def hostile(self, build: Callable[[Path], Path], name: str) -> Path:
        """A fixtures_hostile file, renamed after the case."""
        built = build(self.folder)
        return built.rename(self.folder / name)


# --- editing saved files, where openpyxl cannot -------------------------------------------


def rewrite_parts(path: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Rewrite a saved workbook part by part: change(name, data) gives new data, or None to
    drop the part. Parts are written back in their order."""
    temp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                out.writestr(info.filename, data)
    temp.replace(path)
    return path


def add_parts(path: Path, parts: Mapping[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def sheet_part(path: Path, sheet_name: str) -> str:
    """The zip name of a sheet's part, from workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet_name)}"[^>]*r:id="([^"]+)"', workbook)
    assert rid, f"no sheet {sheet_name}"
    target = re.search(rf'<Relationship [^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels)
    if target is None:  # attributes in the other order
        target = re.search(rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target, f"no relationship {rid.group(1)}"
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def with_saved_result(path: Path, ref: str, result: float) -> Path:
    """Give a formula cell the saved result Excel would have stored with it."""
    part = sheet_part(path, RETURN_SHEET)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        text = data.decode()
        pattern = rf'(<c r="{ref}"[^>]*>(?:<f>[^<]*</f>))(?:<v\s*/>|<v></v>)?'
        text, count = re.subn(pattern, rf"\g<1><v>{result}</v>", text)
        assert count == 1, f"no formula at {ref}"
        return text.encode()

    return rewrite_parts(path, change)


# --- the builders: number cells ------------------------------------------------------------


def _value(name: str, value: Any, indicator: str = "CL02", area: str = CHILDREN, **extra: Any):
    def build(r: Returns) -> Path:
        return r.filled(name, area, {indicator: {"value": value, **extra}})

    build.__name__ = name.removesuffix(".xlsx")
    return build


def _formatted(name: str, value: Any, number_format: str, indicator: str, area: str = CHILDREN):
    def build(r: Returns) -> Path:
        def edit(workbook: Any) -> None:
            sheet = workbook[RETURN_SHEET]
            cell = sheet.cell(row_of(sheet, indicator), COLUMN["value"])
            cell.value, cell.number_format = value, number_format

        return r.filled(name, area, edit=edit)

    build.__name__ = name.removesuffix(".xlsx")
    return build


text_in_number_cell = _value("text_in_number_cell.xlsx", "about 60")
words_after_the_number = _value("words_after_the_number.xlsx", "60.9 (est.)")
date_in_number_cell = _value("date_in_number_cell.xlsx", datetime(2017, 6, 30))
boolean_in_number_cell = _value("boolean_in_number_cell.xlsx", True)
div0_error_in_number_cell = _value("div0_error_in_number_cell.xlsx", "#DIV/0!")
na_error_in_number_cell = _value("na_error_in_number_cell.xlsx", "#N/A")
formula_with_no_saved_result = _value("formula_with_no_saved_result.xlsx", "=SUM(H9:H9)")
percent_typed_as_a_fraction = _value("percent_typed_as_a_fraction.xlsx", 0.609)
percent_typed_as_text_9500 = _value("percent_typed_as_text_9500.xlsx", "6090%")
percent_over_100 = _value("percent_over_100.xlsx", 120)
percent_shown_as_9500 = _formatted("percent_shown_as_9500.xlsx", 60.9, "0%", "CL02")
percent_format_on_a_count = _formatted("percent_format_on_a_count.xlsx", 0.8, "0%", "EN01",
                                       ENVIRONMENT)  # fmt: skip
thousands_separator_in_text = _value("thousands_separator_in_text.xlsx", "1,234", "CL13")
units_in_text_days = _value("units_in_text_days.xlsx", "0.8 days", "EN01", ENVIRONMENT)
units_in_text_kg = _value("units_in_text_kg.xlsx", "118.4kg", "EN02", ENVIRONMENT)
wrong_unit_in_text = _value("wrong_unit_in_text.xlsx", "0.8 kg", "EN01", ENVIRONMENT)
percent_sign_on_a_count = _value("percent_sign_on_a_count.xlsx", "6%", "CL13")
negative_count = _value("negative_count.xlsx", -6, "CL13")
figure_beyond_any_real_one = _value("figure_beyond_any_real_one.xlsx", 1e28, "CL13")
implausible_value = _value("implausible_value.xlsx", 45, "EN01", ENVIRONMENT,
                           comment="Snow.", corrective_action="Gritting.")  # fmt: skip
blank_value_with_status_available = _value("blank_value_with_status_available.xlsx", None)
value_with_status_not_available = _value(
    "value_with_status_not_available.xlsx", 60.9, status="not available"
)
value_when_not_due = _value("value_when_not_due.xlsx", 4.1, "CL14")
numerator_above_denominator = _value(
    "numerator_above_denominator.xlsx", None, numerator=12, denominator=10
)
denominator_zero = _value("denominator_zero.xlsx", None, numerator=0, denominator=0)
numerator_without_denominator = _value("numerator_without_denominator.xlsx", 60.9, numerator=14)
figure_disagrees_with_its_counts = _value(
    "figure_disagrees_with_its_counts.xlsx", 60.9, numerator=14, denominator=20
)
small_denominator = _value("small_denominator.xlsx", None, numerator=5, denominator=8)


def formula_typed_in_input_cell(r: Returns) -> Path:
    path = r.filled("formula_typed_in_input_cell.xlsx", values={"CL02": {"value": "=50+10.9"}})
    return with_saved_result(path, "H10", 60.9)


def formula_in_comment_cell(r: Returns) -> Path:
    path = r.filled("formula_in_comment_cell.xlsx", values={"CL03": {"comment": '=P10&" too"'}})
    return with_saved_result(path, "P11", 0)


# --- the builders: status, flags and words ------------------------------------------------

unknown_status = _value("unknown_status.xlsx", 60.9, status="done")
not_due_when_due = _value("not_due_when_due.xlsx", None, status="not due")
unknown_yes_no = _value("unknown_yes_no.xlsx", 60.9, provisional="maybe")
not_available_without_a_reason = _value("not_available_without_a_reason.xlsx", "N/A", comment=None)
missing_comment_on_red = _value("missing_comment_on_red.xlsx", 39.6, "CL07", comment=None)
missing_comment_on_amber = _value("missing_comment_on_amber.xlsx", 77, comment=None)
missing_action_on_red = _value("missing_action_on_red.xlsx", 33.3, "CL16", corrective_action=None)
comment_too_long = _value("comment_too_long.xlsx", 60.9, comment="Below target. " * 200)
# The same words as last quarter's comment (given to the reader as previous_comments).
LAST_QUARTER_COMMENT = "Performance is currently below target (where bigger is better)."
same_comment_as_last_quarter = _value("same_comment_as_last_quarter.xlsx", 60.9)


def blank_template_returned(r: Returns) -> Path:
    return r.filled("blank_template_returned.xlsx", ENVIRONMENT, blank=True)


# --- the builders: rows and columns --------------------------------------------------------


def _edited(name: str, change: Callable[[Any], None], area: str = CHILDREN):
    def build(r: Returns) -> Path:
        return r.filled(name, area, edit=lambda workbook: change(workbook[RETURN_SHEET]))

    build.__name__ = name.removesuffix(".xlsx")
    return build


def _delete_row(sheet: Any) -> None:
    sheet.delete_rows(row_of(sheet, "CL05"))


def _insert_row_with(values: Mapping[str, Any]) -> Callable[[Any], None]:
    def change(sheet: Any) -> None:
        row = row_of(sheet, "CL03")
        sheet.insert_rows(row)
        for key, value in values.items():
            sheet.cell(row, COLUMN[key]).value = value

    return change


def _swap_rows(sheet: Any) -> None:
    a, b = row_of(sheet, "CL02"), row_of(sheet, "CL03")
    for col in range(1, len(FIELDS) + 1):
        first, second = sheet.cell(a, col), sheet.cell(b, col)
        first.value, second.value = second.value, first.value


def _duplicate_row(sheet: Any) -> None:
    source, target = row_of(sheet, "CL02"), sheet.max_row + 1
    for col in range(1, len(FIELDS) + 1):
        sheet.cell(target, col).value = sheet.cell(source, col).value


def _set(ref: str, value: Any) -> Callable[[Any], None]:
    def change(sheet: Any) -> None:
        sheet[ref].value = value

    return change


def _merge(sheet: Any) -> None:
    sheet.merge_cells("P10:Q10")


row_deleted = _edited("row_deleted.xlsx", _delete_row)
row_inserted_with_figures = _edited("row_inserted_with_figures.xlsx",
                                    _insert_row_with({"value": 50, "comment": "Extra"}))  # fmt: skip
row_inserted_for_a_new_indicator = _edited(
    "row_inserted_for_a_new_indicator.xlsx", _insert_row_with({"id": "CL99", "value": 50})
)
rows_reordered = _edited("rows_reordered.xlsx", _swap_rows)
row_duplicated = _edited("row_duplicated.xlsx", _duplicate_row)
indicator_id_edited = _edited("indicator_id_edited.xlsx", _set("A10", "CL2"))
column_header_edited = _edited("column_header_edited.xlsx", _set("H8", "Value"))
column_deleted = _edited("column_deleted.xlsx", lambda sheet: sheet.delete_cols(COLUMN["average"]))
merged_cells_in_input_area = _edited("merged_cells_in_input_area.xlsx", _merge)


# --- the builders: sheets, template details and identity ----------------------------------


def _workbook_edit(name: str, change: Callable[[Any], None], area: str = CHILDREN):
    def build(r: Returns) -> Path:
        return r.filled(name, area, edit=change)

    build.__name__ = name.removesuffix(".xlsx")
    return build


def _rename_return(workbook: Any) -> None:
    workbook[RETURN_SHEET].title = "Q1 figures"


def _hide_return(workbook: Any) -> None:
    workbook[RETURN_SHEET].sheet_state = "hidden"
    workbook.active = 1
    workbook[RETURN_SHEET].sheet_view.tabSelected = False


def _delete_return(workbook: Any) -> None:
    del workbook[RETURN_SHEET]


def _delete_meta(workbook: Any) -> None:
    del workbook[META_SHEET]


def _meta(key: str, value: Any) -> Callable[[Any], None]:
    def change(workbook: Any) -> None:
        sheet = workbook[META_SHEET]
        for row in sheet.iter_rows():
            if row[0].value == key:
                if value is None:
                    sheet.delete_rows(row[0].row)
                else:
                    row[1].value = value
                return
        raise KeyError(key)

    return change


def _meta_many(**values: Any) -> Callable[[Any], None]:
    def change(workbook: Any) -> None:
        for key, value in values.items():
            _meta(key, value)(workbook)

    return change


return_sheet_renamed = _workbook_edit("return_sheet_renamed.xlsx", _rename_return)
return_sheet_hidden = _workbook_edit("return_sheet_hidden.xlsx", _hide_return)
return_sheet_deleted = _workbook_edit("return_sheet_deleted.xlsx", _delete_return)
template_details_deleted = _workbook_edit("template_details_deleted.xlsx", _delete_meta)
template_detail_missing = _workbook_edit("template_detail_missing.xlsx", _meta("period", None))
period_edited_to_nonsense = _workbook_edit("period_edited_to_nonsense.xlsx",
                                           _meta("period", "Q1"))  # fmt: skip
register_changed_since_template = _workbook_edit(
    "register_changed_since_template.xlsx", _meta("register_fingerprint", "0" * 64)
)
template_from_an_older_version = _workbook_edit(
    "template_from_an_older_version.xlsx", _meta("template_version", "0.9")
)
template_from_a_newer_kpi_excel = _workbook_edit(
    "template_from_a_newer_kpi_excel.xlsx", _meta("template_version", "1.1")
)
template_version_edited = _workbook_edit(
    "template_version_edited.xlsx", _meta("template_version", "v1")
)
last_quarters_old_template = _workbook_edit(
    "last_quarters_old_template.xlsx",
    _meta_many(template_version="0.9", period="2016/17 Q4"),
)
template_from_an_unknown_service_area = _workbook_edit(
    "template_from_an_unknown_service_area.xlsx", _meta("service_area", "Parks")
)


def template_from_another_period(r: Returns) -> Path:
    from kpi_excel.api.run import make_templates

    out = r.folder / "q2-templates"
    [path] = [p for p in make_templates(SAMPLES / "register.xlsx", Period.parse("2017/18 Q2"),
                                        out) if "environment" in p.name]  # fmt: skip
    target = r.folder / "template_from_another_period.xlsx"
    shutil.move(path, target)
    shutil.rmtree(out)
    return target


def another_service_areas_template(r: Returns) -> Path:
    """Community Safety's return, saved under Environment's file name."""
    return r.filled(r.blank[ENVIRONMENT].name, "Community Safety")


# --- the builders: files that are not plain returns ----------------------------------------


def empty_file(r: Returns) -> Path:
    return r.hostile(hostile.empty_file, "empty_file.xlsx")


def _beyond(build: Callable[[Path, Path], Path], name: str) -> Callable[[Returns], Path]:
    """A real return with one hostile edit to its Return sheet's XML."""

    def make(r: Returns) -> Path:
        source = r.filled(f"{name}-source.xlsx", CHILDREN)
        return build(source, r.folder).rename(r.folder / f"{name}.xlsx")

    make.__name__ = name
    return make


cell_beyond_excel_rows = _beyond(hostile.cell_beyond_excel_rows, "cell_beyond_excel_rows")
merged_beyond_excel_rows = _beyond(hostile.merged_beyond_excel_rows, "merged_beyond_excel_rows")
column_beyond_excel = _beyond(hostile.column_beyond_excel, "column_beyond_excel")


def csv_renamed_xlsx(r: Returns) -> Path:
    return r.hostile(hostile.csv_renamed, "csv_renamed_xlsx.xlsx")


def pdf_renamed_xlsx(r: Returns) -> Path:
    return r.hostile(hostile.pdf_renamed, "pdf_renamed_xlsx.xlsx")


def web_page_renamed_xlsx(r: Returns) -> Path:
    return r.hostile(hostile.html_renamed, "web_page_renamed_xlsx.xlsx")


def ods_renamed_xlsx(r: Returns) -> Path:
    return r.hostile(hostile.ods_renamed, "ods_renamed_xlsx.xlsx")


def old_xls_file(r: Returns) -> Path:
    return r.hostile(hostile.fake_xls, "old_xls_file.xls")


def huge_file_on_disk(r: Returns) -> Path:
    """Sixty megabytes that start like a zip (sparse on disk, so quick to make)."""
    path = r.folder / "huge_file_on_disk.xlsx"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(60 * 2**20)
    return path


def password_protected(r: Returns) -> Path:
    return r.hostile(hostile.fake_encrypted, "password_protected.xlsx")


def corrupt_zip(r: Returns) -> Path:
    path = r.filled("corrupt_zip.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def damaged_part(r: Returns) -> Path:
    return r.hostile(hostile.bad_crc_zip, "damaged_part.xlsx")


def decompression_bomb(r: Returns) -> Path:
    return r.hostile(hostile.zip_bomb, "decompression_bomb.xlsx")


def lying_sizes_bomb(r: Returns) -> Path:
    return r.hostile(hostile.lying_sizes_bomb, "lying_sizes_bomb.xlsx")


def xml_entity_bomb(r: Returns) -> Path:
    """The billion-laughs DOCTYPE put at the head of a real return's sheet."""
    path = r.filled("xml_entity_bomb.xlsx")
    part = sheet_part(path, RETURN_SHEET)
    entities = hostile.BILLION_LAUGHS.split("]>", 1)[0].split("\n", 1)[1] + "]>"

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        head, _, body = data.decode().partition("?>")
        return f"{head}?>\n{entities}{body}".encode()

    return rewrite_parts(path, change)


def saved_as_xlsm(r: Returns) -> Path:
    """A real return saved with the macro-enabled extension."""
    return r.filled("saved_as_xlsm.xlsm")


def macros_inside(r: Returns) -> Path:
    path = r.filled("macros_inside.xlsx")
    return add_parts(path, {"xl/vbaProject.bin": hostile.OLE2_MAGIC + bytes(512)})


def external_link(r: Returns) -> Path:
    path = r.filled("external_link.xlsx")
    scratch = r.folder / "scratch"
    scratch.mkdir(exist_ok=True)
    with zipfile.ZipFile(hostile.external_link(scratch)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/externalLinks/")}
    shutil.rmtree(scratch)
    return add_parts(path, parts)


def embedded_object(r: Returns) -> Path:
    path = r.filled("embedded_object.xlsx")
    return add_parts(path, {"xl/embeddings/oleObject1.bin": hostile.OLE2_MAGIC + bytes(512)})


# --- the catalogue ---------------------------------------------------------------------------

Expected = tuple[str, str | None, str | None]  # code, sheet, cell


@dataclass(frozen=True)
class Case:
    build: Callable[[Returns], Path]
    expected: list[Expected]  # every problem the file gives, as (code, sheet, cell)
    area: str | None  # the service area the file is a return for, if it is one
    previous_comments: Mapping[str, str] = field(default_factory=dict)
    hostile: bool = False  # to be refused quickly, in bounded memory

    @property
    def name(self) -> str:
        return self.build.__name__


R = RETURN_SHEET


def _ret(*problems: tuple[str, str | None]) -> list[Expected]:
    """Problems on the Return sheet: (code, cell)."""
    return [(code, R, cell) for code, cell in problems]


def _file(code: str) -> list[Expected]:
    return [(code, None, None)]


CASES: list[Case] = [
    # number cells
    Case(text_in_number_cell, _ret(("value-not-number", "H10")), CHILDREN),
    Case(words_after_the_number, _ret(("value-not-number", "H10")), CHILDREN),
    Case(date_in_number_cell, _ret(("value-date", "H10")), CHILDREN),
    Case(boolean_in_number_cell, _ret(("value-boolean", "H10")), CHILDREN),
    Case(div0_error_in_number_cell, _ret(("value-excel-error", "H10")), CHILDREN),
    Case(na_error_in_number_cell, _ret(("value-excel-error", "H10")), CHILDREN),
    Case(formula_typed_in_input_cell, _ret(("value-formula", "H10")), CHILDREN),
    Case(formula_with_no_saved_result, _ret(("value-formula-no-result", "H10")), CHILDREN),
    Case(formula_in_comment_cell, _ret(("value-formula", "P11")), CHILDREN),
    Case(percent_typed_as_a_fraction, _ret(("value-percent-scale", "H10")), CHILDREN),
    Case(percent_shown_as_9500, _ret(("value-percent-out-of-range", "H10")), CHILDREN),
    Case(percent_typed_as_text_9500, _ret(("value-percent-out-of-range", "H10")), CHILDREN),
    Case(percent_over_100, _ret(("value-percent-out-of-range", "H10")), CHILDREN),
    Case(percent_format_on_a_count, _ret(("value-wrong-unit", "H9")), ENVIRONMENT),
    Case(thousands_separator_in_text, _ret(("value-text-number", "H21")), CHILDREN),
    Case(units_in_text_days, _ret(("value-text-number", "H9")), ENVIRONMENT),
    Case(units_in_text_kg, _ret(("value-text-number", "H10")), ENVIRONMENT),
    Case(wrong_unit_in_text, _ret(("value-wrong-unit", "H9")), ENVIRONMENT),
    Case(percent_sign_on_a_count, _ret(("value-wrong-unit", "H21")), CHILDREN),
    Case(negative_count, _ret(("value-negative", "H21")), CHILDREN),
    Case(figure_beyond_any_real_one, _ret(("value-not-usable", "H21")), CHILDREN),
    Case(implausible_value, _ret(("value-implausible", "H9")), ENVIRONMENT),
    Case(numerator_above_denominator, _ret(("numerator-above-denominator", "I10")), CHILDREN),
    Case(denominator_zero, _ret(("denominator-zero", "J10")), CHILDREN),
    Case(numerator_without_denominator, _ret(("fraction-incomplete", "J10")), CHILDREN),
    Case(figure_disagrees_with_its_counts, _ret(("fraction-disagrees", "H10")), CHILDREN),
    Case(small_denominator, _ret(("small-denominator", "J10")), CHILDREN),
    # status, flags and words
    Case(blank_value_with_status_available, _ret(("value-blank", "H10")), CHILDREN),
    Case(value_with_status_not_available, _ret(("value-with-na-status", "H10")), CHILDREN),
    Case(value_when_not_due, _ret(("value-not-due", "H22")), CHILDREN),
    Case(unknown_status, _ret(("status-unknown", "K10")), CHILDREN),
    Case(not_due_when_due, _ret(("status-due", "K10")), CHILDREN),
    Case(unknown_yes_no, _ret(("flag-unknown", "L10")), CHILDREN),
    Case(not_available_without_a_reason, _ret(("reason-missing", "P10")), CHILDREN),
    Case(missing_comment_on_red, _ret(("comment-missing", "P15")), CHILDREN),
    Case(missing_comment_on_amber, _ret(("comment-missing", "P10")), CHILDREN),
    Case(missing_action_on_red, _ret(("action-missing", "Q24")), CHILDREN),
    Case(comment_too_long, _ret(("text-too-long", "P10")), CHILDREN),
    Case(
        same_comment_as_last_quarter,
        _ret(("comment-repeated", "P10")),
        CHILDREN,
        previous_comments={"CL02": LAST_QUARTER_COMMENT.upper() + "\n"},
    ),
    Case(
        blank_template_returned,
        _ret(("value-blank", "H9"), ("value-blank", "H10")),
        ENVIRONMENT,
    ),
    # rows and columns
    Case(row_deleted, _ret(("row-missing", None)), CHILDREN),
    Case(row_inserted_with_figures, _ret(("row-no-id", "H11")), CHILDREN),
    Case(row_inserted_for_a_new_indicator, _ret(("row-unknown-id", "A11")), CHILDREN),
    Case(rows_reordered, _ret(("row-moved", "A10")), CHILDREN),
    Case(row_duplicated, _ret(("row-duplicate", "A25")), CHILDREN),
    Case(indicator_id_edited, _ret(("row-unknown-id", "A10"), ("row-missing", None)), CHILDREN),
    Case(column_header_edited, _ret(("column-missing", None)), CHILDREN),
    Case(column_deleted, _ret(("column-missing", None)), CHILDREN),
    # Merging keeps only the top-left cell's text (the action is lost): the row is not used.
    Case(merged_cells_in_input_area, _ret(("merged-cells", "P10:Q10")), CHILDREN),
    # sheets, template details and identity
    Case(return_sheet_renamed, [("sheet-renamed", "Q1 figures", None)], CHILDREN),
    Case(return_sheet_hidden, _ret(("sheet-hidden", None)), CHILDREN),
    Case(return_sheet_deleted, _ret(("sheet-missing", None)), CHILDREN),
    Case(template_details_deleted, _file("metadata-missing"), CHILDREN),
    Case(template_detail_missing, [("metadata-edited", META_SHEET, None)], CHILDREN),
    Case(period_edited_to_nonsense, [("metadata-edited", META_SHEET, None)], CHILDREN),
    Case(register_changed_since_template, _file("template-stale-register"), CHILDREN),
    Case(template_from_an_older_version, _file("template-unsupported-version"), CHILDREN),
    Case(template_from_a_newer_kpi_excel, _file("template-newer-version"), CHILDREN),
    Case(template_version_edited, [("metadata-edited", META_SHEET, None)], CHILDREN),
    Case(
        last_quarters_old_template,
        [("template-wrong-period", None, None), ("template-unsupported-version", None, None)],
        CHILDREN,
    ),
    Case(template_from_another_period, _file("template-wrong-period"), ENVIRONMENT),
    Case(template_from_an_unknown_service_area, _file("template-unknown-service"), CHILDREN),
    Case(another_service_areas_template, _file("template-other-service"), "Community Safety"),
    # files that are not plain returns
    Case(empty_file, _file("file-empty"), None, hostile=True),
    Case(csv_renamed_xlsx, _file("file-not-xlsx"), None, hostile=True),
    Case(pdf_renamed_xlsx, _file("file-not-xlsx"), None, hostile=True),
    Case(web_page_renamed_xlsx, _file("file-not-xlsx"), None, hostile=True),
    Case(ods_renamed_xlsx, _file("file-not-xlsx"), None, hostile=True),
    Case(old_xls_file, _file("file-xls"), None, hostile=True),
    Case(password_protected, _file("file-encrypted"), None, hostile=True),
    Case(corrupt_zip, _file("file-corrupt"), None, hostile=True),
    Case(damaged_part, _file("file-corrupt"), None, hostile=True),
    Case(decompression_bomb, _file("file-too-large"), None, hostile=True),
    Case(huge_file_on_disk, _file("file-too-large"), None, hostile=True),
    Case(lying_sizes_bomb, _file("file-corrupt"), None, hostile=True),
    Case(xml_entity_bomb, _file("file-xml-entities"), None, hostile=True),
    Case(saved_as_xlsm, _file("file-macro"), None, hostile=True),
    Case(cell_beyond_excel_rows, _file("file-beyond-limits"), None, hostile=True),
    Case(merged_beyond_excel_rows, _file("file-beyond-limits"), None, hostile=True),
    Case(column_beyond_excel, _file("file-beyond-limits"), None, hostile=True),
    Case(macros_inside, _file("file-macro"), None, hostile=True),
    Case(external_link, _file("file-external-link"), CHILDREN),
    Case(embedded_object, _file("file-embedded-object"), CHILDREN),
]


# --- measuring the hostile files -------------------------------------------------------------


def measure(path: Path, register: Register) -> tuple[float, int, list[str]]:
    """Seconds and peak bytes (tracemalloc) that read_return takes over `path`, and the codes."""
    import time
    import tracemalloc

    from kpi_excel.returns.reader import read_return

    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = read_return(path, register, Q1)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return elapsed, peak, [p.code for p in result.problems]


def main() -> None:
    import tempfile

    from kpi_excel.api.run import make_templates

    register = bad_inputs_register()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        (folder / "built").mkdir()
        templates = make_templates(SAMPLES / "register.xlsx", Q1, folder / "templates")
        blank = {}
        for path in templates:
            workbook = load_workbook(path, read_only=True)
            meta = {row[0]: row[1] for row in workbook[META_SHEET].iter_rows(values_only=True)}
            blank[meta["service_area"]] = path
            workbook.close()
        returns = Returns(folder / "built", blank)
        print(f"{'file':<28} {'size':>10} {'seconds':>8} {'peak MiB':>9}  problem")
        for case in CASES:
            if not case.hostile:
                continue
            path = case.build(returns)
            elapsed, peak, codes = measure(path, register)
            size = path.stat().st_size
            print(f"{path.name:<28} {size:>10,} {elapsed:>8.3f} {peak / 2**20:>9.2f}  {codes}")


if __name__ == "__main__":
    main()
