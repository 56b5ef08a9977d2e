"""Exact money: integer cents inside, decimal currency at the edges, splits that add up.

Every figure the plan says must add up is computed in integer cents (``int64``), and every split
of a whole into parts (a cell into channels and months, a quota into months, a gap into rounded
allocations) uses the largest-remainder (Hamilton) method, so the parts sum to the whole exactly.
Ties go to the part that sorts first: callers pass rows already sorted by the table's key columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CENTS = 100


def round_cents(values: np.ndarray | float) -> np.ndarray:
    """Round float cents half away from zero to integer cents: the workbook's one rounding rule."""
    values = np.asarray(values, dtype="float64")
    # trunc(v + 0.5 with v's sign) is sign(v) x floor(|v| + 0.5), in three passes over the values
    out = np.copysign(0.5, values)
    if out.ndim == 0:  # one amount
        return np.trunc(out + values).astype("int64")
    out += values
    return np.trunc(out, out=out).astype("int64")


def to_cents(values: pd.Series | np.ndarray | float) -> np.ndarray:
    """Convert currency amounts to integer cents, rounding half away from zero.

    Exact for amounts below about 9e13, far beyond any revenue figure here.
    """
    return round_cents(np.asarray(values, dtype="float64") * CENTS)


def scale_cents(cents: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
    """Multiply integer cents by a factor and round to the cent, half a cent away from zero.

    The product is rounded to 6 decimals of a cent first, so a decimal product that the float
    lands just below (10 x 1.15 = 11.499999...) rounds as the decimal would.
    """
    return round_cents(np.round(np.asarray(cents, dtype="float64") * factor, 6))


def sum_money(df: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    """Sum currency columns by keys exactly (in cents), returning currency; sorted by the keys."""
    cents = df[by].assign(**{c: to_cents(df[c].to_numpy()) for c in columns})
    out = cents.groupby(by, sort=True, observed=True)[columns].sum().reset_index()
    return out.assign(**{c: out[c].to_numpy() / CENTS for c in columns})


def from_cents(cents: pd.Series | np.ndarray | int) -> np.ndarray:
    """Convert integer cents back to currency (``float64``, exact to the cent)."""
    return np.asarray(cents, dtype="int64") / CENTS


def apportion(total: np.ndarray, weight: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Split integer totals among the rows of each group in proportion to weight, exactly.

    Parameters
    ----------
    total : array of int
        The whole to split, one value per row, equal for all rows of a group.
    weight : array of float
        Each row's weight, >= 0. A group whose weights sum to 0 is split evenly.
    group : array of int
        Group codes; rows of a group must already be sorted by the table's key columns, because
        ties in the remainders go to the row that comes first.

    Returns
    -------
    numpy.ndarray of int64
        Each row's part; within a group the parts sum to the total exactly (Hamilton's method).
    """
    total = np.asarray(total, dtype="int64")
    weight = np.asarray(weight, dtype="float64")
    group = np.asarray(group)
    n = len(total)
    if n == 0:
        return np.zeros(0, dtype="int64")
    codes, group = np.unique(group, return_inverse=True)
    n_groups = len(codes)
    wsum = np.bincount(group, weights=weight, minlength=n_groups)
    w = np.where(wsum[group] > 0, weight, 1.0)
    wsum = np.bincount(group, weights=w, minlength=n_groups)
    sign = np.where(total < 0, -1, 1)
    whole = np.abs(total)
    exact = whole * (w / wsum[group])
    base = np.floor(exact).astype("int64")
    frac = exact - base
    # how many units each group still owes (float error can make it slightly negative)
    group_total = np.zeros(n_groups, dtype="int64")
    group_total[group] = whole
    owed = group_total - np.bincount(group, weights=base, minlength=n_groups).astype("int64")
    position = np.arange(n)
    # rank within group: largest remainder first, ties to the earlier row
    order = np.lexsort((position, -frac, group))
    start = np.searchsorted(group[order], np.arange(n_groups))
    rank = np.empty(n, dtype="int64")
    rank[order] = position - start[group[order]]
    size = np.bincount(group, minlength=n_groups)
    give = np.where(rank < owed[group], 1, 0)
    # a negative debt (float rounding) takes units back from the smallest remainders
    take = np.where((owed[group] < 0) & (size[group] - 1 - rank < -owed[group]), 1, 0)
    return sign * (base + give - take)


def apportion_rows(total: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """:func:`apportion` for wholes that each split into the same number of parts, one whole per row.

    ``weight`` has one row per whole and one column per part, in the parts' order; the result is
    the same as ``apportion(np.repeat(total, k), weight.ravel(), np.repeat(np.arange(n), k))``
    reshaped to ``(n, k)``, with the remainders ranked within each row rather than over all parts
    (a quota split into 12 months, millions of parts).
    """
    total = np.asarray(total, dtype="int64")
    weight = np.asarray(weight, dtype="float64")
    n, k = weight.shape
    if n == 0 or k == 0:
        return np.zeros((n, k), dtype="int64")

    def row_sums(w: np.ndarray) -> np.ndarray:  # part by part, in order, as apportion sums them
        out = w[:, 0].copy()
        for j in range(1, k):
            out += w[:, j]
        return out

    w = np.where(row_sums(weight)[:, None] > 0, weight, 1.0)
    wsum = row_sums(w)
    sign = np.where(total < 0, -1, 1)
    whole = np.abs(total)
    exact = whole[:, None] * (w / wsum[:, None])
    base = np.floor(exact).astype("int64")
    frac = exact - base
    owed = whole - base.sum(axis=1)
    # rank within the row: largest remainder first, ties to the earlier part
    order = np.argsort(-frac, axis=1, kind="stable")
    rank = np.empty((n, k), dtype="int64")
    np.put_along_axis(rank, order, np.arange(k)[None, :].repeat(n, axis=0), axis=1)
    give = rank < owed[:, None]
    # a negative debt (float rounding) takes units back from the smallest remainders
    take = (owed[:, None] < 0) & (k - 1 - rank < -owed[:, None])
    return sign[:, None] * (base + give - take)


def short_money(value: float | None, currency: str = "") -> str:
    """Money for a summary line, skimmable: ``16705912.87`` -> ``16.71M``, ``-384000`` -> ``-384K``.

    Whole amounts below a thousand keep their units. Full precision stays in tables, CSVs and the quota book.
    """
    if value is None or not np.isfinite(value):
        return "—"
    sign, x = ("-" if value < 0 else ""), abs(float(value))
    if x >= 1e9:
        text = f"{x / 1e9:.2f}B"
    elif x >= 1e6:
        text = f"{x / 1e6:.2f}M"
    elif x >= 1e3:
        text = f"{x / 1e3:.0f}K" if x >= 1e5 else f"{x / 1e3:.1f}K"
    else:
        text = f"{x:,.0f}"
    return f"{sign}{currency}{text}"


#: How shown money reads at each ``display.money_scale``: (divisor, decimals shown, word in a column
#: label, suffix of a figure). Display only: CSVs, tables files and the quota book keep cents.
SCALES: dict[str, tuple[float, int, str, str]] = {
    "units": (1.0, 2, "", ""),
    "thousands": (1e3, 1, "thousands", "K"),
    "millions": (1e6, 2, "millions", "M"),
}


def scaled_text(
    x: float, scale: str = "units", *, whole: bool = False, decimals: int = 2, signed: bool = False
) -> str:
    """An amount in a display scale, as a table cell shows it: ``1234567.5`` -> ``1,234,567.50`` (units),
    ``1,234.6`` (thousands), ``1.23`` (millions).

    ``whole``: the amount's column holds whole amounts of the scale, written without decimals.
    ``decimals`` caps the decimals of units. ``signed`` writes ``+`` before an amount >= 0 (a difference).
    """
    divisor, places, _, _ = SCALES[scale]
    places = 0 if whole else min(places, decimals) if divisor == 1.0 else places
    return f"{x / divisor:{'+' if signed else ''},.{places}f}"


def figure_text(
    value: float | None, scale: str = "units", currency: str | None = None, *, signed: bool = False
) -> str:
    """A money figure with its currency and scale, as a sentence or a figure table shows it:
    ``€66,499,208.54`` (units), ``€66,499.2K`` (thousands), ``66.50M`` (millions, no currency);
    ``signed`` writes ``+`` before an amount >= 0 (a variance). Missing -> an em dash."""
    if value is None or not np.isfinite(value):
        return "—"
    x = float(value)
    sign = "-" if x < 0 else ("+" if signed else "")
    return f"{sign}{currency or ''}{scaled_text(abs(x), scale)}{SCALES[scale][3]}"
