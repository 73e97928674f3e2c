"""The live guide of the return sheet: the validator's verdict, worked out as the officer types.

The reader (returns/cells.py and returns/reader.py) decides what each cell means and which
problems a row has; the rules engine (core/rules.py) rates the figure. The guide repeats those
decisions in formulas, one step per hidden working column, each giving the problem codes of the
catalogue (core/catalogue.py), so "Check" shows the catalogue's own title for the worst problem
and "Rating (guide)" the rating the run will give. Where a formula cannot decide exactly what
the reader will make of an entry (text in a number cell that starts like a number, such as
"95%" or "1,234"), the row says "will be checked" and shows no rating, rather than guess.

The rating's edges are not restated here: they are found by asking `rules.rate` itself, so
the guide and the board cannot disagree about where GREEN ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from ..core.display import display_places
from ..core.models import (
    BandCondition,
    Indicator,
    ResolvedTarget,
    ReturnRecord,
    Settings,
    Status,
    Unit,
)
from ..core.periods import Period
from ..core.problems import CATALOGUE, Severity
from ..core.return_spec import (
    FIELDS,
    MAX_COMMENT_CHARS,
    NO,
    NOT_AVAILABLE_TOKENS,
    NOT_DUE_TOKENS,
    SMALL_DENOMINATOR,
    YES,
    column_letter,
    column_of,
)
from ..core.rules import rate
from ..core.values import MAX_MAGNITUDE

GUIDE_MESSAGES = "kpi_guide_messages"  # the defined name of the Check column's words
UNDECIDED = "U;"  # the code of an entry only the reader can judge
WILL_BE_CHECKED = "Will be checked when you send it"
# The reader's status words (returns/reader.py), and what each means.
STATUS_WORDS = {
    Status.AVAILABLE.value: Status.AVAILABLE.value,
    Status.NOT_AVAILABLE.value: Status.NOT_AVAILABLE.value,
    Status.NOT_DUE.value: Status.NOT_DUE.value,
    "n/a": Status.NOT_AVAILABLE.value,
    "unavailable": Status.NOT_AVAILABLE.value,
}
FLAG_WORDS = (YES.lower(), "y", "true", NO.lower(), "n", "false")
# Text that starts with one of these cannot be a number, whatever follows.
NOT_A_NUMBER_START = "abcdefghijklmnopqrstuvwxyz#"


# --- the hidden working columns, right of the last field --------------------------------


WORK_KEYS = (
    "value_word",  # the Figure cell's text, normalised as the reader normalises words
    "figure",  # the figure read from the Figure cell: number, "" none, "na"/"nd" words, "?"
    "numerator",  # the counts as read: number, "" none, "?"
    "denominator",
    "status_word",  # the Status cell's word: a status, "" blank, "?" undecided, "!" unknown
    "cell_codes",  # problems of single cells
    "used",  # the figure the run uses (the counts win): number, "" none, "?"
    "status",  # the status the run uses, after words in the Figure cell and defaults
    "row_codes",  # cell problems with the row's: counts, status against figure
    "codes",  # everything, with the commentary the rating asks for
)
WORK_COLUMN = {key: len(FIELDS) + index for index, key in enumerate(WORK_KEYS)}


def work_cell(key: str, row: int) -> str:
    """A1 reference of a working cell on a 0-based row."""
    return f"{column_letter(WORK_COLUMN[key])}{row + 1}"


def literal(number: float | Decimal) -> str:
    """A number as Excel formula text: plain digits, never an exponent."""
    value = number if isinstance(number, Decimal) else Decimal(repr(float(number)))
    text = format(value.normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _one_of(expression: str, words: tuple[str, ...] | frozenset[str]) -> str:
    return "OR(" + ",".join(f"{expression}={_text(word)}" for word in sorted(words)) + ")"


def _normalised(ref: str) -> str:
    """The reader's normalise_token as far as Excel can: tabs and line breaks as spaces, spaces
    trimmed and collapsed, lower case. Brackets are left: a bracketed word is undecided."""
    spaced = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({ref},CHAR(9)," "),CHAR(10)," "),CHAR(13)," ")'
    return f"LOWER(TRIM({spaced}))"


def _error(code: str) -> str:
    assert CATALOGUE[code].severity is Severity.ERROR, code
    return f"E:{code};"


def _warning(code: str) -> str:
    assert CATALOGUE[code].severity is Severity.WARNING, code
    return f"W:{code};"


# --- decision trees: one per kind of cell, read for its value or for its problem codes ------


@dataclass(frozen=True)
class Leaf:
    value: str  # Excel expression
    codes: str = ""  # problem codes, each "E:code;" or "W:code;", or UNDECIDED


@dataclass(frozen=True)
class Branch:
    test: str
    then: Leaf | Branch
    otherwise: Leaf | Branch


Tree = Leaf | Branch


def emit(tree: Tree, pick: Callable[[Leaf], str]) -> str:
    if isinstance(tree, Leaf):
        return pick(tree)
    return f"IF({tree.test},{emit(tree.then, pick)},{emit(tree.otherwise, pick)})"


def value_of(tree: Tree) -> str:
    return "=" + emit(tree, lambda leaf: leaf.value)


def codes_of(tree: Tree) -> str:
    return emit(tree, lambda leaf: _text(leaf.codes))


NONE = '""'


def _not_typed(ref: str, rest: Tree) -> Tree:
    """What every input cell's reading starts with: a formula or an error value is refused."""
    return Branch(
        f"_xlfn.ISFORMULA({ref})",
        Leaf(NONE, _error("value-formula")),
        Branch(f"ISERROR({ref})", Leaf(NONE, _error("value-excel-error")), rest),
    )


