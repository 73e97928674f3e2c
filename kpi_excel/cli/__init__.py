"""The command line: a thin layer over the Python API."""

from . import history  # noqa: F401  (registers the history commands on main)
from .app import main

__all__ = ["main"]
