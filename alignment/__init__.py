"""The marketing-sales alignment workbook's helper package.

Six practices, put into numbers both sides can read: roles and channel strategy, the detailed
marketing plan, target setting and gap allocation, the internal report card, the joint monthly
review and the quarterly celebration. Notebooks in ``notebooks/`` tell the story; this package
holds every computation, so the notebooks stay thin and the figures are tested.

Importing the package is cheap: nothing here imports altair or papermill until a chart or a run
needs it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("alignment-workbook")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