def _checked(number: str, indicator: Indicator | None, codes: str = "") -> Tree:
    """cells._checked: too large to be real, a negative figure, a percentage over 100, outside
    the plausible range."""
    leaf: Tree = Leaf(number, codes)
    if indicator is not None and (indicator.min_value, indicator.max_value) != (None, None):
        low, high = indicator.min_value, indicator.max_value
        outside = [f"{number}<{literal(low)}"] if low is not None else []
        outside += [f"{number}>{literal(high)}"] if high is not None else []
        leaf = Branch(
            f"OR({','.join(outside)})", Leaf(number, codes + _warning("value-implausible")), leaf
        )
    if indicator is not None and indicator.unit is Unit.PERCENT:
        over = Leaf(NONE, codes + _error("value-percent-out-of-range"))
        leaf = Branch(f"{number}>100", over, leaf)
    if indicator is None or indicator.min_value is None or indicator.min_value >= 0:
        leaf = Branch(f"{number}<0", Leaf(NONE, codes + _error("value-negative")), leaf)
    # values.usable: a magnitude no real figure has (a cell cannot hold NaN or infinity)
    unusable = Leaf(NONE, codes + _error("value-not-usable"))
    return Branch(f"ABS({number})>{literal(MAX_MAGNITUDE)}", unusable, leaf)


