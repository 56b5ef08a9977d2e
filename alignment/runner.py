"""``alignment run``: execute the workbook's notebooks, export them, and write the report.

Rules the contract leaves open, decided here:

- Notebooks are ``NN_name.ipynb`` in the notebooks folder, run in name order; ``--only`` takes their
  stems (comma-separated) and refuses an unknown one with exit 2, listing the known ones.
- Every params file is validated with its data (``alignment.cli.load_checked``) before any notebook
  starts; with several files every problem of every file is reported, then exit 2. Two params files
  with the same stem would write the same report and are refused too.
- Each notebook runs in its own kernel (``python3``, working folder = the notebooks folder) with the
  params file's values, ``data_dir`` absolute and ``report_dir`` = the report's ``tables/``. With
  ``--jobs N`` up to N notebooks run at once, in worker processes; a notebook's HTML is exported by
  the worker that ran it, as soon as it finishes.
- A failing notebook does not stop the batch. Its executed copy (with the error) is kept and
  exported; the terminal, its page and index.html say ``NAME failed in cell N: Error: last line``,
  where N is the cell's execution count (``In [N]``). The exit status is then 1.
- ``headline.json`` merges the notebooks' headline parts; every contract key is present, null where
  no notebook of the run computed it. The parts folder is removed from ``tables/``.
- The whole report is built in a hidden sibling folder and swapped into place at the end (old report
  renamed away, new one renamed in, old one removed): a run that dies leaves the previous report
  intact, or no report, never a mix. ``comparison.html`` is written atomically after the reports.
- Executed notebooks name the report's final ``tables/`` folder, not the build folder.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from alignment import __version__
from alignment.paths import NOTEBOOKS_DIR

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
KERNEL_NAME = "python3"
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]  # kernel chatter stays off the terminal; errors are in cells
START_TIMEOUT_S = 180
CELL_TIMEOUT_S = 600  # a cell that runs longer fails its notebook: a batch never waits forever
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class RunError(Exception):
    """A bad argument of ``alignment run`` (exit 2, nothing runs)."""


# --------------------------------------------------------------------------- notebooks


def find_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """The workbook's notebooks (``NN_name.ipynb``) in name order."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    return sorted(folder.glob(NOTEBOOK_GLOB), key=lambda p: p.name)


def select_notebooks(notebooks: Sequence[Path], only: str | Iterable[str] | None) -> list[Path]:
    """The notebooks named by ``--only`` (stems, comma-separated), in name order; all when None.

    Raises
    ------
    RunError
        For an unknown or empty name, listing the known ones.
    """
    if only is None:
        return list(notebooks)
    names = only.split(",") if isinstance(only, str) else list(only)
    wanted = [n.strip().removesuffix(".ipynb") for n in names]
    known = {p.stem: p for p in notebooks}
    unknown = [n for n in wanted if n not in known]
    if unknown or not wanted:
        shown = ", ".join(repr(n) for n in unknown) or "''"
        raise RunError(f"alignment run: --only: unknown notebook {shown}: expected one of "
                       f"{', '.join(known) or '(no notebooks found)'}")
    return [p for p in notebooks if p.stem in set(wanted)]


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
            self.stage, f"in cell {self.cell}" if self.cell is not None else "in a cell")
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
            out["error"] = {"cell": self.error.cell, "cell_index": self.error.cell_index,
                            "ename": self.error.ename, "evalue": self.error.evalue,
                            "message": self.error.last_line}
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


def _now() -> datetime:
    return datetime.now().astimezone()


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _shown_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def _quiet_papermill() -> None:
    # papermill's warnings about reading the parameters cell back are not the reader's concern
    logging.getLogger("papermill").setLevel(logging.ERROR)


