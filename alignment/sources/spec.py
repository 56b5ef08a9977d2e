"""What the user declares: the ``sources:`` key of a params file.

A source replaces ``DATA_DIR/<stem>.*`` for one input of CONTRACT section 4. It is either a file
(CSV, XLSX with a sheet, Parquet; relative to ``data_dir``) or a database query (any SQLAlchemy
URL; ``duckdb`` alone is an embedded DuckDB that reads the data folder's files by name). The
mapping onto the contract's columns (``columns``, ``values``, ``where``, ``lookup``) is declared
here and checked for shape; whether the source columns exist is known only when the source is
read (:mod:`alignment.sources.mapping`).

This module is light on purpose: ``alignment.params`` imports it, and it imports no reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alignment.inputs import SPECS

FILE_FORMATS = (".csv", ".xlsx", ".parquet")
SOURCE_KEYS = (
    "file",
    "sheet",
    "encoding",
    "delimiter",
    "database",
    "query",
    "columns",
    "values",
    "where",
    "lookup",
    "date_format",
)
LOOKUP_KEYS = ("from", "by")
# the stems a lookup can point at, and the id column it returns
LOOKUP_IDS = {"people": "person_id", "customers": "customer_id", "products": "product_id"}
# contract columns that take a date (a day, a datetime, an Excel date) and keep its month
MONTH_COLUMNS = {("actuals", "month")}
# inputs whose rows are summed to the contract's grain: stem -> (key columns, money columns)
SUMMED = {"actuals": (("month", "customer_id", "product_id", "channel"), ("revenue",))}
VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

Fail = Callable[[str, Any, str], None]
Unknown = Callable[[str, list[str], str], None]


@dataclass(frozen=True)
class Lookup:
    """Values of a contract column are names found in another input's column, replaced by its id."""

    stem: str
    by: str

    @property
    def id_column(self) -> str:
        return LOOKUP_IDS[self.stem]


