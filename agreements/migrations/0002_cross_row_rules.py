"""Rules that span rows, enforced by PostgreSQL at commit.

- agreements_signatory_country_is_party: a signatory's country is one of the
  agreement's parties (a composite foreign key onto the party's unique pair).
- agreements_agreement_bilateral_two_countries: a bilateral agreement has
  exactly two parties, two different countries (a deferred constraint trigger,
  so parties can be added after the agreement within one transaction).

Both are deferred to commit. SQLite runs the same rules through clean() and the
admin only.
"""

from django.db import migrations

from tradepacts.db import PostgresOnlySQL

SIGNATORY_FK = """
ALTER TABLE agreements_signatory
  ADD CONSTRAINT agreements_signatory_country_is_party
  FOREIGN KEY (agreement_id, country_id) REFERENCES agreements_party (agreement_id, country_id)
  DEFERRABLE INITIALLY DEFERRED;
"""

BILATERAL_TRIGGER = """
CREATE FUNCTION agreements_check_bilateral() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  aid bigint;
  parties int;
  countries int;
BEGIN
  IF TG_TABLE_NAME = 'agreements_agreement' THEN
    ids := ARRAY[NEW.id];
  ELSIF TG_OP = 'DELETE' THEN
    ids := ARRAY[OLD.agreement_id];
  ELSIF TG_OP = 'UPDATE' THEN
    ids := ARRAY[NEW.agreement_id, OLD.agreement_id];
  ELSE
    ids := ARRAY[NEW.agreement_id];
  END IF;
  FOREACH aid IN ARRAY ids LOOP
    IF EXISTS (SELECT 1 FROM agreements_agreement WHERE id = aid AND scope = 'bilateral') THEN
      SELECT count(*), count(DISTINCT country_id) INTO parties, countries
        FROM agreements_party WHERE agreement_id = aid;
      IF parties <> 2 OR countries <> 2 THEN
        RAISE EXCEPTION 'agreements_agreement_bilateral_two_countries: bilateral agreement % has % parties and % countries, not two', aid, parties, countries
          USING ERRCODE = 'check_violation', CONSTRAINT = 'agreements_agreement_bilateral_two_countries';
      END IF;
    END IF;
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER agreements_agreement_bilateral_two_countries
  AFTER INSERT OR UPDATE OF scope ON agreements_agreement
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION agreements_check_bilateral();

CREATE CONSTRAINT TRIGGER agreements_party_bilateral_two_countries
  AFTER INSERT OR UPDATE OR DELETE ON agreements_party
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION agreements_check_bilateral();
"""

DROP_BILATERAL_TRIGGER = """
DROP TRIGGER agreements_party_bilateral_two_countries ON agreements_party;
DROP TRIGGER agreements_agreement_bilateral_two_countries ON agreements_agreement;
DROP FUNCTION agreements_check_bilateral();
"""


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [
        PostgresOnlySQL(SIGNATORY_FK, "ALTER TABLE agreements_signatory DROP CONSTRAINT agreements_signatory_country_is_party;"),
        PostgresOnlySQL(BILATERAL_TRIGGER, DROP_BILATERAL_TRIGGER),
    ]
