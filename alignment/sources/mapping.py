"""How a source becomes a contract input: columns, filters, value maps, lookups, months, sums.

The source's rows are read as they are, filtered by ``where``, and each contract column is taken
from its source column: text is trimmed, mapped by ``values`` and by ``lookup`` (a person's name
becomes their person_id); a date column of the contract (``actuals.month``) keeps the month of a
date, a datetime, an Excel date or a ``YYYY-MM`` month; money is parsed exactly (every decimal
kept, in integer units). Where the contract's key columns repeat in ``actuals`` the rows are summed
to the contract's grain, and money is rounded to the cent once per contract row, half away from
zero. Text operations run once per distinct value, so millions of order lines cost little more than
reading them.

Every problem names the source as the user knows it, the source row (1-based, header = row 1 for
a file; a query's first row is row 1), the source column with the contract column it feeds, the
value and what was expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment.inputs import MONEY_PATTERN, SPECS
from alignment.problems import Problem
from alignment.sources.readers import Read
from alignment.sources.spec import MONTH_COLUMNS, SUMMED, Source

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T].*)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
MONEY_EXPECTED = "an amount such as 1234.50 (no thousands separators, no units)"
MONTH_EXPECTED = "a date or a YYYY-MM month"
# money read from binary floats is taken to at most this many decimals
FLOAT_DECIMALS = 6
MAX_REPORTED = 50  # problems per column and kind before the rest are only counted


@dataclass
class Mapped:
    """A source mapped onto one contract input.

    Attributes
    ----------
    frame : DataFrame
        The contract's columns: text as ``str``, money as ``float64`` exact to the cent.
    rows : ndarray
        For each row of ``frame``, the source row it came from (the first one, for summed rows).
    shown : dict
        Contract column -> how the column is named in messages (``'Order Date' (month)``).
    rows_read, rows_kept : int
        The source's rows, and those left after ``where``.
    """

    stem: str
    source: Source
    frame: pd.DataFrame
    rows: np.ndarray
    shown: dict[str, str]
    rows_read: int
    rows_kept: int
    digest: str
    kind: str
    url: str | None = None
    originals: dict[str, pd.Series] = field(default_factory=dict)

    def origin(self) -> dict[str, Any]:
        """Where the input came from, for run.json, the index and notebook 00 (no password)."""
        out: dict[str, Any] = {"stem": self.stem, "kind": self.kind, "source": self.source.name}
        if self.kind == "query":
            out["database"] = self.url
            out["query"] = self.source.query
            out["rows_sha256"] = self.digest
        else:
            out["file"] = str(self.source.path)
            out["sha256"] = self.digest
        out["rows_read"] = self.rows_read
        if self.rows_kept != self.rows_read:
            out["rows_kept"] = self.rows_kept
        out["rows"] = len(self.frame)
        return out


def shown_column(source: Source, column: str) -> str:
    """A contract column as messages name it: the source column, with the contract column it feeds."""
    sc = source.source_column(column)
    return column if sc == column else f"{sc!r} ({column})"


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f" — did you mean {close[0]!r}?" if close else ""


def needed_columns(source: Source, header: list[str]) -> tuple[list[str], dict[str, str], list[Problem]]:
    """The source columns to read, contract column -> source column, and the header problems."""
    spec = SPECS[source.stem]
    problems: list[Problem] = []
    take: dict[str, str] = {}
    for c in (*spec.columns, *spec.optional):
        sc = source.source_column(c)
        if sc in header:
            take[c] = sc
        elif c in source.columns:
            problems.append(
                Problem(
                    source.name,
                    1,
                    f"{sc!r} ({c})",
                    None,
                    f"a column {sc!r} in the source{_did_you_mean(sc, header)}",
                )
            )
        elif c in spec.columns:
            problems.append(
                Problem(
                    source.name,
                    1,
                    c,
                    None,
                    f"a source column for the contract column {c} of {source.stem}: name it under "
                    f"sources.{source.stem}.columns.{c}{_did_you_mean(c, header)}",
                )
            )
    for sc in source.where:
        if sc not in header:
            problems.append(
                Problem(
                    source.name,
                    1,
                    sc,
                    None,
                    f"a column {sc!r} in the source for where: {sc}{_did_you_mean(sc, header)}",
                )
            )
    wanted = list(dict.fromkeys([*take.values(), *(sc for sc in source.where if sc in header)]))
    return wanted, take, problems


# --------------------------------------------------------------------------- arrays


def _array(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    return col


def _text(col: pa.Array) -> pa.Array:
    """Any column as trimmed text, missing as ``""``."""
    if pa.types.is_null(col.type):
        return pa.array([""] * len(col), type=pa.string())
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    return pc.utf8_trim_whitespace(pc.fill_null(col, ""))


def _distinct(col: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Codes of each row and the distinct values as trimmed text (missing as ``""``).

    The column is encoded first and only its distinct values are trimmed: two values that differ
    only in surrounding blanks may keep two codes with the same text, which nothing relies on.
    """
    if pa.types.is_null(col.type):
        return np.zeros(len(col), dtype="int64"), [""]
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    enc = pc.dictionary_encode(col, null_encoding="encode")
    values = ["" if v is None else v.strip() for v in enc.dictionary.to_pylist()]
    return enc.indices.to_numpy(zero_copy_only=False).astype("int64"), values


