"""GET parameters: numbers read from them, bounded before they are converted; query strings
that set one of them to each of several values (``queries_with``).

``int()`` of an arbitrary string is not safe in a request: past 4,300 digits Python
refuses it (ValueError, a 500 where nobody catches it), and long before that the
value means nothing here. ``bounded_int`` checks the text's shape and length first,
then its range: what it cannot read is None, for the caller to say so (a form
error, a notice, the first page), never an exception.
"""

import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import QueryDict

DIGITS = re.compile(r"[0-9]{1,18}")


def bounded_int(text: str | None, minimum: int, maximum: int) -> int | None:
    """``text`` as an int within [minimum, maximum], or None: ASCII digits only, at most
    as many as ``maximum`` has, converted only then."""
    if text is None:
        return None
    text = text.strip()
    if len(text) > len(str(maximum)) or not DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def queries_with(params: QueryDict, name: str, without: tuple[str, ...] = ()) -> Callable[[str | None], str]:
    """The query string of ``params`` with ``name`` set to a value (None: left out) and ``without``
    left out, as a copy of the QueryDict would give (``name`` where it was, else last). Encoded
    once for all the values: a page's links to other pages and orders were a copy and an
    encoding each."""
    marked = params.copy()
    for other in without:
        marked.pop(other, None)
    marked[name] = "\x00"
    parts = marked.urlencode().split("&")  # a value's own "&" is encoded: each part is one parameter
    at = parts.index(urlencode({name: "\x00"}))
    before, after = parts[:at], parts[at + 1 :]

    def query(value: str | None) -> str:
        if value is None:
            return "&".join(before + after)
        return "&".join([*before, urlencode({name: value}), *after])

    return query
