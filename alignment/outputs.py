"""Writing outputs: atomic files, tables in the contract's text form, headline figures.

Every output is written to a temporary name in its folder and renamed into place, so a crash never
leaves a half-written table where a complete one stood. Tables follow CONTRACT section 7: money
with 2 decimals, booleans ``true``/``false``, lists joined with ``;``, empty cells for missing values.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alignment.money import money_text

HEADLINE_PARTS = ".headline"
_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through ``write(temporary path)`` in the same folder, then an atomic rename.

    A crash or an error leaves the earlier file (or none), never a half-written one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; outputs are shared like any other file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_text_table(df: pd.DataFrame, money: Iterable[str] = ()) -> pd.DataFrame:
    """The table as the text a CSV output holds (money 2 decimals, booleans true/false)."""
    money = set(money)
    out = {}
    for col in df.columns:
        s = df[col]
        if col in money:
            out[col] = money_text(s.astype("float64"))
        elif pd.api.types.is_bool_dtype(s) or (
            s.dtype == object and s.dropna().map(type).eq(bool).all() and s.notna().any()
        ):
            out[col] = s.map(
                lambda v: (
                    ""
                    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                    else ("true" if bool(v) else "false")
                )
            )
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.map(_float_text)
        elif pd.api.types.is_integer_dtype(s):
            out[col] = s.astype("string").fillna("").astype("str")
        else:
            out[col] = s.map(
                lambda v: (
                    ";".join(map(str, v))
                    if isinstance(v, list | tuple)
                    else (
                        "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
                    )
                )
            )
    return pd.DataFrame(out, index=df.index)


def _float_text(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{float(np.round(v, 6)):.6f}".rstrip("0").rstrip(".") if v != 0 else "0"


def write_csv(df: pd.DataFrame, path: str | Path, money: Iterable[str] = ()) -> Path:
    """Write a table as CSV (contract text form) atomically."""
    text = to_text_table(df, money).to_csv(index=False, lineterminator="\n")
    return atomic_write_text(path, text)


def write_headline_part(report_dir: str | Path | None, part: str, figures: dict[str, Any]) -> Path | None:
    """Record a notebook's share of the headline figures; the runner merges the parts.

    Each notebook writes its own file, so notebooks running in parallel never write the same one; a
    notebook that records in several steps adds to its file (a key recorded again takes the new value).
    ``report_dir`` None (a notebook run by hand) writes nothing.
    """
    if report_dir is None:
        return None
    path = Path(report_dir) / HEADLINE_PARTS / f"{part}.json"
    earlier = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    merged = {**earlier, **_jsonable(figures)}
    return atomic_write_text(path, json.dumps(merged, indent=2, sort_keys=True))


def read_headline_parts(report_dir: str | Path) -> dict[str, Any]:
    """Merge the headline parts written under ``report_dir``."""
    merged: dict[str, Any] = {}
    folder = Path(report_dir) / HEADLINE_PARTS
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA:
        return None
    return value
