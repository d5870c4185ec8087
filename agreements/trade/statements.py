"""The statement that computes trade statistics per pair and year on PostgreSQL, and
the SQL parts it is made of (the roles, conversion and digests), shared with the
change detection in agreements.trade.sql and with the benchmarks' floors."""

from agreements.trade.roles import AB_MIRROR, AB_REPORTED, BA_MIRROR, BA_REPORTED, TOTAL_A, TOTAL_B

KEYS = "trade_refresh_keys"  # the temporary table of the pair-years to recompute
# The pair-years whose flows changed, queued by the database (triggers, migration 0024) for the full refresh.
QUEUE = "agreements_tradeflow_changes"

RATES = """
    SELECT currency, year, units_per_usd * 1.0000000000000000000000 AS units_per_usd
    FROM agreements_exchangerate
"""
# A flow f's value in US dollars, with its rate r from RATES (NULL without one); also the benchmark's floor.
USD = "CASE WHEN f.currency = 'USD' THEN f.value ELSE ROUND(f.value / r.units_per_usd, 2) END"
# Each flow's digest is the stored generated column agreements_tradeflow.digest (migration 0012):
# computed once per write by the database, so a change made any way changes it.
FLOW_DIGEST = "f.digest"
# Every exchange rate, in one digest that every row's includes: any change of a rate recomputes
# every row (rates change seldom; checking each flow's rate would cost a join per flow). The rules'
# version goes in with it, so that a change of the rules recomputes every row too.
COMMON_DIGEST = """((SELECT COALESCE(bit_xor(hash_numeric_extended(units_per_usd,
            hashtextextended(currency || ' ' || year, 0))), 0) FROM agreements_exchangerate)
            # hashint8extended(%(digest_version)s, 0))"""
PAIR = "LEAST(f.reporter_id, f.partner_id) AS a, GREATEST(f.reporter_id, f.partner_id) AS b"

# The role a flow f plays for its pair-year (agreements.trade.roles); also the benchmark's floor.
ROLE = f"""CASE WHEN f.reporter_id < f.partner_id
            THEN CASE f.flow WHEN 'exports' THEN {AB_REPORTED} WHEN 'imports' THEN {BA_MIRROR} ELSE {TOTAL_A} END
            ELSE CASE f.flow WHEN 'exports' THEN {BA_REPORTED} WHEN 'imports' THEN {AB_MIRROR} ELSE {TOTAL_B} END
        END"""
# Per role, the flow of the first origin (TradeFlow.Origin's precedence; then the lowest id): one
# aggregate keeps its origin, id and dollar value together, so figures of two sources never mix.
ROLE_COLUMNS = ",\n".join(
    f"        min(ARRAY[origin, id, usd, synthetic]) FILTER (WHERE role = {r}) AS p{r}" for r in range(6)
)
ROLE_PICKS = ",\n".join(f"        p{r}[1] AS o{r}, p{r}[2]::bigint AS id{r}, p{r}[3] AS usd{r}" for r in range(6))
# A direction: the first origin; between the two reports of one origin, the exporter's (role r).
FIRST = "CASE WHEN id{r} IS NOT NULL AND (id{m} IS NULL OR o{r} <= o{m}) THEN {r} WHEN id{m} IS NOT NULL THEN {m} END"
NOTE = "'no exchange rate for ' || {cur} || ' in ' || year"
AGREEMENT_PAIRS = """
    -- Each pair's years with an agreement in force at year end: [start, stop).
    SELECT p1.country_id AS a, p2.country_id AS b,
        GREATEST(EXTRACT(YEAR FROM ag.in_force_on), EXTRACT(YEAR FROM p1.joined_on),
                 EXTRACT(YEAR FROM p2.joined_on))::int AS start,
        LEAST(EXTRACT(YEAR FROM ag.ended_on), EXTRACT(YEAR FROM p1.withdrew_on),
              EXTRACT(YEAR FROM p2.withdrew_on))::int AS stop
    FROM agreements_agreement ag
    JOIN agreements_party p1 ON p1.agreement_id = ag.id
    JOIN agreements_party p2 ON p2.agreement_id = ag.id AND p2.country_id > p1.country_id
    WHERE ag.is_published AND ag.in_force_on IS NOT NULL {agreement_scope}
"""
# What every count of agreements in force is computed from (AGREEMENT_PAIRS), as one digest: the
# agreements' publication and dates, and their parties' countries and dates; with the rules' version.
# Computed inside the statement that counts, so it describes the very rows that statement read.
AGREEMENTS_DIGEST = """(
    COALESCE((SELECT bit_xor(hashtextextended(format('%%s|%%s|%%s|%%s', id, is_published, in_force_on, ended_on), 0))
              FROM agreements_agreement), 0)
    # COALESCE((SELECT bit_xor(hashtextextended(
                  format('%%s|%%s|%%s|%%s', agreement_id, country_id, joined_on, withdrew_on), 1))
              FROM agreements_party), 0)
    # hashint8extended(%(digest_version)s, 0))"""
