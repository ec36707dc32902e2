import { type Kysely, sql } from "kysely";

/**
 * The regions' and country groups' months: their engagement counts keep whole months beside whole
 * years, as the breakdown "all" does (a month's partners and countries for such a breakdown are
 * those of "all" within its countries, read by the counts query). A quarter with Africa, or a
 * part-year by region, had been read from the record: 1.2 s at 1M engagements. The tables keep
 * their shape; the rebuild that follows this migration fills the new rows (see rebuildsRollups).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_rollup.year IS
    'The period: a year (2019), or for the breakdowns all, region and group also a month (201903: year × 100 + month)'`.execute(db);
}

/** Without the breakdowns' months: their rows go (the years, and the months of all, stay right). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_rollup.year IS
    'The period: a year (2019), or for the breakdown all also a month (201903: year × 100 + month)';
    DELETE FROM engagement_rollup WHERE year > 9999 AND dim <> 'all'`.execute(db);
}
