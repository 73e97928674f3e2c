"""Realistic returns for the benchmark, made the way the samples are: from the project's own
templates, filled in with openpyxl as an officer would.

    python bench/generate.py 100          # writes bench/generated/n100/ (reused when already there)

For N service areas: a register of 40 indicators each (percentages and counts, bigger and
smaller is better, some cumulative, some with targets to be confirmed, some not due in Q1),
a history file with last period's and last year's figures, and one filled-in return per service
area with figures near target, comments of 200 to 800 characters, a mix of statuses, and a few
bad cells (text in a number cell, a formula, a percentage cell showing 9500%).

Generation is not timed. Everything is seeded, so the same N gives the same files.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kpi_excel.core.models import HistoryPoint, Register, Unit  # noqa: E402
from kpi_excel.core.periods import Period  # noqa: E402
from kpi_excel.core.return_spec import FIELDS, HEADER_ROW, RETURN_SHEET  # noqa: E402
from kpi_excel.register.book import write_register  # noqa: E402
from kpi_excel.register.loader import load_register  # noqa: E402
from kpi_excel.templates.build import template_file_name, write_return_template  # noqa: E402

WORK = ROOT / "bench" / "generated"
PERIOD = Period.parse("2017/18 Q1")
INDICATORS_PER_AREA = 40
# Bump when what is generated changes, so cached files are made again.
GENERATOR_VERSION = "3"

SETTINGS = {
    "reporting_year": "2017/18",
    "organisation": "Benchmark Regional Partnership",
    "report_title": "Board Performance Report",
    "default_tolerance": "relative 5",
    "cumulative_short_term": True,
    "return_deadline": "2017-07-21",
}
SECTIONS = (
    "Adults and Health",
    "Children and Learning",
    "Communities and Housing",
    "Environment and Place",
    "Economy and Regeneration",
    "Resources and Customers",
    "Crime and Disorder",
    "Culture and Leisure",
)
PLACES = (
    "Ashford", "Barnet", "Bexley", "Bolton", "Bradford", "Brent", "Bromley", "Bury", "Calderdale",
    "Camden", "Croydon", "Derby", "Dudley", "Ealing", "Enfield", "Gateshead", "Greenwich",
    "Hackney", "Halton", "Haringey", "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington",
    "Kirklees", "Knowsley", "Lambeth", "Leeds", "Lewisham", "Luton", "Medway", "Merton",
    "Newham", "Oldham", "Peterborough", "Plymouth", "Reading", "Redbridge", "Richmond",
    "Rochdale", "Rotherham", "Salford", "Sandwell", "Sefton", "Sheffield", "Slough", "Solihull",
    "Southwark", "Stockport", "Sunderland", "Sutton", "Swindon", "Tameside", "Thurrock",
    "Torbay", "Trafford", "Wakefield", "Walsall", "Wandsworth", "Warrington", "Wigan", "Wirral",
    "Wokingham", "Wolverhampton", "York", "Barking", "Blackburn", "Blackpool", "Bristol",
    "Coventry", "Darlington", "Doncaster", "Durham", "Exeter", "Hartlepool", "Hull",
    "Leicester", "Lincoln", "Liverpool", "Manchester", "Middlesbrough", "Milton Keynes",
    "Newcastle", "Northampton", "Norwich", "Nottingham", "Oxford", "Portsmouth", "Preston",
    "Salisbury", "Southampton", "Stoke", "Telford", "Warwick", "Watford", "Winchester",
    "Worcester", "Cambridge", "Canterbury",
)  # fmt: skip
SERVICES = (
    "Adult Social Care", "Children's Services", "Housing", "Environment", "Public Health",
    "Community Safety", "Customer Services", "Planning", "Revenues and Benefits", "Libraries",
    "Leisure", "Regeneration",
)  # fmt: skip
# (name, unit, polarity, typical figure): a percentage figure is in points, 0 to 100.
MEASURES = (
    ("% of Stage 1 complaints closed within 15 days", "percent", "bigger", 88),
    ("% of calls answered within 60 seconds", "percent", "bigger", 80),
    ("% of FOI requests answered within 20 working days", "percent", "bigger", 90),
    ("% of major planning applications decided in 13 weeks", "percent", "bigger", 75),
    ("% of council tax collected", "percent", "bigger", 30),
    ("% of household waste sent for reuse, recycling or composting", "percent", "bigger", 37),
    ("% of care leavers in education, employment or training", "percent", "bigger", 55),
    ("% of child protection plans lasting two years or more", "percent", "smaller", 4),
    ("% of adults with learning disabilities in paid employment", "percent", "bigger", 6),
    ("% of rent collected", "percent", "bigger", 96),
    ("% of homes empty for more than six months", "percent", "smaller", 1.4),
    ("% of invoices paid within 30 days", "percent", "bigger", 92),
    ("% of staff sickness absence", "percent", "smaller", 3.5),
    ("% of repairs completed at the first visit", "percent", "bigger", 85),
    ("No. of Stage 1 complaints received", "number", "smaller", 210),
    ("No. of households in temporary accommodation", "number", "smaller", 1100),
    ("No. of fly-tipping incidents reported", "number", "smaller", 900),
    ("Average days to re-let a council home", "number", "smaller", 24),
    ("No. of delayed transfers of care (days)", "number", "smaller", 650),
    ("No. of affordable homes delivered", "number", "bigger", 60),
    ("No. of library visits", "number", "bigger", 120000),
    ("No. of anti-social behaviour reports", "number", "smaller", 1800),
    ("Average days to process new benefit claims", "number", "smaller", 21),
    ("No. of volunteers recruited", "number", "bigger", 140),
    ("Kg of residual waste per household", "number", "smaller", 140),
    ("No. of young people not in education, employment or training", "number", "smaller", 210),
)
SENTENCES = (
    "Performance this quarter reflects the continued pressure on the service from rising "
    "demand, particularly in the second half of the period.",
    "The figure is slightly below the profiled target because two senior posts were vacant "
    "for most of the quarter; both have now been filled.",
    "A new case management system went live in May and some records were still being "
    "migrated at the end of the quarter, so the figure may be revised.",
    "We have benchmarked against our statistical neighbours and our performance is in the "
    "top quartile, although the gap has narrowed since last year.",
    "Seasonal factors usually depress this indicator in the first quarter and we expect it to "
    "recover over the summer, in line with the pattern of previous years.",
    "The team has introduced weekly performance clinics and a daily huddle to track the "
    "oldest cases, which has already reduced the backlog by a third.",
    "Data for June is provisional because the provider's monthly submission arrived late; it "
    "will be confirmed in the next return.",
    "Demand increased by 12% compared with the same period last year, while staffing levels "
    "remained the same, which explains most of the shortfall.",
    "The improvement is the result of the invest-to-save project agreed by Cabinet in "
    "February, which added capacity at the front door.",
    "A deep dive will be presented to the sub-committee in September, setting out the causes "
    "and the actions agreed with partners.",
    "The definition is unchanged from last year, so the figures can be compared directly.",
    "Officers are working with the voluntary sector to reach residents who do not use the "
    "online service, and a pilot starts in two wards next month.",
)
ACTIONS = (
    "Recruitment to the two vacant posts is complete and the new starters join in August.",
    "An improvement plan has been agreed with the service manager and progress is reviewed "
    "fortnightly by the head of service.",
    "Agency staff have been brought in for twelve weeks to clear the backlog of older cases.",
    "The process is being redesigned with the customer services team to remove duplicate "
    "handoffs; the new process will be in place by the end of Q2.",
)


def area_names(n: int) -> list[str]:
    """N distinct service areas, like a regional body's many organisations and services."""
    if n > len(PLACES) * len(SERVICES):
        raise ValueError(f"at most {len(PLACES) * len(SERVICES)} service areas")
    # Place i % 100 with a service that steps on: distinct pairs for every i below 1,200.
    return [
        f"{PLACES[i % len(PLACES)]} {SERVICES[(i // len(PLACES) + i) % len(SERVICES)]}"
        for i in range(n)
    ]