def number_cell(ref: str, indicator: Indicator | None, word: str | None) -> Tree:
    """cells.read_number for a cell: the figure in the indicator's unit (None: a plain count).

    word is the working cell holding the Figure cell's normalised text, whose status words the
    reader takes before the number; counts have none.
    """
    percent = indicator is not None and indicator.unit is Unit.PERCENT
    shown_as = f'LEFT(CELL("format",{ref}),1)'
    points = f"ROUND({ref}*100,10)"
    as_percent = _checked(points, indicator) if percent else Leaf(NONE, _error("value-wrong-unit"))
    plain = _checked(ref, indicator)
    if percent:
        scale = _checked(points, indicator, _warning("value-percent-scale"))
        plain = Branch(f"AND({ref}>0,{ref}<1)", scale, plain)
    # CELL("format") classes a cell's number format: P percent, D date, F , C S plain numbers.
    # Calc answers G for most date formats, Excel for General: so G is left to the reader.
    number = Branch(
        f'{shown_as}="D"',
        Leaf(NONE, _error("value-date")),
        Branch(
            f'{shown_as}="P"',
            as_percent,
            Branch(f'ISNUMBER(FIND({shown_as},"F,CS"))', plain, Leaf('"?"', UNDECIDED)),
        ),
    )
    text = word or _normalised(ref)
    words: Tree = Branch(
        f'OR(LEFT({text},1)="(",RIGHT({text},1)=")")',
        Leaf('"?"', UNDECIDED),
        Branch(
            f'ISNUMBER(FIND(LEFT({text},1),"{NOT_A_NUMBER_START}"))',
            Leaf(NONE, _error("value-not-number")),
            Leaf('"?"', UNDECIDED),
        ),
    )
    if word is not None:
        words = Branch(
            _one_of(text, NOT_AVAILABLE_TOKENS),
            Leaf('"na"'),
            Branch(_one_of(text, NOT_DUE_TOKENS), Leaf('"nd"'), words),
        )
    rest = Branch(
        f"ISLOGICAL({ref})",
        Leaf(NONE, _error("value-boolean")),
        Branch(f"ISNUMBER({ref})", number, Branch(f'{text}=""', Leaf(NONE), words)),
    )
    return _not_typed(ref, rest)


def status_cell(ref: str) -> Tree:
    """The Status cell's word as the reader takes it, or "" blank, "?" undecided, "!" unknown."""
    word = _normalised(ref)
    known = "".join(
        f"IF({word}={_text(typed)},{_text(meant)}," for typed, meant in STATUS_WORDS.items()
    )
    canonical = known + '"!"' + ")" * len(STATUS_WORDS)
    return _not_typed(
        ref,
        Branch(
            f'{word}=""',
            Leaf(NONE),
            Branch(
                _one_of(word, tuple(STATUS_WORDS)),
                Leaf(canonical),
                Branch(
                    f'OR(LEFT({word},1)="(",RIGHT({word},1)=")")',
                    Leaf('"?"', UNDECIDED),
                    Leaf('"!"', _error("status-unknown")),
                ),
            ),
        ),
    )


def flag_cell(ref: str) -> Tree:
    word = _normalised(ref)
    fine = Leaf(NONE)
    return _not_typed(
        ref,
        Branch(
            f"ISLOGICAL({ref})",
            fine,
            Branch(
                f'OR({word}="",{_one_of(word, FLAG_WORDS)})',
                fine,
                Leaf(NONE, _error("flag-unknown")),
            ),
        ),
    )


def text_cell(ref: str) -> Tree:
    long = Leaf(NONE, _warning("text-too-long"))
    return _not_typed(ref, Branch(f"LEN(TRIM({ref}))>{MAX_COMMENT_CHARS}", long, Leaf(NONE)))


def written(ref: str) -> str:
    """Excel text that is TRUE when a comment or action cell holds words."""
    return f"LEN(TRIM(CLEAN({ref})))>0"


# --- the rating: edges found by asking the rules engine --------------------------------


@dataclass(frozen=True)
class Bands:
    """The rating of every figure as shown: `ratings[i]` for figures below `edges[i]` (and at
    or above the edge before), the last rating above the last edge; "" means not rated."""

    places: int
    edges: tuple[Decimal, ...]
    ratings: tuple[str, ...]

    def rating(self, shown: Decimal) -> str:
        for edge, rating in zip(self.edges, self.ratings, strict=False):
            if shown < edge:
                return rating
        return self.ratings[-1]


def shown_places(indicator: Indicator) -> int:
    """The places ratings compare figures at: display.round_display's."""
    return display_places(indicator)


