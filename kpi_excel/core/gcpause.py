"""Pausing Python's cyclic garbage collector around the stages that make many objects.

Loading, reading, rating and writing each make hundreds of thousands of objects and no
cycles worth collecting, and every full collection walks the whole register: at 1,000
returns the collector took a fifth to a half of some stages' time (bench/results.md).
Reference counting still frees everything; the collector is back on afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, promote_survivors: bool = False) -> Iterator[None]:
    """The cyclic collector off for the block, then on again if it was on.

    promote_survivors, for a stage whose results live on (the register, the returns read):
    they are moved straight to the oldest generation (freeze then unfreeze: two list splices),
    or the first collections afterwards would walk them all again, young generation by
    generation, and then the whole heap (0.5 s at 1,000 returns). Nothing stays frozen; a
    caller's own frozen objects are left as they are.
    """
    was_enabled = gc.isenabled()
    caller_froze = gc.get_freeze_count() > 0
    gc.disable()
    try:
        yield
    finally:
        if promote_survivors and not caller_froze:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
