"""Loading a data folder whose inputs come, in part or whole, from params ``sources:``.

Each source is read by its reader, mapped onto its contract input (:mod:`.mapping`), and then the
whole set is checked by :func:`alignment.inputs.check_folder` with exactly the rules of a data
folder. Problems found there on a mapped input are told in the source's own terms: the file as
written in the params file (or ``stem (query)``), the source row, the source column.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from alignment.inputs import SPECS, Inputs, check_folder, find_files, read_table
from alignment.outputs import atomic_write_text, write_csv
from alignment.problems import InputError, Problem
from alignment.sources.database import run_query
from alignment.sources.mapping import Mapped, map_read, needed_columns
from alignment.sources.readers import SourceError, file_header, read_file
from alignment.sources.spec import Source, lookup_order

MARKER = ".alignment-sources.json"
_ROW_REF = re.compile(r"already on row (\d+)")


def map_sources(sources: dict[str, Source], data_dir: Path) -> tuple[dict[str, Mapped], list[Problem]]:
    """Read and map every source; lookups see the inputs they name (mapped first, or the data folder's)."""
    mapped: dict[str, Mapped] = {}
    problems: list[Problem] = []
    lookups: dict[str, pd.DataFrame] = {}
    failed: set[str] = set()
    wanted = {lk.stem for s in sources.values() for lk in s.lookup.values()} - set(sources)
    if wanted:
        files, _ = find_files(data_dir, skip=set(SPECS) - wanted)
        for stem, path in files.items():
            try:
                lookups[stem] = read_table(path)
            except Exception:  # an unreadable file is reported when the folder is checked
                continue
    for stem in lookup_order(sources):
        source = sources[stem]
        if any(lk.stem in failed for lk in source.lookup.values()):
            failed.add(stem)  # its lookup's input is bad: that input's problems say why
            continue
        try:
            if source.is_query:
                read = run_query(source, data_dir)
                columns, take, found = needed_columns(source, read.header)
            else:
                columns, take, found = needed_columns(source, file_header(source))
                read = read_file(source, columns) if not found else None
        except SourceError as exc:
            problems += exc.problems
            failed.add(stem)
            continue
        if found or read is None:
            problems += found
            failed.add(stem)
            continue
        result, found = map_read(source, read, take, lookups)
        problems += found
        if result is None:
            failed.add(stem)
            continue
        mapped[stem] = result
        lookups[stem] = result.frame
    return mapped, problems


def _token(stem: str) -> str:
    return f"\x00{stem}"


def _translate(problem: Problem, mapped: dict[str, Mapped]) -> Problem:
    """A problem found on a mapped input, told in the source's terms."""
    if not problem.file.startswith("\x00"):
        return problem
    m = mapped[problem.file[1:]]
    row = problem.row
    if row is not None and 2 <= row < len(m.rows) + 2:
        row = int(m.rows[row - 2])
    column = problem.column
    if column is not None:
        column = ", ".join(m.shown.get(c.strip(), c.strip()) for c in column.split(","))
    expected = _ROW_REF.sub(
        lambda g: (
            f"already on row {int(m.rows[int(g.group(1)) - 2])}"
            if 2 <= int(g.group(1)) < len(m.rows) + 2
            else g.group(0)
        ),
        problem.expected,
    )
    return problem._replace(file=m.source.name, row=row, column=column, expected=expected)


def check_sources(
    data_dir: Path,
    sources: dict[str, Source],
    *,
    fiscal_year: int | None = None,
    fiscal_year_start_month: int = 1,
) -> tuple[Inputs | None, list[Problem], list[Problem], dict[str, Mapped]]:
    """Read the sources and check them with the rest of the data folder.

    Returns
    -------
    (Inputs or None, problems, warnings, mapped)
        The typed bundle (with ``origins``) when there are no problems; the mapped inputs.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return None, [Problem(str(data_dir), None, None, None, "a data folder that exists")], [], {}
    mapped, problems = map_sources(sources, data_dir)
    if problems:
        return None, problems, [], mapped
    inputs, problems, warnings = check_folder(
        data_dir,
        fiscal_year=fiscal_year,
        fiscal_year_start_month=fiscal_year_start_month,
        mapped={stem: (_token(stem), m.frame) for stem, m in mapped.items()},
    )
    problems = [_translate(p, mapped) for p in problems]
    warnings = [_translate(p, mapped) for p in warnings]
    if inputs is not None:
        inputs = replace(
            inputs, origins={stem: m.origin() for stem, m in mapped.items()}, warnings=tuple(warnings)
        )
    return inputs, problems, warnings, mapped


def load_with_sources(params: Any) -> Inputs:
    """The data folder of ``params`` with its sources; raises :class:`InputError` with every problem."""
    inputs, problems, _, _ = check_sources(
        params.data_dir,
        params.sources,
        fiscal_year=params.fiscal_year,
        fiscal_year_start_month=params.fiscal_year_start_month,
    )
    if problems or inputs is None:
        raise InputError(problems)
    return inputs


# --------------------------------------------------------------------------- writing what was read


def contract_frame(inputs: Inputs, stem: str) -> pd.DataFrame:
    """An input as its contract file holds it: the contract's columns, in order."""
    spec = SPECS[stem]
    df = getattr(inputs, stem)
    return df[[c for c in (*spec.columns, *spec.optional) if c in df.columns]]


def _file_origin(inputs: Inputs, stem: str) -> dict[str, Any]:
    n = len(getattr(inputs, stem))
    path = inputs.files[stem]
    return {"stem": stem, "kind": "file", "source": path.name, "file": str(path), "rows_read": n, "rows": n}


def write_inputs(inputs: Inputs, out_dir: Path, stems: list[str] | None = None) -> list[Path]:
    """Write inputs as contract CSV files (money with 2 decimals) and the marker with their origins.

    ``stems`` None writes every required input and every optional one that holds rows. The
    marker (``.alignment-sources.json``) records each file written, its SHA-256 and where its
    rows came from; it is how ``alignment sources`` recognises a folder as its own, and how
    notebook 00 tells where the inputs of a run came from.
    """
    import json

    from alignment.sources.readers import sha256_file

    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = (
        stems
        if stems is not None
        else [s for s, spec in SPECS.items() if spec.required or len(getattr(inputs, s))]
    )
    files: dict[str, dict[str, Any]] = {}
    written = []
    ours = {f"{s}.csv" for s in SPECS}
    stale = (set((read_marker(out_dir) or {}).get("files", {})) & ours) - {f"{s}.csv" for s in chosen}
    for name in stale:  # files this command wrote before that this mapping no longer produces
        (out_dir / name).unlink(missing_ok=True)
    for stem in chosen:
        path = write_csv(contract_frame(inputs, stem), out_dir / f"{stem}.csv", money=SPECS[stem].money)
        written.append(path)
        origin = inputs.origins.get(stem) or (_file_origin(inputs, stem) if stem in inputs.files else None)
        files[path.name] = {"stem": stem, "sha256": sha256_file(path), "origin": origin}
    marker = {"written_by": "alignment sources", "files": files}
    atomic_write_text(out_dir / MARKER, json.dumps(marker, indent=2, ensure_ascii=False) + "\n")
    return written


def check_out_folder(out_dir: Path, data_dir: Path) -> str | None:
    """Why ``alignment sources`` may not write into ``out_dir``, or None when it may.

    It writes only into a new or empty folder, or one it wrote before (its marker lists the files,
    each unchanged since), never into or under the data folder.
    """
    from alignment.sources.readers import sha256_file

    out, data = Path(out_dir).resolve(), Path(data_dir).resolve()
    if out == data or data in out.parents:
        return f"{out_dir} is in the data folder {data_dir}: expected a folder outside it (inputs are never written to)"
    if not out.exists():
        return None
    if not out.is_dir():
        return f"{out_dir} is a file: expected a folder"
    present = [p for p in out.iterdir()]
    if not present:
        return None
    marker = read_marker(out)
    if marker is None:
        return (
            f"{out_dir} holds files that alignment sources did not write ({present[0].name}): "
            "expected a new or empty folder, or one it wrote before"
        )
    ours = marker["files"]
    for p in sorted(present):
        if p.name == MARKER:
            continue
        if p.name not in ours or not p.is_file():
            return f"{out_dir}: {p.name} was not written by alignment sources: expected only its files"
        if ours[p.name].get("sha256") != sha256_file(p):
            return f"{out_dir}: {p.name} changed since alignment sources wrote it: expected it unchanged"
    return None


def notebook_inputs(inputs: Inputs, folder: Path) -> dict[str, Any]:
    """Write a run's mapped inputs for its notebooks; the parameters that point them there.

    Every notebook of a run then reads the same rows (a database is queried once, not once per
    notebook), and the report keeps exactly what the workbook read.
    """
    write_inputs(inputs, folder)
    return {"data_dir": str(folder), "sources": {}}


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of a folder written by :func:`write_inputs`, or None."""
    import json

    path = Path(folder) / MARKER
    if not path.is_file():
        return None
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and isinstance(marker.get("files"), dict) else None


def origins_of(inputs: Inputs) -> dict[str, dict[str, Any]]:
    """Where each input came from: its source, or its file in the data folder.

    A folder written by ``alignment sources`` (or by ``alignment run`` for its notebooks) carries
    the origins of what it was made from; they are told for each file still as it was written.
    """
    from alignment.sources.readers import sha256_file

    recorded = (read_marker(inputs.data_dir) or {}).get("files", {})
    out: dict[str, dict[str, Any]] = {}
    for stem in SPECS:
        if stem in inputs.origins:
            out[stem] = inputs.origins[stem]
        elif stem in inputs.files:
            entry = recorded.get(inputs.files[stem].name)
            same = (
                isinstance(entry, dict)
                and entry.get("origin")
                and entry.get("sha256") == sha256_file(inputs.files[stem])
            )
            out[stem] = entry["origin"] if same else _file_origin(inputs, stem)
    return out


def _shown_file(file: str, data_dir: Path) -> str:
    """A file as the pages show it: relative to the data folder, never a machine's absolute path."""
    if not file:
        return ""
    path = Path(file)
    if not path.is_absolute():
        return file
    try:
        return os.path.relpath(path, data_dir)
    except ValueError:  # another drive
        return path.name


def origins_table(inputs: Inputs) -> pd.DataFrame:
    """One row per input: where it came from (file or query), rows read, rows after summing."""
    rows = []
    for stem, o in origins_of(inputs).items():
        rows.append(
            {
                "input": stem,
                "from": "query" if o.get("kind") == "query" else "file",
                "source": o.get("source", ""),
                "detail": (
                    f"{o.get('database')}: {o.get('query')}"
                    if o.get("kind") == "query"
                    else _shown_file(o.get("file", ""), inputs.data_dir)
                ),
                "rows read": o.get("rows_read", o.get("rows")),
                "rows kept": o.get("rows_kept", o.get("rows_read", o.get("rows"))),
                "rows after summing": o.get("rows"),
            }
        )
    return pd.DataFrame(
        rows, columns=["input", "from", "source", "detail", "rows read", "rows kept", "rows after summing"]
    )


__all__ = [
    "MARKER",
    "check_out_folder",
    "check_sources",
    "load_with_sources",
    "map_sources",
    "notebook_inputs",
    "origins_of",
    "origins_table",
    "read_marker",
    "write_inputs",
]
