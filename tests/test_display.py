"""Readable tables: the display section, money scales and currency, ✓, names beside ids, empty sentences."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import yaml

from alignment.engine.plan import build_plan
from alignment.loading import load_checked
from alignment.params import DisplayParams, parse_params
from alignment.paths import SAMPLE_PARAMS
from alignment.practices import review as rv
from alignment.presentation.charts import titled
from alignment.presentation.display import chart_mimebundle, empty_chart_note
from alignment.presentation.tables import (
    Display,
    Note,
    display_for,
    figures_table,
    format_figure,
    format_value,
    show,
    table_link,
    using,
    with_names,
)
from alignment.problems import ParamsError
from alignment.report.export import IndexPage, index_html
from alignment.report.summary import executive_summary

NAMES = {
    "person": {"S001": "Hannah Keller", "M006": "Noah Fischer"},
    "product": {"P05": "Security Suite"},
    "customer": {"C00166": "Meridian Construction Group"},
}


class TestDisplayParams:
    def test_defaults_are_units_and_no_currency_and_stay_out_of_the_file(self, tmp_path: Path) -> None:
        p = parse_params({}, tmp_path)
        assert p.display == DisplayParams(money_scale="units", currency=None)
        assert "display" not in p.to_dict()  # no `display` variable hides IPython's display function

    def test_a_scale_and_a_currency_round_trip(self, tmp_path: Path) -> None:
        p = parse_params({"display": {"money_scale": "thousands", "currency": " € "}}, tmp_path)
        assert p.display == DisplayParams("thousands", "€")
        assert p.to_dict()["display"] == {"money_scale": "thousands", "currency": "€"}
        assert parse_params(yaml.safe_load(p.to_yaml()), tmp_path) == p

    @pytest.mark.parametrize(
        ("section", "message"),
        [
            ({"money_scale": "billions"}, "display.money_scale: value 'billions': expected one of units, thousands, millions"),
            ({"currency": 5}, "display.currency: value 5: expected null or a currency symbol of at most 5 characters"),
            ({"currency": "dollars!"}, "display.currency: value 'dollars!': expected null or a currency symbol"),
            ({"curency": "$"}, "display.curency: unknown key — did you mean display.currency?"),
        ],
    )  # fmt: skip
    def test_bad_values_are_refused_naming_the_key(self, tmp_path: Path, section, message) -> None:
        with pytest.raises(ParamsError) as err:
            parse_params({"display": section}, tmp_path, source="p.yaml")
        assert f"p.yaml: {message}" in str(err.value)


class TestMoney:
    @pytest.mark.parametrize(
        ("scale", "value", "whole", "text"),
        [
            ("units", 1_207_112.09, False, "1,207,112.09"),
            ("units", 62_468_300.0, True, "62,468,300"),
            ("thousands", 1_207_112.09, False, "1,207.1"),
            ("thousands", 384_000.0, True, "384"),
            ("millions", 66_499_208.54, False, "66.50"),
            ("millions", -1_430_502.06, False, "-1.43"),
        ],
    )
    def test_scales(self, scale, value, whole, text) -> None:
        assert format_value(value, "money", display=Display(money_scale=scale), whole=whole) == text

    def test_figures_carry_the_currency_and_the_scale(self) -> None:
        assert format_figure("gap", 4_002_908.54, Display()) == "4,002,908.54"
        assert format_figure("gap", 4_002_908.54, Display(currency="€")) == "€4,002,908.54"
        assert format_figure("gap", -1_430_502.06, Display("thousands", "$")) == "-$1,430.5K"
        assert format_figure("forecast", 65_068_706.48, Display("millions", "€")) == "€65.07M"
        assert format_figure("ytd_attainment", 0.978, Display("millions", "€")) == "97.8%"  # not money
        with using(Display("millions", "€")):
            assert figures_table({"gap": 4_002_908.54})["value"].tolist() == ["€4.00M"]

    def test_a_column_of_whole_amounts_has_no_decimals_and_one_with_cents_keeps_them(self) -> None:
        df = pd.DataFrame({"committed": [62_468_300.0, 1_800.0], "target": [66_499_208.54, 1_800.0]})
        html = show(df).to_html()
        assert ">62,468,300<" in html and ">1,800<" in html  # committed: whole units
        assert ">66,499,208.54<" in html and ">1,800.00<" in html  # target: cents

    def test_weights_read_as_amounts_never_with_four_decimals(self) -> None:
        html = show(pd.DataFrame({"weight": [1_207_112.09, 1.0], "fill_level": [0.13671, 5000.0]})).to_html()
        assert "1,207,112.09" in html and "1,207,112.0900" not in html
        assert ">0.1367<" in html and ">5,000<" in html
        assert ">1<" in show(pd.DataFrame({"weight": [1.0, 2.0]})).to_html()

    def test_money_columns_are_labelled_with_the_unit(self) -> None:
        df = pd.DataFrame({"final_quota": [1_234_567.5], "attainment": [0.5]})
        with using(Display("thousands", "€")):
            html = show(df).to_html()
        assert "Final quota (€ thousands)" in html and ">1,234.6<" in html and "Attainment<" in html
        with using(Display(currency="$")):
            assert "Final quota ($)" in show(df).to_html()
        assert ">Final quota<" in show(df).to_html()  # by default no unit is added


class TestCells:
    def test_true_is_a_tick_and_false_is_blank(self) -> None:
        assert format_value(True, "flag") == "✓" and format_value(False, "flag") == ""
        html = show(
            pd.DataFrame({"capped": [True, False], "note": pd.Series([True, False], dtype=bool)})
        ).to_html()
        assert "True" not in html and "False" not in html and html.count("✓") == 2

    def test_codes_read_as_words(self) -> None:
        df = pd.DataFrame(
            {
                "period": ["ytd", "month"],
                "level": ["customer_group", "account_owner"],
                "status": ["in_progress", "open"],
            }
        )
        html = show(df).to_html()
        for text in ("Year to date", "Customer group", "Account owner", "in progress"):
            assert text in html, text
        assert "customer_group" not in html and "in_progress" not in html

    def test_names_beside_ids(self) -> None:
        df = pd.DataFrame(
            {"account_owner": ["S001", "S999"], "product_id": ["P05", None], "owner": ["M006", "Somebody"]}
        )
        named = with_names(df, Display(names=NAMES))
        assert named["account_owner"].tolist() == ["Hannah Keller (S001)", "S999"]  # an unknown id stays
        assert named["product_id"].tolist()[0] == "Security Suite (P05)"
        assert named["owner"].tolist() == ["Noah Fischer (M006)", "Somebody"]  # free text stays
        assert df["account_owner"].tolist() == ["S001", "S999"]  # the caller's frame is not modified

    def test_an_id_beside_its_name_column_keeps_the_bare_id(self) -> None:
        df = pd.DataFrame({"customer_id": ["C00166"], "customer_name": ["Meridian Construction Group"]})
        assert with_names(df, Display(names=NAMES))["customer_id"].tolist() == ["C00166"]
        with using(Display(names=NAMES)):
            html = show(pd.DataFrame({"key": ["Enterprise"], "name": ["Enterprise"]})).to_html()
        assert html.count(">Enterprise<") == 1  # a group's name that is its key is said once

    def test_names_come_from_the_data_folder(self) -> None:
        params, inputs, _ = load_checked(SAMPLE_PARAMS)
        names = display_for(params.display, inputs).names
        assert names["person"]["S001"] == "Hannah Keller" and names["product"]["P05"] == "Security Suite"


class TestEmpty:
    def test_an_empty_table_is_one_sentence(self) -> None:
        note = show(
            pd.DataFrame({"customer_id": []}), empty="No row is capped: every share fitted in its room."
        )
        assert isinstance(note, Note)
        assert note._repr_html_() == (
            '<p class="alignment-empty"><em>No row is capped: every share fitted in its room.</em></p>'
        )
        assert "<table" not in show(pd.DataFrame({"a": []}), caption="Capped rows")._repr_html_()

    def test_an_empty_chart_is_not_drawn(self) -> None:
        chart = titled(
            alt.Chart(pd.DataFrame({"x": []})).mark_bar().encode(x="x:Q"),
            "Wins of the quarter",
            empty="no win of this quarter is in the wins file.",
        )
        data, meta = chart_mimebundle(chart.to_dict())
        assert list(data) == ["text/html", "text/plain"] and meta == {}
        assert data["text/plain"] == "Wins of the quarter: no win of this quarter is in the wins file."
        drawn = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q").properties(title="One bar")
        assert empty_chart_note(drawn.to_dict()) is None
        assert "application/vnd.vegalite.v5+json" in chart_mimebundle(drawn.to_dict())[0]
        blank = alt.Chart(pd.DataFrame({"x": []})).mark_bar().encode(x="x:Q").properties(title="Bars")
        assert empty_chart_note(blank.to_dict()) == "Bars: nothing to draw, its data has no rows."


class TestLinks:
    def test_the_full_table_is_one_click_away(self, tmp_path: Path) -> None:
        df = pd.DataFrame({"customer_id": ["C1"], "final_quota": [10.0], "weight": [2.0]})
        with using(Display(tables_dir=tmp_path)):
            html = show(df, columns=["customer_id", "final_quota"], full_table="final_quotas.csv").to_html()
        assert "2 of 3 columns shown" in html
        assert '<a href="../tables/final_quotas.csv">final_quotas.csv</a>' in html
        assert table_link("final_quotas.xlsx", Display(tables_dir=tmp_path)) == "../tables/final_quotas.xlsx"
        assert table_link("final_quotas.csv", Display()) is None  # a notebook run by hand writes no tables
        assert "<a " not in show(df, full_table="final_quotas.csv").to_html()


class TestSummaryLines:
    def test_skimmable_money_carries_the_currency(self) -> None:
        params, inputs, _ = load_checked(SAMPLE_PARAMS)
        plan = build_plan(inputs, params)
        review = rv.monthly_review(plan.monthly_objectives, inputs, params)
        euro = replace(params, display=DisplayParams(currency="€"))
        outlook = rv.year_outlook(review, plan.padded_target, euro)
        summary = executive_summary(
            {"top_down_target": plan.top_down_target},
            {"review_summary": rv.review_summary(review, outlook, inputs)},
            "€",
        )
        assert summary.outlook[0].text.startswith("The full-year forecast of €65.07M misses T' (€66.50M")
        assert "must bring €16.71M" in summary.outlook[1].text
        assert "is €66.50M" in summary.outlook[2].text
        assert "heading for €65.07M against T' €66.50M" in rv.outlook_note(outlook)
        assert "heading for 65.07M" in rv.outlook_note(rv.year_outlook(review, plan.padded_target, params))

    def test_the_index_shows_headline_money_with_the_currency(self) -> None:
        page = IndexPage(
            scenario="s",
            params_file="s.yaml",
            data_dir="data",
            started="now",
            duration="1 s",
            status="ok",
            headline={"gap": 4_002_908.54},
            notebooks=[],
            version="0",
            display=Display(money_scale="millions", currency="€"),
        )
        html = index_html(page)
        assert "€4.00M" in html and "Money in the data's currency (€), in millions" in html


def test_money_axes_name_the_currency() -> None:
    from alignment.presentation.charts import money_axis

    assert money_axis("Gap").to_dict()["title"] == "Gap (currency units)"
    with using(Display(currency="€")):
        assert money_axis("Gap").to_dict()["title"] == "Gap (€)"


@pytest.fixture(scope="module")
def sample_plan():
    params, inputs, _ = load_checked(SAMPLE_PARAMS)
    return params, inputs, build_plan(inputs, params)


class TestSentencesReadMoneyAsTheTables:
    """Page 05's year-to-date lines, page 06's quarter line and page 07's scenario table write money
    with the one figure helper the tables use (money_figure), in the display's scale and currency."""

    EURO_K = DisplayParams(money_scale="thousands", currency="€")

    def test_the_review_lines(self, sample_plan) -> None:
        params, inputs, plan = sample_plan
        review = rv.monthly_review(plan.monthly_objectives, inputs, params)
        track = rv.cumulative_track(plan.monthly_objectives, inputs, params)
        ytd = rv.review_level(review, "total", "ytd").iloc[0]
        shown = Display(money_scale="thousands", currency="€")
        note = rv.review_note(review, track, replace(params, display=self.EURO_K), [])
        line = next(x for x in note.splitlines() if x.startswith("- **Year to date:**"))
        assert line == (
            f"- **Year to date:** actual {format_figure('ytd_actual', ytd['actual'], shown)} against objective "
            f"{format_figure('ytd_objective', ytd['objective'], shown)} ({ytd['attainment']:.1%} attainment), "
            f"variance {'+' if ytd['variance'] >= 0 else ''}{format_figure('ytd_actual', ytd['variance'], shown)}."
        )
        assert line.count("€") == 3 and line.count("K") == 3
        assert f"{ytd['actual']:,.2f}" not in note  # no amount in full units
        # without a display section the lines read as before: units, two decimals, no symbol
        assert f"actual {ytd['actual']:,.2f} against" in rv.review_note(review, track, params, [])

    def test_the_quarter_line(self, sample_plan) -> None:
        from alignment.practices import celebration as cb

        params, inputs, plan = sample_plan
        results = cb.quarter_results(plan.monthly_objectives, inputs, params)
        total = results[results["level"] == "total"].iloc[0]
        shown = Display(money_scale="thousands", currency="€")
        note = cb.results_note(results, self.EURO_K)
        assert note.startswith(
            f"**{total['quarter']}: {format_figure('ytd_actual', total['actual'], shown)} booked against an "
            f"objective of {format_figure('ytd_actual', total['objective'], shown)}**"
        )
        assert f"{total['actual']:,.2f}" not in note and note.count("€") == 3
        assert f"{total['actual']:,.2f} booked" in cb.results_note(results)

    def test_the_scenario_table(self, sample_plan) -> None:
        from alignment.presentation.explorer import headline_html

        *_, plan = sample_plan
        base = plan.figures()
        moved = {**base, "final_quota_total": base["final_quota_total"] + 12_345.0}
        with using(Display(money_scale="thousands", currency="€")):
            html = headline_html(moved, base)
            total = format_figure("final_quota_total", moved["final_quota_total"])
        assert f">{total}</td>" in html and total.startswith("€") and total.endswith("K")
        assert ">+€12.3K</td>" in html
        assert f"{base['top_down_target']:,.2f}" not in html
        assert f">{base['top_down_target']:,.2f}</td>" in headline_html(base, base)  # the default display


