"""Officers' return templates: one workbook per service area per period.

The layout comes entirely from core/return_spec.py: the Return sheet (return_sheet.py), the
Instructions, the hidden drop-down lists and the very hidden metadata (sheets.py).
Files are written to a temporary file in the destination folder and renamed only on success,
and regenerating a template gives a byte-identical file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from ..core import return_spec as spec
from ..core.deadlines import deadline_for
from ..core.models import HistoryPoint, Indicator, Register, Settings
from ..core.periods import Period
from ..core.problems import OutputError, RegisterError, UsageError
from ..xlsx.atomic import replace_file
from ..xlsx.styles import cell_styles, conditional_styles, palette, return_styles
from ..xlsx.write import Book, lock_structure, warnings_as_errors
from .return_sheet import Context, write_return_sheet
from .sheets import (
    choice_lists,
    write_instructions_sheet,
    write_lists_sheet,
    write_meta_sheet,
)

template_file_name = spec.template_file_name  # part of this module's API, defined with the layout

__all__ = [
    "fingerprint_register",
    "template_file_name",
    "write_return_template",
    "write_return_templates",
]


def fingerprint_register(register: Register) -> str:
    """register.fingerprint when the loader set it; otherwise the loader's own content hash, so
    a register built in code gets the same fingerprint it would have had from a file."""
    if register.fingerprint:
        return register.fingerprint
    from ..register.loader import (
        fingerprint,  # the loader's one definition of what counts as content
    )

    return fingerprint(register)


def write_return_template(
    register: Register,
    service_area: str,
    period: Period,
    path: Path,
    *,
    previous: Mapping[str, HistoryPoint] | None = None,
    last_year: Mapping[str, HistoryPoint] | None = None,
    previous_comments: Mapping[str, str] | None = None,
) -> Path:
    """Write one service area's return template for a period to path, and return path.

    previous_comments (indicator id -> last period's comment) let the guide query a comment
    copied unchanged, as `validate --store` does."""
    indicators = [ind for ind in register.indicators if ind.service_area == service_area]
    if not indicators:
        known = ", ".join(register.service_areas()) or "none"
        raise UsageError(
            f"The register has no indicators for service area '{service_area}' "
            f"(service areas: {known}). Check the spelling against the register."
        )
    _check_ids(indicators)
    meta = {
        "template_version": spec.TEMPLATE_VERSION,
        "period": str(period),
        "service_area": service_area,
        "register_fingerprint": fingerprint_register(register),
        "indicator_ids": ",".join(indicator.id for indicator in indicators),
        "generated_by": f"kpi-excel {_version()}",
    }

    def build(book: Book) -> None:
        settings = register.settings
        book.set_properties(
            title=f"Performance return {period}: {service_area}",
            subject="Performance return",
            author=settings.organisation,
            comments=f"kpi-excel return template version {spec.TEMPLATE_VERSION}",
            # A fixed date (not now) so regenerating a template gives an identical file.
            created=datetime.combine(period.start_date(), datetime.min.time()),
            keywords="KPI, performance return",
        )
        # Sheets appear in the order added: the Return first and active, hidden ones last.
        return_sheet = book.sheet(spec.RETURN_SHEET)
        instructions = book.sheet(spec.INSTRUCTIONS_SHEET)
        meta_sheet = book.sheet(spec.META_SHEET)
        lists_sheet = book.sheet(spec.LISTS_SHEET)
        context = Context(
            settings=settings,
            period=period,
            previous=previous or {},
            last_year=last_year or {},
            list_ranges={lst.choices: lst.range for lst in choice_lists()},
            previous_comments=previous_comments or {},
        )
        write_return_sheet(return_sheet, indicators, service_area, context)
        write_instructions_sheet(instructions, settings, service_area, str(period))
        write_meta_sheet(meta_sheet, meta)
        comments = [(previous_comments or {}).get(i.id) for i in indicators]
        write_lists_sheet(book, lists_sheet, comments)

    _write_atomically(Path(path), register.settings, build)
    return Path(path)


def write_return_templates(
    register: Register,
    period: Period,
    out_dir: Path,
    *,
    previous: Mapping[str, HistoryPoint] | None = None,
    last_year: Mapping[str, HistoryPoint] | None = None,
    replace: bool = False,
    on_warning: Callable[[str], None] | None = None,
    previous_comments: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write one template per service area into out_dir; return their paths in area order.

    Template names are the names officers send their returns back under, so an existing file
    is only replaced when asked: it may be a filled-in return. on_warning is told what the
    performance team should know, such as a deadline that falls before the period ends.
    """
    note = deadline_for(register.settings.return_deadline, period).note
    if note and on_warning is not None:
        on_warning(note)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"Cannot create the folder {out_dir}: {error.strerror or error}. "
            "Check the path and that you may write there."
        ) from error
    areas = register.service_areas()
    names = _unique_file_names(areas, period)
    existing = sorted(name for name in names.values() if (out_dir / name).exists())
    if existing and not replace:
        shown = ", ".join(existing[:3]) + (
            f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        )
        raise UsageError(
            f"{out_dir} already holds {shown}, which may be filled-in returns. Choose an empty "
            "folder, or add --force to replace them with blank templates."
        )
    return [
        write_return_template(
            register,
            area,
            period,
            out_dir / names[area],
            previous=previous,
            last_year=last_year,
            previous_comments=previous_comments,
        )
        for area in areas
    ]


def _unique_file_names(areas: list[str], period: Period) -> dict[str, str]:
    """File names per area; areas whose names slug alike ("A&B", "A and B") get a hash suffix."""
    names = {area: spec.template_file_name(area, period) for area in areas}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    for area, name in names.items():
        if counts[name.lower()] > 1:
            names[area] = f"{name.removesuffix('.xlsx')}-{spec.short_hash(area)}.xlsx"
    return names


def _check_ids(indicators: list[Indicator]) -> None:
    """Ids go into the metadata as a comma-separated list, so they must be distinct and plain."""
    seen: set[str] = set()
    for indicator in indicators:
        if not indicator.id.strip() or "," in indicator.id or indicator.id in seen:
            where = f" (register row {indicator.row})" if indicator.row else ""
            raise RegisterError(
                f"Indicator id '{indicator.id}'{where} cannot be put in a return template: ids "
                "must be unique, not blank and contain no commas. Correct the register."
            )
        seen.add(indicator.id)


def _version() -> str:
    from .. import __version__

    return __version__


def _write_atomically(path: Path, settings: Settings, build: Callable[[Book], None]) -> None:
    colours = palette(settings)
    styles = {**cell_styles(colours), **conditional_styles(colours), **return_styles(colours)}

    def write(temp: Path) -> None:
        # A small book whose cells are not written in row order: built in memory.
        book = Book(temp, styles, row_by_row=False)
        with warnings_as_errors():
            build(book)
            book.close()  # not reached when build fails: it would only write a half-built file
        lock_structure(temp)

    replace_file(path, write)