def _kernel_options(folder: str) -> dict[str, Any]:
    """Kernel sockets as files in ``folder`` on POSIX (no TCP port to race for, none open to others)."""
    if os.name != "posix":
        return {}
    from traitlets.config import Config

    return {"config": Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}})}


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
    start, t0 = _now(), time.perf_counter()
    error: CellError | None = None
    for attempt in range(3):
        error = None
        try:
            with tempfile.TemporaryDirectory(prefix="alignment-kernel-") as sockets:
                pm.execute_notebook(str(task.notebook), str(task.executed_path), parameters=task.parameters,
                                    kernel_name=KERNEL_NAME, cwd=str(task.notebook.parent), progress_bar=False,
                                    log_output=False, start_timeout=START_TIMEOUT_S, extra_arguments=KERNEL_ARGS,
                                    execution_timeout=CELL_TIMEOUT_S,
                                    shutdown_kernel="immediate",  # every output and table is in by then
                                    **_kernel_options(sockets))
        except pm.PapermillExecutionError as exc:
            error = CellError(cell=exc.exec_count, cell_index=exc.cell_index, cell_id=None, ename=exc.ename,
                              evalue=str(exc.evalue), traceback=_ANSI.sub("", "\n".join(exc.traceback or [])))
        except Exception as exc:  # the kernel died, would not start, or the notebook is unreadable
            error = _crash(task.executed_path, exc)
            if attempt < 2 and error.stage == "start" and _start_failed(exc):
                continue
        break
    return _iso(start), _iso(_now()), time.perf_counter() - t0, error


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
        import nbformat

        try:
            where = crashed_cell(nbformat.read(str(executed), as_version=4))
        except Exception:  # an unreadable executed copy: report the failure without its cell
            where = None
    message = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
    if where is None:
        return CellError(cell=None, cell_index=None, cell_id=None, ename=type(exc).__name__, evalue=message,
                         stage="start")
    return CellError(cell=where[1], cell_index=where[0], cell_id=None, ename=type(exc).__name__, evalue=message)


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


def _failing_cell_id(nb: Any, error: CellError) -> str | None:
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return cell.get("id")
    if error.cell_index is not None and 0 <= error.cell_index < len(nb.cells):
        return nb.cells[error.cell_index].get("id")
    return None


def export_executed(task: Task, started: str, finished: str, seconds: float, error: CellError | None,
                    bundle: str) -> NotebookResult:
    """Export an executed notebook (failed ones too) to its HTML page; never raises for a bad page."""
    import nbformat

    from alignment.export import PageInfo, notebook_title, page_html
    from alignment.tables import atomic_write_text

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
    info = PageInfo(scenario=task.scenario, data_dir=task.data_dir, ran_at=task.ran_at, notebook=task.name,
                    failure=error.text if error else None)
    html: str | None = rel_html
    try:
        text = page_html(nb, info, show_code=task.show_code, bundle=bundle,
                         failure_cell_id=error.cell_id if error else None)
        atomic_write_text(task.html_path, text)
    except Exception as exc:  # a page that cannot be exported is a failure of the notebook
        html = None
        if error is None:
            error = CellError(cell=None, cell_index=None, cell_id=None, ename=type(exc).__name__,
                              evalue=str(exc) or type(exc).__name__, stage="export")
    return NotebookResult(name=task.name, scenario=task.scenario, status="ok" if error is None else "failed", started=started,
                          finished=_iso(_now()), duration_s=round(seconds + time.perf_counter() - t0, 3),
                          notebook=rel_nb_out, html=html, title=title, error=error)


# --------------------------------------------------------------------------- scenarios


@dataclass
class Scenario:
    """One params file of a run and where its report goes."""

    params_file: Path
    params: Any
    inputs: Any
    warnings: list[str]
    out_dir: Path
    build_dir: Path | None = None
    started: datetime | None = None
    results: list[NotebookResult] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.params_file.stem

    @property
    def status(self) -> str:
        return "ok" if all(r.status == "ok" for r in self.results) else "failed"


def load_scenarios(params_files: Sequence[Path], out: Path | None,
                   load: Callable[[Path], tuple[Any, Any, list[str]]] | None = None) -> list[Scenario]:
    """Validate every params file with its data; then decide each report's folder.

    Raises
    ------
    ParamsError or InputError
        With one file, its own error; with several, every file's messages in one ParamsError.
    RunError
        For two params files with the same stem.
    """
    from alignment.problems import InputError, ParamsError

    if load is None:
        from alignment.cli import load_checked as load
    files = [Path(p) for p in params_files]
    stems = [p.stem for p in files]
    dupes = sorted({s for s in stems if stems.count(s) > 1})
    if dupes:
        raise RunError(f"alignment run: params files with the same name {', '.join(dupes)}: "
                       "expected one params file per scenario name (each report is named after its file)")
    loaded, messages = [], []
    for path in files:
        try:
            loaded.append((path, *load(path)))
        except (ParamsError, InputError) as exc:
            if len(files) == 1:
                raise
            messages.extend(str(exc).splitlines())
    if messages:
        raise ParamsError(messages)
    if len(files) == 1:
        outs = [out if out is not None else Path("reports") / files[0].stem]
    else:
        parent = out if out is not None else Path("reports")
        outs = [parent / p.stem for p in files]
    return [Scenario(params_file=path.resolve(), params=params, inputs=inputs, warnings=list(warnings),
                     out_dir=o.resolve()) for (path, params, inputs, warnings), o in zip(loaded, outs, strict=True)]


