"""The HTML exports: charts embedded once per page, nothing fetched, values from the data escaped."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from alignment.presentation.display import EMBED_OPTIONS, VEGALITE_MIMETYPE, chart_mimebundle, chart_title
from alignment.presentation.tables import Display, format_figure, format_value
from alignment.report.export import (
    IndexPage,
    PageInfo,
    chart_html,
    comparison_html,
    index_html,
    page_html,
    prepare_notebook,
    sanitize_html,
    script_json,
    table_of_contents,
    vega_bundle,
)
from alignment.vocabulary import HEADLINE_KEYS

FAKE_BUNDLE = "window.vegaEmbed = function () { return Promise.resolve(); }; /* FAKE-VEGA-BUNDLE */"
XSS = "<script>alert(1)</script>"
INFO = PageInfo(
    scenario="sample", data_dir="/data/sample", ran_at="2026-11-27 10:00:00 UTC", notebook="03_gap_allocation"
)


def _spec(title: str = "Gap by group", n: int = 3) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
        "title": title,
        "data": {"values": [{"group": f"G{i}", "gap": i * 100.0} for i in range(n)]},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "group", "type": "nominal"},
            "y": {"field": "gap", "type": "quantitative"},
        },
    }


def _chart_output(spec: dict) -> nbformat.NotebookNode:
    data, meta = chart_mimebundle(spec)
    return new_output("display_data", data=data, metadata=meta)


def _notebook(charts: int = 1, extra_outputs: list | None = None) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Gap allocation\n\nHow the shortfall is shared."),
        new_code_cell("x = 1  # a code cell"),
        new_markdown_cell("## By customer group\n\nText."),
        new_code_cell("charts", outputs=[_chart_output(_spec(f"Chart {i}")) for i in range(charts)]),
        new_markdown_cell("### Rounding"),
        new_code_cell("table", outputs=extra_outputs or []),
    ]
    return nb


# --------------------------------------------------------------------------- display


class TestChartMimebundle:
    def test_spec_under_jupyterlabs_vega_lite_mimetype_with_a_text_fallback(self):
        data, meta = chart_mimebundle(_spec())
        assert set(data) == {VEGALITE_MIMETYPE, "text/plain"}
        assert VEGALITE_MIMETYPE == "application/vnd.vegalite.v5+json"
        assert data["text/plain"] == "<Chart: Gap by group>"
        assert meta[VEGALITE_MIMETYPE]["embed_options"] == EMBED_OPTIONS

    def test_the_spec_names_the_vega_lite_major_that_jupyterlab_draws_it_with(self):
        from alignment.presentation.display import RENDERER_SCHEMA

        data, _ = chart_mimebundle(_spec())
        schema = data[VEGALITE_MIMETYPE]["$schema"]
        assert schema == RENDERER_SCHEMA
        # the mimetype JupyterLab renders (vnd.vegalite.v5) and the schema's major agree
        assert re.search(r"/vega-lite/v(\d+)", schema).group(1) == re.search(
            r"\.v(\d+)\+json", VEGALITE_MIMETYPE
        ).group(1)
        assert _spec()["$schema"].endswith("v6.4.1.json")  # the caller's spec is not modified

    def test_jupyterlabs_renderer_for_the_mimetype_is_its_vega5_extension(self):
        from alignment.paths import PROJECT_DIR

        found = sorted(PROJECT_DIR.glob(".venv/share/jupyter/lab/static/package.json"))
        if not found:
            pytest.skip("JupyterLab is not installed in .venv")
        dependencies = json.loads(found[0].read_text(encoding="utf-8")).get("dependencies", {})
        assert "@jupyterlab/vega5-extension" in dependencies
        assert not any(name.startswith("@jupyterlab/vega6") for name in dependencies)

    def test_embed_options_from_altair_are_kept(self):
        _, meta = chart_mimebundle(_spec(), embed_options={"renderer": "canvas"})
        assert meta[VEGALITE_MIMETYPE]["embed_options"]["renderer"] == "canvas"

    @pytest.mark.parametrize(
        ("title", "text"), [({"text": "T", "subtitle": "s"}, "T"), (["a", "b"], "a b"), (None, "chart")]
    )
    def test_chart_title(self, title, text):
        assert chart_title({"title": title} if title is not None else {}) == text

    def test_setup_makes_altair_charts_emit_the_spec(self):
        import altair as alt
        import pandas as pd

        from alignment.presentation.display import setup

        setup()
        chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q").properties(title="T")
        data, meta = chart._repr_mimebundle_()
        assert VEGALITE_MIMETYPE in data and "text/html" not in data
        assert data[VEGALITE_MIMETYPE]["title"] == "T"
        assert pd.get_option("styler.format.escape") == "html"


# --------------------------------------------------------------------------- charts on a page


class TestExportSpec:
    def test_a_page_names_its_bundles_vega_lite_major(self):
        from alignment.report.export import bundle_vegalite_version, export_spec

        data, _ = chart_mimebundle(_spec())
        major = bundle_vegalite_version().split(".")[0]
        assert (
            export_spec(data[VEGALITE_MIMETYPE])["$schema"]
            == f"https://vega.github.io/schema/vega-lite/v{major}.json"
        )
        page = page_html(_notebook(), INFO, bundle=FAKE_BUNDLE)
        assert f"vega-lite/v{major}.json" in page and "vega-lite/v5.json" not in page

    def test_the_bundle_is_that_version(self):
        from alignment.report.export import bundle_vegalite_version

        assert re.search(rf'"{re.escape(bundle_vegalite_version())}\.\d+"', vega_bundle())


class TestChartHtml:
    def test_script_json_cannot_close_the_script_tag(self):
        value = {"name": XSS, "amp": "a & b", "sep": "\u2028"}
        text = script_json(value)
        assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
        assert json.loads(text) == value

    def test_container_and_inert_spec(self):
        html = chart_html("chart-1", _spec(XSS), {"renderer": "svg"})
        assert html.startswith('<div class="alignment-chart" id="chart-1"></div>')
        assert '<script type="application/json" class="alignment-chart-spec" data-chart="chart-1">' in html
        assert XSS not in html
        payload = re.search(r'data-chart="chart-1">(.*)</script>', html).group(1)
        assert json.loads(payload)["spec"]["title"] == XSS


class TestPrepareNotebook:
    def test_charts_become_containers_numbered_in_order(self):
        nb = _notebook(charts=3)
        prepared, count = prepare_notebook(nb)
        assert count == 3
        outputs = prepared.cells[3].outputs
        assert [list(o.data) for o in outputs] == [["text/html"]] * 3
        assert [re.search(r'id="(chart-\d)"', o.data["text/html"]).group(1) for o in outputs] == [
            "chart-1",
            "chart-2",
            "chart-3",
        ]
        assert VEGALITE_MIMETYPE in nb.cells[3].outputs[0].data  # the input is not modified

    def test_outputs_are_sanitized_and_nothing_runs(self):
        outputs = [
            new_output(
                "execute_result",
                data={"text/html": f"<table><tr><td>{XSS}</td></tr></table>", "text/plain": "t"},
                execution_count=1,
            ),
            new_output("display_data", data={"text/markdown": f"**{XSS}** <img src=x onerror=alert(1)>"}),
            new_output("display_data", data={"image/svg+xml": "<svg><script>alert(1)</script></svg>"}),
            new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "js"}),
            new_output(
                "display_data",
                data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"}, "text/plain": "VBox()"},
            ),
            new_output(
                "display_data",
                data={
                    "application/vnd.jupyter.widget-view+json": {"model_id": "m"},
                    "text/html": "<p>the base scenario</p>",
                    "text/plain": "x",
                },
            ),
        ]
        prepared, count = prepare_notebook(_notebook(charts=0, extra_outputs=outputs))
        html, md, svg, js, widget, widget_with_html = prepared.cells[5].outputs
        assert count == 0
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.data["text/html"]
        assert "<strong>&lt;script&gt;" in md.data["text/html"] and "onerror" not in md.data["text/html"]
        assert svg.data["text/html"].startswith('<img src="data:image/svg+xml;base64,')
        assert js.data == {"text/plain": "js"}
        assert "open the notebook in JupyterLab" in widget.data["text/html"]
        assert widget_with_html.data == {"text/html": "<p>the base scenario</p>"}

    def test_papermill_error_banners_are_dropped(self):
        nb = _notebook()
        banner = new_markdown_cell("<span>An Exception was encountered</span>")
        banner.metadata["tags"] = ["papermill-error-cell-tag"]
        nb.cells.insert(0, banner)
        prepared, _ = prepare_notebook(nb)
        assert len(prepared.cells) == len(nb.cells) - 1


class TestSanitizeHtml:
    def test_keeps_styled_tables(self):
        html = (
            '<style type="text/css">\n#T_1 th > div { color: red; }\n#T_1_row0_col0 { background: '
            'url(https://example.com/x.png); color: blue; }\n</style>\n<table id="T_1" class="dataframe" '
            'border="1"><thead><tr style="text-align: right;"><th colspan="2">h</th></tr></thead>'
            '<tbody><tr><td id="T_1_row0_col0" class="data">1,000.00</td></tr></tbody></table>'
        )
        out = sanitize_html(html)
        assert "#T_1 th > div { color: red; }" in out
        assert "url(" not in out
        for kept in (
            '<table id="T_1" class="dataframe" border="1">',
            "<thead>",
            '<th colspan="2">',
            'style="text-align: right;"',
            '<td id="T_1_row0_col0" class="data">1,000.00</td>',
        ):
            assert kept in out

    @pytest.mark.parametrize(
        ("html", "gone"),
        [
            ('<a href="javascript:alert(1)">x</a>', "javascript:"),
            ('<div onclick="alert(1)">x</div>', "onclick"),
            ('<img src="https://example.com/x.png">', "example.com"),
            ('<iframe src="https://example.com"></iframe>', "<iframe"),
            ("<svg onload=alert(1)></svg>", "<svg"),
            ('<style>@import "https://example.com/a.css";</style>', "@import"),
        ],
    )
    def test_removes_what_could_run_or_fetch(self, html, gone):
        assert gone not in sanitize_html(html)

    def test_data_images_and_links_stay(self):
        out = sanitize_html(
            '<img src="data:image/png;base64,AAAA" alt="a"><a href="https://example.com">x</a>'
        )
        assert 'src="data:image/png;base64,AAAA"' in out and 'href="https://example.com"' in out


@pytest.fixture(scope="module")
def page() -> str:
    return page_html(_notebook(charts=2), INFO, bundle=FAKE_BUNDLE)


class TestPageHtml:
    def test_nothing_is_fetched(self, page):
        assert re.findall(r'\bsrc\s*=\s*["\']?(?!data:)[^"\'\s>]+', page) == []
        assert re.findall(r"<link\b", page) == []
        assert "require.min.js" not in page and "mathjax" not in page.lower() and "mermaid.esm" not in page
        assert "cdn" not in page.lower()

    def test_the_chart_library_is_embedded_once(self, page):
        assert page.count("FAKE-VEGA-BUNDLE") == 1
        assert page.count('class="alignment-chart"') == 2
        assert page.index("FAKE-VEGA-BUNDLE") > page.rindex('class="alignment-chart"')

    def test_header_title_and_contents(self, page):
        assert "<title>Gap allocation — sample</title>" in page
        for text in (
            "Scenario</dt><dd>sample",
            "<code>/data/sample</code>",
            "2026-11-27 10:00:00 UTC",
            "<code>03_gap_allocation</code>",
        ):
            assert text in page
        assert table_of_contents(page) == [
            (2, "By-customer-group", "By customer group"),
            (3, "Rounding", "Rounding"),
        ]
        assert '<li class="al-toc-2"><a href="#By-customer-group">By customer group</a></li>' in page

    def test_code_is_hidden_unless_asked(self, page):
        assert "a code cell" not in page
        shown = page_html(_notebook(charts=1), INFO, show_code=True, bundle=FAKE_BUNDLE)
        assert "a code cell" in shown

    def test_header_values_are_escaped(self):
        info = PageInfo(
            scenario=XSS, data_dir=XSS, ran_at="now", notebook="n", failure=f"in cell 2: E: {XSS}"
        )
        page = page_html(_notebook(charts=0), info, failure_cell_id="abc")
        assert XSS not in page
        assert "This notebook failed</strong> in cell 2: E: &lt;script&gt;" in page
        assert 'href="#cell-id=abc"' in page

    def test_a_page_without_charts_has_no_chart_library(self):
        page = page_html(_notebook(charts=0), INFO, bundle=FAKE_BUNDLE)
        assert "FAKE-VEGA-BUNDLE" not in page and "alignmentCharts" not in page


def test_ten_charts_cost_barely_more_than_one():
    bundle = vega_bundle()
    assert "window.vegaEmbed" in bundle and "</script" not in bundle.lower()
    one = page_html(_notebook(charts=1), INFO, bundle=bundle)
    ten = page_html(_notebook(charts=10), INFO, bundle=bundle)
    none = page_html(_notebook(charts=0), INFO, bundle=bundle)
    per_chart = len(chart_html("chart-10", _spec("Chart 9"), EMBED_OPTIONS)) + 400  # + the output's wrapper
    assert len(ten) - len(one) < 9 * per_chart
    assert len(one) - len(none) == pytest.approx(len(bundle), rel=0.02)
    assert len(bundle) > 500_000  # embedded once, not ten times


# --------------------------------------------------------------------------- index and comparison


class TestFormatting:
    def test_money(self):
        assert format_value(1234567.5, "money") == "1,234,567.50"
        assert format_value(-0.05, "money") == "-0.05"
        assert format_value(None, "money") == "—"

    def test_headline_kinds(self):
        assert format_figure("gap", -2500.0) == "-2,500.00"
        assert format_figure("ytd_attainment", 0.9234) == "92.3%"
        assert (
            format_figure("report_card_score", {"marketing": 2.5, "sales": 3.25})
            == "marketing 2.50 / 4, sales 3.25 / 4"
        )
        assert format_figure("forecast", None) == "—"


def _index(**changes) -> IndexPage:
    base = dict(
        scenario="sample",
        params_file="/p/sample.yaml",
        data_dir="/d",
        started="2026-11-27 10:00:00 UTC",
        duration="42.0 s",
        status="ok",
        headline=dict.fromkeys(HEADLINE_KEYS) | {"top_down_target": 1e6},
        notebooks=[
            {
                "name": "01_target_setting",
                "title": "Target",
                "status": "ok",
                "duration_s": 3.25,
                "html": "html/01_target_setting.html",
                "error_text": "",
            }
        ],
        version="0.1.0",
    )
    return IndexPage(**(base | changes))


class TestIndexHtml:
    def test_headline_links_and_durations(self):
        html = index_html(_index())
        assert "1,000,000.00" in html
        assert '<a href="html/01_target_setting.html">01_target_setting</a>' in html
        assert "3.2 s" in html
        assert "Failures" not in html
        assert "<script" not in html

    def test_failures_are_listed_and_values_escaped(self):
        failed = {
            "name": XSS,
            "title": XSS,
            "status": "failed",
            "duration_s": 1.0,
            "html": "html/x.html",
            "error_text": f"in cell 7: ValueError: {XSS}",
        }
        html = index_html(_index(status="failed", scenario=XSS, notebooks=[failed]))
        assert "<h2>Failures</h2>" in html
        assert "failed in cell 7: ValueError: &lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert XSS not in html


class TestComparisonHtml:
    def test_scenarios_side_by_side_escaped(self):
        scenarios = [
            {"name": "low", "link": "low/index.html", "status": "ok", "headline": {"top_down_target": 100.0}},
            {
                "name": "high",
                "link": "high/index.html",
                "status": "failed",
                "headline": {"top_down_target": 200.0},
            },
        ]
        groups = [
            {
                "customer_group": XSS,
                "low": {"allocated_from_gap": 1.5, "change_from_committed": 2.5, "final_quota": 10.0},
                "high": None,
            }
        ]
        html = comparison_html(scenarios, groups, "now")
        assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in html
        assert '<td class="num">100.00</td><td class="num">200.00</td>' in html
        assert (
            '<td class="num">1.50</td><td class="num">2.50</td><td class="num">10.00</td><td class="num">—</td>'
            '<td class="num">—</td><td class="num">—</td>' in html
        )
        assert "status-failed" in html and XSS not in html

    def test_money_as_the_display_sets_it(self):
        scenarios = [
            {"name": n, "link": f"{n}/index.html", "status": "ok", "headline": {"top_down_target": t}}
            for n, t in (("low", 1_250_000.0), ("high", 1_500_000.0))
        ]
        groups = [
            {
                "customer_group": "SMB",
                "low": {
                    "allocated_from_gap": 12_345.0,
                    "change_from_committed": 0.0,
                    "final_quota": 99_000.0,
                },
                "high": None,
            }
        ]
        euro_k = Display(money_scale="thousands", currency="€")
        html = comparison_html(scenarios, groups, "now", display=euro_k)
        assert '<td class="num">€1,250.0K</td><td class="num">€1,500.0K</td>' in html
        assert '<td class="num">12.3</td><td class="num">0.0</td><td class="num">99.0</td>' in html
        assert "Money in € thousands, as the display settings give it." in html
        assert "1,250,000.00" not in html


# --------------------------------------------------------------------------- the sample report, as a reader sees it


def _styled_tables(page: str) -> list[tuple[list[str], list[list[str]]]]:
    """(header texts, rows of cell texts) of every table the notebooks showed with ``show`` (pandas Styler)."""
    import html as html_lib

    def text(cell: str) -> str:
        return html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()

    out = []
    for table in re.findall(r'<table id="T_[^"]*">(.*?)</table>', page, re.S):
        head, _, body = table.partition("</thead>")
        headers = [text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
        rows = [
            [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        ]
        out.append((headers, rows))
    return out


@pytest.mark.slow
@pytest.mark.notebook
def test_the_sample_reports_tables_are_readable(tmp_path_factory):
    from browser_support import sample_ready, sample_report, shared_base

    reason = sample_ready()
    if reason:
        pytest.skip(reason)
    result = sample_report(shared_base(tmp_path_factory))
    assert result.exit_status == 0, result.stderr[-3000:]
    pages = {p.stem: p.read_text(encoding="utf-8") for p in sorted((result.out / "html").glob("*.html"))}
    snake = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
    four_decimals = re.compile(r"^-?\d[\d,]*\.\d{4}$")
    big_four_decimals = re.compile(r"^-?\d{1,3}(,\d{3})+\.\d{4}$")  # 1,207,112.0900
    shown = 0
    for name, page in pages.items():
        for headers, rows in _styled_tables(page):
            shown += 1
            assert rows, f"{name}: an empty table is drawn (one sentence is expected instead)"
            assert not [h for h in headers if snake.match(h)], (name, headers)
            cells = [c for row in rows for c in row]
            assert "True" not in cells and "False" not in cells, (name, headers)
            for header, column in zip(headers, zip(*rows, strict=True), strict=True):
                assert not [c for c in column if big_four_decimals.match(c)], (name, header)
                if header.startswith("Weight"):
                    assert not [c for c in column if four_decimals.match(c)], (name, header)
    assert shown >= 60
    # people and products by name, ids kept beside them
    assert "Hannah Keller (S001)" in pages["03_gap_allocation"]
    assert "Security Suite (P05)" in pages["03_gap_allocation"]
    assert "Noah Fischer (M006)" in pages["04_report_card"]
    # whole amounts without decimals, amounts with cents to the cent
    assert (
        ">62,468,300</td>" in pages["02_quota_rollup"] and ">66,499,208.54</td>" in pages["02_quota_rollup"]
    )
    # an empty table is one sentence saying what is empty and why
    assert "No row is capped: every row&#x27;s share of the gap fitted in its room" in pages[
        "03_gap_allocation"
    ] or ("No row is capped: every row's share of the gap fitted in its room" in pages["03_gap_allocation"])
    # page 03 links the quota book, the review its full table; the links resolve inside the report folder
    for name, file in (
        ("03_gap_allocation", "final_quotas.xlsx"),
        ("05_monthly_review", "monthly_review.csv"),
    ):
        hrefs = re.findall(rf'href="([^"]*{re.escape(file)})"', pages[name])
        assert hrefs, (name, file)
        for href in hrefs:
            target = (result.out / "html" / href).resolve()
            assert target.is_file() and target.is_relative_to(result.out.resolve()), href
    index = (result.out / "index.html").read_text(encoding="utf-8")
    assert (
        '<a href="tables/final_quotas.xlsx">' in index
        and (result.out / "tables" / "final_quotas.xlsx").is_file()
    )
