"""The engine computes about half of its independent work in a forked child (``schools.risk.engine.forked``,
ADR 0030). The answer must be the same whether the child gave it or this process did, and a child that fails,
dies or hangs must cost time, never the answer."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pandas as pd
import pytest

from schools.risk import risk_compute
from schools.risk.engine import compute
from schools.risk.engine.forked import Forked, fork_allowed
from tests.schools.risk.builders import generated_inputs


@pytest.fixture
def may_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the engine fork although pytest-xdist's worker has a thread of its own (it only waits on its socket)."""
    monkeypatch.setenv("RISK_ENGINE_FORK", "threads")


@pytest.fixture
def engine_forks(monkeypatch: pytest.MonkeyPatch) -> list[Forked]:
    """Every ``Forked`` the engine starts, in order."""
    started: list[Forked] = []
    original = compute.Forked

    def recorded(work):  # noqa: ANN001, ANN202
        forked = original(work)
        started.append(forked)
        return forked

    monkeypatch.setattr(compute, "Forked", recorded)
    return started


def _hangs_in_child() -> Callable[[], str]:
    """Work that answers "here" in this process and sleeps for a minute in a child."""
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            time.sleep(60)
        return "here"

    return work


def test_a_run_computed_beside_equals_a_run_computed_in_one_process(
    may_fork: None, engine_forks: list[Forked], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = generated_inputs(3_000, seed=7)
    started = engine_forks
    beside = risk_compute(inputs)
    assert started and started[0].forked and started[0].from_child  # the child's answer was used

    monkeypatch.setenv("RISK_ENGINE_FORK", "0")
    alone = risk_compute(inputs)
    assert not started[-1].forked

    pd.testing.assert_frame_equal(beside.schools, alone.schools)
    pd.testing.assert_frame_equal(beside.indicators, alone.indicators)
    assert beside.schools["proposed_category"].nunique() == 4  # a run with every category, not a trivial one


def test_the_split_covers_every_indicator_once() -> None:
    assert set(compute.BESIDE_CODES) | set(compute.HERE_CODES) == set(compute.COMPUTED_CODES)
    assert not set(compute.BESIDE_CODES) & set(compute.HERE_CODES)


def test_the_childs_result_comes_back(may_fork: None) -> None:
    parent = os.getpid()
    forked = Forked(lambda: {"pid": os.getpid(), "frame": pd.DataFrame({"a": [1.5, None]})})
    answer = forked.result(timeout=30)
    assert forked.forked and forked.from_child
    assert answer["pid"] != parent
    pd.testing.assert_frame_equal(answer["frame"], pd.DataFrame({"a": [1.5, None]}))


def test_a_child_that_fails_is_replaced_by_computing_here(may_fork: None) -> None:
    parent = os.getpid()

    def work() -> int:
        if os.getpid() != parent:
            raise RuntimeError("only in the child")
        return 42

    forked = Forked(work)
    assert forked.result(timeout=30) == 42
    assert forked.forked and not forked.from_child


def test_a_child_that_dies_is_replaced_by_computing_here(may_fork: None) -> None:
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            os.kill(os.getpid(), 9)
        return "here"

    forked = Forked(work)
    assert forked.result(timeout=30) == "here"
    assert not forked.from_child


def test_a_child_that_hangs_is_killed_after_the_timeout(may_fork: None) -> None:
    forked = Forked(_hangs_in_child())
    pid = forked._pid
    assert forked.forked and pid
    started = time.monotonic()
    assert forked.result(timeout=0.5) == "here"
    assert time.monotonic() - started < 30
    assert not forked.from_child
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


def test_no_fork_where_other_threads_run_or_where_it_is_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        monkeypatch.setenv("RISK_ENGINE_FORK", "1")
        assert not fork_allowed()  # a lock another thread holds would stay held in the child
        monkeypatch.setenv("RISK_ENGINE_FORK", "threads")
        assert fork_allowed()
        monkeypatch.setenv("RISK_ENGINE_FORK", "0")
        assert not fork_allowed()
        forked = Forked(lambda: os.getpid())
        assert forked.result(timeout=30) == os.getpid()
        assert not forked.forked
    finally:
        stop.set()
        other.join()


def test_a_child_no_longer_wanted_is_stopped_and_reaped(may_fork: None) -> None:
    forked = Forked(_hangs_in_child())
    pid = forked._pid
    assert forked.forked and pid
    forked.close()  # what risk_compute does when its own half fails, e.g. at a Celery time limit
    forked.close()  # twice is harmless
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert forked.result(timeout=30) == "here"  # a closed one computes in process


def test_the_engine_stops_its_child_when_its_own_half_fails(
    may_fork: None, engine_forks: list[Forked], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = engine_forks

    def failing(ctx):  # noqa: ANN001, ANN202
        raise RuntimeError("the process's half failed")

    monkeypatch.setattr(compute, "_evidence", failing)
    with pytest.raises(RuntimeError, match="half failed"):
        risk_compute(generated_inputs(200, seed=3))
    assert started[0].forked and started[0]._pid == 0  # reaped
