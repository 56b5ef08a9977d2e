"""Notebooks 00, 05 and 06: their form, and their recorded figures when run with papermill.

The runs use the sample company and the tiny company of ``practice_companies``, whose review
month (2026-03) has no actuals, whose sales person S3 owns no customers and whose quarter 2026-Q2
has no wins. Figures are checked from the tables and headline parts the notebooks write, against
sums taken straight from the input files, never from printed text.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from practice_companies import TINY, write_company

from alignment.fiscal import fiscal_months, quarter_months
from alignment.money import to_cents
from alignment.paths import NOTEBOOKS_DIR, SAMPLE_DATA_DIR

NOTEBOOKS = ("00_roles_and_channels", "05_monthly_review", "06_quarterly_celebration")
REVIEW_COLUMNS = [
    "period",
    "level",
    "key",
    "objective",
    "actual",
    "variance",
    "attainment",
    "flagged",
    "action",
    "marketing_owner",
    "sales_owner",
    "due",
]
CELEBRATION_COLUMNS = [
    "quarter",
    "kind",
    "title",
    "members",
    "functions",
    "mixed_team",
    "revenue_impact",
    "lesson",
]

needs_sample = pytest.mark.skipif(
    not (SAMPLE_DATA_DIR / "customers.csv").is_file(), reason="the sample data folder has not been generated"
)


# --------------------------------------------------------------------------- runs


def run(name: str, tmp_path: Path, **parameters: object) -> Path:
    """Execute one notebook with papermill; returns its report folder."""
    import papermill

    report = tmp_path / "report"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / f"{name}.ipynb"),
        str(tmp_path / f"{name}.ipynb"),
        parameters={**parameters, "report_dir": str(report)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    return report


def read_review(report: Path) -> tuple[pd.DataFrame, dict]:
    table = pd.read_csv(report / "monthly_review.csv", dtype=str, keep_default_na=False)
    headline = json.loads((report / ".headline" / "05_monthly_review.json").read_text(encoding="utf-8"))
    return table, headline


def check_review_table(table: pd.DataFrame, people: pd.DataFrame) -> None:
    """Contract rules every monthly_review.csv keeps."""
    assert list(table.columns)[: len(REVIEW_COLUMNS)] == REVIEW_COLUMNS
    assert set(table["period"]) == {"month", "ytd"}
    for col in ("action", "marketing_owner", "sales_owner", "due"):
        assert (table[col] == "").all()
    assert set(table["flagged"]) <= {"true", "false"}
    assert (table.loc[table["attainment"] == "", "flagged"] == "false").all()
    sales = set(people.loc[people["function"].str.lower() == "sales", "person_id"])
    for period in ("month", "ytd"):
        part = table[table["period"] == period]
        total = part[part["level"] == "total"].iloc[0]
        assert sales <= set(part.loc[part["level"] == "account_owner", "key"])
        for level in ("customer_group", "region", "account_owner", "product_line", "channel"):
            rows = part[part["level"] == level]
            for col in ("objective", "actual", "variance"):
                assert to_cents(rows[col].astype(float)).sum() == to_cents(float(total[col])), (
                    period,
                    level,
                    col,
                )


#: The values of the notebooks' parameters cell that drive the plan.
PLAN_DEFAULTS = {
    "target": {
        "growth": 0.10,
        "rules": [
            {"customer_group": "Enterprise", "growth": 0.15},
            {"product_line": "Cloud", "growth": 0.25},
        ],
        "total": None,
        "phasing": "seasonal",
    },
    "allocation": {
        "group_method": "target_gap",
        "group_shares": {},
        "customer_method": "headroom",
        "cap": "potential",
        "rounding": 1000,
        "over_assignment": 0.0,
    },
}


def objectives_by_engine(data_dir: Path, **parameters: object) -> pd.DataFrame:
    """The monthly objectives the planning engine makes with the notebooks' plan parameters."""
    from alignment.engine.plan import build_plan
    from alignment.workbook import open_workbook

    wb = open_workbook(data_dir=str(data_dir), **{**PLAN_DEFAULTS, **parameters})
    return build_plan(wb.inputs, wb.params).monthly_objectives


def off_strategy_by_hand(data_dir: Path, months: list[str]) -> int:
    actuals = pd.read_csv(data_dir / "actuals.csv", dtype=str, keep_default_na=False)
    strategy = pd.read_csv(data_dir / "channel_strategy.csv", dtype=str, keep_default_na=False)
    pairs = set(zip(strategy["product_id"], strategy["channel"], strict=True))
    act = actuals[actuals["month"].isin(months)]
    off = [(p, c) not in pairs for p, c in zip(act["product_id"], act["channel"], strict=True)]
    return int(to_cents(act.loc[off, "revenue"].astype(float)).sum())