def rating_bands(
    indicator: Indicator, target: ResolvedTarget, settings: Settings, period: Period
) -> Bands | None:
    """Where `rules.rate` changes its rating, on the grid of figures as shown; None when the
    indicator is never rated. Between the target's edges and either end of the grid a rating
    only moves one way (nearer the target is never rated worse), so a bisection between two
    figures rated differently finds each change exactly, whatever bands the key has."""
    if any(band.when is not BandCondition.ANY for band in settings.key_for(indicator).bands):
        # a composite key also asks whether the figure beat last year's, which the guide
        # cannot know as the officer types: no provisional rating rather than a wrong one
        return None
    places = shown_places(indicator)
    step = Decimal(1).scaleb(-places)
    reach = 10**15  # grid points: figures of up to 15 significant digits convert exactly

    @cache  # the bisections ask about the same few figures again
    def rag(k: int) -> str:
        record = ReturnRecord.model_construct(
            indicator_id=indicator.id,
            period=str(period),
            status=Status.AVAILABLE,
            value=float(k * step),
            comment="",
            corrective_action="",
        )
        found = rate(indicator, target, record, settings, period).rag
        return found.value if found is not None else ""

    def grid(value: float) -> int:
        return int((Decimal(repr(float(value))) / step).to_integral_value(ROUND_HALF_UP))

    goal = target.target
    seeds = sorted({-reach, 0, reach} | {grid(v) for v in (goal.value, goal.high) if v is not None})
    seeds = [k for k in seeds if -reach <= k <= reach]
    changes: list[int] = []
    for low, high in zip(seeds, seeds[1:], strict=False):
        changes += _changes(low, high, rag)
    ratings = [rag(seeds[0])] + [rag(k) for k in changes]
    if not any(ratings):
        return None
    return Bands(places, tuple(k * step for k in changes), tuple(ratings))


def _changes(low: int, high: int, rag: Callable[[int], str]) -> list[int]:
    """The grid points in (low, high] where the rating differs from the one before, for a
    rating that moves only one way between low and high."""
    found = []
    while rag(low) != rag(high):
        start, bad = low, high
        while bad - start > 1:
            middle = (start + bad) // 2
            start, bad = (middle, bad) if rag(middle) == rag(low) else (start, middle)
        found.append(bad)
        low = bad
    return found


def graded(bands: Bands, figure: str) -> str:
    """Excel text giving the rating of a figure, as rules.rate would."""
    shown = f"ROUND({figure},{bands.places})"
    formula = _text(bands.ratings[-1])
    for edge, rating in reversed(list(zip(bands.edges, bands.ratings, strict=False))):
        formula = f"IF({shown}<{literal(edge)},{_text(rating)},{formula})"
    return formula


def same_words(text: str) -> str:
    """A comment as reader._same_words compares it, as the guide's formula sees it."""
    return " ".join(text.split()).casefold()


def reads_counts(indicator: Indicator) -> bool:
    """Whether the reader reads the row's numerator and denominator (reader._read_row)."""
    return indicator.unit is Unit.PERCENT or indicator.uses_fraction


# --- one row's formulas -----------------------------------------------------------------


@dataclass(frozen=True)
class RowGuide:
    """What a row's guide needs to know that the template already knows."""

    indicator: Indicator
    due: bool
    bands: Bands | None
    previous_comment: str | None = None  # where last period's comment is, if it is known


