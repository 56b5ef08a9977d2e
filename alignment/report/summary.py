"""The executive summary that opens the index page: the conclusion first, in a reader's words.

It is composed from the run's headline figures and the records the notebooks left
(:data:`alignment.manifest.RECORDS`), never from a table read back. Money on these lines is skimmable
(K/M, with the currency symbol of the params file's ``display`` section); full precision stays in the
tables, the CSVs and the quota book. A practice whose notebook did not run (``--only``) or failed has no
line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from alignment.money import short_money
from alignment.vocabulary import column

REVIEW_PAGE = "html/05_monthly_review.html"


@dataclass(frozen=True)
class Line:
    """One sentence of the summary, with an optional link to where its figure comes from."""

    text: str
    link: str | None = None


@dataclass(frozen=True)
class Summary:
    """The summary's parts: the figures' date, the outlook, the top risks and one line per practice."""

    as_of: str | None
    outlook: list[Line] = field(default_factory=list)
    risks: list[Line] = field(default_factory=list)
    practices: list[Line] = field(default_factory=list)


def _pct(value: Any, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def _score(value: Any) -> str:
    return "—" if value is None else f"{value:.2f} / 4"


def outlook_lines(
    headline: Mapping[str, Any], review: Mapping[str, Any] | None, currency: str = ""
) -> list[Line]:
    """The forecast against T', what the rest of the year must bring, and the target's growth."""
    money = partial(short_money, currency=currency)
    lines = []
    if review:
        t, gap = review["padded_target"], review["forecast_gap"]
        share = f" ({gap / t:+.1%})" if t else ""
        verdict = "misses" if gap < 0 else "beats"
        lines.append(
            Line(
                f"The full-year forecast of {money(review['forecast'])} {verdict} T' "
                f"({money(t)}, the target the final quotas add up to) by {money(abs(gap))}{share}.",
                REVIEW_PAGE,
            )
        )
        months, rate = review["remaining_months"], review["required_run_rate"]
        if months and rate is not None:
            span = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
            lines.append(
                Line(
                    f"To reach T', {span} must bring {money(review['remaining_needed'])}: {rate:.0%} of "
                    f"their objective of {money(review['remaining_objective'])}.",
                    REVIEW_PAGE,
                )
            )
    growth, target = headline.get("target_growth"), headline.get("top_down_target")
    if target is not None:
        grow = f", {_pct(growth, signed=True)} on the prior year's revenue" if growth is not None else ""
        lines.append(
            Line(f"Marketing's top-down target is {money(target)}{grow}.", "html/01_target_setting.html")
        )
    return lines


def risk_lines(review: Mapping[str, Any] | None, currency: str = "") -> list[Line]:
    """The review's largest risks, each with its figure, who answers for it and a link to its row."""
    money = partial(short_money, currency=currency)
    out = []
    for risk in (review or {}).get("risks", []):
        what = f"{column(risk['level']).label} {risk['key']}"
        if risk["level"] == "account_owner":
            what = f"Account owner {risk['owner']} ({risk['key']})"
        owner = (
            f"owner {risk['owner']}"
            if risk["level"] == "account_owner"
            else f"{risk['owner']} answers for it"
        )
        text = (
            f"{what}: {money(risk['variance'])} against objective year to date "
            f"({_pct(risk['attainment'])} attainment), forecast {money(risk['forecast'])} of a "
            f"{money(risk['year_objective'])} full-year objective; {owner}."
        )
        anchor = f"#T_flagged_row{risk['row']}_col0" if risk.get("row") is not None else ""
        out.append(Line(text, REVIEW_PAGE + anchor))
    return out


def practice_lines(headline: Mapping[str, Any], records: Mapping[str, Any], currency: str = "") -> list[Line]:
    """One line per practice whose notebook ran."""
    money = partial(short_money, currency=currency)
    out = []
    roles = records.get("roles_summary")
    if roles:
        out.append(
            Line(
                f"Roles: {roles['escalations']} of {roles['activities']} activities lack exactly one Accountable "
                f"(escalate); {roles['uncovered_cells']} of {roles['plan_cells']} plan cells have no target or no "
                "sales coverage.",
                "html/00_roles_and_channels.html",
            )
        )
    t, q, gap = headline.get("top_down_target"), headline.get("bottom_up_quota"), headline.get("gap")
    if t and q is not None:
        text = f"Quota: sales committed {money(q)} of the {money(t)} target ({q / t:.0%} coverage)"
        if gap is not None:
            text += (
                f"; the gap allocated among the groups is {money(gap)}" if gap > 0 else "; no gap to allocate"
            )
        out.append(Line(text + ".", "html/03_gap_allocation.html"))
    card = records.get("report_card_summary")
    scores = headline.get("report_card_score")
    if card and not scores and not card["open_actions"]:  # no ratings at all: no report card kept yet
        out.append(
            Line(
                "Report card: none is kept yet; page 04 shows how to start one (the needs and a ratings sheet).",
                "html/04_report_card.html",
            )
        )
    elif card:
        given = ", ".join(f"{side} {_score(v)}" for side, v in (scores or {}).items())
        out.append(
            Line(
                f"Report card {card['cycle']}: scores received {given or '—'}; {card['shortfalls']} shortfalls; "
                f"{card['overdue_actions']} of {card['open_actions']} unfinished actions overdue at {card['as_of']}.",
                "html/04_report_card.html",
            )
        )
    review = records.get("review_summary")
    if review:
        out.append(
            Line(
                f"Monthly review {review['month']}: {review['flagged']} of {review['rows']} rows flagged for joint "
                "action.",
                REVIEW_PAGE + "#Flagged-items-for-joint-action",
            )
        )
    quarter = records.get("quarter_summary")
    if quarter:
        mixed = (
            "" if quarter["mixed_share"] is None else f", {quarter['mixed_share']:.0%} of them mixed teams"
        )
        wins = (
            f"{quarter['successes']} successes{mixed}; {quarter['shortcomings']} shortcomings with lessons"
            if quarter["successes"] or quarter["shortcomings"]
            else "no success or shortcoming is recorded for the quarter"  # said once, as the report card's none
        )
        out.append(
            Line(
                f"Celebration {quarter['quarter']}: {_pct(quarter['attainment'])} of the quarter's objective; "
                f"{wins}.",
                "html/06_quarterly_celebration.html",
            )
        )
    return out


def executive_summary(headline: Mapping[str, Any], records: Mapping[str, Any], currency: str = "") -> Summary:
    """The summary of a report from its headline figures and the notebooks' records.

    ``currency``: the symbol of the params file's ``display.currency`` (none by default).
    """
    review = records.get("review_summary")
    return Summary(
        as_of=review["month"] if review else None,
        outlook=outlook_lines(headline, review, currency),
        risks=risk_lines(review, currency),
        practices=practice_lines(headline, records, currency),
    )
