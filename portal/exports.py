"""Any list as a file: CSV or XLSX, with the list's filters, in the reader's language.

A list declares its columns, each a header (a `gettext_lazy` text), a kind and how to read a row
(`text`, `count`, `money`, `date`, `datetime`), and answers `?export=csv|xlsx` with
`export_response(request, basename, columns, rows)`: the same rows its page shows, every page of
them. Amounts are numbers with two decimals, counts whole numbers, dates real dates (Beijing
time, as the pages show them); headers and choice labels are in the language of the request.

The CSV streams as the rows are read, a chunk of the queryset at a time; the XLSX is written by
openpyxl's write-only workbook into a temporary file, so memory stays bounded either way, and is
then streamed from that file.
"""
import csv
import datetime as dt
import enum
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.errors import refused
from workflows import services
from workflows.errors import RuleViolation

FORMATS = ("csv", "xlsx")
CHUNK = 500  # rows read per query of a queryset's iterator, and written per piece of a CSV
FILE_BLOCK = 64 * 1024
CENT = Decimal("0.01")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such a text is
# written with a leading apostrophe in CSV, and as a string cell in XLSX.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Kind(enum.StrEnum):
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"


XLSX_FORMAT = {Kind.COUNT: "0", Kind.MONEY: "0.00", Kind.DATE: "yyyy-mm-dd", Kind.DATETIME: "yyyy-mm-dd hh:mm"}
XLSX_WIDTH = {Kind.TEXT: 24, Kind.COUNT: 10, Kind.MONEY: 14, Kind.DATE: 12, Kind.DATETIME: 17}

Reader = str | Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, its kind, and how to read its value from a row.

    `read` is a dotted path through attributes and keys (`"agreement.negotiation.certificate.code"`,
    `"province"` of a dict; a method on the way is called, as `"get_state_display"`; None stops the
    path), or a function of the row.
    """

    header: str | Promise
    kind: Kind
    read: Reader

    def value(self, row) -> Any:
        raw = _path(row, self.read) if isinstance(self.read, str) else self.read(row)
        return typed(self.kind, raw)


def text(header: str | Promise, read: Reader) -> Column:
    return Column(header, Kind.TEXT, read)


def count(header: str | Promise, read: Reader) -> Column:
    return Column(header, Kind.COUNT, read)


def money(header: str | Promise, read: Reader) -> Column:
    return Column(header, Kind.MONEY, read)


def date(header: str | Promise, read: Reader) -> Column:
    return Column(header, Kind.DATE, read)


def datetime(header: str | Promise, read: Reader) -> Column:
    return Column(header, Kind.DATETIME, read)


def _path(row, path: str):
    value = row
    for name in path.split("."):
        if value is None:
            return None
        value = value[name] if isinstance(value, Mapping) else getattr(value, name)
        if callable(value):
            value = value()
    return value


def _local(moment: dt.datetime) -> dt.datetime:
    """A stored moment as the pages show it, in DISPLAY_TIME_ZONE; spreadsheets hold no time zones."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment, ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return moment.replace(tzinfo=None, microsecond=0)


def typed(kind: Kind, raw) -> Any:
    """The value a cell of this kind holds: str, int, Decimal to the cent, date or naive local datetime; or None."""
    if raw is None or raw == "":
        return None if kind != Kind.TEXT else ""
    if kind == Kind.COUNT:
        return int(raw)
    if kind == Kind.MONEY:
        return Decimal(str(raw)).quantize(CENT)
    if kind == Kind.DATE:
        return _local(raw).date() if isinstance(raw, dt.datetime) else raw
    if kind == Kind.DATETIME:
        return _local(raw)
    return str(raw)


# --- the response ----------------------------------------------------------------------------


def asked(request: HttpRequest) -> bool:
    """Whether the request asks for an export of the page rather than the page."""
    return request.method == "GET" and "export" in request.GET


def export_response(request: HttpRequest, basename: str, columns: Sequence[Column], rows: Iterable,
                    title: str | Promise | None = None) -> HttpResponse:
    """Answer `?export=csv` (streamed) or `?export=xlsx` with the rows; any other format is a 400 naming both.

    `basename` names the file in ASCII (`negotiations-2026-12-05.csv`), `title` in the reader's
    language (`filename*`, and the XLSX sheet). A queryset is read in chunks of CHUNK rows.
    """
    kind = request.GET.get("export", "")
    if kind not in FORMATS:
        return refused(request, RuleViolation(
            "export_format_unknown", _("An export is one of %(allowed)s, not “%(given)s”."), 400,
            allowed=", ".join(FORMATS), given=kind[:20]))
    language = translation.get_language()
    title = str(title or basename)
    read = _read(rows)
    if kind == "csv":
        response = StreamingHttpResponse(_streamed(request, _csv(columns, read, language)),
                                         content_type="text/csv; charset=utf-8")
    else:
        book = _xlsx(columns, read, title)
        size = book.seek(0, io.SEEK_END)
        response = StreamingHttpResponse(_streamed(request, _blocks(book)), content_type=XLSX_TYPE)
        response["Content-Length"] = str(size)
    response["Content-Disposition"] = attachment(basename, title, kind)
    return response