def sha256_file(path: Path) -> str:
    """The file's SHA-256 as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_hashes(inputs: Any) -> dict[str, dict[str, Any]]:
    """Every input file of the data folder: path, size and SHA-256."""
    return {stem: {"file": str(path), "bytes": path.stat().st_size, "sha256": sha256_file(path)}
            for stem, path in sorted(inputs.files.items())}


def merge_headline(tables_dir: Path) -> dict[str, Any]:
    """The run's headline figures: every contract key (null if not computed), then any extra keys."""
    from alignment.export import HEADLINE_KEYS
    from alignment.tables import read_headline_parts

    parts = read_headline_parts(tables_dir)
    merged = {k: parts.get(k) for k in HEADLINE_KEYS}
    merged.update({k: v for k, v in parts.items() if k not in merged})
    return merged


def group_allocation(report_dir: Path) -> dict[str, dict[str, float]] | None:
    """Allocated and final quota summed by customer group from ``tables/final_quotas.csv``.

    Sums are taken in integer cents; None when the table was not written (or lacks the columns).
    """
    import pandas as pd

    from alignment.money import from_cents, to_cents

    path = report_dir / "tables" / "final_quotas.csv"
    if not path.is_file():
        return None
    try:
        df = pd.read_csv(path, dtype={"customer_group": "str"}, usecols=["customer_group", "allocated", "final_quota"],
                         keep_default_na=False, na_values={"allocated": [""], "final_quota": [""]})
    except ValueError:  # not the contract's columns: nothing to compare
        return None
    cents = pd.DataFrame({"customer_group": df["customer_group"],
                          "allocated": to_cents(df["allocated"].fillna(0.0)),
                          "final_quota": to_cents(df["final_quota"].fillna(0.0))})
    sums = cents.groupby("customer_group", sort=True)[["allocated", "final_quota"]].sum()
    out = {g: {"allocated": float(a), "final_quota": float(f)}
           for g, a, f in zip(sums.index, from_cents(sums["allocated"]), from_cents(sums["final_quota"]),
                              strict=True)}
    total = from_cents(sums.sum())
    out["Total"] = {"allocated": float(total[0]), "final_quota": float(total[1])}
    return out


def _write_json(path: Path, value: Any) -> None:
    from alignment.tables import atomic_write_text

    atomic_write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def finish_report(scenario: Scenario, *, finished: datetime, options: dict[str, Any],
                  comparison: str | None) -> dict[str, Any]:
    """Write headline.json, run.json and index.html into the build folder; returns the headline."""
    from alignment.export import IndexPage, index_html
    from alignment.tables import HEADLINE_PARTS, atomic_write_text

    assert scenario.build_dir is not None and scenario.started is not None
    tables = scenario.build_dir / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    headline = merge_headline(tables)
    shutil.rmtree(tables / HEADLINE_PARTS, ignore_errors=True)
    _write_json(scenario.build_dir / "headline.json", headline)
    seconds = (finished - scenario.started).total_seconds()
    run = {
        "scenario": scenario.name,
        "params_file": str(scenario.params_file),
        "parameters": scenario.params.to_dict(),
        "inputs": input_hashes(scenario.inputs),
        "package": {"name": "alignment-workbook", "version": __version__},
        "python": platform.python_version(),
        "started": _iso(scenario.started),
        "finished": _iso(finished),
        "duration_s": round(seconds, 3),
        "status": scenario.status,
        "options": options,
        "warnings": scenario.warnings,
        "notebooks": [r.to_json() for r in scenario.results],
    }
    _write_json(scenario.build_dir / "run.json", run)
    page = IndexPage(scenario=scenario.name, params_file=str(scenario.params_file),
                     data_dir=str(scenario.params.data_dir), started=_shown_time(scenario.started),
                     duration=f"{seconds:.1f} s", status=scenario.status, headline=headline,
                     notebooks=[{**asdict(r), "error_text": r.error_text} for r in scenario.results],
                     version=__version__, comparison=comparison)
    atomic_write_text(scenario.build_dir / "index.html", index_html(page))
    return headline


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share_permissions(folder: Path) -> None:
    """Give the report the permissions of an ordinary folder (temporary files are private)."""
    mask = _umask()
    folder.chmod(0o777 & ~mask)
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o777 & ~mask)
        for f in files:
            os.chmod(os.path.join(root, f), 0o666 & ~mask)


