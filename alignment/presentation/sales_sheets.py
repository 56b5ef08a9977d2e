"""Sales-input sheets: one workbook per account owner out, one ``sales_input`` file back.

:func:`write_sales_input_templates` (``alignment template sales-input``) writes ``<owner>.xlsx`` for
every account owner: their customers x products (each pair in the current ``sales_input`` or with
prior-year revenue), pre-filled with the prior-year revenue, last year's final quota where known and
the current potential and committed. Only ``potential``, ``committed`` and ``notes`` can be typed
in (a number >= 0 for the two amounts, by Excel's data validation); the other cells are locked (the
sheet is protected without a password: it guards against slips, not against the owner). Below the
rows are empty lines where the owner adds a product for a customer of theirs. A totals row sits
above the header; a hidden sheet records the owner, their customers, the products and the rows
written, so that :func:`collect_sales_input` can check what comes back.

:func:`collect_sales_input` (``alignment collect sales-input``) reads every workbook of a folder
and writes one contract ``sales_input`` file (plus a ``notes`` column). Every problem is listed,
naming the workbook, sheet, row and column as the owner sees them, and nothing is written when there
is one: a customer that is not the owner's, a changed id, a duplicate row, text in a number cell, an
amount below 0 or one of the two amounts without the other. Rows left without both amounts are not
part of sales_input (a warning says so for rows that were in it). Text is written as text, never as
a formula or a link.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignment.inputs import FORMATS, read_table
from alignment.money import from_cents, to_cents
from alignment.outputs import atomic_write_bytes, to_text_table
from alignment.presentation.quota_book import MONEY_FORMAT, owner_file_names
from alignment.presentation.quota_edits import amount_text, is_amount
from alignment.presentation.xlsx import cell_text
from alignment.problems import InputError, Problem
from alignment.written import check_file, check_folder, forget, remember

if TYPE_CHECKING:
    from alignment.inputs import Inputs
    from alignment.params import Params

SHEET = "Sales input"
HELP_SHEET = "How to fill"
META_SHEET = "_template"
KIND = "sales-input"
COLUMNS = [
    "customer_id",
    "customer_name",
    "customer_group",
    "region",
    "product_id",
    "product_name",
    "prior_revenue",
    "last_final_quota",
    "potential",
    "committed",
    "notes",
]
MONEY = ("prior_revenue", "last_final_quota", "potential", "committed")
INPUT = ("potential", "committed", "notes")
HEADER_ROW = 2  # as Excel numbers rows: the totals are on row 1, the first owner row is 3
EXTRA_ROWS = 30  # empty lines below the rows, for a product the owner adds


# --------------------------------------------------------------------------- out


def read_last_quotas(path: Path | None, data_dir: Path) -> pd.DataFrame:
    """Last year's final quotas (customer_id, product_id, final_quota in cents), or an empty table.

    From ``path`` (any final_quotas.csv), else the data folder's ``prior_quotas`` file if any.
    """
    if path is None:
        found = [
            data_dir / f"prior_quotas{ext}" for ext in FORMATS if (data_dir / f"prior_quotas{ext}").is_file()
        ]
        path = found[0] if found else None
    empty = pd.DataFrame({"customer_id": [], "product_id": [], "final_quota": []}).astype(
        {"customer_id": "str", "product_id": "str", "final_quota": "int64"}
    )
    if path is None:
        return empty
    df = read_table(Path(path))
    missing = [c for c in ("customer_id", "product_id", "final_quota") if c not in df.columns]
    if missing:
        raise InputError([Problem(Path(path).name, 1, missing[0], None, f"a column named {missing[0]}")])
    amount = pd.to_numeric(df["final_quota"], errors="coerce")
    bad = amount.isna()
    if bad.any():
        raise InputError(
            [
                Problem(Path(path).name, int(i) + 2, "final_quota", df.loc[i, "final_quota"], "an amount")
                for i in df.index[bad][:20]
            ]
        )
    out = pd.DataFrame(
        {"customer_id": df["customer_id"], "product_id": df["product_id"], "final_quota": to_cents(amount)}
    )
    return out.groupby(["customer_id", "product_id"], as_index=False)["final_quota"].sum()


def template_rows(inputs: Inputs, params: Params, last: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every owner's rows for the sheets, sorted by account_owner, customer_id, product_id.

    Columns: account_owner, :data:`COLUMNS` (money in currency, NaN where unknown) and
    in_sales_input.
    """
    from alignment.engine.targets import prior_year_actuals

    prior = prior_year_actuals(inputs.actuals, params.prior_months)
    revenue = prior.groupby(["customer_id", "product_id"], as_index=False)["cents"].sum()
    revenue = revenue.loc[revenue["cents"] != 0]
    si = inputs.sales_input
    pairs = pd.concat(
        [si[["customer_id", "product_id"]], revenue[["customer_id", "product_id"]]], ignore_index=True
    ).drop_duplicates()
    customers = inputs.customers.set_index("customer_id")
    pairs = pairs.loc[pairs["customer_id"].isin(customers.index)]
    rows = pairs.merge(
        inputs.customers[["customer_id", "customer_name", "customer_group", "region", "account_owner"]],
        on="customer_id",
    ).merge(inputs.products[["product_id", "product_name"]], on="product_id", how="left")
    rows = rows.merge(revenue, on=["customer_id", "product_id"], how="left")
    rows["prior_revenue"] = from_cents(rows["cents"].fillna(0).astype("int64").to_numpy())
    last = (
        last if last is not None else pd.DataFrame({"customer_id": [], "product_id": [], "final_quota": []})
    )
    rows = rows.merge(
        last.rename(columns={"final_quota": "last_cents"}), on=["customer_id", "product_id"], how="left"
    )
    rows["last_final_quota"] = np.where(
        rows["last_cents"].notna(), rows["last_cents"].fillna(0).to_numpy(dtype="float64") / 100, np.nan
    )
    rows = rows.merge(
        si[["customer_id", "product_id", "potential", "committed"]].assign(in_sales_input=True),
        on=["customer_id", "product_id"],
        how="left",
    )
    rows["in_sales_input"] = rows["in_sales_input"].fillna(False).astype(bool)
    rows["notes"] = ""
    rows["product_name"] = rows["product_name"].fillna("")
    rows = rows.sort_values(["account_owner", "customer_id", "product_id"], ignore_index=True)
    return rows[["account_owner", *COLUMNS, "in_sales_input"]]


