"""Stopping a run: SIGTERM and SIGHUP end it the way Ctrl-C (SIGINT) does.

Inside :func:`stop_on_termination`, either signal raises :class:`Stopped` (a ``KeyboardInterrupt``)
in the main thread, so every ``finally`` on the way out runs: papermill shuts its kernel down, the
kernel's temporary folder and the report's build folder are removed, and the command exits
128 + the signal's number (143 for SIGTERM, 129 for SIGHUP). A second signal while that clean-up
runs is ignored, so the clean-up finishes. Worker processes install the same handler
(:func:`install_in_worker`); the main process passes the signal on to them (:func:`pass_on`) and
kills, with their kernels, those that have not finished within a grace time
(``scheduling.stop_workers``).
:func:`held` delays signals over a few lines that must not be cut in two.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_stopping: int | None = None  # the signal this process is stopping for


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal; ``exit_status`` is 128 + its number."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = int(signum)

    @property
    def exit_status(self) -> int:
        return 128 + self.signum

    def __reduce__(self) -> tuple[Any, ...]:  # crosses from worker processes intact
        return (Stopped, (self.signum,))


def _on_signal(signum: int, frame: Any) -> None:
    global _stopping
    if _stopping is not None:
        return  # already on the way out: let the clean-up finish
    _stopping = signum
    raise Stopped(signum)


def stopping() -> int | None:
    """The signal this process is stopping for, or None."""
    return _stopping


def raise_if_stopping() -> None:
    """Raise :class:`Stopped` if a signal already arrived (a worker must not start new work)."""
    if _stopping is not None:
        raise Stopped(_stopping)


@contextmanager
def stop_on_termination() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Stopped` while the block runs (main thread only; else nothing)."""
    global _stopping
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _stopping = None
    previous = {s: signal.signal(s, _on_signal) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def install_in_worker() -> None:
    """The same handlers in a worker process (its initializer)."""
    global _stopping
    _stopping = None
    for s in SIGNALS:
        signal.signal(s, _on_signal)


def pass_on(exc: BaseException) -> None:
    """Send the signal that stopped this process to its worker processes, so that they stop too."""
    if not isinstance(exc, Stopped):
        return  # Ctrl-C reaches the whole process group by itself
    for child in multiprocessing.active_children():
        try:
            os.kill(child.pid, exc.signum)  # type: ignore[arg-type]
        except (ProcessLookupError, TypeError):
            pass


@contextmanager
def held() -> Iterator[None]:
    """Delay SIGINT, SIGTERM and SIGHUP until the block has run, then act on the first (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        pending.append(signum)

    signals = (signal.SIGINT, *SIGNALS)
    previous = {s: signal.signal(s, hold) for s in signals}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if pending:
        handler = previous[signal.Signals(pending[0])]
        if callable(handler):
            handler(pending[0], None)
        elif handler == signal.SIG_DFL and pending[0] != signal.SIGINT:
            os.kill(os.getpid(), pending[0])
