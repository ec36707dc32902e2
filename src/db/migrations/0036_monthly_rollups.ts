import { type Kysely, sql } from "kysely";

/**
 * The counts' rollups keep whole months beside whole years, for the breakdown "all" in every
 * slice: their `year` then holds year × 100 + month (201903). A quarter, the months
 * of a part-year ("2014-03-01 to 2021-06-30") and the counts by month had been read from the
 * record. The tables keep their shape; the rebuild that follows this migration fills the new rows
 * (see rebuildsRollups).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ["engagement_rollup", "engagement_country_rollup", "engagement_country_bits", "engagement_partner_bits"]) {
    await sql`COMMENT ON COLUMN ${sql.table(table)}.year IS
      'The period: a year (2019), or for the breakdown all also a month (201903: year × 100 + month)'`.execute(db);
  }
}

/** Without the months: their rows go (the years stay right). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_rollup.year IS NULL; COMMENT ON COLUMN engagement_country_rollup.year IS NULL;
    COMMENT ON COLUMN engagement_country_bits.year IS NULL; COMMENT ON COLUMN engagement_partner_bits.year IS NULL;
    DELETE FROM engagement_rollup WHERE year > 9999; DELETE FROM engagement_country_rollup WHERE year > 9999;
    DELETE FROM engagement_country_bits WHERE year > 9999; DELETE FROM engagement_partner_bits WHERE year > 9999`.execute(db);
}