def _tooltip_titles(spec) -> list[str]:
    """Every tooltip title of a chart's spec, nested views included."""
    found = []
    if isinstance(spec, dict):
        for name, value in spec.items():
            if name == "tooltip":
                found += [t["title"] for t in (value if isinstance(value, list) else [value]) if "title" in t]
            else:
                found += _tooltip_titles(value)
    elif isinstance(spec, list):
        for item in spec:
            found += _tooltip_titles(item)
    return found


def test_money_tooltips_name_the_currency(sample_plan) -> None:
    from alignment.practices import celebration as cb
    from alignment.presentation.charts import celebration as cc
    from alignment.presentation.charts import review as rc

    params, inputs, plan = sample_plan
    review = rv.monthly_review(plan.monthly_objectives, inputs, params)
    results = cb.quarter_results(plan.monthly_objectives, inputs, params)

    def charts() -> list:
        return [
            rc.cumulative_chart(
                rv.cumulative_track(plan.monthly_objectives, inputs, params), params.review.month
            ),
            rc.variance_heatmap(rv.variance_cells(plan.monthly_objectives, inputs, params)),
            rc.variance_bars(rv.review_level(review, "channel"), "Variance by channel"),
            cc.quarter_results_chart(results, "customer_group", "Customer group"),
            cc.wins_chart(cb.quarter_wins(inputs, params.celebration.quarter)),
        ]

    with using(Display(money_scale="thousands", currency="€")):
        titles = [t for c in charts() for t in _tooltip_titles(c.to_dict())]
    assert {"Objective (€)", "Actual (€)", "Variance (€)", "Revenue impact (€)"} <= set(titles)
    assert not [t for t in titles if "currency units" in t]
    # without a currency: the axes' default wording
    titles = [t for c in charts() for t in _tooltip_titles(c.to_dict())]
    assert {"Objective (currency units)", "Cumulative (currency units)"} <= set(titles)
    # no chart writes the unit itself: every money title is money_title's
    charts_dir = Path(cc.__file__).parent
    assert [p.name for p in charts_dir.glob("*.py") if '(currency units)"' in p.read_text()] == []
