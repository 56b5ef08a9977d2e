"""final_quotas.xlsx: the final quotas as a workbook sales managers can work from.

A ``Summary`` sheet holds the plan's headline figures and the final quotas by customer group and by
account owner; ``All quotas`` holds every row with final_quotas.csv's columns in the same order;
then one sheet per account owner lists their (customer, product) rows, again starting with those
columns, with the figures that explain each quota and its 12 monthly objectives. Money has a thousands separator and
two decimals, ratios are percentages, every table's header row is frozen and filterable, and the
columns are sized to their contents. The file is written atomically. Every text cell is written as
text (:mod:`alignment.presentation.xlsx`): a customer name that starts with ``=`` or looks like a URL
stays the name, never a formula or a hyperlink.

Sheet names follow Excel's rules: at most 31 characters, none of ``[ ] : * ? / \\``, unique without
regard to case. An owner's sheet is named "name (person_id)", shortened if needed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignment.engine.plan import FINAL_QUOTAS_COLUMNS, FINAL_QUOTAS_EXTRA
from alignment.money import sum_money
from alignment.outputs import atomic_write_bytes
from alignment.presentation.xlsx import workbook_bytes
from alignment.vocabulary import figure

if TYPE_CHECKING:
    import xlsxwriter

    from alignment.engine.plan import Plan

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

#: Each sheet of rows starts with final_quotas.csv's columns in the contract's order; extras follow.
OWNER_COLUMNS = [*FINAL_QUOTAS_COLUMNS, "product_line", "prior_revenue", "target", "quota_to_potential"]
#: The cells a sales manager fills on their sheet to change a quota (read back by
#: ``alignment collect overrides``); they follow the contract's columns, empty.
EDIT_COLUMNS = ["new_quota", "reason"]
#: The hidden sheet that says which rows each owner sheet holds, so edits can be read back.
ROWS_SHEET = "_quota_rows"
ROWS_SHEET_COLUMNS = ["sheet", "account_owner", "customer_id", "product_id", "final_quota", "locked"]
ALL_ROWS_SHEET = "All quotas"
MONEY_COLUMNS = {
    "prior_revenue",
    "target",
    "potential",
    "committed",
    "weight",
    "allocated",
    "final_quota",
    "room",
    "padded_target",
    "locked_adjustment",
    "unallocated",
    "value",
    "amount",
    "new_quota",
    "allocated_from_gap",
    "change_from_committed",
}
PERCENT_COLUMNS = {"quota_to_potential", "committed_to_target", "final_to_target"}


def sheet_names(labels: list[str], taken: set[str] | None = None) -> list[str]:
    """Valid, unique Excel sheet names for the labels, in order.

    Characters Excel refuses are replaced by ``-``, names are cut to 31 characters, and a name
    already used (without regard to case) gets `` ~2``, `` ~3`` ... at its end.
    """
    used = {t.lower() for t in (taken or set())}
    out = []
    for label in labels:
        base = _BAD_SHEET_CHARS.sub("-", str(label)).strip().strip("'") or "Sheet"
        name = base[:SHEET_NAME_MAX]
        k = 2
        while name.lower() in used:
            suffix = f" ~{k}"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
            k += 1
        used.add(name.lower())
        out.append(name)
    return out


def summary_tables(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The Summary sheet's three tables: headline figures, by customer group, by account owner."""
    figures = plan.figures()
    keys = [
        "top_down_target",
        "padded_target",
        "bottom_up_quota",
        "gap",
        "allocated_from_gap",
        "change_from_committed",
        "unallocated",
        "final_quota_total",
    ]
    headline = pd.DataFrame({"figure": [figure(k).label for k in keys], "value": [figures[k] for k in keys]})
    fq = plan.final_quotas
    money = ["prior_revenue", "target", "potential", "committed", "allocated", "final_quota"]
    # the two figures once both called "allocated": the unlocked rows' part of the gap, and every
    # row's final quota less its committed quota (locked rows included)
    gap_rows = fq.assign(allocated_from_gap=fq["allocated"].where(~fq["locked"].astype(bool), 0.0))
    money_named = [*money[:4], "allocated_from_gap", "allocated", "final_quota"]
    groups = sum_money(gap_rows, ["customer_group"], money_named).rename(
        columns={"allocated": "change_from_committed"}
    )
    owners = sum_money(gap_rows, ["account_owner"], money_named).rename(
        columns={"allocated": "change_from_committed"}
    )
    names = plan.rollup.loc[plan.rollup["level"] == "account_owner"].set_index("key")["name"]
    owners.insert(1, "name", owners["account_owner"].map(names).fillna(""))
    for table in (groups, owners):
        potential = table["potential"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            table["quota_to_potential"] = np.where(
                potential > 0, table["final_quota"].to_numpy() / potential, np.nan
            )
    return headline, groups, owners


def owner_sheets(plan: Plan) -> list[tuple[str, str, pd.DataFrame]]:
    """Each account owner's rows with their monthly objectives: (owner id, sheet name, table)."""
    fq = plan.final_quotas
    months = plan.params.months
    monthly = plan.monthly_objectives.pivot(
        index=["customer_id", "product_id"], columns="month", values="objective"
    )
    monthly = monthly.reindex(columns=months).reset_index()
    rows = fq[OWNER_COLUMNS].merge(monthly, on=["customer_id", "product_id"], how="left")
    at = len(FINAL_QUOTAS_COLUMNS)
    rows.insert(at, "new_quota", np.nan)
    rows.insert(at + 1, "reason", "")
    rows = rows.sort_values(["account_owner", "customer_id", "product_id"], ignore_index=True)
    owners = list(pd.unique(rows["account_owner"]))
    names = plan.rollup.loc[plan.rollup["level"] == "account_owner"].set_index("key")["name"]
    labels = [f"{names.get(o, '') or o} ({o})" if names.get(o, "") else str(o) for o in owners]
    sheets = sheet_names(labels, taken={"Summary", ALL_ROWS_SHEET})
    by_owner = dict(tuple(rows.groupby("account_owner", sort=False)))
    return [(o, s, by_owner[o].reset_index(drop=True)) for o, s in zip(owners, sheets, strict=True)]


def _width(df: pd.DataFrame, col: str) -> int:
    values = df[col]
    if pd.api.types.is_float_dtype(values):
        longest = len(f"{values.abs().max():,.2f}") + 1 if values.notna().any() else 4
    else:
        longest = int(values.astype("str").str.len().max()) if len(values) else 4
    return int(min(max(longest, len(str(col))) + 2, 50))


def _cells(values: pd.Series) -> list:
    """A column as Python values for xlsxwriter, missing values as None (a blank cell)."""
    out = values.astype(object).tolist()
    return [None if v is None or (isinstance(v, float) and not np.isfinite(v)) else v for v in out]


def _write_table(
    ws, df: pd.DataFrame, startrow: int, formats: dict, *, autofilter: bool, widths: dict[int, int]
) -> None:
    """One table: a bold header row, then each column with its number format."""
    ws.write_row(startrow, 0, [str(c) for c in df.columns], formats["header"])
    for i, col in enumerate(df.columns):
        fmt = (
            formats["money"]
            if col in MONEY_COLUMNS or col in formats["months"]
            else formats["percent"]
            if col in PERCENT_COLUMNS
            else None
        )
        if len(df):
            ws.write_column(startrow + 1, i, _cells(df[col]), fmt)
        widths[i] = max(widths.get(i, 0), _width(df, col))
    if autofilter:
        ws.autofilter(startrow, 0, startrow + len(df), len(df.columns) - 1)


def quota_book_bytes(plan: Plan) -> bytes:
    """The workbook's bytes (see the module notes); text from the inputs is written as text."""
    return workbook_bytes(lambda book: _fill_quota_book(book, plan))


def _fill_quota_book(book: xlsxwriter.Workbook, plan: Plan) -> None:
    formats = {
        "money": book.add_format({"num_format": MONEY_FORMAT}),
        "percent": book.add_format({"num_format": PERCENT_FORMAT}),
        "header": book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEF2F7"}),
        "months": set(plan.params.months),
    }
    title = book.add_format({"bold": True, "font_size": 13})
    headline, groups, owners = summary_tables(plan)
    ws = book.add_worksheet("Summary")
    widths: dict[int, int] = {}
    start_groups = len(headline) + 4
    start_owners = start_groups + len(groups) + 3
    ws.write(0, 0, f"Final quotas, fiscal year {plan.params.fiscal_year}", title)
    _write_table(ws, headline, 2, formats, autofilter=False, widths=widths)
    ws.write(start_groups - 1, 0, "By customer group", title)
    _write_table(ws, groups, start_groups, formats, autofilter=False, widths=widths)
    ws.write(start_owners - 1, 0, "By account owner", title)
    _write_table(ws, owners, start_owners, formats, autofilter=True, widths=widths)
    for i, w in widths.items():
        ws.set_column(i, i, w)
    ws.freeze_panes(1, 0)
    all_rows = [(ALL_ROWS_SHEET, plan.final_quotas[FINAL_QUOTAS_COLUMNS + FINAL_QUOTAS_EXTRA])]
    for sheet, table in all_rows:
        ws = book.add_worksheet(sheet)
        widths = {}
        _write_table(ws, table, 0, formats, autofilter=True, widths=widths)
        for i, w in widths.items():
            ws.set_column(i, i, w)
        ws.freeze_panes(1, 2)
    sheets = owner_sheets(plan)
    for _, sheet, table in sheets:
        _write_owner_sheet(book, sheet, table, formats)
    _write_rows_sheet(book, sheets)


def _write_owner_sheet(book, sheet: str, table: pd.DataFrame, formats: dict) -> None:
    """An owner's rows, with the ``new_quota`` cells accepting only an amount >= 0."""
    ws = book.add_worksheet(sheet)
    widths: dict[int, int] = {}
    _write_table(ws, table, 0, formats, autofilter=True, widths=widths)
    widths[list(table.columns).index("reason")] = 30
    for i, w in widths.items():
        ws.set_column(i, i, w)
    ws.freeze_panes(1, 2)
    col = list(table.columns).index("new_quota")
    if len(table):
        ws.data_validation(
            1,
            col,
            len(table),
            col,
            {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "input_title": "New quota",
                "input_message": "Type the quota you want for this row, then give a reason.",
                "error_title": "New quota",
                "error_message": "An amount >= 0, typed as a number.",
            },
        )


def _write_rows_sheet(book, sheets: list[tuple[str, str, pd.DataFrame]]) -> None:
    """The hidden sheet listing each owner sheet's rows (read back by ``collect overrides``)."""
    ws = book.add_worksheet(ROWS_SHEET)
    ws.write_row(0, 0, ROWS_SHEET_COLUMNS)
    r = 1
    for owner, sheet, table in sheets:
        for cid, pid, fq, locked in zip(
            table["customer_id"], table["product_id"], table["final_quota"], table["locked"], strict=True
        ):
            ws.write_string(r, 0, sheet)
            ws.write_string(r, 1, str(owner))
            ws.write_string(r, 2, str(cid))
            ws.write_string(r, 3, str(pid))
            ws.write_number(r, 4, float(fq))
            ws.write_boolean(r, 5, bool(locked))
            r += 1
    ws.hide()


def owner_file_names(owners: list[str]) -> list[str]:
    """A safe, unique file name (``<owner>.xlsx``) for each owner id."""
    used: set[str] = set()
    out = []
    for owner in owners:
        base = re.sub(r"[^A-Za-z0-9._-]", "_", str(owner)).lstrip(".") or "owner"
        name, k = base, 2
        while name.lower() in used:
            name, k = f"{base}~{k}", k + 1
        used.add(name.lower())
        out.append(f"{name}.xlsx")
    return out


def owner_book_bytes(
    plan: Plan, owner: str, sheets: list[tuple[str, str, pd.DataFrame]] | None = None
) -> bytes:
    """One account owner's quota book: their sheet (with ``new_quota`` and ``reason``) and nothing else.

    Text from the inputs is written as text, never as a formula or a link. ``sheets`` is
    :func:`owner_sheets` when the caller already has it.
    """
    return workbook_bytes(lambda book: _fill_owner_book(book, plan, owner, sheets))


def _fill_owner_book(
    book, plan: Plan, owner: str, sheets: list[tuple[str, str, pd.DataFrame]] | None
) -> None:
    formats = {
        "money": book.add_format({"num_format": MONEY_FORMAT}),
        "percent": book.add_format({"num_format": PERCENT_FORMAT}),
        "header": book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEF2F7"}),
        "months": set(plan.params.months),
    }
    sheets = [s for s in (owner_sheets(plan) if sheets is None else sheets) if s[0] == owner]
    if not sheets:
        raise ValueError(f"account owner {owner!r}: no rows in the plan")
    for _, sheet, table in sheets:
        _write_owner_sheet(book, sheet, table, formats)
    _write_rows_sheet(book, sheets)


def write_owner_books(plan: Plan, folder: str | Path | None) -> list[Path]:
    """Write ``<folder>/<owner>.xlsx`` for every account owner with rows, each atomically.

    Nothing when ``folder`` is None (a notebook run by hand).
    """
    if folder is None:
        return []
    sheets = owner_sheets(plan)
    owners = [o for o, _, _ in sheets]
    return [
        atomic_write_bytes(Path(folder) / name, owner_book_bytes(plan, owner, sheets))
        for owner, name in zip(owners, owner_file_names(owners), strict=True)
    ]


def write_quota_book(plan: Plan, path: str | Path | None) -> Path | None:
    """Write final_quotas.xlsx atomically and return its path; nothing when ``path`` is None."""
    if path is None:
        return None
    return atomic_write_bytes(path, quota_book_bytes(plan))


__all__ = [
    "EDIT_COLUMNS",
    "MONEY_FORMAT",
    "OWNER_COLUMNS",
    "ROWS_SHEET",
    "owner_book_bytes",
    "owner_file_names",
    "owner_sheets",
    "quota_book_bytes",
    "sheet_names",
    "summary_tables",
    "write_owner_books",
    "write_quota_book",
]
