"""Benchmark of ``alignment plan`` on a generated company of 100,000 customers x 8 products.

Run from the project folder::

    .venv/bin/python benchmarks/bench_plan.py            # 100,000 customers
    .venv/bin/python benchmarks/bench_plan.py --customers 20000

The company is generated once with :func:`alignment.sample.write_sample` (Parquet) and cached under
``benchmarks/out/`` (git-ignored). In one process the script then measures, best of 3 each, taking
turns so that a busy machine slows every measurement alike:

- the reading floor: reading the same input files as the loader reads them
  (:func:`alignment.inputs.read_table`, money kept as numbers where Parquet stores numbers), plus
  one groupby sum of the actuals' revenue by customer;
- the I/O floor: the reading floor, then writing four tables of the same shape as the plan's
  (the same rows, columns and kinds of column, values taken from the inputs) with pyarrow's CSV
  writer;
- the engine: :func:`alignment.inputs.load_inputs` (reading and validating the data folder) and
  :func:`alignment.engine.plan.build_plan`;
- ``alignment plan PARAMS --out DIR`` end to end (checked loading, planning, writing the four CSV
  tables), run in this process through :func:`alignment.cli.main`, and the same with
  ``--format parquet``;
- as fresh processes, what a user waits for at the prompt: ``python -m alignment plan PARAMS --out
  DIR`` (its imports included) against a floor process that imports pandas and pyarrow, reads every
  input file with pyarrow alone, sums the actuals by customer and writes the same tables of the
  plan's shape (``command/floor ratio``; aim: at most 2).

It prints the times (wall clock and CPU, the CPU time of all threads of the process) and the ratios
``plan/floor`` (engine against the reading floor; aim: under 3) and ``end-to-end/floor``
(``alignment plan`` against the I/O floor; aim: at most 2), then the peak memory of fresh processes
that run the engine and ``alignment plan`` once (the resident set's high-water mark; aim: under 4 GB).
On a machine shared with other work the CPU ratios are the steadier ones.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
PLAN_TABLES = ("targets.csv", "rollup.csv", "final_quotas.csv", "monthly_objectives.csv")


@dataclass(frozen=True)
class Timing:
    """Seconds of wall clock and of CPU (all threads of this process)."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s (cpu {self.cpu:6.2f} s)"


@dataclass(frozen=True)
class TableShape:
    """A table to write: its name, row count and each column's kind (``text``, ``number``, ``bool``)."""

    name: str
    rows: int
    columns: tuple[tuple[str, str], ...]


def timed(work: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def best(timings: list[Timing]) -> Timing:
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def company(customers: int) -> Path:
    """The generated company's data folder, written on first use."""
    folder = OUT_DIR / f"company_{customers}"
    done = folder / ".complete"
    if not done.is_file():
        from alignment.sample import write_sample

        start = time.perf_counter()
        write_sample(folder, customers=customers, fmt="parquet")
        done.write_text("ok\n", encoding="utf-8")
        print(f"generated {folder} in {time.perf_counter() - start:.1f} s")
    return folder


def _params(folder: Path):
    from alignment.params import load_params
    from alignment.paths import SAMPLE_PARAMS

    return load_params(SAMPLE_PARAMS).with_changes(data_dir=folder)


def params_file(folder: Path) -> Path:
    """The sample's parameters with ``data_dir`` set to the generated company, as a params file."""
    import yaml

    path = folder.parent / f"{folder.name}.yaml"
    path.write_text(yaml.safe_dump(_params(folder).to_dict(), sort_keys=False), encoding="utf-8")
    return path


def _read_inputs(folder: Path) -> dict:
    import pandas as pd

    from alignment.inputs import SPECS, find_files, read_table

    files, _ = find_files(folder)
    tables = {stem: read_table(path, numeric=SPECS[stem].money + ("share",)) for stem, path in files.items()}
    actuals = tables["actuals"]
    total = pd.to_numeric(actuals["revenue"]).groupby(actuals["customer_id"]).sum()
    assert len(total) > 0
    return tables


def reading_floor_once(folder: Path) -> None:
    """Read every input file as the loader does, then one groupby sum."""
    _read_inputs(folder)


def io_floor_once(folder: Path, shapes: list[TableShape], out: Path) -> None:
    """The reading floor, then tables of the plan's shapes written with pyarrow's CSV writer."""
    _write_shapes(_read_inputs(folder)["sales_input"], shapes, out)


def _read_plain(folder: Path) -> dict:
    """Every input file read with pyarrow alone (Parquet, or CSV as text), as pandas frames with Arrow
    strings, then one groupby sum of the actuals' revenue by customer: a fresh process's floor."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    text = pd.StringDtype("pyarrow", na_value=float("nan"))
    tables = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
        elif path.suffix == ".csv":
            names = pa_csv.read_csv(path, read_options=pa_csv.ReadOptions(skip_rows_after_names=1 << 62))
            table = pa_csv.read_csv(
                path,
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names.column_names, pa.string())
                ),
            )
        else:
            continue
        tables[path.stem] = table.to_pandas(types_mapper=lambda t: text if pa.types.is_string(t) else None)
    actuals = tables["actuals"]
    total = pd.to_numeric(actuals["revenue"]).groupby(actuals["customer_id"]).sum()
    assert len(total) > 0
    return tables


def _write_shapes(source: pd.DataFrame, shapes: list[TableShape], out: Path) -> None:
    """Tables of the given shapes, values taken from ``source`` (sales_input), by pyarrow's CSV writer."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    text = pa.array(source["customer_id"])
    number = pa.array(source["potential"].to_numpy(dtype="float64"))
    out.mkdir(parents=True, exist_ok=True)
    for shape in shapes:
        rows = pa.array(np.arange(shape.rows) % len(source))
        flags = pa.array(np.arange(shape.rows) % 2 == 0)
        kinds = {"text": text.take(rows), "number": number.take(rows), "bool": flags}
        table = pa.table({name: kinds[kind] for name, kind in shape.columns})
        pa_csv.write_csv(table, out / shape.name)


def floor_process_once(folder: Path, shapes_file: Path, out: Path) -> Timing:
    """A fresh Python process that imports pandas and pyarrow, reads the inputs with pyarrow
    (:func:`_read_plain`) and writes tables of the plan's shapes (:func:`_write_shapes`)."""
    return _process(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--floor-child",
            str(folder),
            str(shapes_file),
            str(out),
        ]
    )


