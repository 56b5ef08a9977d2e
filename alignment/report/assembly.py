"""Assembling a report folder: the scenarios of a run, headline.json, run.json and index.html."""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from alignment import __version__
from alignment.loading import load_checked
from alignment.money import from_cents, to_cents
from alignment.outputs import HEADLINE_PARTS, atomic_write_text, read_headline_parts
from alignment.problems import InputError, ParamsError, RunError
from alignment.report.execution import NotebookResult, iso_time, shown_time
from alignment.report.export import HEADLINE_KEYS, IndexPage, index_html

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


def load_scenarios(
    params_files: Sequence[Path],
    out: Path | None,
    load: Callable[[Path], tuple[Any, Any, list[str]]] | None = None,
) -> list[Scenario]:
    """Validate every params file with its data; then decide each report's folder.

    Raises
    ------
    ParamsError or InputError
        With one file, its own error; with several, every file's messages in one ParamsError.
    RunError
        For two params files with the same stem.
    """

    if load is None:
        load = load_checked
    files = [Path(p) for p in params_files]
    stems = [p.stem for p in files]
    dupes = sorted({s for s in stems if stems.count(s) > 1})
    if dupes:
        raise RunError(
            f"alignment run: params files with the same name {', '.join(dupes)}: "
            "expected one params file per scenario name (each report is named after its file)"
        )
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
    return [
        Scenario(
            params_file=path.resolve(),
            params=params,
            inputs=inputs,
            warnings=list(warnings),
            out_dir=o.resolve(),
        )
        for (path, params, inputs, warnings), o in zip(loaded, outs, strict=True)
    ]


def sha256_file(path: Path) -> str:
    """The file's SHA-256 as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_hashes(inputs: Any) -> dict[str, dict[str, Any]]:
    """Every input file of the data folder: path, size and SHA-256."""
    return {
        stem: {"file": str(path), "bytes": path.stat().st_size, "sha256": sha256_file(path)}
        for stem, path in sorted(inputs.files.items())
    }


def merge_headline(tables_dir: Path) -> dict[str, Any]:
    """The run's headline figures: every contract key (null if not computed), then any extra keys."""

    parts = read_headline_parts(tables_dir)
    merged = {k: parts.get(k) for k in HEADLINE_KEYS}
    merged.update({k: v for k, v in parts.items() if k not in merged})
    return merged


def group_allocation(report_dir: Path) -> dict[str, dict[str, float]] | None:
    """Allocated and final quota summed by customer group from ``tables/final_quotas.csv`` (or ``.parquet``).

    Sums are taken in integer cents; None when the table was not written (or lacks the columns).
    """

    path = report_dir / "tables" / "final_quotas.csv"
    parquet = path.with_suffix(".parquet")  # a report written with --format parquet
    if not path.is_file() and not parquet.is_file():
        return None
    try:
        if path.is_file():
            df = pd.read_csv(
                path,
                dtype={"customer_group": "str"},
                usecols=["customer_group", "allocated", "final_quota"],
                keep_default_na=False,
                na_values={"allocated": [""], "final_quota": [""]},
            )
        else:
            df = pd.read_parquet(parquet, columns=["customer_group", "allocated", "final_quota"])
    except ValueError:  # not the contract's columns: nothing to compare
        return None
    cents = pd.DataFrame(
        {
            "customer_group": df["customer_group"],
            "allocated": to_cents(df["allocated"].fillna(0.0)),
            "final_quota": to_cents(df["final_quota"].fillna(0.0)),
        }
    )
    sums = cents.groupby("customer_group", sort=True)[["allocated", "final_quota"]].sum()
    out = {
        g: {"allocated": float(a), "final_quota": float(f)}
        for g, a, f in zip(
            sums.index, from_cents(sums["allocated"]), from_cents(sums["final_quota"]), strict=True
        )
    }
    total = from_cents(sums.sum())
    out["Total"] = {"allocated": float(total[0]), "final_quota": float(total[1])}
    return out


def _write_json(path: Path, value: Any) -> None:

    atomic_write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def finish_report(
    scenario: Scenario, *, finished: datetime, options: dict[str, Any], comparison: str | None
) -> dict[str, Any]:
    """Write headline.json, run.json and index.html into the build folder; returns the headline."""

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
        "started": iso_time(scenario.started),
        "finished": iso_time(finished),
        "duration_s": round(seconds, 3),
        "status": scenario.status,
        "options": options,
        "warnings": scenario.warnings,
        "notebooks": [r.to_json() for r in scenario.results],
    }
    _write_json(scenario.build_dir / "run.json", run)
    page = IndexPage(
        scenario=scenario.name,
        params_file=str(scenario.params_file),
        data_dir=str(scenario.params.data_dir),
        started=shown_time(scenario.started),
        duration=f"{seconds:.1f} s",
        status=scenario.status,
        headline=headline,
        notebooks=[{**asdict(r), "error_text": r.error_text} for r in scenario.results],
        version=__version__,
        comparison=comparison,
    )
    atomic_write_text(scenario.build_dir / "index.html", index_html(page))
    return headline
