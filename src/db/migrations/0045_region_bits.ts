import { type Kysely, sql } from "kysely";

/**
 * Each region's organisations as bit strings per chunk (`organisation_region_bits`), kept exact
 * after every statement, as the countries' and the kinds' are. A region's months read the months
 * of "all" ANDed with its organisations; those were ORed together from its countries' strings for
 * every question (at 1M engagements 6,400 strings, 14 ms of a quarter's 20 ms by region, and the
 * overview asks it twice). An organisation's region is its country's (`countries.region_code`):
 * the strings follow an organisation that is added, moves or goes, and a country given another
 * region takes its organisations along.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE organisation_region_bits (
      region_code text NOT NULL,
      chunk integer NOT NULL,
      bits bit varying NOT NULL,
      PRIMARY KEY (region_code, chunk)
    );
    COMMENT ON TABLE organisation_region_bits IS
      'Each region''s organisations (by their country''s region_code) as bit strings of 4,096 ids per chunk, kept by triggers on organisations and countries';
    CREATE FUNCTION organisation_region_bits_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- The country groups' lock (shared; a country's change of region takes it alone, as the
      -- app's own change does first): a region's move then waits for this transaction, or this
      -- statement for it and reads its region as committed (each statement below takes a fresh
      -- snapshot). Without it, a partner added to a country as it changed region could stay in
      -- the old region's string, neither trigger seeing the other's rows. The same lock as the
      -- engagement writers', taken in the same order, so the two never wait on each other in turn.
      -- An update that moves no organisation to another country reads no region: it takes none
      -- (the engagement writers' updates of a partner's standing, its names, its search text).
      -- (Two branches: an insert or a delete has no old_rows or no new_rows to name.)
      IF TG_OP <> 'UPDATE' THEN
        PERFORM pg_advisory_xact_lock_shared(4471001);
      ELSIF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n USING (id) WHERE o.country_code IS DISTINCT FROM n.country_code) THEN
        PERFORM pg_advisory_xact_lock_shared(4471001);
      END IF;
      -- Statements differ by event because each event has only its own transition tables.
      IF TG_OP = 'UPDATE' THEN
        UPDATE organisation_region_bits b SET bits = b.bits & ~m.bits FROM (
          SELECT oc.region_code, o.id / 4096 AS chunk, bit_or(set_bit(repeat('0', 4096)::varbit, o.id % 4096, 1)) AS bits
          FROM old_rows o JOIN new_rows n USING (id) JOIN countries oc ON oc.code = o.country_code
          LEFT JOIN countries nc ON nc.code = n.country_code
          WHERE oc.region_code IS NOT NULL AND oc.region_code IS DISTINCT FROM nc.region_code GROUP BY 1, 2) m
        WHERE b.region_code = m.region_code AND b.chunk = m.chunk;
        INSERT INTO organisation_region_bits (region_code, chunk, bits)
        SELECT nc.region_code, n.id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, n.id % 4096, 1))
        FROM old_rows o JOIN new_rows n USING (id) JOIN countries nc ON nc.code = n.country_code
        LEFT JOIN countries oc ON oc.code = o.country_code
        WHERE nc.region_code IS NOT NULL AND nc.region_code IS DISTINCT FROM oc.region_code GROUP BY 1, 2
        ON CONFLICT (region_code, chunk) DO UPDATE SET bits = organisation_region_bits.bits | excluded.bits;
      ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO organisation_region_bits (region_code, chunk, bits)
        SELECT c.region_code, n.id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, n.id % 4096, 1))
        FROM new_rows n JOIN countries c ON c.code = n.country_code WHERE c.region_code IS NOT NULL GROUP BY 1, 2
        ON CONFLICT (region_code, chunk) DO UPDATE SET bits = organisation_region_bits.bits | excluded.bits;
      ELSE
        UPDATE organisation_region_bits b SET bits = b.bits & ~m.bits FROM (
          SELECT c.region_code, o.id / 4096 AS chunk, bit_or(set_bit(repeat('0', 4096)::varbit, o.id % 4096, 1)) AS bits
          FROM old_rows o JOIN countries c ON c.code = o.country_code WHERE c.region_code IS NOT NULL GROUP BY 1, 2) m
        WHERE b.region_code = m.region_code AND b.chunk = m.chunk;
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER organisation_region_bits_insert AFTER INSERT ON organisations
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_region_bits_apply();
    CREATE TRIGGER organisation_region_bits_update AFTER UPDATE ON organisations
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_region_bits_apply();
    CREATE TRIGGER organisation_region_bits_delete AFTER DELETE ON organisations
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_region_bits_apply();
    -- A country given another region moves its organisations, read from its own strings (kept
    -- exact by their triggers; an organisation has one country).
    CREATE FUNCTION organisation_region_bits_move_country() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n USING (code) WHERE o.region_code IS DISTINCT FROM n.region_code) THEN
        RETURN NULL;
      END IF;
      -- Alone: the organisations' writers of this moment commit first, and those after wait (see above).
      PERFORM pg_advisory_xact_lock(4471001);
      UPDATE organisation_region_bits b SET bits = b.bits & ~m.bits FROM (
        SELECT o.region_code, cb.chunk, bit_or(cb.bits) AS bits
        FROM old_rows o JOIN new_rows n USING (code) JOIN organisation_country_bits cb ON cb.country_code = o.code
        WHERE o.region_code IS NOT NULL AND o.region_code IS DISTINCT FROM n.region_code GROUP BY 1, 2) m
      WHERE b.region_code = m.region_code AND b.chunk = m.chunk;
      INSERT INTO organisation_region_bits (region_code, chunk, bits)
      SELECT n.region_code, cb.chunk, bit_or(cb.bits)
      FROM old_rows o JOIN new_rows n USING (code) JOIN organisation_country_bits cb ON cb.country_code = n.code
      WHERE n.region_code IS NOT NULL AND n.region_code IS DISTINCT FROM o.region_code GROUP BY 1, 2
      ON CONFLICT (region_code, chunk) DO UPDATE SET bits = organisation_region_bits.bits | excluded.bits;
      RETURN NULL;
    END $$;
    CREATE TRIGGER organisation_region_bits_country AFTER UPDATE ON countries
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_region_bits_move_country();
    INSERT INTO organisation_region_bits (region_code, chunk, bits)
    SELECT c.region_code, o.id / 4096, bit_or(set_bit(repeat('0', 4096)::varbit, o.id % 4096, 1))
    FROM organisations o JOIN countries c ON c.code = o.country_code WHERE c.region_code IS NOT NULL GROUP BY 1, 2;`.execute(db);
}

/** Without the regions' strings: a region's months are ORed from its countries' strings again. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER organisation_region_bits_insert ON organisations;
    DROP TRIGGER organisation_region_bits_update ON organisations;
    DROP TRIGGER organisation_region_bits_delete ON organisations;
    DROP TRIGGER organisation_region_bits_country ON countries;
    DROP FUNCTION organisation_region_bits_apply();
    DROP FUNCTION organisation_region_bits_move_country();
    DROP TABLE organisation_region_bits;`.execute(db);
}
