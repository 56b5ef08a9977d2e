"""Problems found in inputs and parameters, each rendered as one line a user can act on.

A problem names the file, the row as a spreadsheet numbers it (the header is row 1), the column,
the bad value and what was expected. Bad input is collected, never raised one at a time, so that
``alignment validate`` can list everything wrong with a data folder in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# Exit statuses of every command: 0 success (warnings allowed), 1 a notebook failed, 2 bad input.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


@dataclass(frozen=True, order=True)
class Problem:
    """One problem or warning about an input file.

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
