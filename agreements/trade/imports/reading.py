"""Reading a trade import's file: its lines, cells, numbers and source texts.

Files are UTF-8, with or without a byte-order mark; any other encoding is
refused at the line of its first undecodable byte (Excel's plain "CSV" is
Windows-1252: save as "CSV UTF-8"). Cells are separated by commas, semicolons
or tabs, whichever the header uses. Values are rounded to the cent (rates to
six decimals), as the tables store them.
"""

import io
import itertools
import re
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Field

from agreements.models import ExchangeRate, Source, TradeFlow

BATCH = 10_000

EXPORTS, IMPORTS, TOTAL = TradeFlow.Flow.EXPORTS.value, TradeFlow.Flow.IMPORTS.value, TradeFlow.Flow.TOTAL.value
FLOW_BITS = {EXPORTS: 0, IMPORTS: 1, TOTAL: 2}

VALUE_PLACES, VALUE_DIGITS = 2, TradeFlow._meta.get_field("value").max_digits
RATE_FIELD = ExchangeRate._meta.get_field("units_per_usd")
RATE_PLACES, RATE_DIGITS = RATE_FIELD.decimal_places, RATE_FIELD.max_digits
# Numbers that need no rounding nor checking (the database reads them as they are).
VALUE_PATTERN = re.compile(rf"[0-9]{{1,{VALUE_DIGITS - VALUE_PLACES}}}(?:\.[0-9]{{1,{VALUE_PLACES}}})?")


def max_length(field: Field) -> int:
    """A text column's declared length (every one the import checks has one)."""
    if field.max_length is None:
        raise ValueError(f"{field} has no max_length.")
    return field.max_length


SOURCE_TITLE_LENGTH = max_length(Source._meta.get_field("title"))
SOURCE_URL_LENGTH = max_length(Source._meta.get_field("url"))

NOT_UTF8 = (
    "The file is not UTF-8 text (the first byte that is not is on this line): save it as “CSV UTF-8” in Excel, "
    "or convert it (iconv -f cp1252 -t utf-8), and import it again."
)


class NotUtf8(Exception):
    """A line of the file could not be decoded."""


def text_lines(data: Any) -> Iterator[str]:
    """The file's lines as text, a byte-order mark dropped; NotUtf8(line) at the first bad one.

    ``data``: bytes, text, or a file (binary or text, e.g. an upload) read line by line.
    """
    if isinstance(data, str):
        data = io.StringIO(data, newline="")
    elif isinstance(data, bytes | bytearray | memoryview):
        data = io.BytesIO(data)
    for number, raw in enumerate(data, start=1):
        if isinstance(raw, str):
            text = raw
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise NotUtf8(number) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def normalise(name: str) -> str:
    return " ".join(name.strip().lower().split())


def check_source_text(text: str) -> str:
    """A source given by title or URL, stripped; ValueError saying what is wrong with it."""
    text = text.strip()
    if text.lower().startswith(("http://", "https://")):
        if len(text) > SOURCE_URL_LENGTH:
            raise ValueError(f"a URL has at most {SOURCE_URL_LENGTH} characters.")
        try:
            URLValidator()(text)
        except ValidationError:
            raise ValueError(f"“{text}” is not a valid URL.") from None
    elif len(text) > SOURCE_TITLE_LENGTH:
        raise ValueError(f"a source title has at most {SOURCE_TITLE_LENGTH} characters.")
    return text


def parse_amount(text: str, places: int, digits: int) -> str:
    """A non-negative number rounded to ``places`` decimals, as text; ValueError saying why not."""
    text = text.strip()
    if not text:
        raise ValueError("Required: a number.")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(
            f"“{text}” is not a number: digits with a point for decimals, no thousands separators."
        ) from None
    if not number.is_finite():
        raise ValueError(f"“{text}” is not a number.")
    if number < 0:
        raise ValueError(f"{text} is negative: a value is never below zero.")
    if number.adjusted() >= digits - places:
        raise ValueError(f"{text} is too large: at most {digits - places} digits before the point.")
    rounded = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP) + 0  # + 0: no "-0.00"
    if rounded.adjusted() >= digits - places:  # 99.999 rounded up to 100.00
        raise ValueError(f"{text} is too large: at most {digits - places} digits before the point.")
    return str(rounded)


def chunks(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
