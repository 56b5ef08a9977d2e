"""Benchmark of ``sources:``: mapping 5 million order lines from Parquet onto the actuals.

Run from the project folder::

    .venv/bin/python benchmarks/bench_sources.py               # 5,000,000 order lines
    .venv/bin/python benchmarks/bench_sources.py --lines 1000000

The order lines (order date, customer id and name, segment, region, sub-category, category, ship
mode, a sales amount with 4 decimals, country; 2% of them outside the United States) are generated
once and cached under ``benchmarks/out/`` (git-ignored). In one process the script then measures,
side by side and best of 3 each:

- the floor: what a hand-written conversion does with pandas: read the file's columns, keep the
  United States, take each order date's month, sum the sales by month, customer, sub-category and
  ship mode (a float sum, not rounded);
- sources: :func:`alignment.sources.load.map_sources` with the order-lines source of the README
  (columns, a value map on the ship mode, ``where`` on the country), which also checks every date
  and amount, sums the amounts exactly and rounds each sum to the cent once.

It prints both times and their ratio (``sources/floor ratio: X.XX``; aim: at most 1.5). It is a
ratio measured in the same run, not a timed test.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
COLUMNS = {
    "month": "Order Date",
    "customer_id": "Customer ID",
    "product_id": "Sub-Category",
    "channel": "Ship Mode",
    "revenue": "Sales",
}


def order_lines(lines: int) -> Path:
    """The generated order lines' folder (exports/orders.parquet inside), written on first use."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = OUT_DIR / f"orders_{lines}"
    path = folder / "exports" / "orders.parquet"
    if path.is_file():
        return folder
    start = time.perf_counter()
    rng = np.random.default_rng(11)
    customers = max(lines // 100, 10)
    cust = rng.integers(0, customers, lines)
    sub = rng.integers(0, 17, lines)
    ship = rng.choice(4, lines, p=[0.6, 0.2, 0.15, 0.05])
    days = rng.integers(0, 4 * 365, lines)
    cents4 = rng.integers(100, 5_000_000, lines)  # 0.0100 .. 499.9999
    ids = np.array([f"CU-{i:06d}" for i in range(customers)])
    names = np.array([f"Customer {i}" for i in range(customers)])
    segments = np.array(["Consumer", "Corporate", "Home Office"])[np.arange(customers) % 3]
    regions = np.array(["East", "West", "Central", "South"])[np.arange(customers) % 4]
    subs = np.array([f"Sub {i:02d}" for i in range(17)])
    cats = np.array(["Furniture", "Office Supplies", "Technology"])[np.arange(17) % 3]
    ships = np.array(["Standard Class", "Second Class", "First Class", "Same Day"])
    country = np.where(rng.random(lines) < 0.98, "United States", "Canada")
    table = pa.table(
        {
            "Row ID": pa.array(np.arange(1, lines + 1)),
            "Order Date": pa.array((np.datetime64("2022-01-01") + days).astype("datetime64[ms]")),
            "Customer ID": pa.DictionaryArray.from_arrays(cust, ids).dictionary_decode(),
            "Customer Name": pa.DictionaryArray.from_arrays(cust, names).dictionary_decode(),
            "Segment": pa.DictionaryArray.from_arrays(cust, segments).dictionary_decode(),
            "Region": pa.DictionaryArray.from_arrays(cust, regions).dictionary_decode(),
            "Sub-Category": pa.DictionaryArray.from_arrays(sub, subs).dictionary_decode(),
            "Category": pa.DictionaryArray.from_arrays(sub, cats).dictionary_decode(),
            "Ship Mode": pa.DictionaryArray.from_arrays(ship, ships).dictionary_decode(),
            "Sales": pa.array(cents4 / 10_000),
            "Country": pa.array(country),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    print(f"generated {path} ({lines:,} lines) in {time.perf_counter() - start:.1f} s")
    return folder


def floor_once(folder: Path) -> tuple[float, int]:
    """The hand-written conversion with pandas; returns seconds and the rows it produced."""
    import pandas as pd

    start = time.perf_counter()
    df = pd.read_parquet(folder / "exports" / "orders.parquet", columns=[*COLUMNS.values(), "Country"])
    df = df[df["Country"] == "United States"]
    month = df["Order Date"].dt.to_period("M")
    out = df.groupby([month, "Customer ID", "Sub-Category", "Ship Mode"], observed=True)["Sales"].sum()
    return time.perf_counter() - start, len(out)


def sources_once(folder: Path) -> tuple[float, int]:
    """The same through ``sources:``; returns seconds and the rows it produced."""
    from alignment.params import parse_params
    from alignment.sources.load import map_sources

    params = parse_params(
        {
            "data_dir": str(folder),
            "sources": {
                "actuals": {
                    "file": "exports/orders.parquet",
                    "columns": COLUMNS,
                    "values": {"channel": {"Same Day": "Express"}},
                    "where": {"Country": "United States"},
                }
            },
        },
        folder,
    )
    start = time.perf_counter()
    mapped, problems = map_sources(params.sources, params.data_dir)
    seconds = time.perf_counter() - start
    assert not problems, problems
    return seconds, len(mapped["actuals"].frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = order_lines(args.lines)
    import pandas  # noqa: F401  (imported before timing, as both sides need it)

    from alignment.sources import load  # noqa: F401

    floors, ours = [], []
    for _ in range(args.repeat):  # side by side: each round measures both
        t, n_floor = floor_once(folder)
        floors.append(t)
        t, n_ours = sources_once(folder)
        ours.append(t)
    assert n_floor == n_ours, (n_floor, n_ours)
    floor, best = min(floors), min(ours)
    print(f"order lines: {args.lines:,}; rows after summing: {n_ours:,}")
    print(f"floor (pandas read, filter, month, groupby sum): {floor:.2f} s")
    print(f"sources (read, where, values, months, exact sums): {best:.2f} s")
    print(f"sources/floor ratio: {best / floor:.2f} (aim: at most 1.5)")


if __name__ == "__main__":
    main()
