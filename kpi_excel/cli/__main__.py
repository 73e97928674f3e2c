"""Lets `python -m kpi_excel.cli` run the command line."""

from . import main

main()
