"""The collector pause shared by loading, reading, rating and writing."""

from __future__ import annotations

import gc

from kpi_excel.core.gcpause import collector_paused


def test_the_collector_is_off_inside_and_back_on_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off():
    gc.disable()
    try:
        with collector_paused(promote_survivors=True):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_survivors_reach_the_oldest_generation_only_when_asked():
    gc.collect()
    with collector_paused():
        kept = [[index] for index in range(100)]
    assert id(kept) not in {id(item) for item in gc.get_objects(2)}
    with collector_paused(promote_survivors=True):
        promoted = [[index] for index in range(100)]
    assert id(promoted) in {id(item) for item in gc.get_objects(2)}
    assert gc.get_freeze_count() == 0
