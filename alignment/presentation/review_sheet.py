"""The monthly review's meeting sheet: out before the meeting, back into ``review_actions`` after it.

:func:`write_review_sheet` (``alignment template review-actions``) writes one workbook for the
meeting: the review month's flagged rows with their figures and empty action cells, and beneath
them the open actions of earlier reviews, pre-filled, with their row's figures now; periods and
levels read in words (``Year to date``, ``Account owner``), the codes stay in the hidden sheet. Only the
action cells can be typed in (``action`` on a flagged row; owners, ``due``, ``status`` and
``note`` on every row); the rest is locked (the sheet is protected without a password: it guards
against slips). Owners are chosen from drop-down lists of each side's people, the status from the
four statuses, the due date is a date. A hidden sheet records which row is which, and each side's
people, so that what comes back can be checked without the data folder.

:func:`collect_review_sheet` (``alignment collect review-actions``) reads the filled sheet and
records it in the ``review_actions`` ledger with :func:`alignment.ledger.record`, the quota book's
``collect overrides`` rules: a new action is a new row; a changed status (or owner, due date, note)
of an earlier action is a new row that supersedes the earlier one, stamped with the day of
collection; nothing is deleted, and collecting the same sheet twice changes nothing. Owners are
recorded by person_id. Every problem names the workbook, sheet, row and column; nothing is written
when there is one. Text is written as text (:mod:`alignment.presentation.xlsx`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from alignment.fiscal import MONTH_RE
from alignment.inputs import STATUSES, owner_problem
from alignment.ledger import Recorded, read_ledger, record, write_ledger
from alignment.practices.review_actions import KEYS, VALUES, sheet_rows
from alignment.presentation.quota_book import MONEY_FORMAT
from alignment.presentation.xlsx import cell_text, workbook_bytes
from alignment.problems import Problem
from alignment.vocabulary import code_words
from alignment.written import check_file, write_ours

if TYPE_CHECKING:
    from alignment.inputs import Inputs
    from alignment.params import Params

SHEET = "Review actions"
META_SHEET = "_review_actions"
KIND = "review-actions"
FIGURES = ("objective", "actual", "variance", "attainment")
COLUMNS = ("month", "period", "level", "key", "name", *FIGURES, "action", *VALUES)
REQUIRED = ("month", "period", "level", "key", "action", "marketing_owner", "sales_owner", "due", "status")
# the history a review_actions file keeps (no reason or expiry: those are the overrides ledger's)
HISTORY = ("changed_by", "changed_on", "superseded_on")
DATE_FORMAT = "yyyy-mm-dd"
#: columns holding a code the note-taker reads in words (``ytd`` -> Year to date, ``account_owner`` ->
#: Account owner); the hidden sheet keeps the codes, and the words or the codes are read back
IN_WORDS = ("period", "level")


def shown(col: str, value: object) -> str:
    """A cell of the sheet as the note-taker reads it: a period or level in words, anything else as it is."""
    text = "" if value is None else str(value)
    return code_words(text) if col in IN_WORDS and text else text


# --------------------------------------------------------------------------- out


def sheet_table(review: pd.DataFrame, inputs: Inputs, params: Params) -> pd.DataFrame:
    """The rows of the meeting sheet: the flagged rows (``kind`` new), then the earlier open actions.

    Columns: kind, :data:`COLUMNS`; figures of the earlier actions' rows as they are now.
    """
    flagged, earlier = sheet_rows(review, inputs.review_actions, params)
    names = inputs.people.set_index("person_id")["name"]
    figures = review.set_index(["period", "level", "key"])[list(FIGURES)]
    new = flagged.assign(kind="new", month=params.review.month, action="")
    for col in VALUES:
        new[col] = ""
    old = (
        earlier.merge(figures.reset_index(), on=["period", "level", "key"], how="left")
        if len(earlier)
        else earlier
    )
    old = old.assign(kind="earlier")
    for col in ("marketing_owner", "sales_owner"):  # by name, as the drop-down lists them
        old[col] = old[col].map(lambda v: str(names.get(v, v)) if v else "")
    table = pd.concat([new, old], ignore_index=True)
    is_owner = table["level"] == "account_owner"
    table["name"] = table["key"].map(names).where(is_owner).fillna("").astype("str")
    return table[["kind", *COLUMNS]]


def sheet_bytes(table: pd.DataFrame, people: pd.DataFrame, params: Params) -> bytes:
    """The meeting workbook (see the module notes)."""

    def fill(book) -> None:
        header = book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEF2F7"})
        money = book.add_format({"num_format": MONEY_FORMAT})
        percent = book.add_format({"num_format": "0.0%"})
        text_in = book.add_format({"locked": False, "bg_color": "#FFF8E1"})
        date_in = book.add_format({"locked": False, "bg_color": "#FFF8E1", "num_format": DATE_FORMAT})
        earlier = book.add_format({"italic": True})
        ws = book.add_worksheet(SHEET)
        ws.write_row(0, 0, list(COLUMNS), header)
        inputs = {"action", *VALUES}
        for r, row in enumerate(table.itertuples(index=False), start=1):
            values = dict(zip(["kind", *COLUMNS], row, strict=True))
            for c, col in enumerate(COLUMNS):
                value = values[col]
                editable = col in inputs and not (col == "action" and values["kind"] == "earlier")
                if col == "due":
                    day = _date(value)
                    if day is not None:
                        ws.write_datetime(r, c, dt.datetime.combine(day, dt.time()), date_in)
                    elif value:  # a month (due at its end), as the file has it
                        ws.write_string(r, c, str(value), date_in)
                    else:
                        ws.write_blank(r, c, None, date_in)
                elif col in FIGURES:
                    style = percent if col == "attainment" else money
                    if value is None or pd.isna(value):
                        ws.write_blank(r, c, None, style)
                    else:
                        ws.write_number(r, c, float(value), style)
                else:
                    style = text_in if editable else (earlier if values["kind"] == "earlier" else None)
                    if value == "" or value is None:
                        ws.write_blank(r, c, None, style)
                    else:
                        ws.write_string(r, c, shown(col, value), style)
        last = len(table)
        sides = {}
        for side in ("marketing", "sales"):
            sides[side] = people.loc[people["function"] == side].sort_values("person_id")
        lists = {"marketing_owner": "B", "sales_owner": "D", "status": "F"}
        counts = {"marketing_owner": len(sides["marketing"]), "sales_owner": len(sides["sales"]), "status": 4}
        for col, letter in lists.items():
            c = COLUMNS.index(col)
            if last and counts[col]:
                ws.data_validation(
                    1,
                    c,
                    last,
                    c,
                    {
                        "validate": "list",
                        "source": f"='{META_SHEET}'!${letter}$2:${letter}${counts[col] + 1}",
                        "error_title": col,
                        "error_message": "Choose from the list.",
                    },
                )
        c = COLUMNS.index("due")
        if last:
            ws.data_validation(
                1,
                c,
                last,
                c,
                {
                    "validate": "date",
                    "criteria": ">",
                    "value": dt.datetime(2000, 1, 1),
                    "error_title": "due",
                    "error_message": "A date.",
                },
            )
        widths = {"action": 50, "note": 40, "key": 18, "name": 20, "marketing_owner": 20, "sales_owner": 20}
        for c, col in enumerate(COLUMNS):
            ws.set_column(c, c, widths.get(col, 13))
        ws.freeze_panes(1, 4)
        ws.protect("", {"format_columns": True, "format_rows": True})
        ws.write_string(
            last + 2,
            0,
            f"Review {params.review.month}: flagged rows first (type the action agreed, one owner on each side, "
            "a due date), then the open actions of earlier reviews (update their status).",
        )

        meta = book.add_worksheet(META_SHEET)
        meta.write_row(0, 0, ["field", "marketing", "marketing_id", "sales", "sales_id", "status"])
        meta.write_string(1, 0, "kind")
        meta.write_string(2, 0, "month")
        for side, (name_col, id_col) in (("marketing", (1, 2)), ("sales", (3, 4))):
            for r, (pid, name) in enumerate(
                zip(sides[side]["person_id"], sides[side]["name"], strict=True), 1
            ):
                meta.write_string(r, name_col, str(name) or str(pid))
                meta.write_string(r, id_col, str(pid))
        for r, status in enumerate(STATUSES, start=1):
            meta.write_string(r, 5, status)
        meta.write_row(0, 7, ["row", "kind", *KEYS])
        for r, row in enumerate(table.itertuples(index=False), start=1):
            meta.write_number(r, 7, r + 1)
            meta.write_row(r, 8, [row.kind, *(str(getattr(row, k)) for k in KEYS)])
        meta.write_row(0, 15, ["value"])
        meta.write_string(1, 15, KIND)
        meta.write_string(2, 15, params.review.month)
        meta.hide()

    return workbook_bytes(fill)


def write_review_sheet(review: pd.DataFrame, inputs: Inputs, params: Params, out: str | Path) -> Path:
    """Write the meeting sheet to ``out`` (a new file, or one this command wrote and nobody changed)."""
    out = Path(out)
    check_file(out, "alignment template: --out")
    if out.suffix.lower() != ".xlsx":
        from alignment.written import Refused

        raise Refused(f"alignment template: --out: {out}: expected a file name ending in .xlsx")
    data = sheet_bytes(sheet_table(review, inputs, params), inputs.people, params)
    return write_ours(out, data)


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip()
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- back


@dataclass(frozen=True)
class CollectedActions:
    """What :func:`collect_review_sheet` read and did (``recorded`` None when there were problems)."""

    entries: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem]
    recorded: Recorded | None = None


def read_review_sheet(
    path: Path,
) -> tuple[pd.DataFrame, list[Problem], list[Problem], dict[str, tuple[str, str]]]:
    """The actions typed in a meeting sheet: (entries as ledger text, problems, warnings, people).

    ``people`` maps each person_id and name of the sheet's lists to (person_id, function).
    """
    import openpyxl

    problems: list[Problem] = []
    warnings: list[Problem] = []
    entries: list[dict[str, str]] = []
    columns = [*KEYS, *VALUES]
    empty = pd.DataFrame(columns=columns).astype("str")
    if not path.is_file():
        return (
            empty,
            [Problem(str(path), None, None, None, "a review-actions workbook (.xlsx) that exists")],
            [],
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook at all: one line, the reader's reason
        return empty, [Problem(path.name, None, None, None, f"a readable .xlsx workbook ({exc})")], [], {}
    try:
        if META_SHEET not in book.sheetnames or SHEET not in book.sheetnames:
            problems.append(
                Problem(
                    path.name, None, None, None, "a review-actions workbook written by alignment template"
                )
            )
            return empty, problems, warnings, {}
        meta = [list(r) + [None] * 16 for r in book[META_SHEET].iter_rows(min_row=2, values_only=True)]
        if not meta or cell_text(meta[0][15]) != KIND:
            problems.append(
                Problem(
                    path.name, None, None, None, "a review-actions workbook written by alignment template"
                )
            )
            return empty, problems, warnings, {}
        people = pd.DataFrame(
            [(cell_text(m[2]), cell_text(m[1]), "marketing") for m in meta if cell_text(m[2])]
            + [(cell_text(m[4]), cell_text(m[3]), "sales") for m in meta if cell_text(m[4])],
            columns=["person_id", "name", "function"],
        )
        from alignment.inputs import person_lookup

        lookup = person_lookup(people)
        rows = {
            int(m[7]): (cell_text(m[8]), [cell_text(v) for v in m[9:14]]) for m in meta if m[7] is not None
        }
        where = f"{path.name}, sheet {SHEET}"
        cells = list(book[SHEET].iter_rows(values_only=True))
        header = [cell_text(c) for c in cells[0]] if cells else []
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            problems.append(Problem(where, 1, missing[0], None, f"a column named {missing[0]} in the header"))
            return empty, problems, warnings, {}
        at = {c: header.index(c) for c in COLUMNS}
        for r, (kind, key) in sorted(rows.items()):
            values = list(cells[r - 1]) if r - 1 < len(cells) else []
            values += [None] * (len(header) - len(values))

            def cell(col: str, values=values) -> object:
                return values[at[col]]

            for c, col in enumerate(KEYS[:4]):
                if cell_text(cell(col)) not in (key[c], shown(col, key[c])):
                    problems.append(
                        Problem(
                            where,
                            r,
                            col,
                            cell_text(cell(col)),
                            f"{shown(col, key[c])!r}, as written (the row's ids are locked)",
                        )
                    )
            action = cell_text(cell("action")) if kind == "new" else key[4]
            typed = {
                col: cell_text(cell(col)) for col in ("marketing_owner", "sales_owner", "status", "note")
            }
            due_cell = cell("due")
            if kind == "new" and not action:
                if any(typed.values()) or due_cell not in (None, ""):
                    problems.append(
                        Problem(where, r, "action", "", "the action agreed (owners or a date are given)")
                    )
                continue
            entry = dict(zip(KEYS, [*key[:4], action], strict=True))
            bad = False
            for col, side in (("marketing_owner", "marketing"), ("sales_owner", "sales")):
                wrong = owner_problem(typed[col], side, lookup)
                if wrong:
                    problems.append(Problem(where, r, col, typed[col], wrong))
                    bad = True
                entry[col] = lookup[typed[col]][0] if typed[col] and not wrong else ""
            lacking = [c for c in ("marketing_owner", "sales_owner") if not typed[c]]
            if lacking and not bad:
                sides = " and no ".join(c.split("_")[0] for c in lacking)
                warnings.append(
                    Problem(
                        where,
                        r,
                        ", ".join(lacking),
                        None,
                        f"an owner on each side (the action is not joint: no {sides} owner)",
                        "warning",
                    )
                )
            day = _date(due_cell)
            month = cell_text(due_cell) if MONTH_RE.match(cell_text(due_cell)) else ""
            if due_cell not in (None, "") and day is None and not month:
                problems.append(Problem(where, r, "due", cell_text(due_cell), "a date (YYYY-MM-DD)"))
                bad = True
            entry["due"] = day.isoformat() if day else month
            status = typed["status"].lower() or "open"
            if status not in STATUSES:
                problems.append(Problem(where, r, "status", typed["status"], "one of " + ", ".join(STATUSES)))
                bad = True
            entry["status"] = status
            entry["note"] = typed["note"]
            if not bad:
                entries.append(entry)
    finally:
        book.close()
    return pd.DataFrame(entries, columns=columns).astype("str"), problems, warnings, lookup


def collect_review_sheet(
    book: str | Path, into: str | Path, *, on: str, write: bool = True
) -> CollectedActions:
    """Record the actions of a filled meeting sheet in the ``review_actions`` ledger ``into``.

    Parameters
    ----------
    book : path
        The meeting workbook (``alignment template review-actions``), filled in.
    into : path
        The review_actions file (CSV, XLSX or Parquet); created when it does not exist and there is
        something to record, otherwise rewritten atomically with its history kept.
    on : str
        The day of collection, ``YYYY-MM-DD``: ``changed_on`` of the new rows, ``superseded_on`` of
        the rows they replace.
    write : bool
        False checks and reports without writing.
    """
    entries, problems, warnings, people = read_review_sheet(Path(book))
    ledger = None
    try:
        ledger = read_ledger(into, REQUIRED, HISTORY)
    except ValueError as exc:
        problems.append(Problem(Path(into).name, None, None, None, str(exc).split("expected ", 1)[-1]))
    if problems or ledger is None:
        return CollectedActions(entries, problems, warnings)
    if entries.duplicated(list(KEYS)).any():
        dup = entries[entries.duplicated(list(KEYS))].iloc[0]
        problem = Problem(
            Path(book).name, None, "action", dup["action"], "one row per action agreed on a row"
        )
        return CollectedActions(entries, [problem], warnings)
    recorded = record(ledger, same_owners(entries, ledger, people), KEYS, VALUES, on=on, history=HISTORY)
    if write and recorded.added:
        write_ledger(recorded.ledger, into)
    return CollectedActions(entries, problems, warnings, recorded)


def same_owners(
    entries: pd.DataFrame, ledger: pd.DataFrame, people: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """Entries whose owner is the same person as the ledger's current row keep the ledger's text for them.

    The ledger may name an owner by name or by person_id; the sheet's answer is a person_id. The same
    person in another spelling is not a change, and is not recorded as one.
    """
    live = (
        ledger[ledger["superseded_on"].astype("str").str.strip().eq("")]
        if "superseded_on" in ledger
        else ledger
    )
    current = {tuple(r[k] for k in KEYS): r for _, r in live.iterrows()}
    out = entries.copy()
    for i, entry in out.iterrows():
        row = current.get(tuple(entry[k] for k in KEYS))
        if row is None:
            continue
        for col in ("marketing_owner", "sales_owner"):
            before = str(row.get(col, "")).strip()
            if before and people.get(before, (before,))[0] == entry[col]:
                out.at[i, col] = before
    return out


__all__ = [
    "COLUMNS",
    "CollectedActions",
    "collect_review_sheet",
    "read_review_sheet",
    "sheet_bytes",
    "sheet_table",
    "write_review_sheet",
]
