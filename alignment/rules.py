"""The practices' rules that more than one part of the workbook applies, each stated once.

Input validation warns about them, the practices analyse them and the pages show them: all read
them from here, so the rule and its wording cannot drift apart.
"""

from __future__ import annotations

from typing import overload

import pandas as pd

SIDES = ("marketing", "sales")  # the two functions; every person and every report-card need has one
NEEDS_PER_SIDE = 6  # the practice: each side names its 6 critical needs of the other
ACCOUNTABLE = "A"  # the RACI letter of whoever owns an activity's outcome: exactly one per activity


@overload
def other_side(side: str) -> str: ...
@overload
def other_side(side: pd.Series) -> pd.Series: ...
def other_side(side: pd.Series | str) -> pd.Series | str:
    """The side that is not ``side`` (marketing <-> sales)."""
    if isinstance(side, str):
        return "sales" if side == "marketing" else "marketing"
    return side.map({"marketing": "sales", "sales": "marketing"})


@overload
def n_accountable(marketing: str, sales: str) -> int: ...
@overload
def n_accountable(marketing: pd.Series, sales: pd.Series) -> pd.Series: ...
def n_accountable(marketing: pd.Series | str, sales: pd.Series | str) -> pd.Series | int:
    """How many of an activity's two RACI cells hold the Accountable letter (0, 1 or 2)."""
    if isinstance(marketing, str) and isinstance(sales, str):
        return int(ACCOUNTABLE in marketing.upper()) + int(ACCOUNTABLE in sales.upper())
    held = [s.str.upper().str.contains(ACCOUNTABLE, regex=False).astype("int64") for s in (marketing, sales)]
    return held[0] + held[1]


def must_escalate(n: pd.Series | int) -> pd.Series | bool:
    """An activity without exactly one Accountable is a finding to escalate (not bad input)."""
    return n != 1
