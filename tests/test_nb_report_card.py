"""Notebook 04_report_card: its form, and its figures when run with papermill on the sample and on gaps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from alignment.paths import NOTEBOOKS_DIR, SAMPLE_DATA_DIR

NOTEBOOK = NOTEBOOKS_DIR / "04_report_card.ipynb"
POINTS = {"A": 4, "B": 3, "C": 2, "F": 0}

needs_sample = pytest.mark.skipif(
    not (SAMPLE_DATA_DIR / "report_card_ratings.csv").is_file(),
    reason="the sample data folder has not been generated",
)


# --------------------------------------------------------------------------- runs


def run_notebook(tmp_path: Path, data_dir: Path, cycle: str = "2026-H1") -> Path:
    import papermill

    report = tmp_path / "report"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "04_report_card.ipynb"),
        parameters={"data_dir": str(data_dir), "report_card": {"cycle": cycle}, "report_dir": str(report)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    return report


def read_tables(report: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    scores = pd.read_csv(report / "report_card_scores.csv", dtype=str, keep_default_na=False)
    plan = pd.read_csv(report / "action_plan.csv", dtype=str, keep_default_na=False)
    headline = json.loads((report / ".headline" / "04_report_card.json").read_text(encoding="utf-8"))
    return scores, plan, headline


def by_hand(data_dir: Path, cycle: str) -> dict[str, float | None]:
    """The score each side received, straight from the CSV files: mean over needs of the other side's mean."""
    ratings = pd.read_csv(data_dir / "report_card_ratings.csv", dtype=str, keep_default_na=False)
    needs = pd.read_csv(data_dir / "report_card_needs.csv", dtype=str, keep_default_na=False)
    people = pd.read_csv(data_dir / "people.csv", dtype=str, keep_default_na=False)
    r = (
        ratings[ratings["cycle"] == cycle]
        .merge(needs, on="need_id")
        .merge(people.rename(columns={"person_id": "rater_id"}), on="rater_id")
    )
    r = r[r["function"].str.lower() != r["rated_side"].str.lower()]
    item = (
        r.assign(points=r["grade"].str.upper().map(POINTS))
        .groupby(["rated_side", "need_id"])["points"]
        .mean()
    )
    side = item.groupby(level="rated_side").mean()
    return {s: (float(side[s]) if s in side.index else None) for s in ("marketing", "sales")}


def raters_by_hand(data_dir: Path, cycle: str) -> dict[str, int]:
    """How many people of the other side graded each side in ``cycle``, straight from the CSV files."""
    ratings = pd.read_csv(data_dir / "report_card_ratings.csv", dtype=str, keep_default_na=False)
    needs = pd.read_csv(data_dir / "report_card_needs.csv", dtype=str, keep_default_na=False)
    people = pd.read_csv(data_dir / "people.csv", dtype=str, keep_default_na=False)
    r = (
        ratings[ratings["cycle"] == cycle]
        .merge(needs, on="need_id")
        .merge(people.rename(columns={"person_id": "rater_id"}), on="rater_id")
    )
    r = r[r["function"].str.lower() != r["rated_side"].str.lower()]
    counts = r.groupby("rated_side")["rater_id"].nunique()
    return {s: int(counts.get(s, 0)) for s in ("marketing", "sales")}


@needs_sample
@pytest.mark.notebook
@pytest.mark.slow
def test_sample_run(tmp_path: Path) -> None:
    report = run_notebook(tmp_path, SAMPLE_DATA_DIR)
    scores, plan, headline = read_tables(report)
    expected = by_hand(SAMPLE_DATA_DIR, "2026-H1")
    assert headline["report_card_score"] == {k: pytest.approx(v) for k, v in expected.items()}
    assert headline["report_card_raters"] == raters_by_hand(SAMPLE_DATA_DIR, "2026-H1")
    needs = pd.read_csv(SAMPLE_DATA_DIR / "report_card_needs.csv", dtype=str)
    ratings = pd.read_csv(SAMPLE_DATA_DIR / "report_card_ratings.csv", dtype=str)
    cycles = sorted(c for c in ratings["cycle"].unique() if c <= "2026-H1")
    assert sorted(scores["cycle"].unique()) == cycles
    assert len(scores) == len(cycles) * len(needs)
    assert set(scores["shortfall"]) <= {"true", "false"} and set(scores["blind_spot"]) <= {"true", "false"}
    now = scores[scores["cycle"] == "2026-H1"]
    shortfalls = set(now.loc[now["shortfall"] == "true", "need_id"])
    assert shortfalls <= set(plan["need_id"])
    assert set(plan["cycle"]) == {"2026-H1"}
    assert plan["need_id"].is_unique
    # every plan row is a shortfall or carries an unfinished action from 2025-H2
    actions = pd.read_csv(SAMPLE_DATA_DIR / "action_items.csv", dtype=str, keep_default_na=False)
    unfinished = set(
        actions.loc[
            (actions["cycle"] == "2025-H2") & actions["status"].isin(["open", "in_progress"]), "need_id"
        ]
    )
    assert set(plan["need_id"]) == shortfalls | unfinished
    assert (plan.loc[plan["need_id"].isin(unfinished), "action"] != "").all()


