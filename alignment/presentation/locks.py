"""Page 03's last section: the quotas locked by hand, what each did to everyone else, and their history.

:func:`lock_section` computes :func:`alignment.engine.lock_effects.lock_effects` for the plan, writes
its files when the run writes tables, and returns the tables the notebook shows:

- ``tables/overrides_in_force.csv``: one row per override in force, with the effect of its lock
  (``alignment diff`` reads it to list new and ended overrides);
- ``tables/quota_books/<owner>.xlsx``: each account owner's own quota book, with the ``new_quota``
  and ``reason`` cells that ``alignment collect overrides`` reads back;
- the headline part ``overrides_active``, ``overrides_net_effect``, ``allocated_from_gap`` and
  ``change_from_committed`` (the two meanings of "allocated", named apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from pandas.io.formats.style import Styler

from alignment.engine.lock_effects import LockEffects, lock_effects
from alignment.ledger import LEDGER_COLUMNS, active_mask
from alignment.money import from_cents, to_cents
from alignment.outputs import write_csv
from alignment.presentation.quota_book import write_owner_books
from alignment.presentation.tables import Note, figures_table, show

if TYPE_CHECKING:
    from alignment.engine.plan import Plan
    from alignment.workbook import Workbook

OVERRIDES_TABLE = "overrides_in_force.csv"
NO_LOCKS = "No quota is locked by hand: the overrides file has no row in force for the plan year, so no row gave anything up."
OWNER_BOOKS = "quota_books"


def allocated_figures(plan: Plan) -> dict[str, float]:
    """The two figures once both called "allocated", named apart, exact to the cent.

    ``allocated_from_gap``: what the unlocked rows took of the gap G (the sum of their
    ``allocated``). ``change_from_committed``: every row's final quota less its committed quota,
    locked rows included (= final quotas - Q).
    """
    fq = plan.final_quotas
    cents = to_cents(fq["allocated"].to_numpy())
    locked = fq["locked"].to_numpy(dtype=bool)
    return {
        "allocated_from_gap": float(from_cents(int(cents[~locked].sum()))),
        "change_from_committed": float(from_cents(int(cents.sum()))),
    }


@dataclass(frozen=True)
class LockSection:
    """What the section shows, and the files it wrote."""

    effects: LockEffects
    figures: dict[str, float]
    history: pd.DataFrame
    written: list[Path]

    def allocated(self) -> Styler | Note:
        """The two figures once both called "allocated", and the locked rows' change between them."""
        figures = {
            **self.figures,
            "locked_adjustment": float(
                from_cents(
                    to_cents(self.figures["change_from_committed"])
                    - to_cents(self.figures["allocated_from_gap"])
                )
            ),
            "overrides_active": self.effects.active,
        }
        return show(
            figures_table(
                figures,
                ["allocated_from_gap", "locked_adjustment", "change_from_committed", "overrides_active"],
            )
        )

    def overrides(self) -> Styler | Note:
        """Each lock in force: the quota it holds, what the row would have had, who gave it up."""
        return show(self.effects.overrides, empty=NO_LOCKS)

    def moves_by_owner(self) -> Styler | Note:
        """Per lock, what each account owner's other rows gained (+) or gave up (-)."""
        return show(self.effects.by_owner, empty=NO_LOCKS)

    def moves_by_group(self) -> Styler | Note:
        """Per lock, what each customer group's other rows gained (+) or gave up (-)."""
        return show(self.effects.by_group, empty=NO_LOCKS)

    def moves(self) -> Styler | Note:
        """Every row that moved because of a lock, the locked rows included."""
        return show(self.effects.moves, empty=NO_LOCKS)

    def without_overrides(self, level: str) -> Styler | Note:
        """The plan without any override beside the plan with them, by ``account_owner`` or ``customer_group``."""
        return show(self.effects.without_overrides[level])

    def ledger(self) -> Styler | Note:
        """The overrides file with its history: who changed what, when and why."""
        return show(
            self.history,
            empty="The overrides ledger is empty: no quota was ever locked by hand in this data folder.",
        )


def ledger_history(overrides: pd.DataFrame, first_month: str) -> pd.DataFrame:
    """The overrides ledger for display: every row, with ``in_force`` and the file's row number."""
    cols = ["customer_id", "product_id", "final_quota", *LEDGER_COLUMNS]
    out = overrides.reindex(columns=cols).copy()
    for col in LEDGER_COLUMNS:
        out[col] = out[col].fillna("").astype("str")
    out.insert(0, "row", (overrides.index.to_numpy() + 2).astype("int64"))
    out["in_force"] = active_mask(overrides, first_month)
    return out.reset_index(drop=True)


def lock_section(plan: Plan, wb: Workbook) -> LockSection:
    """Compute the section's tables and write its files (nothing when the run writes no tables)."""
    effects = lock_effects(plan, wb.inputs)
    figures = allocated_figures(plan)
    written: list[Path] = []
    if wb.report_dir is not None:
        written.append(
            write_csv(
                effects.overrides,
                wb.report_dir / OVERRIDES_TABLE,
                money=("committed", "final_quota", "without_lock", "change", "given_up"),
            )
        )
        written += write_owner_books(plan, wb.report_dir / OWNER_BOOKS)
        part = wb.record(**effects.headline(), **figures)
        if part is not None:
            written.append(part)
    history = ledger_history(wb.inputs.overrides, plan.params.months[0])
    return LockSection(effects=effects, figures=figures, history=history, written=written)


__all__ = ["LockSection", "allocated_figures", "ledger_history", "lock_section"]
