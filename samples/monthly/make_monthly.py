"""Regenerate the monthly samples: python samples/monthly/make_monthly.py

INVENTED DATA. Every figure here is made up, from a fixed random seed, to show each SPC
icon of NHS England's Making Data Count. No figure is any council's, and none may be quoted.

Writes, beside this script: register.xlsx (monthly indicators), history.csv (April 2017 to
August 2019, 29 months each) and returns/ (September 2019, "2019/20 M06", typed into the
generated templates as an officer would). Then:

    kpi-excel consolidate samples/monthly/register.xlsx samples/monthly/returns \\
        --period "2019/20 M06" --history samples/monthly/history.csv --out out/monthly.xlsx
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from make_samples import stamp_saved  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from kpi_excel.api.run import make_templates  # noqa: E402
from kpi_excel.core.periods import Period  # noqa: E402
from kpi_excel.core.return_spec import FIELDS, HEADER_ROW, RETURN_SHEET  # noqa: E402
from kpi_excel.register.book import write_register  # noqa: E402

PERIOD = Period.parse("2019/20 M06")
FIRST = Period.parse("2017/18 M01")
SETTINGS = {
    "reporting_year": "2019/20",
    "organisation": "Anytown Council (INVENTED monthly example)",
    "report_title": "Monthly Performance Report",
    "default_tolerance": "none",
    "return_deadline": "2019-10-11",
}
SAVED = "2019-10-08T10:00:00Z"  # the officers' saved date, before the deadline


def months() -> list[Period]:
    found = [FIRST]
    while found[-1] != PERIOD:
        found.append(found[-1].next())
    return found


def _noise(seed: int, count: int, spread: float) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-spread, spread) for _ in range(count)]


def _series(base: float, spread: float, seed: int, tail: list[float]) -> list[float]:
    """A stable process at base, ending with the given last values (the signal to show)."""
    count = len(months()) - len(tail)
    return [round(base + n, 1) for n in _noise(seed, count, spread)] + tail


# (register row, 30 monthly figures ending with the reported month, the icons it shows:
# tests/test_monthly_samples.py checks them)
INDICATORS = [
    (
        {"id": "M01", "name": "Calls answered within 20 seconds", "polarity": "bigger",
         "unit": "percent", "decimals": 1, "annual_target": 80},
        _series(85, 2.0, 1, [87.6, 88.0, 87.4, 88.9, 87.8, 88.4, 89.1]),
        "improvement (high); target consistently met",
    ),
    (
        {"id": "M02", "name": "Days to process new benefit claims", "polarity": "smaller",
         "unit": "number", "decimals": 1, "suffix": "days", "annual_target": 20},
        _series(19, 1.5, 2, [18.4, 18.9, 19.5, 20.2, 20.8, 21.4]),
        "concern (high); hit and miss",
    ),
    (
        {"id": "M03", "name": "Missed bin collections per 100,000", "polarity": "smaller",
         "unit": "number", "decimals": 0, "annual_target": 30},
        _series(62, 6.0, 3, [38]),
        "improvement (low); target consistently missed",
    ),
    (
        {"id": "M04", "name": "Households in temporary accommodation", "polarity": "none",
         "unit": "number", "decimals": 0, "annual_target": "N/A"},
        _series(410, 12.0, 4, [440, 446, 438, 451, 444, 449]),
        "neither (high): no polarity, no target",
    ),
    (
        {"id": "M05", "name": "Library visits", "polarity": "none", "unit": "number",
         "decimals": 0, "annual_target": "N/A"},
        _series(21000, 900.0, 5, [17600]),
        "neither (low): no polarity, no target",
    ),
    (
        {"id": "M06", "name": "Council tax collected in the month", "polarity": "bigger",
         "unit": "percent", "decimals": 1, "annual_target": 9.5},
        _series(9.4, 0.5, 6, []),
        "common cause; hit and miss",
    ),
    (
        {"id": "M07", "name": "Fly-tipping incidents cleared within 2 days", "polarity": "bigger",
         "unit": "percent", "decimals": 1, "annual_target": 90},
        _series(78, 3.0, 7, [70.1]),
        "concern (low); target consistently missed",
    ),
]  # fmt: skip
NEW_INDICATOR = (
    {"id": "M08", "name": "Garden waste subscriptions (new scheme)", "polarity": "bigger",
     "unit": "number", "decimals": 0, "annual_target": 5000},
    [4100, 4380, 4520, 4610, 4790, 4850, 4960, 5020],
    "run chart: 8 months, too few for limits",
)  # fmt: skip


def register_rows() -> list[dict[str, object]]:
    rows = []
    for entry, _, _ in [*INDICATORS, NEW_INDICATOR]:
        rows.append(
            {
                "section": "Resources" if entry["id"] in ("M01", "M02", "M06") else "Place",
                "service_area": "Customer services" if entry["id"] < "M03" else "Environment",
                "description": "Invented for the monthly example.",
                "basis": "snapshot",
                "frequency": "monthly",
                **entry,
            }
        )
    return rows


def write_history(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator_id", "period", "value", "label"])
        for entry, figures, _ in [*INDICATORS, NEW_INDICATOR]:
            periods = months()[-len(figures) :]
            for period, figure in zip(periods[:-1], figures[:-1], strict=True):
                writer.writerow([entry["id"], str(period), figure, ""])


def fill_return(template: Path, figures: dict[str, float], target: Path) -> None:
    workbook = load_workbook(template)
    sheet = workbook[RETURN_SHEET]
    column = {field.key: index + 1 for index, field in enumerate(FIELDS)}
    for row_number in range(HEADER_ROW + 1, sheet.max_row + 1):
        indicator_id = str(sheet.cell(row_number, column["id"]).value)
        if indicator_id in figures:
            sheet.cell(row_number, column["value"]).value = figures[indicator_id]
            sheet.cell(row_number, column["status"]).value = "Available"
            sheet.cell(row_number, column["comment"]).value = "Invented figure."
            sheet.cell(row_number, column["corrective_action"]).value = "Invented action."
    workbook.save(target)


def main() -> None:
    register, history, returns = HERE / "register.xlsx", HERE / "history.csv", HERE / "returns"
    write_register(register, register_rows(), SETTINGS)
    write_history(history)
    blank = HERE / "templates"
    shutil.rmtree(blank, ignore_errors=True)
    shutil.rmtree(returns, ignore_errors=True)
    returns.mkdir()
    templates = make_templates(register, PERIOD, blank, history=history)
    figures = {entry["id"]: values[-1] for entry, values, _ in [*INDICATORS, NEW_INDICATOR]}
    for template in templates:
        fill_return(template, figures, returns / template.name)
        stamp_saved(returns / template.name, SAVED)
    shutil.rmtree(blank)
    print(f"Wrote {register.name}, {history.name} and {len(templates)} returns in {returns}")


if __name__ == "__main__":
    main()