# Growth on the previous year's total, to six places; empty when it would not fit the column.
RAW_GROWTH = """CASE WHEN {total} IS NOT NULL AND {previous} <> 0
                THEN ROUND(({total} - {previous}) * 1.000000000000000000000000 / {previous}, 6) END"""
CAPPED_GROWTH = "CASE WHEN ABS(raw_growth) < 1000000 THEN raw_growth END"
FIGURES = (
    "n.ab_usd, n.ab_basis, n.ab_id, n.ba_usd, n.ba_basis, n.ba_id, n.total_usd, n.total_basis, n.total_id, "
    "n.growth, n.in_force, n.notes, n.is_synthetic, n.ab_check_usd, n.ab_check_id, n.ba_check_usd, n.ba_check_id"
)
STORED_FIGURES = (
    "o.a_to_b_usd, o.a_to_b_basis, o.a_to_b_flow_id, o.b_to_a_usd, o.b_to_a_basis, o.b_to_a_flow_id, "
    "o.total_usd, o.total_basis, o.total_flow_id, o.growth, o.agreements_in_force, o.notes, o.is_synthetic, "
    "o.a_to_b_check_usd, o.a_to_b_check_flow_id, o.b_to_a_check_usd, o.b_to_a_check_flow_id"
)

PAIR_YEAR_SQL = f"""
WITH rates AS ({RATES}),
flows AS (
    SELECT f.id::numeric AS id, f.origin::numeric AS origin, f.year, f.is_synthetic::int::numeric AS synthetic,
        {PAIR},
        {ROLE} AS role,
        {USD} AS usd,
        {FLOW_DIGEST} AS digest
    FROM agreements_tradeflow f
    LEFT JOIN rates r ON r.currency = f.currency AND r.year = f.year
    WHERE f.partner_id IS NOT NULL {{flow_scope}}
    -- OFFSET 0 keeps each level's expressions computed once per row, not copied into every
    -- aggregate or expression above that uses them (here: 13 aggregate filters per flow).
    OFFSET 0
),
grouped AS (
    SELECT a, b, year,
{ROLE_COLUMNS},
        bit_xor(digest) # {COMMON_DIGEST} AS inputs_digest
    FROM flows
    GROUP BY a, b, year
),
picked AS (
    SELECT a, b, year, inputs_digest,
        -- The roles whose chosen flow is synthetic, one bit each.
        {" | ".join(f"(COALESCE(p{r}[4], 0)::int << {r})" for r in range(6))} AS synthetic_roles,
{ROLE_PICKS}
    FROM grouped
    OFFSET 0
),
roles AS (
    SELECT *,
        {FIRST.format(r=0, m=1)} AS ab_role,
        {FIRST.format(r=2, m=3)} AS ba_role,
        -- A reported total: one that converts first, then the first origin, country A's first.
        CASE WHEN usd4 IS NOT NULL AND (usd5 IS NULL OR o4 <= o5) THEN 4 WHEN usd5 IS NOT NULL THEN 5
             WHEN id4 IS NOT NULL AND (id5 IS NULL OR o4 <= o5) THEN 4 WHEN id5 IS NOT NULL THEN 5 END AS t_role
    FROM picked
),
chosen AS (
    SELECT a, b, year, synthetic_roles, inputs_digest, ab_role, ba_role, t_role,
        CASE ab_role WHEN 0 THEN id0 WHEN 1 THEN id1 END AS ab_id,
        CASE ab_role WHEN 0 THEN usd0 WHEN 1 THEN usd1 END AS ab_usd,
        CASE ab_role WHEN 0 THEN id1 WHEN 1 THEN id0 END AS ab_check_id,
        CASE ab_role WHEN 0 THEN usd1 WHEN 1 THEN usd0 END AS ab_check_usd,
        CASE ba_role WHEN 2 THEN id2 WHEN 3 THEN id3 END AS ba_id,
        CASE ba_role WHEN 2 THEN usd2 WHEN 3 THEN usd3 END AS ba_usd,
        CASE ba_role WHEN 2 THEN id3 WHEN 3 THEN id2 END AS ba_check_id,
        CASE ba_role WHEN 2 THEN usd3 WHEN 3 THEN usd2 END AS ba_check_usd,
        CASE t_role WHEN 4 THEN id4 WHEN 5 THEN id5 END AS t_id,
        CASE t_role WHEN 4 THEN usd4 WHEN 5 THEN usd5 END AS t_usd
    FROM roles
    OFFSET 0
),
known AS (
    SELECT *, ab_usd IS NOT NULL AND ba_usd IS NOT NULL AS both_known FROM chosen
),
figures AS (
    SELECT a, b, year, synthetic_roles, inputs_digest, both_known, ab_role, ba_role, t_role,
        ab_usd, ab_id, ba_usd, ba_id, ab_check_usd, ab_check_id, ba_check_usd, ba_check_id,
        CASE WHEN both_known THEN ab_usd + ba_usd ELSE t_usd END AS total_usd,
        CASE WHEN both_known THEN
                CASE WHEN ab_role = 1 OR ba_role = 3 THEN 'mirror' ELSE 'reported' END
             WHEN t_id IS NOT NULL THEN 'reported_total' ELSE 'missing' END AS total_basis,
        CASE WHEN both_known THEN NULL ELSE t_id END AS total_id,
        (ab_id IS NOT NULL AND ab_usd IS NULL) OR (ba_id IS NOT NULL AND ba_usd IS NULL)
            OR (NOT both_known AND t_id IS NOT NULL AND t_usd IS NULL) AS unconverted,
        -- Currencies without a rate: looked up only for the few figures that need a note.
        CASE WHEN ab_id IS NOT NULL AND ab_usd IS NULL
            THEN (SELECT currency FROM agreements_tradeflow WHERE id = ab_id) END AS ab_cur,
        CASE WHEN ba_id IS NOT NULL AND ba_usd IS NULL
            THEN (SELECT currency FROM agreements_tradeflow WHERE id = ba_id) END AS ba_cur,
        CASE WHEN NOT both_known AND t_id IS NOT NULL AND t_usd IS NULL
            THEN (SELECT currency FROM agreements_tradeflow WHERE id = t_id) END AS t_cur
    FROM known
    OFFSET 0
),
pair_rows AS MATERIALIZED (
    SELECT a, b, year, inputs_digest,
        ab_usd, CASE ab_role WHEN 0 THEN 'reported' WHEN 1 THEN 'mirror' ELSE 'missing' END AS ab_basis, ab_id,
        ba_usd, CASE ba_role WHEN 2 THEN 'reported' WHEN 3 THEN 'mirror' ELSE 'missing' END AS ba_basis, ba_id,
        ab_check_usd, ab_check_id, ba_check_usd, ba_check_id,
        total_usd, total_basis, total_id,
        CASE WHEN NOT unconverted THEN '' ELSE concat_ws('; ',
            {NOTE.format(cur="ab_cur")},
            CASE WHEN ba_cur IS DISTINCT FROM ab_cur THEN {NOTE.format(cur="ba_cur")} END,
            CASE WHEN t_cur IS DISTINCT FROM ab_cur AND t_cur IS DISTINCT FROM ba_cur
                THEN {NOTE.format(cur="t_cur")} END
        ) END AS notes,
        (COALESCE(synthetic_roles, 0) & (
            COALESCE(1 << ab_role, 0) | COALESCE(1 << ba_role, 0)
            | CASE WHEN both_known THEN 0 ELSE COALESCE(1 << t_role, 0) END
        )) <> 0 AS is_synthetic
    FROM figures
),
-- Materialized: joined on the pair as a whole, not party by party.
agreement_pairs AS MATERIALIZED ({AGREEMENT_PAIRS}),
in_force AS (
    SELECT r.a, r.b, r.year, count(*) AS agreements
    FROM pair_rows r
    JOIN agreement_pairs ap ON ap.a = r.a AND ap.b = r.b
    WHERE ap.start <= r.year AND (ap.stop IS NULL OR r.year < ap.stop)
    GROUP BY r.a, r.b, r.year
),{{near}}
new AS (
    SELECT g.*, {CAPPED_GROWTH} AS growth
    FROM (
        SELECT c.*, {RAW_GROWTH.format(total="c.total_usd", previous="c.previous_total")} AS raw_growth
        FROM (
            SELECT r.*, COALESCE(i.agreements, 0)::int AS in_force, {{previous_total}} AS previous_total
            FROM pair_rows r
            LEFT JOIN pair_rows p ON p.a = r.a AND p.b = r.b AND p.year = r.year - 1
            LEFT JOIN in_force i ON i.a = r.a AND i.b = r.b AND i.year = r.year{{previous_join}}
            OFFSET 0
        ) c
        OFFSET 0
    ) g
),
old AS (
    {{old}}
),
diff AS MATERIALIZED (
    SELECT * FROM (
        SELECT o.id AS old_id, o.row_ctid AS old_ctid, n.*,
            ({FIGURES}) IS DISTINCT FROM ({STORED_FIGURES}) AS figures_changed,
            n.inputs_digest IS DISTINCT FROM o.inputs_digest AS digest_changed
        FROM new n
        FULL JOIN old o ON o.country_a_id = n.a AND o.country_b_id = n.b AND o.year = n.year
    ) d
    WHERE figures_changed OR digest_changed
),
-- The rows by their place in the table, read in this statement (= ANY, a TID scan: no index lookup),
-- so that a few changes never scan the whole table; no other refresh writes them (its locks).
deleted AS (
    DELETE FROM agreements_pairyearstatistic WHERE ctid = ANY(ARRAY(SELECT old_ctid FROM diff WHERE a IS NULL))
    RETURNING 1
),
updated AS (
    UPDATE agreements_pairyearstatistic s SET
        a_to_b_usd = d.ab_usd, a_to_b_basis = d.ab_basis, a_to_b_flow_id = d.ab_id,
        b_to_a_usd = d.ba_usd, b_to_a_basis = d.ba_basis, b_to_a_flow_id = d.ba_id,
        total_usd = d.total_usd, total_basis = d.total_basis, total_flow_id = d.total_id,
        growth = d.growth, agreements_in_force = d.in_force, notes = d.notes, is_synthetic = d.is_synthetic,
        a_to_b_check_usd = d.ab_check_usd, a_to_b_check_flow_id = d.ab_check_id,
        b_to_a_check_usd = d.ba_check_usd, b_to_a_check_flow_id = d.ba_check_id,
        inputs_digest = d.inputs_digest
    FROM diff d
    WHERE s.ctid = ANY(ARRAY(SELECT old_ctid FROM diff WHERE a IS NOT NULL)) AND s.id = d.old_id
    RETURNING d.figures_changed
),
inserted AS (
    INSERT INTO agreements_pairyearstatistic (
        country_a_id, country_b_id, year, a_to_b_usd, a_to_b_basis, a_to_b_flow_id,
        b_to_a_usd, b_to_a_basis, b_to_a_flow_id, total_usd, total_basis, total_flow_id,
        growth, agreements_in_force, notes, is_synthetic, inputs_digest,
        a_to_b_check_usd, a_to_b_check_flow_id, b_to_a_check_usd, b_to_a_check_flow_id)
    SELECT a, b, year, ab_usd, ab_basis, ab_id, ba_usd, ba_basis, ba_id, total_usd, total_basis, total_id,
        growth, in_force, notes, is_synthetic, inputs_digest, ab_check_usd, ab_check_id, ba_check_usd, ba_check_id
    FROM diff WHERE old_id IS NULL
    RETURNING 1
){{next_years}}
-- Rows written: those whose figures changed (a new digest alone is bookkeeping).
-- Then the digest of the agreements the counts of agreements in force were computed from, and the rates'.
SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FILTER (WHERE figures_changed) FROM updated),
    (SELECT count(*) FROM deleted), {{next_years_written}}, {AGREEMENTS_DIGEST}, {COMMON_DIGEST}
"""

