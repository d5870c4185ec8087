"""Small files in the registry's own layouts, cut from the real ones in agreements/data/: the
WTO RTA list's and GPTAD's rows (the dataset upload tests, and corridors' bulk-change tests)."""

import csv
import gzip
import io

from agreements.imports.registry import FILES

PATHS = dict(FILES)
EAC = "East African Community (EAC)"


def lines_of(slug: str) -> list[str]:
    """The real file's header and rows (one record each on the lines used here)."""
    return gzip.decompress(PATHS[slug].read_bytes()).decode("utf-8").splitlines()


def wto_file(*names: str, change: dict[str, str] | None = None) -> bytes:
    """The WTO list's header and the rows of ``names``, the last changed by ``change``."""
    lines = lines_of("wto_rta")
    header = next(csv.reader([lines[0]]))
    rows = [row for row in csv.reader(lines[1:]) if row and row[0] in names]
    if change:
        rows[-1] = [change.get(name, cell) for name, cell in zip(header, rows[-1], strict=True)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def gptad_file(*rows: str) -> bytes:
    return "\n".join([lines_of("gptad")[0], *rows, ""]).encode()
