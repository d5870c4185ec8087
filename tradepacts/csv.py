"""Streaming CSV shared by every export: UTF-8 with a BOM (Excel reads the
accents of "Côte d'Ivoire" right), a header row, and no cell a spreadsheet
would run as a formula."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

from tradepacts.imports import report_progress

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_WRITE = 500


def safe_cell(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet would evaluate gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    # Also text that already starts with apostrophes before a formula character,
    # so unsafe_cell can tell our apostrophe from the author's.
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unsafe_cell(text: str) -> str:
    """Undo ``safe_cell`` on text read back from one of our files."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS) else text


class _Buffer:
    """A file-like object that hands back what csv.writer writes."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """The encoded file, a few hundred rows at a time: memory does not grow with rows."""
    buffer = _Buffer()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield (BOM + buffer.take()).encode()
    for n, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if n % ROWS_PER_WRITE == 0:
            yield buffer.take().encode()
    yield buffer.take().encode()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


PROGRESS_EVERY = 2_000  # lines between two reports to an import job's progress bar


def numbered_records(text: str, report: Callable[[int, str], None]) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with its line as a spreadsheet numbers it (a quoted cell
    spanning lines is one record). A malformed record is reported and ends the file."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line, lines = 0, text.count("\n") + 1  # about: a quoted cell may span lines
    while True:
        line += 1
        if line % PROGRESS_EVERY == 0:
            report_progress("checking", min(line, lines), lines)
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            report(line, f"The file cannot be read as CSV from here on ({error}).")
            return
        yield line, cells