def register_rows(n: int) -> list[dict]:
    rows = []
    for a, area in enumerate(area_names(n)):
        rng = random.Random(a)
        section = SECTIONS[a % len(SECTIONS)]
        for k in range(INDICATORS_PER_AREA):
            name, unit, polarity, typical = MEASURES[(a * 7 + k) % len(MEASURES)]
            draw = rng.random()
            row = {
                "id": f"A{a:04d}-{k + 1:02d}",
                "section": section,
                "service_area": area,
                "name": name,
                "polarity": "none" if draw < 0.04 else polarity,
                "unit": unit,
                "decimals": 1 if unit == "percent" and typical < 10 else 0,
                "basis": "cumulative" if unit == "number" and draw > 0.75 else "snapshot",
                "frequency": "annual" if 0.04 <= draw < 0.09 else "quarterly",
            }
            target_draw = rng.random()
            if target_draw < 0.08:
                row["annual_target"] = "TBC"
            elif target_draw < 0.12:
                row["annual_target"] = "N/A"
            else:
                scale = 4 if row["basis"] == "cumulative" else 1
                row["annual_target"] = _round(typical * scale * rng.uniform(0.9, 1.1), unit)
                if unit == "percent":
                    row["annual_target"] = min(row["annual_target"], 100)
            if unit == "percent" and rng.random() < 0.15:
                row["uses_fraction"] = "yes"
            if unit == "number" and rng.random() < 0.2:
                row["min_value"] = 0
                row["max_value"] = _round(typical * 20, unit)
            rows.append(row)
    return rows


