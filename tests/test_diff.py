"""``alignment diff`` on small hand-written reports: every section, and its refusals."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from alignment.cli import main
from alignment.report.diff import compare_reports
from alignment.report.export import HEADLINE_LABELS

FQ_HEAD = (
    "customer_id,product_id,customer_name,customer_group,region,account_owner,final_quota,allocated,locked\n"
)


def report(folder: Path, *, growth: float, sha: str, quotas: str, review_month: str, gap: float) -> Path:
    (folder / "tables").mkdir(parents=True)
    run = {
        "scenario": folder.name,
        "started": "2026-01-01T00:00:00Z",
        "parameters": {"fiscal_year": 2026, "target": {"growth": growth}, "review": {"month": review_month}},
        "inputs": {"customers": {"sha256": "a" * 64}, "sales_input": {"sha256": sha}},
    }
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    (folder / "headline.json").write_text(json.dumps({"gap": gap, "overrides_active": 1}), encoding="utf-8")
    (folder / "tables" / "final_quotas.csv").write_text(FQ_HEAD + quotas, encoding="utf-8")
    return folder


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    a = report(
        tmp_path / "a",
        growth=0.10,
        sha="b" * 64,
        review_month="2026-09",
        gap=100.0,
        quotas="C1,P1,One,G1,North,S1,100.00,0.00,true\nC2,P1,Two,G1,South,S2,200.00,50.00,false\n"
        "C3,P1,Three,G2,North,S1,300.10,0.10,false\n",
    )
    b = report(
        tmp_path / "b",
        growth=0.12,
        sha="c" * 64,
        review_month="2026-10",
        gap=150.5,
        quotas="C1,P1,One,G1,North,S1,100.00,0.00,false\nC2,P1,Two,G1,South,S2,200.01,50.01,true\n"
        "C3,P1,Three,G2,North,S1,300.10,0.10,false\nC4,P1,Four,G2,North,S2,10.00,0.00,false\n",
    )
    return a, b


class TestCompare:
    def test_sections(self, two: tuple[Path, Path]) -> None:
        diff = compare_reports(*two, HEADLINE_LABELS)
        assert diff.parameters.values.tolist() == [
            ["review.month", "2026-09", "2026-10"],
            ["target.growth", "0.1", "0.12"],
        ]
        assert diff.inputs[["file", "change"]].values.tolist() == [["sales_input", "changed"]]
        gap = diff.headline.set_index("key").loc["gap"]
        assert (gap["v0"], gap["v1"], gap["d1"]) == (100.0, 150.5, 50.5)
        assert diff.moved[["customer_id", "difference", "note"]].values.tolist() == [
            ["C2", 0.01, ""],
            ["C4", 10.0, "only in B"],
        ]
        assert diff.overrides[["customer_id", "change"]].values.tolist() == [["C1", "ended"], ["C2", "new"]]
        owners = diff.quotas["account_owner"].set_index("key")
        assert owners.loc["S2", "d1"] == 10.01 and owners.loc["Total", "d1"] == 10.01
        assert diff.review is None and any("review" in n for n in diff.notes)


class TestCommand:
    def test_writes_the_page_without_drawing(self, two, tmp_path: Path, no_altair_import: None) -> None:
        out = tmp_path / "d.html"
        assert main(["diff", str(two[0]), str(two[1]), "--out", str(out)]) == 0
        text = html.unescape(out.read_text(encoding="utf-8"))
        assert "<td>target.growth</td><td>0.1</td><td>0.12</td>" in text
        assert re.search(r"<td>C4</td>.*only in B", text)
        assert main(["diff", str(two[0]), str(two[1]), "--out", str(out)]) == 0  # its own page again

    def test_refusals(self, two, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        mine = tmp_path / "mine.html"
        mine.write_text("mine", encoding="utf-8")
        assert main(["diff", str(two[0]), str(two[1]), "--out", str(mine)]) == 2
        assert mine.read_text(encoding="utf-8") == "mine"
        assert main(["diff", str(tmp_path), str(two[1]), "--out", str(tmp_path / "x.html")]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith(f"alignment diff: --out: {mine} exists and was not written by alignment")
        assert err[1] == (
            f"alignment diff: REPORT_A: {tmp_path} holds no run.json and headline.json: expected a report "
            "folder written by alignment run"
        )
        assert not (tmp_path / "x.html").exists()

    def test_run_compare_to_must_be_a_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from alignment.paths import SAMPLE_PARAMS

        code = main(["run", str(SAMPLE_PARAMS), "--out", str(tmp_path / "r"), "--compare-to", str(tmp_path)])
        assert code == 2
        assert "--compare-to" in capsys.readouterr().err and not (tmp_path / "r").exists()


def test_the_page_reads_money_as_the_later_reports_display(two, tmp_path: Path) -> None:
    a, b = two
    for folder, gap in ((a, 100_000.0), (b, 150_500.0)):
        (folder / "headline.json").write_text(json.dumps({"gap": gap}), encoding="utf-8")
    run = json.loads((b / "run.json").read_text(encoding="utf-8"))
    run["parameters"]["display"] = {"money_scale": "thousands", "currency": "€"}
    (b / "run.json").write_text(json.dumps(run), encoding="utf-8")
    out = tmp_path / "d.html"
    assert main(["diff", str(a), str(b), "--out", str(out)]) == 0
    text = html.unescape(out.read_text(encoding="utf-8"))
    assert "Money in € thousands, as the display settings give it." in text
    assert re.search(r"<td[^>]*>€100\.0K</td>\s*<td[^>]*>€150\.5K</td>\s*<td[^>]*>\+€50\.5K</td>", text)
    assert "150,500.00" not in text
    # quotas by owner in thousands: S2 200.00 + 10.00 in B
    assert re.search(r"<td>S2</td>\s*<td[^>]*>0\.2</td>\s*<td[^>]*>0\.2</td>\s*<td[^>]*>\+0\.0</td>", text)
