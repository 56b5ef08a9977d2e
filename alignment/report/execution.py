"""Executing one notebook with papermill, finding where it failed, and exporting it to its page.

A failing notebook never raises: its executed copy (with the error) is kept and exported, and the
failure is named by cell (``In [N]``) and the last line of its error.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat

from alignment.outputs import atomic_write_text
from alignment.report.export import PageInfo, notebook_title, page_html

KERNEL_NAME = "python3"
# a kernel's sockets and connection file live in "<temp>/alignment-kernel-<pid of the process running it>-*"
KERNEL_FOLDER_PREFIX = "alignment-kernel-"
KERNEL_ARGS = [
    "--IPKernelApp.log_level=CRITICAL"
]  # kernel chatter stays off the terminal; errors are in cells
START_TIMEOUT_S = 180
CELL_TIMEOUT_S = 600  # a cell that runs longer fails its notebook: a batch never waits forever
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CellError:
    """Where and why a notebook failed."""

    cell: int | None  # execution count, as ``In [N]``
    cell_index: int | None  # position in the executed notebook
    cell_id: str | None
    ename: str
    evalue: str
    traceback: str = ""
    stage: str = "cell"  # cell | start (the kernel or notebook could not start) | export

    @property
    def last_line(self) -> str:
        """``ValueError: the last line of the message``."""
        lines = [ln for ln in self.evalue.strip().splitlines() if ln.strip()]
        return f"{self.ename}: {lines[-1].strip()}" if lines else self.ename

    @property
    def text(self) -> str:
        """``in cell 7: ValueError: ...``."""
        where = {"export": "in the HTML export", "start": "before any cell ran"}.get(
            self.stage, f"in cell {self.cell}" if self.cell is not None else "in a cell"
        )
        return f"{where}: {self.last_line}"


@dataclass(frozen=True)
class NotebookResult:
    """One notebook of a run: its status, timings, outputs and error."""

    name: str
    scenario: str
    status: str  # ok | failed
    started: str
    finished: str
    duration_s: float
    notebook: str | None = None  # relative to the report folder
    html: str | None = None
    title: str = ""
    error: CellError | None = None

    @property
    def error_text(self) -> str:
        return self.error.text if self.error else ""

    def line(self) -> str:
        """The terminal's line for a failure: ``03_gap_allocation failed in cell 7: ValueError: ...``."""
        return f"{self.name} failed {self.error_text}"

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if self.error is not None:
            out["error"] = {
                "cell": self.error.cell,
                "cell_index": self.error.cell_index,
                "ename": self.error.ename,
                "evalue": self.error.evalue,
                "message": self.error.last_line,
            }
        return out


@dataclass(frozen=True)
class Task:
    """One notebook of one scenario, as a worker process receives it."""

    notebook: Path
    scenario: str
    build_dir: Path
    final_dir: Path
    parameters: dict[str, Any]
    data_dir: str
    ran_at: str
    show_code: bool

    @property
    def name(self) -> str:
        return self.notebook.stem

    @property
    def executed_path(self) -> Path:
        return self.build_dir / "notebooks" / self.notebook.name

    @property
    def html_path(self) -> Path:
        return self.build_dir / "html" / f"{self.name}.html"


def now() -> datetime:
    return datetime.now().astimezone()


def iso_time(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def shown_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def _quiet_papermill() -> None:
    # papermill's warnings about reading the parameters cell back are not the reader's concern
    logging.getLogger("papermill").setLevel(logging.ERROR)
    # a kernel stopped by a signal leaves nbclient's pending cell task with its exception: asyncio would
    # print its traceback ("Task exception was never retrieved"); the run reports the stop in one line
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)


def _kernel_options(folder: str) -> dict[str, Any]:
    """Kernel sockets and connection file in ``folder`` on POSIX (no TCP port to race for, none open to
    others, and nothing left behind when the folder is removed)."""
    if os.name != "posix":
        return {}
    from traitlets.config import Config

    return {
        "config": Config(
            {
                "KernelManager": {
                    "transport": "ipc",
                    "ip": os.path.join(folder, "kernel"),
                    "connection_file": os.path.join(folder, "kernel.json"),
                }
            }
        )
    }


def _start_failed(exc: Exception) -> bool:
    text = str(exc).lower()
    return "kernel died before replying" in text or "address already in use" in text


def execute_notebook(task: Task) -> tuple[str, str, float, CellError | None]:
    """Execute one notebook with papermill into ``task.executed_path``; never raises for a failing cell.

    A kernel that dies while starting is started again (twice at most): no cell has run then.
    Returns (started, finished, seconds, error or None).
    """
    import papermill as pm

    _quiet_papermill()
    task.executed_path.parent.mkdir(parents=True, exist_ok=True)
    start, t0 = now(), time.perf_counter()
    error: CellError | None = None
    for attempt in range(3):
        error = None
        try:
            with tempfile.TemporaryDirectory(prefix=f"{KERNEL_FOLDER_PREFIX}{os.getpid()}-") as sockets:
                pm.execute_notebook(
                    str(task.notebook),
                    str(task.executed_path),
                    parameters=task.parameters,
                    kernel_name=KERNEL_NAME,
                    cwd=str(task.notebook.parent),
                    progress_bar=False,
                    log_output=False,
                    start_timeout=START_TIMEOUT_S,
                    extra_arguments=KERNEL_ARGS,
                    execution_timeout=CELL_TIMEOUT_S,
                    shutdown_kernel="immediate",  # every output and table is in by then
                    **_kernel_options(sockets),
                )
        except pm.PapermillExecutionError as exc:
            error = CellError(
                cell=exc.exec_count,
                cell_index=exc.cell_index,
                cell_id=None,
                ename=exc.ename,
                evalue=str(exc.evalue),
                traceback=_ANSI.sub("", "\n".join(exc.traceback or [])),
            )
        except Exception as exc:  # the kernel died, would not start, or the notebook is unreadable
            error = _crash(task.executed_path, exc)
            if attempt < 2 and error.stage == "start" and _start_failed(exc):
                continue
        break
    return iso_time(start), iso_time(now()), time.perf_counter() - t0, error


