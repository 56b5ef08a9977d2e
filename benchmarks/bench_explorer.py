"""How fast the scenario explorer answers a control change on the sample company.

An update is everything from the change of a control to the new figures and chart specs handed to the
front end: re-planning, the headline table and the three charts. A change of an allocation control re-uses
the plan's target stage; a change of growth recomputes it. The floor, measured in the same run, is the
planning engine alone (``build_plan``) computing everything afresh on the same scenario; the budget is
200 ms.

It then times planning page 07's exported grid (``explorer.grid``, 195 scenarios on the sample) and
building its chart, against the floor of ``build_plan`` run once per scenario (what planning the grid
naively would cost), and prints the exported chart's size:

    grid: 195 scenarios planned in X.XX s (X.X ms each; cpu X.XX s), chart X.XX s, spec X.XX MB
    grid/floor ratio: X.XX

    .venv/bin/python benchmarks/bench_explorer.py
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from pathlib import Path

from alignment.engine import plan as plan_module
from alignment.engine.plan import build_plan
from alignment.inputs import load_inputs
from alignment.params import load_params
from alignment.paths import SAMPLE_PARAMS
from alignment.presentation.explorer import Explorer

BUDGET = 0.200
ROUNDS = 5


def main() -> None:
    params = load_params(SAMPLE_PARAMS)
    inputs = load_inputs(params.data_dir)
    explorer = Explorer(inputs, params, save_dir=Path("/nonexistent"))
    changes = {
        "default growth": ("growth", [0.11, 0.12, 0.10]),
        "group growth": ("group:Mid-Market", [0.15, 0.20, 0.10]),
        "group method": ("group_method", ["headroom", "potential", "target_gap"]),
        "customer method": ("customer_method", ["potential", "equal", "headroom"]),
        "cap": ("cap", ["none", "potential"]),
        "rounding": ("rounding", [100.0, 1000.0]),
        "padding": ("over_assignment", [0.05, 0.10, 0.0]),
    }
    times: dict[str, list[float]] = {}
    quiet = contextlib.redirect_stdout(io.StringIO())  # outside a kernel the chart output area prints
    quiet.__enter__()
    for _ in range(ROUNDS):
        for label, (name, values) in changes.items():
            control = (
                explorer.group_controls[name.split(":", 1)[1]]
                if name.startswith("group:")
                else explorer.controls[name]
            )
            for value in values:
                control.value = value
                times.setdefault(label, []).append(explorer.last_update_seconds)
    quiet.__exit__(None, None, None)
    floor = []
    scenario = explorer.current_params()
    for _ in range(ROUNDS * 3):
        plan_module._STAGES.clear()
        start = time.perf_counter()
        build_plan(inputs, scenario)
        floor.append(time.perf_counter() - start)
    floor_s = statistics.median(floor)

    every = [t for ts in times.values() for t in ts]
    print(f"explorer updates on the sample company ({len(every)} control changes)")
    for label, ts in times.items():
        print(f"  {label:<16} median {statistics.median(ts) * 1000:6.1f} ms   max {max(ts) * 1000:6.1f} ms")
    median = statistics.median(every)
    p90 = sorted(every)[int(0.9 * (len(every) - 1))]
    print(
        f"update median: {median * 1000:.1f} ms, 90th percentile: {p90 * 1000:.1f} ms (budget {BUDGET * 1000:.0f} ms)"
    )
    print(f"floor (build_plan alone, computed afresh) median: {floor_s * 1000:.1f} ms")
    print(f"update/floor ratio: {median / floor_s:.2f}")
    print(f"update/budget ratio: {median / BUDGET:.2f}")
    bench_grid(inputs, params, floor_s)


def bench_grid(inputs, params, floor_s: float) -> None:
    """Page 07's grid: planned in one pass (best of 3) against one ``build_plan`` per scenario."""
    import json

    from alignment.engine.grid import plan_grid
    from alignment.presentation.charts.explorer import grid_chart

    walls, cpus = [], []
    for _ in range(3):
        plan_module._STAGES.clear()
        start, cpu = time.perf_counter(), time.process_time()
        grid = plan_grid(inputs, params)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    start = time.perf_counter()
    spec = grid_chart(grid, params).to_dict()
    chart_s = time.perf_counter() - start
    size = len(json.dumps(spec, separators=(",", ":")))
    best = min(walls)
    print(
        f"grid: {grid.scenarios} scenarios planned in {best:.2f} s ({best / grid.scenarios * 1000:.1f} ms each; "
        f"cpu {min(cpus):.2f} s), chart {chart_s:.2f} s, spec {size / 1e6:.2f} MB"
    )
    print(f"grid/floor ratio: {best / (floor_s * grid.scenarios):.2f}")


if __name__ == "__main__":
    main()
