"""Exported pages in real headless Chromium, with every network request blocked and counted.

Each page must make no request beyond its own file, load without console or page errors, and
draw every chart (an SVG with marks in it). A screenshot of each page goes to ``test-artifacts/``;
the run on the shipped sample also takes the README's screenshots (``make screenshots`` puts them in ``docs/img/``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import (
    ARTIFACTS,
    XSS_NAME,
    comparison_report,
    fixture_report,
    launch_chromium,
    open_offline,
    readme_image,
    sample_ready,
    sample_report,
    shared_base,
)

pytestmark = [pytest.mark.browser, pytest.mark.notebook]


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory: pytest.TempPathFactory):
    return fixture_report(shared_base(tmp_path_factory))


def _pages(report: Path) -> list[Path]:
    return [report / "index.html", *sorted((report / "html").glob("*.html"))]


def test_every_fixture_page_is_offline_clean_and_draws_its_charts(chromium, fixture_run):
    pages = _pages(fixture_run.out)
    assert len(pages) == 4
    drawn = 0
    for page in pages:
        visit = open_offline(chromium, page, screenshot=ARTIFACTS / f"fixture-{page.stem}.png")
        visit.assert_clean()
        drawn += len(visit.charts)
    assert drawn == 5


def test_charts_are_interactive_offline(chromium, fixture_run):
    visit = open_offline(
        chromium, fixture_run.out / "html" / "01_fixture_customers.html", hover_first_mark=True
    )
    visit.assert_clean()
    assert visit.chart_state is not None and visit.chart_state["drawn"] == 1
    assert "Acme Ltd" in visit.chart_state["tooltip"]


def test_a_customer_named_like_a_script_shows_as_text_and_runs_nothing(chromium, fixture_run):
    visit = open_offline(chromium, fixture_run.out / "html" / "01_fixture_customers.html")
    visit.assert_clean()
    assert visit.dialogs == []
    assert visit.text.count(XSS_NAME) >= 2  # the plain table and the styled table


def test_the_failed_page_and_the_index_show_the_failure(chromium, fixture_run):
    failed = open_offline(chromium, fixture_run.out / "html" / "03_fixture_fails.html")
    failed.assert_clean()
    assert "This notebook failed in cell 5: ValueError: the fixture allocation does not add up" in failed.text
    assert len(failed.charts) == 1  # the chart before the failure is drawn
    index = open_offline(chromium, fixture_run.out / "index.html")
    assert (
        "03_fixture_fails failed in cell 5: ValueError: the fixture allocation does not add up" in index.text
    )


def test_comparison_page_is_offline_clean(chromium, tmp_path_factory: pytest.TempPathFactory):
    run = comparison_report(shared_base(tmp_path_factory))
    visit = open_offline(
        chromium, run.out / "comparison.html", screenshot=ARTIFACTS / "fixture-comparison.png"
    )
    visit.assert_clean()
    assert "Allocation by customer group" in visit.text


@pytest.mark.slow
def test_every_sample_page_is_offline_clean_and_draws_its_charts(chromium, tmp_path_factory):
    reason = sample_ready()
    if reason:
        pytest.skip(reason)
    run = sample_report(shared_base(tmp_path_factory))
    assert run.exit_status == 0, run.stderr[-3000:]
    pages = _pages(run.out)
    for page in pages:
        shot = ARTIFACTS / f"sample-{page.stem}.png"
        visit = open_offline(chromium, page, screenshot=shot)
        visit.assert_clean()
        if page.parent.name == "html":
            assert visit.chart_state is None or visit.chart_state["failed"] == 0
    open_offline(chromium, run.out / "index.html", screenshot=readme_image("index.png"), full_page=False)
    page = run.out / "html" / "03_gap_allocation.html"
    if not page.is_file():
        page = pages[1]
    open_offline(
        chromium,
        page,
        screenshot=readme_image("page.png"),
        full_page=False,
        viewport={"width": 1280, "height": 1600},
    )
