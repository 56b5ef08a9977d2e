"""Typos in values must not pass silently (issue 14, item 4): channels no strategy lists, a plan year
that cannot be, and the run's warnings shown on the index page, not only in run.json."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_company import FILES, replace_line, write_company

from alignment.cli import main
from alignment.inputs import check_folder, nearest_name, unlisted_channels
from alignment.report.assembly import WARNINGS_SHOWN, index_warnings
from alignment.report.export import HEADLINE_KEYS, IndexPage, index_html

STRATEGY = """product_id,channel,share
P01,Direct Sales,0.6
P01,Online,0.4
P02,Partner,1
"""


def _warning_lines(folder: Path) -> list[str]:
    _, problems, warnings = check_folder(folder)
    assert problems == []
    return [w.line() for w in warnings if w.column == "channel"]


class TestUnlistedChannels:
    def test_direct_for_direct_sales(self, tmp_path: Path) -> None:
        # actuals sell P01 through "Direct" on rows 2 and 5; the strategy only knows "Direct Sales"
        assert _warning_lines(write_company(tmp_path, channel_strategy=STRATEGY)) == [
            "warning: actuals.csv, row 2, column channel: value 'Direct': expected a channel listed in "
            "channel_strategy (nearest: 'Direct Sales'); 2 rows with it count as off-strategy revenue"
        ]

    def test_case_and_spelling(self, tmp_path: Path) -> None:
        actuals = replace_line(
            "actuals", "2025-02,C002,P02,Partner,500.50", "2025-02,C002,P02,partner,500.50"
        )
        actuals = actuals.replace("2025-03,C003,P01,Online,-20.00", "2025-03,C003,P01,Onlin,-20.00")
        # in row order, each naming the nearest known channel, the same up to case first
        assert _warning_lines(write_company(tmp_path, actuals=actuals)) == [
            "warning: actuals.csv, row 3, column channel: value 'partner': expected a channel listed in "
            "channel_strategy (nearest: 'Partner'); 1 row with it count as off-strategy revenue",
            "warning: actuals.csv, row 4, column channel: value 'Onlin': expected a channel listed in "
            "channel_strategy (nearest: 'Online'); 1 row with it count as off-strategy revenue",
        ]

    def test_a_known_channel_off_strategy_for_its_product_is_no_typo(self, tmp_path: Path) -> None:
        # P02 through Direct: off strategy (notebooks 00 and 05 report it), but Direct is a known channel
        actuals = FILES["actuals"] + "2025-04,C002,P02,Direct,10.00\n"
        assert _warning_lines(write_company(tmp_path, actuals=actuals)) == []

    def test_the_sample_is_clean(self) -> None:
        from alignment.paths import SAMPLE_DATA_DIR

        assert _warning_lines(SAMPLE_DATA_DIR) == []

    def test_without_either_file_nothing_to_compare(self) -> None:
        assert unlisted_channels({}, {}) == []

    @pytest.mark.parametrize(
        ("value", "known", "near"),
        [
            ("Direct", {"Direct Sales", "Online"}, "Direct Sales"),
            ("online", {"Direct", "Online"}, "Online"),
            ("Distributer", {"Distributor", "Partner"}, "Distributor"),
            ("Xyz", {"Partner"}, "Partner"),  # always names the nearest, however far
        ],
    )
    def test_nearest_name(self, value: str, known: set[str], near: str) -> None:
        assert nearest_name(value, known) == near

    def test_validate_lists_it_and_exits_0(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        folder = write_company(tmp_path, channel_strategy=STRATEGY)
        assert main(["validate", str(folder)]) == 0
        assert "value 'Direct': expected a channel listed in channel_strategy" in capsys.readouterr().err


class TestValidateStartMonth:
    @pytest.mark.parametrize("month", ["13", "0", "-1", "July", "1.5"])
    def test_refused(self, tmp_path: Path, capsys: pytest.CaptureFixture[str], month: str) -> None:
        folder = write_company(tmp_path)
        with pytest.raises(SystemExit) as exc:
            main(["validate", str(folder), "--fiscal-year-start-month", month])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert (
            f"error: argument --fiscal-year-start-month: value {month!r}: expected a whole month number "
            "from 1 to 12" in err
        )
        assert "Traceback" not in err

    @pytest.mark.parametrize("month", ["1", "7", "12"])
    def test_accepted(self, tmp_path: Path, month: str) -> None:
        assert main(["validate", str(write_company(tmp_path)), "--fiscal-year-start-month", month]) == 0


class TestWarningsOnTheIndex:
    PAGE = dict(
        scenario="s",
        params_file="/p/s.yaml",
        data_dir="/d",
        started="now",
        duration="1.0 s",
        status="ok",
        headline=dict.fromkeys(HEADLINE_KEYS),
        notebooks=[],
        version="0",
    )

    def test_listed_without_the_prefix_and_escaped(self) -> None:
        warnings = [
            "warning: actuals.csv, row 2, column channel: value 'Direct': expected a channel listed ...",
            "warning: s.yaml: target.rules[1]: {product_id: <b>P9</b>} matches no cell",
        ]
        html = index_html(IndexPage(warnings=index_warnings(warnings), **self.PAGE))
        assert "<h2>Warnings</h2>" in html
        assert "<li>actuals.csv, row 2, column channel: value &#39;Direct&#39;" in html
        assert "{product_id: &lt;b&gt;P9&lt;/b&gt;}" in html and "<b>P9" not in html

    def test_none_no_section(self) -> None:
        assert "Warnings" not in index_html(IndexPage(**self.PAGE))

    def test_bounded_with_a_count_of_the_rest(self) -> None:
        warnings = [f"warning: sales_input.csv, row {i}, column committed: ..." for i in range(2, 2 + 45)]
        shown = index_warnings(warnings)
        assert len(shown) == WARNINGS_SHOWN + 1
        assert shown[-1] == f"... and {45 - WARNINGS_SHOWN} more warnings: run.json lists every one"
        assert (
            index_warnings(warnings[: WARNINGS_SHOWN + 1])[-1]
            == "... and 1 more warning: run.json lists every one"
        )
        assert index_warnings(warnings[:WARNINGS_SHOWN]) == [
            w.removeprefix("warning: ") for w in warnings[:20]
        ]


@pytest.mark.notebook
@pytest.mark.slow
def test_alignment_run_shows_warnings_and_marks_few_raters(tmp_path: Path) -> None:
    """Two scenarios, notebook 04 only: a company with typos and a thin report card, and one keeping none."""
    import json

    from alignment.cli import run_command

    actuals = replace_line("actuals", "2025-02,C002,P02,Partner,500.50", "2025-02,C002,P02,Partners,500.50")
    write_company(tmp_path / "typos", actuals=actuals)
    write_company(tmp_path / "none", report_card_ratings=None, action_items=None)
    rule = "target:\n  rules:\n    - {customer_group: Enterprise, product_line: Hardware, growth: 0.3}\n"
    (tmp_path / "typos.yaml").write_text("data_dir: typos\n" + rule, encoding="utf-8")
    (tmp_path / "none.yaml").write_text("data_dir: none\n", encoding="utf-8")
    status = run_command(
        [tmp_path / "typos.yaml", tmp_path / "none.yaml"], out=tmp_path / "reports", only="04_report_card"
    )
    assert status == 0

    typos = tmp_path / "reports" / "typos"
    index = (typos / "index.html").read_text(encoding="utf-8")
    run = json.loads((typos / "run.json").read_text(encoding="utf-8"))
    assert len(run["warnings"]) == 4  # the channel, the two needs counts, the rule
    section = index[index.index("<h2>Warnings</h2>") : index.index("<h2>Headline figures</h2>")]
    for warning in run["warnings"]:
        assert warning.removeprefix("warning: ").replace("'", "&#39;") in section
    assert "(nearest: &#39;Partner&#39;)" in section and "target.rules[1]" in section
    # one sales person graded marketing and one marketing person graded sales
    assert "&dagger; few raters" in index and "marketing was graded by 1 sales rater and" in index

    none = tmp_path / "reports" / "none"
    headline = json.loads((none / "headline.json").read_text(encoding="utf-8"))
    assert headline["report_card_score"] == {"marketing": None, "sales": None}
    assert "few raters" not in (none / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (none / "tables").iterdir()) == [
        "action_plan.csv",
        "report_card_ratings_template.csv",
        "report_card_scores.csv",
    ]
