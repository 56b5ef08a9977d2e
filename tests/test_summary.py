"""The conclusion first: the review's outlook, its risks, and the executive summary of the index page."""

from __future__ import annotations

from dataclasses import replace

import pytest

from alignment.engine.plan import build_plan
from alignment.engine.views import target_growth
from alignment.loading import load_checked
from alignment.money import short_money, to_cents
from alignment.paths import SAMPLE_PARAMS
from alignment.practices import report_card as rc
from alignment.practices import review as rv
from alignment.report.summary import executive_summary


@pytest.fixture(scope="module")
def sample():
    params, inputs, _ = load_checked(SAMPLE_PARAMS)
    plan = build_plan(inputs, params)
    review = rv.monthly_review(plan.monthly_objectives, inputs, params)
    return params, inputs, plan, review


class TestYearOutlook:
    def test_the_sample_misses_t_prime_and_says_what_november_and_december_must_bring(self, sample) -> None:
        params, inputs, plan, review = sample
        o = rv.year_outlook(review, plan.padded_target, params)
        assert to_cents(o["forecast"]) == 6_506_851_602
        assert to_cents(o["padded_target"]) == 6_649_920_854
        assert to_cents(o["forecast_gap"]) == 6_506_851_602 - 6_649_920_854  # -1,430,692.52
        assert to_cents(o["remaining_needed"]) == 6_649_920_854 - to_cents(o["ytd_actual"])
        assert o["remaining_months"] == ["2026-11", "2026-12"]
        assert o["required_run_rate"] == pytest.approx(
            o["remaining_needed"] / o["remaining_objective"], rel=1e-12
        )
        assert round(o["required_run_rate"], 2) == 1.07
        note = rv.outlook_note(o)
        assert "65.07M against T' 66.50M: a miss of 1.43M (-2.2%)" in note
        assert "2026-11 to 2026-12 must bring 16.71M: 107% of their objective" in note

    def test_no_month_left_after_the_review(self, sample) -> None:
        params, inputs, plan, _ = sample
        last = params.with_changes(review=replace(params.review, month="2026-12"))
        review = rv.monthly_review(plan.monthly_objectives, inputs, last)
        o = rv.year_outlook(review, plan.padded_target, last)
        assert o["remaining_months"] == [] and o["required_run_rate"] is None
        assert to_cents(o["remaining_objective"]) == 0
        assert "No month of the year is left" in rv.outlook_note(o)

    def test_year_objective_is_the_objective_to_date_plus_the_later_months(self, sample) -> None:
        _, _, plan, review = sample
        total = rv.review_level(review, "total").iloc[0]
        assert to_cents(total["year_objective"]) == to_cents(plan.monthly_objectives["objective"]).sum()
        assert review.loc[review["period"] == "month", "year_objective"].isna().all()


class TestFlaggedAndRisks:
    def test_the_flagged_table_holds_the_flagged_rows_only(self, sample) -> None:
        _, inputs, _, review = sample
        flagged = rv.flagged_rows(review, inputs)
        assert len(flagged) == int(review["flagged"].sum())
        assert len(flagged) < len(review)
        assert flagged["attainment"].is_monotonic_increasing
        ytd = flagged[flagged["period"] == "ytd"]
        assert ytd["year_objective"].notna().all() and ytd["forecast"].notna().all()

    def test_top_risks_are_the_largest_ytd_shortfalls_with_who_answers(self, sample) -> None:
        _, inputs, _, review = sample
        risks = rv.top_risks(review, inputs)
        assert len(risks) == 3
        assert [r["variance"] for r in risks] == sorted(r["variance"] for r in risks)
        first = risks[0]
        assert (first["level"], first["key"], first["owner"]) == ("channel", "Distributor", "marketing")
        assert to_cents(first["variance"]) == -206_458_671
        owners = [r for r in risks if r["level"] == "account_owner"]
        names = inputs.people.set_index("person_id")["name"]
        assert all(r["owner"] == names[r["key"]] for r in owners)


class TestOverdue:
    def test_unfinished_actions_past_due_are_overdue_with_their_days(self) -> None:
        import pandas as pd

        items = pd.DataFrame(
            {
                "cycle": ["2026-H1"] * 4,
                "need_id": ["N1", "N2", "N3", "N4"],
                "action": ["a", "b", "c", "d"],
                "owner": ["M1"] * 4,
                "due": ["2026-06-30", "2026-11-15", "2026-02", "2026-01-31"],
                "status": ["open", "in_progress", "in_progress", "done"],
            }
        )
        overdue = rc.overdue_actions(items, "2026-10-31")
        assert overdue["need_id"].tolist() == ["N3", "N1"]  # N3 due at the end of February
        assert overdue["days_overdue"].tolist() == [245, 123]