def template_bytes(
    owner: str,
    owner_name: str,
    rows: pd.DataFrame,
    customers: pd.DataFrame,
    products: pd.DataFrame,
    params: Params,
) -> bytes:
    """One owner's sales-input workbook (see the module notes)."""
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    fmt = {
        "header": book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEF2F7", "locked": True}),
        "money": book.add_format({"num_format": MONEY_FORMAT}),
        "input_money": book.add_format({"num_format": MONEY_FORMAT, "locked": False, "bg_color": "#FFF8E1"}),
        "input_text": book.add_format({"locked": False, "bg_color": "#FFF8E1"}),
        "total": book.add_format({"bold": True, "num_format": MONEY_FORMAT}),
        "bold": book.add_format({"bold": True}),
    }
    ws = book.add_worksheet(SHEET)
    n, first = len(rows), HEADER_ROW  # zero-based: header on index 1, rows from index 2
    last_row = first + n + EXTRA_ROWS  # zero-based index of the last empty line
    ws.write_string(0, 0, "Totals", fmt["bold"])
    ws.write_row(first - 1, 0, COLUMNS, fmt["header"])
    for c, col in enumerate(COLUMNS):
        if col in MONEY:
            letter = xl_col_to_name(c)
            ws.write_formula(0, c, f"=SUM({letter}{first + 1}:{letter}{last_row})", fmt["total"])
    for r, row in enumerate(rows[COLUMNS].itertuples(index=False), start=first):
        for c, (col, value) in enumerate(zip(COLUMNS, row, strict=True)):
            if col in INPUT:
                style = fmt["input_money"] if col in MONEY else fmt["input_text"]
            else:
                style = fmt["money"] if col in MONEY else None
            if col in MONEY:
                if value is None or (isinstance(value, float) and not np.isfinite(value)):
                    ws.write_blank(r, c, None, style)
                else:
                    ws.write_number(r, c, float(value), style)
            elif value is None or value == "":
                ws.write_blank(r, c, None, style)
            else:
                ws.write_string(r, c, str(value), style)
    editable_added = ("customer_id", "product_id", *INPUT)
    for r in range(first + n, last_row):
        for col in editable_added:
            c = COLUMNS.index(col)
            ws.write_blank(r, c, None, fmt["input_money"] if col in MONEY else fmt["input_text"])
    amount_rule = {
        "validate": "decimal",
        "criteria": ">=",
        "value": 0,
        "error_title": "An amount",
        "error_message": "Type an amount >= 0 as a number (no text, no units).",
    }
    for col in ("potential", "committed"):
        c = COLUMNS.index(col)
        ws.data_validation(first, c, last_row - 1, c, amount_rule)
    n_customers, n_products = len(customers), len(products)
    for col, count, meta_col in (("customer_id", n_customers, "D"), ("product_id", n_products, "E")):
        if count:
            c = COLUMNS.index(col)
            ws.data_validation(
                first + n,
                c,
                last_row - 1,
                c,
                {
                    "validate": "list",
                    "source": f"='{META_SHEET}'!${meta_col}$2:${meta_col}${count + 1}",
                    "error_title": col,
                    "error_message": f"A {col} from the list: "
                    + ("one of your customers." if col == "customer_id" else "a product."),
                },
            )
    widths = {"customer_name": 28, "product_name": 20, "notes": 40, "customer_group": 16}
    for c, col in enumerate(COLUMNS):
        ws.set_column(c, c, widths.get(col, 15 if col in MONEY else 12))
    ws.freeze_panes(first, 1)
    ws.autofilter(first - 1, 0, last_row - 1, len(COLUMNS) - 1)
    ws.protect("", {"autofilter": True, "format_columns": True, "format_rows": True})

    help_ws = book.add_worksheet(HELP_SHEET)
    lines = [
        f"Sales input for fiscal year {params.fiscal_year}: {owner_name} ({owner})",
        "",
        "On the sheet 'Sales input', one row per customer and product:",
        "- potential: the most you believe this customer can buy of this product in the year;",
        "- committed: what you commit to sell (your bottom-up quota);",
        "- notes: anything the planners should know.",
        "Both amounts are numbers >= 0; leave both empty for a product you have no view on.",
        "prior_revenue is last year's net revenue; last_final_quota last year's final quota, where known.",
        "To add a product for one of your customers, use the empty lines below your rows.",
        "Do not change the ids of the rows written for you. Return the file as it is (.xlsx).",
    ]
    for i, line in enumerate(lines):
        help_ws.write_string(i, 0, line, fmt["bold"] if i == 0 else None)
    help_ws.set_column(0, 0, 100)

    meta = book.add_worksheet(META_SHEET)
    for r, (key, value) in enumerate(
        [
            ("kind", KIND),
            ("account_owner", owner),
            ("fiscal_year", str(params.fiscal_year)),
            ("rows", str(n)),
        ],
        start=1,
    ):
        meta.write_string(r, 0, key)
        meta.write_string(r, 1, value)
    meta.write_row(0, 0, ["field", "value"])
    meta.write_string(0, 3, "customer_id")
    meta.write_string(0, 4, "product_id")
    for r, cid in enumerate(customers["customer_id"], start=1):
        meta.write_string(r, 3, str(cid))
    for r, pid in enumerate(products["product_id"], start=1):
        meta.write_string(r, 4, str(pid))
    meta.write_row(0, 6, ["row_customer_id", "row_product_id", "row_in_sales_input"])
    for r, (cid, pid, was) in enumerate(
        zip(rows["customer_id"], rows["product_id"], rows["in_sales_input"], strict=True), start=1
    ):
        meta.write_string(r, 6, str(cid))
        meta.write_string(r, 7, str(pid))
        meta.write_boolean(r, 8, bool(was))
    meta.hide()
    book.close()
    return buffer.getvalue()


