"""The scenario explorer: ipywidgets controls over growth and allocation, with live figures.

Marketing and sales argue over "what if": what if Enterprise grows 15% instead of 10%, what if the
gap goes by headroom instead of prior revenue, what if quotas are padded by 5%? :class:`Explorer`
builds the widget tree from the inputs and a base :class:`~alignment.params.Params`; every change
of a control re-plans with :func:`alignment.engine.plan.build_plan` and redraws the headline figures and
charts. Tests drive the controls from plain Python (``explorer.controls["over_assignment"].value =
0.05``) and read :meth:`Explorer.figures`.

How the growth controls map to parameters, so that a saved scenario reproduces the figures exactly:

- the default growth slider is ``target.growth``;
- each customer group and each product line has a slider. A base rule that matches on
  ``customer_group`` alone (``product_line`` alone) is that group's (line's) rule: its slider edits
  the rule's growth in place, so its precedence among the rules is kept. A group or line without
  such a rule gets one only when its slider differs from the default growth. New group rules come
  first, so the base file's rules still win where they matched before; new line rules come right
  after the last rule on a customer group, so a line set here wins over every group's growth in the
  cells where both match (Healthcare x Software), and the file's later rules still win;
- moving the default growth carries along the sliders of groups and lines that have no rule of their
  own.

The exported page cannot re-plan: it offers the scenarios ``alignment run`` planned ahead
(``explorer.grid``, :mod:`alignment.engine.grid`), drawn by
:func:`alignment.presentation.charts.explorer.grid_chart`.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from alignment.engine.grid import GridPlans, plan_grid
from alignment.engine.plan import build_plan
from alignment.engine.views import compare_with_base
from alignment.inputs import Inputs
from alignment.outputs import atomic_write_text
from alignment.params import (
    CUSTOMER_METHODS,
    GROUP_METHODS,
    GrowthRule,
    Params,
    parse_params,
)
from alignment.paths import PARAMS_DIR
from alignment.presentation.charts.explorer import explorer_charts, grid_chart, method_label, percent_points
from alignment.presentation.display import chart_mimebundle
from alignment.presentation.tables import money_figure
from alignment.vocabulary import figure

ROUNDINGS = (0.01, 1.0, 10.0, 100.0, 1000.0, 10000.0)
SHOWN_FIGURES = ("top_down_target", "bottom_up_quota", "gap", "final_quota_total", "unallocated")


def group_growth(params: Params, groups: list[str]) -> dict[str, float]:
    """Each group's growth as the explorer shows it: its own rule's growth, else the default."""
    own = {r.customer_group: r.growth for r in params.target.rules if _group_only(r)}
    return {g: own.get(g, params.target.growth) for g in groups}


def line_growth(params: Params, lines: list[str]) -> dict[str, float]:
    """Each product line's growth as the explorer shows it: its own rule's growth, else the default."""
    own = {r.product_line: r.growth for r in params.target.rules if _line_only(r)}
    return {line: own.get(line, params.target.growth) for line in lines}


def _group_only(rule: GrowthRule) -> bool:
    return rule.customer_group is not None and rule.product_line is None and rule.product_id is None


def _line_only(rule: GrowthRule) -> bool:
    return rule.product_line is not None and rule.customer_group is None and rule.product_id is None


def scenario_params(
    base: Params,
    *,
    growth: float,
    group_growths: dict[str, float],
    group_method: str,
    customer_method: str,
    cap: str,
    rounding: float,
    over_assignment: float,
    line_growths: dict[str, float] | None = None,
) -> Params:
    """The parameters of a scenario: the base file with the explorer's control values applied."""
    line_growths = line_growths or {}
    own_groups = {r.customer_group for r in base.target.rules if _group_only(r)}
    own_lines = {r.product_line for r in base.target.rules if _line_only(r)}
    rules = []
    for r in base.target.rules:
        if _group_only(r):
            r = replace(r, growth=group_growths.get(r.customer_group, r.growth))
        elif _line_only(r):
            r = replace(r, growth=line_growths.get(r.product_line, r.growth))
        rules.append(r)
    new_groups = [
        GrowthRule(growth=v, customer_group=g)
        for g, v in sorted(group_growths.items())
        if g not in own_groups and v != growth
    ]
    new_lines = [
        GrowthRule(growth=v, product_line=line)
        for line, v in sorted(line_growths.items())
        if line not in own_lines and v != growth
    ]
    rules = new_groups + rules
    after = max((i + 1 for i, r in enumerate(rules) if _group_only(r)), default=0)
    rules = rules[:after] + new_lines + rules[after:]
    target = replace(base.target, growth=growth, rules=tuple(rules))
    shares = base.allocation.group_shares if group_method == "shares" else {}
    allocation = replace(
        base.allocation,
        group_method=group_method,
        customer_method=customer_method,
        cap=cap,
        rounding=rounding,
        over_assignment=over_assignment,
        group_shares=shares,
    )
    return replace(base, target=target, allocation=allocation)


