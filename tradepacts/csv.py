"""Streaming CSV shared by every export: UTF-8 with a BOM (Excel reads the
accents of "Côte d'Ivoire" right), a header row, no cell a spreadsheet would
run as a formula, and a last line that says the file is complete.

Formulas (the one rule, used by every CSV the site writes):

- a text cell that, after any leading whitespace and field separators
  (``" =1+1"``, ``";=cmd"``, ``"\\t@SUM(A1)"``), begins with ``= + - @``, or that
  begins with a tab or a carriage return, gets a leading apostrophe, which
  spreadsheets show as text (OWASP's "CSV injection" advice);
- every text cell is quoted, so a separator inside one (``"a;=cmd"`` opened in a
  semicolon-locale spreadsheet) cannot split it into a new cell that starts a
  formula; numbers are neither quoted nor touched, so they stay numbers.

Load: ``limit_exports`` caps the CSV downloads one client runs at once
(``EXPORTS_PER_CLIENT``, across every web process through the shared cache): one
more is a 429 with Retry-After, before any work is done. And it queues the whole
site's: at most ``EXPORTS_AT_ONCE`` run at once (by default one per two CPUs), the
others wait their turn (up to ``EXPORT_QUEUE_SECONDS``, then a 503 with Retry-After),
so a few full exports keep one core busy, never every core the pages need.

Completeness: a complete file ends with the line ``# complete: 112003 rows``
(TRAILER_PREFIX, the number of data rows, then CRLF, or LF in a file whose lines
PostgreSQL's COPY wrote). A stream that fails or is cut
short never writes it, so a client that finds no such last line (or another
count) knows the file is not whole; the server logs every cut with its row count.
"""

import csv
import functools
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse

from tradepacts.imports import report_progress
from tradepacts.locking import Slot, take_slot, wait_for_slot
from tradepacts.middleware import client_ip

logger = logging.getLogger(__name__)

BOM = "\ufeff"
# The last line of every complete file: "# complete: 3 rows". A file without it was cut.
TRAILER_PREFIX = "# complete: "
# What a spreadsheet may read as the start of a formula, and what may come before it.
FORMULA_CHARACTERS = "=+-@"
CONTROL_STARTS = "\t\r"
SEPARATORS = ",;|"
# (Every character \s matches is below U+3001.)
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if re.fullmatch(r"\s", c))
# The rule as one regular expression, which Python's re and PostgreSQL's ~ read alike (the
# characters are listed, not \s, whose meaning in PostgreSQL depends on its locale):
# whitespace, separators and apostrophes, then a formula character, a tab or a CR.
FORMULA_PATTERN = f"^[{WHITESPACE}',;|]*[-{FORMULA_CHARACTERS.replace('-', '')}{CONTROL_STARTS}]"
FORMULA = re.compile(FORMULA_PATTERN)
# A cell whose first character is none of these cannot be a formula (the fast path).
SUSPECT_FIRST = frozenset(FORMULA_CHARACTERS + CONTROL_STARTS + SEPARATORS + "'" + WHITESPACE)
ROWS_PER_WRITE = 500
# A client's export place frees itself after this long if its process died holding it.
EXPORT_SLOT_SECONDS = 300
EXPORT_RETRY_AFTER_SECONDS = 10
SITE_EXPORTS = "export:site"


def is_formula(text: str) -> bool:
    """Would a spreadsheet run this text? After any whitespace, separators and apostrophes it
    starts with, it begins with ``= + - @``, or those leading characters hold a tab or a CR."""
    return bool(text) and text[0] in SUSPECT_FIRST and FORMULA.match(text) is not None


def sql_safe_cell(expression: str) -> tuple[str, list[str]]:
    """PostgreSQL: the text ``expression`` as ``safe_cell`` writes it, and the query
    parameters that SQL takes. For a query whose cells the database writes (COPY ... WITH
    CSV). The regular expression runs only where the first character is suspect: PostgreSQL
    reads a whole text to match it, and most cells start with a letter or a digit."""
    sql = f"CASE WHEN strpos(%s, left({expression}, 1)) > 0 AND {expression} ~ %s THEN '''' || {expression} ELSE {expression} END"
    return sql, ["".join(sorted(SUSPECT_FIRST)), FORMULA_PATTERN]