def write_sales_input_templates(
    inputs: Inputs, params: Params, out_dir: str | Path, *, last_quotas: Path | None = None
) -> list[Path]:
    """Write one sales-input workbook per account owner into ``out_dir``.

    ``out_dir`` must be new, empty, or hold only workbooks this command wrote and nobody changed
    since (see :mod:`alignment.written`); those are replaced (or removed when their owner has no
    rows any more). A filled workbook is never replaced.
    """
    out_dir = Path(out_dir)
    previous = check_folder(out_dir, "alignment template: --out")
    last = read_last_quotas(last_quotas, inputs.data_dir)
    rows = template_rows(inputs, params, last)
    owners = sorted(inputs.customers["account_owner"].unique())
    names = inputs.people.set_index("person_id")["name"]
    out_dir.mkdir(parents=True, exist_ok=True)
    products = inputs.products.sort_values("product_id")
    written = []
    by_owner = dict(tuple(rows.groupby("account_owner", sort=False)))
    for owner, file_name in zip(owners, owner_file_names(owners), strict=True):
        mine = by_owner.get(owner, rows.iloc[0:0]).reset_index(drop=True)
        customers = inputs.customers.loc[inputs.customers["account_owner"] == owner].sort_values(
            "customer_id"
        )
        data = template_bytes(owner, str(names.get(owner, owner)), mine, customers, products, params)
        written.append(atomic_write_bytes(out_dir / file_name, data))
    remember(written)
    for stale in previous:
        if stale not in written:
            forget(stale)
    return written


