"""A notebook's ``params_file``: a params file read instead of the ``parameters`` cell's values.

Relative paths resolve against the repository root (where ``make lab`` opens JupyterLab); absolute
ones are taken as they are. ``papermill -p params_file ...`` works the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_company import write_company

from alignment.params import load_params, notebook_params_file
from alignment.paths import NOTEBOOKS_DIR, PROJECT_DIR, SAMPLE_PARAMS
from alignment.problems import ParamsError
from alignment.workbook import open_workbook


def _params_file(tmp_path: Path, growth: float = 0.5, extra: str = "") -> Path:
    write_company(tmp_path / "company")
    path = tmp_path / "mine.yaml"
    path.write_text(f"data_dir: company\ntarget: {{growth: {growth}}}\n{extra}", encoding="utf-8")
    return path


class TestNotebookParamsFile:
    def test_relative_to_the_repository_root(self):
        params = notebook_params_file("params/sample.yaml")
        assert params == load_params(SAMPLE_PARAMS)
        assert params.data_dir == (PROJECT_DIR / "data" / "sample").resolve()

    def test_absolute_and_its_data_dir_relative_to_the_file(self, tmp_path):
        params = notebook_params_file(str(_params_file(tmp_path)))
        assert params.target.growth == 0.5
        assert Path(params.data_dir) == (tmp_path / "company").resolve()

    def test_a_missing_file_is_one_line_naming_the_parameter(self):
        with pytest.raises(ParamsError) as caught:
            notebook_params_file("params/nope.yaml")
        (line,) = str(caught.value).splitlines()
        assert line.startswith("params_file: value 'params/nope.yaml': no such file ")
        assert "relative to the repository root" in line

    def test_a_bad_key_in_the_file_is_refused_as_by_alignment_run(self, tmp_path):
        path = _params_file(tmp_path, extra="targett: {}\n")
        with pytest.raises(ParamsError, match="targett"):
            notebook_params_file(str(path))


def test_alignment_run_passes_its_values_not_a_file():
    from alignment.params import notebook_parameters

    values = notebook_parameters(load_params(SAMPLE_PARAMS), report_dir=None)
    assert values["params_file"] is None and values["target"]["growth"] == 0.10


class TestOpenWorkbook:
    def test_the_file_replaces_the_cells_values(self, tmp_path):
        path = _params_file(tmp_path)
        wb = open_workbook(
            report_dir=None, params_file=str(path), data_dir="../data/sample", target={"growth": 0.0}
        )
        assert wb.params.target.growth == 0.5
        assert Path(wb.params.data_dir) == (tmp_path / "company").resolve()
        assert wb.from_file

    def test_none_or_empty_keeps_the_cells_values(self, tmp_path):
        write_company(tmp_path / "company")
        for value in (None, ""):
            wb = open_workbook(report_dir=None, params_file=value, data_dir=str(tmp_path / "company"))
            assert wb.params.target.growth == 0.10 and not wb.from_file

    def test_the_files_sections_are_kept(self, tmp_path):
        path = _params_file(tmp_path, extra="replan: {target: 123456.0}\nquota_quality: {threshold: 0.7}\n")
        wb = open_workbook(report_dir=None, params_file=str(path))
        assert wb.params.replan.target == 123456.0 and wb.params.quota_quality.threshold == 0.7
        assert wb.with_sections({}).params == wb.params  # the namespace has no sections: the file's stay


@pytest.mark.notebook
def test_papermill_p_params_file(tmp_path):
    """``papermill -p params_file FILE``: the notebook plans from the file (its growth, its data)."""
    import papermill

    path = _params_file(tmp_path, growth=0.5)
    report = tmp_path / "report"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "01_target_setting.ipynb"),
        str(tmp_path / "01.ipynb"),
        parameters={"params_file": str(path), "report_dir": str(report)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    parts = {}
    for part in (report / ".headline").glob("*.json"):
        parts.update(json.loads(part.read_text(encoding="utf-8")))
    from alignment.engine.plan import build_plan
    from alignment.loading import load_checked

    params, inputs, _ = load_checked(path)
    assert parts["top_down_target"] == build_plan(inputs, params).top_down_target
    params_10, _, _ = load_checked(_params_file(tmp_path / "ten", growth=0.10))
    assert parts["top_down_target"] != build_plan(inputs, params_10).top_down_target  # not the cell's 10%
