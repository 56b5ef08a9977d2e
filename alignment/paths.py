"""Every path the workbook needs, derived once from the package's own location.

Nothing depends on the folder you started from: a notebook run by hand, by papermill or by
``alignment run`` finds the same notebooks, sample data and parameters.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
DATA_DIR = PROJECT_DIR / "data"
SAMPLE_DATA_DIR = DATA_DIR / "sample"
PARAMS_DIR = PROJECT_DIR / "params"
SAMPLE_PARAMS = PARAMS_DIR / "sample.yaml"
REPORTS_DIR = PROJECT_DIR / "reports"
ASSETS_DIR = PACKAGE_DIR / "assets"
