"""Database sources, for real: the same sources against DuckDB, SQLite and a PostgreSQL server.

The PostgreSQL server is started here, on 127.0.0.1 and a free port, from Debian's ``postgresql``
package (``initdb``/``pg_ctl`` under /usr/lib/postgresql/*/bin), as the ``postgres`` user when the
tests run as root. Without the package the tests skip with the reason, except under CI (env CI
set), where a skip would hide a missing install step and fails instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from source_data import BOTTOM_UP_QUERY, bottom_up_rows, make_company, read, write_sqlite_plan

from alignment.params import parse_params
from alignment.sources.load import check_sources

PASSWORD = "s3cret-Pg-pw"


def _check(folder: Path, sources: dict) -> tuple:
    params = parse_params({"data_dir": str(folder), "sources": sources}, folder, source="p.yaml")
    return check_sources(params.data_dir, params.sources, fiscal_year=2026)


@pytest.fixture
def company(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    folder = make_company(tmp_path / "data", customers=15)
    return folder, read(folder, "sales_input")


def _assert_sales_input(inputs, want: pd.DataFrame) -> None:
    got = inputs.sales_input.sort_values(["customer_id", "product_id"], ignore_index=True)
    want = want.sort_values(["customer_id", "product_id"], ignore_index=True)
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    assert got["product_id"].tolist() == want["product_id"].tolist()
    for col in ("potential", "committed"):
        assert [round(v * 100) for v in got[col]] == [int(v.replace(".", "")) for v in want[col]]


def test_environment_values_in_the_password_are_encoded(monkeypatch) -> None:
    from sqlalchemy.engine import make_url

    from alignment.sources.database import expand_url
    from alignment.sources.spec import Source

    monkeypatch.setenv("ALIGNMENT_TEST_PW", "p@ss/w:rd")
    url = expand_url(
        Source(stem="sales_input", database="postgresql://bob:${ALIGNMENT_TEST_PW}@h/db", query="x")
    )
    assert make_url(url).password == "p@ss/w:rd" and make_url(url).host == "h"


class TestSQLite:
    def test_query_maps_onto_sales_input(self, company) -> None:
        folder, want = company
        db = write_sqlite_plan(folder)
        before = db.read_bytes()
        inputs, problems, _, mapped = _check(
            folder, {"sales_input": {"database": "sqlite:///warehouse/plan.db", "query": BOTTOM_UP_QUERY}}
        )
        assert problems == []
        _assert_sales_input(inputs, want)
        origin = inputs.origins["sales_input"]
        assert origin["kind"] == "query" and origin["query"] == BOTTOM_UP_QUERY
        assert origin["database"] == "sqlite:///warehouse/plan.db"
        assert len(origin["rows_sha256"]) == 64 and origin["rows_read"] == len(want)
        assert db.read_bytes() == before

    def test_failing_query_gives_the_databases_message(self, company) -> None:
        folder, _ = company
        write_sqlite_plan(folder)
        _, problems, _, _ = _check(
            folder,
            {
                "sales_input": {
                    "database": "sqlite:///warehouse/plan.db",
                    "query": "SELECT nope FROM bottom_up",
                }
            },
        )
        assert [p.line() for p in problems] == [
            "sales_input (query): expected a query that runs on sqlite:///warehouse/plan.db "
            "(the database says: no such column: nope)"
        ]

    def test_a_query_that_writes_is_refused(self, company) -> None:
        folder, _ = company
        db = write_sqlite_plan(folder)
        before = db.read_bytes()
        _, problems, _, _ = _check(
            folder,
            {"sales_input": {"database": "sqlite:///warehouse/plan.db", "query": "DELETE FROM bottom_up"}},
        )
        assert "expected one query that reads" in problems[0].line()
        assert db.read_bytes() == before

    def test_bad_row_names_the_query_row_and_column(self, company) -> None:
        folder, _ = company
        db = write_sqlite_plan(folder)
        import sqlite3

        with sqlite3.connect(db) as conn:
            conn.execute(
                "CREATE TABLE plan AS SELECT * FROM bottom_up WHERE year = 2026 ORDER BY account, sku"
            )
            conn.execute("UPDATE plan SET committed = -5 WHERE rowid = 12")
        conn.close()
        query = (
            "SELECT account AS customer_id, sku AS product_id, potential, committed FROM plan ORDER BY rowid"
        )
        _, problems, _, _ = _check(
            folder, {"sales_input": {"database": "sqlite:///warehouse/plan.db", "query": query}}
        )
        assert [p.line() for p in problems] == [
            "sales_input (query), row 12, column committed: value '-5.0': expected an amount >= 0"
        ]


class TestDuckDB:
    def test_embedded_duckdb_reads_the_data_folders_files(self, company, tmp_path: Path) -> None:
        folder, want = company
        bottom = bottom_up_rows(folder)
        (folder / "exports").mkdir()
        bottom.to_parquet(folder / "exports" / "plan.parquet", index=False)
        (folder / "sales_input.csv").unlink()
        query = BOTTOM_UP_QUERY.replace("FROM bottom_up", "FROM 'exports/plan.parquet'")
        before = sorted(p.name for p in folder.rglob("*"))
        inputs, problems, _, _ = _check(folder, {"sales_input": {"database": "duckdb", "query": query}})
        assert problems == []
        _assert_sales_input(inputs, want)
        assert sorted(p.name for p in folder.rglob("*")) == before

    def test_duckdb_file_opened_read_only(self, company) -> None:
        import duckdb

        folder, want = company
        bottom = bottom_up_rows(folder)
        (folder / "sales_input.csv").unlink()
        db = folder / "plan.duckdb"
        con = duckdb.connect(str(db))
        con.register("frame", bottom)
        con.execute("CREATE TABLE bottom_up AS SELECT * FROM frame")
        con.close()
        inputs, problems, _, _ = _check(
            folder, {"sales_input": {"database": "duckdb:///plan.duckdb", "query": BOTTOM_UP_QUERY}}
        )
        assert problems == []
        _assert_sales_input(inputs, want)


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict]:
    """A PostgreSQL server of our own on 127.0.0.1 with user ``analyst`` (password PASSWORD) and database ``sales``."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        reason = (
            "PostgreSQL is not installed (apt-get install postgresql): no /usr/lib/postgresql/*/bin/initdb"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="alignment-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
    data, pwfile, port = base / "data", base / "pw", _free_port()
    pwfile.write_text(PASSWORD)
    if as_user:
        shutil.chown(pwfile, "postgres")

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, text=True, timeout=120)

    try:
        run(
            str(bin_dir / "initdb"), "-D", str(data), "-U", "analyst", f"--pwfile={pwfile}",
            "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8",
        )  # fmt: skip
        run(
            str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
            "-o", f"-h 127.0.0.1 -p {port} -k {base}", "start",
        )  # fmt: skip
        import psycopg

        url = f"host=127.0.0.1 port={port} user=analyst password={PASSWORD}"
        for _ in range(50):
            try:
                with psycopg.connect(url + " dbname=postgres", autocommit=True) as conn:
                    conn.execute("CREATE DATABASE sales")
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        yield {"port": port, "dsn": url + " dbname=sales"}
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                capture_output=True,
                timeout=120,
            )
        shutil.rmtree(base, ignore_errors=True)