def safe_cell(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet would evaluate gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = value if isinstance(value, str) else str(value)
    # is_formula ignores apostrophes the text already starts with, so unsafe_cell
    # can tell our apostrophe from the author's.
    return "'" + text if is_formula(text) else text


def unsafe_cell(text: str) -> str:
    """Undo ``safe_cell`` on text read back from one of our files."""
    return text[1:] if text.startswith("'") and is_formula(text) else text


class _Buffer:
    """A file-like object that hands back what csv.writer writes."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


@dataclass
class Copied:
    """A CSV body the database wrote itself (PostgreSQL's ``COPY ... TO STDOUT WITH CSV``,
    its cells made safe with ``sql_safe_cell`` and its text quoted): the chunks, and the
    number of rows, known once every chunk was read."""

    chunks: Iterable[bytes]
    rows: Callable[[], int]


def trailer(rows: int, newline: str = "\r\n") -> str:
    return f"{TRAILER_PREFIX}{rows} rows{newline}"


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]] | Copied, name: str = "CSV") -> Iterator[bytes]:
    """The encoded file, a few hundred rows at a time (memory does not grow with rows),
    ending with the completion trailer. A failure on the way is logged with how far the
    file got and raised again: the server then ends the response without the trailer
    (and without HTTP's last chunk), never as a file that looks whole."""
    buffer = _Buffer()
    # The database's COPY ends lines with LF; lines this module writes, with CRLF (RFC 4180).
    newline = "\n" if isinstance(rows, Copied) else "\r\n"
    csv.writer(buffer, lineterminator=newline).writerow(header)
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    count = sent = 0
    try:
        yield (BOM + buffer.take()).encode()
        if isinstance(rows, Copied):
            for chunk in rows.chunks:
                sent += len(chunk)
                yield chunk
            count = rows.rows()
            yield trailer(count, newline).encode()
            return
        for row in rows:
            # Inline the commonest case: text that cannot be a formula is written as it is.
            writer.writerow([v if v.__class__ is str and v[:1] not in SUSPECT_FIRST else safe_cell(v) for v in row])
            count += 1
            if count % ROWS_PER_WRITE == 0:
                yield buffer.take().encode()
        yield (buffer.take() + trailer(count)).encode()
    except GeneratorExit:
        progress = f"{sent:,} bytes" if isinstance(rows, Copied) else f"{count} rows"
        logger.warning("%s cut after %s: the client closed the connection", name, progress)
        raise
    except Exception:
        progress = f"{sent:,} bytes" if isinstance(rows, Copied) else f"{count} rows"
        logger.exception("%s cut after %s: the rest was not written", name, progress)
        raise


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]] | Copied) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows, filename), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Releasing:
    """A streaming body that frees its export slots when the server closes the response,
    whether the file was read to its end, cut, or never started."""

    def __init__(self, content: Iterable[bytes], *slots: Slot) -> None:
        self.content, self.slots = iter(content), slots

    def __iter__(self) -> Iterator[bytes]:
        return self.content

    def close(self) -> None:
        for slot in self.slots:
            slot.release()