# Growth compares with the year before: when only some pair-years are recomputed ("keys"), the year
# after each, when it is not recomputed itself, gets its growth again on the new total (from
# pair_rows; none when the pair-year is gone), in the same statement (its stored row from NEAR):
# nothing else of it depends on the year before, and it is never one of the rows the statement
# rewrites (those are in the keys).
NEXT_YEARS = f""",
next_years AS (
    SELECT n.id, n.row_ctid, n.stored, {CAPPED_GROWTH} AS growth
    FROM (
        SELECT s.id, s.row_ctid, s.growth AS stored, {RAW_GROWTH.format(total="s.total_usd", previous="r.total_usd")} AS raw_growth
        FROM near s
        LEFT JOIN pair_rows r ON r.a = s.country_a_id AND r.b = s.country_b_id AND r.year = s.key_year
        WHERE s.year = s.key_year + 1 AND NOT s.recomputed
        OFFSET 0
    ) n
),
next_years_updated AS (
    UPDATE agreements_pairyearstatistic s SET growth = n.growth
    FROM next_years n
    WHERE s.ctid = ANY(ARRAY(SELECT row_ctid FROM next_years WHERE growth IS DISTINCT FROM stored))
        AND s.id = n.id AND n.growth IS DISTINCT FROM n.stored
    RETURNING 1
)"""

