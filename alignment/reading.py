"""Reading one input file as a table of text, with what can go wrong before any cell is checked.

A CSV file is read in the encoding given for its stem (UTF-8 unless the params key ``encoding``
or ``validate --encoding`` says otherwise). What stops the file being read as a table is one
problem naming the file, and the line where there is one: a byte that is not text in that
encoding, columns separated by semicolons or tabs instead of commas, a column name given twice.
A row with more fields than the header (an unquoted ``1.234,50``) is a problem of its own row; its
first fields are read as usual, so the other columns' messages do not shift.

CSV, Parquet and XLSX files all come back the same way: every cell a ``str`` with whitespace
trimmed, missing cells ``""``, except Parquet money columns stored as numbers (``float64``).
"""

from __future__ import annotations

import csv
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd

from alignment.problems import Problem

UTF8 = "utf-8"
#: The encoding suggested for a CSV file that is not UTF-8 (Excel and older Windows programs).
SUGGESTED_ENCODING = "cp1252"
SEPARATORS = {";": "semicolons", "\t": "tabs"}
#: How many rows with too many fields are kept with their text (the rest are counted by row).
_LONG_ROW_TEXT = 200


def read_input(
    path: Path,
    *,
    numeric: tuple[str, ...] = (),
    encoding: str | None = None,
    expected_columns: tuple[str, ...] = (),
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one input file as text.

    Parameters
    ----------
    path : Path
        A ``.csv``, ``.parquet`` or ``.xlsx`` file.
    numeric : tuple of str
        Parquet columns that stay ``float64`` when they are stored as numbers.
    encoding : str, optional
        The text encoding of a CSV file (UTF-8 when None); ignored for other formats.
    expected_columns : tuple of str
        The columns the file must have, to recognise a header separated by ``;`` or tabs.

    Returns
    -------
    (DataFrame or None, problems)
        None when the file cannot be read as a table; the problems are then its reasons. With a
        frame, the problems are rows with more fields than the header.
    """
    if path.suffix == ".csv":
        return _read_csv(path, encoding or UTF8, expected_columns)
    header = _header_of(path)
    duplicated = duplicate_columns(path.name, header)
    if duplicated:
        return None, duplicated
    if path.suffix == ".parquet":
        df = _read_parquet(path, numeric)
    else:
        df = pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
    return _trimmed(df), []


def duplicate_columns(name: str, header: list[str]) -> list[Problem]:
    """One problem per column name that the header gives more than once (names compared trimmed)."""
    names = [str(h).strip() for h in header]
    counts = Counter(n for n in names if n)
    return [
        Problem(
            name,
            1,
            column,
            None,
            f"one column named {column} in the header, found {n} (columns "
            f"{', '.join(str(i + 1) for i, h in enumerate(names) if h == column)})",
        )
        for column, n in counts.items()
        if n > 1
    ]


def _trimmed(df: pd.DataFrame) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    for col in df.columns:
        if not pd.api.types.is_float_dtype(df[col]):
            df[col] = df[col].fillna("").astype("str").str.strip()
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------- CSV


def _read_csv(
    path: Path, encoding: str, expected: tuple[str, ...]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        header, header_line = _csv_header(path, encoding)
        if header is None:
            return None, [
                Problem(path.name, None, None, None, "a header row naming the columns (the file is empty)")
            ]
        wrong_separator = _separator_problem(path.name, header, header_line, expected)
        if wrong_separator is not None:
            return None, [wrong_separator]
        duplicated = duplicate_columns(path.name, header)
        if duplicated:
            return None, duplicated
        df, long_rows = _csv_body(path, encoding, header)
    except UnicodeDecodeError:
        return None, [decoding_problem(path, encoding)]
    return _trimmed(df), long_rows


def _csv_header(path: Path, encoding: str) -> tuple[list[str] | None, str]:
    """The header's fields and its text as written (None for an empty file)."""
    with open(path, encoding=encoding, newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        for record in csv.reader(fh):
            if record:
                record[0] = record[0].removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a BOM
                return record, first.rstrip("\r\n").removeprefix("\ufeff")
    return None, ""


def _separator_problem(name: str, header: list[str], line: str, expected: tuple[str, ...]) -> Problem | None:
    """A header whose expected columns are there only when split by ``;`` or tabs."""
    names = {h.strip() for h in header}
    if not expected or all(c in names for c in expected):
        return None
    for sep, called in SEPARATORS.items():
        split = {h.strip() for h in line.split(sep)}
        if sep in line and sum(c in split for c in expected) > sum(c in names for c in expected):
            return Problem(
                name,
                1,
                None,
                line,
                f"columns separated by commas; this file separates them by {called}: save it again as "
                '"CSV UTF-8 (Comma delimited)", with a point as the decimal mark (1234.50)',
            )
    return None


def _csv_body(path: Path, encoding: str, header: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows as text, and a problem for each row with more (non-empty) fields than the header.

    pandas reads a row with an extra field as if its first field were the index, which shifts
    every column; ``index_col=False`` keeps the columns in place and says so with a warning, and a
    later long row stops the C parser. Either way the file is scanned for the long rows and
    read again with room for their extra fields, which are then dropped.
    """
    width = len(header)
    options = {"dtype": str, "keep_default_na": False, "encoding": encoding, "index_col": False}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            df = pd.read_csv(path, **options)
            ragged = any("does not match length" in str(w.message) for w in caught)
        except pd.errors.ParserError as exc:
            if "Expected" not in str(exc):
                raise
            ragged = True
    if not ragged:
        return df, []
    long_rows, widest = _long_rows(path, encoding, width)
    names = [*(h.strip() for h in header), *(f" extra field {k}" for k in range(widest - width))]
    # with header=0 the parser would hold every row to the header's width again
    df = pd.read_csv(path, header=None, skiprows=1, names=names, usecols=names[:width], **options)
    problems = [
        Problem(
            path.name,
            row,
            None,
            text,
            f"at most {width} fields, as many as the header has; found {n} (a value with a comma in it, "
            "such as 1.234,50, must be in quotes, or written 1234.50)",
        )
        for row, n, text in long_rows
    ]
    return df, problems


def _long_rows(path: Path, encoding: str, width: int) -> tuple[list[tuple[int, int, str]], int]:
    """(row, fields, text) of each row with more non-empty fields than ``width``; the widest row's fields.

    Rows are numbered as a spreadsheet shows them and as pandas counts them: header = 1, blank
    lines skipped.
    """
    found: list[tuple[int, int, str]] = []
    widest = width
    with open(path, encoding=encoding, newline="") as fh:
        records = csv.reader(fh)
        next(records, None)
        row = 1
        for record in records:
            if not record:
                continue
            row += 1
            if len(record) > width:
                widest = max(widest, len(record))
                if any(f.strip() for f in record[width:]):
                    found.append((row, len(record), ",".join(record)[:_LONG_ROW_TEXT]))
    return found, widest


def decoding_problem(path: Path, encoding: str) -> Problem:
    """The first byte of a file that is not text in ``encoding``: its row, column and how to read it."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        at = exc.start
    else:  # pragma: no cover - only called after a decoding error
        at = 0
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    line = data[start : end if end >= 0 else len(data)].rstrip(b"\r")
    row = data.count(b"\n", 0, at) + 1
    before = line[: at - start]
    column = None
    value = line.decode(encoding, errors="backslashreplace")
    if b'"' not in before:
        index = before.count(b",")
        fields = line.split(b",")
        value = fields[index].decode(encoding, errors="backslashreplace") if index < len(fields) else value
        if row > 1:
            header = data[: data.find(b"\n")].decode(encoding, errors="replace").rstrip("\r").split(",")
            column = header[index].strip() if index < len(header) else None
    stem = path.stem
    known = "UTF-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    how = (
        f"if another program wrote the file (Excel, an older Windows tool), name its encoding: "
        f"encoding: {{{stem}: {SUGGESTED_ENCODING}}} in the params file, or alignment validate "
        f"--encoding {stem}={SUGGESTED_ENCODING}"
    )
    return Problem(
        path.name,
        row,
        column,
        value,
        f"text in {known} (byte 0x{data[at]:02x} is not {known}); {how}",
    )


# --------------------------------------------------------------------------- Parquet and XLSX


def _header_of(path: Path) -> list[str]:
    """The column names as the file holds them, duplicates included (pandas renames them)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return [str(n) for n in pq.read_schema(path).names]
    first = pd.read_excel(path, header=None, nrows=1, dtype=str, engine="openpyxl")
    return [str(v) for v in first.iloc[0].tolist()] if len(first) else []


def _read_parquet(path: Path, numeric: tuple[str, ...]) -> pd.DataFrame:
    """A Parquet file with every column as text (cast by Arrow), except numeric columns named in ``numeric``."""
    import pyarrow as pa_arrow
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if str(name) in numeric and (
            pa_arrow.types.is_floating(kind)
            or pa_arrow.types.is_integer(kind)
            or pa_arrow.types.is_decimal(kind)
        ):
            columns[str(name)] = pc.cast(column, pa_arrow.float64())
        else:
            text = column if pa_arrow.types.is_string(kind) else pc.cast(column, pa_arrow.string())
            columns[str(name)] = pc.fill_null(text, "")
    return pa_arrow.table(columns).to_pandas(
        types_mapper=lambda t: (
            pd.StringDtype("pyarrow", na_value=float("nan")) if pa_arrow.types.is_string(t) else None
        )
    )


__all__ = ["SUGGESTED_ENCODING", "decoding_problem", "duplicate_columns", "read_input"]