def _strings(values: np.ndarray | list[str], codes: np.ndarray) -> pd.Series:
    """``values[codes]`` as a ``str`` Series, built in Arrow (no Python string per row)."""
    taken = pc.take(pa.array(list(values), type=pa.string()), pa.array(codes, type=pa.int64()))
    return pd.Series(
        taken.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow", na_value=np.nan)), dtype="str"
    ).reset_index(drop=True)


def _first_rows(codes: np.ndarray, bad: list[int], rows: np.ndarray) -> dict[int, int]:
    """The first source row holding each of the distinct values ``bad``."""
    if not bad:
        return {}
    if len(bad) <= 20:
        return {k: int(rows[np.flatnonzero(codes == k)[0]]) for k in bad}
    uniq, first = np.unique(codes, return_index=True)
    where = dict(zip(uniq.tolist(), first.tolist(), strict=True))
    return {k: int(rows[where[k]]) for k in bad}


class _Problems:
    """Problems of one source, at most MAX_REPORTED per (column, expected) then a count."""

    def __init__(self, source: Source):
        self.source = source
        self.items: list[Problem] = []
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, row: int | None, column: str, value: str | None, expected: str) -> None:
        key = (column, expected)
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.counts[key] <= MAX_REPORTED:
            self.items.append(Problem(self.source.name, row, column, value, expected))

    def done(self) -> list[Problem]:
        out = sorted(self.items, key=lambda p: (p.row is None, p.row or 0, p.column or ""))
        for (column, expected), n in self.counts.items():
            if n > MAX_REPORTED:
                out.append(
                    Problem(
                        self.source.name,
                        None,
                        column,
                        None,
                        f"{expected} ({n - MAX_REPORTED} more rows like this not listed)",
                    )
                )
        return out


# --------------------------------------------------------------------------- money


