"""Work shared among worker processes, the results kept in order.

``in_order(work, chunks, jobs)`` is ``map(work, chunks)`` with the work done by ``jobs`` worker
processes forked from this one, which hands out the chunks and puts the results back in order.
A worker inherits everything already loaded (the knowledge base, the memos so far), so it
starts in a millisecond. Where forking is not safe (not Linux, or other threads run), or
``jobs`` is 1, this process does the work itself.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Chunks handed out and not yet written back, per worker: enough that a worker never waits.
AHEAD = 2


def can_fork() -> bool:
    """Linux only: elsewhere, forking is unsafe with some system libraries (macOS) or does not
    exist (Windows)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class WorkerError(RuntimeError):
    """A worker process failed: a bug, reported with the worker's traceback."""


def in_order(work: Callable[[T], R], chunks: Iterable[T], jobs: int) -> Generator[R, None, None]:
    """``work(chunk)`` for each chunk, in order, done by ``jobs`` workers (here, when there are
    fewer than two chunks)."""
    chunks = iter(chunks)
    head = list(itertools.islice(chunks, 2))  # (no workers for one chunk or none)
    if jobs <= 1 or not can_fork() or len(head) < 2:
        yield from map(work, itertools.chain(head, chunks))
        return
    chunks = itertools.chain(head, chunks)
    context = multiprocessing.get_context("fork")
    tasks: Any = context.Queue()
    results: Any = context.Queue()
    workers = [
        context.Process(target=_serve, args=(work, tasks, results, os.getpid()), daemon=True)
        for _ in range(jobs)
    ]
    arrived: dict[int, R] = {}  # results that came before their turn
    sent = written = 0
    window = AHEAD * jobs  # chunks sent and not yet written back: memory stays flat

    def in_turn() -> R:
        while written not in arrived:
            _collect(results, arrived, workers, wait=True)
        return arrived.pop(written)

    try:
        with _ctrl_c_after():
            for process in workers:
                process.start()
        for chunk in chunks:
            with _ctrl_c_after():
                tasks.put((sent, chunk))
            sent += 1
            _collect(results, arrived, workers, wait=False)
            while written in arrived or sent - written >= window:
                yield in_turn()
                written += 1
        while written < sent:
            yield in_turn()
            written += 1
        with _ctrl_c_after():
            for _ in workers:
                tasks.put(None)  # each worker stops at one of these
            # The queue's thread that hands chunks over ends here: a next run may fork.
            tasks.close()
            tasks.join_thread()
        for process in workers:
            process.join()
    except BaseException:  # (Ctrl-C, a failure, or the caller stopped early)
        with _ctrl_c_after():  # (a second Ctrl-C does not stop this)
            for process in workers:
                if process.pid is not None:
                    process.kill()  # no worker goes on with chunks nobody waits for
                    process.join()
            tasks.cancel_join_thread()  # (nor does this process wait to hand them over)
        raise


@contextlib.contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Ctrl-C waits for the end of the block: inside a queue's or fork's own code it could
    leave a lock taken, or a worker started and not yet known to be."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _collect(results: Any, arrived: dict[int, Any], workers: list[Any], wait: bool) -> None:
    """Move the results that are ready into ``arrived``; if ``wait``, wait for one first."""
    while True:
        try:
            with _ctrl_c_after():
                index, ok, value = results.get(timeout=0.1) if wait else results.get_nowait()
        except queue.Empty:
            if not wait:
                return
            if not all(process.is_alive() for process in workers):
                raise WorkerError("a worker process stopped unexpectedly") from None
            continue
        if not ok:
            raise WorkerError(f"a worker process failed:\n{value}")
        arrived[index] = value
        wait = False


def _serve(work: Callable[[Any], Any], tasks: Any, results: Any, parent: int) -> None:
    """A worker: does the chunks it takes from ``tasks`` until it takes None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process to handle
    for name in ("SIGTERM", "SIGHUP"):  # (the main process's handlers raise: not in a worker)
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # (blocked while forking)
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    while (task := tasks.get()) is not None:
        index, chunk = task
        try:
            results.put((index, True, work(chunk)))
        except Exception:  # sent back whole: the main process reports it
            results.put((index, False, traceback.format_exc()))


def _end_with(parent: int) -> None:
    """Ends this worker once its parent is gone (killed: it cleaned nothing up), wherever the
    worker is waiting: for a chunk the parent never finished sending, or to send a result."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
