"""Large agreements imports, written set-based (tradepacts.bulk: COPY on PostgreSQL) from
a file read as a stream: history rows for every created record, the search text reindex
would make, ids drawn around the ones the file gives, and a file never read whole."""

import io

import pytest

from agreements.imports.agreement_rows import CHUNK
from agreements.imports.agreements import import_agreements
from agreements.models import Agreement, Organisation, Party, Signatory
from agreements.search import reindex, search
from agreements.tests.import_helpers import csv_file, row
from tradepacts.csv import CHUNK_BYTES, TextSource

pytestmark = pytest.mark.django_db

CODES = ["RWA", "KEN", "TZA", "UGA", "BDI"]
ROWS = CHUNK + 500  # more than one chunk: planned and written in two


def many_rows(count: int = ROWS) -> bytes:
    return csv_file(
        *(
            row(
                url="",
                title=f"Memorandum {n} on transit",
                parties=f"{CODES[n % 5]}; {CODES[(n + 1) % 5]}",
                institutions=f"{CODES[n % 5]}: Ministry of Trade {n % 3}",
                signatories=f"Signer {n} (Minister, {CODES[n % 5]})",
                topics="Transit",
                corridors="",
                sources="",
            )
            for n in range(count)
        )
    )


def test_every_bulk_created_record_has_its_history_row(admin_user):
    result = import_agreements(many_rows(), publish=False, filename="many.csv", user=admin_user)

    assert result.created == ROWS == Agreement.objects.count()
    created = Agreement.history.filter(history_type="+")
    assert sorted(created.values_list("id", flat=True)) == sorted(result.ids)
    assert set(created.values_list("history_user", "history_change_reason")) == {
        (admin_user.pk, "Imported from many.csv")
    }
    assert Party.history.filter(history_type="+").count() == Party.objects.count() == 2 * ROWS
    assert Signatory.history.filter(history_type="+").count() == Signatory.objects.count() == ROWS
    assert Organisation.history.filter(history_type="+").count() == Organisation.objects.count() == 15


def test_the_search_text_of_created_agreements_is_what_reindex_makes():
    result = import_agreements(
        csv_file(row(), row(url="", title="Second", sources="", parties="RWA; TZA", institutions="", signatories="")),
        publish=True,
    )

    assert reindex(result.ids) == 0, "nothing left to reindex: the import wrote the same text"
    found = search(Agreement.objects.all(), "Kenya Ports Authority Manishimwe")
    assert [a.slug for a in found] == ["rwanda-kenya-kpa-mou-2026"]


def test_drawn_ids_never_meet_the_ids_the_file_gives():
    highest = Agreement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    given = highest + 3
    data = csv_file(row(url="", title="First"), row(url="", id=str(given), title="Given"), row(url="", title="Third"))

    result = import_agreements(data, publish=False)

    assert result.created == 3 and len(set(result.ids)) == 3
    assert Agreement.objects.get(pk=given).title == "Given"
    assert all(pk > given for pk in result.ids if pk != given)


class ChunkedOnly(io.BytesIO):
    """A stored upload that fails if anyone reads it whole, and notes each read's size."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("the whole file was read at once")
        self.sizes.append(size)
        return super().read(size)

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)


def test_the_file_is_read_as_a_stream_in_chunks():
    data = many_rows(1_000)
    file = ChunkedOnly(data)

    result = import_agreements(file, publish=False)

    assert result.created == 1_000
    assert max(file.sizes) <= CHUNK_BYTES
    passes = 4  # the header, the ids and slugs, checking, writing
    assert len(file.sizes) >= passes * (len(data) // CHUNK_BYTES)


def test_a_stream_yields_its_lines_lazily():
    file = ChunkedOnly(b"\xef\xbb\xbfheader\r\n" + b"row\r\n" * 100_000)
    lines = TextSource(file).lines()

    assert next(lines) == "header\r\n"  # the BOM dropped
    assert sum(file.sizes) <= CHUNK_BYTES, "one chunk read for the first line, not the file"