# --------------------------------------------------------------------------- the tiny company: the gaps


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_company(tmp_path_factory.mktemp("tiny") / "data", TINY)


TINY_PARAMETERS = {"review": {"month": "2026-03", "flag_below": 0.9}, "celebration": {"quarter": "2026-Q2"}}


@pytest.mark.notebook
@pytest.mark.slow
def test_review_on_the_tiny_company(tmp_path: Path, tiny_dir: Path) -> None:
    """March has no actuals and S3 owns no customers: the review still runs, and its figures are exact."""
    report = run("05_monthly_review", tmp_path, data_dir=str(tiny_dir), **TINY_PARAMETERS)
    table, headline = read_review(report)
    check_review_table(table, pd.read_csv(tiny_dir / "people.csv", dtype=str))
    objectives = objectives_by_engine(tiny_dir, **TINY_PARAMETERS)
    ytd = fiscal_months(2026)[:3]
    objective = int(to_cents(objectives.loc[objectives["month"].isin(ytd), "objective"]).sum())
    rest = int(to_cents(objectives.loc[~objectives["month"].isin(ytd), "objective"]).sum())
    assert to_cents(headline["ytd_objective"]) == objective
    assert headline["ytd_actual"] == 2700.00  # 2026-04's 9999 is after the review month
    assert headline["off_strategy_ytd"] == 100.00
    assert headline["ytd_attainment"] == pytest.approx(270000 / objective)
    assert to_cents(headline["forecast"]) == 270000 + round(rest * 270000 / objective)
    month = table[(table["period"] == "month") & (table["level"] == "total")].iloc[0]
    assert month["actual"] == "0.00"
    assert month["flagged"] == ("true" if float(month["objective"]) > 0 else "false")
    s3 = table[(table["level"] == "account_owner") & (table["key"] == "S3")]
    assert len(s3) == 2 and (s3["objective"] == "0.00").all() and (s3["attainment"] == "").all()
    assert (s3["flagged"] == "false").all()
    # no review_actions file: nothing open or overdue, and every flagged row is without an action
    assert headline["review_actions_open"] == headline["review_actions_overdue"] == 0
    assert headline["flagged_without_action"] == int((table["flagged"] == "true").sum())


