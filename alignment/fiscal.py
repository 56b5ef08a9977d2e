"""The fiscal calendar: months, quarters and half-years.

A fiscal year is named by the calendar year in which it ends: with ``fiscal_year_start_month: 7``,
FY2026 runs 2025-07 .. 2026-06. Months are ``YYYY-MM`` strings throughout the package, which sort
in time order. Quarters are fiscal (``2026-Q1`` is the first quarter of FY2026); report-card cycles
are calendar halves (``2026-H1`` is 2026-01 .. 2026-06).
"""

from __future__ import annotations

import re

import pandas as pd

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
CYCLE_RE = re.compile(r"^(\d{4})-H([12])$")


def month_str(year: int, month: int) -> str:
    """``YYYY-MM`` for a calendar year and month (1-12)."""
    return f"{year:04d}-{month:02d}"


def add_months(month: str, n: int) -> str:
    """The month ``n`` months after ``month`` (negative n goes back)."""
    y, m = int(month[:4]), int(month[5:7])
    k = y * 12 + (m - 1) + n
    return month_str(k // 12, k % 12 + 1)


def fiscal_months(fiscal_year: int, start_month: int = 1) -> list[str]:
    """The 12 months of a fiscal year, in order."""
    first_year = fiscal_year if start_month == 1 else fiscal_year - 1
    first = month_str(first_year, start_month)
    return [add_months(first, k) for k in range(12)]


def fiscal_year_of(months: pd.Series, start_month: int = 1) -> pd.Series:
    """The fiscal year of each ``YYYY-MM`` month."""
    year = months.str.slice(0, 4).astype("int64")
    month = months.str.slice(5, 7).astype("int64")
    if start_month == 1:
        return year
    return year + (month >= start_month).astype("int64")


def fiscal_month_number(months: pd.Series, start_month: int = 1) -> pd.Series:
    """The position (1-12) of each month within its fiscal year."""
    month = months.str.slice(5, 7).astype("int64")
    return (month - start_month) % 12 + 1


def quarter_months(quarter: str, start_month: int = 1) -> list[str]:
    """The three months of a fiscal quarter ``YYYY-Qn``."""
    match = QUARTER_RE.match(quarter)
    if not match:
        raise ValueError(f"not a quarter (YYYY-Qn): {quarter!r}")
    year, q = int(match.group(1)), int(match.group(2))
    return fiscal_months(year, start_month)[3 * (q - 1) : 3 * q]


def quarter_of(month: str, start_month: int = 1) -> str:
    """The fiscal quarter ``YYYY-Qn`` that holds a month."""
    fy = int(fiscal_year_of(pd.Series([month]), start_month).iloc[0])
    k = fiscal_months(fy, start_month).index(month)
    return f"{fy}-Q{k // 3 + 1}"


def cycle_months(cycle: str) -> list[str]:
    """The six calendar months of a report-card cycle ``YYYY-H1`` / ``YYYY-H2``."""
    match = CYCLE_RE.match(cycle)
    if not match:
        raise ValueError(f"not a half-year (YYYY-H1 or YYYY-H2): {cycle!r}")
    year, h = int(match.group(1)), int(match.group(2))
    return [month_str(year, m) for m in range(6 * (h - 1) + 1, 6 * h + 1)]


def previous_cycle(cycle: str) -> str:
    """The half-year before ``cycle``."""
    match = CYCLE_RE.match(cycle)
    if not match:
        raise ValueError(f"not a half-year (YYYY-H1 or YYYY-H2): {cycle!r}")
    year, h = int(match.group(1)), int(match.group(2))
    return f"{year - 1}-H2" if h == 1 else f"{year}-H1"
