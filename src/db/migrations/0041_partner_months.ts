import { type Kysely, sql } from "kysely";

/**
 * The per-partner counts keep whole months beside whole years for the breakdown "all", in slice 0
 * (engagement_partner_rollup) and in every other slice (engagement_partner_slices), as the
 * engagement counts of "all" do (migration 0036). The partners met most often in a quarter, or in
 * the months of a part-year ("since 15 November 2012"), had been ranked from the record: 240 ms
 * for a quarter and 2 s for 2014-03-01 to 2021-06-30 at 1M engagements, on every overview of such
 * a period. The tables keep their shape; the rebuild that follows this migration fills the new rows
 * (see rebuildsRollups).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ["engagement_partner_rollup", "engagement_partner_slices"]) {
    await sql`COMMENT ON COLUMN ${sql.table(table)}.year IS
      'The period: a year (2019), or for the breakdown all also a month (201903: year × 100 + month)'`.execute(db);
  }
}

/** Without the months: their rows go (the years stay right). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN engagement_partner_rollup.year IS NULL; COMMENT ON COLUMN engagement_partner_slices.year IS NULL;
    DELETE FROM engagement_partner_rollup WHERE year > 9999; DELETE FROM engagement_partner_slices WHERE year > 9999`.execute(db);
}
