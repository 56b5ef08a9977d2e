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

if TYPE_CHECKING:
    import xlsxwriter

    from alignment.engine.plan import Plan

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

#: Each sheet of rows starts with final_quotas.csv's columns in the contract's order; extras follow.
OWNER_COLUMNS = [*FINAL_QUOTAS_COLUMNS, "product_line", "prior_revenue", "target", "quota_to_potential"]
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
    headline = pd.DataFrame(
        {
            "figure": [
                "Top-down target (T)",
                "Target with over-assignment (T')",
                "Bottom-up quota (Q)",
                "Gap (G)",
                "Allocated",
                "Unallocated",
                "Final quotas",
            ],
            "value": [
                plan.top_down_target,
                plan.padded_target,
                plan.bottom_up_quota,
                plan.gap,
                plan.placed,
                plan.unallocated,
                plan.final_quota_total,
            ],
        }
    )
    fq = plan.final_quotas
    money = ["prior_revenue", "target", "potential", "committed", "allocated", "final_quota"]
    groups = sum_money(fq, ["customer_group"], money)
    owners = sum_money(fq, ["account_owner"], money)
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
    for sheet, table in all_rows + [(sheet, table) for _, sheet, table in owner_sheets(plan)]:
        ws = book.add_worksheet(sheet)
        widths = {}
        _write_table(ws, table, 0, formats, autofilter=True, widths=widths)
        for i, w in widths.items():
            ws.set_column(i, i, w)
        ws.freeze_panes(1, 2)


def write_quota_book(plan: Plan, path: str | Path | None) -> Path | None:
    """Write final_quotas.xlsx atomically and return its path; nothing when ``path`` is None."""
    if path is None:
        return None
    return atomic_write_bytes(path, quota_book_bytes(plan))


__all__ = [
    "MONEY_FORMAT",
    "OWNER_COLUMNS",
    "owner_sheets",
    "quota_book_bytes",
    "sheet_names",
    "summary_tables",
    "write_quota_book",
]