def _float_units(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Binary floats as exact integer units of 10**-d, d the fewest decimals (2..6) that hold them.

    The decimals are guessed on a sample and checked on every value.
    """
    finite = np.isfinite(x)
    values = np.where(finite, x, 0.0)

    def holds(v: np.ndarray, d: int) -> bool:
        scaled = v * 10.0**d
        return not len(v) or float(np.max(np.abs(scaled - np.round(scaled)))) < 1e-6 * max(
            1.0, 10.0 ** (d - 6)
        )

    sample = values[:: max(len(values) // 10_000, 1)]
    d = next((d for d in range(2, FLOAT_DECIMALS + 1) if holds(sample, d)), FLOAT_DECIMALS)
    while d < FLOAT_DECIMALS and not holds(values, d):
        d += 1
    return np.round(values * 10.0**d).astype("int64"), d


def _text_units(s: pd.Series) -> tuple[np.ndarray, int]:
    """Decimal text (already checked) as exact integer units of 10**-d, d its most decimals.

    Integers in ``int64`` when they fit, else Python integers (an ``object`` array).
    """
    body = s.str.lstrip("+-")
    neg = s.str.startswith("-").to_numpy(dtype=bool)
    parts = body.str.partition(".")
    whole, frac = parts[0], parts[2]
    d = max(2, int(frac.str.len().max()) if len(frac) else 2)
    digits = int((whole.str.len().max() if len(whole) else 1) or 1) + d
    if digits <= 17:
        w = pd.to_numeric(whole.replace("", "0")).to_numpy(dtype="int64")
        f = pd.to_numeric(frac.str.ljust(d, "0")).to_numpy(dtype="int64")
        units = w * 10**d + f
        return np.where(neg, -units, units), d
    units = np.array(
        [int(Decimal(v).scaleb(d)) for v in s.tolist()], dtype=object
    )  # beyond int64: exact Python integers
    return units, d


def to_cents_exact(units: np.ndarray, d: int) -> np.ndarray:
    """Integer units of 10**-d to integer cents, half away from zero (exact)."""
    if d <= 2:
        return units * 10 ** (2 - d)
    step = 10 ** (d - 2)
    mag = (np.abs(units) + step // 2) // step
    return np.where(units < 0, -mag, mag)


def _money(col: pa.Array, rows: np.ndarray, shown: str, problems: _Problems) -> tuple[np.ndarray, int]:
    """A money column as exact integer units and their decimals; bad cells are problems (units 0)."""
    kind = col.type
    if pa.types.is_integer(kind):
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        units = pc.fill_null(col, 0).to_numpy(zero_copy_only=False).astype("int64")
        d = 0
    elif pa.types.is_floating(kind):
        x = pc.fill_null(pc.cast(col, pa.float64()), np.nan).to_numpy(zero_copy_only=False)
        valid = np.isfinite(x)
        units, d = _float_units(x)
    else:
        text = pc.replace_substring(_text(col), " ", "")
        valid = pc.match_substring_regex(text, f"^{MONEY_PATTERN}$").to_numpy(zero_copy_only=False)
        s = pd.Series(text.to_numpy(zero_copy_only=False), dtype="str")
        units, d = _text_units(s.where(valid, "0"))
        for i in np.flatnonzero(~valid)[: MAX_REPORTED + 1]:
            problems.add(int(rows[i]), shown, str(s.iloc[i]), MONEY_EXPECTED)
        n_bad = int((~valid).sum())
        if n_bad > MAX_REPORTED + 1:  # count the rest
            problems.counts[(shown, MONEY_EXPECTED)] += n_bad - MAX_REPORTED - 1
        return units, d
    for i in np.flatnonzero(~valid)[: MAX_REPORTED + 1]:
        problems.add(int(rows[i]), shown, "", MONEY_EXPECTED)
    return np.where(valid, units, 0), d


# --------------------------------------------------------------------------- months


def _month_of_text(value: str, date_format: str | None, excel: bool) -> str | None:
    if value == "":
        return None
    if date_format:
        try:
            d = dt.datetime.strptime(value, date_format)
        except ValueError:
            return None
        return f"{d.year:04d}-{d.month:02d}"
    m = ISO_DATE.match(value)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
        try:
            dt.date(year, month, int(day) if day else 1)
        except ValueError:
            return None
        return f"{year:04d}-{month:02d}"
    if excel:
        try:
            serial = float(value)
        except ValueError:
            return None
        if 1 <= serial < 2958466:
            d = EXCEL_EPOCH + dt.timedelta(days=int(serial))
            return f"{d.year:04d}-{d.month:02d}"
    return None


def _months(
    col: pa.Array, rows: np.ndarray, source: Source, shown: str, problems: _Problems
) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct ``YYYY-MM`` months of a date column; bad cells are problems."""
    kind = col.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        if pa.types.is_date(kind) or kind.tz is None:
            # months since 1970 in one pass; calendar months are contiguous, so no hashing
            months = col.to_numpy(zero_copy_only=False).astype("datetime64[M]").astype("int64")
            low = int(months[valid].min()) if valid.any() else 0
            high = int(months[valid].max()) if valid.any() else 0
            codes = np.where(valid, months - low, high - low + 1)
            names = [str(np.datetime64(low + k, "M")) for k in range(high - low + 1)] + [""]
            for i in np.flatnonzero(~valid)[:MAX_REPORTED]:
                problems.add(int(rows[i]), shown, "", MONTH_EXPECTED)
            return codes.astype("int64"), names
        key = (
            pc.add(pc.multiply(pc.year(col), 100), pc.month(col))
            .fill_null(0)
            .to_numpy(zero_copy_only=False)
            .astype("int64")
        )
        codes, uniq = pd.factorize(key)
        months = [f"{k // 100:04d}-{k % 100:02d}" if k else "" for k in uniq.tolist()]
        for i in np.flatnonzero(~valid)[:MAX_REPORTED]:
            problems.add(int(rows[i]), shown, "", MONTH_EXPECTED)
        return codes.astype("int64"), months
    excel = source.path is not None and source.path.suffix.lower() == ".xlsx"
    codes, values = _distinct(col)
    months = [_month_of_text(v, source.date_format, excel) for v in values]
    bad = [k for k, m in enumerate(months) if m is None]
    for k, row in sorted(_first_rows(codes, bad, rows).items(), key=lambda kv: kv[1]):
        expected = f"a date as {source.date_format}" if source.date_format else MONTH_EXPECTED
        problems.add(row, shown, values[k], expected)
    return codes, [m or "" for m in months]


# --------------------------------------------------------------------------- text, values, lookups


def _lookup_table(target: pd.DataFrame, by: str, id_column: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, ident in zip(target[by].astype("str"), target[id_column].astype("str"), strict=True):
        found.setdefault(name.strip(), []).append(ident)
    return found


def _texts(
    column: str,
    col: pa.Array,
    rows: np.ndarray,
    source: Source,
    shown: str,
    problems: _Problems,
    lookups: dict[str, pd.DataFrame],
) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct values of a text column after ``values`` and ``lookup``."""
    codes, values = _distinct(col)
    mapped = list(values)
    table = source.values.get(column)
    if table:
        mapped = [table.get(v, v) for v in mapped]
    lk = source.lookup.get(column)
    if lk is not None:
        target = lookups.get(lk.stem)
        if target is None:
            problems.add(None, shown, None, f"the input {lk.stem} to look {column} up by {lk.by}")
            return codes, mapped
        names = _lookup_table(target, lk.by, lk.id_column)
        bad: dict[int, str] = {}
        for k, v in enumerate(mapped):
            if v == "":
                continue
            ids = names.get(v, [])
            if len(ids) == 1:
                mapped[k] = ids[0]
            elif not ids:
                hint = _did_you_mean(v, list(names))
                bad[k] = f"a {lk.by} listed in {lk.stem} (to look {column} up){hint}"
            else:
                bad[k] = (
                    f"one {lk.stem} row of {lk.by} {v!r} to look {column} up, found {len(ids)} "
                    f"({', '.join(ids)}): map it by id instead"
                )
        for k, row in sorted(_first_rows(codes, list(bad), rows).items(), key=lambda kv: kv[1]):
            problems.add(row, shown, values[k], bad[k])
    return codes, mapped


# --------------------------------------------------------------------------- the mapping


def map_read(
    source: Source, read: Read, take: dict[str, str], lookups: dict[str, pd.DataFrame]
) -> tuple[Mapped | None, list[Problem]]:
    """Map what a reader read onto the contract input ``source.stem``.

    Parameters
    ----------
    source : Source
        The declaration.
    read : Read
        The source's columns as read.
    take : dict
        Contract column -> source column, for the columns the source holds.
    lookups : dict
        The inputs that lookups search (stem -> DataFrame of text), already mapped or read.
    """
    spec = SPECS[source.stem]
    problems = _Problems(source)
    table = read.table
    n_read = table.num_rows
    rows = np.arange(n_read, dtype="int64") + read.first_row
    if source.where:
        mask = np.ones(n_read, dtype=bool)
        for sc, wanted in source.where.items():
            mask &= _where(_array(table.column(sc)), wanted)
        table = table.filter(pa.array(mask))
        rows = rows[mask]
    n_kept = table.num_rows
    shown = {c: shown_column(source, c) for c in take}
    codes: dict[str, np.ndarray] = {}
    distinct: dict[str, list[str]] = {}
    money: dict[str, tuple[np.ndarray, int]] = {}
    for c, sc in take.items():
        col = _array(table.column(sc))
        if c in spec.money:
            money[c] = _money(col, rows, shown[c], problems)
        elif (source.stem, c) in MONTH_COLUMNS:
            codes[c], distinct[c] = _months(col, rows, source, shown[c], problems)
        else:
            codes[c], distinct[c] = _texts(c, col, rows, source, shown[c], problems, lookups)
    found = problems.done()
    if found:
        return None, found

    if source.stem in SUMMED:
        keys, _ = SUMMED[source.stem]
        frame, out_rows = _summed(keys, codes, distinct, money, rows)
    else:
        data: dict[str, Any] = {}
        for c in take:
            if c in money:
                units, d = money[c]
                data[c] = _currency(to_cents_exact(units, d))
            else:
                data[c] = _strings(distinct[c], codes[c])
        frame = pd.DataFrame(data, columns=list(take))
        out_rows = rows
    frame = frame.reset_index(drop=True)
    return (
        Mapped(
            stem=source.stem,
            source=source,
            frame=frame,
            rows=out_rows,
            shown=shown,
            rows_read=n_read,
            rows_kept=n_kept,
            digest=read.digest,
            kind=read.kind,
            url=read.url,
        ),
        [],
    )


def _currency(cents: np.ndarray) -> np.ndarray:
    if cents.dtype == object:
        return np.array([c / 100 for c in cents.tolist()], dtype="float64")
    return cents.astype("int64") / 100


def _where(col: pa.Array, wanted: tuple[Any, ...]) -> np.ndarray:
    """Rows whose value equals one of ``wanted`` (numbers compared as numbers, else as text)."""
    numeric = [w for w in wanted if isinstance(w, int | float) and not isinstance(w, bool)]
    mask = np.zeros(len(col), dtype=bool)
    if numeric and (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
        x = pc.fill_null(pc.cast(col, pa.float64()), np.nan).to_numpy(zero_copy_only=False)
        mask |= np.isin(x, np.asarray(numeric, dtype="float64"))
    texts = {("true" if w else "false") if isinstance(w, bool) else str(w).strip() for w in wanted}
    codes, values = _distinct(col)  # compared once per distinct value
    keep = np.array([v in texts for v in values], dtype=bool)
    return mask | keep[codes]


def _exact_sums(units: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """Per-group sums of integer units, exact: ``int64`` halves summed in float64 without loss.

    Each value is split as ``hi * 2**26 + lo`` (0 <= lo < 2**26); the sums of ``lo`` and ``hi``
    stay below 2**53 for up to 2**26 rows, so float64 ``bincount`` adds them exactly. Beyond
    that (or for Python integers), the sums are taken with Python integers.
    """
    if units.dtype == object or len(units) >= 2**26 or (len(units) and np.abs(units).max() >= 2**52):
        sums = [0] * n
        for g, u in zip(group.tolist(), units.tolist(), strict=True):
            sums[g] += int(u)
        return np.array(sums, dtype=object)
    hi = units >> 26
    lo = units - (hi << 26)
    hi_sum = np.bincount(group, weights=hi, minlength=n).astype("int64")
    lo_sum = np.bincount(group, weights=lo, minlength=n).astype("int64")
    return (hi_sum << 26) + lo_sum


def _summed(
    keys: tuple[str, ...],
    codes: dict[str, np.ndarray],
    distinct: dict[str, list[str]],
    money: dict[str, tuple[np.ndarray, int]],
    rows: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows summed by the key columns, sorted by them: money summed in exact units, then rounded
    to the cent once per contract row. Each summed row names the first source row it holds."""
    sorted_codes, sorted_values = {}, {}
    for k in keys:  # distinct values in text order, so that codes sort as the text does
        uniq, inverse = np.unique(np.asarray(distinct[k], dtype=object).astype(str), return_inverse=True)
        sorted_codes[k] = inverse.astype("int64")[codes[k]] if len(codes[k]) else codes[k]
        sorted_values[k] = uniq
    combined = np.zeros(len(rows), dtype="int64")
    bound = 1
    for k in keys:
        n = max(len(sorted_values[k]), 1)
        if bound * n >= 2**62:  # compress to ranks first (order kept)
            combined, uniq = pd.factorize(combined, sort=True)
            combined, bound = combined.astype("int64"), max(len(uniq), 1)
        combined = combined * n + sorted_codes[k]
        bound *= n
    # groups in key order; ``at`` is each group's first row (a stable sort keeps the first)
    if len(combined):
        _, at, group = np.unique(combined, return_index=True, return_inverse=True)
    else:
        at, group = np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    n_groups = len(at)
    frame: dict[str, Any] = {k: _strings(sorted_values[k], sorted_codes[k][at]) for k in keys}
    for c, (units, d) in money.items():
        sums = _exact_sums(units, group.reshape(-1), n_groups)
        frame[c] = _currency(to_cents_exact(sums, d))
    return pd.DataFrame(frame), rows[at]


__all__ = ["Mapped", "map_read", "needed_columns", "shown_column", "to_cents_exact"]
