# The workbook's commands. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.DEFAULT_GOAL := help
.PHONY: help report test lab lint bench screenshots clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP) $@

report: $(STAMP) ## run the whole workbook on the sample data into reports/sample/
	$(BIN)/alignment run params/sample.yaml --out reports/sample

test: $(TEST_STAMP) ## run every test, notebooks included
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax tests notebooks

lab: $(STAMP) ## open JupyterLab at the repository root (notebooks/, params/, data/)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root)

lint: $(TEST_STAMP) ## ruff check and ruff format on the package, tests and notebooks; notebooks must carry no outputs
	$(BIN)/ruff check alignment tests benchmarks notebooks
	$(BIN)/ruff format --check alignment tests benchmarks notebooks
	$(BIN)/python -m pytest -q tests/test_hygiene.py

bench: $(TEST_STAMP) ## benchmarks: planning engine, explorer, batch run, as ratios to floors measured in the same run
	$(BIN)/python benchmarks/bench_plan.py
	$(BIN)/python benchmarks/bench_explorer.py
	$(BIN)/python benchmarks/bench_run.py
	$(BIN)/python benchmarks/bench_sources.py

screenshots: $(TEST_STAMP) ## take the README's screenshots (docs/img/) from the sample report in headless Chromium
	UPDATE_README_IMAGES=1 $(BIN)/python -m pytest -q tests/test_browser_exports.py tests/test_browser_grid.py

clean: ## remove reports and caches (keeps .venv)
	rm -rf reports .pytest_cache .hypothesis .ruff_cache test-artifacts benchmarks/out
