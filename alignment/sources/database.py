"""Database sources: a query run through SQLAlchemy, read-only, credentials from the environment.

- ``database: duckdb`` (no file) is an embedded, in-memory DuckDB whose relative file names resolve
  in the data folder, so ``SELECT ... FROM 'exports/orders.csv'`` reads the data folder's files.
  ``duckdb:///file.duckdb`` and ``sqlite:///file.db`` (relative to the data folder) open the file
  read-only; ``postgresql://`` uses psycopg, in a read-only transaction.
- ``${NAME}`` in the URL is replaced by the environment variable ``NAME`` when connecting; the
  expanded URL is never stored. Records and messages show the URL without its password, and a
  database's error message is shown with the password blanked out.
- Only a single statement that reads (``SELECT``, ``WITH``, ``FROM``, ``VALUES``, ``TABLE``) is run,
  and the transaction is rolled back: nothing in the database is written to.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from alignment.problems import Problem
from alignment.sources.readers import Read, SourceError
from alignment.sources.spec import VAR_RE, Source, redact_url

READING = re.compile(r"^\s*(\(\s*)*(select|with|from|values|table)\b", re.IGNORECASE)


def _fail(source: Source, expected: str, value: str | None = None) -> SourceError:
    return SourceError([Problem(source.name, None, None, value, expected)])


def expand_url(source: Source) -> str:
    """The URL with ``${NAME}`` references replaced from the environment."""
    url = source.database or ""
    missing = [m.group(1) for m in VAR_RE.finditer(url) if m.group(1) not in os.environ]
    if missing:
        raise _fail(
            source,
            f"the environment variable {missing[0]} to be set (the database URL refers to ${{{missing[0]}}})",
        )
    # in the user and password part a value is percent-encoded, so a password may hold @, / or :
    head, at, tail = url.rpartition("@") if "://" in url and "@" in url.split("://", 1)[1] else ("", "", url)
    head = VAR_RE.sub(lambda m: quote(os.environ[m.group(1)], safe=""), head)
    return head + at + VAR_RE.sub(lambda m: os.environ[m.group(1)], tail)


def _engine_url(url: str, data_dir: Path) -> tuple[Any, dict[str, Any], str | None]:
    """The SQLAlchemy URL to connect to, its connect arguments, and the DuckDB search folder."""
    from sqlalchemy.engine import make_url

    if url.strip().lower() == "duckdb":
        return make_url("duckdb:///:memory:"), {}, str(data_dir)
    u = make_url(url)
    backend = u.get_backend_name()
    if backend in ("duckdb", "sqlite") and u.database and u.database != ":memory:":
        db = Path(u.database).expanduser()
        db = db if db.is_absolute() else data_dir / db
        if not db.is_file():
            raise FileNotFoundError(f"no database file {db}")
        if backend == "sqlite":
            u = u.set(database=f"file:{db}?mode=ro", query={**u.query, "uri": "true"})
            return u, {}, None
        return u.set(database=str(db)), {"read_only": True}, str(data_dir)
    if backend == "duckdb":
        return u, {}, str(data_dir)
    if backend == "postgresql":
        if u.drivername == "postgresql":  # the driver this workbook installs
            u = u.set(drivername="postgresql+psycopg")
        return u, {"options": "-c default_transaction_read_only=on"}, None
    return u, {}, None


def _scrub(text: str, secrets: list[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def _message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("[SQL:", "(Background on this error"))]
    return " ".join(lines[:3]) or type(exc).__name__


def run_query(source: Source, data_dir: Path) -> Read:
    """Run a source's query read-only and return its rows as an Arrow table.

    Raises
    ------
    SourceError
        For a missing environment variable, a query that does not read, or a failing
        connection or query (the database's message, without the password).
    """
    query = source.query or ""
    if not READING.match(query) or ";" in query.strip().rstrip(";"):
        raise _fail(source, "one query that reads (SELECT ..., WITH ...), nothing that writes", query)
    url = expand_url(source)
    shown = redact_url(source.database or "")
    secrets: list[str] = [url]
    try:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        try:
            parsed = make_url(url) if url.strip().lower() != "duckdb" else None
        except Exception:
            parsed = None
        if parsed is not None and parsed.password:
            secrets[:0] = [str(parsed.password), quote(str(parsed.password), safe="")]
        engine_url, connect_args, search = _engine_url(url, data_dir)
        engine = create_engine(engine_url, connect_args=connect_args, poolclass=_null_pool())
        try:
            with engine.connect() as conn:
                if search is not None:
                    conn.exec_driver_sql(f"SET file_search_path = '{search.replace(chr(39), chr(39) * 2)}'")
                result = conn.execute(text(query.strip().rstrip(";")))
                names = [str(k) for k in result.keys()]
                rows = result.fetchall()
                conn.rollback()
        finally:
            engine.dispose()
    except SourceError:
        raise
    except Exception as exc:
        raise _fail(
            source, f"a query that runs on {shown} (the database says: {_scrub(_message(exc), secrets)})"
        ) from None
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    table = pa.table({n: _column(values) for n, values in zip(names, columns, strict=True)})
    return Read(table=table, header=names, first_row=1, digest=rows_digest(table), kind="query", url=shown)


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def _column(values: tuple[Any, ...]) -> pa.Array:
    """A result column as Arrow: numbers, dates and text keep their type; Decimals become exact text."""
    import decimal

    if any(isinstance(v, decimal.Decimal) for v in values):
        return pa.array(
            [
                None if v is None else format(v, "f") if isinstance(v, decimal.Decimal) else str(v)
                for v in values
            ],
            type=pa.string(),
        )
    try:
        return pa.array(list(values))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def rows_digest(table: pa.Table) -> str:
    """A SHA-256 of the rows read: the column names, then each row's values as text."""
    h = hashlib.sha256()
    h.update("\x1f".join(table.column_names).encode() + b"\n")
    import pyarrow.compute as pc

    texts = [
        pc.fill_null(pc.cast(c, pa.string()), "\x00").to_pylist() if c.type != pa.null() else [""] * len(c)
        for c in table.columns
    ]
    for row in zip(*texts, strict=True):
        h.update("\x1f".join(row).encode() + b"\n")
    return h.hexdigest()


__all__ = ["expand_url", "rows_digest", "run_query"]
