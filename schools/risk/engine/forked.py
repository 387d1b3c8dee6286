"""Half of a computation on the machine's other core: ``Forked(work)`` starts ``work`` in a forked child, and
``result()`` returns what it made (pickled back through a pipe) or, if the child could not give it, runs
``work`` in this process. The answer is the same either way; only the time differs (#15, ADR 0030).

A fork, not a process pool: the child starts with the caller's memory as it is (the loaded inputs and the
context), so nothing is sent to it, and it needs no imports or start-up. It runs pure pandas and numpy code and
leaves with ``os._exit``, so it never runs the parent's clean-up (database connections, atexit hooks, test
teardown). The caller's process must not hold the database connection in a state the child could disturb: the
child never touches it, and ``os._exit`` closes its copy of the socket without a word to PostgreSQL.

Forking is skipped, and ``work`` runs in process, where it is not safe or not possible: no ``os.fork`` (not
POSIX), other threads running (a fork copies only the calling thread, and a lock another thread held would stay
held in the child; ``RISK_ENGINE_FORK=threads`` allows it, for test runners whose threads only wait on a socket),
or ``RISK_ENGINE_FORK=0``.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
CHUNK = 1 << 20


def fork_allowed() -> bool:
    """Whether ``Forked`` may fork here and now (see the module's docstring)."""
    setting = os.environ.get("RISK_ENGINE_FORK", "1")
    if not hasattr(os, "fork") or setting == "0":
        return False
    return threading.active_count() == 1 or setting == "threads"


class Forked(Generic[T]):
    """``work()`` computed in a forked child while the caller goes on; ``result()`` collects it."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._pid = 0
        self._read = -1
        self.forked = False  # whether a child was started
        self.from_child = False  # whether the result came from the child (set by ``result``)
        if not fork_allowed():
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory or process slots for a child: compute in process
            os.close(read)
            os.close(write)
            return
        if pid == 0:
            os.close(read)
            _child(work, write)  # never returns
        os.close(write)
        self._pid, self._read, self.forked = pid, read, True

    def result(self, *, timeout: float) -> T:
        """The work's result: the child's if it answered within ``timeout`` seconds, else computed here."""
        if self._pid:
            data = self._collect(timeout)
            if data is not None:
                self.from_child = True
                return pickle.loads(data)  # noqa: S301 - bytes from our own child, through our own pipe
        return self._work()

    def close(self) -> None:
        """Stop a child whose result is no longer wanted (the caller failed first) and reap it; idempotent."""
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> int:
        """Close the pipe and wait for the child to end; its wait status."""
        os.close(self._read)
        _, status = os.waitpid(self._pid, 0)
        self._pid, self._read = 0, -1
        return status

    def _collect(self, timeout: float) -> bytes | None:
        """The child's pickled answer, or None if it failed, died or took longer than ``timeout``."""
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._read], [], [], left)[0]:
                    os.kill(self._pid, signal.SIGKILL)
                    return None
                chunk = os.read(self._read, CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            status = self._reap()
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not chunks:
            return None
        return b"".join(chunks)


def _child(work: Callable[[], T], write: int) -> None:
    """In the child: compute, send the pickled result, and leave at once (exit status 0 only if all was sent)."""
    status = 1
    try:
        # The child lives a second or two: no cyclic garbage collection, whose sweeps would write to every object
        # the parent made and so copy all of their pages (copy-on-write) for nothing.
        gc.disable()
        # The parent's handlers (a Celery worker's, say) are not the child's business: default actions.
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
        data = memoryview(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
        while data:
            data = data[os.write(write, data) :]
        status = 0
    except BaseException:  # noqa: BLE001 - any failure: the parent computes in process
        status = 1
    finally:
        os._exit(status)
