"""Running notebooks ``jobs`` at a time in worker processes, each page exported as soon as it is ready."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import nbformat

from alignment.report.execution import (
    KERNEL_FOLDER_PREFIX,
    CellError,
    NotebookResult,
    Task,
    execute_notebook,
    export_executed,
)
from alignment.report.export import PageInfo, page_html, vega_bundle
from alignment.report.interrupts import install_in_worker, pass_on, raise_if_stopping

# How long a stopped worker may take to shut its kernel down before it is killed, kernel and all.
STOP_GRACE_S = 30.0

# --------------------------------------------------------------------------- running


class _Bundle:
    """The chart library, loaded in a background thread while the first notebooks run.

    With ``warm_pages`` (True or False: the pages' ``show_code``) the thread also loads the page
    templates, so that this process's first export does not pay for it.
    """

    def __init__(self, warm_pages: bool | None = None) -> None:
        self._value: str | None = None
        self._error: BaseException | None = None
        self._warm_pages = warm_pages
        self._thread = threading.Thread(target=self._load, name="vega-bundle", daemon=True)

    def start(self) -> _Bundle:
        self._thread.start()
        return self

    def _load(self) -> None:
        try:
            self._value = vega_bundle()
        except BaseException as exc:  # reported when a page needs it
            self._error = exc
            return
        if self._warm_pages is not None:
            try:
                page_html(
                    nbformat.v4.new_notebook(),
                    PageInfo("", "", "", ""),
                    show_code=self._warm_pages,
                    bundle="",
                )
            except Exception:  # only a warm-up: the real export reports its own errors
                pass

    def get(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def _pool(jobs: int) -> cf.ProcessPoolExecutor:
    # fork where it is safe (Linux, and this process runs no other thread): the workers inherit the
    # imported papermill and nbconvert instead of importing them again; spawn anywhere else
    safe = sys.platform.startswith("linux") and threading.active_count() == 1
    # each worker stops on SIGTERM and SIGHUP as on Ctrl-C (shutting its kernel down)
    return cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("fork" if safe else "spawn"),
        initializer=install_in_worker,
    )


def _kill_with_kernels(worker: multiprocessing.Process) -> None:
    """Kill a worker that did not stop, the kernels it started, and the kernels' folders."""
    import psutil

    pid = worker.pid
    assert pid is not None
    try:
        kernels = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        kernels = []
    for proc in [*kernels, psutil.Process(pid) if worker.is_alive() else None]:
        if proc is None:
            continue
        try:
            proc.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    worker.join()
    for folder in Path(tempfile.gettempdir()).glob(f"{KERNEL_FOLDER_PREFIX}{pid}-*"):
        shutil.rmtree(folder, ignore_errors=True)


def stop_workers(running: Collection[cf.Future], grace: float) -> None:
    """Give the stopped workers ``grace`` seconds to finish their ``running`` calls; kill them if not.

    A stopped worker normally shuts its kernel down, removes its folders and returns within a few
    seconds; one that does not (a kernel that no longer answers, a machine under heavy load) must
    not keep the run from ending, nor leave its kernel behind.
    """
    _, late = cf.wait(running, timeout=grace)
    if late:
        for worker in multiprocessing.active_children():
            _kill_with_kernels(worker)


def _execute_in_worker(task: Task) -> tuple[str, str, float, CellError | None]:
    raise_if_stopping()  # a worker told to stop starts nothing new
    return execute_notebook(task)


def _export_in_worker(
    task: Task, started: str, finished: str, seconds: float, error: CellError | None, bundle: str
) -> NotebookResult:
    raise_if_stopping()
    return export_executed(task, started, finished, seconds, error, bundle)


def run_tasks(
    tasks: Sequence[Task], jobs: int, on_result: Callable[[NotebookResult], None]
) -> list[NotebookResult]:
    """Execute and export every task, ``jobs`` at a time; results in task order."""
    import nbconvert  # noqa: F401  (imported once here, inherited by forked workers)
    import papermill  # noqa: F401

    results: dict[int, NotebookResult] = {}
    if jobs <= 1 or len(tasks) <= 1:
        bundle = _Bundle(warm_pages=tasks[0].show_code if tasks else None).start()
        for i, task in enumerate(tasks):
            started, finished, seconds, error = execute_notebook(task)
            results[i] = export_executed(task, started, finished, seconds, error, bundle.get())
            on_result(results[i])
        return [results[i] for i in range(len(tasks))]
    # At most ``jobs`` calls are in flight, and a finished notebook's export is submitted before the
    # next notebook starts, so pages appear (and the progress bar moves) as notebooks finish.
    with _pool(min(jobs, len(tasks))) as pool:
        waiting = list(range(len(tasks)))
        pending: dict[cf.Future, tuple[str, int]] = {}

        def fill() -> None:
            while waiting and len(pending) < jobs:
                i = waiting.pop(0)
                pending[pool.submit(_execute_in_worker, tasks[i])] = ("execute", i)

        fill()  # the first submit starts every worker, before any other thread exists
        bundle = _Bundle().start()
        try:
            while pending:
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    kind, i = pending.pop(fut)
                    if kind == "execute":
                        pending[pool.submit(_export_in_worker, tasks[i], *fut.result(), bundle.get())] = (
                            "export",
                            i,
                        )
                    else:
                        results[i] = fut.result()
                        on_result(results[i])
                fill()
        except BaseException as exc:
            for fut in pending:
                fut.cancel()
            pass_on(exc)  # the workers stop too, each shutting its kernel down
            if isinstance(exc, KeyboardInterrupt):
                stop_workers(list(pending), STOP_GRACE_S)  # ... within a bounded time
            raise
    return [results[i] for i in range(len(tasks))]
