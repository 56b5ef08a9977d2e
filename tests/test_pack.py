"""The board pack (``alignment run --pack``): pack.html offline in real Chromium, pack.pdf read back.

The pack is put together from what a run already holds (headline.json, the notebooks' records, the
executed notebooks' charts); these tests build a small report for the parts and one real run on the
shipped sample (notebooks 01-06, with ``--pack``) for the whole. The PDF is read with Debian's
poppler-utils (``pdfinfo``, ``pdftotext``): without them the PDF tests skip, or fail under CI.
"""

from __future__ import annotations

import html as html_text
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser_support import (
    ARTIFACTS,
    launch_chromium,
    open_offline,
    require_chromium,
    run_report,
    sample_ready,
    sample_report,
    shared_base,
)

from alignment.presentation.display import chart_mimebundle
from alignment.presentation.tables import Display, format_figure, format_value
from alignment.report.pack import (
    CHROMIUM_ENV,
    PACK_HTML,
    PACK_PDF,
    SECTIONS,
    PackError,
    check_chromium,
    find_chart,
    group_table,
    pack_html,
    pack_pages,
)
from alignment.report.summary import executive_summary

XSS = "<script>alert(1)</script>"
HEADLINE = {"top_down_target": 1_000_000.0, "bottom_up_quota": 900_000.0, "gap": 100_000.0}
RECORDS = {
    "group_totals": {
        XSS: {"allocated_from_gap": 60_000.0, "change_from_committed": 60_000.0, "final_quota": 560_000.0},
        "SMB": {"allocated_from_gap": 40_000.0, "change_from_committed": 40_000.0, "final_quota": 440_000.0},
        "Total": {
            "allocated_from_gap": 100_000.0,
            "change_from_committed": 100_000.0,
            "final_quota": 1_000_000.0,
        },
    }
}


def _bridge_spec() -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
        "title": {"text": "From bottom-up quota to the target", "subtitle": "steps"},
        "data": {"values": [{"step": "Q", "amount": 900_000.0}, {"step": XSS, "amount": 100_000.0}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "step", "type": "nominal"},
            "y": {"field": "amount", "type": "quantitative"},
        },
    }


