"""The notebook manifest: which tables and figures each notebook of the workbook writes, declared once.

The runner merges the figures by it, the tests check every run against it, and a notebook records
its figures with :meth:`alignment.workbook.Workbook.record`, which finds the notebook that owns the
keys here, so no notebook names itself or its file. A figure's owner is the ``notebook`` of its entry
in :data:`alignment.vocabulary.FIGURES`; the other records (data the report needs from a notebook,
such as the allocation by customer group for the comparison page) are declared in :data:`RECORDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from alignment.vocabulary import FIGURES


@dataclass(frozen=True)
class Entry:
    """One notebook of the workbook and what it writes into a report."""

    name: str
    tables: tuple[str, ...] = ()

    @property
    def figures(self) -> tuple[str, ...]:
        """The headline keys this notebook computes (CONTRACT section 7)."""
        return tuple(f.key for f in FIGURES if f.headline and f.notebook == self.name)

    @property
    def records(self) -> tuple[str, ...]:
        """The other records this notebook leaves for the report."""
        return tuple(k for k, owner in RECORDS.items() if owner == self.name)


MANIFEST: tuple[Entry, ...] = (
    Entry("00_roles_and_channels"),
    Entry("01_target_setting", ("targets.csv",)),
    Entry("02_quota_rollup", ("rollup.csv",)),
    Entry("03_gap_allocation", ("final_quotas.csv", "final_quotas.xlsx", "monthly_objectives.csv")),
    Entry("04_report_card", ("report_card_scores.csv", "action_plan.csv")),
    Entry("05_monthly_review", ("monthly_review.csv",)),
    Entry("06_quarterly_celebration", ("celebration.csv",)),
    Entry("07_scenario_explorer"),
    Entry("08_quota_quality"),
)

RECORDS: dict[str, str] = {
    # allocated gap and final quota by customer group: the comparison page's table
    "group_totals": "03_gap_allocation",
    # what each practice tells the executive summary of the index page
    "roles_summary": "00_roles_and_channels",
    "report_card_summary": "04_report_card",
    "review_summary": "05_monthly_review",
    "quarter_summary": "06_quarterly_celebration",
}

BY_NAME: dict[str, Entry] = {e.name: e for e in MANIFEST}


def owner_of(keys: list[str] | tuple[str, ...]) -> Entry:
    """The one notebook that records all of ``keys``.

    Raises
    ------
    KeyError
        For a key no notebook records, or keys of different notebooks recorded together.
    """
    owners = set()
    for key in keys:
        found = [e.name for e in MANIFEST if key in e.figures or key in e.records]
        if not found:
            known = sorted({k for e in MANIFEST for k in (*e.figures, *e.records)})
            raise KeyError(f"record {key!r}: no notebook records it; expected one of {', '.join(known)}")
        owners.update(found)
    if len(owners) != 1:
        raise KeyError(f"record {', '.join(keys)}: keys of different notebooks ({', '.join(sorted(owners))})")
    return BY_NAME[owners.pop()]
