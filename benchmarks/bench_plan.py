"""Benchmark of the planning engine on a generated company of 100,000 customers x 8 products.

Run from the project folder::

    .venv/bin/python benchmarks/bench_plan.py            # 100,000 customers
    .venv/bin/python benchmarks/bench_plan.py --customers 20000

The company is generated once with :func:`alignment.sample.write_sample` (Parquet) and cached under
``benchmarks/out/`` (git-ignored). In one process the script then measures, best of 3 each:

- the floor: reading the same input files as the loader reads them
  (:func:`alignment.inputs.read_table`, money kept as numbers where Parquet stores numbers), plus
  one groupby sum of the actuals' revenue by customer;
- the engine: :func:`alignment.inputs.load_inputs` (reading and validating the data folder) and
  :func:`alignment.engine.plan.build_plan`.

It prints both times, their ratio (``plan/floor ratio: X.XX``, aim: under 3) and the engine's peak
memory (the resident set of a fresh process that loads and plans once; aim: under 4 GB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"


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


def floor_once(folder: Path) -> float:
    """Read every input file as the loader does, then one groupby sum; returns seconds."""
    import pandas as pd

    from alignment.inputs import SPECS, find_files, read_table

    start = time.perf_counter()
    files, _ = find_files(folder)
    tables = {stem: read_table(path, numeric=SPECS[stem].money + ("share",)) for stem, path in files.items()}
    actuals = tables["actuals"]
    total = pd.to_numeric(actuals["revenue"]).groupby(actuals["customer_id"]).sum()
    assert len(total) > 0
    return time.perf_counter() - start


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


def _high_water_mb() -> float:
    """This process's peak resident memory in MB (``VmHWM``; ``ru_maxrss`` where /proc is absent)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_memory(folder: Path) -> dict[str, float]:
    """Peak resident memory (MB) of a fresh process that loads the folder and builds the plan once.

    The peak is the child's own high-water mark of resident memory (``VmHWM``), which, unlike
    ``ru_maxrss``, does not carry the parent's peak over into the child.
    """
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--memory-of", str(folder)],
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
    args = parser.parse_args(argv)
    if args.memory_of is not None:  # the child process of peak_memory
        before = _high_water_mb()
        engine_once(args.memory_of)
        print(json.dumps({"start_mb": before, "peak_mb": _high_water_mb()}))
        return 0

    folder = company(args.customers)
    floor = min(floor_once(folder) for _ in range(args.repeat))
    runs = [engine_once(folder) for _ in range(args.repeat)]
    engine = min(load + plan for load, plan in runs)
    load = min(r[0] for r in runs)
    plan = min(r[1] for r in runs)
    memory = peak_memory(folder)

    import pandas as pd

    from alignment.inputs import find_files, read_table

    files, _ = find_files(folder)
    sizes = {
        stem: len(read_table(path)) for stem, path in files.items() if stem in ("actuals", "sales_input")
    }
    print(
        f"company: {args.customers:,} customers, {sizes['sales_input']:,} sales_input rows, "
        f"{sizes['actuals']:,} actuals rows (pandas {pd.__version__})"
    )
    print(f"floor (read the input files + one groupby sum): {floor:.2f} s")
    print(
        f"engine (load_inputs + build_plan):             {engine:.2f} s "
        f"(best of each part: load_inputs {load:.2f} s, build_plan {plan:.2f} s)"
    )
    print(f"plan/floor ratio: {engine / floor:.2f}")
    print(f"build_plan/floor ratio: {plan / floor:.2f}")
    print(f"peak memory: {memory['peak_mb']:,.0f} MB (at process start: {memory['start_mb']:,.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
