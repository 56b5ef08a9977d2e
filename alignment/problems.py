"""Problems found in inputs and parameters, each rendered as one line a user can act on.

A problem names the file, the row as a spreadsheet numbers it (the header is row 1), the column,
the bad value and what was expected. Bad input is collected, never raised one at a time, so that
``alignment validate`` can list everything wrong with a data folder in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]

# Exit statuses of every command: 0 success (warnings allowed), 1 a notebook failed, 2 bad input.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


#: ``alignment validate`` shows this many problems of each file and column, then counts the rest.
SHOWN_PER_COLUMN = 20


class Problem(NamedTuple):
    """One problem or warning about an input file.

    A named tuple rather than a dataclass: a file of a million bad amounts is a million
    problems, and a tuple is made about three times faster and holds no ``__dict__``.

    Attributes
    ----------
    file : str
        The file's name, e.g. ``customers.csv``.
    row : int or None
        The 1-based row as a spreadsheet shows it (header = 1); None for a whole-file problem.
    column : str or None
        The column concerned; None for a whole-file or whole-row problem.
    value : str or None
        The offending value as it appears in the file.
    expected : str
        What was expected instead, in plain words.
    severity : {"error", "warning"}
        Errors stop a run; warnings are findings to look at.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: Severity = "error"

    def line(self) -> str:
        """The one line the user sees."""
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        got = "" if self.value is None else f"value {_show(self.value)}: "
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{', '.join(where)}: {got}expected {self.expected}"

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.line()


def _show(value: str) -> str:
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def bounded_lines(problems: Iterable[Problem], limit: int | None = SHOWN_PER_COLUMN) -> list[str]:
    """The lines ``alignment validate`` prints: at most ``limit`` problems of each file and column.

    Problems keep their order; after each file's lines comes one line per file and column that
    had more, with the count of the rest (``actuals.csv, column revenue: 999,980 more like
    these``). Errors and warnings are counted apart. ``limit`` None prints every problem.

    Parameters
    ----------
    problems : iterable of Problem
        Sorted as they should be shown (by file, then row).
    limit : int or None
        How many problems of one file and column are shown.

    Returns
    -------
    list of str
        One line each.
    """
    by_file: dict[str, list[str]] = {}
    seen: dict[tuple[str, str | None, str], int] = {}
    for p in problems:
        key = (p.file, p.column, p.severity)
        n = seen[key] = seen.get(key, 0) + 1
        if limit is None or n <= limit:
            by_file.setdefault(p.file, []).append(p.line())
        else:
            by_file.setdefault(p.file, [])
    out: list[str] = []
    for file, lines in by_file.items():
        out += lines
        for (f, column, severity), n in seen.items():
            if f == file and limit is not None and n > limit:
                prefix = "warning: " if severity == "warning" else ""
                where = f"{file}, column {column}" if column is not None else file
                out.append(f"{prefix}{where}: {n - limit:,} more like these")
    return out


def show_value(value: object, width: int = 60) -> str:
    """A value for a one-line message, never longer than ``width`` characters.

    Lists and mappings are described by their size when they do not fit ("a list of 9 items"),
    without walking them: a YAML alias can make a small file stand for a value of billions of
    items, and its ``repr`` would never end.
    """
    if isinstance(value, list | tuple | dict | set):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        unit = "key" if isinstance(value, dict) else "item"
        n = len(value)
        described = f"{kind} of {n:,} {unit}{'s' * (n != 1)}"
        if n > 8 or any(isinstance(v, list | tuple | dict | set) for v in _members(value)):
            return described
        text = repr(value)
        return text if len(text) <= width else described
    if isinstance(value, str) and len(value) > width:
        value = value[:width]  # a long string is cut before repr, which copies it
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _members(value: list | tuple | dict | set) -> Iterable[object]:
    return [*value.keys(), *value.values()] if isinstance(value, dict) else value


class InputError(Exception):
    """Raised when a data folder holds bad input; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.line() for p in problems))


class ParamsError(Exception):
    """Raised when a parameters file is wrong; each message names the key."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


class RunError(Exception):
    """A bad argument of ``alignment run`` (exit 2, nothing runs)."""
