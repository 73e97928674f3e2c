"""Files in and out: the safe .xlsx reader, the one writing adapter and style sheet, atomic writes."""

from .atomic import make_folder, replace_file, write_bytes
from .outputs import OUTPUT_AUTHOR, OUTPUT_MARK, Place, check_outputs, pdf_beside, place
from .read import RawCell, SheetData, XlsxBook, is_percent_format, open_xlsx
from .safety import DEFAULT_LIMITS, MB, Limits, check_package, not_a_file
from .styles import (
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    cell_styles,
    chart_fills,
    conditional_styles,
    number_format,
    palette,
)
from .write import (
    BarSeries,
    Book,
    LineSeries,
    PrintSetup,
    Sheet,
    cell,
    checked,
    ref,
    warnings_as_errors,
)

__all__ = [
    "BarSeries",
    "Book",
    "DEFAULT_LIMITS",
    "LINE_HEIGHT",
    "Limits",
    "LineSeries",
    "MAX_ROW_HEIGHT",
    "MB",
    "OUTPUT_AUTHOR",
    "OUTPUT_MARK",
    "Place",
    "PrintSetup",
    "RawCell",
    "Sheet",
    "SheetData",
    "XlsxBook",
    "cell",
    "cell_styles",
    "chart_fills",
    "check_outputs",
    "check_package",
    "checked",
    "conditional_styles",
    "is_percent_format",
    "make_folder",
    "not_a_file",
    "number_format",
    "open_xlsx",
    "palette",
    "pdf_beside",
    "place",
    "ref",
    "replace_file",
    "warnings_as_errors",
    "write_bytes",
]
