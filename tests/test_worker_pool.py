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