@dataclass(frozen=True)
class Source:
    """One input read from a file or a query and mapped onto the contract's columns.

    Attributes
    ----------
    stem : str
        The contract input it replaces (``actuals``, ``customers``, ...).
    file : str or None
        The file as written in the params file (relative to ``data_dir``, or absolute).
    path : Path or None
        That file, resolved.
    database, query : str or None
        An SQLAlchemy URL as written (``${VAR}`` references unexpanded) and the query it runs.
    sheet, encoding, delimiter : str or None
        Reading options: the XLSX sheet; the CSV encoding and delimiter.
    columns : dict
        Contract column -> source column. A contract column not listed is read from the source
        column of the same name.
    values : dict
        Contract column -> {source value: contract value}; values not listed pass through.
    where : dict
        Source column -> the values a row must hold to be read (equality; a list means any of).
    lookup : dict
        Contract column -> :class:`Lookup`.
    date_format : str or None
        A ``strptime`` format for date columns (``%m/%d/%Y``); ISO dates when None.
    """

    stem: str
    file: str | None = None
    path: Path | None = None
    database: str | None = None
    query: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    where: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    lookup: dict[str, Lookup] = field(default_factory=dict)
    date_format: str | None = None

    @property
    def is_query(self) -> bool:
        return self.database is not None

    @property
    def name(self) -> str:
        """The source as the user knows it, for messages: the file as written, or ``stem (query)``."""
        if self.is_query:
            return f"{self.stem} (query)"
        assert self.file is not None
        return f"{self.file}, sheet {self.sheet}" if self.sheet else self.file

    def source_column(self, column: str) -> str:
        """The source column a contract column is read from."""
        return self.columns.get(column, column)

    def to_dict(self) -> dict[str, Any]:
        """The source as the YAML structure, with no password (``${VAR}`` references are kept)."""
        out: dict[str, Any] = {}
        if self.is_query:
            out["database"] = redact_url(self.database or "")
            out["query"] = self.query
        else:
            out["file"] = self.file
        for key in ("sheet", "encoding", "delimiter", "date_format"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.columns:
            out["columns"] = dict(self.columns)
        if self.values:
            out["values"] = {k: dict(v) for k, v in self.values.items()}
        if self.where:
            out["where"] = {k: list(v) if len(v) != 1 else v[0] for k, v in self.where.items()}
        if self.lookup:
            out["lookup"] = {k: {"from": v.stem, "by": v.by} for k, v in self.lookup.items()}
        return out


def redact_url(url: str) -> str:
    """An SQLAlchemy URL without its password: a literal password becomes ``***``.

    ``${VAR}`` references are kept as written: they name a variable, they are not the secret.
    """
    m = re.match(r"^(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@?#]*:)(?P<pw>[^@/?#]*)(?P<tail>@.*)$", url)
    if m and m.group("pw") and not VAR_RE.fullmatch(m.group("pw")):
        url = f"{m.group('head')}***{m.group('tail')}"
    return re.sub(
        r"(?i)([?&](password|pwd|passwd|secret|token)=)([^&]*)",
        lambda g: g.group(1) + (g.group(3) if VAR_RE.fullmatch(g.group(3)) else "***"),
        url,
    )


def parse_sources(raw: Any, data_dir: Path, fail: Fail, unknown: Unknown) -> dict[str, Source]:
    """Check the ``sources:`` mapping of a params file and build one :class:`Source` per input.

    Parameters
    ----------
    raw : Any
        The value of ``sources`` as parsed from YAML (None or a mapping).
    data_dir : Path
        The resolved data folder; relative ``file`` values resolve against it.
    fail, unknown : callable
        The params checker's reporters: ``fail(key, value, expected)`` and
        ``unknown(key, allowed, parent)``; every problem is reported, none raised.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        fail("sources", raw, "a mapping of input names (actuals, customers, ...) to sources")
        return {}
    out: dict[str, Source] = {}
    for stem, body in raw.items():
        key = f"sources.{stem}"
        if stem not in SPECS:
            unknown(key, list(SPECS), "sources.")
            continue
        source = _parse_one(str(stem), body, key, data_dir, fail, unknown)
        if source is not None:
            out[str(stem)] = source
    _check_lookups(out, fail)
    return out


def _text(value: Any) -> str | None:
    """A scalar from YAML as the text a cell holds (``2026`` -> ``"2026"``); None for non-scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _parse_one(stem: str, body: Any, key: str, data_dir: Path, fail: Fail, unknown: Unknown) -> Source | None:
    if not isinstance(body, dict):
        fail(key, body, "a source: {file: ...} or {database: ..., query: ...}")
        return None
    ok = True
    for k in body:
        if k not in SOURCE_KEYS:
            unknown(f"{key}.{k}", list(SOURCE_KEYS), f"{key}.")
            ok = False
    spec = SPECS[stem]
    contract = [*spec.columns, *spec.optional]
    strings: dict[str, str | None] = {}
    for k in ("file", "sheet", "encoding", "delimiter", "database", "query", "date_format"):
        if k in body:
            v = body[k]
            if not isinstance(v, str) or not v.strip():
                fail(f"{key}.{k}", v, "a non-empty text")
                ok = False
                strings[k] = None
            else:
                strings[k] = v.strip()
    file, database, query = strings.get("file"), strings.get("database"), strings.get("query")
    path = None
    if ("file" in body) == ("database" in body):
        fail(key, body, "either file: (a csv, xlsx or parquet file) or database: with query:, not both")
        ok = False
    if file is not None:
        suffix = Path(file).suffix.lower()
        if suffix not in FILE_FORMATS:
            fail(f"{key}.file", file, "a .csv, .xlsx or .parquet file")
            ok = False
        path = Path(file).expanduser()
        path = path if path.is_absolute() else (data_dir / path)
        if "sheet" in body and suffix != ".xlsx":
            fail(f"{key}.sheet", body["sheet"], "a sheet only for an .xlsx file")
            ok = False
        for k in ("encoding", "delimiter"):
            if k in body and suffix != ".csv":
                fail(f"{key}.{k}", body[k], f"{k} only for a .csv file")
                ok = False
        if "query" in body:
            fail(f"{key}.query", body["query"], "a query only with database:")
            ok = False
    if "database" in body and "query" not in body:
        fail(f"{key}.query", None, "a query (SELECT ...) to run on the database")
        ok = False
    if database is not None:
        for k in ("sheet", "encoding", "delimiter"):
            if k in body:
                fail(f"{key}.{k}", body[k], f"{k} only for a file source")
                ok = False
    if strings.get("delimiter") is not None and len(strings["delimiter"] or "") != 1:
        fail(f"{key}.delimiter", body["delimiter"], "one character such as ; or a tab")
        ok = False
    if "delimiter" in body and body["delimiter"] == "\t":
        strings["delimiter"] = "\t"

    columns: dict[str, str] = {}
    raw_columns = body.get("columns", {}) or {}
    if not isinstance(raw_columns, dict):
        fail(f"{key}.columns", raw_columns, "a mapping contract column: source column")
        ok = False
        raw_columns = {}
    for c, sc in raw_columns.items():
        if c not in contract:
            unknown(f"{key}.columns.{c}", contract, f"{key}.columns.")
            ok = False
            continue
        text = _text(sc)
        if text is None or not text.strip():
            fail(f"{key}.columns.{c}", sc, "the name of a source column")
            ok = False
            continue
        columns[str(c)] = text.strip()

    values: dict[str, dict[str, str]] = {}
    raw_values = body.get("values", {}) or {}
    if not isinstance(raw_values, dict):
        fail(f"{key}.values", raw_values, "a mapping contract column: {source value: contract value}")
        ok = False
        raw_values = {}
    for c, table in raw_values.items():
        if c not in contract:
            unknown(f"{key}.values.{c}", contract, f"{key}.values.")
            ok = False
            continue
        if c in spec.money or (stem, c) in MONTH_COLUMNS:
            fail(f"{key}.values.{c}", table, "value maps on text columns only (not money or months)")
            ok = False
            continue
        if not isinstance(table, dict) or not table:
            fail(f"{key}.values.{c}", table, "a mapping {source value: contract value}")
            ok = False
            continue
        pairs = {_text(a): _text(b) for a, b in table.items()}
        if None in pairs or None in pairs.values():
            fail(f"{key}.values.{c}", table, "source and contract values that are single values")
            ok = False
            continue
        values[str(c)] = {str(a).strip(): str(b).strip() for a, b in pairs.items()}

    where: dict[str, tuple[Any, ...]] = {}
    raw_where = body.get("where", {}) or {}
    if not isinstance(raw_where, dict):
        fail(f"{key}.where", raw_where, "a mapping source column: value (or a list of values)")
        ok = False
        raw_where = {}
    for sc, wanted in raw_where.items():
        items = wanted if isinstance(wanted, list) else [wanted]
        if not items or any(_text(v) is None for v in items):
            fail(f"{key}.where.{sc}", wanted, "a value, or a list of values, to keep")
            ok = False
            continue
        where[str(sc)] = tuple(items)

    lookup: dict[str, Lookup] = {}
    raw_lookup = body.get("lookup", {}) or {}
    if not isinstance(raw_lookup, dict):
        fail(f"{key}.lookup", raw_lookup, "a mapping contract column: {from: people, by: name}")
        ok = False
        raw_lookup = {}
    for c, how in raw_lookup.items():
        lk = f"{key}.lookup.{c}"
        if c not in contract:
            unknown(lk, contract, f"{key}.lookup.")
            ok = False
            continue
        if not isinstance(how, dict):
            fail(lk, how, "{from: people, by: name}")
            ok = False
            continue
        for k in how:
            if k not in LOOKUP_KEYS:
                unknown(f"{lk}.{k}", list(LOOKUP_KEYS), f"{lk}.")
                ok = False
        target, by = how.get("from"), how.get("by")
        if target not in LOOKUP_IDS:
            fail(f"{lk}.from", target, "one of " + ", ".join(LOOKUP_IDS))
            ok = False
            continue
        target_spec = SPECS[target]
        target_columns = [*target_spec.columns, *target_spec.optional]
        if by not in target_columns:
            fail(f"{lk}.by", by, f"a column of {target}: " + ", ".join(target_columns))
            ok = False
            continue
        if target == stem:
            fail(f"{lk}.from", target, f"another input than {stem} itself")
            ok = False
            continue
        lookup[str(c)] = Lookup(stem=str(target), by=str(by))

    if not ok:
        return None
    return Source(
        stem=stem,
        file=file,
        path=path.resolve() if path is not None else None,
        database=database,
        query=query,
        sheet=strings.get("sheet"),
        encoding=strings.get("encoding"),
        delimiter=strings.get("delimiter"),
        columns=columns,
        values=values,
        where=where,
        lookup=lookup,
        date_format=strings.get("date_format"),
    )


def _check_lookups(sources: dict[str, Source], fail: Fail) -> None:
    """A lookup chain that comes back to where it started can never be read."""
    for stem in sources:
        seen, todo = {stem}, [stem]
        while todo:
            current = sources.get(todo.pop())
            for lk in current.lookup.values() if current else ():
                if lk.stem == stem:
                    fail(
                        f"sources.{stem}.lookup",
                        {c: lk.stem for c, lk in sources[stem].lookup.items()},
                        "lookups that do not go round in a circle",
                    )
                    todo = []
                    break
                if lk.stem not in seen:
                    seen.add(lk.stem)
                    todo.append(lk.stem)


def lookup_order(sources: dict[str, Source]) -> list[str]:
    """The mapped stems in an order where every lookup's input comes first."""
    order: list[str] = []

    def visit(stem: str, trail: tuple[str, ...]) -> None:
        if stem in order or stem in trail:
            return
        source = sources.get(stem)
        for lk in source.lookup.values() if source else ():
            visit(lk.stem, (*trail, stem))
        if stem in sources:
            order.append(stem)

    for stem in sources:
        visit(stem, ())
    return order


__all__ = [
    "LOOKUP_IDS",
    "MONTH_COLUMNS",
    "SUMMED",
    "Lookup",
    "Source",
    "lookup_order",
    "parse_sources",
    "redact_url",
]
