"""The workbook's vocabulary: what each column and each figure is called, what kind of number it holds.

One name means one figure. Every table a reader sees (notebook tables, HTML pages, the index, the
quota book, the explorer) takes its column labels and number formats from :data:`COLUMNS`, and every
named figure (the headline keys of CONTRACT section 7 and the plan's own totals) its label and format
from :data:`FIGURES`. CSV outputs keep the contract's column names; only what is shown is labelled.

This module is plain data (no pandas), so every floor of the package may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "money", "percent", "ratio", "weight", "score", "trend", "delta", "count", "flag", "text", "date", "code"
]
#: What an id column refers to: a shown table writes the name beside the id (``Hannah Keller (S001)``).
Entity = Literal["person", "product", "customer"]


@dataclass(frozen=True)
class Column:
    """A column as a reader sees it: its label and the kind of value it holds."""

    label: str
    kind: Kind = "text"
    of: Entity | None = None  # the column holds ids of this entity


@dataclass(frozen=True)
class Figure:
    """A named figure of the run.

    Attributes
    ----------
    key : str
        Its key in ``headline.json`` (contract keys) or in the plan's figures.
    label : str
        The one label it carries on every page and file.
    kind : Kind
        How its value is formatted.
    notebook : str or None
        The notebook that computes it in a run (``None``: a plan figure no notebook records).
    headline : bool
        Whether it is one of the contract's headline keys (CONTRACT section 7).
    meaning : str
        One sentence saying what it is, in the contract's terms.
    """

    key: str
    label: str
    kind: Kind
    notebook: str | None
    headline: bool
    meaning: str


FIGURES: tuple[Figure, ...] = (
    Figure("top_down_target", "Top-down target (T)", "money", "01_target_setting", True,
           "marketing's target for the year: prior-year revenue of every cell grown by its rule"),
    Figure("padded_target", "Target with over-assignment (T')", "money", None, False,
           "T x (1 + over_assignment), rounded to the cent: what the final quotas add up to"),
    Figure("bottom_up_quota", "Bottom-up quota (Q)", "money", "02_quota_rollup", True,
           "the sum of the quotas sales committed to, customer by customer"),
    Figure("locked_adjustment", "Locked overrides (final - committed)", "money", None, False,
           "the net change of the quotas sales locked by hand, against their committed quota"),
    Figure("gap", "Gap to allocate (G; negative = surplus)", "money", "03_gap_allocation", True,
           "T' - Q - the locked overrides' change: what the allocation shares out"),

    Figure("final_quota_total", "Final quotas, total", "money", "03_gap_allocation", True,
           "the sum of every row's final quota: T' unless G <= 0 or something is unallocated"),
    Figure("unallocated", "Unallocated (nobody could take it)", "money", "03_gap_allocation", True,
           "the part of G that no row with weight had room for"),
    Figure("report_card_score", "Report-card score received", "score", "04_report_card", True,
           "the mean score each side received from the other side's raters in the cycle (A=4, B=3, C=2, F=0)"),
    Figure("ytd_objective", "Objective, year to date", "money", "05_monthly_review", True,
           "the monthly objectives (phased from the final quotas) of the fiscal year up to the review month"),
    Figure("ytd_actual", "Actual, year to date", "money", "05_monthly_review", True,
           "booked revenue of the fiscal year up to the review month"),
    Figure("ytd_attainment", "Attainment, year to date", "percent", "05_monthly_review", True,
           "actual / objective, year to date"),
    Figure("forecast", "Forecast for the year", "money", "05_monthly_review", True,
           "actual to date + the later months' objective x attainment to date"),
    Figure("off_strategy_ytd", "Off-strategy revenue, year to date", "money", "05_monthly_review", True,
           "revenue of the year to date in (product, channel) pairs the channel strategy does not list"),
    Figure("target_growth", "Target growth over the prior year", "percent", "01_target_setting", True,
           "T / prior-year revenue - 1: how much more the target asks than last year brought"),
    Figure("forecast_gap", "Forecast against T' (negative = a miss)", "money", "05_monthly_review", True,
           "the forecast for the year less T', the target the final quotas add up to"),
    Figure("allocated_from_gap", "Allocated from the gap", "money", "03_gap_allocation", True,
           "what the unlocked rows took of the gap G (G less what is unallocated)"),
    Figure("change_from_committed", "Change from committed (final quotas - Q)", "money", "03_gap_allocation", True,
           "every row's final quota less its committed quota, locked rows included: allocated from the gap plus "
           "the locked overrides' change"),
    Figure("overrides_active", "Overrides in force (quotas locked by hand)", "count", "03_gap_allocation", True,
           "rows of the overrides ledger in force for the plan year: not superseded, not expired"),
    Figure("overrides_net_effect", "Net effect of the overrides on the locked rows", "money", "03_gap_allocation",
           True, "what the locks added to their rows, against the quotas the rows would have had unlocked"),
    Figure("required_run_rate", "Required run rate, rest of the year", "percent", "05_monthly_review", True,
           "what the months after the review month must bring (T' - actual to date) as a share of their objective"),
    Figure("share_at_quota_last_year", "Owners at quota last year (back-test)", "percent", "08_quota_quality", True,
           "the share of account owners with a quota last year (prior_quotas) whose actuals reached 100% of it"),
    Figure("share_at_quota_replayed", "Owners at quota, proposed plan replayed on last year", "percent",
           "08_quota_quality", True,
           "the share of account owners whose proposed quota last year's actuals would have reached"),
    Figure("report_card_raters", "Report-card raters per side", "count", "04_report_card", True,
           "how many of the other side's people graded each side in the cycle: a score resting on fewer than 3 is marked"),
    Figure("replan_original_total", "Original plan, year total (T')", "money", None, False,
           "the published plan's final quotas, summed: the plan version"),
    Figure("replan_target", "Re-planned year's total", "money", None, False,
           "what the working version adds up to: T', or replan.target where it is set"),
    Figure("replan_past_objective", "Objective of the months past", "money", None, False,
           "the months up to the review month keep their objectives"),
    Figure("replan_booked", "Booked to date (re-plan)", "money", None, False,
           "revenue booked in the fiscal year up to the review month, by the re-plan's rows"),
    Figure("replan_forecast", "Forecast by each owner's attainment (re-plan)", "money", None, False,
           "booked to date + each row's later objective x its owner's attainment to date; the review's forecast "
           "applies the company's attainment instead"),
    Figure("replan_rest_target", "Rest of the year to re-plan", "money", None, False,
           "the re-planned total less the objective of the months past"),
    Figure("replan_gap", "Re-plan gap to allocate", "money", None, False,
           "the rest of the year's target less what the rows bring at their owners' pace: what the re-plan shares out"),
    Figure("replan_placed", "Re-plan allocated", "money", None, False, "the part of the re-plan gap rows took"),
    Figure("replan_unallocated", "Re-plan unallocated", "money", None, False,
           "the part of the re-plan gap no row had room for"),
    Figure("replan_replanned_total", "Working version, year total", "money", None, False,
           "the re-planned quotas, summed"),
    Figure("review_actions_open", "Review actions open", "count", "05_monthly_review", True,
           "joint actions of the monthly reviews up to the review month still open or in progress"),
    Figure("review_actions_overdue", "Review actions overdue", "count", "05_monthly_review", True,
           "open or in-progress review actions whose due date lies before the end of the review month"),
    Figure("flagged_without_action", "Flagged rows without an action", "count", "05_monthly_review", True,
           "rows flagged in the review month with no open action and none agreed at this review"),
)  # fmt: skip

FIGURE_BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}
HEADLINE_KEYS: tuple[str, ...] = tuple(f.key for f in FIGURES if f.headline)


def figure(key: str) -> Figure:
    """The registered figure ``key``; a ``KeyError`` naming the known keys otherwise."""
    try:
        return FIGURE_BY_KEY[key]
    except KeyError:
        raise KeyError(f"figure {key!r}: expected one of {', '.join(FIGURE_BY_KEY)}") from None


_M, _P, _R, _W, _S, _T, _N, _F, _D = (
    "money",
    "percent",
    "ratio",
    "weight",
    "score",
    "trend",
    "count",
    "flag",
    "date",
)

COLUMNS: dict[str, Column] = {
    # keys and names
    "customer_id": Column("Customer", of="customer"), "customer_name": Column("Customer name"),
    "customer_group": Column("Customer group"), "region": Column("Region"),
    "account_owner": Column("Account owner", of="person"), "name": Column("Name"), "key": Column("Key"),
    "level": Column("Level", "code"), "product_id": Column("Product", of="product"), "product_name": Column("Product name"),
    "product_line": Column("Product line"), "channel": Column("Channel"), "month": Column("Month"),
    "period": Column("Period", "code"), "figure": Column("Figure"), "value": Column("Value"),
    "step": Column("Step"), "kind": Column("Kind"), "order": Column("Order", _N),
    "person_id": Column("Person", of="person"), "function": Column("Function"), "team": Column("Team"),
    "activity": Column("Activity"), "marketing": Column("Marketing"), "sales": Column("Sales"),
    "problem": Column("Problem"), "owner_name": Column("Owner name"),
    "accountable": Column("Accountable"), "n_accountable": Column("Accountable (count)", _N),
    "escalate": Column("Escalate", _F), "finding": Column("Finding"), "on_strategy": Column("On strategy", _F),
    # the plan (money)
    "target": Column("Target", _M), "padded_target": Column("Padded target", _M),
    "prior_revenue": Column("Prior-year revenue", _M), "base": Column("Base (prior year, >= 0)", _M),
    "unscaled_target": Column("Target before scaling to the total", _M), "change": Column("Change", _M),
    "committed": Column("Committed", _M), "potential": Column("Potential", _M), "gap": Column("Target - committed", _M),
    "excess": Column("Committed above potential", _M), "locked_adjustment": Column("Locked overrides", _M),
    "group_gap": Column("Group gap", _M), "first_share": Column("First share of the gap", _M),
    "capacity": Column("Capacity (share of a full year)", _P),
    "allocated_from_gap": Column("Allocated from the gap", _M), "change_from_committed": Column("Change from committed", _M),
    "without_lock": Column("Quota without the lock", _M), "with_lock": Column("Quota with the lock", _M),
    "given_up": Column("Given up by other rows", _M), "rows_moved": Column("Rows moved", _N),
    "without_overrides": Column("Without any override", _M), "with_overrides": Column("With the overrides", _M),
    "in_force": Column("In force", _F), "row": Column("Row", _N), "reason": Column("Reason"),
    "changed_by": Column("Changed by", of="person"), "changed_on": Column("Changed on", _D), "expires": Column("Expires"),
    "superseded_on": Column("Superseded on", _D), "locked_customer": Column("Locked customer", of="customer"),
    "locked_product": Column("Locked product", of="product"), "placed": Column("Placed", _M),
    "allocated": Column("Final quota - committed", _M), "final_quota": Column("Final quota", _M),
    "room": Column("Room", _M), "unrounded": Column("Share before rounding", _M),
    "amount": Column("Amount", _M), "start": Column("From", _M), "end": Column("To", _M),
    "total": Column("Total", _M),
    "lock_customer_id": Column("Locked row: customer", of="customer"),
    "lock_product_id": Column("Locked row: product", of="product"),
    # the plan (shares and weights)
    "growth": Column("Growth", _P), "share_of_line": Column("Share of the line", _P),
    "share": Column("Share", _P), "committed_to_potential": Column("Committed / potential", _P),
    "committed_to_target": Column("Committed / target", _P), "coverage_after": Column("Final quota / padded target", _P),
    "quota_to_potential": Column("Final quota / potential", _P), "weight_share": Column("Share of group weight", _P),
    "share_of_gap": Column("Share of the gap", _P), "weight": Column("Weight", _W),
    "fill_level": Column("Fill level", _R),
    "rows": Column("Rows", _N), "unlocked_rows": Column("Unlocked rows", _N), "capped_rows": Column("Capped rows", _N),
    "rows_above_potential": Column("Rows above potential", _N),
    "capped": Column("Capped", _F), "locked": Column("Locked", _F), "above_potential": Column("Above potential", _F),
    # the review
    "objective": Column("Objective", _M), "actual": Column("Actual", _M), "variance": Column("Variance", _M),
    "attainment": Column("Attainment", _P), "forecast": Column("Forecast", _M), "flagged": Column("Flagged", _F),
    "off_strategy": Column("Off-strategy revenue", _M), "off_strategy_share": Column("Off-strategy share", _P),
    "revenue": Column("Revenue", _M), "share_of_variance": Column("Share of the variance", _P),
    "target_share": Column("Strategy share", _P), "actual_share": Column("Actual share", _P),
    "share_gap": Column("Actual - strategy share", _P), "strategy_share": Column("Strategy share of the channel", _P),
    "from_channel": Column("Below objective"), "to_channel": Column("Above objective"),
    "channel_shortfall": Column("Below objective by", _M), "channel_excess": Column("Above objective by", _M),
    "month_objective": Column("Objective, month", _M), "month_actual": Column("Actual, month", _M),
    "month_variance": Column("Variance, month", _M), "month_attainment": Column("Attainment, month", _P),
    "ytd_variance": Column("Variance, year to date", _M), "year_objective": Column("Objective, full year", _M),
    "ytd_objective": Column("Objective, year to date", _M), "ytd_actual": Column("Actual, year to date", _M),
    "ytd_attainment": Column("Attainment, year to date", _P), "off_strategy_ytd": Column("Off strategy, year to date", _M),
    "marketing_owner": Column("Marketing owner", of="person"), "sales_owner": Column("Sales owner", of="person"),
    # the report card
    "cycle": Column("Half-year"), "need_id": Column("Need"), "rated_side": Column("Side graded"),
    "graded_by": Column("Graded by"), "description": Column("Need description"), "needed_by": Column("Needed by"),
    "score": Column("Score", _S), "grade": Column("Grade"), "n_raters": Column("Raters", _N),
    "self_score": Column("Self score", _S), "n_self_raters": Column("Self raters", _N),
    "perception_gap": Column("Gap (self − other)", "delta"), "previous_score": Column("Previous", _S),
    "trend": Column("Trend", _T), "shortfall": Column("Shortfall", _F), "blind_spot": Column("Blind spot", _F),
    "importance": Column("Importance", _S), "quadrant": Column("Quadrant"), "action_cycle": Column("Action of"),
    "action": Column("Action"), "owner": Column("Owner", of="person"), "due": Column("Due", _D), "status": Column("Status", "code"),
    "done": Column("Done", _F), "moved": Column("Score moved", _T), "improved": Column("Improved", _F),
    "carried_over": Column("Carried over", _F), "n_needs": Column("Needs", _N), "n_scored": Column("Graded", _N),
    "n_shortfalls": Column("Shortfalls", _N), "comments": Column("Comments"), "need": Column("Need and description"),
    # the celebration
    "quarter": Column("Quarter"), "title": Column("Title"), "members": Column("Members"),
    "functions": Column("Functions"), "mixed_team": Column("Mixed team", _F),
    "revenue_impact": Column("Revenue impact", _M), "lesson": Column("Lesson"),
    # quota quality and the re-plan
    "with_quota": Column("With a quota", _N), "at_quota": Column("Share at quota", _P),
    "at_threshold": Column("Share at threshold", _P), "at_excellence": Column("Share at excellence", _P),
    "below_threshold": Column("Below threshold", _N), "quota_error": Column("Quota error", _P),
    "gini": Column("Gini coefficient", _R), "median": Column("Median attainment", _P), "measure": Column("Measure"),
    "share_of_owners": Column("Share of owners", _P), "guideline_low": Column("Guideline from", _P),
    "guideline_high": Column("Guideline to", _P), "verdict": Column("Verdict"), "quota": Column("Quota", _M),
    "proposed_quota": Column("Proposed quota", _M), "replayed_attainment": Column("Attainment, replayed", _P),
    "made_it": Column("Made it", _F), "revenue_before": Column("Revenue, the year before", _M),
    "revenue_growth": Column("Revenue growth", _P), "growth_asked": Column("Growth asked", _P),
    "last_year_quota": Column("Last year's quota", _M), "quota_change": Column("Quota change", _P),
    "called_out": Column("Called out", _F), "start_month": Column("Start month"), "ramp_months": Column("Ramp months", _N),
    "share_of_quota": Column("Share of quota", _P), "share_of_capacity": Column("Share of capacity", _P),
    "quota_per_capacity": Column("Quota per capacity", _M), "capacity_share": Column("Capacity", _P),
    "original_quota": Column("Original quota", _M), "booked": Column("Booked", _M),
    "past_objective": Column("Objective, months past", _M), "rest_objective": Column("Objective, months left", _M),
    "forecast_rest": Column("Forecast, months left", _M), "rest_quota": Column("Quota, months left", _M),
    "days_overdue": Column("Days overdue", _N),
    # the review's joint actions
    "agreed_attainment": Column("Attainment when agreed", _P), "recovered": Column("Recovered", _F),
    "done_on": Column("Done on", _D), "done_on_time": Column("Done on time", _F), "closed_on": Column("Closed on", _D),
    "note": Column("Note"), "side": Column("Side"), "actions_owned": Column("Actions owned", _N),
    "actions_open": Column("Actions open", _N), "actions_done": Column("Actions done", _N),
    "actions_done_on_time": Column("Actions done on time", _N), "actions_overdue": Column("Actions overdue", _N),
    "question": Column("Question"),
    # where the inputs came from
    "input": Column("Input"), "from": Column("Comes from"), "source": Column("Source"), "detail": Column("Detail"),
    "rows read": Column("Rows read", _N), "rows kept": Column("Rows kept", _N),
    "rows after summing": Column("Rows after summing", _N), "successes": Column("Successes", _N), "recognised_for": Column("Recognised for"),
    "mixed_successes": Column("In mixed teams", _N), "count": Column("Count", _N), "people": Column("People", _N),
    "accounts": Column("Accounts owned", _N), "accounts_booked": Column("Their accounts booked in the quarter", _M),
}  # fmt: skip


#: Words for codes a table holds (``level``, ``period``, ``status``) that are not column names.
CODE_WORDS: dict[str, str] = {
    "ytd": "Year to date", "month": "Month", "total": "Total", "channel": "Channel", "region": "Region",
}  # fmt: skip


def code_words(value: str) -> str:
    """A code as a reader sees it: ``customer_group`` -> ``Customer group``, ``in_progress`` -> ``in progress``."""
    if value in CODE_WORDS:
        return CODE_WORDS[value]
    if "_" in value and value in COLUMNS:  # a level: the name of a column
        return COLUMNS[value].label
    return value.replace("_", " ")


def column(name: str) -> Column:
    """The column ``name`` as a reader sees it; an unregistered name is labelled from its words, as text."""
    return COLUMNS.get(name) or Column(str(name).replace("_", " ").capitalize())


def label(name: str) -> str:
    """The label of a column."""
    return column(name).label
