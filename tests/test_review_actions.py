"""Review actions: their checks as an input, their follow-up, the questions for the leader, the sheet's round trip.

The tiny company of ``practice_companies`` (objectives 1000.00 a month for C1/P1 and 500.00 for C2/P2;
flag line 0.90) has, by hand, at period ``month``:

* Enterprise (C1): January 1000/1000 = 1.0, February 900/1000 = 0.9 (not flagged: 0.9 is not under
  0.9), March 0 (flagged);
* SMB, South, S2, Services (C2): 400/500 = 0.8 in January and February, 0 in March: flagged three
  months running;
* Direct: objective 600 + 500 = 1100; February 500 + 300 = 800, 800/1100 = 0.7273;
* off strategy (Online): 0 in January, 100 in February, 0 in March.

The review actions below (review month 2026-03, judged at 2026-03-31) give by hand: A done on time
(2026-02-10 before its due 2026-02-15) on a row now at 0 (not recovered); D done late; B open and 21
days overdue (due 2026-03-10); C due "2026-03" falls due at the month's end (not overdue); E agreed
at this review. Open or in progress: B, C, E = 3; overdue: B = 1. March has 22 flagged rows (11
per period); B, C and E cover three of them, so 19 have no action.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from practice_companies import TINY, tiny_objectives, tiny_params, write_company

from alignment.cli import main
from alignment.inputs import check_folder, load_inputs
from alignment.practices import review as rv
from alignment.practices import review_actions as ra

ACTIONS = """month,period,level,key,action,marketing_owner,sales_owner,due,status,changed_on,superseded_on
2026-01,month,customer_group,Enterprise,Call Acme,M1,S1,2026-02-15,open,2026-01-10,2026-02-10
2026-01,month,customer_group,Enterprise,Call Acme,M1,S1,2026-02-15,done,2026-02-10,
2026-02,month,channel,Direct,Direct push,M2,S2,2026-03-10,open,2026-02-05,
2026-02,ytd,account_owner,S1,Pipeline review,Mia,Sam,2026-03,in_progress,2026-02-05,
2026-01,month,region,South,Bolt visit,M2,S2,2026-01-31,done,2026-02-05,
2026-03,month,product_line,Services,Services offer,M1,S2,2026-04-30,,2026-03-05,
"""


def company(tmp_path: Path, actions: str = ACTIONS, **changes: str) -> Path:
    return write_company(tmp_path / "data", {**TINY, "review_actions": actions, **changes})


def figures(folder: Path, month: str = "2026-03"):
    inputs = load_inputs(folder, fiscal_year=2026)
    params = tiny_params(folder, month=month)
    review = rv.monthly_review(tiny_objectives(), inputs, params)
    history = ra.row_history(tiny_objectives(), inputs, params)
    return inputs, params, review, history


# --------------------------------------------------------------------------- the input


class TestInput:
    def test_the_tiny_actions_load_with_names_or_ids_and_empty_status_as_open(self, tmp_path: Path) -> None:
        inputs = load_inputs(company(tmp_path), fiscal_year=2026)
        assert list(inputs.review_actions["status"]) == [
            "open",
            "done",
            "open",
            "in_progress",
            "done",
            "open",
        ]

    def test_an_owner_of_the_wrong_side_is_an_error_naming_the_row(self, tmp_path: Path) -> None:
        wrong = ACTIONS.replace("Direct push,M2,S2", "Direct push,S2,M2")
        _, problems, _ = check_folder(company(tmp_path, wrong), fiscal_year=2026)
        lines = [p.line() for p in problems]
        assert (
            "review_actions.csv, row 4, column marketing_owner: value 'S2': expected a person of function "
            "marketing (S2 is sales: each side owns its part of a joint action)"
        ) in lines
        assert any(
            line.startswith("review_actions.csv, row 4, column sales_owner: value 'M2'") for line in lines
        )

    def test_a_missing_side_is_a_warning(self, tmp_path: Path) -> None:
        one_sided = ACTIONS.replace("Direct push,M2,S2", "Direct push,,S2")
        inputs, problems, warnings = check_folder(company(tmp_path, one_sided), fiscal_year=2026)
        assert problems == [] and inputs is not None
        assert [w.line() for w in warnings if w.file == "review_actions.csv"] == [
            "warning: review_actions.csv, row 4, column marketing_owner: expected an owner on each side "
            "(the action is not joint: no marketing owner)"
        ]

    def test_a_key_that_does_not_exist_names_the_nearest(self, tmp_path: Path) -> None:
        typo = ACTIONS.replace(
            "customer_group,Enterprise,Call Acme,M1,S1,2026-02-15,done",
            "customer_group,Enterprize,Call Acme,M1,S1,2026-02-15,done",
        )
        _, problems, _ = check_folder(company(tmp_path, typo), fiscal_year=2026)
        assert [p.line() for p in problems] == [
            "review_actions.csv, row 3, column key: value 'Enterprize': expected a customer_group of the monthly "
            "review (did you mean 'Enterprise'?)"
        ]

    def test_a_level_that_does_not_exist_is_an_error(self, tmp_path: Path) -> None:
        bad = ACTIONS.replace("2026-02,month,channel,Direct", "2026-02,month,chanel,Direct")
        _, problems, _ = check_folder(company(tmp_path, bad), fiscal_year=2026)
        assert [(p.row, p.column, p.value) for p in problems] == [(4, "level", "chanel")]


# --------------------------------------------------------------------------- follow-up


class TestFollowUp:
    def test_attainment_by_month_is_the_reviews(self, tmp_path: Path) -> None:
        inputs, params, review, history = figures(company(tmp_path))
        now = history[history["month"] == "2026-03"].drop(columns="month")
        merged = review.merge(now, on=["period", "level", "key"], suffixes=("", "_h"))
        assert len(merged) == len(review) == len(now)
        assert (merged["actual"] == merged["actual_h"]).all() and (
            merged["flagged"] == merged["flagged_h"]
        ).all()

    def test_recovery_and_days_overdue_by_hand(self, tmp_path: Path) -> None:
        inputs, params, review, history = figures(company(tmp_path))
        follow = ra.follow_up(inputs.review_actions, history, params)
        assert list(follow["action"]) == ["Call Acme", "Bolt visit", "Direct push", "Pipeline review"]
        assert list(follow["agreed_attainment"]) == pytest.approx([1.0, 0.8, 800 / 1100, 1900 / 2000])
        assert list(follow["attainment"]) == pytest.approx([0.0, 0.0, 0.0, 1900 / 3000])
        assert list(follow["recovered"]) == [False, False, False, False]
        assert list(follow["days_overdue"]) == [0, 0, 21, 0]
        assert list(follow["done_on"]) == ["2026-02-10", "2026-02-05", "", ""]
        assert list(follow["done_on_time"]) == [True, False, False, False]

    def test_a_row_back_at_the_flag_line_has_recovered(self, tmp_path: Path) -> None:
        inputs, params, review, history = figures(company(tmp_path), month="2026-02")
        follow = ra.follow_up(inputs.review_actions, history, params)
        acme = follow[follow["action"] == "Call Acme"].iloc[0]
        assert acme["attainment"] == pytest.approx(0.9) and bool(
            acme["recovered"]
        )  # 900 / 1000 is not under 0.9

    def test_headline_and_sides(self, tmp_path: Path) -> None:
        inputs, params, review, history = figures(company(tmp_path))
        assert ra.headline(review, inputs.review_actions, params) == {
            "review_actions_open": 3,
            "review_actions_overdue": 1,
            "flagged_without_action": 19,
        }
        sides = ra.by_side(inputs.review_actions, params).set_index("side")
        for side in ("marketing", "sales"):
            assert sides.loc[side].to_dict() == {
                "actions_owned": 5,
                "actions_open": 3,
                "actions_done": 2,
                "actions_done_on_time": 1,
                "actions_overdue": 1,
            }

    def test_without_action_leaves_out_the_rows_with_an_open_action(self, tmp_path: Path) -> None:
        inputs, params, review, history = figures(company(tmp_path))
        rows = ra.without_action(review, inputs.review_actions, params)
        keys = set(zip(rows["period"], rows["level"], rows["key"], strict=True))
        assert len(rows) == int(review["flagged"].sum()) - 3 == 19
        assert {
            ("month", "channel", "Direct"),
            ("ytd", "account_owner", "S1"),
            ("month", "product_line", "Services"),
        }.isdisjoint(keys)
        assert ("month", "customer_group", "Enterprise") in keys  # its action is done, the row still flagged


# --------------------------------------------------------------------------- questions


class TestQuestions:
    def test_the_rules_in_order_at_most_two_of_a_kind_first(self, tmp_path: Path) -> None:
        inputs, params, review, history = figures(company(tmp_path))
        q = ra.leader_questions(review, history, inputs.review_actions, inputs, params)
        assert list(q["kind"]) == [
            "overdue",
            "not_recovered",
            "not_recovered",
            "running",
            "running",
            "no_action",
            "no_action",
            "running",
        ]
        assert q["figure"].iloc[0] == "21 days"
        assert q["link"].iloc[0] == "05_monthly_review.html#T_followup_row2_col0"
        assert q["link"].iloc[1] == "05_monthly_review.html#T_followup_row0_col0"
        running = q[q["kind"] == "running"]["question"].tolist()
        assert running[0].startswith(
            "Account owner Sue (S2) has been flagged 3 months running (2026-01, 2026-02, 2026-03"
        )
        assert running[1].startswith("Customer group SMB has been flagged")
        assert running[2].startswith("Product line Services has been flagged")

    def test_off_strategy_rising_on_the_month_before(self, tmp_path: Path) -> None:
        inputs, params, review, history = figures(company(tmp_path), month="2026-02")
        q = ra.leader_questions(review, history, inputs.review_actions, inputs, params)
        off = q[q["kind"] == "off_strategy"]
        assert list(off["figure"]) == ["+100"]
        assert (
            off["question"]
            .iloc[0]
            .startswith("Off-strategy revenue rose from 0 in 2026-01 to 100 in 2026-02")
        )
        assert off["link"].iloc[0] == "05_monthly_review.html#Off-strategy-revenue-this-year"

    def test_an_owner_far_above_quota(self, tmp_path: Path) -> None:
        actuals = TINY["actuals"] + "2026-03,C1,P1,Direct,2000\n"
        inputs, params, review, history = figures(company(tmp_path, actuals=actuals))
        q = ra.leader_questions(review, history, inputs.review_actions, inputs, params)
        assert len(q) == ra.MAX_QUESTIONS
        easy = ra.leader_questions(review, history, inputs.review_actions.iloc[0:0], inputs, params)
        # S1: 1900 + 2000 = 3900 against 3000 year to date, 130%
        found = easy[easy["kind"] == "easy_quota"]
        assert list(found["figure"]) == ["130%"]
        assert found["question"].iloc[0].startswith("Account owner Sam (S1) is at 130% of quota year to date")

    def test_no_actions_no_flags_no_questions(self, tmp_path: Path) -> None:
        inputs, params, review, history = figures(company(tmp_path))
        empty = ra.leader_questions(
            review[review["flagged"] & False],
            history.assign(flagged=False),
            inputs.review_actions.iloc[0:0],
            inputs,
            params,
        )
        assert empty.empty
        assert "No question" in ra.questions_note(empty)


# --------------------------------------------------------------------------- the sheet's round trip


PARAMS = """data_dir: data
fiscal_year: 2026
review:
  month: {month}
  flag_below: 0.9
