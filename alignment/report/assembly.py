"""Assembling a report folder: the scenarios of a run, headline.json, run.json and index.html."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from alignment import __version__
from alignment.loading import load_checked
from alignment.manifest import RECORDS
from alignment.outputs import HEADLINE_PARTS, atomic_write_text, read_headline_parts
from alignment.practices.report_card import few_raters_note
from alignment.presentation.tables import display_for
from alignment.problems import InputError, ParamsError, RunError
from alignment.report.execution import NotebookResult, iso_time, shown_time
from alignment.report.export import IndexPage, index_html
from alignment.report.summary import executive_summary
from alignment.vocabulary import HEADLINE_KEYS, figure

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
    records: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.params_file.stem

    @property
    def shown_data_dir(self) -> str:
        """The data folder as a reader of the report sees it: relative to the params file's folder.

        Pages never show an absolute path of the machine the report ran on.
        """
        return os.path.relpath(self.params.data_dir, self.params_file.parent)

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
    """The run's headline figures: every contract key (null if not computed), then any extra keys.

    The notebooks' other records (:data:`alignment.manifest.RECORDS`) are left out: see :func:`read_records`.
    """
    parts = read_headline_parts(tables_dir)
    merged = {k: parts.get(k) for k in HEADLINE_KEYS}
    merged.update({k: v for k, v in parts.items() if k not in merged and k not in RECORDS})
    return merged


def read_records(tables_dir: Path) -> dict[str, Any]:
    """The records the notebooks left for the report (e.g. ``group_totals``), None where none was written."""
    parts = read_headline_parts(tables_dir)
    return {k: parts.get(k) for k in RECORDS}


WARNINGS_SHOWN = 20  # the index lists this many warnings, then how many more run.json holds


def index_warnings(warnings: Sequence[str], shown: int = WARNINGS_SHOWN) -> list[str]:
    """The run's warnings as the index lists them: the first ``shown``, then a line counting the rest."""
    lines = [w.removeprefix("warning: ") for w in warnings[:shown]]
    rest = len(warnings) - shown
    if rest > 0:
        lines.append(f"... and {rest} more warning{'s' * (rest != 1)}: run.json lists every one")
    return lines


def index_marks(headline: dict[str, Any]) -> dict[str, str]:
    """Notes that mark headline figures on the index: a report-card score resting on few raters."""
    note = few_raters_note(headline)
    label = figure("report_card_score").label
    return {label: note} if note else {}


def _write_json(path: Path, value: Any) -> None:
    atomic_write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def finish_report(
    scenario: Scenario,
    *,
    finished: datetime,
    options: dict[str, Any],
    comparison: str | None,
    changes: str | None = None,
) -> dict[str, Any]:
    """Write headline.json, run.json and index.html into the build folder; returns the headline."""
    assert scenario.build_dir is not None and scenario.started is not None
    tables = scenario.build_dir / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    headline = merge_headline(tables)
    scenario.records = read_records(tables)
    shutil.rmtree(tables / HEADLINE_PARTS, ignore_errors=True)
    _write_json(scenario.build_dir / "headline.json", headline)
    seconds = (finished - scenario.started).total_seconds()
    run = {
        "scenario": scenario.name,
        "params_file": str(scenario.params_file),
        "parameters": scenario.params.to_dict(),
        "inputs": input_hashes(scenario.inputs),
        "sources": dict(getattr(scenario.inputs, "origins", {}) or {}),
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
        params_file=scenario.params_file.name,
        data_dir=scenario.shown_data_dir,
        started=shown_time(scenario.started),
        duration=f"{seconds:.1f} s",
        status=scenario.status,
        headline=headline,
        display=display_for(scenario.params.display),
        notebooks=[{**asdict(r), "error_text": r.error_text} for r in scenario.results],
        version=__version__,
        comparison=comparison,
        summary=executive_summary(headline, scenario.records, scenario.params.display.currency or ""),
        warnings=index_warnings(scenario.warnings),
        marks=index_marks(headline),
        changes=changes,
        sources=list((getattr(scenario.inputs, "origins", {}) or {}).values()),
        pack=bool(options.get("pack")),
    )
    atomic_write_text(scenario.build_dir / "index.html", index_html(page))
    return headline