class TestPostgreSQL:
    def _load(self, postgres: dict, folder: Path) -> None:
        import psycopg

        rows = bottom_up_rows(folder)
        with psycopg.connect(postgres["dsn"], autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS bottom_up")
            conn.execute(
                "CREATE TABLE bottom_up (account text, sku text, year int, potential numeric(14,4), "
                "committed numeric(14,4))"
            )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO bottom_up VALUES (%s, %s, %s, %s, %s)",
                    list(rows.itertuples(index=False, name=None)),
                )
        (folder / "sales_input.csv").unlink()

    def _count(self, postgres: dict) -> int:
        import psycopg

        with psycopg.connect(postgres["dsn"]) as conn:
            return conn.execute("SELECT count(*) FROM bottom_up").fetchone()[0]

    def test_query_with_the_password_from_the_environment(self, postgres, company, monkeypatch) -> None:
        folder, want = company
        self._load(postgres, folder)
        monkeypatch.setenv("PGPASSWORD", PASSWORD)
        url = "postgresql://analyst:${PGPASSWORD}@127.0.0.1:" + str(postgres["port"]) + "/sales"
        inputs, problems, _, _ = _check(folder, {"sales_input": {"database": url, "query": BOTTOM_UP_QUERY}})
        assert problems == []
        _assert_sales_input(inputs, want)
        assert PASSWORD not in repr(inputs.origins)
        assert inputs.origins["sales_input"]["database"] == url

    def test_wrong_password_message_has_no_password(self, postgres, company, monkeypatch) -> None:
        folder, _ = company
        monkeypatch.setenv("PGPASSWORD", "wrong-" + PASSWORD)
        url = "postgresql://analyst:${PGPASSWORD}@127.0.0.1:" + str(postgres["port"]) + "/sales"
        _, problems, _, _ = _check(folder, {"sales_input": {"database": url, "query": BOTTOM_UP_QUERY}})
        line = problems[0].line()
        assert line.startswith(
            f"sales_input (query): expected a query that runs on {url} (the database says: "
        )
        assert "password authentication failed" in line
        assert PASSWORD not in line

    def test_missing_environment_variable(self, postgres, company, monkeypatch) -> None:
        folder, _ = company
        monkeypatch.delenv("ALIGNMENT_TEST_UNSET", raising=False)
        url = "postgresql://analyst:${ALIGNMENT_TEST_UNSET}@127.0.0.1:" + str(postgres["port"]) + "/sales"
        _, problems, _, _ = _check(folder, {"sales_input": {"database": url, "query": BOTTOM_UP_QUERY}})
        assert [p.line() for p in problems] == [
            "sales_input (query): expected the environment variable ALIGNMENT_TEST_UNSET to be set "
            "(the database URL refers to ${ALIGNMENT_TEST_UNSET})"
        ]

    def test_nothing_written_even_by_a_query_that_tries(self, postgres, company, monkeypatch) -> None:
        folder, _ = company
        self._load(postgres, folder)
        n = self._count(postgres)
        monkeypatch.setenv("PGPASSWORD", PASSWORD)
        url = "postgresql://analyst:${PGPASSWORD}@127.0.0.1:" + str(postgres["port"]) + "/sales"
        query = "WITH gone AS (DELETE FROM bottom_up RETURNING *) SELECT account AS customer_id FROM gone"
        _, problems, _, _ = _check(folder, {"sales_input": {"database": url, "query": query}})
        assert "read-only transaction" in problems[0].line()
        assert self._count(postgres) == n