celebration:
  quarter: 2026-Q1
"""


def fill(path: Path, rows: dict[int, dict[str, object]], out: Path) -> None:
    """What a note-taker does: open the sheet, type in the action cells, save."""
    book = openpyxl.load_workbook(path)
    ws = book["Review actions"]
    header = [c.value for c in ws[1]]
    for r, values in rows.items():
        for col, value in values.items():
            cell = ws.cell(r, header.index(col) + 1)
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed as text (a leading apostrophe in a spreadsheet)
    book.save(out)


def sheet_rows(path: Path) -> list[tuple]:
    """(month, period, level, key, action) of each row of the sheet."""
    ws = openpyxl.load_workbook(path, read_only=True)["Review actions"]
    rows = list(ws.iter_rows(values_only=True))
    action = rows[0].index("action")
    return [(*r[:4], r[action]) for r in rows[1:] if r[0] and r[1]]


class TestRoundTrip:
    def test_fill_two_actions_collect_and_follow_them_up_next_month(self, tmp_path: Path) -> None:
        """March's sheet (the plan's objectives) with two actions; April's review (1000/500 a month) follows them up.

        By hand at 2026-04: Direct booked 9999 against 1100 (recovered), Partner 0 against 400 (not);
        both rows were at 0 in March; the Direct action due 2026-04-10 is 20 days overdue at 2026-04-30.
        """
        data = company(tmp_path, actions=ACTIONS.split("\n", 1)[0] + "\n")
        (tmp_path / "march.yaml").write_text(PARAMS.format(month="2026-03"), encoding="utf-8")
        (tmp_path / "april.yaml").write_text(PARAMS.format(month="2026-04"), encoding="utf-8")
        sheet = tmp_path / "review.xlsx"
        assert main(["template", "review-actions", str(tmp_path / "march.yaml"), "--out", str(sheet)]) == 0
        rows = sheet_rows(sheet)
        assert {r[0] for r in rows} == {"2026-03"}
        where = {r[1:4]: i + 2 for i, r in enumerate(rows)}
        direct, partner = where[("Month", "Channel", "Direct")], where[("Month", "Channel", "Partner")]
        filled = tmp_path / "filled.xlsx"
        fill(
            sheet,
            {
                direct: {"action": "=Direct push", "marketing_owner": "Max", "sales_owner": "Sue",
                         "due": dt.datetime(2026, 4, 10)},
                partner: {"action": "Partner call", "marketing_owner": "Mia", "sales_owner": "Sue", "status": "done"},
            },
            filled,
        )  # fmt: skip
        into = data / "review_actions.csv"
        assert (
            main(["collect", "review-actions", str(filled), "--into", str(into), "--on", "2026-03-20"]) == 0
        )
        ledger = pd.read_csv(into, dtype=str, keep_default_na=False)
        assert list(ledger["action"]) == ["=Direct push", "Partner call"]
        assert list(ledger["marketing_owner"]) == ["M2", "M1"] and list(ledger["sales_owner"]) == ["S2", "S2"]
        assert list(ledger["due"]) == ["2026-04-10", ""] and list(ledger["changed_on"]) == ["2026-03-20"] * 2
        assert "reason" not in ledger.columns and "expires" not in ledger.columns  # the overrides' columns
        before = into.read_bytes()
        assert (
            main(["collect", "review-actions", str(filled), "--into", str(into), "--on", "2026-03-21"]) == 0
        )
        assert into.read_bytes() == before  # the same sheet twice changes nothing

        inputs, params, review, history = figures(data, month="2026-04")
        follow = ra.follow_up(inputs.review_actions, history, params).set_index("action")
        assert follow.loc["=Direct push", "agreed_attainment"] == 0.0
        assert follow.loc["=Direct push", "attainment"] == pytest.approx(9999 / 1100)
        assert bool(follow.loc["=Direct push", "recovered"])
        assert follow.loc["=Direct push", "days_overdue"] == 20
        assert follow.loc["Partner call", "attainment"] == 0.0 and not follow.loc["Partner call", "recovered"]

        april = tmp_path / "april.xlsx"
        assert main(["template", "review-actions", str(tmp_path / "april.yaml"), "--out", str(april)]) == 0
        earlier = [r for r in sheet_rows(april) if r[0] == "2026-03"]
        assert earlier == [("2026-03", "Month", "Channel", "Direct", "=Direct push")]  # open, brought back
        ws = openpyxl.load_workbook(april)["Review actions"]
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # text stays text

    def test_earlier_actions_come_back_and_only_a_changed_status_is_recorded(self, tmp_path: Path) -> None:
        """March's sheet lists the open actions of January and February (B and C; A and D are done)."""
        data = company(tmp_path)
        (tmp_path / "p.yaml").write_text(PARAMS.format(month="2026-03"), encoding="utf-8")
        sheet = tmp_path / "review.xlsx"
        assert main(["template", "review-actions", str(tmp_path / "p.yaml"), "--out", str(sheet)]) == 0
        earlier = {r[4]: i + 2 for i, r in enumerate(sheet_rows(sheet)) if r[0] != "2026-03"}
        assert list(earlier) == ["Direct push", "Pipeline review"]
        # the note-taker reads the period and level in words; the codes come back into the file
        assert sheet_rows(sheet)[earlier["Pipeline review"] - 2][:4] == (
            "2026-02",
            "Year to date",
            "Account owner",
            "S1",
        )
        assert not {r[1] for r in sheet_rows(sheet)} & {"ytd", "month"}
        assert not {r[2] for r in sheet_rows(sheet)} & {"account_owner", "customer_group", "channel"}
        into = data / "review_actions.csv"
        before = into.read_bytes()
        assert main(["collect", "review-actions", str(sheet), "--into", str(into), "--on", "2026-03-20"]) == 0
        assert into.read_bytes() == before  # "Mia" and M1 are the same person: nothing changed
        header = before.split(b"\n", 1)[0]
        filled = tmp_path / "filled.xlsx"
        fill(sheet, {earlier["Pipeline review"]: {"status": "done"}}, filled)
        assert (
            main(["collect", "review-actions", str(filled), "--into", str(into), "--on", "2026-03-20"]) == 0
        )
        ledger = pd.read_csv(into, dtype=str, keep_default_na=False)
        pipeline = ledger[ledger["action"] == "Pipeline review"]
        assert list(pipeline["status"]) == ["in_progress", "done"]
        assert set(zip(pipeline["period"], pipeline["level"], strict=True)) == {("ytd", "account_owner")}
        assert list(pipeline["superseded_on"]) == ["2026-03-20", ""]
        # the file keeps its own columns, in its order; only review_actions' own columns are added
        now = into.read_bytes().split(b"\n", 1)[0].decode().split(",")
        assert now[: len(header.split(b","))] == header.decode().split(",")
        assert now[len(header.split(b",")) :] == ["note", "changed_by"]
        assert list(pipeline["marketing_owner"]) == ["Mia", "Mia"]  # the ledger's own spelling is kept
        assert len(ledger) == len(ACTIONS.strip().splitlines()) - 1 + 1

    def test_a_wrong_side_owner_is_refused_and_nothing_is_written(self, tmp_path: Path, capsys) -> None:
        data = company(tmp_path)
        (tmp_path / "p.yaml").write_text(PARAMS.format(month="2026-03"), encoding="utf-8")
        sheet, filled = tmp_path / "review.xlsx", tmp_path / "filled.xlsx"
        assert main(["template", "review-actions", str(tmp_path / "p.yaml"), "--out", str(sheet)]) == 0
        fill(sheet, {2: {"action": "Swap", "marketing_owner": "Sam", "sales_owner": "Sue"}}, filled)
        into = data / "review_actions.csv"
        before = into.read_bytes()
        capsys.readouterr()
        assert (
            main(["collect", "review-actions", str(filled), "--into", str(into), "--on", "2026-03-20"]) == 2
        )
        err = capsys.readouterr().err
        assert (
            "filled.xlsx, sheet Review actions, row 2, column marketing_owner: value 'Sam': expected a person of "
            "function marketing (Sam is sales" in err
        )
        assert into.read_bytes() == before

    def test_a_changed_level_is_refused_naming_it_in_words(self, tmp_path: Path, capsys) -> None:
        data = company(tmp_path)
        (tmp_path / "p.yaml").write_text(PARAMS.format(month="2026-03"), encoding="utf-8")
        sheet, filled = tmp_path / "review.xlsx", tmp_path / "filled.xlsx"
        assert main(["template", "review-actions", str(tmp_path / "p.yaml"), "--out", str(sheet)]) == 0
        row = next(i + 2 for i, r in enumerate(sheet_rows(sheet)) if r[2] == "Channel")
        fill(sheet, {row: {"level": "Region", "action": "Call", "marketing_owner": "Mia"}}, filled)
        capsys.readouterr()
        into = data / "review_actions.csv"
        assert (
            main(["collect", "review-actions", str(filled), "--into", str(into), "--on", "2026-03-20"]) == 2
        )
        assert (
            f"filled.xlsx, sheet Review actions, row {row}, column level: value 'Region': expected 'Channel', "
            "as written (the row's ids are locked)" in capsys.readouterr().err
        )

    def test_the_sheet_is_not_written_over_a_file_it_did_not_write(self, tmp_path: Path) -> None:
        company(tmp_path)
        (tmp_path / "p.yaml").write_text(PARAMS.format(month="2026-03"), encoding="utf-8")
        mine = tmp_path / "notes.xlsx"
        mine.write_bytes(b"mine")
        assert main(["template", "review-actions", str(tmp_path / "p.yaml"), "--out", str(mine)]) == 2
        assert mine.read_bytes() == b"mine"

    def test_template_and_collect_do_not_import_altair(self, tmp_path: Path) -> None:
        import subprocess
        import sys

        company(tmp_path)
        (tmp_path / "p.yaml").write_text(PARAMS.format(month="2026-03"), encoding="utf-8")
        code = (
            "import sys\nfrom alignment.cli import main\n"
            f"main(['template', 'review-actions', {str(tmp_path / 'p.yaml')!r}, '--out', {str(tmp_path / 's.xlsx')!r}])\n"
            f"main(['collect', 'review-actions', {str(tmp_path / 's.xlsx')!r}, '--into', {str(tmp_path / 'r.csv')!r}])\n"
            "print('altair' in sys.modules)"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.strip().splitlines()[-1] == "False"


def test_lessons_note_is_empty_when_no_action_closed_so_the_page_says_it_once() -> None:
    closed = pd.DataFrame({"status": ["done", "dropped", "done"], "recovered": [True, False, False]})
    assert ra.lessons_note(closed.iloc[0:0], "2026-Q3") == ""
    note = ra.lessons_note(closed, "2026-Q3")
    assert note.startswith("**3 review actions closed in 2026-Q3**: 2 done, 1 dropped")
    assert "1 of 2 recovered" in note
