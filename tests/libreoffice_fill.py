"""Fill in return templates with LibreOffice itself, as an officer using LibreOffice would.

Run by the system Python that carries LibreOffice's UNO bridge (python3-uno), not by the test's
Python:

    /usr/bin/python3 tests/libreoffice_fill.py TEMPLATE OUT.xlsx VALUES.json PROFILE_DIR
    /usr/bin/python3 tests/libreoffice_fill.py --batch JOBS.json PROFILE_DIR

VALUES.json is a list of [sheet, cell, text] or [sheet, cell, text, how]; each text is entered
with setFormula, which parses it as Calc parses what is typed into a cell ("60.9" a number, "N/A"
text). `how` may be "text" (entered as text, as after a leading apostrophe) or a number format
code to give the cell after typing (what pasting a formatted cell from elsewhere does).
JOBS.json is a list of {"template", "target", "values"}: one LibreOffice session fills them
all, recalculating each before saving it as .xlsx. It starts its own headless LibreOffice with
a private profile and stops it when done.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]  # from python3-uno
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.lang import Locale  # type: ignore[import-not-found]

XLSX_FILTER = "Calc MS Excel 2007 XML"


def _property(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str, seconds: float = 60.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + seconds
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # NoConnectException until the office is listening
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _enter(document, sheet_name: str, ref: str, text: str, how: str | None) -> None:
    cell = document.Sheets.getByName(sheet_name).getCellRangeByName(ref)
    if how == "text":
        cell.setString(text)
        return
    cell.setFormula(text)
    if how:
        formats = document.NumberFormats
        locale = Locale()
        key = formats.queryKey(how, locale, False)
        if key == -1:
            key = formats.addNew(how, locale)
        cell.NumberFormat = key


def _fill_one(desktop, template: str, target: str, values: list[list[str]]) -> None:
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(template)),
        "_blank",
        0,
        (_property("Hidden", True),),
    )
    try:
        for entry in values:
            sheet_name, ref, text = entry[:3]
            _enter(document, sheet_name, ref, text, entry[3] if len(entry) > 3 else None)
        document.calculateAll()
        document.storeToURL(
            uno.systemPathToFileUrl(os.path.abspath(target)),
            (_property("FilterName", XLSX_FILTER),),
        )
    finally:
        document.close(True)


def fill_all(jobs: list[dict], profile: str) -> None:
    pipe = f"kpi_excel_fill_{os.getpid()}"
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;",
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    desktop = None
    try:
        context = _connect(pipe)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        for job in jobs:
            _fill_one(desktop, job["template"], job["target"], job["values"])
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except Exception:  # the bridge closes as the office exits
                pass
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


def fill(template: str, target: str, values: list[list[str]], profile: str) -> None:
    fill_all([{"template": template, "target": target, "values": values}], profile)


if __name__ == "__main__":
    if sys.argv[1] == "--batch":
        jobs_path, profile_dir = sys.argv[2:4]
        with open(jobs_path, encoding="utf-8") as handle:
            fill_all(json.load(handle), profile_dir)
    else:
        template_path, target_path, values_path, profile_dir = sys.argv[1:5]
        with open(values_path, encoding="utf-8") as handle:
            fill(template_path, target_path, json.load(handle), profile_dir)
