"""Page 07's exported explorer in real headless Chromium, offline: move the slider, pick from the lists, and
the headline figures shown are the engine's plan for that scenario, to the cent; no request leaves the page.

The run on the shipped sample also takes the README's screenshot of the exported explorer
(``make screenshots`` puts it in ``docs/img/explorer.png``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from browser_support import (
    ARTIFACTS,
    launch_chromium,
    open_offline,
    readme_image,
    sample_ready,
    sample_report,
    shared_base,
)

from alignment.engine.grid import scenario_params
from alignment.engine.plan import build_plan
from alignment.engine.views import allocation_totals
from alignment.inputs import load_inputs
from alignment.params import load_params
from alignment.paths import SAMPLE_PARAMS
from alignment.presentation.charts.explorer import (
    FIGURES_VIEW,
    GROUPS_VIEW,
    GROWTH_PARAM,
    METHOD_PARAM,
    PADDING_PARAM,
)
from alignment.presentation.charts.planning import MEASURE_LABELS
from alignment.vocabulary import figure

pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.slow]
SHOWN = (
    "top_down_target",
    "padded_target",
    "bottom_up_quota",
    "gap",
    "allocated_from_gap",
    "final_quota_total",
)
SCENARIO = "This scenario"
CHANGE = "Change vs the params file"

# every mark of the figures view carries "<column>, <figure label>: <value>" as its aria-label, every bar
# of the groups view "<group>, <figure>: <value>"
_LABELS_JS = """
(view) => Array.from(document.querySelectorAll('g.' + view + '_marks > *'))
  .map(el => el.getAttribute('aria-label') || '')
"""


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    if reason := sample_ready():
        pytest.skip(reason)
    run = sample_report(shared_base(tmp_path_factory))
    assert run.exit_status == 0, run.stderr[-3000:]
    return run.out / "html" / "07_scenario_explorer.html"


@pytest.fixture(scope="module")
def engine():
    params = load_params(SAMPLE_PARAMS)
    inputs = load_inputs(params.data_dir)
    return lambda growth, over, method: build_plan(inputs, scenario_params(params, growth, over, method))


def shown(page: Any, view: str = FIGURES_VIEW) -> dict[tuple[str, str], str]:
    """(column or group, figure label) -> the text the page shows in ``view``."""
    out = {}
    for label in page.evaluate(_LABELS_JS, view):
        head, _, value = label.rpartition(": ")
        column, _, name = head.partition(", ")
        out[(column, name)] = value
    return out


def money(text: str) -> Decimal:
    """A figure as the page writes it (d3's ``,.2f``, with a minus sign for negatives) as a Decimal."""
    return Decimal(text.replace(",", "").replace("\u2212", "-")) if text else Decimal(0)


def cents(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def wait_for_change(page: Any, before: dict, view: str) -> None:
    """Wait until ``view`` shows something else than ``before`` (Vega redraws after the input event)."""
    page.wait_for_function(
        f"([view, before]) => JSON.stringify(({_LABELS_JS})(view)) !== before",
        arg=[view, _js_state(before)],
        timeout=15_000,
    )


def _js_state(labels: dict) -> str:
    import json

    return json.dumps([f"{c}, {n}: {v}" for (c, n), v in labels.items()], separators=(",", ":"))


def test_moving_the_exported_controls_shows_the_grids_figures_offline(chromium, page, engine) -> None:
    seen: dict[str, dict] = {}
    groups: dict[str, dict] = {}

    def act(p: Any) -> None:
        p.wait_for_selector(f"g.{FIGURES_VIEW}_marks", state="attached", timeout=30_000)
        seen["start"], groups["start"] = shown(p), shown(p, GROUPS_VIEW)
        slider = p.locator(f"input[type=range][name={GROWTH_PARAM}]")
        slider.focus()
        for _ in range(4):  # 10% -> 20%, as a reader's arrow keys move it
            p.keyboard.press("ArrowRight")
        wait_for_change(p, seen["start"], FIGURES_VIEW)
        seen["growth"], seen["slider"] = shown(p), slider.input_value()
        p.select_option(f"select[name={PADDING_PARAM}]", label="5%")
        wait_for_change(p, seen["growth"], FIGURES_VIEW)
        seen["padding"], groups["padding"] = shown(p), shown(p, GROUPS_VIEW)
        p.select_option(f"select[name={METHOD_PARAM}]", label="headroom")  # the split moves, not the totals
        wait_for_change(p, groups["padding"], GROUPS_VIEW)
        seen["method"], groups["method"] = shown(p), shown(p, GROUPS_VIEW)
        ARTIFACTS.mkdir(exist_ok=True)
        chart = p.locator(".alignment-chart", has=p.locator(f"input[name={GROWTH_PARAM}]"))
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=str(ARTIFACTS / "explorer-exported.png"))
        chart.screenshot(path=str(readme_image("explorer.png")))

    visit = open_offline(chromium, page, act=act)
    visit.assert_clean()
    assert visit.requests == 0

    plans = {
        "start": engine(0.10, 0.0, "target_gap"),  # the params file's own scenario
        "growth": engine(0.20, 0.0, "target_gap"),
        "padding": engine(0.20, 0.05, "target_gap"),
        "method": engine(0.20, 0.05, "headroom"),
    }
    base = plans["start"].figures()
    assert seen["slider"] == "20"
    for step, plan in plans.items():
        figures = plan.figures()
        for key in SHOWN:
            label = figure(key).label
            assert money(seen[step][(SCENARIO, label)]) == cents(figures[key]), (step, key)
            assert money(seen[step][(CHANGE, label)]) == cents(figures[key]) - cents(base[key]), (step, key)
    assert seen["start"][(CHANGE, figure("gap").label)] == ""  # no change shown for the file's scenario
    allocated = MEASURE_LABELS["allocated_from_gap"]
    for step in ("start", "padding", "method"):
        totals = allocation_totals(plans[step])
        shown_groups = {g: v for (g, measure), v in groups[step].items() if measure == allocated}
        assert shown_groups, groups[step]
        for group, value in shown_groups.items():
            assert money(value) == cents(totals[group]["allocated_from_gap"]), (step, group)
