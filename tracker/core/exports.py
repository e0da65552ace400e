"""Tables written as CSV or XLSX files, every cell neutralised so no spreadsheet runs it as a formula;
and the download of a list page's rows, audited when they hold personal data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: Characters a spreadsheet may read as the start of a formula (OWASP's list, plus the full-width forms
#: some spreadsheet programs also accept).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ or a tab, CR or LF gets a '."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any, fmt: str) -> Any:
    """A value as a cell: times in Brussels, lists joined, booleans as true/false in CSV."""
    from tracker.core.time import BRUSSELS

    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(BRUSSELS).replace(tzinfo=None) if value.tzinfo else value
        return local.replace(microsecond=0) if fmt == "xlsx" else local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value if fmt == "xlsx" else value.isoformat()
    if isinstance(value, bool):
        return value if fmt == "xlsx" else ("true" if value else "false")
    if isinstance(value, (list, tuple, set, frozenset)):
        return "; ".join(str(item) for item in value)
    return neutralise(value)


def render(fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, sheet: str = "export") -> tuple[bytes, str]:
    """The table as a file in `fmt` ("csv" or "xlsx"), and its MIME type; every cell is neutralised."""
    rows = [[_cell(value, fmt) for value in row] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)
        # A byte-order mark, so spreadsheet programs read the names in 24 languages as UTF-8.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), FORMATS["csv"]
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.freeze_panes = "A2"
    if columns:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(worksheet, value=name)
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    for row in rows:
        # openpyxl stores a string starting with "=" as a formula; neutralised cells never start so.
        cells = []
        for value in row:
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), FORMATS["xlsx"]


@dataclass(frozen=True)
class Column:
    """One column of an export: its stable name, and how to read it from a row of the list."""

    name: str
    value: Callable[[Any], Any]


def download(fmt: str, name: str, columns: Sequence[Column], items: Iterable[Any], *, personal: bool, by: Any,
             entity_type: str, entity_id: int | None = None, member_state_id: int | None = None):
    """The list as a CSV or XLSX download named `name-YYYYMMDD.fmt`; 404 for another format.

    An export holding personal data is written to the audit log first (and committed: this is the
    request's boundary), so a download nobody can account for never happens.
    """
    from flask import Response, abort

    from tracker.audit.services import record_event
    from tracker.core.time import utcnow
    from tracker.extensions import db

    if fmt not in FORMATS:
        abort(404)
    rows = [[column.value(item) for column in columns] for item in items]
    if personal:
        record_event(action="export", entity_type=entity_type, entity_id=entity_id, member_state_id=member_state_id,
                     by=by, note=f"{fmt.upper()} export of {len(rows)} rows: {name}")
        db.session.commit()
    body, mimetype = render(fmt, [column.name for column in columns], rows, sheet=name)
    filename = f"{name}-{utcnow():%Y%m%d}.{fmt}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})