def save_scenario(params: Params, path: str | Path) -> Path:
    """Write a params YAML that reproduces ``params`` exactly (``data_dir`` relative to the file's folder).

    The written file is read back and checked before it replaces anything, so a saved scenario always runs.
    """
    path = Path(path)
    values = params.to_dict()
    try:
        values["data_dir"] = Path(params.data_dir).resolve().relative_to(path.parent.resolve()).as_posix()
    except ValueError:
        import os

        values["data_dir"] = os.path.relpath(Path(params.data_dir).resolve(), path.parent.resolve())
    import yaml

    text = "# Saved from the scenario explorer.\n" + yaml.safe_dump(
        values, sort_keys=False, allow_unicode=True
    )
    again = parse_params(yaml.safe_load(text), path.parent.resolve(), source=path.name)
    if replace(again, source=None) != replace(params, source=None):
        raise ValueError(f"{path.name}: the saved scenario would not reproduce the explorer's parameters")
    return atomic_write_text(path, text)


class Explorer:
    """The widget tree of the scenario explorer and the state behind it.

    Parameters
    ----------
    inputs : Inputs
        The validated data folder.
    base : Params
        The parameters file's scenario: the starting point and the comparison's base.
    save_dir : Path, optional
        Where "Save scenario" writes; default the base params file's folder, else the workbook's
        ``params/`` folder.
    """

    def __init__(self, inputs: Inputs, base: Params, save_dir: str | Path | None = None):
        import ipywidgets as w

        self.inputs = inputs
        self.base = base
        self.base_plan = build_plan(inputs, base)
        self.plan = self.base_plan

        self.save_dir = Path(save_dir) if save_dir else (base.source.parent if base.source else PARAMS_DIR)
        self.groups = sorted(inputs.customers["customer_group"].unique().tolist())
        self.lines = sorted(inputs.products["product_line"].unique().tolist())
        self.last_update_seconds = 0.0
        self.chart_specs: list[dict[str, Any]] = []
        self._syncing = False
        pct = {
            "readout_format": ".1%",
            "continuous_update": False,
            "style": {"description_width": "150px"},
            "layout": w.Layout(width="420px"),
        }
        a = base.allocation
        rounding_options = sorted({*ROUNDINGS, a.rounding})
        self.controls: dict[str, Any] = {
            "growth": w.FloatSlider(
                value=base.target.growth, min=-0.5, max=1.0, step=0.005, description="Default growth", **pct
            ),
            "group_method": w.Dropdown(
                options=[(_label(m), m) for m in GROUP_METHODS if m != "shares" or a.group_shares],
                value=a.group_method,
                description="Gap to groups by",
                style={"description_width": "150px"},
            ),
            "customer_method": w.Dropdown(
                options=[(_label(m), m) for m in CUSTOMER_METHODS],
                value=a.customer_method,
                description="Gap to customers by",
                style={"description_width": "150px"},
            ),
            "cap": w.Dropdown(
                options=[("potential", "potential"), ("no cap", "none")],
                value=a.cap,
                description="Cap quotas at",
                style={"description_width": "150px"},
            ),
            "rounding": w.Dropdown(
                options=[(f"{r:,.2f}".rstrip("0").rstrip("."), r) for r in rounding_options],
                value=a.rounding,
                description="Round quotas to",
                style={"description_width": "150px"},
            ),
            "over_assignment": w.FloatSlider(
                value=a.over_assignment, min=0.0, max=0.25, step=0.005, description="Quota padding", **pct
            ),
        }
        self.group_controls = {
            g: w.FloatSlider(value=v, min=-0.5, max=1.0, step=0.005, description=f"{g} growth", **pct)
            for g, v in group_growth(base, self.groups).items()
        }
        self.line_controls = {
            line: w.FloatSlider(value=v, min=-0.5, max=1.0, step=0.005, description=f"{line} growth", **pct)
            for line, v in line_growth(base, self.lines).items()
        }
        self._own_rule = {r.customer_group for r in base.target.rules if _group_only(r)}
        self._own_line_rule = {r.product_line for r in base.target.rules if _line_only(r)}
        for name, control in self.controls.items():
            control.add_class(f"alignment-{name.replace('_', '-')}")
            control.observe(self._changed, names="value")
        for control in self.group_controls.values():
            control.add_class("alignment-group-growth")
            control.observe(self._changed, names="value")
        for control in self.line_controls.values():
            control.add_class("alignment-line-growth")
            control.observe(self._changed, names="value")
        self.controls["growth"].observe(self._default_moved, names="value")

        self.headline = w.HTML(layout=w.Layout(width="100%"))
        self.headline.add_class("alignment-headline")
        self.charts = w.Output()
        self.compare = w.ToggleButton(
            value=False, description="Compare with base", icon="columns", layout=w.Layout(width="180px")
        )
        self.compare.add_class("alignment-compare")
        self.compare.observe(self._changed, names="value")
        self.save_name = w.Text(value="scenario", description="Save as", style={"description_width": "60px"})
        self.save_button = w.Button(description="Save scenario", icon="save", button_style="primary")
        self.save_button.add_class("alignment-save")
        self.save_status = w.HTML()
        self.save_button.on_click(lambda _: self._save_clicked())
        self.widget = w.VBox(
            [
                w.HTML("<b>Target</b>"),
                self.controls["growth"],
                w.HTML("By customer group"),
                *self.group_controls.values(),
                w.HTML("By product line (a line set here wins over the groups; the last matching rule wins)"),
                *self.line_controls.values(),
                w.HTML("<b>Allocation</b>"),
                self.controls["group_method"],
                self.controls["customer_method"],
                self.controls["cap"],
                self.controls["rounding"],
                self.controls["over_assignment"],
                self.headline,
                w.HBox([self.compare, self.save_name, self.save_button]),
                self.save_status,
                self.charts,
            ]
        )
        self.widget.add_class("alignment-explorer")
        self.update()

    # ------------------------------------------------------------------ state
    def current_params(self) -> Params:
        """The scenario the controls describe."""
        c = self.controls
        return scenario_params(
            self.base,
            growth=float(c["growth"].value),
            group_growths={g: float(s.value) for g, s in self.group_controls.items()},
            line_growths={line: float(s.value) for line, s in self.line_controls.items()},
            group_method=c["group_method"].value,
            customer_method=c["customer_method"].value,
            cap=c["cap"].value,
            rounding=float(c["rounding"].value),
            over_assignment=float(c["over_assignment"].value),
        )

    def figures(self) -> dict[str, float]:
        """The current scenario's headline figures."""
        return self.plan.figures()

    def comparison(self) -> pd.DataFrame:
        """Allocation by customer group: base vs the current scenario."""
        return compare_with_base(self.base_plan, self.plan)

    def update(self) -> None:
        """Re-plan with the controls' values, then redraw the figures and charts.

        ``last_update_seconds`` is the time from the change to the new figures and chart specs
        handed to the front end (the browser then draws them).
        """

        start = time.perf_counter()
        self.plan = build_plan(self.inputs, self.current_params())
        self.headline.value = headline_html(self.figures(), self.base_plan.figures())
        charts = explorer_charts(self.plan, self.base_plan if self.compare.value else None)
        self.chart_specs = [chart.to_dict(validate=False) for chart in charts]
        self._draw()
        self.last_update_seconds = time.perf_counter() - start

    def save(self, name: str | None = None) -> Path:
        """Write the current scenario as ``<save_dir>/<name>.yaml``; returns the path."""
        stem = (name or self.save_name.value or "scenario").strip()
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem) or "scenario"
        return save_scenario(self.current_params(), self.save_dir / f"{stem}.yaml")

    # ------------------------------------------------------------------ events
    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._syncing:
            self.update()

    def _default_moved(self, change: dict[str, Any]) -> None:
        self._syncing = True
        try:
            for g, slider in self.group_controls.items():
                if g not in self._own_rule and slider.value == change["old"]:
                    slider.value = change["new"]
            for line, slider in self.line_controls.items():
                if line not in self._own_line_rule and slider.value == change["old"]:
                    slider.value = change["new"]
        finally:
            self._syncing = False
        self.update()

    def _save_clicked(self) -> None:
        try:
            path = self.save()
        except (OSError, ValueError) as exc:
            self.save_status.value = f"<span style='color:#b00'>Not saved: {_escape(str(exc))}</span>"
        else:
            self.save_status.value = (
                f"Saved <code>{_escape(str(path))}</code>: "
                f"<code>alignment run {_escape(str(path))}</code> reproduces it."
            )

    def _draw(self) -> None:
        """Put the chart specs into the chart area.

        The area's outputs are set as widget state, not captured from ``display`` calls, so drawing
        needs no front end: it works the same in JupyterLab, in a batch run and in plain Python.
        """

        outputs = []
        for spec in self.chart_specs:
            data, metadata = chart_mimebundle(spec)
            outputs.append({"output_type": "display_data", "data": data, "metadata": metadata})
        self.charts.outputs = tuple(outputs)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Scenario explorer (live controls need a running kernel in JupyterLab)"
        bundle["text/html"] = (
            "<p><em>The scenario explorer's controls run live in JupyterLab. This page shows the base scenario "
            "above, and below, under Scenarios on this page, the scenarios planned ahead.</em></p>"
            + headline_html(self.figures(), self.base_plan.figures())
        )
        return bundle


