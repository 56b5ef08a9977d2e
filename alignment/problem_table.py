"""Every problem of a data folder as a table a user can filter: ``alignment validate --problems-out``.

The table has one row per problem or warning (severity, file, row, column, value, expected). It is
written to a temporary name and renamed into place, and only where nothing stands that it did not
write: an existing file is replaced only when it is an earlier problems table, recognised by its
header line, which is the table's own. Anything else in the way, or a path in the data folder, is
refused with one line naming it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from alignment.problems import Problem

COLUMNS = ("severity", "file", "row", "column", "value", "expected")
HEADER = ",".join(COLUMNS)
EXPECTED = "a new file name, or a problems table that validate --problems-out wrote before"
_UMASK = os.umask(0)
os.umask(_UMASK)


class ProblemsOutError(Exception):
    """The problems table cannot be written where it was asked to go (exit 2)."""


def is_problem_table(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts with the problems table's own header."""
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as fh:
        first = fh.readline(len(HEADER) + 3)
    return first.rstrip(b"\r\n") == HEADER.encode()


def refusal(path: Path, data_dir: Path | None = None) -> str | None:
    """Why the table must not be written to ``path`` (one line naming it), or None."""
    if data_dir is not None and data_dir.is_dir() and path.resolve().is_relative_to(data_dir.resolve()):
        return (
            f"{path}: in the data folder {data_dir}: expected a path outside it (inputs are never written to)"
        )
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return f"{path}: not a regular file: expected {EXPECTED}"
    if path.exists() and not is_problem_table(path):
        return f"{path}: a file that validate did not write, which it would overwrite: expected {EXPECTED}"
    return None


def problem_table_text(problems: Iterable[Problem]) -> str:
    """The table as CSV text: the header, then one row per problem in the order given."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    out.write(HEADER + "\n")
    writer.writerows(
        (p.severity, p.file, "" if p.row is None else p.row, p.column or "", p.value or "", p.expected)
        for p in problems
    )
    return out.getvalue()


def write_problem_table(problems: Iterable[Problem], path: str | Path, data_dir: Path | None = None) -> Path:
    """Write every problem to ``path`` atomically, never over a file that is not a problems table.

    A new file is put in place with a hard link, which fails if a file appeared there meanwhile;
    an earlier problems table is replaced by an atomic rename.

    Raises
    ------
    ProblemsOutError
        When ``path`` is in the data folder, or holds something that is not a problems table.
    """
    path = Path(path)
    reason = refusal(path, data_dir)
    if reason is not None:
        raise ProblemsOutError(reason)
    replacing = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(problem_table_text(problems).encode("utf-8"))
        os.chmod(tmp, 0o666 & ~_UMASK)
        if replacing:
            os.replace(tmp, path)
        else:
            _link_new(Path(tmp), path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _link_new(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise ProblemsOutError(
            f"{path}: a file that appeared while validate ran, which it would overwrite: expected {EXPECTED}"
        ) from None
    except OSError:  # a file system without hard links: the check above is all there is
        os.replace(tmp, path)


__all__ = ["COLUMNS", "ProblemsOutError", "is_problem_table", "refusal", "write_problem_table"]
