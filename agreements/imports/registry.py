"""The registry's default data (agreements/data/, with its README): DESTA, the WTO RTA list, GPTAD.

``load_registry`` imports each file in that order (DESTA first: its
``wto_name`` links the WTO's records; GPTAD last: it only adds claims to
agreements already there), skipping a file whose SHA-256 its dataset record
already holds, so a second ``make run`` imports nothing.
"""

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agreements.imports.desta import import_desta
from agreements.imports.gptad import import_gptad
from agreements.imports.merge import sha256
from agreements.imports.wto_rta import import_wto_rta
from agreements.models import Dataset
from tradepacts.imports import ImportResult

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = [
    ("desta", DATA / "desta_list_of_treaties_02_01_dyads.csv.gz"),
    ("wto_rta", DATA / "wto_rta_list_2021-03.csv.gz"),
    ("gptad", DATA / "gptad.csv.gz"),
]


def read_file(path: Path) -> bytes:
    """A file's bytes; a .gz file's content."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    "desta": import_desta,
    "wto_rta": import_wto_rta,
    "gptad": import_gptad,
}


def load_registry(report: Callable[[str], Any] = print, *, files: list[tuple[str, Path]] = FILES) -> None:
    """Import each file not imported before, in order; ``report`` says what each did."""
    importers = IMPORTERS
    for slug, path in files:
        data = read_file(path)
        if Dataset.objects.filter(slug=slug, sha256=sha256(data)).exists():
            report(f"{path.name}: imported before, unchanged: skipped.")
            continue
        result = importers[slug](data, filename=path.name.removesuffix(".gz"))
        report(f"{path.name}: {result}")