# --------------------------------------------------------------------------- back


@dataclass(frozen=True)
class CollectedSalesInput:
    """What :func:`collect_sales_input` read: the table, the problems and warnings, the file written."""

    books: list[Path]
    sales_input: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem]
    left_empty: int
    written: Path | None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _meta(book) -> tuple[dict[str, str], set[str], set[str], list[tuple[str, str, bool]]]:
    ws = book[META_SHEET]
    fields: dict[str, str] = {}
    customers: set[str] = set()
    products: set[str] = set()
    written: list[tuple[str, str, bool]] = []
    for values in ws.iter_rows(min_row=2, values_only=True):
        values = list(values) + [None] * (9 - len(values))
        if values[0] is not None:
            fields[str(values[0])] = cell_text(values[1])
        if values[3] is not None:
            customers.add(cell_text(values[3]))
        if values[4] is not None:
            products.add(cell_text(values[4]))
        if values[6] is not None:
            written.append((cell_text(values[6]), cell_text(values[7]), bool(values[8])))
    return fields, customers, products, written


def read_sales_sheets(books: list[Path]) -> tuple[pd.DataFrame, list[Problem], list[Problem], int]:
    """The filled rows of every workbook: (sales_input rows, problems, warnings, rows left empty)."""
    import openpyxl

    problems: list[Problem] = []
    warnings: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    owners: dict[str, str] = {}
    out: list[dict[str, str]] = []
    left_empty = 0
    for path in books:
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            problems.append(Problem(path.name, None, None, None, f"a readable .xlsx workbook ({exc})"))
            continue
        try:
            if META_SHEET not in book.sheetnames or SHEET not in book.sheetnames:
                problems.append(
                    Problem(
                        path.name, None, None, None, "a sales-input workbook written by alignment template"
                    )
                )
                continue
            fields, customers, products, written = _meta(book)
            owner = fields.get("account_owner", "")
            if fields.get("kind") != KIND or not owner:
                problems.append(
                    Problem(
                        path.name, None, None, None, "a sales-input workbook written by alignment template"
                    )
                )
                continue
            if owner in owners:
                problems.append(
                    Problem(
                        path.name, None, None, owner, f"one workbook per account owner (also {owners[owner]})"
                    )
                )
                continue
            owners[owner] = path.name
            where = f"{path.name}, sheet {SHEET}"
            cells = book[SHEET].iter_rows(min_row=HEADER_ROW, values_only=True)
            header = [cell_text(c) for c in next(cells, ())]
            missing = [c for c in ("customer_id", "product_id", "potential", "committed") if c not in header]
            if missing:
                problems.append(Problem(where, HEADER_ROW, missing[0], None, f"a column named {missing[0]}"))
                continue
            at = {c: header.index(c) for c in header if c}
            originals = {(c, p) for c, p, _ in written}
            for r, values in enumerate(cells, start=HEADER_ROW + 1):
                values = list(values) + [None] * (len(header) - len(values))

                def cell(col: str, values=values, at=at) -> object:
                    return values[at[col]] if col in at else None

                cid, pid = cell_text(cell("customer_id")), cell_text(cell("product_id"))
                pot, com, notes = cell("potential"), cell("committed"), cell_text(cell("notes"))
                if not cid and not pid and _blank(pot) and _blank(com) and not notes:
                    continue
                k = r - HEADER_ROW - 1
                prefilled = k < len(written)
                if prefilled and (cid, pid) not in originals:
                    problems.append(
                        Problem(
                            where,
                            r,
                            "customer_id, product_id",
                            f"{cid}/{pid}",
                            f"the ids written in this row ({written[k][0]}/{written[k][1]}): ids are not to be "
                            "changed; add a new row below instead",
                        )
                    )
                    continue
                if not prefilled:
                    bad = False
                    for col, value in (("customer_id", cid), ("product_id", pid)):
                        if not value:
                            problems.append(Problem(where, r, col, "", f"a {col} for the added row"))
                            bad = True
                    if cid and cid not in customers:
                        problems.append(
                            Problem(
                                where, r, "customer_id", cid, f"a customer of {owner} (this workbook's owner)"
                            )
                        )
                        bad = True
                    if pid and pid not in products:
                        problems.append(
                            Problem(where, r, "product_id", pid, "a product_id listed in products")
                        )
                        bad = True
                    if bad:
                        continue
                if _blank(pot) and _blank(com):
                    left_empty += 1
                    if prefilled and any(w[:2] == (cid, pid) and w[2] for w in written):
                        warnings.append(
                            Problem(
                                where,
                                r,
                                "potential, committed",
                                "",
                                f"both amounts ({cid}/{pid} is in today's sales_input and is left out)",
                                "warning",
                            )
                        )
                    continue
                amounts = {}
                for col, value in (("potential", pot), ("committed", com)):
                    if _blank(value):
                        problems.append(
                            Problem(
                                where,
                                r,
                                col,
                                "",
                                "an amount >= 0 (potential and committed are filled together)",
                            )
                        )
                    elif not is_amount(value):
                        problems.append(
                            Problem(
                                where,
                                r,
                                col,
                                str(value),
                                "an amount >= 0 typed as a number (the cell holds text)",
                            )
                        )
                    elif value < 0:
                        problems.append(Problem(where, r, col, str(value), "an amount >= 0"))
                    else:
                        amounts[col] = float(value)
                if len(amounts) < 2:
                    continue
                first = seen.get((cid, pid))
                if first is not None:
                    problems.append(
                        Problem(
                            where,
                            r,
                            "customer_id, product_id",
                            f"{cid}/{pid}",
                            f"one row per (customer_id, product_id) (already on {first})",
                        )
                    )
                    continue
                seen[(cid, pid)] = f"{path.name} row {r}"
                if amounts["committed"] > amounts["potential"]:
                    warnings.append(
                        Problem(
                            where,
                            r,
                            "committed",
                            amount_text(amounts["committed"]),
                            f"committed at most potential ({amount_text(amounts['potential'])})",
                            "warning",
                        )
                    )
                out.append(
                    {
                        "customer_id": cid,
                        "product_id": pid,
                        "potential": amounts["potential"],
                        "committed": amounts["committed"],
                        "notes": notes,
                    }
                )
        finally:
            book.close()
    table = pd.DataFrame(out, columns=["customer_id", "product_id", "potential", "committed", "notes"])
    table = table.astype({"customer_id": "str", "product_id": "str", "notes": "str"})
    for col in ("potential", "committed"):
        table[col] = from_cents(to_cents(table[col].astype("float64").to_numpy()))
    table = table.sort_values(["customer_id", "product_id"], ignore_index=True)
    return table, problems, warnings, left_empty


