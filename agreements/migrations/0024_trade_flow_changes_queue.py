"""PostgreSQL queues the pair-years whose flows change, so that the nightly full refresh reads
what changed instead of every flow (agreements.trade.sql).

Statement triggers on agreements_tradeflow add to agreements_tradeflow_changes the pair-year
(lower country id, higher country id, year) of every flow inserted, deleted or updated (both its
old and its new place, when a column the refresh reads changed); a TRUNCATE, which names no row,
adds a mark (all NULL) that every flow must be checked. The database writes the queue, so every
change path is in it: the ORM, the imports' set-based writes, COPY, plain SQL. A full refresh
consumes the queue (DELETE ... RETURNING: a change committed while it runs stays for the next).

A queue rather than a change stamp on the flows: a stamp from a sequence is taken before its
transaction commits, so a refresh reading "stamps above the last seen" misses a slow writer's
smaller stamp; and an index on a column every update changes would cost the flows' in-place
updates. Flows with the World are not queued (the refresh ignores them).
"""

from django.db import migrations, models

from tradepacts.db import PostgresOnlySQL

QUEUE = "agreements_tradeflow_changes"
# What the refresh reads of a flow (agreements.trade.statements): an update changing none of them is not queued.
READ = ["reporter_id", "partner_id", "year", "flow", "value", "currency", "is_synthetic", "origin"]


def place(rows: str) -> str:
    return (
        f"SELECT DISTINCT LEAST(reporter_id, partner_id), GREATEST(reporter_id, partner_id), year"
        f" FROM {rows} WHERE partner_id IS NOT NULL"
    )


# An update: each changed flow's old place and its new one.
UPDATED = f"""(
            SELECT k.* FROM old_flows o FULL JOIN new_flows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.reporter_id, o.partner_id, o.year), (n.reporter_id, n.partner_id, n.year))
                AS k (reporter_id, partner_id, year)
            WHERE ({", ".join(f"o.{c}" for c in READ)}) IS DISTINCT FROM ({", ".join(f"n.{c}" for c in READ)})
        ) AS changed"""

FUNCTION = f"""
CREATE FUNCTION agreements_tradeflow_queue_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO {QUEUE} (a, b, year) VALUES (NULL, NULL, NULL);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO {QUEUE} (a, b, year) {place("new_flows")};
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {QUEUE} (a, b, year) {place("old_flows")};
    ELSE
        INSERT INTO {QUEUE} (a, b, year) {place(UPDATED)};
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS = [
    ("insert", "INSERT", "REFERENCING NEW TABLE AS new_flows"),
    ("update", "UPDATE", "REFERENCING OLD TABLE AS old_flows NEW TABLE AS new_flows"),
    ("delete", "DELETE", "REFERENCING OLD TABLE AS old_flows"),
    ("truncate", "TRUNCATE", ""),
]

FORWARDS = [
    f"CREATE TABLE {QUEUE} (a bigint, b bigint, year smallint)",
    FUNCTION,
    *(
        f"CREATE TRIGGER agreements_tradeflow_queue_{name} AFTER {event} ON agreements_tradeflow {transition}"
        " FOR EACH STATEMENT EXECUTE FUNCTION agreements_tradeflow_queue_changes()"
        for name, event, transition in TRIGGERS
    ),
]
BACKWARDS = [
    *(f"DROP TRIGGER agreements_tradeflow_queue_{name} ON agreements_tradeflow" for name, _, _ in TRIGGERS),
    "DROP FUNCTION agreements_tradeflow_queue_changes()",
    f"DROP TABLE {QUEUE}",
]


class Migration(migrations.Migration):
    dependencies = [("agreements", "0023_pair_years_fillfactor")]

    operations = [
        migrations.AddField(
            model_name="traderefreshstate",
            name="rates_digest",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        # The state's rates_digest starts empty: the first full refresh checks every flow, the queue after.
        PostgresOnlySQL(FORWARDS, BACKWARDS),
    ]