def _round(value: float, unit: str) -> float | int:
    return round(value, 1) if unit == "percent" else int(round(value))


def history_points(register: Register) -> tuple[dict, dict]:
    previous: dict[str, HistoryPoint] = {}
    last_year: dict[str, HistoryPoint] = {}
    rng = random.Random(1)
    for indicator in register.indicators:
        if rng.random() < 0.1:
            continue  # a new indicator: no history
        typical = _typical(indicator.name)
        for store, period in (
            (previous, PERIOD.previous()),
            (last_year, PERIOD.same_period_last_year()),
        ):
            value = _figure(indicator, typical, rng)
            store[indicator.id] = HistoryPoint(
                indicator_id=indicator.id, period=str(period), value=value
            )
    return previous, last_year


def _typical(name: str) -> float:
    return next(typical for measure, _, _, typical in MEASURES if measure == name)


def _figure(indicator, typical: float, rng: random.Random) -> float:
    value = typical * rng.uniform(0.8, 1.2)
    if indicator.unit is Unit.PERCENT:
        return round(min(value, 99.5), indicator.decimals)
    return float(int(round(value)))


def write_history(path: Path, previous: dict, last_year: dict) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator_id", "period", "value", "label"])
        for store in (last_year, previous):
            for point in store.values():
                writer.writerow([point.indicator_id, point.period, f"{point.value:g}", ""])


def comment(rng: random.Random) -> str:
    """Sentences until the comment is 200 to 800 characters long."""
    goal = rng.randint(200, 800)
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < goal:
        parts.append(rng.choice(SENTENCES))
    return " ".join(parts)[:800].rstrip()


# --- filling the templates, in worker processes -------------------------------------------

_REGISTER: Register | None = None
_HISTORY: tuple[dict, dict] = ({}, {})


def _init(register: Register, history: tuple[dict, dict]) -> None:
    global _REGISTER, _HISTORY
    _REGISTER, _HISTORY = register, history


