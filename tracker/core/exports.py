"""Tables written as CSV or XLSX (XlsxWriter) files, every cell neutralised so no spreadsheet runs it as a formula;
and the download of a list page's rows, audited when they hold personal data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.core.time import BRUSSELS

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
    kind = type(value)
    if kind is str:
        return neutralise(value)
    if kind is int or kind is float:
        return value
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
    import xlsxwriter

    buffer = io.BytesIO()
    # XlsxWriter streams rows to a temporary file (constant_memory) and never turns a string into a
    # formula, a link or a number when told so; neutralised cells are refused as formulas anyway.
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    day, moment = workbook.add_format({"num_format": "yyyy-mm-dd"}), workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    worksheet.write_row(0, 0, list(columns), bold)
    worksheet.freeze_panes(1, 0)
    if columns:
        worksheet.autofilter(0, 0, len(rows), len(columns) - 1)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, datetime):
                worksheet.write_datetime(number, column, value, moment)
            elif isinstance(value, date):
                worksheet.write_datetime(number, column, value, day)
            elif isinstance(value, bool):
                worksheet.write_boolean(number, column, value)
            elif isinstance(value, (int, float)):
                worksheet.write_number(number, column, value)
            elif value != "":
                worksheet.write_string(number, column, str(value))
    workbook.close()
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
    from tracker.core.models import begin_writing
    from tracker.core.time import utcnow
    from tracker.extensions import db

    if fmt not in FORMATS:
        abort(404)
    rows = [[column.value(item) for column in columns] for item in items]
    if personal:
        begin_writing()  # the rows are read; on SQLite the audit entry now waits for the lock, never fails
        record_event(action="export", entity_type=entity_type, entity_id=entity_id, member_state_id=member_state_id,
                     by=by, note=f"{fmt.upper()} export of {len(rows)} rows: {name}")
        db.session.commit()
    body, mimetype = render(fmt, [column.name for column in columns], rows, sheet=name)
    filename = f"{name}-{utcnow():%Y%m%d}.{fmt}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})
