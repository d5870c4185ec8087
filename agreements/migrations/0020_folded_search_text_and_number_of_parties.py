"""Search that folds accents and case, matches whole words, and a list sortable by
the number of parties (issue 15).

``search_text`` is now stored in agreements.search's ``searchable`` form (folded,
words separated by single spaces, padded), so existing rows are refolded here: the
form of a stored text is the form of its document, whatever separated its parts.
``number_of_parties`` is derived with it by ``reindex``; it is counted here once. Both in
one pass, so PostgreSQL recomputes each row's generated tsvector once.

On PostgreSQL, indexes serve the list's column sorts over published rows (SQLite,
the small development default, sorts without them): the number of parties and the
title in either direction (a B-tree reads both ways), entry into force, whose dates
sort with the unknown last both ways (one index per direction), and the oldest
signed first (newest first has its own since 0007).
"""

import re
import unicodedata

from django.db import migrations, models
from django.db.models import Count

from tradepacts.db import PostgresOnlySQL

CHUNK = 2000
NOT_A_WORD = re.compile(r"[\W_]+")


def searchable(text):
    """agreements.search.searchable as of this migration."""
    for _ in range(2):
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).casefold()
    words = NOT_A_WORD.sub(" ", text).split()
    return f" {' '.join(words)} " if words else ""


def refold_and_count(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    Party = apps.get_model("agreements", "Party")
    counts = dict(Party.objects.values_list("agreement").annotate(n=Count("id")).order_by())
    ids = list(Agreement.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        stale = []
        for agreement in Agreement.objects.filter(pk__in=ids[start : start + CHUNK]).only("search_text", "number_of_parties"):
            text, number_of_parties = searchable(agreement.search_text), counts.get(agreement.pk, 0)
            if (text, number_of_parties) != (agreement.search_text, agreement.number_of_parties):
                agreement.search_text, agreement.number_of_parties = text, number_of_parties
                stale.append(agreement)
        Agreement.objects.bulk_update(stale, ["search_text", "number_of_parties"])


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0019_scope_regional"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="number_of_parties",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(refold_and_count, migrations.RunPython.noop, elidable=False),
        PostgresOnlySQL(
            [
                "CREATE INDEX agreements_published_parties ON agreements_agreement (number_of_parties, id) "
                "WHERE is_published;",
                "CREATE INDEX agreements_published_title ON agreements_agreement (title, id) WHERE is_published;",
                "CREATE INDEX agreements_published_in_force_asc ON agreements_agreement "
                "(in_force_on ASC NULLS LAST, id ASC) WHERE is_published;",
                "CREATE INDEX agreements_published_in_force_desc ON agreements_agreement "
                "(in_force_on DESC NULLS LAST, id DESC) WHERE is_published;",
                "CREATE INDEX agreements_published_oldest ON agreements_agreement "
                "(signed_on ASC NULLS LAST, id ASC) WHERE is_published;",
            ],
            [
                "DROP INDEX agreements_published_parties;",
                "DROP INDEX agreements_published_title;",
                "DROP INDEX agreements_published_in_force_asc;",
                "DROP INDEX agreements_published_in_force_desc;",
                "DROP INDEX agreements_published_oldest;",
            ],
        ),
    ]