@pytest.mark.notebook
@pytest.mark.slow
def test_celebration_on_a_quarter_without_wins(tmp_path: Path, tiny_dir: Path) -> None:
    report = run("06_quarterly_celebration", tmp_path, data_dir=str(tiny_dir), **TINY_PARAMETERS)
    table = pd.read_csv(report / "celebration.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == CELEBRATION_COLUMNS and table.empty
    # no empty table and no empty chart: one sentence each, saying what is empty and why
    executed = nbformat.read(tmp_path / "06_quarterly_celebration.ipynb", as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if "data" in o]
    html = "".join("".join(o["data"].get("text/html", "")) for o in outputs)
    for sentence in (
        "No success or shortcoming is recorded for 2026-Q2: the wins file has no row of the quarter.",
        "The quarter&#x27;s successes and shortcomings: no success or shortcoming of this quarter is in the wins "
        "file.",
        "Heroes by function: nobody is named in a success of this quarter.",
        "No hero in 2026-Q2: nobody is named in a success of the quarter.",
        "Mixed teams: no team is recognised this quarter",
    ):
        assert sentence in html, sentence
    from alignment.presentation.display import VEGALITE_MIMETYPE, empty_chart_note

    charts = [o["data"][VEGALITE_MIMETYPE] for o in outputs if VEGALITE_MIMETYPE in o["data"]]
    assert charts and [empty_chart_note(spec) for spec in charts] == [None] * len(charts)  # none drawn empty


@pytest.mark.notebook
@pytest.mark.slow
def test_roles_on_the_tiny_company(tmp_path: Path, tiny_dir: Path) -> None:
    """Three activities break the one-Accountable rule and one booking is off strategy: the page runs clean."""
    run("00_roles_and_channels", tmp_path, data_dir=str(tiny_dir), **TINY_PARAMETERS)
    executed = nbformat.read(tmp_path / "00_roles_and_channels.ipynb", as_version=4)
    errors = [
        o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []


@pytest.mark.notebook
@pytest.mark.slow
def test_celebration_flags_single_function_recognition(tmp_path: Path, tiny_dir: Path) -> None:
    report = run(
        "06_quarterly_celebration",
        tmp_path,
        data_dir=str(tiny_dir),
        review={"month": "2026-03", "flag_below": 0.9},
        celebration={"quarter": "2026-Q3"},
    )
    table = pd.read_csv(report / "celebration.csv", dtype=str, keep_default_na=False)
    assert list(table["title"]) == ["Big deal", "Webinar"]
    assert list(table["mixed_team"]) == ["false", "false"]
    assert list(table["functions"]) == ["sales", "marketing"]
    assert list(table["members"]) == ["Sam;Sue", "Mia"]


# --------------------------------------------------------------------------- the sample company


@needs_sample
@pytest.mark.notebook
@pytest.mark.slow
def test_review_on_the_sample(tmp_path: Path) -> None:
    report = run("05_monthly_review", tmp_path, data_dir=str(SAMPLE_DATA_DIR))
    table, headline = read_review(report)
    check_review_table(table, pd.read_csv(SAMPLE_DATA_DIR / "people.csv", dtype=str))
    ytd = fiscal_months(2026)[:10]
    actuals = pd.read_csv(SAMPLE_DATA_DIR / "actuals.csv", dtype=str, keep_default_na=False)
    booked = int(to_cents(actuals.loc[actuals["month"].isin(ytd), "revenue"].astype(float)).sum())
    assert to_cents(headline["ytd_actual"]) == booked
    assert to_cents(headline["off_strategy_ytd"]) == off_strategy_by_hand(SAMPLE_DATA_DIR, ytd)
    objectives = objectives_by_engine(SAMPLE_DATA_DIR)
    objective = int(to_cents(objectives.loc[objectives["month"].isin(ytd), "objective"]).sum())
    rest = int(to_cents(objectives.loc[~objectives["month"].isin(ytd), "objective"]).sum())
    assert to_cents(headline["ytd_objective"]) == objective
    assert headline["ytd_attainment"] == pytest.approx(booked / objective)
    assert abs(to_cents(headline["forecast"]) - (booked + rest * booked / objective)) <= 0.5
    flagged = table[table["flagged"] == "true"]
    assert (flagged["attainment"].astype(float) < 0.9).all()
    unflagged = table[(table["flagged"] == "false") & (table["attainment"] != "")]
    assert (unflagged["attainment"].astype(float) >= 0.9).all()
    # review_actions.csv by hand: S002's plans (in progress, due 2026-09-30), the Distributor kit (open, due
    # 2026-10-15) and the Software brief (open, due 2026-11-15) are unfinished; the first two are overdue at
    # 2026-10-31. Their rows cover the flagged rows of the review that have an action.
    ledger = pd.read_csv(SAMPLE_DATA_DIR / "review_actions.csv", dtype=str, keep_default_na=False)
    current = ledger[ledger["superseded_on"] == ""]
    unfinished = current[current["status"].isin(["open", "in_progress"])]
    assert headline["review_actions_open"] == len(unfinished) == 3
    assert headline["review_actions_overdue"] == int((unfinished["due"] < "2026-10-31").sum()) == 2
    covered = set(zip(unfinished["period"], unfinished["level"], unfinished["key"], strict=True))
    without = [r for r in flagged.itertuples(index=False) if (r.period, r.level, r.key) not in covered]
    assert headline["flagged_without_action"] == len(without) == len(flagged) - 2


@needs_sample
@pytest.mark.notebook
@pytest.mark.slow
def test_celebration_on_the_sample(tmp_path: Path) -> None:
    report = run("06_quarterly_celebration", tmp_path, data_dir=str(SAMPLE_DATA_DIR))
    table = pd.read_csv(report / "celebration.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == CELEBRATION_COLUMNS
    wins = pd.read_csv(SAMPLE_DATA_DIR / "wins.csv", dtype=str, keep_default_na=False)
    wins = wins[wins["quarter"] == "2026-Q3"]
    assert set(table["quarter"]) == {"2026-Q3"} and len(table) == len(wins)
    assert sorted(table["title"]) == sorted(wins["title"])
    people = pd.read_csv(SAMPLE_DATA_DIR / "people.csv", dtype=str, keep_default_na=False).set_index(
        "person_id"
    )
    for _, win in wins.iterrows():
        out = table[table["title"] == win["title"]].iloc[0]
        members = [m.strip() for m in win["member_ids"].split(";") if m.strip()]
        functions = set(people.loc[members, "function"].str.lower())
        assert out["members"] == ";".join(people.loc[members, "name"])
        assert out["mixed_team"] == ("true" if functions == {"marketing", "sales"} else "false")
        assert to_cents(float(out["revenue_impact"])) == to_cents(float(win["revenue_impact"]))
    assert quarter_months("2026-Q3") == ["2026-07", "2026-08", "2026-09"]


@needs_sample
@pytest.mark.notebook
@pytest.mark.slow
def test_roles_on_the_sample(tmp_path: Path) -> None:
    run("00_roles_and_channels", tmp_path, data_dir=str(SAMPLE_DATA_DIR))
    executed = nbformat.read(tmp_path / "00_roles_and_channels.ipynb", as_version=4)
    errors = [
        o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
