"""Regenerate the samples from samples/source/havering-2017-18-q1.csv (and the invented Q2).

    python samples/make_samples.py        # Q1, then Q2
    python samples/make_samples.py q2     # only Q2, from the Q1 samples already there

Writes samples/register.xlsx, samples/history.csv and one filled-in return per service area in
samples/returns/. The returns are made the way an officer would: the generated template is
opened (here with openpyxl), the figure, status, flags and comments are typed in, and it is saved.
The figures, flags and comments are the example report's (London Borough of Havering, Overview
and Scrutiny Board, Q1 2017/18); service areas and ids are ours.

Q2 (samples/returns-q2/) is INVENTED, from samples/source/invented-2017-18-q2.csv: see
samples/README.md. Its templates are made the way the team would make them: history.csv is
imported into a history store, Q1 is closed from samples/returns, and the store's export gives
the templates their previous figures.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from openpyxl import load_workbook  # noqa: E402

from kpi_excel.api.history import close_period, export_history, import_history  # noqa: E402
from kpi_excel.api.run import make_templates  # noqa: E402
from kpi_excel.core.periods import Period  # noqa: E402
from kpi_excel.core.return_spec import FIELDS, HEADER_ROW, RETURN_SHEET  # noqa: E402
from kpi_excel.register.book import write_register  # noqa: E402

SOURCE = HERE / "source" / "havering-2017-18-q1.csv"
PERIOD = Period.parse("2017/18 Q1")
SOURCE_Q2 = HERE / "source" / "invented-2017-18-q2.csv"
PERIOD_Q2 = Period.parse("2017/18 Q2")
SETTINGS = {
    "reporting_year": "2017/18",
    "organisation": "London Borough of Havering (example data)",
    "report_title": "O&S Board Performance Report",
    "default_tolerance": "none",  # the example year had no amber band
    "cumulative_short_term": True,  # the example compares Q1 year-to-date with 2016/17
    "return_deadline": "2017-07-21",
}
REGISTER_KEYS = (
    "id",
    "section",
    "service_area",
    "name",
    "description",
    "polarity",
    "unit",
    "decimals",
    "suffix",
    "basis",
    "frequency",
    "due_quarters",
    "annual_target",
    "q1_target",
)


def _number_or_text(text: str) -> float | int | str:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def load_source(path: Path = SOURCE) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_sample_register(rows: list[dict[str, str]], path: Path) -> None:
    register_rows = []
    for row in rows:
        entry = {key: row[key] for key in REGISTER_KEYS}
        entry["decimals"] = int(row["decimals"] or 0)
        for key in ("annual_target", "q1_target"):
            entry[key] = _number_or_text(row[key]) if row[key] else ""
        register_rows.append(entry)
    write_register(path, register_rows, SETTINGS)


def write_sample_history(rows: list[dict[str, str]], path: Path) -> None:
    previous, last_year = PERIOD.previous(), PERIOD.same_period_last_year()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator_id", "period", "value", "label"])
        for row in rows:
            for period, value, label in (
                (last_year, row["last_year"], row["last_year_label"]),
                (previous, row["previous"], row["previous_label"]),
            ):
                if value:
                    writer.writerow([row["id"], str(period), value, label])


def write_published_arrows(rows: list[dict[str, str]], path: Path) -> None:
    """The arrows and ratings the example report printed, for `consolidate --published`."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator_id", "short_term", "long_term", "rag"])
        for row in rows:
            published = [row["published_st"], row["published_lt"], row["published_rag"]]
            writer.writerow([row["id"], *published])


def fill_return(template: Path, rows_by_id: dict[str, dict[str, str]], target: Path) -> None:
    """Type the figures into a template, as an officer would, and save it as a new file."""
    workbook = load_workbook(template)
    sheet = workbook[RETURN_SHEET]
    column = {field.key: index + 1 for index, field in enumerate(FIELDS)}
    for row_number in range(HEADER_ROW + 1, sheet.max_row + 1):
        indicator_id = sheet.cell(row_number, column["id"]).value
        row = rows_by_id.get(str(indicator_id))
        if row is None:
            continue
        if row["figure"]:
            sheet.cell(row_number, column["value"]).value = _number_or_text(row["figure"])
        sheet.cell(row_number, column["status"]).value = row["status"]
        sheet.cell(row_number, column["provisional"]).value = row["provisional"]
        sheet.cell(row_number, column["average"]).value = row["average"]
        if row["comment"]:
            sheet.cell(row_number, column["comment"]).value = row["comment"]
        if row["corrective_action"]:
            sheet.cell(row_number, column["corrective_action"]).value = row["corrective_action"]
    workbook.save(target)


# When each officer saved their Q1 return (the deadline was 21 July 2017): one came in late.
SAVED_Q1 = {"environment": "2017-07-24T09:12:00Z"}
SAVED_Q1_DEFAULT = "2017-07-14T16:30:00Z"


def stamp_saved(path: Path, when: str) -> None:
    """Give a sample return the saved date its officer's copy would carry.

    openpyxl stamps the time it saves; kpi-excel reads the workbook's own saved date
    (docProps/core.xml) to tell a late return, so the samples carry 2017's dates.
    """
    with zipfile.ZipFile(path) as old:
        parts = [(item, old.read(item.filename)) for item in old.infolist()]
    temp = path.with_suffix(".stamping")
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as new:
        for item, data in parts:
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + when.encode() + rb"\g<2>",
                    data,
                )
            new.writestr(item, data)
    temp.replace(path)


def make_q1() -> None:
    rows = load_source()
    register = HERE / "register.xlsx"
    history = HERE / "history.csv"
    returns = HERE / "returns"
    write_sample_register(rows, register)
    write_sample_history(rows, history)
    write_published_arrows(rows, HERE / "published-arrows-2017-18-q1.csv")
    blank = HERE / "templates"
    shutil.rmtree(blank, ignore_errors=True)
    shutil.rmtree(returns, ignore_errors=True)
    returns.mkdir()
    templates = make_templates(register, PERIOD, blank, history=history)
    rows_by_id = {row["id"]: row for row in rows}
    for template in templates:
        fill_return(template, rows_by_id, returns / template.name)
        area = template.stem.removeprefix("2017-18-Q1-")
        stamp_saved(returns / template.name, SAVED_Q1.get(area, SAVED_Q1_DEFAULT))
    shutil.rmtree(blank)
    print(f"Wrote {register.name}, {history.name} and {len(templates)} returns in {returns}")


def make_q2() -> None:
    """The invented Q2 returns, on templates whose previous figures come from a store."""
    register = HERE / "register.xlsx"
    returns = HERE / "returns-q2"
    rows_by_id = {row["id"]: row for row in load_source(SOURCE_Q2)}
    with tempfile.TemporaryDirectory() as temp:
        store = Path(temp) / "history.sqlite"
        import_history(HERE / "history.csv", register, store=store, by="make_samples")
        close_period(register, [HERE / "returns"], PERIOD, store=store, by="make_samples")
        exported = export_history(Path(temp) / "history.csv", store=store).path
        templates = make_templates(register, PERIOD_Q2, Path(temp) / "templates", history=exported)
        shutil.rmtree(returns, ignore_errors=True)
        returns.mkdir()
        for template in templates:
            fill_return(template, rows_by_id, returns / template.name)
    print(f"Wrote {len(templates)} invented {PERIOD_Q2} returns in {returns}")


def main(argv: list[str]) -> None:
    if argv not in ([], ["q2"]):
        sys.exit("usage: python samples/make_samples.py [q2]")
    if not argv:
        make_q1()
    make_q2()


if __name__ == "__main__":
    main(sys.argv[1:])