def row_formulas(guide: RowGuide, row: int) -> dict[str, str]:
    """Every guide formula of a 0-based row: the working cells by WORK_KEYS, and the two
    visible cells "live_rating" and "live_check"."""
    indicator = guide.indicator
    cell = {field.key: f"{column_of(field.key)}{row + 1}" for field in FIELDS}
    work = {key: work_cell(key, row) for key in WORK_KEYS}
    counts = reads_counts(indicator)
    trees = {
        "value": number_cell(cell["value"], indicator, work["value_word"]),
        "numerator": number_cell(cell["numerator"], None, None),
        "denominator": number_cell(cell["denominator"], None, None),
        "status": status_cell(cell["status"]),
        "provisional": flag_cell(cell["provisional"]),
        "average": flag_cell(cell["average"]),
        "comment": text_cell(cell["comment"]),
        "corrective_action": text_cell(cell["corrective_action"]),
    }
    if not counts:
        del trees["numerator"], trees["denominator"]
    value_ref = cell["value"]
    formulas = {
        "value_word": f'=IF(ISTEXT({value_ref}),{_normalised(value_ref)},"")',
        "figure": value_of(trees["value"]),
        "numerator": value_of(trees["numerator"]) if counts else '=""',
        "denominator": value_of(trees["denominator"]) if counts else '=""',
        "status_word": value_of(trees["status"]),
        "cell_codes": "=" + "&".join(codes_of(tree) for tree in trees.values()),
        "used": _used(indicator, work),
        "status": _status(guide.due, work),
    }
    counts_codes = _count_codes(indicator, work)
    formulas["row_codes"] = (
        f"={work['cell_codes']}&{counts_codes}&{_status_codes(guide.due, work, counts_codes)}"
    )
    rating = _rating(guide, work)
    formulas["codes"] = "=" + work["row_codes"] + _commentary(cell, work, guide.previous_comment)
    formulas["live_rating"] = rating
    formulas["live_check"] = _check(work["codes"])
    return formulas


def _used(indicator: Indicator, work: dict[str, str]) -> str:
    figure = work["figure"]
    read = f'IF(ISNUMBER({figure}),{figure},"")'
    if not reads_counts(indicator):
        return f'=IF({figure}="?","?",{read})'
    top, bottom = work["numerator"], work["denominator"]
    scale = "*100" if indicator.unit is Unit.PERCENT else ""
    refused = f"{bottom}=0" + (f",{top}>{bottom}" if indicator.unit is Unit.PERCENT else "")
    return (
        f'=IF(OR({figure}="?",{top}="?",{bottom}="?"),"?",'
        f"IF(AND(ISNUMBER({top}),ISNUMBER({bottom})),"
        f"IF(OR({refused}),{read},{top}/{bottom}{scale}),{read}))"
    )


def _status(due: bool, work: dict[str, str]) -> str:
    word, figure, used = work["status_word"], work["figure"], work["used"]
    blank = f'IF(ISNUMBER({used}),"available",{_text("available" if due else "not due")})'
    return (
        f'=IF(OR({word}="?",{used}="?"),"?",'
        f'IF({figure}="na",IF({word}="not due","not due","not available"),'
        f'IF({figure}="nd","not due",IF(OR({word}="",{word}="!"),{blank},{word}))))'
    )


def _count_codes(indicator: Indicator, work: dict[str, str]) -> str:
    """cells.apply_fraction: both counts or neither, a sensible pair, agreeing with the figure."""
    if not reads_counts(indicator):
        return '""'
    top, bottom, figure = work["numerator"], work["denominator"], work["figure"]
    percent = indicator.unit is Unit.PERCENT
    computed = f"{top}/{bottom}" + ("*100" if percent else "")
    places = shown_places(indicator)
    # A computed figure a hair from a rounding edge may round either way in Python and Excel.
    scaled = f"{computed}*10^{places}"
    near = f"ABS(ABS({scaled}-INT({scaled}))-0.5)"
    near_edge = f"AND({near}<0.000001,{near}<>0)"
    disagrees = f"IF(ISNUMBER({figure}),ROUND({figure},{places})<>ROUND({computed},{places}))"
    checks = (
        f'IF({bottom}<{SMALL_DENOMINATOR},"{_warning("small-denominator")}","")'
        f'&IF({disagrees},"{_warning("fraction-disagrees")}","")'
        f'&IF({near_edge},"{UNDECIDED}","")'
    )
    above = (
        f'IF({top}>{bottom},"{_error("numerator-above-denominator")}",{checks})'
        if percent
        else checks
    )
    pair = f'IF({bottom}=0,"{_error("denominator-zero")}",{above})'
    one = f'AND(OR({top}="",{bottom}=""),NOT(AND({top}="",{bottom}="")),{top}<>"?",{bottom}<>"?")'
    return (
        f'IF({one},"{_error("fraction-incomplete")}","")'
        f'&IF(AND(ISNUMBER({top}),ISNUMBER({bottom})),{pair},"")'
    )


