"""``alignment run``: execute the workbook's notebooks, export them, and write the report.

Rules the contract leaves open, decided here:

- Notebooks are ``NN_name.ipynb`` in the notebooks folder, run in name order; ``--only`` takes their
  stems (comma-separated) and refuses an unknown one with exit 2, listing the known ones.
- Every params file is validated with its data (``alignment.loading.load_checked``) before any notebook
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
- ``--format parquet`` writes ``tables/.settings.json`` (``{"table_format": "parquet"}``) before any
  notebook starts; the notebooks' table writers (:func:`alignment.outputs.write_table`) read it, so the
  notebooks' parameters stay as they are. CSV, the default, needs no settings file.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from alignment.outputs import TABLE_FORMATS, atomic_write_text, write_table_settings
from alignment.params import notebook_parameters
from alignment.paths import NOTEBOOKS_DIR
from alignment.problems import EXIT_FAILED, EXIT_OK, RunError
from alignment.report.assembly import Scenario, finish_report, group_allocation, load_scenarios
from alignment.report.execution import NotebookResult, Task, now, shown_time
from alignment.report.export import comparison_html
from alignment.report.folders import check_replaceable, share_permissions, swap_into_place, umask
from alignment.report.notebooks import NOTEBOOK_GLOB, find_notebooks, select_notebooks
from alignment.report.scheduling import run_tasks


@dataclass(frozen=True)
class RunOutcome:
    """What a run produced: per scenario its report folder, status and notebook results."""

    scenarios: list[Scenario]
    comparison: Path | None
    exit_status: int


def run(
    params_files: Sequence[Path],
    *,
    out: Path | None = None,
    only: str | Iterable[str] | None = None,
    jobs: int = 1,
    show_code: bool = False,
    notebooks_dir: str | Path | None = None,
    table_format: str = "csv",
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> RunOutcome:
    """Run the notebooks for every params file and write the reports (see the module docstring).

    Raises
    ------
    ParamsError, InputError, RunError
        Before anything runs: bad parameters, inputs or arguments.
    """

    log = log or (lambda line: print(line, file=sys.stderr))
    if jobs < 1:
        raise RunError(f"alignment run: --jobs: value {jobs}: expected a whole number >= 1")
    if table_format not in TABLE_FORMATS:
        raise RunError(
            f"alignment run: --format: value {table_format!r}: expected one of {', '.join(TABLE_FORMATS)}"
        )
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

    several = len(scenarios) > 1
    tasks: list[Task] = []
    owner: list[Scenario] = []
    try:
        for s in scenarios:
            s.out_dir.parent.mkdir(parents=True, exist_ok=True)
            s.build_dir = Path(
                tempfile.mkdtemp(prefix=f".{s.out_dir.name}.", suffix=".building", dir=s.out_dir.parent)
            )
            s.started = now()
            (s.build_dir / "tables").mkdir()
            if table_format != "csv":  # the notebooks' table writers read it from the folder
                write_table_settings(s.build_dir / "tables", table_format=table_format)
            parameters = notebook_parameters(s.params, report_dir=s.out_dir / "tables")
            parameters["report_dir"] = str(s.build_dir / "tables")
            for nb in selected:
                tasks.append(
                    Task(
                        notebook=nb.resolve(),
                        scenario=s.name,
                        build_dir=s.build_dir,
                        final_dir=s.out_dir,
                        parameters=parameters,
                        data_dir=str(s.params.data_dir),
                        ran_at=shown_time(s.started),
                        show_code=show_code,
                    )
                )
                owner.append(s)
        from tqdm import tqdm  # here: its monitor-thread setting must precede the pool

        tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked after this
        desc = scenarios[0].name if not several else f"{len(scenarios)} scenarios"
        with tqdm(
            total=len(tasks),
            desc=desc,
            unit="notebook",
            file=sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        ) as bar:

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

        finished = now()
        options = {
            "only": [p.stem for p in selected] if only is not None else None,
            "jobs": jobs,
            "show_code": show_code,
            "table_format": table_format,
        }
        headlines = {}
        for s in scenarios:
            assert s.build_dir is not None
            headlines[s.name] = finish_report(
                s, finished=finished, options=options, comparison="../comparison.html" if several else None
            )
            share_permissions(s.build_dir)
            swap_into_place(s.build_dir, s.out_dir)
            s.build_dir = None
        comparison = None
        if several:
            groups = {s.name: group_allocation(s.out_dir) for s in scenarios}
            names = sorted({g for v in groups.values() if v for g in v if g != "Total"}) + ["Total"]
            group_rows = [
                {"customer_group": g, **{n: (v or {}).get(g) for n, v in groups.items()}} for g in names
            ]
            if not any(groups.values()):
                group_rows = []
            parent = scenarios[0].out_dir.parent
            comparison = atomic_write_text(
                parent / "comparison.html",
                comparison_html(
                    [
                        {
                            "name": s.name,
                            "link": f"{s.out_dir.name}/index.html",
                            "status": s.status,
                            "headline": headlines[s.name],
                        }
                        for s in scenarios
                    ],
                    group_rows,
                    shown_time(scenarios[0].started),
                ),
            )
            comparison.chmod(0o666 & ~umask())
    finally:
        for s in scenarios:
            if s.build_dir is not None:
                shutil.rmtree(s.build_dir, ignore_errors=True)
    status = EXIT_OK if all(s.status == "ok" for s in scenarios) else EXIT_FAILED
    return RunOutcome(scenarios=scenarios, comparison=comparison, exit_status=status)
