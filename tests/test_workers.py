"""Work shared among forked worker processes: every result, in order, and no worker left over."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fasewiel_cli.batch import workers
from fasewiel_cli.batch.workers import WorkerError, in_order


@pytest.fixture(autouse=True)
def no_threads_left() -> None:
    """After a failed run, the queue's thread that handed chunks over may take a moment to end;
    workers are only forked while no other thread runs."""
    deadline = time.monotonic() + 5
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)


def slow_square(n: int) -> tuple[int, int]:
    """Chunks that take different times, so that results arrive out of order."""
    time.sleep(random.Random(n).random() / 500)
    return n * n, os.getpid()


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_in_order(jobs: int) -> None:
    results = list(in_order(slow_square, range(60), jobs))
    assert [square for square, _ in results] == [n * n for n in range(60)]
    pids = {pid for _, pid in results}
    assert (pids == {os.getpid()}) is (jobs == 1)  # the workers did the work
    assert len(pids) <= jobs
    assert multiprocessing.active_children() == []


def test_a_run_leaves_no_thread_so_the_next_forks_too() -> None:
    for _ in range(2):
        assert os.getpid() not in {pid for _, pid in in_order(slow_square, range(8), 2)}
        assert threading.active_count() == 1


def test_no_workers_where_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers.threading, "active_count", lambda: 2)
    results = list(in_order(slow_square, range(5), 3))
    assert {pid for _, pid in results} == {os.getpid()}


@pytest.mark.parametrize("chunks", [[], [3]])
def test_no_workers_for_nothing_or_one_chunk(chunks: list[int]) -> None:
    results = list(in_order(slow_square, chunks, 3))
    assert results == [(n * n, os.getpid()) for n in chunks]


def fail_at_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven")
    return n


def test_a_failing_chunk_is_reported_with_its_traceback() -> None:
    with pytest.raises(WorkerError, match=r"(?s)failed:.*ValueError: seven"):
        list(in_order(fail_at_seven, range(20), 2))
    assert multiprocessing.active_children() == []


TESTS = os.getpid()


def die_at_three(n: int) -> int:
    if n == 3 and os.getpid() != TESTS:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def test_a_worker_that_dies_is_reported() -> None:
    assert workers.can_fork()
    with pytest.raises(WorkerError, match="stopped unexpectedly"):
        list(in_order(die_at_three, range(10), 2))
    assert multiprocessing.active_children() == []


def test_stopping_early_stops_the_workers() -> None:
    results = in_order(slow_square, range(1000), 2)
    assert next(results)[0] == 0
    results.close()
    assert multiprocessing.active_children() == []


ORPHAN = """
import multiprocessing, time
from fasewiel_cli.batch.workers import in_order

def slow(n):
    time.sleep(0.05)
    return "x" * 200_000  # (more than a pipe holds: the results pile up once nobody reads)

results = in_order(slow, range(100_000), 2)
next(results)
print(*[p.pid for p in multiprocessing.active_children()], flush=True)
time.sleep(60)
"""


def _stopped(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"  # (a zombie: it has ended)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_workers_stop_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(pids) == 2
    parent.kill()  # no Ctrl-C, no clean-up: the workers must notice by themselves
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while not all(map(_stopped, pids)):
        assert time.monotonic() < deadline, "a worker outlived its parent"
        time.sleep(0.05)
