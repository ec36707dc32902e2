import { type Kysely, sql } from "kysely";

/**
 * The rollups' slices are remade so that a bureau's users read two slices, not fifteen: a lead
 * unit's slice now holds all it led (with co-units or without), and a new slice (−U, "") holds
 * what unit U took part in beside another unit that led it. A bureau editor's counts had ORed the
 * partner bit strings of every slice their bureau led with each set of co-units and of every other
 * unit's slice with theirs among the co-units. The tables keep their shape; the rebuild that
 * follows this migration fills them anew (see rebuildsRollups). The comment says what a slice is.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_rollup.lead_unit_id IS
    '0: every engagement; L: every engagement unit L led (with co_units, only those with exactly those co-units); -U: every engagement unit U took part in beside the unit that led it'`.execute(
    db,
  );
}

/** Back to the slices of 0029 (every engagement in slice 0 and in the one of its lead unit and co-units): rebuilt at the next start. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_rollup.lead_unit_id IS NULL;
    TRUNCATE engagement_rollup, engagement_country_rollup, engagement_country_bits, engagement_partner_bits, engagement_partner_slices`.execute(
    db,
  );
}