class TestExecutiveSummary:
    def test_lines_from_the_headline_and_the_records(self, sample) -> None:
        params, inputs, plan, review = sample
        outlook = rv.year_outlook(review, plan.padded_target, params)
        records = {
            "review_summary": rv.review_summary(review, outlook, inputs),
            "roles_summary": {"activities": 12, "escalations": 2, "plan_cells": 40, "uncovered_cells": 3},
        }
        headline = {
            "top_down_target": plan.top_down_target,
            "bottom_up_quota": plan.bottom_up_quota,
            "gap": plan.gap,
            "target_growth": target_growth(plan),
        }
        s = executive_summary(headline, records)
        assert s.as_of == "2026-10"
        texts = [line.text for line in s.outlook]
        assert texts[0].startswith("The full-year forecast of 65.07M misses T' (66.50M")
        assert "by 1.43M (-2.2%)" in texts[0]
        assert "must bring 16.71M: 107% of their objective" in texts[1]
        assert len(s.risks) == 3 and s.risks[0].link.startswith("html/05_monthly_review.html#T_flagged_row")
        assert any(line.text.startswith("Roles: 2 of 12 activities") for line in s.practices)
        assert not any(
            line.text.startswith("Report card") for line in s.practices
        )  # its notebook did not run

    def test_a_company_without_a_report_card_is_told_so(self) -> None:
        card = {
            "cycle": "2026-H1",
            "shortfalls": 0,
            "open_actions": 0,
            "overdue_actions": 0,
            "as_of": "2026-10-31",
        }
        none_kept = executive_summary({"report_card_score": None}, {"report_card_summary": card})
        assert [line.text for line in none_kept.practices] == [
            "Report card: none is kept yet; page 04 shows how to start one (the needs and a ratings sheet)."
        ]
        scores = {"marketing": 3.2, "sales": 3.06}
        kept = executive_summary({"report_card_score": scores}, {"report_card_summary": card})
        assert kept.practices[0].text.startswith("Report card 2026-H1: scores received marketing 3.20 / 4")

    def test_nothing_to_say_without_records(self) -> None:
        s = executive_summary({}, {})
        assert s.as_of is None and s.outlook == [] and s.risks == [] and s.practices == []


def test_short_money() -> None:
    assert short_money(16_705_912.87) == "16.71M"
    assert short_money(-384_000) == "-384K"
    assert short_money(12_345) == "12.3K"
    assert short_money(950) == "950"
    assert short_money(2.5e9, "$") == "$2.50B"
    assert short_money(None) == "—"


class TestChannelShifts:
    def test_the_distributor_miss_is_revenue_moved_to_partner(self, sample) -> None:
        params, inputs, plan, review = sample
        shifts = rv.channel_shifts(plan.monthly_objectives, inputs, params)
        top = shifts.iloc[0]
        assert (top["product_name"], top["from_channel"], top["to_channel"]) == (
            "Security Suite",
            "Distributor",
            "Partner",
        )
        assert top["channel_shortfall"] < 0 < top["channel_excess"]
        assert round(top["strategy_share"], 4) == 0.3333 and top["actual_share"] < top["strategy_share"]
        # every shift's from-channel is flagged at the channel level, its to-channel above objective
        channels = rv.review_level(review, "channel").set_index("key")
        assert channels.loc[shifts["from_channel"], "flagged"].all()
        assert (channels.loc[shifts["to_channel"], "variance"] > 0).all()
        note = rv.shifts_note(shifts)
        assert "Security Suite" in note and "00_roles_and_channels.html" in note
        shortfall = short_money(top["channel_shortfall"])
        assert f" {shortfall} against objective" in note  # K/M, no symbol by default
        assert f" {short_money(top['channel_shortfall'], currency='€')} against objective" in rv.shifts_note(
            shifts, currency="€"
        )

    def test_no_shift_when_no_channel_is_flagged(self, sample) -> None:
        params, inputs, plan, _ = sample
        lenient = params.with_changes(review=replace(params.review, flag_below=0.01))
        assert rv.channel_shifts(plan.monthly_objectives, inputs, lenient).empty
        assert rv.shifts_note(rv.channel_shifts(plan.monthly_objectives, inputs, lenient)).startswith(
            "No flagged"
        )

    def test_flagged_rows_show_the_off_strategy_share(self, sample) -> None:
        _, inputs, _, review = sample
        flagged = rv.flagged_rows(review, inputs)
        row = flagged[(flagged["level"] == "account_owner") & (flagged["period"] == "ytd")].iloc[0]
        source = review[
            (review["period"] == "ytd") & (review["level"] == "account_owner") & (review["key"] == row["key"])
        ].iloc[0]
        assert row["off_strategy_share"] == source["off_strategy"] / source["actual"]


def test_overdue_table_names_the_owners_on_the_sample(sample) -> None:
    """Page 04's overdue actions: one owner column, ``Name (id)``, as every table with a person shows."""
    import re

    from alignment.presentation.charts.report_card import styled_table
    from alignment.presentation.tables import Display, names_of, using

    params, inputs, _, _ = sample
    table = rc.overdue_table(inputs.action_items, params.review.month)
    assert (table["days_overdue"] > 0).all() and table["days_overdue"].is_monotonic_decreasing
    assert set(table["status"]) <= {"open", "in_progress"}
    with using(Display(names=names_of(inputs))):
        html = styled_table(table).to_html()
    headers = re.findall(r'<th id="T_\w+_level0_col\d+"[^>]*>([^<]*)</th>', html)
    assert headers == ["Half-year", "Need", "Action", "Owner", "Due", "Status", "Days overdue"]
    names = inputs.people.set_index("person_id")["name"]
    first = table.iloc[0]["owner"]
    assert len(table) > 0 and f">{names[first]} ({first})</td>" in html
