"""Streaming exports of a filtered list: CSV row by row, XLSX through xlsxwriter's
constant-memory mode into a temporary file. Rows are read with `values_list(...).iterator()`
in chunks, so 100,000 rows never sit in memory (bench/dashboard.py measures it)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from .lists import ListSpec

CHUNK = 2000  # rows per database round trip


class _Echo:
    """csv.writer needs a file; this one hands each line straight back."""

    def write(self, value: str) -> str:
        return value


def _cell(value):
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return value


# A text cell starting with one of these is run as a formula by spreadsheet programs (CSV
# injection); page URLs, domains and titles come from the web, so such cells get a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    value = _cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows(spec: ListSpec, queryset) -> Iterator[tuple]:
    fields = [c.field for c in spec.columns]
    yield from queryset.values_list(*fields).iterator(chunk_size=CHUNK)


def csv_lines(spec: ListSpec, queryset) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so spreadsheet programs read UTF-8 names correctly
    yield writer.writerow([c.header for c in spec.columns])
    for row in rows(spec, queryset):
        yield writer.writerow([_csv_cell(v) for v in row])


def csv_response(spec: ListSpec, queryset, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(spec, queryset), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(spec: ListSpec, queryset, out) -> int:
    """Write the list to `out` (a binary file); returns the number of data rows."""
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(str(spec.title))  # the title in the reader's language
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    for col, column in enumerate(spec.columns):
        sheet.write_string(0, col, column.header, bold)
    count = 0
    for count, row in enumerate(rows(spec, queryset), start=1):
        for col, value in enumerate(row):
            value = _cell(value)
            if isinstance(value, Decimal):
                # XLSX stores numbers as doubles; two decimals survive the trip exactly enough
                # for display, and the CSV export keeps the exact decimal text.
                sheet.write_number(count, col, float(value), money)
            elif isinstance(value, int | float):
                sheet.write_number(count, col, value)
            else:
                # write_string, never write(): text is never read as a formula.
                sheet.write_string(count, col, str(value))
    workbook.close()
    return count


def xlsx_response(spec: ListSpec, queryset, filename: str) -> FileResponse:
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    write_xlsx(spec, queryset, out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