def _make_return(job: tuple[int, str, str, str]) -> str:
    from openpyxl import load_workbook

    index, area, template_dir, returns_dir = job
    assert _REGISTER is not None
    name = template_file_name(area, PERIOD)
    template = Path(template_dir) / name
    previous, last_year = _HISTORY
    write_return_template(_REGISTER, area, PERIOD, template, previous=previous, last_year=last_year)
    by_id = {i.id: i for i in _REGISTER.indicators if i.service_area == area}
    workbook = load_workbook(template)
    sheet = workbook[RETURN_SHEET]
    column = {field.key: number + 1 for number, field in enumerate(FIELDS)}
    rng = random.Random(1000 + index)
    bad = _bad_cells(index)
    percent_rows = [
        position
        for position, indicator in enumerate(by_id.values(), start=1)
        if indicator.unit is Unit.PERCENT and indicator.due_in(PERIOD.quarter or 1)
    ]
    if 0 in bad and percent_rows:
        bad[percent_rows[0]] = bad.pop(0)
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        indicator = by_id.get(str(sheet.cell(row, column["id"]).value))
        if indicator is None:
            continue

        def put(key: str, value: object, row: int = row) -> None:
            sheet.cell(row, column[key]).value = value

        due = indicator.due_in(PERIOD.quarter or 1)
        draw = rng.random()
        if not due:
            put("status", "not due")
        elif draw < 0.07:
            put("status", "not available")
            put("comment", comment(rng))
        else:
            value = _figure(indicator, _typical(indicator.name), rng)
            if indicator.uses_fraction:
                denominator = rng.randint(40, 900)
                numerator = round(denominator * value / 100)
                put("numerator", numerator)
                put("denominator", denominator)
                value = round(numerator / denominator * 100, indicator.decimals)
            put("value", value)
            put("status", "available")
            put("provisional", "Yes" if rng.random() < 0.1 else "No")
            put("average", "Yes" if rng.random() < 0.05 else "No")
            if rng.random() < 0.75:
                put("comment", comment(rng))
            if rng.random() < 0.35:
                put("corrective_action", rng.choice(ACTIONS))
        bad_kind = bad.get(row - HEADER_ROW)
        if bad_kind == "text":
            put("value", "about 60, to be confirmed")
            put("status", "available")
        elif bad_kind == "formula":
            put("value", "=40+25")
            put("status", "available")
        elif bad_kind == "9500%":
            put("value", 95)
            put("status", "available")
            sheet.cell(row, column["value"]).number_format = "0%"
    workbook.save(Path(returns_dir) / name)
    template.unlink()
    return name


def _bad_cells(index: int) -> dict[int, str]:
    """A few bad cells across the set: which data rows of this return get one."""
    bad: dict[int, str] = {}
    if index % 7 == 3:
        bad[5] = "text"
    if index % 11 == 4:
        bad[12] = "formula"
    if index % 13 == 5:
        bad[0] = "9500%"  # on the first percentage row
    return bad


def generate(n: int, *, workers: int = 2, quiet: bool = False) -> Path:
    """Make (or reuse) bench/generated/n{N}: register.xlsx, history.csv, returns/."""
    folder = WORK / f"n{n}"
    marker = folder / "generated.json"
    stamp = {"version": GENERATOR_VERSION, "n": n, "per_area": INDICATORS_PER_AREA}
    if marker.exists() and json.loads(marker.read_text()) == stamp:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "returns").mkdir(parents=True)
    (folder / "templates").mkdir()
    if not quiet:
        print(f"generating {n} returns in {folder} (not timed) ...", file=sys.stderr, flush=True)
    write_register(folder / "register.xlsx", register_rows(n), SETTINGS)
    register = load_register(folder / "register.xlsx")
    previous, last_year = history_points(register)
    write_history(folder / "history.csv", previous, last_year)
    jobs = [
        (index, area, str(folder / "templates"), str(folder / "returns"))
        for index, area in enumerate(register.service_areas())
    ]
    with ProcessPoolExecutor(
        workers, initializer=_init, initargs=(register, (previous, last_year))
    ) as pool:
        for _ in pool.map(_make_return, jobs, chunksize=8):
            pass
    (folder / "templates").rmdir()
    marker.write_text(json.dumps(stamp))
    return folder


if __name__ == "__main__":
    for size in sys.argv[1:] or ["10"]:
        print(generate(int(size)))