def check_replaceable(out_dir: Path) -> None:
    """Refuse a report folder that would replace something other than an earlier report.

    A run replaces its report folder whole; a file, or a folder with other things in it and no
    ``run.json``, is never deleted to make room.
    """
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise RunError(f"alignment run: --out: {out_dir} is a file: expected a folder for the report")
    if any(out_dir.iterdir()) and not (out_dir / "run.json").is_file():
        raise RunError(f"alignment run: --out: {out_dir} holds files and no run.json: expected a new or empty "
                       "folder, or an earlier report (which is replaced)")


def swap_into_place(build_dir: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``build_dir``: old renamed away, new renamed in, old removed."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
        old.rmdir()
        os.replace(out_dir, old)
    os.replace(build_dir, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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
            from alignment.export import vega_bundle

            self._value = vega_bundle()
        except BaseException as exc:  # reported when a page needs it
            self._error = exc
            return
        if self._warm_pages is not None:
            try:
                import nbformat

                from alignment.export import PageInfo, page_html

                page_html(nbformat.v4.new_notebook(), PageInfo("", "", "", ""), show_code=self._warm_pages, bundle="")
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
    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork" if safe else "spawn"))


def _execute_in_worker(task: Task) -> tuple[str, str, float, CellError | None]:
    return execute_notebook(task)


def _export_in_worker(task: Task, started: str, finished: str, seconds: float, error: CellError | None,
                      bundle: str) -> NotebookResult:
    return export_executed(task, started, finished, seconds, error, bundle)


def run_tasks(tasks: Sequence[Task], jobs: int, on_result: Callable[[NotebookResult], None]) -> list[NotebookResult]:
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
                        pending[pool.submit(_export_in_worker, tasks[i], *fut.result(), bundle.get())] = ("export", i)
                    else:
                        results[i] = fut.result()
                        on_result(results[i])
                fill()
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    return [results[i] for i in range(len(tasks))]


@dataclass(frozen=True)
class RunOutcome:
    """What a run produced: per scenario its report folder, status and notebook results."""

    scenarios: list[Scenario]
    comparison: Path | None
    exit_status: int


def run(params_files: Sequence[Path], *, out: Path | None = None, only: str | Iterable[str] | None = None,
        jobs: int = 1, show_code: bool = False, notebooks_dir: str | Path | None = None,
        progress: bool = True, log: Callable[[str], None] | None = None) -> RunOutcome:
    """Run the notebooks for every params file and write the reports (see the module docstring).

    Raises
    ------
    ParamsError, InputError, RunError
        Before anything runs: bad parameters, inputs or arguments.
    """
    from alignment.export import comparison_html
    from alignment.tables import atomic_write_text

    log = log or (lambda line: print(line, file=sys.stderr))
    if jobs < 1:
        raise RunError(f"alignment run: --jobs: value {jobs}: expected a whole number >= 1")
    if not params_files:
        raise RunError("alignment run: expected at least one params file")
    notebooks = find_notebooks(notebooks_dir)
    if not notebooks:
        folder = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
        raise RunError(f"alignment run: {folder}: no notebooks ({NOTEBOOK_GLOB}) in the folder")
    selected = select_notebooks(notebooks, only)
    scenarios = load_scenarios(params_files, out)
    for s in scenarios:
        check_replaceable(s.out_dir)
    for s in scenarios:
        for w in s.warnings:
            log(w)

    from alignment.params import notebook_parameters

    several = len(scenarios) > 1
    tasks: list[Task] = []
    owner: list[Scenario] = []
    try:
        for s in scenarios:
            s.out_dir.parent.mkdir(parents=True, exist_ok=True)
            s.build_dir = Path(tempfile.mkdtemp(prefix=f".{s.out_dir.name}.", suffix=".building",
                                                dir=s.out_dir.parent))
            s.started = _now()
            (s.build_dir / "tables").mkdir()
            parameters = notebook_parameters(s.params, report_dir=s.out_dir / "tables")
            parameters["report_dir"] = str(s.build_dir / "tables")
            for nb in selected:
                tasks.append(Task(notebook=nb.resolve(), scenario=s.name, build_dir=s.build_dir,
                                  final_dir=s.out_dir, parameters=parameters, data_dir=str(s.params.data_dir),
                                  ran_at=_shown_time(s.started), show_code=show_code))
                owner.append(s)
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked after this
        desc = scenarios[0].name if not several else f"{len(scenarios)} scenarios"
        with tqdm(total=len(tasks), desc=desc, unit="notebook", file=sys.stderr, disable=not progress,
                  dynamic_ncols=True) as bar:
            def on_result(r: NotebookResult) -> None:
                label = f"{r.scenario}/{r.name}" if several else r.name
                bar.set_postfix_str(label if r.status == "ok" else f"{label} FAILED", refresh=False)
                bar.update(1)
                if r.error is not None:
                    prefix = f"{r.scenario}: " if several else ""
                    bar.write(f"{prefix}{r.line()}", file=sys.stderr)

            results = run_tasks(tasks, jobs, on_result)
        for s, r in zip(owner, results, strict=True):
            s.results.append(r)

        finished = _now()
        options = {"only": [p.stem for p in selected] if only is not None else None, "jobs": jobs,
                   "show_code": show_code}
        headlines = {}
        for s in scenarios:
            assert s.build_dir is not None
            headlines[s.name] = finish_report(s, finished=finished, options=options,
                                              comparison="../comparison.html" if several else None)
            share_permissions(s.build_dir)
            swap_into_place(s.build_dir, s.out_dir)
            s.build_dir = None
        comparison = None
        if several:
            groups = {s.name: group_allocation(s.out_dir) for s in scenarios}
            names = sorted({g for v in groups.values() if v for g in v if g != "Total"}) + ["Total"]
            group_rows = [{"customer_group": g, **{n: (v or {}).get(g) for n, v in groups.items()}} for g in names]
            if not any(groups.values()):
                group_rows = []
            parent = scenarios[0].out_dir.parent
            comparison = atomic_write_text(parent / "comparison.html", comparison_html(
                [{"name": s.name, "link": f"{s.out_dir.name}/index.html", "status": s.status,
                  "headline": headlines[s.name]} for s in scenarios], group_rows, _shown_time(scenarios[0].started)))
            comparison.chmod(0o666 & ~_umask())
    finally:
        for s in scenarios:
            if s.build_dir is not None:
                shutil.rmtree(s.build_dir, ignore_errors=True)
    status = EXIT_OK if all(s.status == "ok" for s in scenarios) else EXIT_FAILED
    return RunOutcome(scenarios=scenarios, comparison=comparison, exit_status=status)


def run_command(params_files: list[Path], out: Path | None = None, only: str | None = None, jobs: int = 1,
                show_code: bool = False, debug: bool = False, notebooks_dir: str | Path | None = None) -> int:
    """``alignment run``: 0 every notebook ran, 1 a notebook failed, 2 bad parameters, inputs or arguments.

    ``ParamsError`` and ``InputError`` propagate to ``alignment.cli.main``, which prints their
    one-line messages and exits 2.
    """
    try:
        outcome = run(params_files, out=out, only=only, jobs=jobs, show_code=show_code,
                      notebooks_dir=notebooks_dir)
    except RunError as exc:
        if debug:
            raise
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    for s in outcome.scenarios:
        failed = [r for r in s.results if r.status != "ok"]
        seconds = sum(r.duration_s for r in s.results)
        n = len(s.results)
        summary = (f"{s.name}: {n} notebook{'s' * (n != 1)}, {n - len(failed)} ok, "
                   f"{len(failed)} failed ({seconds:.1f} s of notebooks)")
        print(f"{summary}: {_display_path(s.out_dir / 'index.html')}")
        for r in failed:
            print(f"alignment run: {s.name}: {r.line()}", file=sys.stderr)
            if debug and r.error is not None and r.error.traceback:
                print(r.error.traceback, file=sys.stderr)
    if outcome.comparison is not None:
        print(f"comparison: {_display_path(outcome.comparison)}")
    return outcome.exit_status


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
