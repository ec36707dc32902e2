import { type Kysely, sql } from "kysely";

/**
 * Two more pre-aggregations, so that the overview, the map and the top partners never
 * scan the participants:
 *  - organisation_country_bits: each country's organisations as bit strings (the same
 *    chunks as engagement_partner_bits), kept exact by statement triggers, so that "how
 *    many partners in this country" is an AND of two bit strings and a bit count;
 *  - engagement_partner_rollup: per partner, year and breakdown (all, lead unit,
 *    programme), how many done engagements reached it, so that the partners met most
 *    often are read from a short index scan per year (filled by the rollups' rebuild that
 *    follows this migration, with the new status breakdown: see rebuildsRollups).
 * And statuses the demo recorded (who governed when) are marked, so that removing the demo
 * removes them. For the anniversaries of relationship health: each country's national day
 * (month and day) and partners' congresses.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE organisation_statuses ADD COLUMN demo boolean NOT NULL DEFAULT false;
    ALTER TABLE countries ADD COLUMN national_day text CHECK (national_day ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$');
    CREATE TABLE organisation_congresses (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organisation_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      opens_on date NOT NULL,
      ordinal integer CHECK (ordinal > 0),
      name_en text,
      name_zh text,
      demo boolean NOT NULL DEFAULT false,
      UNIQUE (organisation_id, opens_on)
    );
    CREATE INDEX organisation_congresses_opens ON organisation_congresses (opens_on);
    CREATE TABLE organisation_country_bits (
      country_code text NOT NULL,
      chunk integer NOT NULL,
      bits bit varying NOT NULL,
      PRIMARY KEY (country_code, chunk)
    );
    CREATE FUNCTION organisation_country_bits_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Statements differ by event because each event has only its own transition tables.
      IF TG_OP = 'UPDATE' THEN
        UPDATE organisation_country_bits b SET bits = b.bits & ~m.bits FROM (
          SELECT o.country_code, o.id / 4096 AS chunk, bit_or(set_bit(repeat('0', 4096)::varbit, o.id % 4096, 1)) AS bits
          FROM old_rows o JOIN new_rows n USING (id)
          WHERE o.country_code IS NOT NULL AND o.country_code IS DISTINCT FROM n.country_code GROUP BY 1, 2) m
        WHERE b.country_code = m.country_code AND b.chunk = m.chunk;
        INSERT INTO organisation_country_bits (country_code, chunk, bits)
        SELECT n.country_code, n.id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, n.id % 4096, 1))
        FROM old_rows o JOIN new_rows n USING (id)
        WHERE n.country_code IS NOT NULL AND o.country_code IS DISTINCT FROM n.country_code GROUP BY 1, 2
        ON CONFLICT (country_code, chunk) DO UPDATE SET bits = organisation_country_bits.bits | excluded.bits;
      ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO organisation_country_bits (country_code, chunk, bits)
        SELECT country_code, id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, id % 4096, 1))
        FROM new_rows WHERE country_code IS NOT NULL GROUP BY 1, 2
        ON CONFLICT (country_code, chunk) DO UPDATE SET bits = organisation_country_bits.bits | excluded.bits;
      ELSE
        UPDATE organisation_country_bits b SET bits = b.bits & ~m.bits FROM (
          SELECT country_code, id / 4096 AS chunk, bit_or(set_bit(repeat('0', 4096)::varbit, id % 4096, 1)) AS bits
          FROM old_rows WHERE country_code IS NOT NULL GROUP BY 1, 2) m
        WHERE b.country_code = m.country_code AND b.chunk = m.chunk;
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER organisation_country_bits_insert AFTER INSERT ON organisations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_country_bits_apply();
    CREATE TRIGGER organisation_country_bits_update AFTER UPDATE ON organisations
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_country_bits_apply();
    CREATE TRIGGER organisation_country_bits_delete AFTER DELETE ON organisations
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_country_bits_apply();
    INSERT INTO organisation_country_bits (country_code, chunk, bits)
    SELECT country_code, id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, id % 4096, 1))
    FROM organisations WHERE country_code IS NOT NULL GROUP BY 1, 2;

    CREATE TABLE engagement_partner_rollup (
      dim text NOT NULL,
      value text NOT NULL,
      year integer NOT NULL,
      organisation_id integer NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (dim, value, organisation_id, year)
    );
    -- The busiest partners of one breakdown and year first.
    CREATE INDEX engagement_partner_rollup_rank ON engagement_partner_rollup (dim, value, year, n DESC, organisation_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE engagement_partner_rollup;
    DROP TRIGGER organisation_country_bits_insert ON organisations;
    DROP TRIGGER organisation_country_bits_update ON organisations;
    DROP TRIGGER organisation_country_bits_delete ON organisations;
    DROP FUNCTION organisation_country_bits_apply();
    DROP TABLE organisation_country_bits;
    ALTER TABLE organisation_statuses DROP COLUMN demo;
    DROP TABLE organisation_congresses;
    ALTER TABLE countries DROP COLUMN national_day;`.execute(db);
}
