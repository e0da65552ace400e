"""Tables written as CSV or XLSX files, every cell neutralised so no spreadsheet runs it as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (leading = + - @, tab or carriage return)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render(fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[bytes, str]:
    """The table as a file in `fmt` ("csv" or "xlsx"), and its MIME type; every cell is neutralised."""
    rows = [[neutralise(value) for value in row] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)
        # A byte-order mark, so spreadsheet programs read the names in 24 languages as UTF-8.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), FORMATS["csv"]
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("export")
    sheet.append(list(columns))
    for row in rows:
        # openpyxl stores a string starting with "=" as a formula; neutralised cells never start so.
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), FORMATS["xlsx"]
