"""The problem kinds the performance team (register, history, settings) and whoever runs
kpi-excel (paths, disk) act on; catalogue.py holds the officers' and the machinery."""

from __future__ import annotations

from .catalogue import TEAM, E, W, define

# --- register and history (the performance team's files) ------------------------------------
define(
    "register-invalid",
    E,
    TEAM,
    "Register entry not valid",
    "{detail}",
    "Correct the register and run again.",
)
define(
    "register-duplicate-id",
    E,
    TEAM,
    "Indicator id used twice",
    "The indicator id '{value}' is used on more than one row ({detail}).",
    "Give each indicator its own id; ids must never change between years.",
)
define(
    "text-cut",
    W,
    TEAM,
    "Text cut on the board",
    "The text is {detail} characters long, more than an Excel cell holds ({expected}): the "
    "board shows its start, marked as cut; the JSON output has all of it.",
    "Ask the officer to shorten it to a few paragraphs and keep long reports in a document "
    "of their own.",
)
define(
    "target-percent-fraction",
    E,
    TEAM,
    "Percentage target typed as a fraction",
    "The target {value} would be read as {value}%, not {detail}%.",
    "For {detail}% type {detail} (or format the cell as a percentage); for {value}% type {value}%.",
)
define(
    "settings-missing",
    E,
    TEAM,
    "Settings sheet missing",
    "The register has no '{sheet}' sheet (sheets found: {detail}), so its reporting year, "
    "tolerance, labels and deadline are unknown.",
    "Name the sheet 'Settings' again, or copy it from a register made by kpi-excel "
    "new-register and fill it in.",
)
define(
    "settings-invalid",
    E,
    TEAM,
    "Setting not valid",
    "{detail}",
    "Correct the Settings sheet of the register.",
)
define(
    "figure-precision-decides",
    W,
    TEAM,
    "Rounding decides a rating or arrow",
    "{detail}",
    "Check the figure: the rating or arrow follows the figure as shown. If the register's "
    "Decimals hide places that matter, give it more (or leave it blank: figures as recorded).",
)
define(
    "register-wrong-year",
    E,
    TEAM,
    "Register is for another year",
    "The register is for {detail}.",
    "Give the register for the period's year, or make next year's register with "
    "'kpi-excel new-year' and review its targets.",
)
define(
    "file-too-big-to-read",
    E,
    TEAM,
    "File too large",
    "The file is {detail}, more than a {expected} can need.",
    "Check that this is the right file; split it if it really holds that much.",
)
define(
    "history-invalid",
    E,
    TEAM,
    "History entry not valid",
    "{detail}",
    "Correct the history file and run again.",
)
define(
    "history-unknown-id",
    W,
    TEAM,
    "History for an unknown indicator",
    "History has figures for '{value}', which is not in the register; they were ignored.",
    "Remove the rows, or add the indicator to the register.",
)
define(
    "indicator-retired",
    W,
    TEAM,
    "Indicator no longer in the register",
    "'{value}' has a figure for {detail} in the history but is not in this register, so the "
    "board leaves it out.",
    "If it was retired, nothing to do. If it was renamed, give it back its id: an indicator's "
    "id must not change between years, or its arrows and history are lost.",
)
define(
    "closed-under-another-register",
    W,
    TEAM,
    "Closed under another register",
    "{detail} was closed with a register whose indicators, targets or key differ from this "
    "one: its figures are as closed, but the ratings and arrows follow this register.",
    "To see the board as it was, run again with the register the period was closed with "
    "(keep each year's register: new-year writes a new file).",
)
define(
    "closed-period-differs",
    W,
    TEAM,
    "Differs from the closed period",
    "{detail} is closed with {expected}, but this gives {value}.",
    "A closed period is changed only by a correction, which keeps who, when and why: "
    "kpi-excel correct --period ... --id ... --value ... --why ....",
)
define(
    "published-arrow-disagrees",
    W,
    TEAM,
    "Published arrow disagrees",
    "{detail}",
    "Use the computed arrow: the published one contradicts its own figures.",
)
define(
    "published-rag-disagrees",
    W,
    TEAM,
    "Published rating disagrees",
    "{detail}",
    "Use the computed rating, or write the key the report used on the Settings sheet "
    "(docs/rules.md) if the register's key is not the one it used.",
)
define(
    "published-rag-inconsistent",
    W,
    TEAM,
    "Published ratings no single key explains",
    "{detail}",
    "Check these ratings by hand: a key of bands rates a bigger shortfall no better than a "
    "smaller one, unless its bands depend on the direction of travel.",
)
