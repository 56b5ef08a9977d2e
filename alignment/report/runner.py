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
- Nothing the workbook did not write is deleted or overwritten (``alignment.report.folders``): a
  report folder must be new, empty, or a report the workbook wrote (``run.json`` lists its files),
  outside every data folder, writable and not a mount point, or nothing runs (exit 2). At the swap
  it is checked again; a folder that gained anything else meanwhile is left as it is and the report
  goes to ``<name>-2`` (the terminal says so). Build folders of killed runs are removed first.
- SIGTERM and SIGHUP stop a run as Ctrl-C does: kernels shut down, temporary folders removed, exit
  143 or 129 (``alignment.report.interrupts``).
- ``--format parquet`` writes ``tables/.settings.json`` (``{"table_format": "parquet"}``) before any
  notebook starts; the notebooks' table writers (:func:`alignment.outputs.write_table`) read it, so the
  notebooks' parameters stay as they are. CSV, the default, needs no settings file.
- ``--pack`` also writes ``pack.html`` and ``pack.pdf`` (:mod:`alignment.report.pack`) into each report,
  before run.json is sealed, so they are the report's own files. Without Chromium nothing runs (exit
  2); a PDF that fails to print keeps the report and makes the exit status 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from alignment.outputs import TABLE_FORMATS, atomic_write_text, write_table_settings
from alignment.params import notebook_parameters
from alignment.paths import NOTEBOOKS_DIR
from alignment.presentation.tables import display_for
from alignment.problems import EXIT_FAILED, EXIT_OK, RunError
from alignment.report.assembly import Scenario, finish_report, load_scenarios
from alignment.report.diff import compare_reports, scenario_comparison
from alignment.report.execution import NotebookResult, Task, now, relocate_notebooks, shown_time
from alignment.report.export import HEADLINE_LABELS, comparison_html, diff_html, scenario_extras
from alignment.report.folders import (
    BuildFolder,
    check_comparison,
    check_report_folder,
    clean_stale,
    new_build_folder,
    place_report,
    seal_report,
    share_permissions,
    umask,
)
from alignment.report.interrupts import held, stop_on_termination
from alignment.report.notebooks import NOTEBOOK_GLOB, find_notebooks, select_notebooks
from alignment.report.pack import PackError, check_chromium, write_pack
from alignment.report.scheduling import run_tasks
from alignment.sources.load import notebook_inputs

CHANGES_PAGE = "changes.html"


def previous_reports(
    scenarios: Sequence[Scenario], compare_to: Path | None, log: Callable[[str], None]
) -> dict[str, Path]:
    """``--compare-to``: the earlier report each scenario is compared with, checked before anything runs.

    With one params file the folder must be a report; with several it is the parent of earlier
    reports, and each scenario is compared with ``<folder>/<name>`` where that is a report.
    """
    if compare_to is None:
        return {}
    folder = Path(compare_to)
    if len(scenarios) == 1:
        if not (folder / "run.json").is_file() or not (folder / "headline.json").is_file():
            raise RunError(
                f"alignment run: --compare-to: {folder} holds no run.json and headline.json: expected a "
                "report folder written by alignment run"
            )
        return {scenarios[0].name: folder.resolve()}
    found = {}
    for s in scenarios:
        candidate = folder / s.name
        if (candidate / "run.json").is_file() and (candidate / "headline.json").is_file():
            found[s.name] = candidate.resolve()
        else:
            log(f"alignment run: --compare-to: no earlier report {candidate}: {s.name} is not compared")
    return found


def write_changes(previous: Path, build_dir: Path) -> Path:
    """changes.html in the new report: what changed since ``previous`` (read before it is replaced)."""
    diff = compare_reports(previous, build_dir, HEADLINE_LABELS)
    return atomic_write_text(build_dir / CHANGES_PAGE, diff_html(diff))


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
    compare_to: Path | None = None,
    pack: bool = False,
) -> RunOutcome:
    """Run the notebooks for every params file and write the reports (see the module docstring).

    Raises
    ------
    ParamsError, InputError, RunError
        Before anything runs: bad parameters, inputs or arguments.
    """

    with stop_on_termination():
        return _run(
            params_files,
            out,
            only,
            jobs,
            show_code,
            notebooks_dir,
            progress,
            log,
            compare_to,
            table_format,
            pack,
        )


