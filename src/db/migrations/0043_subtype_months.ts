import { type Kysely, sql } from "kysely";

/**
 * The subtypes keep whole months of their own beside whole years, engagement counts, partners,
 * countries and per-country counts (the rebuild that follows fills them; see rebuildsRollups). A
 * subtype is the engagement's own, so no mask of the registry gives a month's partners. Three lines
 * of every overview are a subtype's (congratulatory messages received, thematic briefings, medical
 * assistance), each counted for the period and for the one before: from the record, a quarter's
 * congratulatory messages at 1M engagements took 60 ms alone and up to 250 ms beside the others.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ["engagement_rollup", "engagement_country_rollup", "engagement_country_bits", "engagement_partner_bits"]) {
    await sql`COMMENT ON COLUMN ${sql.table(table)}.year IS
      'The period: a year (2019), or for the breakdowns all, status and subtype (and the engagement counts of region, group and kind) also a month (201903: year × 100 + month)'`.execute(
      db,
    );
  }
}

/** Without the subtypes' months: their rows go (the years stay right). */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["engagement_rollup", "engagement_country_rollup", "engagement_country_bits", "engagement_partner_bits"]) {
    await sql`DELETE FROM ${sql.table(table)} WHERE dim = 'subtype' AND year > 9999`.execute(db);
  }
}
