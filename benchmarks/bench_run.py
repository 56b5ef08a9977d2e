"""Benchmark of ``alignment run params/sample.yaml`` against a floor measured in the same run.

Run from the project folder::

    .venv/bin/python benchmarks/bench_run.py
    .venv/bin/python benchmarks/bench_run.py --jobs 1 2 --repeat 2

The floor is as many generated notebooks as the workbook has, each with the same parameters cell,
the same imports (pandas, altair, the ``alignment`` package and the display set-up) and one chart,
executed and exported through the same runner code path (:func:`alignment.report.runner.run`) with the
same params file. For each ``--jobs`` value the script times the floor and the real run (best of
``--repeat``, floor and run alternating) and prints::

    run/floor ratio (jobs=1): X.XX        aim: under 1.5
    jobs=1 / jobs=2 speed-up (run): X.XX  aim: clearly above 1

and the size of every exported page. Reports go to ``benchmarks/out/`` (git-ignored).

A speed-up needs free cores: the script first prints the machine's parallel capacity (one CPU-bound
process against two at once; 2.00 on two idle cores), to read the jobs figures against.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out" / "run"

FLOOR_SOURCE = """\
import altair as alt
import pandas as pd

import alignment.presentation.charts  # noqa: F401  (the package's chart helpers, as the notebooks import them)
from alignment.presentation.display import setup
from alignment.workbook import Workbook  # noqa: F401

setup()
frame = pd.DataFrame({"step": ["a", "b", "c"], "amount": [1.0, 2.0, 3.0]})
alt.Chart(frame).mark_bar().encode(x=alt.X("step:N", title="Step"),
                                   y=alt.Y("amount:Q", title="Amount (currency units)"),
                                   tooltip=["step", "amount"]).properties(title="Floor chart")
"""


def write_floor_notebooks(folder: Path, names: list[str]) -> Path:
    """One floor notebook per workbook notebook, named alike, in ``folder``."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from alignment.paths import NOTEBOOKS_DIR

    first = nbformat.read(NOTEBOOKS_DIR / f"{names[0]}.ipynb", as_version=4)
    params_cell = next(c for c in first.cells if "parameters" in c.metadata.get("tags", []))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in names:
        nb = new_notebook(
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            }
        )
        cell = new_code_cell(params_cell.source)
        cell.metadata["tags"] = ["parameters"]
        nb.cells = [new_markdown_cell(f"# Floor {name}\n\nOne chart."), cell, new_code_cell(FLOOR_SOURCE)]
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def timed_run(params: Path, out: Path, jobs: int, notebooks_dir: Path | None) -> float:
    """Seconds for one run through :func:`alignment.report.runner.run` (exit status must be 0)."""
    from alignment.report.runner import run

    if out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    outcome = run(
        [params], out=out, jobs=jobs, notebooks_dir=notebooks_dir, progress=False, log=lambda line: None
    )
    seconds = time.perf_counter() - start
    if outcome.exit_status != 0:
        failed = [r.line() for s in outcome.scenarios for r in s.results if r.status != "ok"]
        raise SystemExit(f"the run failed: {failed}")
    return seconds


def _spin(n: int = 20_000_000) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def parallel_capacity() -> float:
    """How many CPU-bound processes run at full speed at once (two at most)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_spin, [1000, 1000])  # start-up outside the timing
        one = two = float("inf")
        for _ in range(3):  # best of 3: other load on the machine comes and goes
            start = time.perf_counter()
            pool.map(_spin, [20_000_000])
            one = min(one, time.perf_counter() - start)
            start = time.perf_counter()
            pool.map(_spin, [20_000_000, 20_000_000], chunksize=1)
            two = min(two, time.perf_counter() - start)
    return 2 * one / two


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=None, help="params file (default params/sample.yaml)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs each")
    args = parser.parse_args(argv)

    from alignment.paths import SAMPLE_PARAMS
    from alignment.report.notebooks import find_notebooks

    params = args.params or SAMPLE_PARAMS
    names = [p.stem for p in find_notebooks()]
    if not names:
        print("no notebooks to run", file=sys.stderr)
        return 2
    floor_dir = write_floor_notebooks(OUT_DIR / "floor_notebooks", names)
    print(f"{len(names)} notebooks, params {params}, best of {args.repeat}")
    print(f"parallel capacity of this machine now: {parallel_capacity():.2f} (2.00 = two idle cores)")

    times: dict[tuple[str, int], float] = {}
    for jobs in args.jobs:
        times["floor", jobs] = times["run", jobs] = float("inf")
        for _ in range(args.repeat):
            for kind, folder in (("floor", floor_dir), ("run", None)):
                seconds = timed_run(params, OUT_DIR / f"{kind}_jobs{jobs}", jobs, folder)
                times[kind, jobs] = min(times[kind, jobs], seconds)
        print(f"floor (jobs={jobs}): {times['floor', jobs]:.1f} s")
        print(f"run   (jobs={jobs}): {times['run', jobs]:.1f} s")
        print(f"run/floor ratio (jobs={jobs}): {times['run', jobs] / times['floor', jobs]:.2f}")
    if 1 in args.jobs:
        for jobs in args.jobs:
            if jobs != 1:
                print(f"jobs=1 / jobs={jobs} speed-up (run): {times['run', 1] / times['run', jobs]:.2f}")
                print(
                    f"jobs=1 / jobs={jobs} speed-up (floor): {times['floor', 1] / times['floor', jobs]:.2f}"
                )

    jobs = args.jobs[-1]
    print("page sizes (run, then floor):")
    for kind in ("run", "floor"):
        for page in sorted((OUT_DIR / f"{kind}_jobs{jobs}" / "html").glob("*.html")):
            print(f"  {kind:5} {page.name:32} {page.stat().st_size / 1e6:6.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