def _small_report(folder: Path) -> Path:
    """A report folder holding notebook 03's executed notebook (one chart under a heading) and its page."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    data, meta = chart_mimebundle(_bridge_spec())
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# 03 · Gap allocation"),
        new_markdown_cell("## From bottom-up quota to target\n\nThe bridge."),
        new_code_cell("bridge_chart(bridge)", outputs=[new_output("display_data", data=data, metadata=meta)]),
    ]
    (folder / "notebooks").mkdir(parents=True)
    (folder / "html").mkdir()
    nbformat.write(nb, folder / "notebooks" / "03_gap_allocation.ipynb")
    (folder / "html" / "03_gap_allocation.html").write_text(
        '<h1 id="03">03 · Gap allocation<a class="anchor-link" href="#03">¶</a></h1>\n'
        '<h2 id="From-bottom-up-quota-to-target">From bottom-up quota to target'
        '<a class="anchor-link" href="#From-bottom-up-quota-to-target">¶</a></h2>',
        encoding="utf-8",
    )
    return folder


# --------------------------------------------------------------------------- the pages


class TestPackPages:
    def test_a_page_only_where_its_notebook_left_a_chart_a_record_or_a_line(self, tmp_path):
        pages = pack_pages(_small_report(tmp_path), HEADLINE, RECORDS)
        assert [p.id for p in pages] == ["bridge", "allocation"]
        bridge, allocation = pages
        assert bridge.chart is not None and bridge.chart.svg.startswith("<svg")
        assert bridge.chart.title == "From bottom-up quota to the target"
        assert bridge.link == "html/03_gap_allocation.html#From-bottom-up-quota-to-target"
        assert [line.link for line in bridge.lines] == [
            "html/03_gap_allocation.html"
        ]  # the summary's quota line
        assert allocation.table is not None and allocation.chart is None

    def test_a_quarter_without_wins_says_so_in_one_sentence(self, tmp_path):
        quarter = {"quarter": "2026-Q3", "attainment": 0.96, "mixed_share": None}
        empty = {"quarter_summary": {**quarter, "successes": 0, "shortcomings": 0}}
        (page,) = pack_pages(tmp_path, {}, empty)
        assert page.id == "celebration"
        assert [line.text for line in page.lines] == [
            "Celebration 2026-Q3: 96.0% of the quarter's objective; no success or shortcoming is recorded "
            "for the quarter."
        ]
        kept = {"quarter_summary": {**quarter, "successes": 2, "shortcomings": 1, "mixed_share": 0.5}}
        (page,) = pack_pages(tmp_path, {}, kept)
        assert page.lines[0].text.endswith(
            "2 successes, 50% of them mixed teams; 1 shortcomings with lessons."
        )

    def test_no_run_no_pages(self, tmp_path):
        assert pack_pages(tmp_path, {}, {}) == []

    def test_group_table_from_the_record_total_last(self):
        header, rows = group_table(RECORDS["group_totals"])
        assert header == ["Customer group", "Allocated from the gap", "Change from committed", "Final quota"]
        assert [r[0] for r in rows] == [XSS, "SMB", "Total"]  # sorted, "<" first
        assert rows[-1][1:] == ["100,000.00", "100,000.00", "1,000,000.00"]
        assert group_table(None) is None

    def test_find_chart_by_title_and_the_heading_above_it(self, tmp_path):
        report = _small_report(tmp_path)
        spec, heading = find_chart(report / "notebooks" / "03_gap_allocation.ipynb", "bottom-up quota")
        assert heading == "From bottom-up quota to target"
        assert find_chart(report / "notebooks" / "03_gap_allocation.ipynb", "no such chart") is None
        assert find_chart(report / "notebooks" / "missing.ipynb", "x") is None

    def test_every_section_names_a_chart_of_its_notebook(self):
        from alignment.manifest import BY_NAME

        for page_id, title, source in SECTIONS:
            assert source.notebook in BY_NAME, page_id
            assert title and source.title


class TestPackHtml:
    def _html(self, tmp_path: Path, links: bool = True) -> str:
        report = _small_report(tmp_path)
        pages = pack_pages(report, HEADLINE, RECORDS)
        return pack_html(
            "sample",
            "2026-12-01 10:00 UTC",
            HEADLINE,
            executive_summary(HEADLINE, RECORDS),
            pages,
            links=links,
        )

    def test_self_contained_no_script_no_fetch(self, tmp_path):
        html = self._html(tmp_path)
        assert "<script" not in html.lower().replace("&lt;script", "")
        assert not re.search(r"\b(src|srcset)\s*=", html)
        assert "@import" not in html and "url(" not in html
        external = set(re.findall(r"https?://[^\s\"'<>)]+", html))
        assert external <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, external

    def test_values_from_the_data_show_as_text(self, tmp_path):
        html = self._html(tmp_path)
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the table and in the chart's SVG

    def test_every_page_has_an_anchor_and_a_link_back(self, tmp_path):
        html = self._html(tmp_path)
        ids = re.findall(r'<section class="pack-page[^"]*" id="([^"]+)"', html)
        assert ids == ["summary", "headline", "bridge", "allocation"]
        for page_id in ids[1:]:
            assert f'href="#{page_id}"' in html  # the contents link to it
        assert 'href="html/03_gap_allocation.html#From-bottom-up-quota-to-target"' in html
        assert 'href="index.html#summary"' in html

    def test_the_printed_copy_names_its_links_as_text(self, tmp_path):
        html = self._html(tmp_path, links=False)
        assert 'href="html/' not in html and 'href="index.html' not in html
        assert "(html/03_gap_allocation.html#From-bottom-up-quota-to-target)" in html

    def test_headline_figures_as_the_index_shows_them(self, tmp_path):
        html = self._html(tmp_path)
        assert format_figure("top_down_target", 1_000_000.0) in html
        assert "Top-down target (T)" in html

    def test_money_as_the_display_settings_give_it(self, tmp_path):
        """With ``display: {money_scale: thousands, currency: €}`` the pack reads as the index does."""
        display = Display(money_scale="thousands", currency="€")
        report = _small_report(tmp_path)
        summary = executive_summary(HEADLINE, RECORDS, "€")
        pages = pack_pages(report, HEADLINE, RECORDS, display)
        html = pack_html("sample", "2026-12-01 10:00 UTC", HEADLINE, summary, pages, display=display)
        shown = format_figure("top_down_target", 1_000_000.0, display)
        assert shown.startswith("€") and shown in html
        assert format_figure("top_down_target", 1_000_000.0) not in html  # not in units as well
        assert "Money in € thousands" in html and "Money in the data's currency units" not in html
        allocation = next(p for p in pages if p.id == "allocation")
        header, rows = allocation.table
        assert header[1:] and all(h.endswith("(€ thousands)") for h in header[1:])
        assert rows[0][1:] == [
            format_value(RECORDS["group_totals"][rows[0][0]].get(f), "money", display=display)
            for f in ("allocated_from_gap", "change_from_committed", "final_quota")
        ]


# --------------------------------------------------------------------------- without a browser


def test_the_print_and_the_browser_tests_start_chromium_with_the_same_flags(monkeypatch, tmp_path):
    import browser_support

    from alignment.report import pack

    seen = {}

    def run(command, **_):
        seen["command"] = command
        Path(command[-2].removeprefix("--print-to-pdf=")).write_bytes(b"%PDF-1.4")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(pack.subprocess, "run", run)
    page = tmp_path / "pack.html"
    page.write_text("<p>pack</p>", encoding="utf-8")
    pack.print_pdf(page, tmp_path / "pack.pdf", browser=Path("/bin/true"))
    flags = [
        a
        for a in seen["command"][1:]
        if a != "--headless" and not a.startswith(("--user-data", "--no-pdf", "--print"))
    ]
    assert flags[:-1] == list(pack.LAUNCH_ARGS) == browser_support.LAUNCH_ARGS
    assert (tmp_path / "pack.pdf").read_bytes() == b"%PDF-1.4"


class TestWithoutChromium:
    def test_check_names_the_browser_in_one_line(self, monkeypatch, tmp_path):
        monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium"))
        with pytest.raises(PackError) as caught:
            check_chromium()
        message = str(caught.value)
        assert "\n" not in message
        assert message.startswith("alignment run: --pack: ") and "no-chromium not found" in message

    def test_run_with_pack_exits_2_before_any_notebook(self, monkeypatch, tmp_path, capsys):
        from alignment.cli import main
        from alignment.paths import SAMPLE_PARAMS

        monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium"))
        out = tmp_path / "report"
        status = main(["run", str(SAMPLE_PARAMS), "--out", str(out), "--pack"])
        err = capsys.readouterr().err.strip().splitlines()
        assert status == 2
        assert len(err) == 1 and "--pack" in err[0] and "apt-get install chromium" in err[0]
        assert not out.exists()


# --------------------------------------------------------------------------- a real run, in a real browser


def _require_poppler() -> None:
    missing = [tool for tool in ("pdfinfo", "pdftotext") if shutil.which(tool) is None]
    if missing:
        reason = (
            f"{', '.join(missing)} not found: install Debian's poppler-utils (apt-get install poppler-utils)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"PDF test cannot run under CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def pack_run(tmp_path_factory: pytest.TempPathFactory):
    why = sample_ready()
    if why:
        pytest.skip(why)
    require_chromium()
    return sample_report(shared_base(tmp_path_factory))  # the shared sample run, with its pack


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser


def _sections(html: str) -> list[str]:
    return re.findall(r'<section class="pack-page[^"]*" id="([^"]+)"', html)


@pytest.mark.browser
@pytest.mark.notebook
class TestPackRun:
    def test_the_run_writes_both_files_as_its_own(self, pack_run):
        assert pack_run.exit_status == 0, pack_run.stderr
        report = pack_run.out
        marker = json.loads((report / "run.json").read_text(encoding="utf-8"))
        assert {PACK_HTML, PACK_PDF} <= set(marker["files"])
        assert marker["options"]["pack"] is True
        assert (
            f"sample: board pack: {report / PACK_PDF}" in pack_run.stdout or "board pack:" in pack_run.stdout
        )
        index = (report / "index.html").read_text(encoding="utf-8")
        assert 'href="pack.html"' in index and 'href="pack.pdf"' in index

    def test_every_practice_has_its_page_with_its_chart(self, pack_run):
        html = (pack_run.out / PACK_HTML).read_text(encoding="utf-8")
        assert _sections(html) == ["summary", "headline"] + [s[0] for s in SECTIONS]
        assert html.count("<svg") == len(SECTIONS)

    def test_links_back_reach_a_heading_of_an_exported_page(self, pack_run):
        html = (pack_run.out / PACK_HTML).read_text(encoding="utf-8")
        links = re.findall(r'<p class="back">In the report: <a href="([^"]+)"', html)
        assert len(links) == len(SECTIONS) + 2
        for link in links:
            page, _, anchor = html_text.unescape(link).partition("#")
            target = pack_run.out / page
            assert target.is_file(), link
            if anchor:
                assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), link

    def test_offline_in_chromium_no_request_at_all(self, pack_run, chromium):
        visit = open_offline(chromium, pack_run.out / PACK_HTML, screenshot=ARTIFACTS / "pack.png")
        visit.assert_clean()  # every request blocked and counted: none
        assert visit.requests == 0
        headline = json.loads((pack_run.out / "headline.json").read_text(encoding="utf-8"))
        for key in ("top_down_target", "bottom_up_quota", "gap", "forecast"):
            assert format_figure(key, headline[key]) in visit.text

    def test_the_pdf_has_one_page_per_section_a4_landscape_numbered(self, pack_run):
        _require_poppler()
        pdf = pack_run.out / PACK_PDF
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        sections = _sections((pack_run.out / PACK_HTML).read_text(encoding="utf-8"))
        assert pages == len(sections) == 2 + len(SECTIONS)
        width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups())
        assert (round(width), round(height)) == (842, 595)  # A4 landscape
        for n in range(1, pages + 1):
            text = subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            assert f"Page {n} of {pages}" in text

    def test_the_pdf_text_holds_the_headline_figures(self, pack_run):
        _require_poppler()
        text = subprocess.run(
            ["pdftotext", "-layout", str(pack_run.out / PACK_PDF), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        headline = json.loads((pack_run.out / "headline.json").read_text(encoding="utf-8"))
        for key in (
            "top_down_target",
            "bottom_up_quota",
            "gap",
            "final_quota_total",
            "ytd_actual",
            "forecast",
        ):
            assert format_figure(key, headline[key]) in text, key
        assert "From bottom-up quota to the target" in text
        assert "Board pack: sample" in text

    def test_a_rerun_replaces_the_pack_as_its_own_file(self, pack_run, tmp_path):
        again = tmp_path / "sample"
        shutil.copytree(pack_run.out, again)
        before = (again / PACK_PDF).read_bytes()
        run = run_report(list(pack_run.params), again, only="03_gap_allocation", pack=True)
        assert run.exit_status == 0, run.stderr
        html = (again / PACK_HTML).read_text(encoding="utf-8")
        assert _sections(html) == ["summary", "headline", "bridge", "allocation"]
        assert (again / PACK_PDF).read_bytes() != before
        marker = json.loads((again / "run.json").read_text(encoding="utf-8"))
        assert {PACK_HTML, PACK_PDF} <= set(marker["files"])


@pytest.mark.browser
@pytest.mark.notebook
class TestChartsInJupyterLabsVegaLite:
    """JupyterLab 4 draws the charts with Vega-Lite 5 (``@jupyterlab/vega5-extension``); its vega-embed
    warns in the console for every spec whose ``$schema`` names another major version. Here the run's
    charts, as the notebooks emit them, are drawn by vega-embed with Vega-Lite 5 (vl-convert's oldest
    Vega-Lite bundle) in Chromium: every chart draws, and no spec version warning appears."""

    def test_no_version_warning_and_every_chart_drawn(self, pack_run, chromium, tmp_path):
        import vl_convert

        from alignment.presentation.display import EMBED_OPTIONS, RENDERER_SCHEMA, VEGALITE_MIMETYPE
        from alignment.report.export import chart_html

        specs = []
        for notebook in sorted((pack_run.out / "notebooks").glob("*.ipynb")):
            for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
                for output in cell.get("outputs", []):
                    if VEGALITE_MIMETYPE in output.get("data", {}):
                        specs.append(output["data"][VEGALITE_MIMETYPE])
        assert len(specs) >= 20
        assert {s["$schema"] for s in specs} == {RENDERER_SCHEMA}
        version = min(vl_convert.get_vegalite_versions(), key=lambda v: tuple(int(p) for p in v.split(".")))
        assert version.startswith("5.")
        bundle = vl_convert.javascript_bundle(vl_version=version).replace("</script", "<\\/script")
        charts = "".join(chart_html(f"chart-{i}", spec, EMBED_OPTIONS) for i, spec in enumerate(specs))
        embed = (Path(__file__).parents[1] / "alignment" / "assets" / "embed.js").read_text(encoding="utf-8")
        page = tmp_path / "vegalite5.html"
        page.write_text(
            f"<!DOCTYPE html><html><body>{charts}<script>{bundle}</script><script>{embed}</script></body></html>",
            encoding="utf-8",
        )
        visit = open_offline(chromium, page)
        visit.assert_clean()
        assert visit.chart_state["drawn"] == len(specs)
        # vl-convert's Vega-Lite 5 bundle carries Vega 6, so vega-embed also notes the compiled Vega's
        # version; JupyterLab's bundle pairs Vega-Lite 5 with Vega 5. The spec's own schema is what we set.
        versions = [w for w in visit.console_warnings if "input spec uses Vega-Lite" in w]
        assert versions == [], versions[:3]