def busy(message: str, status: int, retry_after: int) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def limit_exports(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """At most ``EXPORTS_PER_CLIENT`` of this client's CSV downloads at once; one more is a
    429 with Retry-After. Then its turn among the site's (``EXPORTS_AT_ONCE``). The places
    are held until the response is closed."""

    @functools.wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        client = take_slot(f"export:{client_ip(request)}", settings.EXPORTS_PER_CLIENT, EXPORT_SLOT_SECONDS)
        if client is None:
            logger.warning("Export refused: %s already runs %d", client_ip(request), settings.EXPORTS_PER_CLIENT)
            return busy(
                f"Too many downloads at once: at most {settings.EXPORTS_PER_CLIENT} from one address. "
                "Try again when one has finished.\n",
                429,
                EXPORT_RETRY_AFTER_SECONDS,
            )
        site = wait_for_slot(SITE_EXPORTS, settings.EXPORTS_AT_ONCE, EXPORT_SLOT_SECONDS, settings.EXPORT_QUEUE_SECONDS)
        if site is None:
            client.release()
            logger.warning(
                "Export refused: %d downloads ran for %d s", settings.EXPORTS_AT_ONCE, settings.EXPORT_QUEUE_SECONDS
            )
            return busy("The server is busy with other downloads. Try again in a minute.\n", 503, 60)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            client.release()
            site.release()
            raise
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            response.streaming_content = _Releasing(response.streaming_content, client, site)  # type: ignore[arg-type]
        else:  # an invalid filter's 400: done already
            client.release()
            site.release()
        return response

    return limited


def is_trailer(cells: list[str]) -> bool:
    return len(cells) == 1 and cells[0].startswith(TRAILER_PREFIX)


def complete_rows(data: bytes) -> int | None:
    """A client's check of a downloaded file: the data rows its trailer announces when the
    file ends with one (and the trailer is its last line), else None: the file was cut."""
    end = data.rstrip(b"\r\n").rfind(b"\n")
    last = data[end + 1 :].decode("utf-8", "replace")
    match = re.fullmatch(rf"{re.escape(TRAILER_PREFIX)}(\d+) rows\r?\n", last)
    return int(match[1]) if match else None


def without_trailer(text: str) -> str:
    """A downloaded file's text without its completion trailer, for a reader that would
    take the trailer for a row (csv.DictReader)."""
    body = text.rstrip("\r\n")
    end = body.rfind("\n") + 1
    return body[:end] if body[end:].startswith(TRAILER_PREFIX) else text


PROGRESS_EVERY = 2_000  # lines between two reports to an import job's progress bar


def numbered_records(
    text: str | Iterable[str], report: Callable[[int, str], None], *, total: int = 0, phase: str = "checking"
) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with its line as a spreadsheet numbers it (a quoted cell
    spanning lines is one record). A malformed record is reported and ends the file.
    The completion trailer of a file this site exported, its last record, is no record.

    ``text`` is the whole file's text, or its lines as a stream (``TextSource.lines``:
    never read whole); ``total`` is the number of lines to report progress against
    (counted from the text when it is given whole; 0, not known), under ``phase``."""
    if isinstance(text, str):
        total = total or text.count("\n") + 1  # about: a quoted cell may span lines
        text = io.StringIO(text, newline="")
    reader = csv.reader(text)
    line, previous = 0, None
    lines = total
    while True:
        line += 1
        if line % PROGRESS_EVERY == 0:
            report_progress(phase, min(line, lines) if lines else line, lines)
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if previous:
                yield previous
            report(line, f"The file cannot be read as CSV from here on ({error}).")
            return
        if previous:
            yield previous
        previous = (line, cells)
    if previous and not is_trailer(previous[1]):
        yield previous


CHUNK_BYTES = 64 * 1024  # what a pass reads of the file at a time


class KeptOpen(io.RawIOBase):
    """A file read in chunks (``read(n)``), left open when its reader is closed or
    collected: the next pass over the file reads it again from the start."""

    def __init__(self, file: Any) -> None:
        super().__init__()
        self.file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class TextSource:
    """An uploaded or stored file read as text, as a stream, as many times as an import
    needs (a checking pass, then a writing pass): never read whole into memory.

    ``data``: text, bytes, or a file (binary, e.g. a Django upload or a stored file,
    read in buffered chunks; or text). Bytes that are not UTF-8 are kept as lone
    surrogates (``tradepacts.imports.NOT_UTF8`` finds them); a leading BOM is dropped.
    """

    def __init__(self, data: Any) -> None:
        self.data = data
        if isinstance(data, bytes | bytearray | memoryview):
            self.data = io.BytesIO(bytes(data))
        elif hasattr(data, "file") and hasattr(data, "chunks"):  # a Django File: its stream
            self.data = data.file

    def lines(self) -> Iterator[str]:
        """The file's lines from its start (newlines kept as they are, for the csv module)."""
        if isinstance(self.data, str):
            lines: Iterable[str] = io.StringIO(self.data, newline="")
            yield from self.without_bom(lines)
            return
        self.data.seek(0)
        if isinstance(self.data, io.TextIOBase):
            yield from self.without_bom(self.data)
            return
        binary = io.BufferedReader(KeptOpen(self.data), buffer_size=CHUNK_BYTES)
        yield from self.without_bom(io.TextIOWrapper(binary, encoding="utf-8", errors="surrogateescape", newline=""))

    @staticmethod
    def without_bom(lines: Iterable[str]) -> Iterator[str]:
        iterator = iter(lines)
        if (first := next(iterator, None)) is not None:
            yield first.removeprefix("\ufeff")
            yield from iterator
