"""Ledgers: tables of decisions made by hand that keep their own history.

A ledger is an input table (``overrides`` is the first; the review actions follow the same rules)
whose rows are decisions on a key, e.g. "lock (customer_id, product_id) at final_quota". Besides its
own columns, every ledger may carry five optional columns:

``reason``
    why the decision was made (free text);
``changed_by``
    who made it (a person_id);
``changed_on``
    when it was recorded (``YYYY-MM-DD``);
``expires``
    the last month (``YYYY-MM``) in which it applies, or empty for no end;
``superseded_on``
    the day a later decision on the same key replaced it (``YYYY-MM-DD``), or empty.

The rules, in one place:

- A row is **active** for a plan year when it is not superseded (``superseded_on`` empty) and has
  not expired before the plan year begins (``expires`` empty, or not before the year's first
  month). Only active rows take effect; the others are the history. A file without the optional
  columns is all active, so files written before ledgers existed load unchanged.
- :func:`record` adds new decisions: each new row supersedes every earlier row of its key that is
  not yet superseded (stamping ``superseded_on`` with the new row's ``changed_on``), so the ledger
  holds at most one unsuperseded row per key. A decision identical to the key's current one (same
  values, reason and expiry) is not recorded again: collecting the same sheets twice changes nothing.
- Rows are never deleted and their cells are never rewritten, except the ``superseded_on`` stamp.
  Columns the user added are kept.

Ledgers are read and written as text (every cell a ``str``), so the file keeps ids and amounts as
the user typed them; :func:`write_ledger` writes atomically in the file's own format.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from alignment.outputs import atomic_write_bytes

LEDGER_COLUMNS: tuple[str, ...] = ("reason", "changed_by", "changed_on", "expires", "superseded_on")
LEDGER_FORMATS = (".csv", ".xlsx", ".parquet")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def as_text(df: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The table with every cell as text ("" for missing), reindexed to ``columns`` when given."""
    if columns is not None:
        df = df.reindex(columns=list(columns))
    obj = df.astype(object)
    return obj.where(obj.notna(), "").astype("str")


def _column(ledger: pd.DataFrame, name: str) -> pd.Series:
    """A ledger column as text ("" where absent or missing)."""
    if name not in ledger.columns:
        return pd.Series("", index=ledger.index, dtype="str")
    return ledger[name].fillna("").astype("str").str.strip()


def active_mask(ledger: pd.DataFrame, first_month: str | None = None) -> np.ndarray:
    """True for the rows in force for a plan year that starts in ``first_month`` (``YYYY-MM``).

    Not superseded, and ``expires`` empty or at least ``first_month``; with ``first_month`` None
    only supersession counts.
    """
    live = _column(ledger, "superseded_on").eq("").to_numpy()
    if first_month is None:
        return live
    expires = _column(ledger, "expires")
    return live & (expires.eq("") | expires.ge(first_month)).to_numpy()


def active_rows(ledger: pd.DataFrame, first_month: str | None = None) -> pd.DataFrame:
    """The active rows (see :func:`active_mask`), with the file's row numbers kept as the index."""
    return ledger.loc[active_mask(ledger, first_month)]


@dataclass(frozen=True)
class Recorded:
    """What :func:`record` did: the new ledger and how many rows it added, superseded, skipped."""

    ledger: pd.DataFrame
    added: int
    superseded: int
    unchanged: int


def _same(a: str, b: str) -> bool:
    """Two cells hold the same decision: equal text, or equal amounts to the cent."""
    if a == b:
        return True
    if _NUMBER.match(a) and _NUMBER.match(b):
        return round(float(a) * 100) == round(float(b) * 100)
    return False


