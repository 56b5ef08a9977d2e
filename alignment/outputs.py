"""Writing outputs: atomic files, tables in the contract's text form or as Parquet, headline figures.

Every output is written to a temporary name in its folder and renamed into place, so a crash never
leaves a half-written table where a complete one stood. CSV tables follow CONTRACT section 7: money
with 2 decimals, booleans ``true``/``false``, lists joined with ``;``, empty cells for missing values.

The text form is built column by column with Arrow compute kernels and the file's bytes are joined
in Arrow buffers, so a table of millions of rows is written at about the speed of Arrow's own CSV
writer. The CSV dialect is the one pandas' ``to_csv`` wrote before: comma, ``\\n`` line ends, a
field quoted (``"``, quotes doubled) only when it holds a comma, a quote or a line break, and a
lone empty field of a one-column table written ``""``.

A table can instead be written as Parquet (``write_table`` with ``table_format="parquet"``, or a
tables folder whose settings say so): the same columns, typed (money ``float64`` rounded to the
cent, booleans, lists of text), for users whose tables run to millions of rows.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment.money import to_cents

HEADLINE_PARTS = ".headline"
#: A tables folder's settings (JSON), written by ``alignment run``; ``table_format`` is read by :func:`write_table`.
TABLE_SETTINGS = ".settings.json"
TABLE_FORMATS = ("csv", "parquet")
_UMASK = os.umask(0)
os.umask(_UMASK)

_TEXT = pa.large_string()
_NEEDS_QUOTES = '[,"\n\r]'
_QUOTE_BYTES = np.frombuffer(b',"\n\r', dtype="uint8")
_ROWS_PER_CHUNK = 1 << 19
#: From how many cells formatting a table's columns in threads pays for starting them.
_CELLS_WORTH_THREADS = 1_000_000
_FLOAT_FAST_LIMIT = 1e9  # below this, 6 decimals are formatted exactly from integer millionths


def _atomic_write(path: str | Path, write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write`` on a temporary file in ``path``'s folder, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; outputs are shared like any other file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename."""
    return _atomic_write(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- the text form


def _scalar(text: str) -> pa.Scalar:
    return pa.scalar(text, _TEXT)


def _cell_text(v: Any) -> str:
    """One cell's text, the general rule: lists joined with ``;``, booleans ``true``/``false``,
    missing values empty."""
    if isinstance(v, list | tuple):
        return ";".join(map(str, v))
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    return str(v)


def _float_text(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{float(np.round(v, 6)):.6f}".rstrip("0").rstrip(".") if v != 0 else "0"


def _cells(values: Iterable[Any], text: Callable[[Any], str]) -> pa.Array:
    return pa.array([text(v) for v in values], type=_TEXT)


def _fixed_point_text(units: np.ndarray, scale: int) -> pa.Array:
    """Integers of ``10**-scale`` as decimal text with exactly ``scale`` decimals (``-12.50``)."""
    units = np.ascontiguousarray(units, dtype="int64")
    if len(units) and np.abs(units).max() >= 10**18:  # beyond a 64-bit decimal: one by one
        return pa.array(
            [
                f"{'-' if u < 0 else ''}{abs(u) // 10**scale}.{abs(u) % 10**scale:0{scale}d}"
                for u in units.tolist()
            ],
            type=_TEXT,
        )
    decimals = pa.Array.from_buffers(pa.decimal64(18, scale), len(units), [None, pa.py_buffer(units)])
    return pc.cast(decimals, _TEXT)


def _money_text(s: pd.Series) -> pa.Array:
    """Money with exactly two decimals (``-12.50``), rounded half away from zero; empty where missing."""
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(values)
    text = _fixed_point_text(to_cents(np.where(missing, 0.0, values)), 2)
    return pc.if_else(pa.array(missing), _scalar(""), text) if missing.any() else text


def _decimal_text(s: pd.Series) -> pa.Array:
    """Numbers rounded to 6 decimals, trailing zeros dropped (``0.123457``, ``2``); empty where missing.

    The same text as ``f"{np.round(v, 6):.6f}"`` without its trailing zeros, made from the value's
    integer millionths (exact below 1e9; larger figures and infinities are formatted one by one).
    """
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(values)
    if np.any(~missing & ~(np.abs(values) < _FLOAT_FAST_LIMIT)):
        return _cells(values.tolist(), _float_text)
    millionths = np.rint(np.where(missing, 0.0, values) * 1e6).astype("int64")
    text = pc.utf8_rtrim(pc.utf8_rtrim(_fixed_point_text(millionths, 6), "0"), ".")
    negative_zero = (millionths == 0) & (values < 0)  # -0.0000001 rounds to -0.0, written "-0"
    if negative_zero.any():
        text = pc.if_else(pa.array(negative_zero), _scalar("-0"), text)
    return pc.if_else(pa.array(missing), _scalar(""), text) if missing.any() else text


def _bool_text(values: pa.Array) -> pa.Array:
    return pc.fill_null(pc.if_else(values, _scalar("true"), _scalar("false")), _scalar(""))


def _object_text(s: pd.Series) -> pa.Array:
    """An object column: text, booleans or lists of text as Arrow reads them; anything else cell by cell."""
    try:
        values = pa.array(s.to_numpy(dtype=object), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return _cells(s.tolist(), _cell_text)
    kind = values.type
    if pa.types.is_null(kind):
        return pa.array([""] * len(values), type=_TEXT)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.fill_null(pc.cast(values, _TEXT), _scalar(""))
    if pa.types.is_boolean(kind):
        return _bool_text(values)
    if (
        pa.types.is_list(kind)
        and (pa.types.is_string(kind.value_type) or pa.types.is_null(kind.value_type))
        and values.flatten().null_count == 0
    ):
        joined = pc.binary_join(pc.cast(values, pa.list_(pa.string())), ";")
        return pc.fill_null(pc.cast(joined, _TEXT), _scalar(""))
    return _cells(s.tolist(), _cell_text)


def _column_text(s: pd.Series, money: bool) -> pa.Array:
    """One column in the contract's text form, as an Arrow array of text without nulls."""
    text = _column_text_parts(s, money)
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


def _column_text_parts(s: pd.Series, money: bool) -> pa.Array | pa.ChunkedArray:
    if money:
        return _money_text(s)
    if pd.api.types.is_bool_dtype(s):
        return _bool_text(pa.array(s, from_pandas=True))
    if pd.api.types.is_float_dtype(s):
        return _decimal_text(s)
    if pd.api.types.is_integer_dtype(s):
        return pc.fill_null(pc.cast(pa.array(s, from_pandas=True), _TEXT), _scalar(""))
    if isinstance(s.dtype, pd.StringDtype):
        return pc.fill_null(pc.cast(pa.array(s, from_pandas=True), _TEXT), _scalar(""))
    if s.dtype == object:
        return _object_text(s)
    return _cells(s.astype(object).tolist(), _cell_text)  # categories, dates ...: each cell's str()


def _text_columns(df: pd.DataFrame, money: Iterable[str]) -> list[pa.Array]:
    """Each column's text form; a large table's columns are formatted side by side in threads (the
    Arrow kernels that do the work release the GIL)."""
    money = set(money)
    if len(df) * len(df.columns) < _CELLS_WORTH_THREADS:
        return [_column_text(df.iloc[:, i], col in money) for i, col in enumerate(df.columns)]
    from concurrent.futures import ThreadPoolExecutor

    # pieces of a column: a long column of numbers (the costly kind to format) is cut in two
    n = len(df)
    halves = [slice(0, n // 2), slice(n // 2, n)]
    pieces = [
        (i, part)
        for i, col in enumerate(df.columns)
        for part in (halves if n >= _CELLS_WORTH_THREADS and _numbers(df.iloc[:, i]) else [slice(0, n)])
    ]

    def text(piece: tuple[int, slice]) -> pa.Array:
        i, part = piece
        return _column_text(df.iloc[part, i], df.columns[i] in money)

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        done = list(pool.map(text, pieces))
    by_column: list[list[pa.Array]] = [[] for _ in df.columns]
    for (i, _), piece in zip(pieces, done, strict=True):
        by_column[i].append(piece)
    return [parts[0] if len(parts) == 1 else pa.concat_arrays(parts) for parts in by_column]


def _numbers(s: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(s) or pd.api.types.is_integer_dtype(s)


def to_text_table(df: pd.DataFrame, money: Iterable[str] = ()) -> pd.DataFrame:
    """The table as the text a CSV output holds (money 2 decimals, booleans true/false)."""
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    columns = _text_columns(df, money)
    return pd.DataFrame(
        {
            col: pd.Series(pd.array(text, dtype=dtype), index=df.index)
            for col, text in zip(df.columns, columns, strict=True)
        },
        index=df.index,
    )


def _text_bytes(text: pa.Array) -> pa.Buffer:
    """The characters of an Arrow text array, back to back, without copying them."""
    _, offsets, data = text.buffers()
    if data is None:
        return pa.py_buffer(b"")
    at = np.frombuffer(offsets, dtype="int64")
    start, end = at[text.offset], at[text.offset + len(text)]
    return data.slice(int(start), int(end - start))


def _quoted(text: pa.Array, alone: bool) -> pa.Array:
    """CSV fields: quoted where the text holds a comma, a quote or a line break (and, when the field is
    alone on its line, where it is empty, so the line is not blank)."""
    chars = np.frombuffer(_text_bytes(text), dtype="uint8")
    if not np.isin(chars, _QUOTE_BYTES).any() and not alone:
        return text
    needs = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if alone:
        needs = pc.or_(needs, pc.equal(pc.binary_length(text), 0))
    if not pc.any(needs).as_py():
        return text
    quoted = pc.binary_join_element_wise(
        _scalar('"'), pc.replace_substring(text, '"', '""'), _scalar('"'), _scalar("")
    )
    return pc.if_else(needs, quoted, text)


def _lines(fields: list[pa.Array]) -> pa.Array:
    """Each row's fields joined by commas, with its line end."""
    row = fields[0] if len(fields) == 1 else pc.binary_join_element_wise(*fields, _scalar(","))
    return pc.binary_join_element_wise(row, _scalar(""), _scalar("\n"))


def csv_chunks(df: pd.DataFrame, money: Iterable[str] = ()) -> Iterator[bytes | pa.Buffer]:
    """The CSV file's bytes (header, then rows in blocks), in the contract's text form.

    When no field needs quotes (the usual case), Arrow's CSV writer joins the text fields, without
    quoting any; otherwise the lines are joined with Arrow compute, quoting the fields that need it.
    """
    alone = len(df.columns) == 1
    header = [_quoted(pa.array([str(c)], type=_TEXT), alone) for c in df.columns]
    yield _text_bytes(_lines(header)).to_pybytes()
    texts = _text_columns(df, money)
    fields = [_quoted(text, alone) for text in texts]
    plain = not alone and all(f is t for f, t in zip(fields, texts, strict=True))
    for start in range(0, len(df), _ROWS_PER_CHUNK):
        block = [f.slice(start, _ROWS_PER_CHUNK) for f in fields]
        yield _plain_lines(block) if plain else _text_bytes(_lines(block))


def _plain_lines(fields: list[pa.Array]) -> pa.Buffer:
    """Lines of fields that need no quotes, joined by Arrow's CSV writer (as :func:`_lines` would)."""
    import pyarrow.csv as pa_csv

    sink = pa.BufferOutputStream()
    table = pa.Table.from_arrays(fields, names=[f"c{i}" for i in range(len(fields))])
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False, quoting_style="none"))
    return sink.getvalue()


def write_csv(df: pd.DataFrame, path: str | Path, money: Iterable[str] = ()) -> Path:
    """Write a table as CSV (contract text form) atomically."""
    if len(df.columns) == 0:  # nothing to join: a blank header line and a blank line per row
        return atomic_write_text(path, "\n" * (len(df) + 1))

    def write(fh: IO[bytes]) -> None:
        for chunk in csv_chunks(df, money):
            fh.write(chunk)

    return _atomic_write(path, write)


def csv_writer(df: pd.DataFrame, money: Iterable[str] = ()) -> Callable[[Path], None]:
    """A writer of the table's CSV text form into a given (temporary) path, for writes that a marker records."""

    def write(path: Path) -> None:
        with open(path, "wb") as fh:
            for chunk in csv_chunks(df, money) if len(df.columns) else [b"\n" * (len(df) + 1)]:
                fh.write(chunk)

    return write


def parquet_writer(df: pd.DataFrame, money: Iterable[str] = ()) -> Callable[[Path], None]:
    """A writer of the table as Parquet into a given (temporary) path (see :func:`arrow_table`)."""
    import pyarrow.parquet as pq

    return lambda path: pq.write_table(arrow_table(df, money), path)


# --------------------------------------------------------------------------- Parquet and table formats


def _arrow_column(s: pd.Series, money: bool) -> pa.Array:
    if money:
        values = s.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(values)
        return pa.array(to_cents(np.where(missing, 0.0, values)) / 100, mask=missing)
    try:
        return pa.array(s, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return pa.array(s.map(_cell_text).tolist(), type=pa.string())  # mixed values: their text


def arrow_table(df: pd.DataFrame, money: Iterable[str] = ()) -> pa.Table:
    """The table with Arrow types: money ``float64`` rounded to the cent, missing values null."""
    money = set(money)
    return pa.table(
        {str(col): _arrow_column(df.iloc[:, i], col in money) for i, col in enumerate(df.columns)}
    )


def write_parquet(df: pd.DataFrame, path: str | Path, money: Iterable[str] = ()) -> Path:
    """Write a table as Parquet atomically (see :func:`arrow_table` for its types)."""
    import pyarrow.parquet as pq

    table = arrow_table(df, money)
    return _atomic_write(path, lambda fh: pq.write_table(table, fh))


def check_table_format(table_format: str) -> str:
    """The format, if it is one of :data:`TABLE_FORMATS`; ``ValueError`` otherwise."""
    if table_format not in TABLE_FORMATS:
        raise ValueError(f"table format {table_format!r}: expected one of {', '.join(TABLE_FORMATS)}")
    return table_format


def write_table_settings(folder: str | Path, *, table_format: str) -> Path:
    """Record in a tables folder the format its tables are written in (read by :func:`write_table`)."""
    settings = {"table_format": check_table_format(table_format)}
    return atomic_write_text(Path(folder) / TABLE_SETTINGS, json.dumps(settings, indent=2) + "\n")


def folder_table_format(folder: str | Path) -> str:
    """The table format a folder's settings ask for; ``csv`` when it has none."""
    path = Path(folder) / TABLE_SETTINGS
    if not path.is_file():
        return "csv"
    settings = json.loads(path.read_text(encoding="utf-8"))
    try:
        return check_table_format(settings.get("table_format", "csv"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def write_table(
    df: pd.DataFrame, path: str | Path, money: Iterable[str] = (), table_format: str | None = None
) -> Path:
    """Write a table atomically as CSV (the contract's text form) or Parquet; returns the path written.

    ``path`` names the table (``tables/targets.csv``); its suffix becomes the format's. Without
    ``table_format``, the format is the one the folder's settings ask for (:func:`folder_table_format`).
    """
    path = Path(path)
    table_format = check_table_format(table_format or folder_table_format(path.parent))
    if table_format == "parquet":
        return write_parquet(df, path.with_suffix(".parquet"), money)
    return write_csv(df, path.with_suffix(".csv"), money)


# --------------------------------------------------------------------------- headline figures


def write_headline_part(report_dir: str | Path | None, part: str, figures: dict[str, Any]) -> Path | None:
    """Record a notebook's share of the headline figures; the runner merges the parts.

    Each notebook writes its own file, so notebooks running in parallel never write the same one; a
    notebook that records in several steps adds to its file (a key recorded again takes the new value).
    ``report_dir`` None (a notebook run by hand) writes nothing.
    """
    if report_dir is None:
        return None
    path = Path(report_dir) / HEADLINE_PARTS / f"{part}.json"
    earlier = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    merged = {**earlier, **_jsonable(figures)}
    return atomic_write_text(path, json.dumps(merged, indent=2, sort_keys=True))


def read_headline_parts(report_dir: str | Path) -> dict[str, Any]:
    """Merge the headline parts written under ``report_dir``."""
    merged: dict[str, Any] = {}
    folder = Path(report_dir) / HEADLINE_PARTS
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA:
        return None
    return value
