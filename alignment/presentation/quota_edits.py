"""Quota edits back from the quota books, as rows of the overrides ledger.

A sales manager changes a quota by typing it in the ``new_quota`` cell of their row, on their sheet
of ``final_quotas.xlsx`` or in their own ``quota_books/<owner>.xlsx``, with a ``reason`` beside it.
:func:`collect_overrides` reads every filled ``new_quota`` back and records it in the overrides
ledger (:mod:`alignment.ledger`): the row is locked at the new quota, ``changed_by`` is the sheet's
owner, ``changed_on`` the day of collection, ``expires`` optional; an earlier lock of the same row
is superseded, never deleted.

Which rows each sheet holds is read from the book's hidden ``_quota_rows`` sheet, so a changed id
is caught. Every problem is listed (workbook, sheet, row and column as the manager sees them) and
nothing is written when there is one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alignment.ledger import Recorded, read_ledger, record, write_ledger
from alignment.presentation.quota_book import ROWS_SHEET
from alignment.problems import Problem

KEYS = ["customer_id", "product_id"]
VALUES = ["final_quota"]


@dataclass(frozen=True)
class Collected:
    """What :func:`collect_overrides` found and did."""

    books: list[Path]
    entries: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem]
    recorded: Recorded | None = None


def book_files(book_or_dir: str | Path) -> list[Path]:
    """The quota books to read: the file itself, or every ``.xlsx`` in the folder (not its subfolders)."""
    path = Path(book_or_dir)
    if path.is_dir():
        return sorted(p for p in path.glob("*.xlsx") if not p.name.startswith(("~$", ".")))
    return [path]


def amount_text(value: float) -> str:
    """An amount as ledger text with two decimals (``1234.50``), rounded half away from zero."""
    cents = int(math.floor(abs(value) * 100 + 0.5)) * (1 if value >= 0 else -1)
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def is_amount(value: object) -> bool:
    """A spreadsheet cell holding a finite number (not text, not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def read_edits(books: list[Path]) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """Every filled ``new_quota`` of the books: (entries, problems, warnings).

    ``entries`` has customer_id, product_id, final_quota (text, 2 decimals), reason, changed_by,
    and where (``book, sheet, row``), one row per (customer, product).
    """
    import openpyxl

    problems: list[Problem] = []
    warnings: list[Problem] = []
    found: dict[tuple[str, str], dict] = {}
    for path in books:
        if not path.is_file():
            problems.append(Problem(str(path), None, None, None, "a quota book (.xlsx) that exists"))
            continue
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # not a workbook at all: one line, the reader's reason
            problems.append(Problem(path.name, None, None, None, f"a readable .xlsx quota book ({exc})"))
            continue
        try:
            if ROWS_SHEET not in book.sheetnames:
                problems.append(
                    Problem(
                        path.name,
                        None,
                        None,
                        None,
                        "a quota book written by alignment run (final_quotas.xlsx or quota_books/<owner>.xlsx)",
                    )
                )
                continue
            rows = list(book[ROWS_SHEET].iter_rows(min_row=2, values_only=True))
            sheets: dict[str, tuple[str, set[tuple[str, str]]]] = {}
            for sheet, owner, cid, pid, *_ in rows:
                if sheet is None:
                    continue
                sheets.setdefault(str(sheet), (str(owner), set()))[1].add((str(cid), str(pid)))
            for sheet, (owner, pairs) in sheets.items():
                if sheet not in book.sheetnames:
                    problems.append(
                        Problem(f"{path.name}, sheet {sheet}", None, None, None, "the sheet (it was removed)")
                    )
                    continue
                _read_sheet(path, book[sheet], sheet, owner, pairs, found, problems, warnings)
        finally:
            book.close()
    entries = pd.DataFrame(
        [
            {
                "customer_id": k[0],
                "product_id": k[1],
                **{c: v[c] for c in ("final_quota", "reason", "changed_by")},
            }
            for k, v in found.items()
        ],
        columns=["customer_id", "product_id", "final_quota", "reason", "changed_by"],
    ).astype("str")
    return entries, problems, warnings


def _read_sheet(
    path: Path,
    ws,
    sheet: str,
    owner: str,
    pairs: set[tuple[str, str]],
    found: dict[tuple[str, str], dict],
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    where = f"{path.name}, sheet {sheet}"
    cells = ws.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(cells, ())]
    needed = ["customer_id", "product_id", "new_quota", "reason"]
    missing = [c for c in needed if c not in header]
    if missing:
        problems.append(Problem(where, 1, missing[0], None, f"a column named {missing[0]} in the header"))
        return
    at = {c: header.index(c) for c in needed}
    for r, values in enumerate(cells, start=2):
        values = list(values) + [None] * (len(header) - len(values))
        new = values[at["new_quota"]]
        if _blank(new):
            continue
        cid = "" if values[at["customer_id"]] is None else str(values[at["customer_id"]]).strip()
        pid = "" if values[at["product_id"]] is None else str(values[at["product_id"]]).strip()
        reason = "" if values[at["reason"]] is None else str(values[at["reason"]]).strip()
        if (cid, pid) not in pairs:
            problems.append(
                Problem(
                    where,
                    r,
                    "customer_id, product_id",
                    f"{cid}/{pid}",
                    f"one of this sheet's rows (the ids of {owner}'s rows are not to be changed)",
                )
            )
            continue
        if not is_amount(new) or new < 0:
            expected = (
                "an amount >= 0 typed as a number (the cell holds text)"
                if isinstance(new, str)
                else "an amount >= 0"
            )
            problems.append(Problem(where, r, "new_quota", str(new), expected))
            continue
        entry = {
            "final_quota": amount_text(float(new)),
            "reason": reason,
            "changed_by": owner,
            "where": f"{where}, row {r}",
        }
        earlier = found.get((cid, pid))
        if earlier is not None and (earlier["final_quota"], earlier["reason"]) != (
            entry["final_quota"],
            entry["reason"],
        ):
            problems.append(
                Problem(
                    where,
                    r,
                    "new_quota",
                    str(new),
                    f"one new quota per row ({cid}/{pid} is also changed in {earlier['where']}, to "
                    f"{earlier['final_quota']})",
                )
            )
            continue
        if not reason:
            warnings.append(
                Problem(
                    where, r, "reason", "", "a reason for the new quota (recorded without one)", "warning"
                )
            )
        found.setdefault((cid, pid), entry)


def collect_overrides(
    book_or_dir: str | Path, into: str | Path, *, on: str, expires: str | None = None, write: bool = True
) -> Collected:
    """Record every filled ``new_quota`` of the books in the overrides ledger ``into``.

    Parameters
    ----------
    book_or_dir : path
        A quota book, or a folder of them.
    into : path
        The overrides file (CSV, XLSX or Parquet); created when it does not exist and there is
        something to record, otherwise rewritten atomically with its history kept.
    on : str
        The day of collection, ``YYYY-MM-DD`` (``changed_on`` of the new rows).
    expires : str, optional
        ``YYYY-MM``: the last month the new locks apply.
    write : bool
        False checks and reports without writing.

    Returns
    -------
    Collected
        With ``recorded`` None when there were problems (nothing is written then).
    """
    books = book_files(book_or_dir)
    entries, problems, warnings = read_edits(books)
    if not books:
        problems.append(Problem(str(book_or_dir), None, None, None, "at least one quota book (.xlsx)"))
    ledger = None
    try:
        ledger = read_ledger(into, [*KEYS, *VALUES])
    except ValueError as exc:
        problems.append(Problem(Path(into).name, None, None, None, str(exc).split("expected ", 1)[-1]))
    if problems or ledger is None:
        return Collected(books, entries, problems, warnings)
    if expires:
        entries = entries.assign(expires=expires)
    recorded = record(ledger, entries, KEYS, VALUES, on=on)
    if write and recorded.added:  # nothing new: the ledger is left as it is (or not created)
        write_ledger(recorded.ledger, into)
    return Collected(books, entries, problems, warnings, recorded)


__all__ = ["Collected", "amount_text", "book_files", "collect_overrides", "is_amount", "read_edits"]
