"""Numbers read from GET parameters: bounded before they are converted.

``int()`` of an arbitrary string is not safe in a request: past 4,300 digits Python
refuses it (ValueError, a 500 where nobody catches it), and long before that the
value means nothing here. ``bounded_int`` checks the text's shape and length first,
then its range: what it cannot read is None, for the caller to say so (a form
error, a notice, the first page), never an exception.
"""

import re

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