def headline_html(figures: dict[str, float], base: dict[str, float]) -> str:
    """The headline figures as a small HTML table, with the change from the base scenario.

    Money reads as the tables' figures (:func:`alignment.presentation.tables.money_figure`): in the
    display's scale, with its currency.
    """
    rows = []
    for key in SHOWN_FIGURES:
        label = figure(key).label
        value, was = figures[key], base[key]
        delta = value - was
        change = "" if abs(delta) < 0.005 else money_figure(delta, signed=True)
        rows.append(
            f"<tr><th style='text-align:left'>{label}</th><td style='text-align:right' "
            f"class='figure-{key}' data-key='{key}'>{_escape(money_figure(value))}</td>"
            f"<td style='text-align:right;color:#555'>{_escape(change)}</td></tr>"
        )
    return (
        "<table class='alignment-figures'><thead><tr><th></th><th>scenario</th><th>change vs base</th></tr>"
        "</thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _label(method: str) -> str:
    """A method's name as the controls show it (``prior_revenue`` -> ``prior revenue``)."""
    return method.replace("_", " ")


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


# --------------------------------------------------------------------------- the exported explorer


def plan_scenarios(inputs: Inputs, params: Params) -> GridPlans | None:
    """Every scenario of ``explorer.grid``, planned on the loaded inputs (None with ``grid: false``)."""
    return plan_grid(inputs, params) if params.explorer.grid is not None else None


def grid_note(grid: GridPlans | None, params: Params) -> str:
    """What the exported explorer offers, as Markdown: the parameters the grid spans and those it keeps."""
    if grid is None:
        return (
            "*No scenarios are planned ahead: the params file sets `explorer.grid: false`. Remove that line "
            "(or give the grid's values) and the page offers them here.*"
        )
    g, a = grid.grid, params.allocation
    paddings = ", ".join(f"{percent_points(o):g}%" for o in grid.over_assignments)
    methods = ", ".join(method_label(m) for m in grid.group_methods)
    rules = "; ".join(_rule_text(r) for r in params.target.rules) or "none"
    return "\n".join(
        [
            f"**{grid.scenarios} scenarios**, each planned by the same engine as `alignment plan`:",
            "",
            f"- **Default growth** (`target.growth`): {percent_points(g.growth_min):g}% to "
            f"{percent_points(g.growth_max):g}% in steps of {percent_points(g.growth_step):g} points "
            f"({len(grid.growths)} values);",
            f"- **Quota padding** (`allocation.over_assignment`): {paddings};",
            f"- **Gap to groups by** (`allocation.group_method`): {methods}.",
            "",
            f"Everything else is the params file's: growth rules ({rules}), gap to customers by "
            f"{method_label(a.customer_method)}, cap {a.cap}, rounding to {a.rounding:,g}"
            + (", hand-locked overrides in force" if grid.figures["locked_adjustment"].ne(0).any() else "")
            + ". The grid's values are set in the params file under `explorer.grid`.",
        ]
    )


def _rule_text(rule: GrowthRule) -> str:
    keys = ", ".join(
        f"{k} {getattr(rule, k)}"
        for k in ("customer_group", "product_line", "product_id")
        if getattr(rule, k)
    )
    return f"{keys}: {percent_points(rule.growth):+g}%"


def grid_view(grid: GridPlans | None, params: Params) -> Any:
    """The exported explorer's chart (:func:`~alignment.presentation.charts.explorer.grid_chart`), or
    None when no scenarios were planned."""
    return grid_chart(grid, params) if grid is not None else None
