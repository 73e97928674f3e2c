"""A council's RAG key as the register writes it: one line of bands, the first that fits wins.

    GREEN "On target": on target; AMBER "Slightly missed": within 10%; RED "Not achieved": otherwise

Each band is a state (GREEN, AMBER, RED or BLUE), optionally the council's name for it in
quotes and a colour, then after a colon its edge, optionally followed by a condition on the
direction of travel against last year ("if improved", "if not improved").
"""

from __future__ import annotations

import re

from ..core.models import RAG, Band, BandCondition, BandEdge, RagKey
from ..core.values import parse_number_text

EDGE_HELP = (
    "on target; within 5% (of the target); within 2 (in the indicator's unit, percentage "
    "points for a percentage); ahead by 5% / ahead by 2 (better than target by at least that); "
    "within tolerance (the indicator's own Tolerance column: relative, absolute, or a second "
    "target as a limit); otherwise; no target (rates figures with no target); data only"
)

_BAND = re.compile(
    r"""^\s*(?P<state>[A-Za-z]+)\s*
    (?:["“”'‘’](?P<name>[^"“”'‘’]+)["“”'‘’])?\s*
    (?P<colour>\#[0-9A-Fa-f]{6})?\s*:\s*
    (?P<edge>.+?)\s*
    (?:,?\s*\bif\s+(?P<condition>not\s+improved|improved)(?:\s+on\s+last\s+year)?)?\s*$""",
    re.X | re.I,
)
_NUMBERED = re.compile(r"^(?P<word>within|ahead\s+by|better\s+by)\s+(?P<amount>.+?)$", re.I)
_FIXED_EDGES = {
    "on target": BandEdge.ON_TARGET,
    "target met": BandEdge.ON_TARGET,
    "on or better than target": BandEdge.ON_TARGET,
    "within tolerance": BandEdge.TOLERANCE,
    "second target": BandEdge.TOLERANCE,
    "otherwise": BandEdge.OTHERWISE,
    "else": BandEdge.OTHERWISE,
    "no target": BandEdge.NO_TARGET,
    "data only": BandEdge.DATA_ONLY,
}
_UNIT_WORDS = re.compile(r"\s*(percentage\s+points?|points?|pp|of\s+(the\s+)?target)\s*$", re.I)


def _edge(text: str) -> tuple[BandEdge, float | None]:
    lowered = " ".join(text.lower().split())
    if lowered in _FIXED_EDGES:
        return _FIXED_EDGES[lowered], None
    match = _NUMBERED.match(lowered)
    if match is None:
        raise ValueError(f"'{text}' is not an edge kpi-excel knows: write one of {EDGE_HELP}")
    amount_text = _UNIT_WORDS.sub("", match.group("amount")).strip()
    in_points = re.search(r"\b(points?|pp)\b", match.group("amount"), re.I) is not None
    relative = amount_text.endswith("%") and not in_points
    parsed = parse_number_text(amount_text.rstrip("%").strip())
    if parsed is None or parsed.value < 0:
        raise ValueError(f"'{match.group('amount')}' in '{text}' is not a size such as 5% or 2")
    ahead = match.group("word").lower() != "within"
    if relative:
        return (BandEdge.AHEAD_RELATIVE if ahead else BandEdge.RELATIVE), parsed.value
    return (BandEdge.AHEAD_ABSOLUTE if ahead else BandEdge.ABSOLUTE), parsed.value


def _band(text: str) -> Band:
    match = _BAND.match(text)
    if match is None:
        raise ValueError(
            f"'{text.strip()}' is not a band: write a state, its name in quotes if the council "
            'has one, a colon and its edge, e.g. AMBER "Slightly missed": within 10%'
        )
    state_text = match.group("state").upper()
    if state_text not in RAG.__members__:
        raise ValueError(f"'{match.group('state')}' is not one of GREEN, AMBER, RED or BLUE")
    edge, amount = _edge(match.group("edge"))
    condition = " ".join((match.group("condition") or "any").lower().split())
    return Band(
        state=RAG(state_text),
        name=(match.group("name") or state_text).strip(),
        edge=edge,
        amount=amount,
        when=BandCondition(condition),
        colour=match.group("colour").upper() if match.group("colour") else None,
    )


def parse_rag_key(text: str, name: str = "") -> RagKey:
    """A key from its line on the Settings sheet; ValueError saying what to fix."""
    parts = [part for part in re.split(r"[;\n]", text) if part.strip()]
    if not parts:
        raise ValueError("the key has no bands")
    bands = tuple(_band(part) for part in parts)
    if not any(b.edge is BandEdge.OTHERWISE and b.when is BandCondition.ANY for b in bands):
        raise ValueError(
            "the key does not say what happens to a figure beyond every band: "
            "end it with a band such as RED: otherwise"
        )
    return RagKey(name=name, bands=bands, text="; ".join(part.strip() for part in parts))
