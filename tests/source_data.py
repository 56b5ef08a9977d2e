"""Exports as analysts get them, made from a synthetic company: order lines, account sheets, a warehouse.

Each helper takes a data folder written by ``alignment.sample.write_sample`` and writes what a CRM,
an ERP or a planning database would hold for the same company, so that the mapped inputs can be
compared exactly with the contract files they were made from.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from alignment.sample import write_sample

ORDER_COLUMNS = {
    "month": "Order Date",
    "customer_id": "Customer ID",
    "product_id": "Sub-Category",
    "channel": "Ship Mode",
    "revenue": "Sales",
}


def make_company(folder: Path, customers: int = 30, seed: int = 3) -> Path:
    """A synthetic company's contract files in ``folder``."""
    write_sample(folder, customers=customers, seed=seed)
    return folder


def read(folder: Path, stem: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{stem}.csv", dtype=str, keep_default_na=False)


def order_lines(actuals: pd.DataFrame, seed: int = 5, lines: int = 3) -> pd.DataFrame:
    """Each monthly actuals row split into ``lines`` order lines on days of its month, amounts with 4 decimals.

    The lines of a row sum exactly to its revenue; one extra line per row is shipped outside the
    United States (to be filtered out with ``where``), and ``Same Day`` stands for ``Direct``.
    """
    rng = np.random.default_rng(seed)
    cents = (actuals["revenue"].astype(float) * 100).round().astype("int64").to_numpy()
    units = cents * 100  # 1/10000 of a currency unit
    parts = []
    rest = units.copy()
    for _ in range(lines - 1):
        part = (units // lines) + rng.integers(-50, 50, len(units))
        parts.append(part)
        rest = rest - part
    parts.append(rest)
    frames = []
    for k, part in enumerate(parts):
        day = rng.integers(1, 29, len(actuals))
        frames.append(
            pd.DataFrame(
                {
                    "Row ID": np.arange(len(actuals)) * (lines + 1) + k,
                    "Order Date": [f"{m}-{d:02d}" for m, d in zip(actuals["month"], day, strict=True)],
                    "Customer ID": actuals["customer_id"],
                    "Sub-Category": actuals["product_id"],
                    "Ship Mode": actuals["channel"].replace({"Direct": "Same Day"}),
                    "Sales": [_units_text(u) for u in part],
                    "Country": "United States",
                }
            )
        )
    abroad = actuals.head(5)
    frames.append(
        pd.DataFrame(
            {
                "Row ID": np.arange(len(abroad)) * (lines + 1) + lines,
                "Order Date": [f"{m}-15" for m in abroad["month"]],
                "Customer ID": abroad["customer_id"],
                "Sub-Category": abroad["product_id"],
                "Ship Mode": abroad["channel"],
                "Sales": "999.9999",
                "Country": "Canada",
            }
        )
    )
    return pd.concat(frames).sort_values("Row ID", kind="stable").reset_index(drop=True)


def _units_text(u: int) -> str:
    sign = "-" if u < 0 else ""
    u = abs(int(u))
    return f"{sign}{u // 10000}.{u % 10000:04d}"


def write_orders(folder: Path, name: str = "exports/orders.csv") -> Path:
    """The company's actuals as order lines in ``folder/name`` (csv or parquet); actuals.csv removed."""
    lines = order_lines(read(folder, "actuals"))
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        lines = lines.assign(
            **{"Order Date": pd.to_datetime(lines["Order Date"]), "Sales": lines["Sales"].astype(float)}
        )
        lines.to_parquet(path, index=False)
    else:
        lines.to_csv(path, index=False)
    (folder / "actuals.csv").unlink()
    return path


def write_accounts_workbook(folder: Path, name: str = "exports/accounts.xlsx") -> Path:
    """customers.csv as a CRM's account sheet (owner by name) in a workbook with a second sheet."""
    customers, people = read(folder, "customers"), read(folder, "people")
    owner = dict(zip(people["person_id"], people["name"], strict=True))
    accounts = pd.DataFrame(
        {
            "Account ID": customers["customer_id"],
            "Account Name": customers["customer_name"],
            "Segment": customers["customer_group"],
            "Billing Region": customers["region"],
            "Owner Name": customers["account_owner"].map(owner),
        }
    )
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"About": ["CRM export"]}).to_excel(xl, sheet_name="Read me", index=False)
        accounts.to_excel(xl, sheet_name="Accounts", index=False)
    (folder / "customers.csv").unlink()
    return path


def bottom_up_rows(folder: Path, year: int = 2026) -> pd.DataFrame:
    """sales_input.csv as a planning table: account, sku, year, potential, committed."""
    si = read(folder, "sales_input")
    plan = pd.DataFrame(
        {
            "account": si["customer_id"],
            "sku": si["product_id"],
            "year": year,
            "potential": si["potential"].astype(float),
            "committed": si["committed"].astype(float),
        }
    )
    old = plan.assign(year=year - 1, committed=plan["committed"] / 2)
    return pd.concat([plan, old], ignore_index=True)


def write_sqlite_plan(folder: Path, name: str = "warehouse/plan.db") -> Path:
    """A SQLite planning database with the bottom-up table; sales_input.csv removed."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        bottom_up_rows(folder).to_sql("bottom_up", conn, index=False)
    conn.close()
    (folder / "sales_input.csv").unlink()
    return path


BOTTOM_UP_QUERY = (
    "SELECT account AS customer_id, sku AS product_id, potential, committed FROM bottom_up "
    "WHERE year = 2026 ORDER BY account, sku"
)