def command_once(params: Path, out: Path) -> Timing:
    """``alignment plan PARAMS --out OUT`` as the user runs it: a fresh process, imports included."""
    return _process([sys.executable, "-m", "alignment", "plan", str(params), "--out", str(out)])


def _process(argv: list[str]) -> Timing:
    """Wall clock and CPU time (user + system, children included) of one command."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timing(wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def engine_once(folder: Path) -> tuple[float, float]:
    """load_inputs + build_plan; returns (seconds loading, seconds planning)."""
    from alignment.engine.plan import build_plan
    from alignment.inputs import load_inputs

    params = _params(folder)
    start = time.perf_counter()
    inputs = load_inputs(
        folder, fiscal_year=params.fiscal_year, fiscal_year_start_month=params.fiscal_year_start_month
    )
    loaded = time.perf_counter()
    plan = build_plan(inputs, params)
    assert plan.final_quota_total > 0
    return loaded - start, time.perf_counter() - loaded


def formats() -> tuple[str, ...]:
    """The table formats ``alignment plan`` offers (CSV only before ``--format`` existed)."""
    from alignment.engine.plan import write_plan_tables

    return (
        ("csv", "parquet") if "table_format" in inspect.signature(write_plan_tables).parameters else ("csv",)
    )


def plan_command_once(params: Path, out: Path, table_format: str = "csv") -> None:
    """``alignment plan PARAMS --out OUT [--format F]`` in this process, its terminal output discarded."""
    from alignment.cli import main

    argv = ["plan", str(params), "--out", str(out)]
    if table_format != "csv":
        argv += ["--format", table_format]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main(argv)
    assert status == 0, f"alignment {' '.join(argv)}: exit {status}"


def plan_shapes(folder: Path) -> list[TableShape]:
    """The shapes of the four tables ``alignment plan`` writes for the company."""
    import pandas as pd

    from alignment.engine.plan import build_plan
    from alignment.inputs import load_inputs

    params = _params(folder)
    inputs = load_inputs(
        folder, fiscal_year=params.fiscal_year, fiscal_year_start_month=params.fiscal_year_start_month
    )
    plan = build_plan(inputs, params)
    frames = dict(
        zip(PLAN_TABLES, (plan.targets, plan.rollup, plan.final_quotas, plan.monthly_objectives), strict=True)
    )

    def kind(s: pd.Series) -> str:
        if pd.api.types.is_bool_dtype(s):
            return "bool"
        return "number" if pd.api.types.is_numeric_dtype(s) else "text"

    return [
        TableShape(name, len(df), tuple((str(c), kind(df[c])) for c in df.columns))
        for name, df in frames.items()
    ]


def _high_water_mb() -> float:
    """This process's peak resident memory in MB (``VmHWM``; ``ru_maxrss`` where /proc is absent)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_memory(*child_args: str) -> dict[str, float]:
    """Peak resident memory (MB) of a fresh process running this script with ``child_args``.

    The peak is the child's own high-water mark of resident memory (``VmHWM``), which, unlike
    ``ru_maxrss``, does not carry the parent's peak over into the child.
    """
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *child_args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-of", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-child", nargs=3, type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--memory-of-plan", nargs=3, metavar=("PARAMS", "OUT", "FORMAT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.floor_child is not None:  # a child process of floor_process_once
        folder, shapes_file, out = args.floor_child
        shapes = [
            TableShape(d["name"], d["rows"], tuple(tuple(c) for c in d["columns"]))
            for d in json.loads(shapes_file.read_text(encoding="utf-8"))
        ]
        _write_shapes(_read_plain(folder)["sales_input"], shapes, out)
        return 0
    if args.memory_of is not None or args.memory_of_plan is not None:  # a child process of peak_memory
        before = _high_water_mb()
        if args.memory_of is not None:
            engine_once(args.memory_of)
        else:
            params, out, table_format = args.memory_of_plan
            plan_command_once(Path(params), Path(out), table_format)
        print(json.dumps({"start_mb": before, "peak_mb": _high_water_mb()}))
        return 0

    folder = company(args.customers)
    params = params_file(folder)
    work = OUT_DIR / f"written_{args.customers}"
    shutil.rmtree(work, ignore_errors=True)
    shapes = plan_shapes(folder)
    table_formats = formats()
    shapes_file = work / "shapes.json"
    work.mkdir(parents=True)
    shapes_file.write_text(
        json.dumps([{"name": t.name, "rows": t.rows, "columns": t.columns} for t in shapes]), encoding="utf-8"
    )

    runs: dict[str, list[Timing]] = {}
    engine_parts: list[tuple[float, float]] = []
    for i in range(args.repeat):  # taking turns, so that a busy spell slows every measurement alike
        runs.setdefault("reading floor", []).append(timed(lambda: reading_floor_once(folder)))
        runs.setdefault("io floor", []).append(
            timed(lambda i=i: io_floor_once(folder, shapes, work / f"floor_{i}"))
        )
        runs.setdefault("engine", []).append(timed(lambda: engine_parts.append(engine_once(folder))))
        for table_format in table_formats:
            out = work / f"plan_{table_format}_{i}"
            runs.setdefault(f"plan {table_format}", []).append(
                timed(lambda out=out, f=table_format: plan_command_once(params, out, f))
            )
        runs.setdefault("floor process", []).append(floor_process_once(folder, shapes_file, work / f"fp_{i}"))
        runs.setdefault("command", []).append(command_once(params, work / f"command_{i}"))
    timing = {name: best(t) for name, t in runs.items()}
    written = {f: sum(p.stat().st_size for p in (work / f"plan_{f}_0").iterdir()) for f in table_formats}
    floor_written = sum(p.stat().st_size for p in (work / "floor_0").iterdir())
    memory = {"engine": peak_memory("--memory-of", str(folder))}
    for table_format in table_formats:
        memory[f"plan {table_format}"] = peak_memory(
            "--memory-of-plan", str(params), str(work / f"memory_{table_format}"), table_format
        )
    shutil.rmtree(work, ignore_errors=True)

    import pandas as pd

    tables = ", ".join(f"{shape.name} {shape.rows:,}" for shape in shapes)
    import alignment

    print(f"company: {args.customers:,} customers; rows of the plan's tables: {tables}")
    print(f"alignment from {Path(alignment.__file__).parent}, pandas {pd.__version__}")
    load = min(p[0] for p in engine_parts)
    plan = min(p[1] for p in engine_parts)
    lines = [
        ("reading floor (read the input files + one groupby sum)", timing["reading floor"], ""),
        (
            "I/O floor (reading floor + tables of the plan's shape, pyarrow CSV)",
            timing["io floor"],
            f"{floor_written / 1e6:,.0f} MB written",
        ),
        (
            "engine (load_inputs + build_plan)",
            timing["engine"],
            f"best of each part: load_inputs {load:.2f} s, build_plan {plan:.2f} s",
        ),
        *(
            (
                f"alignment plan end to end, {table_format}",
                timing[f"plan {table_format}"],
                f"{written[table_format] / 1e6:,.0f} MB written",
            )
            for table_format in table_formats
        ),
    ]
    for label, t, note in lines:
        print(f"{label + ':':<70} {t}" + (f" ({note})" if note else ""))
    floor, io_floor, engine = timing["reading floor"], timing["io floor"], timing["engine"]
    print(f"plan/floor ratio: {engine.wall / floor.wall:.2f} (cpu {engine.cpu / floor.cpu:.2f})")
    print(f"build_plan/floor ratio: {plan / floor.wall:.2f}")
    for table_format in table_formats:
        t = timing[f"plan {table_format}"]
        print(
            f"end-to-end/floor ratio, {table_format}: {t.wall / io_floor.wall:.2f} (cpu {t.cpu / io_floor.cpu:.2f})"
        )
    process, command = timing["floor process"], timing["command"]
    print(
        f"{'I/O floor as a fresh process (imports pandas, pyarrow; reads with pyarrow alone):':<70} {process}"
    )
    print(f"{'alignment plan as a fresh process (the command, imports included):':<70} {command}")
    print(
        f"command/floor ratio, fresh processes: {command.wall / process.wall:.2f} (cpu {command.cpu / process.cpu:.2f})"
    )
    for name, m in memory.items():
        label = "engine" if name == "engine" else f"alignment plan, {name.split()[1]}"
        print(f"peak memory, {label}: {m['peak_mb']:,.0f} MB (at process start: {m['start_mb']:,.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
