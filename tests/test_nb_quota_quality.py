"""Notebook 08 run with papermill: its headline figures against sums taken straight from the input files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from alignment.paths import NOTEBOOKS_DIR, SAMPLE_DATA_DIR, SAMPLE_PARAMS

pytestmark = [pytest.mark.notebook, pytest.mark.slow]
needs_sample = pytest.mark.skipif(
    not (SAMPLE_DATA_DIR / "prior_quotas.csv").is_file(),
    reason="the sample data folder has not been generated",
)
NAME = "08_quota_quality"


def run(tmp_path: Path, **parameters: object) -> dict:
    import papermill

    report = tmp_path / "report"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / f"{NAME}.ipynb"),
        str(tmp_path / f"{NAME}.ipynb"),
        parameters={**parameters, "report_dir": str(report)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    return json.loads((report / ".headline" / f"{NAME}.json").read_text(encoding="utf-8"))


def owners_at_quota_by_hand(folder: Path) -> float:
    """Share of owners whose customers' 2025 revenue reached the sum of their prior quotas, from the CSVs."""
    customers = pd.read_csv(folder / "customers.csv", dtype=str)
    owner = customers.set_index("customer_id")["account_owner"]
    quotas = pd.read_csv(folder / "prior_quotas.csv", dtype={"customer_id": str})
    actuals = pd.read_csv(folder / "actuals.csv", dtype={"customer_id": str, "month": str})
    actuals = actuals[actuals["month"].str.startswith("2025-")]
    quota = (
        (quotas["final_quota"] * 100).round().astype("int64").groupby(quotas["customer_id"].map(owner)).sum()
    )
    actual = (
        (actuals["revenue"] * 100).round().astype("int64").groupby(actuals["customer_id"].map(owner)).sum()
    )
    actual = actual.reindex(quota.index, fill_value=0)
    return float((actual[quota > 0] >= quota[quota > 0]).mean())


@needs_sample
def test_sample_run(tmp_path):
    from alignment.engine.plan import build_plan
    from alignment.loading import load_checked
    from alignment.practices import quota_quality as qq

    figures = run(tmp_path, data_dir=str(SAMPLE_DATA_DIR))
    assert sorted(figures) == ["share_at_quota_last_year", "share_at_quota_replayed"]
    assert figures["share_at_quota_last_year"] == owners_at_quota_by_hand(SAMPLE_DATA_DIR)
    params, inputs, _ = load_checked(SAMPLE_PARAMS)
    replayed = qq.replay(build_plan(inputs, params).final_quotas, inputs, params)
    assert figures["share_at_quota_replayed"] == qq.headline(None, replayed)["share_at_quota_replayed"]


@needs_sample
def test_without_prior_quotas_only_the_replay_runs(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    (data / "prior_quotas.csv").unlink()
    figures = run(tmp_path, data_dir=str(data))
    assert figures["share_at_quota_last_year"] is None
    assert 0.0 <= figures["share_at_quota_replayed"] <= 1.0


@needs_sample
def test_a_bad_quota_quality_section_stops_the_notebook(tmp_path):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError, match="quota_quality.excellence"):
        run(tmp_path, data_dir=str(SAMPLE_DATA_DIR), quota_quality={"excellence": 0.5})