@needs_sample
@pytest.mark.notebook
@pytest.mark.slow
def test_run_with_missing_ratings(tmp_path: Path) -> None:
    """One need ungraded, and one side graded by nobody, in the report cycle: warnings, not failures."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    ratings = pd.read_csv(data / "report_card_ratings.csv", dtype=str, keep_default_na=False)
    needs = pd.read_csv(data / "report_card_needs.csv", dtype=str, keep_default_na=False)
    marketing_needs = sorted(needs.loc[needs["rated_side"] == "marketing", "need_id"])
    sales_needs = set(needs.loc[needs["rated_side"] == "sales", "need_id"])
    gone_need = marketing_needs[0]
    in_cycle = ratings["cycle"] == "2026-H1"
    drop = in_cycle & (ratings["need_id"].isin(sales_needs) | (ratings["need_id"] == gone_need))
    ratings[~drop].to_csv(data / "report_card_ratings.csv", index=False)

    report = run_notebook(tmp_path, data)
    scores, plan, headline = read_tables(report)
    assert headline["report_card_score"]["sales"] is None
    assert headline["report_card_score"]["marketing"] == pytest.approx(by_hand(data, "2026-H1")["marketing"])
    now = scores[scores["cycle"] == "2026-H1"].set_index("need_id")
    assert now.loc[gone_need, "score"] == "" and now.loc[gone_need, "shortfall"] == "false"
    assert now.loc[gone_need, "n_raters"] == "0" and now.loc[gone_need, "previous_score"] != ""
    assert (now.loc[sorted(sales_needs), "score"] == "").all()
    assert len(now) == len(needs)
    # the unfinished actions of 2025-H2 still carry over, unscored
    actions = pd.read_csv(data / "action_items.csv", dtype=str, keep_default_na=False)
    unfinished = set(
        actions.loc[
            (actions["cycle"] == "2025-H2") & actions["status"].isin(["open", "in_progress"]), "need_id"
        ]
    )
    assert unfinished <= set(plan["need_id"])


# --------------------------------------------------------------------------- no report card yet


def _outputs_text(executed: Path) -> str:
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            texts += [str(data.get(k, "")) for k in ("text/markdown", "text/html")]
    return "\n".join(texts)


@needs_sample
@pytest.mark.notebook
@pytest.mark.slow
def test_run_without_any_ratings_or_needs(tmp_path: Path) -> None:
    """CONTRACT section 5: no ratings at all is no report card yet; the page says how to start one."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    for stem in ("report_card_ratings", "report_card_needs", "action_items"):
        (data / f"{stem}.csv").unlink()

    report = run_notebook(tmp_path, data, cycle="2026-H2")
    scores, plan, headline = read_tables(report)
    assert headline["report_card_score"] == {"marketing": None, "sales": None}
    assert scores.empty and plan.empty
    assert list(scores.columns)[:10] == [
        "cycle",
        "need_id",
        "rated_side",
        "score",
        "n_raters",
        "self_score",
        "perception_gap",
        "previous_score",
        "trend",
        "shortfall",
    ]
    assert list(plan.columns)[:9] == [
        "cycle",
        "need_id",
        "rated_side",
        "score",
        "previous_score",
        "action",
        "owner",
        "due",
        "status",
    ]
    needs = pd.read_csv(report / "report_card_needs_template.csv", dtype=str, keep_default_na=False)
    sheet = pd.read_csv(report / "report_card_ratings_template.csv", dtype=str, keep_default_na=False)
    people = pd.read_csv(data / "people.csv", dtype=str, keep_default_na=False)
    assert needs["rated_side"].value_counts().to_dict() == {"marketing": 6, "sales": 6}
    assert len(sheet) == len(people) * len(needs) and set(sheet["cycle"]) == {"2026-H2"}
    assert set(sheet["rater_id"]) == set(people["person_id"]) and (sheet["grade"] == "").all()
    shown = _outputs_text(tmp_path / "04_report_card.ipynb")
    assert "No report card is kept yet" in shown
    assert "report_card_needs_template.csv" in shown and "report_card_ratings_template.csv" in shown


@needs_sample
@pytest.mark.notebook
@pytest.mark.slow
def test_run_with_needs_but_no_ratings(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    (data / "report_card_ratings.csv").write_text("cycle,rater_id,need_id,grade,comment\n", encoding="utf-8")

    report = run_notebook(tmp_path, data)
    _, _, headline = read_tables(report)
    assert headline["report_card_score"] == {"marketing": None, "sales": None}
    assert headline["report_card_raters"] == {"marketing": 0, "sales": 0}
    assert not (report / "report_card_needs_template.csv").exists()  # the company named its needs
    sheet = pd.read_csv(report / "report_card_ratings_template.csv", dtype=str, keep_default_na=False)
    needs = pd.read_csv(data / "report_card_needs.csv", dtype=str, keep_default_na=False)
    assert set(sheet["need_id"]) == set(needs["need_id"])
