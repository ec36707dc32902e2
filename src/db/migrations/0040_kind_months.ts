import { type Kysely, sql } from "kysely";

/**
 * The partner kinds' months. Their engagement counts keep whole months beside whole years, as the
 * regions' do (the rebuild that follows fills them; see rebuildsRollups). A month's partners of a
 * kind are the month's partners of "all" ANDed with the organisations of that kind, kept here as
 * bit strings per chunk (`organisation_kind_bits`, exact after every statement on the registry, as
 * `organisation_country_bits` is for countries); their countries are those partners' countries. By
 * partner kind over a quarter, or since a date, had been read from the record: 0.5 s for a quarter
 * at 1M engagements, and the overview asks it twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_rollup.year IS
      'The period: a year (2019), or for the breakdowns all, region, group and kind also a month (201903: year × 100 + month)';
    CREATE TABLE organisation_kind_bits (
      kind text NOT NULL,
      chunk integer NOT NULL,
      bits bit varying NOT NULL,
      PRIMARY KEY (kind, chunk)
    );
    CREATE FUNCTION organisation_kind_bits_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Statements differ by event because each event has only its own transition tables.
      IF TG_OP = 'UPDATE' THEN
        UPDATE organisation_kind_bits b SET bits = b.bits & ~m.bits FROM (
          SELECT o.kind, o.id / 4096 AS chunk, bit_or(set_bit(repeat('0', 4096)::varbit, o.id % 4096, 1)) AS bits
          FROM old_rows o JOIN new_rows n USING (id)
          WHERE o.kind IS NOT NULL AND o.kind IS DISTINCT FROM n.kind GROUP BY 1, 2) m
        WHERE b.kind = m.kind AND b.chunk = m.chunk;
        INSERT INTO organisation_kind_bits (kind, chunk, bits)
        SELECT n.kind, n.id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, n.id % 4096, 1))
        FROM old_rows o JOIN new_rows n USING (id)
        WHERE n.kind IS NOT NULL AND o.kind IS DISTINCT FROM n.kind GROUP BY 1, 2
        ON CONFLICT (kind, chunk) DO UPDATE SET bits = organisation_kind_bits.bits | excluded.bits;
      ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO organisation_kind_bits (kind, chunk, bits)
        SELECT kind, id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, id % 4096, 1))
        FROM new_rows WHERE kind IS NOT NULL GROUP BY 1, 2
        ON CONFLICT (kind, chunk) DO UPDATE SET bits = organisation_kind_bits.bits | excluded.bits;
      ELSE
        UPDATE organisation_kind_bits b SET bits = b.bits & ~m.bits FROM (
          SELECT kind, id / 4096 AS chunk, bit_or(set_bit(repeat('0', 4096)::varbit, id % 4096, 1)) AS bits
          FROM old_rows WHERE kind IS NOT NULL GROUP BY 1, 2) m
        WHERE b.kind = m.kind AND b.chunk = m.chunk;
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER organisation_kind_bits_insert AFTER INSERT ON organisations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_kind_bits_apply();
    CREATE TRIGGER organisation_kind_bits_update AFTER UPDATE ON organisations
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_kind_bits_apply();
    CREATE TRIGGER organisation_kind_bits_delete AFTER DELETE ON organisations
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_kind_bits_apply();
    INSERT INTO organisation_kind_bits (kind, chunk, bits)
    SELECT kind, id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, id % 4096, 1))
    FROM organisations WHERE kind IS NOT NULL GROUP BY 1, 2;`.execute(db);
}

/** Without the kinds' months: their rows and the kinds' bit strings go (the years stay right). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER organisation_kind_bits_insert ON organisations;
    DROP TRIGGER organisation_kind_bits_update ON organisations;
    DROP TRIGGER organisation_kind_bits_delete ON organisations;
    DROP FUNCTION organisation_kind_bits_apply();
    DROP TABLE organisation_kind_bits;
    COMMENT ON COLUMN engagement_rollup.year IS
      'The period: a year (2019), or for the breakdowns all, region and group also a month (201903: year × 100 + month)';
    DELETE FROM engagement_rollup WHERE year > 9999 AND dim = 'kind'`.execute(db);
}