def _status_codes(due: bool, work: dict[str, str], counts_codes: str) -> str:
    """reader._read_row: a status that does not fit the figure, or the period."""
    status, used, cell_codes = work["status"], work["used"], work["cell_codes"]
    blank = (
        f'AND({status}="available",NOT(ISNUMBER({used})),'
        f'ISERROR(FIND("E:",{cell_codes}&{counts_codes})))'
    )
    parts = [
        f'IF({blank},"{_error("value-blank")}","")',
        f'IF(AND({status}="not available",ISNUMBER({used})),"{_warning("value-with-na-status")}","")',
    ]
    if due:
        parts.append(f'IF({status}="not due","{_error("status-due")}","")')
    else:
        parts.append(
            f'IF(AND({status}="not due",ISNUMBER({used})),"{_warning("value-not-due")}","")'
        )
    return "&".join(parts)


def _clean(work: dict[str, str]) -> str:
    codes = work["row_codes"]
    return (
        f'AND(NOT(ISERROR({codes})),ISERROR(FIND("E:",{codes})),'
        f'ISERROR(FIND("{UNDECIDED}",{codes})))'
    )


def _rating(guide: RowGuide, work: dict[str, str]) -> str:
    if guide.bands is None:
        return '=""'
    status, used = work["status"], work["used"]
    rated = f'AND({_clean(work)},ISNUMBER({used}),OR({status}="available",{status}="not due"))'
    return f'=IF({rated},{graded(guide.bands, used)},"")'


def _commentary(cell: dict[str, str], work: dict[str, str], previous: str | None) -> str:
    """reader._check_commentary: why a figure is missing, a comment off target, an action on
    RED, and a comment copied unchanged from last period (when the template knows it)."""
    rating, comment, action = cell["live_rating"], cell["comment"], cell["corrective_action"]
    no_comment = f"NOT({written(comment)})"
    if previous is not None:
        same = f"AND({written(comment)},{_normalised(comment)}={previous})"
        repeated = f'&IF({same},"{_warning("comment-repeated")}","")'
    else:
        repeated = ""
    asks = (
        f'IF(AND({work["status"]}="not available",{no_comment}),"{_warning("reason-missing")}","")'
        f'&IF(AND(OR({rating}="RED",{rating}="AMBER"),{no_comment}),'
        f'"{_warning("comment-missing")}","")'
        f'&IF(AND({rating}="RED",NOT({written(action)})),"{_warning("action-missing")}","")'
        f"{repeated}"
    )
    return f'&IF({_clean(work)},{asks},"")'


# --- what the officer reads ---------------------------------------------------------------

CHECK_PREFIX = {Severity.ERROR: "Error: ", Severity.WARNING: "Check: "}


def messages() -> list[tuple[str, str]]:
    """(code, what the Check cell says) for every problem the guide can find, for the lookup
    table on the lists sheet: the catalogue's own title."""
    return sorted(
        (code, CHECK_PREFIX[kind.severity] + kind.title) for code, kind in CATALOGUE.items()
    )


def _first(codes: str, mark: str) -> str:
    start = f'FIND("{mark}",{codes})'
    return f'MID({codes},{start}+2,FIND(";",{codes},{start})-{start}-2)'


def _check(codes: str, table: str = GUIDE_MESSAGES) -> str:
    def say(mark: str) -> str:
        return f"VLOOKUP({_first(codes, mark)},{table},2,FALSE)"

    # A formula error in the working cells (never seen, but possible in another program)
    # must not read as OK.
    return (
        f'=IF(ISERROR({codes}),"{WILL_BE_CHECKED}",IF(ISNUMBER(FIND("E:",{codes})),{say("E:")},'
        f'IF(ISNUMBER(FIND("{UNDECIDED}",{codes})),"{WILL_BE_CHECKED}",'
        f'IF(ISNUMBER(FIND("W:",{codes})),{say("W:")},"OK"))))'
    )
