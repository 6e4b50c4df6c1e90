"""Worker processes abandoned mid-job (a cancelled export, an interrupted verification):
ended at once, and nothing of the pool is left waiting, so the program can exit."""

from __future__ import annotations

import threading

from detainer_desk.adapters.workers import start_pool, stop_pool


def test_workers_ended_while_writing_their_results_leave_nothing_waiting() -> None:
    """Each worker returns 8 MB, written to the result pipe in many pieces: ending it in the
    middle used to leave half a message there and the pool's manager thread waiting for the
    rest for ever (a full run then never exited). Several rounds, so that some end a worker
    mid-write; the manager thread must end every time."""
    for _round in range(4):
        pool = start_pool(2)
        futures = [pool.submit(bytes, 8 << 20) for _ in range(20)]
        assert len(futures[0].result(timeout=120)) == 8 << 20  # the workers are writing
        manager = pool._executor_manager_thread  # what would be left waiting
        assert isinstance(manager, threading.Thread)
        stop_pool(pool, finished=False)
        manager.join(30)
        assert not manager.is_alive(), "the pool's manager thread waits for a result for ever"


def test_futures_cancelled_before_the_pool_is_abandoned_end_without_a_traceback() -> None:
    """Ctrl+C while ``Executor.map`` is read cancels the futures still waiting; the pool,
    abandoned, then finds its workers ended. Python 3.11 stopped its manager thread there
    with InvalidStateError (a traceback on the terminal); the cancelled futures must stay
    cancelled and nothing be raised in any thread."""
    raised: list[BaseException | None] = []
    previous = threading.excepthook
    threading.excepthook = lambda hook: raised.append(hook.exc_value)
    try:
        pool = start_pool(1)
        first = pool.submit(pow, 3, 5)
        futures = [pool.submit(pow, 3, 10**9) for _ in range(6)]  # long; the rest wait
        assert first.result(timeout=120) == 243  # the pool has taken what it can and waits
        cancelled = [future for future in futures if future.cancel()]
        assert cancelled, "some futures were still waiting"
        manager = pool._executor_manager_thread
        assert isinstance(manager, threading.Thread)
        stop_pool(pool, finished=False)
        manager.join(30)
        assert not manager.is_alive()
    finally:
        threading.excepthook = previous
    assert raised == []
    assert all(future.cancelled() for future in cancelled)