# The stored rows of each recomputed pair-year and of the years either side, one index range each:
# the row itself (old), the year before's total (its growth) and the year after (whose growth
# follows), with whether each is recomputed itself.
NEAR = f"""
near AS MATERIALIZED (
    SELECT k.year AS key_year, s.*, s.ctid AS row_ctid, EXISTS (
            SELECT FROM {KEYS} x WHERE x.a = s.country_a_id AND x.b = s.country_b_id AND x.year = s.year
        ) AS recomputed
    FROM {KEYS} k
    JOIN agreements_pairyearstatistic s
        ON s.country_a_id = k.a AND s.country_b_id = k.b AND s.year BETWEEN k.year - 1 AND k.year + 1
),"""

PAIRS = "SELECT * FROM unnest(%(scope_a)s::bigint[], %(scope_b)s::bigint[])"
SCOPES = {
    "all": {"flow_scope": "", "agreement_scope": "", "old_scope": ""},
    "pairs": {
        # Both orders of each pair, so the lookups use the (reporter, partner, ...) index.
        "flow_scope": "AND (f.reporter_id, f.partner_id) IN (SELECT * FROM unnest("
        "%(scope_a)s::bigint[] || %(scope_b)s::bigint[], %(scope_b)s::bigint[] || %(scope_a)s::bigint[]))",
        "agreement_scope": f"AND (p1.country_id, p2.country_id) IN ({PAIRS})",
        "old_scope": f"AND (s.country_a_id, s.country_b_id) IN ({PAIRS})",
    },
    "keys": {
        "flow_scope": f"AND (f.reporter_id, f.partner_id, f.year) IN "
        f"(SELECT a, b, year FROM {KEYS} UNION ALL SELECT b, a, year FROM {KEYS})",
        "agreement_scope": f"AND (p1.country_id, p2.country_id) IN (SELECT a, b FROM {KEYS})",
        "near": NEAR,
        "old": "SELECT * FROM near WHERE year = key_year",
        # The year before, when it is not recomputed, is as stored (and current: it did not change).
        "previous_join": """
            LEFT JOIN near np ON np.country_a_id = r.a AND np.country_b_id = r.b AND np.year = r.year - 1
                AND np.key_year = r.year AND NOT np.recomputed""",
        "previous_total": "CASE WHEN p.a IS NOT NULL THEN p.total_usd ELSE np.total_usd END",
        "next_years": NEXT_YEARS,
        "next_years_written": "(SELECT count(*) FROM next_years_updated)",
    },
}


def pair_year_sql(scope: str) -> str:
    """The refresh statement for "all" pair-years, the "pairs" passed as %(scope_a)s and
    %(scope_b)s (every year of each), or the pair-years in the "keys" table."""
    parts = {
        "near": "",
        "previous_join": "",
        "previous_total": "p.total_usd",
        "next_years": "",
        "next_years_written": "0",
        **SCOPES[scope],
    }
    parts.setdefault(
        "old", f"SELECT *, ctid AS row_ctid FROM agreements_pairyearstatistic s WHERE true {parts.get('old_scope', '')}"
    )
    return PAIR_YEAR_SQL.format(**parts)