def crashed_cell(nb: Any) -> tuple[int, int | None] | None:
    """(index, execution count) of the cell running when execution stopped; None if none ran.

    A cell papermill marked failed or running; else the last code cell that got an execution
    count (papermill marks a cell that killed its kernel as completed).
    """
    last = None
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        status = cell.get("metadata", {}).get("papermill", {})
        if status.get("status") in ("running", "failed") or status.get("exception") is True:
            return i, cell.get("execution_count")
        if cell.get("execution_count") is not None:
            last = (i, cell.get("execution_count"))
    return last


def _crash(executed: Path, exc: Exception) -> CellError:
    """The error for an execution that stopped without a cell error (a dead kernel, a time-out)."""
    where = None
    if executed.is_file():
        try:
            where = crashed_cell(nbformat.read(str(executed), as_version=4))
        except Exception:  # an unreadable executed copy: report the failure without its cell
            where = None
    message = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
    if where is None:
        return CellError(
            cell=None, cell_index=None, cell_id=None, ename=type(exc).__name__, evalue=message, stage="start"
        )
    return CellError(
        cell=where[1], cell_index=where[0], cell_id=None, ename=type(exc).__name__, evalue=message
    )


def _relocate(nb: Any, build_dir: Path, final_dir: Path) -> None:
    """Make the executed notebook name the report's final folder instead of the build folder."""
    old, new = str(build_dir), str(final_dir)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = cell.source.replace(old, new)
    params = nb.metadata.get("papermill", {}).get("parameters")
    if isinstance(params, dict) and isinstance(params.get("report_dir"), str):
        params["report_dir"] = params["report_dir"].replace(old, new)
    for key in ("output_path",):
        value = nb.metadata.get("papermill", {}).get(key)
        if isinstance(value, str):
            nb.metadata["papermill"][key] = value.replace(old, new)


def relocate_notebooks(report: Path, old: Path, new: Path) -> None:
    """Make the executed notebooks in ``report`` name the folder ``new`` where they named ``old``."""
    for path in sorted((report / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        _relocate(nb, old, new)
        atomic_write_text(path, nbformat.writes(nb))


def _failing_cell_id(nb: Any, error: CellError) -> str | None:
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and any(
            o.get("output_type") == "error" for o in cell.get("outputs", [])
        ):
            return cell.get("id")
    if error.cell_index is not None and 0 <= error.cell_index < len(nb.cells):
        return nb.cells[error.cell_index].get("id")
    return None


def export_executed(
    task: Task, started: str, finished: str, seconds: float, error: CellError | None, bundle: str
) -> NotebookResult:
    """Export an executed notebook (failed ones too) to its HTML page; never raises for a bad page."""
    t0 = time.perf_counter()
    rel_nb = f"notebooks/{task.notebook.name}"
    rel_html = f"html/{task.name}.html"
    if not task.executed_path.is_file():  # nothing ran (the kernel never started): export the source
        nb = nbformat.read(str(task.notebook), as_version=4)
        rel_nb_out: str | None = None
    else:
        nb = nbformat.read(str(task.executed_path), as_version=4)
        _relocate(nb, task.build_dir, task.final_dir)
        atomic_write_text(task.executed_path, nbformat.writes(nb))
        rel_nb_out = rel_nb
    title = notebook_title(nb, task.name)
    if error is not None:
        error = replace(error, cell_id=_failing_cell_id(nb, error))
    info = PageInfo(
        scenario=task.scenario,
        data_dir=task.data_dir,
        ran_at=task.ran_at,
        notebook=task.name,
        failure=error.text if error else None,
    )
    html: str | None = rel_html
    try:
        text = page_html(
            nb,
            info,
            show_code=task.show_code,
            bundle=bundle,
            failure_cell_id=error.cell_id if error else None,
        )
        atomic_write_text(task.html_path, text)
    except Exception as exc:  # a page that cannot be exported is a failure of the notebook
        html = None
        if error is None:
            error = CellError(
                cell=None,
                cell_index=None,
                cell_id=None,
                ename=type(exc).__name__,
                evalue=str(exc) or type(exc).__name__,
                stage="export",
            )
    return NotebookResult(
        name=task.name,
        scenario=task.scenario,
        status="ok" if error is None else "failed",
        started=started,
        finished=iso_time(now()),
        duration_s=round(seconds + time.perf_counter() - t0, 3),
        notebook=rel_nb_out,
        html=html,
        title=title,
        error=error,
    )