def record(
    ledger: pd.DataFrame,
    entries: pd.DataFrame,
    keys: Sequence[str],
    values: Sequence[str],
    *,
    on: str,
    history: Sequence[str] = LEDGER_COLUMNS,
) -> Recorded:
    """Add decisions to a ledger, keeping the history (see the module notes).

    Parameters
    ----------
    ledger : DataFrame
        The ledger as text (:func:`read_ledger`); not modified.
    entries : DataFrame
        The new decisions as text: the ``keys`` and ``values`` columns, and any of
        :data:`LEDGER_COLUMNS` (``changed_on`` defaults to ``on``; ``superseded_on`` is ignored).
        At most one entry per key.
    keys, values : sequence of str
        The columns that name a decision's key, and the columns that hold its decision.
    on : str
        The day of recording, ``YYYY-MM-DD``: stamped as ``superseded_on`` on replaced rows.
    history : sequence of str
        The history columns this ledger keeps (at least ``changed_on`` and ``superseded_on``): a
        column the ledger file does not have and this does not name is not added to it.

    Returns
    -------
    Recorded
    """
    keys, values = list(keys), list(values)
    if entries.duplicated(keys).any():
        raise ValueError(f"record: one entry per key ({', '.join(keys)})")
    columns = list(ledger.columns)
    for col in [*keys, *values, *history]:
        if col not in columns:
            columns.append(col)
    old = as_text(ledger, columns)
    new = as_text(entries, columns)
    new["changed_on"] = new["changed_on"].where(new["changed_on"].ne(""), on)
    new["superseded_on"] = ""

    live = old["superseded_on"].str.strip().eq("")
    current = {
        tuple(k): i for i, k in zip(old.index[live], old.loc[live, keys].itertuples(index=False), strict=True)
    }
    compared = [*values, *(c for c in ("reason", "expires") if c in columns)]
    take = []
    superseded_rows: list[int] = []
    for i, entry in new.iterrows():
        key = tuple(entry[k] for k in keys)
        at = current.get(key)
        if at is not None and all(_same(str(old.at[at, c]).strip(), str(entry[c]).strip()) for c in compared):
            continue
        take.append(i)
        same_key = live & old[keys].eq(pd.Series(key, index=keys)).all(axis=1)
        superseded_rows.extend(old.index[same_key])
    old.loc[superseded_rows, "superseded_on"] = on
    added = new.loc[take]
    out = pd.concat([old, added], ignore_index=True)
    return Recorded(
        ledger=out,
        added=len(added),
        superseded=len(set(superseded_rows)),
        unchanged=len(new) - len(take),
    )


def read_ledger(
    path: str | Path, required: Sequence[str], history: Sequence[str] = LEDGER_COLUMNS
) -> pd.DataFrame:
    """A ledger file as text, or an empty ledger with the ``required`` and ``history`` columns when it
    does not exist.

    Raises
    ------
    ValueError
        For a format other than CSV, XLSX or Parquet, or a file that lacks a required column.
    """
    path = Path(path)
    if path.suffix.lower() not in LEDGER_FORMATS:
        raise ValueError(f"{path.name}: expected a ledger file ending in {', '.join(LEDGER_FORMATS)}")
    if not path.exists():
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in [*required, *history]})
    if path.suffix.lower() == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    elif path.suffix.lower() == ".xlsx":
        df = pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
    else:
        df = pd.read_parquet(path).astype("str").replace({"None": "", "nan": ""})
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"{path.name}, row 1: expected a column named {missing[0]} in the header")
    return df.astype("str")


def ledger_bytes(ledger: pd.DataFrame, suffix: str) -> bytes:
    """The ledger's file contents in the format of ``suffix`` (every cell written as text)."""
    suffix = suffix.lower()
    text = as_text(ledger)
    if suffix == ".csv":
        return text.to_csv(index=False, lineterminator="\n").encode("utf-8")
    buffer = io.BytesIO()
    if suffix == ".parquet":
        text.to_parquet(buffer, index=False)
        return buffer.getvalue()
    if suffix == ".xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        ws = book.add_worksheet("overrides" if "final_quota" in text.columns else "ledger")
        ws.write_row(0, 0, list(text.columns))
        for r, row in enumerate(text.itertuples(index=False), start=1):
            for c, value in enumerate(row):
                if value != "":
                    ws.write_string(r, c, value)
        book.close()
        return buffer.getvalue()
    raise ValueError(f"expected a ledger file ending in {', '.join(LEDGER_FORMATS)}")


def write_ledger(ledger: pd.DataFrame, path: str | Path) -> Path:
    """Write the ledger atomically in the format its name says (the whole file is replaced at once)."""
    path = Path(path)
    return atomic_write_bytes(path, ledger_bytes(ledger, path.suffix))


__all__ = [
    "LEDGER_COLUMNS",
    "Recorded",
    "active_mask",
    "active_rows",
    "as_text",
    "ledger_bytes",
    "read_ledger",
    "record",
    "write_ledger",
]
