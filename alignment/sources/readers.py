"""How a source is read: one reader per kind (CSV, spreadsheet, Parquet, database query).

Each reader returns the source's header and, for the columns asked for, an Arrow table as the
source holds it (text stays text, numbers and dates keep their type), with the row number of its
first row (2 for a file, whose header is row 1; 1 for a query's result) and a SHA-256 of what was
read. Nothing is ever written: files are opened for reading, databases read-only.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from alignment.problems import Problem
from alignment.sources.spec import Source


class SourceError(Exception):
    """A source that cannot be read as declared; carries the one-line problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.line() for p in problems))


@dataclass(frozen=True)
class Read:
    """What a reader read: the columns asked for, the source's header and provenance."""

    table: pa.Table
    header: list[str]
    first_row: int
    digest: str
    kind: str  # "file" or "query"
    url: str | None = None  # a query's database, without its password


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_header(source: Source) -> list[str]:
    """The column names of a file source; raises :class:`SourceError` for a missing file or sheet."""
    path = source.path
    assert path is not None
    if not path.is_file():
        raise SourceError(
            [Problem(source.file or str(path), None, None, None, f"a file that exists ({path})")]
        )
    try:
        if path.suffix.lower() == ".csv":
            with open(path, encoding=_encoding(source), newline="") as fh:
                first = next(csv.reader(fh, delimiter=source.delimiter or ","), [])
            return [c.strip() for c in first]
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return [str(c).strip() for c in pq.read_schema(path).names]
        return _sheet_header(source, path)
    except SourceError:
        raise
    except Exception as exc:  # unreadable file: the reader's own reason
        raise SourceError(
            [Problem(source.name, None, None, None, f"a readable {path.suffix[1:]} file ({exc})")]
        ) from None


def _encoding(source: Source) -> str:
    enc = (source.encoding or "utf-8").lower().replace("_", "-")
    return "utf-8-sig" if enc in ("utf-8", "utf8") else enc


def _sheet_header(source: Source, path: Path) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = book.sheetnames
        sheet = source.sheet or names[0]
        if sheet not in names:
            import difflib

            close = difflib.get_close_matches(sheet, names, n=1, cutoff=0.6)
            hint = f" — did you mean {close[0]!r}?" if close else ""
            raise SourceError(
                [
                    Problem(
                        source.file or str(path),
                        None,
                        None,
                        sheet,
                        f"a sheet of the workbook ({', '.join(map(repr, names))}){hint}",
                    )
                ]
            )
        rows = book[sheet].iter_rows(min_row=1, max_row=1, values_only=True)
        first = next(rows, ())
        return ["" if v is None else str(v).strip() for v in first]
    finally:
        book.close()


def read_file(source: Source, columns: list[str]) -> Read:
    """Read the given columns of a file source (the header must hold them)."""
    path = source.path
    assert path is not None
    header = file_header(source)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            table = _read_csv(source, path, header, columns)
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path, columns=columns)
        else:
            table = _read_xlsx(source, path, columns)
    except Exception as exc:
        raise SourceError(
            [Problem(source.name, None, None, None, f"a readable {suffix[1:]} file ({exc})")]
        ) from None
    return Read(table=table, header=header, first_row=2, digest=sha256_file(path), kind="file")


def _read_csv(source: Source, path: Path, header: list[str], columns: list[str]) -> pa.Table:
    import pyarrow.csv as pacsv

    encoding = (source.encoding or "utf8").lower()
    names = [f"c{i}" for i in range(len(header))]
    wanted = {c: names[header.index(c)] for c in columns}
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, encoding="utf8" if encoding in ("utf-8", "utf8") else encoding
        ),
        parse_options=pacsv.ParseOptions(delimiter=source.delimiter or ","),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(wanted.values()),
            column_types={n: pa.string() for n in wanted.values()},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return pa.table({c: table.column(n) for c, n in wanted.items()})


def _read_xlsx(source: Source, path: Path, columns: list[str]) -> pa.Table:
    import pandas as pd

    df = pd.read_excel(path, sheet_name=source.sheet or 0, dtype=object, engine="openpyxl")
    df.columns = [str(c).strip() for c in df.columns]
    out = {}
    for c in columns:
        out[c] = pa.array([_cell_text(v) for v in df[c].tolist()], type=pa.string())
    return pa.table(out) if out else pa.table({"_": pa.array([None] * len(df))}).drop(["_"])


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: dates as ISO, whole numbers without ``.0``, empty as ``""``."""
    import datetime as dt
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if value.__class__.__name__ == "NaTType":
        return ""
    return str(value)


__all__ = ["Read", "SourceError", "file_header", "read_file", "sha256_file"]