def collect_sales_input(folder: str | Path, out: str | Path) -> CollectedSalesInput:
    """Read every owner's workbook in ``folder`` and write one ``sales_input`` CSV to ``out``.

    ``out`` must be a new file or one this command wrote and nobody changed since; nothing is
    written when any problem is found.
    """
    folder, out = Path(folder), Path(out)
    check_file(out, "alignment collect: --out")
    if out.suffix.lower() != ".csv":
        problem = Problem(out.name, None, None, None, "an output file ending in .csv")
        return CollectedSalesInput([], pd.DataFrame(), [problem], [], 0, None)
    if not folder.is_dir():
        problem = Problem(str(folder), None, None, None, "a folder of filled sales-input workbooks")
        return CollectedSalesInput([], pd.DataFrame(), [problem], [], 0, None)
    books = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith(("~$", ".")))
    table, problems, warnings, left_empty = read_sales_sheets(books)
    if not books:
        problems.append(Problem(str(folder), None, None, None, "at least one sales-input workbook (.xlsx)"))
    if problems:
        return CollectedSalesInput(books, table, problems, warnings, left_empty, None)
    text = to_text_table(table, money=("potential", "committed")).to_csv(index=False, lineterminator="\n")
    written = atomic_write_bytes(out, text.encode("utf-8"))
    remember([written])
    return CollectedSalesInput(books, table, problems, warnings, left_empty, written)


__all__ = [
    "COLUMNS",
    "CollectedSalesInput",
    "collect_sales_input",
    "read_last_quotas",
    "read_sales_sheets",
    "template_bytes",
    "template_rows",
    "write_sales_input_templates",
]
