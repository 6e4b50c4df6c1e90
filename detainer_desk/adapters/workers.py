"""How many worker processes the heavy jobs use: verifying the chain, writing decisions.csv,
rendering the export's audit PDFs.

One per processor, once a job is large enough for starting them to pay. An administrator
can set ``DETAINER_DESK_WORKERS``: a number of workers to use for every such job whatever its
size (``1``: none, everything in the program's own process).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

ENVIRONMENT = "DETAINER_DESK_WORKERS"
log = logging.getLogger("detainer_desk")


def processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def setting_problem() -> str | None:
    """What is wrong with the administrator's setting, in plain words (None: nothing)."""
    from detainer_desk.domain.text import quoted

    text = os.environ.get(ENVIRONMENT, "").strip()
    # (ASCII digits only and few of them: int() refuses "²" and numbers of 4,300 digits.)
    if not text or (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= 64):
        return None
    return (
        f"{ENVIRONMENT}={quoted(text)} is not a number of worker processes from 1 to 64; it is "
        "ignored (one per processor is used)"
    )


def configured() -> int | None:
    """The administrator's setting, if there is a valid one."""
    problem = setting_problem()
    if problem:
        log.warning("%s", problem)
        return None
    text = os.environ.get(ENVIRONMENT, "").strip()
    return int(text) if text else None


def worker_count(size: int, worth_it_from: int) -> int:
    """Workers for a job of ``size`` items that pays to split from ``worth_it_from`` items
    (1: do it here)."""
    chosen = configured()
    if chosen is not None:
        return chosen
    return processors() if size >= worth_it_from else 1


def start_pool(count: int) -> ProcessPoolExecutor:
    """Worker processes, started with "spawn" everywhere (forking a process that runs Qt
    threads is unsafe, and Windows only spawns). They ignore Ctrl+C: the program alone
    answers it, and stops them (``stop_pool``) instead of waiting for them. They end when
    the program ends, however it ends (``worker_started``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    class Pool(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            with _ctrl_c_held():  # a worker may be started here
                return super().submit(fn, *args, **kwargs)

    return Pool(count, mp_context=multiprocessing.get_context("spawn"), initializer=worker_started)


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl+C held back (not lost) while worker processes may be started.

    A terminal sends Ctrl+C to every process of the program, a worker still starting up
    included: before its ``worker_started`` ignores it, it would stop with a traceback in
    the middle of an import. A worker started while SIGINT is blocked starts with it
    blocked, and ignores it once started; the program gets a press made meanwhile as soon
    as the worker is started. (POSIX; on Windows a console's Ctrl+C works otherwise.)"""
    import threading

    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def worker_started() -> None:
    """In each worker, first: ignore Ctrl+C, and end with the program.

    A program killed outright (kill -9, a crash, the task manager) cannot stop its
    workers, and a worker waiting for its next job would wait for ever, holding records
    in memory. So each worker watches the program: a thread waits on the sentinel that
    multiprocessing gives every child (the end of a pipe only the program holds on POSIX,
    a handle to the program's process on Windows), which becomes ready when the program
    is gone, and then ends the worker at once.
    """
    import multiprocessing
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # started with it held (_ctrl_c_held): ignored now
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    threading.Thread(
        target=_end_with, args=(parent.sentinel,), name="end-with-program", daemon=True
    ).start()


def _end_with(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)  # nothing of the worker's is worth finishing for a program that is gone


def stop_pool(pool: ProcessPoolExecutor, *, finished: bool) -> None:
    """After the work: wait for the workers to end. Abandoned (cancelled, interrupted, a
    fault found, an error): end them at once; their work only ever reads, and waiting
    for them could hang on the pool's own locks after an interrupt."""
    if finished:
        pool.shutdown(wait=True, cancel_futures=True)
        return
    processes = list(getattr(pool, "_processes", {}).values())  # no public way in 3.11
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown forgets it
    # A worker ended while it writes its result would leave half a message in the pipe,
    # and the pool's manager thread waiting for the rest for ever (the program could then
    # never exit). The workers take the result pipe's lock to write; holding it, none is
    # writing when they are ended.
    _cancelled_ones_kept_cancelled(pool)
    with _writes_held(pool):
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:  # ended before the lock is given back
            with contextlib.suppress(Exception):
                process.join(timeout=5)
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)
    # The pool's own manager thread reaps the ended workers too; a join here that loses
    # that race returns before the worker's exit is recorded. Waiting (bounded) for that
    # thread first leaves no worker behind that still counts as running.
    if manager is not None:
        with contextlib.suppress(Exception):
            manager.join(timeout=5)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)


@contextlib.contextmanager
def _writes_held(pool: ProcessPoolExecutor) -> Iterator[None]:
    """The lock the workers take to write a result (POSIX; on Windows a message is written
    whole), held for the block: waited for while a worker finishes writing (the manager
    thread reads meanwhile), at most a few seconds (a worker that died holding it)."""
    lock: Any = getattr(getattr(pool, "_result_queue", None), "_wlock", None)  # no public way
    held = False
    if lock is not None:
        with contextlib.suppress(Exception):
            held = lock.acquire(timeout=5)
    try:
        yield
    finally:
        if held:
            lock.release()


def _cancelled_ones_kept_cancelled(pool: ProcessPoolExecutor) -> None:
    """Python 3.11's pool, finding its workers ended, gives every future it still lists the
    pool's error, and stops with InvalidStateError (a traceback on the terminal) at one
    cancelled meanwhile: ``Executor.map`` cancels the rest when its reader stops (Ctrl+C).
    Python 3.12 lets such a future be. Here too: each listed future takes the error only if
    it can still take one."""
    if sys.version_info >= (3, 12):
        return
    from concurrent.futures import Future

    items = getattr(pool, "_pending_work_items", None)  # no public way
    if not isinstance(items, dict):
        return
    for item in list(items.values()):
        future = getattr(item, "future", None)
        if isinstance(future, Future):
            future.set_exception = functools.partial(_error_unless_ended, future)  # type: ignore[method-assign]


def _error_unless_ended(future: Future[Any], error: BaseException | None) -> None:
    from concurrent.futures import Future, InvalidStateError

    with contextlib.suppress(InvalidStateError):
        Future.set_exception(future, error)