def each(rows: Iterable, shape: Callable[[Any], Any]) -> Iterator:
    """The rows as `shape` makes them, a queryset still read in chunks: for rows a view builds from its objects."""
    return (shape(row) for row in _read(rows))


def one_of(request: HttpRequest, tables: Mapping[str, Callable[[], HttpResponse]]) -> HttpResponse:
    """The export of the page's table named by `?table=`; an unknown one is a 400 naming the tables."""
    name = request.GET.get("table", "")
    if name not in tables:
        return refused(request, RuleViolation(
            "export_table_unknown", _("This page exports the tables %(allowed)s, not “%(given)s”."), 400,
            allowed=", ".join(tables), given=name[:40]))
    return tables[name]()


def attachment(basename: str, title: str, extension: str) -> str:
    """A Content-Disposition naming the file in ASCII and, for any reader, in their language (RFC 5987)."""
    day = f"{services.today():%Y-%m-%d}"
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in basename) or "export"
    shown = "".join(c for c in title if c not in '/\\:*?"<>|\r\n').strip() or ascii_name
    return (f'attachment; filename="{ascii_name}-{day}.{extension}"; '
            f"filename*=UTF-8''{quote(f'{shown}-{day}.{extension}', safe='')}")


def _read(rows: Iterable) -> Iterator:
    """A queryset a chunk at a time (its prefetches per chunk), never whole; any other iterable as it comes."""
    return rows.iterator(chunk_size=CHUNK) if isinstance(rows, QuerySet) else iter(rows)


def _batches(rows: Iterator, size: int = CHUNK) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _streamed(request: HttpRequest, chunks: Iterator[bytes]):
    """The chunks as the handler can serve them one by one.

    Django serves a sync iterator under ASGI (uvicorn, daphne) only by reading it whole first, and an
    async one under WSGI likewise; so ASGI gets an async iterator that reads each chunk in the
    request's sync thread, where its database connection is.
    """
    if not isinstance(request, ASGIRequest):
        return chunks
    return _async_chunks(chunks)


async def _async_chunks(chunks: Iterator[bytes]):
    step = sync_to_async(next, thread_sensitive=True)
    try:
        while (chunk := await step(chunks, None)) is not None:
            yield chunk
    finally:
        if hasattr(chunks, "close"):
            await sync_to_async(chunks.close, thread_sensitive=True)()


# --- CSV ---------------------------------------------------------------------------------------


def _csv_cell(kind: Kind, value) -> str:
    if value is None:
        return ""
    if kind == Kind.MONEY:
        return f"{value:.2f}"
    if kind == Kind.DATE:
        return f"{value:%Y-%m-%d}"
    if kind == Kind.DATETIME:
        return f"{value:%Y-%m-%d %H:%M}"
    text_ = str(value)
    return f"'{text_}" if text_.startswith(FORMULA_START) else text_


def _csv(columns: Sequence[Column], rows: Iterator, language: str) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that Excel reads Chinese; one piece per CHUNK rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The generator runs after the view returned, where its language is no longer active.
    with translation.override(language):
        writer.writerow([_csv_cell(Kind.TEXT, column.header) for column in columns])
    yield ("\ufeff" + _taken(buffer)).encode("utf-8")
    for batch in _batches(rows):
        with translation.override(language):
            writer.writerows([[_csv_cell(c.kind, c.value(row)) for c in columns] for row in batch])
        yield _taken(buffer).encode("utf-8")


def _taken(buffer: io.StringIO) -> str:
    written = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return written


# --- XLSX --------------------------------------------------------------------------------------


def _xlsx_cell(sheet, kind: Kind, value) -> WriteOnlyCell:
    if kind == Kind.TEXT:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = XLSX_FORMAT[kind]
    return cell


def _sheet_title(title: str) -> str:
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "export"


def _xlsx(columns: Sequence[Column], rows: Iterator, title: str):
    """The workbook in a temporary file: write-only, so openpyxl keeps no row in memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = XLSX_WIDTH[column.kind]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = [WriteOnlyCell(sheet, value=str(column.header)) for column in columns]
    for cell in header:
        cell.font = bold
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, c.kind, c.value(row)) for c in columns])
    target = tempfile.TemporaryFile()
    book.save(target)
    return target


def _blocks(file) -> Iterator[bytes]:
    try:
        file.seek(0)
        while block := file.read(FILE_BLOCK):
            yield block
    finally:
        file.close()