def _run(
    params_files: Sequence[Path],
    out: Path | None,
    only: str | Iterable[str] | None,
    jobs: int,
    show_code: bool,
    notebooks_dir: str | Path | None,
    progress: bool,
    log: Callable[[str], None] | None,
    compare_to: Path | None = None,
    table_format: str = "csv",
    pack: bool = False,
) -> RunOutcome:
    log = log or (lambda line: print(line, file=sys.stderr))
    if jobs < 1:
        raise RunError(f"alignment run: --jobs: value {jobs}: expected a whole number >= 1")
    if table_format not in TABLE_FORMATS:
        raise RunError(
            f"alignment run: --format: value {table_format!r}: expected one of {', '.join(TABLE_FORMATS)}"
        )
    if not params_files:
        raise RunError("alignment run: expected at least one params file")
    browser = check_chromium() if pack else None  # before anything runs: the PDF needs the browser
    notebooks = find_notebooks(notebooks_dir)
    if not notebooks:
        folder = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
        raise RunError(f"alignment run: {folder}: no notebooks ({NOTEBOOK_GLOB}) in the folder")
    selected = select_notebooks(notebooks, only)
    scenarios = load_scenarios(params_files, out)
    several = len(scenarios) > 1
    data_dirs = [Path(s.params.data_dir) for s in scenarios]
    previous = previous_reports(scenarios, compare_to, log)
    for s in scenarios:
        check_report_folder(s.out_dir, data_dirs)
    if several:
        check_comparison(scenarios[0].out_dir.parent)
    for s in scenarios:
        for w in s.warnings:
            log(w)

    tasks: list[Task] = []
    owner: list[Scenario] = []
    builds: dict[str, BuildFolder] = {}
    unpacked: list[str] = []  # scenarios whose pack.pdf could not be printed
    try:
        for s in scenarios:
            for line in clean_stale(s.out_dir):
                log(f"alignment run: {line}")
            builds[s.name] = new_build_folder(s.out_dir)
            s.build_dir = builds[s.name].path
            s.started = now()
            (s.build_dir / "tables").mkdir()
            if table_format != "csv":  # the notebooks' table writers read it from the folder
                write_table_settings(s.build_dir / "tables", table_format=table_format)
            parameters = notebook_parameters(s.params, report_dir=s.out_dir / "tables")
            parameters["report_dir"] = str(s.build_dir / "tables")
            if s.params.sources:  # the notebooks read what the sources gave, mapped once for all
                parameters.update(notebook_inputs(s.inputs, s.build_dir / "inputs"))
            for nb in selected:
                tasks.append(
                    Task(
                        notebook=nb.resolve(),
                        scenario=s.name,
                        build_dir=s.build_dir,
                        final_dir=s.out_dir,
                        parameters=parameters,
                        data_dir=s.shown_data_dir,
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
            "pack": pack,
        }
        headlines = {}
        for s in scenarios:
            assert s.build_dir is not None
            headlines[s.name] = finish_report(
                s,
                finished=finished,
                options=options,
                comparison="../comparison.html" if several else None,
                changes=CHANGES_PAGE if s.name in previous else None,
            )
            if s.name in previous:
                write_changes(previous[s.name], s.build_dir)
            if pack:
                try:
                    write_pack(
                        s.build_dir,
                        scenario=s.name,
                        ran_at=shown_time(s.started),
                        headline=headlines[s.name],
                        records=s.records,
                        browser=browser,
                        display=display_for(s.params.display),
                    )
                except PackError as exc:  # the report is kept; the run fails (exit 1)
                    log(f"alignment run: {s.name}: {exc}")
                    unpacked.append(s.name)
            share_permissions(s.build_dir)
            with held():  # a signal now would cut the swap in two: it waits until the report is in place
                s.out_dir = place_report(builds[s.name], s.out_dir, _preparer(s.build_dir, s.out_dir), log)
                s.build_dir = None
        comparison = None
        if several:
            groups = {s.name: s.records.get("group_totals") for s in scenarios}
            names = sorted({g for v in groups.values() if v for g in v if g != "Total"}) + ["Total"]
            group_rows = [
                {"customer_group": g, **{n: (v or {}).get(g) for n, v in groups.items()}} for g in names
            ]
            if not any(groups.values()):
                group_rows = []
            parent = scenarios[0].out_dir.parent
            names = [s.name for s in scenarios]
            shown = display_for(scenarios[0].params.display)  # the first scenario's: the others' base
            extras = scenario_extras(
                scenario_comparison([s.out_dir for s in scenarios], HEADLINE_LABELS), names, shown
            )
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
                    extras,
                    shown,
                ),
            )
            comparison.chmod(0o666 & ~umask())
    finally:
        for build in builds.values():
            build.release()
    status = EXIT_OK if all(s.status == "ok" for s in scenarios) and not unpacked else EXIT_FAILED
    return RunOutcome(scenarios=scenarios, comparison=comparison, exit_status=status)


def _preparer(build_dir: Path, planned: Path) -> Callable[[Path], None]:
    """Before a report is put in place at ``target``: its notebooks name ``target``; its run.json is sealed."""
    where = [planned]

    def prepare(target: Path) -> None:
        if target != where[0]:
            relocate_notebooks(build_dir, where[0], target)
            where[0] = target
        seal_report(build_dir)

    return prepare
